/**
 * The validation engine: one for every contract. Given a contract's code table (data) and its
 * validators (one per level), it turns a body or a value into `{ valid, errors, warnings }` of
 * stable codes. It names no contract and no field: what it knows of one comes from the table.
 *
 * Semantics (those of the hand-written mapping the tables replaced):
 * - the fast path: a value the conforming validator accepts costs one pass of one validator;
 * - within a level a pointer gets one code, the one whose rule comes first (the table's order);
 * - a warning at or under the pointer of an error is that error's consequence and is dropped,
 *   and an error at the body itself (not an object, not JSON) suppresses every warning;
 * - strict mode reports warnings as errors, after the errors;
 * - it never throws: a value that cannot be read is an `invalid-value` error.
 */
import { runCheck, type CheckContext } from './checks.js';
import { candidatesFor, compileTable, matches, messageOf, namedProperty, violationPointer, type AjvError, type CompileOptions, type CompiledRule, type CompiledTable } from './compile.js';
import type { CodeTable, Level, Problem } from './table.js';
import { errorText, valueAt } from './values.js';
import type { Finding, MediaType } from '../media/types.js';

export type { AjvError } from './compile.js';

/** A precompiled ajv validator (or any function with ajv's `errors` convention). */
export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: readonly AjvError[] | null;
}

export interface Validators {
  /** The contract rules: breaking one is an error. */
  error: ValidateFunction;
  /** The recommendations: breaking one is a warning. */
  warning?: ValidateFunction;
  /** Both levels at once, stopping at the first failure: the fast path. */
  conforming?: ValidateFunction;
}

export interface EngineOptions extends CompileOptions {
  /** The decoders of the media types the contract accepts; the first is the default. */
  media?: readonly MediaType[];
  /** Bodies over this many bytes (UTF-8) get the code of the `body-too-large` problem, when the table maps it. */
  bodyLimit?: number;
  /** Called with each validator error that no rule matches and no fallback takes (a bug in the table). */
  onUnmatched?: (level: Level, error: AjvError) => void;
}

export interface Violation {
  code: string;
  pointer: string;
  message: string;
}

export interface Result {
  valid: boolean;
  errors: Violation[];
  warnings: Violation[];
}

export interface BodyResult extends Result {
  /** The decoded body, when it could be decoded (whether or not it is valid). */
  value?: unknown;
}

export interface ValueOptions {
  /** Report warnings as errors. */
  strict?: boolean;
  /** The request's parameters, for the checks that compare the body with them. */
  parameters?: CheckContext['parameters'];
}

export interface BodyOptions extends ValueOptions {
  /**
   * The Content-Type header (parameters such as charset are ignored). Absent: the contract's
   * first media type. `null`: the request had none.
   */
  contentType?: string | null;
}

