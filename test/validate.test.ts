import { describe, expect, it } from 'vitest';

import { assertWebhookEvent, isWebhookEvent, validateEvent, WebhookEventError, type WebhookEvent } from '../generated/converge/index.js';

const base = (): Record<string, unknown> => ({
  event_name: 'Placed Order',
  event_id: 'order-1',
  properties: { total_price: 42, currency: 'USD', $sales_channel_type: 'web' },
  profile_properties: { $email: 'jane@example.com' },
  aliases: ['urn:email:jane@example.com'],
});
const codes = (list: Array<{ code: string; pointer: string }>) => list.map((v) => `${v.code} ${v.pointer}`).sort();

describe('validateEvent', () => {
  it('accepts a conforming event with no errors and no warnings', () => {
    expect(validateEvent(base())).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it.each([
    ['2024-09-02T12:34:56+00:00'],
    ['2024-09-02T12:34:56Z'],
    ['2024-09-02t12:34:56z'],
    ['2024-09-02T12:34:56.123456-07:00'],
    ['2024-02-29T00:00:00+14:00'],
    ['2000-02-29T23:59:59Z'],
    [0],
    [1725312229],
    [253402300799],
  ])('accepts the timestamp %j', (timestamp) => {
    expect(validateEvent({ ...base(), timestamp }).errors).toEqual([]);
  });

  it.each([
    ['2024-09-02T12:34:56', 'timestamp-missing-timezone'],
    ['2024-09-02 12:34:56', 'timestamp-missing-timezone'],
    ['2024-09-02T12:34', 'timestamp-missing-timezone'],
    ['2024-09-02', 'timestamp-invalid-format'],
    ['20240902T123456Z', 'timestamp-invalid-format'],
    ['2024-W36-1T12:34:56Z', 'timestamp-invalid-format'],
    ['2024-09-02T12Z', 'timestamp-invalid-format'],
    ['2024-09-02T12:34.5Z', 'timestamp-invalid-format'],
    ['2024-09-02T12:34:56+5:30', 'timestamp-invalid-format'],
    ['2024-09-02T12:34:56+01:00Z', 'timestamp-invalid-format'],
    ['1725312229', 'timestamp-invalid-format'],
    ['', 'timestamp-invalid-format'],
    ['2024-02-30T10:00:00Z', 'timestamp-invalid-date'],
    ['2023-02-29T10:00:00Z', 'timestamp-invalid-date'],
    ['1900-02-29T10:00:00Z', 'timestamp-invalid-date'],
    ['2024-09-02T24:00:00Z', 'timestamp-invalid-date'],
    ['2024-09-02T12:34:60Z', 'timestamp-invalid-date'],
    ['2016-12-31T23:58:60Z', 'timestamp-invalid-date'],
    ['2016-12-31T22:59:60Z', 'timestamp-invalid-date'],
    ['2016-12-31T23:59:61Z', 'timestamp-invalid-date'],
    ['2016-12-31T23:59:60+01:00', 'timestamp-invalid-date'],
    ['2016-12-31T18:59:60-05:00', 'timestamp-invalid-date'],
    ['2024-09-02T12:34:56+24:00', 'timestamp-invalid-date'],
    ['2024-09-02T12:34:56+01:60', 'timestamp-invalid-date'],
    ['2024-09-02T12:60Z', 'timestamp-invalid-date'],
    ['2024-09-02 24:00+0000', 'timestamp-invalid-date'],
    ['2024-02-30T10:00Z', 'timestamp-invalid-date'],
    [1725312229.5, 'timestamp-not-integer'],
    [-1, 'timestamp-negative'],
    [-1.5, 'timestamp-negative'],
    [1725312229000, 'timestamp-too-large'],
    [253402300800, 'timestamp-too-large'],
    [true, 'wrong-type'],
    [null, 'wrong-type'],
  ])('rejects the timestamp %j with %s', (timestamp, code) => {
    const result = validateEvent({ ...base(), timestamp });
    expect(result.valid).toBe(false);
    expect(codes(result.errors)).toEqual([`${code} /timestamp`]);
    expect(result.errors[0]!.message).toMatch(/^expected .+, found .+/);
  });

  it.each([
    ['2025-03-14T09:26Z', 'no seconds'],
    ['2025-03-14T09:26+01:00', 'no seconds'],
    ['2025-03-14T09:26:53+0000', 'an offset without its colon'],
    ['2025-03-14T09:26:53.5-0400', 'an offset without its colon'],
    ['2025-03-14 09:26:53+00:00', 'a space instead of T'],
    ['2025-03-14 09:26:53.123456+01', 'a space instead of T, an offset of hours only'],
    ['2025-03-14T09:26:53,5Z', 'a comma before the fraction'],
    ['2016-12-31T23:59:60Z', 'a leap second, which most parsers refuse'],
    ['2016-12-31t23:59:60.5+00:00', 'a leap second, which most parsers refuse'],
    ['2016-12-31 23:59:60-0000', 'a space instead of T, a leap second, which most parsers refuse, an offset without its colon'],
    ['2024-02-29 00:00z', 'a space instead of T, no seconds'],
  ])('accepts the ISO 8601 timestamp %j with a timestamp-form warning (%s)', (timestamp, deviations) => {
    expect(validateEvent({ ...base(), timestamp })).toEqual({
      valid: true,
      errors: [],
      warnings: [{ code: 'timestamp-form', pointer: '/timestamp', message: `expected an RFC 3339 date-time, YYYY-MM-DDThh:mm:ss[.fff] then Z or +hh:mm, found a string ${JSON.stringify(timestamp)} (${deviations})` }],
    });
    expect(validateEvent({ ...base(), timestamp }, { strict: true })).toMatchObject({ valid: false, errors: [{ code: 'timestamp-form', pointer: '/timestamp' }], warnings: [] });
  });

  it('reports a timestamp-form warning next to other warnings, and none under a timestamp error', () => {
    const warned = validateEvent({ ...base(), timestamp: '2025-03-14T09:26Z', aliases: ['jane@example.com'] });
    expect(codes(warned.warnings)).toEqual(['alias-form /aliases/0', 'timestamp-form /timestamp']);
    const broken = validateEvent({ ...base(), timestamp: '2025-03-14T09:26', extra: 1 });
    expect(codes(broken.errors)).toEqual(['timestamp-missing-timezone /timestamp']);
    expect(codes(broken.warnings)).toEqual(['unknown-field /extra']);
  });

  it('names what was expected and what was found in every message', () => {
    const result = validateEvent({ ...base(), event_id: 42, aliases: [], properties: { ...(base().properties as object), total_price: '42.00' } });
    expect(codes(result.errors)).toEqual(['aliases-too-few /aliases', 'wrong-type /event_id']);
    expect(result.errors.find((e) => e.code === 'wrong-type')!.message).toBe('expected a string, found a number 42');
    expect(codes(result.warnings)).toEqual(['property-type /properties/total_price']);
    expect(result.warnings[0]!.message).toBe('expected a number, found a string "42.00"');
  });

  it('strict mode turns warnings into errors and keeps errors', () => {
    const event = { ...base(), aliases: ['jane@example.com'] };
    expect(validateEvent(event)).toMatchObject({ valid: true, errors: [], warnings: [{ code: 'alias-form', pointer: '/aliases/0' }] });
    expect(validateEvent(event, { strict: true })).toMatchObject({ valid: false, errors: [{ code: 'alias-form', pointer: '/aliases/0' }], warnings: [] });
  });

  it('treats a lower-case standard name as a custom event with free-form properties', () => {
    const result = validateEvent({ ...base(), event_name: 'placed order', properties: { total_price: 'lots' } });
    expect(result).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('escapes JSON pointer tokens in unknown-field warnings', () => {
    const result = validateEvent({ ...base(), 'a/b': 1, '~x': 2 });
    expect(codes(result.warnings)).toEqual(['unknown-field /a~1b', 'unknown-field /~0x']);
  });

  it('never throws, whatever the input, and gives each input its exact verdict', () => {
    const cyclic: Record<string, unknown> = { ...base() };
    cyclic.properties = cyclic;
    const hostile = new Proxy({}, { get() { throw new Error('boom'); }, has() { throw new Error('boom'); }, ownKeys() { throw new Error('boom'); } });
    const notAnObject = (found: string) => [{ code: 'not-an-object', pointer: '', message: `expected a JSON object, found ${found}` }];
    // Objects that are not plain JSON objects have none of the required fields of their own.
    const noFields = ['missing-field /aliases', 'missing-field /event_id', 'missing-field /event_name', 'missing-field /profile_properties', 'missing-field /properties'];
    const cases: Array<[string, unknown, { errors: string[] | ReturnType<typeof notAnObject>; valid?: true }]> = [
      ['undefined', undefined, { errors: notAnObject('nothing') }],
      ['null', null, { errors: notAnObject('null') }],
      ['0', 0, { errors: notAnObject('a number 0') }],
      ['-0', -0, { errors: notAnObject('a number 0') }],
      ['NaN', NaN, { errors: notAnObject('the number NaN') }],
      ['Infinity', Infinity, { errors: notAnObject('the number Infinity') }],
      ['an empty string', '', { errors: notAnObject('a string ""') }],
      ['a string', 'x', { errors: notAnObject('a string "x"') }],
      ['true', true, { errors: notAnObject('a boolean true') }],
      ['an empty array', [], { errors: notAnObject('an array of 0 items') }],
      ['an array holding an event', [base()], { errors: notAnObject('an array of 1 item') }],
      ['a function', () => 1, { errors: notAnObject('a function') }],
      ['a symbol', Symbol('s'), { errors: notAnObject('a symbol') }],
      ['a bigint', 10n, { errors: notAnObject('a bigint 10') }],
      ['a Date', new Date(), { errors: noFields }],
      ['a Map', new Map([['event_name', 'Placed Order']]), { errors: noFields }],
      ['an object without a prototype', Object.create(null), { errors: noFields }],
      // properties is the event itself: read once, not followed round the cycle.
      ['a cyclic event', cyclic, { errors: [], valid: true }],
      ['a Proxy that throws on every read', hostile, { errors: [{ code: 'invalid-value', pointer: '', message: 'expected JSON data, found a value that cannot be read (boom)' }] }],
      ['timestamp NaN', { ...base(), timestamp: NaN }, { errors: ['timestamp-not-integer /timestamp'] }],
      ['timestamp Infinity', { ...base(), timestamp: Infinity }, { errors: ['timestamp-too-large /timestamp'] }],
      ['timestamp -Infinity', { ...base(), timestamp: -Infinity }, { errors: ['timestamp-negative /timestamp'] }],
      ['a bigint event_id', { ...base(), event_id: 10n }, { errors: ['wrong-type /event_id'] }],
      ['100,000 aliases', { ...base(), aliases: new Array(1e5).fill('a') }, { errors: ['aliases-too-many /aliases'] }],
    ];
    for (const [name, input, expected] of cases) {
      const result = validateEvent(input);
      expect(result.valid, name).toBe(expected.valid === true);
      if (typeof expected.errors[0] === 'object') expect(result.errors, name).toEqual(expected.errors);
      else expect(codes(result.errors), name).toEqual(expected.errors);
      expect(result.warnings, name).toEqual([]);
    }
  });
});

describe('isWebhookEvent and assertWebhookEvent', () => {
  it('narrow unknown input to WebhookEvent', () => {
    const value: unknown = base();
    if (!isWebhookEvent(value)) throw new Error('should be an event');
    const name: string = value.event_name;
    expect(name).toBe('Placed Order');
    expect(isWebhookEvent({ ...base(), aliases: [] })).toBe(false);
    expect(isWebhookEvent({ ...base(), aliases: ['not-a-urn'] })).toBe(true);
  });

  it('assertWebhookEvent throws an error listing every violation', () => {
    expect(() => assertWebhookEvent(base())).not.toThrow();
    let caught: unknown;
    try {
      assertWebhookEvent({ ...base(), event_id: '', aliases: [] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WebhookEventError);
    const error = caught as WebhookEventError;
    expect(codes(error.violations)).toEqual(['aliases-too-few /aliases', 'empty-string /event_id']);
    expect(error.message).toContain('/aliases: aliases-too-few: expected 1 to 10 aliases, found 0');
    expect(error.message).toContain('/event_id: empty-string');
  });

  it('assertWebhookEvent honours strict mode', () => {
    const value: unknown = { ...base(), surprise: true };
    assertWebhookEvent(value);
    const event: WebhookEvent = value;
    expect(event.event_id).toBe('order-1');
    expect(() => assertWebhookEvent(value, { strict: true })).toThrow(/unknown-field/);
  });
});

describe('validateBody and the body limit', () => {
  const limitMessage = (bytes: number) => `expected a body of at most 1048576 bytes (1 MiB, the limit this package recommends), found ${bytes} bytes`;
  /** A valid event padded to exactly `bytes` bytes of UTF-8 with `unit` (1 to 4 bytes each). */
  const padded = (bytes: number, unit = 'x') => {
    const head = JSON.stringify({ ...base(), properties: { note: '' } });
    const room = bytes - Buffer.byteLength(head);
    const unitBytes = Buffer.byteLength(unit);
    const text = head.replace('"note":""', `"note":"${unit.repeat(Math.floor(room / unitBytes))}${'x'.repeat(room % unitBytes)}"`);
    expect(Buffer.byteLength(text)).toBe(bytes);
    return text;
  };

  it.each([
    ['ASCII', 'x'],
    ['2-byte é', 'é'],
    ['3-byte €', '€'],
    ['4-byte emoji (a surrogate pair)', '😀'],
  ])('warns at 1 byte over 1 MiB and not at 1 MiB, counting UTF-8 bytes in text and bytes alike (%s)', async (_name, unit) => {
    const { validateBody } = await import('../generated/converge/index.js');
    for (const body of [padded(1_048_576, unit), Buffer.from(padded(1_048_576, unit))]) {
      expect(validateBody(body)).toMatchObject({ valid: true, errors: [], warnings: [] });
    }
    for (const body of [padded(1_048_577, unit), Buffer.from(padded(1_048_577, unit))]) {
      const result = validateBody(body);
      expect({ valid: result.valid, errors: result.errors, warnings: result.warnings }).toEqual({
        valid: true,
        errors: [],
        warnings: [{ code: 'body-too-large', pointer: '', message: limitMessage(1_048_577) }],
      });
      expect(validateBody(body, { strict: true })).toMatchObject({ valid: false, errors: [{ code: 'body-too-large', pointer: '', message: limitMessage(1_048_577) }], warnings: [] });
    }
  });

  it('counts a lone surrogate as the 3 bytes of U+FFFD that TextEncoder writes', async () => {
    const { validateBody } = await import('../generated/converge/index.js');
    // One 1-byte "x" becomes a lone high surrogate (3 bytes once encoded): 2 bytes more.
    const lone = padded(1_048_575).replace('"note":"x', '"note":"\ud800');
    expect(new TextEncoder().encode(lone).length).toBe(1_048_577);
    expect(validateBody(lone).warnings).toEqual([{ code: 'body-too-large', pointer: '', message: limitMessage(1_048_577) }]);
  });

  it('keeps the other verdicts: with errors the event stays invalid, and a body that is not JSON only says so', async () => {
    const { validateBody } = await import('../generated/converge/index.js');
    const broken = padded(2_000_000).replace('"aliases":["urn:email:jane@example.com"]', '"aliases":[]');
    const result = validateBody(broken);
    expect(codes(result.errors)).toEqual(['aliases-too-few /aliases']);
    expect(codes(result.warnings)).toEqual(['body-too-large ']);
    expect(validateBody(`${'x'.repeat(2_000_000)}`)).toMatchObject({ valid: false, errors: [{ code: 'invalid-json' }], warnings: [] });
    expect(validateBody(`[${'1,'.repeat(1_000_000)}1]`)).toMatchObject({ valid: false, errors: [{ code: 'not-an-object' }], warnings: [] });
    // validateEvent sees a value, not a body: it has no size to judge.
    expect(validateEvent(JSON.parse(padded(2_000_000)))).toEqual({ valid: true, errors: [], warnings: [] });
  });
});

describe('validateBody and isStandardEvent', () => {
  it('validates a raw body: not JSON or not UTF-8 is invalid-json, never an exception', async () => {
    const { validateBody } = await import('../generated/converge/index.js');
    expect(validateBody('{bad')).toEqual({
      valid: false,
      errors: [{ code: 'invalid-json', pointer: '', message: "expected a property name in double quotes or \"}\", found 'b' at line 1, column 2" }],
      warnings: [],
    });
    expect(validateBody(new Uint8Array([0x7b, 0xff, 0x7d])).errors[0]!.message).toBe('expected UTF-8 text, found a byte that is not UTF-8 at byte offset 1');
    const ok = validateBody(Buffer.from(JSON.stringify(base())));
    expect(ok).toEqual({ valid: true, errors: [], warnings: [], value: base() });
    expect(validateBody('[1]').errors[0]!.code).toBe('not-an-object');
  });

  it('isStandardEvent narrows a conforming standard event only', async () => {
    const { isStandardEvent } = await import('../generated/converge/index.js');
    const value: unknown = base();
    expect(isStandardEvent(value)).toBe(true);
    if (isStandardEvent(value) && value.event_name === 'Placed Order') expect(value.properties.total_price).toBe(42);
    expect(isStandardEvent({ ...base(), event_name: 'My Custom' })).toBe(false);
    expect(isStandardEvent({ ...base(), aliases: ['jane'] })).toBe(false);
    expect(isStandardEvent(null)).toBe(false);
  });
});
