/**
 * `npm run bench`: every benchmark of issue 5 in one run, as ratios to a baseline measured in
 * the same run (absolute figures on a shared machine drift; ratios hold). Prints a table per
 * part and the targets with pass/fail, writes the results as JSON. Progress goes to stderr.
 *
 *   npm run bench                      full run, writes bench/results.json (the record)
 *   npm run bench -- --quick           smoke check (short runs), writes bench/results.tmp.json
 *   npm run bench -- --only servers    some parts only (validation, contracts, servers, memory, verify, startup)
 *   npm run bench -- --json            only the results JSON on stdout
 *   npm run bench -- --no-pin          let the scheduler place load generator and servers
 *   npm run bench -- --cpu-prof DIR    profile the sandbox under load (node --cpu-prof) into DIR
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { runContractsBench } from './contracts.ts';
import { runContractTestBench, type ContractTestBench } from './contract-test.ts';
import { CONNECTIONS } from './load.ts';
import { runMemoryBench, type MemoryBench } from './memory.ts';
import { choosePlacement, machineBusySeconds, root, setQuietBudget, totalQuietWait, waitForQuiet } from './processes.ts';
import { summariseProfile } from './profile-summary.ts';
import { runServerBench, type ServerBench, type ServerRun } from './servers.ts';
import { runStartupBench, type StartupBench } from './startup.ts';
import { formatTable, mb, num, ratio } from './table.ts';
import { runValidationBench } from './validation.ts';

const PARTS = ['validation', 'contracts', 'servers', 'memory', 'verify', 'startup'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `Usage: npm run bench -- [--quick] [--only ${PARTS.join(',')}] [--json] [--no-pin] [--out FILE] [--cpu-prof DIR]

  --quick          a smoke check: fewer rounds, shorter runs, 20,000 events for memory (about 1 minute)
  --only LIST      run only these parts (comma-separated): ${PARTS.join(', ')}
  --json           print only the results JSON on stdout (progress stays on stderr)
  --no-pin         do not pin the load generator and the server under test to separate CPUs
  --out FILE       where to write the results (default: bench/results.json for a full run of
                   every part, else bench/results.tmp.json, so a partial run never replaces the record)
  --cpu-prof DIR   run the sandbox under load with node --cpu-prof, write the profile to DIR
                   and print its top self-time functions (the servers' numbers are then skewed)

On a machine shared with other work, each part and each server run first waits (120 s in all at
most) for the machine to be quiet, and a server run during which other processes used more than
a third of a core is run once more; runs still disturbed are listed as warnings.`;

/** A mistake on the command line: a message and exit code 2, no stack trace. */
class UsageError extends Error {}

interface Config {
  validation: { rounds: number; sampleMs: number };
  servers: { seconds: number; rounds: number; warmupSeconds: number };
  memoryEvents: number;
  verifyRuns: number;
  startup: { processRuns: number; sandboxRuns: number; mockRuns: number };
}

const FULL: Config = {
  validation: { rounds: 9, sampleMs: 40 },
  servers: { seconds: 5, rounds: 3, warmupSeconds: 2 },
  memoryEvents: 100_000,
  verifyRuns: 3,
  startup: { processRuns: 10, sandboxRuns: 5, mockRuns: 3 },
};

const QUICK: Config = {
  validation: { rounds: 3, sampleMs: 15 },
  servers: { seconds: 2, rounds: 1, warmupSeconds: 1 },
  memoryEvents: 20_000,
  verifyRuns: 1,
  startup: { processRuns: 3, sandboxRuns: 2, mockRuns: 1 },
};

