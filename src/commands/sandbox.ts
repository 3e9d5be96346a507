/** `converge-webhook sandbox`: the stateful reference implementation of the endpoint, on the terminal. */
import { randomBytes } from 'node:crypto';
import { join, relative, resolve } from 'node:path';

import { readFileSync } from 'node:fs';

import { hostError, listenForStop, noTokenHint, parseCommandArgs, parseHost, parsePort, UsageError, type OptionSpec } from '../cli-support.js';
import { envFor, loadContractRuntime, type ContractRuntime, type RuntimeOperation, type SandboxOption } from '../contract-runtime.js';
import { findContract, readRegistry } from '../registry.js';
import { AUTH_TYPES, createAuth } from '../sandbox/auth/registry.js';
import { startContractSandbox, type ContractLogEntry, type RunningContractSandbox } from '../sandbox/contract-sandbox.js';
import { packageRoot } from '../verify/verify.js';
import { StoreError, type OpenReport } from '../sandbox/store.js';
import { docsHint } from './docs.js';

const DEFAULT_PORT = 4011;
const DEFAULT_DATA_DIR = '.sandbox-data';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function run(argv: string[]): Promise<number> {
  // --contract is read first: the options depend on the contract's auth.
  const contract = contractArgument(argv);
  return runContract(argv, findContract(readRegistry(), contract).id);
}

/** Single-quotes a word for POSIX shells. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The value of --contract in argv (--contract X or --contract=X), before the command's options are known. */
function contractArgument(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg.startsWith('--contract=')) return arg.slice('--contract='.length);
    if (arg === '--contract') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw new UsageError(`--contract: expected a contract id, found ${value === undefined ? 'nothing' : `the option "${value}"`}`);
      return value;
    }
  }
  return undefined;
}

/** The options that set a contract's secrets (contract.yaml `sandbox.options`), each with the env variable read without it. */
function secretOptions(runtime: ContractRuntime): SandboxOption[] {
  return runtime.descriptor.sandbox?.options ?? [];
}

function contractUsage(runtime: ContractRuntime, secrets: ReturnType<typeof secretOptions>, port: number): string {
  const d = runtime.descriptor;
  const noun = nounOf(runtime);
  const isDefault = d.id === readRegistry().default;
  const options = secrets.map((s) => `[--${s.option} ${metavar(s)}]`).join(' ');
  const filters = [...(d.logs.filters ?? []).map((f) => (typeof f === 'string' ? f : f.name)), 'since=<id or ISO date-time>', 'limit'].join(', ');
  const prefix = d.sandbox?.pathPrefix ? ' [--path P]' : '';
  const id = typeof d.events.id === 'object' ? d.events.id : undefined;
  const dedupe = d.events.dedupe !== 'none' && id ? `, deduplicates on ${id.field ?? (id.pointer ?? id.header ?? '').replace(/^.*\//, '')}` : '';
  const sole = runtime.operations.length === 1;
  const label = createAuthLabel(d);
  return `Usage: converge-webhook sandbox ${isDefault ? '[--contract ID]' : `--contract ${d.id}`} ${options}${prefix} [--port ${port}] [--data DIR | --memory] [--fsync] [--quiet] [--json]

Runs a complete, stateful implementation of the ${d.title} on loopback:
${[...new Set(runtime.operations.map((o) => `  ${o.method} ${d.sandbox?.pathPrefix ? '[P]' : ''}${o.path}`))].join('\n')}
(${runtime.operations.map((o) => `${sole ? '' : `${o.id}: `}${o.body === 'none' ? 'no body is read' : `${d.mediaTypes.join(' or ')}, validated`}`).join('; ')})${dedupe}, and keeps what arrived.
  GET  /api/events   stored ${noun.other} as JSON, newest first (filters: ${filters})
  DELETE /api/events forget every ${noun.one} (between tests)
  GET  /logs         the ${noun.other} as a web page

${isDefault ? `  --contract ID        the contract to serve (default ${d.id}); another has its own options:\n                       converge-webhook sandbox --contract ID --help\n` : ''}${secrets
    .map((s) => `  --${s.option} ${metavar(s)}`.padEnd(23) + `${s.doc} (default: ${envOf(runtime, s) === undefined ? '' : `$${envOf(runtime, s)}, else `}random)`)
    .join('\n')}${d.sandbox?.pathPrefix ? `\n  --path P             serve every webhook below the path P (/hooks: POST /hooks${runtime.operations[0]!.path})` : ''}
  --port N             port to listen on (default ${port}; 0 picks a free one)
  --host H             address to listen on (default 127.0.0.1; /api/events and /logs need no ${label},
                       so anything but loopback shows the ${noun.other} to the network)
  --data DIR           folder of the store (default ./${dataDirOf(d.id)}); restarts keep ${noun.other}
  --memory             keep ${noun.other} in memory only
  --fsync              flush every ${noun.one} to disk before answering (survives power loss; slower)
  --quiet              do not print a line per request
  --json               print JSON lines instead: {"event":"listening",...} first, then one per request

The secrets are printed once, on start; everything after shows them masked.
Stops on Ctrl-C (SIGINT) or SIGTERM, exit code 0.
Exit codes: 0 stopped cleanly, 2 usage error (port in use, data folder in use or not writable).`;
}

