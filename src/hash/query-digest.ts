/**
 * A shared secret carried as a digest in a query parameter: the hash of a formula's input parts
 * (literal text and `{name}` placeholders filled from values), as a contract.yaml `auth.formula`
 * describes it, and its check in constant time. Names no vendor: the formula is data.
 */
import { md5Hex } from './md5.js';

/** contract.yaml `auth.formula` (spec/contract.schema.json). */
export interface DigestFormula {
  readonly hash: 'md5';
  readonly encoding: 'hex-lower';
  /** Literal parts and `{name}` placeholders, concatenated in order. */
  readonly input: readonly string[];
  readonly charset: 'utf-8';
}

const PLACEHOLDER = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The placeholders' names of a formula, in order of first use. */
export function formulaNames(formula: DigestFormula): string[] {
  const names: string[] = [];
  for (const part of formula.input) {
    const name = PLACEHOLDER.exec(part)?.[1];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

/** The digest of the formula's input with its placeholders filled; a missing or non-string value is a TypeError. */
export function queryDigest(formula: DigestFormula, values: Readonly<Record<string, unknown>>): string {
  if (formula.hash !== 'md5' || formula.encoding !== 'hex-lower' || formula.charset !== 'utf-8') {
    throw new TypeError(`unsupported digest formula: ${formula.hash}, ${formula.encoding}, ${formula.charset} (expected md5, hex-lower, utf-8)`);
  }
  let input = '';
  for (const part of formula.input) {
    const name = PLACEHOLDER.exec(part)?.[1];
    if (name === undefined) {
      input += part;
      continue;
    }
    const value = values[name];
    if (typeof value !== 'string') throw new TypeError(`expected ${name} to be a string, found ${value === null ? 'null' : typeof value}`);
    input += value;
  }
  return md5Hex(input);
}

/**
 * Whether two strings are equal, in a time that depends only on `expected`'s length: every
 * character is compared, with no early exit; a value of another length (or not a string) is
 * compared against `expected` itself and then rejected, so that its timing tells nothing either.
 */
export function constantTimeEqual(found: unknown, expected: string): boolean {
  const sameLength = typeof found === 'string' && found.length === expected.length;
  const against = sameLength ? found : expected;
  let difference = sameLength ? 0 : 1;
  for (let i = 0; i < expected.length; i += 1) difference |= against.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}

/** Which query parameters a check reads: the digest, and those that must equal the account's value of the same name. */
export interface DigestParameters {
  readonly digest: string;
  readonly equal: readonly string[];
}

/**
 * Checks a request's query against the receiver's account: the digest parameter must equal the
 * formula's digest of the account's values (constant time), and each `equal` parameter (a
 * license code, an account id) the account's value of the same name. Every comparison runs
 * whatever the others found. Never throws: a missing value fails the check.
 */
export function verifyQueryDigest(formula: DigestFormula, parameters: DigestParameters, query: unknown, account: unknown): boolean {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const a = (typeof account === 'object' && account !== null ? account : {}) as Record<string, unknown>;
  let expected: string;
  try {
    expected = queryDigest(formula, a);
  } catch {
    return false;
  }
  let ok = constantTimeEqual(q[parameters.digest], expected);
  for (const name of parameters.equal) ok = typeof q[name] === 'string' && q[name] === a[name] && ok;
  return ok;
}
