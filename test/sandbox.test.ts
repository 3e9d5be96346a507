/**
 * The sandbox over real HTTP on loopback: every example of the contract, the token, content
 * types, the body limit, methods, deduplication, the store across restarts and SIGKILL.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import acceptedSchema from '../generated/converge/validators/response-accepted.js';
// The strict schemas: the sandbox answers every recommended member, not just what the contract requires.
import problemSchema from '../generated/converge/validators/response-strict-problem.js';
import validationProblemSchema from '../generated/converge/validators/response-strict-validation-problem.js';
import { MAX_BODY_BYTES } from '../generated/converge/index.js';
import { startSandbox, type RunningSandbox, type StoredEvent } from '../src/default-sandbox.js';
import { cliPath, keys, manifest, readExample, runCli } from './helpers.js';

const TOKEN = 'sandbox-test-token-0123456789';
const JSON_HEADERS = { 'Content-Type': 'application/json', 'X-Webhook-Token': TOKEN };
/** Every response body any test saw: none may contain the token. */
const seenBodies: string[] = [];
const tempDirs: string[] = [];
const running: RunningSandbox[] = [];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  tempDirs.push(dir);
  return dir;
}

async function start(options: Parameters<typeof startSandbox>[0] = {}): Promise<RunningSandbox> {
  const sandbox = await startSandbox({ token: TOKEN, port: 0, ...options });
  running.push(sandbox);
  return sandbox;
}

async function stop(sandbox: RunningSandbox): Promise<void> {
  await sandbox.stop();
  running.splice(running.indexOf(sandbox), 1);
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  seenBodies.push(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function post(sandbox: RunningSandbox, body: string, headers: Record<string, string> = JSON_HEADERS): Promise<Answer> {
  return call(sandbox.webhookUrl, { method: 'POST', headers, body });
}

function event(id: string, name = 'Placed Order', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ event_name: name, event_id: id, properties: { id, total_price: 10 }, profile_properties: {}, aliases: [`urn:email:${id}@example.com`], ...extra });
}

function expectProblem(answer: Answer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  expect(problemSchema(answer.json), answer.text).toBe(true);
  expect(answer.json.status).toBe(status);
}

/** A raw HTTP/1.1 request with node:http, for what fetch cannot send (chunked streams, Expect). */
function rawRequest(
  url: string,
  options: { headers: Record<string, string | number>; write?: (req: ReturnType<typeof httpRequest>) => void },
): Promise<{ status: number; body: string; continued: boolean }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = httpRequest(url, { method: 'POST', headers: options.headers, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        seenBodies.push(body);
        resolve({ status: res.statusCode ?? 0, body, continued });
      });
      res.on('error', reject);
    });
    req.on('continue', () => {
      continued = true;
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    // Writes after the server answered and cut the connection fail: that is expected here.
    req.on('error', (error) => (req.destroyed && (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' ? undefined : reject(error)));
    if (options.write) options.write(req);
    else req.end();
  });
}

afterAll(async () => {
  // Over the whole file, as well as in the test of its own below.
  for (const body of seenBodies) expect(body).not.toContain(TOKEN);
  for (const sandbox of [...running]) await sandbox.stop();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the contract examples', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await start({ dataDir: tempDir() });
  });

  it.each(manifest('valid'))('accepts valid example $file with exactly its warnings', async (entry) => {
    const answer = await post(sandbox, readExample(entry.file));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(acceptedSchema(answer.json), answer.text).toBe(true);
    expect(answer.json.status).toBe('accepted');
    expect(answer.json.duplicate).toBe(false);
    expect(keys(answer.json.warnings)).toEqual(keys(entry.warnings));
  });

  it.each(manifest('invalid'))('rejects invalid example $file with its status and exactly its violations', async (entry) => {
    const answer = await post(sandbox, readExample(entry.file));
    expectProblem(answer, entry.status!);
    expect(validationProblemSchema(answer.json), answer.text).toBe(true);
    expect(answer.json.type).toBe('urn:converge-webhook-contract:problem:invalid-event');
    expect(keys(answer.json.violations)).toEqual(keys(entry.errors ?? []));
    expect(keys(answer.json.warnings)).toEqual(keys(entry.warnings));
  });

  it('stores each valid example once, and no invalid one', async () => {
    const own = await start({ dataDir: tempDir() });
    for (const entry of manifest('valid')) expect((await post(own, readExample(entry.file))).status, entry.file).toBe(200);
    for (const entry of manifest('invalid')) expect((await post(own, readExample(entry.file))).status, entry.file).toBe(entry.status);
    const sent = manifest('valid').map((entry) => (JSON.parse(readExample(entry.file)) as { event_id: string }).event_id);
    expect(new Set(sent).size).toBe(sent.length);
    expect(own.events().map((e) => e.event_id).sort()).toEqual(sent.sort());
    await stop(own);
  });

  it('says where malformed JSON breaks, by line and column', async () => {
    const answer = await post(sandbox, '{\n  "event_name": "x",\n  oops\n}');
    expectProblem(answer, 400);
    expect(answer.json.violations).toEqual([{ code: 'invalid-json', pointer: '', message: expect.stringMatching(/line 3, column 3/) }]);
  });

  it('answers 400 invalid-json for an empty body, invalid UTF-8 and a raw NUL byte', async () => {
    for (const body of [Buffer.alloc(0), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), Buffer.from('{"event_name":"a\u0000b"}')]) {
      const answer = await call(sandbox.webhookUrl, { method: 'POST', headers: JSON_HEADERS, body });
      expectProblem(answer, 400);
      expect(answer.json.violations.map((v: { code: string }) => v.code)).toEqual(['invalid-json']);
    }
    const utf8 = await call(sandbox.webhookUrl, { method: 'POST', headers: JSON_HEADERS, body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) });
    expect(utf8.json.violations[0].message).toMatch(/not UTF-8 at byte offset 2/);
  });
});

