/**
 * The sandbox of any contract, from its runtime (src/contract-runtime.ts): the operations and
 * their URL templates, the auth type (./auth/), the media types and the body limit, the engine
 * of each operation with a body, what identifies and deduplicates a delivery, and the Logs
 * columns. It names no contract and no field: all it knows of one is that data.
 *
 * Routes: each operation's `METHOD path` (below `pathPrefix` when given); `GET|DELETE
 * /api/events` (filters: the contract's `logs.filters`, since, limit; newest first); `GET /logs`;
 * `GET /` redirects there. `/api/events` and `/logs` need no secret (loopback by default) and
 * never show one.
 *
 * After auth, the contract's `request` parameters are checked (a missing or malformed one is a
 * violation, not a refusal), then the body. A contract whose `answers.invalidBody.status` is a
 * 2xx (an outbound contract: its vendor counts only that status as delivered) has such a
 * delivery stored with its violations and answered that status; any other refuses it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ContractRuntime, RuntimeOperation } from '../contract-runtime.js';
import type { Violation } from '../engine/engine.js';
import { valueAt } from '../engine/values.js';
import { templateSource } from '../url-template.js';
import { createAuth, type Auth } from './auth/registry.js';
import { recordLayout } from './record-layout.js';
import {
  closeServer,
  createSandboxServer,
  headerMediaTypeProblem,
  internalError,
  listen,
  MAX_LISTED,
  quoteUntrusted,
  readBody,
  rejectEarly,
  sendJson,
  sendProblem,
  sendText,
  sendViolations,
  streamJsonArray,
  type Problem,
} from './http.js';
import { renderColumnsPage } from './logs-page.js';
import { EventStore, parseSince, StoreError, type EventFilter, type EventRecord, type OpenReport, type StoredViolation } from './store.js';

export interface ContractSandboxOptions {
  port?: number;
  host?: string;
  /** The secrets senders must present, by operation id ('' when one serves every operation); random when absent. */
  secrets?: Record<string, string | undefined>;
  dataDir?: string;
  inMemory?: boolean;
  fsync?: boolean;
  /** Called once per request to an operation, with the secret masked. */
  onRequest?: (entry: ContractLogEntry) => void;
  requestTimeoutMs?: number;
  /** Serve every operation at this prefix + its path (contract.yaml `sandbox.pathPrefix`): /hooks, say. */
  pathPrefix?: string;
}

/** What happened to one request to an operation. Never holds a secret. */
export interface ContractLogEntry {
  time: string;
  method: string;
  status: number;
  /** The operation the request reached, when auth could tell. */
  kind?: string;
  /** The secret masked, "none", "wrong" or "unknown". */
  secret: string;
  id?: number;
  /** The delivery's name (contract.yaml `events.name`), for a contract whose records name it so (events.record). */
  name?: string;
  /** The delivery's id (contract.yaml `events.id`), when it has one. */
  delivery?: string;
  duplicate?: boolean;
  warnings?: string[];
  violations?: string[];
  detail?: string;
}

/** One stored delivery, as GET /api/events returns it. */
export interface StoredDelivery {
  id: number;
  /** The operation it was sent to. */
  kind: string;
  received_at: string;
  /** The contract errors it was stored with: only for a contract that stores such deliveries (answers.invalidBody 2xx). */
  violations?: StoredViolation[];
  warnings: Violation[];
  /** The decoded body (a form body as the object it decodes to); null for an operation without a body. */
  body: unknown;
}

