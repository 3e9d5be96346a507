/**
 * Compares the operations of two OpenAPI 3.1 documents, under `paths` and under `webhooks` alike:
 * operations, parameters, request bodies, responses, headers and media types, then each schema.
 */
import { type Location, child, describe, escapePointer, isObject } from './refs.js';
import { compareAnnotations, compareSchema } from './schema.js';
import { compareSecurity } from './security.js';
import type { Direction } from './rules.js';
import type { Context, Walk } from './walk.js';

type Side = 'old' | 'new';
type Obj = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Headers that OpenAPI says to ignore as parameters: they are described elsewhere. */
const IGNORED_HEADER_PARAMETERS = new Set(['accept', 'content-type', 'authorization']);
const SERIALIZATION = ['style', 'explode', 'allowReserved', 'allowEmptyValue'] as const;

/**
 * The media type extension for a second schema of the same message whose failures are only
 * warnings (a recommendation): validators ignore it, `diff` compares it at the warning level.
 */
export const WARNING_SCHEMA_KEY = 'x-warning-schema';

interface Found {
  value: Obj;
  at: Location;
}

/** The document is an OpenAPI 3.1 object with `paths` and `webhooks` objects where present. */
export function checkRoot(walk: Walk, side: Side): Obj {
  const resolver = walk.resolver(side);
  const document = resolver.root;
  const here = { url: resolver.url, pointer: '' };
  if (!isObject(document)) throw resolver.error(here, 'an OpenAPI document (an object)', describe(document));
  const version = document.openapi;
  if (typeof version !== 'string' || !/^3\.1\.\d+/.test(version)) {
    throw resolver.error({ ...here, pointer: '/openapi' }, 'an OpenAPI 3.1 document ("openapi": "3.1.x")', describe(version));
  }
  for (const key of ['paths', 'webhooks'] as const) {
    if (document[key] !== undefined && !isObject(document[key])) throw resolver.error({ ...here, pointer: `/${key}` }, `an object of ${key === 'paths' ? 'path items' : 'webhooks'}`, describe(document[key]));
  }
  return document;
}

export function compareDocuments(walk: Walk): void {
  const before = checkRoot(walk, 'old');
  const after = checkRoot(walk, 'new');
  for (const location of ['paths', 'webhooks'] as const) {
    const oldItems = (before[location] ?? {}) as Obj;
    const newItems = (after[location] ?? {}) as Obj;
    for (const [oldKey, newKey] of pairKeys(location, Object.keys(oldItems), Object.keys(newItems))) {
      const key = newKey ?? oldKey!;
      const oldItem = oldKey === undefined ? undefined : walk.object('old', oldItems[oldKey], { url: walk.old.url, pointer: child(`/${location}`, oldKey) }, 'a path item (an object)');
      const newItem = newKey === undefined ? undefined : walk.object('new', newItems[newKey], { url: walk.new.url, pointer: child(`/${location}`, newKey) }, 'a path item (an object)');
      for (const method of METHODS) {
        const label = location === 'paths' ? `${method.toUpperCase()} ${key}` : `webhook ${key} (${method.toUpperCase()})`;
        const pointer = child(`/${location}`, key, method);
        const oldOp = oldItem && operation(walk, 'old', oldItem, method);
        const newOp = newItem && operation(walk, 'new', newItem, method);
        if (!oldOp && !newOp) continue;
        const ctx: Context = {
          direction: 'request',
          operation: label,
          subject: label,
          path: '',
          pointer,
          oldAt: oldOp?.at ?? null,
          newAt: newOp?.at ?? null,
          oldLevel: 'error',
          newLevel: 'error',
          stack: [],
        };
        if (!oldOp) walk.emit('operation-added', ctx, location === 'paths' ? 'operation added' : 'webhook added');
        else if (!newOp) walk.emit('operation-removed', ctx, location === 'paths' ? 'operation removed' : 'webhook removed');
        else compareOperation(walk, { ...oldItem!, key: oldKey! }, { ...newItem!, key: newKey! }, oldOp, newOp, ctx);
      }
    }
  }
}

