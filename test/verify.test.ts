/**
 * `converge-webhook verify` on the default contract, through the same plan, rules and judge as
 * every contract (contract-plan.ts, contract-rules.ts, judge.ts): its generated bodies are what
 * they claim to be; it judges one answer at the right level (failure or deviation) by the rules
 * of contract.yaml verify.rules; it passes correct receivers (a hand-written one, the sandbox,
 * Express + express-openapi-validator, and the Prism mock with --skip-wrong-token), listing
 * their deviations from the recommendations; it fails each deliberately broken receiver on
 * exactly the right checks with the exact reason; and its CLI speaks exit codes, --strict, JUnit
 * and JSON.
 * Real Dredd and real HTTP on 127.0.0.1; verify runs in-process except for the CLI tests.
 */
import { isDeepStrictEqual } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { validateBody } from '../generated/converge/index.js';
import { loadContractRuntime } from '../src/contract-runtime.js';
import { startMock } from '../src/mock/mock.js';
import { startSandbox } from '../src/default-sandbox.js';
import { buildContractPlan } from '../src/verify/contract-plan.js';
import { contractProfile, contractRules, ROLES, ruleRoles } from '../src/verify/contract-rules.js';
import { describeExpectation, judgeWith } from '../src/verify/judge.js';
import type { PlannedCheck } from '../src/verify/plan.js';
import { formatText, toJUnit } from '../src/verify/report.js';
import { DreddNotInstalled, loadDredd, resolveEndpoint, runVerify, VerifyOptionsError, type VerifyResult } from '../src/verify/verify.js';
import { STANDARD_EVENT_NAMES } from '../generated/converge/index.js';
import { BODY_DEVIATIONS, FAULTS, startExpressReceiver, startReceiver, type Fault, type ReceiverOptions, type RunningReceiver } from './fixtures/receivers.js';
import { freePort, manifest, root, runCli } from './helpers.js';

const SEED = 20240902;
const failedIds = (result: VerifyResult) => result.checks.filter((c) => c.level === 'failed').map((c) => c.id);
const failed = (result: VerifyResult) => result.checks.filter((c) => c.level === 'failed');

const runtime = await loadContractRuntime('converge', root);
const rules = contractRules(runtime);
const profile = await contractProfile(runtime, root, rules);
const judge = (check: PlannedCheck, answer: { status: number; contentType: string; text: string | null }) => judgeWith(profile, check, answer);
const ENDPOINT = new URL('http://127.0.0.1:1/api/webhooks');
/** The plan runVerify sends for `runId` (the default seed and 200 cases unless given). */
const planOf = (options: { runId: string; cases?: number; seed?: number; token?: string; skipWrongToken?: boolean }): PlannedCheck[] =>
  buildContractPlan({
    runtime,
    root,
    urls: { event: ENDPOINT },
    secrets: { token: options.token ?? 'x' },
    runId: options.runId,
    seed: options.seed ?? SEED,
    ...(options.cases === undefined ? {} : { cases: options.cases }),
    ...(options.skipWrongToken ? { skipWrongToken: true } : {}),
  });
const declaredValues = (runtime.descriptor as { verify?: { values?: Record<string, unknown[]> } }).verify?.values ?? {};
const valueAt = (body: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, token) => (typeof node === 'object' && node !== null && Object.hasOwn(node, token) ? (node as Record<string, unknown>)[token] : undefined), body);
const bodyOf = (c: PlannedCheck) => JSON.parse(c.request.body) as Record<string, unknown>;

describe('the rules: contract.yaml verify.rules, audited', () => {
  it('every rule has a level, a title and a source, and every role of the judge is played by exactly one rule', () => {
    for (const [id, rule] of Object.entries(rules)) {
      expect({ id, level: rule.level }).toEqual({ id, level: expect.stringMatching(/^(failure|deviation)$/) });
      expect(rule.title.length, id).toBeGreaterThan(10);
      expect(rule.source.length, id).toBeGreaterThan(10);
    }
    const plays = Object.values(rules).flatMap((r) => r.plays);
    expect([...plays].sort()).toEqual([...ROLES].sort());
    // The report's words stay those Converge users know.
    expect(ruleRoles(rules)).toEqual({
      'accept-valid-bodies': 'accept-valid-events',
      'refuse-invalid-bodies': 'refuse-invalid-events',
      'refuse-bad-credentials': 'refuse-bad-tokens',
      'refuse-unsupported-media-types': 'refuse-non-json',
      'answer-at-the-endpoint': 'answer-at-the-endpoint',
      'answer-every-request': 'answer-every-request',
      'bodies-match-the-contract': 'bodies-match-the-contract',
      'status-for-invalid-bodies': 'status-400-for-invalid-events',
      'status-for-bad-credentials': 'status-401-for-bad-tokens',
      'status-for-unsupported-media-types': 'status-415-for-non-json',
      'body-for-invalid-bodies': 'validation-problem-body',
      'body-for-bad-credentials': 'problem-body',
      'body-for-unsupported-media-types': 'problem-body',
    });
  });

  it('every rule id the judge can emit is in the table, at its level', () => {
    const plan = planOf({ runId: 'r', cases: 0 });
    const emitted = new Set<string>();
    const answers = [
      [200, 'application/json', '{"status":200}'],
      [200, 'application/json', '{"status":"accepted"}'],
      [204, '', ''],
      [400, 'application/json', '{"status":"x"}'],
      [400, 'text/plain', 'no'],
      [401, '', ''],
      [403, 'application/json', '{}'],
      [404, '', ''],
      [405, '', ''],
      [415, 'application/json', '{}'],
      [422, 'application/json', '{}'],
      [500, '', ''],
    ] as const;
    for (const check of plan.filter((c) => !c.skip)) {
      for (const [status, contentType, text] of answers) for (const f of judge(check, { status, contentType, text })) emitted.add(`${f.rule} ${f.level}`);
    }
    // answer-every-request is the runner's (no answer at all).
    expect([...emitted, `answer-every-request ${rules['answer-every-request']!.level}`].sort()).toEqual(Object.entries(rules).map(([id, r]) => `${id} ${r.level}`).sort());
  });
});

