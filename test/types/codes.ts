/**
 * Type tests (checked by `npm run typecheck`): the codes are data now (spec/converge/codes.yaml through
 * generated/converge/codes.ts), and the public types stay as they were: ViolationCode a union of
 * literals, VIOLATION_CODES keyed by it with literal levels, the numeric constants literals.
 */
import { MAX_BODY_BYTES, MAX_UNIX_SECONDS, VIOLATION_CODES, validateEvent, type ViolationCode, type ViolationLevel } from '../../generated/converge/index.js';

export const known: ViolationCode = 'timestamp-too-large';
// @ts-expect-error: not a code of the table
export const unknown: ViolationCode = 'timestamp-too-big';

export const level: 'error' = VIOLATION_CODES['aliases-too-many'].level;
export const warning: 'warning' = VIOLATION_CODES['timestamp-form'].level;
export const anyLevel: ViolationLevel = VIOLATION_CODES[known].level;

export const seconds: 253402300799 = MAX_UNIX_SECONDS;
export const bytes: 1048576 = MAX_BODY_BYTES;

export function codesOf(value: unknown): ViolationCode[] {
  return validateEvent(value).errors.map((e) => e.code);
}

/** The levels are exactly two: a third in the table would leave this function without a return. */
export function exhaustive(code: ViolationCode): string {
  switch (VIOLATION_CODES[code].level) {
    case 'error':
      return 'refused';
    case 'warning':
      return 'flagged';
  }
}
