/**
 * A contract's runtime, loaded by id: its descriptor (spec/<id>/contract.yaml), its code table
 * (generated/<id>/codes), and its library entry (generated/<id>/index), which binds the engine to
 * the contract's validators, media types and body limit: one binding per contract, the one users
 * import. Loaded with dynamic imports, so a command that serves one contract loads no other's
 * code. Node only (it reads files): the library entry does not import it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import YAML from 'yaml';

import { CheckFailed } from './cli-support.js';
import type { Engine } from './engine/engine.js';
import { valueAt } from './engine/values.js';
import type { CodeTable } from './engine/table.js';
import type { BodyValidateOptions, BodyValidationResult } from './library.js';
import { findContract, readRegistry, type RegistryContract } from './registry.js';
import type { AuthSpec } from './sandbox/auth/types.js';
import { packageRoot } from './verify/verify.js';

/** A column of the Logs page (contract.yaml `logs.columns`). */
export interface LogsColumn {
  title: string;
  /** A JSON pointer into the body. */
  pointer?: string;
  /** A value of the stored record: received, kind (its operation), id (events.id), name (events.name, when events.record lists it), warnings, violations. */
  value?: 'received' | 'kind' | 'id' | 'name' | 'warnings' | 'violations';
  /** When the pointer finds nothing: pick an item of an array. */
  otherwise?: { array: string; pick: string; field: string };
  /** The cell's class (a CSS class name, for styles and tests). */
  class?: string;
  /** The row carries the cell's value as the attribute data-<attribute>. */
  attribute?: string;
  /** What the receiver assumes when the value is absent: shown "<default> (default)". */
  default?: string;
  /** The known values (a pointer into the OpenAPI document, resolved on load): another is shown "<value> (unknown: <default>)". */
  enum?: string | readonly string[];
}

/** A filter of /api/events and /logs: a top-level body field (or kind), or a value of the stored delivery. */
export type LogsFilter = string | { name: string; value: 'kind' | 'id' | 'name'; select?: boolean };

/** A request parameter's rule (contract.yaml `request`): the code of a missing value, and of one that does not match. */
export interface RequestParameter {
  required?: boolean;
  values?: string;
  /** send: where the value comes from when its option is not given (a JSON pointer into the body). */
  default?: { pointer: string };
  /** send and verify write a fresh value per delivery. */
  generate?: string;
  missing?: string;
  pattern?: string;
  mismatch?: string;
}

/** An option of `sandbox --contract <id>` that sets a secret (contract.yaml `sandbox.options`); its env variable is in `env`. */
export interface SandboxOption {
  option: string;
  /** The key the auth type reads the secret by. */
  secret: string;
  doc: string;
}

/** An environment variable a command reads when its option is not given (contract.yaml `env`). */
export interface EnvVariable {
  option: string;
  /** Only for this operation's deliveries; every operation's when absent. */
  operation?: string;
  description: string;
}

/** The variable that stands for `option` (for `operation`), with its value (undefined when unset). */
export function envFor(descriptor: Pick<ContractDescriptor, 'env'>, option: string, operation?: string): { name: string; value: string | undefined } | undefined {
  for (const [name, entry] of Object.entries(descriptor.env ?? {})) {
    if (typeof entry !== 'object' || entry.option !== option) continue;
    if (entry.operation !== undefined && entry.operation !== operation) continue;
    return { name, value: process.env[name] };
  }
  return undefined;
}

/** The part of spec/<id>/contract.yaml the runtime reads (its shape: spec/contract.schema.json). */
export interface ContractDescriptor {
  id: string;
  title: string;
  vendor: { name: string };
  operations: Array<{ id: string; method: string; path: string; default?: boolean; body?: 'required' | 'none' }>;
  auth: AuthSpec;
  mediaTypes: string[];
  /** stage headers: a Content-Type other than JSON in UTF-8, or a Content-Encoding, is a 415 before the body is read. */
  unsupportedMediaType?: { status?: number; stage?: 'headers' | 'body' };
  bodyLimit: number;
  form?: { arrays?: string[]; numbers?: string[] };
  /** The parameters a delivery carries beside its body, checked by the sandbox after auth. */
  request?: { query?: Record<string, RequestParameter>; headers?: Record<string, RequestParameter> };
  /** What the sender makes of an answer (delivered: the only status that counts; absent: any 2xx), and what the sandbox answers. */
  answers?: { delivered?: number; otherSuccessIsFailure?: boolean; invalidBody?: { status: number }; accepted?: Array<'kind' | 'id' | 'duplicate' | 'violations' | 'warnings'> };
  events: { id?: 'none' | { pointer?: string; header?: string; field?: string }; dedupe: 'per-principal' | 'per-id' | 'none'; name?: string; record?: string[] };
  /** noun: what the Logs page calls one stored delivery and several (default delivery, deliveries). */
  logs: { columns: LogsColumn[]; filters?: LogsFilter[]; noun?: { one: string; other: string } };
  sample?: { file: string; kind?: string; contentType?: string };
  env?: Record<string, string | EnvVariable>;
  sandbox?: { options?: SandboxOption[]; pathPrefix?: boolean };
  ports?: { mock?: number; sandbox?: number };
  direction?: 'inbound' | 'outbound';
  mock?: 'prism' | 'none';
}

