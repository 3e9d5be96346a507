/**
 * The sandbox serving the WebEngage contract (`sandbox --contract webengage`), a reference
 * receiver, over real HTTP on loopback: every delivery of the manifests as WebEngage makes it
 * (query eventType, licenseCode, secret; x-request-id; JSON), with the manifest's status and
 * exact codes; the secret refusals; replay dedupe on x-request-id; --path; /api/events filters;
 * the CLI's start-up block and log lines (secret and key masked); /logs in Chromium.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { loadContractRuntime, type ContractRuntime } from '../src/contract-runtime.js';
import { startContractSandbox, type RunningContractSandbox, type StoredDelivery } from '../src/sandbox/contract-sandbox.js';
import { launchChromium, skipBrowserTests } from './fixtures/browser.js';
import { root, spawnCli } from './helpers.js';

const EXAMPLES = 'spec/webengage/examples';

interface Entry {
  file: string;
  webhook: string;
  eventType: string;
  licenseCode: string;
  secretKey: string;
  delivery?: { secretKey?: string; secret?: string | null; licenseCode?: string; eventType?: string | null; requestId?: string | null };
  status: number;
  errors?: Array<{ code: string; pointer?: string; in?: string; name?: string }>;
  warnings: Array<{ code: string; pointer: string }>;
}

type Listed = { code: string; pointer?: string; in?: string; name?: string };
/** A violation as one comparable string: a body's by pointer, a request parameter's by place and name. */
const key = (v: Listed) => (v.pointer !== undefined ? `${v.code} ${v.pointer}` : `${v.code} ${v.in}:${v.name}`);
const keys = (list: readonly Listed[]) => list.map(key).sort();

function entries(kind: 'valid' | 'invalid'): Entry[] {
  return YAML.parse(readFileSync(join(root, EXAMPLES, `${kind}.yaml`), 'utf8')) as Entry[];
}

/** The secret WebEngage sends, computed here with node:crypto (not with the package's MD5). */
const secretOf = (licenseCode: string, secretKey: string) => createHash('md5').update(`${licenseCode}:${secretKey}`, 'utf8').digest('hex');
const hex32 = () => randomBytes(16).toString('hex');

const ACCOUNTS = [
  { licenseCode: '~99199077', secretKey: 'test-key-webengage-1' },
  { licenseCode: '311c48b3', secretKey: 'test-key-webengage-2' },
];

let runtime: ContractRuntime;
/** One receiver per account of the manifests, by license code. */
const sandboxes = new Map<string, RunningContractSandbox>();
const A = () => sandboxes.get('~99199077')!;

beforeAll(async () => {
  runtime = await loadContractRuntime('webengage');
  for (const account of ACCOUNTS) sandboxes.set(account.licenseCode, await startContractSandbox(runtime, { inMemory: true, secrets: account }));
});

afterAll(async () => {
  for (const sandbox of sandboxes.values()) await sandbox.stop();
});

const pathOf = (webhook: string) => runtime.operations.find((o) => o.id === webhook)!.path;

interface Delivery {
  webhook: string;
  body: Buffer | string;
  query: Record<string, string | undefined>;
  requestId?: string | undefined;
}

function deliver(sandbox: RunningContractSandbox, d: Delivery, prefix = ''): Promise<Response> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(d.query)) if (value !== undefined) query.set(name, value);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (d.requestId !== undefined) headers['x-request-id'] = d.requestId;
  return fetch(`${sandbox.url}${prefix}${pathOf(d.webhook)}?${query}`, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(10_000) });
}

/** The delivery a manifest entry describes: WebEngage's, with the entry's `delivery` changes. */
function asDelivery(entry: Entry): Delivery {
  const change = entry.delivery ?? {};
  const licenseCode = change.licenseCode ?? entry.licenseCode;
  const secret = 'secret' in change ? (change.secret ?? undefined) : secretOf(licenseCode, change.secretKey ?? entry.secretKey);
  return {
    webhook: entry.webhook,
    body: readFileSync(join(root, EXAMPLES, entry.file)),
    query: { eventType: 'eventType' in change ? (change.eventType ?? undefined) : entry.eventType, licenseCode, secret },
    requestId: 'requestId' in change ? (change.requestId ?? undefined) : hex32(),
  };
}

