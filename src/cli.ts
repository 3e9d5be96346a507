#!/usr/bin/env node
/**
 * converge-webhook: the command line of converge-webhook-contract.
 * Exit codes: 0 success, 1 a check failed (invalid input, failed contract test), 2 usage error.
 */
import { CheckFailed, closest, parseCommandArgs as parse, UsageError } from './cli-support.js';
import { EndpointUrlError } from './endpoint.js';
import { readInput, violationLines } from './input.js';
import { validateBody, type Violation } from './validate.js';

const USAGE = `Usage: converge-webhook <command> [options]

Commands:
  validate [--strict] [--json] <file|->...   Check event files (or stdin) against the contract
  mock [--port 4010] [--host H] [--quiet]    Run the Prism mock of the endpoint (npm start)
  sandbox [--port 4011] [--host H] [--token T] [--data DIR | --memory] [--fsync] [--quiet] [--json]
                                             Run the stateful reference implementation
  verify --url URL [--token T] [--junit FILE] [--json] [--skip-wrong-token] [--cases N] [--seed N]
                                             Contract-test an implementation of the endpoint
  send --url URL --token T [--no-validate] [--strict] [--json] <file|->
                                             Post one event and print the answer
                                             (--token may come from CONVERGE_WEBHOOK_TOKEN)
  diff <old> [<new>] [--contract ID] [--json] [--strict]
                                             Compare two OpenAPI documents: whom each change breaks
  docs [--contract ID] [--open] [--serve] [--port P] [--json]
                                             Print (open, serve) a contract's reference page
  help                                       Show this help

Run "npx converge-webhook <command> --help" for a command's options.
Exit codes: 0 ok, 1 a check failed, 2 usage error.`;

const VALIDATE_USAGE = `Usage: converge-webhook validate [--strict] [--json] <file|->...

Checks each JSON file (or standard input, "-") against the Converge webhook contract.
  --strict   treat warnings as errors (Event Spec, timestamp form, a body over 1 MiB)
  --json     print a JSON array of {file, valid, errors, warnings} instead of text

Exit codes: 0 every input is valid (warnings allowed), 1 an input is invalid, 2 usage error.`;

const COMMANDS = ['validate', 'mock', 'sandbox', 'verify', 'send', 'diff', 'docs', 'help'];

interface FileResult {
  file: string;
  valid: boolean;
  errors: Violation[];
  warnings: Violation[];
}

function formatHuman(results: FileResult[]): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const result of results) {
    lines.push(`${result.valid ? 'valid  ' : 'INVALID'}  ${result.file}`, ...violationLines(result));
    errors += result.errors.length;
    warnings += result.warnings.length;
  }
  const invalid = results.filter((r) => !r.valid).length;
  const files = `${results.length} file${results.length === 1 ? '' : 's'}`;
  lines.push('', `${files}: ${results.length - invalid} valid, ${invalid} invalid (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`);
  return lines.join('\n');
}

function commandValidate(argv: string[]): number {
  const { values, positionals } = parse(argv, { strict: { type: 'boolean' }, json: { type: 'boolean' } });
  if (values.help) {
    console.log(VALIDATE_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('validate needs at least one file, or "-" for standard input');
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('standard input ("-") can be read only once');
  // Read everything first: an unreadable file is a usage error, and nothing is half-reported.
  const inputs = positionals.map((file) => ({ file, bytes: readInput(file) }));
  const results: FileResult[] = inputs.map(({ file, bytes }) => {
    const { valid, errors, warnings } = validateBody(bytes, { strict: Boolean(values.strict) });
    return { file, valid, errors, warnings };
  });
  console.log(values.json ? JSON.stringify(results, null, 2) : formatHuman(results));
  return results.every((r) => r.valid) ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return commandValidate(rest);
      // The other commands load their tools (Prism, Dredd, ...) only when they run.
      case 'mock':
      case 'sandbox':
      case 'verify':
      case 'send':
      case 'diff':
      case 'docs': {
        const module = (await import(`./commands/${command}.js`)) as { run(argv: string[]): Promise<number> };
        return await module.run(rest);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default: {
        const guess = closest(command, COMMANDS);
        throw new UsageError(`unknown command "${command}"${guess ? `; did you mean ${guess}?` : ''}`);
      }
    }
  } catch (error) {
    // A --url that names no endpoint is a usage mistake in every command.
    if (error instanceof UsageError || error instanceof EndpointUrlError) {
      console.error(`converge-webhook: ${error.message}\nRun "npx converge-webhook help" for usage.`);
      return 2;
    }
    if (error instanceof CheckFailed) {
      console.error(`converge-webhook: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug of ours, not a user mistake: say so plainly, with the stack for the report.
    console.error(`converge-webhook: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 3;
  },
);
