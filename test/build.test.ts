/**
 * `npm start` runs scripts/build.mjs --if-stale: after a build (npm test builds first), it
 * must not build again, and must say so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { root } from './helpers.js';

describe('scripts/build.mjs --if-stale (npm start)', () => {
  it('does not rebuild an up-to-date dist/, and says so', () => {
    const stamp = join(root, 'dist/.built');
    const before = { text: readFileSync(stamp, 'utf8'), mtime: statSync(stamp).mtimeMs };
    const run = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('dist/ is up to date (npm run build rebuilds it anyway)\n');
    expect({ text: readFileSync(stamp, 'utf8'), mtime: statSync(stamp).mtimeMs }).toEqual(before);
  });

  it('the stamp is the time the build started, no later than any file it built', () => {
    const started = Date.parse(readFileSync(join(root, 'dist/.built'), 'utf8').trim());
    expect(Number.isNaN(started)).toBe(false);
    expect(Math.abs(statSync(join(root, 'dist/.built')).mtimeMs - started)).toBeLessThan(1); // utimes keeps sub-millisecond rounding
    expect(statSync(join(root, 'dist/esm/src/cli.js')).mtimeMs).toBeGreaterThanOrEqual(started);
    expect(execFileSync('git', ['check-ignore', 'dist/.built'], { cwd: root, encoding: 'utf8' }).trim()).toBe('dist/.built');
  });
});
