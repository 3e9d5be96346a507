/** Property-based tests (fast-check, fixed seeds so a failure reproduces). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { MAX_UNIX_SECONDS, STANDARD_EVENT_NAMES, validateEvent } from '../src/index.js';
import { root } from './helpers.js';

const SEED = 20261123;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const alias = fc.tuple(fc.constantFrom('email', 'user_id', 'cart_token', 'checkout_token', 'customer_id'), fc.string({ minLength: 1, maxLength: 20 }))
  .map(([type, value]) => `urn:${type}:${value}`);
const offset = fc.oneof(fc.constantFrom('Z', 'z', '+00:00', '-07:00', '+05:30', '+14:00', '-12:00'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`));
const rfc3339 = fc.tuple(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), offset, fc.constantFrom('', '.5', '.123', '.123456789'), fc.constantFrom('T', 't'))
  .map(([d, zone, fraction, t]) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${t}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction}${zone}`);
const timestamp = fc.oneof(rfc3339, fc.integer({ min: 0, max: MAX_UNIX_SECONDS }));
const validEvent = fc.record(
  {
    event_name: fc.oneof(fc.constantFrom(...STANDARD_EVENT_NAMES), fc.string({ minLength: 1, maxLength: 30 })),
    event_id: fc.string({ minLength: 1, maxLength: 40 }),
    properties: fc.constant({}),
    profile_properties: fc.constant({}),
    aliases: fc.array(alias, { minLength: 1, maxLength: 10 }),
    timestamp,
  },
  { requiredKeys: ['event_name', 'event_id', 'properties', 'profile_properties', 'aliases'] },
);

describe('validateEvent, for any input', () => {
  it('never throws and answers in bounded time for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const started = performance.now();
        const result = validateEvent(value);
        expect(performance.now() - started).toBeLessThan(250);
        expect(result.valid).toBe(result.errors.length === 0);
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it('never throws for any JavaScript value, either', () => {
    fc.assert(fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), (value) => {
      expect(typeof validateEvent(value).valid).toBe('boolean');
    }), { numRuns: 1000, seed: SEED });
  });

  it('accepts every generated valid event, with no warnings', () => {
    fc.assert(fc.property(validEvent, (event) => {
      expect(validateEvent(event)).toEqual({ valid: true, errors: [], warnings: [] });
    }), { numRuns: 2000, seed: SEED });
  });

  it('reports exactly missing-field when one required field is removed', () => {
    const field = fc.constantFrom('event_name', 'event_id', 'properties', 'profile_properties', 'aliases');
    fc.assert(fc.property(validEvent, field, (event, name) => {
      const broken: Record<string, unknown> = { ...event };
      delete broken[name];
      expect(validateEvent(broken).errors.map((e) => `${e.code} ${e.pointer}`)).toEqual([`missing-field /${name}`]);
    }), { numRuns: 500, seed: SEED });
  });

  it('reports exactly the expected code when one field is broken', () => {
    const breakage = fc.constantFrom(
      ['event_name', 7, 'wrong-type'], ['event_name', '', 'empty-string'], ['event_id', 42, 'wrong-type'], ['event_id', '', 'empty-string'],
      ['properties', null, 'wrong-type'], ['properties', [], 'wrong-type'], ['profile_properties', 'x', 'wrong-type'], ['aliases', 'urn:a:b', 'wrong-type'],
      ['aliases', [], 'aliases-too-few'], ['aliases', Array.from({ length: 11 }, (_, i) => `urn:user_id:${i}`), 'aliases-too-many'],
      ['timestamp', 1.5, 'timestamp-not-integer'], ['timestamp', -5, 'timestamp-negative'], ['timestamp', 1725312229000, 'timestamp-too-large'],
      ['timestamp', '2024-09-02T12:34:56', 'timestamp-missing-timezone'], ['timestamp', false, 'wrong-type'],
    ) as fc.Arbitrary<[string, unknown, string]>;
    fc.assert(fc.property(validEvent, breakage, (event, [name, value, code]) => {
      expect(validateEvent({ ...event, [name]: value }).errors.map((e) => `${e.code} ${e.pointer}`)).toEqual([`${code} /${name}`]);
    }), { numRuns: 500, seed: SEED });
  });
});

describe('the precompiled validators agree with the published JSON Schema', () => {
  // The published schema, compiled at run time by ajv with ajv-formats' full date-time
  // check: the reference the precompiled code (which checks the timestamp by its stricter
  // pattern only, for speed) must agree with.
  const ajv = new Ajv2020.default({ allErrors: false, strict: true });
  addFormats.default(ajv, { mode: 'full' });
  const published = ajv.compile(JSON.parse(readFileSync(join(root, 'generated/schemas/webhook-event.schema.json'), 'utf8')) as object);
  const base = { event_name: 'x', event_id: 'y', properties: {}, profile_properties: {}, aliases: ['urn:a:b'] };

  // Date-time-like strings, right and wrong in every part.
  const part = (values: string[], arbitrary: fc.Arbitrary<string>) => fc.oneof(fc.constantFrom(...values), arbitrary);
  const num = (min: number, max: number, width = 2) => fc.integer({ min, max }).map((n) => pad(n, width));
  const candidate = fc.tuple(
    part(['2024', '2000', '1900', '0000', '9999', '24'], num(0, 9999, 4)),
    part(['-'], fc.constantFrom('/', '')), part(['02', '13', '00', '1'], num(1, 12)), part(['-'], fc.constantFrom('/', '')),
    part(['29', '30', '31', '00', '1'], num(1, 31)), part(['T', 't', ' '], fc.constantFrom('_', '')),
    part(['23', '24', '00', '1'], num(0, 23)), part([':'], fc.constant('')), part(['59', '60'], num(0, 59)),
    part([':', ''], fc.constant(':')), part(['59', '60', ''], num(0, 59)), part(['', '.5', '.', '.123456'], fc.constant('')),
    part(['Z', 'z', '', '+00:00', '+0200', '-07:00', '+24:00', '+23:60', '+05', '+5:30', 'UTC'], offset),
  ).map((parts) => parts.join(''));

  it('on date-time-like strings', () => {
    fc.assert(fc.property(candidate, (value) => {
      const event = { ...base, timestamp: value };
      expect(validateEvent(event).valid).toBe(published(event));
    }), { numRuns: 5000, seed: SEED });
  });

  it('on numbers', () => {
    const numbers = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constantFrom(0, -0, 1, -1, MAX_UNIX_SECONDS, MAX_UNIX_SECONDS + 1, 1725312229000, 0.5, 2 ** 53));
    fc.assert(fc.property(numbers, (value) => {
      const event = { ...base, timestamp: value };
      expect(validateEvent(event).valid).toBe(published(event));
    }), { numRuns: 3000, seed: SEED });
  });

  it('on whole random events', () => {
    fc.assert(fc.property(fc.oneof(validEvent, fc.jsonValue({ maxDepth: 3 }), validEvent.map((e) => ({ ...e, aliases: [...e.aliases, ''] }))), (value) => {
      expect(validateEvent(value).valid).toBe(published(value));
    }), { numRuns: 2000, seed: SEED });
  });
});
