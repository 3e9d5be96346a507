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
  'timestamp-missing-timezone': { level: 'error', meaning: 'A date-time string without a timezone (`Z` or `+hh:mm`).' },
  'timestamp-invalid-format': { level: 'error', meaning: 'A timestamp string that is not an RFC 3339 date-time (space for `T`, `+0200` without a colon, no seconds, date only, ...).' },
  'timestamp-invalid-date': { level: 'error', meaning: 'An RFC 3339 date-time whose date or time does not exist (`2024-02-30`, `24:00:00`, a leap second).' },
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
} as const satisfies Record<string, { level: ViolationLevel; meaning: string }>;

export type ViolationCode = keyof typeof VIOLATION_CODES;
