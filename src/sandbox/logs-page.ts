/**
 * GET /logs: the sandbox's version of the vendor's Logs tab, one HTML page, no script.
 * Every value that comes from an event goes through escapeHtml; the page is served with a
 * Content-Security-Policy that allows no script at all, so even a missed escape could not run one.
 */
import { randomBytes } from 'node:crypto';

import { SALES_CHANNEL_TYPES } from '../constants.js';
import type { LogsColumn } from '../contract-runtime.js';
import { valueAt } from '../engine/values.js';
import type { EventRecord } from './store.js';

/** How much of one body the page shows; the whole body is at /api/events?event_id=... */
export const MAX_SHOWN_BODY_CHARS = 64 * 1024;

const CHANNELS: ReadonlySet<string> = new Set(SALES_CHANNEL_TYPES);

export interface LogsPageInput {
  /** Events to show, newest first. */
  events: EventRecord[];
  /** The body text of an event. */
  bodyOf: (record: EventRecord) => string;
  /** Events matching the filter, of which `events` may be only the newest. */
  matching: number;
  /** Events in the store. */
  total: number;
  /** Event names in the store, for the filter. */
  eventNames: string[];
  eventName: string | undefined;
  webhookUrl: string;
  maskedToken: string;
}

export interface LogsPage {
  html: string;
  /** The Content-Security-Policy that goes with this page (its style nonce). */
  csp: string;
}

/** Makes any text safe as HTML text or as a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'\u0000]/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\u0000': '\ufffd' };

export function renderLogsPage(input: LogsPageInput): LogsPage {
  const nonce = randomBytes(16).toString('base64');
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
  const shown = input.events.length;
  const summary =
    input.total === 0
      ? 'No events yet.'
      : `${count(input.matching, 'event')}${input.eventName === undefined ? '' : ` named ${q(input.eventName)}`}` +
        `${shown < input.matching ? `, the newest ${shown} shown` : ''} (${count(input.total, 'event')} stored).`;
  const options = input.eventNames
    .map((name) => `<option value="${escapeHtml(name)}"${name === input.eventName ? ' selected' : ''}>${escapeHtml(name)}</option>`)
    .join('');
  const rows = input.events.map((record) => renderEvent(record, input.bodyOf(record))).join('\n');
  const empty =
    input.total === 0
      ? `<p class="hint">Send an event to <code>${escapeHtml(input.webhookUrl)}</code> with the header <code>X-Webhook-Token</code> (the token printed when the sandbox started, <code>${escapeHtml(input.maskedToken)}</code>), then reload.</p>`
      : '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Logs · Converge webhook sandbox</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
<h1>Logs</h1>
<p class="summary" data-testid="summary">${escapeHtml(summary)}</p>
<form method="get" action="/logs">
<label>Event <select name="event_name"><option value="">All events</option>${options}</select></label>
<button type="submit">Filter</button>
<a href="/logs">Clear</a> · <a href="/api/events">JSON</a>
</form>
</header>
<main>
${empty}<ol class="events">
${rows}
</ol>
</main>
</body>
</html>
`;
  return { html, csp };
}

function renderEvent(record: EventRecord, text: string): string {
  const body = parseQuietly(text);
  const channel = channelOf(body);
  const codes = [...new Set(record.warnings.map((w) => w.code))];
  const warnings = record.warnings.length === 0 ? 'no warnings' : `${count(record.warnings.length, 'warning')}: ${codes.join(', ')}`;
  const received = new Date(record.receivedAt).toISOString();
  const warningList =
    record.warnings.length === 0
      ? ''
      : `<ul class="warning-list">${record.warnings
          .map((w) => `<li><code>${escapeHtml(w.code)}</code> <code>${escapeHtml(w.pointer || '(body)')}</code> ${escapeHtml(w.message)}</li>`)
          .join('')}</ul>`;
  return `<li class="event" data-id="${record.id}" data-event-id="${escapeHtml(record.eventId)}">
<details>
<summary>
<span class="name">${escapeHtml(record.eventName)}</span>
<span class="event-id">${escapeHtml(record.eventId)}</span>
<span class="channel${channel.fallback ? ' fallback' : ''}">${escapeHtml(channel.text)}</span>
<time datetime="${received}">${received.replace('T', ' ').replace('Z', ' UTC')}</time>
<span class="warnings${record.warnings.length > 0 ? ' has-warnings' : ''}">${escapeHtml(warnings)}</span>
</summary>
${warningList}<pre class="body">${escapeHtml(prettyJson(text, MAX_SHOWN_BODY_CHARS))}</pre>
</details>
</li>`;
}

/** The channel as the vendor reads it: `$sales_channel_type`, or web when absent or unknown. */
function channelOf(body: unknown): { text: string; fallback: boolean } {
  const properties = isObject(body) ? body.properties : undefined;
  const value = isObject(properties) ? properties.$sales_channel_type : undefined;
  if (value === undefined) return { text: 'web (default)', fallback: true };
  if (typeof value === 'string' && CHANNELS.has(value)) return { text: value, fallback: false };
  const shown = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return { text: `${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown} (unknown: web)`, fallback: true };
}

