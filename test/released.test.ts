/**
 * Each contract's last released document, kept in the repo (spec/<id>/released/<version>.json),
 * against its current bundle: the diff engine (the engine of `converge-webhook diff`) must find
 * that the version bump carries every change. A contract with no released document (its first
 * version is new) has nothing to compare. The test names say the bump the changes need.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { diffDocuments, parseSemver, type DiffReport } from '../src/diff/index.js';
import { readRegistry } from '../src/registry.js';
import { root, runCli } from './helpers.js';

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

describe('the diff samples of the README and docs/DIFF.md', () => {
  /** Every ```console block that runs `npx converge-webhook diff`: the command and what it shows. */
  const samples = (file: string) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/```console\n\$ npx converge-webhook (diff [^\n]+)\n([\s\S]*?)```/g)].map((m) => ({ args: m[1]!.split(' '), shown: m[2]! }));

  it.each(['README.md', 'docs/DIFF.md'])('%s shows a sample change: the real output of the command it shows, run by the CLI', async (file) => {
    const found = samples(file);
    expect(found.map((s) => s.args.join(' '))).toEqual(['diff test/fixtures/diff-sample/openapi-0.2.0.yaml test/fixtures/diff-sample/openapi-0.2.1.yaml']);
    for (const { args, shown } of found) {
      const result = await runCli(args);
      expect(result.stderr).toBe('');
      expect(shown).toBe(result.stdout);
      // The verdict the sample shows is the exit code: NOT OK is 1.
      expect(result.code).toBe(result.stdout.trimEnd().endsWith(': OK.') ? 0 : 1);
      expect(result.code).toBe(1);
    }
  });

  it('the sample has a break for each audience, additions, and a narrowed recommendation that breaks nobody (senders under --strict)', async () => {
    const result = await runCli(['diff', '--json', 'test/fixtures/diff-sample/openapi-0.2.0.yaml', 'test/fixtures/diff-sample/openapi-0.2.1.yaml']);
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(report.changes.map((c) => [c.id, c.level, c.breaks.join(' ') || '-', c.strictBreaks.join(' ') || '-'])).toEqual([
      ['request-property-became-optional', 'error', 'receivers', 'receivers'],
      ['request-upper-bound-lowered', 'error', 'senders', 'senders'],
      ['request-optional-property-added', 'error', '-', '-'],
      ['request-enum-value-removed', 'warning', '-', 'senders'],
      ['response-status-added', 'error', '-', '-'],
    ]);
    expect(report).toMatchObject({ required: 'major', ok: false, suggested: '0.3.0' });
  });

  it('what the README says of the Converge release: 0.1.0 -> now breaks senders in responses only, receivers in the timestamp (widened), and the Event Spec mark is an addition', () => {
    const converge = runs.find((r) => r.contract.id === 'converge')!.report!;
    const timestamp = '/paths/~1api~1webhooks/post/requestBody/content/application~1json/schema/properties/timestamp/';
    expect(converge.changes.filter((c) => c.breaks.includes('senders')).filter((c) => !c.id.startsWith('response-'))).toEqual([]);
    expect(converge.changes.filter((c) => c.breaks.includes('receivers')).map((c) => [c.id, c.pointer.startsWith(timestamp)])).toEqual([
      ['request-pattern-widened', true],
      ['request-format-removed', true],
    ]);
    const marked = converge.changes.filter((c) => c.pointer.includes('/x-warning-schema'));
    expect(marked.map((c) => [c.id, c.level, c.breaks, c.bump])).toEqual([['request-subschema-added', 'warning', [], 'minor']]);
  });
});
