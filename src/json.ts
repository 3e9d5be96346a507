/** JSON parsing that says where a text stops being JSON, as a line and a column. */

export type ParseResult = { ok: true; value: unknown } | { ok: false; line: number; column: number; reason: string };

export function parseJson(text: string): ParseResult {
  // A UTF-8 byte order mark is not JSON, but editors write one; it is skipped.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const match = /at position (\d+)/.exec(message);
    const offset = match ? Number(match[1]) : body.length;
    const before = body.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    // Drop V8's own position and the quoted excerpt; we say where ourselves.
    const reason = message
      .replace(/\s*in JSON at position \d+.*$/s, '')
      .replace(/,\s*".*" is not valid JSON$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
    return { ok: false, line, column, reason: body.trim() === '' ? 'empty input' : reason };
  }
}
