/**
 * Issue 6 §3: load and faults. 50 concurrent clients send 20,000 events with 10% replays and
 * exactly the unique events are stored; then the sandbox (the CLI, a real process) is killed
 * with SIGKILL in the middle of such a load, twice, and every event that got a 200 is there
 * exactly once after each restart, with no manual repair of the store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

import { startSandbox, type RunningSandbox, type StoredEvent } from '../src/default-sandbox.js';
import { KeepAliveConnection, postRequest, type RawResponse } from './fixtures/hostile-http.js';
import { cliPath } from './helpers.js';

const TOKEN = 'load-test-token-0123456789';
const HEADERS = { 'Content-Type': 'application/json', 'X-Webhook-Token': TOKEN };
const CLIENTS = 50;

const dirs: string[] = [];
const children: ChildProcess[] = [];
const sandboxes: RunningSandbox[] = [];

afterAll(async () => {
  for (const sandbox of sandboxes) await sandbox.stop();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'load-test-'));
  dirs.push(dir);
  return dir;
}

/** A small deterministic PRNG (mulberry32): the same replays on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An event body; a replay carries a marker, so the test can tell which copy was kept. */
function body(id: string, replay: boolean): string {
  return JSON.stringify({
    event_name: 'Placed Order',
    event_id: id,
    properties: { id, total_price: 12.5, currency: 'USD', ...(replay ? { copy: 'replay' } : {}) },
    profile_properties: { $email: `${id}@example.com` },
    aliases: [`urn:email:${id}@example.com`],
  });
}

interface Send {
  id: string;
  replay: boolean;
}

/** `total` sends: about 10% replays of an id sent before (sometimes one still in flight). */
function plan(prefix: string, total: number, seed: number, earlier: string[] = []): Send[] {
  const next = random(seed);
  const sent = [...earlier];
  const sends: Send[] = [];
  for (let i = 0; sends.length < total; i += 1) {
    if (sent.length > 0 && next() < 0.1) {
      // Mostly recent ids (likely in flight at the same time), some old ones.
      const back = next() < 0.5 ? Math.floor(next() * Math.min(sent.length, 60)) : Math.floor(next() * sent.length);
      sends.push({ id: sent[sent.length - 1 - back]!, replay: true });
    } else {
      const id = `${prefix}-${i}`;
      sent.push(id);
      sends.push({ id, replay: false });
    }
  }
  return sends;
}

interface Outcome {
  id: string;
  replay: boolean;
  status: number;
  duplicate?: boolean;
}

/**
 * CLIENTS clients, each on its own keep-alive connection, take the sends in order from one
 * queue and send one at a time. A client stops at its first connection error (the server
 * died); `afterAnswer` runs after every answer (to pull the trigger of a kill).
 */
