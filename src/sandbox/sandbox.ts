/**
 * The sandbox: a complete, stateful reference implementation of `POST /api/webhooks` on
 * loopback, for integration tests that need to ask "did my event arrive, and how did it look?".
 *
 * Routes:
 * - `POST /api/webhooks`: the endpoint (token, content type, 1 MiB limit, validation, dedup).
 * - `GET /api/events` (filters event_name, event_id, since, limit; newest first), `DELETE /api/events`.
 * - `GET /logs`: the vendor's Logs tab, as HTML. `GET /` redirects there.
 * `/api/events` and `/logs` need no token: the sandbox binds to loopback (127.0.0.1) by
 * default, where only this machine can reach it, and CI scripts then need no secret to assert
 * on what arrived. They never show the token (only a fingerprint, `token_hash`).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { MAX_BODY_BYTES } from '../constants.js';
import { maskToken, resolveEndpointUrl } from '../endpoint.js';
import { describeJsonError, describeUtf8Error, parseJson } from '../json.js';
import type { WebhookEvent } from '../../generated/converge/types/schemas.js';
import { validateEvent, type Violation } from '../validate.js';
import {
  closeServer,
  createSandboxServer,
  decodeUtf8,
  headerMediaTypeProblem,
  internalError,
  listen,
  MAX_LISTED,
  quoteUntrusted,
  readBody,
  rejectEarly,
  sendAccepted,
  sendJson,
  sendProblem,
  sendText,
  sendViolations,
  streamJsonArray,
  VIOLATIONS_TYPE,
  type Problem,
} from './http.js';
import { headerToken, TOKEN_PATTERN } from './auth/header-token.js';
import { renderLogsPage } from './logs-page.js';
import { EventStore, parseSince, StoreError, type EventFilter, type EventRecord, type OpenReport } from './store.js';

export { StoreError } from './store.js';
export type { OpenReport } from './store.js';

export interface SandboxOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. Anything else exposes the events to the network. */
  host?: string;
  /** The token senders must present in X-Webhook-Token; default a random one. Printable ASCII, no spaces. */
  token?: string;
  /** Folder of the event store (created when missing). Without it, events are kept in memory only. */
  dataDir?: string;
  /** Keep events in memory only (cannot be combined with dataDir). */
  inMemory?: boolean;
  /** fdatasync after every stored event, so a power loss cannot lose one either (slower). */
  fsync?: boolean;
  /** When false, print a line per request on standard output; default true (a library stays silent). */
  quiet?: boolean;
  /** Called once per request to /api/webhooks, with the token masked. */
  onRequest?: (entry: SandboxLogEntry) => void;
  /** A request (headers and body) must arrive within this time, else 408; default 10,000 ms. */
  requestTimeoutMs?: number;
}

/**
 * One stored event, as GET /api/events returns it. `Name` is the `event_name` that
 * `events({ event_name })` filtered on (any name without a filter).
 */
export interface StoredEvent<Name extends string = string> {
  /** Sequence number, from 1, in order of receipt (starts again after a reset). */
  id: number;
  event_id: string;
  event_name: Name;
  /** Time of receipt, ISO 8601 in UTC. */
  received_at: string;
  /** A fingerprint of the token the event came with (start of its SHA-256), never the token. */
  token_hash: string;
  /** Event Spec warnings found when it was accepted. */
  warnings: Violation[];
  /**
   * The body as sent. Only events that pass the contract rules are stored, so it is a
   * `WebhookEvent`. Breaking the Event Spec is only a warning (see `warnings`), so its
   * properties stay `unknown` until `isStandardEvent(body)` types them.
   */
  body: WebhookEvent & { event_name: Name };
}

export interface EventQuery {
  event_name?: string;
  event_id?: string;
  /** A sequence number (events with a larger id), or a time (events received at or after it). */
  since?: number | string | Date;
  /** At most this many (the newest). */
  limit?: number;
}

export interface RunningSandbox {
  /** Base URL, e.g. http://127.0.0.1:4011 */
  url: string;
  /** The endpoint: `${url}/api/webhooks`. */
  webhookUrl: string;
  /** The token senders must present. */
  token: string;
  /** The store folder, or undefined in memory. */
  dataDir: string | undefined;
  /** What opening the store found (events, a torn last line cut off, damaged lines skipped). */
  opened: OpenReport;
  /** Stored events, newest first; filtered on `event_name`, their bodies carry that name in their type. */
  events<Name extends string = string>(query?: EventQuery & { event_name?: Name }): StoredEvent<Name>[];
  /** How many events are stored. */
  count(): number;
  /** Deletes every stored event (on disk too). */
  reset(): void;
  /** Stops listening, ends open connections, closes the store. */
  stop(): Promise<void>;
}

