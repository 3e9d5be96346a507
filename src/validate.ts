import conformingEvent from '../generated/converge/validators/conforming-event.js';
import eventSpec from '../generated/converge/validators/event-spec.js';
import webhookEvent from '../generated/converge/validators/webhook-event.js';
import { table } from '../generated/converge/codes.js';
import type { StandardEvent, WebhookEvent } from '../generated/converge/types/schemas.js';
import type { ViolationCode } from './codes.js';
import { MAX_BODY_BYTES, STANDARD_EVENT_NAMES } from './constants.js';
import { createEngine, type BodyResult, type Result } from './engine/engine.js';
import { json } from './media/json.js';

/** One broken rule: a stable `code`, the RFC 6901 `pointer` of the value, and a `message` for people. */
export interface Violation {
  code: ViolationCode;
  pointer: string;
  message: string;
}

export interface ValidateOptions {
  /** Treat Event Spec warnings as errors. */
  strict?: boolean;
}

export interface ValidationResult {
  /** False when `errors` is non-empty. */
  valid: boolean;
  /** Broken contract rules (in strict mode, broken Event Spec rules too). */
  errors: Violation[];
  /** Broken Event Spec rules: Converge accepts the event and flags it. Always empty in strict mode. */
  warnings: Violation[];
}

/** The engine bound to Converge's validators and code table (spec/converge/codes.yaml): every rule is data there. */
const engine = createEngine(table, { error: webhookEvent, warning: eventSpec, conforming: conformingEvent }, { media: [json], bodyLimit: MAX_BODY_BYTES });

/**
 * Validates one event against the contract rules (errors) and the Event Spec (warnings).
 * Never throws, whatever the input.
 */
export function validateEvent(value: unknown, options: ValidateOptions = {}): ValidationResult {
  return engine.validateValue(value, options) as Result as ValidationResult;
}

export interface BodyValidationResult extends ValidationResult {
  /** The parsed body, when it was JSON (whether or not it is a valid event). */
  value?: unknown;
}

/**
 * Validates a raw request body (text or bytes, as received): bytes that are not UTF-8 and text
 * that is not JSON are an `invalid-json` error with the byte offset or the line and column,
 * anything else is checked as by `validateEvent`. A body over MAX_BODY_BYTES (in UTF-8) also gets
 * a `body-too-large` warning (an error with `strict`). Never throws.
 */
export function validateBody(body: string | Uint8Array, options: ValidateOptions = {}): BodyValidationResult {
  // One decode, one JSON.parse, one validator on the fast path: the JSON scanner runs only when
  // JSON.parse fails (to say where), and the UTF-8 scan only when the decoder fails (to say at which byte).
  return engine.validateBody(body, { strict: options.strict }) as BodyResult as BodyValidationResult;
}

const STANDARD_NAMES: ReadonlySet<unknown> = new Set(STANDARD_EVENT_NAMES);

/**
 * True when `value` is one of the 13 standard events and follows the Event Spec with no
 * warning: then it narrows to `StandardEvent`, and on to `PlacedOrderEvent` and the rest by
 * `event_name`.
 */
export function isStandardEvent(value: unknown): value is StandardEvent {
  try {
    return conformingEvent(value) && STANDARD_NAMES.has((value as { event_name: unknown }).event_name);
  } catch {
    return false;
  }
}

/** True when `value` passes the contract rules (warnings allowed). */
export function isWebhookEvent(value: unknown): value is WebhookEvent {
  try {
    return webhookEvent(value);
  } catch {
    return false;
  }
}

export class WebhookEventError extends TypeError {
  readonly violations: Violation[];
  constructor(violations: Violation[]) {
    super(`Invalid Converge webhook event:\n${violations.map((v) => `  ${v.pointer || '(body)'}: ${v.code}: ${v.message}`).join('\n')}`);
    this.name = 'WebhookEventError';
    this.violations = violations;
  }
}

/** Throws a `WebhookEventError` listing every violation unless `value` passes the contract rules (or, with `strict`, the Event Spec too). */
export function assertWebhookEvent(value: unknown, options: ValidateOptions = {}): asserts value is WebhookEvent {
  const result = validateEvent(value, options);
  if (!result.valid) throw new WebhookEventError(result.errors);
}
