/**
 * `converge-webhook verify --contract provesource`: the plan built from the contract's data
 * (every example, the auth and media-type checks, generated bodies whose expected verdict is the
 * engine's own), the form encoder the generated bodies are written with, and runs with real
 * Dredd on 127.0.0.1: the ProveSource sandbox and a correct receiver pass; each deliberately
 * broken receiver fails exactly its planned checks, with the reason; and the CLI's exit codes,
 * --json and usage errors.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { loadContractRuntime, type ContractRuntime } from '../src/contract-runtime.js';
import { startContractSandbox, type RunningContractSandbox } from '../src/sandbox/contract-sandbox.js';
import { authNegatives } from '../src/verify/auth-checks.js';
import { Rng } from '../src/verify/cases.js';
import { buildContractPlan } from '../src/verify/contract-plan.js';
import { contractRules } from '../src/verify/contract-rules.js';
import type { PlannedCheck } from '../src/verify/plan.js';
import { formatText } from '../src/verify/report.js';
import { runVerify, type VerifyResult } from '../src/verify/verify.js';
import { validateBody } from '../generated/provesource/index.js';
import { PROVESOURCE_RECEIVERS, type RunningProveSourceReceiver } from './fixtures/provesource-receivers.js';
import { root, runCli } from './helpers.js';

const SEED = 20240902;
const CASES = 60;
const STREAM = new URL('http://127.0.0.1:9/webhooks/track/0123456789abcdef0123456789abcdef');
const CONVERSION = new URL('http://127.0.0.1:9/webhooks/track/fedcba9876543210fedcba9876543210');
const EXAMPLES = join(root, 'spec/provesource/examples');

interface Entry {
  file: string;
  summary: string;
  kind: string;
  contentType: string | null;
  status: number;
  errors?: Array<{ code: string; pointer: string }>;
}
const manifest = (kind: 'valid' | 'invalid') => YAML.parse(readFileSync(join(EXAMPLES, `${kind}.yaml`), 'utf8')) as Entry[];
const failedIds = (result: VerifyResult) => result.checks.filter((c) => c.level === 'failed').map((c) => c.id);
const reasons = (result: VerifyResult) => new Set(result.checks.filter((c) => c.level === 'failed').map((c) => c.reason));

let runtime: ContractRuntime;
let plan: PlannedCheck[];
beforeAll(async () => {
  runtime = await loadContractRuntime('provesource');
  plan = buildContractPlan({ runtime, root, urls: { stream: STREAM, conversion: CONVERSION }, cases: CASES, seed: SEED });
});

describe('the plan, from the contract data', () => {
  it('sends every valid example with its Content-Type to its operation, expected accepted', () => {
    const valid = manifest('valid');
    const checks = plan.filter((c) => c.group === 'valid-examples');
    expect(checks.map((c) => c.source)).toEqual(valid.map((e) => e.file));
    for (const [i, entry] of valid.entries()) {
      const check = checks[i]!;
      expect(check.summary).toBe(entry.summary);
      expect(check.expect).toEqual({ kind: 'accepted' });
      expect(check.wire?.path).toBe((entry.kind === 'conversion' ? CONVERSION : STREAM).pathname);
      expect(check.wire?.headers['Content-Type']).toBe(entry.contentType ?? undefined);
      expect(check.wire?.body).toBe(readFileSync(join(EXAMPLES, entry.file), 'utf8'));
    }
    // The conversion webhook's bare POST: no body, no Content-Type.
    expect(checks.find((c) => c.source === 'valid/conversion-bare-post.txt')?.wire).toEqual({ origin: CONVERSION.origin, method: 'POST', path: CONVERSION.pathname, query: '', headers: {}, body: '' });
  });

  it('sends every invalid example, expected refused with its manifest status, and the rule it breaks when it breaks one', () => {
    const invalid = manifest('invalid');
    const checks = plan.filter((c) => c.group === 'invalid-examples');
    expect(checks.map((c) => c.source)).toEqual(invalid.map((e) => e.file));
    for (const [i, entry] of invalid.entries()) {
      expect(checks[i]!.expect).toEqual({ kind: 'refused', refusal: 'invalid-body', status: entry.status });
      const one = entry.errors?.length === 1 ? entry.errors[0]! : undefined;
      expect([checks[i]!.breaks, checks[i]!.breaksAt]).toEqual(one ? [one.code, one.pointer] : [undefined, undefined]);
    }
    expect(checks.filter((c) => c.expect.kind === 'refused' && c.expect.status === 415).map((c) => c.source)).toEqual(['invalid/no-content-type.json', 'invalid/unsupported-text-plain.json']);
  });

  it('has the path-secret negatives (an unknown id, the id with its last character changed) and the media-type checks, each with its status from the data', () => {
    expect(plan.filter((c) => c.group === 'auth').map((c) => [c.id, c.wire?.path, c.expect])).toEqual([
      ['auth unknown-id', expect.stringMatching(/^\/webhooks\/track\/(?!0123456789abcdef0123456789abcdef$)[0-9a-f]{32}$/), { kind: 'refused', refusal: 'bad-credentials', status: 404 }],
      ['auth id-last-character-changed', '/webhooks/track/0123456789abcdef0123456789abcdex', { kind: 'refused', refusal: 'bad-credentials', status: 404 }],
    ]);
    expect(plan.filter((c) => c.group === 'media-types').map((c) => [c.id, c.wire?.headers['Content-Type'], c.breaks, c.expect])).toEqual([
      ['content type application/json as application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', 'content-type-mismatch', { kind: 'refused', refusal: 'media-type', status: 400 }],
      ['content type application/json as text/plain', 'text/plain', 'unsupported-media-type', { kind: 'refused', refusal: 'media-type', status: 415 }],
      ['content type application/x-www-form-urlencoded as application/json', 'application/json', 'content-type-mismatch', { kind: 'refused', refusal: 'media-type', status: 400 }],
    ]);
  });

  it('has N generated valid and N generated invalid bodies, in both media types, with unique ids; the same seed gives the same plan', () => {
    const valid = plan.filter((c) => c.group === 'generated-valid-bodies');
    const invalid = plan.filter((c) => c.group === 'generated-invalid-bodies');
    expect([valid.length, invalid.length]).toEqual([CASES, CASES]);
    for (const list of [valid, invalid]) expect(new Set(list.map((c) => c.wire?.headers['Content-Type']))).toEqual(new Set(['application/json', 'application/x-www-form-urlencoded']));
    expect(new Set(plan.map((c) => c.id)).size).toBe(plan.length);
    expect(buildContractPlan({ runtime, root, urls: { stream: STREAM, conversion: CONVERSION }, cases: CASES, seed: SEED })).toEqual(plan);
    const other = buildContractPlan({ runtime, root, urls: { stream: STREAM, conversion: CONVERSION }, cases: CASES, seed: SEED + 1 });
    expect(other.filter((c) => c.group === 'generated-valid-bodies').map((c) => c.wire?.body)).not.toEqual(valid.map((c) => c.wire?.body));
  });

  it('leaves out the checks of an operation without a URL, saying why', () => {
    const streamOnly = buildContractPlan({ runtime, root, urls: { stream: STREAM }, cases: 2, seed: SEED });
    const skipped = streamOnly.filter((c) => c.skip && c.group !== 'body-limit');
    expect(skipped.map((c) => c.source)).toEqual(['valid/conversion-bare-post.txt', 'valid/conversion-with-body.json']);
    // The body limit is described, never sent, for every contract (contract.yaml bodyLimit).
    expect(streamOnly.filter((c) => c.group === 'body-limit').map((c) => [c.id, c.skip])).toEqual([
      ['body limit', "the body limit is not checked: 1 MiB is this contract's limit for its own endpoint, and an implementation may accept more"],
    ]);
    expect(skipped[0]!.skip).toBe('no URL was given for the conversion operation (--conversion-url)');
  });
});

describe('generated cases are what they claim: the engine gives each its expected verdict', () => {
  for (const seed of [SEED, 1, 99, 4294967295]) {
    it(`seed ${seed}`, () => {
      const checks = seed === SEED ? plan : buildContractPlan({ runtime, root, urls: { stream: STREAM }, cases: 150, seed });
      const generated = checks.filter((c) => c.group.startsWith('generated-'));
      expect(generated.length).toBeGreaterThanOrEqual(seed === SEED ? 2 * CASES : 300);
      const codes = new Set<string>();
      for (const check of generated) {
        const result = validateBody(check.wire!.body, { contentType: check.wire!.headers['Content-Type'] ?? null });
        if (check.expect.kind === 'accepted') {
          expect({ id: check.id, summary: check.summary, errors: result.errors }).toEqual({ id: check.id, summary: check.summary, errors: [] });
        } else {
          expect({ id: check.id, summary: check.summary, errors: result.errors.map((e) => [e.code, e.pointer]) }).toEqual({ id: check.id, summary: check.summary, errors: [[check.breaks, check.breaksAt]] });
          const status = runtime.table.codes.find((c) => c.code === check.breaks)?.status;
          expect(check.expect).toEqual({ kind: 'refused', refusal: 'invalid-body', status });
          codes.add(check.breaks!);
        }
      }
      // Bodies that break the rules a receiver gets wrong most: the required fields, their types, the JSON text.
      for (const code of ['missing-field', 'wrong-type', 'empty-string', 'invalid-json']) expect(codes).toContain(code);
    });
  }
});

describe('auth negatives of the other auth types', () => {
  const valid = { origin: 'http://127.0.0.1:1', method: 'POST', path: '/hook', query: 'eventType=x&licenseCode=L1&secret=abc', headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': 'tok' }, body: '{}' };

  it('header-token: no header, an empty one, a wrong one, the token with one character appended', () => {
    const negatives = authNegatives({ spec: { type: 'header-token', header: 'X-Webhook-Token' }, valid, parameters: {}, secrets: { token: 'tok' }, rng: new Rng(1) });
    expect(negatives.map((n) => [n.use, n.request.headers['X-Webhook-Token']])).toEqual([
      ['missing', undefined],
      ['empty', ''],
      ['wrong-last-character', 'tox'],
      ['wrong-extra-character', 'tok0'],
    ]);
    // --skip-wrong-token leaves out the two wrong values, not the missing or empty token.
    expect(negatives.filter((n) => n.wrongValue).map((n) => n.use)).toEqual(['wrong-last-character', 'wrong-extra-character']);
  });

  it('query-md5: no secret, an empty one, a wrong one, and another account with the secret right for it', () => {
    const formula = { hash: 'md5', encoding: 'hex-lower', input: ['{licenseCode}', ':', '{secretKey}'], charset: 'utf-8' } as const;
    const negatives = authNegatives({
      spec: { type: 'query-md5', parameter: 'secret', accountParameter: 'licenseCode', formula },
      valid,
      parameters: {},
      secrets: { licenseCode: 'L1', secretKey: 'k' },
      rng: new Rng(1),
    });
    expect(negatives.map((n) => [n.use, n.request.query])).toEqual([
      ['missing-secret', 'eventType=x&licenseCode=L1'],
      ['empty-secret', 'eventType=x&licenseCode=L1&secret='],
      ['wrong-secret', 'eventType=x&licenseCode=L1&secret=abx'],
      ['other-license-code', `eventType=x&licenseCode=Lx&secret=${createHash('md5').update('Lx:k').digest('hex')}`],
    ]);
  });
});

describe('runVerify --contract provesource, with real Dredd', () => {
  let sandbox: RunningContractSandbox;
  const receivers: RunningProveSourceReceiver[] = [];
  beforeAll(async () => {
    sandbox = await startContractSandbox(runtime ?? (await loadContractRuntime('provesource')), { inMemory: true });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await Promise.all(receivers.map((r) => r.stop()));
  });
  const start = async (name: keyof typeof PROVESOURCE_RECEIVERS) => {
    const r = await PROVESOURCE_RECEIVERS[name]();
    receivers.push(r);
    return r;
  };
  const verify = (r: { streamUrl: string; conversionUrl: string }, strict = false) =>
    runVerify({ contract: 'provesource', url: r.streamUrl, urls: { conversion: r.conversionUrl }, cases: CASES, seed: SEED, strict });
  /** The plan as sent to a receiver: the same checks, ids and bodies as `plan`. */
  const sentTo = (r: { streamUrl: string; conversionUrl: string }) =>
    buildContractPlan({ runtime, root, urls: { stream: new URL(r.streamUrl), conversion: new URL(r.conversionUrl) }, cases: CASES, seed: SEED });

  it('passes the sandbox with nothing to report, also under --strict, and masks the webhook id', async () => {
    const urls = { streamUrl: sandbox.urls.stream!, conversionUrl: sandbox.urls.conversion! };
    const result = await verify(urls, true);
    expect(result.error).toBeUndefined();
    // Everything sent but the body limit, which verify describes and never sends.
    expect(result.counts).toEqual({ total: plan.length, passed: plan.length - 1, deviations: 0, failed: 0, skipped: 1 });
    expect(result.ok).toBe(true);
    expect(result.contract).toBe('provesource');
    const id = sandbox.secrets.stream!;
    expect(result.endpoint).toBe(`${sandbox.url}/webhooks/track/${id.slice(0, 4)}****`);
    expect(JSON.stringify(result)).not.toContain(id);
    expect(formatText(result).split('\n').at(-1)).toBe(`${plan.length - 1} passed, 0 failed, 1 not sent`);
    // Every generated valid body and every valid stream example was stored once, and the preflight request (the first of them) once more.
    expect(sandbox.events({ kind: 'stream', limit: 1_000_000 }).length).toBe(plan.filter((c) => c.expect.kind === 'accepted' && c.operation === 'stream').length + 1);
    expect(sandbox.events({ kind: 'conversion' }).length).toBe(2);
  });

  it('passes a correct receiver built on the package entry', async () => {
    const r = await start('correct');
    const result = await verify(r, true);
    expect([result.error, failedIds(result), result.counts.deviations, result.ok]).toEqual([undefined, [], 0, true]);
  });

  it('fails a receiver that ignores the Content-Type on exactly the mislabelled bodies', async () => {
    const r = await start('sniffing');
    const result = await verify(r);
    const expected = sentTo(r)
      .filter((c) => (c.breaks === 'content-type-mismatch' || c.breaks === 'unsupported-media-type') && c.wire!.body !== '')
      .map((c) => c.id);
    expect(expected).toEqual([
      'example invalid/mismatch-form-declared-json.form',
      'example invalid/mismatch-json-declared-form.json',
      'example invalid/no-content-type.json',
      'example invalid/unsupported-text-plain.json',
      'content type application/json as application/x-www-form-urlencoded',
      'content type application/json as text/plain',
      'content type application/x-www-form-urlencoded as application/json',
    ]);
    expect(failedIds(result)).toEqual(expected);
    const byId = new Map(result.checks.map((c) => [c.id, c]));
    expect(byId.get('content type application/json as text/plain')?.reason).toBe('expected a 4xx refusal (415 recommended), got 200: a body sent as text/plain was accepted');
    expect(byId.get('example invalid/no-content-type.json')?.reason).toBe('expected a 4xx refusal (415 recommended), got 200: a notification that breaks unsupported-media-type was accepted');
    expect(result.rules.filter((b) => b.level === 'failure').map((b) => [b.rule, b.topic, b.count])).toEqual([
      ['refuse-invalid-bodies', 'accepted: content-type-mismatch', 2],
      ['refuse-invalid-bodies', 'accepted: unsupported-media-type', 2],
      ['refuse-unsupported-media-types', 'accepted', 3],
    ]);
  });

  it('fails a receiver that accepts a product without link on exactly the bodies that break that rule', async () => {
    const r = await start('optionalLink');
    const result = await verify(r);
    const expected = sentTo(r)
      .filter((c) => c.breaks === 'missing-field' && /^\/products\/\d+\/link$/.test(c.breaksAt ?? ''))
      .map((c) => c.id);
    expect(expected.slice(0, 2)).toEqual(['example invalid/product-without-link.form', 'example invalid/product-without-link.json']);
    expect(expected.some((id) => id.startsWith('generated invalid #'))).toBe(true);
    expect(failedIds(result)).toEqual(expected);
    expect(reasons(result)).toEqual(new Set(['expected a 4xx refusal (400 recommended), got 200: a notification that breaks missing-field at /products/0/link was accepted']));
    expect(result.rules.map((b) => [b.rule, b.topic])).toEqual([['refuse-invalid-bodies', 'accepted: missing-field at /products/*/link']]);
  });

  it('fails a receiver that refuses millisecond timestamps on exactly the valid bodies that carry one', async () => {
    const r = await start('secondsOnly');
    const result = await verify(r);
    const timestamp = (c: PlannedCheck) => (validateBody(c.wire!.body, { contentType: c.wire!.headers['Content-Type'] ?? null }).value as { timestamp?: unknown } | undefined)?.timestamp;
    const expected = sentTo(r)
      .filter((c) => c.expect.kind === 'accepted' && c.operation === 'stream' && typeof timestamp(c) === 'number' && (timestamp(c) as number) >= (runtime.descriptor.events as { time?: { secondsBelow?: number } }).time!.secondsBelow!)
      .map((c) => c.id);
    expect(expected).toContain('example valid/seed-basic.json');
    expect(expected).toContain('example valid/timestamp-milliseconds-smallest.json');
    expect(expected).not.toContain('example valid/timestamp-seconds-largest.json');
    expect(expected.some((id) => id.startsWith('generated valid #'))).toBe(true);
    expect(failedIds(result)).toEqual(expected);
    expect(reasons(result)).toEqual(new Set(['expected a 2xx status (accepted), got 400']));
    expect(result.rules.map((b) => [b.rule, b.topic])).toEqual([['accept-valid-bodies', 'answered 400']]);
  });

  it('fails a receiver that answers 500 to a body it cannot read on exactly those bodies', async () => {
    const r = await start('parseThenValidate');
    const result = await verify(r);
    const unreadable = (c: PlannedCheck) => {
      if (!c.wire || !/^application\/json\b/i.test(c.wire.headers['Content-Type'] ?? '') || c.operation !== 'stream') return false;
      try {
        JSON.parse(c.wire!.body);
        return false;
      } catch {
        return true;
      }
    };
    const expected = sentTo(r).filter(unreadable).map((c) => c.id);
    expect(expected).toContain('example invalid/truncated.json');
    expect(expected).toContain('content type application/x-www-form-urlencoded as application/json');
    expect(expected.some((id) => id.startsWith('generated invalid #'))).toBe(true);
    expect(failedIds(result)).toEqual(expected);
    expect(reasons(result)).toEqual(new Set(['expected a 4xx refusal (400 recommended), got 500: a 500 tells the sender to retry, and the same request will fail again']));
  });
});

