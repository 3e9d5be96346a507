/**
 * parseWebengageTime, through the built entry (converge-webhook-contract/webengage, as a receiver
 * imports it), and the generic reader of src/ it binds: it reads exactly what the contract's
 * validator accepts as a time, refuses the rest with the validator's own code, tells WebEngage's
 * form from the others as the event-time-format warning does, and gives the instant V8's own ISO
 * parser gives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { parseDateTime } from '../src/date-time.js';
import { root } from './helpers.js';

const { parseWebengageTime, validateEvent, VIOLATION_CODES } = await import('converge-webhook-contract/webengage');

/** What the validator says of a time: valid, or its error code; and whether it warns that the form is not WebEngage's. */
function validatorOn(time: string): { error: string | undefined; exact: boolean } {
  const result = validateEvent({ event_name: 'x', event_time: time }, { operation: 'events' });
  const errors = result.errors.filter((e) => e.pointer === '/event_time');
  expect(result.errors.length).toBe(errors.length);
  expect(errors.length).toBeLessThanOrEqual(1);
  return { error: errors[0]?.code, exact: !result.warnings.some((w) => w.pointer === '/event_time' && w.code === 'event-time-format') };
}

/** V8's own ISO 8601 reader on the same instant, written as Date.parse reads it (T, seconds, milliseconds, ±hh:mm). */
function v8Instant(time: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:[Zz]|([+-]\d{2})(?::?(\d{2}))?)$/.exec(time)!;
  const second = m[3] === '60' ? '59' : (m[3] ?? '00');
  const zone = m[5] === undefined ? 'Z' : `${m[5]}:${m[6] ?? '00'}`;
  return Date.parse(`${m[1]}T${m[2]}:${second}.${(m[4] ?? '').slice(0, 3).padEnd(3, '0')}${zone}`);
}

/** A Date at an offset in WebEngage's form, yyyy-MM-ddTHH:mm:ss±hhmm (the round trip's other half). */
function webengageForm(date: Date, offsetMinutes: number): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString();
  const abs = Math.abs(offsetMinutes);
  return `${local.slice(0, 19)}${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
/** Mostly in range, sometimes just past it, sometimes any two digits. */
const field = (max: number, edges: string[]) => fc.oneof({ weight: 12, arbitrary: two(max) }, { weight: 2, arbitrary: fc.constantFrom(...edges) }, { weight: 1, arbitrary: two(99) });
const year = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')) },
  { weight: 3, arbitrary: fc.constantFrom('2016', '2024', '2023', '2000', '1900', '2100', '0000', '0400', '0099') },
  { weight: 1, arbitrary: fc.constantFrom('216', '20160', '+2016') },
);
const zone = fc.oneof(
  fc.constantFrom('', '', '', '', 'Z', 'z', '+0000', '-0000', '+00:00', '+00', 'UTC', ' +0000', '+000', '+00:0', '+00000'),
  fc.tuple(fc.constantFrom('+', '-'), field(23, ['24', '23', '00']), field(59, ['60', '59']), fc.constantFrom('', ':', ':', '', '')).map(([s, h, m, colon]) => `${s}${h}${colon}${m}`),
  fc.tuple(fc.constantFrom('+', '-'), field(23, ['24', '05'])).map(([s, h]) => `${s}${h}`),
);
/** Strings shaped like times, most near the contract's boundaries: each part in range or just out of it, optional or odd. */
const timeLike = fc
  .tuple(
    year,
    field(12, ['00', '13', '02', '02']),
    field(31, ['29', '30', '31', '00', '32']),
    fc.constantFrom('T', 'T', 'T', 'T', 't', ' ', ' ', '_', ''),
    field(23, ['24', '23']),
    field(59, ['60', '59']),
    fc.option(field(59, ['60', '60', '59']), { freq: 5 }),
    fc.option(fc.tuple(fc.constantFrom('.', ',', ':'), fc.stringMatching(/^\d{0,12}$/)), { freq: 2 }),
    zone,
  )
  .map(([y, mo, d, t, h, mi, s, frac, z]) => `${y}-${mo}-${d}${t}${h}:${mi}${s === null ? '' : `:${s}`}${s === null || frac === null ? '' : `${frac[0]}${frac[1]}`}${z}`);
/** WebEngage's own form, each field in range or just out of it. */
const webengageLike = fc
  .tuple(year, field(12, ['00', '13', '02']), field(31, ['29', '30', '31', '00']), field(23, ['24']), field(59, ['60']), field(59, ['60', '59']), fc.constantFrom('+', '-'), field(23, ['24', '00']), field(59, ['60', '00']))
  .map(([y, mo, d, h, mi, s, sign, oh, om]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${sign}${oh}${om}`);
