/**
 * The checks of `converge-webhook verify --contract <id>`, built from the contract's data alone:
 * its example manifests (spec/<id>/examples/{valid,invalid}.yaml), its operations and URL
 * templates, its auth type (auth-checks.ts), its media types, its code table (the status of each
 * refusal) and its engine (the generated library entry's validateBody), which judges every
 * generated body. Names no contract and no field. Pure data out: the Dredd hooks send each
 * check's `wire` request as it is, and judge.ts judges the answer.
 *
 * The order: valid examples, invalid examples, auth checks, a replayed delivery, media types,
 * the body limit (described, never sent), generated valid bodies, generated invalid bodies.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import YAML from 'yaml';

import { kebabCase } from '../cli-support.js';
import type { ContractRuntime, RuntimeOperation } from '../contract-runtime.js';
import { unescapeToken, valueAt } from '../engine/values.js';
import { queryDigest, type DigestFormula } from '../hash/query-digest.js';
import { encodeForm, FormEncodeError, type FormOptions } from '../media/form.js';
import type { AuthSpec } from '../sandbox/auth/types.js';
import { templatePattern } from '../url-template.js';
import { authNegatives, validShown, type WireRequest } from './auth-checks.js';
import { DEFAULT_CASE_COUNT, DEFAULT_SEED, Rng } from './cases.js';
import { verifyDescriptor } from './contract-rules.js';
import { generalPointer, mutate, setValue, type Mutated } from './mutate.js';
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
  /** Draws the headers generated per delivery (contract.yaml request.headers generate) and names the ids of the generated bodies (contract.yaml events.id.pointer), so that a run's ids are its own; default: the seed. */
  runId?: string;
  /** A header-token auth's: leave out the checks that send a wrong value of the token (for a mock that never checks it). */
  skipWrongToken?: boolean;
}

interface ManifestEntry {
  [parameter: string]: unknown;
  file: string;
  summary: string;
  kind?: string;
  webhook?: string;
  contentType?: string | null;
  status?: number;
  errors?: Array<{ code: string; pointer: string }>;
  warnings?: Array<{ code: string; pointer: string }>;
}

/** The option of an operation's URL (conversion: --conversion-url, activityEvents: --activity-events-url). */
export function urlOption(id: string): string {
  return `--${kebabCase(id)}-url`;
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

interface RequestSpec {
  query?: Record<string, unknown>;
  headers?: Record<string, { generate?: string } | undefined>;
}

/** A number from a text (FNV-1a), to seed the ids of a run. */
function textSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** A JSON body with the fields that repeat a query parameter set to it, as the vendor writes them; any other body as it is. */
function echo(body: string, query: URLSearchParams, echoes: ReadonlyArray<{ pointer: string; name: string }>): string {
  if (echoes.length === 0) return body;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return body;
  }
  let changed = false;
  for (const { pointer, name } of echoes) {
    const tokens = pointer.split('/').slice(1).map(unescapeToken);
    let node: unknown = value;
    for (const token of tokens.slice(0, -1)) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[token] : undefined;
    const last = tokens.at(-1);
    const wanted = query.get(name);
    if (last === undefined || wanted === null || typeof node !== 'object' || node === null || typeof (node as Record<string, unknown>)[last] !== 'string') continue;
    if ((node as Record<string, unknown>)[last] !== wanted) {
      (node as Record<string, unknown>)[last] = wanted;
      changed = true;
    }
  }
  return changed ? JSON.stringify(value) : body;
}

