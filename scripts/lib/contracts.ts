/**
 * The contracts of this package, found on disk: every spec/<id>/contract.yaml (no list to
 * edit), each checked against spec/contract.schema.json and against the folder it sits in.
 * Used by scripts/generate.ts (which writes the registry generated/contracts.json that the
 * runtime reads) and by the tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

export interface ContractLevels {
  errors: string;
  warnings: string;
  conforming?: string;
  derive?: { discriminated: string; otherwise: string; names?: string; branches?: string };
  descriptions?: { warnings?: string; conforming?: string };
}

export interface ContractOperation {
  id: string;
  in: 'paths' | 'webhooks';
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  webhook?: string;
  operationId?: string;
  default?: boolean;
  body?: 'required' | 'none';
  levels?: ContractLevels;
  [key: string]: unknown;
}

/** The declarative file, as spec/contract.schema.json describes it (extra keys are the runtime's). */
export interface ContractDescriptor {
  id: string;
  title: string;
  vendor: { name: string; docs?: string | string[] };
  default?: boolean;
  direction: 'inbound' | 'outbound';
  openapi: string;
  codes: string;
  examples: { valid: string; invalid: string };
  schemaIds?: string;
  operations: ContractOperation[];
  auth: { type: 'header-token' | 'path-secret' | 'query-md5'; [key: string]: unknown };
  mediaTypes: string[];
  bodyLimit: number;
  sample: { file: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Contract {
  id: string;
  /** The contract's folder, relative to the package root (spec/<id>). */
  folder: string;
  /** Its declarative file, relative to the package root. */
  file: string;
  descriptor: ContractDescriptor;
  /** A path of the descriptor (relative to the folder) made relative to the package root. */
  path(relativeToFolder: string): string;
}

/** A contract file that cannot be used: the message names the file, the place, what was expected and found. */
export class ContractError extends Error {}

const SCHEMA = 'spec/contract.schema.json';

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function at(value: unknown, pointer: string): unknown {
  let node = value;
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** Every spec/<id>/contract.yaml, checked; the default contract first, then by id. */
export function loadContracts(root: string): Contract[] {
  const schema = JSON.parse(readFileSync(join(root, SCHEMA), 'utf8')) as object;
  const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  const check = ajv.compile(schema);
  const specDir = join(root, 'spec');
  const folders = readdirSync(specDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(specDir, entry.name, 'contract.yaml')))
    .map((entry) => entry.name)
    .sort();
  const contracts: Contract[] = [];
  for (const name of folders) {
    const folder = `spec/${name}`;
    const file = `${folder}/contract.yaml`;
    let descriptor: unknown;
    try {
      descriptor = YAML.parse(readFileSync(join(root, file), 'utf8'));
    } catch (error) {
      throw new ContractError(`${file}: expected YAML, found a syntax error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    if (!check(descriptor)) {
      const problems = (check.errors ?? []).map((e) => `  ${e.instancePath || '/'}: expected ${(e.message ?? 'to match').replace(/^must /, 'to ')}${e.params && 'allowedValues' in e.params ? ` ${show(e.params.allowedValues)}` : ''}, found ${show(at(descriptor, e.instancePath))}`);
      throw new ContractError(`${file} does not match ${SCHEMA}:\n${problems.join('\n')}`);
    }
    const d = descriptor as ContractDescriptor;
    if (d.id !== name) throw new ContractError(`${file}: /id: expected "${name}" (the folder's name), found ${show(d.id)}`);
    const path = (p: string) => relative(root, resolve(root, folder, p)).split('\\').join('/');
    const files: Array<[string, string]> = [['/openapi', d.openapi], ['/codes', d.codes], ['/examples/valid', d.examples.valid], ['/examples/invalid', d.examples.invalid], ['/sample/file', d.sample.file]];
    for (const [pointer, p] of files) {
      if (!existsSync(join(root, path(p)))) throw new ContractError(`${file}: ${pointer}: expected an existing file, found ${show(p)} (${path(p)} does not exist)`);
    }
    const ids = new Set<string>();
    d.operations.forEach((operation, i) => {
      if (ids.has(operation.id)) throw new ContractError(`${file}: /operations/${i}/id: expected a name no other operation has, found ${show(operation.id)} twice`);
      ids.add(operation.id);
    });
    const defaults = d.operations.filter((o) => o.default === true);
    if (defaults.length > 1) throw new ContractError(`${file}: /operations: expected at most one operation with default: true, found ${defaults.map((o) => o.id).join(', ')}`);
    if (defaults.length === 0 && d.operations.length > 1) throw new ContractError(`${file}: /operations: expected one operation with default: true (the one commands use without --webhook), found none among ${d.operations.length}`);
    contracts.push({ id: name, folder, file, descriptor: d, path });
  }
  const defaults = contracts.filter((c) => c.descriptor.default === true);
  if (defaults.length !== 1) {
    throw new ContractError(`spec/*/contract.yaml: /default: expected exactly one contract with default: true, found ${defaults.length === 0 ? 'none' : defaults.map((c) => c.file).join(', ')}`);
  }
  return [...defaults, ...contracts.filter((c) => c !== defaults[0])];
}

/** The operation commands use without --webhook: the one marked default, or the only one. */
export function defaultOperation(contract: ContractDescriptor): ContractOperation {
  return contract.operations.find((o) => o.default === true) ?? contract.operations[0]!;
}

