/**
 * A date and time of day read from a string, by a contract's rule: what reads is exactly what the
 * contract's validator accepts (its pattern), the vendor's own form is told apart from the other
 * ISO 8601 forms the contract accepts, and a string that does not read gets the code the
 * validator gives it. Names no vendor: the patterns and codes are data. Standard JavaScript only.
 */

/** A contract's time rule, from its documents (the library generator binds it). */
export interface DateTimeRule<Code extends string> {
  /** What reads: the contract's pattern for a time (the validator's). */
  readonly accept: RegExp;
  /** The vendor's own form; another accepted form reads with `exact: false`. */
  readonly exact: RegExp;
  /** Why a string does not read: the first refusal whose pattern matches, else the fallback. Each message is its code's meaning. */
  readonly refusals: ReadonlyArray<{ readonly code: Code; readonly pattern: RegExp; readonly message: string }>;
  readonly fallback: { readonly code: Code; readonly message: string };
}

export type DateTimeResult<Code extends string = string> =
  | {
      kind: 'time';
      /** The instant (milliseconds: digits of a fraction beyond them are dropped, never rounded up). */
      date: Date;
      /** The string's offset from UTC, in minutes east (Z: 0). */
      offsetMinutes: number;
      /** Whether the string is in the vendor's own form (else the contract's warning applies). */
      exact: boolean;
      /** 23:59:60: a Date cannot hold a leap second, so `date` is 23:59:59 (and the fraction) of that minute. */
      leapSecond: boolean;
    }
  | { kind: 'invalid'; reason: 'not-a-string' | Code; message: string };

// ISO 8601 extended date and time of day: the fields of a string the rule accepted. Seconds, a
// fraction and the minutes of an offset may be absent.
const FIELDS = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Reads `text` by `rule`. Never throws, whatever the value: a non-string is `not-a-string`, a
 * string the rule does not accept gets its first matching refusal.
 */
export function parseDateTime<Code extends string>(text: unknown, rule: DateTimeRule<Code>): DateTimeResult<Code> {
  if (typeof text !== 'string') return { kind: 'invalid', reason: 'not-a-string', message: `expected a string, found ${describe(text)}` };
  if (!rule.accept.test(text)) {
    const refusal = rule.refusals.find((r) => r.pattern.test(text)) ?? rule.fallback;
    return { kind: 'invalid', reason: refusal.code, message: refusal.message };
  }
  const fields = FIELDS.exec(text);
  // A string the contract's pattern accepts but that is no ISO 8601 extended date-time would be a
  // contract this reader cannot read: it is refused with the fallback rather than misread.
  if (fields === null) return { kind: 'invalid', reason: rule.fallback.code, message: rule.fallback.message };
  const [, year, month, day, hour, minute, second = '00', fraction = '', zulu, sign, offsetHours = '00', offsetMinutes = '00'] = fields;
  const leapSecond = second === '60';
  const offset = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0 to 99 as 1900 to 1999.
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute) - offset, leapSecond ? 59 : Number(second), Number(fraction.slice(0, 3).padEnd(3, '0')));
  return { kind: 'time', date, offsetMinutes: offset, exact: rule.exact.test(text), leapSecond };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  try {
    if (Array.isArray(value)) return 'an array';
  } catch {
    // a revoked Proxy: Array.isArray throws on it
  }
  return typeof value;
}
