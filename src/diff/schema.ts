/**
 * Compares two JSON Schemas (OpenAPI 3.1 Schema Objects) keyword by keyword and reports each
 * change as narrowing or widening the set of valid values. What it cannot order (not, if/then,
 * multipleOf, ...) it reports as changing both ways, so that nothing changes silently.
 */
import { comparePatterns } from './pattern.js';
import { type Location, child, describe, isObject } from './refs.js';
import { type Audience, roles } from './rules.js';
import type { Context, SchemaLevel, Walk } from './walk.js';

type Side = 'old' | 'new';
type Schema = Record<string, unknown>;

const ALL_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'] as const;
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties', 'minContains'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains'] as const;
/** Keywords whose change this tool does not order: reported as changing both ways. */
const UNORDERED = [
  'not', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas', 'propertyNames', 'patternProperties', 'contains',
  'uniqueItems', 'multipleOf', 'unevaluatedProperties', 'unevaluatedItems', 'prefixItems', 'contentMediaType', 'contentEncoding',
  'contentSchema',
] as const;
/** Keywords that describe without constraining. */
const ANNOTATIONS = ['title', 'description', 'examples', 'example', 'deprecated', 'readOnly', 'writeOnly', '$comment', 'externalDocs', 'discriminator', 'xml'] as const;
/** A pattern that matches everything is no pattern (oasdiff's "generalized"). */
const MATCH_ALL = new Set(['.*', '^.*$', '^.*', '.*$', '[\\s\\S]*', '^[\\s\\S]*$']);

/** The schema extension that marks a recommendation: its rules (and those below it) are warnings. */
export const LEVEL_KEY = 'x-level';

interface Node {
  schema: Schema;
  at: Location | null;
  /** The reference followed to reach it, if any: keys cycles and pairs alternatives. */
  ref?: string;
  /** `false` as a schema: nothing is valid. */
  nothing: boolean;
}

function node(walk: Walk, side: Side, value: unknown, at: Location | null): Node {
  if (at === null || value === undefined) return { schema: {}, at: null, nothing: false };
  const resolver = walk.resolver(side);
  const resolved = resolver.resolve(value, at);
  if (resolved.value === true) return { schema: {}, at: resolved.at, ref: resolved.ref, nothing: false };
  if (resolved.value === false) return { schema: {}, at: resolved.at, ref: resolved.ref, nothing: true };
  if (!isObject(resolved.value)) throw resolver.error(resolved.at, 'a schema (an object or a boolean)', describe(resolved.value));
  return { schema: resolved.value, at: resolved.at, ref: resolved.ref, nothing: false };
}

function at(location: Location | null, ...segments: Array<string | number>): Location | null {
  return location === null ? null : { url: location.url, pointer: child(location.pointer, ...segments) };
}

function level(walk: Walk, side: Side, n: Node, inherited: SchemaLevel): SchemaLevel {
  const value = n.schema[LEVEL_KEY];
  if (value === undefined) return inherited;
  if (value === 'error' || value === 'warning') return value;
  throw walk.resolver(side).error(at(n.at, LEVEL_KEY)!, '"error" or "warning"', describe(value));
}

export function compareSchema(walk: Walk, oldValue: unknown, newValue: unknown, ctx: Context): void {
  const o = node(walk, 'old', oldValue, ctx.oldAt);
  const n = node(walk, 'new', newValue, ctx.newAt);
  if (o.ref !== undefined || n.ref !== undefined) {
    const key = `${o.ref ?? (o.at ? `@${o.at.pointer}` : '-')}|${n.ref ?? (n.at ? `@${n.at.pointer}` : '-')}`;
    if (ctx.stack.includes(key)) return; // A cycle: this pair is being compared further up.
    ctx = { ...ctx, stack: [...ctx.stack, key] };
    if (o.ref !== undefined && n.ref !== undefined) {
      comparePair(walk, o, n, ctx, `${key}|${ctx.direction}|${ctx.oldLevel}|${ctx.newLevel}`);
      return;
    }
  }
  compareNodes(walk, o, n, { ...ctx, oldAt: o.at, newAt: n.at });
}