export interface Engine {
  readonly table: CompiledTable;
  validateValue(value: unknown, options?: ValueOptions): Result;
  validateBody(body: string | Uint8Array, options?: BodyOptions): BodyResult;
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

const EMPTY: readonly Violation[] = [];

export function createEngine(table: CodeTable, validators: Validators, options: EngineOptions = {}): Engine {
  const compiled = compileTable(table, options);
  const media = options.media ?? [];
  const onUnmatched = options.onUnmatched;
  const bodyLimit = options.bodyLimit;

  /** The violation a stage reports, by the table's mapping of its problem. */
  function fromProblem(problem: Problem, pointer: string, context: { message?: string; limit?: number; bytes?: number; value?: unknown }): Violation & { level: Level } {
    const rule = compiled.problems.get(problem);
    // A decoder's problem the table does not map still refuses the body, under its own name:
    // the audit test then finds an undeclared code.
    if (!rule) return { code: problem, level: 'error', pointer, message: context.message ?? problem };
    return { code: rule.code, level: rule.level, pointer, message: messageOf(rule, { value: context.value, ...context }) };
  }

  function refuse(findings: readonly Finding[]): BodyResult {
    const errors = findings.map((finding) => {
      const { level: _level, ...violation } = fromProblem(finding.problem, finding.pointer, { message: finding.message });
      return violation;
    });
    return { valid: false, errors, warnings: [] };
  }

  /** Validator errors as violations of a level: one per pointer, the first rule's. */
  function mapErrors(level: Level, list: readonly AjvError[], root: unknown, covered?: (pointer: string) => boolean): Violation[] {
    const rules = compiled.levels[level];
    const chosen = new Map<string, { rule: CompiledRule; error: AjvError; property: string | undefined }>();
    for (const error of list) {
      if (rules.ignore.has(error.keyword)) continue;
      const property = namedProperty(error);
      const pointer = violationPointer(error, property);
      if (covered?.(pointer)) continue;
      const previous = chosen.get(pointer);
      let known = false;
      let value: unknown;
      const valueOf = () => {
        if (!known) {
          value = valueAt(root, error.instancePath);
          known = true;
        }
        return value;
      };
      let rule: CompiledRule | undefined;
      for (const candidate of candidatesFor(rules, error.keyword)) {
        if (previous && candidate.rank >= previous.rule.rank) break;
        if (matches(candidate, error, property, valueOf)) {
          rule = candidate;
          break;
        }
      }
      if (!rule) {
        if (previous) continue;
        if (!rules.fallback) {
          onUnmatched?.(level, error);
          continue;
        }
        rule = rules.fallback;
      }
      chosen.set(pointer, { rule, error, property });
    }
    const violations: Violation[] = [];
    for (const [pointer, { rule, error, property }] of chosen) {
      violations.push({ code: rule.code, pointer, message: messageOf(rule, { value: valueAt(root, pointer), error, property }) });
    }
    return violations;
  }

  /** The schema and check stages: errors, and the warnings no error covers. */
  function judge(value: unknown, options: ValueOptions, stageWarnings: readonly Violation[]): { errors: Violation[]; warnings: Violation[] } {
    const conforming = validators.conforming;
    const checks = compiled.checks;
    if (conforming && conforming(value) && checks.length === 0) {
      return { errors: [], warnings: stageWarnings.length > 0 ? [...stageWarnings] : [] };
    }
    const errors = validators.error(value) ? [] : mapErrors('error', validators.error.errors ?? [], value);
    if (errors.some((e) => e.pointer === '')) return { errors, warnings: [] };
    // A warning at or under an error's pointer is that error's consequence. Looked up by the
    // warning's own prefixes in a Set: comparing every warning with every error was quadratic
    // (20,000 unknown fields next to 50,000 bad array items took 10 s).
    const errorPointers = new Set(errors.map((e) => e.pointer));
    const covered = (pointer: string) => {
      for (let end = pointer.length; end > 0; end = pointer.lastIndexOf('/', end - 1)) {
        if (errorPointers.has(pointer.slice(0, end))) return true;
      }
      return false;
    };
    const warning = validators.warning;
    const schemaWarnings = !warning || warning(value) ? [] : mapErrors('warning', warning.errors ?? [], value, errorPointers.size > 0 ? covered : undefined);
    const warnings = [...(errorPointers.size > 0 ? stageWarnings.filter((w) => !covered(w.pointer)) : stageWarnings), ...schemaWarnings];
    if (checks.length > 0 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const check of checks) {
        for (const finding of runCheck(check.check, value, options)) {
          if (check.level === 'warning' && covered(finding.pointer)) continue;
          const violation = { code: check.code, pointer: finding.pointer, message: messageOf(check, { value: valueAt(value, finding.pointer), detail: finding.detail }) };
          (check.level === 'error' ? errors : warnings).push(violation);
        }
      }
    }
    return { errors, warnings };
  }

  function finish<R extends BodyResult>(result: R, strict: boolean | undefined): R {
    if (strict) {
      const all = [...result.errors, ...result.warnings];
      return { ...result, valid: all.length === 0, errors: all, warnings: [] };
    }
    return { ...result, valid: result.errors.length === 0 };
  }

  function invalidValue(error: unknown): Result {
    const { level: _level, ...violation } = fromProblem('invalid-value', '', { message: `expected JSON data, found a value that cannot be read (${errorText(error)})` });
    return { valid: false, errors: [violation], warnings: [] };
  }

