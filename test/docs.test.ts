/**
 * The reference pages (scripts/docs.ts, `npm run docs`) and `converge-webhook docs`.
 *
 * The pages are built twice into temp folders (identical bytes), checked as HTML (generated
 * header, nothing loaded from elsewhere), then served by `converge-webhook docs --serve` from an
 * installed-package layout and opened in headless Chromium with every request that does not go
 * to loopback refused and recorded, to check what a person sees: the endpoint, the auth, the 13
 * standard event names, an example picked from the list, a decision where the vendor is silent.
 * Screenshots go to test-results/docs/. In a checkout layout, the command builds a missing or
 * stale page on first use, and the sandbox's start-up block points at it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { STANDARD_EVENT_NAMES } from '../generated/converge/index.js';
import { launchChromium, skipBrowserTests } from './fixtures/browser.js';
import { root } from './helpers.js';

const run = promisify(execFile);
const TSX = join(root, 'node_modules/tsx/dist/cli.mjs');

/** What each contract's page must show; the rest (tag, operation, examples) is read from its source. */
const CONTRACTS = [
  {
    id: 'converge',
    source: 'spec/converge/openapi.yaml',
    path: '/api/webhooks',
    /** The sample shows the example's event_id. */
    distinctive: 'event_id',
    decision: "Decision (a gap in the vendor's documents): a body is limited to 1 MiB",
  },
  {
    id: 'provesource',
    source: 'spec/provesource/openapi.yaml',
    path: '/webhooks/track/{webhookId}',
    distinctive: 'email',
    decision: 'The vendor documents no way to rotate an id in place (GAP)',
  },
] as const;
type Contract = (typeof CONTRACTS)[number];

let built: string;
let buildOutput: string[];
let rebuilt: string;
let installed: string;
const servers = new Map<string, { child: ChildProcess; url: string; exit: Promise<number | null> }>();
let browser: Browser;
const temps: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

