/**
 * Issue 6 §4, the token: compared in constant time (by the code, and by behaviour: every wrong
 * token gets the same 401, whatever its length or where it differs), and shown once, on
 * start: never in a log line, an error body, /api/events, /logs, or the store's files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashToken, tokenMatches } from '../src/sandbox/http.js';
import { startSandbox, type RunningSandbox } from '../src/default-sandbox.js';
import { validEvent } from './fixtures/hostile-bodies.js';
import { exchange, postRequest, type RawResponse } from './fixtures/hostile-http.js';
import { cliPath, root } from './helpers.js';

const TOKEN = 'sbx_SecretToken-0123456789abcdefXYZ';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-test-'));
  dirs.push(dir);
  return dir;
}

/** Wrong tokens that a byte-by-byte comparison would answer at different speeds, and odd ones. */
const WRONG_TOKENS: Array<[string, string]> = [
  ['the first character differs', `X${TOKEN.slice(1)}`],
  ['the last character differs', `${TOKEN.slice(0, -1)}X`],
  ['one character longer', `${TOKEN}X`],
  ['one character shorter', TOKEN.slice(0, -1)],
  ['a prefix of it', TOKEN.slice(0, 4)],
  ['much longer (8 KB)', TOKEN.repeat(256).slice(0, 8192)],
  ['one character', 'x'],
  ['another case', TOKEN.toUpperCase()],
  ['reversed', [...TOKEN].reverse().join('')],
];

