/**
 * GET /logs: the sandbox's version of the vendor's Logs tab, one HTML page, no script.
 * Every value that comes from an event goes through escapeHtml; the page is served with a
 * Content-Security-Policy that allows no script at all, so even a missed escape could not run one.
 */
import { randomBytes } from 'node:crypto';

import type { LogsColumn } from '../contract-runtime.js';
import { valueAt } from '../engine/values.js';
import type { EventRecord } from './store.js';

/** How much of one body the page shows; the whole body is at /api/events. */
export const MAX_SHOWN_BODY_CHARS = 64 * 1024;

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

export interface ColumnsPageInput {
  /** The contract's title. */
  title: string;
  /** The contract's `logs.columns`. */
  columns: readonly LogsColumn[];
  /** What one delivery and several are called (contract.yaml logs.noun). */
  noun: { one: string; other: string };
  /**
   * The select of the page (contract.yaml logs.filters): the query parameter, what it filters
   * (kind: the operation; name: events.name), the values offered, the one chosen; none: no select.
   */
  select: { parameter: string; on: 'kind' | 'name'; values: string[] } | undefined;
  /** The value filtered on (kind or name), when one is. */
  chosen: string | undefined;
  events: EventRecord[];
  bodyOf: (record: EventRecord) => string;
  matching: number;
  total: number;
  /** Where to send, secrets masked ("kind: POST url", or "POST url" for a contract of one operation). */
  endpoints: string[];
  /** How to present the secret (the auth's hint), when the URL does not carry it. */
  hint?: string;
}

/** The Logs page of any contract: one column per `logs.columns` entry, the body under each row. */
export function renderColumnsPage(input: ColumnsPageInput): LogsPage {
  const nonce = randomBytes(16).toString('base64');
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
  const shown = input.events.length;
  const many = (n: number) => `${n} ${n === 1 ? input.noun.one : input.noun.other}`;
  const select = input.select;
  const summary =
    input.total === 0
      ? 'Nothing received yet.'
      : `${many(input.matching)}${input.chosen === undefined ? '' : ` ${select?.on === 'name' ? 'named' : 'to'} ${q(input.chosen)}`}` +
        `${shown < input.matching ? `, the newest ${shown} shown` : ''} (${many(input.total)} stored).`;
  const options = (select?.values ?? []).map((v) => `<option value="${escapeHtml(v)}"${v === input.chosen ? ' selected' : ''}>${escapeHtml(v)}</option>`).join('');
  const head = input.columns.map((c) => `<span role="columnheader">${escapeHtml(c.title)}</span>`).join('');
  const rows = input.events.map((record) => renderRow(input.columns, record, input.bodyOf(record))).join('\n');
  const empty =
    input.total === 0
      ? `<p class="hint">Send to ${input.endpoints.map((e) => `<code>${escapeHtml(e)}</code>`).join(' or ')} ${escapeHtml(input.hint ?? '(the URLs printed when the sandbox started)')}, then reload.</p>`
      : '';
  // The select's label: the title of the column that shows what it filters.
  const label = input.columns.find((c) => c.value === select?.on)?.title ?? (select?.on === 'name' ? 'Name' : 'Kind');
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
${select === undefined ? '' : `<label>${escapeHtml(label)} <select name="${escapeHtml(select.parameter)}"><option value="">All</option>${options}</select></label>\n`}<button type="submit">Filter</button>
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

/**
 * A column's text for one delivery: a record value, a body value, or the column's fallback pick;
 * `fallback` when the column's default stands for an absent or unknown value.
 */
function cellOf(column: LogsColumn, record: EventRecord, body: unknown): { text: string; fallback?: boolean } {
  const cell = rawCell(column, record, body);
  return typeof cell === 'string' ? { text: cell } : cell;
}

function rawCell(column: LogsColumn, record: EventRecord, body: unknown): string | { text: string; fallback: boolean } {
  if (column.value === 'received') return new Date(record.receivedAt).toISOString().replace('T', ' ').replace('Z', ' UTC');
  if (column.value === 'kind' || column.value === 'name') return record.eventName;
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
  if (column.default !== undefined && value === undefined) return { text: `${column.default} (default)`, fallback: true };
  // A null is a value too where the column knows its values (it is not one of them).
  if (value === undefined || (value === null && !Array.isArray(column.enum))) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (column.default !== undefined && Array.isArray(column.enum) && !(typeof value === 'string' && column.enum.includes(value))) {
    // Cut shorter, so that the default still shows after it.
    return { text: `${text.length > 40 ? `${text.slice(0, 37)}...` : text} (unknown: ${column.default})`, fallback: true };
  }
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
  const attributes: string[] = [];
  const cells = columns
    .map((column) => {
      const cell = cellOf(column, record, body);
      if (column.attribute !== undefined) attributes.push(` data-${column.attribute}="${escapeHtml(cell.text)}"`);
      const flags =
        `${(column.value === 'warnings' || column.value === 'violations') && record.warnings.length > 0 ? ' data-warnings="yes"' : ''}` +
        `${column.value === 'violations' && (record.violations?.length ?? 0) > 0 ? ' data-errors="yes"' : ''}`;
      const classes = `cell${column.class === undefined ? '' : ` ${column.class}`}${cell.fallback ? ' fallback' : ''}${column.value === 'warnings' && record.warnings.length > 0 ? ' has-warnings' : ''}`;
      // The time of receipt is a <time>, its machine-readable value in datetime.
      if (column.value === 'received') {
        return `<time class="${classes}" data-column="${escapeHtml(column.title)}" datetime="${new Date(record.receivedAt).toISOString()}">${escapeHtml(cell.text)}</time>`;
      }
      return `<span class="${classes}" data-column="${escapeHtml(column.title)}"${flags}>${escapeHtml(cell.text)}</span>`;
    })
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
  return `<li class="event" data-id="${record.id}" data-kind="${escapeHtml(record.eventName)}"${attributes.join('')}>
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
.fallback{color:#6b7480}
.has-warnings{color:#9a5b00}
pre.body{margin:0;padding:10px;border-top:1px solid #e3e7eb;background:#fbfcfd;overflow:auto;max-height:70vh;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.warning-list{margin:0;padding:8px 10px 8px 28px;border-top:1px solid #e3e7eb;color:#9a5b00}
`;
