/**
 * A string field that holds either a JSON document or a short code (a vendor writes a
 * notification's payload as JSON text, or a code such as `GCM_ERROR` when there is none). One
 * parser for the validator's check (engine/checks.ts `json-in-string`) and the library's helper.
 * It reads the string and returns new data: the payload is never changed.
 */
import { locateSyntaxError } from './json.js';

/**
 * The default shape of a code: an upper-case letter, then upper-case letters, digits and
 * underscores (`GCM_ERROR`). Lower case, spaces, a leading digit or anything else is not a code.
 */
export const CODE_PATTERN = /^[A-Z][A-Z0-9_]*$/;

export type JsonInString<Value = unknown> =
  | { kind: 'json'; value: Value }
  | { kind: 'code'; code: string }
  | {
      kind: 'invalid';
      /** not-a-string: the caller passed something else; empty: ''; not-json: starts like JSON, is not; unrecognised: neither JSON nor a code. */
      reason: 'not-a-string' | 'empty' | 'not-json' | 'unrecognised';
      message: string;
      /** not-json: the UTF-16 offset in the string where it stops being JSON. */
      position?: number;
    };

/**
 * Reads `text` as JSON when its first non-blank character is `{` or `[`, else as a code when it
 * matches `code` (default CODE_PATTERN). Never throws. A JSON string or number (`"{}"`, `123`) is
 * not read as JSON: the vendor writes objects there.
 */
export function parseJsonInString<Value = unknown>(text: unknown, code: RegExp = CODE_PATTERN): JsonInString<Value> {
  if (typeof text !== 'string') return { kind: 'invalid', reason: 'not-a-string', message: `expected a string, found ${text === null ? 'null' : Array.isArray(text) ? 'an array' : typeof text}` };
  if (text === '') return { kind: 'invalid', reason: 'empty', message: 'empty' };
  const start = text.search(/\S/);
  if (start >= 0 && (text[start] === '{' || text[start] === '[')) {
    try {
      return { kind: 'json', value: JSON.parse(text) as Value };
    } catch {
      const error = locateSyntaxError(text);
      return { kind: 'invalid', reason: 'not-json', message: `expected ${error.expected}, found ${error.found} at position ${error.offset}`, position: error.offset };
    }
  }
  if (code.test(text)) return { kind: 'code', code: text };
  return { kind: 'invalid', reason: 'unrecognised', message: 'neither JSON nor a code' };
}
