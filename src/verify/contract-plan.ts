/**
 * The checks of `converge-webhook verify --contract <id>`, built from the contract's data alone:
 * its example manifests (spec/<id>/examples/{valid,invalid}.yaml), its operations and URL
 * templates, its auth type (auth-checks.ts), its media types, its code table (the status of each
 * refusal) and its engine (the generated library entry's validateBody), which judges every
 * generated body. Names no contract and no field. Pure data out: the Dredd hooks send each
 * check's `wire` request as it is, and judge.ts judges the answer.
 *
 * The order: valid examples, invalid examples, auth checks, media types, generated valid bodies,
 * generated invalid bodies.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import YAML from 'yaml';

import type { ContractRuntime, RuntimeOperation } from '../contract-runtime.js';
import { encodeForm } from '../media/form.js';
import { authNegatives, validShown, type WireRequest } from './auth-checks.js';
import { DEFAULT_CASE_COUNT, DEFAULT_SEED, Rng } from './cases.js';
import { generalPointer, mutate } from './mutate.js';
import type { PlannedCheck } from './plan.js';

export interface ContractPlanOptions {
  runtime: ContractRuntime;
  /** The package root: spec/<id>/ lives there. */
  root: string;
  /** The URL of each operation the user gave (by operation id); an operation without one is not sent. */
  urls: Readonly<Record<string, URL | undefined>>;
  /** What the auth needs beside the URL: the token (header-token), the account's values (query-md5). */
  secrets?: Readonly<Record<string, string>>;
  /** Generated valid bodies and generated invalid bodies, each (default 200). */
  cases?: number;
  seed?: number;
}

interface ManifestEntry {
  file: string;
  summary: string;
  kind?: string;
  webhook?: string;
  contentType?: string | null;
  status?: number;
  errors?: Array<{ code: string; pointer: string }>;
  warnings?: Array<{ code: string; pointer: string }>;
}

/** A URL template as a pattern at the end of a path (a receiver may be mounted under a prefix). */
export function templatePattern(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`${source}$`), names };
}

/** The path parameters of a URL for an operation's template; undefined when the path does not end with the template. */
export function matchTemplate(template: string, url: URL): Record<string, string> | undefined {
  const { pattern, names } = templatePattern(template);
  const found = pattern.exec(url.pathname);
  if (!found) return undefined;
  const parameters: Record<string, string> = {};
  names.forEach((name, i) => {
    const raw = found[i + 1]!;
    try {
      parameters[name] = decodeURIComponent(raw);
    } catch {
      parameters[name] = raw;
    }
  });
  return parameters;
}

/** A path with the value of one template parameter replaced by `mask` of it (a secret as printed). */
export function maskParameter(path: string, template: string, parameter: string, mask: (value: string) => string): string {
  const parts = template.split(/(\{[^}]+\})/).filter((part) => part !== '');
  // Every part its own group (literal text and parameters), after a prefix: the path is put back together with one group masked.
  const pattern = new RegExp(`^(.*?)${parts.map((part) => (/^\{[^}]+\}$/.test(part) ? '([^/]+)' : `(${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`)).join('')}$`);
  const found = pattern.exec(path);
  if (!found) return path;
  return found
    .slice(1)
    .map((text, i) => (i > 0 && parts[i - 1] === `{${parameter}}` ? mask(text) : text))
    .join('');
}

function readManifest(file: string): ManifestEntry[] {
  const list = YAML.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(list)) throw new Error(`${file}: expected a list of examples`);
  return list as ManifestEntry[];
}

