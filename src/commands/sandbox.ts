/** `converge-webhook sandbox`: the stateful reference implementation of the endpoint, on the terminal. */
import { randomBytes } from 'node:crypto';
import { join, relative, resolve } from 'node:path';

import { readFileSync } from 'node:fs';

import { listenForStop, parseCommandArgs, parseHost, parsePort, UsageError, type OptionSpec } from '../cli-support.js';
import { envFor, loadContractRuntime, type ContractRuntime, type RuntimeOperation, type SandboxOption } from '../contract-runtime.js';
import { findContract, readRegistry } from '../registry.js';
import { AUTH_TYPES } from '../sandbox/auth/registry.js';
import { startContractSandbox, type ContractLogEntry, type RunningContractSandbox } from '../sandbox/contract-sandbox.js';
import { packageRoot } from '../verify/verify.js';
import { MAX_BODY_BYTES } from '../constants.js';
import { maskToken } from '../endpoint.js';
import { formatLogEntry, startSandbox, StoreError, type RunningSandbox, type SandboxLogEntry } from '../sandbox/sandbox.js';
import { docsHint } from './docs.js';

const DEFAULT_PORT = 4011;
const DEFAULT_DATA_DIR = '.sandbox-data';

const USAGE = `Usage: converge-webhook sandbox [--contract ID] [--port ${DEFAULT_PORT}] [--token T] [--data DIR | --memory] [--fsync] [--quiet] [--json]

Runs a complete, stateful implementation of POST /api/webhooks on loopback: it checks the
token's value, validates every event against the contract (400 with the violations), accepts
valid ones with their Event Spec warnings, deduplicates on event_id, and keeps what arrived.
  GET  /api/events   stored events as JSON, newest first
                     (filters: event_name, event_id, since=<id or ISO date-time>, limit)
  DELETE /api/events forget every event (between tests)
  GET  /logs         the events as a web page, like Converge's Logs tab

  --contract ID  the contract to serve (default converge); with another, its own options:
               converge-webhook sandbox --contract ID --help
  --port N     port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H     address to listen on (default 127.0.0.1; /api/events and /logs need no token,
               so anything but loopback shows the events to the network)
  --token T    the token senders must send in X-Webhook-Token (default: a random one)
  --data DIR   folder of the event store (default ./${DEFAULT_DATA_DIR}); restarts keep events
  --memory     keep events in memory only
  --fsync      flush every event to disk before answering (survives power loss; slower)
  --quiet      do not print a line per request
  --json       print JSON lines instead: {"event":"listening",...} first, then one per request

The token is printed once, on start; everything after shows it masked.
Stops on Ctrl-C (SIGINT) or SIGTERM, exit code 0.
Exit codes: 0 stopped cleanly, 2 usage error (port in use, data folder in use or not writable).`;

