/**
 * The code tables' format: every contract's codes.yaml follows spec/codes.schema.json and
 * compiles for the engine; and the schema refuses what it is there to refuse (a test that
 * cannot fail is a defect).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';

import { tableSchemaErrors } from '../scripts/lib/codes-table.ts';
import { compileTable } from '../src/engine/compile.js';
import type { CodeTable } from '../src/engine/table.js';
import { contractFolders } from './fixtures/contracts.js';
import { root } from './helpers.js';

const folders = contractFolders();
const read = (file: string) => YAML.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;

describe('codes.yaml of every contract', () => {
  it('finds the three contracts on disk', () => {
    expect(folders.map((f) => f.id).sort()).toEqual(expect.arrayContaining(['converge', 'provesource', 'webengage']));
  });

  it.each(folders.map((f) => [f.id, f.codes]))('%s: follows spec/codes.schema.json and compiles for the engine', (_id, file) => {
    const data = read(file);
    expect(tableSchemaErrors(data)).toEqual([]);
    // Constants taken from the OpenAPI document are resolved by the generator; numbers stand in here.
    const constants = Object.fromEntries(Object.entries((data.constants ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'object' && !Array.isArray(v) ? 1 : v]));
    expect(() => compileTable({ ...(data as unknown as CodeTable), constants } as CodeTable)).not.toThrow();
  });
});

describe('spec/codes.schema.json', () => {
  const minimal = { code: 'x-y', level: 'error', meaning: 'm', source: { decision: 'd' } };
  const errors = (codes: unknown[], extra: Record<string, unknown> = {}) => tableSchemaErrors({ codes, ...extra });

  it('accepts a minimal table', () => {
    expect(errors([minimal])).toEqual([]);
  });

  it.each([
    ['a code without a source', { ...minimal, source: {} }],
    ['an unknown level', { ...minimal, level: 'info' }],
    ['a code name in camelCase', { ...minimal, code: 'wrongType' }],
    ['an unknown property', { ...minimal, severity: 'high' }],
    ['a match with an unknown condition', { ...minimal, match: [{ keyword: 'type', where: '/x' }] }],
    ['a match on a problem and a keyword at once', { ...minimal, match: [{ problem: 'invalid-json', keyword: 'type' }] }],
    ['an unknown problem', { ...minimal, match: [{ problem: 'bad-xml' }] }],
    ['a pointer that is not a JSON pointer', { ...minimal, match: [{ pointer: 'timestamp' }] }],
    ['a value pattern that is not a regular expression', { ...minimal, match: [{ valuePattern: '([' }] }],
    ['a check on a code that is not of the check stage', { ...minimal, check: { name: 'json-in-string', pointer: '/a' } }],
    ['an unknown check', { ...minimal, stage: 'check', check: { name: 'spell-check', pointer: '/a' } }],
    ['a request parameter on a schema code', { ...minimal, parameter: { in: 'query', name: 'secret' } }],
  ])('refuses %s', (_name, code) => {
    expect(errors([code])).not.toEqual([]);
  });

  it('refuses constants of other shapes and an order of unknown levels', () => {
    expect(errors([minimal], { constants: { max: 1 } })).not.toEqual([]);
    expect(errors([minimal], { constants: { MAX: { $ref: 'components/x' } } })).not.toEqual([]);
    expect(errors([minimal], { order: { info: ['x-y'] } })).not.toEqual([]);
  });

  it('the engine refuses what the schema cannot see: an order that misses a code, an unknown placeholder, a code declared twice', () => {
    const matched = { ...minimal, match: [{ keyword: 'type' }] };
    const invalidValue = { ...minimal, code: 'invalid-value', match: [{ problem: 'invalid-value' }] };
    expect(() => compileTable({ codes: [matched, invalidValue] } as CodeTable)).not.toThrow();
    expect(() => compileTable({ codes: [matched, invalidValue], order: { error: [] } } as CodeTable)).toThrow(/order.error must list every error code with match rules once: missing x-y/);
    expect(() => compileTable({ codes: [{ ...matched, message: 'found {fuond}' }, invalidValue] } as CodeTable)).toThrow(/unknown placeholder \{fuond\}/);
    expect(() => compileTable({ codes: [matched, matched, invalidValue] } as CodeTable)).toThrow(/declared twice/);
    expect(() => compileTable({ codes: [matched] } as CodeTable)).toThrow(/invalid-value/);
  });
});