describe('generated bodies: the generic generator on the default contract', () => {
  const plan = planOf({ runId: 'test' });
  const valid = plan.filter((c) => c.group === 'generated-valid-bodies');
  const invalid = plan.filter((c) => c.group === 'generated-invalid-bodies');
  const generated = [...valid, ...invalid];

  it('every valid body passes the engine with no error; every declared timestamp carries exactly the warnings of its form', () => {
    expect(valid.length).toBe(200);
    for (const c of valid) expect({ id: c.id, errors: validateBody(c.request.body).errors }).toEqual({ id: c.id, errors: [] });
    // ISO 8601 outside RFC 3339 (no seconds, an offset without a colon or of hours only, a space, a leap second): valid, with a timestamp-form warning at /timestamp.
    const isoOnly = /^\d{4}-\d\d-\d\dT\d\d:\d\d(Z|[+-]\d\d:\d\d)$|[+-]\d{4}$|[+-]\d\d$|^\d{4}-\d\d-\d\d |:60/;
    const declaredValid = valid.filter((c) => c.source === 'declared-value, application/json' && c.summary.startsWith('/timestamp: '));
    expect(declaredValid.length).toBe(38);
    for (const c of declaredValid) {
      const timestamp = bodyOf(c).timestamp;
      const atTimestamp = validateBody(c.request.body).warnings.filter((w) => w.pointer === '/timestamp').map((w) => w.code);
      expect({ timestamp, atTimestamp }).toEqual({ timestamp, atTimestamp: typeof timestamp === 'string' && isoOnly.test(timestamp) ? ['timestamp-form'] : [] });
    }
    expect(declaredValid.filter((c) => typeof bodyOf(c).timestamp === 'string' && isoOnly.test(bodyOf(c).timestamp as string)).length).toBe(12);
  });

  it('every invalid body breaks exactly its one rule at its pointer (the engine says so, from the text sent)', () => {
    expect(invalid.length).toBe(200);
    for (const c of invalid) {
      const errors = validateBody(c.request.body).errors.map((e) => [e.code, e.pointer]);
      expect({ id: c.id, summary: c.summary, errors }).toEqual({ id: c.id, summary: c.summary, errors: [[c.breaks, c.breaksAt]] });
    }
  });

  it('stays true for other seeds', () => {
    for (const seed of [1, 7, 99, 123456, 4294967295]) {
      for (const c of planOf({ runId: 'x', seed }).filter((p) => p.group.startsWith('generated-'))) {
        const errors = validateBody(c.request.body).errors.map((e) => [e.code, e.pointer]);
        expect({ summary: c.summary, errors }).toEqual({ summary: c.summary, errors: c.breaks ? [[c.breaks, c.breaksAt]] : [] });
      }
    }
  });

  it('uses every declared value (contract.yaml verify.values), each judged by the engine', () => {
    const declared = generated.filter((c) => c.source === 'declared-value, application/json');
    for (const [pointer, values] of Object.entries(declaredValues)) {
      for (const value of values) {
        const used = declared.filter((c) => c.summary.startsWith(`${pointer}: `) && isDeepStrictEqual(valueAt(bodyOf(c), pointer), value));
        expect({ pointer, value, used: used.length > 0 }).toEqual({ pointer, value, used: true });
      }
    }
    expect(declared.length).toBe(Object.values(declaredValues).flat().length);
  });

  it('covers every timestamp form, alias counts from 0 to past 10, standard and custom names, with and without a channel', () => {
    const stamps = valid.map((c) => bodyOf(c).timestamp);
    const strings = stamps.filter((t): t is string => typeof t === 'string');
    const forms: Record<string, RegExp> = {
      'utc-z': /T\d\d:\d\d:\d\dZ$/,
      'utc-lowercase-t-z': /t.*z$/,
      'offset-zero': /[+-]00:00$/,
      'offset-positive': /\+(0[1-9]|1\d):00$/,
      'offset-negative': /-07:00$/,
      'offset-half-hour': /[+-]\d\d:(30|45)$/,
      'fraction-milliseconds-z': /\.\d{3}Z$/,
      'fraction-microseconds-offset': /\.\d{6}[+-]\d\d:\d\d$/,
      'fraction-nanoseconds-negative-offset': /\.\d{7,9}-\d\d:\d\d$/,
      'leap-day': /-02-29T/,
      'iso-no-seconds': /T\d\d:\d\d(Z|[+-]\d\d:\d\d)$/,
      'iso-offset-no-colon': /[+-]\d{4}$/,
      'iso-space-separator': /^\d{4}-\d\d-\d\d \d/,
      'iso-offset-hours-only': /:\d\d[+-]\d\d$/,
      'leap-second-utc': /T23:59:60/,
    };
    for (const [form, pattern] of Object.entries(forms)) expect({ form, found: strings.some((t) => pattern.test(t)) }).toEqual({ form, found: true });
    expect(stamps).toContain(0);
    expect(stamps).toContain(253402300799);
    expect(stamps).toContain(1725312229);
    // An absent timestamp: from the examples without one, or a removed member.
    expect(stamps).toContain(undefined);
    // Every way of getting a timestamp wrong.
    expect(new Set(invalid.filter((c) => c.breaksAt === '/timestamp').map((c) => c.breaks))).toEqual(
      new Set(['timestamp-missing-timezone', 'timestamp-invalid-format', 'timestamp-invalid-date', 'timestamp-not-integer', 'timestamp-negative', 'timestamp-too-large', 'wrong-type']),
    );
    const aliasesOf = (c: PlannedCheck) => {
      try {
        return (JSON.parse(c.request.body) as { aliases?: unknown }).aliases;
      } catch {
        return undefined;
      }
    };
    const counts = new Set(generated.map((c) => { const a = aliasesOf(c); return Array.isArray(a) ? a.length : -1; }));
    for (const n of [0, 1, 10, 11, 15]) expect(counts).toContain(n);
    const names = new Set(valid.map((c) => bodyOf(c).event_name));
    expect([...names].filter((n) => (STANDARD_EVENT_NAMES as readonly unknown[]).includes(n)).length).toBeGreaterThanOrEqual(10);
    expect([...names].filter((n) => !(STANDARD_EVENT_NAMES as readonly unknown[]).includes(n)).length).toBeGreaterThanOrEqual(5);
    const channel = (c: PlannedCheck) => (bodyOf(c).properties as Record<string, unknown> | undefined)?.$sales_channel_type;
    expect(valid.filter((c) => channel(c) === undefined).length).toBeGreaterThanOrEqual(10);
    expect(valid.filter((c) => channel(c) !== undefined).length).toBeGreaterThan(100);
  });

  it('breaks every error rule of codes.yaml a body can break (invalid-value: only a value in the library can)', () => {
    const errorCodes = runtime.table.codes.filter((c) => c.level === 'error' && !(c as { exempt?: string }).exempt).map((c) => c.code);
    expect(new Set(invalid.map((c) => c.breaks))).toEqual(new Set(errorCodes));
    expect(errorCodes.sort()).toEqual(
      [
        'invalid-json', 'not-an-object', 'missing-field', 'wrong-type', 'empty-string', 'aliases-too-few', 'aliases-too-many', 'alias-empty',
        'timestamp-missing-timezone', 'timestamp-invalid-format', 'timestamp-invalid-date', 'timestamp-not-integer', 'timestamp-negative', 'timestamp-too-large',
      ].sort(),
    );
  });

  it('is deterministic per seed, with ids unique per run', () => {
    const bodies = (list: PlannedCheck[]) => list.filter((c) => c.group.startsWith('generated-')).map((c) => c.request.body);
    expect(bodies(planOf({ runId: 'test' }))).toEqual(bodies(plan));
    const other = planOf({ runId: 'other' });
    expect(bodies(other).map((b) => b.replaceAll('verify-other-', 'verify-test-'))).toEqual(bodies(plan));
    const ids = [...plan, ...other].filter((c) => c.group === 'generated-valid-bodies').map((c) => bodyOf(c).event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => typeof id === 'string' && /^verify-(test|other)-v\d{3}/.test(id))).toBe(true);
    // The invalid bodies with an id of their own have one of the run's too.
    const invalidIds = invalid.flatMap((c) => {
      try {
        const id = (JSON.parse(c.request.body) as { event_id?: unknown }).event_id;
        return typeof id === 'string' && id.startsWith('verify-') ? [id] : [];
      } catch {
        return [];
      }
    });
    expect(invalidIds.length).toBeGreaterThan(50);
    expect(new Set([...invalidIds, ...ids]).size).toBe(invalidIds.length + ids.length);
    expect(bodies(planOf({ runId: 'test', seed: SEED + 1, cases: 50 }))).not.toEqual(bodies(planOf({ runId: 'test', cases: 50 })));
  });
});

