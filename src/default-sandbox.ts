/**
 * `startSandbox` of converge-webhook-contract/testing: the default contract's sandbox (the
 * generic core, src/sandbox/contract-sandbox.ts) behind the API it had before contracts were
 * data, so its consumers see no change. The types name the default contract's record (its
 * contract.yaml events.record): they are that public API; the code reads every name from the
 * contract.
 */
import type { WebhookEvent } from '../generated/converge/types/schemas.js';
import { loadContractRuntime } from './contract-runtime.js';
import type { Violation } from './engine/engine.js';
import { startContractSandbox } from './sandbox/contract-sandbox.js';
import type { OpenReport } from './sandbox/store.js';

export { StoreError } from './sandbox/store.js';
export type { OpenReport } from './sandbox/store.js';

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

/**
 * One stored event, as GET /api/events returns it. `Name` is the `event_name` that
 * `events({ event_name })` filtered on (any name without a filter).
 */
export interface StoredEvent<Name extends string = string> {
  /** Sequence number, from 1, in order of receipt (starts again after a reset). */
  id: number;
  event_id: string;
  event_name: Name;
  /** Time of receipt, ISO 8601 in UTC. */
  received_at: string;
  /** A fingerprint of the token the event came with (start of its SHA-256), never the token. */
  token_hash: string;
  /** Event Spec warnings found when it was accepted. */
  warnings: Violation[];
  /**
   * The body as sent. Only events that pass the contract rules are stored, so it is a
   * `WebhookEvent`. Breaking the Event Spec is only a warning (see `warnings`), so its
   * properties stay `unknown` until `isStandardEvent(body)` types them.
   */
  body: WebhookEvent & { event_name: Name };
}

export interface EventQuery {
  event_name?: string;
  event_id?: string;
  /** A sequence number (events with a larger id), or a time (events received at or after it). */
  since?: number | string | Date;
  /** At most this many (the newest). */
  limit?: number;
}

export interface RunningSandbox {
  /** Base URL, e.g. http://127.0.0.1:4011 */
  url: string;
  /** The endpoint: `${url}/api/webhooks`. */
  webhookUrl: string;
  /** The token senders must present. */
  token: string;
  /** The store folder, or undefined in memory. */
  dataDir: string | undefined;
  /** What opening the store found (events, a torn last line cut off, damaged lines skipped). */
  opened: OpenReport;
  /** Stored events, newest first; filtered on `event_name`, their bodies carry that name in their type. */
  events<Name extends string = string>(query?: EventQuery & { event_name?: Name }): StoredEvent<Name>[];
  /** How many events are stored. */
  count(): number;
  /** Deletes every stored event (on disk too). */
  reset(): void;
  /** Stops listening, ends open connections, closes the store. */
  stop(): Promise<void>;
}

/** What happened to one request to the endpoint. Never holds the token itself. */
export interface SandboxLogEntry {
  time: string;
  method: string;
  status: number;
  /** Masked token, "none" when missing, "wrong" when it did not match. */
  token: string;
  event_name?: string;
  event_id?: string;
  /** Sequence number of the stored event. */
  id?: number;
  duplicate?: boolean;
  warnings?: string[];
  violations?: string[];
  detail?: string;
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
    events: <Name extends string = string>(query: EventQuery & { event_name?: Name } = {}) => core.events({ ...query }) as unknown as StoredEvent<Name>[],
    count: () => core.count(),
    reset: () => core.reset(),
    stop: () => core.stop(),
  };
}
