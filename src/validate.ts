/**
 * Converge's validation, for the modules of src/ that still validate Converge only (the sandbox,
 * verify, send): a re-export of its generated entry, generated/converge/index.ts.
 */
export { validateEvent, validateBody, isWebhookEvent, isStandardEvent, assertWebhookEvent, WebhookEventError } from '../generated/converge/index.js';
export type { Violation, ValidateOptions, ValidationResult, BodyValidationResult } from '../generated/converge/index.js';
