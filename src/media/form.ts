/**
 * application/x-www-form-urlencoded, read into the object the contract's schemas judge, by the
 * rules a contract declares (its `form:` options: which pointers are arrays, which are numbers).
 *
 * 1. Fields: split on "&" (empty parts skipped), each on its first "="; "+" is a space and %XX
 *    escapes are UTF-8, as the WHATWG URL Standard's parser reads them (what URLSearchParams
 *    gives). A "%" not followed by two hex digits is kept as written, bytes that are not UTF-8
 *    become U+FFFD, and either is a `form-encoding` problem (a warning in the tables so far) on
 *    that field.
 * 2. Names: a field, then optionally bracket groups: `customer[id]` nests `id` in an object. A
 *    name of any other shape is a field name as written.
 * 3. Arrays, at the declared pointers only: `list[N][field]`, N a decimal index without
 *    leading zeros, the indices 0 to n-1 without gaps, in any order, no upper limit. A name
 *    that reaches an array in any other way (`list[]`, `list[name]`, `list[01]`,
 *    `list[0].name`), or indices with a gap, is a `form-array-index` problem at the array.
 * 4. A field given twice, at any depth (or both as a value and with brackets), is a
 *    `form-duplicate-field` problem.
 * 5. Numbers, at the declared pointers only: a value written as a JSON number is that number;
 *    any other value stays a string, for the schema to judge. Empty values are empty strings.
 *
 * Why not qs (the developers' guide suggests well-kept libraries for bracketed fields): the
 * library entry has no run-time dependencies, and qs's defaults disagree with these rules where
 * decoders disagree with each other: over 20 indices it builds an object (arrayLimit), it
 * compacts gaps, it merges `list[][name]=A&list[][name]=B` into one item with two
 * names, it makes a repeated field a list (its `duplicates` option has no "refuse"), it keeps a
 * bad escape silently, and it drops fields past 1,000 (parameterLimit) and keeps nesting past
 * 5 (depth) as one key, without a word. Options can move each default, but not make qs report what it did,
 * and a refusal needs to say which field. These rules are about 160 lines on the standard's own
 * decoding (decodeURIComponent and TextDecoder, in every runtime).
 */
import { decodeUtf8 } from '../json.js';
import { escapeToken, pointerRegExp } from '../engine/values.js';
import type { DecodeResult, Finding, MediaType, TextResult } from './types.js';

