/**
 * `startSandbox` of converge-webhook-contract/testing: the default contract's sandbox (the
 * generic core, src/sandbox/contract-sandbox.ts) behind the API it had before contracts were
 * data, so its consumers see no change. The types that name the default contract's members (a
 * stored delivery, the query, a log entry) are generated from its contract.yaml into
 * generated/default-sandbox.ts (scripts/lib/sandbox-types.ts); the code reads every name from the
 * contract.
 */
import type { EventQuery, RunningSandbox, SandboxLogEntry, StoredEvent } from '../generated/default-sandbox.js';
import { loadContractRuntime } from './contract-runtime.js';
import { startContractSandbox } from './sandbox/contract-sandbox.js';

export { StoreError } from './sandbox/store.js';
export type { OpenReport } from './sandbox/store.js';
export type { EventQuery, RunningSandbox, SandboxLogEntry, StoredEvent };

export interface SandboxOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. Anything else exposes the events to the network. */
  host?: string;
  /** The token senders must present in the contract's auth header; default a random one. Printable ASCII, no spaces. */
  token?: string;
  /** Folder of the event store (created when missing). Without it, events are kept in memory only. */
  dataDir?: string;
  /** Keep events in memory only (cannot be combined with dataDir). */
  inMemory?: boolean;
  /** fdatasync after every stored event, so a power loss cannot lose one either (slower). */
  fsync?: boolean;
  /** When false, print a line per request on standard output; default true (a library stays silent). */
  quiet?: boolean;
  /** Called once per request to the endpoint, with the token masked. */
  onRequest?: (entry: SandboxLogEntry) => void;
  /** A request (headers and body) must arrive within this time, else 408; default 10,000 ms. */
  requestTimeoutMs?: number;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  if (options.inMemory && options.dataDir !== undefined) throw new TypeError('startSandbox: dataDir and inMemory exclude each other');
  const runtime = await loadContractRuntime(undefined);
  let core: Awaited<ReturnType<typeof startContractSandbox>>;
  try {
    core = await startContractSandbox(runtime, {
      port: options.port,
      host: options.host,
      secrets: { '': options.token },
      dataDir: options.dataDir,
      inMemory: options.inMemory,
      fsync: options.fsync,
      requestTimeoutMs: options.requestTimeoutMs,
      onRequest:
        options.quiet === false || options.onRequest
          ? (e) => {
              if (options.quiet === false) process.stdout.write(`${core.format(e)}\n`);
              options.onRequest?.(core.worded(e) as unknown as SandboxLogEntry);
            }
          : undefined,
    });
  } catch (error) {
    if (error instanceof TypeError) error.message = `startSandbox: ${error.message.replace(/^startContractSandbox: /, '')}`;
    throw error;
  }
  const operation = runtime.operations.find((o) => o.default) ?? runtime.operations[0]!;
  return {
    url: core.url,
    webhookUrl: core.urls[operation.id]!,
    token: core.secrets['']!,
    dataDir: core.dataDir,
    opened: core.opened,
    events: <Name extends string = string>(query: Parameters<RunningSandbox['events']>[0] = {}) => core.events({ ...query }) as unknown as StoredEvent<Name>[],
    count: () => core.count(),
    reset: () => core.reset(),
    stop: () => core.stop(),
  };
}
