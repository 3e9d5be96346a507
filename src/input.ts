/** Event files as the CLI reads them (`validate`, `send`): read, decode, parse, validate, report. */
import { readFileSync } from 'node:fs';

import { UsageError } from './cli-support.js';
import type { ValidationResult } from './library.js';

/** The bytes of a file, or of standard input for "-"; an unreadable one is a usage error. */
export function readInput(file: string): Buffer {
  try {
    return file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${why}`);
  }
}

/** One line per violation: level, pointer, code, message (what was expected, what was found). */
export function violationLines(result: ValidationResult): string[] {
  const lines: string[] = [];
  for (const [level, list] of [['error', result.errors], ['warning', result.warnings]] as const) {
    for (const v of list) lines.push(`  ${level.padEnd(7)}  ${(v.pointer || '(body)').padEnd(28)}  ${v.code.padEnd(26)}  ${v.message}`);
  }
  return lines;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The webhook a body most likely meant, when the one it was judged for (the default: the user
 * chose none) finds fault with it and another takes it valid with fewer faults; the sentence
 * (without a "hint: " prefix), or undefined. A webhook that takes any object (an empty one
 * included, with no fault) says nothing about the body: it is never the one named.
 */
export function webhookHint(options: {
  result: ValidationResult;
  body: Uint8Array;
  contentType: string;
  /** The webhook the body was judged for. */
  current: string;
  /** Every webhook of the contract that reads a body. */
  webhooks: readonly string[];
  judge: (webhook: string, body: Uint8Array) => ValidationResult;
}): string | undefined {
  const { result, body, contentType, current, judge } = options;
  const faults = (r: ValidationResult) => r.errors.length + r.warnings.length;
  if (faults(result) === 0) return undefined;
  const empty = new TextEncoder().encode(contentType.split(';')[0]!.trim().toLowerCase() === FORM_TYPE ? '' : '{}');
  const others = options.webhooks
    .filter((id) => id !== current && faults(judge(id, empty)) > 0)
    .map((id) => ({ id, result: judge(id, body) }))
    .filter((o) => o.result.valid && faults(o.result) < faults(result));
  if (others.length === 0) return undefined;
  const fewest = Math.min(...others.map((o) => faults(o.result)));
  const fits = others.filter((o) => faults(o.result) === fewest).map((o) => o.id);
  const count = (n: number) => (n === 0 ? 'no warnings' : `${n} warning${n === 1 ? '' : 's'}`);
  const errors = result.errors.length;
  const here = errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}${result.warnings.length > 0 ? ` and ${count(result.warnings.length)}` : ''}` : count(result.warnings.length);
  const as = fits.length === 1 ? `a ${fits[0]} delivery` : `a delivery of ${fits.join(' or ')}`;
  return `as ${as} it is valid with ${count(fewest)} (here, for the ${current} webhook: ${here}): did you mean --webhook ${fits[0]}${fits.length === 1 ? '' : ` (or ${fits.slice(1).join(', ')})`}?`;
}
