/**
 * `verify --contract webengage` against the WebEngage receivers of test/fixtures/webengage-receivers/
 * (each its own node process on 127.0.0.1), with real Dredd: the correct one passes; each broken
 * one fails exactly the deliveries its mistake concerns, with the reason; and against the
 * WebEngage sandbox, the reference receiver, which passes under --strict.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadContractRuntime } from '../src/contract-runtime.js';
import { AUTH_TYPES } from '../src/sandbox/auth/registry.js';
import { startContractSandbox } from '../src/sandbox/contract-sandbox.js';
import { buildContractPlan } from '../src/verify/contract-plan.js';
import type { PlannedCheck } from '../src/verify/plan.js';
import { formatText } from '../src/verify/report.js';
import { runVerify, type VerifyResult } from '../src/verify/verify.js';
import { root } from './helpers.js';

// The receivers are another branch's work: this file runs where both are (it is skipped on a branch without them).
const RECEIVERS = join(root, 'test/fixtures/webengage-receivers.ts');
type ReceiverName = 'correct' | 'no-secret-check' | 'answers-204' | 'rfc3339-only' | 'push-content-object' | 'requires-event-fields';
interface Receivers {
  startWebengageReceiver(name: ReceiverName, account: { licenseCode: string; secretKey: string }): Promise<{ url: string; stop(): Promise<void> }>;
}

const ACCOUNT = { licenseCode: 'acct-42', secretKey: 'key-of-acct-42' };
const CASES = 40;
const SEED = 20240902;

const failedIds = (result: VerifyResult) => result.checks.filter((c) => c.level === 'failed').map((c) => c.id);
const reasons = (result: VerifyResult) => new Set(result.checks.filter((c) => c.level === 'failed').map((c) => c.reason));
const body = (c: PlannedCheck) => JSON.parse(c.wire!.body) as Record<string, unknown> & { system_data?: Record<string, unknown> };

describe.skipIf(!existsSync(RECEIVERS))('verify --contract webengage against receivers', () => {
  let receivers: Receivers;
  let plan: PlannedCheck[];
  const running: Array<{ stop(): Promise<void> }> = [];
  beforeAll(async () => {
    receivers = (await import(pathToFileURL(RECEIVERS).href)) as Receivers;
    const runtime = await loadContractRuntime('webengage');
    const urls = Object.fromEntries(runtime.operations.map((o) => [o.id, new URL(`http://127.0.0.1:9${o.path}`)]));
    plan = buildContractPlan({ runtime, root, urls, secrets: ACCOUNT, cases: CASES, seed: SEED });
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
  });
  const verify = async (name: ReceiverName, strict = false) => {
    const receiver = await receivers.startWebengageReceiver(name, ACCOUNT);
    running.push(receiver);
    return runVerify({ contract: 'webengage', url: receiver.url, secrets: ACCOUNT, cases: CASES, seed: SEED, strict });
  };
  const accepted = () => plan.filter((c) => c.expect.kind === 'accepted');

  it('passes the correct receiver, also under --strict (nothing to report)', async () => {
    const result = await verify('correct', true);
    expect([result.error, failedIds(result)]).toEqual([undefined, []]);
    expect(result.counts.total).toBe(plan.length);
    expect(result.ok).toBe(true);
  });

  it('fails a receiver that never checks the secret on exactly the four auth checks', async () => {
    const result = await verify('no-secret-check');
    expect(failedIds(result)).toEqual(['auth missing-secret', 'auth empty-secret', 'auth wrong-secret', 'auth other-license-code']);
    expect(result.checks.find((c) => c.id === 'auth wrong-secret')?.reason).toBe('expected a 4xx refusal (401 recommended), got 200: a request with secret: (wrong: last character changed) was accepted');
  });

  it('fails a receiver that answers 204 on every delivery', async () => {
    const result = await verify('answers-204');
    expect(failedIds(result)).toEqual(accepted().map((c) => c.id));
    expect(reasons(result)).toEqual(new Set(['expected 200 (delivered), got 204']));
  });

  it('fails a receiver that wants RFC 3339 on exactly the deliveries whose event_time is WebEngage\'s own form', async () => {
    const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
    const expected = accepted().filter((c) => typeof body(c).event_time === 'string' && !RFC3339.test(body(c).event_time as string)).map((c) => c.id);
    expect(expected).toContain('example valid/seed-push-notification-accepted.json as events');
    const result = await verify('rfc3339-only');
    expect(failedIds(result)).toEqual(expected);
    expect(reasons(result)).toEqual(new Set(['expected 200 (delivered), got 400']));
  });

  it('fails a receiver that wants push_notification_content as an object on exactly the deliveries that carry it (a string)', async () => {
    const expected = accepted().filter((c) => body(c).system_data?.push_notification_content !== undefined).map((c) => c.id);
    expect(expected.length).toBeGreaterThan(5);
    const result = await verify('push-content-object');
    expect(failedIds(result)).toEqual(expected);
    expect(reasons(result)).toEqual(new Set(['expected 200 (delivered), got 422']));
  });

  it('fails a receiver that requires fields the journey envelope does not carry on exactly the deliveries without them', async () => {
    const expected = accepted().filter((c) => ['event_name', 'event_time', 'anonymous_id', 'system_data'].some((f) => body(c)[f] == null)).map((c) => c.id);
    expect(expected.some((id) => id.includes('journey'))).toBe(true);
    const result = await verify('requires-event-fields');
    expect(failedIds(result)).toEqual(expected);
    expect(reasons(result)).toEqual(new Set(['expected 200 (delivered), got 400']));
  });
});

// The sandbox serves WebEngage where its auth type (query-md5) is registered (another branch's work, as the receivers).
describe.skipIf(!Object.hasOwn(AUTH_TYPES, 'query-md5'))('verify --contract webengage against the sandbox', () => {
  it('passes with nothing to report, also under --strict, and the sandbox stores the replayed delivery once', async () => {
    const runtime = await loadContractRuntime('webengage');
    const sandbox = await startContractSandbox(runtime, { inMemory: true, secrets: ACCOUNT });
    try {
      const result = await runVerify({ contract: 'webengage', url: sandbox.url, secrets: ACCOUNT, cases: CASES, seed: SEED, strict: true });
      expect([result.error, result.counts.failed, result.counts.deviations, result.ok]).toEqual([undefined, 0, 0, true]);
      const replayed = result.checks.find((c) => c.id === 'replay again');
      expect(replayed?.got?.status).toBe(200);
      // Every delivery stored once: the preflight, the valid examples, the generated ones, and the replayed one once.
      expect(sandbox.count()).toBe(result.checks.filter((c) => c.group !== 'auth' && c.group !== 'body-limit').length);
      // The summary names each webhook's URL, and says what the two answers to the replayed delivery were.
      const text = formatText(result).split('\n');
      const at = text.indexOf('Sent to:');
      expect(text.slice(at + 1, at + 1 + Object.keys(result.endpoints!).length)).toEqual(
        Object.entries(result.endpoints!).map(([id, url]) => `  ${id.padEnd(Math.max(...Object.keys(result.endpoints!).map((k) => k.length)))}  ${url}`),
      );
      expect(new Set(Object.values(result.endpoints!)).size).toBe(Object.keys(result.endpoints!).length);
      const replay = text.indexOf('Replayed delivery (the same delivery again, with the same x-request-id):');
      expect(text.slice(replay + 1, replay + 3)).toEqual([expect.stringMatching(/^ {2}first {2}200 /), expect.stringMatching(/^ {2}again {2}200 /)]);
      expect(text.at(-2)).toMatch(new RegExp(`^The receiver at these ${Object.keys(result.endpoints!).length} URLs honours the contract: `));
    } finally {
      await sandbox.stop();
    }
  });
});