export interface RunningContractSandbox {
  url: string;
  /** Each operation's URL, with its secret when the secret is in the path (auth.query: the parameters to append). */
  urls: Record<string, string>;
  /** The secrets, by operation id ('' when one serves all): shown once by the CLI. */
  secrets: Readonly<Record<string, string>>;
  auth: Auth;
  dataDir: string | undefined;
  opened: OpenReport;
  /**
   * Stored deliveries, newest first. The query: kind (the operation), the contract's declared
   * filters (logs.filters) by name, limit, and since (a sequence number, a Date, or what
   * GET /api/events takes). A bad value throws a TypeError.
   */
  events(query?: Readonly<Record<string, string | number | Date | undefined>>): StoredDelivery[];
  /** A log entry in the contract's words: the secret under the auth's label, the name and id under their record names. */
  worded(entry: ContractLogEntry): Record<string, unknown>;
  count(): number;
  reset(): void;
  stop(): Promise<void>;
  /** A log line for people, with the auth's word for its secret (token, secret). */
  format(entry: ContractLogEntry): string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const LOGS_PAGE_DEFAULT_LIMIT = 100;
/** A path prefix: one or more segments, each written without escapes. */
const PATH_PREFIX = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$/;

interface Route {
  pattern: RegExp;
  names: string[];
  operations: RuntimeOperation[];
}

/** A URL template as a pattern of the whole path: each {name} is one path segment. */
function compileTemplate(path: string): { pattern: RegExp; names: string[] } {
  const { source, names } = templateSource(path);
  return { pattern: new RegExp(`^${source}$`), names };
}

export async function startContractSandbox(runtime: ContractRuntime, options: ContractSandboxOptions = {}): Promise<RunningContractSandbox> {
  const { descriptor, table } = runtime;
  if (options.inMemory && options.dataDir !== undefined) throw new TypeError('startContractSandbox: dataDir and inMemory exclude each other');
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 100) throw new TypeError(`startContractSandbox: requestTimeoutMs: expected at least 100, found ${timeoutMs}`);
  const host = options.host ?? '127.0.0.1';
  const limit = descriptor.bodyLimit;
  const auth = createAuth(descriptor.auth, { secrets: options.secrets, operations: runtime.operations.map((o) => ({ id: o.id, body: o.body })) });
  const statusOf = new Map(table.codes.map((c) => [c.code, c.status] as const));
  // The media type refused from the headers, before the body is read (a JSON-only contract), or by the engine.
  const mediaOnHeaders = descriptor.unsupportedMediaType?.stage === 'headers';
  if (mediaOnHeaders && descriptor.mediaTypes.join() !== 'application/json') throw new TypeError('unsupportedMediaType.stage headers: expected mediaTypes [application/json] only');
  const prefix = options.pathPrefix ?? '';
  if (prefix !== '' && !PATH_PREFIX.test(prefix)) {
    throw new TypeError(`pathPrefix: expected path segments such as /hooks (a "/" then letters, digits, - . _ ~; no trailing "/"), found ${JSON.stringify(prefix.slice(0, 60))}`);
  }
  const served = (operation: RuntimeOperation): string => `${prefix}${operation.path}`;
  const dedupe = descriptor.events.dedupe;
  const id = typeof descriptor.events.id === 'object' ? descriptor.events.id : undefined;
  // The record's member names (idField, nameField), and whether a delivery that breaks a rule is
  // stored (and answered a 2xx).
  const { idField, nameField, record, byName, storesInvalid } = recordLayout(descriptor);
  const invalidStatus = descriptor.answers?.invalidBody?.status;
  const idHeader = id?.header?.toLowerCase();
  const requestRules = [
    ...Object.entries(descriptor.request?.query ?? {}).map(([name, rule]) => ({ in: 'query' as const, name, rule, pattern: rule.pattern === undefined ? undefined : new RegExp(rule.pattern, 'u') })),
    ...Object.entries(descriptor.request?.headers ?? {}).map(([name, rule]) => ({ in: 'header' as const, name, rule, pattern: rule.pattern === undefined ? undefined : new RegExp(rule.pattern, 'u') })),
  ].filter((r) => r.rule.missing !== undefined || r.rule.mismatch !== undefined);
  // The members of the 200 answer after "status": declared (answers.accepted), else all that apply.
  const acceptedMembers =
    descriptor.answers?.accepted ??
    (['kind', 'id', 'duplicate', 'violations', 'warnings'] as const).filter(
      (m) => (m !== 'id' || idField !== undefined) && (m !== 'duplicate' || dedupe !== 'none') && (m !== 'violations' || storesInvalid),
    );
  if (acceptedMembers.includes('id') && idField === undefined) throw new TypeError('answers.accepted: "id" needs events.id');
  const filters = (descriptor.logs.filters ?? []).map((f) => (typeof f === 'string' ? (f === 'kind' ? { name: f, value: 'kind' as const } : { name: f }) : f));
  // The page's select: the kind filter (the operations), else a name filter declared with select (the stored names).
  const selectFilter = filters.find((f): f is { name: string; value: 'kind' } => 'value' in f && f.value === 'kind') ??
    filters.find((f): f is { name: string; value: 'name'; select: true } => 'value' in f && f.value === 'name' && f.select === true);
  // What a stored delivery is named by: its operation, or (records: [.., name, ..]) the body's
  // events.name value, which the store then indexes (a contract of one operation only).
  const namePointer = descriptor.events.name;
  if (byName && runtime.operations.length !== 1) throw new TypeError(`events.record: "${nameField}" names the delivery by its body, which needs a contract of one operation`);
  for (const member of record) {
    if (!['id', 'kind', 'received_at', 'token_hash', 'violations', 'warnings', 'body', idField, byName ? nameField : undefined].includes(member)) {
      throw new TypeError(`events.record: expected id, kind, received_at, token_hash, violations, warnings, body${idField ? `, ${idField}` : ''}${nameField ? `, ${nameField}` : ''}; found "${member}"`);
    }
  }
  if (!byName && filters.some((f) => 'value' in f && f.value === 'name')) throw new TypeError(`logs.filters: a filter on the name needs events.record to list "${nameField ?? 'the name'}"`);
  const soleKind = runtime.operations[0]!.id;
  /** The distinct stored names, sorted, for the page's select (the newest 200). */
  const storedNames = (): string[] => {
    const names = new Set<string>();
    for (const r of store.query()) {
      names.add(r.eventName);
      if (names.size >= 200) break;
    }
    return [...names].sort();
  };
  const endpoints = [...new Set(runtime.operations.map((o) => `${o.method} ${served(o)}`))];
  const endpointList = `the endpoint${endpoints.length === 1 ? ' is' : 's are'} ${endpoints.join(', ')}`;
  const routes: Route[] = [];
  for (const operation of runtime.operations) {
    const existing = routes.find((r) => r.operations[0]!.path === operation.path);
    if (existing) existing.operations.push(operation);
    else routes.push({ ...compileTemplate(served(operation)), operations: [operation] });
  }
  const store = await EventStore.open({ dataDir: options.inMemory ? undefined : options.dataDir, fsync: options.fsync });
  const log = options.onRequest;
  let stopped = false;

