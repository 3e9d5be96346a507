/**
 * The README's "Receiving WebEngage webhooks": its receiver, taken from README.md exactly as shown
 * and run as receiver.mjs with node, gets every valid example of spec/webengage/examples delivered
 * the way WebEngage delivers it (test/fixtures/webengage-receivers.ts), so the README cannot go
 * stale; and its CI job is valid YAML whose steps start that receiver (run here in bash, on a free
 * port) and call `verify --contract webengage` with the flags verify takes.
 *
 * The example imports the package by name: written inside the checkout (test-results/, ignored by
 * git), that import resolves through package.json "exports" to dist/, so this needs
 * `npm run build` first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { TEST_ACCOUNT, deliver, deliveryOf, secretOf, webengageManifest, type WebengageAccount } from './fixtures/webengage-receivers.js';
import { freePort, root } from './helpers.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced block of `language` after the one comment starting with `marker`, exactly as the README shows it. */
function blockAfter(marker: string, language: string): string {
  const at = readme.indexOf(marker);
  if (at === -1 || readme.indexOf(marker, at + 1) !== -1) throw new Error(`README.md: expected one "${marker}" comment`);
  const match = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(readme.slice(at));
  if (!match || readme.slice(at, at + match.index).includes('```')) throw new Error(`README.md: expected a \`\`\`${language} block right after "${marker}"`);
  return match[1]!;
}

const source = blockAfter('<!-- readme-webengage-receiver', 'js');
const ciText = blockAfter('<!-- readme-webengage-ci', 'yaml');
const valid = webengageManifest('valid');
const invalid = webengageManifest('invalid');
let dir: string;

