/**
 * The stable violation codes. A code never changes meaning once published; new rules get
 * new codes. The README's table is checked against this list by a test.
 */
export type ViolationLevel = 'error' | 'warning';

export const VIOLATION_CODES = {
  // Contract rules: breaking one is an error (HTTP 400).
  'invalid-json': { level: 'error', meaning: 'The body is not valid JSON (the message gives the line and column).' },
  'not-an-object': { level: 'error', meaning: 'The body is JSON, but not a JSON object.' },
  'invalid-value': { level: 'error', meaning: 'The value could not be read as JSON data (a getter or proxy threw).' },
  'missing-field': { level: 'error', meaning: 'One of `event_name`, `event_id`, `properties`, `profile_properties`, `aliases` is absent.' },
  'wrong-type': { level: 'error', meaning: 'A field has the wrong JSON type: `event_name`/`event_id` not a string, `properties`/`profile_properties` not an object, `aliases` not an array, an alias not a string, `timestamp` neither a string nor a number.' },
  'empty-string': { level: 'error', meaning: '`event_name` or `event_id` is the empty string.' },
  'aliases-too-few': { level: 'error', meaning: '`aliases` is empty: at least 1 alias is required.' },
  'aliases-too-many': { level: 'error', meaning: '`aliases` has more than 10 entries.' },
  'alias-empty': { level: 'error', meaning: 'An alias is the empty string.' },
  'timestamp-missing-timezone': { level: 'error', meaning: 'A date-time string without a timezone (`Z`, `+hh:mm`, `+hhmm` or `+hh`).' },
  'timestamp-invalid-format': { level: 'error', meaning: 'A timestamp string that is not a date-time in a form the contract reads: a date only, words, digits, ISO 8601 basic format (`20240902T123456Z`), week or ordinal dates, ... (the ISO 8601 forms of `timestamp-form` are not errors).' },
  'timestamp-invalid-date': { level: 'error', meaning: 'A date-time whose date or time does not exist (`2024-02-30`, `24:00`, minute 60, an offset of 24 hours, a second 60 anywhere but `23:59:60` UTC).' },
  'timestamp-not-integer': { level: 'error', meaning: 'A numeric timestamp with a fraction: unix timestamps are whole seconds.' },
  'timestamp-negative': { level: 'error', meaning: 'A negative numeric timestamp.' },
  'timestamp-too-large': { level: 'error', meaning: 'A numeric timestamp above 253402300799 (9999-12-31T23:59:59Z): most often milliseconds sent as seconds.' },
  // Event Spec conformance: breaking one is a warning (Converge accepts and flags the event).
  'unknown-field': { level: 'warning', meaning: 'A top-level field other than the six of the contract.' },
  'property-type': { level: 'warning', meaning: 'An Event Spec property has the wrong type (`total_price` as a string, `items` not an array, `$zip_code` as a number, ...).' },
  'currency-code': { level: 'warning', meaning: '`currency` is not an ISO 4217 code of 3 upper-case letters.' },
  'country-code': { level: 'warning', meaning: '`$country_code` is not an ISO 3166-1 alpha-2 code of 2 upper-case letters.' },
  'sales-channel-type': { level: 'warning', meaning: '`$sales_channel_type` is not one of the 10 sales channels (Converge falls back to `web`).' },
  'alias-form': { level: 'warning', meaning: 'An alias is not of the form `urn:<type>:<value>`.' },
  'spec-mismatch': { level: 'warning', meaning: 'Any other Event Spec rule (kept for rules added later; no rule produces it today).' },
  // Recommendations of this package where the vendor is silent: a warning too, an error in strict mode.
  'timestamp-form': { level: 'warning', meaning: 'A date-time with a timezone that ISO 8601 allows but that is not the recommended RFC 3339 form `YYYY-MM-DDThh:mm:ss[.fff]` then `Z` or `+hh:mm`: no seconds, a space for `T`, an offset without its colon or of hours only, a comma before the fraction, or a leap second (`23:59:60` UTC).' },
  'body-too-large': { level: 'warning', meaning: 'The body is over 1 MiB (1,048,576 bytes): the limit this package recommends and its sandbox enforces with a `413`; the vendor documents none.' },
} as const satisfies Record<string, { level: ViolationLevel; meaning: string }>;

export type ViolationCode = keyof typeof VIOLATION_CODES;
