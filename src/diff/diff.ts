/**
 * The diff engine's entry: compare two OpenAPI 3.1 documents, decide whom each change breaks
 * (levels and --strict included) and whether the version bump carries the changes. Pure: no
 * file or process access, so it runs in any JavaScript runtime.
 */
import { checkRoot, compareDocuments } from './operations.js';
import { type SourceDocument, describe, isObject } from './refs.js';
import { type Audience, roles } from './rules.js';
import { type Bump, carries, largest, type Movement, movement, nextVersion, parseSemver, type Semver } from './version.js';
import { type FoundChange, Walk } from './walk.js';

export interface DiffOptions {
  /** Count warning-level rules (x-level: warning) as errors, as `validate --strict` does. */
  strict?: boolean;
}

export interface Change {
  /** The rule that found it (src/diff/rules.ts). */
  id: string;
  /** Whom it breaks; empty for a compatible change. */
  breaks: Audience[];
  /** JSON pointer through the dereferenced document: the new one, or the old one for something removed. */
  pointer: string;
  message: string;
  /** The level of the rule it touches: `warning` breaks nobody unless --strict. */
  level: 'error' | 'warning';
  /** Whom it would break under --strict (differs from `breaks` only for warning-level changes). */
  strictBreaks: Audience[];
  /** The bump it needs. */
  bump: Bump;
  operation: string;
}

export interface VersionInfo {
  file: string;
  version: string;
}

export interface DiffReport {
  old: VersionInfo;
  new: VersionInfo;
  strict: boolean;
  changes: Change[];
  /** The smallest bump the changes need. */
  required: Bump;
  /** How the version moved, by the numbers (below 1.0.0 a minor bump is worth a major one: see version.ts). */
  bump: Movement;
  /** Whether the bump carries the changes. */
  ok: boolean;
  /** The smallest version that would, when `ok` is false. */
  suggested?: string;
}

export function diffDocuments(oldSource: SourceDocument, newSource: SourceDocument, options: DiffOptions = {}): DiffReport {
  const strict = options.strict === true;
  const walk = new Walk(oldSource, newSource);
  checkRoot(walk, 'old');
  checkRoot(walk, 'new');
  const before = version(walk, 'old');
  const after = version(walk, 'new');
  compareDocuments(walk);
  const changes = walk.changes.filter((found) => !found.hidden).map((found) => finish(found, strict));
  const required = largest(changes.map((c) => c.bump));
  const [from, to] = [before.parsed, after.parsed];
  const ok = carries(from, to, required, changes.length > 0);
  const report: DiffReport = {
    old: { file: walk.old.name, version: before.text },
    new: { file: walk.new.name, version: after.text },
    strict,
    changes,
    required,
    bump: movement(from, to),
    ok,
  };
  if (!ok) report.suggested = nextVersion(from, required);
  return report;
}

function version(walk: Walk, side: 'old' | 'new'): { text: string; parsed: Semver } {
  const resolver = walk.resolver(side);
  const document = resolver.root as Record<string, unknown>;
  const here = { url: resolver.url, pointer: '' };
  const info = document.info;
  if (!isObject(info)) throw resolver.error({ ...here, pointer: '/info' }, 'an info object with a version', describe(info));
  const text = info.version;
  if (typeof text !== 'string') throw resolver.error({ ...here, pointer: '/info/version' }, 'a semantic version such as "1.2.0"', describe(text));
  const parsed = parseSemver(text);
  if (!parsed) throw resolver.error({ ...here, pointer: '/info/version' }, 'a semantic version such as "1.2.0" (MAJOR.MINOR.PATCH)', describe(text));
  return { text, parsed };
}

/** Applies the levels: a rule at the warning level breaks its audience only under --strict. */
function finish(found: FoundChange, strict: boolean): Change {
  const { rule } = found;
  const { writers } = roles(rule.direction);
  // Narrowing is judged by the new rule (does it refuse?), widening by the old one (did it refuse?).
  const levelFor = (audience: Audience) => (!rule.schema ? 'error' : audience === writers ? found.newLevel : found.oldLevel);
  const breaks = rule.breaks.filter((a) => strict || levelFor(a) === 'error');
  const level =
    !rule.schema ? 'error'
    : rule.effect === 'narrows' ? found.newLevel
    : rule.effect === 'widens' ? found.oldLevel
    : found.oldLevel === 'warning' && found.newLevel === 'warning' ? 'warning'
    : 'error';
  const bump: Bump = breaks.length > 0 ? 'major' : rule.level === 'annotation' ? 'patch' : 'minor';
  const where = `${found.subject}${found.path === '' ? '' : `, ${found.path.replace(/^\./, '')}`}`;
  let message = `${where}: ${found.what}`;
  const unbroken = rule.breaks.filter((a) => !breaks.includes(a));
  if (level === 'warning' && strict && rule.breaks.length > 0) message += ' [warning level, counted as an error under --strict]';
  else if (unbroken.length > 0) message += ` [warning level: breaks ${unbroken.join(' and ')} only under --strict]`;
  else if (level === 'warning') message += ' [warning level]';
  return { id: rule.id, breaks, pointer: found.pointer, message, level, strictBreaks: [...rule.breaks], bump, operation: found.operation };
}

