/**
 * The README's first code example is a complete receiver. This test takes its exact text from
 * README.md, type-checks it under the repo's strict tsconfig, runs it with tsx on 127.0.0.1 and
 * runs `verify --strict` against it: it must honour the contract and every recommendation. It
 * also holds the example to what its comments say (warnings logged, the typed Placed Order
 * access, a sender hanging up mid-body, no start without a token, its "listening on" line) and to
 * the body limit verify does not check (413 over MAX_BODY_BYTES, by Content-Length and mid-stream).
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

import { MAX_BODY_BYTES } from '../generated/converge/index.js';
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
  if (!existsSync(join(root, 'dist/esm/generated/converge/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
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

/** Resolves with the first line of stdout once it is complete; rejects when the process exits first or after 30 s. */
async function listening(receiver: Receiver): Promise<string> {
  let exited = false;
  void receiver.exited.then(() => (exited = true));
  const deadline = Date.now() + 30_000;
  while (!receiver.stdout().includes('\n')) {
    if (exited || Date.now() > deadline) throw new Error(`the receiver printed no line; stdout: ${receiver.stdout()}\nstderr: ${receiver.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return receiver.stdout().slice(0, receiver.stdout().indexOf('\n'));
}

/**
 * Sends `head` and then `body` over a raw socket (the body possibly unfinished), and resolves with
 * what came back once the receiver closed the connection. Write errors are expected: the receiver
 * stops reading and closes while the client still sends.
 */
function exchange(port: number, head: string, body: Buffer[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection stayed open; received: ${JSON.stringify(answer.slice(0, 300))}`));
    }, 10_000);
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      for (const chunk of body) socket.write(chunk);
    });
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => undefined); // EPIPE / ECONNRESET while still sending; 'close' follows
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** A valid event (the seed) padded with an extra property to `bytes` bytes of JSON. */
function validEventOf(bytes: number): Buffer {
  const seed = JSON.parse(readFileSync(join(root, 'spec/converge/examples/valid/seed-curl.json'), 'utf8')) as { properties: Record<string, unknown> };
  const base = Buffer.byteLength(JSON.stringify({ ...seed, properties: { ...seed.properties, note: '' } }));
  const event = Buffer.from(JSON.stringify({ ...seed, properties: { ...seed.properties, note: 'x'.repeat(bytes - base) } }));
  expect(event.length).toBe(bytes);
  return event;
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
    expect(resolved).toContain(join(root, 'dist/esm/generated/converge/index.d.ts'));
    expect(of(wrong).map((d) => [d.code, ts.flattenDiagnosticMessageText(d.messageText, '\n')])).toEqual([
      [2322, "Type 'number | undefined' is not assignable to type 'string'.\n  Type 'undefined' is not assignable to type 'string'."],
    ]);
  });

  it('passes verify --strict: no failures, no deviations; logs warnings and orders; survives a sender hanging up', async () => {
    const port = await freePort();
    const receiver = start({ PORT: String(port), WEBHOOK_TOKEN: TOKEN });
    try {
      expect(await listening(receiver)).toBe(`listening on port ${port}, every interface: POST /api/webhooks`);
      const url = `http://127.0.0.1:${port}/api/webhooks`;
      expect((await fetch(url, { method: 'POST' })).status).toBe(401);

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

  it('answers 413 to a body over MAX_BODY_BYTES and stops reading it: by Content-Length, and mid-stream without one', async () => {
    const port = await freePort();
    const receiver = start({ PORT: String(port), WEBHOOK_TOKEN: TOKEN });
    try {
      await listening(receiver);
      const event = validEventOf(2 * 1024 * 1024);
      const head = `POST /api/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Webhook-Token: ${TOKEN}\r\nContent-Type: application/json\r\n`;
      const status = (answer: string) => answer.slice(0, answer.indexOf('\r\n'));
      const closes = (answer: string) => /\r\nconnection: close\r\n/i.test(answer);

      // A 2 MB event announced by Content-Length, of which only the first 64 KiB are sent: refused
      // from the header (reading on to the limit would wait for bytes that never come).
      const declared = await exchange(port, `${head}Content-Length: ${event.length}\r\n\r\n`, [event.subarray(0, 64 * 1024)]);
      expect(status(declared)).toBe('HTTP/1.1 413 Payload Too Large');
      expect(closes(declared)).toBe(true);
      expect(declared).toContain('{"title":"Payload Too Large","status":413}');

      // Chunked, no Content-Length: 64 KiB chunks up to one past the limit, and the body never ends.
      // The 413 and the close come all the same, so the receiver answered when the limit was passed.
      const size = 64 * 1024;
      const chunks: Buffer[] = [];
      for (let at = 0; at <= MAX_BODY_BYTES; at += size) chunks.push(Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), event.subarray(at, at + size), Buffer.from('\r\n')]));
      expect(chunks.length).toBe(MAX_BODY_BYTES / size + 1);
      const streamed = await exchange(port, `${head}Transfer-Encoding: chunked\r\n\r\n`, chunks);
      expect(status(streamed)).toBe('HTTP/1.1 413 Payload Too Large');
      expect(closes(streamed)).toBe(true);
      expect(streamed).toContain('{"title":"Payload Too Large","status":413}');

      // At the limit, the same event is accepted (a 1 MiB body is within it, and valid).
      const atLimit = await fetch(`http://127.0.0.1:${port}/api/webhooks`, {
        method: 'POST',
        headers: { 'x-webhook-token': TOKEN, 'content-type': 'application/json' },
        body: validEventOf(MAX_BODY_BYTES),
      });
      expect(atLimit.status).toBe(200);
      expect(await atLimit.json()).toEqual({ status: 'accepted', warnings: [] });
      // Still serving after both.
      expect((await fetch(`http://127.0.0.1:${port}/api/webhooks`, { method: 'POST' })).status).toBe(401);
    } finally {
      receiver.child.kill('SIGTERM');
      await receiver.exited;
    }
  }, 60_000);

  it('refuses to start without WEBHOOK_TOKEN', async () => {
    const receiver = start({ PORT: String(await freePort()), WEBHOOK_TOKEN: '' });
    expect(await receiver.exited).toBe(1);
    expect(receiver.stderr()).toContain('Error: Set WEBHOOK_TOKEN: the token senders put in X-Webhook-Token.');
  });
});
