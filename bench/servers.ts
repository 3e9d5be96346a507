/**
 * Servers under load: a bare Node http server (the ceiling), the same plus JSON.parse and
 * validateEvent (what any validating receiver pays), the sandbox (validation, dedup and
 * persistence on, as `converge-webhook sandbox --data DIR`) and the Prism mock (startMock),
 * each in its own process, loaded by autocannon in this process.
 *
 * The sandbox is measured twice: with one fixed body, every request after the first is a
 * duplicate (validation and the dedup lookup, nothing written); with a fresh event_id per
 * request, every request is validated, written to the store and indexed (the honest
 * persistence number). The load generator does more work per request for the second
 * (autocannon rebuilds the request), so the bare server is measured with both too, and each
 * sandbox run is compared with the bare run of the same mode.
 *
 * Runs are interleaved in rounds (bare, sandbox, Prism, bare, ...) so that drift of a shared
 * machine hits every server alike; the median of the rounds is reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runLoad, typicalEvent, type BodyMode, type LoadResult, type LoadTarget } from './load.ts';
import { median, pinProcess, startJsonChild, startSandboxChild, waitForQuiet, withPlacement, type Placement } from './processes.ts';

export interface ServerConfig {
  /** Seconds per measured run. */
  seconds: number;
  /** Rounds of every run, interleaved. */
  rounds: number;
  /** Seconds of warm-up per server and mode (JIT, connection set-up), not measured. */
  warmupSeconds: number;
  /** Extra node flags for the sandbox process (e.g. --cpu-prof). */
  sandboxNodeFlags?: string[];
}

export type ServerName = 'bare' | 'validating' | 'sandbox' | 'prism';

export interface ServerRun {
  server: ServerName;
  mode: BodyMode;
  label: string;
  rounds: LoadResult[];
  /** Rounds during which other processes stayed under OTHER_CPU_LIMIT. */
  cleanRounds: number;
  /** Median over the clean rounds (over all when none was clean), metric by metric. */
  median: LoadResult;
}

export interface ServerBench {
  placement: Placement;
  config: ServerConfig;
  runs: ServerRun[];
  /** Runs that were run again because other processes were busy meanwhile. */
  retried: number;
  /** Seconds spent waiting for other processes to calm down before runs. */
  waitedForQuiet: number;
  /** Events in the sandbox's store at the end, and how many it should hold: every unique event answered 200, plus the fixed one. */
  sandboxStored: { stored: number; expected: number };
}

const LABELS: Record<`${ServerName}-${BodyMode}`, string> = {
  'bare-fixed': 'bare node:http, fixed body (ceiling)',
  'bare-unique': 'bare node:http, unique event_id (ceiling)',
  'validating-fixed': 'node:http + JSON.parse + validateEvent, fixed body',
  'validating-unique': 'node:http + JSON.parse + validateEvent, unique event_id',
  'sandbox-fixed': 'sandbox, fixed body (dedup path)',
  'sandbox-unique': 'sandbox, unique event_id (stored)',
  'prism-fixed': 'Prism mock (startMock), fixed body',
  'prism-unique': 'Prism mock (startMock), unique event_id',
};

/** Which runs, in order within a round. Prism keeps no state: one mode is enough. */
const PLAN: Array<[ServerName, BodyMode]> = [
  ['bare', 'fixed'],
  ['validating', 'fixed'],
  ['sandbox', 'fixed'],
  ['bare', 'unique'],
  ['sandbox', 'unique'],
  ['prism', 'fixed'],
];

/**
 * "Other" CPU (see LoadResult.otherCpuShare) above which a run is repeated: on a quiet machine
 * it stays under about 20% of a core (the store's write-back, interrupts); another process's
 * test run takes most of a core.
 */
const OTHER_CPU_LIMIT = 0.35;
const MAX_RETRIES = 1;
/** Longest wait for a quiet machine before a measured run, seconds. */
const QUIET_WAIT_S = 10;