interface Answer {
  status: string;
  kind: string;
  request_id: string | null;
  duplicate: boolean;
  violations: Listed[];
  warnings: Listed[];
}

describe('every WebEngage manifest delivery over HTTP, to the receiver of its account', () => {
  it.each(entries('valid').map((e, i) => [`${i} ${e.webhook} ${e.file}`, e] as const))('valid %s: 200, no violation, its exact warnings, stored once', async (_name, entry) => {
    const sandbox = sandboxes.get(entry.licenseCode)!;
    const before = sandbox.count();
    const delivery = asDelivery(entry);
    const res = await deliver(sandbox, delivery);
    expect(res.status).toBe(entry.status);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(answer).toMatchObject({ status: 'accepted', kind: entry.webhook, request_id: delivery.requestId, duplicate: false, violations: [] });
    expect(keys(answer.warnings)).toEqual(keys(entry.warnings));
    expect(sandbox.count()).toBe(before + 1);
    const [stored] = sandbox.events({ limit: 1 });
    expect(stored!.kind).toBe(entry.webhook);
    expect(keys(stored!.warnings)).toEqual(keys(entry.warnings));
    expect(stored!.body).toEqual(JSON.parse(readFileSync(join(root, EXAMPLES, entry.file), 'utf8')));
  });

  it.each(entries('invalid').map((e, i) => [`${i} ${e.webhook} ${e.file}`, e] as const))('invalid %s: its status and exact codes; stored (200) or refused (401)', async (_name, entry) => {
    const sandbox = sandboxes.get(entry.licenseCode)!;
    const before = sandbox.count();
    const res = await deliver(sandbox, asDelivery(entry));
    expect(res.status).toBe(entry.status);
    if (entry.status === 401) {
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      const problem = (await res.json()) as { status: number; title: string; violations: Listed[] };
      expect(problem.status).toBe(401);
      expect(problem.title).toBe('Unauthorized');
      expect(keys(problem.violations)).toEqual(keys(entry.errors ?? []));
      expect(sandbox.count()).toBe(before);
    } else {
      const answer = (await res.json()) as Answer;
      expect(answer.status).toBe('accepted');
      expect(keys(answer.violations)).toEqual(keys(entry.errors ?? []));
      expect(keys(answer.warnings)).toEqual(keys(entry.warnings));
      expect(sandbox.count()).toBe(before + 1);
      const [stored] = sandbox.events({ limit: 1 }) as Array<StoredDelivery & { violations: Listed[] }>;
      expect(keys(stored!.violations)).toEqual(keys(entry.errors ?? []));
    }
  });

  it('a body that is not JSON is stored as its text (a JSON string), beside its invalid-json violation', async () => {
    const res = await deliver(A(), { webhook: 'events', body: '// a comment\n{"event_name":"x"}', query: { eventType: 'x', licenseCode: '~99199077', secret: secretOf('~99199077', 'test-key-webengage-1') }, requestId: hex32() });
    expect(res.status).toBe(200);
    const [stored] = A().events({ limit: 1 });
    expect(stored!.body).toBe('// a comment\n{"event_name":"x"}');
  });
});

describe('the secret', () => {
  const good = { eventType: 'push_notification_accepted', licenseCode: '~99199077', secret: secretOf('~99199077', 'test-key-webengage-1') };
  const body = readFileSync(join(root, EXAMPLES, 'valid/seed-push-notification-accepted.json'));
  const cases: Array<[string, Record<string, string | undefined>, string, string]> = [
    ['missing', { ...good, secret: undefined }, 'secret-missing', 'secret'],
    ['empty', { ...good, secret: '' }, 'secret-missing', 'secret'],
    ['another key', { ...good, secret: secretOf('~99199077', 'another-key') }, 'secret-mismatch', 'secret'],
    ['upper-case hex', { ...good, secret: good.secret.toUpperCase() }, 'secret-mismatch', 'secret'],
    ['another licenseCode with its own right secret', { ...good, licenseCode: '311c48b3', secret: secretOf('311c48b3', 'test-key-webengage-1') }, 'license-code-mismatch', 'licenseCode'],
    ['no licenseCode', { ...good, licenseCode: undefined }, 'license-code-mismatch', 'licenseCode'],
  ];
  it.each(cases)('%s: 401, a problem naming its code, nothing stored, no secret echoed', async (_why, query, code, name) => {
    const before = A().count();
    const res = await deliver(A(), { webhook: 'events', body, query, requestId: hex32() });
    expect(res.status).toBe(401);
    const text = await res.text();
    const problem = JSON.parse(text) as { violations: Listed[] };
    expect(problem.violations.map((v) => [v.code, v.in, v.name])).toEqual([[code, 'query', name]]);
    expect(text).not.toContain(good.secret);
    expect(text).not.toContain('test-key-webengage-1');
    expect(A().count()).toBe(before);
  });
});

