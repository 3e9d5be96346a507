/**
 * `converge-webhook send --contract provesource|webengage` on loopback: ProveSource to the
 * contract sandbox (JSON and form bodies, the same event stored for both; a bare POST to the
 * conversion webhook), WebEngage to a small node:http receiver that records each delivery and
 * answers 200, 204 and 401 in turn. Exit codes, masking and usage errors.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { loadContractRuntime } from '../src/contract-runtime.js';
import { startContractSandbox, type RunningContractSandbox } from '../src/sandbox/contract-sandbox.js';
import { cliPath, freePort, root } from './helpers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const ENV_NAMES = ['PROVESOURCE_WEBHOOK_URL', 'PROVESOURCE_CONVERSION_URL', 'WEBENGAGE_POST_URL', 'WEBENGAGE_LICENSE_CODE', 'WEBENGAGE_SECRET_KEY', 'WEBENGAGE_WEBHOOK'];

/** Runs `send` with none of the contracts' variables set unless the test sets them. */
function send(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ENV_NAMES) delete env[name];
  Object.assign(env, options.env);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cliPath, 'send', ...args], { cwd: root, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

const usage = (message: string): Run => ({ code: 2, stdout: '', stderr: `converge-webhook: ${message}\nRun "npx converge-webhook help" for usage.\n` });

describe('send --contract provesource (the contract sandbox on loopback)', () => {
  const STREAM_ID = '0123456789abcdef0123456789abcdef';
  const CONVERSION_ID = 'fedcba9876543210fedcba9876543210';
  const EXAMPLES = 'spec/provesource/examples';
  let sandbox: RunningContractSandbox;
  let stream: string;
  let conversion: string;

  beforeAll(async () => {
    sandbox = await startContractSandbox(await loadContractRuntime('provesource'), { inMemory: true, secrets: { stream: STREAM_ID, conversion: CONVERSION_ID } });
    stream = sandbox.urls.stream!;
    conversion = sandbox.urls.conversion!;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(() => {
    sandbox.reset();
  });

  it('sends a JSON event and the same event as a form (products[0][name]=...): the sandbox stores the same body for both; the id is masked', async () => {
    const file = `${EXAMPLES}/valid/product-id-string.json`;
    const asJson = await send(['--contract', 'provesource', '--url', stream, file]);
    const asForm = await send(['--contract', 'provesource', '--url', stream, '--form', file]);
    expect([asJson.code, asForm.code]).toEqual([0, 0]);
    const bytes = readFileSync(join(root, file));
    const masked = `${sandbox.url}/webhooks/track/0123****`;
    expect(asJson.stdout.split('\n').slice(0, 3)).toEqual([`POST ${masked}  (${bytes.length} bytes from ${file} as application/json, the stream webhook)`, 'valid', 'HTTP 200 OK']);
    const form = 'email=test%40gmail.com&products[0][name]=T-Shirt&products[0][link]=https%3A%2F%2Fmystore.com%2Ft-shirt&products[0][id]=TS-0042&products[1][name]=Mug&products[1][link]=https%3A%2F%2Fmystore.com%2Fmug&products[1][id]=00123';
    expect(asForm.stdout.split('\n').slice(0, 3)).toEqual([`POST ${masked}  (${form.length} bytes from ${file} as application/x-www-form-urlencoded, the stream webhook)`, 'valid', 'HTTP 200 OK']);
    for (const out of [asJson, asForm]) expect(out.stdout + out.stderr).not.toContain(STREAM_ID);
    const [formEvent, jsonEvent] = sandbox.events();
    expect(jsonEvent!.body).toEqual(JSON.parse(bytes.toString('utf8')));
    expect(formEvent!.body).toEqual(jsonEvent!.body);
    expect([formEvent!.kind, jsonEvent!.kind]).toEqual(['stream', 'stream']);
  });

  it('--form writes a number where a form reads text as its text, and says so; a file that is already a form body is sent as it is', async () => {
    const seed = await send(['--contract', 'provesource', '--url', stream, '--form', `${EXAMPLES}/valid/seed-all-blocks.json`]);
    expect(seed.code).toBe(0);
    expect(seed.stdout).toContain(
      '  note     /products/0/id                the number 123 is sent as the text "123" (a form value is text; only /timestamp, /total, /products/*/price, /products/*/quantity are read as numbers)',
    );
    const formFile = `${EXAMPLES}/valid/seed-all-blocks.form`;
    const asIs = await send(['--contract', 'provesource', '--url', stream, '--form', formFile]);
    expect(asIs.code).toBe(0);
    const [stored] = sandbox.events();
    expect(stored!.body).toMatchObject({ email: 'test@gmail.com', timestamp: 1528611279398, products: [{ name: 'T-Shirt', id: '123', price: 55 }] });
  });

  it('a conversion is a bare POST to the conversion URL (--conversion, or the PROVESOURCE_CONVERSION_URL variable)', async () => {
    const flag = await send(['--contract', 'provesource', '--conversion', '--url', conversion]);
    expect(flag.code).toBe(0);
    expect(flag.stdout.split('\n')[0]).toBe(`POST ${sandbox.url}/webhooks/track/fedc****  (no body: a bare POST to the conversion webhook)`);
    const env = await send(['--contract', 'provesource', '--webhook', 'conversion'], { env: { PROVESOURCE_CONVERSION_URL: conversion, PROVESOURCE_WEBHOOK_URL: stream } });
    expect(env.code).toBe(0);
    expect(env.stdout.split('\n')[0]).toBe(`POST ${sandbox.url}/webhooks/track/fedc****  (no body: a bare POST to the conversion webhook, URL from PROVESOURCE_CONVERSION_URL)`);
    expect(sandbox.events().map((e) => [e.kind, e.body])).toEqual([
      ['conversion', null],
      ['conversion', null],
    ]);
  });

  it('takes the stream URL from PROVESOURCE_WEBHOOK_URL; an unknown id gets the sandbox\'s 404: exit 1', async () => {
    const env = await send(['--contract', 'provesource', `${EXAMPLES}/valid/email-only.json`], { env: { PROVESOURCE_WEBHOOK_URL: stream } });
    expect(env.code).toBe(0);
    expect(env.stdout.split('\n')[0]).toMatch(/, the stream webhook, URL from PROVESOURCE_WEBHOOK_URL\)$/);
    const unknown = await send(['--contract', 'provesource', '--url', `${sandbox.url}/webhooks/track/ffffffffffffffffffffffffffffffff`, `${EXAMPLES}/valid/email-only.json`]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain(`POST ${sandbox.url}/webhooks/track/ffff****  (`);
    expect(unknown.stdout).toContain('HTTP 404 Not Found');
    expect(sandbox.count()).toBe(1);
  });

  it('refuses to send an invalid body (JSON, or the JSON of a --form), as Converge\'s send does; --no-validate sends it and prints the answer', async () => {
    const invalid = await send(['--contract', 'provesource', '--url', stream, `${EXAMPLES}/invalid/product-without-link.json`]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^INVALID {2}spec\/provesource\/examples\/invalid\/product-without-link\.json: not sent\n {2}error {4}\/products\/0\/link +missing-field +/);
    const asForm = await send(['--contract', 'provesource', '--url', stream, '--form', `${EXAMPLES}/invalid/product-without-link.json`]);
    expect(asForm.code).toBe(1);
    expect(asForm.stdout).toMatch(/^INVALID .*: not sent\n {2}error {4}\/products\/0\/link +missing-field/);
    const formFile = await send(['--contract', 'provesource', '--url', stream, '--form', `${EXAMPLES}/invalid/products-index-gap.form`]);
    expect(formFile.code).toBe(1);
    expect(formFile.stdout).toMatch(/error {4}\/products +form-products-index/);
    // A form body without --form is sent as JSON: the mismatch is an error, never a guess.
    const mismatch = await send(['--contract', 'provesource', '--url', stream, `${EXAMPLES}/valid/seed-basic.form`]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toMatch(/content-type-mismatch/);
    expect(sandbox.count()).toBe(0);
    const forced = await send(['--contract', 'provesource', '--url', stream, '--no-validate', `${EXAMPLES}/invalid/product-without-link.json`]);
    expect(forced.code).toBe(1);
    expect(forced.stdout).toContain('not validated (--no-validate)');
    expect(forced.stdout).toContain('HTTP 400 Bad Request');
    expect(forced.stdout).toContain('"code": "missing-field"');
  });

  it('says what a form cannot carry (null, an empty array), with its pointer; nothing is sent, exit 1', async () => {
    const result = await send(['--contract', 'provesource', '--url', stream, '--form', `${EXAMPLES}/valid/null-fields.json`]);
    expect(result).toEqual({
      code: 1,
      stdout: `NOT SENT  ${EXAMPLES}/valid/null-fields.json: cannot be written as a form body\n  /firstName                    expected a string or a number (a form has no null, true or false), found null\n`,
      stderr: '',
    });
    const json = await send(['--contract', 'provesource', '--url', stream, '--form', '--json', `${EXAMPLES}/valid/products-empty.json`]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      url: `${sandbox.url}/webhooks/track/0123****`,
      sent: false,
      error: 'cannot be written as a form body: /products: expected at least one item (an empty array writes no field, so it would arrive absent), found an empty array',
    });
    expect(sandbox.count()).toBe(0);
  });

  it('--json: one object, the URL masked', async () => {
    const result = await send(['--contract', 'provesource', '--url', stream, '--json', '--form', `${EXAMPLES}/valid/email-only.json`]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ url: `${sandbox.url}/webhooks/track/0123****`, sent: true, webhook: 'stream', status: 200, ok: true, validation: { valid: true }, body: { status: 'accepted', kind: 'stream' } });
    expect(result.stdout).not.toContain(STREAM_ID);
  });

  it.each([
    [[`${EXAMPLES}/valid/email-only.json`], "send needs --url, the stream webhook's full URL, whose path ends in /webhooks/track/{webhookId}, or the PROVESOURCE_WEBHOOK_URL environment variable"],
    [['--conversion'], "send needs --url, the conversion webhook's full URL, whose path ends in /webhooks/track/{webhookId}, or the PROVESOURCE_CONVERSION_URL environment variable"],
    [['--url', 'http://127.0.0.1:9/webhooks/track/', `${EXAMPLES}/valid/email-only.json`], "--url: expected the stream webhook's full URL, whose path ends in /webhooks/track/{webhookId} (the webhookId is the secret), found the path \"/webhooks/track/\""],
    [['--url', `http://127.0.0.1:9/hooks/${STREAM_ID}`, `${EXAMPLES}/valid/email-only.json`], "--url: expected the stream webhook's full URL, whose path ends in /webhooks/track/{webhookId} (the webhookId is the secret), found the path \"/hooks/0123****\""],
    [['--url', `http://u:p@127.0.0.1:9/webhooks/track/${STREAM_ID}`, `${EXAMPLES}/valid/email-only.json`], '--url: expected a URL without user:password (the secret is the webhookId in the path)'],
    [['--conversion', '--url', `http://127.0.0.1:9/webhooks/track/${CONVERSION_ID}`, `${EXAMPLES}/valid/email-only.json`], `the conversion webhook reads no body (a bare POST), found the file "${EXAMPLES}/valid/email-only.json": drop it`],
    [['--conversion', '--form', '--url', `http://127.0.0.1:9/webhooks/track/${CONVERSION_ID}`], '--form: the conversion webhook reads no body (a bare POST), so there is nothing to write as a form'],
    [['--webhook', 'strem', '--url', `http://127.0.0.1:9/webhooks/track/${STREAM_ID}`, `${EXAMPLES}/valid/email-only.json`], '--webhook: expected a webhook of the provesource contract (stream, conversion), found "strem"'],
    [['--conversion', '--webhook', 'stream', '--url', `http://127.0.0.1:9/webhooks/track/${STREAM_ID}`], '--conversion and --webhook stream contradict each other: choose one'],
    [['--url', `http://127.0.0.1:9/webhooks/track/${STREAM_ID}`], 'send needs one event file, or "-" for standard input'],
    [['--token', 't', '--url', `http://127.0.0.1:9/webhooks/track/${STREAM_ID}`, `${EXAMPLES}/valid/email-only.json`], "Unknown option '--token': this contract takes no token: the webhookId in the URL is the secret (auth path-secret); give the receiver's full URL, --url ending in /webhooks/track/{webhookId}"],
  ])('usage error %j: exit 2, the message names what was expected and found', async (args, message) => {
    const result = await send(['--contract', 'provesource', ...args]);
    expect(result).toEqual(usage(message));
    expect(sandbox.count()).toBe(0);
  });
});

interface Delivery {
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

describe('send --contract webengage (a node:http receiver answering 200, 204, 401 in turn)', () => {
  const LICENSE = '~99199077';
  const KEY = 'test-key-webengage-1';
  const SECRET = createHash('md5').update(`${LICENSE}:${KEY}`).digest('hex');
  const SEED = 'spec/webengage/examples/valid/seed-push-notification-accepted.json';
  let server: Server;
  let base: string;
  let deliveries: Delivery[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push({ url: new URL(request.url ?? '/', 'http://receiver'), headers: request.headers, body: Buffer.concat(chunks) });
        const status = answers.shift() ?? 200;
        if (status === 204) response.writeHead(204).end();
        else response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ received: status === 200 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    deliveries = [];
    answers = [];
  });

  const account = ['--license-code', LICENSE, '--secret-key', KEY];

  it('delivers as WebEngage does: eventType, licenseCode, secret = md5(licenseCode:key) in the query, a fresh 32-hex x-request-id, the body as JSON; only 200 is delivered', async () => {
    answers = [200, 204, 401];
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await send(['--contract', 'webengage', '--url', `${base}/webengage/events?shop=1`, ...account, SEED]));
    expect(results.map((r) => r.code)).toEqual([0, 1, 1]);
    expect(deliveries).toHaveLength(3);
    for (const d of deliveries) {
      expect(d.url.pathname).toBe('/webengage/events');
      expect([...d.url.searchParams]).toEqual([
        ['shop', '1'],
        ['eventType', 'push_notification_accepted'],
        ['licenseCode', LICENSE],
        ['secret', SECRET],
      ]);
      expect(d.headers['content-type']).toBe('application/json');
      expect(d.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
      expect(d.body.equals(readFileSync(join(root, SEED)))).toBe(true);
    }
    expect(new Set(deliveries.map((d) => d.headers['x-request-id'])).size).toBe(3);
    const masked = `${base}/webengage/events?shop=1&eventType=push_notification_accepted&licenseCode=%7E99199077&secret=${SECRET.slice(0, 4)}****`;
    const bytes = readFileSync(join(root, SEED)).length;
    expect(results[0]!.stdout.split('\n').slice(0, 3)).toEqual([`POST ${masked}  (${bytes} bytes from ${SEED}, the events webhook, x-request-id ${deliveries[0]!.headers['x-request-id']})`, 'valid', 'HTTP 200 OK']);
    expect(results[1]!.stdout.split('\n').slice(2, 4)).toEqual(['HTTP 204 No Content', 'FAILED DELIVERY: WebEngage counts only 200 as delivered and logs 204, a success elsewhere, as a failed post']);
    expect(results[2]!.stdout.split('\n').slice(2, 4)).toEqual(['HTTP 401 Unauthorized', 'FAILED DELIVERY: WebEngage counts only 200 as delivered and logs 401 as a failed post']);
    for (const r of results) {
      expect(r.stdout + r.stderr).not.toContain(KEY);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('takes the URL, license code, key and webhook from the WEBENGAGE_* variables; --event-type wins over event_name; --json says delivered', async () => {
    answers = [201];
    const result = await send(['--contract', 'webengage', '--json', '--event-type', 'JOURNEY_X', 'spec/webengage/examples/valid/seed-journey-activated.json'], {
      env: { WEBENGAGE_POST_URL: `${base}/hook`, WEBENGAGE_LICENSE_CODE: '311c48b3', WEBENGAGE_SECRET_KEY: 'test-key-webengage-2', WEBENGAGE_WEBHOOK: 'journey' },
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    const requestId = deliveries[0]!.headers['x-request-id'];
    expect(report).toMatchObject({ sent: true, webhook: 'journey', requestHeaders: { 'x-request-id': requestId }, status: 201, ok: true, delivered: false, validation: { valid: true, errors: [], warnings: [] } });
    expect(Object.fromEntries(deliveries[0]!.url.searchParams)).toEqual({ eventType: 'JOURNEY_X', licenseCode: '311c48b3', secret: createHash('md5').update('311c48b3:test-key-webengage-2').digest('hex') });
    expect(result.stdout).not.toContain('test-key-webengage-2');
  });

  it('a --url without a path gets the webhook\'s own path, as verify and the sandbox read it; a path given is kept', async () => {
    answers = [200, 200];
    await send(['--contract', 'webengage', '--url', base, ...account, '--webhook', 'journey', 'spec/webengage/examples/valid/seed-journey-activated.json']);
    await send(['--contract', 'webengage', '--url', `${base}/`, ...account, SEED]);
    expect(deliveries.map((d) => d.url.pathname)).toEqual(['/webengage/journey', '/']);
  });

  it('validates first with the query it will send: a license_code other than licenseCode is a warning, an invalid body is not sent', async () => {
    const differs = await send(['--contract', 'webengage', '--url', base, ...account, 'spec/webengage/examples/valid/warning-license-code-differs.json']);
    expect(differs.code).toBe(0);
    expect(differs.stdout).toMatch(/valid, with 1 warning \(sent anyway\):\n {2}warning {2}\/license_code +license-code-differs/);
    const strict = await send(['--contract', 'webengage', '--url', base, ...account, '--strict', 'spec/webengage/examples/valid/warning-license-code-differs.json']);
    expect(strict.code).toBe(1);
    const invalid = await send(['--contract', 'webengage', '--url', base, ...account, '--event-type', 'x', 'spec/webengage/examples/invalid/missing-event-name.json']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^INVALID .*missing-event-name\.json: not sent\n {2}error {4}\/event_name +missing-field/);
    // The body is judged before the missing eventType is asked for.
    const both = await send(['--contract', 'webengage', '--url', base, ...account, 'spec/webengage/examples/invalid/missing-event-name.json']);
    expect(both.code).toBe(1);
    expect(both.stdout).toMatch(/^INVALID /);
    expect(deliveries).toHaveLength(1);
  });

  it('a body of another webhook sent to the default one gets its warnings and a hint naming --webhook <id>; none once a webhook is chosen, or when only a webhook that takes any object takes it better', async () => {
    const JOURNEY = 'spec/webengage/examples/valid/seed-journey-activated.json';
    // The journey body's own license code: as a journey delivery it has no warning at all.
    const same = ['--license-code', '311c48b3', '--secret-key', KEY];
    const plain = await send(['--contract', 'webengage', '--url', base, ...same, JOURNEY]);
    expect(plain.code).toBe(0);
    const lines = plain.stdout.split('\n');
    expect(lines[1]).toBe('valid, with 4 warnings (sent anyway):');
    expect(lines.slice(2, 6).map((l) => l.split(/\s+/).slice(1, 4).join(' '))).toEqual([
      'warning /system_data recommended-field-missing',
      'warning /anonymous_id recommended-field-missing',
      'warning /resource unknown-field',
      'warning /version unknown-field',
    ]);
    const hint = 'as a journey delivery it is valid with no warnings (here, for the events webhook: 4 warnings): did you mean --webhook journey?';
    expect(lines.slice(6, 8)).toEqual([`hint: ${hint}`, 'HTTP 200 OK']);
    expect(deliveries.map((d) => d.url.pathname)).toEqual(['/webengage/events']);
    // --json carries it too: the sentence, without the terminal's "hint: " prefix.
    const json = JSON.parse((await send(['--contract', 'webengage', '--url', base, ...same, '--json', JOURNEY])).stdout) as Record<string, unknown>;
    expect(json.hint).toBe(hint);
    // Chosen: the journey webhook (no warning, no hint), or the events webhook by its variable (its warnings, no hint).
    const chosen = await send(['--contract', 'webengage', '--url', base, ...same, '--webhook', 'journey', JOURNEY]);
    expect(chosen.stdout.split('\n').slice(1, 3)).toEqual(['valid', 'HTTP 200 OK']);
    const byVariable = await send(['--contract', 'webengage', '--url', base, ...same, JOURNEY], { env: { WEBENGAGE_WEBHOOK: 'events' } });
    expect(byVariable.stdout).toContain('valid, with 4 warnings (sent anyway):');
    expect(byVariable.stdout).not.toContain('hint:');
    // A warning every webhook with a schema of its own shares: the feedback webhooks take any object, so they hint at nothing.
    const unknown = await send(['--contract', 'webengage', '--url', base, ...account, 'spec/webengage/examples/valid/warning-unknown-field.json']);
    expect(unknown.stdout.split('\n').slice(1, 4)).toEqual([
      'valid, with 1 warning (sent anyway):',
      expect.stringMatching(/^ {2}warning {2}\/timestamp +unknown-field /),
      'HTTP 200 OK',
    ]);
    expect(deliveries).toHaveLength(5);
  });

  it('exits 1 in one line when nothing listens, the secret masked', async () => {
    const port = await freePort();
    const result = await send(['--contract', 'webengage', '--url', `http://127.0.0.1:${port}/w`, ...account, SEED]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `converge-webhook: could not send to http://127.0.0.1:${port}/w?eventType=push_notification_accepted&licenseCode=%7E99199077&secret=${SECRET.slice(0, 4)}****: connection refused (is the server running?) (ECONNREFUSED)\n`,
    );
  });

  it.each([
    [[SEED], "send needs --url, your receiver's URL (the one WebEngage posts to), or the WEBENGAGE_POST_URL environment variable"],
    [['--url', 'http://127.0.0.1:9/w', '--secret-key', KEY, SEED], 'send needs --license-code, or the WEBENGAGE_LICENSE_CODE environment variable: the secret is MD5({licenseCode}:{secretKey})'],
    [['--url', 'http://127.0.0.1:9/w', '--license-code', LICENSE, SEED], 'send needs --secret-key, or the WEBENGAGE_SECRET_KEY environment variable: the secret is MD5({licenseCode}:{secretKey})'],
    [['--url', 'http://127.0.0.1:9/w', '--license-code', LICENSE, '--secret-key', '', SEED], '--secret-key: expected a non-empty value, found an empty --secret-key'],
    [['--url', 'http://127.0.0.1:9/w?secret=abc', ...account, SEED], '--url: expected a URL without the query parameters send adds (eventType, licenseCode, secret), found secret'],
    [['--url', 'http://127.0.0.1:9/w', ...account, '--webhook', 'journeys', SEED], '--webhook: expected a webhook of the webengage contract (events, activityEvents, globalSystemEvents, globalApplicationEvents, journey, feedback, feedbackReply, surveyResponse), found "journeys"'],
    [['--url', 'http://127.0.0.1:9/w', ...account, '--webhook', 'feedback', 'spec/webengage/examples/valid/empty-object.json'], 'send needs --event-type: the body has no string at /event_name to take the eventType query parameter from'],
    [['--url', 'http://127.0.0.1:9/w', ...account, '--form', SEED], "Unknown option '--form'"],
  ])('usage error %j: exit 2, the key never printed', async (args, message) => {
    const result = await send(['--contract', 'webengage', ...args]);
    expect(result).toEqual(usage(message));
    expect(deliveries).toHaveLength(0);
  });
});
