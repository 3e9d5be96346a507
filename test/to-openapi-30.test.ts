import { describe, expect, it } from 'vitest';

import { Openapi30Error, toOpenapi30 } from '../scripts/lib/to-openapi-30.ts';

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
  });

  it.each([
    [{ if: { type: 'string' }, then: {} }, /the keyword "if" \(at \/components\/schemas\/X\/if\)/],
    [{ type: ['string', 'integer'] }, /a type list \["string","integer"\]/],
    [{ $defs: {} }, /the keyword "\$defs"/],
    [{ prefixItems: [] }, /the keyword "prefixItems"/],
    [{ properties: { a: { unevaluatedProperties: false } } }, /at \/components\/schemas\/X\/properties\/a\/unevaluatedProperties/],
    [{ $ref: '#/x', description: 'd' }, /keywords beside \$ref/],
    [{ type: 'null' }, /the type "null" alone/],
  ])('fails loudly on %j', (schema, message) => {
    expect(() => toOpenapi30(doc(schema) as never)).toThrow(Openapi30Error);
    expect(() => toOpenapi30(doc(schema) as never)).toThrow(message);
  });

  it('refuses a document that is not 3.1, and 3.1-only top-level members', () => {
    expect(() => toOpenapi30({ ...doc({}), openapi: '3.0.3' } as never)).toThrow(/not OpenAPI 3.1/);
    expect(() => toOpenapi30({ ...doc({}), webhooks: {} } as never)).toThrow(/top-level webhooks/);
  });
});
