import conformingEvent from '../generated/converge/validators/conforming-event.js';
import eventSpec from '../generated/converge/validators/event-spec.js';
import webhookEvent from '../generated/converge/validators/webhook-event.js';
import type { AjvError } from '../generated/converge/validators/webhook-event.js';
import type { StandardEvent, WebhookEvent } from '../generated/converge/types/schemas.js';
import type { ViolationCode } from './codes.js';
import { MAX_BODY_BYTES, SALES_CHANNEL_TYPES, STANDARD_EVENT_NAMES } from './constants.js';
import { decodeUtf8, describeJsonError, describeUtf8Error, parseJson } from './json.js';
import { TIMESTAMP_FORM_EXPECTATION, timestampCode, timestampExpectation, timestampFormDeviations } from './timestamp.js';

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

const TOP_LEVEL_FIELDS = 'event_name, event_id, properties, profile_properties, aliases and timestamp';
const FIELD_TYPES: Record<string, string> = {
  event_name: 'a string',
  event_id: 'a string',
  properties: 'an object',
  profile_properties: 'an object',
  aliases: 'an array of 1 to 10 strings',
};
const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/**
 * Validates one event against the contract rules (errors) and the Event Spec (warnings).
 * Never throws, whatever the input.
 */
export function validateEvent(value: unknown, options: ValidateOptions = {}): ValidationResult {
  try {
    // The common case, a valid and conforming event, costs one pass of one validator.
    if (conformingEvent(value)) return { valid: true, errors: [], warnings: [] };
    const errors = contractErrors(value);
    const warnings = errors.some((e) => e.pointer === '') ? [] : specWarnings(value, errors);
    if (options.strict) {
      const all = [...errors, ...warnings];
      return { valid: all.length === 0, errors: all, warnings: [] };
    }
    return { valid: errors.length === 0, errors, warnings };
  } catch (error) {
    return {
      valid: false,
      errors: [{ code: 'invalid-value', pointer: '', message: `expected JSON data, found a value that cannot be read (${errorText(error)})` }],
      warnings: [],
    };
  }
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
  const result = validateBodyContent(body, options);
  // A code unit is at most 3 bytes, so most texts need no counting.
  const bytes = typeof body !== 'string' ? body.byteLength : body.length * 3 <= MAX_BODY_BYTES ? body.length : utf8Length(body);
  // Like any warning, none at the pointer of an error: a body that is not an event says so alone.
  if (bytes <= MAX_BODY_BYTES || result.errors.some((e) => e.pointer === '')) return result;
  const tooLarge: Violation = {
    code: 'body-too-large',
    pointer: '',
    message: `expected a body of at most ${MAX_BODY_BYTES} bytes (1 MiB, the limit this package recommends), found ${bytes} bytes`,
  };
  return options.strict ? { ...result, valid: false, errors: [...result.errors, tooLarge] } : { ...result, warnings: [...result.warnings, tooLarge] };
}

function validateBodyContent(body: string | Uint8Array, options: ValidateOptions): BodyValidationResult {
  // One decode, one JSON.parse, one validateEvent: the JSON scanner runs only when JSON.parse
  // fails (to say where), and the UTF-8 scan only when the decoder fails (to say at which byte).
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    const decoded = decodeUtf8(body);
    if (!decoded.ok) return invalidJson(describeUtf8Error(decoded.offset));
    text = decoded.text;
  }
  const parsed = parseJson(text);
  if (!parsed.ok) return invalidJson(describeJsonError(parsed));
  const value = parsed.value;
  const result = validateEvent(value, options);
  return { valid: result.valid, errors: result.errors, warnings: result.warnings, value };
}

