/**
 * The stable violation codes. A code never changes meaning once published; new rules get
 * new codes. They are data (spec/converge/codes.yaml, generated into
 * generated/converge/codes.ts); the README's table is checked against them by a test.
 */
import { violationCodes } from '../generated/converge/codes.js';

export type ViolationLevel = 'error' | 'warning';

/** Each code's level and meaning, in the order of the table. */
export const VIOLATION_CODES = violationCodes satisfies Record<string, { level: ViolationLevel; meaning: string }>;

export type ViolationCode = keyof typeof VIOLATION_CODES;
