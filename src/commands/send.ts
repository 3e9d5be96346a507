/** `converge-webhook send`: posts one event and prints the answer (the seed's "send a test event"). */
import { STATUS_CODES } from 'node:http';

import { CheckFailed, parseCommandArgs, UsageError } from '../cli-support.js';
import { maskToken, resolveEndpointUrl } from '../endpoint.js';
import { readInput, violationLines } from '../input.js';
import { validateBody, type ValidationResult } from '../validate.js';
import { servedContract } from '../registry.js';

const TOKEN_ENV = 'CONVERGE_WEBHOOK_TOKEN';
const TIMEOUT_MS = 30_000;

const USAGE = `Usage: converge-webhook send --url URL [--token TOKEN] [--no-validate] [--strict] [--json] <file|->

Posts one event (a JSON file, or standard input with "-") to a webhook endpoint with the headers
Content-Type: application/json and X-Webhook-Token, then prints the status and the response body.
The body is sent exactly as read.

  --url URL       the endpoint, e.g. http://127.0.0.1:4010/api/webhooks; a URL without a path
                  (http://127.0.0.1:4010) gets /api/webhooks
  --token TOKEN   the source's webhook token; default: the ${TOKEN_ENV} environment variable.
                  It is printed masked: its first 4 characters and ****
                  (only **** for a token under 16 characters).
  --no-validate   send the file as it is, even when it is not JSON or breaks the contract
  --strict        refuse to send an event with warnings (Event Spec, timestamp form, a body
                  over 1 MiB)
  --json          print one JSON object {url, sent, validation, status, ok, headers, body}

Before sending, the event is validated like "converge-webhook validate": errors are printed and
nothing is sent; warnings (a body over 1 MiB among them) are printed and the event is sent.
Exit codes: 0 the endpoint answered 2xx, 1 it answered anything else, the event is invalid, or the
endpoint could not be reached, 2 usage error.`;


/** Why fetch failed, in one line: Node's fetch hides the socket error in `cause`. */
function connectionProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is the server running?)',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'host unreachable',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'the server closed the connection',
  };
  if (cause?.message === 'bad port') return 'fetch refuses this port (it is on the Fetch standard\'s list of blocked ports)';
  if (cause?.code) return `${known[cause.code] ?? cause.message ?? cause.code} (${cause.code})`;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Prism's `sl-violations` header (a JSON array) as one line per violation. */
function prismViolationLines(header: string): string[] {
  try {
    const list = JSON.parse(header) as Array<{ location?: string[]; message?: string }>;
    const lines = list.map((v) => {
      const message = String(v.message ?? '');
      return `  ${(v.location ?? []).join('.')}: ${message.length > 160 ? `${message.slice(0, 160)}…` : message}`;
    });
    return ['sl-violations (what Prism found wrong; its body is a fixed example):', ...lines];
  } catch {
    return [`sl-violations: ${header}`];
  }
}

/** The verdict only: the parsed body (`value`) is not repeated in the output. */
function verdict({ valid, errors, warnings }: ValidationResult): ValidationResult {
  return { valid, errors, warnings };
}

function printableBody(text: string, contentType: string): { json: boolean; value: unknown; pretty: string } {
  if (/[/+]json\b/i.test(contentType) || /^\s*[{[]/.test(text)) {
    try {
      const value: unknown = JSON.parse(text);
      return { json: true, value, pretty: JSON.stringify(value, null, 2) };
    } catch {
      // Not JSON after all: printed as text.
    }
  }
  return { json: false, value: text, pretty: text };
}

export async function run(argv: string[]): Promise<number> {
  argv = servedContract('send', argv); // --contract: the default contract only, so far
  const { values, positionals } = parseCommandArgs(argv, {
    url: { type: 'string' },
    token: { type: 'string' },
    'no-validate': { type: 'boolean' },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.url === undefined) throw new UsageError('send needs --url, the endpoint to post to (e.g. --url http://127.0.0.1:4010/api/webhooks)');
  const url = resolveEndpointUrl(values.url);
  const fromEnv = values.token === undefined;
  const token = values.token ?? process.env[TOKEN_ENV];
  if (token === undefined) throw new UsageError(`send needs a token: --token TOKEN, or the ${TOKEN_ENV} environment variable`);
  if (token.trim() === '') throw new UsageError(`expected a non-empty token, found an empty ${fromEnv ? TOKEN_ENV : '--token'}`);
  if (/[\r\n\0]/.test(token)) throw new UsageError(`the token contains a line break or NUL character, which an HTTP header cannot carry`);
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'send needs one event file, or "-" for standard input' : `send posts one event at a time, found ${positionals.length} files`);
  }
  const file = positionals[0]!;
  const json = Boolean(values.json);
  const skipValidation = Boolean(values['no-validate']);
  if (skipValidation && values.strict) throw new UsageError('--strict and --no-validate contradict each other: choose one');

  let bytes = readInput(file);
  // A UTF-8 byte order mark is not JSON: a receiver's parser would reject the event for it.
  if (!skipValidation && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const validation = skipValidation ? undefined : verdict(validateBody(bytes, { strict: Boolean(values.strict) }));
  const source = file === '-' ? 'standard input' : file;

  if (validation && !validation.valid) {
    if (json) console.log(JSON.stringify({ url: url.href, sent: false, validation }, null, 2));
    else console.log([`INVALID  ${source}: not sent`, ...violationLines(validation)].join('\n'));
    return 1;
  }
  if (!json) {
    console.log(`POST ${url.href}  (${bytes.length} bytes from ${source}, token ${maskToken(token)}${fromEnv ? ` from ${TOKEN_ENV}` : ''})`);
    if (validation) {
      const lines = violationLines(validation);
      console.log(lines.length ? [`valid, with ${validation.warnings.length} warning${validation.warnings.length === 1 ? '' : 's'} (sent anyway):`, ...lines].join('\n') : 'valid');
    } else console.log('not validated (--no-validate)');
  }

  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': token },
      body: bytes,
      // A redirect is an answer to report, not to follow (fetch would turn the POST into a GET).
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const problem = `could not send to ${url.href}: ${connectionProblem(error)}`;
    // With --json, stdout stays parseable on this failure too.
    if (json) console.log(JSON.stringify({ url: url.href, sent: false, validation, error: problem }, null, 2));
    throw new CheckFailed(problem);
  }

  const contentType = response.headers.get('content-type') ?? '';
  const body = printableBody(text, contentType);
  // Prism answers a broken body with a fixed example; what was really wrong is in this header.
  const prismViolations = response.headers.get('sl-violations');
  if (json) {
    console.log(
      JSON.stringify(
        { url: url.href, sent: true, validation: validation ?? null, status: response.status, ok: response.ok, headers: Object.fromEntries(response.headers), body: body.value },
        null,
        2,
      ),
    );
  } else {
    const reason = response.statusText || STATUS_CODES[response.status] || '';
    const lines = [`HTTP ${response.status} ${reason}`.trimEnd()];
    if (contentType) lines.push(`Content-Type: ${contentType}`);
    if (prismViolations) lines.push(...prismViolationLines(prismViolations));
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) lines.push(`Location: ${response.headers.get('location')}`);
    if (text !== '') lines.push('', body.pretty);
    console.log(lines.join('\n'));
  }
  return response.ok ? 0 : 1;
}
