/** The sandbox: a stateful reference implementation of POST /api/webhooks on loopback. (Being written.) */
import type { Violation } from '../validate.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  token?: string;
  dataDir?: string;
  inMemory?: boolean;
  quiet?: boolean;
}

export interface StoredEvent {
  id: number;
  event_id: string;
  event_name: string;
  received_at: string;
  token_hash: string;
  warnings: Violation[];
  body: unknown;
}

export interface RunningSandbox {
  url: string;
  token: string;
  events(): StoredEvent[];
  reset(): void;
  stop(): Promise<void>;
}

export function startSandbox(_options: SandboxOptions = {}): Promise<RunningSandbox> {
  return Promise.reject(new Error('startSandbox: not implemented yet'));
}
