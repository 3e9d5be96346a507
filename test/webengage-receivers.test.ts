/**
 * Issue 11, "It must show": the receivers of test/fixtures/webengage-receivers/, each its own node
 * process on 127.0.0.1, sent real deliveries the way WebEngage sends them (query eventType,
 * licenseCode, secret; a fresh x-request-id; JSON), every valid example on its webhook's path.
 * The correct one answers exactly 200 to each and refuses a wrong, missing or other account's
 * secret; each broken one misbehaves exactly as named, and only so. These are the receivers
 * `verify --contract webengage` is to judge; the receivers import the built package by name, so
 * this needs `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  TEST_ACCOUNT,
  WEBENGAGE_RECEIVERS,
  deliver,
  deliveryOf,
  secretOf,
  startWebengageReceiver,
  webengageManifest,
  webhookPaths,
  type RunningWebengageReceiver,
  type WebengageReceiverName,
} from './fixtures/webengage-receivers.js';
import { root } from './helpers.js';

const valid = webengageManifest('valid');
const invalid = webengageManifest('invalid');
const name = (entry: { webhook: string; file: string }) => `${entry.webhook} ${entry.file}`;

const receivers = new Map<WebengageReceiverName, RunningWebengageReceiver>();
beforeAll(async () => {
  if (!existsSync(join(root, 'dist/esm/generated/webengage/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  for (const receiver of await Promise.all(WEBENGAGE_RECEIVERS.map((n) => startWebengageReceiver(n)))) receivers.set(receiver.name, receiver);
}, 60_000);
afterAll(async () => {
  await Promise.all([...receivers.values()].map((r) => r.stop()));
});

/** The status each valid example got, by "webhook file". */
async function answersToValid(receiver: WebengageReceiverName): Promise<Record<string, number>> {
  const answers: Record<string, number> = {};
  for (const entry of valid) answers[name(entry)] = (await deliver(receivers.get(receiver)!.url, deliveryOf(entry))).status;
  return answers;
}

/** The statuses of the deliveries WebEngage never makes: a wrong secret, none, another account's. */
async function answersToForged(receiver: WebengageReceiverName): Promise<Record<string, number>> {
  const answers: Record<string, number> = {};
  for (const entry of invalid.filter((e) => e.status === 401)) answers[entry.summary] = (await deliver(receivers.get(receiver)!.url, deliveryOf(entry))).status;
  return answers;
}

/** Every valid example answered `status`, but those listed, answered as listed. */
function expected(status: number, refused: Record<string, number> = {}): Record<string, number> {
  for (const key of Object.keys(refused)) if (!valid.some((e) => name(e) === key)) throw new Error(`no valid example ${key}`);
  return Object.fromEntries(valid.map((e) => [name(e), refused[name(e)] ?? status]));
}
const refusedAs = (status: number, keys: string[]) => Object.fromEntries(keys.map((k) => [k, status]));

const FORGED_REFUSED = {
  'A valid body with a secret computed from another key': 401,
  'A valid body without the secret parameter': 401,
  "Another account's delivery (its license code and its correct secret) posted to this receiver": 401,
};

describe('the delivery helper plays WebEngage', () => {
  it('posts to the webhook path with eventType, licenseCode and the MD5 secret, a fresh 32-hex x-request-id and the bytes of the example', () => {
    const seed = deliveryOf(valid[0]!);
    expect(seed).toMatchObject({ path: '/webengage/events', eventType: 'push_notification_accepted', licenseCode: '~99199077', secret: '79b6e2663b50e63380722a1251d39d63' });
    expect(secretOf({ licenseCode: '311c48b3', secretKey: 'test-key-webengage-2' })).toBe('182a25c72a63b3b5706a8dbf62026704');
    expect(Object.values(webhookPaths())).toHaveLength(8);
    // Another account's delivery to a receiver of that other account: the manifest's receiver account is "another" then.
    const other = invalid.find((e) => e.delivery?.licenseCode !== undefined)!;
    expect(deliveryOf(other)).toMatchObject({ licenseCode: '311c48b3', secret: '182a25c72a63b3b5706a8dbf62026704' });
    expect(deliveryOf(other, { licenseCode: '311c48b3', secretKey: 'test-key-webengage-2' })).toMatchObject({ licenseCode: '~99199077', secret: '79b6e2663b50e63380722a1251d39d63' });
  });
});

