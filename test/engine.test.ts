/**
 * The validation engine on a table of its own (no contract): how a validator error becomes a
 * code, the semantics every contract gets (one code per pointer, warnings under errors dropped,
 * strict mode, never throwing), the stages before the schema, and the named checks.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

import { createEngine, type AjvError, type ValidateFunction } from '../src/engine/engine.js';
import type { CodeTable } from '../src/engine/table.js';
import { json } from '../src/media/json.js';
import { mediaTypes } from '../src/media/registry.js';

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const compile = (schema: object) => ajv.compile(schema) as ValidateFunction;

const errorSchema = {
  type: 'object',
  required: ['name', 'count'],
  properties: {
    name: { type: 'string', minLength: 1 },
    count: { type: 'integer', minimum: 0, maximum: 100 },
    tags: { type: 'array', items: { type: 'string' } },
  },
};
const warningSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z]+$' },
    count: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string', maxLength: 3 } },
    when: { type: 'string', pattern: '^\\d{4}$' },
    note: { type: 'string', not: { const: 'x' } },
  },
};

const table: CodeTable = {
  constants: { MAX_COUNT: 100 },
  order: { error: ['missing', 'negative', 'too-big', 'fraction', 'wrong-type', 'empty'] },
  ignore: [{ keyword: 'not', level: 'warning' }],
  codes: [
    { code: 'bad-json', level: 'error', stage: 'body', meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'invalid-json' }] },
    { code: 'unreadable', level: 'error', stage: 'body', meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'invalid-value' }] },
    { code: 'wrong-type', level: 'error', meaning: 'm', source: { decision: 'd' }, expected: '{type}', match: [{ keyword: 'type' }], fallback: { message: 'other: {rule}' } },
    { code: 'missing', level: 'error', meaning: 'm', source: { decision: 'd' }, match: [{ keyword: 'required', property: 'name', expected: 'a name' }, { keyword: 'required' }] },
    { code: 'empty', level: 'error', meaning: 'm', source: { decision: 'd' }, message: 'expected text, found {found}', match: [{ keyword: 'minLength' }] },
    { code: 'negative', level: 'error', meaning: 'm', source: { decision: 'd' }, match: [{ pointer: '/count', found: 'number', below: 0 }] },
    { code: 'fraction', level: 'error', meaning: 'm', source: { decision: 'd' }, match: [{ pointer: '/count', found: 'number', integer: false }] },
    { code: 'too-big', level: 'error', meaning: 'm', source: { decision: 'd' }, expected: 'at most {MAX_COUNT}', match: [{ pointer: '/count', found: 'number', above: 'MAX_COUNT' }] },
    { code: 'unknown', level: 'warning', meaning: 'm', source: { decision: 'd' }, message: 'unknown "{property}"', match: [{ keyword: 'additionalProperties' }] },
    {
      code: 'form',
      level: 'warning',
      meaning: 'm',
      source: { decision: 'd' },
      match: [
        {
          keyword: 'pattern',
          pointer: '/**/name',
          message: '{found}: {notes}',
          notes: [
            { valuePattern: '[A-Z]', text: 'upper case' },
            { valuePattern: '\\d', text: 'digits' },
          ],
        },
      ],
    },
    { code: 'long-tag', level: 'warning', meaning: 'm', source: { decision: 'd' }, match: [{ keyword: 'maxLength', pointer: '/tags/*' }] },
  ],
};

const make = (onUnmatched?: (level: string, error: AjvError) => void) =>
  createEngine(table, { error: compile(errorSchema), warning: compile(warningSchema), conforming: compile({ allOf: [errorSchema, warningSchema] }) }, { media: [json], onUnmatched });
const engine = make();
const codes = (list: Array<{ code: string; pointer: string }>) => list.map((v) => `${v.code} ${v.pointer}`);

