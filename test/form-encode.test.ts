/**
 * encodeForm, the writer beside the form decoder (src/media/form.ts): on every valid stream
 * example of the ProveSource contract, decode(encodeForm(value)) is the value (JSON examples as
 * JSON.parse reads them, form examples as the decoder reads them), or encodeForm refuses the value
 * with the pointer of what a form cannot carry. The options are the contract's own `form:`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { encodeForm, form, FormEncodeError, type FormOptions } from '../src/media/form.js';
import { root } from './helpers.js';

const DIR = join(root, 'spec/provesource');
const options = (YAML.parse(readFileSync(join(DIR, 'contract.yaml'), 'utf8')) as { form: FormOptions }).form;
const decoder = form(options);
const examples = (YAML.parse(readFileSync(join(DIR, 'examples/valid.yaml'), 'utf8')) as Array<{ file: string; kind: string; contentType: string | null }>).filter((e) => e.kind === 'stream');

function decoded(file: string, contentType: string | null): unknown {
  const text = readFileSync(join(DIR, 'examples', file), 'utf8');
  if (/json/.test(contentType ?? '')) return JSON.parse(text);
  const result = decoder.decode(text);
  if (!result.ok) throw new Error(`${file}: refused by the decoder`);
  return result.value;
}

function roundTrip(value: unknown): unknown {
  const result = decoder.decode(encodeForm(value, options));
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  expect(result.warnings ?? []).toEqual([]);
  return result.value;
}

/** The valid examples a form cannot carry, with the pointer encodeForm names (the first it meets). */
const REFUSED: Record<string, string> = {
  // A product id "can be a string or a number"; a form carries text, so the number would arrive as text.
  'valid/many-products.json': '/products/0/id',
  'valid/seed-all-blocks.json': '/products/0/id',
  'valid/seed-products.json': '/products/0/id',
  'valid/unicode-names.json': '/products/1/id',
  'valid/warning-names-not-strings.json': '/firstName',
  // No form for null, nor for an empty array (no field: it would arrive absent).
  'valid/null-fields.json': '/firstName',
  'valid/products-empty.json': '/products',
  // A string that reads as a number, at a number field: it would arrive as the number.
  'valid/warning-product-fields.json': '/products/0/price',
  'valid/warning-total-string.json': '/total',
};

/** With numberAsText: what is still refused, and each number written as text. */
const STILL_REFUSED: Record<string, string> = {
  'valid/warning-names-not-strings.json': '/city',
  'valid/null-fields.json': '/firstName',
  'valid/products-empty.json': '/products',
  'valid/warning-product-fields.json': '/products/0/price',
  'valid/warning-total-string.json': '/total',
};

describe('encodeForm: decode(encodeForm(value)) = value', () => {
  it('on every valid stream example (JSON and form), or a refusal with the pointer of what a form cannot carry', () => {
    const refused: Record<string, string> = {};
    let carried = 0;
    for (const { file, contentType } of examples) {
      const value = decoded(file, contentType);
      let text: string;
      try {
        text = encodeForm(value, options);
      } catch (error) {
        if (!(error instanceof FormEncodeError)) throw error;
        refused[file] = error.pointer;
        continue;
      }
      carried += 1;
      expect(roundTrip(value), file).toEqual(value);
      expect(decoder.claims(text), file).toBe(true);
    }
    expect(refused).toEqual(REFUSED);
    expect(carried).toBe(examples.length - Object.keys(REFUSED).length);
  });
});

