/** What every command of the CLI shares: usage errors and strict argument parsing. */
import { parseArgs } from 'node:util';

/** A mistake in how the command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** A check that ran and failed: printed without a stack trace, exit code 1. */
export class CheckFailed extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

export interface ParsedCommand<T extends Record<string, OptionSpec>> {
  values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K]['multiple'] extends true ? string[] : string } & { help?: boolean };
  positionals: string[];
}

export function parseCommandArgs<T extends Record<string, OptionSpec>>(argv: string[], options: T): ParsedCommand<T> {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return parsed as unknown as ParsedCommand<T>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
  }
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