describe('the engine maps validator errors to the table codes', () => {
  it('passes a conforming value with nothing to say', () => {
    expect(engine.validateValue({ name: 'abc', count: 3 })).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('gives a pointer one code: the first rule in `order`, whatever the order of the validator errors', () => {
    // -1.5 fails `type` (integer) and `minimum`: negative comes first in order.
    expect(codes(engine.validateValue({ name: 'abc', count: -1.5 }).errors)).toEqual(['negative /count']);
    expect(codes(engine.validateValue({ name: 'abc', count: 1.5 }).errors)).toEqual(['fraction /count']);
    expect(engine.validateValue({ name: 'abc', count: 101 }).errors).toEqual([{ code: 'too-big', pointer: '/count', message: 'expected at most 100, found a number 101' }]);
    expect(engine.validateValue({ name: 'abc', count: 'x' }).errors).toEqual([{ code: 'wrong-type', pointer: '/count', message: 'expected an integer, found a string "x"' }]);
  });

  it('points a missing or unknown property at the property, and picks a rule by the property it names', () => {
    expect(engine.validateValue({ count: 1 }).errors).toEqual([{ code: 'missing', pointer: '/name', message: 'expected a name, found nothing' }]);
    expect(engine.validateValue({ name: 'a' }).errors).toEqual([{ code: 'missing', pointer: '/count', message: 'expected a value (required), found nothing' }]);
    expect(engine.validateValue({ name: 'a', count: 1, 'a/b': 1 }).warnings).toEqual([{ code: 'unknown', pointer: '/a~1b', message: 'unknown "a/b"' }]);
  });

  it('fills notes, constants and templates from the data', () => {
    expect(engine.validateValue({ name: 'Ab1', count: 1 }).warnings).toEqual([{ code: 'form', pointer: '/name', message: 'a string "Ab1": upper case, digits' }]);
    expect(engine.validateValue({ name: '', count: 1 }).errors).toEqual([{ code: 'empty', pointer: '/name', message: 'expected text, found a string ""' }]);
  });

  it('gives an error no rule matches to the fallback, with its message', () => {
    const fallback = createEngine(table, { error: compile({ type: 'object', properties: { x: { const: 1 } } }) }, { media: [json] });
    expect(fallback.validateValue({ x: 2 }).errors).toEqual([{ code: 'wrong-type', pointer: '/x', message: 'other: must be equal to constant' }]);
  });

  it('reports a warning no rule matches as unmatched (a table bug), and ignores what `ignore` lists', () => {
    const unmatched: string[] = [];
    const audited = make((level, error) => unmatched.push(`${level} ${error.keyword} ${error.instancePath}`));
    expect(audited.validateValue({ name: 'abc', count: 1, when: '12' })).toEqual({ valid: true, errors: [], warnings: [] });
    expect(audited.validateValue({ name: 'abc', count: 1, note: 'x' })).toEqual({ valid: true, errors: [], warnings: [] });
    expect(unmatched).toEqual(['warning pattern /when']);
  });

  it('drops a warning at or under an error, and every warning when the body itself is an error', () => {
    const result = engine.validateValue({ name: 'abc', count: 1, tags: [7, 'long'], extra: 1 });
    expect(codes(result.errors)).toEqual(['wrong-type /tags/0']);
    expect(codes(result.warnings)).toEqual(['unknown /extra', 'long-tag /tags/1']);
    expect(engine.validateValue([1])).toEqual({ valid: false, errors: [{ code: 'wrong-type', pointer: '', message: 'expected an object, found an array of 1 item' }], warnings: [] });
  });

  it('reports warnings as errors after the errors in strict mode', () => {
    const result = engine.validateValue({ name: 'Abc', count: -1, extra: 1 }, { strict: true });
    expect(result.valid).toBe(false);
    expect(codes(result.errors)).toEqual(['negative /count', 'unknown /extra', 'form /name']);
    expect(result.warnings).toEqual([]);
  });

  it('never throws: a value that cannot be read is the invalid-value problem, mapped by the table', () => {
    const hostile = new Proxy({}, { get() { throw new Error('boom'); }, ownKeys() { throw new Error('boom'); }, has() { throw new Error('boom'); } });
    expect(engine.validateValue(hostile)).toEqual({ valid: false, errors: [{ code: 'unreadable', pointer: '', message: 'expected JSON data, found a value that cannot be read (boom)' }], warnings: [] });
  });
});

describe('the default messages, where a table gives no expected', () => {
  it('says in plain words what lengths, bounds, const, enum, dependentRequired and unknown fields want; a pattern keeps the validator\'s words', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      dependentRequired: { k: ['l'] },
      properties: {
        a: { minLength: 1 },
        b: { minLength: 3 },
        c: { maxLength: 2 },
        d: { minimum: 1 },
        e: { maximum: 5 },
        f: { multipleOf: 1 },
        g: { multipleOf: 0.5 },
        h: { const: 'x' },
        i: { enum: ['a', 'b', 3] },
        j: { minItems: 2 },
        k: {},
        l: {},
        n: { exclusiveMinimum: 0 },
        p: { pattern: '^z$' },
      },
    };
    const keywords = ['minLength', 'maxLength', 'minimum', 'maximum', 'multipleOf', 'const', 'enum', 'minItems', 'exclusiveMinimum', 'dependentRequired', 'additionalProperties', 'pattern'];
    const plain: CodeTable = {
      codes: [
        { code: 'unreadable', level: 'error', stage: 'body', meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'invalid-value' }] },
        { code: 'rule', level: 'error', meaning: 'm', source: { decision: 'd' }, match: [{ keyword: keywords }] },
      ],
    };
    const validator = compile(schema);
    const defaults = createEngine(plain, { error: validator, warning: validator, conforming: validator }, { media: [json] });
    const value = { a: '', b: 'ab', c: 'abc', d: 0, e: 6, f: 1.5, g: 0.25, h: 'y', i: 'd', j: [1], k: 1, n: 0, p: 'q', m: 1 };
    const messages = Object.fromEntries(defaults.validateValue(value).errors.map((v) => [v.pointer, v.message]));
    expect(messages).toEqual({
      '/a': 'expected a non-empty string, found a string ""',
      '/b': 'expected a string of at least 3 characters, found a string "ab"',
      '/c': 'expected a string of at most 2 characters, found a string "abc"',
      '/d': 'expected a number of 1 or more, found a number 0',
      '/e': 'expected a number of 5 or less, found a number 6',
      '/f': 'expected a whole number, found a number 1.5',
      '/g': 'expected a multiple of 0.5, found a number 0.25',
      '/h': 'expected "x", found a string "y"',
      '/i': 'expected "a", "b" or 3, found a string "d"',
      '/j': 'expected at least 2 items, found an array of 1 item',
      '/l': 'expected a value (required when k is present), found nothing',
      '/m': 'expected no field "m" (not one of the documented ones), found a number 1',
      '/n': 'expected a number above 0, found a number 0',
      '/p': 'expected a value that must match pattern "^z$", found a string "q"',
    });
  });
});