/** Pairs path keys: the same key, else the same template (`/orders/{id}` and `/orders/{orderId}`). */
function pairKeys(location: string, before: string[], after: string[]): Array<[string | undefined, string | undefined]> {
  const template = (key: string) => (location === 'paths' ? key.replace(/\{[^}]*\}/g, '{}') : key);
  const pairs: Array<[string | undefined, string | undefined]> = [];
  const unmatched = new Set(after);
  for (const key of before) {
    const match = unmatched.has(key) ? key : [...unmatched].find((k) => template(k) === template(key));
    if (match !== undefined) unmatched.delete(match);
    pairs.push([key, match]);
  }
  for (const key of after) if (unmatched.has(key)) pairs.push([undefined, key]);
  return pairs;
}

function operation(walk: Walk, side: Side, item: Found, method: string): Found | undefined {
  return walk.object(side, item.value[method], { url: item.at.url, pointer: child(item.at.pointer, method) }, 'an operation (an object)');
}

/** A path item with its key: a path template under `paths`, a name under `webhooks`. */
interface PathItem extends Found {
  key: string;
}

function compareOperation(walk: Walk, oldItem: PathItem, newItem: PathItem, oldOp: Found, newOp: Found, ctx: Context): void {
  compareAnnotations(walk, oldOp.value, newOp.value, ctx, ['summary', 'description', 'operationId', 'deprecated', 'externalDocs']);
  compareSecurity(walk, oldOp, newOp, ctx);
  compareParameters(walk, [oldItem, oldOp], [newItem, newOp], ctx);
  compareRequestBody(walk, oldOp, newOp, ctx);
  compareResponses(walk, oldOp, newOp, ctx);
}

// Parameters: the path item's and the operation's (which overrides), keyed by location and name.

interface Parameter {
  value: Obj;
  at: Location;
  /** Logical pointer of its declaration. */
  pointer: string;
  name: string;
  in: string;
}

function parameters(walk: Walk, side: Side, [item, op]: [PathItem, Found], ctx: Context): Map<string, Parameter> {
  const found = new Map<string, Parameter>();
  // Path parameters are keyed by their place in the template: renaming {id} to {orderId} changes nothing on the wire.
  const places = [...item.key.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const opPointer = ctx.pointer;
  const itemPointer = opPointer.slice(0, opPointer.lastIndexOf('/'));
  for (const [owner, pointer] of [[item, itemPointer], [op, opPointer]] as const) {
    const list = owner.value.parameters;
    if (list === undefined) continue;
    const listAt = { url: owner.at.url, pointer: child(owner.at.pointer, 'parameters') };
    if (!Array.isArray(list)) throw walk.resolver(side).error(listAt, 'an array of parameters', describe(list));
    list.forEach((entry, index) => {
      const parameter = walk.object(side, entry, { url: listAt.url, pointer: child(listAt.pointer, index) }, 'a parameter (an object)')!;
      const { name, in: where } = parameter.value;
      if (typeof name !== 'string') throw walk.resolver(side).error({ ...parameter.at, pointer: child(parameter.at.pointer, 'name') }, 'a parameter name (a string)', describe(name));
      if (where !== 'query' && where !== 'header' && where !== 'path' && where !== 'cookie') {
        throw walk.resolver(side).error({ ...parameter.at, pointer: child(parameter.at.pointer, 'in') }, '"query", "header", "path" or "cookie"', describe(where));
      }
      if (where === 'header' && IGNORED_HEADER_PARAMETERS.has(name.toLowerCase())) return;
      const place = where === 'path' ? places.indexOf(name) : -1;
      const key = place >= 0 ? `path #${place}` : `${where} ${where === 'header' ? name.toLowerCase() : name}`;
      found.set(key, { value: parameter.value, at: parameter.at, pointer: child(pointer, 'parameters', index), name, in: where });
    });
  }
  return found;
}

function compareParameters(walk: Walk, oldOwners: [PathItem, Found], newOwners: [PathItem, Found], ctx: Context): void {
  const before = parameters(walk, 'old', oldOwners, ctx);
  const after = parameters(walk, 'new', newOwners, ctx);
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const o = before.get(key);
    const n = after.get(key);
    const any = (n ?? o)!;
    const here: Context = { ...ctx, subject: `${ctx.operation} ${any.in} parameter ${JSON.stringify(any.name)}`, pointer: any.pointer, oldAt: o?.at ?? null, newAt: n?.at ?? null };
    const isRequired = (side: Side, p: Parameter) => p.in === 'path' || walk.boolean(side, p.value, 'required', p.at) === true;
    if (!o) {
      walk.emit(isRequired('new', n!) ? 'request-parameter-added-required' : 'request-parameter-added-optional', here, `added, ${isRequired('new', n!) ? 'required' : 'optional'}`);
      continue;
    }
    if (!n) {
      walk.emit('request-parameter-removed', here, 'removed');
      continue;
    }
    const wasRequired = isRequired('old', o);
    const nowRequired = isRequired('new', n);
    if (!wasRequired && nowRequired) walk.emit('request-parameter-became-required', here, 'became required', { pointer: child(n.pointer, 'required') });
    if (wasRequired && !nowRequired) walk.emit('request-parameter-became-optional', here, 'became optional', { pointer: child(n.pointer, 'required') });
    compareSerialization(walk, o, n, here);
    compareAnnotations(walk, o.value, n.value, here, ['description', 'deprecated', 'example', 'examples']);
    compareValueSchema(walk, o, n, here);
  }
}

