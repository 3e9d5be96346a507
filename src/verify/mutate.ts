/**
 * Generated bodies for the contract-driven plan: a valid example, changed in one place by one
 * mutation drawn from a seed, or given a value the contract declares (contract.yaml
 * verify.values, setValue). Whether the result is valid, and which rule it breaks, is not
 * decided here: the contract's own engine judges each body (contract-plan.ts), so that a
 * mutation cannot claim what the contract does not say. Names no field: where a mutation
 * applies is drawn from the body itself, and the one field it knows of (a timestamp whose
 * seconds and milliseconds are told apart) comes from contract.yaml `events.time`. The
 * mutations of the JSON text itself (not JSON, not an object) give raw text: they are sent in
 * the JSON media types only.
 */
import { escapeToken } from '../engine/values.js';
import type { Rng } from './cases.js';

export interface Mutated {
  /** The mutation's name (one of MUTATIONS' names). */
  mutation: string;
  /** What it did, for people: "removed /items/0/name". */
  what: string;
  /** The pointer it changed. */
  pointer: string;
  /** The new body: a value to encode, or (`text`) raw text. */
  value?: unknown;
  text?: string;
}

export interface MutationContext {
  rng: Rng;
  /** contract.yaml events.time: the pointer of a numeric timestamp and the bound below which it is seconds. */
  timestamp?: { pointer: string; secondsBelow: number };
  /** "Now", fixed per run so that the same seed gives the same bodies. */
  now: number;
}

type Location = { pointer: string; parent: unknown; key: string | number; value: unknown };

function locations(root: unknown): Location[] {
  const out: Location[] = [];
  const walk = (node: unknown, pointer: string) => {
    if (typeof node !== 'object' || node === null) return;
    const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, value] of entries) {
      const child = `${pointer}/${escapeToken(String(key))}`;
      out.push({ pointer: child, parent: node, key, value });
      walk(value, child);
    }
  };
  walk(root, '');
  return out;
}

const clone = <T>(value: T): T => structuredClone(value);

// A pointer with its array indices as "*" (products, index 0, link: /products/*/link).
export const generalPointer = (pointer: string) => pointer.replace(/\/\d+(?=\/|$)/g, '/*');

/**
 * One location, drawn field by field: first a field (its pointer with indices as "*"), then one
 * of its places. Every field gets the same chance, whether it is one member or in each of 25
 * array items.
 */
function pickSpread(candidates: readonly Location[], rng: Rng): Location | undefined {
  if (candidates.length === 0) return undefined;
  const fields = [...new Set(candidates.map((l) => generalPointer(l.pointer)))];
  const field = rng.pick(fields);
  return rng.pick(candidates.filter((l) => generalPointer(l.pointer) === field));
}

/** The location at the same pointer in a copy of the body. */
function at(copy: unknown, pointer: string): Location {
  const found = locations(copy).find((l) => l.pointer === pointer);
  if (!found) throw new Error(`no ${pointer} in the copy`);
  return found;
}

const UNICODE = ['Zoë Ångström', '山田 太郎', 'محمد الأحمد', 'Ольга', '😀🎉 party', 'e\u0301 combining', '\u{1F1FA}\u{1F1F8}', 'tab\tand\nnewline', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '"quotes" & <tags>'];
const OTHER_TYPE: Record<string, (rng: Rng) => unknown[]> = {
  string: (rng) => [rng.int(0, 1000), true, false, [], {}, [rng.int(1, 9)]],
  number: (rng) => [String(rng.int(0, 1000)), true, [], {}, 'not a number'],
  boolean: () => ['true', 1, [], {}],
  object: () => ['object', 1, true, []],
  array: () => ['array', 1, true, {}],
};
const typeOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

type Mutation = { name: string; apply(body: unknown, context: MutationContext): Mutated | undefined };

