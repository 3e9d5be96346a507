/** What every command of the CLI shares: usage errors and strict argument parsing. */
import { parseArgs } from 'node:util';

import { formulaNames, type DigestFormula } from './hash/query-digest.js';

/** A mistake in how the command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** A check that ran and failed: printed without a stack trace, exit code 1. */
export class CheckFailed extends Error {}

/** Something the command cannot do yet (a contract it does not serve): one line, exit code 2, no usage hint. */
export class NotSupported extends Error {}

/** An input the command cannot work on (a document that is not JSON, YAML or OpenAPI 3.1): one line, exit code 2, no usage hint. */
export class UnusableInput extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

export interface ParsedCommand<T extends Record<string, OptionSpec>> {
  values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K]['multiple'] extends true ? string[] : string } & { help?: boolean };
  positionals: string[];
}

/** "accountCode" -> "account-code": a name of a contract's data (a query parameter, a formula's input) as the commands' options spell it. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A --host that names no address of this machine (listen's EADDRNOTAVAIL, a name that does not resolve), as a usage error; undefined for any other error. */
export function hostError(error: unknown, host: string): UsageError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'EADDRNOTAVAIL' && code !== 'ENOTFOUND') return undefined;
  return new UsageError(`--host: expected an address of this machine such as 127.0.0.1, found "${host}" (${code})`);
}

/**
 * What `--token` means to a contract whose auth takes none, for its "Unknown option" message:
 * where its secret is instead. `secretOptions`: the options that set the secrets (the sandbox's);
 * without them, where a sender puts the secret (`path`: the operation's URL template).
 * Undefined for a header-token auth, which takes --token.
 */
export function noTokenHint(auth: { type: string; parameter?: string; formula?: unknown }, path: string, secretOptions?: readonly string[]): string | undefined {
  if (auth.type === 'header-token') return undefined;
  if (secretOptions && secretOptions.length > 0) return `this contract takes no token: its secrets are ${secretOptions.map((o) => `--${o}`).join(' and ')} (auth ${auth.type})`;
  if (auth.type === 'path-secret') return `this contract takes no token: the ${auth.parameter} in the URL is the secret (auth ${auth.type}); give the receiver's full URL, --url ending in ${path}`;
  const values = auth.type === 'query-md5' && auth.formula ? formulaNames(auth.formula as DigestFormula) : [];
  if (values.length > 0) return `this contract takes no token: the secret is computed from ${values.map((n) => `--${kebabCase(n)}`).join(' and ')} (auth ${auth.type})`;
  return `this contract takes no token (auth ${auth.type})`;
}

/**
 * The command's options, strictly. `hints`: for an option the command does not take but a user
 * may well give (a --token to a contract without one), what to say instead of a guess.
 */
export function parseCommandArgs<T extends Record<string, OptionSpec>>(argv: string[], options: T, hints: Readonly<Record<string, string | undefined>> = {}): ParsedCommand<T> {
  const known: Record<string, OptionSpec> = { ...options, help: { type: 'boolean', short: 'h' } };
  // A lenient pass first, to name a mistyped option's likely meaning: the strict pass only says "unknown".
  const { tokens } = parseArgs({ args: argv, options: known, allowPositionals: true, strict: false, tokens: true });
  const args = [...argv];
  const consumed = new Set<number>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    // A string option at the end of the line, with nothing after it.
    if (Object.hasOwn(known, token.name) && known[token.name]!.type === 'string' && token.value === undefined) {
      throw new UsageError(`${token.rawName}: expected a value, found nothing`);
    }
    if (!Object.hasOwn(known, token.name)) {
      const hint = token.rawName.startsWith('--') && Object.hasOwn(hints, token.name) ? hints[token.name] : undefined;
      if (hint !== undefined) throw new UsageError(`Unknown option '${token.rawName}': ${hint}`);
      const guess = token.rawName.startsWith('--') ? closest(token.name, Object.keys(known)) : undefined;
      throw new UsageError(`Unknown option '${token.rawName}'${guess ? `; did you mean --${guess}?` : ''}`);
    }
    // "--cases -5": a negative number is the option's value, for the option's own check to judge;
    // any other value that starts with "-" is more likely a forgotten value than a value.
    if (token.value?.startsWith('-') && !token.inlineValue) {
      if (!/^-\d/.test(token.value)) {
        throw new UsageError(`${token.rawName}: expected a value, found the option "${token.value}" (if that is the value, write ${token.rawName}=${token.value})`);
      }
      args[token.index] = `${token.rawName}=${token.value}`;
      consumed.add(token.index + 1);
    }
  }
  try {
    const parsed = parseArgs({ args: args.filter((_, i) => !consumed.has(i)), options: known, allowPositionals: true, strict: true });
    return parsed as unknown as ParsedCommand<T>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
  }
}

/**
 * The candidate a mistyped word most likely meant, or undefined: one within a third of its
 * length in edits (at least one), or one that starts with the other ("--skip" for
 * "--skip-wrong-token"). Edits are insertions, deletions, substitutions and swaps of
 * neighbours, the usual typos.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate);
    const near = distance <= Math.max(1, Math.floor(candidate.length / 3)) || (word.length >= 3 && (candidate.startsWith(word) || word.startsWith(candidate)));
    if (near && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** Parses a --port value: an integer from 0 (any free port) to 65535. */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port: expected an integer from 0 to 65535, found "${value}"`);
  return port;
}

/** Parses a --host value: any non-empty address; default loopback. */
export function parseHost(value: string | undefined): string {
  if (value === undefined) return '127.0.0.1';
  if (value.trim() === '') throw new UsageError('--host: expected an address such as 127.0.0.1, found an empty string');
  return value;
}

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Listens for Ctrl-C, SIGTERM and SIGHUP from the moment it is called, so that a signal that
 * arrives while a server is still starting is not lost: `wait()` then resolves at once.
 */
export function listenForStop() {
  let received: NodeJS.Signals | undefined;
  let wake = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    received ??= signal;
    wake();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    get signal(): NodeJS.Signals | undefined {
      return received;
    },
    wait(): Promise<NodeJS.Signals> {
      return new Promise((resolve) => {
        wake = () => resolve(received!);
        if (received) resolve(received);
      });
    },
    dispose(): void {
      for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
    },
  };
}
