/**
 * Child processes of the benchmark: the servers under load (each in its own process, so that
 * it has its own event loop and core, and its resident memory and CPU time are its own) and
 * timed command runs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { childStopper } from '../dist/esm/src/child-process.js';

export const root = join(import.meta.dirname, '..');
export const cliPath = join(root, 'dist/esm/src/cli.js');

/**
 * CPU placement on a small machine. A server and the load generator are each one busy
 * thread; left to the scheduler they share and swap both cores with each other's helper
 * threads (GC, libuv). Pinned, the load generator (this process, every thread) keeps core 0
 * and the server under test core 1, so neither starves the other and runs compare alike.
 */
export interface Placement {
  pinned: boolean;
  generatorCpu?: number;
  serverCpu?: number;
  note: string;
}

export function choosePlacement(wantPin: boolean): Placement {
  const cores = cpus().length;
  if (!wantPin) return { pinned: false, note: 'not pinned (--no-pin): the scheduler places load generator and server' };
  if (cores < 2) return { pinned: false, note: 'not pinned: one core only' };
  if (!hasCommand('taskset')) return { pinned: false, note: 'not pinned: taskset not found' };
  // The last two cores: core 0 also takes most interrupts on small VMs.
  const serverCpu = cores - 1;
  const generatorCpu = cores - 2;
  return { pinned: true, generatorCpu, serverCpu, note: `load generator (the bench process, all its threads) on CPU ${generatorCpu}, server under test (all its threads) on CPU ${serverCpu}, with taskset` };
}

/**
 * Runs `body` with this process (the load generator) on its CPU, then gives it every CPU
 * back: the other parts (and the processes they spawn, which inherit the mask) must not be
 * squeezed onto one core.
 */
export async function withPlacement<T>(placement: Placement, body: () => Promise<T>): Promise<T> {
  if (!placement.pinned) return body();
  const all = execFileSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' }).split(':').pop()!.trim();
  execFileSync('taskset', ['-a', '-c', '-p', String(placement.generatorCpu), String(process.pid)], { stdio: 'ignore' });
  try {
    return await body();
  } finally {
    execFileSync('taskset', ['-a', '-c', '-p', all, String(process.pid)], { stdio: 'ignore' });
  }
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Moves every thread of a running process (and its future threads) to one CPU. */
export function pinProcess(pid: number, placement: Placement): void {
  if (!placement.pinned) return;
  execFileSync('taskset', ['-a', '-c', '-p', String(placement.serverCpu), String(pid)], { stdio: 'ignore' });
}

/** The command line that runs `node args` on the server's CPU. */
function nodeCommand(args: string[], placement: Placement): [string, string[]] {
  return placement.pinned ? ['taskset', ['-c', String(placement.serverCpu), process.execPath, ...args]] : [process.execPath, args];
}

export interface ServerChild {
  child: ChildProcess;
  pid: number;
  /** The first line it printed, parsed. */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts `node args` and waits for its first stdout line, which must be JSON. */
export async function startJsonChild(args: string[], placement: Placement, what: string, timeoutMs = 30_000): Promise<ServerChild> {
  const [command, argv] = nodeCommand(args, placement);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not print its listening line within ${timeoutMs} ms`)), timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${signal ?? `code ${code}`}) before it was ready: ${stderr.trim() || 'no output'}`));
    });
  });
  // Keep reading: a full pipe would stall the child.
  lines.on('line', () => {});
  let ready: Record<string, unknown>;
  try {
    ready = JSON.parse(first) as Record<string, unknown>;
  } catch {
    child.kill('SIGKILL');
    throw new Error(`${what}: expected a JSON line on stdout, found ${JSON.stringify(first.slice(0, 200))}`);
  }
  return {
    child,
    pid: child.pid!,
    ready,
    stop: childStopper(child, exited),
  };
}

export interface SandboxChild extends ServerChild {
  url: string;
  webhookUrl: string;
  token: string;
  /** Events found in the store on start. */
  stored: number;
}

/** The sandbox as a user runs it: `converge-webhook sandbox --port 0 --json --data DIR --quiet`. */
export async function startSandboxChild(dataDir: string, placement: Placement, nodeFlags: string[] = []): Promise<SandboxChild> {
  const server = await startJsonChild([...nodeFlags, cliPath, 'sandbox', '--port', '0', '--json', '--data', dataDir, '--quiet'], placement, 'the sandbox');
  const r = server.ready as { url: string; webhook_url: string; token: string; stored: number };
  return { ...server, url: r.url, webhookUrl: r.webhook_url, token: r.token, stored: r.stored };
}

/** Resident memory of a process in bytes: VmRSS (now) and VmHWM (its peak). */
export function residentMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU time (user + system) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / clockTicks();
}

/** CPU time the whole machine was busy so far (every core; not idle, not waiting for I/O), in seconds. */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / clockTicks();
}

/**
 * Waits (at most maxSeconds) until the machine has been quiet for half a second: under
 * `cores` of CPU in use by anything. Returns the seconds waited. On a machine shared with
 * other work, this keeps a measured run from starting in the middle of someone's burst.
 */
export async function waitForQuiet(maxSeconds: number, cores = 0.15): Promise<number> {
  const started = Date.now();
  const limit = Math.min(maxSeconds, quietBudget) * 1000;
  for (;;) {
    const before = machineBusySeconds();
    await new Promise((r) => setTimeout(r, 500));
    const waited = Date.now() - started;
    if ((machineBusySeconds() - before) / 0.5 < cores || waited >= limit) {
      quietBudget = Math.max(0, quietBudget - waited / 1000);
      quietWaited += waited / 1000;
      return waited / 1000;
    }
  }
}

/** Seconds of waiting for quiet left for the whole run: a machine that is never quiet must not stall it. */
let quietBudget = 120;
let quietWaited = 0;
/** Seconds waited for quiet so far in this run. */
export function totalQuietWait(): number {
  return quietWaited;
}
export function setQuietBudget(seconds: number): void {
  quietBudget = seconds;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface TimedRun {
  seconds: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and measures its wall time, from spawn to exit. */
export function timedRun(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One POST on a fresh connection; resolves with the status code. */
export function postOnce(url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-webhook-token': token, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
