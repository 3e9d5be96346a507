/**
 * The exact messages of the ProveSource and WebEngage codes whose text the table writes (a
 * pattern, a format, a `not`, a bound): what a sender reads, through the library entries.
 * test/codes-audit.test.ts checks every example's message for leaks; this pins the words.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import * as provesource from '../generated/provesource/index.js';
import * as webengage from '../generated/webengage/index.js';
import { root } from './helpers.js';

const example = (contract: string, file: string) => readFileSync(join(root, 'spec', contract, 'examples', file), 'utf8');
const FORM = "WebEngage's form yyyy-MM-ddTHH:mm:ss+hhmm, such as 2016-06-01T15:53:59+0000";

describe('WebEngage messages', () => {
  const event = JSON.parse(example('webengage', 'valid/seed-push-notification-accepted.json')) as Record<string, unknown>;
  const at = (changes: Record<string, unknown>, options: webengage.ValidateOptions = {}) => {
    const result = webengage.validateEvent({ ...event, ...changes }, options);
    return [...result.errors, ...result.warnings];
  };

  it("describe a time by WebEngage's form, never by a regular expression", () => {
    expect(at({ event_time: 'yesterday' })).toEqual([{ code: 'timestamp-invalid-format', pointer: '/event_time', message: `expected a time in ${FORM}, found a string "yesterday"` }]);
    expect(at({ event_time: '2016-06-01T15:53:59' })).toEqual([{ code: 'timestamp-missing-timezone', pointer: '/event_time', message: `expected a time with a timezone, in ${FORM}, found a string "2016-06-01T15:53:59"` }]);
    expect(at({ event_time: 1464796439 })).toEqual([{ code: 'wrong-type', pointer: '/event_time', message: `expected a string in ${FORM} (or null), found a number 1464796439` }]);
    expect(at({ event_time: '2016-06-01T15:53:59+00:00' })).toEqual([{ code: 'event-time-format', pointer: '/event_time', message: `expected ${FORM}, found a string "2016-06-01T15:53:59+00:00" (an offset with a colon)` }]);
    expect(at({ event_time: '2016-06-01 15:53Z' })).toEqual([{ code: 'event-time-format', pointer: '/event_time', message: `expected ${FORM}, found a string "2016-06-01 15:53Z" (a space instead of T, no seconds, Z, where WebEngage writes +0000)` }]);
  });

  it('say what a recommendation wants without calling it required, and name allowed values and limits', () => {
    const { anonymous_id: _dropped, ...withoutAnonymousId } = event;
    expect(webengage.validateEvent(withoutAnonymousId).warnings).toEqual([
      { code: 'recommended-field-missing', pointer: '/anonymous_id', message: 'expected anonymous_id, which every WebEngage example carries (recommended), found nothing' },
    ]);
    expect(at({ category: 'application' }, { operation: 'globalSystemEvents' })).toEqual([
      { code: 'envelope-value', pointer: '/category', message: 'expected "system", the value of WebEngage\'s example, found a string "application"' },
    ]);
    expect(at({ category: 'application', event_name: 'we_signup', event_data: {} })).toEqual([
      { code: 'custom-name-prefix', pointer: '/event_name', message: 'expected a name that does not start with we_ (WebEngage keeps that prefix for its own names), found a string "we_signup"' },
    ]);
    expect(at({ category: 'application', event_name: 'x'.repeat(50), event_data: {} })).toEqual([
      { code: 'custom-name-length', pointer: '/event_name', message: `expected a name of at most 49 characters (WebEngage's limit for custom events: under 50), found a string "${'x'.repeat(50)}"` },
    ]);
    const attributes = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`attribute${i}`, 'x']));
    expect(at({ category: 'application', event_name: 'signed_up', event_data: attributes })).toEqual([
      { code: 'custom-attributes-per-type', pointer: '/event_data', message: "expected at most 25 attributes of each data type in a custom event's event_data, found 26 properties of type string, at most 25 allowed" },
    ]);
    expect(at({ event_name: 'app_installed' }, { operation: 'globalSystemEvents' })).toEqual([
      { code: 'system-event-excluded', pointer: '/event_name', message: 'expected an event this webhook carries, found a string "app_installed", one of the seven system events WebEngage does not pass to webhooks' },
    ]);
  });
});

describe('ProveSource messages', () => {
  const notification = JSON.parse(example('provesource', 'valid/seed-all-blocks.json')) as Record<string, unknown>;
  const at = (changes: Record<string, unknown>) => {
    const result = provesource.validateEvent({ ...notification, ...changes });
    return [...result.errors, ...result.warnings];
  };

  it('say what each rule wants in words, with an example', () => {
    expect(at({ timestamp: 1528611279398000 })).toEqual([
      { code: 'timestamp-too-large', pointer: '/timestamp', message: 'expected unix milliseconds or seconds up to 253402300799999 (the end of the year 9999 in milliseconds; microseconds and nanoseconds are not accepted), found a number 1528611279398000' },
    ]);
    expect(at({ timestamp: 'yesterday' })).toEqual([{ code: 'wrong-type', pointer: '/timestamp', message: 'expected an integer of unix milliseconds or seconds, such as 1528611279398, found a string "yesterday"' }]);
    expect(at({ email: '' })).toEqual([{ code: 'empty-string', pointer: '/email', message: 'expected a non-empty string, found ""' }]);
    expect(at({ currency: 'usd', productLink: '/sneakers' })).toEqual([
      { code: 'url-format', pointer: '/productLink', message: 'expected an absolute http or https URL without spaces, such as https://mystore.com/t-shirt, found a string "/sneakers"' },
      { code: 'currency-code', pointer: '/currency', message: 'expected an ISO 4217 code of 3 upper-case letters, such as USD, found a string "usd"' },
    ]);
    expect(at({ productLink: undefined })).toEqual([
      { code: 'purchase-field-missing', pointer: '/productLink', message: 'expected productName and productLink together (recommended), found no productLink' },
    ]);
    expect(at({ first_name: 'John' })).toEqual([
      { code: 'unknown-field', pointer: '/first_name', message: 'expected only the fields ProveSource documents (it ignores any other, such as first_name misspelt for firstName), found "first_name"' },
    ]);
    expect(at({ products: [{ name: 'T-Shirt', link: 'https://mystore.com/t-shirt', sku: 'TS-1' }] })).toEqual([
      { code: 'unknown-field', pointer: '/products/0/sku', message: 'expected only the fields ProveSource documents for a product (name, link, id, image, price, quantity), found "sku"' },
    ]);
  });

  it('say which header to send when the body is in the other format', () => {
    expect(provesource.validateBody('email=a%40b.co', { contentType: 'application/json' }).errors).toEqual([
      {
        code: 'content-type-mismatch',
        pointer: '',
        message: 'expected a body in application/json, as its Content-Type says, found a body that looks like application/x-www-form-urlencoded (send it with the Content-Type application/x-www-form-urlencoded)',
      },
    ]);
  });
});
