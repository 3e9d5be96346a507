/**
 * Compares what an operation asks of a request's credentials: its security requirements (the
 * operation's `security`, else the document's) and the security schemes they name. A requirement
 * is a list of alternatives (any one will do), each a set of schemes (all of them, with their
 * scopes), so the polarity is the schemas': asking more of a request (a requirement where there
 * was none, one more scheme or scope, one alternative fewer, a credential sent elsewhere) breaks
 * the senders whose requests are now refused; asking less breaks the receivers that still refuse
 * them, and those that relied on the check to know who sent the request.
 */
import { type Location, child, describe, isObject } from './refs.js';
import type { Context, Walk } from './walk.js';

type Side = 'old' | 'new';

interface Scheme {
  name: string;
  /** What the scheme means on the wire: two schemes with the same identity take the same credential. */
  identity: string;
  /** The identity, said for a person. */
  label: string;
  scopes: string[];
}

interface Requirements {
  /** Each alternative: the schemes it needs, by name. Empty: no credential needed. */
  alternatives: Array<Map<string, Scheme>>;
  /** JSON pointer of the `security` in force ('' when neither the operation nor the document has one). */
  pointer: string;
}

const TYPES = ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] as const;

/** A security scheme of components.securitySchemes: its identity on the wire and a label. */
function scheme(walk: Walk, side: Side, name: string, scopes: string[], from: Location): Scheme {
  const resolver = walk.resolver(side);
  const root = resolver.root as Record<string, unknown>;
  const schemes = isObject(root.components) ? root.components.securitySchemes : undefined;
  const at: Location = { url: resolver.url, pointer: child('/components/securitySchemes', name) };
  if (!isObject(schemes) || !Object.hasOwn(schemes, name)) throw resolver.error(from, `a security scheme of components.securitySchemes named ${JSON.stringify(name)}`, 'none');
  const found = walk.object(side, schemes[name], at, 'a security scheme (an object)')!;
  const value = found.value;
  const field = (key: string, expected: string): string => {
    const v = value[key];
    if (typeof v !== 'string' || v === '') throw resolver.error({ url: found.at.url, pointer: child(found.at.pointer, key) }, expected, describe(v));
    return v;
  };
  const type = field('type', `a security scheme type (${TYPES.join(', ')})`);
  if (!(TYPES as readonly string[]).includes(type)) throw resolver.error({ url: found.at.url, pointer: child(found.at.pointer, 'type') }, `a security scheme type (${TYPES.join(', ')})`, describe(type));
  if (type === 'apiKey') {
    const where = field('in', '"query", "header" or "cookie"');
    if (!['query', 'header', 'cookie'].includes(where)) throw resolver.error({ url: found.at.url, pointer: child(found.at.pointer, 'in') }, '"query", "header" or "cookie"', describe(where));
    const key = field('name', 'the name of the header, query parameter or cookie');
    // Header names are case-insensitive (RFC 9110, section 5.1).
    return { name, scopes, identity: `apiKey ${where} ${where === 'header' ? key.toLowerCase() : key}`, label: `apiKey in ${where} ${JSON.stringify(key)}` };
  }
  if (type === 'http') {
    const kind = field('scheme', 'an HTTP authentication scheme such as "bearer" or "basic"').toLowerCase();
    return { name, scopes, identity: `http ${kind}`, label: `http ${kind}` };
  }
  if (type === 'openIdConnect') {
    const url = field('openIdConnectUrl', 'the OpenID Connect discovery URL');
    return { name, scopes, identity: `openIdConnect ${url}`, label: `openIdConnect at ${url}` };
  }
  if (type === 'oauth2') {
    // Where a token comes from, not its scopes (those are the requirement's): flows and their URLs.
    const flows = isObject(value.flows) ? value.flows : {};
    const urls = Object.keys(flows).sort().map((flow) => {
      const f = isObject(flows[flow]) ? flows[flow] : {};
      return `${flow}(${['authorizationUrl', 'tokenUrl'].map((k) => (typeof f[k] === 'string' ? f[k] : '')).join(' ')})`;
    });
    return { name, scopes, identity: `oauth2 ${urls.join(' ')}`, label: `oauth2 (${Object.keys(flows).sort().join(', ') || 'no flows'})` };
  }
  return { name, scopes, identity: 'mutualTLS', label: 'mutualTLS' };
}

function requirements(walk: Walk, side: Side, operation: { value: Record<string, unknown>; at: Location }, opPointer: string): Requirements {
  const resolver = walk.resolver(side);
  const root = resolver.root as Record<string, unknown>;
  const own = operation.value.security !== undefined;
  const list = own ? operation.value.security : root.security;
  const at: Location = own ? { url: operation.at.url, pointer: child(operation.at.pointer, 'security') } : { url: resolver.url, pointer: '/security' };
  const pointer = own ? child(opPointer, 'security') : list === undefined ? '' : '/security';
  if (list === undefined) return { alternatives: [], pointer };
  if (!Array.isArray(list)) throw resolver.error(at, 'an array of security requirements', describe(list));
  const alternatives = list.map((requirement, index) => {
    const here = { url: at.url, pointer: child(at.pointer, index) };
    if (!isObject(requirement)) throw resolver.error(here, 'a security requirement (an object of scheme names)', describe(requirement));
    const schemes = new Map<string, Scheme>();
    for (const [name, scopes] of Object.entries(requirement)) {
      const scopesAt = { url: here.url, pointer: child(here.pointer, name) };
      if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) throw resolver.error(scopesAt, 'an array of scope names', describe(scopes));
      schemes.set(name, scheme(walk, side, name, scopes as string[], scopesAt));
    }
    return schemes;
  });
  return { alternatives, pointer };
}

