/**
 * The sandbox's resident memory: idle, after N events with unique ids (stored on disk in a
 * temp data folder), and after a restart that reopens those N events. Read from
 * /proc/PID/status of the sandbox process (`converge-webhook sandbox`), a child of this one.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { runLoad, typicalEvent } from './load.ts';
import { residentMemory, startSandboxChild, withPlacement, type Placement } from './processes.ts';

export interface MemoryBench {
  events: number;
  idleRss: number;
  /** After the events, once the process had a second to settle. */
  loadedRss: number;
  /** VmHWM: the peak while taking the events. */
  loadedPeak: number;
  /** Bytes of the store file. */
  storeBytes: number;
  /** Events the store holds (GET /api/events?limit=1 gives the newest id). */
  stored: number;
  loadSeconds: number;
  /** The second start, on the same folder: time to the listening line, and memory then. */
  reopenSeconds: number;
  reopenStored: number;
  reopenRss: number;
}

/** How long to let the process settle before reading its memory (timers, GC after the burst). */
const SETTLE_MS = 1000;

export async function runMemoryBench(events: number, placement: Placement, progress: (message: string) => void): Promise<MemoryBench> {
  return withPlacement(placement, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-bench-memory-'));
    const dataDir = join(dir, 'store');
    try {
      progress('starting an idle sandbox');
      let sandbox = await startSandboxChild(dataDir, placement);
      let loadSeconds: number;
      let idleRss: number;
      let loaded: { rss: number; peak: number };
      let stored: number;
      try {
        await sleep(SETTLE_MS);
        idleRss = residentMemory(sandbox.pid).rss;
        progress(`sending ${events} events with unique ids`);
        const run = await runLoad({ url: sandbox.webhookUrl, token: sandbox.token, pid: sandbox.pid }, typicalEvent(), 'unique', { amount: events });
        loadSeconds = run.seconds;
        if (run.ok !== events) throw new Error(`memory: expected ${events} answers of 200, found ${run.ok} (${run.non2xx} non-2xx, ${run.errors} errors)`);
        await sleep(SETTLE_MS);
        loaded = residentMemory(sandbox.pid);
        const newest = (await (await fetch(`${sandbox.url}/api/events?limit=1`)).json()) as Array<{ id: number }>;
        stored = newest[0]?.id ?? 0;
      } finally {
        await sandbox.stop();
      }
      const storeBytes = statSync(join(dataDir, 'events.jsonl')).size;

      progress(`restarting the sandbox on the store of ${stored} events`);
      const started = process.hrtime.bigint();
      sandbox = await startSandboxChild(dataDir, placement);
      const reopenSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      try {
        await sleep(SETTLE_MS);
        return {
          events,
          idleRss,
          loadedRss: loaded.rss,
          loadedPeak: loaded.peak,
          storeBytes,
          stored,
          loadSeconds,
          reopenSeconds,
          reopenStored: sandbox.stored,
          reopenRss: residentMemory(sandbox.pid).rss,
        };
      } finally {
        await sandbox.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