/** The store's default folder: the default contract's where it always was, each other's in its own. */
function dataDirOf(id: string): string {
  return id === readRegistry().default ? DEFAULT_DATA_DIR : join(DEFAULT_DATA_DIR, id);
}

/** The auth's word for its secret, without starting it (the usage is printed before any secret is chosen). */
function createAuthLabel(d: ContractRuntime['descriptor']): string {
  try {
    return createAuth(d.auth, { secrets: {}, operations: [] }).label;
  } catch {
    return 'secret';
  }
}

/** The env variable read for a sandbox option when it is not given (contract.yaml `env`: {option: --<option>}). */
function envOf(runtime: ContractRuntime, option: SandboxOption): string | undefined {
  return envFor(runtime.descriptor, `--${option.option}`, runtime.operations.some((o) => o.id === option.secret) ? option.secret : undefined)?.name;
}

/** What an option's value is called in the usage: its last word (--webhook-id ID, --secret-key KEY). */
function metavar(option: SandboxOption): string {
  return option.option.replace(/^.*-/, '').toUpperCase();
}

/** What the contract calls one stored delivery and several (contract.yaml logs.noun). */
function nounOf(runtime: ContractRuntime): { one: string; other: string } {
  return runtime.descriptor.logs.noun ?? { one: 'delivery', other: 'deliveries' };
}

/** A store as the start-up block describes it. */
function describeStore(shownDir: string | undefined, opened: OpenReport, noun: { one: string; other: string }): string {
  return shownDir === undefined
    ? 'in memory (nothing is kept after it stops)'
    : `${shownDir}/events.jsonl, ${opened.events} ${opened.events === 1 ? noun.one : noun.other} stored` +
        (opened.truncatedBytes > 0 ? `; cut off a torn last line of ${opened.truncatedBytes} bytes (a write interrupted by a kill)` : '') +
        (opened.skippedLines > 0 ? `; skipped ${opened.skippedLines} damaged line${opened.skippedLines === 1 ? '' : 's'} (left in the file)` : '') +
        (opened.lockFallbackDir ? `; its lock is in ${opened.lockFallbackDir} (the folder's path is too long for a Unix socket)` : '');
}

