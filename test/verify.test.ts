/**
 * `converge-webhook verify`: its generated cases are what they claim to be, it passes a correct
 * receiver (and the sandbox, and the Prism mock with --skip-wrong-token), it fails each
 * deliberately broken receiver on the right checks, and its CLI speaks exit codes, JUnit and JSON.
 * Real Dredd and real HTTP on 127.0.0.1; verify runs in-process except for the CLI tests.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseJson } from '../src/json.js';
import { startMock } from '../src/mock/mock.js';
import { startSandbox } from '../src/sandbox/sandbox.js';
import { validateEvent } from '../src/validate.js';
import { generateInvalidCases, generateValidCases, INVALID_MUTATIONS, TIMESTAMP_FORM_WARNINGS, TIMESTAMP_FORMS } from '../src/verify/cases.js';
import { buildPlan, contractRequestExample } from '../src/verify/plan.js';
import { formatText, toJUnit } from '../src/verify/report.js';
import { describeExpectation, DreddNotInstalled, loadDredd, resolveEndpoint, runVerify, VerifyOptionsError, type CheckResult, type VerifyResult } from '../src/verify/verify.js';
import { STANDARD_EVENT_NAMES } from '../src/constants.js';
import { FAULTS, startReceiver, type Fault, type RunningReceiver } from './fixtures/receivers.js';
import { manifest, root, runCli } from './helpers.js';

const SEED = 20240902;
const failedIds = (result: VerifyResult) => result.checks.filter((c) => c.status === 'failed').map((c) => c.id);
const failed = (result: VerifyResult) => result.checks.filter((c) => c.status === 'failed');

describe('generated cases', () => {
  const valid = generateValidCases(200, SEED, 'test');
  const invalid = generateInvalidCases(200, SEED, 'test');

  // The ISO 8601 forms outside RFC 3339 are valid, with their one warning at /timestamp.
  const expectedWarnings = (c: (typeof valid)[number]) => {
    const code = TIMESTAMP_FORM_WARNINGS[c.timestampForm];
    return code ? [`${code} /timestamp`] : [];
  };

  it('every valid case passes validateEvent with no Event Spec warning but its timestamp form\'s', () => {
    for (const c of valid) {
      const result = validateEvent(c.event);
      expect({ summary: c.summary, errors: result.errors, warnings: result.warnings.map((w) => `${w.code} ${w.pointer}`) }).toEqual({ summary: c.summary, errors: [], warnings: expectedWarnings(c) });
    }
    expect(valid.filter((c) => expectedWarnings(c).length > 0).length).toBeGreaterThanOrEqual(50);
  });

  it('every invalid case breaks exactly its one rule (invalid-json: is not JSON at all)', () => {
    for (const c of invalid) {
      const parsed = parseJson(c.text);
      if (c.rule === 'invalid-json') {
        expect(parsed.ok, c.summary).toBe(false);
        continue;
      }
      expect(parsed.ok, c.summary).toBe(true);
      const result = validateEvent(parsed.ok ? parsed.value : undefined);
      expect({ summary: c.summary, codes: result.errors.map((e) => e.code) }).toEqual({ summary: c.summary, codes: [c.rule] });
    }
  });

  it('stays true for other seeds', () => {
    for (const seed of [1, 7, 99, 123456, 4294967295]) {
      for (const c of generateValidCases(200, seed, 'x')) {
        const result = validateEvent(c.event);
        expect({ summary: c.summary, errors: result.errors.length, warnings: result.warnings.map((w) => `${w.code} ${w.pointer}`) }).toEqual({ summary: c.summary, errors: 0, warnings: expectedWarnings(c) });
      }
      for (const c of generateInvalidCases(200, seed, 'x')) {
        const parsed = parseJson(c.text);
        if (c.rule === 'invalid-json') expect(parsed.ok).toBe(false);
        else expect(parsed.ok && validateEvent(parsed.value).errors.map((e) => e.code), c.summary).toEqual([c.rule]);
      }
    }
  });

  it('covers every timestamp form, 1 to 10 aliases, standard and custom names, with and without a channel', () => {
    expect(new Set(valid.map((c) => c.timestampForm))).toEqual(new Set(TIMESTAMP_FORMS));
    expect(new Set(valid.map((c) => (c.event.aliases as string[]).length))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const names = new Set(valid.map((c) => c.event.event_name as string));
    for (const name of STANDARD_EVENT_NAMES) expect(names).toContain(name);
    expect([...names].filter((n) => !(STANDARD_EVENT_NAMES as readonly string[]).includes(n)).length).toBeGreaterThanOrEqual(5);
    const channel = (c: (typeof valid)[number]) => (c.event.properties as Record<string, unknown>).$sales_channel_type;
    expect(valid.filter((c) => channel(c) === undefined).length).toBeGreaterThan(40);
    expect(valid.filter((c) => channel(c) !== undefined).length).toBeGreaterThan(100);
    // Offsets: Z, positive, negative (-07:00 among them), fractions; unix seconds including 0 and the maximum.
    const stamps = valid.map((c) => c.event.timestamp);
    expect(stamps.some((t) => typeof t === 'string' && t.endsWith('-07:00'))).toBe(true);
    expect(stamps.some((t) => typeof t === 'string' && /\.\d{7,9}-/.test(t))).toBe(true);
    expect(stamps).toContain(0);
    expect(stamps).toContain(253402300799);
  });

  it('uses every mutation, and breaks every contract rule', () => {
    expect(new Set(invalid.map((c) => c.mutation))).toEqual(new Set(INVALID_MUTATIONS.map((m) => m.name)));
    expect(new Set(invalid.map((c) => c.rule))).toEqual(
      new Set([
        'invalid-json', 'not-an-object', 'missing-field', 'wrong-type', 'empty-string', 'aliases-too-few', 'aliases-too-many', 'alias-empty',
        'timestamp-missing-timezone', 'timestamp-invalid-format', 'timestamp-invalid-date', 'timestamp-not-integer', 'timestamp-negative', 'timestamp-too-large',
      ]),
    );
  });

  it('is deterministic, with event_ids unique per run', () => {
    expect(generateValidCases(200, SEED, 'test')).toEqual(valid);
    expect(generateInvalidCases(200, SEED, 'test')).toEqual(invalid);
    const other = generateValidCases(200, SEED, 'other');
    expect(other.map((c) => ({ ...c.event, event_id: '' }))).toEqual(valid.map((c) => ({ ...c.event, event_id: '' })));
    const ids = [...valid, ...other].map((c) => c.event.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(generateValidCases(50, SEED + 1, 'test').map((c) => c.event)).not.toEqual(valid.slice(0, 50).map((c) => c.event));
  });
});

describe('the plan', () => {
  const plan = buildPlan({ token: 'tok', root, runId: 'r', seed: SEED });

  it('sends every valid and invalid example, with the manifests’ summaries and statuses', () => {
    const sent = new Map(plan.map((c) => [c.source, c]));
    for (const entry of manifest('valid')) {
      expect(sent.get(entry.file)?.summary).toBe(entry.summary);
      expect(sent.get(entry.file)?.expect).toEqual({ kind: 'accepted' });
      expect(sent.get(entry.file)?.request.body).toBe(readFileSync(join(root, 'spec/examples', entry.file), 'utf8'));
    }
    for (const entry of manifest('invalid')) {
      expect(sent.get(entry.file)?.summary).toBe(entry.summary);
      expect(sent.get(entry.file)?.expect).toEqual({ kind: 'status', status: entry.status, body: 'validation-problem' });
    }
    // The two bodies that are not JSON are sent as raw text.
    expect(sent.get('invalid/malformed-json.json')?.rawBody).toBe(true);
    expect(sent.get('invalid/truncated-json.json')?.rawBody).toBe(true);
  });

  it('has the token checks, at least 200 generated cases of each kind, and unique ids', () => {
    expect(plan.filter((c) => c.group === 'token').map((c) => [c.request.token, c.request.tokenValue])).toEqual([
      ['missing', null],
      ['empty', ''],
      ['wrong-last-character', 'tox'],
      ['wrong-extra-character', 'tok0'],
    ]);
    expect(plan.filter((c) => c.group === 'generated-valid').length).toBe(200);
    expect(plan.filter((c) => c.group === 'generated-invalid').length).toBe(200);
    expect(new Set(plan.map((c) => c.id)).size).toBe(plan.length);
    expect(buildPlan({ token: 'tok', root, runId: 'r', seed: SEED, skipWrongToken: true }).filter((c) => c.skip).map((c) => c.id)).toEqual([
      'token wrong-last-character',
      'token wrong-extra-character',
      'body limit',
    ]);
  });
});

describe('runVerify against receivers', () => {
  const running: RunningReceiver[] = [];
  const receiver = async (options: Parameters<typeof startReceiver>[0] = {}) => {
    const r = await startReceiver(options);
    running.push(r);
    return r;
  };
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
  });

  it('passes the correct receiver: every check sent, one answer each', async () => {
    const r = await receiver();
    const started = Date.now();
    const result = await runVerify({ url: r.url, token: r.token, runId: 'correct' });
    const took = Date.now() - started;
    expect(failed(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.counts.passed).toBeGreaterThanOrEqual(1 + 65 + 56 + 4 + 1 + 400);
    expect(result.checks.filter((c) => c.status === 'skipped').map((c) => c.id)).toEqual(['body limit']);
    expect(r.requests()).toBe(result.counts.passed);
    expect(result.endpoint).toBe(`${r.url}/api/webhooks`);
    expect(took).toBeLessThan(20_000);
  });

  it('does not demand more than the contract: 204 without a body, its own violation codes, 401/415 without a body, its own malformed-JSON answer', async () => {
    const r = await receiver({ minimal: true });
    const result = await runVerify({ url: r.url, token: r.token });
    expect(failed(result)).toEqual([]);
    const notes = result.checks.flatMap((c) => c.notes);
    expect(notes.some((n) => n.includes('401 answer has no problem details body'))).toBe(true);
    expect(notes.some((n) => n.includes('tolerated: the request body was not JSON'))).toBe(true);
  });

  // For each fault: the checks that must fail, and what every failed check must be about.
  const only = (ids: string[]) => ({ must: ids, each: (c: CheckResult) => ids.includes(c.id) });
  const invalidOf = (rule: string, example: string) => ({ must: [`example ${example}`], each: (c: CheckResult) => c.rule === rule && c.got?.status === 200 });
  const validWhere = (example: string, generated: (c: CheckResult) => boolean) => ({
    must: [`example ${example}`],
    each: (c: CheckResult) => (c.group === 'valid-examples' || (c.group === 'generated-valid' && generated(c))) && c.got?.status === 400,
  });
  const expectations: Record<Fault, { must: string[]; each: (c: CheckResult) => boolean; atLeast?: number }> = {
    'no-token-check': only(['token missing', 'token empty', 'token wrong-last-character', 'token wrong-extra-character']),
    'any-token': only(['token wrong-last-character', 'token wrong-extra-character']),
    'no-validation': { must: ['example invalid/missing-event-id.json', 'example invalid/aliases-too-many.json'], each: (c) => c.group.endsWith('invalid') || c.group === 'invalid-examples', atLeast: 200 },
    'accept-11-aliases': invalidOf('aliases-too-many', 'invalid/aliases-too-many.json'),
    'accept-0-aliases': invalidOf('aliases-too-few', 'invalid/aliases-empty-array.json'),
    'accept-timestamp-without-timezone': invalidOf('timestamp-missing-timezone', 'invalid/timestamp-no-timezone.json'),
    'reject-negative-offset': validWhere('valid/timestamp-offset-negative.json', (c) => /-\d\d:\d\d"/.test(c.summary)),
    'reject-unix-seconds': validWhere('valid/timestamp-unix-seconds.json', (c) => /timestamp unix-/.test(c.source ?? '')),
    'reject-custom-events': validWhere('valid/custom-event.json', (c) => c.summary.startsWith('custom ')),
    'require-sales-channel': validWhere('valid/no-sales-channel.json', (c) => c.summary.endsWith('no $sales_channel_type')),
    '500-instead-of-400': { must: ['example invalid/body-null.json'], each: (c) => c.reason === 'expected status 400, got 500', atLeast: 250 },
    'accept-numeric-event-id': { must: ['example invalid/event-id-number.json'], each: (c) => c.id === 'example invalid/event-id-number.json' || c.source === 'event-id-number' },
    'accepted-body-wrong-type': { must: ['contract request example'], each: (c) => /Accepted schema: \/duplicate must be boolean/.test(c.reason ?? ''), atLeast: 250 },
    'validation-problem-without-violations': { must: ['example invalid/alias-null.json'], each: (c) => /must have required property 'violations'/.test(c.reason ?? ''), atLeast: 200 },
  };

  it.each(FAULTS.map((fault) => [fault]))('fails a receiver with the fault %s, on the right checks', async (fault) => {
    const r = await receiver({ fault });
    const result = await runVerify({ url: r.url, token: r.token });
    const expected = expectations[fault];
    expect(result.ok).toBe(false);
    expect(failedIds(result)).toEqual(expect.arrayContaining(expected.must));
    expect(failed(result).filter((c) => !expected.each(c)).map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect(failed(result).length).toBeGreaterThanOrEqual(expected.atLeast ?? 1);
    // Every failure says what was sent, what was expected and what came back: its own check's.
    const planned = new Map(buildPlan({ token: r.token, root, runId: result.runId, seed: result.seed, cases: result.cases }).map((p) => [p.id, p]));
    for (const c of failed(result)) {
      expect(c.sent.bytes, c.id).toBe(Buffer.byteLength(planned.get(c.id)!.request.body ?? contractRequestExample(root).body));
      expect(c.expected, c.id).toBe(describeExpectation(planned.get(c.id)!.expect));
      expect(c.got?.status).toBeTypeOf('number');
      expect(c.reason).toBeTruthy();
    }
  });

  it('--skip-wrong-token passes a receiver that accepts any token value, and says the checks were skipped', async () => {
    const r = await receiver({ fault: 'any-token' });
    const result = await runVerify({ url: r.url, token: r.token, skipWrongToken: true });
    expect(failed(result)).toEqual([]);
    const skipped = result.checks.filter((c) => c.status === 'skipped');
    expect(skipped.map((c) => c.id)).toEqual(['token wrong-last-character', 'token wrong-extra-character', 'body limit']);
    expect(skipped[0]?.reason).toContain('--skip-wrong-token');
    // A missing token is still checked.
    expect(result.checks.find((c) => c.id === 'token missing')?.status).toBe('passed');
  });

  it('gives up quickly on a server that stops answering', async () => {
    const r = await receiver({ hangAfter: 10 });
    const started = Date.now();
    const result = await runVerify({ url: r.url, token: r.token, requestTimeoutMs: 300, cases: 10 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.ok).toBe(false);
    expect(result.counts.passed).toBe(10);
    expect(failed(result).map((c) => c.reason)).toEqual(Array(3).fill(expect.stringMatching(/^no answer: E\w*TIMEDOUT \(timeout 300 ms\)$/)));
    expect(result.checks.filter((c) => c.status === 'skipped' && c.reason?.includes('stopped answering')).length).toBe(result.counts.total - 10 - 3 - 1);
  });

  it('takes a base URL (the contract path is appended) or the endpoint\'s full URL', async () => {
    expect(resolveEndpoint('http://127.0.0.1:4011').href).toBe('http://127.0.0.1:4011/api/webhooks');
    expect(resolveEndpoint('http://127.0.0.1:4011/').href).toBe('http://127.0.0.1:4011/');
    expect(resolveEndpoint('https://example.test/hooks/converge?source=a').href).toBe('https://example.test/hooks/converge?source=a');
    const r = await receiver();
    const full = await runVerify({ url: `${r.url}/api/webhooks`, token: r.token, cases: 0 });
    expect(full.ok).toBe(true);
    const elsewhere = await runVerify({ url: `${r.url}/elsewhere`, token: r.token, cases: 0 });
    expect(elsewhere.checks.find((c) => c.id === 'contract request example')).toMatchObject({ status: 'failed', sent: { path: '/elsewhere' }, got: { status: 404 } });
  });

  it('reports a server that cannot be reached without running Dredd', async () => {
    const port = await freePort();
    const result = await runVerify({ url: `http://127.0.0.1:${port}`, token: 't' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(result.checks).toEqual([]);
  });

  it('rejects unusable options, and names the install command when Dredd is missing', async () => {
    await expect(runVerify({ url: 'ftp://127.0.0.1', token: 't' })).rejects.toThrow(VerifyOptionsError);
    await expect(runVerify({ url: 'not a url', token: 't' })).rejects.toThrow(/--url: expected an http/);
    await expect(runVerify({ url: 'http://127.0.0.1:1', token: '' })).rejects.toThrow(/--token/);
    const empty = mkdtempSync(join(tmpdir(), 'verify-no-dredd-'));
    try {
      expect(() => loadDredd(pathToFileURL(join(empty, 'x.js')).href)).toThrow(DreddNotInstalled);
      expect(() => loadDredd(pathToFileURL(join(empty, 'x.js')).href)).toThrow('npm install --save-dev dredd@14.1.0');
      // Another Dredd version: verify relies on how 14.1 runs hooks, so it says which it needs.
      mkdirSync(join(empty, 'node_modules/dredd'), { recursive: true });
      writeFileSync(join(empty, 'node_modules/dredd/package.json'), '{"name":"dredd","version":"13.1.2","main":"index.js"}');
      writeFileSync(join(empty, 'node_modules/dredd/index.js'), 'module.exports = function Dredd() {};');
      expect(() => loadDredd(pathToFileURL(join(empty, 'x.js')).href)).toThrow(/needs Dredd 14\.1\.0 .*found Dredd 13\.1\.2\.\nInstall it with: npm install --save-dev dredd@14\.1\.0/s);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('leaves no process-wide unhandledRejection handler behind (Dredd’s parser installs one that exits)', () => {
    loadDredd();
    expect(process.listeners('unhandledRejection').map(String).filter((f) => f.includes('process["exit"]'))).toEqual([]);
  });

  it('lists each failed check in text: what was sent, what was expected, what came back, why', async () => {
    const r = await receiver({ fault: 'accept-0-aliases' });
    const text = formatText(await runVerify({ url: r.url, token: r.token, cases: 30 }));
    expect(text).toContain('Failed checks (2):');
    expect(text).toContain('FAIL  example invalid/aliases-empty-array.json: aliases is [] (at least one is required)');
    expect(text).toMatch(/ {4}sent {6}POST \/api\/webhooks, X-Webhook-Token: \(the token\), application\/json, \d+ bytes\n {14}\{ "event_name": /);
    expect(text).toContain('    expected  400 with a ValidationProblem body, {violations: [{code, pointer, message}, ...]}; the body breaks the rule aliases-too-few');
    expect(text).toMatch(/ {4}got {7}200 {2}application\/json {2}\{"status":"accepted"/);
    expect(text).toContain('    why       expected status 400, got 200');
    expect(text).toContain('FAIL  generated invalid #24: aliases is [] (0 aliases)');
    expect(text.split('\n').at(-1)).toBe('192 passed, 2 failed');
    expect(text).toContain('does NOT honour the contract');
  });

  it('writes JUnit XML whose failures carry what was sent, expected and got', async () => {
    const r = await receiver({ fault: 'accept-11-aliases' });
    const xml = toJUnit(await runVerify({ url: r.url, token: r.token, cases: 30 }));
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="converge-webhook verify" tests="\d+" failures="2" errors="0" skipped="1"/);
    const failure = /<testcase [^>]*name="example invalid\/aliases-too-many.json: [^"]*"[^>]*>\s*<failure message="expected status 400, got 200" type="contract">([^<]*)<\/failure>/.exec(xml);
    expect(failure?.[1]).toMatch(/sent +POST \/api\/webhooks, X-Webhook-Token: \(the token\), application\/json/);
    expect(failure?.[1]).toContain('expected  400 with a ValidationProblem body');
    expect(failure?.[1]).toContain('got       200  application/json  {&quot;status&quot;:&quot;accepted&quot;');
    expect(xml).toContain('<skipped message="the body limit is not checked');
  });
});

describe('runVerify against the sandbox and the Prism mock', () => {
  it('passes the sandbox, whose store then holds the generated valid events', async () => {
    const sandbox = await startSandbox({ port: 0, token: 'verify-sandbox-token', inMemory: true });
    try {
      const result = await runVerify({ url: sandbox.url, token: sandbox.token, runId: 'sandbox' });
      expect(failed(result)).toEqual([]);
      expect(result.ok).toBe(true);
      const generated = sandbox.events({ limit: 10_000 }).filter((e) => e.event_id.startsWith('verify-sandbox-v'));
      expect(generated.length).toBe(200);
    } finally {
      await sandbox.stop();
    }
  });

  describe('the Prism mock', () => {
    let mock: Awaited<ReturnType<typeof startMock>>;
    beforeAll(async () => {
      mock = await startMock({ port: 0 });
    });
    afterAll(async () => {
      await mock?.stop();
    });

    it('passes with --skip-wrong-token; its own malformed-JSON answer is tolerated', async () => {
      const result = await runVerify({ url: mock.url, token: 'any-token', skipWrongToken: true });
      expect(failed(result)).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.checks.find((c) => c.id === 'example invalid/malformed-json.json')?.notes).toEqual([
        expect.stringContaining("must have required property 'violations' (tolerated: the request body was not JSON)"),
      ]);
    });

    it('fails exactly the wrong-token checks without it (Prism never checks the token value)', async () => {
      const result = await runVerify({ url: mock.url, token: 'any-token', cases: 20 });
      expect(failedIds(result)).toEqual(['token wrong-last-character', 'token wrong-extra-character']);
    });
  });
});

describe('converge-webhook verify (the CLI, from dist/)', () => {
  let good: RunningReceiver;
  let broken: RunningReceiver;
  let dir: string;
  beforeAll(async () => {
    good = await startReceiver({ token: 'cli-token-1' });
    broken = await startReceiver({ token: 'cli-token-1', fault: 'accept-0-aliases' });
    dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  });
  afterAll(async () => {
    await Promise.all([good?.stop(), broken?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 against a correct receiver, with progress on stderr, the summary line, the skipped checks and a JUnit file', async () => {
    const junit = join(dir, 'verify.xml');
    const run = await runCli(['verify', '--url', good.url, '--token', 'cli-token-1', '--junit', junit, '--skip-wrong-token']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('532 passed, 0 failed');
    expect(run.stdout).toContain('token wrong-last-character, token wrong-extra-character: the wrong-token checks are turned off (--skip-wrong-token)');
    expect(run.stdout).toContain('body limit: the body limit is not checked');
    expect(run.stderr).toMatch(/^ {2}token checks +4 {2}2 passed, 2 skipped$/m);
    expect(run.stderr).toMatch(/^ {2}generated invalid events +200 {2}200 passed$/m);
    expect(run.stdout + run.stderr).not.toContain('cli-token-1');
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)?.length).toBe(535);
    expect(xml).toContain('failures="0" errors="0" skipped="3"');
  });

  it('exits 1 against a broken receiver; --json prints the result object and nothing else', async () => {
    const json = await runCli(['verify', '--url', broken.url, '--token', 'cli-token-1', '--cases', '30', '--json']);
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    const result = JSON.parse(json.stdout) as VerifyResult;
    expect(result.ok).toBe(false);
    expect(failedIds(result)).toEqual(['example invalid/aliases-empty-array.json', 'generated invalid #24']);
    expect(result.counts).toEqual({ total: 195, passed: 192, failed: 2, skipped: 1 });
  });

  it('exits 2 on usage errors and 1 when nothing answers at the URL', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['verify'], /verify needs --url/],
      [['verify', '--url', good.url], /verify needs --token/],
      [['verify', '--url', 'ftp://127.0.0.1:1', '--token', 't'], /--url: expected an http/],
      [['verify', '--url', good.url, '--token', 't', '--bogus'], /Unknown option '--bogus'/],
      [['verify', '--url', good.url, '--token', 't', '--cases', 'many'], /--cases: expected an integer/],
      [['verify', '--url', good.url, '--token', 't', '--junit', join(dir, 'no/such/dir.xml')], /--junit: expected a file in an existing folder/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
    }
    const help = await runCli(['verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('npm install --save-dev dredd@14.1.0');

    const down = await runCli(['verify', '--url', `http://127.0.0.1:${await freePort()}`, '--token', 't']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\): is the server running\?/);
  });
});

/** A port nothing listens on (it was free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