describe('the token comparison', () => {
  it('uses crypto.timingSafeEqual on fixed-length SHA-256 digests, and nothing else', () => {
    const http = readFileSync(join(root, 'src/sandbox/http.ts'), 'utf8');
    expect(http).toMatch(/import \{[^}]*\btimingSafeEqual\b[^}]*\} from 'node:crypto'/);
    expect(http).toMatch(/return hash\('sha256', token, 'buffer'\);/);
    expect(http).toMatch(/return timingSafeEqual\(hashToken\(presented\), expectedHash\);/);
    // The sandbox (the contract-driven core) checks the token through the auth its contract names:
    // Converge's contract.yaml names header-token with X-Webhook-Token (src/sandbox/auth/header-token.ts).
    const headerAuth = readFileSync(join(root, 'src/sandbox/auth/header-token.ts'), 'utf8');
    const sandbox = readFileSync(join(root, 'src/sandbox/contract-sandbox.ts'), 'utf8');
    expect(sandbox).toMatch(/const auth = createAuth\(descriptor\.auth, /);
    expect(readFileSync(join(root, 'src/sandbox/auth/registry.ts'), 'utf8')).toMatch(/'header-token': headerToken,/);
    expect(readFileSync(join(root, 'spec/converge/contract.yaml'), 'utf8')).toMatch(/^auth:\n {2}type: header-token\n {2}header: X-Webhook-Token\n/m);
    // The presented token is only ever checked for being absent, then handed to tokenMatches.
    const comparisons = [...headerAuth.matchAll(/(?<!typeof )\bpresented\s*(===|!==|==|!=)\s*([^\s)|&]+)/g)].map((m) => m[2]);
    expect(comparisons.sort()).toEqual(["''", 'undefined']);
    expect(headerAuth).toMatch(/!tokenMatches\(presented, expectedHash\)/);
    // The token itself is never compared, searched or sliced outside the mask.
    for (const source of [sandbox, headerAuth]) {
      expect(source).not.toMatch(/\btoken\s*(===|!==|==|!=)|(===|!==)\s*token\b|token\.(startsWith|endsWith|includes|indexOf|localeCompare)\(/);
      expect(source).not.toMatch(/expectedHash\s*(===|!==|==|!=)|\.equals\(expectedHash\)/);
    }
  });

  it('hashes every presented token to 32 bytes, so timingSafeEqual never sees two lengths (and never throws)', () => {
    const expected = hashToken(TOKEN);
    expect(expected).toHaveLength(32);
    expect(tokenMatches(TOKEN, expected)).toBe(true);
    for (const [why, wrong] of [...WRONG_TOKENS, ['empty', ''], ['1 MB', 'x'.repeat(1024 * 1024)], ['non-ASCII', `${TOKEN}é€😀`]] as Array<[string, string]>) {
      expect(hashToken(wrong), why).toHaveLength(32);
      expect(tokenMatches(wrong, expected), why).toBe(false);
    }
  });

  it('takes the same time wherever a wrong token differs, where a plain comparison of the same tokens does not', () => {
    // 1 MiB tokens, so that an early-exit comparison would differ by far more than the noise:
    // `===` on them stops at the first character or reads a whole mebibyte. tokenMatches, the
    // sandbox's own check, must not care. Each call's cost is the fastest of its runs (a loaded
    // machine only ever adds time; medians swung threefold at a load of 12 on 2 cores, minimums
    // stayed within 10%), and the calls take turns. (Over HTTP, a request's own time would hide
    // a difference this size; the sandbox calls tokenMatches, as the test above shows.)
    const secret = `sbx_${'k'.repeat(1024 * 1024 - 4)}`;
    const differsFirst = `X${secret.slice(1)}`;
    const differsLast = `${secret.slice(0, -1)}X`;
    const same = `${secret.slice(0, -1)}k`; // equal to the secret, but another string
    const expectedHash = hashToken(secret);
    const fastest = (calls: Array<() => unknown>, rounds = 41): number[] => {
      const times: number[][] = calls.map(() => []);
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < calls.length; k++) {
          const i = (round + k) % calls.length;
          const started = process.hrtime.bigint();
          calls[i]!();
          times[i]!.push(Number(process.hrtime.bigint() - started));
        }
      }
      return times.map((list) => Math.min(...list));
    };
    const spread = (values: number[]) => Math.max(...values) / Math.min(...values);

    // The measurement can see an early exit: `===` on these very tokens.
    const plain = fastest([() => differsFirst === secret, () => differsLast === secret]);
    expect(plain[1]! / plain[0]!, `=== took ${plain.join(' and ')} ns`).toBeGreaterThan(20);

    expect(tokenMatches(differsFirst, expectedHash)).toBe(false);
    expect(tokenMatches(differsLast, expectedHash)).toBe(false);
    expect(tokenMatches(same, expectedHash)).toBe(true);
    const checked = fastest([() => tokenMatches(differsFirst, expectedHash), () => tokenMatches(differsLast, expectedHash), () => tokenMatches(same, expectedHash)]);
    expect(spread(checked), `tokenMatches took ${checked.join(', ')} ns`).toBeLessThan(2);
  });

  describe('over HTTP', () => {
    let sandbox: RunningSandbox;
    let port: number;
    beforeAll(async () => {
      sandbox = await startSandbox({ port: 0, token: TOKEN, inMemory: true });
      port = Number(new URL(sandbox.url).port);
    });
    afterAll(async () => {
      await sandbox?.stop();
    });

    async function send(headers: Record<string, string>, path = '/api/webhooks'): Promise<RawResponse> {
      const request = postRequest('', validEvent('token-check'), { Connection: 'close', ...headers })
        .toString('latin1')
        .replace('X-Webhook-Token: \r\n', '')
        .replace('POST /api/webhooks ', `POST ${path} `);
      const result = await exchange(port, [Buffer.from(request, 'latin1')]);
      return result.responses[0]!;
    }

    it('answers every wrong token with the same 401 problem+json, whatever its length or where it differs', async () => {
      const bodies = new Set<string>();
      for (const [why, wrong] of WRONG_TOKENS) {
        const answer = await send({ 'X-Webhook-Token': wrong });
        expect(answer.status, why).toBe(401);
        expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        bodies.add(answer.body);
      }
      // Bytes beyond ASCII (read as latin1 by Node), the right token twice (joined: "T, T"),
      // and the token in the wrong place.
      bodies.add((await send({ 'X-Webhook-Token': `${TOKEN}\u00e9` })).body);
      bodies.add((await send({ 'X-Webhook-Token': `${TOKEN}\r\nX-Webhook-Token: ${TOKEN}` })).body);
      const elsewhere = [await send({ Authorization: `Bearer ${TOKEN}` }), await send({}, `/api/webhooks?token=${TOKEN}`)];
      for (const answer of elsewhere) expect(answer.status).toBe(401);
      expect(bodies.size, [...bodies].join('\n')).toBe(1);
      expect(JSON.parse([...bodies][0]!)).toEqual({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'The X-Webhook-Token header does not match the token of this source.',
      });
      expect(sandbox.count()).toBe(0);
      expect((await send({ 'X-Webhook-Token': TOKEN })).status).toBe(200);
    });
  });
});

