/**
 * Start-up: wall time of `converge-webhook validate FILE` (a fresh process, as a user or a
 * pre-commit hook runs it) against `node -e 0` (the floor of any Node CLI); of the sandbox
 * and the Prism mock until they answer a valid event, in process (startSandbox(), startMock())
 * and, for the sandbox, as the CLI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cliPath, median, postOnce, root, startSandboxChild, timedRun, type Placement } from './processes.ts';

export interface Timing {
  name: string;
  /** Every run, seconds. */
  runs: number[];
  median: number;
  min: number;
}

export interface StartupBench {
  file: string;
  timings: Timing[];
}

export interface StartupConfig {
  processRuns: number;
  sandboxRuns: number;
  mockRuns: number;
}

const UNPINNED: Placement = { pinned: false, note: '' };
const EVENT_FILE = 'spec/converge/examples/valid/placed-order.json';

function timing(name: string, runs: number[]): Timing {
  return { name, runs, median: median(runs), min: Math.min(...runs) };
}

async function repeat(count: number, what: string, progress: (message: string) => void, once: () => Promise<number>): Promise<number[]> {
  const runs: number[] = [];
  for (let i = 1; i <= count; i++) {
    progress(`${what}: ${i}/${count}`);
    runs.push(await once());
  }
  return runs;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

export async function runStartupBench(config: StartupConfig, progress: (message: string) => void): Promise<StartupBench> {
  const body = readFileSync(join(root, EVENT_FILE), 'utf8');
  const timings: Timing[] = [];

  // The two spawns alternate, so that drift hits both alike.
  const nodeRuns: number[] = [];
  const validateRuns: number[] = [];
  for (let i = 1; i <= config.processRuns; i++) {
    progress(`node -e 0 and converge-webhook validate ${EVENT_FILE}: ${i}/${config.processRuns}`);
    const floor = await timedRun(process.execPath, ['-e', '0']);
    nodeRuns.push(floor.seconds);
    const run = await timedRun(process.execPath, [cliPath, 'validate', EVENT_FILE]);
    if (run.code !== 0) throw new Error(`converge-webhook validate ${EVENT_FILE}: expected exit 0, found ${run.code}: ${run.stdout}${run.stderr}`);
    validateRuns.push(run.seconds);
  }
  timings.push(timing('node -e 0 (baseline)', nodeRuns));
  timings.push(timing(`converge-webhook validate (one file)`, validateRuns));

  const dir = mkdtempSync(join(tmpdir(), 'converge-bench-startup-'));
  try {
    let n = 0;
    timings.push(
      timing(
        'converge-webhook sandbox (CLI) until it answers',
        await repeat(config.sandboxRuns, 'converge-webhook sandbox until it answers', progress, async () => {
          const started = process.hrtime.bigint();
          const sandbox = await startSandboxChild(join(dir, `cli-${(n += 1)}`), UNPINNED);
          try {
            const status = await postOnce(sandbox.webhookUrl, sandbox.token, body);
            if (status !== 200) throw new Error(`the sandbox answered ${status} to a valid event`);
            return seconds(started);
          } finally {
            await sandbox.stop();
          }
        }),
      ),
    );

    // In process, from the built package as its users import it (the import is not timed: a test suite pays it once).
    const { startSandbox, startMock } = (await import('../dist/esm/src/testing.js')) as typeof import('../dist/esm/src/testing.js');

    timings.push(
      timing(
        'startSandbox() until it answers',
        await repeat(config.sandboxRuns, 'startSandbox() until it answers', progress, async () => {
          const started = process.hrtime.bigint();
          const sandbox = await startSandbox({ dataDir: join(dir, `lib-${(n += 1)}`) });
          try {
            const status = await postOnce(sandbox.webhookUrl, sandbox.token, body);
            if (status !== 200) throw new Error(`startSandbox(): answered ${status} to a valid event`);
            return seconds(started);
          } finally {
            await sandbox.stop();
          }
        }),
      ),
    );

    timings.push(
      timing(
        'startMock() until it answers',
        await repeat(config.mockRuns, 'startMock() until it answers', progress, async () => {
          const started = process.hrtime.bigint();
          const mock = await startMock({ quiet: true });
          try {
            const status = await postOnce(`${mock.url}/api/webhooks`, 'any-token', body);
            if (status < 200 || status > 299) throw new Error(`startMock(): Prism answered ${status} to a valid event`);
            return seconds(started);
          } finally {
            await mock.stop();
          }
        }),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { file: EVENT_FILE, timings };
}
