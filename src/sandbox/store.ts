/**
 * The sandbox's embedded event store.
 *
 * Decision: an append-only JSON Lines file, `events.jsonl` in the data folder, one line per
 * accepted event, written with a synchronous write BEFORE the sender gets its 200. Why:
 * - No event that got a 200 is lost when the process is killed (SIGKILL): once write(2)
 *   returns, the bytes are in the kernel's page cache, which outlives the process. Only a
 *   power loss or kernel crash can lose them; `fsync: true` (CLI `--fsync`) closes that gap
 *   at the price of one fdatasync per write.
 * - Group commit: the events accepted in one turn of the event loop go out in one write, and
 *   their 200s after it, so a burst of senders costs one system call (one flush with fsync).
 * - It opens without manual repair: a kill in the middle of a write can leave a torn last
 *   line (no final newline); it is cut off on open. A damaged line elsewhere (a disk fault,
 *   a hand edit) is skipped and counted, never fatal, and left in place for inspection.
 * - It is plain text a person can read, grep and diff.
 * The index lives in memory (rebuilt on open): a Map token-hash -> Set of event ids for
 * deduplication, and an array of small records. A record on disk keeps only where its body
 * is in the file (read back with pread when asked for), so memory stays flat however large
 * the bodies: about 150 bytes an event. In memory mode the record keeps the body's text.
 *
 * A line is `{"id":..,"received_at":..,"token_hash":..,<id key>:..,<name key>:..,"warnings":[..],
 * "body":<the body's own JSON text>}`, with `"violations":[..]` before "body" for a delivery
 * stored although it breaks a rule (a contract whose receiver answers 200 to it); the id and
 * name keys are LINE_KEYS below. The body is the sender's text byte for
 * byte, except that line breaks between JSON tokens become spaces (inside JSON strings they
 * cannot occur raw) and a UTF-8 byte order mark is dropped: numbers beyond 2^53, duplicate
 * keys and key order stay as sent. The first line is a header naming the format.
 *
 * Decision: the keys a line stores a delivery's id and name under (LINE_KEYS) are the format's
 * own words, as version 1 wrote them for its first contract, and stay so for every contract,
 * although they read like that contract's fields. Renaming them to neutral words (a version 2
 * with a table of the old keys) would buy nothing a user sees: GET /api/events and the Logs page
 * name a delivery's members from contract.yaml `events.record`, never from this file. It would
 * cost a second reader for every data folder already on disk, and an older sandbox could no
 * longer read a new folder (it would skip every line as damaged).
 *
 * One process per folder: a lock the kernel releases when its holder dies (lock.ts) refuses
 * a second sandbox on the same folder while the first is alive, and never a restart after a kill.
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import type { Violation } from '../engine/engine.js';
import { FolderLock, LockError, reason } from './lock.js';

export const STORE_FILE = 'events.jsonl';
const HEADER = '{"format":"converge-webhook-sandbox-events","version":1}\n';
/**
 * The keys a line stores a delivery's identity and name under, the format's own words since
 * version 1 (the decision above). `id`: the delivery's id as contract.yaml `events.id` finds it
 * (a body field, a header; "" when it has none), the key deduplication runs on; `name`: its
 * `events.name`, else its operation's id.
 */
const LINE_KEYS = { id: 'event_id', name: 'event_name' } as const;
const ID_KEY = JSON.stringify(LINE_KEYS.id);
const NAME_KEY = JSON.stringify(LINE_KEYS.name);
const BODY_KEY = ',"body":';
const BODY_KEY_BYTES = Buffer.from(BODY_KEY);
/** Shared by every record without warnings, so the common case costs no array. */
const NO_WARNINGS: Violation[] = Object.freeze([]) as unknown as Violation[];

/** A contract error as stored: a body's has a pointer, a request parameter's its place and name. */
export type StoredViolation = Violation | { code: string; in: string; name: string; message: string };

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
  /** The contract errors it was stored with (only where the contract stores such deliveries). */
  violations?: StoredViolation[];
  /** The body's JSON text, one line; undefined once it is in the file (read it with bodyText). */
  body: string | undefined;
  /** Where the body's text is in the file, in bytes (0 in memory mode). */
  bodyAt: number;
  bodyBytes: number;
}

