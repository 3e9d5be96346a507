/** The text report of `converge-webhook diff`: one line per change, grouped by audience, then the verdict. */
import type { DiffReport } from './diff.js';
import type { Audience } from './rules.js';
import { parseSemver, worth } from './version.js';

const WHO: Record<Audience, string> = {
  senders: 'senders (they make the requests: an API\'s clients under paths, the provider under webhooks)',
  receivers: 'receivers (they implement the endpoint and write the responses: an API\'s server, your webhook endpoint)',
};

export function formatText(report: DiffReport): string {
  const lines = [`old: ${report.old.file} (version ${report.old.version})`, `new: ${report.new.file} (version ${report.new.version})`];
  if (report.strict) lines.push('--strict: warning-level rules (x-level: warning) count as errors.');
  const line = (c: DiffReport['changes'][number]) => `  ${c.message}  (${c.id} at ${c.pointer})`;
  for (const audience of ['senders', 'receivers'] as const) {
    const broken = report.changes.filter((c) => c.breaks.includes(audience));
    lines.push('', `Breaks ${WHO[audience]}: ${broken.length === 0 ? 'nothing' : ''}`.trimEnd(), ...broken.map(line));
  }
  const compatible = report.changes.filter((c) => c.breaks.length === 0);
  lines.push('', `Breaks nobody: ${compatible.length === 0 ? 'nothing' : ''}`.trimEnd(), ...compatible.map(line));
  lines.push('', verdict(report));
  return lines.join('\n');
}

/** One sentence: what the changes need, how the version moved, and whether that is enough. */
export function verdict(report: DiffReport): string {
  const count = report.changes.length;
  const from = report.old.version;
  const to = report.new.version;
  const a = parseSemver(from);
  const b = parseSemver(to);
  // Below 1.0.0 each bump moves one number down: say which number that is.
  const below = a?.major === 0 ? { major: ' (below 1.0.0: the minor number)', minor: ' (below 1.0.0: the patch number)', patch: '' } : { major: '', minor: '', patch: '' };
  const changes = `${count} change${count === 1 ? '' : 's'}`;
  const need =
    count === 0 ? 'No changes: the version may stay.'
    : report.required === 'major' ? `${changes}, some breaking: a major bump is needed${below.major}.`
    : report.required === 'minor' ? `${changes}, none breaking, some adding: a minor bump is needed${below.minor}.`
    : `${changes}, none breaking or adding: a patch bump is needed.`;
  const zero = a !== undefined && b !== undefined && a.major === 0 && b.major === 0 && worth(a, b) !== report.bump;
  const moved =
    report.bump === 'decrease' ? `${from} → ${to} goes down`
    : report.bump === 'none' ? `the version stays ${to}`
    : `${from} → ${to} is a ${report.bump} bump${zero ? ` (below 1.0.0 it counts as a ${worth(a!, b!)} one)` : ''}`;
  return `${need} ${capitalize(moved)}: ${report.ok ? 'OK' : `NOT OK (use ${report.suggested} or later)`}.`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
