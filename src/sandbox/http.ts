/** Small HTTP helpers of the sandbox: problem+json answers, bounded body reading, tokens. */
import { hash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/** Headers on every answer: nothing is cached, nothing is sniffed. */
const COMMON_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

/** After an early answer, how much of an unread body is read and thrown away, and for how long, before the connection is cut. */
const LINGER_BYTES = 4 * 1024 * 1024;
const LINGER_MS = 2000;

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  [member: string]: unknown;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), contentType, headers);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': contentType.includes('charset') ? contentType : `${contentType}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  sendJson(res, problem.status, { type: 'about:blank', ...problem }, 'application/problem+json', headers);
}

/**
 * Answers before the body was read (or while it is still arriving). The rest of the body is
 * read and dropped, within a bound (LINGER_BYTES, LINGER_MS), so that a small body keeps its
 * keep-alive connection, and the client, still sending, gets to read the answer instead of a
 * connection reset; past the bound the connection is cut. Nothing is buffered.
 */
export function rejectEarly(req: IncomingMessage, res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  const declared = Number(req.headers['content-length'] ?? NaN);
  // A declared body far past the bound will be cut anyway: say so, so the client does not reuse the connection.
  const hopeless = Number.isFinite(declared) && declared > LINGER_BYTES;
  sendProblem(res, problem, hopeless ? { ...headers, Connection: 'close' } : headers);
  if (req.complete) return;
  let dropped = 0;
  const cut = () => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) cut();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

/** `gone`: the client went away, or Node's request timeout already answered 408 and closed the socket. */
export type BodyResult = { ok: true; bytes: Buffer } | { ok: false; status: 413 | 'gone' };

/**
 * Reads a request body of at most `limit` bytes; stops reading as soon as it is over (413),
 * so it never holds more than `limit` bytes. A slow body is the server's requestTimeout's job.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        finish({ ok: false, status: 413 });
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => finish({ ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onClose = () => finish({ ok: false, status: 'gone' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

/**
 * At most this many violations, and as many warnings, are listed in an answer and kept with a
 * delivery. A 1 MiB body can break a rule 500,000 times: listing each made a 50 MB answer and
 * kept 150 MB per event in memory (a few such events ran the sandbox out of memory).
 */
export const MAX_LISTED = 100;

/** A refusal of a body that breaks the contract: its problem type, title and status. */
export interface ViolationsProblem {
  type: string;
  title: string;
  status: number;
}

/**
 * Answers a body that breaks the contract with problem+json: the first violation in the detail,
 * at most MAX_LISTED violations and warnings listed (the detail says so when there were more).
 * Returns what the log line needs.
 */
export function sendViolations(
  res: ServerResponse,
  problem: ViolationsProblem,
  violations: ReadonlyArray<{ code: string; pointer: string; message: string }>,
  warnings: readonly unknown[],
): { detail: string; codes: string[] } {
  const first = violations[0]!;
  const detail =
    `${violations.length} contract violation${violations.length === 1 ? '' : 's'}: ${first.pointer || '(body)'}: ${first.message}` +
    `${violations.length > 1 ? ` (and ${violations.length - 1} more)` : ''}.` +
    (violations.length > MAX_LISTED || warnings.length > MAX_LISTED ? ` The first ${MAX_LISTED} violations and warnings are listed (of ${violations.length} and ${warnings.length}).` : '');
  const listed = violations.slice(0, MAX_LISTED);
  sendJson(res, problem.status, { type: problem.type, title: problem.title, status: problem.status, detail, violations: listed, warnings: warnings.slice(0, MAX_LISTED) }, 'application/problem+json');
  return { detail, codes: listed.map((v) => v.code) };
}

/**
 * A bug of ours on one request: said without details that could leak anything (long path
 * segments, where a secret id would be, are cut), and the sandbox keeps serving.
 */
export function internalError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  process.emitWarning(`converge-webhook sandbox: internal error on ${req.method} ${(req.url ?? '').slice(0, 100).replace(/\/[^/?]{8,}/g, '/…')}: ${error instanceof Error ? error.message : String(error)}`);
  if (!res.headersSent) sendProblem(res, { title: 'Internal Server Error', status: 500, detail: 'The sandbox failed on this request (a bug); it keeps serving.' });
  else res.destroy();
}