interface Target {
  id: string;
  description: string;
  measured: number | undefined;
  /** How the measured value is compared with the threshold. */
  comparison: '>=' | '<';
  threshold: number;
  unit: string;
  pass: boolean;
  note?: string;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      json: { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const only = values.only?.split(',').map((p) => p.trim()).filter(Boolean);
  for (const part of only ?? []) {
    if (!(PARTS as readonly string[]).includes(part)) throw new UsageError(`--only: expected some of ${PARTS.join(', ')}, found "${part}"`);
  }
  const parts = new Set<Part>((only as Part[] | undefined) ?? PARTS);
  const quick = Boolean(values.quick);
  const config = quick ? QUICK : FULL;
  const json = Boolean(values.json);
  const record = !quick && !only && !values['cpu-prof'] && !values['no-pin'];
  const outFile = resolve(values.out ?? join(root, 'bench', record ? 'results.json' : 'results.tmp.json'));
  const profileDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;

  const began = Date.now();
  const progress = (message: string) => {
    const t = Math.round((Date.now() - began) / 1000);
    process.stderr.write(`[${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}] ${message}\n`);
  };
  const print = (text: string) => {
    if (!json) process.stdout.write(`${text}\n\n`);
  };

  // How busy the machine is before we start: the numbers of a run on a busy machine are low.
  const busyBefore = machineBusySeconds();
  await new Promise((r) => setTimeout(r, 1000));
  const busyAtStart = machineBusySeconds() - busyBefore;
  if (busyAtStart > 0.2) progress(`warning: the machine was already busy (${busyAtStart.toFixed(2)} cores in use before the run): other processes will skew the numbers`);
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadAverageAtStart: loadavg(),
    /** Cores in use by anything during the second before the run. */
    busyCoresAtStart: busyAtStart,
  };
  const placement = choosePlacement(!values['no-pin']);
  print(
    `converge-webhook-contract benchmarks${quick ? ' (--quick: a smoke check, not the record)' : ''}\n` +
      `machine: ${machine.cpu}, ${machine.cores} cores, ${mb(machine.memoryBytes)}, Node ${machine.node}, ${machine.platform}\n` +
      `date: ${machine.date}, load average at start: ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, cores busy in the second before: ${busyAtStart.toFixed(2)}\n` +
      `servers: ${placement.note}`,
  );

  const results: Record<string, unknown> = {};
  const warnings: string[] = [];
  if (busyAtStart > 0.2) warnings.push(`the machine was busy before the run (${busyAtStart.toFixed(2)} cores)`);
  const targets: Target[] = [];
  const target = (t: Omit<Target, 'pass'>) => {
    const pass = t.measured !== undefined && Number.isFinite(t.measured) && (t.comparison === '>=' ? t.measured >= t.threshold : t.measured < t.threshold);
    targets.push({ ...t, pass });
  };

  // Before each part: up to 20 s for other processes on a shared machine to calm down.
  setQuietBudget(quick ? 20 : 120);
  const settle = async () => {
    const waited = await waitForQuiet(20);
    if (waited > 1) progress(`waited ${Math.round(waited)} s for a quiet machine`);
  };

  if (parts.has('validation')) {
    await settle();
    progress('part 1: validation');
    const validation = runValidationBench(progress, config.validation);
    results.validation = { config: config.validation, payloads: validation };
    for (const payload of validation) {
      print(
        formatTable(
          `Validation: ${payload.payload} (${payload.bytes} bytes), ops/s and ratio to JSON.parse of the same bytes`,
          ['contender', 'ops/s', 'ns/op', 'x JSON.parse', 'spread'],
          payload.results.map((r) => [r.name, num(r.opsPerSecond), num(r.nsPerOp), ratio(r.ratioToParse), `${Math.round(r.spread * 100)}%`]),
        ),
      );
    }
    for (const payload of validation) {
      print(
        formatTable(
          `validateBody: ${payload.payload} (${payload.bytes} bytes), ratio to its floor (JSON.parse of the text; decoding and JSON.parse of the bytes) and to its parts done by hand`,
          ['contender', 'ops/s', 'ns/op', 'x floor', 'x parts', 'spread'],
          payload.body.map((r) => [r.name, num(r.opsPerSecond), num(r.nsPerOp), ratio(r.ratioToFloor), ratio(r.ratioToParts), `${Math.round(r.spread * 100)}%`]),
        ),
      );
    }
    const typical = validation.find((p) => p.payload === 'Placed Order, 10 items')!;
    const ops = (name: string) => typical.results.find((r) => r.name === name)!.opsPerSecond;
    const ours = ops('converge-webhook-contract');
    target({ id: 'validation-vs-json-parse', description: 'validate the 10-item Placed Order (default mode) vs JSON.parse of its bytes', measured: typical.results.find((r) => r.name === 'converge-webhook-contract')!.ratioToParse, comparison: '>=', threshold: 5, unit: 'x' });
    target({ id: 'validation-vs-zod', description: 'validate the 10-item Placed Order vs a hand-written zod schema', measured: ours / ops('zod (hand-written)'), comparison: '>=', threshold: 3, unit: 'x' });
    target({ id: 'validation-vs-ajv', description: 'validate the 10-item Placed Order vs ajv compiled at run time', measured: ours / ops('ajv, compiled at run time'), comparison: '>=', threshold: 1, unit: 'x' });
    const body = (name: string) => typical.body.find((r) => r.name === name)!.ratioToParts;
    target({ id: 'validate-body-text-vs-parts', description: 'validateBody on the 10-item Placed Order as text vs JSON.parse + validateEvent', measured: body('validateBody(text)'), comparison: '>=', threshold: 0.9, unit: 'x' });
    target({ id: 'validate-body-bytes-vs-parts', description: 'validateBody on the 10-item Placed Order as bytes vs TextDecoder.decode + JSON.parse + validateEvent', measured: body('validateBody(bytes)'), comparison: '>=', threshold: 0.9, unit: 'x' });
  }