describe('the plan', () => {
  const plan = planOf({ runId: 'r', token: 'tok' });

  it('sends every valid and invalid example, with the manifests’ summaries', () => {
    const sent = new Map(plan.filter((c) => c.group.endsWith('-examples')).map((c) => [c.source, c]));
    for (const entry of manifest('valid')) {
      expect(sent.get(entry.file)?.summary).toBe(entry.summary);
      expect(sent.get(entry.file)?.expect).toEqual({ kind: 'accepted' });
      expect(sent.get(entry.file)?.request.body).toBe(readFileSync(join(root, 'spec/converge/examples', entry.file), 'utf8'));
    }
    for (const entry of manifest('invalid')) {
      const check = plan.find((c) => c.id === `example ${entry.file}`);
      expect(check?.summary).toBe(entry.summary);
      expect(check?.expect).toEqual({ kind: 'refused', refusal: 'invalid-body', status: 400 });
      // The rule it breaks, with where, when it breaks exactly one.
      const one = entry.errors?.length === 1 ? entry.errors[0] : undefined;
      if (one) expect([check?.breaks, check?.breaksAt]).toEqual([one.code, one.pointer]);
    }
    // The two bodies that are not JSON are sent as raw text, and break invalid-json.
    expect(sent.get('invalid/malformed-json.json')?.breaks).toBe('invalid-json');
    expect(sent.get('invalid/truncated-json.json')?.breaks).toBe('invalid-json');
    expect(plan.find((c) => c.id === 'example invalid/event-id-number.json')?.breaksAt).toBe('/event_id');
  });

  it('has the token checks, the media-type checks, the body limit, 200 generated bodies of each kind, and unique ids', () => {
    const header = (c: PlannedCheck) => c.wire?.headers['X-Webhook-Token'];
    expect(plan.filter((c) => c.group === 'token').map((c) => [c.id, c.request.token, header(c), c.expect])).toEqual([
      ['token missing', 'missing', undefined, { kind: 'refused', refusal: 'bad-credentials', status: 401 }],
      ['token empty', 'empty', '', { kind: 'refused', refusal: 'bad-credentials', status: 401 }],
      ['token wrong-last-character', 'wrong-last-character', 'tox', { kind: 'refused', refusal: 'bad-credentials', status: 401 }],
      ['token wrong-extra-character', 'wrong-extra-character', 'tok0', { kind: 'refused', refusal: 'bad-credentials', status: 401 }],
    ]);
    expect(plan.filter((c) => c.expect.kind === 'accepted').every((c) => header(c) === 'tok')).toBe(true);
    expect(plan.filter((c) => c.group === 'media-types').map((c) => [c.id, c.wire?.headers['Content-Type'], c.expect])).toEqual([
      ['content type application/json as application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', { kind: 'refused', refusal: 'media-type', status: 415 }],
      ['content type application/json as text/plain', 'text/plain', { kind: 'refused', refusal: 'media-type', status: 415 }],
    ]);
    expect(plan.filter((c) => c.group === 'body-limit').map((c) => [c.id, c.expect, c.skip])).toEqual([
      ['body limit', { kind: 'not-checked', recommended: '413' }, "the body limit is not checked: 1 MiB is this contract's limit for its own endpoint, and an implementation may accept more"],
    ]);
    expect(plan.filter((c) => c.group === 'generated-valid-bodies').length).toBe(200);
    expect(plan.filter((c) => c.group === 'generated-invalid-bodies').length).toBe(200);
    expect(new Set(plan.map((c) => c.id)).size).toBe(plan.length);
    expect(planOf({ runId: 'r', token: 'tok', skipWrongToken: true }).filter((c) => c.skip).map((c) => c.id)).toEqual([
      'token wrong-last-character',
      'token wrong-extra-character',
      'body limit',
    ]);
  });
});

