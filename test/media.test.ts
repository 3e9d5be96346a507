/**
 * The media types of the engine's registry, and its named checks. The form decoder follows the
 * rules spec/provesource/README.md documents ("Form bodies"); where the standard defines the
 * decoding (fields, "+", escapes) it must agree with URLSearchParams to the character.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { runCheck } from '../src/engine/checks.js';
import { form } from '../src/media/form.js';
import { json } from '../src/media/json.js';
import { MEDIA_TYPES, mediaTypes } from '../src/media/registry.js';

const SEED = 20261123;
const decoder = form({ arrays: ['/products'], numbers: ['/timestamp', '/total', '/products/*/price', '/products/*/quantity'] });
const decode = (text: string) => decoder.decode(text);
const value = (text: string) => {
  const result = decode(text);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.value;
};
const problems = (text: string) => {
  const result = decode(text);
  return result.ok ? (result.warnings ?? []).map((w) => `${w.problem} ${w.pointer}`) : result.errors.map((e) => `${e.problem} ${e.pointer}`);
};

describe('the registry', () => {
  it('keys one decoder per media type and refuses one it does not know', () => {
    expect(Object.keys(MEDIA_TYPES)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(mediaTypes(['application/json']).map((m) => m.type)).toEqual(['application/json']);
    expect(() => mediaTypes(['application/xml'])).toThrow(/no decoder for the media type application\/xml/);
  });
});

describe('application/json', () => {
  it('claims a text whose first character other than whitespace opens an object or an array', () => {
    expect([' \n{', '[1]', '\uFEFF{}'].map((t) => json.claims(t))).toEqual([true, true, true]);
    expect(['a=1', '"x"', '', '  '].map((t) => json.claims(t))).toEqual([false, false, false, false]);
  });
});

describe('application/x-www-form-urlencoded: fields as the WHATWG URL Standard reads them', () => {
  // ASCII text (what encoders write) where the standard's edges are: escapes (good, bad, cut,
  // overlong, surrogates), "+", separators. Node 20's URLSearchParams misreads raw non-ASCII
  // characters next to a bad escape ("é%E9" as two U+FFFD), so those cases are checked below
  // against what Chromium's URLSearchParams gives.
  const piece = fc.oneof(
    fc.constantFrom('%', '%4', '%41', '%zz', '%E9', '%C3%A9', '%F0%9F%98', '%ED%A0%80', '%C0%80', '+', '=', '&', '%2B', '%26', '%3D', 'a', 'B', ' '),
    fc.string({ maxLength: 3, unit: 'binary-ascii' }),
  );
  const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

  it('decodes every name and value as URLSearchParams does, and flags exactly the parts with a bad escape or bytes that are not UTF-8', () => {
    const flat = form();
    fc.assert(
      fc.property(text, (body) => {
        // (A leading "&" keeps the constructor from dropping a leading "?", as it does for a URL's query.)
        const pairs = [...new URLSearchParams(`&${body}`)];
        const names = pairs.map(([name]) => name);
        // Bracketed names and repeated fields follow the contract's rules, not the standard's.
        fc.pre(names.every((name) => !name.includes('[')) && new Set(names).size === names.length);
        const result = flat.decode(body);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const decoded = result.value as Record<string, unknown>;
        // Sorted: an object lists integer-like keys first, whatever the order of the fields.
        const sorted = (entries: Array<[string, unknown]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        expect(sorted(Object.entries(decoded))).toEqual(sorted(pairs));
        const broken = body.split('&').filter((part) => part !== '').filter((part) => {
          const spaced = part.replace(/\+/g, ' ');
          if (/%(?![0-9A-Fa-f]{2})/.test(spaced)) return true;
          try {
            decodeURIComponent(spaced.replace(/[^%]+/g, (run) => encodeURIComponent(run.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))));
            return false;
          } catch {
            return true;
          }
        });
        const pointer = (part: string) => `/${new URLSearchParams(`&${part}`).keys().next().value!.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        expect((result.warnings ?? []).map((w) => w.pointer).sort()).toEqual([...new Set(broken.map(pointer))].sort());
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it('reads raw non-ASCII characters next to bad escapes as the standard (and Chromium) does', () => {
    // Chromium 156: [...new URLSearchParams('😀%F0%9F%98=é%E9')] is [['😀\uFFFD', 'é\uFFFD']].
    const result = decode('😀%F0%9F%98=é%E9');
    expect(result.ok && result.value).toEqual({ '😀\uFFFD': 'é\uFFFD' });
  });

  it('keeps a bare "%" as written and reads Latin-1 bytes as U+FFFD, with a warning on that field', () => {
    expect(decode('productName=50% off&firstName=Jos%E9')).toEqual({
      ok: true,
      value: { productName: '50% off', firstName: 'Jos\uFFFD' },
      warnings: [
        { problem: 'form-encoding', pointer: '/productName', message: 'expected %XX escapes of UTF-8 bytes, found a "%" not followed by two hex digits (kept as written) in the field "productName"' },
        { problem: 'form-encoding', pointer: '/firstName', message: 'expected %XX escapes of UTF-8 bytes, found percent-escapes of bytes that are not UTF-8 (read as U+FFFD) in the field "firstName"' },
      ],
    });
  });

  it('reads raw bytes that are not UTF-8 as U+FFFD, with a warning at the body', () => {
    const result = decoder.text(new Uint8Array([0x61, 0x3d, 0xe9]));
    expect(result).toEqual({
      ok: true,
      text: 'a=\uFFFD',
      warnings: [{ problem: 'form-encoding', pointer: '', message: 'expected UTF-8 text (a form body is percent-encoded ASCII), found a byte that is not UTF-8 at byte offset 2 (read as U+FFFD)' }],
    });
  });
});

describe('application/x-www-form-urlencoded: the contract\'s rules', () => {
  it('nests bracketed names in objects, brackets percent-encoded or not, and keeps other shapes as written', () => {
    expect(value('customer[id]=7&customer%5Bname%5D=Jo&a[b=1&[x]=2&c[]=3')).toEqual({ customer: { id: '7', name: 'Jo' }, 'a[b': '1', '[x]': '2', 'c[]': '3' });
  });

  it('reads products[N][field] with indices from 0 without gaps, in any order, past 20', () => {
    const body = Array.from({ length: 25 }, (_, i) => 24 - i).map((i) => `products[${i}][name]=P${i}&products[${i}][link]=https://x/${i}`).join('&');
    const products = (value(body) as { products: Array<{ name: string }> }).products;
    expect(products).toHaveLength(25);
    expect(products.map((p) => p.name)).toEqual(Array.from({ length: 25 }, (_, i) => `P${i}`));
    expect(value('products[0]=T-Shirt')).toEqual({ products: ['T-Shirt'] });
    expect(value('products=T-Shirt')).toEqual({ products: 'T-Shirt' });
  });

  it.each([
    ['products[][name]=A&products[][name]=B', 'empty brackets'],
    ['products[name]=A', 'a key'],
    ['products[01][name]=A', 'a leading zero'],
    ['products[0].name=A', 'dots'],
    ['products[0][name]=A&products[2][name]=C', 'a gap'],
    ['products[1][name]=A', 'no index 0'],
    ['products[0][name]=A&products[99999999999999999999][name]=B', 'an index beyond any array'],
  ])('refuses %s (%s) with form-array-index at the array', (body) => {
    expect(problems(body)).toEqual(['form-array-index /products']);
  });

  it.each([
    ['email=a&email=b', '/email'],
    ['products[0][name]=A&products[0][name]=B', '/products/0/name'],
    ['products=x&products[0][name]=A', '/products'],
    ['products[0][name]=A&products=x', '/products'],
    ['customer[id]=1&customer[id][x]=2', '/customer/id'],
  ])('refuses %s with form-duplicate-field at %s', (body, pointer) => {
    expect(problems(body)).toEqual([`form-duplicate-field ${pointer}`]);
  });

  it('reads a value written as a JSON number as that number at the declared pointers only', () => {
    const numbers = ['55', '55.90', '-5', '1.5e3', '0', '1e999'];
    const strings = ['+5', '05', '55,90', '.5', ' 55', '0x37', '', '5.', 'NaN', 'Infinity'];
    for (const text of numbers) expect(value(`total=${encodeURIComponent(text)}`), text).toEqual({ total: Number(text) });
    for (const text of strings) expect(value(`total=${encodeURIComponent(text)}`), text).toEqual({ total: text });
    expect(value('products[0][price]=12.50&products[0][quantity]=2&products[0][id]=00123&guid=55')).toEqual({ products: [{ price: 12.5, quantity: 2, id: '00123' }], guid: '55' });
  });

  it('reads __proto__ and constructor as data and pollutes nothing', () => {
    const result = value('__proto__[polluted]=1&constructor[prototype][polluted]=1&email=a') as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['__proto__', 'constructor', 'email']);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('claims a text with "=" and no whitespace inside, quote or brace', () => {
    expect(['a=1', ' a=1&b=2\n', 'a='].map((t) => decoder.claims(t))).toEqual([true, true, true]);
    expect(['a', 'a = 1', '{"a":"b=c"}', 'a="x"'].map((t) => decoder.claims(t))).toEqual([false, false, false, false]);
  });

  it('answers hostile bodies in linear time: 100,000 fields, a name of 100,000 bracket groups', () => {
    let started = performance.now();
    const many = Array.from({ length: 100_000 }, (_, i) => `f${i}=${i}`).join('&');
    expect(Object.keys(value(many) as object)).toHaveLength(100_000);
    const deep = `a${'[x]'.repeat(100_000)}=1`;
    let node = value(deep) as Record<string, unknown>;
    let depth = 0;
    while (typeof node === 'object') {
      node = (node.a ?? node.x) as Record<string, unknown>;
      depth += 1;
    }
    expect(depth).toBe(100_001);
    expect(problems(`products[0]${'[0]'.repeat(50_000)}=1`)).toEqual([]);
    expect(problems(`products[00]${'[0]'.repeat(50_000)}=1`)).toEqual(['form-array-index /products']);
    expect(performance.now() - started).toBeLessThan(5000);
    started = performance.now();
    expect(problems(`${'email=a&'.repeat(50_000)}`)).toEqual(['form-duplicate-field /email']);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('the named checks', () => {
  const jsonInString = { name: 'json-in-string', pointer: '/data/content', otherwise: '^[A-Z][A-Z0-9_]*$' } as const;
  it.each([
    ['{"a":1}', []],
    [' {"a":1}', []],
    ['GCM_ERROR', []],
    ['{"a":', ['not JSON: expected a value (object, array, string, number, true, false or null), found end of input at position 5']],
    ['gcm error', ['neither JSON nor a code']],
    ['"{}"', ['neither JSON nor a code']],
    ['123', ['neither JSON nor a code']],
    ['', ['empty']],
  ])('json-in-string on %j', (content, details) => {
    expect(runCheck(jsonInString, { data: { content } }, {}).map((f) => f.detail)).toEqual(details);
  });

  it('json-in-string leaves absent values and other types to the schema', () => {
    expect(runCheck(jsonInString, { data: { content: { a: 1 } } }, {})).toEqual([]);
    expect(runCheck(jsonInString, {}, {})).toEqual([]);
  });

  it('max-properties-per-type counts by the first type a value matches, unless the condition holds', () => {
    const check = {
      name: 'max-properties-per-type',
      pointer: '/data',
      max: 2,
      types: [
        { name: 'date', found: 'string', valuePattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        { name: 'string', found: 'string' },
        { name: 'number', found: 'number' },
      ],
      unless: { pointer: '/kind', equals: 'system' },
    } as const;
    const data = { a: '2024-01-01', b: '2024-01-02', c: '2024-01-03', d: 'x', e: 'y', f: 1, g: null, h: [1, 2, 3] };
    expect(runCheck(check, { data }, {})).toEqual([{ pointer: '/data', detail: '3 properties of type date, at most 2 allowed' }]);
    expect(runCheck(check, { data: { ...data, i: 'z' } }, {}).map((f) => f.detail)).toEqual(['3 properties of type date, at most 2 allowed', '3 properties of type string, at most 2 allowed']);
    expect(runCheck(check, { data, kind: 'system' }, {})).toEqual([]);
  });

  it('equals-parameter compares a body value with a request parameter, when the caller knows it', () => {
    const query = { name: 'equals-parameter', pointer: '/license', parameter: { in: 'query', name: 'licenseCode' } } as const;
    const header = { name: 'equals-parameter', pointer: '/id', parameter: { in: 'header', name: 'X-Request-Id' } } as const;
    expect(runCheck(query, { license: 'a' }, { parameters: { query: { licenseCode: 'b' } } })).toEqual([{ pointer: '/license', detail: 'the query parameter licenseCode is "b"' }]);
    expect(runCheck(query, { license: 'a' }, { parameters: { query: { licenseCode: 'a' } } })).toEqual([]);
    expect(runCheck(query, { license: 'a' }, {})).toEqual([]);
    expect(runCheck(header, { id: 'x' }, { parameters: { header: { 'x-request-id': 'y' } } })).toHaveLength(1);
  });
});
