/**
 * The top self-time functions of a V8 CPU profile (`node --cpu-prof`), as a table: where a
 * server spends its time. Also a command: `npx tsx bench/profile-summary.ts FILE [N]`.
 */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';

import { root } from './processes.ts';
import { formatTable } from './table.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  function: string;
  where: string;
  ms: number;
  share: number;
}

/** Self time per function (by name and place), largest first. */
export function selfTimes(file: string): { total: number; functions: SelfTime[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, SelfTime>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; it belongs to the sample taken then.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)!.callFrame;
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const entry = totals.get(key) ?? { function: name, where, ms: 0, share: 0 };
    entry.ms += ms;
    totals.set(key, entry);
    total += ms;
  });
  const functions = [...totals.values()].sort((a, b) => b.ms - a.ms);
  for (const f of functions) f.share = f.ms / total;
  return { total, functions };
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith('node:')) return path;
  return path.startsWith(root) ? relative(root, path) : path;
}

/** Totals by category too: idle, GC, our code, Node's code, the rest. */
export function summariseProfile(file: string, top = 20): string {
  const { total, functions } = selfTimes(file);
  const busy = functions.filter((f) => f.function !== '(idle)' && f.function !== '(program)');
  const sum = (pick: (f: SelfTime) => boolean) => functions.filter(pick).reduce((n, f) => n + f.ms, 0);
  const idle = sum((f) => f.function === '(idle)');
  const gc = sum((f) => f.function === '(garbage collector)');
  const ours = sum((f) => f.where.startsWith('dist/') || f.where.startsWith('generated/'));
  const node = sum((f) => f.where.startsWith('node:'));
  const busyMs = total - idle;
  // Shares of the busy time: the process also idles between runs, which says nothing about its cost.
  const share = (ms: number) => `${((ms / busyMs) * 100).toFixed(1)}%`;
  return [
    formatTable(
      `CPU profile ${basename(file)}: top ${top} functions by self time (${(busyMs / 1000).toFixed(1)} s busy of ${(total / 1000).toFixed(1)} s sampled)`,
      ['function', 'where', 'self ms', 'of busy'],
      busy.slice(0, top).map((f) => [f.function, f.where, f.ms.toFixed(0), share(f.ms)]),
    ),
    `busy time by kind: this package (dist/, generated/) ${share(ours)}, Node's own JavaScript (node:*) ${share(node)}, ` +
      `garbage collector ${share(gc)}, the rest (native code such as writev, V8 builtins, (program)) ${share(busyMs - gc - ours - node)}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('Usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [N]');
    process.exitCode = 2;
  } else {
    console.log(summariseProfile(file, Number(top ?? 25)));
  }
}