  if (parts.has('contracts')) {
    await settle();
    progress('part 1b: the other contracts (ProveSource, WebEngage)');
    // The same rounds and sample length as the validation part: the same kind of measurement.
    const groups = runContractsBench(progress, config.validation);
    results.contracts = { config: config.validation, groups };
    for (const g of groups) {
      print(
        formatTable(
          `${g.title}${g.bytes === undefined ? '' : ` (${g.bytes} bytes)`}, ops/s and ratio to ${g.baseline.replace(/ \(baseline\)$/, '')}`,
          ['contender', 'ops/s', 'ns/op', 'x baseline', 'spread'],
          g.results.map((r) => [r.name, num(r.opsPerSecond), num(r.nsPerOp), ratio(r.ratioToBaseline), `${Math.round(r.spread * 100)}%`]),
        ),
      );
    }
  }

  if (parts.has('servers')) {
    await settle();
    progress(`part 2: servers (${config.servers.rounds} rounds of ${config.servers.seconds} s per server, ${CONNECTIONS} connections)`);
    let profileFiles: string[] = [];
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const before = profileDir ? new Set(readdirSync(profileDir)) : new Set<string>();
    const servers = await runServerBench(
      { ...config.servers, sandboxNodeFlags: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : undefined },
      placement,
      progress,
    );
    results.servers = servers;
    print(serverTable(servers));
    // Some kernel work (file write-back, interrupts) shows as "other" even on a quiet machine; a whole
    // core of it is another process.
    if (servers.waitedForQuiet > 1) print(`Waited ${Math.round(servers.waitedForQuiet)} s in all for other processes to calm down before runs.`);
    if (servers.retried > 0) print(`${servers.retried} server run(s) were run again: other processes used more than a third of a core meanwhile.`);
    const busy = servers.runs.flatMap((run) => run.rounds.map((r, i) => ({ run, i, other: r.otherCpuShare ?? 0 }))).filter((x) => x.other > 0.35);
    for (const b of busy) warnings.push(`servers: round ${b.i + 1} of "${b.run.label}" ran while ${Math.round(b.other * 100)}% of a core was used by other processes: its numbers are low`);
    if (busy.length > 0) print(`WARNING: ${busy.length} server run(s) shared the machine with other processes (other CPU > 35% of a core, even after running them again); see the warnings in the results; the medians leave them out where the same server had a clean round.`);
    const sandboxRuns = servers.runs.filter((r) => r.server === 'sandbox');
    const store = servers.sandboxStored;
    // In-flight requests at the end of a run may be stored without their answer being counted.
    const storeNote = `store check: ${store.stored} events stored, ${store.expected} answered 200 as new (the difference are requests in flight when a run stopped)`;
    print(storeNote);
    const run = (server: string, mode: string) => servers.runs.find((r) => r.server === server && r.mode === mode)!;
    const unique = run('sandbox', 'unique').median;
    const fixed = run('sandbox', 'fixed').median;
    target({ id: 'sandbox-vs-bare-unique', description: 'sandbox req/s, unique event_ids (stored), vs the bare server with the same load', measured: unique.requestsPerSecond / run('bare', 'unique').median.requestsPerSecond, comparison: '>=', threshold: 0.5, unit: 'x' });
    target({ id: 'sandbox-vs-bare-fixed', description: 'sandbox req/s, fixed body (dedup path), vs the bare server with the same load', measured: fixed.requestsPerSecond / run('bare', 'fixed').median.requestsPerSecond, comparison: '>=', threshold: 0.5, unit: 'x' });
    target({ id: 'sandbox-vs-prism', description: 'sandbox req/s (unique event_ids, stored) vs the Prism mock', measured: unique.requestsPerSecond / run('prism', 'fixed').median.requestsPerSecond, comparison: '>=', threshold: 5, unit: 'x' });
    target({ id: 'sandbox-p99-unique', description: 'sandbox p99 latency at 10 connections, unique event_ids', measured: unique.p99, comparison: '<', threshold: 10, unit: 'ms' });
    target({ id: 'sandbox-p99-fixed', description: 'sandbox p99 latency at 10 connections, fixed body', measured: fixed.p99, comparison: '<', threshold: 10, unit: 'ms' });
    if (profileDir) {
      profileFiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
      for (const file of profileFiles) print(summariseProfile(join(profileDir, file), 25));
      results.profiles = profileFiles.map((f) => join(profileDir, f));
    }
  }

