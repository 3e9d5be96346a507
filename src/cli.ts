#!/usr/bin/env node
/**
 * converge-webhook: the command line of converge-webhook-contract.
 * Exit codes: 0 success, 1 a check failed (invalid input, failed contract test), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CheckFailed, closest, NotSupported, parseCommandArgs as parse, UnusableInput, UsageError } from './cli-support.js';
import { EndpointUrlError } from './endpoint.js';
import { readInput, violationLines, webhookHint } from './input.js';
import type { BodyValidateOptions, BodyValidationResult, Violation } from './library.js';
import { findContract, readRegistry, type Registry } from './registry.js';
import { AUTH_TYPES } from './sandbox/auth/registry.js';
import { packageRoot } from './verify/verify.js';

/** usage's facts from the default contract's descriptor: the variable that stands for --token (contract.yaml `env`). */
async function usageFacts(registry: Registry): Promise<{ tokenVariable: string | undefined }> {
  // Loaded for the help only: validate does not pay for the YAML parser.
  const { envFor, readDescriptor } = await import('./contract-runtime.js');
  return { tokenVariable: envFor(readDescriptor(findContract(registry, undefined)), '--token')?.name };
}

function usage(registry: Registry, { tokenVariable }: { tokenVariable: string | undefined }): string {
  return `Usage: converge-webhook <command> [options]

Commands:
  validate [--contract ID] [--strict] [--json] <file|->...
                                             Check bodies (files or stdin) against a contract
  mock [--contract ID] [--port 4010] [--host H] [--quiet]
                                             Run the Prism mock of the endpoint (npm start)
  sandbox [--contract ID] [--port 4011] [--host H] [--token T] [--data DIR | --memory] [--fsync] [--quiet] [--json]
                                             Run the stateful reference implementation
  verify --url URL [--contract ID] [--token T] [--junit FILE] [--json] [--skip-wrong-token] [--cases N] [--seed N]
                                             Contract-test an implementation of the endpoint
  send [--contract ID] --url URL --token T [--no-validate] [--strict] [--json] <file|->
                                             Post one event and print the answer
                                             (${tokenVariable === undefined ? '' : `--token may come from ${tokenVariable};
                                             `}the other contracts' options: send --contract ID --help)
  diff <old> [<new>] [--contract ID] [--json] [--strict]
                                             Compare two OpenAPI documents: whom each change breaks
  docs [--contract ID] [--open] [--serve] [--port P] [--json]
                                             Print (open, serve) a contract's reference page
  help                                       Show this help
  --version                                  Print the package's version and each contract's

Contracts (--contract ID, default ${registry.default}): ${registry.contracts.map((c) => c.id).join(', ')}.
sandbox serves ${registry.contracts.filter((c) => Object.hasOwn(AUTH_TYPES, c.auth)).map((c) => c.id).join(', ')}; send serves every contract; mock serves the
inbound ones (${registry.contracts.filter((c) => c.direction === 'inbound').map((c) => c.id).join(', ')}: an outbound contract's mock is send and verify); verify serves every contract.

Run "npx converge-webhook <command> --help" for a command's options.
Exit codes: 0 ok, 1 a check failed, 2 usage error.`;
}

function validateUsage(registry: Registry): string {
  const lines = registry.contracts.map((c) => `    ${c.id.padEnd(12)} ${c.mediaTypes.join(', ')}; webhooks: ${c.operations.filter((o) => o.levels).map((o) => `${o.id}${o.default ? ' (default)' : ''}`).join(', ')}`);
  return `Usage: converge-webhook validate [--contract ID] [--content-type TYPE] [--webhook NAME] [--strict] [--json] <file|->...

Checks each body file (or standard input, "-") against a contract, as its receiver would.
  --contract ID        ${registry.contracts.map((c) => c.id).join(', ')} (default ${registry.default})
  --content-type TYPE  the Content-Type the bodies come with (default: the contract's first media type);
                       one the contract does not accept is judged as its receiver would judge it
  --webhook NAME       the webhook (the kind of notification) the bodies are for (default: the contract's default)
  --query NAME=VALUE   a query parameter of the request, for the rules that compare the body with one (repeatable)
  --strict             treat warnings as errors (the recommendations, such as a body over the size limit)
  --json               print a JSON array of {file, valid, errors, warnings} instead of text

Contracts, their media types and webhooks:
${lines.join('\n')}

Exit codes: 0 every input is valid (warnings allowed), 1 an input is invalid, 2 usage error.`;
}

/** What the CLI uses of a contract's library entry (generated/<id>/index.ts). */
interface ContractEntry {
  validateBody(body: Uint8Array, options: BodyValidateOptions): BodyValidationResult;
  OPERATIONS: readonly string[];
  MEDIA_TYPES: readonly string[];
}

/** A contract's library entry, loaded by id (only the chosen contract's code is loaded). */
async function loadEntry(id: string): Promise<ContractEntry> {
  return (await import(`../generated/${id}/index.js`)) as ContractEntry;
}

/** A value that must be one of a list: a usage error naming the list, and the likely one. */
function oneOf(option: string, value: string, list: readonly string[], what: string): string {
  if (list.includes(value)) return value;
  const guess = closest(value, list);
  throw new UsageError(`${option}: expected ${what} (${list.join(', ')}), found "${value}"${guess ? `; did you mean ${guess}?` : ''}`);
}

const COMMANDS = ['validate', 'mock', 'sandbox', 'verify', 'send', 'diff', 'docs', 'help', '--version'];