describe('the token on the terminal, in answers and on disk', () => {
  /** Runs the CLI sandbox, sends a mix of requests, stops it; everything it printed and answered. */
  async function session(extra: string[]): Promise<{ stdout: string; stderr: string; answers: string[]; dir: string; code: number | null }> {
    const dir = tempDir();
    const child = spawn(process.execPath, [cliPath, 'sandbox', '--port', '0', '--token', TOKEN, '--data', dir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 15_000;
    let url: string | undefined;
    while (url === undefined && Date.now() < deadline) {
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"|listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.slice(1).find(Boolean);
      if (url === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    if (url === undefined) {
      child.kill('SIGKILL');
      throw new Error(`the sandbox did not start: ${stdout}${stderr}`);
    }
    const port = Number(new URL(url).port);
    const answers: string[] = [];
    const raw = async (request: string | Buffer) => {
      for (const r of (await exchange(port, [request])).responses) answers.push(JSON.stringify(r.headers), r.body);
    };
    const close = { Connection: 'close' };
    await raw(postRequest(TOKEN, validEvent('secret-ok'), close));
    await raw(postRequest(TOKEN, validEvent('secret-ok'), close)); // a duplicate
    await raw(postRequest(TOKEN, validEvent('secret-warning', { aliases: ['not-a-urn'] }), close));
    for (const [, wrong] of WRONG_TOKENS) await raw(postRequest(wrong, validEvent('secret-wrong'), close));
    await raw(postRequest('', validEvent('secret-none'), close));
    await raw(postRequest(TOKEN, '{"event_name": "Placed Order", # no', close));
    await raw(postRequest(TOKEN, validEvent('secret-bad', { aliases: [] }), close));
    await raw(postRequest(TOKEN, Buffer.from([0x7b, 0xff, 0x7d]), close));
    await raw(postRequest(TOKEN, validEvent('secret-type'), { ...close, 'Content-Type': 'text/plain' }));
    await raw(postRequest(TOKEN, 'x'.repeat(2 * 1024 * 1024), close));
    await raw(`GET /api/webhooks HTTP/1.1\r\nHost: x\r\nX-Webhook-Token: ${TOKEN}\r\nConnection: close\r\n\r\n`);
    await raw(`GET /nope HTTP/1.1\r\nHost: x\r\nX-Webhook-Token: ${TOKEN}\r\nConnection: close\r\n\r\n`);
    await raw(`BROKEN\r\nX-Webhook-Token: ${TOKEN}\r\n\r\n`);
    for (const path of ['/api/events', '/api/events?event_id=secret-ok', '/api/events?since=bad', '/logs', '/logs?event_name=Placed%20Order', '/']) {
      await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-Webhook-Token: ${TOKEN}\r\nConnection: close\r\n\r\n`);
    }
    child.kill('SIGTERM');
    const code = await exited;
    return { stdout, stderr, answers, dir, code };
  }

  const count = (text: string, part: string) => text.split(part).length - 1;

  it('--json: the token is printed exactly once, in the listening line; request lines and answers show it masked or not at all', async () => {
    const run = await session(['--json']);
    expect(run.code).toBe(0);
    const output = run.stdout + run.stderr;
    expect(count(output, TOKEN)).toBe(1);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'listening', token: TOKEN });
    const requests = lines.filter((l) => l.event === 'request');
    // One per POST or GET to /api/webhooks (19 of them); other paths are not logged.
    expect(requests).toHaveLength(19);
    expect(new Set(requests.map((r) => r.token))).toEqual(new Set(['sbx_****', 'wrong', 'none']));
    expect(lines.at(-1)).toMatchObject({ event: 'stopped' });
    // No answer carries the token, nor a long enough piece of it to matter.
    expect(run.answers.length).toBeGreaterThan(40);
    for (const answer of run.answers) {
      expect(answer).not.toContain(TOKEN);
      expect(answer).not.toContain(TOKEN.slice(4, 20));
    }
    // Nor do the store's files: events carry a fingerprint only.
    for (const file of readdirSync(run.dir)) expect(readFileSync(join(run.dir, file), 'utf8'), file).not.toContain(TOKEN.slice(4, 20));
    expect(readFileSync(join(run.dir, 'events.jsonl'), 'utf8')).toMatch(/"token_hash":"sha256:[0-9a-f]{16}"/);
  }, 30_000);

  it('text: the token appears only in the start-up block (its line and the curl line), never in a request line', async () => {
    const run = await session([]);
    expect(run.code).toBe(0);
    const [startup, requests = ''] = run.stdout.split('Requests:');
    expect(count(startup!, TOKEN)).toBe(2);
    expect(startup).toContain(`token     ${TOKEN}   (shown once; sbx_**** from now on)`);
    expect(count(requests, TOKEN.slice(4, 20))).toBe(0);
    expect(count(run.stderr, TOKEN.slice(4, 20))).toBe(0);
    expect(requests).toMatch(/ 200 {2}"Placed Order" {2}"secret-ok" {2}stored #1 {2}token sbx_\*\*\*\*/);
    expect(count(requests, 'token wrong')).toBe(WRONG_TOKENS.length);
    for (const answer of run.answers) expect(answer).not.toContain(TOKEN.slice(4, 20));
  }, 30_000);

  it('never echoes a --token it refuses', async () => {
    const secret = 'my secret with spaces';
    const child = spawn(process.execPath, [cliPath, 'sandbox', '--memory', '--port', '0', '--token', secret], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(output).toContain('--token: expected printable ASCII');
    expect(output).not.toContain('secret');
  });
});