/**
 * Shared components are compared once and their changes replayed wherever the pair is met again;
 * within one subject (a request body, a response, a parameter) a change is reported once, at the
 * first place it is met. Without this, a schema graph with fan-out would be walked once per path
 * through it, which grows exponentially. A pair's memo holds every change below it once (changes
 * already reported for the subject are kept in it, hidden from the report).
 */
function comparePair(walk: Walk, o: Node, n: Node, ctx: Context, pair: string): void {
  const scope = `${ctx.operation}|${ctx.subject}|`;
  const frame = walk.frames.at(-1);
  if (frame ? frame.has(pair) : walk.met.has(scope + pair)) return;
  let templates = walk.memo.get(pair);
  if (!templates) {
    const start = walk.changes.length;
    walk.frames.push(new Set([pair]));
    compareNodes(walk, o, n, { ...ctx, oldAt: o.at, newAt: n.at });
    walk.frames.pop();
    const found = walk.changes.splice(start);
    for (const change of found) change.origin = [pair, ...(change.origin ?? [])];
    templates = found.map((change) => ({ change, pointer: change.pointer.slice(ctx.pointer.length), path: change.path.slice(ctx.path.length) }));
    walk.memo.set(pair, templates);
  }
  const pairs = new Set([pair, ...templates.flatMap((t) => t.change.origin ?? [])]);
  // Inside another pair's comparison: collect everything for its memo; the outermost pair reports.
  const shown = frame ? templates.map(() => true) : templates.map((t) => !(t.change.origin ?? []).some((p) => walk.met.has(scope + p)));
  for (const p of pairs) {
    if (frame) for (const f of walk.frames) f.add(p);
    else walk.met.add(scope + p);
  }
  templates.forEach((t, i) => walk.changes.push({ ...t.change, pointer: ctx.pointer + t.pointer, path: ctx.path + t.path, subject: ctx.subject, operation: ctx.operation, hidden: !shown[i] }));
}

function compareNodes(walk: Walk, o: Node, n: Node, ctx: Context): void {

  const oldLevel = level(walk, 'old', o, ctx.oldLevel);
  const newLevel = level(walk, 'new', n, ctx.newLevel);
  const declared = o.schema[LEVEL_KEY] !== undefined || n.schema[LEVEL_KEY] !== undefined;
  if (declared && oldLevel !== newLevel) {
    walk.emit(newLevel === 'error' ? 'level-raised' : 'level-lowered', { ...ctx, oldLevel: 'error', newLevel: 'error' }, `${LEVEL_KEY} changed from ${oldLevel} to ${newLevel}`, { pointer: child(ctx.pointer, LEVEL_KEY) });
  }
  ctx = { ...ctx, oldLevel, newLevel };

  compareTypes(walk, o, n, ctx);
  compareEnums(walk, o, n, ctx);
  compareBounds(walk, o, n, ctx);
  compareStrings(walk, o, n, ctx, 'pattern');
  compareStrings(walk, o, n, ctx, 'format');
  compareObjects(walk, o, n, ctx);
  compareItems(walk, o, n, ctx);
  compareAllOf(walk, o, n, ctx);
  compareAlternatives(walk, o, n, ctx, 'oneOf');
  compareAlternatives(walk, o, n, ctx, 'anyOf');
  compareUnordered(walk, o, n, ctx);
  compareDefault(walk, o, n, ctx);
  compareAnnotations(walk, o.schema, n.schema, ctx, ANNOTATIONS);
}

// Types: a set of JSON types, "number" containing "integer" (split into integer and fraction).

