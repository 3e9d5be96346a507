/**
 * The README's first code example is a complete receiver. This test takes its exact text from
 * README.md, type-checks it under the repo's strict tsconfig, runs it with tsx on 127.0.0.1 and
 * runs `verify --strict` against it: it must honour the contract and every recommendation. It
 * also holds the example to what its comments say (warnings logged, the typed Placed Order
 * access, a sender hanging up mid-body, no start without a token).
 *
 * The example imports the package by name: written inside the checkout (test-results/, ignored
 * by git and by `npm run typecheck`), that import resolves through package.json "exports" to
 * dist/, so this needs `npm run build` first, like the CLI tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runVerify } from '../src/verify/verify.js';
import { freePort, root } from './helpers.js';

const MARKER = '<!-- readme-receiver';
const TOKEN = 'readme-token-0123456789';
const TSX = join(root, 'node_modules/tsx/dist/cli.mjs');

/** The fenced block after the marker, exactly as the README shows it. */
function receiverBlock(readme: string): string {
  const at = readme.indexOf(MARKER);
  if (at === -1 || readme.indexOf(MARKER, at + 1) !== -1) throw new Error(`README.md: expected one "${MARKER}" comment before the receiver example`);
  const match = /^```ts\n([\s\S]*?)^```$/m.exec(readme.slice(at));
  if (!match) throw new Error('README.md: expected a ```ts block after the receiver marker');
  return match[1]!;
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const source = receiverBlock(readme);
let dir: string;
let file: string;

beforeAll(() => {
  if (!existsSync(join(root, 'dist/esm/src/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  mkdirSync(join(root, 'test-results'), { recursive: true });
  dir = mkdtempSync(join(root, 'test-results', 'readme-receiver-'));
  file = join(dir, 'receiver.ts');
  writeFileSync(file, source);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Receiver {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv): Receiver {
  const child = spawn(process.execPath, [TSX, file], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the status of the first answer on the port, or rejects when the process exits first or after 30 s. */
async function firstAnswer(receiver: Receiver, url: string): Promise<number> {
  let exited = false;
  void receiver.exited.then(() => (exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return (await fetch(url, { method: 'POST' })).status;
    } catch {
      if (exited || Date.now() > deadline) throw new Error(`the receiver did not answer on ${url}; stdout: ${receiver.stdout()}\nstderr: ${receiver.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe("the README's receiver", () => {
  it('is the first TypeScript example of the README', () => {
    expect(readme.indexOf('```ts\n')).toBe(readme.indexOf(MARKER) + readme.slice(readme.indexOf(MARKER)).indexOf('```ts\n'));
    expect(source).toContain("from 'converge-webhook-contract'");
  });

  it("compiles under the repo's strict tsconfig, and the check sees a wrong type", () => {
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    })!;
    // A copy with one claim of the example made false: its typed access to total_price.
    const typed = 'const total: number | undefined = result.value.properties.total_price;';
    expect(source).toContain(typed);
    const wrong = join(dir, 'wrong.ts');
    writeFileSync(wrong, source.replace(typed, 'const total: string = result.value.properties.total_price;'));

    const program = ts.createProgram({ rootNames: [file, wrong], options: config.options });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    const of = (path: string) => diagnostics.filter((d) => d.file?.fileName === path || d.file === undefined);
    expect(ts.formatDiagnostics(of(file), host)).toBe('');
    // The import resolved to the built package, by name.
    const resolved = program.getSourceFiles().map((f) => f.fileName);
    expect(resolved).toContain(join(root, 'dist/esm/src/index.d.ts'));
    expect(of(wrong).map((d) => [d.code, ts.flattenDiagnosticMessageText(d.messageText, '\n')])).toEqual([
      [2322, "Type 'number | undefined' is not assignable to type 'string'.\n  Type 'undefined' is not assignable to type 'string'."],
    ]);
  });

  it('passes verify --strict: no failures, no deviations; logs warnings and orders; survives a sender hanging up', async () => {
    const port = await freePort();
    const receiver = start({ PORT: String(port), WEBHOOK_TOKEN: TOKEN });
    try {
      const url = `http://127.0.0.1:${port}/api/webhooks`;
      expect(await firstAnswer(receiver, url)).toBe(401);

      // A sender that hangs up mid-body: no answer is due, and the receiver keeps running.
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`POST /api/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Webhook-Token: ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"event_name"`);
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on('error', reject);
      });
      await new Promise((r) => setTimeout(r, 200));

      const result = await runVerify({ url, token: TOKEN, strict: true, runId: 'readme' });
      expect(result.rules).toEqual([]);
      expect({ ok: result.ok, failed: result.counts.failed, deviations: result.counts.deviations }).toEqual({ ok: true, failed: 0, deviations: 0 });
      // Everything was sent but the body limit, which verify never checks.
      expect(result.notSent.map((n) => n.group)).toEqual(['body-limit']);
      expect(result.counts.passed).toBe(result.counts.total - 1);

      // Event Spec warnings are logged (spec/converge/examples/valid/warning-total-price-string.json), and the
      // typed Placed Order access read total_price as a number (spec/converge/examples/valid/seed-curl.json).
      expect(receiver.stderr()).toContain('property-type /properties/total_price expected a number, found a string "48.00"\n');
      expect(receiver.stdout()).toContain('order order-1 42\n');
    } finally {
      receiver.child.kill('SIGTERM');
      await receiver.exited;
    }
    // tsx passes the signal on: nothing listens any more.
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  }, 120_000);

  it('refuses to start without WEBHOOK_TOKEN', async () => {
    const receiver = start({ PORT: String(await freePort()), WEBHOOK_TOKEN: '' });
    expect(await receiver.exited).toBe(1);
    expect(receiver.stderr()).toContain('Error: Set WEBHOOK_TOKEN: the token senders put in X-Webhook-Token.');
  });
});