describe('replays: each delivery is stored once per x-request-id', () => {
  const query = { eventType: 'push_notification_accepted', licenseCode: '~99199077', secret: secretOf('~99199077', 'test-key-webengage-1') };
  const body = readFileSync(join(root, EXAMPLES, 'valid/seed-push-notification-accepted.json'));

  it('a replayed x-request-id is answered 200, says duplicate, and is not stored again', async () => {
    await fetch(`${A().url}/api/events`, { method: 'DELETE' });
    const id = hex32();
    const first = (await (await deliver(A(), { webhook: 'events', body, query, requestId: id })).json()) as Answer;
    expect(first).toMatchObject({ request_id: id, duplicate: false });
    for (let i = 0; i < 3; i += 1) {
      const res = await deliver(A(), { webhook: 'events', body, query, requestId: id });
      expect(res.status).toBe(200);
      expect((await res.json()) as Answer).toMatchObject({ status: 'accepted', request_id: id, duplicate: true });
    }
    expect(A().count()).toBe(1);
    // Another id is another delivery, even with the same bytes; a replay to another webhook is the same delivery.
    expect(((await (await deliver(A(), { webhook: 'events', body, query, requestId: hex32() })).json()) as Answer).duplicate).toBe(false);
    expect(((await (await deliver(A(), { webhook: 'globalApplicationEvents', body, query, requestId: id })).json()) as Answer).duplicate).toBe(true);
    expect(A().count()).toBe(2);
  });

  it('concurrent replays of one id store it once', async () => {
    await fetch(`${A().url}/api/events`, { method: 'DELETE' });
    const id = hex32();
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(A(), { webhook: 'events', body, query, requestId: id }).then((r) => r.json() as Promise<Answer>)));
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(A().count()).toBe(1);
  });

  it('deliveries without x-request-id are stored every time (nothing to deduplicate on)', async () => {
    await fetch(`${A().url}/api/events`, { method: 'DELETE' });
    for (let i = 0; i < 2; i += 1) {
      const answer = (await (await deliver(A(), { webhook: 'events', body, query })).json()) as Answer;
      expect(answer.request_id).toBeNull();
      expect(keys(answer.violations)).toEqual(['request-id-missing header:x-request-id']);
    }
    expect(A().count()).toBe(2);
  });
});

