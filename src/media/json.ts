/**
 * application/json: UTF-8 text (RFC 8259), parsed with JSON.parse. On failure the message says
 * where: the byte offset of the first byte that is not UTF-8, or the line and column of the
 * first character that is not JSON (src/json.ts, which runs only on the error path).
 */
import { decodeUtf8, describeJsonError, describeUtf8Error, parseJson } from '../json.js';
import type { MediaType } from './types.js';

export const json: MediaType = {
  type: 'application/json',
  strictSyntax: true,
  claims(text) {
    const start = text.search(/\S/);
    return start >= 0 && (text[start] === '{' || text[start] === '[');
  },
  text(bytes) {
    const decoded = decodeUtf8(bytes);
    return decoded.ok ? { ok: true, text: decoded.text } : { ok: false, error: { problem: 'invalid-json', pointer: '', message: describeUtf8Error(decoded.offset) } };
  },
  decode(text) {
    const parsed = parseJson(text);
    return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, errors: [{ problem: 'invalid-json', pointer: '', message: describeJsonError(parsed) }] };
  },
};