/** What happened to one request to /api/webhooks. Never holds the token itself. */
export interface SandboxLogEntry {
  time: string;
  method: string;
  status: number;
  /** Masked token, "none" when missing, "wrong" when it did not match. */
  token: string;
  event_name?: string;
  event_id?: string;
  /** Sequence number of the stored event. */
  id?: number;
  duplicate?: boolean;
  warnings?: string[];
  violations?: string[];
  detail?: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const FILTERS = ['event_name', 'event_id', 'since', 'limit'] as const;
const LOGS_PAGE_DEFAULT_LIMIT = 100;

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const token = options.token ?? `sbx_${randomBytes(24).toString('base64url')}`;
  if (!TOKEN_PATTERN.test(token)) {
    throw new TypeError('startSandbox: token: expected printable ASCII without spaces (a header value), found something else');
  }
  if (options.inMemory && options.dataDir !== undefined) throw new TypeError('startSandbox: dataDir and inMemory exclude each other');
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 100) throw new TypeError(`startSandbox: requestTimeoutMs: expected at least 100, found ${timeoutMs}`);
  const host = options.host ?? '127.0.0.1';
  // The token check is the header-token auth's, the one every contract with a header token uses.
  const auth = headerToken({ type: 'header-token', header: 'X-Webhook-Token' }, { secrets: { '': token }, operations: [{ id: 'event', body: 'required' }] });
  const tokenHash = auth.principals['']!;
  const masked = maskToken(token);
  const store = await EventStore.open({ dataDir: options.inMemory ? undefined : options.dataDir, fsync: options.fsync });

  const print = options.quiet === false ? (entry: SandboxLogEntry) => process.stdout.write(`${formatLogEntry(entry)}\n`) : undefined;
  const log =
    print && options.onRequest
      ? (entry: SandboxLogEntry) => {
          print(entry);
          options.onRequest!(entry);
        }
      : (print ?? options.onRequest);

  let webhookUrl = '';
  let stopped = false;

  const entry = (req: IncomingMessage, status: number, tokenShown: string, more: Partial<SandboxLogEntry> = {}): void => {
    log?.({ time: new Date().toISOString(), method: req.method ?? '', status, token: tokenShown, ...more });
  };

  /** The checks that need only the request line and headers (also answer `Expect: 100-continue`). */
  const headerProblem = (req: IncomingMessage): { problem: Problem; headers?: Record<string, string>; token: string } | undefined => {
    if (req.method !== 'POST') {
      return {
        problem: { title: 'Method Not Allowed', status: 405, detail: `Expected POST on /api/webhooks, found ${req.method}.` },
        headers: { Allow: 'POST' },
        token: 'none',
      };
    }
    const checked = auth.check({ headers: req.headers, parameters: {}, query: '' });
    if (!checked.ok) return { problem: checked.problem, token: checked.shown };
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > MAX_BODY_BYTES) {
      return {
        problem: { title: 'Payload Too Large', status: 413, detail: `The body is larger than ${MAX_BODY_BYTES} bytes (Content-Length: ${Number(length)}).` },
        token: masked,
      };
    }
    const media = headerMediaTypeProblem(req.headers);
    return media && { problem: media, token: masked };
  };

  const webhook = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const early = headerProblem(req);
    if (early) {
      rejectEarly(req, res, early.problem, early.headers);
      entry(req, early.problem.status, early.token, { detail: early.problem.detail });
      return;
    }
    const read = await readBody(req, MAX_BODY_BYTES);
    if (!read.ok) {
      // 'gone': nobody to answer (the timeout's 408 was written by the clientError handler).
      if (read.status === 413) {
        rejectEarly(req, res, { title: 'Payload Too Large', status: 413, detail: `The body is larger than ${MAX_BODY_BYTES} bytes.` });
        entry(req, 413, masked, { detail: 'body over the limit' });
      }
      return;
    }
    const decoded = decodeUtf8(read.bytes);
    if (!decoded.ok) {
      return invalid(req, res, [{ code: 'invalid-json', pointer: '', message: describeUtf8Error(decoded.offset) }]);
    }
    const parsed = parseJson(decoded.text);
    if (!parsed.ok) {
      return invalid(req, res, [{ code: 'invalid-json', pointer: '', message: describeJsonError(parsed) }]);
    }
    const result = validateEvent(parsed.value);
    if (!result.valid) return invalid(req, res, result.errors, result.warnings);
    const warnings = result.warnings.length > MAX_LISTED ? result.warnings.slice(0, MAX_LISTED) : result.warnings;
    const event = parsed.value as { event_id: string; event_name: string };
    const answer = (error: StoreError | undefined, duplicate: boolean, id?: number): void => {
      if (error) {
        // Not the sender's fault: a 5xx tells it to retry later with the same event_id.
        sendProblem(res, { title: 'Service Unavailable', status: 503, detail: `${error.message}. Retry later.` });
        entry(req, 503, masked, { event_name: event.event_name, event_id: event.event_id, detail: error.message });
        return;
      }
      sendAccepted(res, event.event_id, duplicate, warnings);
      if (log) entry(req, 200, masked, { event_name: event.event_name, event_id: event.event_id, id, duplicate, warnings: warnings.map((w) => w.code) });
    };
    if (store.has(tokenHash, event.event_id)) {
      // The first copy may still be on its way to the file: answer once it is there (or is not).
      store.whenWritten((error) => answer(error && !store.has(tokenHash, event.event_id) ? error : undefined, true));
      return;
    }
    if (stopped) {
      sendProblem(res, { title: 'Service Unavailable', status: 503, detail: 'The sandbox is stopping; the event was not stored. Retry later.' });
      return;
    }
    const text = decoded.text.charCodeAt(0) === 0xfeff ? decoded.text.slice(1) : decoded.text;
    const id = store.nextSequence;
    store.add({ eventId: event.event_id, eventName: event.event_name, receivedAt: Date.now(), tokenHash, warnings, body: text.trim() }, (error) =>
      answer(error, false, id),
    );
  };

  const invalid = (req: IncomingMessage, res: ServerResponse, violations: Violation[], warnings: Violation[] = []): void => {
    const { detail, codes } = sendViolations(res, { type: VIOLATIONS_TYPE, title: 'The event breaks the webhook contract', status: 400 }, violations, warnings);
    entry(req, 400, masked, { violations: codes, detail });
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
    const filter = parseFilter(query, undefined);
    if (!filter.ok) {
      sendProblem(res, { title: 'Bad Request', status: 400, detail: filter.detail });
      return;
    }
    streamJsonArray(res, store.query(filter.filter), (r) => eventJson(r, store.bodyText(r)), () => store.generation);
  };

  const logsRoute = (req: IncomingMessage, res: ServerResponse, query: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      rejectEarly(req, res, { title: 'Method Not Allowed', status: 405, detail: `Expected GET on /logs, found ${req.method}.` }, { Allow: 'GET, HEAD' });
      return;
    }
    const filter = parseFilter(query, LOGS_PAGE_DEFAULT_LIMIT);
    if (!filter.ok) {
      sendProblem(res, { title: 'Bad Request', status: 400, detail: filter.detail });
      return;
    }
    const matching = store.query({ ...filter.filter, limit: undefined });
    const page = renderLogsPage({
      events: matching.slice(0, filter.filter.limit),
      bodyOf: (record) => store.bodyText(record),
      matching: matching.length,
      total: store.count,
      eventNames: eventNames(store),
      eventName: filter.filter.eventName,
      webhookUrl,
      maskedToken: masked,
    });
    sendText(res, 200, page.html, 'text/html', {
      'Content-Security-Policy': page.csp,
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    switch (path) {
      case '/api/webhooks':
        webhook(req, res).catch((error: unknown) => internalError(req, res, error));
        return;
      case '/api/events':
        return eventsRoute(req, res, query);
      case '/logs':
        return logsRoute(req, res, query);
      case '/':
        if (req.method === 'GET' || req.method === 'HEAD') {
          sendText(res, 302, 'See /logs', 'text/plain', { Location: '/logs' });
          return;
        }
        break;
    }
    rejectEarly(req, res, {
      title: 'Not Found',
      status: 404,
      detail: `No such path ${JSON.stringify(path.length > 100 ? `${path.slice(0, 97)}...` : path)}: the endpoint is POST /api/webhooks; also GET|DELETE /api/events and GET /logs.`,
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
    // `Expect: 100-continue`: refuse before the client sends the body, when the headers already say no.
    (req, res) => {
      const url = req.url ?? '';
      if (url !== '/api/webhooks' && !url.startsWith('/api/webhooks?')) return false;
      const early = headerProblem(req);
      if (!early) return false;
      sendProblem(res, early.problem, { ...early.headers, Connection: 'close' });
      entry(req, early.problem.status, early.token, { detail: early.problem.detail });
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
  webhookUrl = resolveEndpointUrl(url).href;
  store.announce(url);

  return {
    url,
    webhookUrl,
    token,
    dataDir: options.inMemory ? undefined : options.dataDir,
    opened: store.opened,
    events<Name extends string = string>(query: EventQuery & { event_name?: Name } = {}): StoredEvent<Name>[] {
      const since = query.since;
      const filter: EventFilter = { eventName: query.event_name, eventId: query.event_id, limit: query.limit };
      if (since instanceof Date) filter.since = since.getTime();
      else if (typeof since === 'number') filter.afterId = since;
      else if (typeof since === 'string') {
        const parsed = parseSince(since);
        if (typeof parsed === 'string') throw new TypeError(`events: since: ${parsed}`);
        Object.assign(filter, parsed);
      }
      return store.query(filter).map((r) => JSON.parse(eventJson(r, store.bodyText(r))) as StoredEvent<Name>);
    },
    count(): number {
      return store.count;
    },
    reset(): void {
      store.reset();
    },
    stop(): Promise<void> {
      if (stopped) return Promise.resolve();
      stopped = true;
      return closeServer(server, () => store.close());
    },
  };
}

/** One stored event as JSON text; the body is spliced in as stored, never re-serialised. */
function eventJson(r: EventRecord, body: string): string {
  return (
    `{"id":${r.id},"event_id":${JSON.stringify(r.eventId)},"event_name":${JSON.stringify(r.eventName)},` +
    `"received_at":"${new Date(r.receivedAt).toISOString()}","token_hash":"${r.tokenHash}","warnings":${JSON.stringify(r.warnings)},"body":${body}}`
  );
}

function eventNames(store: EventStore): string[] {
  const names = new Set<string>();
  for (const r of store.query()) {
    names.add(r.eventName);
    if (names.size >= 200) break;
  }
  return [...names].sort();
}

type FilterResult = { ok: true; filter: EventFilter } | { ok: false; detail: string };

/** Parses `event_name`, `event_id`, `since`, `limit`; an empty value means no filter. */
function parseFilter(query: string, defaultLimit: number | undefined): FilterResult {
  const params = new URLSearchParams(query);
  const filter: EventFilter = { limit: defaultLimit };
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (!(FILTERS as readonly string[]).includes(key)) {
      return { ok: false, detail: `Unknown query parameter ${JSON.stringify(key.slice(0, 40))}: expected event_name, event_id, since or limit.` };
    }
    if (seen.has(key)) return { ok: false, detail: `The query parameter ${key} is given twice: expected it at most once.` };
    seen.add(key);
    if (value === '') continue;
    if (key === 'event_name') filter.eventName = value;
    else if (key === 'event_id') filter.eventId = value;
    else if (key === 'limit') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > 1_000_000) {
        return { ok: false, detail: `limit: expected an integer from 1 to 1000000, found ${JSON.stringify(value.slice(0, 40))}.` };
      }
      filter.limit = n;
    } else {
      const since = parseSince(value);
      if (typeof since === 'string') return { ok: false, detail: `since: ${since}.` };
      Object.assign(filter, since);
    }
  }
  return { ok: true, filter };
}

/** A log line for people: what arrived and what the sandbox answered, token masked, untrusted text quoted. */
export function formatLogEntry(e: SandboxLogEntry): string {
  const parts = [e.time, String(e.status)];
  if (e.status === 200) {
    parts.push(quoteUntrusted(e.event_name ?? ''), quoteUntrusted(e.event_id ?? ''));
    parts.push(e.duplicate ? 'duplicate (already stored, dropped)' : `stored #${e.id}`);
    if (e.warnings && e.warnings.length > 0) parts.push(`${e.warnings.length} warning${e.warnings.length === 1 ? '' : 's'} (${[...new Set(e.warnings)].join(', ')})`);
  } else if (e.violations) {
    parts.push(`rejected: ${[...new Set(e.violations)].join(', ')}`);
  } else if (e.detail) {
    parts.push(e.detail);
  }
  parts.push(`token ${e.token}`);
  return parts.join('  ');
}
