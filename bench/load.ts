/**
 * One load run with autocannon, in this process: 10 connections on loopback, POSTing the
 * same valid event (fixed body) or the same event with a fresh event_id per request.
 *
 * Latency is recorded here from autocannon's per-response timing (fractional milliseconds):
 * autocannon's own histogram keeps whole milliseconds, too coarse for sub-millisecond p50s.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import autocannon from 'autocannon';

import { cpuSeconds, machineBusySeconds, root } from './processes.ts';

export const CONNECTIONS = 10;

/** The typical event: the 10-item Placed Order (about 1.7 KB). */
export function typicalEvent(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(root, 'spec/converge/examples/valid/placed-order-10-items.json'), 'utf8')) as Record<string, unknown>;
}

export type BodyMode = 'fixed' | 'unique';

export interface LoadResult {
  /** Responses received (any status). */
  responses: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency percentiles of 2xx responses, milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** CPU time the server process used per answered request, microseconds (undefined: pid unknown). */
  serverCpuUsPerRequest?: number;
  /** Server CPU time / wall time: 1.0 is one core fully busy. */
  serverCpuShare?: number;
  /** This process's (the load generator's) CPU time / wall time. */
  generatorCpuShare: number;
  /**
   * CPU the rest of the machine used meanwhile, in cores (machine busy time less the server's
   * and the generator's, / wall time): other processes, and kernel work not charged to either
   * (interrupts, part of loopback networking). Well above its idle level means the run shared
   * the machine with something else, and its numbers are low.
   */
  otherCpuShare?: number;
}

export interface LoadTarget {
  url: string;
  token: string;
  /** The server's process, for its CPU time. */
  pid?: number;
}

/** The event's JSON text cut around its event_id, to splice in a fresh one per request. */
function bodyParts(event: Record<string, unknown>): [string, string] {
  const marker = '\u0000event-id\u0000';
  const text = JSON.stringify({ ...event, event_id: marker });
  const [before, after] = text.split(JSON.stringify(marker)) as [string, string];
  return [before, after];
}

let runCounter = 0;

export async function runLoad(target: LoadTarget, event: Record<string, unknown>, mode: BodyMode, length: { seconds: number } | { amount: number }): Promise<LoadResult> {
  const [before, after] = bodyParts(event);
  // Unique across runs of this process and across bench runs against a kept data folder.
  const prefix = `bench-${process.pid}-${Date.now().toString(36)}-${(runCounter += 1)}-`;
  let sequence = 0;
  const options: Record<string, unknown> = {
    url: target.url,
    method: 'POST',
    connections: CONNECTIONS,
    pipelining: 1,
    headers: { 'content-type': 'application/json', 'x-webhook-token': target.token },
    body: JSON.stringify(event),
    ...('amount' in length ? { amount: length.amount } : { duration: length.seconds }),
  };
  if (mode === 'unique') {
    options.requests = [
      {
        setupRequest: (request: { body: string }) => {
          request.body = `${before}"${prefix}${(sequence += 1)}"${after}`;
          return request;
        },
      },
    ];
  }

  let latencies = new Float64Array(1 << 16);
  let recorded = 0;
  let responses = 0;
  const cpuBefore = target.pid === undefined ? 0 : cpuSeconds(target.pid);
  const ownBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const started = process.hrtime.bigint();
  const instance = autocannon(options);
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    responses += 1;
    if (status < 200 || status > 299) return;
    if (recorded === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[recorded++] = ms;
  });
  const result = await instance;
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const own = process.cpuUsage(ownBefore);
  const cpu = target.pid === undefined ? undefined : cpuSeconds(target.pid) - cpuBefore;
  const machine = machineBusySeconds() - machineBefore;
  const ownSeconds = (own.user + own.system) / 1e6;

  const sorted = latencies.subarray(0, recorded).sort();
  const at = (q: number) => (recorded === 0 ? NaN : sorted[Math.min(recorded - 1, Math.floor(q * recorded))]!);
  // autocannon's duration is from the first connection to the stop; the rate is over it.
  const seconds = result.duration > 0 ? result.duration : wall;
  return {
    responses,
    ok: recorded,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    requestsPerSecond: recorded / seconds,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: recorded === 0 ? NaN : sorted[recorded - 1]!,
    serverCpuUsPerRequest: cpu === undefined || recorded === 0 ? undefined : (cpu * 1e6) / recorded,
    serverCpuShare: cpu === undefined ? undefined : cpu / wall,
    generatorCpuShare: ownSeconds / wall,
    otherCpuShare: cpu === undefined ? undefined : Math.max(0, machine - cpu - ownSeconds) / wall,
  };
}