  function validateValue(value: unknown, options: ValueOptions = {}): Result {
    try {
      const { errors, warnings } = judge(value, options, EMPTY);
      return finish({ valid: false, errors, warnings }, options.strict);
    } catch (error) {
      return invalidValue(error);
    }
  }

  function validateBody(body: string | Uint8Array, options: BodyOptions = {}): BodyResult {
    try {
      return validateBodyStages(body, options);
    } catch (error) {
      return invalidValue(error);
    }
  }

  function validateBodyStages(body: string | Uint8Array, options: BodyOptions): BodyResult {
    const problems = compiled.problems;
    const size = typeof body === 'string' ? body.length : body.byteLength;
    // Request stage: an empty body, then the Content-Type.
    if (size === 0 && problems.has('empty-body')) {
      return refuse([{ problem: 'empty-body', pointer: '', message: 'expected a body, found an empty body (0 bytes)' }]);
    }
    let decoder = media[0];
    if (!decoder) throw new Error('the engine was given no media type to decode bodies with');
    if (options.contentType !== undefined) {
      const type = options.contentType === null ? undefined : options.contentType.split(';')[0]!.trim().toLowerCase();
      const declared = type === undefined ? undefined : media.find((m) => m.type === type);
      if (declared) decoder = declared;
      else if (problems.has('unsupported-media-type')) {
        const found = options.contentType === null ? 'no Content-Type header' : `the Content-Type ${JSON.stringify(options.contentType)}`;
        return refuse([{ problem: 'unsupported-media-type', pointer: '', message: `expected a Content-Type of ${media.map((m) => m.type).join(' or ')}, found ${found}` }]);
      }
    }
    // Body stage: bytes to text, text to a value, never as another type than the declared one.
    const findings: Finding[] = [];
    let text: string;
    if (typeof body === 'string') {
      text = body;
    } else {
      const decoded = decoder.text(body);
      if (!decoded.ok) return refuse([decoded.error]);
      text = decoded.text;
      if (decoded.warnings) findings.push(...decoded.warnings);
    }
    const current = decoder;
    const mismatch = (): BodyResult | undefined => {
      if (!problems.has('content-type-mismatch')) return undefined;
      const other = media.find((m) => m !== current && m.claims(text));
      if (!other) return undefined;
      return refuse([
        {
          problem: 'content-type-mismatch',
          pointer: '',
          message: `expected a body in ${current.type}, as its Content-Type says, found a body that looks like ${other.type} (send it with the Content-Type ${other.type})`,
        },
      ]);
    };
    if (!decoder.strictSyntax) {
      const refused = mismatch();
      if (refused) return refused;
    }
    const decoded = decoder.decode(text);
    if (!decoded.ok) return (decoder.strictSyntax ? mismatch() : undefined) ?? refuse(decoded.errors);
    if (decoded.warnings) findings.push(...decoded.warnings);
    const stageWarnings: Violation[] = [];
    const stageErrors: Finding[] = [];
    for (const finding of findings) {
      // A problem the table does not map is not one of this contract's rules (a warning-level finding).
      if (!problems.has(finding.problem)) continue;
      const { level, ...violation } = fromProblem(finding.problem, finding.pointer, { message: finding.message });
      if (level === 'error') stageErrors.push(finding);
      else stageWarnings.push(violation);
    }
    if (stageErrors.length > 0) return refuse(stageErrors);
    const value = decoded.value;
    const { errors, warnings } = judge(value, options, stageWarnings);
    const limit = bodyLimit;
    if (limit !== undefined && problems.has('body-too-large') && !errors.some((e) => e.pointer === '')) {
      // A code unit is at most 3 bytes, so most texts need no counting.
      const bytes = typeof body !== 'string' ? body.byteLength : body.length * 3 <= limit ? body.length : utf8Length(body);
      if (bytes > limit) {
        const { level, ...violation } = fromProblem('body-too-large', '', { limit, bytes });
        (level === 'error' ? errors : warnings).push(violation);
      }
    }
    return finish({ valid: false, errors, warnings, value }, options.strict);
  }

  return { table: compiled, validateValue, validateBody };
}