  const entry = (req: IncomingMessage, status: number, secret: string, more: Partial<ContractLogEntry> = {}): void => {
    // A contract whose deliveries are named by their body has one operation: the kind says nothing.
    if (byName) delete more.kind;
    log?.({ time: new Date().toISOString(), method: req.method ?? '', status, secret, ...more });
  };

  type Matched = { route: Route; parameters: Record<string, string> };
  const match = (path: string): Matched | undefined => {
    for (const route of routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const parameters: Record<string, string> = {};
      route.names.forEach((name, i) => {
        try {
          parameters[name] = decodeURIComponent(found[i + 1]!);
        } catch {
          parameters[name] = found[i + 1]!;
        }
      });
      return { route, parameters };
    }
    return undefined;
  };

  type Early = { problem: Problem; headers?: Record<string, string>; secret: string; kind?: string };
  type Admitted = { operation: RuntimeOperation; principal: string; secret: string; query: string; violations: StoredViolation[] };
  /** The checks that need only the request line and headers: method, auth, declared length. */
  const admit = (req: IncomingMessage, matched: Matched, query: string): Early | Admitted => {
    const methods = [...new Set(matched.route.operations.map((o) => o.method.toUpperCase()))];
    if (!methods.includes(req.method ?? '')) {
      return {
        problem: { title: 'Method Not Allowed', status: 405, detail: `Expected ${methods.join(' or ')} on ${served(matched.route.operations[0]!)}, found ${req.method}.` },
        headers: { Allow: methods.join(', ') },
        secret: 'none',
      };
    }
    const checked = auth.check({ headers: req.headers, parameters: matched.parameters, query });
    if (!checked.ok) return { problem: checked.problem, secret: checked.shown };
    const operation = checked.operation !== undefined ? matched.route.operations.find((o) => o.id === checked.operation) : matched.route.operations[0];
    if (!operation) {
      // The secret belongs to an operation on another URL.
      return { problem: { title: 'Not Found', status: descriptor.auth.refuse?.status ?? 404, detail: 'No webhook is served at this URL with this secret.' }, secret: 'wrong' };
    }
    const length = req.headers['content-length'];
    if (operation.body !== 'none' && length !== undefined && Number(length) > limit) {
      return {
        problem: { title: 'Payload Too Large', status: 413, detail: `The body is larger than ${limit} bytes (Content-Length: ${Number(length)}).` },
        secret: checked.shown,
        kind: operation.id,
      };
    }
    const media = operation.body !== 'none' && mediaOnHeaders ? headerMediaTypeProblem(req.headers) : undefined;
    if (media) return { problem: media, secret: checked.shown, kind: operation.id };
    const violations = checkRequest(req, query);
    if (violations.length > 0 && !storesInvalid) {
      const first = violations[0]!;
      return { problem: { title: 'Bad Request', status: statusOf.get(first.code) ?? 400, detail: `${first.message}.`, violations }, secret: checked.shown, kind: operation.id };
    }
    return { operation, principal: checked.principal, secret: checked.shown, query, violations };
  };