  if (parts.has('memory')) {
    await settle();
    progress(`part 2b: sandbox memory after ${config.memoryEvents} events`);
    const memory = await runMemoryBench(config.memoryEvents, placement, progress);
    results.memory = memory;
    print(memoryTable(memory));
    target({ id: 'sandbox-rss-100k', description: `sandbox resident memory after ${memory.events.toLocaleString('en-US')} events (unique ids, on disk)`, measured: memory.loadedRss / 1024 / 1024, comparison: '<', threshold: 200, unit: 'MB', note: memory.events === 100_000 ? undefined : 'fewer events than the target names (--quick)' });
  }

  if (parts.has('verify')) {
    await settle();
    progress('part 3: the contract test');
    const verify = await runContractTestBench(config.verifyRuns, [], progress);
    results.contractTest = verify;
    print(verifyTable(verify));
    target({ id: 'verify-wall-time', description: 'converge-webhook verify against the sandbox, full case list', measured: verify.seconds, comparison: '<', threshold: 15, unit: 's' });
  }

  if (parts.has('startup')) {
    await settle();
    progress('part 4: start-up');
    const startup = await runStartupBench(config.startup, progress);
    results.startup = startup;
    print(startupTable(startup));
    const validate = startup.timings.find((t) => t.name.startsWith('converge-webhook validate'))!;
    target({ id: 'validate-wall-time', description: `converge-webhook validate on one file (${startup.file})`, measured: validate.median, comparison: '<', threshold: 0.3, unit: 's' });
  }

  print(
    formatTable(
      `Targets: ${targets.filter((t) => t.pass).length} of ${targets.length} met${quick ? ' (--quick: indicative only)' : ''}`,
      ['target', 'measured', 'needed', 'result'],
      targets.map((t) => [
        t.description,
        t.measured === undefined ? undefined : `${num(t.measured)}${t.unit === 'x' ? 'x' : ` ${t.unit}`}`,
        `${t.comparison} ${t.threshold}${t.unit === 'x' ? 'x' : ` ${t.unit}`}`,
        t.pass ? 'pass' : 'MISS',
      ]),
    ),
  );