describe('encodeForm with numberAsText (what send --form uses)', () => {
  it('writes a number where the rules read text as its JSON text and reports each one; the rest round-trips exactly', () => {
    const refused: Record<string, string> = {};
    const asText: Record<string, string[]> = {};
    for (const { file, contentType } of examples) {
      const value = decoded(file, contentType);
      const reported: string[] = [];
      let text: string;
      try {
        text = encodeForm(value, options, { numberAsText: (pointer, n) => reported.push(`${pointer}=${n}`) });
      } catch (error) {
        if (!(error instanceof FormEncodeError)) throw error;
        refused[file] = error.pointer;
        continue;
      }
      if (reported.length > 0) asText[file] = reported;
      const back = decoder.decode(text);
      if (!back.ok) throw new Error(`${file}: refused`);
      // The value with each reported number replaced by its text.
      const expected = structuredClone(value) as Record<string, unknown>;
      for (const entry of reported) {
        const [pointer, n] = entry.split('=') as [string, string];
        const tokens = pointer.split('/').slice(1);
        let at: Record<string, unknown> = expected;
        for (const token of tokens.slice(0, -1)) at = at[token] as Record<string, unknown>;
        at[tokens[tokens.length - 1]!] = n;
      }
      expect(back.value, file).toEqual(expected);
    }
    expect(refused).toEqual(STILL_REFUSED);
    expect(Object.keys(asText).sort()).toEqual(['valid/many-products.json', 'valid/seed-all-blocks.json', 'valid/seed-products.json', 'valid/unicode-names.json']);
    expect(asText['valid/seed-all-blocks.json']).toEqual(['/products/0/id=123']);
  });
});

describe('encodeForm: what it writes', () => {
  it('brackets as written, values by the WHATWG serializer, numbers as JSON writes them', () => {
    const value = { email: 'a b+c@example.com', timestamp: 1528611279398, total: 55.9, products: [{ name: 'T-Shirt & Co', link: 'https://x.example/p?a=1', price: 12, id: '007' }], customer: { note: 'é' } };
    expect(encodeForm(value, options)).toBe(
      'email=a+b%2Bc%40example.com&timestamp=1528611279398&total=55.9&products[0][name]=T-Shirt+%26+Co&products[0][link]=https%3A%2F%2Fx.example%2Fp%3Fa%3D1&products[0][price]=12&products[0][id]=007&customer[note]=%C3%A9',
    );
  });

  it.each([
    [[1], '', 'an object (a form body is a list of named fields)', 'an array'],
    [{ a: true }, '/a', 'a string or a number (a form has no null, true or false)', 'a boolean'],
    [{ 'a[b]': 'x' }, '/a[b]', 'a field name without "[" or "]" (brackets nest fields in a form)', 'the name "a[b]"'],
    [{ products: { name: 'x' } }, '/products', 'an array (this field is written name[N]...)', 'an object'],
    [{ tags: ['x'] }, '/tags', 'a string or an object (a form writes arrays only at /products)', 'an array'],
    [{ customer: {} }, '/customer', 'at least one field (an empty object writes no field, so it would arrive absent)', 'an empty object'],
    [{ customer: { '': 'x' } }, '/customer/', 'a non-empty field name (an empty name in brackets or before them is read as part of the name)', 'an empty name'],
    [{ email: 'x\uD800' }, '/email', 'well-formed UTF-16 text', 'a string with a lone surrogate (it would arrive as U+FFFD)'],
  ])('refuses %j at %j: expected %s, found %s', (value, pointer, expected, found) => {
    const error = (() => {
      try {
        encodeForm(value, options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FormEncodeError);
    expect(error).toMatchObject({ pointer, expected, found });
  });

  it('round-trips generated objects of strings and declared numbers exactly', () => {
    const text = fc.string({ maxLength: 12, unit: 'grapheme' });
    const product = fc.record({ name: text, link: text, price: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)), id: text }, { requiredKeys: ['name', 'link'] });
    const body = fc.record(
      { email: text, firstName: text, timestamp: fc.integer({ min: 0 }), products: fc.array(product, { minLength: 1, maxLength: 25 }), location: fc.record({ city: text }) },
      { requiredKeys: ['email'] },
    );
    fc.assert(
      fc.property(body, (value) => {
        // A string that reads as a number at a number field is refused, and none is generated here.
        expect(roundTrip(value)).toEqual(value);
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });
});