  /** The contract's request parameters (contract.yaml `request`): a missing one, one that does not match its pattern. */
  const checkRequest = (req: IncomingMessage, query: string): StoredViolation[] => {
    if (requestRules.length === 0) return [];
    const parameters = new URLSearchParams(query);
    const out: StoredViolation[] = [];
    for (const r of requestRules) {
      const raw = r.in === 'query' ? parameters.get(r.name) : req.headers[r.name.toLowerCase()];
      const value = Array.isArray(raw) ? raw[0] : (raw ?? undefined);
      if (value === undefined || value === '') {
        if (r.rule.missing !== undefined) out.push({ code: r.rule.missing, in: r.in, name: r.name, message: `expected the ${r.in === 'query' ? 'query parameter' : 'header'} ${r.name}, found none` });
      } else if (r.pattern && r.rule.mismatch !== undefined && !r.pattern.test(value)) {
        out.push({ code: r.rule.mismatch, in: r.in, name: r.name, message: `expected the ${r.in === 'query' ? 'query parameter' : 'header'} ${r.name} to match ${r.rule.pattern}, found ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}` });
      }
    }
    return out;
  };

  const deliver = async (req: IncomingMessage, res: ServerResponse, admitted: Admitted): Promise<void> => {
    const { operation, principal, secret } = admitted;
    const kind = operation.id;
    const headerId = idHeader === undefined ? undefined : req.headers[idHeader];
    const requestId = typeof headerId === 'string' ? headerId : Array.isArray(headerId) ? (headerId[0] ?? '') : '';
    if (operation.body === 'none' || !operation.engine) {
      // The body is not read, only drained and dropped (nothing is kept, so no limit applies;
      // the request timeout bounds it): a bare POST counts one.
      const complete = await new Promise<boolean>((resolve) => {
        req.on('end', () => resolve(true));
        req.on('close', () => resolve(req.complete));
        req.resume();
      });
      if (!complete) return;
      return store_(req, res, { kind, principal, secret, warnings: [], violations: admitted.violations, body: 'null', eventId: requestId, name: '' });
    }
    const read = await readBody(req, limit);
    if (!read.ok) {
      if (read.status === 413) {
        rejectEarly(req, res, { title: 'Payload Too Large', status: 413, detail: `The body is larger than ${limit} bytes.` });
        entry(req, 413, secret, { kind, detail: 'body over the limit' });
      }
      return;
    }
    const header = req.headers['content-type'];
    const parameters = { query: Object.fromEntries(new URLSearchParams(admitted.query)), header: req.headers as Record<string, string | undefined> };
    const result = operation.engine.validateBody(read.bytes, { contentType: header === undefined || header.trim() === '' ? null : header, parameters });
    if (!result.valid && !storesInvalid) return refuse(req, res, kind, secret, result.errors, result.warnings);
    const warnings = result.warnings.length > MAX_LISTED ? result.warnings.slice(0, MAX_LISTED) : result.warnings;
    const violations = [...admitted.violations, ...(result.valid ? [] : result.errors)].slice(0, MAX_LISTED);
    const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
    let text: string;
    if (result.value === undefined) {
      // Not decodable (stored only where invalid deliveries are): its text as a JSON string.
      text = JSON.stringify(read.bytes.toString('utf8'));
    } else if (type === 'application/json' || (descriptor.mediaTypes.length === 1 && descriptor.mediaTypes[0] === 'application/json')) {
      // A JSON body is kept as sent (big numbers, key order); any other as the JSON of what it decodes to.
      text = read.bytes.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    } else text = JSON.stringify(result.value);
    const idValue = id?.pointer === undefined ? undefined : valueAt(result.value, id.pointer);
    const eventId = idHeader !== undefined ? requestId : typeof idValue === 'string' || typeof idValue === 'number' ? String(idValue) : '';
    const nameValue = namePointer === undefined ? undefined : valueAt(result.value, namePointer);
    return store_(req, res, { kind, principal, secret, warnings, violations, body: text.trim(), eventId, name: typeof nameValue === 'string' ? nameValue : '' });
  };