  const document = {
    machine: { ...machine, loadAverageAtEnd: loadavg() },
    run: {
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      quick,
      parts: [...parts],
      placement,
      config,
      seconds: (Date.now() - began) / 1000,
      /** Of which spent waiting for other processes to calm down (at most 120 s). */
      waitedForQuietSeconds: totalQuietWait(),
    },
    ...results,
    targets,
    warnings,
  };
  writeFileSync(outFile, `${JSON.stringify(document, null, 2)}\n`);
  progress(`done in ${Math.round((Date.now() - began) / 1000)} s; results written to ${outFile}`);
  if (json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  // A benchmark, not a test: a missed target is reported (table, results file), not an error.
  return 0;
}

function serverTable(bench: ServerBench): string {
  const base = (run: ServerRun) => bench.runs.find((r) => r.server === 'bare' && r.mode === run.mode)?.median ?? bench.runs[0]!.median;
  const rows = bench.runs.map((run) => {
    const m = run.median;
    const b = base(run);
    return [
      run.label,
      num(m.requestsPerSecond),
      ratio(m.requestsPerSecond / b.requestsPerSecond),
      num(m.p50),
      ratio(m.p50 / b.p50),
      num(m.p99),
      ratio(m.p99 / b.p99),
      num(m.serverCpuUsPerRequest),
      ratio((m.serverCpuUsPerRequest ?? NaN) / (b.serverCpuUsPerRequest ?? NaN)),
      m.serverCpuShare === undefined ? undefined : `${Math.round(m.serverCpuShare * 100)}%`,
      `${Math.round(m.generatorCpuShare * 100)}%`,
      m.otherCpuShare === undefined ? undefined : `${Math.round(m.otherCpuShare * 100)}%`,
      String(run.rounds.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0)),
      `${run.cleanRounds}/${run.rounds.length}`,
    ];
  });
  return formatTable(
    `Servers: POST of the 10-item Placed Order, ${CONNECTIONS} connections, median of ${bench.config.rounds} x ${bench.config.seconds} s ` +
      '(of the clean rounds: other processes under 35% of a core); ratios to the bare server with the same body mode',
    ['server', 'req/s', 'x bare', 'p50 ms', 'x bare', 'p99 ms', 'x bare', 'server CPU us/req', 'x bare', 'server CPU', 'loadgen CPU', 'other CPU', 'non-2xx+errors', 'clean rounds'],
    rows,
  );
}

function memoryTable(m: MemoryBench): string {
  return formatTable(
    `Sandbox resident memory (VmRSS of the converge-webhook sandbox process), ${m.events.toLocaleString('en-US')} events with unique ids, store on disk`,
    ['measurement', 'value', 'x idle'],
    [
      ['idle, just started', mb(m.idleRss), ratio(1)],
      [`after ${m.events.toLocaleString('en-US')} events (1 s after the last)`, mb(m.loadedRss), ratio(m.loadedRss / m.idleRss)],
      ['peak while taking them (VmHWM)', mb(m.loadedPeak), ratio(m.loadedPeak / m.idleRss)],
      [`restarted on that store (${m.reopenStored.toLocaleString('en-US')} events)`, mb(m.reopenRss), ratio(m.reopenRss / m.idleRss)],
      ['store file', mb(m.storeBytes), undefined],
      ['time to take the events', `${m.loadSeconds.toFixed(1)} s (${num(m.events / m.loadSeconds)} ev/s)`, undefined],
      ['restart until listening', `${m.reopenSeconds.toFixed(2)} s`, undefined],
      ['events in the store', m.stored.toLocaleString('en-US'), undefined],
    ],
  );
}

function verifyTable(v: ContractTestBench): string {
  return formatTable(
    'Contract test: converge-webhook verify (CLI) against converge-webhook sandbox, full default case list',
    ['measurement', 'value'],
    [
      ['wall time, median', `${v.seconds.toFixed(2)} s`],
      ['runs', v.runs.map((s) => `${s.toFixed(2)} s`).join(', ')],
      ['checks', `${v.checks} (${v.passed} passed, ${v.failed} failed)`],
      ['summary line', v.summary],
    ],
  );
}

function startupTable(s: StartupBench): string {
  const floor = s.timings[0]!.median;
  return formatTable(
    'Start-up: wall time, median (and fastest) of the runs; ratio to node -e 0',
    ['what', 'runs', 'median', 'fastest', 'x node -e 0'],
    s.timings.map((t) => [t.name, String(t.runs.length), `${(t.median * 1000).toFixed(0)} ms`, `${(t.min * 1000).toFixed(0)} ms`, ratio(t.median / floor)]),
  );
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const text = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`bench: ${text}\n`);
    process.exitCode = 2;
  },
);
