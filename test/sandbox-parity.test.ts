/**
 * Converge moving onto the contract-driven sandbox core (src/sandbox/contract-sandbox.ts): the
 * requests whose answers the core already gives byte for byte as the Converge sandbox
 * (src/sandbox/sandbox.ts) does, from spec/converge/contract.yaml alone. Each pair of answers is
 * compared whole: status, the headers a client reads, and the body's bytes.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { startupBlock } from '../src/commands/sandbox.js';
import { loadContractRuntime } from '../src/contract-runtime.js';
import { startContractSandbox, type RunningContractSandbox } from '../src/sandbox/contract-sandbox.js';
import { formatLogEntry, startSandbox, type RunningSandbox } from '../src/sandbox/sandbox.js';
import { root } from './helpers.js';

const TOKEN = 'parity-token-0123456789abcdef';

let converge: RunningSandbox;
let core: RunningContractSandbox;

/** The log lines each wrote, without their time. */
const lines = { converge: [] as string[], core: [] as string[] };
const untimedLine = (line: string) => line.replace(/^\S+ {2}/, '');

beforeAll(async () => {
  converge = await startSandbox({ port: 0, token: TOKEN, inMemory: true, onRequest: (e) => lines.converge.push(untimedLine(formatLogEntry(e))) });
  core = await startContractSandbox(await loadContractRuntime('converge'), { port: 0, secrets: { '': TOKEN }, inMemory: true, onRequest: (e) => lines.core.push(untimedLine(core.format(e))) });
});

afterAll(async () => {
  await converge?.stop();
  await core?.stop();
});

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

