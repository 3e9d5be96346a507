/**
 * One side of a diff: an OpenAPI document (and the files its `$ref`s point at, already read),
 * with `$ref` resolution that says where a broken reference is. Pure: reading files is the
 * command's job, so the engine runs anywhere.
 */

/** A document as the engine takes it. */
export interface SourceDocument {
  /** The parsed root document. */
  document: unknown;
  /** Its URL, the base of relative `$ref`s (e.g. file:///…/openapi.yaml). Default: a placeholder. */
  url?: string;
  /** The other files its `$ref`s point at, by URL (no fragment): parsed, or why they could not be. */
  files?: ReadonlyMap<string, unknown>;
  /** A name for messages (the path as the user typed it). Default: the URL, or "the old/new document". */
  name?: string;
}

/** A file that could not be read or parsed, as the command hands it over. */
export class UnreadableFile {
  constructor(readonly reason: string) {}
}

export type Side = 'old' | 'new';

/** Where a value physically is: a file and a JSON pointer in it. */
export interface Location {
  url: string;
  pointer: string;
}

/** The input is not a document the engine can compare: names the file, the pointer, what was expected and found. */
export class DocumentError extends Error {
  constructor(
    readonly side: Side,
    readonly file: string,
    readonly pointer: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}: ${pointer === '' ? '(document root)' : pointer}: expected ${expected}, found ${found}`);
    this.name = 'DocumentError';
  }
}

const DEFAULT_URL = 'file:///openapi-document';

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function child(pointer: string, ...segments: Array<string | number>): string {
  return pointer + segments.map((s) => `/${escapePointer(String(s))}`).join('');
}

/** A short description of a value for "found …" in messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface Resolved {
  value: unknown;
  at: Location;
  /** The reference followed to get here, as a key that two documents can share (relative to the root). */
  ref?: string;
}

/** Resolves `$ref`s within one side's documents. */
export class Resolver {
  readonly url: string;
  readonly name: string;
  readonly root: unknown;
  private readonly base: string;
  private readonly files: ReadonlyMap<string, unknown>;

  constructor(
    readonly side: Side,
    source: SourceDocument,
  ) {
    this.url = withoutFragment(source.url ?? DEFAULT_URL);
    this.name = source.name ?? source.url ?? `the ${side} document`;
    this.root = source.document;
    this.files = source.files ?? new Map();
    this.base = this.url.slice(0, this.url.lastIndexOf('/') + 1);
  }

  error(at: Location, expected: string, found: string): DocumentError {
    return new DocumentError(this.side, this.fileName(at.url), at.pointer, expected, found);
  }

  fileName(url: string): string {
    if (url === this.url) return this.name;
    const relative = url.startsWith(this.base) ? url.slice(this.base.length) : url;
    const nameBase = this.name.includes('/') ? this.name.slice(0, this.name.lastIndexOf('/') + 1) : '';
    return url.startsWith(this.base) ? `${nameBase}${relative}` : url;
  }

  /** Follows `$ref`s (siblings of a `$ref` apply on top of its target, as OpenAPI 3.1 allows). */
  resolve(value: unknown, at: Location): Resolved {
    let current: Resolved = { value, at };
    const seen = new Set<string>();
    while (isObject(current.value) && '$ref' in current.value) {
      const node = current.value;
      const ref = node.$ref;
      if (typeof ref !== 'string') throw this.error({ url: current.at.url, pointer: child(current.at.pointer, '$ref') }, 'a reference (a string)', describe(ref));
      const target = this.target(ref, current.at);
      const key = `${target.at.url}#${target.at.pointer}`;
      if (seen.has(key)) throw this.error(current.at, 'a $ref that leads to a value', `a loop of $refs back to ${ref}`);
      seen.add(key);
      const siblings = Object.keys(node).filter((k) => k !== '$ref');
      if (siblings.length > 0 && isObject(target.value)) {
        const merged: Record<string, unknown> = { ...target.value };
        for (const k of siblings) merged[k] = node[k];
        current = { value: merged, at: target.at, ref: target.ref };
      } else {
        current = target;
      }
    }
    return current;
  }

  private target(ref: string, from: Location): Resolved {
    const where = { url: from.url, pointer: child(from.pointer, '$ref') };
    let url: URL;
    try {
      url = new URL(ref, from.url);
    } catch {
      throw this.error(where, 'a URI reference', `the string ${JSON.stringify(ref)}`);
    }
    let fragment: string;
    try {
      fragment = url.hash === '' ? '' : decodeURIComponent(url.hash.slice(1));
    } catch {
      throw this.error(where, 'a JSON pointer after "#" (percent-encoded as UTF-8)', `"${url.hash}"`);
    }
    url.hash = '';
    const fileUrl = url.href;
    let document: unknown;
    if (fileUrl === this.url) {
      document = this.root;
    } else if (this.files.has(fileUrl)) {
      document = this.files.get(fileUrl);
      if (document instanceof UnreadableFile) throw this.error(where, `a readable file at ${JSON.stringify(ref)}`, document.reason);
    } else {
      const remote = !fileUrl.startsWith('file:');
      throw this.error(where, remote ? 'a local reference (remote $refs are not fetched: bundle the document first)' : `a file at ${JSON.stringify(ref)}`, remote ? `the URL ${fileUrl}` : 'no such file');
    }
    if (fragment !== '' && !fragment.startsWith('/')) throw this.error(where, 'a JSON pointer after "#" (anchors are not supported)', `"#${fragment}"`);
    let value = document;
    let here: Location = { url: fileUrl, pointer: '' };
    const segments = fragment === '' ? [] : fragment.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    for (const segment of segments) {
      // A target may pass through another $ref (#/components/schemas/A/properties/b, A a $ref).
      if (isObject(value) && '$ref' in value) ({ value, at: here } = this.resolve(value, here));
      if (isObject(value) && Object.hasOwn(value, segment)) value = value[segment];
      else if (Array.isArray(value) && /^(0|[1-9]\d*)$/.test(segment) && Number(segment) < value.length) value = value[Number(segment)];
      else throw this.error(where, `a value at ${JSON.stringify(ref)}`, `nothing at ${child(here.pointer, segment)} of ${this.fileName(here.url)}`);
      here = { url: here.url, pointer: child(here.pointer, segment) };
    }
    const relative = fileUrl === this.url ? '' : fileUrl.startsWith(this.base) ? fileUrl.slice(this.base.length) : fileUrl;
    return { value, at: here, ref: `${relative}#${fragment}` };
  }

  /**
   * A canonical JSON text of a value with every `$ref` resolved (a reference back into itself
   * becomes {"$cycle": …}), so that two documents can be compared whatever their layout.
   */
  canonical(value: unknown, at: Location, stack: string[] = []): string {
    if (Array.isArray(value)) return `[${value.map((v, i) => this.canonical(v, { url: at.url, pointer: child(at.pointer, i) }, stack)).join(',')}]`;
    if (!isObject(value)) return JSON.stringify(value) ?? 'null';
    let node = value;
    let here = at;
    if ('$ref' in value) {
      let resolved: Resolved;
      try {
        resolved = this.resolve(value, at);
      } catch {
        // Data that merely looks like a reference (inside an example, say) compares as written.
        resolved = { value, at };
      }
      if (resolved.ref !== undefined) {
        if (stack.includes(resolved.ref)) return JSON.stringify({ $cycle: resolved.ref });
        stack = [...stack, resolved.ref];
      }
      if (!isObject(resolved.value)) return this.canonical(resolved.value, resolved.at, stack);
      node = resolved.value;
      here = resolved.at;
    }
    const keys = Object.keys(node).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${this.canonical(node[k], { url: here.url, pointer: child(here.pointer, k) }, stack)}`).join(',')}}`;
  }
}

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}