function buildInto(out: string, ...extra: string[]) {
  return run(process.execPath, [TSX, join(root, 'scripts/docs.ts'), '--out', out, '--quiet', ...extra], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
}

function page(dir: string, id: string): string {
  return join(dir, id, 'docs/index.html');
}

/** A consumer's layout: the package's files under node_modules, as npm installs them (no scripts/, no tsx). */
function installedLayout(pages: string | undefined): string {
  const pkg = join(tempDir('converge-docs-installed-'), 'node_modules/converge-webhook-contract');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(root, 'spec'), join(pkg, 'spec'));
  cpSync(join(root, 'generated/contracts.json'), join(pkg, 'generated/contracts.json'));
  if (pages) for (const { id } of CONTRACTS) cpSync(page(pages, id), page(join(pkg, 'generated'), id));
  return pkg;
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(pkg: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(pkg, 'dist/esm/src/cli.js'), ...args], { cwd: pkg, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running command and resolves with its stdout once `ready` matches it. */
function startCli(pkg: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; stdout: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [join(pkg, 'dist/esm/src/cli.js'), ...args], { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${ready} within 30 s; stdout:\n${stdout}\nstderr:\n${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (ready.test(stdout)) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, exit });
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${ready}; stdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

function http(url: string, method: string): Promise<{ status: number; type: string | undefined; length: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let length = 0;
      res.on('data', (d: Buffer) => (length += d.length));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], length }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  built = tempDir('converge-docs-a-');
  rebuilt = tempDir('converge-docs-b-');
  buildOutput = (await Promise.all([buildInto(built), buildInto(rebuilt)])).flatMap(({ stdout, stderr }) => [stdout, stderr]);
  installed = installedLayout(built);
  // One server prints JSON lines, the other its text block.
  const converge = await startCli(installed, ['docs', '--contract', 'converge', '--serve', '--json'], /"event":"listening".*\n/);
  const listening = JSON.parse(converge.stdout().split('\n')[0]!) as Record<string, unknown>;
  const convergePage = page(join(installed, 'generated'), 'converge');
  expect(listening).toEqual({ event: 'listening', contract: 'converge', path: convergePage, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) });
  servers.set('converge', { child: converge.child, url: listening.url as string, exit: converge.exit });
  const provesource = await startCli(installed, ['docs', '--contract', 'provesource', '--serve'], /Press Ctrl-C to stop\.\n/);
  const text = /^The provesource reference is served on (http:\/\/127\.0\.0\.1:\d+\/)\n {2}page {6}(.+)\nPress Ctrl-C to stop\.\n$/.exec(provesource.stdout());
  expect(text?.[2], provesource.stdout()).toBe(page(join(installed, 'generated'), 'provesource'));
  servers.set('provesource', { child: provesource.child, url: text![1]!, exit: provesource.exit });
  if (!skipBrowserTests) browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers.values()) server.child.kill('SIGKILL');
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('npm run docs (scripts/docs.ts)', () => {
  it('prints nothing with --quiet', () => {
    expect(buildOutput).toEqual(['', '', '', '']);
  });

  it('writes one page per contract, and the same bytes when run again', () => {
    for (const { id } of CONTRACTS) {
      const first = readFileSync(page(built, id));
      const second = readFileSync(page(rebuilt, id));
      expect(first.length, id).toBeGreaterThan(100_000);
      expect(first.equals(second), `${id}: two builds differ`).toBe(true);
    }
  });

  it('says at the top of each page that it is generated, and by which script', () => {
    for (const { id } of CONTRACTS) {
      const firstLine = readFileSync(page(built, id), 'utf8').split('\n')[0];
      expect(firstLine, id).toMatch(/^<!-- Generated by scripts\/docs\.ts \(npm run docs\) from \S+.* with @redocly\/cli \d+\.\d+\.\d+ build-docs\. Do not edit/);
    }
  });

  it('loads nothing from elsewhere: no script or stylesheet by URL, a CSP that allows none, no telemetry', () => {
    for (const { id } of CONTRACTS) {
      const html = readFileSync(page(built, id), 'utf8');
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map(([, attributes]) => attributes);
      expect(scripts.length, id).toBeGreaterThan(0);
      expect(scripts.filter((attributes) => /\bsrc\s*=/.test(attributes!)), id).toEqual([]);
      // The markup outside the scripts: no <link>, and no src/href/url() that leaves the page.
      const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
      expect(markup, id).not.toMatch(/<link\b/i);
      // (Links, href on <a>, navigate only when clicked: the attribution links to redocly.com.)
      expect(markup.match(/\b(?:src|srcset|data|poster)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*|<use\b[^>]*href\s*=\s*["']?(?:https?:)?\/\//gi) ?? [], id).toEqual([]);
      expect(markup.match(/url\(\s*["']?(?:https?:)?\/\/[^)]*\)|@import/gi) ?? [], id).toEqual([]);
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(csp, id).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'( 'sha256-[A-Za-z0-9+/=]+')*; style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none';/);
      expect(html, id).not.toContain('cdn.redoc.ly/redoc/logo');
      expect(html, id).toContain('"disableTelemetry":true');
    }
  });
});

/** Opens a page with every non-loopback request refused and recorded, and CSP violations collected. */
async function open(url: string): Promise<{ page: Page; blocked: string[]; violations: () => Promise<string[]> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const target = new URL(route.request().url());
    if (target.protocol === 'http:' && target.hostname === '127.0.0.1') return route.continue();
    blocked.push(target.href);
    return route.abort();
  });
  await context.addInitScript(
    "window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));",
  );
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(url);
  return { page, blocked, violations: async () => (await page.evaluate('window.__violations')) as string[] };
}

const visible = (page: Page, text: string, exact = true) => page.getByText(text, { exact }).first().waitFor({ state: 'visible' });

/** Clicks an entry of the sidebar. */
async function menu(page: Page, label: string): Promise<void> {
  await page.locator('[data-component-name="Menu/MenuItem"]').getByText(label, { exact: true }).first().click();
}

interface Source {
  tag: string;
  summary: string;
  examples: Array<{ summary: string; value: Record<string, unknown> }>;
}

function readSource(contract: Contract): Source {
  const file = join(root, contract.source);
  const doc = YAML.parse(readFileSync(file, 'utf8')) as {
    tags: Array<{ name: string }>;
    paths: Record<string, { post: { summary: string; requestBody: { content: Record<string, { examples: Record<string, { summary: string; externalValue: string }> }> } } }>;
  };
  const operation = doc.paths[contract.path]!.post;
  const examples = Object.values(operation.requestBody.content['application/json']!.examples).map((example) => ({
    summary: example.summary,
    value: JSON.parse(readFileSync(join(dirname(file), example.externalValue), 'utf8')) as Record<string, unknown>,
  }));
  return { tag: doc.tags[0]!.name, summary: operation.summary, examples };
}

describe.skipIf(skipBrowserTests)('each reference page in Chromium, served by converge-webhook docs --serve, with the network refused', () => {
  for (const contract of CONTRACTS) {
    it(`${contract.id}: shows the endpoint, the auth, the examples and the decisions, and asks for nothing beyond loopback`, async () => {
      const source = readSource(contract);
      const { page, blocked, violations } = await open(servers.get(contract.id)!.url);
      try {
        // The overview: a decision where the vendor is silent.
        await visible(page, contract.decision, false);

        // The operation: method and path.
        await menu(page, source.tag);
        await menu(page, source.summary);
        await visible(page, source.summary);
        await visible(page, contract.path);
        expect(await page.getByText(contract.path, { exact: true }).first().locator('..').innerText()).toMatch(/^POST\s+/);

        // The auth.
        if (contract.id === 'converge') {
          await page.getByText('View security details', { exact: true }).click();
          await visible(page, 'Header parameter name:');
          await visible(page, 'X-Webhook-Token');
          await page.keyboard.press('Escape');
          await page.getByText('Header parameter name:', { exact: true }).waitFor({ state: 'hidden' });
        } else {
          await visible(page, 'webhookId');
          await visible(page, 'It is the secret', false);
        }

        // The examples: the first is shown; pick another from the list by its summary.
        const [first] = source.examples;
        await visible(page, first!.summary);
        const shown = async (value: unknown) => page.getByText(JSON.stringify(value), { exact: true }).first().isVisible();
        let picked: (typeof source.examples)[number] | undefined;
        for (const example of source.examples.slice(1)) {
          if (!(await shown(example.value[contract.distinctive]))) {
            picked = example;
            break;
          }
        }
        expect(picked, `an example whose ${contract.distinctive} is not on the page yet`).toBeDefined();
        await page.getByText(first!.summary, { exact: true }).first().click();
        await page.getByRole('menuitem', { name: picked!.summary, exact: true }).click();
        await visible(page, picked!.summary);
        await visible(page, JSON.stringify(picked!.value[contract.distinctive]));
        mkdirSync(join(root, 'test-results/docs'), { recursive: true });
        await page.screenshot({ path: join(root, `test-results/docs/${contract.id}.png`) });

        if (contract.id === 'converge') {
          // Every standard event name of the Event Spec, in the StandardEventName schema.
          await menu(page, 'Schemas');
          await menu(page, 'StandardEventName');
          for (const name of STANDARD_EVENT_NAMES) await visible(page, JSON.stringify(name));
          await page.screenshot({ path: join(root, 'test-results/docs/converge-event-names.png') });
          // Search works although the CSP refuses eval (Redoc then searches without a worker).
          await page.getByText('Search', { exact: false }).first().click();
          await page.keyboard.type('Refund');
          await visible(page, 'Received Refund of one item of an order, in euros', false);
        }

        expect(blocked).toEqual([]);
        // Redoc tries to start its search worker from a Function() string; the CSP refuses it
        // (no 'unsafe-eval'), which Redoc catches. Any other violation would be a load refused.
        expect((await violations()).filter((v) => v !== 'script-src eval')).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 90_000);
  }

  it('the server answers the page at / only, and stops cleanly on SIGTERM', async () => {
    const { url, child, exit } = servers.get('converge')!;
    const stopped = new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stdout!.on('end', () => resolve(out));
    });
    const get = await http(url, 'GET');
    expect(get).toEqual({ status: 200, type: 'text/html; charset=utf-8', length: statSync(page(built, 'converge')).size });
    expect((await http(`${url}index.html`, 'HEAD')).status).toBe(200);
    expect((await http(`${url}favicon.ico`, 'GET')).status).toBe(404);
    expect((await http(url, 'POST')).status).toBe(405);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(await stopped).toBe('{"event":"stopped","signal":"SIGTERM"}\n');
  });
});

describe('converge-webhook docs in an installed package', () => {
  it('prints the path of the page, or one JSON object', async () => {
    const text = await cli(installed, ['docs']);
    expect(text).toEqual({ code: 0, stdout: `${page(join(installed, 'generated'), 'converge')}\n`, stderr: '' });
    const json = await cli(installed, ['docs', '--contract', 'provesource', '--json']);
    expect(json.code).toBe(0);
    const path = page(join(installed, 'generated'), 'provesource');
    expect(JSON.parse(json.stdout)).toEqual({ contract: 'provesource', path, url: pathToFileURL(path).href });
  });

  it('usage errors: an unknown contract, --port without --serve (exit 2)', async () => {
    const unknown = await cli(installed, ['docs', '--contract', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--contract: expected one of converge, provesource, webengage, found "nope"');
    const port = await cli(installed, ['docs', '--port', '8080']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port needs --serve');
  });

  it('a page missing from the package: exit 1, said plainly', async () => {
    const bare = installedLayout(undefined);
    const result = await cli(bare, ['docs']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `converge-webhook: the reference page of "converge" is not in this package (expected ${page(join(bare, 'generated'), 'converge')}); it was packed without running "npm run docs"\n`,
    );
  });

  it.skipIf(process.platform !== 'linux')('--open: launches xdg-open with the page, or says plainly why not (exit 0 either way)', async () => {
    const bin = tempDir('converge-docs-bin-');
    const opened = join(bin, 'opened.txt');
    const path = page(join(installed, 'generated'), 'converge');
    const noDisplay = await cli(installed, ['docs', '--open'], { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' });
    expect(noDisplay).toEqual({
      code: 0,
      stdout: `${path}\n`,
      stderr: `converge-webhook: could not open a browser: no graphical session here (DISPLAY and WAYLAND_DISPLAY are not set). Open ${pathToFileURL(path).href} yourself.\n`,
    });
    const noOpener = await cli(installed, ['docs', '--open', '--json'], { ...process.env, DISPLAY: ':0', PATH: bin });
    expect(noOpener.code).toBe(0);
    expect(JSON.parse(noOpener.stdout)).toMatchObject({ opened: false, open_problem: 'xdg-open was not found on PATH' });
    // A stand-in for the desktop's opener: it records what it was asked to open.
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const launched = await cli(installed, ['docs', '--open', '--json'], { ...process.env, DISPLAY: ':0', PATH: `${bin}:/usr/bin:/bin` });
    expect(launched.code).toBe(0);
    expect(JSON.parse(launched.stdout)).toEqual({ contract: 'converge', path, url: pathToFileURL(path).href, opened: true });
    expect(readFileSync(opened, 'utf8')).toBe(pathToFileURL(path).href);
    const failing = join(bin, 'xdg-open');
    writeFileSync(failing, '#!/bin/sh\nexit 3\n');
    const refused = await cli(installed, ['docs', '--open'], { ...process.env, DISPLAY: ':0', PATH: `${bin}:/usr/bin:/bin` });
    expect(refused.code).toBe(0);
    expect(refused.stderr).toContain('could not open a browser: xdg-open exited with code 3.');
  });
});

describe('converge-webhook docs in a checkout', () => {
  it('builds a missing page on first use (progress on stderr), reuses it, rebuilds it when it is older than its bundle; the sandbox points at it', async () => {
    // A checkout's layout: scripts/docs.ts and the tools beside the package's files.
    const checkout = tempDir('converge-docs-checkout-');
    cpSync(join(root, 'dist'), join(checkout, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(checkout, 'package.json'));
    cpSync(join(root, 'scripts/docs.ts'), join(checkout, 'scripts/docs.ts'));
    for (const name of ['src', 'spec', 'node_modules']) symlinkSync(join(root, name), join(checkout, name));
    cpSync(join(root, 'generated/contracts.json'), join(checkout, 'generated/contracts.json'));
    cpSync(join(root, 'generated/converge/openapi/openapi.json'), join(checkout, 'generated/converge/openapi/openapi.json'));
    const path = page(join(checkout, 'generated'), 'converge');
    const sandboxDocsLine = async () => {
      const sandbox = await startCli(checkout, ['sandbox', '--memory', '--port', '0', '--quiet'], /Press Ctrl-C/);
      sandbox.child.kill('SIGTERM');
      expect(await sandbox.exit).toBe(0);
      return sandbox.stdout().split('\n').find((line) => line.startsWith('  docs '));
    };

    expect(await sandboxDocsLine()).toBe('  docs      npx converge-webhook docs --contract converge --serve');
    const first = await cli(checkout, ['docs', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ contract: 'converge', path, url: pathToFileURL(path).href });
    expect(first.stderr).toMatch(/^docs: building 1 reference page with @redocly\/cli \d+\.\d+\.\d+ .*\n {2}converge…\n {2}wrote generated\/converge\/docs\/index\.html \(\d+ KiB, [\d.]+ s\)\ndocs: done in [\d.]+ s\n$/);
    expect(readFileSync(path).equals(readFileSync(page(built, 'converge')))).toBe(true);
    expect(await sandboxDocsLine()).toBe(`  docs      ${pathToFileURL(path).href}`);

    const again = await cli(checkout, ['docs']);
    expect(again).toEqual({ code: 0, stdout: `${path}\n`, stderr: '' });

    // Older than the bundle it was built from: stale, so the sandbox no longer points at it and docs rebuilds it.
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(path, past, past);
    expect(await sandboxDocsLine()).toBe('  docs      npx converge-webhook docs --contract converge --serve');
    const stale = await cli(checkout, ['docs']);
    expect(stale.code).toBe(0);
    expect(stale.stdout).toBe(`${path}\n`);
    expect(stale.stderr).toContain('wrote generated/converge/docs/index.html');
    expect(statSync(path).mtimeMs).toBeGreaterThan(past.getTime() + 60_000);
    expect(await sandboxDocsLine()).toBe(`  docs      ${pathToFileURL(path).href}`);
  }, 120_000);
});
