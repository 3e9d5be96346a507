/**
 * The sandbox serving the ProveSource contract (`sandbox --contract provesource`), over real
 * HTTP on loopback: every example of its manifests with its Content-Type (conversion examples
 * to the conversion webhook's id), with the exact status and codes; unknown ids; mismatched
 * content types; bare POSTs; /api/events; the CLI's start-up block; /logs in Chromium.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { loadContractRuntime } from '../src/contract-runtime.js';
import { startContractSandbox, type RunningContractSandbox, type StoredDelivery } from '../src/sandbox/contract-sandbox.js';
import { launchChromium, skipBrowserTests } from './fixtures/browser.js';
import { exchange } from './fixtures/hostile-http.js';
import { keys, root, spawnCli } from './helpers.js';

const EXAMPLES = 'spec/provesource/examples';
const STREAM_ID = '0123456789abcdef0123456789abcdef';
const CONVERSION_ID = 'fedcba9876543210fedcba9876543210';

interface Entry {
  file: string;
  kind: 'stream' | 'conversion';
  contentType: string | null;
  status: number;
  errors?: Array<{ code: string; pointer: string }>;
  warnings: Array<{ code: string; pointer: string }>;
}

function entries(kind: 'valid' | 'invalid'): Entry[] {
  return YAML.parse(readFileSync(join(root, EXAMPLES, `${kind}.yaml`), 'utf8')) as Entry[];
}

function bytes(file: string): Buffer {
  return readFileSync(join(root, EXAMPLES, file));
}

let sandbox: RunningContractSandbox;

beforeAll(async () => {
  const runtime = await loadContractRuntime('provesource');
  sandbox = await startContractSandbox(runtime, { inMemory: true, secrets: { stream: STREAM_ID, conversion: CONVERSION_ID } });
});

afterAll(async () => {
  await sandbox?.stop();
});

function post(id: string, body: Buffer | string | undefined, contentType: string | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers['Content-Type'] = contentType;
  return fetch(`${sandbox.url}/webhooks/track/${id}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
}

const idOf = (kind: string) => (kind === 'conversion' ? CONVERSION_ID : STREAM_ID);

describe('every ProveSource example over HTTP, with its Content-Type', () => {
  it.each(entries('valid').map((e) => [e.file, e] as const))('valid %s: 200, its kind, its exact warnings, stored', async (_file, entry) => {
    const before = sandbox.count();
    const res = await post(idOf(entry.kind), bytes(entry.file), entry.contentType);
    const answer = (await res.json()) as { status: string; kind: string; warnings: Array<{ code: string; pointer: string }> };
    expect(res.status).toBe(entry.status);
    expect(answer.status).toBe('accepted');
    expect(answer.kind).toBe(entry.kind);
    expect(keys(answer.warnings)).toEqual(keys(entry.warnings));
    expect(sandbox.count()).toBe(before + 1);
    const [stored] = sandbox.events({ limit: 1 });
    expect(stored!.kind).toBe(entry.kind);
    expect(keys(stored!.warnings)).toEqual(keys(entry.warnings));
  });

  it.each(entries('invalid').map((e) => [e.file, e] as const))('invalid %s: its status, its exact errors and warnings, nothing stored', async (_file, entry) => {
    const before = sandbox.count();
    const res = await post(idOf(entry.kind), bytes(entry.file), entry.contentType);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const problem = (await res.json()) as { status: number; violations: Array<{ code: string; pointer: string }>; warnings: Array<{ code: string; pointer: string }> };
    expect(res.status).toBe(entry.status);
    expect(problem.status).toBe(entry.status);
    expect(keys(problem.violations)).toEqual(keys(entry.errors ?? []));
    expect(keys(problem.warnings)).toEqual(keys(entry.warnings));
    expect(sandbox.count()).toBe(before);
  });
});

describe('the webhook ids', () => {
  it('an unknown id is the contract refusal status (404), a problem, and stores nothing', async () => {
    const before = sandbox.count();
    for (const id of ['ffffffffffffffffffffffffffffffff', STREAM_ID.slice(0, -1), `${STREAM_ID}0`, STREAM_ID.toUpperCase()]) {
      const res = await post(id, '{"email":"a@example.com"}', 'application/json');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      const problem = (await res.json()) as { title: string; detail: string };
      expect(problem.title).toBe('Not Found');
      expect(problem.detail).toBe('No webhook has this webhookId: use the URL printed when the sandbox started.');
      expect(JSON.stringify(problem)).not.toContain(STREAM_ID);
    }
    expect((await fetch(`${sandbox.url}/webhooks/track/`, { method: 'POST' })).status).toBe(404);
    expect(sandbox.count()).toBe(before);
  });

  it('a GET to a webhook is 405 with Allow: POST', async () => {
    const res = await fetch(`${sandbox.url}/webhooks/track/${STREAM_ID}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('refuses ids that are not one path segment, and two equal ids', async () => {
    const runtime = await loadContractRuntime('provesource');
    await expect(startContractSandbox(runtime, { inMemory: true, secrets: { stream: 'a/b' } })).rejects.toThrow('stream id: expected one URL path segment');
    await expect(startContractSandbox(runtime, { inMemory: true, secrets: { stream: 'same', conversion: 'same' } })).rejects.toThrow('the ids of stream and conversion must differ');
  });
});

describe('content types', () => {
  const cases: Array<[string, number, string, string, string]> = [
    ['a JSON body declared as a form', 400, 'content-type-mismatch', '{"email":"a@example.com"}', 'application/x-www-form-urlencoded'],
    ['a form body declared as JSON', 400, 'content-type-mismatch', 'email=a%40example.com&firstName=Ann', 'application/json'],
    ['text/plain', 415, 'unsupported-media-type', '{"email":"a@example.com"}', 'text/plain'],
    ['multipart/form-data', 415, 'unsupported-media-type', 'email=a@example.com', 'multipart/form-data; boundary=x'],
  ];
  it.each(cases)('%s: %i %s', async (_why, status, code, body, type) => {
    const res = await post(STREAM_ID, body, type);
    expect(res.status).toBe(status);
    const problem = (await res.json()) as { violations: Array<{ code: string; pointer: string }> };
    expect(keys(problem.violations)).toEqual([`${code} `]);
  });

  it('the same notification as JSON and as a form is stored as the same body', async () => {
    await fetch(`${sandbox.url}/api/events`, { method: 'DELETE' });
    expect((await post(STREAM_ID, '{"email":"same@example.com","total":5,"products":[{"name":"A","link":"https://a.example/a","price":5}]}', 'application/json')).status).toBe(200);
    expect((await post(STREAM_ID, 'email=same%40example.com&total=5&products[0][name]=A&products[0][link]=https%3A%2F%2Fa.example%2Fa&products[0][price]=5', 'application/x-www-form-urlencoded')).status).toBe(200);
    const [form, json] = sandbox.events();
    expect(form!.body).toEqual(json!.body);
    expect(json!.body).toEqual({ email: 'same@example.com', total: 5, products: [{ name: 'A', link: 'https://a.example/a', price: 5 }] });
  });
});

describe('the conversion webhook', () => {
  it('a bare POST counts one; a body is not read; a stream body to it is not validated', async () => {
    await fetch(`${sandbox.url}/api/events`, { method: 'DELETE' });
    const bare = await fetch(`${sandbox.url}/webhooks/track/${CONVERSION_ID}`, { method: 'POST' });
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ status: 'accepted', kind: 'conversion', warnings: [] });
    expect((await post(CONVERSION_ID, 'not json at all {', 'application/json')).status).toBe(200);
    expect((await post(CONVERSION_ID, Buffer.alloc(10, 0xff), 'text/plain')).status).toBe(200);
    // Not read, so not limited either: a body over bodyLimit still counts one conversion.
    expect((await post(CONVERSION_ID, Buffer.alloc(2 * 1024 * 1024, 0x61), 'application/octet-stream')).status).toBe(200);
    expect(sandbox.count()).toBe(4);
    expect(sandbox.events().map((e) => [e.kind, e.body])).toEqual([
      ['conversion', null],
      ['conversion', null],
      ['conversion', null],
      ['conversion', null],
    ]);
  });

  it('a bare POST to the stream webhook is empty-body, 400', async () => {
    const res = await fetch(`${sandbox.url}/webhooks/track/${STREAM_ID}`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(keys(((await res.json()) as { violations: Array<{ code: string; pointer: string }> }).violations)).toEqual(['empty-body ']);
  });

  it('repeats are stored, every one (the contract declares no deduplication)', async () => {
    await fetch(`${sandbox.url}/api/events`, { method: 'DELETE' });
    for (let i = 0; i < 3; i += 1) expect((await post(STREAM_ID, '{"email":"again@example.com"}', 'application/json')).status).toBe(200);
    expect(sandbox.count()).toBe(3);
  });
});

describe('body limit', () => {
  it('a body over contract.yaml bodyLimit (1 MiB) is 413, declared or streamed without a length', async () => {
    const before = sandbox.count();
    const big = `{"email":"a@example.com","x":"${'a'.repeat(1024 * 1024)}"}`;
    const declared = await post(STREAM_ID, big, 'application/json');
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { title: string }).title).toBe('Payload Too Large');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i += 1) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"email":"a@example.com","x":"' : 'a'.repeat(64 * 1024)));
        controller.close();
      },
    });
    const streamed = await fetch(`${sandbox.url}/webhooks/track/${STREAM_ID}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(streamed.status).toBe(413);
    // Exactly the limit is not over it.
    const exact = `{"email":"a@example.com","x":"${'a'.repeat(1024 * 1024 - 32)}"}`;
    expect(Buffer.byteLength(exact)).toBe(1024 * 1024);
    expect((await post(STREAM_ID, exact, 'application/json')).status).toBe(200);
    expect(sandbox.count()).toBe(before + 1);
  });
});

describe('hostile requests', () => {
  const port = () => Number(new URL(sandbox.url).port);

  it('Expect: 100-continue to an unknown id is refused before the body is sent', async () => {
    const head = `POST /webhooks/track/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n`;
    const result = await exchange(port(), [head], { expect: 1 });
    expect(result.responses.map((r) => r.status)).toEqual([404]);
  });

  it('a request that is not HTTP gets a 400 problem; odd paths get 404 and the sandbox keeps serving', async () => {
    const broken = await exchange(port(), ['POST /webhooks/track/x HTTP/1.1\r\nHost\r\n\r\n']);
    expect(broken.responses.map((r) => [r.status, r.headers['content-type']])).toEqual([[400, 'application/problem+json; charset=utf-8']]);
    for (const path of ['/webhooks/track/%', '/webhooks/track/%E0%A4%A', `/webhooks/track/${STREAM_ID}/extra`, '/webhooks/track/..%2F..%2Fapi%2Fevents', `/webhooks/track/${'a'.repeat(8000)}`]) {
      const res = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"email":"a@example.com"}' });
      expect(res.status, path).toBe(404);
    }
    expect((await post(STREAM_ID, '{"email":"still@example.com"}', 'application/json')).status).toBe(200);
  });

  it('a percent-encoded id is the id it decodes to', async () => {
    const encoded = [...STREAM_ID].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    expect((await post(encoded, '{"email":"enc@example.com"}', 'application/json')).status).toBe(200);
  });
});

describe('GET /api/events', () => {
  it('shows the kind and the body; filters kind and email (logs.filters), since and limit', async () => {
    await fetch(`${sandbox.url}/api/events`, { method: 'DELETE' });
    await post(STREAM_ID, bytes('valid/seed-all-blocks.json'), 'application/json');
    await post(CONVERSION_ID, undefined, null);
    await post(STREAM_ID, 'email=other%40example.com', 'application/x-www-form-urlencoded');
    const all = (await (await fetch(`${sandbox.url}/api/events`)).json()) as StoredDelivery[];
    expect(all.map((e) => [e.id, e.kind])).toEqual([
      [3, 'stream'],
      [2, 'conversion'],
      [1, 'stream'],
    ]);
    expect(all[2]!.body).toEqual(JSON.parse(bytes('valid/seed-all-blocks.json').toString('utf8')));
    expect(all[0]!.body).toEqual({ email: 'other@example.com' });
    expect(all[1]!.body).toBeNull();
    expect(Object.keys(all[0]!).sort()).toEqual(['body', 'id', 'kind', 'received_at', 'warnings']);
    const get = async (query: string) => ((await (await fetch(`${sandbox.url}/api/events?${query}`)).json()) as StoredDelivery[]).map((e) => e.id);
    expect(await get('kind=conversion')).toEqual([2]);
    expect(await get('kind=stream')).toEqual([3, 1]);
    expect(await get('email=test%40gmail.com')).toEqual([1]);
    expect(await get('since=1')).toEqual([3, 2]);
    expect(await get('limit=1')).toEqual([3]);
    const unknown = await fetch(`${sandbox.url}/api/events?event_name=x`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { detail: string }).detail).toBe('Unknown query parameter "event_name": expected kind, email, since or limit.');
  });
});

describe('the CLI: sandbox --contract provesource', () => {
  it('prints both ids once in the start-up block, and masks them in every request line', async () => {
    const cli = spawnCli(['sandbox', '--contract', 'provesource', '--memory', '--port', '0', '--webhook-id', STREAM_ID, '--conversion-id', CONVERSION_ID]);
    try {
      const [, base] = await cli.waitFor(/^ProveSource custom webhook sandbox listening on (http:\/\/127\.0\.0\.1:\d+)\n/m);
      await cli.waitFor(/Press Ctrl-C to stop\. Requests:\n/);
      const block = cli.stdout();
      expect(block).toContain(`  stream      POST ${base}/webhooks/track/${STREAM_ID}   (the id is the secret: shown once; 0123**** from now on)\n`);
      expect(block).toContain(`  conversion  POST ${base}/webhooks/track/${CONVERSION_ID}   (the id is the secret: shown once; fedc**** from now on)\n`);
      expect(block).toContain(`  curl -i -X POST ${base}/webhooks/track/${CONVERSION_ID}\n`);
      const length = block.length;
      expect((await fetch(`${base}/webhooks/track/${STREAM_ID}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"email":"a@example.com"}' })).status).toBe(200);
      expect((await fetch(`${base}/webhooks/track/${CONVERSION_ID}`, { method: 'POST' })).status).toBe(200);
      expect((await fetch(`${base}/webhooks/track/nope`, { method: 'POST' })).status).toBe(404);
      await cli.waitFor(/secret unknown\n/);
      const after = cli.stdout().slice(length);
      expect(after).toMatch(/ 200 {2}stream {2}stored #1 {2}secret 0123\*\*\*\*\n/);
      expect(after).toMatch(/ 200 {2}conversion {2}stored #2 {2}secret fedc\*\*\*\*\n/);
      expect(after).not.toContain(STREAM_ID);
      expect(after).not.toContain(CONVERSION_ID);
      const events = await (await fetch(`${base}/api/events`)).text();
      const logs = await (await fetch(`${base}/logs`)).text();
      for (const text of [events, logs]) {
        expect(text).not.toContain(STREAM_ID);
        expect(text).not.toContain(CONVERSION_ID);
      }
    } finally {
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
    }
  });

  it('random 32-hex ids when none are given, different each start', async () => {
    const cli = spawnCli(['sandbox', '--contract', 'provesource', '--memory', '--port', '0', '--json', '--quiet']);
    try {
      const [line] = await cli.waitFor(/^\{"event":"listening".*\n/m);
      const listening = JSON.parse(line) as { contract: string; secrets: Record<string, string>; urls: Record<string, string> };
      expect(listening.contract).toBe('provesource');
      expect(Object.keys(listening.secrets).sort()).toEqual(['conversion', 'stream']);
      for (const id of Object.values(listening.secrets)) expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(listening.secrets.stream).not.toBe(listening.secrets.conversion);
      expect(listening.urls.stream).toMatch(new RegExp(`/webhooks/track/${listening.secrets.stream}$`));
    } finally {
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
    }
  });

  it('reads PROVESOURCE_WEBHOOK_ID and PROVESOURCE_CONVERSION_ID (contract.yaml env) when the options are not given; an option wins', async () => {
    const env = { ...process.env, PROVESOURCE_WEBHOOK_ID: 'env-stream-id-0001', PROVESOURCE_CONVERSION_ID: 'env-conversion-id-0002' };
    const fromEnv = spawnCli(['sandbox', '--contract', 'provesource', '--memory', '--port', '0', '--json', '--quiet'], { env });
    try {
      const [line] = await fromEnv.waitFor(/^\{"event":"listening".*\n/m);
      const listening = JSON.parse(line) as { secrets: Record<string, string>; urls: Record<string, string> };
      expect(listening.secrets).toEqual({ stream: 'env-stream-id-0001', conversion: 'env-conversion-id-0002' });
      expect((await fetch(listening.urls.conversion!, { method: 'POST' })).status).toBe(200);
    } finally {
      fromEnv.child.kill('SIGINT');
      expect(await fromEnv.exited).toBe(0);
    }
    const option = spawnCli(['sandbox', '--contract', 'provesource', '--memory', '--port', '0', '--json', '--quiet', '--webhook-id', STREAM_ID], { env });
    try {
      const [line] = await option.waitFor(/^\{"event":"listening".*\n/m);
      expect((JSON.parse(line) as { secrets: Record<string, string> }).secrets).toEqual({ stream: STREAM_ID, conversion: 'env-conversion-id-0002' });
    } finally {
      option.child.kill('SIGINT');
      expect(await option.exited).toBe(0);
    }
    const bad = spawnCli(['sandbox', '--contract', 'provesource', '--memory', '--port', '0'], { env: { ...env, PROVESOURCE_CONVERSION_ID: 'a/b' } });
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--conversion-id (from $PROVESOURCE_CONVERSION_ID): conversion id: expected one URL path segment');
  });

  it('usage errors: an id that is not a path segment, Converge options', async () => {
    const bad = spawnCli(['sandbox', '--contract', 'provesource', '--memory', '--port', '0', '--webhook-id', 'a/b']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--webhook-id: stream id: expected one URL path segment');
    const token = spawnCli(['sandbox', '--contract', 'provesource', '--memory', '--token', 'x']);
    expect(await token.exited).toBe(2);
    expect(token.stderr()).toContain("Unknown option '--token'");
    const same = spawnCli(['sandbox', '--contract', 'provesource', '--memory', '--port', '0', '--webhook-id', 'abc', '--conversion-id', 'abc']);
    expect(await same.exited).toBe(2);
    expect(same.stderr()).toContain('the ids of stream and conversion must differ');
  });

  it('--contract: an unknown id is a usage error; webengage (query-md5 auth) is served; converge is the default sandbox', async () => {
    const unknown = spawnCli(['sandbox', '--contract', 'nope', '--memory']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toMatch(/--contract: expected one of converge, .*provesource.*, found "nope"/);
    const missing = spawnCli(['sandbox', '--memory', '--contract']);
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toContain('--contract: expected a contract id, found nothing');
    const webengage = spawnCli(['sandbox', '--contract', 'webengage', '--memory', '--port', '0']);
    try {
      await webengage.waitFor(/^WebEngage webhooks sandbox listening on http:\/\/127\.0\.0\.1:\d+\n/m);
    } finally {
      webengage.child.kill('SIGINT');
      expect(await webengage.exited).toBe(0);
    }
    const converge = spawnCli(['sandbox', '--contract', 'converge', '--memory', '--port', '0', '--token', 'converge-token-0123456789']);
    try {
      await converge.waitFor(/^Converge server-side webhook sandbox listening on http:\/\/127\.0\.0\.1:\d+\n {2}endpoint {2}POST http:\/\/127\.0\.0\.1:\d+\/api\/webhooks\n/m);
    } finally {
      converge.child.kill('SIGINT');
      expect(await converge.exited).toBe(0);
    }
  });
});

describe.skipIf(skipBrowserTests)('/logs in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the declared columns (logs.columns) and one row per delivery with its values', async () => {
    await fetch(`${sandbox.url}/api/events`, { method: 'DELETE' });
    await post(STREAM_ID, bytes('valid/seed-all-blocks.json'), 'application/json');
    await post(CONVERSION_ID, undefined, null);
    await post(STREAM_ID, '{"email":"p@example.com","currency":"usd","products":[{"name":"Cheap","link":"https://s.example/c","price":1},{"name":"Dear","link":"https://s.example/d","price":9}]}', 'application/json');
    await page.goto(`${sandbox.url}/logs`);
    const headers = await page.locator('[data-testid="columns"] [role="columnheader"]').allTextContents();
    expect(headers).toEqual(['Time', 'Kind', 'Email', 'Product', 'Total', 'Currency', 'Warnings']);
    const rows = page.locator('li.event');
    expect(await rows.count()).toBe(3);
    const cells = async (i: number) => (await rows.nth(i).locator('summary .cell').allTextContents()).slice(1);
    expect(await cells(0)).toEqual(['stream', 'p@example.com', 'Dear', '', 'usd', '1 warning: currency-code']);
    expect(await cells(1)).toEqual(['conversion', '', '', '', '', 'no warnings']);
    expect(await cells(2)).toEqual(['stream', 'test@gmail.com', 'Sneakers', '55', 'USD', 'no warnings']);
    expect(await page.getByTestId('summary').textContent()).toBe('3 deliveries (3 deliveries stored).');
    await page.selectOption('select[name="kind"]', 'conversion');
    await page.click('button[type="submit"]');
    await page.waitForURL(/kind=conversion/);
    expect(await page.locator('li.event').count()).toBe(1);
    expect(await page.getByTestId('summary').textContent()).toBe('1 delivery to "conversion" (3 deliveries stored).');
  });
});