describe('the stages before the schema', () => {
  const bodyTable: CodeTable = {
    codes: [
      ...table.codes,
      { code: 'empty-body', level: 'error', stage: 'request', meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'empty-body' }] },
      { code: 'media', level: 'error', stage: 'request', status: 415, meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'unsupported-media-type' }] },
      { code: 'mismatch', level: 'error', stage: 'body', meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'content-type-mismatch' }] },
      { code: 'duplicate', level: 'error', stage: 'body', meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'form-duplicate-field' }] },
      { code: 'index', level: 'error', stage: 'body', meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'form-array-index' }] },
      { code: 'escape', level: 'warning', stage: 'body', meaning: 'm', source: { decision: 'd' }, match: [{ problem: 'form-encoding' }] },
      { code: 'big', level: 'warning', stage: 'body', meaning: 'm', source: { decision: 'd' }, message: 'at most {limit}, found {bytes}', match: [{ problem: 'body-too-large' }] },
    ],
    order: table.order,
    ignore: table.ignore,
    constants: table.constants,
  };
  const body = createEngine(bodyTable, { error: compile(errorSchema), warning: compile(warningSchema) }, {
    media: mediaTypes(['application/json', 'application/x-www-form-urlencoded'], { form: { arrays: ['/tags'], numbers: ['/count'] } }),
    bodyLimit: 60,
  });

  it('decodes by the Content-Type, parameters ignored, JSON by default', () => {
    const expected = { valid: true, errors: [], warnings: [], value: { name: 'abc', count: 2, tags: ['a', 'b'] } };
    expect(body.validateBody('{"name":"abc","count":2,"tags":["a","b"]}')).toEqual(expected);
    expect(body.validateBody('name=abc&count=2&tags[1]=b&tags[0]=a', { contentType: 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' })).toEqual(expected);
    expect(body.validateBody(new TextEncoder().encode('{"name":"abc","count":2,"tags":["a","b"]}'), { contentType: 'application/json;charset=utf-8' })).toEqual(expected);
  });

  it('refuses an empty body first, then a Content-Type it does not read, never guessing', () => {
    expect(codes(body.validateBody('', { contentType: null }).errors)).toEqual(['empty-body ']);
    expect(body.validateBody('{}', { contentType: null }).errors).toEqual([{ code: 'media', pointer: '', message: 'expected a Content-Type of application/json or application/x-www-form-urlencoded, found no Content-Type header' }]);
    expect(codes(body.validateBody('{}', { contentType: 'text/plain' }).errors)).toEqual(['media ']);
  });

  it('refuses a body in the other accepted format than its Content-Type says', () => {
    expect(body.validateBody('name=abc&count=2', { contentType: 'application/json' }).errors).toEqual([
      { code: 'mismatch', pointer: '', message: 'expected a body in application/json, as its Content-Type says, found a body that looks like application/x-www-form-urlencoded (send it with the Content-Type application/x-www-form-urlencoded)' },
    ]);
    expect(codes(body.validateBody(' \n{"name":"a=b"}', { contentType: 'application/x-www-form-urlencoded' }).errors)).toEqual(['mismatch ']);
    // Not JSON, and not form-shaped either (a space inside): plain invalid JSON.
    expect(codes(body.validateBody('name=a b', { contentType: 'application/json' }).errors)).toEqual(['bad-json ']);
  });

  it('keeps stage warnings beside the schema\'s, drops them under an error, and adds the body limit', () => {
    const result = body.validateBody('name=abc&count=2&extra=50%', { contentType: 'application/x-www-form-urlencoded' });
    expect(codes(result.warnings)).toEqual(['escape /extra', 'unknown /extra']);
    expect(codes(body.validateBody('name=abc&count=x%zz', { contentType: 'application/x-www-form-urlencoded' }).warnings)).toEqual([]);
    const large = body.validateBody(`{"name":"abc","count":2,"note":"${'é'.repeat(20)}"}`);
    expect(large.warnings).toEqual([{ code: 'big', pointer: '', message: 'at most 60, found 74' }]);
    expect(body.validateBody(`{"name":"abc","count":2,"note":"${'é'.repeat(13)}"}`).warnings).toEqual([]);
  });
});