describe('the rules of the contract', () => {
  it('are worded for ProveSource from its data, each with a source', () => {
    const rules = contractRules(runtime);
    expect(rules['refuse-bad-credentials']).toEqual({
      plays: ['refuse-bad-credentials'],
      level: 'failure',
      title: "A request to a webhookId that is not one of the receiver's is refused with a 4xx",
      source: "the vendor: the webhook id in the path names the notification, and is the only secret; an id that is no webhook's has nothing to count",
    });
    expect(rules['accept-valid-bodies']!.title).toBe('A valid notification is accepted with a 2xx');
    for (const [id, rule] of Object.entries(rules)) expect(rule.source, id).not.toMatch(/converge/i);
  });
});

describe('the CLI', () => {
  let sandbox: RunningContractSandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startContractSandbox(await loadContractRuntime('provesource'), { inMemory: true });
    dir = mkdtempSync(join(tmpdir(), 'verify-provesource-'));
  });
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 against the sandbox, with the groups on stderr and the verdict last; --json prints the result object', async () => {
    const junit = join(dir, 'verify.xml');
    const text = await runCli(['verify', '--contract', 'provesource', '--url', sandbox.urls.stream!, '--conversion-url', sandbox.urls.conversion!, '--cases', '10', '--strict', '--junit', junit]);
    expect(text.code).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="converge-webhook verify" tests="115" failures="0" errors="0" skipped="1" /);
    expect(xml.match(/<testcase /g)?.length).toBe(115);
    expect(xml).toContain('<testsuite name="auth checks" tests="2" failures="0" errors="0" skipped="0"');
    expect(xml).not.toContain(sandbox.secrets.stream!);
    expect(text.stderr).toMatch(/^ {2}auth checks +2 {2}2 passed$/m);
    expect(text.stderr).toMatch(/^ {2}generated invalid bodies +10 {2}10 passed$/m);
    expect(text.stdout).toContain('honours the contract');
    expect(text.stdout + text.stderr).not.toContain(sandbox.secrets.stream!);
    const json = await runCli(['verify', '--contract', 'provesource', '--url', sandbox.urls.stream!, '--cases', '3', '--json']);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    const result = JSON.parse(json.stdout) as VerifyResult;
    expect(Object.keys(result)).toEqual(['ok', 'contract', 'endpoint', 'endpoints', 'dreddVersion', 'seed', 'runId', 'cases', 'skipWrongToken', 'startedAt', 'durationMs', 'strict', 'counts', 'rules', 'notSent', 'checks']);
    expect(result.counts.skipped).toBe(3);
    expect(result.notSent).toEqual([
      { group: 'valid-examples', count: 2, of: 46, reason: 'no URL was given for the conversion operation (--conversion-url)', checks: ['example valid/conversion-bare-post.txt', 'example valid/conversion-with-body.json'] },
      { group: 'body-limit', count: 1, of: 1, reason: "the body limit is not checked: 1 MiB is this contract's limit for its own endpoint, and an implementation may accept more", checks: ['body limit'] },
    ]);
  });

  it('exits 1 against a broken receiver, and 1 with one diagnosis when the id is not the receiver’s', async () => {
    const r = await PROVESOURCE_RECEIVERS.optionalLink();
    try {
      const run = await runCli(['verify', '--contract', 'provesource', '--url', r.streamUrl, '--conversion-url', r.conversionUrl, '--cases', '5', '--json']);
      expect(run.code).toBe(1);
      const result = JSON.parse(run.stdout) as VerifyResult;
      expect(result.rules.map((b) => b.rule)).toEqual(['refuse-invalid-bodies']);
      const wrong = await runCli(['verify', '--contract', 'provesource', '--url', r.streamUrl.replace(/.$/, 'x'), '--cases', '1']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/answered 404 to example valid\/charset-utf8\.form: is --url the receiver's full URL \(its path ends in \/webhooks\/track\/\{webhookId\}, with the id it knows\)\?/);
      expect(wrong.stdout).toBe('');
    } finally {
      await r.stop();
    }
  });

  it('exits 2 on usage errors, naming what was expected and found', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['verify', '--contract', 'provesource'], /needs --url \(or the PROVESOURCE_WEBHOOK_URL environment variable\): the stream operation's full URL, whose path ends in \/webhooks\/track\/\{webhookId\}, found nothing/],
      [['verify', '--contract', 'provesource', '--url', 'http://127.0.0.1:9/api/webhooks'], /--url: expected the operation's full URL, whose path ends in \/webhooks\/track\/\{webhookId\}, found the path "\/api\/webhooks"/],
      [['verify', '--contract', 'provesource', '--url', 'ftp://x/webhooks/track/a'], /--url: expected an http:\/\/ or https:\/\/ URL, found the protocol "ftp:"/],
      [['verify', '--contract', 'provesource', '--url', 'http://127.0.0.1:9/webhooks/track/a', '--token', 't'], /Unknown option '--token': this contract takes no token: the webhookId in the URL is the secret \(auth path-secret\); give the receiver's full URL, --url ending in \/webhooks\/track\/\{webhookId\}\n/],
      [['verify', '--contract', 'provesource', '--url', 'http://127.0.0.1:9/webhooks/track/a', '--cases', 'many'], /--cases: expected an integer from 0 to 100000, found "many"/],
      [['verify', '--contract', 'provesource', '--url', 'http://127.0.0.1:9/webhooks/track/a', '--license-code', 'L'], /Unknown option '--license-code'/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const help = await runCli(['verify', '--contract', 'provesource', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--conversion-url URL');
    expect(help.stdout).toContain("    - A request to a webhookId that is not one of the receiver's is refused with a 4xx");
  });
});
