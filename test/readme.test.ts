import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { VIOLATION_CODES } from '../generated/converge/index.js';
import { CONVERGE } from './fixtures/contracts.js';
import { root } from './helpers.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('shows what validate prints: each console block that runs it gives exactly its output and its exit code', () => {
    const blocks = [...readme.matchAll(/```console\n\$ npx converge-webhook (validate [^\n]+)\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const [, command, output] of blocks) {
      const run = spawnSync(process.execPath, [join(root, 'bin/converge-webhook.js'), ...command!.split(' ')], { cwd: root, encoding: 'utf8' });
      expect(run.stdout, command).toBe(output);
      expect(run.status, command).toBe(/^(INVALID|\s*"valid": false)/m.test(output!) ? 1 : 0);
    }
  });

  it('lists exactly the violation codes of the code table (spec/converge/codes.yaml), with their level and meaning, as the library exports them', () => {
    const table = readme.split('<!-- violation-codes:start')[1]!.split('<!-- violation-codes:end -->')[0]!;
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    const codes = (YAML.parse(readFileSync(join(root, CONVERGE.codes), 'utf8')) as { codes: Array<{ code: string; level: string; meaning: string }> }).codes;
    expect(rows).toEqual(codes.map((v) => `| \`${v.code}\` | ${v.level} | ${v.meaning} |`));
    expect(Object.entries(VIOLATION_CODES).map(([code, v]) => ({ code, level: v.level, meaning: v.meaning }))).toEqual(codes.map(({ code, level, meaning }) => ({ code, level, meaning })));
  });

  it('names only example files that exist', () => {
    const paths = [...readme.matchAll(/spec\/(?:[\w-]+\/)?examples\/[\w./-]+\.json/g)].map((m) => m[0]);
    expect(paths.length).toBeGreaterThan(3);
    expect(paths.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });

  it('shows the two commands and the test command on its first screen', () => {
    const firstScreen = readme.split('\n').slice(0, 40).join('\n');
    expect(firstScreen).toContain('npm ci && npm start');
    expect(firstScreen).toContain('npm ci && npm test');
  });
});
