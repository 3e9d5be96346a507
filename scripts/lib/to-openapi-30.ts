/**
 * Derives an OpenAPI 3.0.3 document from the bundled 3.1 contract, for Dredd and for
 * older consumers. It translates what 3.0 can say in other words and fails loudly on
 * anything it cannot: a silent drop would make the 3.0 document promise less than the
 * contract without anyone noticing.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Schema keywords of JSON Schema 2020-12 that OpenAPI 3.0's Schema Object cannot express. */
const UNSUPPORTED_SCHEMA_KEYWORDS = [
  '$schema', '$id', '$anchor', '$dynamicRef', '$dynamicAnchor', '$defs', '$comment',
  'if', 'then', 'else', 'dependentSchemas', 'dependentRequired', 'prefixItems',
  'unevaluatedItems', 'unevaluatedProperties', 'contains', 'minContains', 'maxContains',
  'propertyNames', 'patternProperties', 'contentEncoding', 'contentMediaType', 'contentSchema',
];

export class Openapi30Error extends Error {}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(pointer: string, what: string): never {
  throw new Openapi30Error(`OpenAPI 3.0 cannot say ${what} (at ${pointer || '/'})`);
}

function escape(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function convertSchema(schema: Json, pointer: string): Json {
  if (!isObject(schema)) {
    if (typeof schema === 'boolean') fail(pointer, `a boolean schema (${schema})`);
    return schema;
  }
  const out: JsonObject = {};
  if ('$ref' in schema && Object.keys(schema).length > 1) {
    fail(pointer, 'keywords beside $ref');
  }
  for (const [key, value] of Object.entries(schema)) {
    const at = `${pointer}/${escape(key)}`;
    if (UNSUPPORTED_SCHEMA_KEYWORDS.includes(key)) fail(at, `the keyword "${key}"`);
    switch (key) {
      case 'const':
        out.enum = [value];
        break;
      case 'type':
        if (Array.isArray(value)) {
          const types = value.filter((t) => t !== 'null');
          if (types.length !== 1) fail(at, `a type list ${JSON.stringify(value)}`);
          out.type = types[0]!;
          if (types.length !== value.length) out.nullable = true;
        } else if (value === 'null') {
          fail(at, 'the type "null" alone');
        } else {
          out.type = value;
        }
        break;
      case 'examples':
        if (!Array.isArray(value)) fail(at, 'a non-array "examples" in a schema');
        if (value.length > 0) out.example = value[0]!;
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof value !== 'number') fail(at, `a non-numeric ${key}`);
        out[key === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = value;
        out[key] = true;
        break;
      case 'properties': {
        if (!isObject(value)) fail(at, 'non-object properties');
        const props: JsonObject = {};
        for (const [name, sub] of Object.entries(value)) props[name] = convertSchema(sub, `${at}/${escape(name)}`);
        out.properties = props;
        break;
      }
      case 'items':
        if (Array.isArray(value)) fail(at, 'a tuple "items"');
        out.items = convertSchema(value, at);
        break;
      case 'additionalProperties':
      case 'not':
        out[key] = typeof value === 'boolean' ? value : convertSchema(value, at);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (!Array.isArray(value)) fail(at, `a non-array ${key}`);
        out[key] = value.map((sub, i) => convertSchema(sub, `${at}/${i}`));
        break;
      default:
        out[key] = value;
    }
  }
  // 3.0 puts no type on a const/enum-only schema implicitly; nothing more to do.
  return out;
}

/** Walks the document, converting every Schema Object it finds in the places 3.0 allows them. */
function convertNode(node: Json, pointer: string, parentKey: string | undefined): Json {
  if (Array.isArray(node)) return node.map((item, i) => convertNode(item, `${pointer}/${i}`, parentKey));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    const at = `${pointer}/${escape(key)}`;
    if (key.startsWith('x-') || key === 'example' || key === 'examples') {
      out[key] = value; // extensions and example payloads are carried as they are
    } else if (key === 'schema') {
      out[key] = convertSchema(value, at);
    } else if (key === 'schemas' && parentKey === 'components') {
      if (!isObject(value)) fail(at, 'non-object components.schemas');
      const schemas: JsonObject = {};
      for (const [name, schema] of Object.entries(value)) schemas[name] = convertSchema(schema, `${at}/${escape(name)}`);
      out[key] = schemas;
    } else {
      out[key] = convertNode(value, at, key);
    }
  }
  return out;
}

export function toOpenapi30(document: JsonObject): JsonObject {
  if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.1')) {
    fail('/openapi', `a document that is not OpenAPI 3.1 (found ${JSON.stringify(document.openapi)})`);
  }
  if ('webhooks' in document) fail('/webhooks', 'top-level webhooks');
  if ('jsonSchemaDialect' in document) fail('/jsonSchemaDialect', 'a JSON Schema dialect');
  const converted = convertNode(document, '', undefined) as JsonObject;
  converted.openapi = '3.0.3';
  const info = { ...(converted.info as JsonObject) };
  if (typeof info.summary === 'string') {
    info.description = `${info.summary}\n\n${info.description ?? ''}`.trimEnd();
    delete info.summary;
  }
  if (isObject(info.license) && typeof info.license.identifier === 'string') {
    const { identifier, ...license } = info.license;
    info.license = { ...license, url: `https://spdx.org/licenses/${identifier}.html` };
  }
  converted.info = info;
  return converted;
}
