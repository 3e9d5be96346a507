/**
 * Converge's constants, for the modules of src/ that still serve Converge only: a re-export of
 * its generated entry (the values come from spec/converge/contract.yaml `library.constants`).
 */
export { STANDARD_EVENT_NAMES, SALES_CHANNEL_TYPES, MAX_UNIX_SECONDS, MAX_BODY_BYTES } from '../generated/converge/index.js';
