import { MAX_UNIX_SECONDS } from './constants.js';
import type { ViolationCode } from './codes.js';

/**
 * Explains timestamps that the generated validators have already judged. The validators decide
 * *whether* a timestamp is an error (the contract's ISO 8601 pattern) or a warning (the Event
 * Spec's RFC 3339 pattern); this only says *why*, so it never changes a verdict.
 */
// The accepted layout with its digits unchecked: a match that the contract rejects names a date,
// time or offset that does not exist. The groups (separator, seconds, fraction, zone) are what the
// recommended RFC 3339 form constrains.
const LAYOUT = /^\d{4}-\d{2}-\d{2}([Tt ])\d{2}:\d{2}(?::(\d{2})([.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;
const DATE_TIME_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/;

export function timestampCode(value: unknown): ViolationCode {
  if (typeof value === 'string') {
    if (LAYOUT.test(value)) return 'timestamp-invalid-date';
    if (DATE_TIME_WITHOUT_ZONE.test(value)) return 'timestamp-missing-timezone';
    return 'timestamp-invalid-format';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value > 0 ? 'timestamp-too-large' : value < 0 ? 'timestamp-negative' : 'timestamp-not-integer';
    if (value < 0) return 'timestamp-negative';
    if (!Number.isInteger(value)) return 'timestamp-not-integer';
    if (value > MAX_UNIX_SECONDS) return 'timestamp-too-large';
  }
  return 'wrong-type';
}

export function timestampExpectation(code: ViolationCode): string {
  switch (code) {
    case 'timestamp-missing-timezone':
      return 'a date-time with a timezone, such as 2024-09-02T12:34:56+00:00 or ...Z';
    case 'timestamp-invalid-date':
      return 'a date and time that exist (month 01-12, a day of that month, hours 00-23, minutes and seconds 00-59, an offset up to 23:59; a second 60 only as 23:59:60 in UTC)';
    case 'timestamp-invalid-format':
      return 'an ISO 8601 date-time with a timezone, best as RFC 3339: YYYY-MM-DDThh:mm:ss[.fff] then Z or +hh:mm';
    case 'timestamp-not-integer':
      return 'whole unix seconds, such as 1725312229';
    case 'timestamp-negative':
      return 'unix seconds of 0 or more';
    case 'timestamp-too-large':
      return `unix seconds up to ${MAX_UNIX_SECONDS} (milliseconds are not accepted)`;
    default:
      return 'an ISO 8601 date-time string with a timezone, or an integer of unix seconds';
  }
}

/**
 * What keeps a timestamp that the contract accepts from the recommended RFC 3339 form, for the
 * `timestamp-form` warning, e.g. "no seconds, an offset without its colon".
 */
export function timestampFormDeviations(value: string): string {
  const match = LAYOUT.exec(value);
  if (!match) return 'not the RFC 3339 form';
  const [, separator, seconds, fraction, zone] = match as unknown as [string, string, string | undefined, string | undefined, string];
  const found: string[] = [];
  if (separator === ' ') found.push('a space instead of T');
  if (seconds === undefined) found.push('no seconds');
  else if (seconds === '60') found.push('a leap second (most parsers refuse one)');
  if (fraction?.startsWith(',')) found.push('a comma before the fraction');
  if (zone.length === 3) found.push('an offset of hours only');
  else if (zone.length === 5) found.push('an offset without its colon');
  return found.join(', ');
}

export const TIMESTAMP_FORM_EXPECTATION = 'an RFC 3339 date-time, YYYY-MM-DDThh:mm:ss[.fff] then Z or +hh:mm';
