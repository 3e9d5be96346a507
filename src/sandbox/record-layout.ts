/**
 * How a contract's sandbox names a stored delivery's members (GET /api/events, the log entries),
 * from contract.yaml `events` and `answers`: one reading, for the sandbox and for the generator of
 * /testing's types (scripts/lib/sandbox-types.ts), so that the two cannot disagree.
 */
import type { ContractDescriptor } from '../contract-runtime.js';

export interface RecordLayout {
  /** The member that holds the delivery's id (events.id), when it has one. */
  idField: string | undefined;
  /** The last token of events.name: the member that names the delivery, when the record lists it. */
  nameField: string | undefined;
  /** The record's members in order: events.record, else every member that applies. */
  record: string[];
  /** The record names the delivery by its body (nameField is one of its members), not by its operation. */
  byName: boolean;
  /** The contract stores deliveries that break a rule (answers.invalidBody is a 2xx). */
  storesInvalid: boolean;
}

export function recordLayout(descriptor: Pick<ContractDescriptor, 'events' | 'answers'>): RecordLayout {
  const id = typeof descriptor.events.id === 'object' ? descriptor.events.id : undefined;
  // Its name in records: declared, else the pointer's last token or the header's name (x-request-id: x_request_id).
  const idField = id ? (id.field ?? (id.pointer ?? id.header ?? 'id').replace(/^.*\//, '').replace(/-/g, '_').toLowerCase()) : undefined;
  const invalidStatus = descriptor.answers?.invalidBody?.status;
  const storesInvalid = invalidStatus !== undefined && invalidStatus >= 200 && invalidStatus < 300;
  const nameField = descriptor.events.name?.replace(/^.*\//, '');
  const record = descriptor.events.record ?? ['id', 'kind', ...(idField ? [idField] : []), 'received_at', ...(storesInvalid ? ['violations'] : []), 'warnings', 'body'];
  return { idField, nameField, record, byName: nameField !== undefined && record.includes(nameField), storesInvalid };
}
