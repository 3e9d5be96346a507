import { describe, expect, it } from 'vitest';

import { DROPPED, Openapi30Error, toOpenapi30 } from '../scripts/lib/to-openapi-30.ts';

const doc = (schema: unknown) => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1', summary: 'S', description: 'D', license: { name: 'MIT', identifier: 'MIT' } },
  paths: {},
  components: { schemas: { X: schema } },
});
const converted = (schema: unknown) => (toOpenapi30(doc(schema) as never) as { components: { schemas: { X: unknown } } }).components.schemas.X;

describe('toOpenapi30', () => {
  it('rewrites what 3.0 says differently', () => {
    const out = toOpenapi30(doc({ type: 'string' }) as never) as Record<string, any>;
    expect(out.openapi).toBe('3.0.3');
    expect(out.info).toEqual({ title: 't', version: '1', description: 'S\n\nD', license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' } });
    expect(converted({ const: 'Placed Order' })).toEqual({ enum: ['Placed Order'] });
    expect(converted({ type: ['string', 'null'] })).toEqual({ type: 'string', nullable: true });
    expect(converted({ type: 'integer', examples: [1, 2] })).toEqual({ type: 'integer', example: 1 });
    expect(converted({ type: 'number', exclusiveMinimum: 0 })).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true });
    expect(converted({ oneOf: [{ properties: { a: { const: 1 } } }] })).toEqual({ oneOf: [{ properties: { a: { enum: [1] } } }] });
    // 3.1 applies keywords beside $ref, 3.0 ignores them: allOf says the same in 3.0.
    expect(converted({ $ref: '#/x', description: 'd' })).toEqual({ description: 'd', allOf: [{ $ref: '#/x' }] });
    expect(converted({ $ref: '#/x', allOf: [{ minLength: 1 }], const: 'a' })).toEqual({ enum: ['a'], allOf: [{ $ref: '#/x' }, { minLength: 1 }] });
  });

  it.each([
    [{ if: { type: 'string' }, then: {} }, /the keyword "if" \(at \/components\/schemas\/X\/if\)/],
    [{ type: ['string', 'integer'] }, /a type list \["string","integer"\]/],
    [{ $defs: {} }, /the keyword "\$defs"/],
    [{ prefixItems: [] }, /the keyword "prefixItems"/],
    [{ properties: { a: { unevaluatedProperties: false } } }, /at \/components\/schemas\/X\/properties\/a\/unevaluatedProperties/],
    [{ $ref: '#/x', if: {} }, /the keyword "if" \(at \/components\/schemas\/X\/if\)/],
    [{ type: 'null' }, /the type "null" alone/],
  ])('fails loudly on %j', (schema, message) => {
    expect(() => toOpenapi30(doc(schema) as never)).toThrow(Openapi30Error);
    expect(() => toOpenapi30(doc(schema) as never)).toThrow(message);
  });

  it('refuses a document that is not 3.1, and 3.1-only top-level members', () => {
    expect(() => toOpenapi30({ ...doc({}), openapi: '3.0.3' } as never)).toThrow(/not OpenAPI 3.1/);
    expect(() => toOpenapi30({ ...doc({}), webhooks: {} } as never)).toThrow(/top-level webhooks/);
    expect(() => toOpenapi30({ ...doc({}), jsonSchemaDialect: 'x' } as never)).toThrow(/a JSON Schema dialect/);
  });

  describe('webhooks', () => {
    const item = (operationId: string) => ({ post: { operationId, responses: { '200': { description: 'ok' } } } });
    const withWebhooks = { openapi: '3.1.0', info: { title: 't', version: '1' }, webhooks: { a: item('ra'), b: item('rb') }, components: { schemas: {} } };

    it('become paths at the path given for each, marked x-webhook, where webhooks was', () => {
      const out = toOpenapi30(withWebhooks as never, { webhookPaths: { a: '/hooks/a', b: '/hooks/b' } }) as Record<string, unknown>;
      expect(Object.keys(out)).toEqual(['openapi', 'info', 'paths', 'components']);
      expect(out.paths).toEqual({ '/hooks/a': { 'x-webhook': 'a', ...item('ra') }, '/hooks/b': { 'x-webhook': 'b', ...item('rb') } });
      // Beside existing paths, which keep their place and come first.
      const both = toOpenapi30({ ...withWebhooks, paths: { '/p': item('p') } } as never, { webhookPaths: { a: '/a', b: '/b' } }) as { paths: object };
      expect(Object.keys(both.paths)).toEqual(['/p', '/a', '/b']);
    });

    it.each([
      [{ a: '/a' }, /a webhook without a path to put it at \(at \/webhooks\/b\)/],
      [{ a: '/same', b: '/same' }, /a webhook at \/same, where paths already has an item \(at \/webhooks\/b\)/],
      [{ a: '/a', b: '/b', c: '/c' }, /a path for the webhook "c", which the document does not have/],
    ])('fail loudly without one path each (%j)', (webhookPaths, message) => {
      expect(() => toOpenapi30(withWebhooks as never, { webhookPaths })).toThrow(Openapi30Error);
      expect(() => toOpenapi30(withWebhooks as never, { webhookPaths })).toThrow(message);
    });
  });

  describe('recommendations', () => {
    const schemas = {
      Rule: { type: 'object', dependentRequired: { a: ['b'] } },
      Advice: { type: 'object', dependentRequired: { a: ['b'] }, properties: { n: { type: 'string', propertyNames: { maxLength: 3 }, if: { minLength: 1 }, then: { maxLength: 9 } } } },
    };
    const document = { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {}, components: { schemas } };

    it('lose what 3.0 cannot say where only recommendations reach, named in x-openapi-3.1-only at each place', () => {
      const out = toOpenapi30({ ...document, components: { schemas: { Advice: schemas.Advice } } } as never, { recommendationOnly: new Set(['Advice']) }) as {
        components: { schemas: Record<string, unknown> };
      };
      expect(out.components.schemas.Advice).toEqual({ type: 'object', properties: { n: { type: 'string', [DROPPED]: ['propertyNames', 'if', 'then'] } }, [DROPPED]: ['dependentRequired'] });
    });

    it('still fail loudly in a schema of the rules', () => {
      expect(() => toOpenapi30(document as never, { recommendationOnly: new Set(['Advice']) })).toThrow(/the keyword "dependentRequired" \(at \/components\/schemas\/Rule\/dependentRequired\)/);
    });
  });
});
