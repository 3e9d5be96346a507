/**
 * The version policy: `info.version` is a semantic version, and the bump from the old document to
 * the new one must be at least what the changes need (a break: major; an addition: minor; any
 * other change: patch). Below 1.0.0 every number moves one place down, as Cargo and oasdiff read
 * semver: 0.MINOR acts as the major and 0.x.PATCH as the minor.
 */

export type Bump = 'major' | 'minor' | 'patch';
/** How the version moved, by the numbers. */
export type Movement = Bump | 'none' | 'decrease';

export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

// semver.org's grammar, anchored (an optional leading "v" as oasdiff allows); pre-release and build ignored.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function parseSemver(version: string): Semver | undefined {
  const m = SEMVER.exec(version);
  if (!m) return undefined;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  return [major, minor, patch].every(Number.isSafeInteger) ? { major, minor, patch } : undefined;
}

const RANK: Record<Movement, number> = { decrease: -1, none: 0, patch: 1, minor: 2, major: 3 };

/** The movement by the numbers, before the 0.x reading. */
export function movement(from: Semver, to: Semver): Movement {
  if (to.major !== from.major) return to.major > from.major ? 'major' : 'decrease';
  if (to.minor !== from.minor) return to.minor > from.minor ? 'minor' : 'decrease';
  if (to.patch !== from.patch) return to.patch > from.patch ? 'patch' : 'decrease';
  return 'none';
}

/** What the movement is worth: within 0.x a minor bump carries a break and a patch bump an addition. */
export function worth(from: Semver, to: Semver): Movement {
  const moved = movement(from, to);
  if (from.major === 0 && to.major === 0) return moved === 'minor' ? 'major' : moved === 'patch' ? 'minor' : moved;
  return moved;
}

export function largest(bumps: Iterable<Bump>): Bump {
  let result: Bump = 'patch';
  for (const bump of bumps) if (RANK[bump] > RANK[result]) result = bump;
  return result;
}

/**
 * Whether the new version carries the changes. With no change at all the version may stay; any
 * change needs at least a patch bump (a released version never changes its content); a version
 * never goes down.
 */
export function carries(from: Semver, to: Semver, required: Bump, changed: boolean): boolean {
  const value = worth(from, to);
  if (value === 'decrease') return false;
  if (!changed) return true;
  return RANK[value] >= RANK[required];
}

/** The smallest version that carries the changes. */
export function nextVersion(from: Semver, required: Bump): string {
  const zero = from.major === 0;
  if (required === 'major') return zero ? `0.${from.minor + 1}.0` : `${from.major + 1}.0.0`;
  if (required === 'minor' && !zero) return `${from.major}.${from.minor + 1}.0`;
  return `${from.major}.${from.minor}.${from.patch + 1}`;
}