/** Quoted and clipped for a log line: a name or an id is the sender's text and may hold terminal control characters. */
export function quoteUntrusted(text: string): string {
  const clipped = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return JSON.stringify(clipped).replace(/[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Streams a JSON array of records in pieces of about 256 KiB: a full store can be larger than
 * one string may be. `generation` changes on a reset: the rest of the snapshot is gone, so the
 * response is cut rather than sent wrong.
 */
export function streamJsonArray<T>(res: ServerResponse, records: readonly T[], toJson: (record: T) => string, generation: () => number): void {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', ...COMMON_HEADERS });
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  let i = 0;
  const started = generation();
  const pump = (): void => {
    if (generation() !== started) {
      res.destroy();
      return;
    }
    while (i < records.length) {
      const parts: string[] = [];
      let size = 0;
      while (i < records.length && size < 256 * 1024) {
        const json = toJson(records[i]!);
        parts.push(i === 0 ? `[${json}` : `,${json}`);
        size += json.length;
        i += 1;
      }
      if (!res.write(parts.join(''))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end(records.length === 0 ? '[]' : ']');
  };
  pump();
}

/**
 * The media-type checks made on the headers, before the body is read (contract.yaml
 * `unsupportedMediaType.stage: headers`, for a JSON-only contract): a Content-Type other than
 * JSON in UTF-8, and any Content-Encoding, are a 415.
 */
export function headerMediaTypeProblem(headers: IncomingMessage['headers']): Problem | undefined {
  const type = checkJsonContentType(headers['content-type']);
  if (!type.ok) return { title: 'Unsupported Media Type', status: 415, detail: type.detail };
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return { title: 'Unsupported Media Type', status: 415, detail: `Expected no Content-Encoding, found ${JSON.stringify(encoding.slice(0, 40))}: send the JSON uncompressed.` };
  }
  return undefined;
}

export type MediaTypeCheck = { ok: true } | { ok: false; detail: string };

/** Accepts `application/json`, with no charset or `charset=utf-8` (any case, quoted or not). */
export function checkJsonContentType(header: string | undefined): MediaTypeCheck {
  if (header === undefined || header.trim() === '') {
    return { ok: false, detail: 'Expected Content-Type: application/json, found no Content-Type header.' };
  }
  const [type = '', ...params] = header.split(';');
  if (type.trim().toLowerCase() !== 'application/json') {
    return { ok: false, detail: `Expected Content-Type: application/json, found ${JSON.stringify(clip(header))}. Send the event as JSON.` };
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      return { ok: false, detail: `Expected the charset utf-8 (or none), found ${JSON.stringify(clip(charset))}. JSON is sent as UTF-8.` };
    }
  }
  return { ok: true };
}

/** SHA-256 of a token: compared in constant time, and (shortened) the token's public fingerprint. */
export function hashToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/** A secret's public fingerprint (the start of its SHA-256): what is stored and shown instead of it. */
export function fingerprint(hashed: Buffer): string {
  return `sha256:${hashed.toString('hex').slice(0, 16)}`;
}

/** Compares a presented token with the expected one's hash in constant time; hashing first hides the length too. */
export function tokenMatches(presented: string, expectedHash: Buffer): boolean {
  return timingSafeEqual(hashToken(presented), expectedHash);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The sandbox's HTTP server: headers and body must arrive within `timeoutMs` (else 408), and
 * requests Node cannot parse get a problem+json answer too. `earlyProblem` answers
 * `Expect: 100-continue` before the body is sent, when the headers already say no.
 */
export function createSandboxServer(
  timeoutMs: number,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  earlyProblem: (req: IncomingMessage, res: ServerResponse) => boolean,
): Server {
  const server: Server = createServer(
    {
      // Node checks every connection on this interval and reports a late one to the clientError
      // handler below, which answers 408 and closes the socket.
      headersTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(timeoutMs / 4))),
      keepAliveTimeout: 5000,
    },
    handle,
  );
  server.maxConnections = 1024;
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (earlyProblem(req, res)) return;
    res.writeContinue();
    server.emit('request', req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, title, detail] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', `The request did not arrive within ${timeoutMs} ms.`]
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'The request headers are too large.']
          : [400, 'Bad Request', `The request is not valid HTTP/1.1 (${String(error.code ?? 'parse error')}).`];
    const body = JSON.stringify({ type: 'about:blank', title, status, detail });
    // Then cut the connection: a slow or broken client gets no more of our time.
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  });
  return server;
}

/** Listens, and gives the base URL (an IPv6 address in brackets). */
/** Stops listening and ends open connections; `closed` runs once the server has closed (the store is closed there). */
export function closeServer(server: Server, closed: () => void): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      closed();
      resolve();
    });
    server.closeAllConnections();
  });
}

export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}