export interface FormOptions {
  /** Pointers (`*` for one token) of the arrays written `name[N]...`. */
  arrays?: readonly string[];
  /** Pointers (`*` for one token) where a value written as a JSON number is a number. */
  numbers?: readonly string[];
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INDEX = /^(?:0|[1-9]\d*)$/;
const BRACKETS = /^(?:\[[^[\]]*\])+$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

type Container = { kind: 'object' | 'array'; pointer: string; children: Map<string, Node> };
type Node = Container | { kind: 'leaf'; pointer: string; value: string };

let lenient: InstanceType<typeof TextDecoder> | undefined;

/** UTF-8 bytes of a string (a lone surrogate as U+FFFD, as the standard's encoder writes it). */
function pushUtf8(bytes: number[], text: string): void {
  for (const char of text) {
    let code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
}

/** A name or value as the WHATWG parser decodes it, and what was wrong with its encoding, if anything. */
function decodeComponent(raw: string): { text: string; problem?: string } {
  const spaced = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!spaced.includes('%')) return { text: spaced };
  const badEscape = BAD_ESCAPE.test(spaced);
  if (!badEscape) {
    try {
      return { text: decodeURIComponent(spaced) };
    } catch {
      // Escapes that are not UTF-8: decoded below, with replacement characters.
    }
  }
  const bytes: number[] = [];
  let run = 0;
  for (let i = 0; i < spaced.length; i += 1) {
    if (spaced[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(spaced.slice(i + 1, i + 3))) {
      pushUtf8(bytes, spaced.slice(run, i));
      bytes.push(parseInt(spaced.slice(i + 1, i + 3), 16));
      i += 2;
      run = i + 1;
    }
  }
  pushUtf8(bytes, spaced.slice(run));
  lenient ??= new TextDecoder('utf-8', { ignoreBOM: true });
  return {
    text: lenient.decode(new Uint8Array(bytes)),
    problem: badEscape ? 'a "%" not followed by two hex digits (kept as written)' : 'percent-escapes of bytes that are not UTF-8 (read as U+FFFD)',
  };
}

export function form(options: FormOptions = {}): MediaType {
  const arrays = options.arrays && options.arrays.length > 0 ? pointerRegExp(options.arrays) : undefined;
  const numbers = options.numbers && options.numbers.length > 0 ? pointerRegExp(options.numbers) : undefined;
  // Patterns name a fixed number of tokens (unless "**"): deeper pointers are never tested, so a
  // name of 100,000 bracket groups costs linear time, not a regular expression per level.
  const depthOf = (patterns: readonly string[] | undefined) =>
    Math.max(0, ...(patterns ?? []).map((p) => (p.split('/').includes('**') ? Infinity : p.split('/').length - 1)));
  const arrayDepth = depthOf(options.arrays);
  const numberDepth = depthOf(options.numbers);
  const isArray = (pointer: string, depth: number) => arrays !== undefined && depth <= arrayDepth && arrays.test(pointer);

  /** The tokens of a field name, or the array whose form it breaks. */
  function parseName(name: string): { tokens: string[] } | { array: string } {
    const open = name.indexOf('[');
    if (open <= 0) return { tokens: [name] };
    const head = name.slice(0, open);
    const rest = name.slice(open);
    let pointer = `/${escapeToken(head)}`;
    if (!BRACKETS.test(rest)) return isArray(pointer, 1) ? { array: pointer } : { tokens: [name] };
    const tokens = [head];
    let array: string | undefined;
    for (const key of rest.slice(1, -1).split('][')) {
      if (isArray(pointer, tokens.length)) {
        array = pointer;
        if (!INDEX.test(key)) return { array };
      } else if (key === '') {
        return array !== undefined ? { array } : { tokens: [name] };
      }
      tokens.push(key);
      pointer += `/${escapeToken(key)}`;
    }
    return { tokens };
  }

  function decode(text: string): DecodeResult {
    const root: Container = { kind: 'object', pointer: '', children: new Map() };
    const errors = new Map<string, Finding>();
    const warnings = new Map<string, Finding>();
    const refuse = (finding: Finding) => {
      const key = `${finding.problem} ${finding.pointer}`;
      if (!errors.has(key)) errors.set(key, finding);
    };
    for (const part of text.split('&')) {
      if (part === '') continue;
      const equals = part.indexOf('=');
      const rawName = equals < 0 ? part : part.slice(0, equals);
      const name = decodeComponent(rawName);
      const value = decodeComponent(equals < 0 ? '' : part.slice(equals + 1));
      const parsed = parseName(name.text);
      if ('array' in parsed) {
        refuse({
          problem: 'form-array-index',
          pointer: parsed.array,
          message: `expected fields named ${parsed.array.slice(1)}[N]... with N an index from 0 (no leading zeros, no empty brackets, no keys, no dots), found the field ${JSON.stringify(name.text)}`,
        });
        continue;
      }
      let node = root;
      let conflict: string | undefined;
      for (const [i, token] of parsed.tokens.entries()) {
        const pointer = `${node.pointer}/${escapeToken(token)}`;
        const existing = node.children.get(token);
        if (i === parsed.tokens.length - 1) {
          if (existing) conflict = pointer;
          else node.children.set(token, { kind: 'leaf', pointer, value: value.text });
          break;
        }
        if (existing?.kind === 'leaf') {
          conflict = pointer;
          break;
        }
        const child: Container = existing ?? { kind: isArray(pointer, i + 1) ? 'array' : 'object', pointer, children: new Map() };
        if (!existing) node.children.set(token, child);
        node = child;
      }
      if (conflict !== undefined) {
        refuse({ problem: 'form-duplicate-field', pointer: conflict, message: `expected each field once, found the field ${JSON.stringify(rawName)} where ${conflict} already has a value` });
        continue;
      }
      const problem = name.problem ?? value.problem;
      // The pointer only when there is a problem to report (most fields have none).
      const pointer = problem ? `/${parsed.tokens.map(escapeToken).join('/')}` : '';
      if (problem && !warnings.has(pointer)) {
        warnings.set(pointer, { problem: 'form-encoding', pointer, message: `expected %XX escapes of UTF-8 bytes, found ${problem} in the field ${JSON.stringify(rawName)}` });
      }
    }
    // Containers into values, children first, with an explicit stack: a name of 100,000 bracket
    // groups must not overflow the call stack.
    const leafValue = (node: Extract<Node, { kind: 'leaf' }>, depth: number): unknown =>
      numbers !== undefined && depth <= numberDepth && numbers.test(node.pointer) && JSON_NUMBER.test(node.value) ? Number(node.value) : node.value;
    const built = new Map<Container, unknown>();
    const stack: Array<{ node: Container; depth: number; expanded: boolean }> = [{ node: root, depth: 0, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (!top.expanded) {
        top.expanded = true;
        for (const child of top.node.children.values()) if (child.kind !== 'leaf') stack.push({ node: child, depth: top.depth + 1, expanded: false });
        continue;
      }
      stack.pop();
      const { node, depth } = top;
      const valueOf = (child: Node) => (child.kind === 'leaf' ? leafValue(child, depth + 1) : built.get(child));
      if (node.kind === 'array') {
        const size = node.children.size;
        if ([...node.children.keys()].some((key) => Number(key) >= size)) {
          const indices = [...node.children.keys()].sort((x, y) => Number(x) - Number(y));
          refuse({ problem: 'form-array-index', pointer: node.pointer, message: `expected the indices of ${node.pointer.slice(1)} to run from 0 to ${size - 1} without gaps, found ${indices.join(', ')}` });
          built.set(node, []);
        } else {
          built.set(node, Array.from({ length: size }, (_, i) => valueOf(node.children.get(String(i))!)));
        }
      } else {
        // Own properties as JSON.parse makes them: "__proto__" is data, not the prototype.
        const object: Record<string, unknown> = {};
        // defineProperty only where needed: on every key it turns the object into a slow dictionary.
        for (const [key, child] of node.children) {
          if (key === '__proto__') Object.defineProperty(object, key, { value: valueOf(child), enumerable: true, writable: true, configurable: true });
          else object[key] = valueOf(child);
        }
        built.set(node, object);
      }
      for (const child of node.children.values()) if (child.kind !== 'leaf') built.delete(child);
    }
    const value = built.get(root);
    if (errors.size > 0) return { ok: false, errors: [...errors.values()] };
    return { ok: true, value, warnings: [...warnings.values()] };
  }

  return {
    type: 'application/x-www-form-urlencoded',
    strictSyntax: false,
    claims(text) {
      const trimmed = text.trim();
      return trimmed.includes('=') && !/[\s"{}]/.test(trimmed);
    },
    text(bytes): TextResult {
      const decoded = decodeUtf8(bytes);
      if (decoded.ok) return { ok: true, text: decoded.text };
      const offset = decoded.offset;
      lenient ??= new TextDecoder('utf-8', { ignoreBOM: true });
      const text = lenient.decode(bytes);
      return { ok: true, text, warnings: [{ problem: 'form-encoding', pointer: '', message: `expected UTF-8 text (a form body is percent-encoded ASCII), found a byte that is not UTF-8 at byte offset ${offset} (read as U+FFFD)` }] };
    },
    decode,
  };
}

/** A value the form rules cannot carry: where it is, what a form can write there, and what was found. */
export class FormEncodeError extends TypeError {
  constructor(
    readonly pointer: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${pointer || '(body)'}: expected ${expected}, found ${found}`);
    this.name = 'FormEncodeError';
  }
}

export interface EncodeOptions {
  /**
   * Write a number where the rules read text (not a number pointer) as its JSON text, and say so:
   * called with its pointer and the number. Without it such a number is refused, so that the
   * round trip is exact. (A sender may want it: a field that takes "a string or a number" is text
   * in a form, as every encoder writes it.)
   */
  numberAsText?: (pointer: string, value: number) => void;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A name or value as the WHATWG form serializer writes it (what URLSearchParams writes: space as "+"). */
function encodeComponent(text: string): string {
  return new URLSearchParams([['', text]]).toString().slice(1);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an empty object';
  return `a ${typeof value}`;
}

/**
 * Writes a decoded body (a JSON object) as application/x-www-form-urlencoded, exactly as `form()`
 * with the same options reads it back: arrays at the declared pointers as `list[N][field]` (brackets
 * as written, as qs's encodeValuesOnly and PHP write them), nested objects as `name[key]`, names
 * and values percent-encoded by the WHATWG serializer (space as "+"), numbers at the declared
 * pointers as JSON writes them. Whatever the rules would read back as something else is refused
 * with a FormEncodeError naming its pointer, never changed: null, booleans, empty arrays and
 * objects, arrays elsewhere, numbers elsewhere (they would arrive as strings), strings that read
 * as numbers at a number pointer (they would arrive as numbers), keys with brackets, lone
 * surrogates. So decode(encodeForm(value)) deep-equals value whenever it returns (unless
 * `write.numberAsText` lets numbers arrive as their text, each one reported).
 */
export function encodeForm(value: unknown, options: FormOptions = {}, write: EncodeOptions = {}): string {
  const arrays = options.arrays && options.arrays.length > 0 ? pointerRegExp(options.arrays) : undefined;
  const numbers = options.numbers && options.numbers.length > 0 ? pointerRegExp(options.numbers) : undefined;
  const numberList = (options.numbers ?? []).join(', ') || 'none declared';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormEncodeError('', 'an object (a form body is a list of named fields)', describe(value));
  const fields: string[] = [];
  // An explicit stack (in order), so that a deep value cannot overflow the call stack.
  const stack: Array<{ value: unknown; pointer: string; name: string }> = [];
  const push = (object: object, pointer: string, name: string | undefined) => {
    const entries = Object.entries(object);
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, child] = entries[i]!;
      const childPointer = `${pointer}/${escapeToken(key)}`;
      if (key === '' && (name !== undefined || (typeof child === 'object' && child !== null))) {
        throw new FormEncodeError(childPointer, 'a non-empty field name (an empty name in brackets or before them is read as part of the name)', 'an empty name');
      }
      if (/[[\]]/.test(key)) throw new FormEncodeError(childPointer, 'a field name without "[" or "]" (brackets nest fields in a form)', `the name ${JSON.stringify(key)}`);
      if (LONE_SURROGATE.test(key)) throw new FormEncodeError(childPointer, 'a field name of well-formed UTF-16 text', 'a lone surrogate');
      stack.push({ value: child, pointer: childPointer, name: name === undefined ? encodeComponent(key) : `${name}[${encodeComponent(key)}]` });
    }
  };
  push(value, '', undefined);
  while (stack.length > 0) {
    const { value: item, pointer, name } = stack.pop()!;
    const isNumberPointer = numbers !== undefined && numbers.test(pointer);
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) throw new FormEncodeError(pointer, 'well-formed UTF-16 text', 'a string with a lone surrogate (it would arrive as U+FFFD)');
      if (isNumberPointer && JSON_NUMBER.test(item)) throw new FormEncodeError(pointer, 'a number, or a string that does not read as one (a form carries both as text, and this field reads a number)', describe(item));
      fields.push(`${name}=${encodeComponent(item)}`);
    } else if (typeof item === 'number') {
      if (!isNumberPointer && !write.numberAsText) throw new FormEncodeError(pointer, `a string (a form value is text; only ${numberList} read numbers)`, describe(item));
      if (!isNumberPointer) write.numberAsText!(pointer, item);
      // encodeComponent: an exponent's "+" (1e+21) would otherwise arrive as a space.
      fields.push(`${name}=${encodeComponent(JSON.stringify(item))}`);
    } else if (Array.isArray(item)) {
      if (arrays === undefined || !arrays.test(pointer)) throw new FormEncodeError(pointer, `a string or an object (a form writes arrays only at ${(options.arrays ?? []).join(', ') || 'no pointer'})`, describe(item));
      if (item.length === 0) throw new FormEncodeError(pointer, 'at least one item (an empty array writes no field, so it would arrive absent)', describe(item));
      for (let i = item.length - 1; i >= 0; i -= 1) stack.push({ value: item[i], pointer: `${pointer}/${i}`, name: `${name}[${i}]` });
    } else if (typeof item === 'object' && item !== null) {
      if (arrays !== undefined && arrays.test(pointer)) throw new FormEncodeError(pointer, 'an array (this field is written name[N]...)', 'an object');
      if (Object.keys(item).length === 0) throw new FormEncodeError(pointer, 'at least one field (an empty object writes no field, so it would arrive absent)', describe(item));
      push(item, pointer, name);
    } else {
      throw new FormEncodeError(pointer, 'a string or a number (a form has no null, true or false)', describe(item));
    }
  }
  return fields.join('&');
}
