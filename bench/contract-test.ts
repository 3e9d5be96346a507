/**
 * The contract test as a user runs it: `converge-webhook verify --url URL --token T` (the CLI,
 * full default case list) against a sandbox started with `converge-webhook sandbox`. Wall time
 * from spawning verify to its exit; it must pass (exit 0) for the time to count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cliPath, median, startSandboxChild, timedRun, type Placement } from './processes.ts';

export interface ContractTestBench {
  runs: number[];
  seconds: number;
  checks: number;
  passed: number;
  failed: number;
  /** The summary line verify printed. */
  summary: string;
  /** Extra arguments (quick mode passes fewer generated cases). */
  args: string[];
}

const UNPINNED: Placement = { pinned: false, note: '' };

export async function runContractTestBench(repeats: number, extraArgs: string[], progress: (message: string) => void): Promise<ContractTestBench> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-bench-verify-'));
  // Placed by the scheduler: verify and the sandbox are what a user runs, side by side.
  const sandbox = await startSandboxChild(join(dir, 'store'), UNPINNED);
  try {
    const runs: number[] = [];
    let last = { checks: 0, passed: 0, failed: 0, summary: '' };
    for (let i = 1; i <= repeats; i++) {
      progress(`converge-webhook verify ${extraArgs.join(' ')}${extraArgs.length ? ' ' : ''}against the sandbox, run ${i}/${repeats}`);
      const run = await timedRun(process.execPath, [cliPath, 'verify', '--url', sandbox.url, '--token', sandbox.token, ...extraArgs]);
      if (run.code !== 0) {
        throw new Error(`converge-webhook verify failed against the sandbox (exit ${run.code}):\n${(run.stdout + run.stderr).slice(-3000)}`);
      }
      const summary = /^.*honours the contract: (\d+) checks.*$/m.exec(run.stdout);
      const counts = /^(\d+) passed, (\d+) failed/m.exec(run.stdout);
      if (!summary || !counts) throw new Error(`converge-webhook verify: expected its summary line, found:\n${run.stdout.slice(-2000)}`);
      last = { checks: Number(summary[1]), passed: Number(counts[1]), failed: Number(counts[2]), summary: summary[0].trim() };
      runs.push(run.seconds);
      progress(`  ${run.seconds.toFixed(2)} s: ${last.summary}`);
    }
    return { runs, seconds: median(runs), ...last, args: extraArgs };
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
