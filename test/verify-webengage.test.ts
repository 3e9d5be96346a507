/**
 * `converge-webhook verify --contract webengage`, the plan of an outbound contract built by the
 * same core as ProveSource's (src/verify/contract-plan.ts): the deliveries as WebEngage makes
 * them (query parameters, the MD5 secret, a fresh x-request-id each, license_code as the
 * query's), the query-md5 negatives, one delivery replayed, no invalid body; the judge's
 * "exactly 200"; and the CLI's usage errors. The runs against receivers belong with the
 * receivers of test/fixtures/webengage-receivers/.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { loadContractRuntime, type ContractRuntime } from '../src/contract-runtime.js';
import { buildContractPlan } from '../src/verify/contract-plan.js';
import { contractProfile, contractRules } from '../src/verify/contract-rules.js';
import { judgeWith } from '../src/verify/judge.js';
import type { PlannedCheck } from '../src/verify/plan.js';
import { validateBody } from '../generated/webengage/index.js';
import { root, runCli } from './helpers.js';

const ACCOUNT = { licenseCode: 'acct-42', secretKey: 'key-of-acct-42' };
const SECRET = createHash('md5').update(`${ACCOUNT.licenseCode}:${ACCOUNT.secretKey}`).digest('hex');
const CASES = 40;

interface Entry {
  file: string;
  summary: string;
  webhook: string;
  eventType: string;
  status: number;
}
const manifest = YAML.parse(readFileSync(join(root, 'spec/webengage/examples/valid.yaml'), 'utf8')) as Entry[];

let runtime: ContractRuntime;
let plan: PlannedCheck[];
let paths: Record<string, string>;
beforeAll(async () => {
  runtime = await loadContractRuntime('webengage');
  paths = Object.fromEntries(runtime.operations.map((o) => [o.id, o.path]));
  const urls = Object.fromEntries(runtime.operations.map((o) => [o.id, new URL(`http://127.0.0.1:9${o.path}`)]));
  plan = buildContractPlan({ runtime, root, urls, secrets: ACCOUNT, cases: CASES, seed: 7, runId: 'test' });
});

const query = (c: PlannedCheck) => Object.fromEntries(new URLSearchParams(c.wire!.query));

describe('the plan of an outbound contract', () => {
  it('delivers every valid example to its webhook as WebEngage does: eventType, licenseCode, the MD5 secret, a fresh x-request-id', () => {
    const examples = plan.filter((c) => c.group === 'valid-examples');
    expect(examples.map((c) => c.source)).toEqual(manifest.map((e) => e.file));
    for (const [i, entry] of manifest.entries()) {
      const check = examples[i]!;
      expect(check.expect).toEqual({ kind: 'accepted' });
      expect(check.wire!.path).toBe(paths[entry.webhook]);
      expect(query(check)).toEqual({ eventType: entry.eventType, licenseCode: ACCOUNT.licenseCode, secret: SECRET });
      expect(check.wire!.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    }
    // A file the vendor prints under two webhooks is delivered to each, with the webhook in its id.
    expect(examples.map((c) => c.id)).toContain('example valid/seed-push-notification-accepted.json as globalApplicationEvents');
    expect(new Set(plan.map((c) => c.id)).size).toBe(plan.length);
  });

  it('writes the body\'s license_code as the query\'s, as WebEngage does, and changes nothing else', () => {
    const check = plan.find((c) => c.id === 'example valid/seed-push-notification-accepted.json as events')!;
    const original = JSON.parse(readFileSync(join(root, 'spec/webengage/examples/valid/seed-push-notification-accepted.json'), 'utf8')) as Record<string, unknown>;
    expect(original.license_code).toBe('~99199077');
    expect(JSON.parse(check.wire!.body)).toEqual({ ...original, license_code: ACCOUNT.licenseCode });
  });

  it('sends every delivery with its own x-request-id, but the replayed one twice', () => {
    // Every check that is sent (the body limit is described, never sent).
    expect(plan.filter((c) => !c.wire).map((c) => c.id)).toEqual(['body limit']);
    const ids = plan.flatMap((c) => (c.wire ? [c.wire.headers['x-request-id']] : []));
    const replay = plan.filter((c) => c.group === 'replay');
    expect(replay.map((c) => c.id)).toEqual(['replay first', 'replay again']);
    expect(replay[0]!.wire).toEqual(replay[1]!.wire);
    expect(replay.map((c) => c.expect)).toEqual([{ kind: 'accepted' }, { kind: 'accepted' }]);
    expect(new Set(ids).size).toBe(ids.length - 1);
  });

  it('has the query-md5 negatives, each expected refused with 401, and no invalid body at all', () => {
    expect(plan.filter((c) => c.group === 'auth').map((c) => [c.id, query(c).licenseCode, query(c).secret, c.expect])).toEqual([
      ['auth missing-secret', ACCOUNT.licenseCode, undefined, { kind: 'refused', refusal: 'bad-credentials', status: 401 }],
      ['auth empty-secret', ACCOUNT.licenseCode, '', { kind: 'refused', refusal: 'bad-credentials', status: 401 }],
      ['auth wrong-secret', ACCOUNT.licenseCode, `${SECRET.slice(0, -1)}${SECRET.endsWith('x') ? 'y' : 'x'}`, { kind: 'refused', refusal: 'bad-credentials', status: 401 }],
      ['auth other-license-code', 'acct-4x', createHash('md5').update(`acct-4x:${ACCOUNT.secretKey}`).digest('hex'), { kind: 'refused', refusal: 'bad-credentials', status: 401 }],
    ]);
    expect(plan.filter((c) => c.expect.kind === 'refused' && c.group !== 'auth')).toEqual([]);
    expect(plan.filter((c) => c.group === 'generated-invalid-bodies')).toEqual([]);
  });

  it('generates valid deliveries for several webhooks, each valid by the engine with its query', () => {
    const generated = plan.filter((c) => c.group === 'generated-valid-bodies');
    expect(generated.length).toBe(CASES);
    expect(new Set(generated.map((c) => c.operation)).size).toBeGreaterThanOrEqual(4);
    for (const check of generated) {
      expect(check.wire!.path).toBe(paths[check.operation!]);
      const result = validateBody(check.wire!.body, { operation: check.operation as 'events', parameters: { query: query(check), header: { 'x-request-id': check.wire!.headers['x-request-id'] } } });
      expect({ id: check.id, summary: check.summary, errors: result.errors }).toEqual({ id: check.id, summary: check.summary, errors: [] });
    }
  });
});

describe('the judge of an outbound contract', () => {
  it('counts exactly answers.delivered (200) as delivered: 201 and 204 fail', async () => {
    const rules = contractRules(runtime);
    expect(rules['accept-valid-bodies']!.title).toBe('A valid delivery is accepted with exactly 200 (no other status counts as delivered)');
    const profile = await contractProfile(runtime, root, rules);
    const check = plan.find((c) => c.group === 'valid-examples')!;
    const answer = (status: number) => judgeWith(profile, check, { status, contentType: '', text: '' });
    expect(answer(200)).toEqual([]);
    for (const status of [201, 202, 204]) {
      expect(answer(status)).toEqual([{ rule: 'accept-valid-bodies', level: 'failure', reason: `expected 200 (delivered), got ${status}`, topic: `answered ${status}` }]);
    }
    const wrongSecret = plan.find((c) => c.id === 'auth wrong-secret')!;
    expect(judgeWith(profile, wrongSecret, { status: 200, contentType: '', text: '' })).toEqual([
      {
        rule: 'refuse-bad-credentials',
        level: 'failure',
        reason: 'expected a 4xx refusal (401 recommended), got 200: a request with secret: (wrong: last character changed) was accepted',
        topic: 'accepted',
      },
    ]);
  });
});

describe('the CLI', () => {
  it('exits 2 without the account, naming the option and its environment variable', async () => {
    const noKey = await runCli(['verify', '--contract', 'webengage', '--url', 'http://127.0.0.1:9', '--license-code', 'L']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toBe(
      'converge-webhook: verify --contract webengage needs --secret-key (or the WEBENGAGE_SECRET_KEY environment variable): the receiver\'s secretKey, found nothing\nRun "npx converge-webhook help" for usage.\n',
    );
    const help = await runCli(['verify', '--contract', 'webengage', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--license-code VALUE');
    expect(help.stdout).toContain('--activity-events-url URL');
    expect(help.stdout).toMatch(/It sends no invalid\s+body: WebEngage sends none\./);
    expect(help.stdout).toContain('  --feedback-reply-url URL\n                       the feedbackReply webhook\'s URL, when not --url\'s');
  });
});