function typeSet(walk: Walk, side: Side, n: Node): Set<string> {
  if (n.nothing) return new Set();
  const declared = n.schema.type;
  let types: string[];
  if (declared === undefined) {
    const values = enumValues(walk, side, n);
    if (values === undefined) return new Set(ALL_TYPES);
    types = [...new Set(values.map(jsonType))];
  } else {
    const list = Array.isArray(declared) ? declared : [declared];
    for (const [i, t] of list.entries()) {
      if (typeof t !== 'string' || !(ALL_TYPES as readonly string[]).includes(t)) {
        throw walk.resolver(side).error(at(n.at, 'type', ...(Array.isArray(declared) ? [i] : []))!, `a JSON type (${ALL_TYPES.join(', ')})`, describe(t));
      }
    }
    types = list as string[];
  }
  const expanded = new Set<string>();
  for (const t of types) {
    if (t === 'number') expanded.add('integer').add('fraction');
    else expanded.add(t);
  }
  return expanded;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeNames(set: Set<string>): string {
  if (set.size === 0) return 'nothing';
  if (ALL_TYPES.every((t) => t === 'number' || set.has(t)) && set.has('fraction')) return 'any type';
  // "integer" and "fraction" together are "number".
  const names = [...set].filter((t) => t !== 'fraction' && (t !== 'integer' || !set.has('fraction')));
  if (set.has('fraction')) names.push('number');
  return names.sort().join(', ');
}

function compareTypes(walk: Walk, o: Node, n: Node, ctx: Context): void {
  const before = typeSet(walk, 'old', o);
  const after = typeSet(walk, 'new', n);
  const removed = [...before].some((t) => !after.has(t));
  const added = [...after].some((t) => !before.has(t));
  if (!removed && !added) return;
  const what = `type ${removed && added ? 'changed' : removed ? 'narrowed' : 'widened'} from ${typeNames(before)} to ${typeNames(after)}`;
  walk.emit(removed && added ? 'type-changed' : removed ? 'type-narrowed' : 'type-widened', ctx, what, { pointer: child(ctx.pointer, 'type') });
}

// Enumerations: `const` is an enum of one.

function enumValues(walk: Walk, side: Side, n: Node): unknown[] | undefined {
  if (n.schema.const !== undefined) return [n.schema.const];
  const values = n.schema.enum;
  if (values === undefined) return undefined;
  if (!Array.isArray(values)) throw walk.resolver(side).error(at(n.at, 'enum')!, 'an array of values', describe(values));
  return values;
}

function compareEnums(walk: Walk, o: Node, n: Node, ctx: Context): void {
  const before = enumValues(walk, 'old', o);
  const after = enumValues(walk, 'new', n);
  const keywordOf = (x: Node) => (x.schema.const !== undefined ? 'const' : 'enum');
  const keyword = after === undefined ? keywordOf(o) : keywordOf(n);
  const pointer = child(ctx.pointer, keyword);
  if (before === undefined && after === undefined) return;
  if (before === undefined) return walk.emit('enum-set', ctx, `now restricted to ${list(after!)}`, { pointer });
  if (after === undefined) return walk.emit('enum-unset', ctx, `no longer restricted to ${list(before)}`, { pointer });
  const canonical = (side: Side, x: Node, values: unknown[]) =>
    values.map((v, i) => (x.at === null ? JSON.stringify(v) : walk.resolver(side).canonical(v, keywordOf(x) === 'const' ? at(x.at, 'const')! : at(x.at, 'enum', i)!)));
  const beforeKeys = canonical('old', o, before);
  const afterKeys = canonical('new', n, after);
  before.forEach((value, i) => {
    if (!afterKeys.includes(beforeKeys[i]!)) walk.emit('enum-value-removed', ctx, `${keywordOf(o)} value ${JSON.stringify(value)} removed`, { pointer });
  });
  after.forEach((value, i) => {
    if (!beforeKeys.includes(afterKeys[i]!)) walk.emit('enum-value-added', ctx, `${keywordOf(n)} value ${JSON.stringify(value)} added`, { pointer });
  });
}

function list(values: unknown[]): string {
  const shown = values.slice(0, 8).map((v) => JSON.stringify(v));
  return `${values.length === 1 ? 'the value' : 'the values'} ${shown.join(', ')}${values.length > 8 ? `, … (${values.length} values)` : ''}`;
}

// Bounds.

function bound(walk: Walk, side: Side, n: Node, keyword: string): number | undefined {
  const value = n.schema[keyword];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw walk.resolver(side).error(at(n.at, keyword)!, 'a number', describe(value));
  return value;
}

function compareBounds(walk: Walk, o: Node, n: Node, ctx: Context): void {
  for (const [keywords, lower] of [[LOWER_BOUNDS, true], [UPPER_BOUNDS, false]] as const) {
    for (const keyword of keywords) {
      const before = bound(walk, 'old', o, keyword);
      const after = bound(walk, 'new', n, keyword);
      if (before === after) continue;
      const pointer = child(ctx.pointer, keyword);
      const none = lower ? -Infinity : Infinity;
      const raised = (after ?? none) > (before ?? none);
      const verb = raised ? 'raised' : 'lowered';
      const what = before === undefined ? `${keyword} set to ${after}` : after === undefined ? `${keyword} removed (was ${before})` : `${keyword} ${verb} from ${before} to ${after}`;
      const id = lower ? (raised ? 'lower-bound-raised' : 'lower-bound-lowered') : raised ? 'upper-bound-raised' : 'upper-bound-lowered';
      walk.emit(id, ctx, what, { pointer });
    }
  }
}

// Patterns and formats: added narrows, removed widens, replaced changes both ways.

function text(walk: Walk, side: Side, n: Node, keyword: 'pattern' | 'format'): string | undefined {
  const value = n.schema[keyword];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw walk.resolver(side).error(at(n.at, keyword)!, 'a string', describe(value));
  return keyword === 'pattern' && MATCH_ALL.has(value) ? undefined : value;
}

function compareStrings(walk: Walk, o: Node, n: Node, ctx: Context, keyword: 'pattern' | 'format'): void {
  const before = text(walk, 'old', o, keyword);
  const after = text(walk, 'new', n, keyword);
  if (before === after) return;
  const pointer = child(ctx.pointer, keyword);
  const show = (v: string | undefined) => JSON.stringify(v ?? n.schema[keyword] ?? o.schema[keyword]);
  if (before === undefined) walk.emit(`${keyword}-added`, ctx, `${keyword} ${show(after)} added`, { pointer });
  else if (after === undefined) walk.emit(`${keyword}-removed`, ctx, `${keyword} ${JSON.stringify(before)} removed${n.schema[keyword] !== undefined ? ` (now ${show(undefined)}, which matches anything)` : ''}`, { pointer });
  else {
    // Two patterns are ordered by the strings they accept where refa can tell; formats are names, not ordered.
    const order = keyword === 'pattern' ? comparePatterns(before, after) : 'unknown';
    // Long patterns stay out of the message (the pointer leads to them): cut, they would look alike.
    const from = before.length + after.length > 80 ? '' : ` from ${JSON.stringify(before)} to ${JSON.stringify(after)}`;
    if (order === 'same') walk.emit('annotation-changed', ctx, `pattern rewritten${from}, accepting the same strings`, { pointer });
    else if (order === 'wider') walk.emit('pattern-widened', ctx, `pattern widened${from}: it accepts every string it accepted, and more`, { pointer });
    else if (order === 'narrower') walk.emit('pattern-narrowed', ctx, `pattern narrowed${from}: it accepts only strings it accepted`, { pointer });
    else walk.emit(`${keyword}-changed`, ctx, `${keyword} changed${from}`, { pointer });
  }
}

// Objects: properties, required, additionalProperties.

function properties(walk: Walk, side: Side, n: Node): Record<string, unknown> {
  const value = n.schema.properties;
  if (value === undefined) return {};
  if (!isObject(value)) throw walk.resolver(side).error(at(n.at, 'properties')!, 'an object of property schemas', describe(value));
  return value;
}

function required(walk: Walk, side: Side, n: Node): Set<string> {
  const value = n.schema.required;
  if (value === undefined) return new Set();
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw walk.resolver(side).error(at(n.at, 'required')!, 'an array of property names', describe(value));
  return new Set(value as string[]);
}

/** additionalProperties: true (absent), false, or a schema. */
function additional(n: Node): unknown {
  const value = n.schema.additionalProperties;
  return value === undefined ? true : value;
}

function closed(n: Node): boolean {
  return n.schema.additionalProperties === false || n.schema.unevaluatedProperties === false;
}

function compareObjects(walk: Walk, o: Node, n: Node, ctx: Context): void {
  const oldProps = properties(walk, 'old', o);
  const newProps = properties(walk, 'new', n);
  const oldRequired = required(walk, 'old', o);
  const newRequired = required(walk, 'new', n);
  const names = [...new Set([...Object.keys(newProps), ...newRequired, ...Object.keys(oldProps), ...oldRequired])];
  for (const name of names) {
    const had = Object.hasOwn(oldProps, name);
    const has = Object.hasOwn(newProps, name);
    const wasRequired = oldRequired.has(name);
    const isRequired = newRequired.has(name);
    const pointer = child(ctx.pointer, 'properties', name);
    const requiredPointer = child(ctx.pointer, 'required');
    const label = `property ${JSON.stringify(name)}`;
    if (!had && has) {
      if (isRequired && !wasRequired) walk.emit('required-property-added', ctx, `${label} added, required`, { pointer });
      else if (closed(o)) walk.emit('property-allowed', ctx, `${label} added to an object that did not allow it (additionalProperties: false)`, { pointer });
      else walk.emit('optional-property-added', ctx, `${label} added${isRequired ? ' (it was already required)' : ', optional'}`, { pointer });
      continue;
    }
    if (had && !has) {
      if (wasRequired && !isRequired) walk.emit('required-property-removed', ctx, `${label} removed (it was required)`, { pointer });
      else if (!closed(n)) walk.emit('optional-property-removed', ctx, `${label} removed${isRequired ? ' (still required, now of any value)' : ''}`, { pointer });
      if (closed(n)) walk.emit('property-disallowed', ctx, `${label} removed from an object that allows no other property (additionalProperties: false)`, { pointer });
      continue;
    }
    if (had && has) {
      compareSchema(walk, oldProps[name], newProps[name], {
        ...ctx,
        pointer,
        path: `${ctx.path}.${name}`,
        oldAt: at(o.at, 'properties', name),
        newAt: at(n.at, 'properties', name),
      });
    }
    if (!wasRequired && isRequired) walk.emit('property-became-required', ctx, `${label} became required`, { pointer: requiredPointer });
    if (wasRequired && !isRequired) walk.emit('property-became-optional', ctx, `${label} became optional`, { pointer: requiredPointer });
  }

  const before = additional(o);
  const after = additional(n);
  const pointer = child(ctx.pointer, 'additionalProperties');
  if (before !== false && after === false) walk.emit('additional-properties-forbidden', ctx, 'additionalProperties became false: properties not listed are now invalid', { pointer });
  else if (before === false && after !== false) walk.emit('additional-properties-allowed', ctx, 'additionalProperties is no longer false: properties not listed are now valid', { pointer });
  else if (before !== false && after !== false && (before !== true || after !== true)) {
    compareSchema(walk, before === true ? undefined : before, after === true ? undefined : after, {
      ...ctx,
      pointer,
      path: `${ctx.path}.*`,
      oldAt: before === true ? null : at(o.at, 'additionalProperties'),
      newAt: after === true ? null : at(n.at, 'additionalProperties'),
    });
  }
}

function compareItems(walk: Walk, o: Node, n: Node, ctx: Context): void {
  const before = o.schema.items;
  const after = n.schema.items;
  if (before === undefined && after === undefined) return;
  for (const [side, value, nodeOf] of [['old', before, o], ['new', after, n]] as const) {
    if (Array.isArray(value)) throw walk.resolver(side).error(at(nodeOf.at, 'items')!, 'a schema (OpenAPI 3.1 writes tuples with prefixItems)', 'an array');
  }
  compareSchema(walk, before, after, {
    ...ctx,
    pointer: child(ctx.pointer, 'items'),
    path: `${ctx.path}[]`,
    oldAt: before === undefined ? null : at(o.at, 'items'),
    newAt: after === undefined ? null : at(n.at, 'items'),
  });
}

// Composition. allOf members are paired by title, then by the name of their $ref, then by position;
// oneOf/anyOf alternatives by title or $ref name, then by inclusion (see compareAlternatives).

interface Member {
  value: unknown;
  index: number;
  key: string;
  label: string;
}

function members(walk: Walk, side: Side, n: Node, keyword: string): Member[] | undefined {
  const value = n.schema[keyword];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw walk.resolver(side).error(at(n.at, keyword)!, 'a non-empty array of schemas', describe(value));
  const found = value.map((member, index) => {
    const resolved = node(walk, side, member, at(n.at, keyword, index));
    const title = typeof resolved.schema.title === 'string' ? resolved.schema.title : undefined;
    const refName = resolved.ref?.split(/[/#]/).filter(Boolean).pop()?.replace(/\.(ya?ml|json)$/, '');
    const name = title ?? refName;
    return { value: member, index, key: name ?? `#${index}`, label: name ?? `#${index}` };
  });
  // Names that do not tell members apart fall back to positions.
  if (new Set(found.map((m) => m.key)).size !== found.length) return found.map((m) => ({ ...m, key: `#${m.index}`, label: m.label === `#${m.index}` ? m.label : `${m.label} #${m.index}` }));
  return found;
}

function pair(before: Member[], after: Member[], byPosition = true): { both: Array<[Member, Member]>; removed: Member[]; added: Member[] } {
  const both: Array<[Member, Member]> = [];
  const removed: Member[] = [];
  const named = (m: Member) => byPosition || !m.key.startsWith('#');
  for (const member of before) {
    const match = named(member) ? after.find((m) => m.key === member.key) : undefined;
    if (match) both.push([member, match]);
    else removed.push(member);
  }
  const added = after.filter((m) => !both.some(([, a]) => a === m));
  return { both, removed, added };
}

function compareAllOf(walk: Walk, o: Node, n: Node, ctx: Context): void {
  const before = members(walk, 'old', o, 'allOf') ?? [];
  const after = members(walk, 'new', n, 'allOf') ?? [];
  const { both, removed, added } = pair(before, after);
  for (const m of added) walk.emit('subschema-added', ctx, `allOf member ${m.label} added`, { pointer: child(ctx.pointer, 'allOf', m.index) });
  for (const m of removed) walk.emit('subschema-removed', ctx, `allOf member ${m.label} removed`, { pointer: child(ctx.pointer, 'allOf', m.index) });
  for (const [b, a] of both) {
    compareSchema(walk, b.value, a.value, { ...ctx, pointer: child(ctx.pointer, 'allOf', a.index), oldAt: at(o.at, 'allOf', b.index), newAt: at(n.at, 'allOf', a.index) });
  }
}

/** Above this many trial comparisons, unnamed alternatives are not matched by inclusion (the cost grows with the product). */
const MAX_TRIALS = 64;

/**
 * oneOf/anyOf: the valid values are the union of the alternatives. Alternatives with the same
 * name (title, or $ref name) are the same alternative, changed. The others are matched by
 * inclusion, never by position: an old alternative whose values the new one accepts too (a trial
 * comparison finds nothing that breaks the writers) is that alternative widened, and one that
 * accepts only values the old one did (nothing breaks the readers) is it narrowed. A matched pair
 * is compared like any other, so its changes carry their own audiences. Of what is left, an
 * alternative whose values another one accepts (on the other side) was merged into it or split
 * from it, which changes no value's validity; the rest was removed (it breaks the writers) or added
 * (the readers).
 */
function compareAlternatives(walk: Walk, o: Node, n: Node, ctx: Context, keyword: 'oneOf' | 'anyOf'): void {
  const before = members(walk, 'old', o, keyword);
  const after = members(walk, 'new', n, keyword);
  const pointer = child(ctx.pointer, keyword);
  if (before === undefined && after === undefined) return;
  if (before === undefined) return walk.emit('subschema-added', ctx, `${keyword} added (${after!.map((m) => m.label).join(', ')})`, { pointer });
  if (after === undefined) return walk.emit('subschema-removed', ctx, `${keyword} removed (was ${before.map((m) => m.label).join(', ')})`, { pointer });
  const { both, removed, added } = pair(before, after, false);
  const compare = (b: Member, a: Member) =>
    compareSchema(walk, b.value, a.value, {
      ...ctx,
      pointer: child(pointer, a.index),
      path: `${ctx.path} (${keyword} ${b.label === a.label ? a.label : `${b.label} → ${a.label}`})`,
      oldAt: at(o.at, keyword, b.index),
      newAt: at(n.at, keyword, a.index),
    });
  const { writers, readers } = roles(ctx.direction);
  const matched: Array<[Member, Member]> = [];
  if (removed.length * added.length <= MAX_TRIALS) {
    // Score each pair: 2 when neither side is broken (the same values), 1 when one inclusion holds.
    const scored: Array<{ b: Member; a: Member; score: number }> = [];
    for (const b of removed) {
      for (const a of added) {
        const found = walk.trial(() => compare(b, a));
        const wider = !found.some((c) => c.rule.breaks.includes(writers));
        const narrower = !found.some((c) => c.rule.breaks.includes(readers));
        if (wider || narrower) scored.push({ b, a, score: wider && narrower ? 2 : 1 });
      }
    }
    scored.sort((x, y) => y.score - x.score || x.b.index - y.b.index || x.a.index - y.a.index);
    for (const { b, a } of scored) if (!matched.some(([mb, ma]) => mb === b || ma === a)) matched.push([b, a]);
  }
  // Left over: an alternative whose values another one accepts (on the other side) changes no value's validity.
  let trials = 0;
  const covering = (candidates: Member[], fits: (c: Member) => boolean) => candidates.find((c) => ++trials <= MAX_TRIALS && fits(c));
  const breaksNo = (audience: Audience, b: Member, a: Member) => !walk.trial(() => compare(b, a)).some((c) => c.rule.breaks.includes(audience));
  for (const m of added) {
    if (matched.some(([, a]) => a === m)) continue;
    const cover = covering(before, (b) => breaksNo(readers, b, m));
    if (cover) walk.emit('alternative-split', ctx, `${keyword} alternative ${m.label} added, within ${cover.label} (which accepted its values)`, { pointer: child(pointer, m.index) });
    else walk.emit('alternative-added', ctx, `${keyword} alternative ${m.label} added`, { pointer: child(pointer, m.index) });
  }
  for (const m of removed) {
    if (matched.some(([b]) => b === m)) continue;
    const cover = covering(after, (a) => breaksNo(writers, m, a));
    if (cover) walk.emit('alternative-merged', ctx, `${keyword} alternative ${m.label} removed, into ${cover.label} (which accepts its values)`, { pointer: child(pointer, m.index) });
    else walk.emit('alternative-removed', ctx, `${keyword} alternative ${m.label} removed`, { pointer: child(pointer, m.index) });
  }
  for (const [b, a] of [...both, ...matched.sort(([, x], [, y]) => x.index - y.index)]) compare(b, a);
}

/** A keyword's value, $refs resolved, as text; undefined when absent. */
function canonical(walk: Walk, side: Side, n: Node, keyword: string): string | undefined {
  const value = n.schema[keyword];
  if (value === undefined) return undefined;
  return n.at === null ? JSON.stringify(value) : walk.resolver(side).canonical(value, at(n.at, keyword)!);
}

function compareUnordered(walk: Walk, o: Node, n: Node, ctx: Context): void {
  for (const keyword of UNORDERED) {
    const before = canonical(walk, 'old', o, keyword);
    const after = canonical(walk, 'new', n, keyword);
    if (before === after) continue;
    const what = before === undefined ? `${keyword} added` : after === undefined ? `${keyword} removed` : `${keyword} changed`;
    walk.emit('keyword-changed', ctx, what, { pointer: child(ctx.pointer, keyword) });
  }
}

function compareDefault(walk: Walk, o: Node, n: Node, ctx: Context): void {
  const before = canonical(walk, 'old', o, 'default');
  const after = canonical(walk, 'new', n, 'default');
  if (before === after) return;
  const what = before === undefined ? `default ${after} added` : after === undefined ? `default ${before} removed` : `default changed from ${before} to ${after}`;
  walk.emit('default-changed', ctx, what, { pointer: child(ctx.pointer, 'default') });
}

/** Documentation keywords of any OpenAPI object: one change per keyword that differs. */
export function compareAnnotations(walk: Walk, before: Record<string, unknown>, after: Record<string, unknown>, ctx: Context, keywords: readonly string[]): void {
  for (const keyword of keywords) {
    const b = before[keyword] === undefined || ctx.oldAt === null ? undefined : walk.old.canonical(before[keyword], { url: ctx.oldAt.url, pointer: child(ctx.oldAt.pointer, keyword) });
    const a = after[keyword] === undefined || ctx.newAt === null ? undefined : walk.new.canonical(after[keyword], { url: ctx.newAt.url, pointer: child(ctx.newAt.pointer, keyword) });
    if (a === b) continue;
    const what = b === undefined ? `${keyword} added` : a === undefined ? `${keyword} removed` : `${keyword} changed`;
    walk.emit('annotation-changed', ctx, what, { pointer: child(ctx.pointer, keyword) });
  }
}