function compareSerialization(walk: Walk, o: Found, n: Found, ctx: Context): void {
  for (const keyword of SERIALIZATION) {
    const before = o.value[keyword] === undefined ? undefined : JSON.stringify(o.value[keyword]);
    const after = n.value[keyword] === undefined ? undefined : JSON.stringify(n.value[keyword]);
    if (before === after) continue;
    walk.emit('keyword-changed', ctx, `${keyword} changed from ${before ?? 'the default'} to ${after ?? 'the default'}`, { pointer: child(ctx.pointer, keyword) });
  }
}

/** A parameter's or header's value: its `schema`, or the schema of its single `content` entry. */
function compareValueSchema(walk: Walk, o: Found, n: Found, ctx: Context): void {
  const locate = (side: Side, found: Found): { value: unknown; at: Location | null; key: string } => {
    if (found.value.schema !== undefined) return { value: found.value.schema, at: { url: found.at.url, pointer: child(found.at.pointer, 'schema') }, key: 'schema' };
    const content = found.value.content;
    if (content === undefined) return { value: undefined, at: null, key: 'schema' };
    if (!isObject(content) || Object.keys(content).length !== 1) throw walk.resolver(side).error({ ...found.at, pointer: child(found.at.pointer, 'content') }, 'a content map with exactly one media type', describe(content));
    const [type, media] = Object.entries(content)[0]!;
    const mediaAt = { url: found.at.url, pointer: child(found.at.pointer, 'content', type) };
    const object = walk.object(side, media, mediaAt, 'a media type object');
    return { value: object?.value.schema, at: object ? { url: object.at.url, pointer: child(object.at.pointer, 'schema') } : null, key: `content/${escapePointer(type)}/schema` };
  };
  const before = locate('old', o);
  const after = locate('new', n);
  if (before.value === undefined && after.value === undefined) return;
  compareSchema(walk, before.value, after.value, {
    ...ctx,
    pointer: `${ctx.pointer}/${after.value === undefined ? before.key : after.key}`,
    oldAt: before.value === undefined ? null : before.at,
    newAt: after.value === undefined ? null : after.at,
  });
}

// Request bodies.

