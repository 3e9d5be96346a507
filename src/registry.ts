/**
 * The registry of the contracts this package carries, generated/contracts.json: written by
 * scripts/generate.ts from every spec/<id>/contract.yaml, read by the commands to list the
 * contracts and pick one without loading any of them. Node only (it reads a file): the library
 * entry does not import it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CheckFailed, closest, NotSupported, UsageError } from './cli-support.js';
import { packageRoot } from './verify/verify.js';

/** Where a generated schema and its validator are, relative to the package root. */
export interface RegistryFiles {
  /** The schema's name below generated/<id>/schemas/ (responses/accepted). */
  schema: string;
  file: string;
  /** The validator, without its extension (.js for ES modules, .cjs for CommonJS). */
  validator: string;
}

export interface RegistryOperation {
  id: string;
  in: 'paths' | 'webhooks';
  method: string;
  path: string;
  webhook?: string;
  operationId?: string;
  default: boolean;
  body: 'required' | 'none';
  levels?: { errors: RegistryFiles; warnings: RegistryFiles; conforming: RegistryFiles };
}

export interface RegistryContract {
  id: string;
  title: string;
  vendor: string;
  default: boolean;
  direction: 'inbound' | 'outbound';
  /** info.version of its OpenAPI document. */
  version: string;
  auth: string;
  mediaTypes: string[];
  /** Paths relative to the package root. */
  descriptor: string;
  source: string;
  openapi: { json: string; yaml: string; dereferenced: string; 'openapi-3.0': string };
  types: { openapi: string; schemas: string };
  /** The code table and the module the engine reads it from. */
  codes: { source: string; module: string };
  operations: RegistryOperation[];
  responses: Record<string, RegistryFiles & { statuses: string[] }>;
}

export interface Registry {
  /** The id of the contract every command uses without --contract. */
  default: string;
  /** The default contract first, then by id. */
  contracts: RegistryContract[];
}

export const REGISTRY = 'generated/contracts.json';

/** Reads the registry; a missing or unreadable one is a broken package, said as such. */
export function readRegistry(root: string = packageRoot()): Registry {
  const file = join(root, REGISTRY);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CheckFailed(`the registry of contracts ${file} is missing: in a checkout, run "npm run generate"; an installed package carries it`);
  }
  let registry: Partial<Registry>;
  try {
    registry = JSON.parse(text) as Partial<Registry>;
  } catch {
    throw new CheckFailed(`the registry of contracts ${file} is not JSON: in a checkout, run "npm run generate"`);
  }
  if (!Array.isArray(registry.contracts) || typeof registry.default !== 'string') {
    throw new CheckFailed(`the registry of contracts ${file}: expected {"default": ..., "contracts": [...]}, found ${text.slice(0, 60)}: in a checkout, run "npm run generate"`);
  }
  return registry as Registry;
}

/** A contract of the registry by id, or a usage error that lists the known ones. */
export function findContract(registry: Registry, id: string | undefined): RegistryContract {
  const wanted = id ?? registry.default;
  const found = registry.contracts.find((c) => c.id === wanted);
  if (!found) {
    const ids = registry.contracts.map((c) => c.id);
    const guess = closest(wanted, ids);
    throw new UsageError(`--contract: expected one of ${ids.join(', ')}, found "${wanted}"${guess ? `; did you mean ${guess}?` : ''}`);
  }
  return found;
}

/** `--contract ID` (or `--contract=ID`) taken out of the arguments: its value, and the other arguments. */
export function contractOption(argv: readonly string[]): { id: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let id: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--contract' || arg.startsWith('--contract=')) {
      id = arg === '--contract' ? argv[++i] : arg.slice('--contract='.length);
      if (id === undefined || (arg === '--contract' && id.startsWith('-'))) throw new UsageError(`--contract: expected a contract id, found ${id === undefined ? 'nothing' : `the option "${id}"`}`);
      continue;
    }
    rest.push(arg);
  }
  return { id, rest };
}

/**
 * The guard at the top of a command that serves only some contracts: takes `--contract ID` out of
 * the arguments (the command's own parser need not know it), checks the id against the registry,
 * and refuses a contract the command does not serve yet, in one line. Returns the other arguments.
 */
export function servedContract(command: string, argv: readonly string[], served?: readonly string[]): string[] {
  const { id, rest } = contractOption(argv);
  if (id === undefined) return rest;
  const registry = readRegistry();
  const contract = findContract(registry, id);
  const serves = served ?? [registry.default];
  if (!serves.includes(contract.id)) {
    throw new NotSupported(`${command} does not serve the ${contract.id} contract yet (${serves.join(', ')} only today; see the contracts table in the README)`);
  }
  return rest;
}