interface FileResult {
  file: string;
  valid: boolean;
  errors: Violation[];
  warnings: Violation[];
}

function formatHuman(results: Array<FileResult & { hint?: string }>): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const result of results) {
    lines.push(`${result.valid ? 'valid  ' : 'INVALID'}  ${result.file}`, ...violationLines(result), ...(result.hint === undefined ? [] : [`  hint: ${result.hint}`]));
    errors += result.errors.length;
    warnings += result.warnings.length;
  }
  const invalid = results.filter((r) => !r.valid).length;
  const files = `${results.length} file${results.length === 1 ? '' : 's'}`;
  lines.push('', `${files}: ${results.length - invalid} valid, ${invalid} invalid (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`);
  return lines.join('\n');
}

async function commandValidate(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    contract: { type: 'string' },
    'content-type': { type: 'string' },
    webhook: { type: 'string' },
    query: { type: 'string', multiple: true },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const registry = readRegistry();
  if (values.help) {
    console.log(validateUsage(registry));
    return 0;
  }
  const contract = findContract(registry, values.contract);
  const entry = await loadEntry(contract.id);
  // Any media type: one the contract does not accept is judged as its receiver judges it.
  const contentType = values['content-type'];
  if (contentType !== undefined && !/^[\w.+-]+\/[\w.+-]+\s*(;.*)?$/.test(contentType)) {
    throw new UsageError(`--content-type: expected a media type such as ${entry.MEDIA_TYPES.join(' or ')}, found "${contentType}"`);
  }
  if (contentType !== undefined) {
    // A contract whose receiver checks the media type on the headers (contract.yaml
    // unsupportedMediaType.stage: headers, JSON only) refuses the request before any body rule:
    // there is no body verdict to give, so say the refusal (the sandbox's own check decides).
    const { readDescriptor } = await import('./contract-runtime.js');
    const refused = readDescriptor(contract).unsupportedMediaType;
    if (refused?.stage === 'headers') {
      const { checkJsonContentType } = await import('./sandbox/http.js');
      if (!checkJsonContentType(contentType).ok) {
        throw new UsageError(
          `--content-type: expected application/json (with no charset, or charset=utf-8), found "${contentType}": a ${contract.id} receiver refuses it from the headers${refused.status === undefined ? '' : ` (the sandbox answers ${refused.status})`}, before reading the body, so there is nothing to validate`,
        );
      }
    }
  }
  const bodiless = contract.operations.filter((o) => !o.levels).map((o) => o.id);
  if (values.webhook !== undefined && bodiless.includes(values.webhook)) throw new UsageError(`--webhook: ${values.webhook} reads no body, so there is nothing to validate (bodies: ${entry.OPERATIONS.join(', ')})`);
  const operation = values.webhook === undefined ? undefined : oneOf('--webhook', values.webhook, entry.OPERATIONS, `a webhook of the ${contract.id} contract that takes a body`);
  const query: Record<string, string> = {};
  for (const pair of values.query ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--query: expected NAME=VALUE, found "${pair}"`);
    query[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (positionals.length === 0) throw new UsageError('validate needs at least one file, or "-" for standard input');
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('standard input ("-") can be read only once');
  // Read everything first: an unreadable file is a usage error, and nothing is half-reported.
  const inputs = positionals.map((file) => ({ file, bytes: readInput(file) }));
  const options: BodyValidateOptions = {
    strict: Boolean(values.strict),
    ...(contentType !== undefined ? { contentType } : {}),
    ...(operation !== undefined ? { operation } : {}),
    ...(values.query ? { parameters: { query } } : {}),
  };
  // Judged for the default webhook (none named): the one the body fits better, as send says it.
  const current = operation ?? contract.operations.find((o) => o.default && o.levels)?.id ?? entry.OPERATIONS[0]!;
  const judge = (webhook: string, body: Uint8Array) => entry.validateBody(body, { ...options, operation: webhook });
  const results: FileResult[] = [];
  const hints: Array<string | undefined> = [];
  for (const { file, bytes } of inputs) {
    const body = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const { valid, errors, warnings } = entry.validateBody(body, options);
    results.push({ file, valid, errors, warnings });
    hints.push(operation !== undefined ? undefined : webhookHint({ result: { valid, errors, warnings }, body, contentType: contentType ?? entry.MEDIA_TYPES[0]!, current, webhooks: entry.OPERATIONS, judge }));
  }
  console.log(values.json ? JSON.stringify(results, null, 2) : formatHuman(results.map((r, i) => ({ ...r, ...(hints[i] === undefined ? {} : { hint: hints[i] }) }))));
  return results.every((r) => r.valid) ? 0 : 1;
}

/** The package's version and each contract's (its OpenAPI document's info.version). */
function versions(registry: Registry): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const width = Math.max(...registry.contracts.map((c) => c.id.length));
  return [
    `converge-webhook-contract ${version}`,
    ...registry.contracts.map((c) => `  ${c.id.padEnd(width)}  ${c.version}  ${c.title}${c.id === registry.default ? ' (default)' : ''}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return await commandValidate(rest);
      case '--version':
        console.log(versions(readRegistry()));
        return 0;
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
      case '-h': {
        const registry = readRegistry();
        console.log(usage(registry, await usageFacts(registry)));
        return command === undefined ? 2 : 0;
      }
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
    if (error instanceof NotSupported || error instanceof UnusableInput) {
      console.error(`converge-webhook: ${error.message}`);
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
