/** Plain-text tables for the terminal (and for pasting into the README as a code block). */

export type Cell = string | number | undefined;

export function formatTable(title: string, headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === undefined ? '-' : String(cell))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => row[i]?.length ?? 0)));
  // First column left-aligned (names), the others right-aligned (numbers).
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [title, line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

/** A number with a sensible number of significant digits and thousands separators. */
export function num(value: number | undefined, digits = 3): string | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs === 0) return '0';
  return value.toPrecision(digits);
}

export function ratio(value: number | undefined): string | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}x`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