beforeAll(() => {
  if (!existsSync(join(root, 'dist/esm/generated/webengage/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  mkdirSync(join(root, 'test-results'), { recursive: true });
  dir = mkdtempSync(join(root, 'test-results', 'readme-webengage-'));
  writeFileSync(join(dir, 'receiver.mjs'), source);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<void>;
}

function track(child: ChildProcess): Started {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** The README's receiver on a free port chosen by the system (PORT=0), for `account` (or none). */
async function startReadmeReceiver(account: WebengageAccount | undefined): Promise<Started & { url: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', WEBENGAGE_LICENSE_CODE: account?.licenseCode ?? '', WEBENGAGE_SECRET_KEY: account?.secretKey ?? '' };
  if (!account) {
    delete env.WEBENGAGE_LICENSE_CODE;
    delete env.WEBENGAGE_SECRET_KEY;
  }
  const started = track(spawn(process.execPath, [join(dir, 'receiver.mjs')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const deadline = Date.now() + 20_000;
  let match: RegExpExecArray | null;
  while (!(match = /^listening on port (\d+)\n/.exec(started.stdout()))) {
    if (started.child.exitCode !== null || Date.now() > deadline) throw new Error(`the README's receiver printed no port; stdout: ${started.stdout()}\nstderr: ${started.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { ...started, url: `http://127.0.0.1:${match[1]}` };
}

describe("the README's WebEngage receiver", () => {
  it('uses the helpers the section names, node:http and nothing else', () => {
    expect(source).toContain("import { createServer } from 'node:http';");
    expect(source).toContain("from 'converge-webhook-contract/webengage';");
    for (const name of ['verifyWebengageSecret', 'validateBody', 'parsePushNotificationContent', 'parseWebengageTime']) expect(source).toContain(`${name}(`);
    expect(source.match(/^import /gm)).toHaveLength(2);
    // The section says what the receiver does in 20 lines; keep it that small.
    expect(source.trimEnd().split('\n').length).toBeLessThanOrEqual(22);
  });

  it('answers exactly 200 to every valid example on its webhook path, and logs each once with its time and push content read', async () => {
    const receiver = await startReadmeReceiver(TEST_ACCOUNT);
    try {
      for (const entry of valid) expect((await deliver(receiver.url, deliveryOf(entry))).status, `${entry.webhook} ${entry.file}`).toBe(200);
      const lines = receiver.stdout().trimEnd().split('\n').slice(1);
      expect(lines).toHaveLength(valid.length);
      expect(lines[0]).toBe("events push_notification_accepted 2016-06-01T15:53:59.000Z json []");
      expect(lines).toContain("events push_notification_rejected 2016-06-01T15:53:58.000Z code []");
      expect(lines).toContain("journey journey_activated 2017-03-06T11:00:52.000Z invalid []");
      expect(lines).toContain("events push_notification_close 2024-07-14T18:05:11.000Z json []");
      expect(lines).toContain("events push_notification_accepted 2016-06-01T15:53:59.123Z json []");
      expect(lines).toContain("feedback undefined not-a-string invalid []");
      expect(receiver.stderr()).toBe('');
    } finally {
      receiver.child.kill('SIGTERM');
      await receiver.exited;
    }
  }, 60_000);

  it("refuses a wrong secret, none, another account's and upper-case hex with 401; answers 404 off its paths; 200 and its errors to a broken body; dedupes on x-request-id", async () => {
    const receiver = await startReadmeReceiver(TEST_ACCOUNT);
    try {
      for (const entry of invalid.filter((e) => e.status === 401)) expect((await deliver(receiver.url, deliveryOf(entry))).status, entry.summary).toBe(401);
      expect((await deliver(receiver.url, { ...deliveryOf(valid[0]!), secret: secretOf(TEST_ACCOUNT).toUpperCase() })).status).toBe(401);
      expect((await deliver(receiver.url, { ...deliveryOf(valid[0]!), path: '/webengage/unknown' })).status).toBe(404);
      expect((await deliver(receiver.url, { ...deliveryOf(valid[0]!), path: '/' })).status).toBe(404);
      expect(receiver.stdout().split('\n').filter(Boolean)).toHaveLength(1);

      for (const entry of invalid.filter((e) => e.status === 200)) expect((await deliver(receiver.url, deliveryOf(entry))).status, entry.summary).toBe(200);
      expect(receiver.stdout()).toContain("events undefined not-a-string invalid [ 'invalid-json' ]\n");
      expect(receiver.stdout()).toContain("events push_notification_accepted 2016-06-01T15:53:59.000Z invalid [ 'push-content-not-string' ]\n");
      expect(receiver.stdout()).toContain("events push_notification_accepted timestamp-missing-timezone json [ 'timestamp-missing-timezone' ]\n");

      const before = receiver.stdout().split('\n').length;
      const replayed = { ...deliveryOf(valid[0]!), requestId: '0123456789abcdef0123456789abcdef' };
      expect((await deliver(receiver.url, replayed)).status).toBe(200);
      expect((await deliver(receiver.url, replayed)).status).toBe(200);
      expect((await deliver(receiver.url, { ...replayed, requestId: 'fedcba9876543210fedcba9876543210' })).status).toBe(200);
      expect(receiver.stdout().split('\n').length - before).toBe(2);
    } finally {
      receiver.child.kill('SIGTERM');
      await receiver.exited;
    }
  }, 60_000);

  it('refuses every delivery when it was started without the account', async () => {
    const receiver = await startReadmeReceiver(undefined);
    try {
      expect((await deliver(receiver.url, deliveryOf(valid[0]!))).status).toBe(401);
      expect((await deliver(receiver.url, { ...deliveryOf(valid[0]!), licenseCode: null, secret: null })).status).toBe(401);
    } finally {
      receiver.child.kill('SIGTERM');
      await receiver.exited;
    }
  });
});

describe("the README's CI job for a WebEngage receiver", () => {
  interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
  }
  const workflow = YAML.parse(ciText) as { jobs: Record<string, { 'runs-on': string; env: Record<string, string>; steps: Step[] }> };
  const job = Object.values(workflow.jobs)[0]!;
  const start = job.steps.find((s) => s.run?.includes('node receiver.mjs'))!;
  const verify = job.steps.find((s) => s.run?.includes('converge-webhook verify'))!;
  /** The verify step's words, as the shell splits them (double quotes kept off, variables left as written). */
  const words = verify.run!.trim().match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"(.*)"$/, '$1'));

  it('is one job of valid YAML: checkout, node 20, npm ci, the receiver, verify', () => {
    expect(YAML.parseDocument(ciText).errors).toEqual([]);
    expect(Object.keys(workflow.jobs)).toHaveLength(1);
    expect(job.steps.map((s) => s.uses ?? s.run!.split('\n')[0]!.split(' ').slice(0, 3).join(' '))).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'npm ci',
      'PORT=3000 node receiver.mjs',
      'npx converge-webhook verify',
    ]);
    expect(job.steps[1]!.with).toMatchObject({ 'node-version': 20 });
  });

  it('runs verify --contract webengage with --url, --license-code and --secret-key, from the job env, at the receiver the job starts', () => {
    expect(words.slice(0, 3)).toEqual(['npx', 'converge-webhook', 'verify']);
    const flags: Record<string, string> = {};
    for (let i = 3; i < words.length; i += 2) {
      expect(words[i], `word ${i} of "${verify.run}"`).toMatch(/^--[a-z-]+$/);
      flags[words[i]!] = words[i + 1]!;
    }
    expect(flags).toEqual({
      '--contract': 'webengage',
      '--url': 'http://127.0.0.1:3000',
      '--license-code': '$WEBENGAGE_LICENSE_CODE',
      '--secret-key': '$WEBENGAGE_SECRET_KEY',
    });
    expect(Object.keys(job.env).sort()).toEqual(['WEBENGAGE_LICENSE_CODE', 'WEBENGAGE_SECRET_KEY']);
    // The port verify is pointed at is the one the receiver is started on and waited for.
    expect(start.run!.match(/\b3000\b/g)).toHaveLength(2);
  });

  it("whose receiver steps, run in bash (on a free port), start the README's receiver, which then takes the deliveries verify's URL and account make", async () => {
    const port = await freePort();
    const script = start.run!.replaceAll('3000', String(port));
    // Its own process group, so that the receiver it leaves running in the background is stopped with it.
    const shell = track(spawn('bash', ['-e', '-c', script], { cwd: dir, env: { ...process.env, ...job.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    try {
      await shell.exited;
      expect(shell.child.exitCode).toBe(0);
      const base = new URL(words[words.indexOf('--url') + 1]!.replace('3000', String(port)));
      expect(base.pathname).toBe('/');
      const account = { licenseCode: job.env.WEBENGAGE_LICENSE_CODE!, secretKey: job.env.WEBENGAGE_SECRET_KEY! };
      for (const entry of valid) expect((await deliver(base.origin, deliveryOf(entry, account))).status, `${entry.webhook} ${entry.file}`).toBe(200);
      expect((await deliver(base.origin, deliveryOf(valid[0]!, { ...account, secretKey: 'test-key-webengage-1' }))).status).toBe(401);
      expect(shell.stdout()).toMatch(new RegExp(`^listening on port ${port}\\n`));
    } finally {
      try {
        process.kill(-shell.child.pid!, 'SIGTERM');
      } catch {
        // the group is gone already
      }
    }
    // Nothing listens there any more (the signal takes a moment to land).
    const deadline = Date.now() + 5_000;
    let up = true;
    while (up && Date.now() < deadline) up = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    expect(up).toBe(false);
  }, 60_000);

  it("passes the CI job's verify step: the real verify, with the step's own flags, against the README's receiver", async () => {
    const account = { licenseCode: job.env.WEBENGAGE_LICENSE_CODE!, secretKey: job.env.WEBENGAGE_SECRET_KEY! };
    const receiver = await startReadmeReceiver(account);
    try {
      const port = new URL(receiver.url).port;
      const args = words.slice(3).map((w) => w.replace('127.0.0.1:3000', `127.0.0.1:${port}`).replace('$WEBENGAGE_LICENSE_CODE', account.licenseCode).replace('$WEBENGAGE_SECRET_KEY', account.secretKey));
      // --strict too: nothing to report, not even a recommendation left unfollowed; everything sent but the body limit, which verify describes and never sends.
      const run = spawnSync(process.execPath, [join(root, 'bin/converge-webhook.js'), 'verify', ...args, '--cases', '20', '--strict', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      const result = JSON.parse(run.stdout) as { ok: boolean; counts: { failed: number; deviations: number; total: number; skipped: number }; notSent: Array<{ group: string }> };
      expect({ status: run.status, ok: result.ok, failed: result.counts.failed, deviations: result.counts.deviations, skipped: result.counts.skipped }, run.stderr).toEqual({ status: 0, ok: true, failed: 0, deviations: 0, skipped: 1 });
      expect(result.notSent.map((n) => n.group)).toEqual(['body-limit']);
      expect(result.counts.total).toBeGreaterThan(valid.length);
    } finally {
      receiver.child.kill();
      await receiver.exited;
    }
  }, 150_000);
});