const mediaType = (contentType: string | null | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

export function buildContractPlan(options: ContractPlanOptions): PlannedCheck[] {
  const { runtime, root } = options;
  const { descriptor, table } = runtime;
  const count = options.cases ?? DEFAULT_CASE_COUNT;
  const seed = options.seed ?? DEFAULT_SEED;
  const rng = new Rng(seed);
  const folder = dirname(join(root, runtime.registry.descriptor));
  const examples = (descriptor as { examples?: { valid?: string; invalid?: string } }).examples ?? {};
  const manifests = { valid: join(folder, examples.valid ?? 'examples/valid.yaml'), invalid: join(folder, examples.invalid ?? 'examples/invalid.yaml') };
  const read = (manifest: string, file: string) => readFileSync(join(dirname(manifest), file), 'utf8');
  const operations = new Map(runtime.operations.map((o) => [o.id, o]));
  const defaultOperation = runtime.operations.find((o) => o.default) ?? runtime.operations[0]!;
  const statusOf = new Map(table.codes.map((c) => [c.code, c.status] as const));
  const checks: PlannedCheck[] = [];

  /** The request of an operation with the right credentials, a body and its Content-Type (null: no header). */
  const wire = (operation: RuntimeOperation, body: string, contentType: string | null): WireRequest | undefined => {
    const url = options.urls[operation.id];
    if (!url) return undefined;
    const headers: Record<string, string> = {};
    if (contentType !== null) headers['Content-Type'] = contentType;
    if (descriptor.auth.type === 'header-token' && descriptor.auth.header && options.secrets?.token) headers[descriptor.auth.header] = options.secrets.token;
    return { origin: url.origin, method: operation.method.toUpperCase(), path: url.pathname, query: url.search.slice(1), headers, body };
  };
  const notSent = (operation: RuntimeOperation) => `no URL was given for the ${operation.id} operation (${operation.default ? '--url' : `--${operation.id}-url`})`;
  const request = (w: WireRequest | undefined, contentType: string | null, shown = 'valid') => ({
    contentType: contentType ?? '',
    token: shown as PlannedCheck['request']['token'],
    tokenValue: null,
    body: w?.body ?? '',
  });
  const operationOf = (entry: ManifestEntry): RuntimeOperation => {
    const id = entry.kind ?? entry.webhook ?? defaultOperation.id;
    const found = operations.get(id);
    if (!found) throw new Error(`${manifests.valid}: ${entry.file}: expected an operation of ${[...operations.keys()].join(', ')}, found "${id}"`);
    return found;
  };

  // -- examples -----------------------------------------------------------------------------
  const valid = readManifest(manifests.valid);
  for (const entry of valid) {
    const operation = operationOf(entry);
    const contentType = entry.contentType === undefined ? (descriptor.mediaTypes[0] ?? null) : entry.contentType;
    const w = wire(operation, read(manifests.valid, entry.file), contentType);
    checks.push({
      id: `example ${entry.file}`,
      group: 'valid-examples',
      summary: entry.summary,
      source: entry.file,
      operation: operation.id,
      request: request(w, contentType),
      ...(w ? { wire: w } : { skip: notSent(operation) }),
      expect: { kind: 'accepted' },
    });
  }
  for (const entry of readManifest(manifests.invalid)) {
    // An invalid example the receiver answers with a 2xx (an outbound contract's, which stores it) is no refusal to check.
    if (entry.status === undefined || entry.status < 400 || entry.status > 499) continue;
    const operation = operationOf(entry);
    const contentType = entry.contentType === undefined ? (descriptor.mediaTypes[0] ?? null) : entry.contentType;
    const w = wire(operation, read(manifests.invalid, entry.file), contentType);
    const one = entry.errors?.length === 1 ? entry.errors[0] : undefined;
    checks.push({
      id: `example ${entry.file}`,
      group: 'invalid-examples',
      summary: entry.summary,
      source: entry.file,
      operation: operation.id,
      ...(one ? { breaks: one.code, breaksAt: one.pointer } : {}),
      request: request(w, contentType),
      ...(w ? { wire: w } : { skip: notSent(operation) }),
      expect: { kind: 'refused', refusal: 'invalid-body', status: entry.status },
    });
  }

  // The valid bodies of the operations with a body, decoded: the first without warnings of each media type carries the auth and media-type checks, all are the generated cases' bases.
  const bases: Array<{ file: string; operation: RuntimeOperation; type: string; text: string; value: unknown; warnings: number }> = [];
  for (const entry of valid) {
    const operation = operationOf(entry);
    if (!operation.engine || entry.contentType === null) continue;
    const text = read(manifests.valid, entry.file);
    const result = operation.engine.validateBody(text, { contentType: entry.contentType ?? undefined });
    if (result.valid) bases.push({ file: entry.file, operation, type: mediaType(entry.contentType ?? descriptor.mediaTypes[0]), text, value: result.value, warnings: result.warnings.length });
  }
  const plain = (type: string) => bases.find((b) => b.operation === defaultOperation && b.type === type && b.warnings === 0);

  // -- auth -----------------------------------------------------------------------------------
  const first = plain(mediaType(descriptor.mediaTypes[0]));
  const authStatus = descriptor.auth.refuse?.status;
  if (first) {
    const w = wire(defaultOperation, first.text, descriptor.mediaTypes[0]!);
    const url = options.urls[defaultOperation.id];
    const parameters = url ? (matchTemplate(defaultOperation.path, url) ?? {}) : {};
    if (w) {
      for (const negative of authNegatives({ spec: descriptor.auth, valid: w, parameters, secrets: { ...options.secrets }, rng })) {
        checks.push({
          id: `auth ${negative.use}`,
          group: 'auth',
          summary: negative.summary,
          source: first.file,
          operation: defaultOperation.id,
          authShown: negative.shown,
          request: request(negative.request, negative.request.headers['Content-Type'] ?? null, negative.use),
          wire: negative.request,
          expect: { kind: 'refused', refusal: 'bad-credentials', ...(authStatus !== undefined ? { status: authStatus } : {}) },
        });
      }
    }
  }

  // -- media types: a body of one accepted type labelled as another, and as text/plain ----------
  const engine = defaultOperation.engine;
  if (engine) {
    const labels = [...descriptor.mediaTypes, 'text/plain'];
    for (const bodyType of descriptor.mediaTypes) {
      const base = plain(mediaType(bodyType));
      if (!base) continue;
      for (const label of labels) {
        if (mediaType(label) === mediaType(bodyType) || (label === 'text/plain' && bodyType !== descriptor.mediaTypes[0])) continue;
        const verdict = engine.validateBody(base.text, { contentType: label });
        // The contract's engine says what this is; a contract that takes it has nothing to check here.
        if (verdict.valid) continue;
        const code = verdict.errors[0]!;
        const w = wire(defaultOperation, base.text, label);
        checks.push({
          id: `content type ${bodyType} as ${label}`,
          group: 'media-types',
          summary: `a valid ${bodyType} body (${base.file}) labelled ${label}`,
          source: base.file,
          operation: defaultOperation.id,
          ...(verdict.errors.length === 1 ? { breaks: code.code, breaksAt: code.pointer } : {}),
          request: request(w, label),
          ...(w ? { wire: w } : { skip: notSent(defaultOperation) }),
          expect: { kind: 'refused', refusal: 'media-type', ...(statusOf.get(code.code) !== undefined ? { status: statusOf.get(code.code)! } : {}) },
        });
      }
    }
  }

  // -- generated bodies ----------------------------------------------------------------------
  const generated = generateContractCases({ runtime, bases: bases.filter((b) => b.operation === defaultOperation), count, rng });
  const width = String(Math.max(count - 1, 0)).length;
  for (const [kind, list] of [['valid', generated.valid], ['invalid', generated.invalid]] as const) {
    list.forEach((c, i) => {
      const w = wire(defaultOperation, c.text, c.contentType);
      const status = c.breaks ? statusOf.get(c.breaks.code) : undefined;
      checks.push({
        id: `generated ${kind} #${String(i).padStart(width, '0')}`,
        group: kind === 'valid' ? 'generated-valid-bodies' : 'generated-invalid-bodies',
        summary: c.summary,
        source: `${c.mutation}, ${mediaType(c.contentType)}`,
        operation: defaultOperation.id,
        ...(c.breaks ? { breaks: c.breaks.code, breaksAt: c.breaks.pointer } : {}),
        request: request(w, c.contentType),
        ...(w ? { wire: w } : { skip: notSent(defaultOperation) }),
        expect: c.breaks ? { kind: 'refused', refusal: 'invalid-body', ...(status !== undefined ? { status } : {}) } : { kind: 'accepted' },
      });
    });
  }
  const shown = validShown(descriptor.auth);
  return checks.map((check) => (check.authShown ? check : { ...check, authShown: shown }));
}

export interface ContractCase {
  summary: string;
  mutation: string;
  contentType: string;
  text: string;
  /** For an invalid body: the one error the engine gives. */
  breaks?: { code: string; pointer: string };
}

/** A fixed "now" for the timestamps drawn: the same seed gives the same bodies on every day. */
const NOW = Date.UTC(2026, 0, 1);

/**
 * Valid and invalid bodies, `count` of each: one valid example changed by one mutation, written in
 * each media type of the contract that can carry it, and judged by the contract's engine. No
 * error: a valid case (warnings allowed: they are recommendations, a receiver must accept them);
 * exactly one error: an invalid case breaking that rule; anything else is dropped.
 */
export function generateContractCases(input: {
  runtime: ContractRuntime;
  bases: ReadonlyArray<{ file: string; operation: RuntimeOperation; value: unknown }>;
  count: number;
  rng: Rng;
}): { valid: ContractCase[]; invalid: ContractCase[] } {
  const { runtime, bases, count, rng } = input;
  const valid: ContractCase[] = [];
  const invalid: ContractCase[] = [];
  if (bases.length === 0 || count === 0) return { valid, invalid };
  const time = (runtime.descriptor.events as { time?: { field?: string; secondsBelow?: number } }).time;
  const timestamp = typeof time?.field === 'string' && typeof time.secondsBelow === 'number' ? { pointer: time.field, secondsBelow: time.secondsBelow } : undefined;
  const types = runtime.descriptor.mediaTypes;
  const perRule = new Map<string, number>();
  const cap = Math.max(2, Math.ceil(count / 10));
  // Enough attempts for every mix of mutations; a contract whose bodies rarely break one rule alone gets fewer cases rather than a run that never ends.
  for (let attempt = 0; attempt < count * 60 + 100 && (valid.length < count || invalid.length < count); attempt++) {
    const base = rng.pick(bases);
    const mutated = mutate(base.value, { rng, timestamp, now: NOW });
    if (!mutated) continue;
    for (const type of types) {
      const json = mediaType(type) === 'application/json';
      const text = mutated.text !== undefined ? (json ? mutated.text : undefined) : json ? JSON.stringify(mutated.value) : mediaType(type) === 'application/x-www-form-urlencoded' ? encodeForm(mutated.value, runtime.descriptor.form) : undefined;
      if (text === undefined) continue;
      const result = base.operation.engine!.validateBody(text, { contentType: type });
      const summary = `${mutated.what} (from ${base.file}), as ${type}`;
      if (result.errors.length === 0 && valid.length < count) valid.push({ summary, mutation: mutated.mutation, contentType: type, text });
      else if (result.errors.length === 1 && invalid.length < count) {
        const error = result.errors[0]!;
        // At most a tenth of the invalid bodies break one rule at one field in one media type, so that the rare breaks get their turn.
        const key = `${error.code} ${generalPointer(error.pointer)} ${type}`;
        const seen = perRule.get(key) ?? 0;
        if (seen >= cap) continue;
        perRule.set(key, seen + 1);
        invalid.push({ summary, mutation: mutated.mutation, contentType: type, text, breaks: { code: error.code, pointer: error.pointer } });
      }
    }
  }
  return { valid, invalid };
}
