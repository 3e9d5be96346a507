import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { describeJsonError, locateSyntaxError, parseJson } from '../src/json.js';

describe('parseJson', () => {
  it.each([
    ['{\n  "event_name": "Placed Order",\n  "event_id": order-1\n}\n', 3, 15, "'o'", 'a value (object, array, string, number, true, false or null)'],
    ['{"a":1,}', 1, 8, "'}'", 'a property name in double quotes'],
    ['[1,2', 1, 5, 'end of input', "',' or ']'"],
    ['{"a":1 # comment\n}', 1, 8, "'#'", "',' or '}'"],
    ['{"a":"x\ty"}', 1, 8, 'control character U+0009', 'a closing quote (control characters must be escaped in strings)'],
    ['{"a":1} trailing', 1, 9, "'t'", 'the end of input after the JSON value'],
    ['', 1, 1, 'empty input', 'a JSON value'],
    ['{"a":01}', 1, 7, "'1'", "',' or '}'"],
    ['{"a":"\\q"}', 1, 8, "'q'", 'an escape character (" \\ / b f n r t u)'],
    ['\n\n  {"a" 1}', 3, 8, "'1'", "':' after a property name"],
    ['{"a":tru}', 1, 9, "'}'", "'e' to complete true"],
    ['"\\u12x"', 1, 6, "'x'", '4 hex digits of a \\u escape'],
    ['[-x]', 1, 3, "'x'", 'a digit after the minus sign'],
    ['[1.e5]', 1, 4, "'e'", 'a digit after the decimal point'],
    ['1e+', 1, 4, 'end of input', 'a digit in the exponent'],
    ['{"a":😀}', 1, 6, "'😀'", 'a value (object, array, string, number, true, false or null)'],
  ])('locates the error in %j at %i:%i', (text, line, column, found, expected) => {
    const result = parseJson(text);
    expect(result).toMatchObject({ ok: false, line, column, found, expected });
    if (!result.ok) expect(describeJsonError(result)).toBe(`expected ${expected}, found ${found} at line ${line}, column ${column}`);
  });

  it('skips a UTF-8 byte order mark', () => {
    expect(parseJson('\ufeff{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('survives 100,000 nested brackets without a stack overflow', () => {
    expect(parseJson('['.repeat(100_000))).toMatchObject({ ok: false, line: 1, column: 100_001, found: 'end of input' });
  });

  it('agrees with JSON.parse on every text, and puts each error where JSON.parse stops (one-character corruptions of real JSON)', () => {
    // Documents over several lines (indented, LF or CRLF), sometimes behind a byte order mark.
    const documents = fc
      .tuple(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(([value, indent, eol, bom]) => (bom ? '\ufeff' : '') + JSON.stringify(value, null, indent).replace(/\n/g, eol));
    const inserts = fc.constantFrom('', '"', ',', '}', ']', '{', '[', ':', '#', '\\', 'x', ' ', '\n', '\u0001', '-', '0', '.', 'e', '+', 'u', 't', 'n', 'é', '😀', '\u00a0');
    let rejected = 0;
    fc.assert(
      fc.property(documents, fc.nat(), inserts, (json, at, insert) => {
        const position = json.length === 0 ? 0 : at % json.length;
        for (const text of [json, json.slice(0, position) + insert + json.slice(position + 1), json.slice(0, position) + insert + json.slice(position)]) {
          const body = text.startsWith('\ufeff') ? text.slice(1) : text;
          let value: unknown;
          let parses = true;
          try {
            value = JSON.parse(body);
          } catch {
            parses = false;
          }
          const result = parseJson(text);
          if (parses) {
            // The scanner accepts what JSON.parse accepts: it finds nothing wrong in it.
            expect(result).toEqual({ ok: true, value });
            expect(locateSyntaxError(body).expected, body).toBe('valid JSON');
            continue;
          }
          rejected += 1;
          expect(result.ok, body).toBe(false);
          if (result.ok) continue;
          expect(result.expected, body).not.toBe('valid JSON'); // the scanner's "I disagree" fallback
          const want = expectedError(body);
          expect({ line: result.line, column: result.column, offset: result.offset, found: result.found }, body).toEqual(want);
        }
      }),
      { numRuns: 3000, seed: 20261123 },
    );
    expect(rejected).toBeGreaterThan(3000);
  });
});

/**
 * Where a text that JSON.parse rejects stops being JSON, found with JSON.parse alone: the longest
 * prefix that JSON.parse either accepts or rejects only for ending too soon ("Unexpected end",
 * or an error at the very end of the prefix). The error is at the next character.
 */
function expectedError(text: string): { line: number; column: number; offset: number; found: string } {
  if (/^[ \t\n\r]*$/.test(text)) return { line: 1, column: 1, offset: 0, found: 'empty input' };
  const viable = (prefix: string): boolean => {
    try {
      JSON.parse(prefix);
      return true;
    } catch (error) {
      const message = (error as Error).message;
      const at = /in JSON at position (\d+)/.exec(message);
      return message === 'Unexpected end of JSON input' || (at !== null && Number(at[1]) === prefix.length);
    }
  };
  // Every prefix of a viable prefix is viable: binary search for the longest.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (viable(text.slice(0, middle))) low = middle;
    else high = middle - 1;
  }
  let line = 1;
  let column = 1;
  for (let i = 0; i < low; i++) {
    if (text[i] === '\n') {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
  }
  const code = text.codePointAt(low);
  const found =
    code === undefined ? 'end of input' : code < 0x20 ? `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${String.fromCodePoint(code)}'`;
  return { line, column, offset: low, found };
}