/** The length of `text` in UTF-8 (a lone surrogate counts 3 bytes, as TextEncoder writes U+FFFD for it). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function invalidJson(message: string): BodyValidationResult {
  return { valid: false, errors: [{ code: 'invalid-json', pointer: '', message }], warnings: [] };
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

// ---------------------------------------------------------------------------------------

function contractErrors(value: unknown): Violation[] {
  if (webhookEvent(value)) return [];
  const found: Violation[] = [];
  const seen = new Set<string>();
  const add = (code: ViolationCode, pointer: string, message: string) => {
    const key = `${code}\u0000${pointer}`;
    if (!seen.has(key)) {
      seen.add(key);
      found.push({ code, pointer, message });
    }
  };
  for (const error of webhookEvent.errors ?? []) {
    const pointer = error.instancePath;
    if (error.keyword === 'required') {
      const field = String(error.params.missingProperty);
      add('missing-field', `${pointer}/${escapeToken(field)}`, `expected ${FIELD_TYPES[field] ?? 'a value'} (required), found nothing`);
    } else if (pointer === '') {
      add('not-an-object', '', `expected a JSON object, found ${describe(value)}`);
    } else if (pointer === '/timestamp') {
      const actual = (value as { timestamp: unknown }).timestamp;
      const code = timestampCode(actual);
      add(code, pointer, `expected ${timestampExpectation(code)}, found ${describe(actual)}`);
    } else {
      const actual = valueAt(value, pointer);
      switch (error.keyword) {
        case 'type':
          add('wrong-type', pointer, `expected ${ARTICLE[String(error.params.type)] ?? String(error.params.type)}, found ${describe(actual)}`);
          break;
        case 'minLength':
          add(pointer.startsWith('/aliases/') ? 'alias-empty' : 'empty-string', pointer, `expected a non-empty string, found ""`);
          break;
        case 'minItems':
          add('aliases-too-few', pointer, `expected 1 to 10 aliases, found 0`);
          break;
        case 'maxItems':
          add('aliases-too-many', pointer, `expected at most 10 aliases, found ${Array.isArray(actual) ? actual.length : describe(actual)}`);
          break;
        default:
          add('wrong-type', pointer, unexpected(error));
      }
    }
  }
  return found;
}

function specWarnings(value: unknown, errors: Violation[]): Violation[] {
  const specErrors = eventSpec(value) ? [] : (eventSpec.errors ?? []);
  if (specErrors.length === 0) return [];
  const found: Violation[] = [];
  const seen = new Set<string>();
  // A warning at or under an error's pointer is that error's consequence. Looked up by the
  // warning's own prefixes in a Set: comparing every warning with every error was quadratic
  // (20,000 unknown fields next to 50,000 bad aliases took 10 s).
  const errorPointers = new Set(errors.map((e) => e.pointer));
  const covered = (pointer: string) => {
    for (let end = pointer.length; end > 0; end = pointer.lastIndexOf('/', end - 1)) {
      if (errorPointers.has(pointer.slice(0, end))) return true;
    }
    return false;
  };
  for (const error of specErrors) {
    const violation = warningFor(error, value);
    if (!violation || covered(violation.pointer)) continue;
    const key = `${violation.code}\u0000${violation.pointer}`;
    if (!seen.has(key)) {
      seen.add(key);
      found.push(violation);
    }
  }
  return found;
}

function warningFor(error: AjvError, value: unknown): Violation | undefined {
  const pointer = error.instancePath;
  // "must match then/else schema" only wraps the errors reported inside the branch.
  // A missing required field breaks the contract too, which reports it as an error.
  if (error.keyword === 'if' || error.keyword === 'required') return undefined;
  if (error.keyword === 'additionalProperties' && pointer === '') {
    const field = String(error.params.additionalProperty);
    return { code: 'unknown-field', pointer: `/${escapeToken(field)}`, message: `expected only ${TOP_LEVEL_FIELDS} at the top level, found "${field}"` };
  }
  const actual = valueAt(value, pointer);
  // Every branch of SpecTimestamp's oneOf fails here, but a timestamp the contract accepts
  // (errors cover the others) breaks one recommendation: the RFC 3339 form.
  if (pointer === '/timestamp') {
    return { code: 'timestamp-form', pointer, message: `expected ${TIMESTAMP_FORM_EXPECTATION}, found ${describe(actual)} (${typeof actual === 'string' ? timestampFormDeviations(actual) : 'not a string'})` };
  }
  if (pointer.endsWith('/$sales_channel_type')) {
    return { code: 'sales-channel-type', pointer, message: `expected one of ${SALES_CHANNEL_TYPES.join(', ')}, found ${describe(actual)} (Converge falls back to web)` };
  }
  if (error.keyword === 'type') {
    return { code: 'property-type', pointer, message: `expected ${ARTICLE[String(error.params.type)] ?? String(error.params.type)}, found ${describe(actual)}` };
  }
  if (error.keyword === 'pattern') {
    if (/^\/aliases\/\d+$/.test(pointer)) {
      return { code: 'alias-form', pointer, message: `expected an alias of the form urn:<type>:<value>, such as urn:email:jane@example.com, found ${describe(actual)}` };
    }
    if (pointer.endsWith('/currency')) {
      return { code: 'currency-code', pointer, message: `expected an ISO 4217 code of 3 upper-case letters, such as USD, found ${describe(actual)}` };
    }
    if (pointer === '/profile_properties/$country_code') {
      return { code: 'country-code', pointer, message: `expected an ISO 3166-1 alpha-2 code of 2 upper-case letters, such as US, found ${describe(actual)}` };
    }
  }
  return { code: 'spec-mismatch', pointer, message: unexpected(error) };
}

function unexpected(error: AjvError): string {
  return `expected a value that ${error.message ?? `passes "${error.keyword}"`} (${error.schemaPath})`;
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function valueAt(root: unknown, pointer: string): unknown {
  let current: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

/** A short, safe description of a value for a message: its type and, for scalars, the value itself. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  switch (typeof value) {
    case 'string':
      return `a string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case 'number':
      return Number.isFinite(value) ? `a number ${value}` : `the number ${value}`;
    case 'boolean':
      return `a boolean ${value}`;
    case 'bigint':
      return `a bigint ${value}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}
