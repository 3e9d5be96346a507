/** JSON parsing that says where a text stops being JSON, as a line and a column. */
import { isUtf8 } from 'node:buffer';

export type ParseResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      line: number;
      column: number;
      offset: number;
      /** What JSON needs at that point, e.g. "',' or '}'". */
      expected: string;
      /** What is there instead, e.g. "'#'" or "end of input". */
      found: string;
      /** Both in one phrase: "'#' where ',' or '}' was expected". */
      reason: string;
    };

/** A one-line description of a JSON syntax error: "expected X, found Y at line L, column C". */
export function describeJsonError(error: Extract<ParseResult, { ok: false }>): string {
  return `expected ${error.expected}, found ${error.found} at line ${error.line}, column ${error.column}`;
}

export function parseJson(text: string): ParseResult {
  // A UTF-8 byte order mark is not JSON, but editors write one; it is skipped.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    // V8's messages name a position only for some mistakes, so find it ourselves.
    const { offset, expected, found } = locateSyntaxError(body);
    const before = body.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    return { ok: false, line, column, offset, expected, found, reason: `${found} where ${expected} was expected` };
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX = /^[0-9a-fA-F]$/;
const LITERALS = new Map([
  ['t', 'true'],
  ['f', 'false'],
  ['n', 'null'],
]);

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/** The character at a position: a whole code point (an emoji, not half of one), or a name for what cannot be shown. */
function show(code: number | undefined): string {
  if (code === undefined) return 'end of input';
  return code < 0x20 ? `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}` : `'${String.fromCodePoint(code)}'`;
}

/**
 * Finds the offset of the first syntax error in a text that JSON.parse rejected. Iterative
 * (an explicit stack), so 100,000 nested brackets cannot overflow the call stack.
 */
interface SyntaxErrorAt {
  offset: number;
  expected: string;
  found: string;
}

export function locateSyntaxError(text: string): SyntaxErrorAt {
  if (/^[ \t\n\r]*$/.test(text)) return { offset: 0, expected: 'a JSON value', found: 'empty input' };
  let i = 0;
  const stack: Array<'{' | '['> = [];
  const skip = () => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  const fail = (expected: string): SyntaxErrorAt => ({ offset: i, expected, found: show(text.codePointAt(i)) });
  const string = (): SyntaxErrorAt | undefined => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          // At the first character that is not a hex digit, as JSON.parse would stop.
          for (let k = 2; k < 6; k++) {
            if (!HEX.test(text[i + k] ?? '')) {
              i += k;
              return fail('4 hex digits of a \\u escape');
            }
          }
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) {
          i += 2;
        } else {
          i++;
          return fail('an escape character (" \\ / b f n r t u)');
        }
      } else if (c.charCodeAt(0) < 0x20) {
        return fail('a closing quote (control characters must be escaped in strings)');
      } else {
        i++;
      }
    }
    return fail('a closing quote');
  };
  // A number, digit by digit: an error points at the first character that cannot continue it.
  const number = (): SyntaxErrorAt | undefined => {
    if (text[i] === '-') i++;
    if (!isDigit(text[i])) return fail('a digit after the minus sign');
    if (text[i] === '0') i++;
    else while (isDigit(text[i])) i++;
    if (text[i] === '.') {
      i++;
      if (!isDigit(text[i])) return fail('a digit after the decimal point');
      while (isDigit(text[i])) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!isDigit(text[i])) return fail('a digit in the exponent');
      while (isDigit(text[i])) i++;
    }
    return undefined;
  };
  // value, then what may follow it, until the top-level value is complete.
  for (;;) {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      skip();
      if (text[i] === '}') {
        i++;
      } else {
        if (text[i] !== '"') return fail('a property name in double quotes or "}"');
        const error = string();
        if (error) return error;
        skip();
        if (text[i] !== ':') return fail("':' after a property name");
        i++;
        stack.push('{');
        continue;
      }
    } else if (c === '[') {
      i++;
      skip();
      if (text[i] === ']') {
        i++;
      } else {
        stack.push('[');
        continue;
      }
    } else if (c === '"') {
      const error = string();
      if (error) return error;
    } else if (c !== undefined && (c === '-' || isDigit(c))) {
      const error = number();
      if (error) return error;
    } else if (c !== undefined && LITERALS.has(c)) {
      // Compared character by character, so that "tru}" is reported at '}', not at 't'.
      const word = LITERALS.get(c)!;
      for (let k = 1; k < word.length; k++) {
        if (text[i + k] !== word[k]) {
          i += k;
          return fail(`'${word[k]}' to complete ${word}`);
        }
      }
      i += word.length;
    } else {
      return fail('a value (object, array, string, number, true, false or null)');
    }
    // After a complete value: close containers or continue with the next member.
    for (;;) {
      skip();
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < text.length) return fail('the end of input after the JSON value');
        // JSON.parse disagreed with this scanner; point at the end rather than guess.
        return { offset: text.length, expected: 'valid JSON', found: 'text JSON.parse rejects' };
      }
      if (text[i] === ',') {
        i++;
        skip();
        if (top === '{') {
          if (text[i] !== '"') return fail('a property name in double quotes');
          const error = string();
          if (error) return error;
          skip();
          if (text[i] !== ':') return fail("':' after a property name");
          i++;
        }
        break; // parse the next value
      }
      if ((top === '{' && text[i] === '}') || (top === '[' && text[i] === ']')) {
        i++;
        stack.pop();
        continue;
      }
      return fail(top === '{' ? "',' or '}'" : "',' or ']'");
    }
  }
}

/** Bytes as text, or where they stop being UTF-8 (JSON is UTF-8; a lenient decode would hide the mistake). */
export function decodeUtf8(bytes: Buffer): { ok: true; text: string } | { ok: false; offset: number } {
  if (isUtf8(bytes)) return { ok: true, text: bytes.toString('utf8') };
  return { ok: false, offset: firstInvalidUtf8(bytes) };
}

export function describeUtf8Error(offset: number): string {
  return `expected UTF-8 text, found a byte that is not UTF-8 at byte offset ${offset}`;
}

/** Byte offset of the first byte that breaks UTF-8 (only called on the error path). */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need === -1 || i + need >= bytes.length + (need === 0 ? 1 : 0)) return i;
    if (need > 0 && !isUtf8(bytes.subarray(i, i + need + 1))) return i;
    i += need + 1;
  }
  return bytes.length;
}