describe('the token', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await start({ inMemory: true });
  });

  it('answers 401 problem+json without a token, with an empty one, and with a wrong one; stores nothing', async () => {
    const body = event('token-1');
    for (const headers of <Record<string, string>[]>[
      { 'Content-Type': 'application/json' },
      { 'Content-Type': 'application/json', 'X-Webhook-Token': '' },
      { 'Content-Type': 'application/json', 'X-Webhook-Token': 'wrong' },
      { 'Content-Type': 'application/json', 'X-Webhook-Token': `${TOKEN}x` },
      { 'Content-Type': 'application/json', 'X-Webhook-Token': TOKEN.slice(0, -1) },
    ]) {
      const answer = await post(sandbox, body, headers);
      expectProblem(answer, 401);
      expect(answer.json.title).toBe('Unauthorized');
    }
    expect(sandbox.count()).toBe(0);
    expect((await post(sandbox, body)).status).toBe(200);
  });

  it('checks the token before anything else about the request', async () => {
    expectProblem(await post(sandbox, 'not json', { 'Content-Type': 'text/plain', 'X-Webhook-Token': 'wrong' }), 401);
  });

  it('generates a random token when none is given', async () => {
    const a = await start({ inMemory: true, token: undefined });
    const b = await start({ inMemory: true, token: undefined });
    expect(a.token).toMatch(/^sbx_[A-Za-z0-9_-]{32}$/);
    expect(a.token).not.toBe(b.token);
    expect((await post(a, event('random-1'), { 'Content-Type': 'application/json', 'X-Webhook-Token': a.token })).status).toBe(200);
    expect((await post(a, event('random-2'), { 'Content-Type': 'application/json', 'X-Webhook-Token': b.token })).status).toBe(401);
    await stop(a);
    await stop(b);
  });

  it('refuses a token that cannot be sent as a header value', async () => {
    await expect(startSandbox({ token: 'has space' })).rejects.toThrow(/printable ASCII/);
    await expect(startSandbox({ token: '' })).rejects.toThrow(/printable ASCII/);
  });
});

describe('content types, methods and paths', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await start({ inMemory: true });
  });

  it('accepts application/json with no charset or utf-8, in any case', async () => {
    let n = 0;
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/json; charset="utf-8"']) {
      const answer = await post(sandbox, event(`type-${(n += 1)}`), { 'Content-Type': type, 'X-Webhook-Token': TOKEN });
      expect(answer.status, type).toBe(200);
    }
  });

  it('answers 415 for other types, other charsets, a missing type and a compressed body; stores none of them', async () => {
    const sandbox = await start({ inMemory: true });
    const body = event('type-x');
    for (const headers of <Record<string, string>[]>[
      { 'Content-Type': 'text/plain' },
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      { 'Content-Type': 'multipart/form-data; boundary=x' },
      { 'Content-Type': 'application/json; charset=iso-8859-1' },
      { 'Content-Type': 'application/json; charset=utf-16' },
      { 'Content-Type': 'application/jsonx' },
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    ]) {
      const answer = await post(sandbox, body, { ...headers, 'X-Webhook-Token': TOKEN });
      expectProblem(answer, 415);
      expect(answer.json.detail).toMatch(/^Expected/);
    }
    // fetch adds text/plain to a string body; a Blob with no type sends no Content-Type at all.
    const none = await call(sandbox.webhookUrl, { method: 'POST', headers: { 'X-Webhook-Token': TOKEN }, body: new Blob([body]) });
    expectProblem(none, 415);
    expect(none.json.detail).toMatch(/found no Content-Type/);
    expect(sandbox.count()).toBe(0);
    await stop(sandbox);
  });

  it('answers 405 with Allow for other methods', async () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const answer = await call(sandbox.webhookUrl, { method, headers: { 'X-Webhook-Token': TOKEN } });
      expectProblem(answer, 405);
      expect(answer.headers.get('allow')).toBe('POST');
    }
    const head = await fetch(sandbox.webhookUrl, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('POST');
    const events = await call(`${sandbox.url}/api/events`, { method: 'PUT', body: '{}' });
    expectProblem(events, 405);
    expect(events.headers.get('allow')).toBe('GET, HEAD, DELETE');
  });

  it('answers 404 problem+json for unknown paths, and redirects / to /logs', async () => {
    for (const path of ['/api/webhook', '/api/webhooks/', '/nope', '/api/events/1']) {
      const answer = await call(`${sandbox.url}${path}`, { method: 'POST', headers: JSON_HEADERS, body: event('x') });
      expectProblem(answer, 404);
    }
    const root = await fetch(`${sandbox.url}/`, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/logs');
  });

  it('ignores a query string on the endpoint', async () => {
    expect((await call(`${sandbox.webhookUrl}?source=test`, { method: 'POST', headers: JSON_HEADERS, body: event('query-1') })).status).toBe(200);
  });
});