  const store_ = (
    req: IncomingMessage,
    res: ServerResponse,
    d: { kind: string; principal: string; secret: string; warnings: Violation[]; violations: StoredViolation[]; body: string; eventId: string; name: string },
  ): void => {
    const scope = dedupe === 'per-principal' ? d.principal : '';
    const status = d.violations.length > 0 ? invalidStatus! : 200;
    const answer = (error: StoreError | undefined, duplicate: boolean, seq?: number): void => {
      if (error) {
        sendProblem(res, { title: 'Service Unavailable', status: 503, detail: `${error.message}. Retry later.` });
        entry(req, 503, d.secret, { kind: d.kind, detail: error.message });
        return;
      }
      const members = { kind: d.kind, id: d.eventId === '' ? null : d.eventId, duplicate, violations: d.violations, warnings: d.warnings };
      const accepted: Record<string, unknown> = { status: 'accepted' };
      for (const member of acceptedMembers) accepted[member === 'id' ? idField! : member] = members[member];
      sendJson(res, status, accepted);
      entry(req, status, d.secret, {
        kind: d.kind,
        id: seq,
        ...(byName ? { name: d.name } : {}),
        ...(idField === undefined || d.eventId === '' ? {} : { delivery: d.eventId }),
        duplicate,
        warnings: d.warnings.map((w) => w.code),
        ...(d.violations.length > 0 ? { violations: d.violations.map((v) => v.code) } : {}),
      });
    };
    if (dedupe !== 'none' && d.eventId !== '' && store.has(scope, d.eventId)) {
      store.whenWritten((error) => answer(error && !store.has(scope, d.eventId) ? error : undefined, true));
      return;
    }
    if (stopped) {
      sendProblem(res, { title: 'Service Unavailable', status: 503, detail: 'The sandbox is stopping; the delivery was not stored. Retry later.' });
      return;
    }
    const seq = store.nextSequence;
    store.add({ eventId: d.eventId, eventName: byName ? d.name : d.kind, receivedAt: Date.now(), tokenHash: scope, warnings: d.warnings, violations: d.violations, body: d.body }, (error) => answer(error, false, seq));
  };