async function load(url: string, sends: Send[], afterAnswer: (outcomes: Outcome[]) => void = () => {}): Promise<{ outcomes: Outcome[]; failed: Send[] }> {
  const port = Number(new URL(url).port);
  const outcomes: Outcome[] = [];
  const failed: Send[] = [];
  let next = 0;
  const client = async () => {
    const connection = await KeepAliveConnection.open(port);
    try {
      while (next < sends.length) {
        const send = sends[next++]!;
        let answer: RawResponse;
        try {
          answer = await connection.request(postRequest(TOKEN, body(send.id, send.replay)));
        } catch {
          // No answer: the process is gone. Not acknowledged, so no promise was made.
          failed.push(send);
          return;
        }
        const json = JSON.parse(answer.body) as { duplicate?: boolean };
        outcomes.push({ ...send, status: answer.status, duplicate: json.duplicate });
        afterAnswer(outcomes);
      }
    } finally {
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { outcomes, failed };
}

describe('load', () => {
  it('stores exactly the unique events when 50 clients send 20,000 with 10% replays', async () => {
    const dir = tempDir();
    const sandbox = await startSandbox({ port: 0, token: TOKEN, dataDir: dir });
    sandboxes.push(sandbox);
    const sends = plan('load', 20_000, 6);
    const unique = new Set(sends.filter((s) => !s.replay).map((s) => s.id));
    expect(sends.length - unique.size).toBeGreaterThan(1800);

    const { outcomes, failed } = await load(sandbox.webhookUrl, sends);
    expect(failed).toEqual([]);
    expect(outcomes).toHaveLength(20_000);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    // Each unique id was stored by exactly one request; every other copy was told "duplicate".
    const firsts = outcomes.filter((o) => o.duplicate === false).map((o) => o.id);
    expect(firsts).toHaveLength(unique.size);
    expect(new Set(firsts)).toEqual(unique);
    expect(outcomes.filter((o) => o.duplicate === true)).toHaveLength(20_000 - unique.size);

    expect(sandbox.count()).toBe(unique.size);
    const stored = sandbox.events();
    expect(new Set(stored.map((e) => e.event_id))).toEqual(unique);
    // Sequence numbers 1..n without a gap; the copy kept is the one answered duplicate: false
    // (a replay on another connection may overtake its original: then the replay is kept).
    expect(stored.map((e) => e.id).sort((a, b) => a - b)).toEqual(Array.from({ length: unique.size }, (_, i) => i + 1));
    const keptReplay = new Map(outcomes.filter((o) => o.duplicate === false).map((o) => [o.id, o.replay]));
    const mismatched = stored.filter((e) => ((e.body as { properties: { copy?: string } }).properties.copy === 'replay') !== keptReplay.get(e.event_id));
    expect(mismatched).toEqual([]);
    // The same over HTTP, streamed.
    const listed = (await (await fetch(`${sandbox.url}/api/events`, { signal: AbortSignal.timeout(15_000) })).json()) as StoredEvent[];
    expect(listed).toHaveLength(unique.size);
    expect(new Set(listed.map((e) => e.event_id))).toEqual(unique);

    // And the same after a restart on the same folder.
    await sandbox.stop();
    sandboxes.splice(sandboxes.indexOf(sandbox), 1);
    const again = await startSandbox({ port: 0, token: TOKEN, dataDir: dir });
    sandboxes.push(again);
    expect(again.opened).toEqual({ events: unique.size, truncatedBytes: 0, skippedLines: 0 });
    expect(new Set(again.events().map((e) => e.event_id))).toEqual(unique);
  }, 60_000);
});

describe('SIGKILL in the middle of a load', () => {
  interface Cli {
    child: ChildProcess;
    start: { webhook_url: string; events_url: string; stored: number; repaired: { truncated_bytes: number; skipped_lines: number } };
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  }

  /** `converge-webhook sandbox --port 0 --json --quiet --data DIR`, resolved with its listening line. */
  function startCli(dir: string): Promise<Cli> {
    const child = spawn(process.execPath, [cliPath, 'sandbox', '--port', '0', '--json', '--quiet', '--data', dir, '--token', TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sandbox did not start: ${stderr}`)), 15_000);
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve({ child, start: JSON.parse(line), exited });
      });
      void exited.then(() => reject(new Error(`the sandbox exited: ${stderr}`)));
    });
  }

  async function storedIds(cli: Cli): Promise<string[]> {
    const res = await fetch(cli.start.events_url, { signal: AbortSignal.timeout(15_000) });
    expect(res.status).toBe(200);
    return ((await res.json()) as StoredEvent[]).map((e) => e.event_id);
  }

  it('keeps every acknowledged event exactly once, across two kills and restarts, with no manual repair', async () => {
    const dir = tempDir();
    const acknowledged = new Set<string>();
    const sentIds = new Set<string>();
    let earlier: string[] = [];

    for (const [round, killAfter] of [
      [1, 3000],
      [2, 2000],
    ] as const) {
      const cli = await startCli(dir);
      expect(cli.start.repaired.skipped_lines).toBe(0);
      // Round 2 replays round 1's events among its own: a replay after a crash is still a duplicate.
      const sends = plan(`kill${round}`, 20_000, round, earlier);
      for (const s of sends) sentIds.add(s.id);
      let killed = false;
      const { outcomes } = await load(cli.start.webhook_url, sends, (done) => {
        if (!killed && done.length >= killAfter) {
          killed = true;
          cli.child.kill('SIGKILL');
        }
      });
      expect(killed, `round ${round}: the load ended before the kill`).toBe(true);
      expect(await cli.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
      for (const o of outcomes) acknowledged.add(o.id);
      // Still sending when it died: it was killed in the middle of the load.
      expect(outcomes.length).toBeLessThan(sends.length);
      earlier = [...new Set(sends.filter((s) => !s.replay).map((s) => s.id))];

      // Restarted on the same folder: it opens by itself, cutting off at most a torn last line.
      const after = await startCli(dir);
      expect(after.start.repaired.skipped_lines).toBe(0);
      const ids = await storedIds(after);
      expect(ids.length).toBe(after.start.stored);
      expect(new Set(ids).size, 'an event stored twice').toBe(ids.length);
      const present = new Set(ids);
      const missing = [...acknowledged].filter((id) => !present.has(id));
      expect(missing, `round ${round}: acknowledged but lost`).toEqual([]);
      // Nothing that was never sent; events written but not yet acknowledged may be there (at least once).
      expect(ids.filter((id) => !sentIds.has(id))).toEqual([]);
      // Acknowledged events are duplicates now; the store takes new ones.
      const replays = [...acknowledged].slice(0, 50);
      for (const id of replays) {
        const res = await fetch(after.start.webhook_url, { method: 'POST', headers: HEADERS, body: body(id, true), signal: AbortSignal.timeout(5000) });
        expect(await res.json()).toMatchObject({ event_id: id, duplicate: true });
      }
      const fresh = await fetch(after.start.webhook_url, { method: 'POST', headers: HEADERS, body: body(`fresh-${round}`, false), signal: AbortSignal.timeout(5000) });
      expect(await fresh.json()).toMatchObject({ duplicate: false });
      acknowledged.add(`fresh-${round}`);
      sentIds.add(`fresh-${round}`);
      after.child.kill('SIGTERM');
      expect(await after.exited).toEqual({ code: 0, signal: null });
      // A clean stop leaves no lock behind.
      expect(readdirSync(dir)).toEqual(['events.jsonl']);
    }
    // Both rounds' acknowledged events, each once, after a clean stop too.
    const last = await startSandbox({ port: 0, token: TOKEN, dataDir: dir });
    sandboxes.push(last);
    expect(last.opened).toMatchObject({ truncatedBytes: 0, skippedLines: 0 });
    const ids = last.events().map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    const present = new Set(ids);
    expect([...acknowledged].filter((id) => !present.has(id))).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(4000);
  }, 90_000);
});