/** A small valid event without Event Spec warnings, for the curl line. */
const SAMPLE_EVENT =
  '{"event_name":"Placed Order","event_id":"order-1001","properties":{"id":"1001","total_price":25.5,"currency":"USD","$sales_channel_type":"web"},"profile_properties":{"$email":"jane@example.com"},"aliases":["urn:email:jane@example.com"]}';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function run(argv: string[]): Promise<number> {
  // --contract is read first: the options of the others depend on their auth (sandbox: --contract handled here).
  const contract = contractArgument(argv);
  const registry = readRegistry();
  const chosen = findContract(registry, contract);
  if (chosen.id !== registry.default) return runContract(argv, chosen.id);
  const { values, positionals } = parseCommandArgs(argv, {
    contract: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    data: { type: 'string' },
    memory: { type: 'boolean' },
    fsync: { type: 'boolean' },
    quiet: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`sandbox takes no file arguments, found "${positionals.join(' ')}"`);
  const port = parsePort(values.port, DEFAULT_PORT);
  const host = parseHost(values.host);
  if (values.token !== undefined && !/^[\x21-\x7e]+$/.test(values.token)) {
    throw new UsageError(`--token: expected printable ASCII without spaces (it is sent as a header), found ${values.token === '' ? 'an empty string' : 'other characters'}`);
  }
  if (values.memory && values.data !== undefined) throw new UsageError('--memory and --data exclude each other: choose one');
  if (values.memory && values.fsync) throw new UsageError('--fsync needs a store on disk: drop --memory, or drop --fsync');
  const dataDir = values.memory ? undefined : resolve(values.data ?? DEFAULT_DATA_DIR);
  const json = Boolean(values.json);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // A reader that went away (| head) must not crash the server: it keeps serving, like console.log.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });

  // Listen before starting, so that a signal during start-up stops the server once it is up.
  const stop = listenForStop();

  try {
    let sandbox: RunningSandbox;
    try {
      sandbox = await startSandbox({
        port,
        host,
        token: values.token,
        dataDir,
        inMemory: values.memory,
        fsync: values.fsync,
        quiet: true,
        onRequest: values.quiet ? undefined : json ? (e: SandboxLogEntry) => out(JSON.stringify({ event: 'request', ...e })) : (e) => out(formatLogEntry(e)),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`--port: expected a free port, found ${port} on ${host} already in use; pick another, or --port 0 for any free one`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host: expected an address of this machine such as 127.0.0.1, found "${host}" (${code})`);
      if (error instanceof StoreError) throw new UsageError(error.message);
      throw error;
    }

    const shownDir = dataDir === undefined ? undefined : relative(process.cwd(), dataDir) || '.';
    const opened = sandbox.opened;
    if (json) {
      out(
        JSON.stringify({
          event: 'listening',
          url: sandbox.url,
          webhook_url: sandbox.webhookUrl,
          events_url: `${sandbox.url}/api/events`,
          logs_url: `${sandbox.url}/logs`,
          token: sandbox.token,
          data_dir: dataDir ?? null,
          stored: opened.events,
          repaired: { truncated_bytes: opened.truncatedBytes, skipped_lines: opened.skippedLines },
          lock_fallback_dir: opened.lockFallbackDir ?? null,
          max_body_bytes: MAX_BODY_BYTES,
        }),
      );
    } else {
      const store = describeStore(shownDir, opened, 'event');
      out(
        [
          `Converge webhook sandbox listening on ${sandbox.url}`,
          `  endpoint  POST ${sandbox.webhookUrl}`,
          `  token     ${sandbox.token}   (shown once; ${maskToken(sandbox.token)} from now on)`,
          `  events    GET|DELETE ${sandbox.url}/api/events`,
          `  logs      ${sandbox.url}/logs`,
          `  docs      ${docsHint()}`,
          `  store     ${store}`,
          '',
          'Try it:',
          `  curl -i -X POST ${sandbox.webhookUrl} \\`,
          `    -H 'Content-Type: application/json' -H ${shellQuote(`X-Webhook-Token: ${sandbox.token}`)} \\`,
          `    -d '${SAMPLE_EVENT}'`,
          `  curl -s ${sandbox.url}/api/events`,
          '',
          values.quiet ? 'Press Ctrl-C to stop.' : 'Press Ctrl-C to stop. Requests:',
        ].join('\n'),
      );
    }
    if (!LOOPBACK.test(host)) {
      console.error(`warning: listening on ${host}, not loopback: /api/events and /logs need no token, so anyone who can reach it sees the events`);
    }

    const stopSignal = await stop.wait();
    const kept = sandbox.count();
    await sandbox.stop();
    if (json) out(JSON.stringify({ event: 'stopped', signal: stopSignal, stored: kept }));
    else out(`\nStopped (${stopSignal}): ${kept} event${kept === 1 ? '' : 's'} ${shownDir === undefined ? 'dropped (in memory)' : `kept in ${shownDir}`}.`);
    return 0;
  } finally {
    stop.dispose();
  }
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
  const options = secrets.map((s) => `[--${s.option} ${metavar(s)}]`).join(' ');
  const filters = [...(d.logs.filters ?? []).map((f) => (typeof f === 'string' ? f : f.name)), 'since=<id or ISO date-time>', 'limit'].join(', ');
  const prefix = d.sandbox?.pathPrefix ? ' [--path P]' : '';
  return `Usage: converge-webhook sandbox --contract ${d.id} ${options}${prefix} [--port ${port}] [--data DIR | --memory] [--fsync] [--quiet] [--json]

Runs a complete, stateful implementation of the ${d.title} on loopback:
${[...new Set(runtime.operations.map((o) => `  ${o.method} ${d.sandbox?.pathPrefix ? '[P]' : ''}${o.path}`))].join('\n')}
(${runtime.operations.map((o) => `${o.id}: ${o.body === 'none' ? 'no body is read' : `${d.mediaTypes.join(' or ')}, validated`}`).join('; ')}), and keeps what arrived.
  GET  /api/events   stored deliveries as JSON, newest first (filters: ${filters})
  DELETE /api/events forget every delivery (between tests)
  GET  /logs         the deliveries as a web page

${secrets.map((s) => `  --${s.option} ${metavar(s)}`.padEnd(23) + `${s.doc} (default: ${envOf(runtime, s) === undefined ? '' : `$${envOf(runtime, s)}, else `}random)`).join('\n')}${
    d.sandbox?.pathPrefix ? `\n  --path P             serve every webhook below the path P (/hooks: POST /hooks${runtime.operations[0]!.path})` : ''
  }
  --port N             port to listen on (default ${port}; 0 picks a free one)
  --host H             address to listen on (default 127.0.0.1)
  --data DIR           folder of the store (default ./${DEFAULT_DATA_DIR}/${d.id}); restarts keep deliveries
  --memory             keep deliveries in memory only
  --fsync              flush every delivery to disk before answering
  --quiet              do not print a line per request
  --json               print JSON lines instead

The secrets are printed once, on start; everything after shows them masked.
Stops on Ctrl-C (SIGINT) or SIGTERM, exit code 0.
Exit codes: 0 stopped cleanly, 2 usage error (port in use, data folder in use or not writable).`;
}

/** The env variable read for a sandbox option when it is not given (contract.yaml `env`: {option: --<option>}). */
function envOf(runtime: ContractRuntime, option: SandboxOption): string | undefined {
  return envFor(runtime.descriptor, `--${option.option}`, runtime.operations.some((o) => o.id === option.secret) ? option.secret : undefined)?.name;
}

/** What an option's value is called in the usage: its last word (--webhook-id ID, --secret-key KEY). */
function metavar(option: SandboxOption): string {
  return option.option.replace(/^.*-/, '').toUpperCase();
}

/** A store as the start-up block describes it. */
function describeStore(shownDir: string | undefined, opened: RunningSandbox['opened'], noun: string): string {
  return shownDir === undefined
    ? 'in memory (nothing is kept after it stops)'
    : `${shownDir}/events.jsonl, ${opened.events} ${noun}${opened.events === 1 ? '' : 's'} stored` +
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
  const { values, positionals } = parseCommandArgs(argv, spec) as { values: Record<string, string | boolean | undefined>; positionals: string[] };
  if (values.help) {
    console.log(contractUsage(runtime, secrets, defaultPort));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`sandbox takes no file arguments, found "${positionals.join(' ')}"`);
  const port = parsePort(values.port as string | undefined, defaultPort);
  const host = parseHost(values.host as string | undefined);
  if (values.memory && values.data !== undefined) throw new UsageError('--memory and --data exclude each other: choose one');
  if (values.memory && values.fsync) throw new UsageError('--fsync needs a store on disk: drop --memory, or drop --fsync');
  // Each contract's store in its own folder by default: a store holds one contract's deliveries.
  const dataDir = values.memory ? undefined : resolve((values.data as string | undefined) ?? join(DEFAULT_DATA_DIR, d.id));
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
        onRequest: values.quiet ? undefined : json ? (e: ContractLogEntry) => out(JSON.stringify({ event: 'request', ...e })) : (e) => out(sandbox.format(e)),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`--port: expected a free port, found ${port} on ${host} already in use; pick another, or --port 0 for any free one`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host: expected an address of this machine such as 127.0.0.1, found "${host}" (${code})`);
      if (error instanceof StoreError) throw new UsageError(error.message);
      if (error instanceof TypeError && error.message.startsWith('pathPrefix: ')) throw new UsageError(`--path: ${error.message.slice('pathPrefix: '.length)}`);
      // A secret the auth type refuses (an id that is not one path segment, two equal ids).
      if (error instanceof TypeError && secrets.length > 0) {
        const which = secrets.find((s) => error.message.startsWith(`${s.secret} `) || error.message.startsWith(`${s.secret}: `));
        throw new UsageError(`${which ? givenBy[which.secret] : `--${secrets.map((s) => s.option).join(' / --')}`}: ${error.message}`);
      }
      throw error;
    }
    const shownDir = dataDir === undefined ? undefined : relative(process.cwd(), dataDir) || '.';
    const opened = sandbox.opened;
    if (json) {
      out(
        JSON.stringify({
          event: 'listening',
          contract: d.id,
          url: sandbox.url,
          urls: sandbox.urls,
          secrets: sandbox.secrets,
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
      console.error(`warning: listening on ${host}, not loopback: /api/events and /logs need no secret, so anyone who can reach it sees the deliveries`);
    }
    const stopSignal = await stop.wait();
    const kept = sandbox.count();
    await sandbox.stop();
    const noun = kept === 1 ? 'delivery' : 'deliveries';
    if (json) out(JSON.stringify({ event: 'stopped', signal: stopSignal, stored: kept }));
    else out(`\nStopped (${stopSignal}): ${kept} ${noun} ${shownDir === undefined ? 'dropped (in memory)' : `kept in ${shownDir}`}.`);
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
      return `  ${o.id.padEnd(width)} ${o.method} ${sandbox.urls[o.id]}` + (secret === undefined ? '' : `   (the id is the secret: shown once; ${auth.mask(secret)} from now on)`);
    }),
    ...(sandbox.secrets[''] === undefined ? [] : [`  ${'token'.padEnd(width)} ${sandbox.secrets['']}${once(sandbox.secrets[''])}`]),
    ...options.map((o) => {
      const secret = auth.secrets[o.secret];
      return `  ${o.option.padEnd(width)} ${secret ?? auth.account?.[o.secret] ?? ''}${secret === undefined ? '' : once(secret)}`;
    }),
    ...(auth.query === undefined
      ? []
      : [`  ${'query'.padEnd(width)} ?${new URLSearchParams(auth.query).toString()}   (appended to every URL${digest === undefined ? '' : `; the ${d.auth.parameter} is shown once, ${auth.mask(digest)} from now on`})`]),
    `  ${'events'.padEnd(width)} GET|DELETE ${sandbox.url}/api/events`,
    `  ${'logs'.padEnd(width)} ${sandbox.url}/logs`,
    `  ${'store'.padEnd(width)} ${describeStore(shownDir, sandbox.opened, 'delivery').replace('deliverys', 'deliveries')}`,
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
