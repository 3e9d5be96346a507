/**
 * What every contract's library entry (generated/<id>/index.ts, written by scripts/generate.ts
 * from the contract's contract.yaml) binds: the engine, given one contract's code table,
 * precompiled validators, operations and media types. It names no contract; an entry imports it
 * with its own contract's modules only, so that importing one contract loads no other.
 */
import { createEngine, type Engine, type ValidateFunction } from './engine/engine.js';
import type { CodeTable } from './engine/table.js';
import { valueAt } from './engine/values.js';
import type { MediaType } from './media/types.js';

/** One broken rule: a stable `code`, the RFC 6901 `pointer` of the value, and a `message` for people. */
export interface Violation<Code extends string = string> {
  code: Code;
  pointer: string;
  message: string;
}

export interface ValidationResult<Code extends string = string> {
  /** False when `errors` is non-empty. */
  valid: boolean;
  /** Broken contract rules (in strict mode, broken recommendations too). */
  errors: Violation<Code>[];
  /** Broken recommendations: the vendor accepts the body. Always empty in strict mode. */
  warnings: Violation<Code>[];
}

export interface BodyValidationResult<Code extends string = string> extends ValidationResult<Code> {
  /** The decoded body, when it could be decoded (whether or not it is valid). */
  value?: unknown;
}

export interface ValidateOptions<Operation extends string = string> {
  /** Treat warnings (the recommendations) as errors. */
  strict?: boolean;
  /** The operation (a webhook, a kind of notification) whose body this is; default: the contract's default operation. */
  operation?: Operation;
  /** The request's parameters, for the rules that compare the body with them (a query parameter the body repeats). */
  parameters?: { query?: Readonly<Record<string, string | undefined>>; header?: Readonly<Record<string, string | undefined>>; path?: Readonly<Record<string, string | undefined>> };
}

export interface BodyValidateOptions<Operation extends string = string> extends ValidateOptions<Operation> {
  /**
   * The Content-Type the body came with (parameters such as charset are ignored); `null`: none.
   * Absent: the contract's first media type.
   */
  contentType?: string | null;
}

export interface OperationBinding {
  id: string;
  /** A webhook's codes may be scoped to it (codes.yaml `webhooks`); an operation under paths' are not. */
  webhook: boolean;
  validators: { error: ValidateFunction; warning: ValidateFunction; conforming: ValidateFunction };
}

export interface ContractBinding {
  table: CodeTable;
  media: readonly MediaType[];
  bodyLimit: number;
  /** The operations with a body to validate; the first is the default. */
  operations: readonly OperationBinding[];
}

export interface BoundContract {
  validateEvent(value: unknown, options?: ValidateOptions): ValidationResult;
  validateBody(body: string | Uint8Array, options?: BodyValidateOptions): BodyValidationResult;
  /** A guard on one level's validator of an operation: never throws. */
  passes(level: 'error' | 'conforming', value: unknown, operation?: string): boolean;
  /** The value at an RFC 6901 pointer, or undefined. */
  valueAt(value: unknown, pointer: string): unknown;
}

export function bindContract(binding: ContractBinding): BoundContract {
  const engines = new Map<string, Engine>();
  const byId = new Map(binding.operations.map((operation) => [operation.id, operation]));
  const operation = (id: string | undefined): OperationBinding => {
    const found = id === undefined ? binding.operations[0] : byId.get(id);
    if (!found) throw new TypeError(`unknown operation ${JSON.stringify(id)}: expected one of ${[...byId.keys()].join(', ')}`);
    return found;
  };
  // Compiled on first use: a contract with several webhooks pays only for those it validates.
  const engine = (id: string | undefined): Engine => {
    const found = operation(id);
    let made = engines.get(found.id);
    if (!made) {
      made = createEngine(binding.table, found.validators, { media: binding.media, bodyLimit: binding.bodyLimit, operation: found.webhook ? found.id : undefined });
      engines.set(found.id, made);
    }
    return made;
  };
  return {
    validateEvent(value, options = {}) {
      return engine(options.operation).validateValue(value, { strict: options.strict, parameters: options.parameters });
    },
    validateBody(body, options = {}) {
      const engineOptions = { strict: options.strict, parameters: options.parameters, ...(options.contentType !== undefined ? { contentType: options.contentType } : {}) };
      return engine(options.operation).validateBody(body, engineOptions);
    },
    passes(level, value, id) {
      try {
        return operation(id).validators[level](value);
      } catch {
        return false;
      }
    },
    valueAt,
  };
}

/** What an entry's assert function throws: every violation, by pointer, code and message. */
export class ViolationsError<Code extends string = string> extends TypeError {
  readonly violations: Violation<Code>[];
  constructor(title: string, violations: Violation<Code>[]) {
    super(`${title}:\n${violations.map((v) => `  ${v.pointer || '(body)'}: ${v.code}: ${v.message}`).join('\n')}`);
    this.name = 'ViolationsError';
    this.violations = violations;
  }
}