const mediaType = (contentType: string | null | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/** A number of bytes for people: 1 MiB, 64 KiB, 1000 bytes. */
function bytes(n: number): string {
  if (n > 0 && n % 1048576 === 0) return `${n / 1048576} MiB`;
  if (n > 0 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

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

  const outbound = runtime.registry.direction === 'outbound';
  const auth = descriptor.auth as AuthSpec & { accountParameter?: string; formula?: DigestFormula };
  const parametersSpec = (descriptor as { request?: RequestSpec }).request ?? {};
  const sample = (descriptor.sample ?? {}) as Record<string, unknown>;
  // Drawn apart from the bodies: the same seed sends the same bodies, each run its own ids.
  const ids = new Rng(textSeed(options.runId ?? String(seed)));
  // The body fields the contract expects to repeat a query parameter (codes.yaml check equals-parameter): the vendor writes both alike.
  const echoes = table.codes.flatMap((c) => (c.check?.name === 'equals-parameter' && c.check.parameter.in === 'query' ? [{ pointer: c.check.pointer, name: c.check.parameter.name }] : []));

  /** The request of an operation with the right credentials, a body and its Content-Type (null: no header); `entry`: a manifest entry's parameter values. */
  const wire = (operation: RuntimeOperation, body: string, contentType: string | null, entry?: Record<string, unknown>): WireRequest | undefined => {
    const url = options.urls[operation.id];
    if (!url) return undefined;
    const headers: Record<string, string> = {};
    if (contentType !== null) headers['Content-Type'] = contentType;
    if (auth.type === 'header-token' && auth.header && options.secrets?.token) headers[auth.header] = options.secrets.token;
    const query = new URLSearchParams(url.search);
    for (const name of Object.keys(parametersSpec.query ?? {})) {
      if (auth.type === 'query-md5' && name === auth.parameter && auth.formula) query.set(name, queryDigest(auth.formula, options.secrets ?? {}));
      else if (name === auth.accountParameter) query.set(name, options.secrets?.[name] ?? '');
      else {
        const value = entry?.[name] ?? sample[name];
        if (typeof value === 'string') query.set(name, value);
      }
    }
    for (const [name, spec] of Object.entries(parametersSpec.headers ?? {})) if (spec?.generate === 'hex32') headers[name] = ids.hex(32);
    return { origin: url.origin, method: operation.method.toUpperCase(), path: url.pathname, query: query.toString(), headers, body: outbound ? echo(body, query, echoes) : body };
  };
  const notSent = (operation: RuntimeOperation) => `no URL was given for the ${operation.id} operation (${operation.default ? '--url' : urlOption(operation.id)})`;
  // A file a manifest lists under several operations (a webhook the vendor prints it under twice) gets one check per operation.
  const listed = new Map<string, number>();
  const idOf = (entry: ManifestEntry, operation: RuntimeOperation) => `example ${entry.file}${(listed.get(entry.file) ?? 0) > 1 ? ` as ${operation.id}` : ''}`;
  const countListed = (entries: readonly ManifestEntry[]) => {
    listed.clear();
    for (const entry of entries) listed.set(entry.file, (listed.get(entry.file) ?? 0) + 1);
  };
  const request = (w: WireRequest | undefined, contentType: string | null, shown = 'valid') => ({
    contentType: contentType ?? '',
    token: shown,
    body: w?.body ?? '',
  });
  const verify = verifyDescriptor(runtime);
  const operationOf = (entry: ManifestEntry): RuntimeOperation => {
    const id = entry.kind ?? entry.webhook ?? defaultOperation.id;
    const found = operations.get(id);
    if (!found) throw new Error(`${manifests.valid}: ${entry.file}: expected an operation of ${[...operations.keys()].join(', ')}, found "${id}"`);
    return found;
  };

  // -- examples -----------------------------------------------------------------------------
  const valid = readManifest(manifests.valid);
  const invalidEntries = readManifest(manifests.invalid);
  countListed(valid);
  for (const entry of valid) {
    const operation = operationOf(entry);
    const contentType = entry.contentType === undefined ? (descriptor.mediaTypes[0] ?? null) : entry.contentType;
    const w = wire(operation, read(manifests.valid, entry.file), contentType, entry);
    checks.push({
      id: idOf(entry, operation),
      group: 'valid-examples',
      summary: entry.summary,
      source: entry.file,
      operation: operation.id,
      request: request(w, contentType),
      ...(w ? { wire: w } : { skip: notSent(operation) }),
      expect: { kind: 'accepted' },
    });
  }
  // The auth's own refusals (contract.yaml auth.refuse.codes): the auth checks send them, with the credentials the user gave.
  const refuseCodes = (auth.refuse as { codes?: readonly string[] | Record<string, string> } | undefined)?.codes;
  const authCodes = new Set<string>(Array.isArray(refuseCodes) ? refuseCodes : Object.values(refuseCodes ?? {}));
  const refusedExamples = invalidEntries.filter(
    // An invalid example the receiver answers with a 2xx (an outbound contract's, which stores it) is no refusal to check.
    (entry) => entry.status !== undefined && entry.status >= 400 && entry.status <= 499 && !(entry.errors && entry.errors.length > 0 && entry.errors.every((e) => authCodes.has(e.code))),
  );
  countListed(refusedExamples);
  for (const entry of refusedExamples) {
    const operation = operationOf(entry);
    const contentType = entry.contentType === undefined ? (descriptor.mediaTypes[0] ?? null) : entry.contentType;
    const w = wire(operation, read(manifests.invalid, entry.file), contentType, entry);
    const one = entry.errors?.length === 1 ? entry.errors[0] : undefined;
    checks.push({
      id: idOf(entry, operation),
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
  const bases: Array<{ file: string; entry: ManifestEntry; operation: RuntimeOperation; type: string; text: string; value: unknown; warnings: number }> = [];
  for (const entry of valid) {
    const operation = operationOf(entry);
    if (!operation.engine || entry.contentType === null) continue;
    const text = read(manifests.valid, entry.file);
    const result = operation.engine.validateBody(text, { contentType: entry.contentType ?? undefined });
    if (result.valid) bases.push({ file: entry.file, entry, operation, type: mediaType(entry.contentType ?? descriptor.mediaTypes[0]), text, value: result.value, warnings: result.warnings.length });
  }
  const plain = (type: string) => bases.find((b) => b.operation === defaultOperation && b.type === type && b.warnings === 0);

  // -- auth -----------------------------------------------------------------------------------
  const first = plain(mediaType(descriptor.mediaTypes[0]));
  const authStatus = descriptor.auth.refuse?.status;
  if (first) {
    const w = wire(defaultOperation, first.text, descriptor.mediaTypes[0]!, first.entry);
    const url = options.urls[defaultOperation.id];
    const parameters = url ? (matchTemplate(defaultOperation.path, url) ?? {}) : {};
    // A header-token auth's checks are the token checks, as its users know them.
    const [group, prefix] = auth.type === 'header-token' ? (['token', 'token'] as const) : (['auth', 'auth'] as const);
    if (w) {
      for (const negative of authNegatives({ spec: auth, valid: w, parameters, secrets: { ...options.secrets }, rng, ...(verify.noun ? { noun: verify.noun } : {}) })) {
        // A delivery of its own: the headers generated per delivery are drawn again.
        const headers = { ...negative.request.headers };
        for (const [name, spec] of Object.entries(parametersSpec.headers ?? {})) if (spec?.generate === 'hex32' && name in headers) headers[name] = ids.hex(32);
        negative.request = { ...negative.request, headers };
        checks.push({
          id: `${prefix} ${negative.use}`,
          group,
          summary: negative.summary,
          source: first.file,
          operation: defaultOperation.id,
          authShown: negative.shown,
          ...(negative.accepted ? { authAccepted: negative.accepted } : {}),
          request: request(negative.request, negative.request.headers['Content-Type'] ?? null, negative.use),
          wire: negative.request,
          expect: { kind: 'refused', refusal: 'bad-credentials', ...(authStatus !== undefined ? { status: authStatus } : {}) },
          ...(negative.wrongValue && options.skipWrongToken ? { skip: 'the wrong-token checks are turned off (--skip-wrong-token)' } : {}),
        });
      }
    }
  }

  // -- replay: one delivery twice, with the same id (contract.yaml events.id.header, dedupe per-id) --
  const idHeader = (descriptor.events.id as { header?: string } | undefined)?.header;
  const replayed = first && idHeader && descriptor.events.dedupe === 'per-id' ? wire(defaultOperation, first.text, descriptor.mediaTypes[0]!, first.entry) : undefined;
  if (first && idHeader && replayed) {
    for (const [id, summary] of [
      ['replay first', `a valid delivery (${first.file}) with ${idHeader} ${replayed.headers[idHeader] ?? ''}`],
      ['replay again', `the same delivery again, with the same ${idHeader}: how the sender retries one it saw fail; answered as delivered (and stored once)`],
    ] as const) {
      checks.push({ id, group: 'replay', summary, source: first.file, operation: defaultOperation.id, request: request(replayed, descriptor.mediaTypes[0]!), wire: replayed, expect: { kind: 'accepted' } });
    }
  }

  // -- media types: a body of one accepted type labelled as another, and as a type the contract does not take (form data, text/plain) --
  const engine = defaultOperation.engine;
  const accepted = new Set(descriptor.mediaTypes.map(mediaType));
  const unsupported = (descriptor as { unsupportedMediaType?: { status?: number } }).unsupportedMediaType;
  if (engine) {
    const labels = [...new Set([...descriptor.mediaTypes, 'application/x-www-form-urlencoded', 'text/plain'])];
    for (const bodyType of descriptor.mediaTypes) {
      const base = plain(mediaType(bodyType));
      if (!base) continue;
      for (const label of labels) {
        // The types the contract does not take, with the first type's body only: one check each is enough.
        if (mediaType(label) === mediaType(bodyType) || (!accepted.has(mediaType(label)) && bodyType !== descriptor.mediaTypes[0])) continue;
        const verdict = engine.validateBody(base.text, { contentType: label });
        // The contract's engine says what this is; a type the contract does not take is refused from the headers (contract.yaml unsupportedMediaType) when the engine reads any.
        const fromHeaders = verdict.valid && !accepted.has(mediaType(label)) && unsupported !== undefined;
        if (verdict.valid && !fromHeaders) continue;
        const code = verdict.errors[0];
        const status = code ? statusOf.get(code.code) : unsupported?.status;
        const w = wire(defaultOperation, base.text, label, base.entry);
        checks.push({
          id: `content type ${bodyType} as ${label}`,
          group: 'media-types',
          summary: `a valid ${bodyType} body (${base.file}) labelled ${label}`,
          source: base.file,
          operation: defaultOperation.id,
          ...(code && verdict.errors.length === 1 ? { breaks: code.code, breaksAt: code.pointer } : {}),
          request: request(w, label),
          ...(w ? { wire: w } : { skip: notSent(defaultOperation) }),
          expect: { kind: 'refused', refusal: 'media-type', ...(status !== undefined ? { status } : {}) },
        });
      }
    }
  }

  // -- the body limit: described, never sent (a receiver may take more than the contract's own endpoint) --
  const limit = descriptor.bodyLimit;
  const tooLarge = table.codes.find((c) => c.code === 'body-too-large')?.status;
  checks.push({
    id: 'body limit',
    group: 'body-limit',
    summary: `a body over ${limit} bytes`,
    request: request(undefined, descriptor.mediaTypes[0] ?? null),
    expect: { kind: 'not-checked', recommended: String(tooLarge ?? 413) },
    skip: `the body limit is not checked: ${bytes(limit)} is this contract's limit for its own endpoint, and an implementation may accept more`,
  });

  // -- generated bodies ----------------------------------------------------------------------
  // An outbound contract's sender is the vendor, who sends no invalid body: its receiver is not asked to refuse one.
  const idPointer = typeof descriptor.events.id === 'object' ? descriptor.events.id.pointer : undefined;
  const generated = generateContractCases({
    runtime,
    bases: outbound ? bases : bases.filter((b) => b.operation === defaultOperation),
    count,
    invalidCount: outbound ? 0 : count,
    rng,
    values: verify.values ?? {},
    ...(idPointer ? { ids: { pointer: idPointer, prefix: `verify-${options.runId ?? String(seed)}-` } } : {}),
  });
  const width = String(Math.max(count - 1, 0)).length;
  for (const [kind, list] of [['valid', generated.valid], ['invalid', generated.invalid]] as const) {
    list.forEach((c, i) => {
      const w = wire(c.operation, c.text, c.contentType, c.entry);
      const status = c.breaks ? statusOf.get(c.breaks.code) : undefined;
      checks.push({
        id: `generated ${kind} #${String(i).padStart(width, '0')}`,
        group: kind === 'valid' ? 'generated-valid-bodies' : 'generated-invalid-bodies',
        summary: c.summary,
        source: `${c.mutation}, ${mediaType(c.contentType)}`,
        operation: c.operation.id,
        ...(c.breaks ? { breaks: c.breaks.code, breaksAt: c.breaks.pointer } : {}),
        request: request(w, c.contentType),
        ...(w ? { wire: w } : { skip: notSent(c.operation) }),
        expect: c.breaks ? { kind: 'refused', refusal: 'invalid-body', ...(status !== undefined ? { status } : {}) } : { kind: 'accepted' },
      });
    });
  }
  const shown = validShown(descriptor.auth);
  return checks.map((check) => (check.authShown ? check : { ...check, authShown: shown }));
}

export interface ContractCase {
  summary: string;
  operation: RuntimeOperation;
  /** The manifest entry of the example it was made from (its parameters, for an outbound delivery). */
  entry?: Record<string, unknown>;
  mutation: string;
  contentType: string;
  text: string;
  /** For an invalid body: the one error the engine gives. */
  breaks?: { code: string; pointer: string };
}

/**
 * A body as form data, or undefined when a form cannot carry it (null, true, an empty list: it is
 * sent as JSON only). A number where the form rules read text is written as its text: it arrives
 * as a string, and the engine judges it as such.
 */
function formText(value: unknown, options: FormOptions | undefined): string | undefined {
  try {
    return encodeForm(value, options, { numberAsText: () => undefined });
  } catch (error) {
    if (error instanceof FormEncodeError) return undefined;
    throw error;
  }
}

/** A fixed "now" for the timestamps drawn: the same seed gives the same bodies on every day. */
const NOW = Date.UTC(2026, 0, 1);

/** The declared values, one pointer after the other (the first of each, then the second of each, ...): a short run tries every pointer. */
function interleave(values: Readonly<Record<string, readonly unknown[]>>): Array<{ pointer: string; value: unknown }> {
  const lists = Object.entries(values).map(([pointer, list]) => list.map((value) => ({ pointer, value })));
  const out: Array<{ pointer: string; value: unknown }> = [];
  for (let i = 0; i < Math.max(0, ...lists.map((l) => l.length)); i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

/**
 * Valid and invalid bodies, `count` of each: one valid example changed in one place, by a
 * declared value (contract.yaml verify.values, every one tried, on every other attempt until
 * they are all used) or by a mutation drawn from the seed, written in each media type of the
 * contract that can carry it, and judged by the contract's engine. No error: a valid case
 * (warnings allowed: they are recommendations, a receiver must accept them); exactly one error:
 * an invalid case breaking that rule; anything else is dropped. Where the contract declares an
 * id field (contract.yaml events.id.pointer), each body changed elsewhere gets an id of its
 * own, `<prefix>v000` for a valid one and `<prefix>i000` for an invalid one, so that a receiver
 * that drops repeated ids stores every valid body of every run; a valid body whose change made
 * its id the mutation's own value is dropped.
 */
export function generateContractCases(input: {
  runtime: ContractRuntime;
  bases: ReadonlyArray<{ file: string; operation: RuntimeOperation; value: unknown; entry?: Record<string, unknown> }>;
  count: number;
  /** Default: count. */
  invalidCount?: number;
  rng: Rng;
  /** Literal values by pointer (contract.yaml verify.values). */
  values?: Readonly<Record<string, readonly unknown[]>>;
  /** The id field and the prefix of the ids generated. */
  ids?: { pointer: string; prefix: string };
}): { valid: ContractCase[]; invalid: ContractCase[] } {
  const { runtime, bases, count, rng, ids } = input;
  const invalidCount = input.invalidCount ?? count;
  const valid: ContractCase[] = [];
  const invalid: ContractCase[] = [];
  if (bases.length === 0 || count === 0) return { valid, invalid };
  const time = (runtime.descriptor.events as { time?: { field?: string; secondsBelow?: number } }).time;
  const timestamp = typeof time?.field === 'string' && typeof time.secondsBelow === 'number' ? { pointer: time.field, secondsBelow: time.secondsBelow } : undefined;
  const types = runtime.descriptor.mediaTypes;
  const declared = interleave(input.values ?? {});
  let next = 0;
  const perRule = new Map<string, number>();
  const cap = Math.max(2, Math.ceil(count / 10));
  const touches = (pointer: string) => ids !== undefined && (pointer === ids.pointer || pointer.startsWith(`${ids.pointer}/`) || ids.pointer.startsWith(`${pointer}/`) || pointer === '');
  const encode = (mutated: Mutated, type: string): string | undefined => {
    const json = mediaType(type) === 'application/json';
    if (mutated.text !== undefined) return json ? mutated.text : undefined;
    if (json) return JSON.stringify(mutated.value);
    return mediaType(type) === 'application/x-www-form-urlencoded' ? formText(mutated.value, runtime.descriptor.form) : undefined;
  };
  const pad = (n: number) => String(n).padStart(3, '0');
  // Enough attempts for every mix of mutations; a contract whose bodies rarely break one rule alone gets fewer cases rather than a run that never ends.
  for (let attempt = 0; attempt < count * 60 + 100 + declared.length * 2 && (valid.length < count || invalid.length < invalidCount); attempt++) {
    const base = rng.pick(bases);
    const value = next < declared.length && attempt % 2 === 0 ? declared[next++] : undefined;
    const mutated = value ? setValue(base.value, value.pointer, value.value) : mutate(base.value, { rng, timestamp, now: NOW });
    if (!mutated) continue;
    for (const type of types) {
      let text = encode(mutated, type);
      if (text === undefined) continue;
      const engine = base.operation.engine!;
      let result = engine.validateBody(text, { contentType: type });
      const isValid = result.errors.length === 0;
      if (isValid ? valid.length >= count : result.errors.length !== 1 || invalid.length >= invalidCount) continue;
      // The body's own id, where the contract has one and the change left it alone.
      if (ids && mutated.value !== undefined && typeof valueAt(mutated.value, ids.pointer) === 'string') {
        if (touches(mutated.pointer)) {
          if (isValid) continue;
        } else {
          const own = setValue(mutated.value, ids.pointer, `${ids.prefix}${isValid ? 'v' : 'i'}${pad(isValid ? valid.length : invalid.length)}`)!;
          const renamed = encode(own, type);
          const again = renamed === undefined ? undefined : engine.validateBody(renamed, { contentType: type });
          if (!again || again.errors.length !== result.errors.length || again.errors[0]?.code !== result.errors[0]?.code) continue;
          text = renamed!;
          result = again;
        }
      }
      const summary = `${mutated.what} (from ${base.file}), as ${type}`;
      const made = { summary, operation: base.operation, ...(base.entry ? { entry: base.entry } : {}), mutation: mutated.mutation, contentType: type, text };
      if (isValid) valid.push(made);
      else {
        const error = result.errors[0]!;
        // At most a tenth of the invalid bodies break one rule at one field in one media type, so that the rare breaks get their turn; a declared value always has its.
        const key = `${error.code} ${generalPointer(error.pointer)} ${type}`;
        const seen = perRule.get(key) ?? 0;
        if (seen >= cap && !value) continue;
        perRule.set(key, seen + 1);
        invalid.push({ ...made, breaks: { code: error.code, pointer: error.pointer } });
      }
    }
  }
  return { valid, invalid };
}
