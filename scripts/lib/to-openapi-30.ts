/**
 * Derives an OpenAPI 3.0.3 document from the bundled 3.1 contract, for Dredd and for
 * older consumers. It translates what 3.0 can say in other words and fails loudly on
 * anything it cannot: a silent drop would make the 3.0 document promise less than the
 * contract without anyone noticing. Two exceptions, each said in the document itself:
 * - webhooks (3.0 has none) become paths, each at the path given for it, marked `x-webhook`;
 * - in a component schema that only recommendations reach (a warning level, never an error),
 *   a keyword 3.0 cannot say is dropped and named in `x-openapi-3.1-only` at that place: the
 *   3.0 document then accepts more than the recommendation, never less than the rules.
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

export interface Openapi30Options {
  /** Where each webhook goes under paths: webhook name -> path (without it, webhooks fail). */
  webhookPaths?: Readonly<Record<string, string>>;
  /** Component schemas that only recommendations reach: there, a keyword 3.0 cannot say is dropped. */
  recommendationOnly?: ReadonlySet<string>;
}

/** The extension that names, at a schema, the keywords dropped there. */
export const DROPPED = 'x-openapi-3.1-only';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(pointer: string, what: string): never {
  throw new Openapi30Error(`OpenAPI 3.0 cannot say ${what} (at ${pointer || '/'})`);
}

function escape(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function convertSchema(schema: Json, pointer: string, drop = false): Json {
  if (!isObject(schema)) {
    if (typeof schema === 'boolean') fail(pointer, `a boolean schema (${schema})`);
    return schema;
  }
  if ('$ref' in schema && Object.keys(schema).length > 1) {
    // 3.0 ignores keywords beside $ref; 3.1 applies both, which 3.0 says with allOf.
    const { $ref, allOf, ...rest } = schema;
    return convertSchema({ ...rest, allOf: [{ $ref }, ...(Array.isArray(allOf) ? allOf : [])] }, pointer, drop);
  }
  const out: JsonObject = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    const at = `${pointer}/${escape(key)}`;
    if (UNSUPPORTED_SCHEMA_KEYWORDS.includes(key)) {
      if (!drop) fail(at, `the keyword "${key}"`);
      dropped.push(key);
      continue;
    }
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
        for (const [name, sub] of Object.entries(value)) props[name] = convertSchema(sub, `${at}/${escape(name)}`, drop);
        out.properties = props;
        break;
      }
      case 'items':
        if (Array.isArray(value)) fail(at, 'a tuple "items"');
        out.items = convertSchema(value, at, drop);
        break;
      case 'additionalProperties':
      case 'not':
        out[key] = typeof value === 'boolean' ? value : convertSchema(value, at, drop);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (!Array.isArray(value)) fail(at, `a non-array ${key}`);
        out[key] = value.map((sub, i) => convertSchema(sub, `${at}/${i}`, drop));
        break;
      default:
        out[key] = value;
    }
  }
  if (dropped.length > 0) out[DROPPED] = dropped;
  // 3.0 puts no type on a const/enum-only schema implicitly; nothing more to do.
  return out;
}

/** Walks the document, converting every Schema Object it finds in the places 3.0 allows them. */
function convertNode(node: Json, pointer: string, parentKey: string | undefined, options: Openapi30Options): Json {
  if (Array.isArray(node)) return node.map((item, i) => convertNode(item, `${pointer}/${i}`, parentKey, options));
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
      for (const [name, schema] of Object.entries(value)) schemas[name] = convertSchema(schema, `${at}/${escape(name)}`, options.recommendationOnly?.has(name) === true);
      out[key] = schemas;
    } else {
      out[key] = convertNode(value, at, key, options);
    }
  }
  return out;
}

/** Puts each webhook under paths at the path given for it (3.0 has no webhooks). */
function webhooksAsPaths(document: JsonObject, webhookPaths: Readonly<Record<string, string>> | undefined): JsonObject {
  if (!('webhooks' in document)) return document;
  if (!webhookPaths) fail('/webhooks', 'top-level webhooks (give each a path to put it at)');
  const webhooks = document.webhooks;
  if (!isObject(webhooks)) fail('/webhooks', 'non-object webhooks');
  const paths: JsonObject = isObject(document.paths) ? { ...document.paths } : {};
  for (const [name, item] of Object.entries(webhooks)) {
    const path = webhookPaths[name];
    if (path === undefined) fail(`/webhooks/${escape(name)}`, 'a webhook without a path to put it at');
    if (path in paths) fail(`/webhooks/${escape(name)}`, `a webhook at ${path}, where paths already has an item`);
    if (!isObject(item)) fail(`/webhooks/${escape(name)}`, 'a webhook that is not a Path Item Object');
    paths[path] = { 'x-webhook': name, ...item };
  }
  for (const name of Object.keys(webhookPaths)) {
    if (!(name in webhooks)) fail(`/webhooks/${escape(name)}`, `a path for the webhook "${name}", which the document does not have`);
  }
  // paths where it was, or where webhooks was when the document had no paths.
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(document)) {
    if (key === 'paths' || (key === 'webhooks' && !('paths' in document))) result.paths = paths;
    else if (key !== 'webhooks') result[key] = value;
  }
  return result;
}

export function toOpenapi30(document: JsonObject, options: Openapi30Options = {}): JsonObject {
  if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.1')) {
    fail('/openapi', `a document that is not OpenAPI 3.1 (found ${JSON.stringify(document.openapi)})`);
  }
  if ('jsonSchemaDialect' in document) fail('/jsonSchemaDialect', 'a JSON Schema dialect');
  const converted = convertNode(webhooksAsPaths(document, options.webhookPaths), '', undefined, options) as JsonObject;
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
