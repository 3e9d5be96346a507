/**
 * The README's `verify` outputs against a relay written from the vendor's docs
 * (test/fixtures/relay.ts) and an Express + express-openapi-validator receiver
 * (test/fixtures/receivers.ts) are what a real run prints: the block headers shown, the
 * summary (every rule block with its count), the counts line and the check total. The README
 * abridges the blocks in between; the lines it shows must be real.
 * Real Dredd and real HTTP on 127.0.0.1, in-process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { formatText } from '../src/verify/report.js';
import { runVerify } from '../src/verify/verify.js';
import { startExpressReceiver, type RunningReceiver } from './fixtures/receivers.js';
import { startRelay } from './fixtures/relay.js';
import { root } from './helpers.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const TOKEN = 'demo-token-1234567890';

/** The console block that starts with `$ npx converge-webhook verify --url <url> ...`. */
function block(url: string): string {
  const start = readme.indexOf(`$ npx converge-webhook verify --url ${url} `);
  expect(start, `README has no verify block for ${url}`).toBeGreaterThan(0);
  return readme.slice(start, readme.indexOf('\n```', start));
}

/** The lines that must match a real run: block headers, the summary, the verdict and the counts; the port and the time left out. */
function summary(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^(FAIL|DEVIATION) \d+\. |^\d+ rules? broken in |^\d+ recommendations? not followed in |^ {2}\S.*:$|^ {4}(FAIL|DEVIATION) \d+\. |^http:\/\/|^\d+ passed/.test(line))
    .map((line) => line.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:PORT').replace(/ in \d+\.\d s /, ' in N s '));
}

/** `headers`: how many blocks the README shows in full (the others stand behind `...`). */
async function check(url: string, headers: number, start: () => Promise<RunningReceiver>) {
  const shown = summary(block(url));
  const receiver = await start();
  try {
    const real = summary(formatText(await runVerify({ url: receiver.url, token: receiver.token })));
    // Every header the README shows is a real one, and the summary after the blocks is the real one, whole.
    const shownHeaders = shown.filter((line) => /^(FAIL|DEVIATION) /.test(line));
    expect(shownHeaders).toHaveLength(headers);
    expect(shownHeaders.filter((line) => !real.includes(line))).toEqual([]);
    expect(shown.filter((line) => !/^(FAIL|DEVIATION) /.test(line))).toEqual(real.filter((line) => !/^(FAIL|DEVIATION) /.test(line)));
  } finally {
    await receiver.stop();
  }
}

describe("the README's verify outputs", () => {
  it('against the relay written from the vendor\'s docs', async () => {
    await check('http://127.0.0.1:4391', 2, () => startRelay({ token: TOKEN }));
  });

  it('against Express + express-openapi-validator', async () => {
    await check('http://127.0.0.1:3000', 0, () => startExpressReceiver({ token: TOKEN }));
  });
});
