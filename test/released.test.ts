/**
 * Each contract's last released document, kept in the repo (spec/<id>/released/<version>.json),
 * against its current bundle: the diff engine (the engine of `converge-webhook diff`) must find
 * that the version bump carries every change. A contract with no released document (its first
 * version is new) has nothing to compare. The test names say the bump the changes need.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { diffDocuments, formatText, parseSemver, type DiffReport } from '../src/diff/index.js';
import { readRegistry } from '../src/registry.js';
import { root } from './helpers.js';

const contracts = readRegistry(root).contracts;

/** The newest released document of a contract, or undefined when it has none. */
function lastReleased(id: string): { version: string; file: string } | undefined {
  const folder = join(root, 'spec', id, 'released');
  if (!existsSync(folder)) return undefined;
  const versions = readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((version) => parseSemver(version) !== undefined)
    .sort((a, b) => {
      const [x, y] = [parseSemver(a)!, parseSemver(b)!];
      return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
    });
  const version = versions.at(-1);
  return version === undefined ? undefined : { version, file: `spec/${id}/released/${version}.json` };
}

const read = (file: string) => ({ document: JSON.parse(readFileSync(join(root, file), 'utf8')) as unknown, name: file });

const runs = contracts.map((contract) => {
  const released = lastReleased(contract.id);
  const report: DiffReport | undefined = released ? diffDocuments(read(released.file), read(contract.openapi.json)) : undefined;
  return { contract, released, report };
});

describe('each contract against its last release', () => {
  it('Converge has a released document (0.1.0); ProveSource and WebEngage have none yet (their first version is new)', () => {
    expect(runs.map(({ contract, released }) => [contract.id, released?.version ?? null])).toEqual([
      ['converge', '0.1.0'],
      ['provesource', null],
      ['webengage', null],
    ]);
  });

  for (const { contract, released, report } of runs) {
    if (!released || !report) continue;
    const breaks = [...new Set(report.changes.flatMap((c) => c.breaks))].sort();
    it(`${contract.id} ${released.version} -> ${report.new.version}: ${report.changes.length} changes need a ${report.required} bump (breaking ${breaks.join(' and ') || 'nobody'}); the version carries them`, () => {
      expect(report.old.version).toBe(released.version);
      expect(report.new.version).toBe(contract.version);
      expect({ ok: report.ok, suggested: report.suggested }).toEqual({ ok: true, suggested: undefined });
    });
  }
});

describe("the README's diff sample", () => {
  it('is the real output of `converge-webhook diff spec/converge/released/0.1.0.json`', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const command = '$ npx converge-webhook diff spec/converge/released/0.1.0.json\n';
    const start = readme.indexOf(command);
    expect(start).toBeGreaterThan(0);
    const shown = readme.slice(start + command.length, readme.indexOf('```', start));
    const converge = runs.find((r) => r.contract.id === 'converge')!;
    // The CLI names <new>, the package's own document, by its path in the package.
    expect(shown).toBe(`${formatText(converge.report!)}\n`);
  });
});