describe('GET /api/events', () => {
  it('each record: id, kind, request_id, received_at, violations, warnings, body; filters webhook, event_name, user_id, request_id', async () => {
    const sandbox = sandboxes.get('311c48b3')!;
    await fetch(`${sandbox.url}/api/events`, { method: 'DELETE' });
    const q = (eventType: string) => ({ eventType, licenseCode: '311c48b3', secret: secretOf('311c48b3', 'test-key-webengage-2') });
    const journeyId = hex32();
    await deliver(sandbox, { webhook: 'journey', body: readFileSync(join(root, EXAMPLES, 'valid/seed-journey-activated.json')), query: q('journey_activated'), requestId: journeyId });
    await deliver(sandbox, { webhook: 'events', body: '{"event_name":"cart_viewed","user_id":"u-1"}', query: q('cart_viewed'), requestId: hex32() });
    await deliver(sandbox, { webhook: 'events', body: '{"event_name":"cart_viewed","user_id":"u-2"}', query: q('cart_viewed'), requestId: hex32() });
    const all = (await (await fetch(`${sandbox.url}/api/events`)).json()) as Array<Record<string, unknown>>;
    expect(all.map((e) => [e.id, e.kind])).toEqual([
      [3, 'events'],
      [2, 'events'],
      [1, 'journey'],
    ]);
    expect(Object.keys(all[0]!)).toEqual(['id', 'kind', 'request_id', 'received_at', 'violations', 'warnings', 'body']);
    expect(all[2]!.request_id).toBe(journeyId);
    const get = async (query: string) => ((await (await fetch(`${sandbox.url}/api/events?${query}`)).json()) as Array<{ id: number }>).map((e) => e.id);
    expect(await get('webhook=journey')).toEqual([1]);
    expect(await get('webhook=events')).toEqual([3, 2]);
    expect(await get('event_name=cart_viewed')).toEqual([3, 2]);
    expect(await get('user_id=u-1')).toEqual([2]);
    expect(await get(`request_id=${journeyId}`)).toEqual([1]);
    expect(await get('webhook=events&user_id=u-2')).toEqual([3]);
    expect(await get('since=2')).toEqual([3]);
    expect(await get('limit=1')).toEqual([3]);
    const unknown = await fetch(`${sandbox.url}/api/events?kind=events`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { detail: string }).detail).toBe('Unknown query parameter "kind": expected webhook, event_name, user_id, request_id, since or limit.');
  });
});

describe('pathPrefix (--path)', () => {
  it('serves every webhook below the prefix, and only there', async () => {
    const sandbox = await startContractSandbox(runtime, { inMemory: true, secrets: ACCOUNTS[0], pathPrefix: '/hooks/we' });
    try {
      expect(sandbox.urls.journey).toBe(`${sandbox.url}/hooks/we/webengage/journey`);
      const query = { eventType: 'x', licenseCode: '~99199077', secret: secretOf('~99199077', 'test-key-webengage-1') };
      expect((await deliver(sandbox, { webhook: 'events', body: '{"event_name":"x"}', query, requestId: hex32() }, '/hooks/we')).status).toBe(200);
      const outside = await deliver(sandbox, { webhook: 'events', body: '{"event_name":"x"}', query, requestId: hex32() });
      expect(outside.status).toBe(404);
      expect(((await outside.json()) as { detail: string }).detail).toContain('the endpoints are POST /hooks/we/webengage/events, ');
      expect(sandbox.count()).toBe(1);
    } finally {
      await sandbox.stop();
    }
    for (const bad of ['hooks', '/hooks/', '/a b', '/a?b', '//x', '/%41']) {
      await expect(startContractSandbox(runtime, { inMemory: true, pathPrefix: bad })).rejects.toThrow(/^pathPrefix: expected path segments such as \/hooks/);
    }
  });
});

