/**
 * Type tests, checked by `npm run typecheck` (tsc): the types of converge-webhook-contract/testing
 * that generated/default-sandbox.ts writes from the default contract's contract.yaml are exactly
 * the ones written by hand before contracts were data (copied below as they were), member for
 * member: a consumer sees no change.
 */
import type { Violation } from '../../src/engine/engine.js';
import type { OpenReport } from '../../src/sandbox/store.js';
import type { SandboxLogEntry } from '../../src/default-sandbox.js';
import type { EventQuery, RunningSandbox, StoredEvent } from '../../src/testing.js';
import type { WebhookEvent } from '../../generated/converge/types/schemas.js';

/** True only when A and B are the same type (not merely assignable either way). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

interface StoredEventBefore<Name extends string = string> {
  id: number;
  event_id: string;
  event_name: Name;
  received_at: string;
  token_hash: string;
  warnings: Violation[];
  body: WebhookEvent & { event_name: Name };
}

interface EventQueryBefore {
  event_name?: string;
  event_id?: string;
  since?: number | string | Date;
  limit?: number;
}

interface RunningSandboxBefore {
  url: string;
  webhookUrl: string;
  token: string;
  dataDir: string | undefined;
  opened: OpenReport;
  events<Name extends string = string>(query?: EventQueryBefore & { event_name?: Name }): StoredEventBefore<Name>[];
  count(): number;
  reset(): void;
  stop(): Promise<void>;
}

interface SandboxLogEntryBefore {
  time: string;
  method: string;
  status: number;
  token: string;
  event_name?: string;
  event_id?: string;
  id?: number;
  duplicate?: boolean;
  warnings?: string[];
  violations?: string[];
  detail?: string;
}

export const sameStoredEvent: Equals<StoredEvent, StoredEventBefore> = true;
export const sameStoredEventNamed: Equals<StoredEvent<'Placed Order'>, StoredEventBefore<'Placed Order'>> = true;
export const sameQuery: Equals<EventQuery, EventQueryBefore> = true;
export const sameSandbox: Equals<RunningSandbox, RunningSandboxBefore> = true;
export const sameLogEntry: Equals<SandboxLogEntry, SandboxLogEntryBefore> = true;
// @ts-expect-error the check tells types apart: a member more is another type
export const notSame: Equals<SandboxLogEntry, SandboxLogEntryBefore & { kind?: string }> = true;