describe('the body limit', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await start({ inMemory: true });
  });

  /** A valid event padded to exactly `size` bytes. */
  function eventOfSize(id: string, size: number): string {
    const base = event(id, 'Placed Order', { properties: { id, note: '' } });
    return base.replace('"note":""', `"note":"${'x'.repeat(size - Buffer.byteLength(base))}"`);
  }

  it('accepts a body of exactly 1 MiB', async () => {
    const body = eventOfSize('limit-exact', MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect((await post(sandbox, body)).status).toBe(200);
  });

  it('answers 413 for 1 MiB + 1 byte and for a 2 MiB body with its Content-Length', async () => {
    for (const size of [MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES]) {
      const answer = await post(sandbox, eventOfSize(`limit-${size}`, size));
      expectProblem(answer, 413);
    }
  });

  it('answers 413 for a chunked body without Content-Length, and stops reading it', async () => {
    const total = 64 * 1024 * 1024;
    let written = 0;
    const answer = await rawRequest(sandbox.webhookUrl, {
      headers: { ...JSON_HEADERS, 'Transfer-Encoding': 'chunked' },
      write: (req) => {
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        req.write('{"event_name":"Placed Order","pad":"');
        const pump = () => {
          while (written < total && !req.destroyed) {
            written += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (!req.destroyed) req.end('"}');
        };
        pump();
      },
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).status).toBe(413);
    // The server cut the connection long before 64 MiB were accepted.
    expect(written).toBeLessThan(total);
    expect((await post(sandbox, event('after-chunked'))).status).toBe(200);
  });

  it('answers 413 to Expect: 100-continue before the body is sent', async () => {
    const answer = await rawRequest(sandbox.webhookUrl, {
      headers: { ...JSON_HEADERS, 'Content-Length': 2 * MAX_BODY_BYTES, Expect: '100-continue' },
      write: (req) => {
        req.flushHeaders();
        req.on('continue', () => req.end(Buffer.alloc(2 * MAX_BODY_BYTES, 0x20)));
      },
    });
    expect(answer.status).toBe(413);
    expect(answer.continued).toBe(false);
  });

  it('sends 100 Continue and accepts the event when the headers are fine', async () => {
    const body = event('continue-1');
    const answer = await rawRequest(sandbox.webhookUrl, {
      headers: { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' },
      write: (req) => {
        req.flushHeaders();
        req.on('continue', () => req.end(body));
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.continued).toBe(true);
  });
});

describe('slow clients', () => {
  it('answers 408 to a body that trickles in, frees the connection, and keeps serving', async () => {
    const sandbox = await start({ inMemory: true, requestTimeoutMs: 500 });
    const { port } = new URL(sandbox.url);
    const started = Date.now();
    const { response, closedAfter } = await new Promise<{ response: string; closedAfter: number }>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let response = '';
      let timer: NodeJS.Timeout | undefined;
      socket.setEncoding('utf8');
      socket.on('connect', () => {
        socket.write(`POST /api/webhooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Webhook-Token: ${TOKEN}\r\nContent-Length: 200\r\n\r\n{`);
        // One byte every 100 ms: never done within the timeout.
        timer = setInterval(() => socket.writable && socket.write(' '), 100);
      });
      socket.on('data', (d: string) => (response += d));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ response, closedAfter: Date.now() - started });
      });
      setTimeout(() => reject(new Error('the server never closed the connection')), 8000).unref();
    });
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(response).toContain('application/problem+json');
    expect(closedAfter).toBeLessThan(4000);
    expect((await post(sandbox, event('after-slow'))).status).toBe(200);
    await stop(sandbox);
  });
});

describe('deduplication', () => {
  it('accepts a replayed event_id with duplicate: true and stores it once', async () => {
    const sandbox = await start({ inMemory: true });
    const first = await post(sandbox, event('dup-1'));
    const replay = await post(sandbox, event('dup-1', 'Placed Order', { timestamp: 1725312229 }));
    expect(first.json).toMatchObject({ status: 'accepted', event_id: 'dup-1', duplicate: false });
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ status: 'accepted', event_id: 'dup-1', duplicate: true });
    const stored = sandbox.events({ event_id: 'dup-1' });
    expect(stored).toHaveLength(1);
    // The first body is the one kept.
    expect((stored[0]!.body as { timestamp?: number }).timestamp).toBeUndefined();
  });

  it('stores an event once when many copies arrive at the same instant', async () => {
    const sandbox = await start({ dataDir: tempDir() });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(sandbox, event('burst-1'))));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((a) => a.json.duplicate === false)).toHaveLength(1);
    expect(sandbox.events({ event_id: 'burst-1' })).toHaveLength(1);
  });

  it('validates a replay like any request (an invalid replay is a 400)', async () => {
    const sandbox = await start({ inMemory: true });
    await post(sandbox, event('dup-2'));
    expectProblem(await post(sandbox, event('dup-2', 'Placed Order', { aliases: [] })), 400);
  });

  it('deduplicates per token: the same event_id from another source is stored again', async () => {
    const dir = tempDir();
    const a = await start({ dataDir: dir });
    await post(a, event('shared-1'));
    await stop(a);
    const b = await start({ dataDir: dir, token: 'another-source-token-0123' });
    const answer = await post(b, event('shared-1'), { 'Content-Type': 'application/json', 'X-Webhook-Token': 'another-source-token-0123' });
    expect(answer.json.duplicate).toBe(false);
    const stored = b.events({ event_id: 'shared-1' });
    expect(stored).toHaveLength(2);
    expect(stored[0]!.token_hash).not.toBe(stored[1]!.token_hash);
    await stop(b);
  });
});