  const refuse = (req: IncomingMessage, res: ServerResponse, kind: string, secret: string, violations: Violation[], warnings: Violation[]): void => {
    const status = statusOf.get(violations[0]!.code) ?? 400;
    const title = status === 415 ? 'Unsupported Media Type' : runtime.refused.title;
    const { detail, codes } = sendViolations(res, { type: runtime.refused.type, title, status }, violations, warnings);
    entry(req, status, secret, { kind, violations: codes, detail });
  };

  /** One stored delivery as JSON text, its members as events.record lists them; the body spliced in as stored. */
  const recordJson = (r: EventRecord): string => {
    const parts: string[] = [];
    for (const member of record) {
      let value: string;
      if (member === 'id') value = String(r.id);
      else if (member === 'kind') value = JSON.stringify(byName ? soleKind : r.eventName);
      else if (member === idField) value = r.eventId === '' ? 'null' : JSON.stringify(r.eventId);
      else if (member === nameField) value = JSON.stringify(r.eventName);
      else if (member === 'received_at') value = `"${new Date(r.receivedAt).toISOString()}"`;
      else if (member === 'token_hash') value = JSON.stringify(r.tokenHash);
      else if (member === 'violations') value = JSON.stringify(r.violations ?? []);
      else if (member === 'warnings') value = JSON.stringify(r.warnings);
      else value = store.bodyText(r);
      parts.push(`"${member}":${value}`);
    }
    return `{${parts.join(',')}}`;
  };