function compareRequestBody(walk: Walk, oldOp: Found, newOp: Found, ctx: Context): void {
  const pointer = child(ctx.pointer, 'requestBody');
  const o = walk.object('old', oldOp.value.requestBody, { url: oldOp.at.url, pointer: child(oldOp.at.pointer, 'requestBody') }, 'a request body (an object)');
  const n = walk.object('new', newOp.value.requestBody, { url: newOp.at.url, pointer: child(newOp.at.pointer, 'requestBody') }, 'a request body (an object)');
  const here: Context = { ...ctx, subject: `${ctx.operation} request body`, pointer, oldAt: o?.at ?? null, newAt: n?.at ?? null };
  if (!o && !n) return;
  if (!o) {
    const required = walk.boolean('new', n!.value, 'required', n!.at) === true;
    walk.emit(required ? 'request-body-added-required' : 'request-body-added-optional', here, `added, ${required ? 'required' : 'optional'}`);
    return;
  }
  if (!n) {
    walk.emit('request-body-removed', here, 'removed');
    return;
  }
  const wasRequired = walk.boolean('old', o.value, 'required', o.at) === true;
  const nowRequired = walk.boolean('new', n.value, 'required', n.at) === true;
  if (!wasRequired && nowRequired) walk.emit('request-body-became-required', here, 'became required', { pointer: child(pointer, 'required') });
  if (wasRequired && !nowRequired) walk.emit('request-body-became-optional', here, 'became optional', { pointer: child(pointer, 'required') });
  compareAnnotations(walk, o.value, n.value, here, ['description']);
  compareContent(walk, o, n, here, 'request');
}

// Media types: a schema each, and an optional warning-level schema (x-warning-schema).

function content(walk: Walk, side: Side, owner: Found | undefined): Map<string, { type: string; value: unknown; at: Location }> {
  const found = new Map<string, { type: string; value: unknown; at: Location }>();
  const map = owner?.value.content;
  if (owner === undefined || map === undefined) return found;
  const at = { url: owner.at.url, pointer: child(owner.at.pointer, 'content') };
  if (!isObject(map)) throw walk.resolver(side).error(at, 'an object of media types', describe(map));
  for (const [type, value] of Object.entries(map)) found.set(type.toLowerCase(), { type, value, at: { url: at.url, pointer: child(at.pointer, type) } });
  return found;
}

function compareContent(walk: Walk, o: Found, n: Found, ctx: Context, direction: Direction): void {
  const before = content(walk, 'old', o);
  const after = content(walk, 'new', n);
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    const type = (a ?? b)!.type;
    const here: Context = { ...ctx, direction, subject: `${ctx.subject} (${type})`, pointer: child(ctx.pointer, 'content', type), oldAt: b?.at ?? null, newAt: a?.at ?? null };
    if (!b || !a) {
      walk.emit(`${direction}-media-type-${b ? 'removed' : 'added'}`, here, `media type ${type} ${b ? 'removed' : 'added'}`);
      continue;
    }
    const oldMedia = walk.object('old', b.value, b.at, 'a media type object')!;
    const newMedia = walk.object('new', a.value, a.at, 'a media type object')!;
    const media: Context = { ...here, oldAt: oldMedia.at, newAt: newMedia.at };
    compareAnnotations(walk, oldMedia.value, newMedia.value, media, ['example', 'examples']);
    const encoding = [oldMedia, newMedia].map((m, i) => (m.value.encoding === undefined ? undefined : walk.resolver(i === 0 ? 'old' : 'new').canonical(m.value.encoding, { url: m.at.url, pointer: child(m.at.pointer, 'encoding') })));
    if (encoding[0] !== encoding[1]) walk.emit('keyword-changed', media, 'encoding changed', { pointer: child(media.pointer, 'encoding') });
    for (const [key, level] of [['schema', 'error'], [WARNING_SCHEMA_KEY, 'warning']] as const) {
      const oldSchema = oldMedia.value[key];
      const newSchema = newMedia.value[key];
      if (oldSchema === undefined && newSchema === undefined) continue;
      compareSchema(walk, oldSchema, newSchema, {
        ...media,
        pointer: child(media.pointer, key),
        oldAt: oldSchema === undefined ? null : { url: oldMedia.at.url, pointer: child(oldMedia.at.pointer, key) },
        newAt: newSchema === undefined ? null : { url: newMedia.at.url, pointer: child(newMedia.at.pointer, key) },
        oldLevel: level,
        newLevel: level,
      });
    }
  }
}