describe('the correct receiver', () => {
  it('answers exactly 200 to every valid example, and stores each once, with its time and push content read', async () => {
    expect(await answersToValid('correct')).toEqual(expected(200));
    const out = receivers.get('correct')!.stdout();
    expect(out.match(/^stored /gm)).toHaveLength(valid.length);
    expect(out).toMatch(/^stored events push_notification_accepted [0-9a-f]{32} time=2016-06-01T15:53:59\.000Z push=json errors=- warnings=0$/m);
    expect(out).toMatch(/^stored events push_notification_rejected [0-9a-f]{32} time=2016-06-01T15:53:58\.000Z push=code errors=- warnings=0$/m);
    expect(out).toMatch(/^stored events push_notification_close [0-9a-f]{32} time=2024-07-14T18:05:11\.000Z push=json errors=- warnings=0$/m);
    // The journey seed, delivered under this receiver's account: its body's license_code differs from the query's (a warning).
    expect(out).toMatch(/^stored journey journey_activated [0-9a-f]{32} time=2017-03-06T11:00:52\.000Z push=- errors=- warnings=1$/m);
  });

  it("refuses a wrong secret, a missing one and another account's with 401", async () => {
    expect(await answersToForged('correct')).toEqual(FORGED_REFUSED);
  });

  it('answers 200 to a body that breaks the contract, once its secret is right, and stores it with its errors', async () => {
    for (const entry of invalid.filter((e) => e.status === 200)) expect((await deliver(receivers.get('correct')!.url, deliveryOf(entry))).status, name(entry)).toBe(200);
    const out = receivers.get('correct')!.stdout();
    expect(out).toMatch(/^stored events - [0-9a-f]{32} time=not-a-string push=- errors=invalid-json warnings=0$/m);
    expect(out).toMatch(/^stored events push_notification_accepted [0-9a-f]{32} time=2016-06-01T15:53:59\.000Z push=invalid errors=push-content-not-string warnings=0$/m);
    expect(out).toMatch(/^stored globalSystemEvents push_notification_view [0-9a-f]{32} time=timestamp-invalid-date push=json errors=timestamp-invalid-date warnings=0$/m);
    expect(out).toMatch(/^stored events push_notification_rejected - time=2016-06-01T15:53:58\.000Z push=code errors=- warnings=0$/m);
  });

  it('dedupes on x-request-id: a replay is answered 200 and not stored again', async () => {
    const receiver = receivers.get('correct')!;
    const delivery = { ...deliveryOf(valid[0]!), requestId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' };
    expect((await deliver(receiver.url, delivery)).status).toBe(200);
    expect((await deliver(receiver.url, delivery)).status).toBe(200);
    expect(receiver.stdout().match(/^stored .* a1b2c3d4e5f60718293a4b5c6d7e8f90 /gm)).toHaveLength(1);
    expect(receiver.stdout().match(/^duplicate a1b2c3d4e5f60718293a4b5c6d7e8f90$/gm)).toHaveLength(1);
  });

  it('answers 404 off its webhook paths, and 413 over a megabyte', async () => {
    const receiver = receivers.get('correct')!;
    expect((await deliver(receiver.url, { ...deliveryOf(valid[0]!), path: '/webengage/unknown' })).status).toBe(404);
    expect((await deliver(receiver.url, { ...deliveryOf(valid[0]!), body: JSON.stringify({ event_name: 'x', pad: 'x'.repeat(1024 * 1024) }) })).status).toBe(413);
  });
});

describe('the broken receivers, each misbehaving exactly as named', () => {
  it('no-secret-check: answers 200 to every valid example, and to every forged delivery too', async () => {
    expect(await answersToValid('no-secret-check')).toEqual(expected(200));
    expect(await answersToForged('no-secret-check')).toEqual(Object.fromEntries(Object.keys(FORGED_REFUSED).map((k) => [k, 200])));
  });

  it('answers-204: refuses the forged deliveries, and answers 204 (a failed post for WebEngage) to every valid example', async () => {
    expect(await answersToValid('answers-204')).toEqual(expected(204));
    expect(await answersToForged('answers-204')).toEqual(FORGED_REFUSED);
  });

  it('rfc3339-only: refuses with 400 every example whose event_time is WebEngage\'s own +hhmm form (all the seed\'s), accepts only +00:00 and Z', async () => {
    const accepted = ['feedback valid/empty-object.json', 'feedbackReply valid/empty-object.json', 'surveyResponse valid/empty-object.json', 'events valid/warning-event-time-rfc3339.json', 'events valid/warning-event-time-z-fraction.json', 'journey valid/warning-journey-times-not-webengage-form.json'];
    const answers = await answersToValid('rfc3339-only');
    expect(answers).toEqual(expected(400, refusedAs(200, accepted)));
    expect(Object.values(answers).filter((s) => s === 400)).toHaveLength(31);
    expect(answers['events valid/seed-push-notification-accepted.json']).toBe(400);
    expect(await answersToForged('rfc3339-only')).toEqual(FORGED_REFUSED);
  });

  it('push-content-object: refuses with 422 every example that carries push_notification_content (a string: JSON or a code)', async () => {
    const refused = [
      'events valid/seed-push-notification-accepted.json',
      'globalApplicationEvents valid/seed-push-notification-accepted.json',
      'events valid/seed-push-notification-rejected.json',
      'globalApplicationEvents valid/seed-push-notification-rejected.json',
      'globalSystemEvents valid/global-system-push-click-unicode.json',
      'globalSystemEvents valid/global-system-push-rejected-gcm-error.json',
      'activityEvents valid/activity-push-received.json',
      'events valid/event-time-leap-day.json',
      'events valid/event-time-negative-offset.json',
      'events valid/warning-event-time-rfc3339.json',
      'events valid/warning-event-time-z-fraction.json',
      'events valid/warning-event-time-leap-second.json',
      'events valid/warning-user-id-null.json',
      'events valid/warning-push-content-truncated.json',
      'globalSystemEvents valid/warning-push-content-lower-case-code.json',
      'globalSystemEvents valid/warning-system-event-name-misspelt.json',
      'globalSystemEvents valid/warning-global-system-category.json',
      'events valid/warning-unknown-field.json',
      'events valid/warning-license-code-differs.json',
    ];
    expect(await answersToValid('push-content-object')).toEqual(expected(200, refusedAs(422, refused)));
    expect(await answersToForged('push-content-object')).toEqual(FORGED_REFUSED);
  });

  it('requires-event-fields: refuses with 400 every journey delivery (no anonymous_id, no system_data), the API-call webhooks\' bodies, and events without them', async () => {
    const refused = [
      'journey valid/seed-journey-activated.json',
      'journey valid/journey-created-not-activated.json',
      'journey valid/warning-journey-times-not-webengage-form.json',
      'journey valid/warning-journey-envelope-values.json',
      'journey valid/warning-journey-data-empty.json',
      'feedback valid/empty-object.json',
      'feedbackReply valid/empty-object.json',
      'surveyResponse valid/empty-object.json',
      'globalApplicationEvents valid/warning-missing-anonymous-id.json',
      'events valid/warning-data-null.json',
    ];
    const receiver = receivers.get('requires-event-fields')!;
    expect(await answersToValid('requires-event-fields')).toEqual(expected(200, refusedAs(400, refused)));
    const journey = await deliver(receiver.url, deliveryOf(valid.find((e) => e.file === 'valid/seed-journey-activated.json')!));
    expect(journey).toMatchObject({ status: 400, body: '{"error":"missing anonymous_id, system_data"}' });
    expect(await answersToForged('requires-event-fields')).toEqual(FORGED_REFUSED);
  });
});

it('the correct receiver compares the secret exactly: the upper-case hex of the right digest is refused', async () => {
  expect((await deliver(receivers.get('correct')!.url, { ...deliveryOf(valid[0]!), secret: secretOf(TEST_ACCOUNT).toUpperCase() })).status).toBe(401);
});