  type Query = { ok: true; filter: EventFilter; fields: Array<[string, string]> } | { ok: false; detail: string };
  /** `kind`, the contract's declared body filters (top-level fields), `since`, `limit`. */
  const parseQuery = (query: string, defaultLimit: number | undefined): Query => {
    const filter: EventFilter = { limit: defaultLimit };
    const fields: Array<[string, string]> = [];
    const known = [...filters.map((f) => f.name), 'since', 'limit'];
    const seen = new Set<string>();
    for (const [key, value] of new URLSearchParams(query)) {
      if (!known.includes(key)) return { ok: false, detail: `Unknown query parameter ${JSON.stringify(key.slice(0, 40))}: expected ${known.slice(0, -1).join(', ')} or ${known.at(-1)}.` };
      if (seen.has(key)) return { ok: false, detail: `The query parameter ${key} is given twice: expected it at most once.` };
      seen.add(key);
      if (value === '') continue;
      const declared = filters.find((f) => f.name === key);
      if (declared && 'value' in declared) {
        if (declared.value === 'kind' || declared.value === 'name') filter.eventName = value;
        else filter.eventId = value;
      } else if (key === 'limit') {
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1_000_000) return { ok: false, detail: `limit: expected an integer from 1 to 1000000, found ${JSON.stringify(value.slice(0, 40))}.` };
        filter.limit = Number(value);
      } else if (key === 'since') {
        const since = parseSince(value);
        if (typeof since === 'string') return { ok: false, detail: `since: ${since}.` };
        Object.assign(filter, since);
      } else fields.push([key, value]);
    }
    return { ok: true, filter, fields };
  };

  /** Records matching the filter and the body fields, newest first. */
  const select = (filter: EventFilter, fields: Array<[string, string]>): EventRecord[] => {
    if (fields.length === 0) return store.query(filter);
    const out: EventRecord[] = [];
    const max = filter.limit ?? Infinity;
    for (const r of store.query({ ...filter, limit: undefined })) {
      if (out.length >= max) break;
      let body: unknown;
      try {
        body = JSON.parse(store.bodyText(r));
      } catch {
        continue;
      }
      if (fields.every(([name, value]) => valueAt(body, `/${name}`) === value)) out.push(r);
    }
    return out;
  };

  const eventsRoute = (req: IncomingMessage, res: ServerResponse, query: string): void => {
    if (req.method === 'DELETE') {
      const deleted = store.count;
      store.reset();
      sendJson(res, 200, { status: 'reset', deleted });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      rejectEarly(req, res, { title: 'Method Not Allowed', status: 405, detail: `Expected GET or DELETE on /api/events, found ${req.method}.` }, { Allow: 'GET, HEAD, DELETE' });
      return;
    }
    const parsed = parseQuery(query, undefined);
    if (!parsed.ok) return sendProblem(res, { title: 'Bad Request', status: 400, detail: parsed.detail });
    streamJsonArray(res, select(parsed.filter, parsed.fields), recordJson, () => store.generation);
  };

  const logsRoute = (req: IncomingMessage, res: ServerResponse, query: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      rejectEarly(req, res, { title: 'Method Not Allowed', status: 405, detail: `Expected GET on /logs, found ${req.method}.` }, { Allow: 'GET, HEAD' });
      return;
    }
    const parsed = parseQuery(query, LOGS_PAGE_DEFAULT_LIMIT);
    if (!parsed.ok) return sendProblem(res, { title: 'Bad Request', status: 400, detail: parsed.detail });
    const matching = select({ ...parsed.filter, limit: undefined }, parsed.fields);
    const page = renderColumnsPage({
      title: descriptor.title,
      columns: descriptor.logs.columns,
      noun: descriptor.logs.noun ?? { one: 'delivery', other: 'deliveries' },
      select: selectFilter && {
        parameter: selectFilter.name,
        on: selectFilter.value,
        values: selectFilter.value === 'kind' ? runtime.operations.map((o) => o.id) : storedNames(),
      },
      chosen: parsed.filter.eventName,
      events: matching.slice(0, parsed.filter.limit),
      bodyOf: (r) => store.bodyText(r),
      matching: matching.length,
      total: store.count,
      endpoints: runtime.operations.map((o) => `${runtime.operations.length === 1 ? '' : `${o.id}: `}${o.method} ${maskedUrls[o.id]}`),
      hint: auth.hint,
    });
    sendText(res, 200, page.html, 'text/html', { 'Content-Security-Policy': page.csp, 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' });
  };

  const split = (url: string) => {
    const q = url.indexOf('?');
    return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const { path, query } = split(req.url ?? '/');
    switch (path) {
      case '/api/events':
        return eventsRoute(req, res, query);
      case '/logs':
        return logsRoute(req, res, query);
      case '/':
        if (req.method === 'GET' || req.method === 'HEAD') return sendText(res, 302, 'See /logs', 'text/plain', { Location: '/logs' });
        break;
    }
    const matched = match(path);
    if (matched) {
      const admitted = admit(req, matched, query);
      if ('problem' in admitted) {
        rejectEarly(req, res, admitted.problem, admitted.headers);
        entry(req, admitted.problem.status, admitted.secret, { kind: admitted.kind, ...refusedCodes(admitted.problem), detail: admitted.problem.detail });
        return;
      }
      deliver(req, res, admitted).catch((error: unknown) => internalError(req, res, error));
      return;
    }
    rejectEarly(req, res, {
      title: 'Not Found',
      status: 404,
      detail: `No such path ${JSON.stringify(path.length > 100 ? `${path.slice(0, 97)}...` : path)}: ${endpointList}; also GET|DELETE /api/events and GET /logs.`,
    });
  };

  const server = createSandboxServer(
    timeoutMs,
    (req, res) => {
      try {
        handle(req, res);
      } catch (error) {
        internalError(req, res, error);
      }
    },
    (req, res) => {
      const matched = match(split(req.url ?? '').path);
      if (!matched) return false;
      const admitted = admit(req, matched, split(req.url ?? '').query);
      if (!('problem' in admitted)) return false;
      sendProblem(res, admitted.problem, { ...admitted.headers, Connection: 'close' });
      entry(req, admitted.problem.status, admitted.secret, { ...refusedCodes(admitted.problem), detail: admitted.problem.detail });
      return true;
    },
  );

  let url: string;
  try {
    url = await listen(server, options.port ?? 0, host);
  } catch (error) {
    store.close();
    throw error;
  }
  store.announce(url);
  const urlOf = (operation: RuntimeOperation, secretOf: (s: string) => string): string => {
    const secret = auth.secrets[operation.id] ?? auth.secrets[''];
    const parameter = descriptor.auth.parameter;
    return `${url}${served(operation).replace(/\{([^}]+)\}/g, (whole, name: string) => (name === parameter && secret !== undefined ? encodeURIComponent(secretOf(secret)) : whole))}`;
  };
  const urls = Object.fromEntries(runtime.operations.map((o) => [o.id, urlOf(o, (s) => s)]));
  const maskedUrls = Object.fromEntries(runtime.operations.map((o) => [o.id, urlOf(o, auth.mask).replace(/%2A/g, '*')]));

  return {
    url,
    urls,
    secrets: auth.secrets,
    auth,
    dataDir: options.inMemory ? undefined : options.dataDir,
    opened: store.opened,
    events(query = {}) {
      const direct: EventFilter = {};
      const given: Array<[string, string]> = [];
      for (const [key, value] of Object.entries(query)) {
        if (value === undefined) continue;
        if (key === 'kind' && !filters.some((f) => f.name === 'kind')) direct.eventName = String(value);
        else if (key === 'since' && value instanceof Date) direct.since = value.getTime();
        else if (key === 'since' && typeof value === 'number') direct.afterId = value;
        else given.push([key, value instanceof Date ? value.toISOString() : String(value)]);
      }
      const parsed = parseQuery(new URLSearchParams(given).toString(), undefined);
      if (!parsed.ok) throw new TypeError(`events: ${parsed.detail.replace(/\.$/, '')}`);
      return select({ ...parsed.filter, ...direct }, parsed.fields).map((r) => JSON.parse(recordJson(r)) as StoredDelivery);
    },
    worded(e) {
      const { time, method, status, secret, kind, name, delivery, ...rest } = e;
      return {
        time,
        method,
        status,
        [auth.label]: secret,
        ...(kind === undefined ? {} : { kind }),
        ...(name === undefined ? {} : { [nameField ?? 'name']: name }),
        ...(delivery === undefined ? {} : { [idField ?? 'delivery']: delivery }),
        ...rest,
      };
    },
    count: () => store.count,
    format: (e) => formatContractLogEntry(e, auth.label),
    reset: () => store.reset(),
    stop(): Promise<void> {
      if (stopped) return Promise.resolve();
      stopped = true;
      return closeServer(server, () => store.close());
    },
  };
}