interface Got {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** One request over a fresh connection (node:http: no header of fetch's own). */
function send(base: string, sent: Sent): Promise<Got> {
  const url = new URL(sent.path ?? '/api/webhooks', base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: sent.method ?? 'POST', headers: { Connection: 'close', ...sent.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = res.headers;
        resolve({
          status: res.statusCode!,
          headers: { 'content-type': h['content-type'], 'content-length': h['content-length'], allow: h.allow as string | undefined, 'cache-control': h['cache-control'], 'x-content-type-options': h['x-content-type-options'] as string | undefined },
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    req.end(sent.body);
  });
}

const json = { 'Content-Type': 'application/json', 'X-Webhook-Token': TOKEN };
const VALID = '{"event_name":"Placed Order","event_id":"o-1","properties":{"id":"1","total_price":1,"currency":"USD"},"aliases":["urn:email:a@example.com"]}';

const cases: Array<[string, Sent]> = [
  ['no token', { headers: { 'Content-Type': 'application/json' }, body: VALID }],
  ['an empty token', { headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': '' }, body: VALID }],
  ['a wrong token', { headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': `${TOKEN}x` }, body: VALID }],
  ['GET on the endpoint', { method: 'GET' }],
  ['PUT on the endpoint', { method: 'PUT', headers: json, body: VALID }],
  ['a declared length over 1 MiB', { headers: { ...json, 'Content-Length': String(2 * 1024 * 1024) }, body: '' }],
  ['a streamed body over 1 MiB', { headers: json, body: `{"x":"${'a'.repeat(1024 * 1024)}"}` }],
  ['no Content-Type', { headers: { 'X-Webhook-Token': TOKEN }, body: VALID }],
  ['text/plain', { headers: { ...json, 'Content-Type': 'text/plain' }, body: VALID }],
  ['charset latin1', { headers: { ...json, 'Content-Type': 'application/json; charset=latin1' }, body: VALID }],
  ['charset "UTF-8" quoted', { headers: { ...json, 'Content-Type': 'application/json; charset="UTF-8"' }, body: '[]' }],
  ['Content-Encoding gzip', { headers: { ...json, 'Content-Encoding': 'gzip' }, body: VALID }],
  ['an empty body', { headers: json, body: '' }],
  ['a body that is not JSON', { headers: json, body: '{"event_name": "x",' }],
  ['bytes that are not UTF-8', { headers: json, body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) }],
  ['an array', { headers: json, body: '[]' }],
  ['missing fields', { headers: json, body: '{}' }],
  ['wrong types', { headers: json, body: '{"event_name":1,"event_id":[],"properties":"x"}' }],
  ['more than 100 violations', { headers: json, body: `{"event_name":"x","event_id":"y","properties":{},"aliases":[${Array.from({ length: 150 }, () => '""').join(',')}]}` }],
  ['an unknown path', { path: '/api/webhook', headers: json, body: VALID }],
  ['a path below the endpoint', { path: '/api/webhooks/x', headers: json, body: VALID }],
  ['GET /', { method: 'GET', path: '/' }],
  ['DELETE /api/events', { method: 'DELETE', path: '/api/events' }],
  ['POST /api/events', { method: 'POST', path: '/api/events', headers: json, body: VALID }],
  ['POST /logs', { method: 'POST', path: '/logs', body: '' }],
  ['/api/events?limit=0', { method: 'GET', path: '/api/events?limit=0' }],
  ['/api/events?since=yesterday', { method: 'GET', path: '/api/events?since=yesterday' }],
  ['/api/events?limit=1&limit=2', { method: 'GET', path: '/api/events?limit=1&limit=2' }],
];

describe('the contract-driven core serving spec/converge/contract.yaml answers as the Converge sandbox does', () => {
  it.each(cases)('%s: the same status, headers and bytes', async (_why, sent) => {
    const [a, b] = await Promise.all([send(converge.url, sent), send(core.url, sent)]);
    expect(b).toEqual(a);
    expect(a.status).toBeGreaterThanOrEqual(200);
  });

  it('stored nothing on either (every case above is refused or reads)', () => {
    expect([converge.count(), core.count()]).toEqual([0, 0]);
  });
});

describe('every Converge example, sent to both: the same answer, byte for byte', () => {
  const examples = (kind: 'valid' | 'invalid') =>
    (YAML.parse(readFileSync(join(root, 'spec/converge/examples', `${kind}.yaml`), 'utf8')) as Array<{ file: string }>).map((e) => [e.file] as const);

  it.each([...examples('valid'), ...examples('invalid')])('%s, then its replay', async (file) => {
    const body = readFileSync(join(root, 'spec/converge/examples', file));
    for (const round of ['first', 'replay']) {
      const [a, b] = await Promise.all([send(converge.url, { headers: json, body }), send(core.url, { headers: json, body })]);
      expect(b, round).toEqual(a);
    }
  });

  it('stored the same number of events (each valid example once)', () => {
    expect(core.count()).toBe(converge.count());
    expect(converge.count()).toBeGreaterThan(0);
  });

  // The times of receipt differ by the milliseconds between the two requests: the rest is compared byte for byte.
  const untimed = (got: Got) => ({ ...got, body: got.body.replace(/"received_at":"[^"]+"/g, '"received_at":"T"'), headers: { ...got.headers, 'content-length': undefined } });
  it.each([
    '/api/events',
    '/api/events?event_name=Placed%20Order',
    '/api/events?event_name=Placed%20Order&limit=2',
    '/api/events?event_id=order-10332',
    '/api/events?event_name=&event_id=',
    '/api/events?since=3&limit=5',
    `/api/events?since=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&limit=1`,
    '/api/events?kind=event',
    '/api/events?email=a',
  ])('GET %s: the same records (members, order, filters), the same errors', async (path) => {
    const [a, b] = await Promise.all([send(converge.url, { method: 'GET', path }), send(core.url, { method: 'GET', path })]);
    expect(untimed(b)).toEqual(untimed(a));
    expect(a.body.length).toBeGreaterThan(2);
  });

  it('HEAD /api/events: the same headers, no body', async () => {
    const [a, b] = await Promise.all([send(converge.url, { method: 'HEAD', path: '/api/events' }), send(core.url, { method: 'HEAD', path: '/api/events' })]);
    expect(b).toEqual(a);
  });
});

describe('the log lines', () => {
  it('every request above got the same line from both (the token masked, the event named and quoted)', () => {
    expect(lines.core.length).toBeGreaterThan(100);
    expect(lines.core).toEqual(lines.converge);
    expect(lines.converge.some((l) => l.startsWith('200  "Placed Order"') && l.endsWith('token pari****'))).toBe(true);
    expect(lines.converge.some((l) => l.includes('duplicate (already stored, dropped)'))).toBe(true);
    expect(lines.converge.some((l) => l.startsWith('400  rejected: '))).toBe(true);
    expect(lines.converge.some((l) => l.startsWith('415  '))).toBe(true);
  });
});

describe('the start-up block the core prints for a header-token contract', () => {
  it("shows the token once, and the token's header in the curl line", async () => {
    const block = startupBlock(await loadContractRuntime('converge'), core, undefined, false);
    expect(block).toContain(`  token     ${TOKEN}   (shown once; pari**** from now on)\n`);
    expect(block).toContain(`  curl -i -X POST ${core.url}/api/webhooks \\\n    -H 'Content-Type: application/json' -H 'X-Webhook-Token: ${TOKEN}' \\\n    -d '{`);
  });
});
