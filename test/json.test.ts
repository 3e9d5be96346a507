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

  it('finds an error wherever JSON.parse finds one (one-character corruptions of real JSON)', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', '"', ',', '}', ']', '{', '[', ':', '#', '\\', 'x', ' ', '\u0001', '-', '0'), (json, at, insert) => {
        const position = json.length === 0 ? 0 : at % json.length;
        for (const text of [json.slice(0, position) + insert + json.slice(position + 1), json.slice(0, position) + insert + json.slice(position)]) {
          let parses = true;
          try {
            JSON.parse(text);
          } catch {
            parses = false;
          }
          if (!parses) {
            const error = locateSyntaxError(text);
            expect(error.expected).not.toBe('valid JSON'); // the scanner's "I disagree" fallback
            expect(error.offset).toBeGreaterThanOrEqual(0);
            expect(error.offset).toBeLessThanOrEqual(text.length);
          }
        }
      }),
      { numRuns: 3000, seed: 20261123 },
    );
  });
});