export async function runServerBench(config: ServerConfig, placement: Placement, progress: (message: string) => void): Promise<ServerBench> {
  return withPlacement(placement, async () => {
    const event = typicalEvent();
    const dataDir = mkdtempSync(join(tmpdir(), 'converge-bench-servers-'));
    const stops: Array<() => Promise<void>> = [];
    try {
      progress('starting the bare server, the sandbox and the Prism mock');
      const bare = await startJsonChild([join(import.meta.dirname, 'bare-server.mjs')], placement, 'the bare server');
      stops.push(() => bare.stop());
      const validating = await startJsonChild([join(import.meta.dirname, 'validating-server.mjs')], placement, 'the validating server');
      stops.push(() => validating.stop());
      const sandbox = await startSandboxChild(join(dataDir, 'store'), placement, config.sandboxNodeFlags);
      stops.push(() => sandbox.stop());
      // The built package, as its users import it.
      const { startMock } = (await import('../dist/esm/src/testing.js')) as typeof import('../dist/esm/src/testing.js');
      const mock = await startMock({ quiet: true });
      stops.push(() => mock.stop());
      pinProcess(mock.pid, placement);

      const targets: Record<ServerName, LoadTarget> = {
        bare: { url: `${bare.ready.url as string}/api/webhooks`, token: 'unused', pid: bare.pid },
        validating: { url: `${validating.ready.url as string}/api/webhooks`, token: 'unused', pid: validating.pid },
        sandbox: { url: sandbox.webhookUrl, token: sandbox.token, pid: sandbox.pid },
        prism: { url: `${mock.url}/api/webhooks`, token: 'any-token', pid: mock.pid },
      };

      let uniqueAnswered = 0;
      let retried = 0;
      let waitedForQuiet = 0;
      for (const [server, mode] of PLAN) {
        progress(`warm-up: ${LABELS[`${server}-${mode}`]} (${config.warmupSeconds} s)`);
        const warm = await runLoad(targets[server], event, mode, { seconds: config.warmupSeconds });
        if (server === 'sandbox' && mode === 'unique') uniqueAnswered += warm.ok;
        if (warm.ok === 0) throw new Error(`${LABELS[`${server}-${mode}`]}: no 2xx answer during the warm-up (${warm.non2xx} non-2xx, ${warm.errors} errors)`);
      }

      const rounds = new Map<string, LoadResult[]>();
      for (let round = 1; round <= config.rounds; round++) {
        for (const [server, mode] of PLAN) {
          const label = LABELS[`${server}-${mode}`];
          progress(`round ${round}/${config.rounds}: ${label} (${config.seconds} s)`);
          waitedForQuiet += await waitForQuiet(QUIET_WAIT_S);
          let result = await runLoad(targets[server], event, mode, { seconds: config.seconds });
          // A shared machine: a run during which another process took a good part of a core is run again.
          for (let retry = 1; retry <= MAX_RETRIES && (result.otherCpuShare ?? 0) > OTHER_CPU_LIMIT; retry++) {
            progress(`  other processes used ${Math.round(result.otherCpuShare! * 100)}% of a core meanwhile: running it again (${retry}/${MAX_RETRIES})`);
            retried += 1;
            if (server === 'sandbox' && mode === 'unique') uniqueAnswered += result.ok;
            waitedForQuiet += await waitForQuiet(QUIET_WAIT_S);
            result = await runLoad(targets[server], event, mode, { seconds: config.seconds });
          }
          progress(
            `  ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
              `${result.non2xx + result.errors > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}`,
          );
          if (server === 'sandbox' && mode === 'unique') uniqueAnswered += result.ok;
          const key = `${server}-${mode}`;
          rounds.set(key, [...(rounds.get(key) ?? []), result]);
        }
      }

      // Every unique event answered 200 must be in the store, once; the fixed one once.
      const newest = (await (await fetch(`${sandbox.url}/api/events?limit=1`)).json()) as Array<{ id: number }>;
      const stored = newest[0]?.id ?? 0;

      const runs: ServerRun[] = PLAN.map(([server, mode]) => {
        const list = rounds.get(`${server}-${mode}`)!;
        // Disturbed rounds (other processes busy even after the rerun) count only when no round was clean.
        const clean = list.filter((r) => (r.otherCpuShare ?? 0) <= OTHER_CPU_LIMIT);
        return { server, mode, label: LABELS[`${server}-${mode}`], rounds: list, cleanRounds: clean.length, median: medianResult(clean.length > 0 ? clean : list) };
      });
      return { placement, config, runs, retried, waitedForQuiet, sandboxStored: { stored, expected: uniqueAnswered + 1 } };
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

function medianResult(list: LoadResult[]): LoadResult {
  const pick = (key: keyof LoadResult) => {
    const values = list.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? undefined : median(values);
  };
  const out = {} as Record<string, number | undefined>;
  for (const key of Object.keys(list[0]!) as Array<keyof LoadResult>) out[key] = pick(key);
  return out as unknown as LoadResult;
}