export interface RuntimeOperation {
  id: string;
  method: string;
  path: string;
  default: boolean;
  body: 'required' | 'none';
  /** The validation of an operation with a body: the library entry's validateBody, for this operation. */
  engine?: Pick<Engine, 'validateBody'>;
}

export interface ContractRuntime {
  registry: RegistryContract;
  descriptor: ContractDescriptor;
  table: CodeTable;
  operations: RuntimeOperation[];
  /** The `type` and `title` of a refused body, from the OpenAPI document's 400 example. */
  refused: { type: string; title: string };
}

function fail(file: string, pointer: string, expected: string, found: unknown): never {
  throw new CheckFailed(`${file}: ${pointer}: expected ${expected}, found ${JSON.stringify(found) ?? String(found)}`);
}

/** A contract's descriptor (spec/<id>/contract.yaml) as written, without the checks and resolutions of loadContractRuntime. */
export function readDescriptor(registry: RegistryContract, root: string = packageRoot()): ContractDescriptor {
  const file = join(root, registry.descriptor);
  try {
    return YAML.parse(readFileSync(file, 'utf8')) as ContractDescriptor;
  } catch (error) {
    throw new CheckFailed(`${file}: cannot read the contract descriptor (${error instanceof Error ? error.message : String(error)})`);
  }
}

export async function loadContractRuntime(id: string | undefined, root: string = packageRoot()): Promise<ContractRuntime> {
  const registry = findContract(readRegistry(root), id);
  const file = join(root, registry.descriptor);
  const descriptor = readDescriptor(registry, root);
  if (typeof descriptor?.bodyLimit !== 'number') fail(file, '/bodyLimit', 'a number of bytes', descriptor?.bodyLimit);
  if (!Array.isArray(descriptor.logs?.columns)) fail(file, '/logs/columns', 'an array of columns', descriptor.logs?.columns);
  if (typeof descriptor.auth?.type !== 'string') fail(file, '/auth/type', 'an auth type', descriptor.auth?.type);

  const here = import.meta.url;
  const { table } = (await import(new URL(`../generated/${registry.id}/codes.js`, here).href)) as { table: CodeTable };
  const entry = (await import(new URL(`../generated/${registry.id}/index.js`, here).href)) as {
    validateBody(body: string | Uint8Array, options?: BodyValidateOptions): BodyValidationResult;
  };
  const operations: RuntimeOperation[] = [];
  for (const op of registry.operations) {
    const engine: RuntimeOperation['engine'] =
      op.body === 'none' || !op.levels ? undefined : { validateBody: (body, options = {}) => entry.validateBody(body, { ...options, operation: op.id }) };
    operations.push({ id: op.id, method: op.method, path: op.path, default: op.default, body: op.body, engine });
  }
  const document = JSON.parse(readFileSync(join(root, registry.openapi.json), 'utf8')) as Record<string, unknown>;
  descriptor.logs.columns.forEach((column, i) => {
    if (typeof column.enum !== 'string') return;
    const values = column.enum.startsWith('#/') ? valueAt(document, column.enum.slice(1)) : undefined;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) fail(file, `/logs/columns/${i}/enum`, 'a pointer (#/...) to an array of strings in the OpenAPI document', column.enum);
    column.enum = values;
  });
  return { registry, descriptor, table, operations, refused: refusedExample(document) };
}

/** The first example of a 400 answer in the document: its type and title are the sandbox's. */
function refusedExample(document: Record<string, unknown>): { type: string; title: string } {
  const fallback = { type: 'about:blank', title: 'Bad Request' };
  for (const group of ['paths', 'webhooks']) {
    const items = (document[group] ?? {}) as Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { examples?: Record<string, { value?: { type?: unknown; title?: unknown } }> }> }> }>>;
    for (const item of Object.values(items)) {
      for (const operation of Object.values(item)) {
        const content = operation?.responses?.['400']?.content ?? {};
        for (const media of Object.values(content)) {
          for (const found of Object.values(media.examples ?? {})) {
            // An example may be a local $ref to components/examples.
            const ref = (found as { $ref?: unknown }).$ref;
            const example = typeof ref === 'string' && ref.startsWith('#/components/examples/') ? componentExample(document, ref.slice('#/components/examples/'.length)) : found;
            const value = example?.value;
            if (typeof value?.type === 'string' && typeof value.title === 'string') return { type: value.type, title: value.title };
          }
        }
      }
    }
  }
  return fallback;
}

function componentExample(document: Record<string, unknown>, name: string): { value?: { type?: unknown; title?: unknown } } | undefined {
  const examples = (document.components as { examples?: Record<string, { value?: { type?: unknown; title?: unknown } }> } | undefined)?.examples;
  return examples && Object.hasOwn(examples, name) ? examples[name] : undefined;
}
