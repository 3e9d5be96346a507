import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The Converge contract's folder and its examples, relative to the root (spec/<id>/ for every contract). */
export const CONVERGE_DIR = 'spec/converge';
export const CONVERGE_EXAMPLES = `${CONVERGE_DIR}/examples`;
export const cliPath = join(root, 'dist/esm/src/cli.js');

export interface Expected {
  code: string;
  pointer: string;
}
export interface ExampleEntry {
  file: string;
  summary: string;
  status?: number;
  errors?: Expected[];
  warnings: Expected[];
}

export function manifest(kind: 'valid' | 'invalid'): ExampleEntry[] {
  return YAML.parse(readFileSync(join(root, CONVERGE_EXAMPLES, `${kind}.yaml`), 'utf8')) as ExampleEntry[];
}

export function exampleFiles(kind: 'valid' | 'invalid'): string[] {
  return readdirSync(join(root, CONVERGE_EXAMPLES, kind))
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${kind}/${name}`)
    .sort();
}

export function readExample(file: string): string {
  return readFileSync(join(root, CONVERGE_EXAMPLES, file), 'utf8');
}

/** Sorted "code pointer" strings, so two lists compare regardless of order. */
export function keys(list: ReadonlyArray<{ code: string; pointer: string }>): string[] {
  return list.map((v) => `${v.code} ${v.pointer}`).sort();
}

/** A port nothing listens on (it was free a moment ago). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { input?: string; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cliPath, ...args], { cwd: options.cwd ?? root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
  /** Waits until stdout matches, or rejects (with the output) on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** Starts the CLI as a long-running process (a server), for tests that talk to it while it runs. */
export function spawnCli(args: string[], options: { cwd?: string; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cliPath, ...args], { cwd: options.cwd ?? root, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (done || Date.now() > deadline) throw new Error(`${done ? 'the CLI exited' : `no ${pattern} within ${timeoutMs} ms`}; stdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
