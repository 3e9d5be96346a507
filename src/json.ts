/**
 * JSON parsing that says where a text stops being JSON, as a line and a column. Standard
 * JavaScript only (no Node built-ins): the library entry runs in browsers and edge runtimes too.
 */

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

// fatal: JSON is UTF-8, and a lenient decode would hide the mistake behind U+FFFD.
// ignoreBOM: keep a byte order mark in the text, where parseJson skips exactly one, as for text bodies.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as text in one pass, or the byte offset where they stop being UTF-8. */
export function decodeUtf8(bytes: Uint8Array): { ok: true; text: string } | { ok: false; offset: number } {
  try {
    return { ok: true, text: UTF8.decode(bytes) };
  } catch {
    return { ok: false, offset: firstInvalidUtf8(bytes) };
  }
}

export function describeUtf8Error(offset: number): string {
  return `expected UTF-8 text, found a byte that is not UTF-8 at byte offset ${offset}`;
}

/**
 * Byte offset of the first byte of the first sequence that is not UTF-8 (only called on the
 * error path). The byte ranges are those of the WHATWG decoder that TextDecoder implements:
 * after E0 the next byte is A0-BF (no overlong forms), after ED 80-9F (no surrogates), after
 * F0 90-BF, after F4 80-8F (nothing above U+10FFFF); C0, C1 and F5-FF never start a sequence.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    let more: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      more = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      more = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      more = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else {
      return i;
    }
    if (i + more >= bytes.length) return i; // cut short by the end
    const second = bytes[i + 1]!;
    if (second < low || second > high) return i;
    for (let k = 2; k <= more; k += 1) {
      const next = bytes[i + k]!;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += more + 1;
  }
  return bytes.length;
}
