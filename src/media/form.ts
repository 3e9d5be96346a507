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
        refuse({ problem: 'form-duplicate-field', pointer: conflict, message: `expected each field once, found ${JSON.stringify(rawName)} where ${conflict} already has a value` });
        continue;
      }
      const problem = name.problem ?? value.problem;
      const pointer = `/${parsed.tokens.map(escapeToken).join('/')}`;
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
        for (const [key, child] of node.children) Object.defineProperty(object, key, { value: valueOf(child), enumerable: true, writable: true, configurable: true });
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

/** One form component as the WHATWG urlencoded serializer writes it (what URLSearchParams gives: space as "+"). */
function encodeComponent(text: string): string {
  return new URLSearchParams([['', text]]).toString().slice(1);
}

/**
 * The form body of a value, written as form() decodes it: `name=value` for a top-level string or
 * number, `name[key]=...` for an object member, `list[N][field]=...` for an array at a declared
 * array pointer; brackets as written (as qs.stringify with encodeValuesOnly writes them), names'
 * and values' other characters percent-encoded. undefined when the value has no form: not an
 * object, or holding null, a boolean, an empty object or array, an array outside the declared
 * pointers, or a name with a bracket (no form body decodes to those).
 */
export function encodeForm(value: unknown, options: FormOptions = {}): string | undefined {
  const arrays = options.arrays && options.arrays.length > 0 ? pointerRegExp(options.arrays) : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const parts: string[] = [];
  const walk = (node: unknown, name: string, pointer: string, top: boolean): boolean => {
    if (typeof node === 'string') {
      parts.push(`${name}=${encodeComponent(node)}`);
      return true;
    }
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return false;
      parts.push(`${name}=${encodeComponent(String(node))}`);
      return true;
    }
    if (typeof node !== 'object' || node === null) return false;
    const isArray = Array.isArray(node);
    if (isArray !== (arrays !== undefined && arrays.test(pointer))) return false;
    const entries: Array<[string, unknown]> = isArray ? (node as unknown[]).map((item, i) => [String(i), item]) : Object.entries(node as Record<string, unknown>);
    if (entries.length === 0 && !top) return false;
    for (const [key, child] of entries) {
      if (key === '' || /[[\]]/.test(key)) return false;
      const childName = top ? encodeComponent(key) : `${name}[${encodeComponent(key)}]`;
      if (!walk(child, childName, `${pointer}/${escapeToken(key)}`, false)) return false;
    }
    return true;
  };
  return walk(value, '', '', true) ? parts.join('&') : undefined;
}
