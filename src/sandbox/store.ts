/**
 * The sandbox's embedded event store.
 *
 * Decision: an append-only JSON Lines file, `events.jsonl` in the data folder, one line per
 * accepted event, written with a synchronous write BEFORE the sender gets its 200. Why:
 * - No event that got a 200 is lost when the process is killed (SIGKILL): once write(2)
 *   returns, the bytes are in the kernel's page cache, which outlives the process. Only a
 *   power loss or kernel crash can lose them; `fsync: true` (CLI `--fsync`) closes that gap
 *   at the price of one fdatasync per event.
 * - It opens without manual repair: a kill in the middle of a write can leave a torn last
 *   line (no final newline); it is cut off on open. A damaged line elsewhere (a disk fault,
 *   a hand edit) is skipped and counted, never fatal, and left in place for inspection.
 * - It is plain text a person can read, grep and diff.
 * The whole index lives in memory (rebuilt on open): a Map token-hash -> Set of event ids for
 * deduplication, and an array of records that keep the body as its raw JSON text (no parsed
 * object trees: 100,000 events stay well under 200 MB).
 *
 * A line is `{"id":..,"received_at":..,"token_hash":..,"event_id":..,"event_name":..,
 * "warnings":[..],"body":<the body's own JSON text>}`. The body is the sender's text byte for
 * byte, except that line breaks between JSON tokens become spaces (inside JSON strings they
 * cannot occur raw) and a UTF-8 byte order mark is dropped: numbers beyond 2^53, duplicate
 * keys and key order stay as sent. The first line is a header naming the format.
 *
 * One process per folder: a lock file (`sandbox.lock`, holding the pid) refuses a second
 * sandbox on the same folder while the first is alive; a lock left by a killed process is
 * taken over.
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { Violation } from '../validate.js';

export const STORE_FILE = 'events.jsonl';
export const LOCK_FILE = 'sandbox.lock';
const HEADER = '{"format":"converge-webhook-sandbox-events","version":1}\n';
const BODY_KEY = ',"body":';
/** Shared by every record without warnings, so the common case costs no array. */
const NO_WARNINGS: Violation[] = Object.freeze([]) as unknown as Violation[];

/** One accepted event as the store keeps it. */
export interface EventRecord {
  /** Sequence number, from 1, in order of receipt. */
  id: number;
  eventId: string;
  eventName: string;
  /** Time of receipt, milliseconds since the epoch. */
  receivedAt: number;
  tokenHash: string;
  warnings: Violation[];
  /** The body's JSON text, one line. */
  body: string;
}

export interface EventFilter {
  eventName?: string;
  eventId?: string;
  /** Only events with an id above this sequence number. */
  afterId?: number;
  /** Only events received at or after this time (ms since the epoch). */
  since?: number;
  /** At most this many events (the newest). */
  limit?: number;
}

export interface StoreOptions {
  /** Folder of the store; absent: memory only. */
  dataDir?: string;
  /** fdatasync after every event: survives power loss too, at a cost per event. */
  fsync?: boolean;
}

/** What opening the store found and repaired. */
export interface OpenReport {
  events: number;
  /** Bytes of a torn last line (a kill mid-write) that were cut off. */
  truncatedBytes: number;
  /** Damaged lines skipped (left in the file). */
  skippedLines: number;
}

export class StoreError extends Error {}

export class EventStore {
  readonly file: string | undefined;
  readonly opened: OpenReport;
  private readonly records: EventRecord[] = [];
  private readonly seen = new Map<string, Set<string>>();
  private readonly fsync: boolean;
  private fd: number | undefined;
  private lockPath: string | undefined;
  private size = 0;
  private nextId = 1;