describe('GET and DELETE /api/events', () => {
  let sandbox: RunningSandbox;
  let between = '';
  beforeAll(async () => {
    sandbox = await start({ dataDir: tempDir() });
    await post(sandbox, event('ev-1', 'Placed Order'));
    await post(sandbox, event('ev-2', 'Viewed Product', { properties: { product_id: 'p', $sales_channel_type: 'pos' } }));
    await new Promise((r) => setTimeout(r, 20));
    between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await post(sandbox, event('ev-3', 'Placed Order'));
    // Written by hand: JSON.stringify could not keep the digits of a number beyond 2^53.
    await post(sandbox, event('ev-4', 'Custom Thing', { properties: { big: 0 } }).replace('"big":0', '"big":12345678901234567890123'));
  });

  async function list(query = ''): Promise<StoredEvent[]> {
    const answer = await call(`${sandbox.url}/api/events${query}`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    return answer.json as StoredEvent[];
  }

  it('lists stored events newest first, with their metadata and body, never the token', async () => {
    const events = await list();
    expect(events.map((e) => e.event_id)).toEqual(['ev-4', 'ev-3', 'ev-2', 'ev-1']);
    expect(events.map((e) => e.id)).toEqual([4, 3, 2, 1]);
    const [latest] = events;
    expect(Object.keys(latest!).sort()).toEqual(['body', 'event_id', 'event_name', 'id', 'received_at', 'token_hash', 'warnings']);
    expect(latest!.received_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(latest!.token_hash).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('returns the body as sent: a number beyond 2^53 keeps its digits', async () => {
    const answer = await call(`${sandbox.url}/api/events?event_id=ev-4`);
    expect(answer.text).toContain('"big":12345678901234567890123');
  });

  it('filters by event_name, event_id, since (a sequence number or a date-time) and limit', async () => {
    expect((await list('?event_name=Placed%20Order')).map((e) => e.event_id)).toEqual(['ev-3', 'ev-1']);
    expect((await list('?event_id=ev-2')).map((e) => e.event_name)).toEqual(['Viewed Product']);
    expect((await list('?event_id=nope')).length).toBe(0);
    expect((await list('?since=2')).map((e) => e.event_id)).toEqual(['ev-4', 'ev-3']);
    expect((await list('?since=0')).length).toBe(4);
    expect((await list(`?since=${encodeURIComponent(between)}`)).map((e) => e.event_id)).toEqual(['ev-4', 'ev-3']);
    expect((await list('?since=2000-01-01T00:00:00%2B02:00')).length).toBe(4);
    expect((await list('?limit=1')).map((e) => e.event_id)).toEqual(['ev-4']);
    expect((await list('?event_name=Placed%20Order&since=1&limit=5')).map((e) => e.event_id)).toEqual(['ev-3']);
    expect((await list('?event_name=')).length).toBe(4);
    expect(sandbox.events({ since: new Date(between) }).map((e) => e.event_id)).toEqual(['ev-4', 'ev-3']);
    expect(sandbox.events({ since: 3, event_name: 'Custom Thing' }).map((e) => e.id)).toEqual([4]);
  });

  it('answers 400 problem+json for a bad filter value or an unknown filter', async () => {
    for (const query of ['?since=yesterday', '?since=2024-09-02T12:34:56', '?since=-1', '?limit=0', '?limit=abc', '?event=Placed%20Order', '?since=1&since=2']) {
      const answer = await call(`${sandbox.url}/api/events${query}`);
      expectProblem(answer, 400);
      expect(answer.json.detail, query).toMatch(/expected/);
    }
  });

  it('DELETE resets the store, on disk too; ids start again', async () => {
    const dir = tempDir();
    const other = await start({ dataDir: dir });
    await post(other, event('del-1'));
    await post(other, event('del-2'));
    const answer = await call(`${other.url}/api/events`, { method: 'DELETE' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'reset', deleted: 2 });
    expect(await (await fetch(`${other.url}/api/events`)).json()).toEqual([]);
    // A reset event_id is new again.
    expect((await post(other, event('del-1'))).json.duplicate).toBe(false);
    await stop(other);
    const again = await start({ dataDir: dir });
    expect(again.events().map((e) => [e.id, e.event_id])).toEqual([[1, 'del-1']]);
    again.reset();
    expect(again.count()).toBe(0);
    await stop(again);
  });
});

describe('the store', () => {
  it('keeps events across a restart; ids continue; a replay after the restart is still a duplicate', async () => {
    const dir = tempDir();
    const first = await start({ dataDir: dir });
    for (const id of ['keep-1', 'keep-2', 'keep-3']) expect((await post(first, event(id))).status).toBe(200);
    await stop(first);
    const second = await start({ dataDir: dir });
    expect(second.opened).toEqual({ events: 3, truncatedBytes: 0, skippedLines: 0 });
    expect(second.events().map((e) => e.event_id)).toEqual(['keep-3', 'keep-2', 'keep-1']);
    expect((await post(second, event('keep-2'))).json.duplicate).toBe(true);
    expect((await post(second, event('keep-4'))).status).toBe(200);
    expect(second.events({ limit: 1 })[0]!.id).toBe(4);
    await stop(second);
  });

  it('gives back every body exactly as sent after a restart, whatever its characters', async () => {
    const dir = tempDir();
    const first = await start({ dataDir: dir });
    const files = manifest('valid').map((e) => e.file);
    for (const file of files) expect((await post(first, readExample(file))).status).toBe(200);
    await stop(first);
    const second = await start({ dataDir: dir });
    const stored = new Map(second.events().map((e) => [e.event_id, e.body]));
    for (const file of files) {
      const sent = JSON.parse(readExample(file)) as { event_id: string };
      expect(stored.get(sent.event_id), file).toEqual(sent);
    }
    await stop(second);
  });

  it('cuts off a torn last line and skips a damaged one, without losing the others', async () => {
    const dir = tempDir();
    const first = await start({ dataDir: dir });
    for (const id of ['torn-1', 'torn-2']) await post(first, event(id));
    await stop(first);
    const file = join(dir, 'events.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    // A damaged line in the middle, and half a record at the end (a write cut by a kill).
    writeFileSync(file, [lines[0], lines[1], '{"id":99,"event_id":"garbage"', lines[2], ''].join('\n'));
    appendFileSync(file, lines[2]!.replace('"id":2', '"id":3').replace(/torn-2/g, 'torn-3').slice(0, 60));
    const second = await start({ dataDir: dir });
    expect(second.opened).toEqual({ events: 2, truncatedBytes: 60, skippedLines: 1 });
    expect((await post(second, event('torn-3'))).json.duplicate).toBe(false);
    await stop(second);
    const third = await start({ dataDir: dir });
    expect(third.events().map((e) => e.event_id)).toEqual(['torn-3', 'torn-2', 'torn-1']);
    await stop(third);
  });

  it('opens a data folder an earlier version wrote (format version 1, its keys as they were), dedupes against it, and appends in the same format', async () => {
    const dir = tempDir();
    const hash = `sha256:${createHash('sha256').update(TOKEN).digest('hex').slice(0, 16)}`;
    const old = JSON.parse(event('v1-1')) as Record<string, unknown>;
    // Written out here, not by the sandbox: the bytes a sandbox of version 0.1.0 left on disk.
    writeFileSync(
      join(dir, 'events.jsonl'),
      '{"format":"converge-webhook-sandbox-events","version":1}\n' +
        `{"id":1,"received_at":"2026-11-30T10:00:00.000Z","token_hash":"${hash}","event_id":"v1-1","event_name":"Placed Order","warnings":[],"body":${event('v1-1')}}\n`,
    );
    const sandbox = await start({ dataDir: dir });
    expect(sandbox.opened).toEqual({ events: 1, truncatedBytes: 0, skippedLines: 0 });
    expect(sandbox.events()).toEqual([{ id: 1, event_id: 'v1-1', event_name: 'Placed Order', received_at: '2026-11-30T10:00:00.000Z', token_hash: hash, warnings: [], body: old }]);
    expect((await post(sandbox, event('v1-1'))).json.duplicate).toBe(true);
    expect((await post(sandbox, event('v1-2'))).json.duplicate).toBe(false);
    await stop(sandbox);
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(`{"id":2,"received_at":"${JSON.parse(lines[2]!).received_at}","token_hash":"${hash}","event_id":"v1-2","event_name":"Placed Order","warnings":[],"body":${event('v1-2')}}`);
    expect(lines[3]).toBe('');
  });
});

describe("the data folder's lock", () => {
  const lockNames = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('sandbox.lock.'));

  it('refuses a second sandbox on the same folder while the first runs, saying where it listens, and frees it on stop', async () => {
    const dir = tempDir();
    const first = await start({ dataDir: dir });
    const [lock] = lockNames(dir);
    expect(lockNames(dir)).toHaveLength(1);
    await expect(startSandbox({ token: TOKEN, dataDir: dir })).rejects.toThrow(
      `data folder ${dir}: expected a folder no other sandbox uses, found it in use by another sandbox (in this process, listening on ${first.url}; its lock is ${join(dir, lock!)}); stop that sandbox, or use another --data folder`,
    );
    // The refused one left nothing behind.
    expect(lockNames(dir)).toEqual([lock]);
    await stop(first);
    expect(readdirSync(dir)).toEqual(['events.jsonl']);
    await stop(await start({ dataDir: dir }));
  });

  it('removes the lock of a process that died, even one whose pid is taken again', async () => {
    const dir = tempDir();
    // A lock socket whose holder was killed: the name stays, nothing listens on it.
    const leftover = join(dir, 'sandbox.lock.0123456789abcdef');
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(leftover)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((r) => child.on('exit', r));
    expect(lockNames(dir)).toEqual(['sandbox.lock.0123456789abcdef']);
    // A pid file of the old kind, naming this very process: no longer read.
    writeFileSync(join(dir, 'sandbox.lock'), `${process.pid}\n`);
    const sandbox = await start({ dataDir: dir });
    expect(lockNames(dir)).toHaveLength(1);
    expect(lockNames(dir)).not.toContain('sandbox.lock.0123456789abcdef');
    await stop(sandbox);
  });

  it('lets exactly one of several sandboxes starting at once on the same folder have it', async () => {
    const dir = tempDir();
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map(() => start({ dataDir: dir })));
    const won = outcomes.filter((o): o is PromiseFulfilledResult<RunningSandbox> => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') {
        // In use (by the winner, before or after it listens), or still starting when this one gave up.
        const inUse = `found it in use by another sandbox \\(in this process(, listening on ${escapeRegExp(won[0]!.value.url)})?; its lock is ${escapeRegExp(dir)}/sandbox\\.lock\\.[0-9a-f]{16}\\); stop that sandbox`;
        const starting = `found another sandbox starting on it at the same moment \\(process ${process.pid}\\); try again once it is up`;
        expect((o.reason as Error).message).toMatch(new RegExp(`^data folder ${escapeRegExp(dir)}: expected a folder no other sandbox uses, (${inUse}|${starting}), or use another --data folder$`));
      }
    }
    expect(lockNames(dir)).toHaveLength(1);
    await stop(won[0]!.value);
    expect(lockNames(dir)).toEqual([]);
  });

  it('keeps the lock in the temp folder when the data folder\'s path is too long for a Unix socket', async () => {
    const dir = join(tempDir(), 'a-folder-name-long-enough-to-push-the-lock-socket-path-past-the-limit-of-a-unix-socket-address');
    const first = await start({ dataDir: dir });
    const fallback = first.opened.lockFallbackDir;
    expect(fallback).toBe(join(tmpdir(), `converge-webhook-sandbox-${process.getuid!()}`));
    expect(readdirSync(dir)).toEqual(['events.jsonl']);
    const locks = readdirSync(fallback!).filter((name) => name.startsWith(`${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.lock.`));
    expect(locks).toHaveLength(1);
    expect(Buffer.byteLength(join(fallback!, locks[0]!))).toBeLessThanOrEqual(107);
    await expect(startSandbox({ token: TOKEN, dataDir: dir })).rejects.toThrow(`listening on ${first.url}; its lock is ${join(fallback!, locks[0]!)})`);
    await stop(first);
    expect(readdirSync(fallback!)).not.toContain(locks[0]);
    // The CLI says where the lock is.
    const cli = await startUnreaped(dir);
    expect(cli.start.lock_fallback_dir).toBe(fallback);
    process.kill(cli.pid, 'SIGKILL');
  });

  /** The CLI sandbox as the child of a parent that never reaps it: once killed, it stays a zombie and its pid stays taken. */
  function startUnreaped(dir: string): Promise<{ parent: ChildProcess; pid: number; start: any }> {
    const parent = spawn('bash', ['-c', '"$@" & echo "pid $!"; exec sleep 120', 'bash', process.execPath, cliPath, 'sandbox', '--port', '0', '--json', '--quiet', '--data', dir, '--token', TOKEN], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    parents.push(parent);
    return new Promise((resolve, reject) => {
      let pid = 0;
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`the sandbox did not start: ${stderr}`)), 15_000);
      parent.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('\n')) {
          clearTimeout(timer);
          reject(new Error(`the sandbox refused to start: ${stderr}`));
        }
      });
      createInterface({ input: parent.stdout! }).on('line', (line) => {
        if (line.startsWith('pid ')) pid = Number(line.slice(4));
        else {
          clearTimeout(timer);
          resolve({ parent, pid, start: JSON.parse(line) });
        }
      });
    });
  }
  const parents: ChildProcess[] = [];
  afterAll(() => {
    // The zombies go to init, which reaps them.
    for (const parent of parents) parent.kill('SIGKILL');
  });
  /** The state letter of /proc/<pid>/stat: R, S, Z (dead, not reaped), ... */
  const processState = (pid: number) => /\) (\w)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))![1];

  it('restarts at once after SIGKILL, ten times in a row, while the killed one is not reaped yet, with every acknowledged event', async () => {
    const dir = tempDir();
    const acknowledged: string[] = [];
    let running = await startUnreaped(dir);
    for (let round = 1; round <= 10; round += 1) {
      for (let i = 0; i < 3; i += 1) {
        const id = `restart-${round}-${i}`;
        const res = await fetch(running.start.webhook_url, { method: 'POST', headers: JSON_HEADERS, body: event(id), signal: AbortSignal.timeout(5000) });
        expect(res.status).toBe(200);
        acknowledged.push(id);
      }
      const killed = running.pid;
      process.kill(killed, 'SIGKILL');
      running = await startUnreaped(dir);
      // The killed sandbox is still there, dead but not reaped: its pid is still taken.
      expect(processState(killed), `round ${round}`).toBe('Z');
      expect(running.start.stored, `round ${round}`).toBe(acknowledged.length);
      expect(running.start.repaired).toEqual({ truncated_bytes: 0, skipped_lines: 0 });
      const stored = (await (await fetch(running.start.events_url, { signal: AbortSignal.timeout(5000) })).json()) as StoredEvent[];
      expect(stored.map((e) => e.event_id).reverse()).toEqual(acknowledged);
      // The dead one's lock is gone; only the running one's is there.
      expect(lockNames(dir)).toHaveLength(1);
    }
    process.kill(running.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (processState(running.pid) !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(readdirSync(dir)).toEqual(['events.jsonl']);
  }, 120_000);

  it('refuses a live second CLI sandbox on the same folder: exit 2, the folder, the holder and its URL', async () => {
    const dir = tempDir();
    const first = await startUnreaped(dir);
    const lock = lockNames(dir)[0]!;
    const second = await runCli(['sandbox', '--port', '0', '--data', dir, '--token', TOKEN]);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe(
      `converge-webhook: data folder ${dir}: expected a folder no other sandbox uses, found it in use by another sandbox (process ${first.pid}, listening on ${first.start.url}; its lock is ${join(dir, lock)}); stop that sandbox, or use another --data folder\n` +
        'Run "npx converge-webhook help" for usage.\n',
    );
    // The first is unharmed.
    expect((await fetch(first.start.webhook_url, { method: 'POST', headers: JSON_HEADERS, body: event('still-1'), signal: AbortSignal.timeout(5000) })).status).toBe(200);
    process.kill(first.pid, 'SIGKILL');
  });

  it('lets exactly one of three CLI sandboxes started at once over a killed one\'s lock have the folder; the others exit 2 naming it', async () => {
    const dir = tempDir();
    const killed = await startUnreaped(dir);
    process.kill(killed.pid, 'SIGKILL');
    const racers = [1, 2, 3].map(() => {
      const child = spawn(process.execPath, [cliPath, 'sandbox', '--port', '0', '--json', '--quiet', '--data', dir, '--token', TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const outcome = new Promise<{ child: ChildProcess; code: number | null; start?: any; stderr: string }>((resolve) => {
        child.on('exit', (code) => resolve({ child, code, stderr }));
        child.stdout.on('data', () => {
          if (stdout.includes('\n')) resolve({ child, code: null, start: JSON.parse(stdout.split('\n')[0]!), stderr });
        });
      });
      return outcome;
    });
    const outcomes = await Promise.all(racers);
    const winners = outcomes.filter((o) => o.start !== undefined);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    const lock = lockNames(dir);
    expect(lock).toHaveLength(1);
    for (const loser of outcomes.filter((o) => o !== winner)) {
      expect(loser.code).toBe(2);
      expect(loser.stderr).toBe(
        `converge-webhook: data folder ${dir}: expected a folder no other sandbox uses, found it in use by another sandbox (process ${winner.child.pid}, listening on ${winner.start.url}; its lock is ${join(dir, lock[0]!)}); stop that sandbox, or use another --data folder\n` +
          'Run "npx converge-webhook help" for usage.\n',
      );
    }
    const exited = new Promise((r) => winner.child.on('exit', r));
    winner.child.kill('SIGTERM');
    await exited;
    expect(readdirSync(dir)).toEqual(['events.jsonl']);
  });
});

describe("the CLI's output", () => {
  it('keeps serving, and stops cleanly, when the reader of its output goes away (| head -1)', async () => {
    const child = spawn('bash', ['-c', 'set -o pipefail; "$@" | head -1', 'bash', process.execPath, cliPath, 'sandbox', '--port', '0', '--json', '--memory', '--token', TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const first = await new Promise<any>((resolve) => createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line))));
    // Once head has exited, every request line meets a closed pipe.
    const headRuns = () => spawnSync('pgrep', ['-x', '-P', String(child.pid), 'head']).status === 0;
    for (const deadline = Date.now() + 5000; headRuns() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(headRuns()).toBe(false);
    for (let i = 0; i < 5; i += 1) {
      const res = await fetch(first.webhook_url, { method: 'POST', headers: JSON_HEADERS, body: event(`pipe-${i}`), signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
    }
    const count = (await (await fetch(first.events_url, { signal: AbortSignal.timeout(5000) })).json()) as StoredEvent[];
    expect(count).toHaveLength(5);
    const pid = Number(execFileSync('pgrep', ['-f', '-P', String(child.pid), 'sandbox'], { encoding: 'utf8' }).trim());
    process.kill(pid, 'SIGTERM');
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('the CLI', () => {
  /** Starts `converge-webhook sandbox --json ...`; resolves with the start-up line and the process. */
  function spawnSandbox(args: string[]): Promise<{ child: ChildProcess; start: any; lines: string[]; exited: Promise<number | null> }> {
    const child = spawn(process.execPath, [cliPath, 'sandbox', '--port', '0', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sandbox did not start: ${lines.join('\n')}`)), 10_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        if (lines.length === 1) {
          clearTimeout(timer);
          resolve({ child, start: JSON.parse(line), lines, exited });
        }
      });
      child.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString()}`));
      void exited.then(() => reject(new Error(`the sandbox exited: ${lines.join('\n')}`)));
    });
  }

  it('keeps every event that got a 200 exactly once when killed with SIGKILL under load', async () => {
    const dir = tempDir();
    const first = await spawnSandbox(['--data', dir, '--token', TOKEN, '--quiet']);
    const acknowledged = new Set<string>();
    let sent = 0;
    let killed = false;
    // 8 clients send until the kill; about 150 events are in before it.
    const client = async (n: number) => {
      for (let i = 0; !killed; i += 1) {
        const id = `kill-${n}-${i}`;
        sent += 1;
        // A replay of an earlier event now and then: still stored once.
        const body = i > 0 && i % 7 === 0 ? event(`kill-${n}-${i - 1}`) : event(id);
        try {
          const res = await fetch(first.start.webhook_url, { method: 'POST', headers: JSON_HEADERS, body, signal: AbortSignal.timeout(5000) });
          if (res.status === 200) acknowledged.add(JSON.parse(body).event_id);
          if (acknowledged.size >= 150 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          // The connection died with the process: no 200, no promise.
          return;
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(client));
    expect(await first.exited).toBeNull();
    expect(acknowledged.size).toBeGreaterThanOrEqual(150);

    const second = await spawnSandbox(['--data', dir, '--token', TOKEN, '--quiet']);
    expect(second.start.repaired.skipped_lines).toBe(0);
    const stored = (await (await fetch(`${second.start.events_url}`, { signal: AbortSignal.timeout(5000) })).json()) as StoredEvent[];
    const ids = stored.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of acknowledged) expect(ids, id).toContain(id);
    expect(second.start.stored).toBe(ids.length);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(sent).toBeGreaterThan(ids.length);
  });

  it('answers 503 when the disk is full, stores nothing half-written, and keeps serving', async () => {
    const dir = tempDir();
    // A file size limit of 16 KiB stands in for a full disk (Node ignores SIGXFSZ: writes fail with EFBIG).
    const child = spawn('bash', ['-c', `ulimit -f 16; exec "$0" "$@"`, process.execPath, cliPath, 'sandbox', '--port', '0', '--json', '--quiet', '--data', dir, '--token', TOKEN], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const startLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sandbox did not start: ${stderr}`)), 10_000);
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
    const url = JSON.parse(startLine).webhook_url as string;
    const ok: string[] = [];
    let refused: Answer | undefined;
    let refusedId = '';
    for (let i = 0; i < 200 && !refused; i += 1) {
      const id = `full-${i}`;
      const answer = await call(url, { method: 'POST', headers: JSON_HEADERS, body: event(id, 'Placed Order', { properties: { pad: 'x'.repeat(500) } }) });
      if (answer.status === 200) ok.push(id);
      else {
        refused = answer;
        refusedId = id;
      }
    }
    expect(refused, 'no write ever failed').toBeDefined();
    expectProblem(refused!, 503);
    expect(refused!.json.detail).toMatch(/could not be stored: EFBIG/);
    // Not stored, so a retry is not a duplicate: it fails again instead of a false 200.
    expect((await call(url, { method: 'POST', headers: JSON_HEADERS, body: event(refusedId) })).status).toBe(503);
    const listed = (await call(url.replace('/api/webhooks', '/api/events'))).json as StoredEvent[];
    expect(listed.map((e) => e.event_id).sort()).toEqual([...ok].sort());
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const again = await start({ dataDir: dir });
    expect(again.opened.skippedLines).toBe(0);
    expect(again.events().map((e) => e.event_id).sort()).toEqual([...ok].sort());
    await stop(again);
  });

  it('prints the URL, the token once, a curl line and a masked line per request; stops cleanly on SIGINT', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [cliPath, 'sandbox', '--port', '0', '--token', TOKEN, '--data', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    let stdout = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('Requests:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(url, stdout).toBeDefined();
    expect(stdout).toContain(`token     ${TOKEN}`);
    expect(stdout).toContain(`curl -i -X POST ${url}/api/webhooks`);
    expect(stdout).toContain(`-H 'X-Webhook-Token: ${TOKEN}'`);
    expect(stdout).toContain('data/events.jsonl, 0 events stored');
    const startup = stdout.length;
    await fetch(`${url}/api/webhooks`, { method: 'POST', headers: JSON_HEADERS, body: event('cli-1') });
    await fetch(`${url}/api/webhooks`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': 'wrong-token' }, body: event('cli-2') });
    await fetch(`${url}/api/webhooks`, { method: 'POST', headers: JSON_HEADERS, body: '{"event_name":' });
    // One line per request, each whole (ended by its newline) before SIGINT.
    const requestLines = () => stdout.slice(startup).match(/^\d{4}-\d{2}-\d{2}T\S+Z {2}\d{3} .*\n/gm)?.length ?? 0;
    while (requestLines() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(requestLines(), stdout.slice(startup)).toBe(3);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const after = stdout.slice(startup);
    expect(after).toMatch(/ 200 {2}"Placed Order" {2}"cli-1" {2}stored #1 {2}token sand\*\*\*\*/);
    expect(after).toMatch(/ 401 .*token wrong/);
    expect(after).toMatch(/ 400 {2}rejected: invalid-json/);
    expect(after).toContain('Stopped (SIGINT): 1 event kept in data.');
    expect(after).not.toContain(TOKEN);
    expect(after).not.toContain('wrong-token');
    expect(readdirSync(join(dir, 'data'))).toEqual(['events.jsonl']);
  });

  it('explains usage errors with exit code 2', async () => {
    const both = await runCli(['sandbox', '--memory', '--data', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--memory and --data exclude each other');
    const token = await runCli(['sandbox', '--memory', '--token', 'a b']);
    expect(token.code).toBe(2);
    expect(token.stderr).toContain('--token: expected printable ASCII');
    const port = await runCli(['sandbox', '--memory', '--port', 'eighty']);
    expect(port.code).toBe(2);
    const busy = await start({ inMemory: true });
    const inUse = await runCli(['sandbox', '--memory', '--port', new URL(busy.url).port]);
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toMatch(/already in use/);
    await stop(busy);
    const help = await runCli(['sandbox', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: converge-webhook sandbox');
  });
});

describe('secrets', () => {
  it('never shows the token in a response body, whatever the answer (the token sent only in its header)', async () => {
    const sandbox = await start({ inMemory: true });
    const wrong = { 'Content-Type': 'application/json', 'X-Webhook-Token': `${TOKEN.slice(0, -1)}x` };
    const answers = [
      await post(sandbox, event('secret-1')),
      await post(sandbox, event('secret-1')),
      await post(sandbox, event('secret-2', 'Placed Order', { aliases: ['not-a-urn'] })),
      await post(sandbox, event('secret-3', 'Placed Order', { aliases: [] })),
      await post(sandbox, '{"event_name": "Placed Order", '),
      await post(sandbox, event('secret-4'), wrong),
      await post(sandbox, event('secret-5'), { 'Content-Type': 'text/plain', 'X-Webhook-Token': TOKEN }),
      await post(sandbox, `{"pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`),
      await call(sandbox.webhookUrl, { method: 'GET', headers: { 'X-Webhook-Token': TOKEN } }),
      await call(`${sandbox.url}/api/events`),
      await call(`${sandbox.url}/api/events?since=yesterday`),
      await call(`${sandbox.url}/logs`),
      await call(`${sandbox.url}/logs?event_name=Placed%20Order`),
      await call(`${sandbox.url}/nope`, { headers: { 'X-Webhook-Token': TOKEN } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 400, 400, 401, 415, 413, 405, 200, 400, 200, 200, 404]);
    for (const answer of answers) {
      expect(answer.text.length).toBeGreaterThan(0);
      expect(answer.text).not.toContain(TOKEN);
      expect(answer.text).not.toContain(TOKEN.slice(4, 20));
    }
    await stop(sandbox);
  });
});
