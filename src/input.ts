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