/** Changes the value at one drawn location, chosen among those `where` accepts. */
function change(name: string, where: (l: Location) => boolean, make: (l: Location, rng: Rng) => unknown, say: (l: Location, value: unknown) => string): Mutation {
  return {
    name,
    apply(body, { rng }) {
      const chosen = pickSpread(locations(body).filter(where), rng);
      if (!chosen) return undefined;
      const copy = clone(body);
      const target = at(copy, chosen.pointer);
      const value = make(chosen, rng);
      (target.parent as Record<string | number, unknown>)[target.key] = value;
      return { mutation: name, what: say(chosen, value), pointer: chosen.pointer, value: copy };
    },
  };
}

const short = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};
const isLeaf = (l: Location) => typeof l.value !== 'object' || l.value === null;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const MUTATIONS: readonly Mutation[] = [
  {
    name: 'drop-member',
    apply(body, { rng }) {
      const chosen = pickSpread(locations(body).filter((l) => isObject(l.parent)), rng);
      if (!chosen) return undefined;
      const copy = clone(body);
      const target = at(copy, chosen.pointer);
      delete (target.parent as Record<string, unknown>)[target.key as string];
      return { mutation: 'drop-member', what: `removed ${chosen.pointer}`, pointer: chosen.pointer, value: copy };
    },
  },
  change('other-type', (l) => l.value !== null, (l, rng) => rng.pick(OTHER_TYPE[typeOf(l.value)]!(rng)), (l, v) => `${l.pointer}: ${typeOf(l.value)} replaced by ${short(v)}`),
  change('null', (l) => l.value !== null, () => null, (l) => `${l.pointer}: null`),
  change('empty-string', isLeaf, () => '', (l) => `${l.pointer}: ""`),
  change('long-string', (l) => typeof l.value === 'string', (l, rng) => `${String(l.value)} ${'long text '.repeat(rng.int(100, 800))}`.trimEnd(), (l, v) => `${l.pointer}: a string of ${String(v).length} characters`),
  change('unicode', (l) => typeof l.value === 'string', (_, rng) => rng.pick(UNICODE), (l, v) => `${l.pointer}: ${short(v)}`),
  {
    name: 'extra-member',
    apply(body, { rng }) {
      const objects = [{ pointer: '', value: body }, ...locations(body)].filter((l) => isObject(l.value));
      if (objects.length === 0) return undefined;
      const chosen = rng.pick(objects);
      const copy = clone(body);
      const target = chosen.pointer === '' ? copy : at(copy, chosen.pointer).value;
      const key = rng.pick(['extra', 'x_custom', 'note', 'internalId', 'metadata']);
      const value = rng.pick<unknown>(['something', rng.int(0, 99), { nested: true }]);
      if (Object.hasOwn(target as object, key)) return undefined;
      (target as Record<string, unknown>)[key] = value;
      const pointer = `${chosen.pointer}/${key}`;
      return { mutation: 'extra-member', what: `added ${pointer}: ${short(value)}`, pointer, value: copy };
    },
  },
  change(
    'out-of-range-number',
    (l) => typeof l.value === 'number',
    (_, rng) => rng.pick([-1, -0.5, 0, 0.5, 1.5, -1e9, 1e20, 2 ** 53 + 2, 1e300, 253402300800000]),
    (l, v) => `${l.pointer}: ${String(v)}`,
  ),
  {
    name: 'timestamp-seconds-or-milliseconds',
    apply(body, { rng, timestamp, now }) {
      if (!timestamp || !isObject(body)) return undefined;
      const inSeconds = rng.chance(0.5);
      const seconds = rng.int(0, Math.floor(now / 1000));
      const value = inSeconds ? seconds : seconds * 1000 + rng.int(0, 999);
      // Only where the bound tells the two apart: the earliest seconds of 1970 are both.
      if (value < timestamp.secondsBelow !== inSeconds) return undefined;
      const copy = clone(body) as Record<string, unknown>;
      const tokens = timestamp.pointer.split('/').slice(1);
      let node: Record<string, unknown> = copy;
      for (const token of tokens.slice(0, -1)) {
        if (!isObject(node[token])) return undefined;
        node = node[token] as Record<string, unknown>;
      }
      node[tokens.at(-1)!] = value;
      return { mutation: 'timestamp-seconds-or-milliseconds', what: `${timestamp.pointer}: ${value} (${inSeconds ? 'seconds' : 'milliseconds'})`, pointer: timestamp.pointer, value: copy };
    },
  },
  {
    name: 'array-items',
    apply(body, { rng }) {
      const arrays = locations(body).filter((l) => Array.isArray(l.value));
      if (arrays.length === 0) return undefined;
      const chosen = rng.pick(arrays);
      const copy = clone(body);
      const target = at(copy, chosen.pointer).value as unknown[];
      const way = rng.int(0, 2);
      if (way === 0) target.length = 0;
      else if (way === 1 && target.length > 0) target.push(clone(rng.pick(target)));
      else if (target.length > 0) target.splice(rng.int(0, target.length - 1), 1);
      else return undefined;
      return { mutation: 'array-items', what: `${chosen.pointer}: ${['emptied', 'an item repeated', 'an item removed'][way]}`, pointer: chosen.pointer, value: copy };
    },
  },
  {
    // A JSON body that is not an object: a batch of one, null, a number, the body as a JSON string, true.
    name: 'not-an-object',
    apply(body, { rng }) {
      if (!isObject(body)) return undefined;
      const way = rng.int(0, 4);
      const value = [[body], null, rng.int(0, 1000), JSON.stringify(body), true][way];
      const what = ['the body in an array (a batch of one)', 'the body is JSON null', 'the body is a JSON number', 'the body as a JSON string', 'the body is JSON true'][way]!;
      return { mutation: 'not-an-object', what, pointer: '', text: JSON.stringify(value) };
    },
  },
  {
    // JSON text with what JSON does not allow: a trailing comma, a comment, a single-quoted key, nothing at all.
    name: 'json-syntax',
    apply(body, { rng }) {
      if (!isObject(body) || Object.keys(body).length === 0) return undefined;
      const json = JSON.stringify(body, null, 1);
      const way = rng.int(0, 3);
      const text = [json.replace(/\n}$/, ',\n}'), json.replace('{', '{ // sent by the nightly job\n'), json.replace(/"((?:[^"\\]|\\.)*)":/, "'$1':"), ''][way]!;
      const what = ['a trailing comma', 'a // comment', 'a single-quoted key', 'an empty body'][way]!;
      return { mutation: 'json-syntax', what: `not JSON: ${what}`, pointer: '', text };
    },
  },
  {
    name: 'cut-off',
    apply(body, { rng }) {
      const text = JSON.stringify(body);
      if (text.length < 4) return undefined;
      const cut = rng.int(1, text.length - 2);
      return { mutation: 'cut-off', what: `the JSON text cut off after ${cut} of ${text.length} characters`, pointer: '', text: text.slice(0, cut) };
    },
  },
];

/** A body with `value` at `pointer` (a member added where its parent is an object); undefined when the parent is absent. */
export function setValue(body: unknown, pointer: string, value: unknown): Mutated | undefined {
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (tokens.length === 0) return { mutation: 'declared-value', what: `the body: ${short(value)}`, pointer, text: JSON.stringify(value) };
  const copy = clone(body);
  let node: unknown = copy;
  for (const token of tokens.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  if (typeof node !== 'object' || node === null) return undefined;
  (node as Record<string, unknown>)[tokens.at(-1)!] = clone(value);
  return { mutation: 'declared-value', what: `${pointer}: ${short(value)}`, pointer, value: copy };
}

/** One mutation of one body, drawn from the seed; undefined when the drawn mutation has no place to apply. */
export function mutate(body: unknown, context: MutationContext): Mutated | undefined {
  return context.rng.pick(MUTATIONS).apply(body, context);
}