/** The codes a refusal names (auth's, the request's), for its log line. */
function refusedCodes(problem: Problem): { violations?: string[] } {
  const listed = problem.violations;
  return Array.isArray(listed) ? { violations: listed.map((v: { code?: unknown }) => String(v.code)) } : {};
}

/** A log line for people: what arrived and what the sandbox answered, the secret masked. */
export function formatContractLogEntry(e: ContractLogEntry, label = 'secret'): string {
  const parts = [e.time, String(e.status)];
  if (e.kind) parts.push(e.kind);
  if (e.status >= 200 && e.status < 300) {
    if (e.name !== undefined) parts.push(quoteUntrusted(e.name));
    if (e.delivery !== undefined) parts.push(quoteUntrusted(e.delivery));
    parts.push(e.duplicate ? 'duplicate (already stored, dropped)' : `stored #${e.id}`);
    if (e.violations && e.violations.length > 0) parts.push(`${e.violations.length} violation${e.violations.length === 1 ? '' : 's'} (${[...new Set(e.violations)].join(', ')})`);
    if (e.warnings && e.warnings.length > 0) parts.push(`${e.warnings.length} warning${e.warnings.length === 1 ? '' : 's'} (${[...new Set(e.warnings)].join(', ')})`);
  } else if (e.violations) {
    parts.push(`rejected: ${[...new Set(e.violations)].join(', ')}`);
  } else if (e.detail) {
    parts.push(e.detail);
  }
  parts.push(`${label} ${e.secret}`);
  return parts.join('  ');
}