  constructor(options: StoreOptions = {}) {
    this.fsync = Boolean(options.fsync);
    if (options.dataDir === undefined) {
      this.opened = { events: 0, truncatedBytes: 0, skippedLines: 0 };
      return;
    }
    const dir = options.dataDir;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new StoreError(`cannot create the data folder ${dir}: ${reason(error)}`);
    }
    this.lockPath = resolve(dir, LOCK_FILE);
    takeLock(this.lockPath);
    this.file = join(dir, STORE_FILE);
    try {
      this.fd = openSync(this.file, 'a+');
      this.opened = this.load(this.fd);
    } catch (error) {
      this.close();
      throw error instanceof StoreError ? error : new StoreError(`cannot open the store ${this.file}: ${reason(error)}`);
    }
  }

  get count(): number {
    return this.records.length;
  }

  /** True when an event with this id was already stored for this token. */
  has(tokenHash: string, eventId: string): boolean {
    return this.seen.get(tokenHash)?.has(eventId) ?? false;
  }

  /**
   * Stores one event. Returns only once the line is written (in the kernel; on disk with
   * `fsync`); throws StoreError when it cannot be, leaving the file as it was.
   */
  append(event: Omit<EventRecord, 'id'>): EventRecord {
    const body = event.body.includes('\n') || event.body.includes('\r') ? event.body.replace(/[\r\n]+/g, ' ') : event.body;
    const record: EventRecord = { ...event, id: this.nextId, body, warnings: event.warnings.length === 0 ? NO_WARNINGS : event.warnings };
    if (this.fd !== undefined) {
      const meta = JSON.stringify({
        id: record.id,
        received_at: new Date(record.receivedAt).toISOString(),
        token_hash: record.tokenHash,
        event_id: record.eventId,
        event_name: record.eventName,
        warnings: record.warnings,
      });
      this.writeLine(`${meta.slice(0, -1)}${BODY_KEY}${body}}\n`);
    }
    this.nextId += 1;
    this.records.push(record);
    let ids = this.seen.get(record.tokenHash);
    if (!ids) this.seen.set(record.tokenHash, (ids = new Set()));
    ids.add(record.eventId);
    return record;
  }

  /** Matching events, newest first. */
  query(filter: EventFilter = {}): EventRecord[] {
    const out: EventRecord[] = [];
    const limit = filter.limit ?? Infinity;
    for (let i = this.records.length - 1; i >= 0 && out.length < limit; i -= 1) {
      const r = this.records[i]!;
      // Ids and receipt times only grow: once below the bound, every older record is too.
      if (filter.afterId !== undefined && r.id <= filter.afterId) break;
      if (filter.since !== undefined && r.receivedAt < filter.since) break;
      if (filter.eventName !== undefined && r.eventName !== filter.eventName) continue;
      if (filter.eventId !== undefined && r.eventId !== filter.eventId) continue;
      out.push(r);
    }
    return out;
  }

  /** Forgets every event, on disk too. Ids start again from 1. */
  reset(): void {
    if (this.fd !== undefined) {
      ftruncateSync(this.fd, 0);
      this.size = 0;
      this.writeLine(HEADER);
    }
    this.records.length = 0;
    this.seen.clear();
    this.nextId = 1;
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.lockPath !== undefined) {
      heldLocks.delete(this.lockPath);
      try {
        unlinkSync(this.lockPath);
      } catch {
        // Already gone: nothing to release.
      }
      this.lockPath = undefined;
    }
  }

  private writeLine(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    const fd = this.fd!;
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      if (this.fsync) fdatasyncSync(fd);
      this.size += bytes.length;
    } catch (error) {
      // A short write (disk full) must not leave half a line for the next record to glue onto.
      try {
        ftruncateSync(fd, this.size);
      } catch {
        // The store is unusable now; the next append fails the same way.
      }
      throw new StoreError(`the event could not be stored: ${reason(error)}`);
    }
  }

  /** Reads every line, rebuilding the index; cuts off a torn last line. */
  private load(fd: number): OpenReport {
    const total = fstatSync(fd).size;
    let skippedLines = 0;
    let position = 0;
    let pending: Buffer = Buffer.alloc(0);
    let goodEnd = 0;
    const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
    while (position < total) {
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      position += n;
      let data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        if (!this.loadLine(data.toString('utf8', start, nl))) skippedLines += 1;
        goodEnd += nl + 1 - start;
        start = nl + 1;
      }
      // Copy the unfinished line: `chunk` is reused by the next read.
      data = data.subarray(start);
      pending = Buffer.from(data);
    }
    const truncatedBytes = total - goodEnd;
    if (truncatedBytes > 0) ftruncateSync(fd, goodEnd);
    this.size = goodEnd;
    if (this.size === 0) this.writeLine(HEADER);
    return { events: this.records.length, truncatedBytes, skippedLines };
  }

  private loadLine(line: string): boolean {
    if (line === '') return true;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null) return false;
    const v = value as Record<string, unknown>;
    if (v.format !== undefined) return v.format === 'converge-webhook-sandbox-events';
    const bodyAt = line.indexOf(BODY_KEY);
    const receivedAt = typeof v.received_at === 'string' ? Date.parse(v.received_at) : NaN;
    if (
      typeof v.id !== 'number' ||
      !Number.isSafeInteger(v.id) ||
      typeof v.event_id !== 'string' ||
      typeof v.event_name !== 'string' ||
      typeof v.token_hash !== 'string' ||
      !Array.isArray(v.warnings) ||
      Number.isNaN(receivedAt) ||
      bodyAt === -1
    ) {
      return false;
    }
    // The key can only occur once outside strings, where JSON.stringify escapes every quote.
    const body = line.slice(bodyAt + BODY_KEY.length, -1);
    const record: EventRecord = {
      id: v.id,
      eventId: v.event_id,
      eventName: v.event_name,
      receivedAt,
      tokenHash: v.token_hash,
      warnings: v.warnings.length === 0 ? NO_WARNINGS : (v.warnings as Violation[]),
      body,
    };
    this.records.push(record);
    let ids = this.seen.get(record.tokenHash);
    if (!ids) this.seen.set(record.tokenHash, (ids = new Set()));
    ids.add(record.eventId);
    if (record.id >= this.nextId) this.nextId = record.id + 1;
    return true;
  }
}

/** Lock files this process holds: its own pid in a lock is stale only when the lock is not one of these. */
const heldLocks = new Set<string>();

/**
 * Creates the lock file, or takes over one whose process is gone (killed). A lock with this
 * process's own pid and not held here is stale too: a container restart reuses pids.
 */
function takeLock(path: string): void {
  if (heldLocks.has(path)) throw new StoreError(`the data folder is in use by another sandbox in this process; stop it first, or use another folder (the lock is ${path})`);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      heldLocks.add(path);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError(`cannot create the lock file ${path}: ${reason(error)}`);
    }
    let pid = NaN;
    try {
      pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      // Unreadable or vanished: treat as stale.
    }
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new StoreError(`the data folder is in use by another sandbox (process ${pid}); stop it, or use another --data folder (the lock is ${path})`);
    }
    try {
      unlinkSync(path);
    } catch {
      // Someone else removed it: try again.
    }
  }
  throw new StoreError(`cannot take the lock file ${path}: another sandbox is starting on the same folder`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e && typeof e.code === 'string' ? `${e.code} (${e.message.replace(/^\w+: /, '')})` : String(error instanceof Error ? error.message : error);
}