/** `sandbox --contract ID` for a contract other than the default: served from its runtime. */
async function runContract(argv: string[], id: string): Promise<number> {
  const runtime = await loadContractRuntime(id);
  const d = runtime.descriptor;
  if (!Object.hasOwn(AUTH_TYPES, d.auth.type)) {
    throw new UsageError(
      `--contract: expected a contract whose auth the sandbox serves (${Object.keys(AUTH_TYPES).join(', ')}), found "${id}" with ${runtime.registry.descriptor}: /auth/type "${d.auth.type}", which it does not serve yet`,
    );
  }
  const secrets = secretOptions(runtime);
  const defaultPort = d.ports?.sandbox ?? DEFAULT_PORT;
  const spec: Record<string, OptionSpec> = {
    contract: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    memory: { type: 'boolean' },
    fsync: { type: 'boolean' },
    quiet: { type: 'boolean' },
    json: { type: 'boolean' },
  };
  for (const s of secrets) spec[s.option] = { type: 'string' };
  if (d.sandbox?.pathPrefix) spec.path = { type: 'string' };
  // A token given to a contract whose auth is not a token: name the options of its secrets.
  const hints = { token: noTokenHint(d.auth, '', secrets.map((s) => s.option)) };
  const { values, positionals } = parseCommandArgs(argv, spec, hints) as { values: Record<string, string | boolean | undefined>; positionals: string[] };
  if (values.help) {
    console.log(contractUsage(runtime, secrets, defaultPort));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`sandbox takes no file arguments, found "${positionals.join(' ')}"`);
  const port = parsePort(values.port as string | undefined, defaultPort);
  const host = parseHost(values.host as string | undefined);
  if (values.memory && values.data !== undefined) throw new UsageError('--memory and --data exclude each other: choose one');
  if (values.memory && values.fsync) throw new UsageError('--fsync needs a store on disk: drop --memory, or drop --fsync');
  // Each contract's store in its own folder by default (a store holds one contract's deliveries); the default contract's where it always was.
  const dataDir = values.memory ? undefined : resolve((values.data as string | undefined) ?? dataDirOf(d.id));
  const json = Boolean(values.json);
  const chosenSecrets: Record<string, string | undefined> = {};
  // Where each secret came from, for a usage error about it.
  const givenBy: Record<string, string> = {};
  for (const s of secrets) {
    const given = values[s.option] as string | undefined;
    const env = envOf(runtime, s);
    const fromEnv = env === undefined || process.env[env] === '' ? undefined : process.env[env];
    chosenSecrets[s.secret] = given ?? fromEnv;
    givenBy[s.secret] = given === undefined && fromEnv !== undefined ? `--${s.option} (from $${env})` : `--${s.option}`;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const stop = listenForStop();
  try {
    let sandbox: RunningContractSandbox;
    try {
      sandbox = await startContractSandbox(runtime, {
        port,
        host,
        secrets: chosenSecrets,
        dataDir,
        inMemory: Boolean(values.memory),
        fsync: Boolean(values.fsync),
        pathPrefix: values.path as string | undefined,
        onRequest: values.quiet ? undefined : json ? (e: ContractLogEntry) => out(JSON.stringify({ event: 'request', ...sandbox.worded(e) })) : (e) => out(sandbox.format(e)),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`--port: expected a free port, found ${port} on ${host} already in use; pick another, or --port 0 for any free one`);
      const badHost = hostError(error, host);
      if (badHost) throw badHost;
      if (error instanceof StoreError) throw new UsageError(error.message);
      if (error instanceof TypeError && error.message.startsWith('pathPrefix: ')) throw new UsageError(`--path: ${error.message.slice('pathPrefix: '.length)}`);
      // A secret the auth type refuses (an id that is not one path segment, two equal ids).
      if (error instanceof TypeError && secrets.length > 0) {
        // The auth names a secret by its key, or (one secret for all) by the option's word: "token: expected ...".
        const which = secrets.find((s) => (s.secret !== '' && (error.message.startsWith(`${s.secret} `) || error.message.startsWith(`${s.secret}: `))) || error.message.startsWith(`${s.option}: `));
        const message = which && error.message.startsWith(`${which.option}: `) ? error.message.slice(which.option.length + 2) : error.message;
        throw new UsageError(`${which ? givenBy[which.secret] : `--${secrets.map((s) => s.option).join(' / --')}`}: ${message}`);
      }
      throw error;
    }
    const shownDir = dataDir === undefined ? undefined : relative(process.cwd(), dataDir) || '.';
    const opened = sandbox.opened;
    const noun = nounOf(runtime);
    if (json) {
      // A contract of one operation names its URL webhook_url; one token for all senders is `token`.
      const sole = runtime.operations.length === 1 ? runtime.operations[0]! : undefined;
      const token = d.auth.type === 'header-token' ? sandbox.secrets[''] : undefined;
      out(
        JSON.stringify({
          event: 'listening',
          contract: d.id,
          url: sandbox.url,
          ...(sole ? { webhook_url: sandbox.urls[sole.id] } : {}),
          urls: sandbox.urls,
          // Each secret once: the token alone, or the secrets by operation.
          ...(token === undefined ? { secrets: sandbox.secrets } : { token }),
          ...(sandbox.auth.query ? { query: sandbox.auth.query } : {}),
          events_url: `${sandbox.url}/api/events`,
          logs_url: `${sandbox.url}/logs`,
          data_dir: dataDir ?? null,
          stored: opened.events,
          repaired: { truncated_bytes: opened.truncatedBytes, skipped_lines: opened.skippedLines },
          lock_fallback_dir: opened.lockFallbackDir ?? null,
          max_body_bytes: d.bodyLimit,
        }),
      );
    } else {
      out(startupBlock(runtime, sandbox, shownDir, Boolean(values.quiet)));
    }
    if (!LOOPBACK.test(host)) {
      console.error(`warning: listening on ${host}, not loopback: /api/events and /logs need no ${sandbox.auth.label}, so anyone who can reach it sees the ${noun.other}`);
    }
    const stopSignal = await stop.wait();
    const kept = sandbox.count();
    await sandbox.stop();
    if (json) out(JSON.stringify({ event: 'stopped', signal: stopSignal, stored: kept }));
    else out(`\nStopped (${stopSignal}): ${kept} ${kept === 1 ? noun.one : noun.other} ${shownDir === undefined ? 'dropped (in memory)' : `kept in ${shownDir}`}.`);
    return 0;
  } finally {
    stop.dispose();
  }
}

/**
 * The start-up block of a contract's sandbox: its URLs, its secrets once (masked after), its
 * store, and curl lines that deliver the sample as a sender would (the auth's header or query,
 * the contract's request parameters).
 */
export function startupBlock(runtime: ContractRuntime, sandbox: RunningContractSandbox, shownDir: string | undefined, quiet: boolean): string {
  const d = runtime.descriptor;
  const { auth } = sandbox;
  const options = secretOptions(runtime).filter((o) => !runtime.operations.some((op) => op.id === o.secret) && o.secret !== '');
  const width = Math.max(9, ...runtime.operations.map((o) => o.id.length + 1), ...options.map((o) => o.option.length + 1));
  const once = (secret: string) => `   (shown once; ${auth.mask(secret)} from now on)`;
  const sample = d.sample?.file ? readSample(d.id, d.sample.file) : undefined;
  const withBody = runtime.operations.find((o) => o.default && o.body !== 'none') ?? runtime.operations.find((o) => o.body !== 'none');
  const bare = runtime.operations.find((o) => o.body === 'none');
  // What a sender adds to the URL and the headers: the auth's, and the contract's request parameters.
  const query = new URLSearchParams();
  for (const name of Object.keys(d.request?.query ?? {})) {
    const value = auth.query?.[name] ?? (d.sample as Record<string, unknown> | undefined)?.[name];
    if (typeof value === 'string') query.set(name, value);
  }
  for (const [name, value] of Object.entries(auth.query ?? {})) if (!query.has(name)) query.set(name, value);
  const headers: string[] = [];
  if (d.auth.type === 'header-token' && d.auth.header && auth.secrets[''] !== undefined) headers.push(`${d.auth.header}: ${auth.secrets['']}`);
  for (const [name, rule] of Object.entries(d.request?.headers ?? {})) {
    if ((rule as { generate?: string }).generate === 'hex32') headers.push(`${name}: ${randomBytes(16).toString('hex')}`);
  }
  const target = (o: RuntimeOperation) => (query.size === 0 ? sandbox.urls[o.id]! : shellQuote(`${sandbox.urls[o.id]}?${query.toString()}`));
  const headerFlags = headers.map((h) => `-H ${shellQuote(h)}`).join(' ');
  const digest = d.auth.parameter === undefined ? undefined : auth.query?.[d.auth.parameter];
  return [
    `${d.title} sandbox listening on ${sandbox.url}`,
    ...runtime.operations.map((o) => {
      const secret = sandbox.secrets[o.id];
      // One operation: it is the endpoint.
      const label = runtime.operations.length === 1 ? 'endpoint' : o.id;
      return `  ${label.padEnd(width)} ${o.method} ${sandbox.urls[o.id]}` + (secret === undefined ? '' : `   (the id is the secret: shown once; ${auth.mask(secret)} from now on)`);
    }),
    ...(sandbox.secrets[''] === undefined ? [] : [`  ${auth.label.padEnd(width)} ${sandbox.secrets['']}${once(sandbox.secrets[''])}`]),
    ...options.map((o) => {
      const secret = auth.secrets[o.secret];
      return `  ${o.option.padEnd(width)} ${secret ?? auth.account?.[o.secret] ?? ''}${secret === undefined ? '' : once(secret)}`;
    }),
    ...(auth.query === undefined
      ? []
      : [`  ${'query'.padEnd(width)} ?${new URLSearchParams(auth.query).toString()}   (appended to every URL${digest === undefined ? '' : `; the ${d.auth.parameter} is shown once, ${auth.mask(digest)} from now on`})`]),
    `  ${'events'.padEnd(width)} GET|DELETE ${sandbox.url}/api/events`,
    `  ${'logs'.padEnd(width)} ${sandbox.url}/logs`,
    `  ${'docs'.padEnd(width)} ${docsHint(d.id)}`,
    `  ${'store'.padEnd(width)} ${describeStore(shownDir, sandbox.opened, nounOf(runtime))}`,
    '',
    'Try it:',
    ...(withBody && sample !== undefined
      ? [`  curl -i -X ${withBody.method} ${target(withBody)} \\`, `    -H 'Content-Type: ${d.mediaTypes[0]}'${headerFlags === '' ? '' : ` ${headerFlags}`} \\`, `    -d ${shellQuote(sample)}`]
      : []),
    ...(bare ? [`  curl -i -X ${bare.method} ${target(bare)}${headerFlags === '' ? '' : ` ${headerFlags}`}`] : []),
    `  curl -s ${sandbox.url}/api/events`,
    '',
    quiet ? 'Press Ctrl-C to stop.' : 'Press Ctrl-C to stop. Requests:',
  ].join('\n');
}

/** The contract's sample body, on one line (for the curl line). */
export function readSample(id: string, file: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(readFileSync(resolve(packageRoot(), 'spec', id, file), 'utf8')));
  } catch {
    return undefined;
  }
}