export interface ColumnsPageInput {
  /** The contract's title. */
  title: string;
  /** The contract's `logs.columns`. */
  columns: readonly LogsColumn[];
  /** The operations (kinds) for the filter, and the one chosen. */
  kinds: string[];
  /** The query parameter that filters on the kind (contract.yaml logs.filters); none: no kind filter. */
  kindFilter: string | undefined;
  kind: string | undefined;
  events: EventRecord[];
  bodyOf: (record: EventRecord) => string;
  matching: number;
  total: number;
  /** Where to send, secrets masked ("kind: POST url"). */
  endpoints: string[];
}

/** The Logs page of any contract: one column per `logs.columns` entry, the body under each row. */
export function renderColumnsPage(input: ColumnsPageInput): LogsPage {
  const nonce = randomBytes(16).toString('base64');
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
  const shown = input.events.length;
  const summary =
    input.total === 0
      ? 'Nothing received yet.'
      : `${count(input.matching, 'delivery').replace('deliverys', 'deliveries')}${input.kind === undefined ? '' : ` to ${q(input.kind)}`}` +
        `${shown < input.matching ? `, the newest ${shown} shown` : ''} (${count(input.total, 'delivery').replace('deliverys', 'deliveries')} stored).`;
  const options = input.kinds.map((kind) => `<option value="${escapeHtml(kind)}"${kind === input.kind ? ' selected' : ''}>${escapeHtml(kind)}</option>`).join('');
  const head = input.columns.map((c) => `<span role="columnheader">${escapeHtml(c.title)}</span>`).join('');
  const rows = input.events.map((record) => renderRow(input.columns, record, input.bodyOf(record))).join('\n');
  const empty =
    input.total === 0 ? `<p class="hint">Send to ${input.endpoints.map((e) => `<code>${escapeHtml(e)}</code>`).join(' or ')} (the URLs printed when the sandbox started), then reload.</p>` : '';
  // The kind filter's label: the title of the column that shows the kind.
  const kindTitle = input.columns.find((c) => c.value === 'kind')?.title ?? 'Kind';
  const grid = `summary,.columns{grid-template-columns:repeat(${input.columns.length},minmax(90px,1fr))}`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Logs · ${escapeHtml(input.title)} sandbox</title>
<style nonce="${nonce}">${STYLE}${grid}.columns{display:grid;gap:10px;padding:4px 11px;font-weight:600;color:#4a5361}.error-list{margin:0;padding:8px 10px 8px 28px;border-top:1px solid #e3e7eb;color:#a1262d}</style>
</head>
<body>
<header>
<h1>Logs</h1>
<p class="summary" data-testid="summary">${escapeHtml(summary)}</p>
<form method="get" action="/logs">
${input.kindFilter === undefined ? '' : `<label>${escapeHtml(kindTitle)} <select name="${escapeHtml(input.kindFilter)}"><option value="">All</option>${options}</select></label>\n`}<button type="submit">Filter</button>
<a href="/logs">Clear</a> · <a href="/api/events">JSON</a>
</form>
</header>
<main>
${empty}<div class="columns" role="row" data-testid="columns">${head}</div>
<ol class="events">
${rows}
</ol>
</main>
</body>
</html>
`;
  return { html, csp };
}

/** A column's text for one delivery: a record value, a body value, or the column's fallback pick. */
function cellOf(column: LogsColumn, record: EventRecord, body: unknown): string {
  if (column.value === 'received') return new Date(record.receivedAt).toISOString().replace('T', ' ').replace('Z', ' UTC');
  if (column.value === 'kind') return record.eventName;
  if (column.value === 'id') return record.eventId;
  if (column.value === 'warnings') {
    const codes = [...new Set(record.warnings.map((w) => w.code))];
    return record.warnings.length === 0 ? 'no warnings' : `${count(record.warnings.length, 'warning')}: ${codes.join(', ')}`;
  }
  if (column.value === 'violations') {
    const errors = record.violations ?? [];
    const parts = [errors, record.warnings].flatMap((list, i) =>
      list.length === 0 ? [] : [`${count(list.length, i === 0 ? 'error' : 'warning')}: ${[...new Set(list.map((v) => v.code))].join(', ')}`],
    );
    return parts.length === 0 ? 'none' : parts.join('; ');
  }
  let value = column.pointer === undefined ? undefined : valueAt(body, column.pointer);
  if ((value === undefined || value === null) && column.otherwise) value = pick(valueAt(body, column.otherwise.array), column.otherwise.pick, column.otherwise.field);
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * An item's field from an array, by a named rule: `first`, or `highest-<field>-else-first`
 * (the item with the largest numeric <field>, or the first when none has one).
 */
function pick(list: unknown, rule: string, field: string): unknown {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  let chosen: unknown = list[0];
  const by = /^highest-(.+)-else-first$/.exec(rule)?.[1];
  if (by !== undefined) {
    let best = -Infinity;
    for (const item of list) {
      const n = isObject(item) ? item[by] : undefined;
      if (typeof n === 'number' && n > best) {
        best = n;
        chosen = item;
      }
    }
  }
  return isObject(chosen) ? chosen[field] : undefined;
}

function renderRow(columns: readonly LogsColumn[], record: EventRecord, text: string): string {
  const body = parseQuietly(text);
  const cells = columns
    .map(
      (column) =>
        `<span class="cell" data-column="${escapeHtml(column.title)}"${(column.value === 'warnings' || column.value === 'violations') && record.warnings.length > 0 ? ' data-warnings="yes"' : ''}${column.value === 'violations' && (record.violations?.length ?? 0) > 0 ? ' data-errors="yes"' : ''}>${escapeHtml(cellOf(column, record, body))}</span>`,
    )
    .join('\n');
  const errors = record.violations ?? [];
  const errorList =
    errors.length === 0
      ? ''
      : `<ul class="error-list">${errors
          .map((v) => `<li><code>${escapeHtml(v.code)}</code> <code>${escapeHtml('pointer' in v ? v.pointer || '(body)' : `${v.in} ${v.name}`)}</code> ${escapeHtml(v.message)}</li>`)
          .join('')}</ul>`;
  const warningList =
    record.warnings.length === 0
      ? ''
      : `<ul class="warning-list">${record.warnings
          .map((w) => `<li><code>${escapeHtml(w.code)}</code> <code>${escapeHtml(w.pointer || '(body)')}</code> ${escapeHtml(w.message)}</li>`)
          .join('')}</ul>`;
  return `<li class="event" data-id="${record.id}" data-kind="${escapeHtml(record.eventName)}">
<details>
<summary>
${cells}
</summary>
${errorList}${warningList}<pre class="body">${escapeHtml(text === 'null' ? '(no body)' : prettyJson(text, MAX_SHOWN_BODY_CHARS))}</pre>
</details>
</li>`;
}

/**
 * Re-indents JSON text without parsing it into values, so the body shows exactly as sent
 * (big numbers, duplicate keys); iterative, so any depth is fine; cut at `maxChars`.
 */
export function prettyJson(text: string, maxChars: number): string {
  const out: string[] = [];
  let length = 0;
  let depth = 0;
  let i = 0;
  const push = (s: string) => {
    out.push(s);
    length += s.length;
  };
  const newline = () => push(`\n${'  '.repeat(Math.max(0, Math.min(depth, 40)))}`);
  while (i < text.length && length < maxChars) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      push(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
      continue;
    }
    if (c === '{' || c === '[') {
      let j = i + 1;
      while (j < text.length && ' \t\n\r'.includes(text[j]!)) j += 1;
      if (text[j] === (c === '{' ? '}' : ']')) {
        push(c === '{' ? '{}' : '[]');
        i = j + 1;
        continue;
      }
      push(c);
      depth += 1;
      newline();
    } else if (c === '}' || c === ']') {
      depth -= 1;
      newline();
      push(c);
    } else if (c === ',') {
      push(',');
      newline();
    } else if (c === ':') {
      push(': ');
    } else {
      let j = i;
      while (j < text.length && !' \t\n\r,:{}[]"'.includes(text[j]!)) j += 1;
      push(text.slice(i, j));
      i = j;
      continue;
    }
    i += 1;
  }
  const pretty = out.join('');
  return pretty.length > maxChars || i < text.length
    ? `${pretty.slice(0, maxChars)}\n… (cut at ${maxChars} characters: the whole body is at /api/events)`
    : pretty;
}

function parseQuietly(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function q(text: string): string {
  return `"${text}"`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #d8dde3}
h1{font-size:20px;margin:0 0 4px}
.summary{margin:0 0 8px;color:#4a5361}
main{padding:12px 20px}
.hint{background:#fff;border:1px solid #d8dde3;padding:10px}
ol.events{list-style:none;margin:0;padding:0}
li.event{background:#fff;border:1px solid #d8dde3;border-radius:4px;margin:0 0 6px}
summary{display:grid;grid-template-columns:minmax(140px,1.4fr) minmax(120px,1.2fr) minmax(110px,.9fr) 200px minmax(120px,1.2fr);gap:10px;padding:8px 10px;cursor:pointer;overflow-wrap:anywhere}
.name{font-weight:600}
.event-id,time{font-family:ui-monospace,monospace;font-size:12px}
.channel.fallback{color:#6b7480}
.has-warnings{color:#9a5b00}
pre.body{margin:0;padding:10px;border-top:1px solid #e3e7eb;background:#fbfcfd;overflow:auto;max-height:70vh;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.warning-list{margin:0;padding:8px 10px 8px 28px;border-top:1px solid #e3e7eb;color:#9a5b00}
`;