/** What the caller gives to `add`. */
export interface NewEvent {
  eventId: string;
  eventName: string;
  receivedAt: number;
  tokenHash: string;
  warnings: Violation[];
  violations?: StoredViolation[];
  /** The body's JSON text. */
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
  /** Set when the data folder's path is too long for the lock's Unix socket: the temp folder that holds it instead. */
  lockFallbackDir?: string;
}

export class StoreError extends Error {}

/** Called once an event is written (error undefined), or could not be. */
export type Written = (error: StoreError | undefined) => void;

export class EventStore {
  readonly file: string | undefined;
  readonly opened: OpenReport;
  private readonly records: EventRecord[] = [];
  private readonly seen = new Map<string, Set<string>>();
  private readonly fsync: boolean;
  private fd: number | undefined;
  private lock: FolderLock | undefined;
  private size = 0;
  private nextId = 1;
  /** Goes up on every reset: a reader that spans several turns of the event loop checks it. */
  generation = 0;
  private pendingLines: string[] = [];
  private pendingRecords: EventRecord[] = [];
  private pendingBytes = 0;
  private waiters: Written[] = [];
  private flushScheduled = false;

  /**
   * Opens the store: in memory without `dataDir`; else takes the folder's lock (a second
   * sandbox on the folder is refused with a StoreError) and loads the file.
   */
  static async open(options: StoreOptions = {}): Promise<EventStore> {
    if (options.dataDir === undefined) return new EventStore(options, undefined);
    const dir = options.dataDir;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new StoreError(`cannot create the data folder ${dir}: ${reason(error)}`);
    }
    let lock: FolderLock;
    try {
      lock = await FolderLock.acquire(dir);
    } catch (error) {
      throw error instanceof LockError ? new StoreError(error.message) : error;
    }
    try {
      return new EventStore(options, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  private constructor(options: StoreOptions, lock: FolderLock | undefined) {
    this.fsync = Boolean(options.fsync);
    if (options.dataDir === undefined || lock === undefined) {
      this.opened = { events: 0, truncatedBytes: 0, skippedLines: 0 };
      return;
    }
    this.lock = lock;
    this.file = join(options.dataDir, STORE_FILE);
    try {
      this.fd = openSync(this.file, 'a+');
      this.opened = this.load(this.fd);
      if (lock.fallbackDir !== undefined) this.opened.lockFallbackDir = lock.fallbackDir;
    } catch (error) {
      this.close();
      throw error instanceof StoreError ? error : new StoreError(`cannot open the store ${this.file}: ${reason(error)}`);
    }
  }

  /** Tells a second sandbox that is refused where this one listens. */
  announce(url: string): void {
    if (this.lock) this.lock.url = url;
  }

  /** The id the next added event gets. */
  get nextSequence(): number {
    return this.nextId;
  }

  get count(): number {
    return this.records.length;
  }

  /** True when an event with this id was already stored for this token. */
  has(tokenHash: string, eventId: string): boolean {
    return this.seen.get(tokenHash)?.has(eventId) ?? false;
  }

  /**
   * Adds one event to the index at once (so a replay in the same instant is a duplicate) and
   * queues its line. `done` is called once the line is written: every event added in the same
   * turn of the event loop goes out in one write (group commit), so a burst costs one system
   * call, and with `fsync` one flush. When the write fails, the group is taken out of the
   * index again, the file is left as it was, and `done` gets the StoreError.
   */
  add(event: NewEvent, done: Written): EventRecord {
    const body = event.body.includes('\n') || event.body.includes('\r') ? event.body.replace(/[\r\n]+/g, ' ') : event.body;
    const warnings = event.warnings.length === 0 ? NO_WARNINGS : event.warnings;
    const record: EventRecord = {
      id: this.nextId,
      eventId: event.eventId,
      eventName: event.eventName,
      receivedAt: event.receivedAt,
      tokenHash: event.tokenHash,
      warnings,
      ...(event.violations && event.violations.length > 0 ? { violations: event.violations } : {}),
      body,
      bodyAt: 0,
      bodyBytes: 0,
    };
    this.index(record);
    if (this.fd === undefined) {
      done(undefined);
      return record;
    }
    // Field order matters: "body" last, so that its text is the end of the line.
    const head =
      `{"id":${record.id},"received_at":"${new Date(record.receivedAt).toISOString()}","token_hash":${JSON.stringify(record.tokenHash)},` +
      `${ID_KEY}:${JSON.stringify(record.eventId)},${NAME_KEY}:${JSON.stringify(record.eventName)},` +
      `"warnings":${warnings.length === 0 ? '[]' : JSON.stringify(warnings)}` +
      `${record.violations ? `,"violations":${JSON.stringify(record.violations)}` : ''}${BODY_KEY}`;
    const headBytes = Buffer.byteLength(head);
    record.bodyAt = this.size + this.pendingBytes + headBytes;
    record.bodyBytes = Buffer.byteLength(body);
    // The line is the head, the body, "}" and "\n".
    this.pendingBytes += headBytes + record.bodyBytes + 2;
    this.pendingLines.push(`${head}${body}}\n`);
    this.pendingRecords.push(record);
    this.waiters.push(done);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return record;
  }

  /** The body's JSON text; "null" when it is gone (the store was reset or closed meanwhile). */
  bodyText(record: EventRecord): string {
    if (record.body !== undefined) return record.body;
    if (this.fd === undefined) return 'null';
    const bytes = Buffer.allocUnsafe(record.bodyBytes);
    let read = 0;
    try {
      while (read < bytes.length) {
        const n = readSync(this.fd, bytes, read, bytes.length - read, record.bodyAt + read);
        if (n === 0) return 'null';
        read += n;
      }
    } catch {
      return 'null';
    }
    return bytes.toString('utf8');
  }

  /** Calls `done` once every event added so far is written: at once when none is waiting. */
  whenWritten(done: Written): void {
    if (this.pendingLines.length === 0) done(undefined);
    else this.waiters.push(done);
  }

  /** Writes the queued lines now, in one write. */
  flush(): void {
    this.flushScheduled = false;
    const lines = this.pendingLines;
    const waiters = this.waiters;
    if (lines.length === 0 && waiters.length === 0) return;
    const records = this.pendingRecords;
    this.pendingLines = [];
    this.pendingRecords = [];
    this.pendingBytes = 0;
    this.waiters = [];
    let error: StoreError | undefined;
    if (lines.length > 0) {
      try {
        this.writeLine(lines.length === 1 ? lines[0]! : lines.join(''));
        // In the file now: the memory copy can go.
        for (const record of records) record.body = undefined;
      } catch (e) {
        error = e as StoreError;
        for (let i = 0; i < lines.length; i += 1) this.unindexLast();
      }
    }
    for (const waiter of waiters) {
      try {
        waiter(error);
      } catch (e) {
        // One broken answer must not keep the others from theirs.
        process.emitWarning(`converge-webhook sandbox: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Matching events, newest first. */
  query(filter: EventFilter = {}): EventRecord[] {
    const out: EventRecord[] = [];
    const limit = filter.limit ?? Infinity;
    for (let i = this.records.length - 1; i >= 0 && out.length < limit; i -= 1) {
      const r = this.records[i]!;
      // Ids and receipt times only grow: once below the bound, every older record is too.
      if (filter.afterId !== undefined && r.id <= filter.afterId) break;
      // Receipt times follow the clock, which may step back: no early stop on them.
      if (filter.since !== undefined && r.receivedAt < filter.since) continue;
      if (filter.eventName !== undefined && r.eventName !== filter.eventName) continue;
      if (filter.eventId !== undefined && r.eventId !== filter.eventId) continue;
      out.push(r);
    }
    return out;
  }

  /** Forgets every event, on disk too. Ids start again from 1. */
  reset(): void {
    this.flush();
    this.generation += 1;
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
      this.flush();
      closeSync(this.fd);
      this.fd = undefined;
    }
    this.lock?.release();
    this.lock = undefined;
  }

  private index(record: EventRecord): void {
    this.records.push(record);
    let ids = this.seen.get(record.tokenHash);
    if (!ids) this.seen.set(record.tokenHash, (ids = new Set()));
    ids.add(record.eventId);
    if (record.id >= this.nextId) this.nextId = record.id + 1;
  }

  private unindexLast(): void {
    const record = this.records.pop();
    if (!record) return;
    this.seen.get(record.tokenHash)?.delete(record.eventId);
    this.nextId = record.id;
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
      // File offset of data[0].
      const base = position - pending.length;
      position += n;
      const data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        if (!this.loadLine(data, start, nl, base)) skippedLines += 1;
        goodEnd = base + nl + 1;
        start = nl + 1;
      }
      // Copy the unfinished line: `chunk` is reused by the next read.
      pending = Buffer.from(data.subarray(start));
    }
    const truncatedBytes = total - goodEnd;
    if (truncatedBytes > 0) ftruncateSync(fd, goodEnd);
    this.size = goodEnd;
    if (this.size === 0) this.writeLine(HEADER);
    return { events: this.records.length, truncatedBytes, skippedLines };
  }

  /** One line, data[start..end) at file offset base + start. False when it is damaged. */
  private loadLine(data: Buffer, start: number, end: number, base: number): boolean {
    if (end === start) return true;
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8', start, end));
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null) return false;
    const v = value as Record<string, unknown>;
    if (v.format !== undefined) return v.format === 'converge-webhook-sandbox-events';
    // The key can only occur once outside strings, where JSON.stringify escapes every quote
    // (and no byte of a multi-byte UTF-8 character is a quote).
    const keyAt = data.indexOf(BODY_KEY_BYTES, start);
    const receivedAt = typeof v.received_at === 'string' ? Date.parse(v.received_at) : NaN;
    const eventId = v[LINE_KEYS.id];
    const eventName = v[LINE_KEYS.name];
    if (
      typeof v.id !== 'number' ||
      !Number.isSafeInteger(v.id) ||
      typeof eventId !== 'string' ||
      typeof eventName !== 'string' ||
      typeof v.token_hash !== 'string' ||
      !Array.isArray(v.warnings) ||
      (v.violations !== undefined && !Array.isArray(v.violations)) ||
      Number.isNaN(receivedAt) ||
      keyAt === -1 ||
      keyAt >= end ||
      data[end - 1] !== 0x7d
    ) {
      return false;
    }
    const bodyStart = keyAt + BODY_KEY_BYTES.length;
    this.index({
      id: v.id,
      eventId,
      eventName,
      receivedAt,
      tokenHash: v.token_hash,
      warnings: v.warnings.length === 0 ? NO_WARNINGS : (v.warnings as Violation[]),
      ...(Array.isArray(v.violations) && v.violations.length > 0 ? { violations: v.violations as StoredViolation[] } : {}),
      body: undefined,
      bodyAt: base + bodyStart,
      bodyBytes: end - 1 - bodyStart,
    });
    return true;
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `since` is either a sequence number (events with a larger `id`: pass the largest id you
 * have seen, a cursor that never misses or repeats an event), or an RFC 3339 date-time with a
 * timezone (events received at or after that instant).
 */
export function parseSince(value: string): Pick<EventFilter, 'afterId' | 'since'> | string {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return { afterId: n };
  }
  const time = RFC3339.test(value) ? Date.parse(value) : NaN;
  if (!Number.isNaN(time)) return { since: time };
  return `expected a sequence number (the id of the last event you saw) or an ISO 8601 date-time with a timezone (2024-09-02T12:34:56Z), found ${JSON.stringify(value.slice(0, 40))}`;
}
