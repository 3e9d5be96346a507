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
  /** A value of the stored record: received, kind, warnings. */
  value?: string;
  /** When the pointer finds nothing: pick an item of an array. */
  otherwise?: { array: string; pick: string; field: string };
}

/** The part of spec/<id>/contract.yaml the runtime reads (its shape: spec/contract.schema.json). */
export interface ContractDescriptor {
  id: string;
  title: string;
  vendor: { name: string };
  operations: Array<{ id: string; method: string; path: string; default?: boolean; body?: 'required' | 'none' }>;
  auth: AuthSpec;
  mediaTypes: string[];
  bodyLimit: number;
  form?: { arrays?: string[]; numbers?: string[] };
  events: { id?: unknown; dedupe: 'per-principal' | 'per-id' | 'none'; name?: string };
  logs: { columns: LogsColumn[]; filters?: string[] };
  sample?: { file: string; kind?: string; contentType?: string };
  env?: Record<string, string>;
  ports?: { mock?: number; sandbox?: number };
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

export async function loadContractRuntime(id: string | undefined, root: string = packageRoot()): Promise<ContractRuntime> {
  const registry = findContract(readRegistry(root), id);
  const file = join(root, registry.descriptor);
  let descriptor: ContractDescriptor;
  try {
    descriptor = YAML.parse(readFileSync(file, 'utf8')) as ContractDescriptor;
  } catch (error) {
    throw new CheckFailed(`${file}: cannot read the contract descriptor (${error instanceof Error ? error.message : String(error)})`);
  }
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
          for (const example of Object.values(media.examples ?? {})) {
            const value = example.value;
            if (typeof value?.type === 'string' && typeof value.title === 'string') return { type: value.type, title: value.title };
          }
        }
      }
    }
  }
  return fallback;
}
