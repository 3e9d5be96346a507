import { MAX_UNIX_SECONDS } from './constants.js';
import type { ViolationCode } from './codes.js';

/**
 * Picks the precise violation code for a timestamp that the generated validator has
 * already rejected. The validator decides *whether* a timestamp is valid (from the
 * contract's pattern); this only explains *why*, so it never changes a verdict.
 */
const LAYOUT = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const DATE_TIME_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

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
      return 'a date and time that exist (month 01-12, a day of that month, hours 00-23, minutes and seconds 00-59)';
    case 'timestamp-invalid-format':
      return 'an RFC 3339 date-time, YYYY-MM-DDThh:mm:ss[.fff] then Z or +hh:mm';
    case 'timestamp-not-integer':
      return 'whole unix seconds, such as 1725312229';
    case 'timestamp-negative':
      return 'unix seconds of 0 or more';
    case 'timestamp-too-large':
      return `unix seconds up to ${MAX_UNIX_SECONDS} (milliseconds are not accepted)`;
    default:
      return 'an RFC 3339 date-time string with a timezone, or an integer of unix seconds';
  }
}
