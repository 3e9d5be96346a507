/**
 * Named checks: rules that JSON Schema cannot express, registered by name (as schemathesis
 * registers its checks) and parameterised by the code table. None knows a contract: the table
 * says where each runs and with which limits.
 */
import { parseJsonInString } from '../json-in-string.js';
import type { Check, Parameter } from './table.js';
import { escapeToken, jsonType, unescapeToken, valueAt } from './values.js';

export interface CheckFinding {
  pointer: string;
  detail?: string;
}

export interface CheckContext {
  /** Request parameters, when the caller knows them. */
  parameters?: Partial<Record<Parameter['in'], Readonly<Record<string, string | undefined>>>>;
}

type CheckFunction<C extends Check> = (check: C, value: unknown, context: CheckContext) => CheckFinding[];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every (pointer, value) whose pointer matches a pattern with `*` tokens. */
function at(root: unknown, pattern: string): Array<[string, unknown]> {
  if (!pattern.includes('*')) return [[pattern, valueAt(root, pattern)]];
  const found: Array<[string, unknown]> = [];
  const tokens = pattern.split('/').slice(1);
  const walk = (value: unknown, pointer: string, index: number) => {
    if (index === tokens.length) {
      found.push([pointer, value]);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const token = tokens[index]!;
    if (token === '*') {
      for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], `${pointer}/${escapeToken(key)}`, index + 1);
    } else {
      walk((value as Record<string, unknown>)[unescapeToken(token)], `${pointer}/${token}`, index + 1);
    }
  };
  walk(root, '', 0);
  return found;
}

const maxPropertiesPerType: CheckFunction<Extract<Check, { name: 'max-properties-per-type' }>> = (check, root) => {
  if (check.unless && valueAt(root, check.unless.pointer) === check.unless.equals) return [];
  const object = valueAt(root, check.pointer);
  if (!isObject(object)) return [];
  const patterns = check.types.map((type) => (type.valuePattern === undefined ? undefined : new RegExp(type.valuePattern)));
  const counts = new Array<number>(check.types.length).fill(0);
  for (const key of Object.keys(object)) {
    const value = object[key];
    const type = jsonType(value);
    const index = check.types.findIndex((t, i) => t.found === type && (patterns[i] === undefined || (typeof value === 'string' && patterns[i]!.test(value))));
    if (index >= 0) counts[index]! += 1;
  }
  return check.types.flatMap((type, i) =>
    counts[i]! > check.max ? [{ pointer: check.pointer, detail: `${counts[i]} properties of type ${type.name}, at most ${check.max} allowed` }] : [],
  );
};

const jsonInString: CheckFunction<Extract<Check, { name: 'json-in-string' }>> = (check, root) => {
  const otherwise = check.otherwise === undefined ? undefined : new RegExp(check.otherwise);
  const findings: CheckFinding[] = [];
  for (const [pointer, value] of at(root, check.pointer)) {
    // Other types are the schema's to report.
    if (typeof value !== 'string') continue;
    const result = parseJsonInString(value, otherwise);
    if (result.kind !== 'invalid') continue;
    // Without a code pattern, any text that does not start like JSON is accepted.
    if (result.reason === 'unrecognised' && !otherwise) continue;
    findings.push({ pointer, detail: result.reason === 'not-json' ? `not JSON: ${result.message}` : result.message });
  }
  return findings;
};

const equalsParameter: CheckFunction<Extract<Check, { name: 'equals-parameter' }>> = (check, root, context) => {
  const parameters = context.parameters?.[check.parameter.in];
  const name = check.parameter.in === 'header' ? check.parameter.name.toLowerCase() : check.parameter.name;
  const expected = parameters && Object.entries(parameters).find(([key]) => (check.parameter.in === 'header' ? key.toLowerCase() : key) === name)?.[1];
  const value = valueAt(root, check.pointer);
  if (expected === undefined || typeof value !== 'string' || value === expected) return [];
  return [{ pointer: check.pointer, detail: `the ${check.parameter.in} parameter ${check.parameter.name} is ${JSON.stringify(expected)}` }];
};

export const CHECKS: { readonly [N in Check['name']]: CheckFunction<Extract<Check, { name: N }>> } = {
  'max-properties-per-type': maxPropertiesPerType,
  'json-in-string': jsonInString,
  'equals-parameter': equalsParameter,
};

export function runCheck(check: Check, value: unknown, context: CheckContext): CheckFinding[] {
  return (CHECKS[check.name] as CheckFunction<Check>)(check, value, context);
}