/** A time-like string with one character inserted, deleted or replaced. */
const mutated = fc.tuple(timeLike, fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...'0123456789:-+TZ .,x\u0660')).map(([text, at, op, ch]) => {
  const i = at % (text.length + 1);
  return op === 'insert' ? text.slice(0, i) + ch + text.slice(i) : op === 'delete' ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + ch + text.slice(i + 1);
});
const anyTime = fc.oneof({ weight: 5, arbitrary: timeLike }, { weight: 4, arbitrary: webengageLike }, { weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) });

describe('parseWebengageTime', () => {
  it('reads the seed: 2016-06-01T15:53:59+0000 is 15:53:59 UTC, in WebEngage\'s form', () => {
    expect(parseWebengageTime('2016-06-01T15:53:59+0000')).toEqual({ kind: 'time', date: new Date('2016-06-01T15:53:59.000Z'), offsetMinutes: 0, exact: true, leapSecond: false });
  });

  it.each<[string, string, number, boolean]>([
    ['2024-07-14T13:05:11-0500', '2024-07-14T18:05:11.000Z', -300, true],
    ['2024-07-14T09:26:53+0530', '2024-07-14T03:56:53.000Z', 330, true],
    ['2024-02-29T23:59:59+0000', '2024-02-29T23:59:59.000Z', 0, true],
    ['2016-06-01T15:53:59+00:00', '2016-06-01T15:53:59.000Z', 0, false],
    ['2016-06-01T15:53:59.123Z', '2016-06-01T15:53:59.123Z', 0, false],
    ['2016-06-01t15:53:59.123456789z', '2016-06-01T15:53:59.123Z', 0, false],
    ['2016-06-01T15:53:59,9999-01', '2016-06-01T16:53:59.999Z', -60, false],
    ['2024-07-01 08:15:00+0000', '2024-07-01T08:15:00.000Z', 0, false],
    ['2024-07-01T08:15+02', '2024-07-01T06:15:00.000Z', 120, false],
    ['0099-12-31T23:00:00-0100', '0100-01-01T00:00:00.000Z', -60, true],
    ['0000-02-29T00:00:00+2359', '0000-02-28T00:01:00.000Z', 1439, true],
  ])('%s is %s (offset %i, WebEngage\'s form: %s)', (text, iso, offsetMinutes, exact) => {
    expect(parseWebengageTime(text)).toEqual({ kind: 'time', date: new Date(iso), offsetMinutes, exact, leapSecond: false });
  });

  it('reads a leap second at 23:59:60 UTC as 23:59:59 of that minute, and says so', () => {
    expect(parseWebengageTime('2016-12-31T23:59:60+0000')).toEqual({ kind: 'time', date: new Date('2016-12-31T23:59:59.000Z'), offsetMinutes: 0, exact: false, leapSecond: true });
    expect(parseWebengageTime('2016-12-31T23:59:60.5Z')).toEqual({ kind: 'time', date: new Date('2016-12-31T23:59:59.500Z'), offsetMinutes: 0, exact: false, leapSecond: true });
  });

  it.each<[unknown, string]>([
    ['2016-06-01T15:53:59', 'timestamp-missing-timezone'],
    ['2016-06-01 15:53', 'timestamp-missing-timezone'],
    ['2023-02-29T10:00:00+0000', 'timestamp-invalid-date'],
    ['2016-06-01T24:00:00+0000', 'timestamp-invalid-date'],
    ['2016-06-01T15:53:59+2400', 'timestamp-invalid-date'],
    ['2016-06-01T15:53:60+0000', 'timestamp-invalid-date'],
    ['2016-12-31T23:59:60+0100', 'timestamp-invalid-date'],
    ['N/A', 'timestamp-invalid-format'],
    ['', 'timestamp-invalid-format'],
    ['20160601T155359+0000', 'timestamp-invalid-format'],
    ['2016-06-01', 'timestamp-invalid-format'],
    ['1464796439', 'timestamp-invalid-format'],
    ['Wed, 01 Jun 2016 15:53:59 GMT', 'timestamp-invalid-format'],
    ['2016-06-01T15:53:59+0000\n', 'timestamp-invalid-format'],
  ])('refuses %j with the validator\'s %s, and its meaning', (text, code) => {
    expect(validatorOn(text as string).error).toBe(code);
    expect(parseWebengageTime(text)).toEqual({ kind: 'invalid', reason: code, message: VIOLATION_CODES[code as keyof typeof VIOLATION_CODES].meaning });
  });

  it.each<[unknown, string]>([
    [null, 'null'],
    [undefined, 'undefined'],
    [1464796439, 'number'],
    [new Date(0), 'object'],
    [['2016-06-01T15:53:59+0000'], 'an array'],
  ])('refuses %j as not-a-string (found %s)', (value, found) => {
    expect(parseWebengageTime(value)).toEqual({ kind: 'invalid', reason: 'not-a-string', message: `expected a string, found ${found}` });
  });

  it('reads every time of every valid example, as the validator warns (exact unless event-time-format)', () => {
    const manifest = parse(readFileSync(join(root, 'spec/webengage/examples/valid.yaml'), 'utf8')) as Array<{ file: string; warnings: Array<{ code: string; pointer: string }> }>;
    let times = 0;
    for (const entry of manifest) {
      const body = JSON.parse(readFileSync(join(root, 'spec/webengage/examples', entry.file), 'utf8')) as { event_time?: unknown; event_data?: Record<string, unknown> | null };
      const found: Array<[string, unknown]> = [['/event_time', body.event_time], ['/event_data/creationTime', body.event_data?.creationTime], ['/event_data/activationTime', body.event_data?.activationTime]];
      for (const [pointer, value] of found) {
        if (typeof value !== 'string') continue;
        times += 1;
        const result = parseWebengageTime(value);
        expect(result.kind, `${entry.file} ${pointer}`).toBe('time');
        expect(result.kind === 'time' && result.exact, `${entry.file} ${pointer}`).toBe(!entry.warnings.some((w) => w.code === 'event-time-format' && w.pointer === pointer));
      }
    }
    // 37 deliveries; the seed's two event examples are listed twice, the three empty objects have none.
    expect(times).toBe(40);
  });

  it('agrees with the validator on 10,000 generated strings: it reads exactly what the validator accepts, refuses with its code, and is exact where it does not warn', () => {
    const seen = { time: 0, exact: 0, 'timestamp-missing-timezone': 0, 'timestamp-invalid-date': 0, 'timestamp-invalid-format': 0 };
    fc.assert(
      fc.property(anyTime, (text) => {
        const validator = validatorOn(text);
        const result = parseWebengageTime(text);
        if (result.kind === 'time') {
          seen.time += 1;
          if (result.exact) seen.exact += 1;
          expect(validator).toEqual({ error: undefined, exact: result.exact });
          expect(result.date.getTime()).toBe(v8Instant(text));
        } else {
          seen[result.reason as keyof typeof seen] += 1;
          expect(validator.error).toBe(result.reason);
        }
      }),
      { numRuns: 10_000, seed: 11 },
    );
    // The generator reached every outcome, and often.
    for (const [outcome, count] of Object.entries(seen)) expect(count, outcome).toBeGreaterThan(150);
  });

  it('round-trips: WebEngage\'s form of any instant at any offset reads back as that instant and offset, and writes back as the same string', () => {
    const instant = fc.date({ min: new Date('0000-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }).map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
    const offset = fc.tuple(fc.integer({ min: -23, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => (h < 0 ? h * 60 - m : h * 60 + m));
    fc.assert(
      fc.property(instant, offset, (date, offsetMinutes) => {
        const text = webengageForm(date, offsetMinutes);
        const result = parseWebengageTime(text);
        expect(result).toEqual({ kind: 'time', date, offsetMinutes, exact: true, leapSecond: false });
        if (result.kind === 'time') expect(webengageForm(result.date, result.offsetMinutes)).toBe(text);
      }),
      { numRuns: 5_000, seed: 11 },
    );
  });

  it('never throws, whatever the value: a revoked Proxy, anything fast-check makes', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(parseWebengageTime(proxy)).toEqual({ kind: 'invalid', reason: 'not-a-string', message: 'expected a string, found object' });
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = parseWebengageTime(value);
        expect(['time', 'invalid']).toContain(result.kind);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('parseDateTime (src/date-time.ts)', () => {
  it('refuses what its rule does not accept, by the first matching refusal, else the fallback, and reads the rest', () => {
    const rule = { accept: /^2016-/, exact: /\+0000$/, refusals: [{ code: 'a', pattern: /^1/, message: 'A' }, { code: 'b', pattern: /^\d/, message: 'B' }], fallback: { code: 'c', message: 'C' } };
    expect(parseDateTime('1999-01-01T00:00:00+0000', rule)).toEqual({ kind: 'invalid', reason: 'a', message: 'A' });
    expect(parseDateTime('2015-01-01T00:00:00+0000', rule)).toEqual({ kind: 'invalid', reason: 'b', message: 'B' });
    expect(parseDateTime('x', rule)).toEqual({ kind: 'invalid', reason: 'c', message: 'C' });
    expect(parseDateTime('2016-01-01T00:00:00+0000', rule)).toMatchObject({ kind: 'time', exact: true });
    // Accepted by the rule but no ISO 8601 extended date-time: refused with the fallback, never misread.
    expect(parseDateTime('2016-01-01', rule)).toEqual({ kind: 'invalid', reason: 'c', message: 'C' });
  });
});
