/** Small helpers on JSON values and RFC 6901 pointers, shared by the engine, its checks and the media types. */
import type { JsonType } from './table.js';

export function escapeToken(token: string): string {
  // Most tokens need no escape: skip the two replaces (the form decoder calls this per field).
  if (!token.includes('~') && !token.includes('/')) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The value at `pointer` in `root`, or undefined when there is none. */
export function valueAt(root: unknown, pointer: string): unknown {
  let current: unknown = root;
  if (pointer === '') return current;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[unescapeToken(raw)];
  }
  return current;
}

/** The JSON type of a value, or undefined for what JSON cannot hold (undefined, a bigint, a function). */
export function jsonType(value: unknown): JsonType | undefined {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'object':
      return typeof value as JsonType;
    default:
      return undefined;
  }
}

/** A short, safe description of a value for a message: its type and, for scalars, the value itself. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  switch (typeof value) {
    case 'string':
      return `a string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case 'number':
      return Number.isFinite(value) ? `a number ${value}` : `the number ${value}`;
    case 'boolean':
      return `a boolean ${value}`;
    case 'bigint':
      return `a bigint ${value}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** JSON Schema type names with their article, for "expected a string". */
export const ARTICLE: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** The message of anything thrown, without throwing again (a hostile getter may be behind it). */
export function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}

/**
 * A pointer pattern as a regular expression on instancePath: tokens as written (escaped as in
 * RFC 6901), `*` for one token, `**` for any number of tokens (none included).
 */
export function pointerPattern(pattern: string): string {
  if (pattern === '') return '';
  if (!pattern.startsWith('/')) throw new Error(`pointer pattern "${pattern}" must be "" or start with "/"`);
  return pattern
    .slice(1)
    .split('/')
    .map((token) => (token === '**' ? '(?:/[^/]*)*' : token === '*' ? '/[^/]*' : `/${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    .join('');
}

export function pointerRegExp(patterns: string | readonly string[]): RegExp {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  return new RegExp(`^(?:${list.map(pointerPattern).join('|')})$`);
}
