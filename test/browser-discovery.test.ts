/**
 * How the page tests find their browser (test/fixtures/browser.ts), on a fake PATH of temporary
 * executables; and, through a real vitest run without a browser, that they are skipped with one
 * line outside CI and fail under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { findChromium, isCI, skipNotice } from './fixtures/browser.js';
import { root } from './helpers.js';

const base = mkdtempSync(join(tmpdir(), 'browser-discovery-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A folder holding the given files: executables unless their mode says otherwise. */
function folder(name: string, files: Record<string, number | 'dir'>): string {
  const dir = join(base, name);
  mkdirSync(dir);
  for (const [file, mode] of Object.entries(files)) {
    if (mode === 'dir') {
      mkdirSync(join(dir, file));
    } else {
      writeFileSync(join(dir, file), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, file), mode);
    }
  }
  return dir;
}

const google = folder('google', { 'google-chrome': 0o755, 'google-chrome-stable': 0o755 });
const debian = folder('debian', { chromium: 0o755 });
const broken = folder('broken', { chromium: 0o644, 'chromium-browser': 'dir' });
const ubuntu = folder('ubuntu', { 'chromium-browser': 0o755 });
const path = (...dirs: string[]) => dirs.join(delimiter);

describe('findChromium', () => {
  it('finds nothing in an empty environment, and says where it looked', () => {
    expect(findChromium({})).toEqual({
      found: false,
      misconfigured: false,
      reason: 'no Chromium found: $CHROMIUM_PATH and $CHROME_PATH are not set, and none of chromium, chromium-browser, google-chrome, google-chrome-stable is on PATH',
    });
    expect(findChromium({ PATH: path(join(base, 'missing'), base) }).found).toBe(false);
  });

  it('takes the usual names in order (chromium, chromium-browser, google-chrome, google-chrome-stable), whatever the order of PATH', () => {
    expect(findChromium({ PATH: path(google, debian) })).toEqual({ found: true, path: join(debian, 'chromium'), from: 'chromium on PATH' });
    expect(findChromium({ PATH: path(google, ubuntu) })).toEqual({ found: true, path: join(ubuntu, 'chromium-browser'), from: 'chromium-browser on PATH' });
    expect(findChromium({ PATH: path(google) })).toEqual({ found: true, path: join(google, 'google-chrome'), from: 'google-chrome on PATH' });
  });

  it('skips a file that is not executable, a folder of that name, and relative PATH entries', () => {
    expect(findChromium({ PATH: path(broken, google) })).toEqual({ found: true, path: join(google, 'google-chrome'), from: 'google-chrome on PATH' });
    expect(findChromium({ PATH: path(broken) }).found).toBe(false);
    expect(findChromium({ PATH: path('.', 'relative/bin') }).found).toBe(false);
  });

  it('prefers $CHROMIUM_PATH, then $CHROME_PATH, to anything on PATH', () => {
    const env = { PATH: path(debian), CHROMIUM_PATH: join(ubuntu, 'chromium-browser'), CHROME_PATH: join(google, 'google-chrome') };
    expect(findChromium(env)).toEqual({ found: true, path: join(ubuntu, 'chromium-browser'), from: '$CHROMIUM_PATH' });
    expect(findChromium({ ...env, CHROMIUM_PATH: '' })).toEqual({ found: true, path: join(google, 'google-chrome'), from: '$CHROME_PATH' });
  });

  it('reports a variable that names no browser as a mistake, rather than looking elsewhere', () => {
    const missing = join(base, 'nowhere/chromium');
    expect(findChromium({ PATH: path(debian), CHROMIUM_PATH: missing })).toEqual({
      found: false,
      misconfigured: true,
      reason: `$CHROMIUM_PATH is "${missing}", which is not an executable file given by its absolute path`,
    });
    expect(findChromium({ CHROME_PATH: join(broken, 'chromium') })).toMatchObject({ found: false, misconfigured: true });
    expect(findChromium({ CHROME_PATH: 'debian/chromium' })).toMatchObject({ found: false, misconfigured: true });
  });
});

describe('isCI and the skip line', () => {
  it('treats CI=true and CI=1 as CI, and nothing else', () => {
    for (const value of ['true', 'TRUE', '1']) expect(isCI({ CI: value }), value).toBe(true);
    for (const value of [undefined, '', 'false', '0', 'yes']) expect(isCI({ CI: value }), String(value)).toBe(false);
  });

  it('says why and how to get a browser', () => {
    const search = findChromium({});
    if (search.found) throw new Error('no browser expected in an empty environment');
    expect(skipNotice(search)).toBe(
      '*** Browser tests SKIPPED: no Chromium found: $CHROMIUM_PATH and $CHROME_PATH are not set, and none of chromium, chromium-browser, google-chrome, ' +
        'google-chrome-stable is on PATH. Install one (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH=/path/to/chromium. Under CI=true they fail instead. ***',
    );
  });
});

describe('a run without a browser', () => {
  /** vitest on both browser test files, with no browser on PATH and none named. */
  function run(ci: boolean) {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: join(base, 'empty-path'), NO_COLOR: '1' };
    delete env.CHROMIUM_PATH;
    delete env.CHROME_PATH;
    delete env.CI;
    if (ci) env.CI = 'true';
    const result = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/sandbox-logs.test.ts', 'test/logs-hostile.test.ts'], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  it('skips the browser tests outside CI, with the one line once for the whole run', () => {
    const { status, output } = run(false);
    expect(status, output).toBe(0);
    expect(output.split('*** Browser tests SKIPPED').length - 1, output).toBe(1);
    // Every test of the two files skipped, none run (the count is theirs: it grows with them).
    expect(output).toMatch(/Tests +(\d+) skipped \(\1\)\n/);
    expect(output).toMatch(/Test Files +2 skipped \(2\)/);
  }, 120_000);

  it('fails them under CI=true, naming what is missing', () => {
    const { status, output } = run(true);
    expect(status, output).toBe(1);
    expect(output).not.toContain('Browser tests SKIPPED');
    expect(output).toContain('(CI=true: the browser tests must run). Install Chromium (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.');
  }, 120_000);
});