// Responses.

function compareResponses(walk: Walk, oldOp: Found, newOp: Found, ctx: Context): void {
  const pointer = child(ctx.pointer, 'responses');
  const o = walk.object('old', oldOp.value.responses, { url: oldOp.at.url, pointer: child(oldOp.at.pointer, 'responses') }, 'a responses object');
  const n = walk.object('new', newOp.value.responses, { url: newOp.at.url, pointer: child(newOp.at.pointer, 'responses') }, 'a responses object');
  const before = o?.value ?? {};
  const after = n?.value ?? {};
  for (const status of new Set([...Object.keys(after), ...Object.keys(before)])) {
    if (status.startsWith('x-')) continue;
    const here: Context = { ...ctx, direction: 'response', subject: `${ctx.operation} response ${status}`, pointer: child(pointer, status) };
    const b = o && walk.object('old', before[status], { url: o.at.url, pointer: child(o.at.pointer, status) }, 'a response (an object)');
    const a = n && walk.object('new', after[status], { url: n.at.url, pointer: child(n.at.pointer, status) }, 'a response (an object)');
    if (!b && !a) continue;
    if (!b) {
      walk.emit('response-status-added', here, `status ${status} added`);
      continue;
    }
    if (!a) {
      walk.emit(/^2/.test(status) ? 'response-success-status-removed' : 'response-status-removed', here, `status ${status} removed`);
      continue;
    }
    const response: Context = { ...here, oldAt: b.at, newAt: a.at };
    compareAnnotations(walk, b.value, a.value, response, ['description']);
    compareHeaders(walk, b, a, response);
    compareContent(walk, b, a, response, 'response');
  }
}

function headers(walk: Walk, side: Side, response: Found): Map<string, { name: string; value: Obj; at: Location }> {
  const found = new Map<string, { name: string; value: Obj; at: Location }>();
  const map = response.value.headers;
  if (map === undefined) return found;
  const at = { url: response.at.url, pointer: child(response.at.pointer, 'headers') };
  if (!isObject(map)) throw walk.resolver(side).error(at, 'an object of headers', describe(map));
  for (const [name, value] of Object.entries(map)) {
    // OpenAPI: a Content-Type response header is described by the content map, and ignored here.
    if (name.toLowerCase() === 'content-type') continue;
    const header = walk.object(side, value, { url: at.url, pointer: child(at.pointer, name) }, 'a header (an object)')!;
    found.set(name.toLowerCase(), { name, ...header });
  }
  return found;
}

function compareHeaders(walk: Walk, o: Found, n: Found, ctx: Context): void {
  const before = headers(walk, 'old', o);
  const after = headers(walk, 'new', n);
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    const name = (a ?? b)!.name;
    const here: Context = { ...ctx, subject: `${ctx.subject} header ${JSON.stringify(name)}`, pointer: child(ctx.pointer, 'headers', name), oldAt: b?.at ?? null, newAt: a?.at ?? null };
    const required = (side: Side, h: { value: Obj; at: Location }) => walk.boolean(side, h.value, 'required', h.at) === true;
    if (!b) {
      walk.emit(required('new', a!) ? 'response-required-header-added' : 'response-optional-header-added', here, `added, ${required('new', a!) ? 'required' : 'optional'}`);
      continue;
    }
    if (!a) {
      walk.emit(required('old', b) ? 'response-required-header-removed' : 'response-optional-header-removed', here, `removed (it was ${required('old', b) ? 'required' : 'optional'})`);
      continue;
    }
    if (!required('old', b) && required('new', a)) walk.emit('response-header-became-required', here, 'became required', { pointer: child(here.pointer, 'required') });
    if (required('old', b) && !required('new', a)) walk.emit('response-header-became-optional', here, 'became optional', { pointer: child(here.pointer, 'required') });
    compareSerialization(walk, b, a, here);
    compareAnnotations(walk, b.value, a.value, here, ['description', 'deprecated', 'example', 'examples']);
    compareValueSchema(walk, b, a, here);
  }
}
