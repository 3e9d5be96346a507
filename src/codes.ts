/**
 * Converge's violation codes, for the modules of src/ that still serve Converge only: a
 * re-export of its generated entry (the table is spec/converge/codes.yaml).
 */
export { VIOLATION_CODES } from '../generated/converge/index.js';
export type { ViolationCode, ViolationLevel } from '../generated/converge/index.js';
