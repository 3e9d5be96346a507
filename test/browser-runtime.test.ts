/**
 * Issue 9, "Types and runtimes": validateBody inside a real Chromium page. The receiver of
 * test/fixtures/runtime-bodies.ts is bundled by esbuild for the browser (an ES module that
 * imports the package's main entry, dist/, which `npm test` builds first), served on loopback,
 * and called in the page with strings and with Uint8Arrays made there, so the page's own
 * TextDecoder does the decoding. Every answer must be the one the library gives in Node, to
 * the letter.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { validateBody } from '../generated/converge/index.js';
import { launchChromium, skipBrowserTests } from './fixtures/browser.js';
import { bodies, RECEIVER } from './fixtures/runtime-bodies.js';
import { root } from './helpers.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>validateBody in a page</title></head>
<body><script type="module">
import * as receiver from '/receiver.js';
window.receiver = receiver;
</script></body></html>`;

let server: Server;
let browser: Browser;
let page: Page;
let url: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: RECEIVER, resolveDir: root, sourcefile: 'receiver.js', loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  expect(bundle.warnings).toEqual([]);
  const script = bundle.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    else if (req.url === '/receiver.js') res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(script);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await page.waitForFunction(() => 'receiver' in globalThis);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** Calls the bundled receiver in the page; byte bodies become a Uint8Array there. */
async function receiveInPage(body: string | number[]): Promise<{ status: number; result: ReturnType<typeof validateBody> }> {
  const answer = await page.evaluate((b) => {
    const { receive } = (globalThis as unknown as { receiver: { receive: (body: string | Uint8Array) => string } }).receiver;
    return receive(typeof b === 'string' ? b : new Uint8Array(b));
  }, body);
  return JSON.parse(answer);
}

const inNode = (body: string | number[]) => JSON.parse(JSON.stringify(validateBody(typeof body === 'string' ? body : new Uint8Array(body))));

describe.skipIf(skipBrowserTests)('validateBody in Chromium', () => {
  it('runs in a page without Node: no process, Buffer or require there', async () => {
    expect(await page.evaluate(() => [typeof (globalThis as any).process, typeof (globalThis as any).Buffer, typeof (globalThis as any).require].join())).toBe('undefined,undefined,undefined');
    expect(pageErrors).toEqual([]);
  });

  it('gives the verdicts it gives in Node, for strings and Uint8Arrays', async () => {
    const answers: Record<string, Awaited<ReturnType<typeof receiveInPage>>> = {};
    for (const [name, body] of Object.entries(bodies())) {
      answers[name] = await receiveInPage(body);
      expect(answers[name]!.result, name).toEqual(inNode(body));
    }
    const codes = (name: string) => [...answers[name]!.result.errors, ...answers[name]!.result.warnings].map((v) => `${v.code} ${v.pointer}`);
    expect(answers.valid).toMatchObject({ status: 200, result: { valid: true, errors: [], warnings: [] } });
    expect(answers['valid as bytes']).toMatchObject({ status: 200, result: { valid: true, errors: [], warnings: [] } });
    expect((answers['valid as bytes']!.result as { value: { properties: { note: string } } }).value.properties.note).toBe('Café ✓ 🧾');
    expect(answers.warning!.status).toBe(200);
    expect(codes('warning')).toEqual(['property-type /properties/total_price']);
    expect(answers.invalid!.status).toBe(400);
    expect(codes('invalid')).toEqual(['empty-string /event_id', 'aliases-too-few /aliases']);
    expect(answers['not JSON']!.result.errors).toEqual([
      { code: 'invalid-json', pointer: '', message: "expected a property name in double quotes, found '}' at line 1, column 31" },
    ]);
    expect(answers['not UTF-8']).toEqual({
      status: 400,
      result: { valid: false, errors: [{ code: 'invalid-json', pointer: '', message: 'expected UTF-8 text, found a byte that is not UTF-8 at byte offset 18' }], warnings: [] },
    });
    expect(answers['cut short']!.result.errors[0]!.message).toBe('expected UTF-8 text, found a byte that is not UTF-8 at byte offset 15');
    expect(pageErrors).toEqual([]);
  });

  it.each([
    ['an overlong encoding of /', [0xc0, 0xaf]],
    ['a UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a 5-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ['a multi-byte character cut short', [0xe2, 0x82]],
  ])('names the byte offset of %s, with the page\'s TextDecoder', async (_name, bad) => {
    const head = [...Buffer.from('{"event_name":"Placed Order","event_id":"')];
    const answer = await receiveInPage([...head, ...bad, ...Buffer.from('"}')]);
    expect(answer).toEqual({
      status: 400,
      result: { valid: false, errors: [{ code: 'invalid-json', pointer: '', message: `expected UTF-8 text, found a byte that is not UTF-8 at byte offset ${head.length}` }], warnings: [] },
    });
  });
});