describe('judge: the level of one answer', () => {
  const plan = planOf({ runId: 'r', token: 'tok', cases: 0 });
  const valid = plan.find((c) => c.id === 'example valid/placed-order.json')!;
  const invalid = plan.find((c) => c.id === 'example invalid/aliases-too-many.json')!;
  const token = plan.find((c) => c.id === 'token missing')!;
  const form = plan.find((c) => c.id === 'content type application/json as application/x-www-form-urlencoded')!;
  const levels = (check: PlannedCheck, status: number, contentType = '', text: string | null = '') => judge(check, { status, contentType, text }).map((f) => `${f.level} ${f.rule}: ${f.reason}`);
  const strictBody = JSON.stringify({ title: 'Invalid event', status: 400, violations: [{ code: 'x', pointer: '/aliases', message: 'too many' }] });

  it('a valid event: any 2xx passes, with or without a body; anything else fails', () => {
    expect(levels(valid, 200, 'application/json', '{"status":"accepted"}')).toEqual([]);
    expect(levels(valid, 204)).toEqual([]);
    expect(levels(valid, 202, 'text/plain', 'ok')).toEqual([]);
    expect(levels(valid, 200, 'application/json', '{"status":200}')).toEqual(["deviation bodies-match-the-contract: the 200 body does not match the contract's Accepted schema: /status must be string"]);
    expect(levels(valid, 200, 'application/json', 'ok')).toEqual([
      'deviation bodies-match-the-contract: the 200 body is labelled "application/json" but is not JSON (Unexpected token \'o\', "ok" is not valid JSON)',
    ]);
    expect(levels(valid, 422, 'application/json', strictBody)).toEqual(['failure accept-valid-events: expected a 2xx status (accepted), got 422']);
    expect(levels(valid, 302)).toEqual(['failure accept-valid-events: expected a 2xx status (accepted), got 302']);
  });

  it('an invalid event: a 4xx passes the contract; 400 and a StrictValidationProblem body are recommendations', () => {
    expect(levels(invalid, 400, 'application/problem+json', strictBody)).toEqual([]);
    expect(levels(invalid, 422, 'application/json', strictBody)).toEqual(['deviation status-400-for-invalid-events: 400 recommended, got 422']);
    expect(levels(invalid, 400)).toEqual([
      'deviation validation-problem-body: the 400 answer has no body; recommended: a StrictValidationProblem body, {title, status, violations: [{code, pointer, message}, ...]}',
    ]);
    expect(levels(invalid, 400, 'application/json', '{"message":"bad","errors":[]}')).toEqual([
      'deviation validation-problem-body: the 400 body is not a StrictValidationProblem: it has no title, status, violations',
    ]);
    expect(levels(invalid, 400, 'application/json', '{"title":"t","status":400,"violations":[{"code":""}]}')).toEqual([
      'deviation validation-problem-body: the 400 body is not a StrictValidationProblem: it has no /violations/0/pointer, /violations/0/message; /violations/0/code must NOT have fewer than 1 characters',
    ]);
    expect(levels(invalid, 400, 'text/html', '<h1>Bad</h1>')).toEqual([
      'deviation validation-problem-body: the 400 body is "text/html", not JSON; recommended: a StrictValidationProblem body, {title, status, violations: [{code, pointer, message}, ...]}',
    ]);
    expect(levels(invalid, 400, 'application/octet-stream', null)).toEqual([
      'deviation validation-problem-body: the 400 body is binary; recommended: a StrictValidationProblem body, {title, status, violations: [{code, pointer, message}, ...]}',
    ]);
    // Labelled JSON but not JSON: it contradicts the declared JSON body (400), or misses the recommended one (422); a deviation either way.
    expect(levels(invalid, 400, 'application/json', 'Bad Request')[0]).toMatch(/^deviation bodies-match-the-contract: the 400 body is labelled "application\/json" but is not JSON/);
    expect(levels(invalid, 422, 'application/json', 'Bad Request')).toEqual([
      'deviation status-400-for-invalid-events: 400 recommended, got 422',
      'deviation validation-problem-body: the 422 body is labelled "application/json" but is not JSON; recommended: a StrictValidationProblem body, {title, status, violations: [{code, pointer, message}, ...]}',
    ]);
    // A present member of the wrong type contradicts the contract's schema, which is ours (the vendor documents no body): a deviation, reported once.
    expect(levels(invalid, 400, 'application/json', '{"status":"error","violations":[]}')).toEqual([
      "deviation bodies-match-the-contract: the 400 body does not match the contract's ValidationProblem schema: /status must be integer",
    ]);
  });

  it('an invalid event accepted, or answered with a status that makes the sender retry, fails', () => {
    expect(levels(invalid, 200, 'application/json', '{}')).toEqual([
      'failure refuse-invalid-events: expected a 4xx refusal (400 recommended), got 200: an event that breaks aliases-too-many at /aliases was accepted',
    ]);
    expect(levels(invalid, 500)).toEqual(['failure refuse-invalid-events: expected a 4xx refusal (400 recommended), got 500: a 500 tells the sender to retry, and the same request will fail again']);
    expect(levels(invalid, 429)).toEqual(['failure refuse-invalid-events: expected a 4xx refusal (400 recommended), got 429: 429 tells the sender to retry later']);
    expect(levels(invalid, 303)).toEqual(['failure refuse-invalid-events: expected a 4xx refusal (400 recommended), got 303: not a refusal']);
  });

  it('a 404 or 405 is never a refusal: the request did not reach the endpoint, whatever was sent', () => {
    const nowhere = (status: number) => `failure answer-at-the-endpoint: expected a 4xx refusal, got ${status}: no endpoint that takes POST answered (is the URL the endpoint?)`;
    for (const status of [404, 405]) {
      expect(levels(invalid, status, 'application/json', '{"message":"Not Found"}')).toEqual([nowhere(status)]);
      expect(levels(token, status)).toEqual([nowhere(status)]);
      expect(levels(form, status, 'text/html', '<h1>Not Found</h1>')).toEqual([nowhere(status)]);
      expect(levels(valid, status)).toEqual([`failure answer-at-the-endpoint: expected a 2xx status (accepted), got ${status}: no endpoint that takes POST answered (is the URL the endpoint?)`]);
    }
  });

  it('tokens and content types: a 4xx is required, 401 / 415 and a StrictProblem body are recommended', () => {
    const problem = (status: number) => JSON.stringify({ title: 'No', status });
    expect(levels(token, 401, 'application/problem+json', problem(401))).toEqual([]);
    expect(levels(token, 403, 'application/json', problem(403))).toEqual(['deviation status-401-for-bad-tokens: 401 recommended, got 403']);
    expect(levels(token, 200)).toEqual(['failure refuse-bad-tokens: expected a 4xx refusal (401 recommended), got 200: a request with no token was accepted']);
    expect(levels(form, 415, 'application/problem+json', problem(415))).toEqual([]);
    expect(levels(form, 400, 'application/json', '{"message":"unsupported"}')).toEqual([
      'deviation status-415-for-non-json: 415 recommended, got 400',
      'deviation problem-body: the 400 body is not a StrictProblem: it has no title, status',
    ]);
    expect(levels(form, 201)).toEqual(['failure refuse-non-json: expected a 4xx refusal (415 recommended), got 201: a body sent as application/x-www-form-urlencoded was accepted']);
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
  /** The plan runVerify sends for `runId` (default seed, 200 cases unless given). */
  const planFor = (runId: string, cases?: number) => planOf({ runId, ...(cases === undefined ? {} : { cases }) });
  const invalidIds = (plan: PlannedCheck[]) => plan.filter((c) => c.expect.kind === 'refused' && c.expect.refusal === 'invalid-body').map((c) => c.id);
  const blocks = (result: VerifyResult, level: 'failure' | 'deviation') => result.rules.filter((b) => b.level === level).map((b) => [b.rule, b.topic, b.count]);

  it('passes the correct receiver: every check sent, one answer each, nothing to report', async () => {
    const r = await receiver();
    const started = Date.now();
    const result = await runVerify({ url: r.url, token: r.token, runId: 'correct' });
    const took = Date.now() - started;
    expect(failed(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.rules).toEqual([]);
    expect(result.counts).toEqual({ total: planFor('correct').length, passed: planFor('correct').length - 1, deviations: 0, failed: 0, skipped: 1 });
    expect(result.checks.filter((c) => c.level === 'skipped').map((c) => c.id)).toEqual(['body limit']);
    expect(result.notSent).toEqual([{ group: 'body-limit', count: 1, of: 1, reason: expect.stringContaining('the body limit is not checked'), checks: ['body limit'] }]);
    // One request per check, and one before them: the preflight (the first valid example, to find a wrong URL or token).
    expect(r.requests()).toBe(result.counts.passed + 1);
    expect(result.endpoint).toBe(`${r.url}/api/webhooks`);
    expect(took).toBeLessThan(20_000);
  });

  // Receivers that honour the contract in another style: 0 failures, their deviations listed (exactly), and --strict fails them.
  const styles: Array<[string, ReceiverOptions, (plan: PlannedCheck[]) => Array<[string, string, number]>]> = [
    [
      'minimal (204 without a body, its own violation codes, 401/415 without a body, its own malformed-JSON answer)',
      { style: 'minimal' },
      (plan) => [
        ['validation-problem-body', 'the 400 body is not a StrictValidationProblem: it has no title, status, violations', plan.filter((c) => c.breaks === 'invalid-json').length],
        ['problem-body', 'the 401 answer has no body', 4],
        ['problem-body', 'the 415 answer has no body', 2],
      ],
    ],
    [
      'own error bodies (every status right)',
      { style: 'own-errors' },
      (plan) => [
        ['validation-problem-body', 'the 400 body is not a StrictValidationProblem: it has no title, status, violations', invalidIds(plan).length],
        ['problem-body', 'the 401 body is not a StrictProblem: it has no title, status', 4],
        ['problem-body', 'the 415 body is "text/plain", not JSON', 2],
      ],
    ],
    [
      'other 4xx statuses (422, 403, 400)',
      { style: 'other-statuses' },
      (plan) => [
        ['status-400-for-invalid-events', 'answered 422', invalidIds(plan).length],
        ['status-401-for-bad-tokens', 'answered 403', 2],
        ['status-415-for-non-json', 'answered 400', 2],
      ],
    ],
    [
      'a 400 body without violations (a failure before the contract said no member is required)',
      { style: 'no-violations' },
      (plan) => [['validation-problem-body', 'the 400 body is not a StrictValidationProblem: it has no violations', invalidIds(plan).length]],
    ],
  ];

  it.each(styles)('passes a receiver with %s, listing its deviations', async (_name, options, expected) => {
    const r = await receiver(options);
    const result = await runVerify({ url: r.url, token: r.token, cases: 60, runId: 'style' });
    expect(failed(result).map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(blocks(result, 'failure')).toEqual([]);
    expect(blocks(result, 'deviation')).toEqual(expected(planFor('style', 60)));
    expect(result.counts.deviations).toBe(new Set(result.rules.flatMap((b) => b.checks)).size);
    expect(formatText(result)).toContain(`honours the contract (${plural(result.rules.length, 'recommendation')} not followed)`);
  });

  it('passes Express + express-openapi-validator loading this package’s openapi.json, with its {message, errors} bodies as deviations; --strict fails it', async () => {
    const r = await startExpressReceiver();
    running.push(r);
    const result = await runVerify({ url: r.url, token: r.token, runId: 'express' });
    expect(failed(result).map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.counts.failed).toBe(0);
    expect(blocks(result, 'deviation')).toEqual([
      ['validation-problem-body', 'the 400 body is not a StrictValidationProblem: it has no title, status, violations', invalidIds(planFor('express')).length],
      ['problem-body', 'the 401 body is not a StrictProblem: it has no title, status', 4],
      ['problem-body', 'the 415 body is not a StrictProblem: it has no title, status', 2],
    ]);
    // What it answers, as measured: 401 for every bad token, 415 for form data, 400 for invalid events.
    const got = (id: string) => result.checks.find((c) => c.id === id)?.got;
    expect(got('token missing')).toMatchObject({ status: 401, contentType: 'application/json; charset=utf-8', excerpt: expect.stringMatching(/^\{"message":"'X-Webhook-Token' header required","errors":\[/) });
    expect(got('token wrong-last-character')).toMatchObject({ status: 401, excerpt: expect.stringMatching(/^\{"message":"wrong X-Webhook-Token"/) });
    expect(got('content type application/json as application/x-www-form-urlencoded')).toMatchObject({ status: 415, excerpt: expect.stringMatching(/^\{"message":"unsupported media type application\/x-www-form-urlencoded"/) });
    expect(got('content type application/json as text/plain')).toMatchObject({ status: 415, excerpt: expect.stringMatching(/^\{"message":"unsupported media type text\/plain"/) });
    expect(got('example invalid/aliases-too-many.json')).toMatchObject({ status: 400, excerpt: expect.stringContaining('must NOT have more than 10 items') });
    expect(r.requests()).toBe(result.counts.total - result.counts.skipped + 1);

    const strict = await runVerify({ url: r.url, token: r.token, runId: 'express-strict', strict: true, cases: 10 });
    expect(strict.ok).toBe(false);
    expect(strict.strict).toBe(true);
    expect(strict.counts.failed).toBe(0);
    expect(strict.counts.deviations).toBe(invalidIds(planFor('x', 10)).length + 6);
    expect(formatText(strict)).toContain('honours the contract but not all its recommendations (--strict)');
  });

  it('lists a 403 for a wrong token as a deviation of an Express receiver, not a failure', async () => {
    const r = await startExpressReceiver({ wrongTokenStatus: 403 });
    running.push(r);
    const result = await runVerify({ url: r.url, token: r.token, cases: 0 });
    expect(result.counts.failed).toBe(0);
    expect(result.rules.find((b) => b.rule === 'status-401-for-bad-tokens')).toMatchObject({ level: 'deviation', topic: 'answered 403', checks: ['token wrong-last-character', 'token wrong-extra-character'], reason: '401 recommended, got 403' });
  });

  // For each fault: exactly which planned checks must fail, with exactly which reason, and the rule blocks.
  const timestampOf = (c: PlannedCheck) => (JSON.parse(c.request.body) as { timestamp?: unknown }).timestamp;
  const eventOf = (c: PlannedCheck) => JSON.parse(c.request.body) as Record<string, unknown>;
  const isValid = (c: PlannedCheck) => c.expect.kind === 'accepted';
  const isInvalid = (c: PlannedCheck) => c.expect.kind === 'refused' && c.expect.refusal === 'invalid-body';
  const accepted = (c: PlannedCheck) =>
    `expected a 4xx refusal (400 recommended), got 200: an event that breaks ${c.breaks ? `${c.breaks}${c.breaksAt ? ` at ${c.breaksAt}` : ''}` : 'the contract'} was accepted`;
  const refused400 = () => 'expected a 2xx status (accepted), got 400';
  const TOKEN_REASON: Record<string, string> = {
    'token missing': 'a request with no token was accepted',
    'token empty': 'a request with an empty token was accepted',
    'token wrong-last-character': 'a request with a wrong token was accepted',
    'token wrong-extra-character': 'a request with a wrong token was accepted',
  };
  const tokenReason = (c: PlannedCheck) => `expected a 4xx refusal (401 recommended), got 200: ${TOKEN_REASON[c.id]}`;
  const faults: Record<Fault, { fails: (c: PlannedCheck) => boolean; reason: (c: PlannedCheck) => string; status: number; blocks?: Array<[string, string]> }> = {
    'no-token-check': { fails: (c) => c.group === 'token', reason: tokenReason, status: 200, blocks: [['refuse-bad-tokens', 'accepted']] },
    'any-token': { fails: (c) => c.request.token.startsWith('wrong'), reason: tokenReason, status: 200, blocks: [['refuse-bad-tokens', 'accepted']] },
    'no-validation': { fails: (c) => isInvalid(c) && c.breaks !== 'invalid-json', reason: accepted, status: 200 },
    'accept-11-aliases': { fails: (c) => c.breaks === 'aliases-too-many', reason: accepted, status: 200, blocks: [['refuse-invalid-events', 'accepted: aliases-too-many at /aliases']] },
    'accept-0-aliases': { fails: (c) => c.breaks === 'aliases-too-few', reason: accepted, status: 200, blocks: [['refuse-invalid-events', 'accepted: aliases-too-few at /aliases']] },
    'accept-timestamp-without-timezone': {
      fails: (c) => c.breaks === 'timestamp-missing-timezone',
      reason: accepted,
      status: 200,
      blocks: [['refuse-invalid-events', 'accepted: timestamp-missing-timezone at /timestamp']],
    },
    'reject-negative-offset': {
      fails: (c) => isValid(c) && typeof timestampOf(c) === 'string' && /-\d{2}:\d{2}$/.test(timestampOf(c) as string),
      reason: refused400,
      status: 400,
      blocks: [['accept-valid-events', 'answered 400, pointing at /timestamp']],
    },
    'reject-unix-seconds': { fails: (c) => isValid(c) && typeof timestampOf(c) === 'number', reason: refused400, status: 400, blocks: [['accept-valid-events', 'answered 400, pointing at /timestamp']] },
    'reject-custom-events': {
      fails: (c) => isValid(c) && !(STANDARD_EVENT_NAMES as readonly unknown[]).includes(eventOf(c).event_name),
      reason: refused400,
      status: 400,
      blocks: [['accept-valid-events', 'answered 400, pointing at /event_name']],
    },
    'require-sales-channel': {
      fails: (c) => isValid(c) && (eventOf(c).properties as Record<string, unknown>).$sales_channel_type === undefined,
      reason: refused400,
      status: 400,
      blocks: [['accept-valid-events', 'answered 400, pointing at /properties/$sales_channel_type']],
    },
    '500-instead-of-400': {
      fails: isInvalid,
      reason: () => 'expected a 4xx refusal (400 recommended), got 500: a 500 tells the sender to retry, and the same request will fail again',
      status: 500,
      blocks: [['refuse-invalid-events', 'answered 500']],
    },
    'accept-numeric-event-id': {
      fails: (c) => c.breaks === 'wrong-type' && c.breaksAt === '/event_id' && typeof eventOf(c).event_id === 'number',
      reason: accepted,
      status: 200,
      blocks: [['refuse-invalid-events', 'accepted: wrong-type at /event_id']],
    },
    'accepted-body-wrong-type': {
      fails: isValid,
      reason: () => "the 200 body does not match the contract's Accepted schema: /duplicate must be boolean",
      status: 200,
      blocks: [['bodies-match-the-contract', "the 200 body does not match the contract's Accepted schema: /duplicate must be boolean"]],
    },
    'accept-form-data': {
      fails: (c) => c.group === 'media-types',
      reason: (c) => `expected a 4xx refusal (415 recommended), got 200: a body sent as ${c.request.contentType} was accepted`,
      status: 200,
      blocks: [['refuse-non-json', 'accepted']],
    },
    'problem-status-string': {
      fails: isInvalid,
      reason: () => "the 400 body does not match the contract's ValidationProblem schema: /status must be integer",
      status: 400,
      blocks: [['bodies-match-the-contract', "the 400 body does not match the contract's ValidationProblem schema: /status must be integer"]],
    },
  };

  it.each(FAULTS.map((fault) => [fault]))('fails a receiver with the fault %s: exactly the right checks, each with its exact reason', async (fault) => {
    const r = await receiver({ fault });
    const runId = `fault-${fault}`;
    const result = await runVerify({ url: r.url, token: r.token, runId });
    const expected = faults[fault];
    const plan = planFor(runId);
    const planned = new Map(plan.map((c) => [c.id, c]));
    expect(result.ok).toBe(false);
    const mustFail = plan.filter((c) => !c.skip && expected.fails(c));
    expect(mustFail.length).toBeGreaterThan(0);
    expect(failed(result).map((c) => `${c.id}: ${c.reason}`)).toEqual(mustFail.map((c) => `${c.id}: ${expected.reason(c)}`));
    expect(result.counts.deviations).toBe(0);
    if (expected.blocks) expect(result.rules.map((b) => [b.rule, b.topic])).toEqual(expected.blocks);
    else expect(new Set(result.rules.map((b) => b.rule))).toEqual(new Set(['refuse-invalid-events']));
    expect(result.rules.reduce((sum, b) => sum + b.count, 0)).toBe(mustFail.length);
    // Every failure says exactly what was sent, what was expected and what came back.
    for (const c of failed(result)) {
      const check = planned.get(c.id)!;
      expect(c.sent.bytes, c.id).toBe(Buffer.byteLength(check.request.body));
      expect(c.sent.contentType).toBe(check.request.contentType);
      expect(c.expected, c.id).toBe(describeExpectation(check.expect, profile, check));
      expect(c.got?.status, c.id).toBe(expected.status);
      expect(c.findings[0]).toMatchObject({ level: 'failure', reason: c.reason });
    }
    // The value at the broken rule's pointer, for people: "(absent)" for a missing field.
    if (fault === 'no-validation') {
      expect(result.checks.find((c) => c.id === 'example invalid/missing-event-id.json')?.sent.valueAt).toBe('(absent)');
      expect(result.checks.find((c) => c.id === 'example invalid/event-id-number.json')?.sent.valueAt).toBe('42');
    }
  });

  it.each(BODY_DEVIATIONS.map((fault) => [fault]))('passes a receiver whose only fault is its own response body (%s), with each such body a deviation; --strict fails it', async (fault) => {
    const r = await receiver({ fault });
    const runId = `deviation-${fault}`;
    const expected = faults[fault];
    const deviating = planFor(runId).filter((c) => !c.skip && expected.fails(c));
    expect(deviating.length).toBeGreaterThan(0);
    const result = await runVerify({ url: r.url, token: r.token, runId });
    expect(failed(result)).toEqual([]);
    expect(result.ok).toBe(true);
    const bodyFindings = result.checks.flatMap((c) => c.findings.filter((f) => f.rule === 'bodies-match-the-contract').map((f) => `${c.id}: ${f.level} ${f.reason}`));
    expect(bodyFindings).toEqual(deviating.map((c) => `${c.id}: deviation ${expected.reason(c)}`));
    expect(result.rules.find((b) => b.rule === 'bodies-match-the-contract')?.count).toBe(deviating.length);
    const strict = await runVerify({ url: r.url, token: r.token, runId: `${runId}-strict`, strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.counts.failed).toBe(0);
    expect(strict.counts.deviations).toBeGreaterThanOrEqual(deviating.length);
  });

  it('--skip-wrong-token passes a receiver that accepts any token value, and says the checks were not sent', async () => {
    const r = await receiver({ fault: 'any-token' });
    const result = await runVerify({ url: r.url, token: r.token, skipWrongToken: true, cases: 20 });
    expect(failed(result)).toEqual([]);
    const skipped = result.checks.filter((c) => c.level === 'skipped');
    expect(skipped.map((c) => c.id)).toEqual(['token wrong-last-character', 'token wrong-extra-character', 'body limit']);
    expect(result.notSent.map((n) => [n.group, n.count, n.of, n.reason])).toEqual([
      ['token', 2, 4, 'the wrong-token checks are turned off (--skip-wrong-token)'],
      ['body-limit', 1, 1, "the body limit is not checked: 1 MiB is this contract's limit for its own endpoint, and an implementation may accept more"],
    ]);
    // A missing token is still checked.
    expect(result.checks.find((c) => c.id === 'token missing')?.level).toBe('passed');
  });

  it('gives up quickly on a server that stops answering, and sums up what was not sent per group', async () => {
    // 11: the preflight's request, then 10 checks.
    const r = await receiver({ hangAfter: 11 });
    const started = Date.now();
    const result = await runVerify({ url: r.url, token: r.token, requestTimeoutMs: 300, cases: 10 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.ok).toBe(false);
    expect(result.counts.passed).toBe(10);
    expect(failed(result).map((c) => c.reason)).toEqual(Array(3).fill(expect.stringMatching(/^no answer: E\w*TIMEDOUT \(timeout 300 ms\)$/)));
    expect(result.rules.map((b) => [b.rule, b.level, b.count])).toEqual([['answer-every-request', 'failure', 3]]);
    const stopped = 'the server stopped answering (3 requests in a row got no answer)';
    const plan = planFor('x', 10);
    const remaining = (group: string) => plan.filter((c) => c.group === group).length;
    // 10 valid examples answered, 3 without an answer: the other valid examples on are not sent.
    expect(result.notSent.map((n) => [n.group, n.count, n.of, n.reason])).toEqual([
      ['valid-examples', remaining('valid-examples') - 13, remaining('valid-examples'), stopped],
      ['invalid-examples', remaining('invalid-examples'), remaining('invalid-examples'), stopped],
      ['token', 4, 4, stopped],
      ['media-types', 2, 2, stopped],
      ['body-limit', 1, 1, expect.stringContaining('the body limit is not checked')],
      ['generated-valid-bodies', 10, 10, stopped],
      ['generated-invalid-bodies', 10, 10, stopped],
    ]);
    const text = formatText(result);
    expect(text).toContain(`Not sent (${result.counts.skipped} checks):`);
    expect(text).toMatch(/^ {2}invalid examples +\d+ of \d+: the server stopped answering \(3 requests in a row got no answer\)$/m);
    // One line per group, not one name per check.
    expect(text).not.toContain('example invalid/aliases-too-many.json');
    expect(text).toContain('1 rule broken in 13 checks (3 failed):');
  });

  it('takes a base URL (the contract path is appended) or the endpoint\'s full URL', async () => {
    expect(resolveEndpoint('http://127.0.0.1:4011').href).toBe('http://127.0.0.1:4011/api/webhooks');
    expect(resolveEndpoint('http://127.0.0.1:4011/').href).toBe('http://127.0.0.1:4011/');
    expect(resolveEndpoint('https://example.test/hooks/converge?source=a').href).toBe('https://example.test/hooks/converge?source=a');
    const r = await receiver();
    const full = await runVerify({ url: `${r.url}/api/webhooks`, token: r.token, cases: 0 });
    expect(full.ok).toBe(true);
    // A path that is not the endpoint: one diagnosis before the run, no checks.
    const elsewhere = await runVerify({ url: `${r.url}/elsewhere`, token: r.token, cases: 0 });
    expect([elsewhere.ok, elsewhere.checks, elsewhere.counts.total]).toEqual([false, [], 0]);
    expect(elsewhere.error).toBe(`POST ${r.url}/elsewhere answered 404: is --url the endpoint? A URL with a path keeps it (here "/elsewhere"); the endpoint is /api/webhooks`);
  });

  it('reports a server that cannot be reached without running Dredd', async () => {
    const port = await freePort();
    const result = await runVerify({ url: `http://127.0.0.1:${port}`, token: 't' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(result.checks).toEqual([]);
    expect(formatText(result)).toMatch(/^verify could not run against http:\/\/127\.0\.0\.1:\d+\/api\/webhooks: cannot connect/);
  });

  it('rejects unusable options, and names the install command when Dredd is missing', async () => {
    await expect(runVerify({ url: 'ftp://127.0.0.1', token: 't' })).rejects.toThrow(VerifyOptionsError);
    await expect(runVerify({ url: 'not a url', token: 't' })).rejects.toThrow(/--url: expected an http/);
    await expect(runVerify({ url: 'http://127.0.0.1:1', token: '' })).rejects.toThrow(/--token/);
    await expect(runVerify({ url: 'http://127.0.0.1:1', token: 't', cases: -5 })).rejects.toThrow('--cases: expected an integer from 0 to 100000, found -5');
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

  it('groups the text report by rule: one block per thing to fix, with an example in full and the reason on every line', async () => {
    const r = await receiver({ fault: 'accept-0-aliases' });
    const text = formatText(await runVerify({ url: r.url, token: r.token, cases: 30 }));
    const lines = text.split('\n');
    // The counts come from the plan, so that they follow the examples and the generator.
    const plan = planFor('x', 30);
    const generated = plan.filter((c) => c.group === 'generated-invalid-bodies' && c.breaks === 'aliases-too-few');
    // The declared value [] and an emptied array.
    expect(plan.filter((c) => c.breaks === 'aliases-too-few').map((c) => c.id)).toEqual(['example invalid/aliases-empty-array.json', 'generated invalid #00', 'generated invalid #20']);
    expect(generated.map((c) => c.summary)).toEqual([
      '/aliases: [] (from valid/warning-zip-code-number.json), as application/json',
      '/aliases: emptied (from valid/seed-curl.json), as application/json',
    ]);
    expect(lines.slice(0, 3)).toEqual([
      'FAIL 1. accepted: aliases-too-few at /aliases (3 checks)',
      '    rule      An event that breaks a contract rule is refused with a 4xx',
      '    example   example invalid/aliases-empty-array.json: aliases is [] (at least one is required)',
    ]);
    expect(lines[3]).toMatch(/^ {4}sent {6}POST \/api\/webhooks, X-Webhook-Token: \(the token\), application\/json, \d+ bytes$/);
    expect(lines[4]).toMatch(/^ {14}\{ "event_name": /);
    // The value that breaks the rule, since the excerpt rarely reaches it.
    expect(lines[5]).toBe('              /aliases: []');
    expect(lines[6]).toBe(
      '    expected  a 4xx refusal; recommended: 400 with a StrictValidationProblem body, {title, status, violations: [{code, pointer, message}, ...]}; the body breaks the rule aliases-too-few at /aliases',
    );
    expect(lines[7]).toMatch(/^ {4}got {7}200 {2}application\/json {2}\{"status":"accepted"/);
    expect(lines[8]).toBe('    why       expected a 4xx refusal (400 recommended), got 200: an event that breaks aliases-too-few at /aliases was accepted');
    expect(lines.slice(9, 11)).toEqual(
      generated.map(
        (c, i) => `    ${i === 0 ? 'also' : '    '}      ${c.id}: ${c.summary}: expected a 4xx refusal (400 recommended), got 200: an event that breaks aliases-too-few at /aliases was accepted`,
      ),
    );
    // Last, in view: the things to fix under their rule, and the verdict.
    expect(lines.slice(-6, -2)).toEqual([
      `1 rule broken in ${plan.length - 1} checks (3 failed):`,
      '  An event that breaks a contract rule is refused with a 4xx:',
      '    FAIL 1. accepted: aliases-too-few at /aliases (3 checks)',
      '',
    ]);
    expect(lines.at(-2)).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/api/webhooks does NOT honour the contract: ${plan.length} checks in \\d+\\.\\d s \\(Dredd 14\\.1\\.0, seed 20240902\\)\\.$`));
    expect(lines.at(-1)).toBe(`${plan.length - 4} passed, 3 failed, 1 not sent`);
  });

  it('shows deviations apart from failures in text, and says --strict makes them fail', async () => {
    const r = await receiver({ style: 'other-statuses' });
    const text = formatText(await runVerify({ url: r.url, token: r.token, cases: 0 }));
    const plan = planFor('x', 0);
    const deviating = invalidIds(plan).length + 4;
    expect(text).not.toContain('FAIL ');
    expect(text).toContain(`3 recommendations not followed in ${deviating} checks (deviations: not failures; --strict makes them fail):`);
    expect(text).toContain('DEVIATION 2. answered 403 (2 checks)\n    rule      A missing or wrong token gets 401\n');
    expect(text).toContain('    why       401 recommended, got 403');
    expect(text).toContain(
      [
        '  An invalid event gets 400:',
        `    DEVIATION 1. answered 422 (${deviating - 4} checks)`,
        '  A missing or wrong token gets 401:',
        '    DEVIATION 2. answered 403 (2 checks)',
        '  A body that is not application/json gets 415:',
        '    DEVIATION 3. answered 400 (2 checks)',
      ].join('\n'),
    );
    expect(text).toContain('    also      token wrong-extra-character: a valid event with a wrong token (the token with one character appended): 401 recommended, got 403');
    expect(text.split('\n').at(-1)).toBe(`${plan.length - 1} passed (${deviating} with deviations), 0 failed, 1 not sent`);
  });

  it('writes JUnit XML: failures carry what was sent, expected and got; deviations are output, or failures under --strict', async () => {
    const broken = await receiver({ fault: 'accept-11-aliases' });
    const xml = toJUnit(await runVerify({ url: broken.url, token: broken.token, cases: 30 }));
    const elevens = planFor('x', 30).filter((c) => c.breaks === 'aliases-too-many').length;
    expect(elevens).toBeGreaterThanOrEqual(2);
    expect(xml).toMatch(new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\n<testsuites name="converge-webhook verify" tests="${planFor('x', 30).length}" failures="${elevens}" errors="0" skipped="1"`));
    const failure = /<testcase [^>]*name="example invalid\/aliases-too-many.json: [^"]*"[^>]*>\s*<failure message="([^"]*)" type="contract">([^<]*)<\/failure>/.exec(xml);
    expect(failure?.[1]).toBe('expected a 4xx refusal (400 recommended), got 200: an event that breaks aliases-too-many at /aliases was accepted');
    expect(failure?.[2]).toMatch(/sent +POST \/api\/webhooks, X-Webhook-Token: \(the token\), application\/json/);
    expect(failure?.[2]).toContain('expected  a 4xx refusal; recommended: 400 with a StrictValidationProblem body');
    expect(failure?.[2]).toContain('got       200  application/json  {&quot;status&quot;:&quot;accepted&quot;');
    expect(failure?.[2]).toContain('FAILURE [refuse-invalid-events] expected a 4xx refusal');
    expect(xml).toContain('<skipped message="the body limit is not checked');

    const deviating = await receiver({ style: 'other-statuses' });
    const result = await runVerify({ url: deviating.url, token: deviating.token, cases: 0 });
    const soft = toJUnit(result);
    expect(soft).toMatch(/<testsuites [^>]* failures="0" errors="0" skipped="1"/);
    expect(soft).toMatch(/<testsuite name="token checks" tests="4" failures="0" errors="0" skipped="0" time="[\d.]+">\n {4}<properties>\n {6}<property name="deviations" value="2"\/>/);
    expect(soft).toMatch(
      /<testcase [^>]*name="token wrong-last-character: [^"]*"[^>]*>\n {6}<system-out>DEVIATION \(a recommendation not followed; not a failure without --strict\)\n[^<]*DEVIATION \[status-401-for-bad-tokens\] 401 recommended, got 403<\/system-out>/,
    );
    const hard = toJUnit({ ...result, strict: true, ok: false });
    expect(hard).toMatch(new RegExp(`<testsuites [^>]* failures="${result.counts.deviations}" errors="0" skipped="1"`));
    expect(result.counts.deviations).toBe(invalidIds(planFor('x', 0)).length + 4);
    expect(hard).toContain('<failure message="deviation: 401 recommended, got 403" type="recommendation">');
    expect(hard).not.toContain('<system-out>');
  });
});

describe('runVerify against the sandbox and the Prism mock', () => {
  it('passes the sandbox with nothing to report, whose store then holds the generated valid events', async () => {
    const sandbox = await startSandbox({ port: 0, token: 'verify-sandbox-token', inMemory: true });
    try {
      const result = await runVerify({ url: sandbox.url, token: sandbox.token, runId: 'sandbox', strict: true });
      expect(failed(result)).toEqual([]);
      expect(result.rules).toEqual([]);
      expect(result.counts.deviations).toBe(0);
      expect(result.ok).toBe(true);
      const generated = sandbox.events({ limit: 10_000 }).filter((e) => e.event_id.startsWith('verify-sandbox-v'));
      expect(generated.length).toBe(200);
    } finally {
      await sandbox.stop();
    }
  });

  it('stops before the run, with one diagnosis, when the URL is not the endpoint or the token is refused', async () => {
    const sandbox = await startSandbox({ port: 0, token: 'verify-sandbox-token', inMemory: true });
    try {
      // A trailing slash is a path, kept by the URL rule: the sandbox answers 404 there.
      const slash = await runVerify({ url: `${sandbox.url}/`, token: sandbox.token });
      expect([slash.ok, slash.checks, slash.counts.total, slash.rules]).toEqual([false, [], 0, []]);
      expect(slash.error).toBe(`POST ${sandbox.url}/ answered 404: is --url the endpoint? A URL with a path keeps it (here "/"); the endpoint is /api/webhooks`);
      expect(formatText(slash)).toBe(`verify could not run against ${sandbox.url}/: ${slash.error}`);
      const token = await runVerify({ url: sandbox.url, token: 'not-the-sandbox-token' });
      expect([token.ok, token.checks, token.counts.total]).toEqual([false, [], 0]);
      expect(token.error).toBe(`POST ${sandbox.url}/api/webhooks answered 401 to a valid event with the token given: is --token the one the server accepts?`);
      // Nothing was stored: the preflight's event was refused, and no check ran.
      expect(sandbox.events({ limit: 10 })).toEqual([]);
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

    it('passes with --skip-wrong-token; its 400 bodies (the generic example, Prism’s malformed-JSON answer) are deviations', async () => {
      const result = await runVerify({ url: mock.url, token: 'any-token', skipWrongToken: true, runId: 'mock' });
      expect(failed(result)).toEqual([]);
      expect(result.ok).toBe(true);
      const plan = planOf({ runId: 'mock', token: 'any-token', skipWrongToken: true });
      // Prism parses a non-empty body itself and answers its own shape; an empty one gets the contract's example.
      const notJson = plan.filter((c) => c.breaks === 'invalid-json' && c.request.body !== '').length;
      expect(result.rules.map((b) => [b.level, b.rule, b.topic, b.count])).toEqual([
        ['deviation', 'validation-problem-body', 'the 400 body is not a StrictValidationProblem: it has no violations', invalidIdsOf(plan).length - notJson],
        ['deviation', 'validation-problem-body', 'the 400 body is not a StrictValidationProblem: it has no title, status, violations', notJson],
      ]);
      expect(result.checks.find((c) => c.id === 'example invalid/malformed-json.json')?.got?.excerpt).toBe('{"error":{"code":"invalid_json","message":"Invalid JSON"}}');
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
  let deviating: RunningReceiver;
  let dir: string;
  beforeAll(async () => {
    good = await startReceiver({ token: 'cli-token-1' });
    broken = await startReceiver({ token: 'cli-token-1', fault: 'accept-0-aliases' });
    deviating = await startReceiver({ token: 'cli-token-1', style: 'own-errors' });
    dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  });
  afterAll(async () => {
    await Promise.all([good?.stop(), broken?.stop(), deviating?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 against a correct receiver, with progress on stderr, the summary line, what was not sent and a JUnit file', async () => {
    const junit = join(dir, 'verify.xml');
    const run = await runCli(['verify', '--url', good.url, '--token', 'cli-token-1', '--junit', junit, '--skip-wrong-token']);
    expect(run.code, run.stderr).toBe(0);
    const plan = planOf({ runId: 'x', token: 'cli-token-1', skipWrongToken: true });
    expect(run.stdout.trim().split('\n').at(-1)).toBe(`${plan.length - 3} passed, 0 failed, 3 not sent`);
    expect(run.stdout).toContain(
      '  token checks               2 of 4 (token wrong-last-character, token wrong-extra-character): the wrong-token checks are turned off (--skip-wrong-token)',
    );
    expect(run.stdout).toContain('  body limit                 1 of 1: the body limit is not checked');
    expect(run.stderr).toMatch(/^ {2}token checks +4 {2}2 passed, 2 not sent$/m);
    expect(run.stderr).toMatch(/^ {2}generated invalid bodies +200 {2}200 passed$/m);
    expect(run.stdout + run.stderr).not.toContain('cli-token-1');
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)?.length).toBe(plan.length);
    expect(xml).toContain('failures="0" errors="0" skipped="3"');
  });

  it('exits 1 against a broken receiver; --json prints the result object, with every check’s level, and nothing else', async () => {
    const json = await runCli(['verify', '--url', broken.url, '--token', 'cli-token-1', '--cases', '30', '--json']);
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    const result = JSON.parse(json.stdout) as VerifyResult;
    const plan = planOf({ runId: 'x', token: 'cli-token-1', cases: 30 });
    const zero = plan.filter((c) => c.breaks === 'aliases-too-few').map((c) => c.id);
    expect(zero).toEqual(['example invalid/aliases-empty-array.json', 'generated invalid #00', 'generated invalid #20']);
    expect(result.ok).toBe(false);
    expect(failedIds(result)).toEqual(zero);
    expect(result.counts).toEqual({ total: plan.length, passed: plan.length - 4, deviations: 0, failed: 3, skipped: 1 });
    expect(new Set(result.checks.map((c) => c.level))).toEqual(new Set(['passed', 'failed', 'skipped']));
    expect(result.checks.find((c) => c.id === zero[1])?.findings).toEqual([
      {
        rule: 'refuse-invalid-events',
        level: 'failure',
        reason: 'expected a 4xx refusal (400 recommended), got 200: an event that breaks aliases-too-few at /aliases was accepted',
        topic: 'accepted: aliases-too-few at /aliases',
      },
    ]);
    expect(result.rules).toEqual([
      {
        rule: 'refuse-invalid-events',
        level: 'failure',
        title: 'An event that breaks a contract rule is refused with a 4xx',
        topic: 'accepted: aliases-too-few at /aliases',
        count: 3,
        checks: zero,
        reason: 'expected a 4xx refusal (400 recommended), got 200: an event that breaks aliases-too-few at /aliases was accepted',
      },
    ]);
  });

  it('exits 0 with deviations listed, and 1 with --strict', async () => {
    const soft = await runCli(['verify', '--url', deviating.url, '--token', 'cli-token-1', '--cases', '5']);
    expect(soft.code, soft.stderr).toBe(0);
    expect(soft.stdout).toContain('3 recommendations not followed in');
    expect(soft.stdout).toMatch(/^DEVIATION 1\. the 400 body is not a StrictValidationProblem: it has no title, status, violations \(\d+ checks\)\n {4}rule {6}The refusal of an invalid event lists what to fix: /m);
    expect(soft.stdout).toMatch(/honours the contract \(3 recommendations not followed\)/);
    const strict = await runCli(['verify', '--url', deviating.url, '--token', 'cli-token-1', '--cases', '5', '--strict', '--json']);
    expect(strict.code).toBe(1);
    const result = JSON.parse(strict.stdout) as VerifyResult;
    expect([result.ok, result.strict, result.counts.failed, result.rules.map((b) => b.level)]).toEqual([false, true, 0, ['deviation', 'deviation', 'deviation']]);
  }, 90_000);

  it('exits 2 on usage errors, with a plain message and no stack trace, and 1 when nothing answers at the URL', async () => {
    const cases: Array<[string[], string | RegExp]> = [
      [['verify'], /verify needs --url/],
      [['verify', '--url', good.url], /verify needs --token/],
      [['verify', '--url', 'ftp://127.0.0.1:1', '--token', 't'], /--url: expected an http/],
      [['verify', '--url', good.url, '--token', 't', '--bogus'], /Unknown option '--bogus'/],
      [['verify', '--url', good.url, '--token', 't', '--cases', 'many'], '--cases: expected an integer from 0 to 100000, found "many"'],
      [['verify', '--url', good.url, '--token', 't', '--cases', '-5'], '--cases: expected an integer from 0 to 100000, found "-5"'],
      [['verify', '--url', good.url, '--token', 't', '--cases=-5'], '--cases: expected an integer from 0 to 100000, found "-5"'],
      [['verify', '--url', good.url, '--token', 't', '--cases', '1.5'], '--cases: expected an integer from 0 to 100000, found "1.5"'],
      [['verify', '--url', good.url, '--token', 't', '--cases', '100001'], '--cases: expected an integer from 0 to 100000, found "100001"'],
      [['verify', '--url', good.url, '--token', 't', '--seed', '-1'], '--seed: expected an integer from 0 to 4294967295, found "-1"'],
      [['verify', '--url', good.url, '--token', 't', '--junit', join(dir, 'no/such/dir.xml')], /--junit: expected a file in an existing folder/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      if (typeof message === 'string') expect(run.stderr).toContain(`converge-webhook: ${message}\n`);
      else expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const help = await runCli(['verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('npm install --save-dev dredd@14.1.0');
    expect(help.stdout).toContain('--strict             deviations fail the run too');
    // The two lists are the rules of contract.yaml verify.rules, each under its level.
    const list = (heading: string) => {
      const from = help.stdout.split('\n').findIndex((l) => l.startsWith(`  ${heading}:`));
      const items: string[] = [];
      for (const line of help.stdout.split('\n').slice(from + 1)) {
        if (line.startsWith('    - ')) items.push(line.slice(6));
        else if (line.startsWith('      ')) items[items.length - 1] += ` ${line.trim()}`;
        else if (items.length > 0) break;
      }
      return items;
    };
    expect(list('failures')).toEqual(Object.values(rules).filter((r) => r.level === 'failure').map((r) => r.title));
    expect(list('deviations')).toEqual(Object.values(rules).filter((r) => r.level === 'deviation').map((r) => r.title));
    expect(list('failures')).not.toContain(rules['bodies-match-the-contract']!.title);
    expect(help.stdout).toContain('--skip-wrong-token   do not send wrong tokens');
    expect(help.stdout).toContain('the contract\'s\n                       path /api/webhooks is appended');

    const refused = await runCli(['verify', '--url', good.url, '--token', 'not-the-token']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`converge-webhook: verify could not run against ${good.url}/api/webhooks: POST ${good.url}/api/webhooks answered 401 to a valid event with the token given: is --token the one the server accepts?\n`);
    expect(refused.stdout).toBe('');

    const down = await runCli(['verify', '--url', `http://127.0.0.1:${await freePort()}`, '--token', 't']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\): is the server running\?/);
  });
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function invalidIdsOf(plan: PlannedCheck[]): string[] {
  return plan.filter((c) => c.expect.kind === 'refused' && c.expect.refusal === 'invalid-body').map((c) => c.id);
}
