/**
 * Reads a contract's code table (codes.yaml): checks it against spec/codes.schema.json,
 * resolves the constants it takes from the contract's OpenAPI document, and compiles it once
 * with the engine (which throws on a table it cannot run). The generator writes the result
 * into a module; the tests read the tables of every contract with it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

import { compileTable } from '../../src/engine/compile.ts';
import type { CodeTable } from '../../src/engine/table.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const CODES_SCHEMA = join(root, 'spec/codes.schema.json');

let validateTable: ((data: unknown) => boolean) & { errors?: unknown } | undefined;

/** The schema's verdict on a parsed codes.yaml: an empty list when it conforms. */
export function tableSchemaErrors(data: unknown): string[] {
  if (!validateTable) {
    const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats.default(ajv, ['regex']);
    validateTable = ajv.compile(JSON.parse(readFileSync(CODES_SCHEMA, 'utf8')) as object);
  }
  if (validateTable(data)) return [];
  return ((validateTable.errors ?? []) as Array<{ instancePath: string; message?: string; params: unknown }>).map(
    (e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** The value at a JSON pointer ("#/a/b") in a document. */
function resolve(document: unknown, ref: string): unknown {
  let current = document;
  for (const raw of ref.replace(/^#\//, '').split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null || !(token in current)) throw new Error(`${ref} is not in the OpenAPI document`);
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

/**
 * The table of `file`, with `{$ref}` constants resolved in `document` (the contract's bundled
 * OpenAPI document). Throws with the file and what is wrong.
 */
export function loadCodeTable(file: string, document: unknown): CodeTable {
  const name = relative(root, file);
  const data = YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const problems = tableSchemaErrors(data);
  if (problems.length > 0) throw new Error(`${name} does not follow spec/codes.schema.json:\n  ${problems.join('\n  ')}`);
  const constants = data.constants as Record<string, unknown> | undefined;
  if (constants) {
    for (const [key, value] of Object.entries(constants)) {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const resolved = resolve(document, (value as { $ref: string }).$ref);
        const ok = typeof resolved === 'number' || typeof resolved === 'string' || (Array.isArray(resolved) && resolved.every((v) => typeof v === 'number' || typeof v === 'string'));
        if (!ok) throw new Error(`${name}: constants.${key}: ${(value as { $ref: string }).$ref} is not a number, a string or a list of them`);
        constants[key] = resolved;
      }
    }
  }
  const table = data as unknown as CodeTable;
  try {
    compileTable(table);
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return table;
}

/**
 * The table as a TypeScript module: the data, and each code's level and meaning (VIOLATION_CODES).
 * `tableTypes`: the engine's table.js as the module imports it (relative to where it is written).
 */
export function codeTableModule(table: CodeTable, header: string, source: string, tableTypes: string): string {
  const levels = Object.fromEntries(table.codes.map((entry) => [entry.code, { level: entry.level, meaning: entry.meaning }]));
  return `${header}
// The violation code table of ${source}, compiled for the validation engine (src/engine/).
import type { CodeTable } from '${tableTypes}';

export const table = ${JSON.stringify(table, null, 2)} as const satisfies CodeTable;

/** Each code's level and meaning, in the table's order. */
export const violationCodes = ${JSON.stringify(levels, null, 2)} as const;
`;
}