describe('the CLI: sandbox --contract webengage', () => {
  const KEY = 'cli-secret-key-0123456789';
  const SECRET = secretOf('L-cli-1', KEY);

  it('prints the key and secret once in the start-up block, masks them in every request line, and serves the webhooks', async () => {
    const cli = spawnCli(['sandbox', '--contract', 'webengage', '--memory', '--port', '0', '--license-code', 'L-cli-1', '--secret-key', KEY, '--path', '/hooks']);
    try {
      const [, base] = await cli.waitFor(/^WebEngage webhooks sandbox listening on (http:\/\/127\.0\.0\.1:\d+)\n/m);
      await cli.waitFor(/Press Ctrl-C to stop\. Requests:\n/);
      const block = cli.stdout();
      expect(block).toContain(`  journey                  POST ${base}/hooks/webengage/journey\n`);
      expect(block).toContain('  license-code             L-cli-1\n');
      expect(block).toContain(`  secret-key               ${KEY}   (shown once; cli-**** from now on)\n`);
      expect(block).toContain(`  query                    ?licenseCode=L-cli-1&secret=${SECRET}   (appended to every URL; the secret is shown once, ${SECRET.slice(0, 4)}**** from now on)\n`);
      expect(block).toMatch(new RegExp(`  curl -i -X POST '${base}/hooks/webengage/events\\?eventType=push_notification_accepted&licenseCode=L-cli-1&secret=${SECRET}' \\\\\n    -H 'Content-Type: application/json' -H 'x-request-id: [0-9a-f]{32}' \\\\\n`));
      const length = block.length;
      const query = { eventType: 'x', licenseCode: 'L-cli-1', secret: SECRET };
      const target = { url: base!, count: () => 0 } as unknown as RunningContractSandbox;
      expect((await deliver(target, { webhook: 'events', body: '{"event_name":"x"}', query, requestId: 'abc123' }, '/hooks')).status).toBe(200);
      expect((await deliver(target, { webhook: 'events', body: '{"event_name":"x"}', query, requestId: 'abc123' }, '/hooks')).status).toBe(200);
      expect((await deliver(target, { webhook: 'events', body: '{"event_name":"x"}', query: { ...query, secret: 'f'.repeat(32) }, requestId: 'abc124' }, '/hooks')).status).toBe(401);
      await cli.waitFor(/secret wrong\n/);
      const after = cli.stdout().slice(length);
      expect(after).toMatch(new RegExp(` 200 {2}events {2}"abc123" {2}stored #1 {2}7 warnings \\(recommended-field-missing\\) {2}secret ${SECRET.slice(0, 4)}\\*\\*\\*\\*\n`));
      expect(after).toMatch(/ 200 {2}events {2}"abc123" {2}duplicate \(already stored, dropped\) .*\n/);
      expect(after).toMatch(/ 401 {2}rejected: secret-mismatch {2}secret wrong\n/);
      expect(after).not.toContain(SECRET);
      expect(after).not.toContain(KEY);
      for (const path of ['/api/events', '/logs']) {
        const text = await (await fetch(`${base}${path}`)).text();
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(KEY);
      }
    } finally {
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
    }
  });

  it('reads WEBENGAGE_LICENSE_CODE and WEBENGAGE_SECRET_KEY (contract.yaml env) when the options are not given; an option wins', async () => {
    const env = { ...process.env, WEBENGAGE_LICENSE_CODE: 'L-env-2', WEBENGAGE_SECRET_KEY: 'env-key-0123456789abcdef' };
    const cli = spawnCli(['sandbox', '--contract', 'webengage', '--memory', '--port', '0', '--json', '--quiet', '--license-code', 'L-opt-3'], { env });
    try {
      const [line] = await cli.waitFor(/^\{"event":"listening".*\n/m);
      const listening = JSON.parse(line) as { secrets: Record<string, string>; query: Record<string, string> };
      expect(listening.secrets).toEqual({ secretKey: 'env-key-0123456789abcdef' });
      expect(listening.query).toEqual({ licenseCode: 'L-opt-3', secret: secretOf('L-opt-3', 'env-key-0123456789abcdef') });
    } finally {
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
    }
    const { WEBENGAGE_LICENSE_CODE: _l, WEBENGAGE_SECRET_KEY: _k, ...clean } = process.env;
    const random = spawnCli(['sandbox', '--contract', 'webengage', '--memory', '--port', '0', '--json', '--quiet'], { env: clean });
    try {
      const [line] = await random.waitFor(/^\{"event":"listening".*\n/m);
      const listening = JSON.parse(line) as { secrets: Record<string, string>; query: Record<string, string> };
      expect(listening.query.licenseCode).toMatch(/^[0-9a-f]{8}$/);
      expect(listening.secrets.secretKey).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(listening.query.secret).toBe(secretOf(listening.query.licenseCode!, listening.secrets.secretKey!));
    } finally {
      random.child.kill('SIGINT');
      expect(await random.exited).toBe(0);
    }
  });

  it('usage errors name the option (and the env variable it came from)', async () => {
    const path = spawnCli(['sandbox', '--contract', 'webengage', '--memory', '--port', '0', '--path', 'hooks']);
    expect(await path.exited).toBe(2);
    expect(path.stderr()).toContain('--path: expected path segments such as /hooks');
    const empty = spawnCli(['sandbox', '--contract', 'webengage', '--memory', '--port', '0', '--secret-key', '']);
    expect(await empty.exited).toBe(2);
    expect(empty.stderr()).toContain('--secret-key: secretKey: expected a non-empty text without control characters, found an empty string');
    const control = spawnCli(['sandbox', '--contract', 'webengage', '--memory', '--port', '0'], { env: { ...process.env, WEBENGAGE_LICENSE_CODE: 'a\u0007b' } });
    expect(await control.exited).toBe(2);
    expect(control.stderr()).toContain('--license-code (from $WEBENGAGE_LICENSE_CODE): licenseCode: expected a non-empty text without control characters, found control characters');
    expect(control.stderr()).not.toContain('    at ');
  });

  it('keeps its deliveries in its own store folder across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'we-sandbox-'));
    try {
      for (const round of [1, 2]) {
        const cli = spawnCli(['sandbox', '--contract', 'webengage', '--data', dir, '--port', '0', '--license-code', 'L', '--secret-key', 'K']);
        const [, base] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
        await cli.waitFor(/Press Ctrl-C/);
        expect(cli.stdout()).toContain(`, ${round - 1} deliver${round === 2 ? 'y' : 'ies'} stored`);
        const target = { url: base! } as unknown as RunningContractSandbox;
        expect((await deliver(target, { webhook: 'journey', body: '{"event_name":"journey_activated"}', query: { eventType: 'j', licenseCode: 'L', secret: secretOf('L', 'K') }, requestId: 'ab' })).status).toBe(200);
        cli.child.kill('SIGINT');
        expect(await cli.exited).toBe(0);
        // The replay after the restart is a duplicate: the store remembers the request id.
        expect(cli.stdout()).toContain(round === 1 ? 'stored #1' : 'duplicate (already stored, dropped)');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
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

  it('shows the declared columns (logs.columns), one row per delivery, and filters by webhook', async () => {
    const sandbox = A();
    await fetch(`${sandbox.url}/api/events`, { method: 'DELETE' });
    const query = (eventType: string) => ({ eventType, licenseCode: '~99199077', secret: secretOf('~99199077', 'test-key-webengage-1') });
    await deliver(sandbox, { webhook: 'events', body: readFileSync(join(root, EXAMPLES, 'valid/seed-push-notification-accepted.json')), query: query('push_notification_accepted'), requestId: 'aa01' });
    await deliver(sandbox, { webhook: 'feedback', body: '[]', query: query('FEEDBACK_SUBMIT'), requestId: 'aa02' });
    await deliver(sandbox, { webhook: 'events', body: '{"event_name":"<b>x</b>","user_id":"u-9"}', query: query('x') });
    await page.goto(`${sandbox.url}/logs`);
    const headers = await page.locator('[data-testid="columns"] [role="columnheader"]').allTextContents();
    expect(headers).toEqual(['Time', 'Webhook', 'Event', 'User', 'Event time', 'Request id', 'Violations']);
    const rows = page.locator('li.event');
    expect(await rows.count()).toBe(3);
    const cells = async (i: number) => (await rows.nth(i).locator('summary .cell').allTextContents()).slice(1);
    expect(await cells(0)).toEqual(['events', '<b>x</b>', 'u-9', '', '', '1 error: request-id-missing; 6 warnings: recommended-field-missing']);
    expect(await cells(1)).toEqual(['feedback', '', '', '', 'aa02', '1 error: not-an-object']);
    expect(await cells(2)).toEqual(['events', 'push_notification_accepted', '[email protected]', '2016-06-01T15:53:59+0000', 'aa01', 'none']);
    expect(await page.getByTestId('summary').textContent()).toBe('3 deliveries (3 deliveries stored).');
    await rows.nth(1).locator('summary').click();
    expect(await rows.nth(1).locator('.error-list li').allTextContents()).toEqual([expect.stringMatching(/^not-an-object \(body\) /)]);
    await page.selectOption('select[name="webhook"]', 'feedback');
    await page.click('button[type="submit"]');
    await page.waitForURL(/webhook=feedback/);
    expect(await page.locator('li.event').count()).toBe(1);
    expect(await page.getByTestId('summary').textContent()).toBe('1 delivery to "feedback" (3 deliveries stored).');
  });
});