function said(alternative: Map<string, Scheme>): string {
  return alternative.size === 0 ? 'no credential' : [...alternative.values()].map((s) => `${JSON.stringify(s.name)} (${s.label})`).join(' and ');
}

export function compareSecurity(walk: Walk, oldOp: { value: Record<string, unknown>; at: Location }, newOp: { value: Record<string, unknown>; at: Location }, ctx: Context): void {
  const before = requirements(walk, 'old', oldOp, ctx.pointer);
  const after = requirements(walk, 'new', newOp, ctx.pointer);
  const here: Context = { ...ctx, subject: `${ctx.operation} security`, pointer: after.pointer || before.pointer };
  const at = (pointer: string, ...segments: Array<string | number>) => ({ pointer: child(pointer, ...segments) });

  // A scheme of the same name that now takes its credential elsewhere, or of another type.
  const changed = new Set<string>();
  const named = (r: Requirements) => new Map(r.alternatives.flatMap((a) => [...a.values()]).map((s) => [s.name, s]));
  const [oldSchemes, newSchemes] = [named(before), named(after)];
  for (const [name, b] of oldSchemes) {
    const a = newSchemes.get(name);
    if (!a || a.identity === b.identity) continue;
    changed.add(name);
    walk.emit('request-security-scheme-changed', here, `scheme ${JSON.stringify(name)} changed from ${b.label} to ${a.label}`, at('/components/securitySchemes', name));
  }
  // Schemes are the same when they take the same credential, whatever their names; a changed one is itself.
  const keyed = (alternative: Map<string, Scheme>) => new Map([...alternative.values()].map((s) => [changed.has(s.name) ? `name ${s.name}` : s.identity, s]));
  const oldAlternatives = before.alternatives.map(keyed);
  const newAlternatives = after.alternatives.map(keyed);

  if (oldAlternatives.length === 0 && newAlternatives.length === 0) return;
  if (oldAlternatives.length === 0) {
    walk.emit('request-security-added', here, `requirement added: a request now needs ${newAlternatives.map(said).join(', or ')}`, at(after.pointer));
    return;
  }
  if (newAlternatives.length === 0) {
    walk.emit('request-security-removed', here, `every requirement removed${after.pointer === '' ? '' : ' (security: [])'}: a request needs no credential (it needed ${oldAlternatives.map(said).join(', or ')})`, at(after.pointer || before.pointer));
    return;
  }

  // Alternatives: the same schemes first, then one that asks for more or fewer of them; the rest were removed or added.
  const keys = (a: Map<string, Scheme>) => [...a.keys()];
  const subset = (x: Map<string, Scheme>, y: Map<string, Scheme>) => keys(x).every((k) => y.has(k));
  const pairs: Array<[number, number]> = [];
  const free = (i: number, j: number) => !pairs.some(([pi, pj]) => pi === i || pj === j);
  for (const fits of [(x: Map<string, Scheme>, y: Map<string, Scheme>) => subset(x, y) && subset(y, x), (x: Map<string, Scheme>, y: Map<string, Scheme>) => subset(x, y) || subset(y, x)]) {
    oldAlternatives.forEach((b, i) => {
      const j = newAlternatives.findIndex((a, j) => free(i, j) && fits(b, a));
      if (j >= 0 && free(i, j)) pairs.push([i, j]);
    });
  }
  newAlternatives.forEach((a, j) => {
    if (!pairs.some(([, pj]) => pj === j)) walk.emit('request-security-alternative-added', here, `a request may now authenticate with ${said(a)}`, at(after.pointer, j));
  });
  oldAlternatives.forEach((b, i) => {
    if (!pairs.some(([pi]) => pi === i)) walk.emit('request-security-alternative-removed', here, `a request can no longer authenticate with ${said(b)} alone`, at(before.pointer, i));
  });
  for (const [i, j] of pairs.sort(([, x], [, y]) => x - y)) {
    const [b, a] = [oldAlternatives[i]!, newAlternatives[j]!];
    for (const [key, s] of a) if (!b.has(key)) walk.emit('request-security-scheme-added', here, `scheme ${JSON.stringify(s.name)} (${s.label}) now required beside ${said(b)}`, at(after.pointer, j, s.name));
    for (const [key, s] of b) if (!a.has(key)) walk.emit('request-security-scheme-dropped', here, `scheme ${JSON.stringify(s.name)} (${s.label}) no longer required beside ${said(a)}`, at(before.pointer, i, s.name));
    for (const [key, s] of a) {
      const old = b.get(key);
      if (!old) continue;
      const added = s.scopes.filter((scope) => !old.scopes.includes(scope));
      const removed = old.scopes.filter((scope) => !s.scopes.includes(scope));
      if (added.length > 0) walk.emit('request-security-scope-added', here, `scheme ${JSON.stringify(s.name)} now needs scope${added.length === 1 ? '' : 's'} ${added.map((x) => JSON.stringify(x)).join(', ')}`, at(after.pointer, j, s.name));
      if (removed.length > 0) walk.emit('request-security-scope-removed', here, `scheme ${JSON.stringify(s.name)} no longer needs scope${removed.length === 1 ? '' : 's'} ${removed.map((x) => JSON.stringify(x)).join(', ')}`, at(after.pointer, j, s.name));
    }
  }
}
