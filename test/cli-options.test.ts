/**
 * What the README and each command's --help promise about the servers, through the CLI as a
 * user runs it: --host, --memory (and the default store folder), --fsync, the default ports
 * (4010 for the mock, 4011 for the sandbox) and the default 10 s request timeout.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { exchange, postHead } from './fixtures/hostile-http.js';
import { runCli, spawnCli, type CliProcess } from './helpers.js';

const TOKEN = 'cli-options-token-0123456789';
const HEADERS = { 'Content-Type': 'application/json', 'X-Webhook-Token': TOKEN };
const dirs: string[] = [];
const started: CliProcess[] = [];

afterAll(async () => {
  for (const cli of started) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-options-'));
  dirs.push(dir);
  return dir;
}

function spawn(...args: Parameters<typeof spawnCli>): CliProcess {
  const cli = spawnCli(...args);
  started.push(cli);
  return cli;
}

/** Stops a CLI server the way Ctrl-C does and expects a clean exit. */
async function interrupt(cli: CliProcess): Promise<void> {
  cli.child.kill('SIGINT');
  expect(await cli.exited, cli.stderr()).toBe(0);
  started.splice(started.indexOf(cli), 1);
}

function event(id: string): string {
  return JSON.stringify({ event_name: 'Placed Order', event_id: id, properties: { total_price: 1 }, profile_properties: {}, aliases: [`urn:email:${id}@example.com`] });
}

async function post(url: string, id: string): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: HEADERS, body: event(id), signal: AbortSignal.timeout(10_000) });
  await res.text();
  return res.status;
}

/** The first line of `sandbox --json`. */
async function listening(cli: CliProcess): Promise<{ url: string; webhook_url: string; events_url: string }> {
  return JSON.parse((await cli.waitFor(/^\{"event":"listening".*\n/))[0]) as { url: string; webhook_url: string; events_url: string };
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether nothing listens on 127.0.0.1:port right now (so that a test may briefly take it). */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('--host', () => {
  it('sandbox: listens on the address given and only there', async () => {
    // Linux routes all of 127.0.0.0/8 to loopback: 127.0.0.2 is another local address.
    const cli = spawn(['sandbox', '--memory', '--port', '0', '--host', '127.0.0.2', '--token', TOKEN, '--json', '--quiet']);
    const start = await listening(cli);
    expect(start.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    const port = Number(new URL(start.url).port);
    expect(await post(start.webhook_url, 'host-1')).toBe(200);
    expect(await accepts('127.0.0.1', port)).toBe(false);
    await interrupt(cli);
    expect(cli.stderr()).toBe('');
  });

  it('mock: Prism listens on the address given and only there', async () => {
    const cli = spawn(['mock', '--port', '0', '--host', '127.0.0.2', '--quiet']);
    const [, url] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.2:\d+)\/api\/webhooks/, 30_000);
    expect(await post(`${url}/api/webhooks`, 'host-2')).toBe(200);
    expect(await accepts('127.0.0.1', Number(new URL(url!).port))).toBe(false);
    await interrupt(cli);
  }, 40_000);

  it('refuses an empty address and one that is not of this machine, with exit code 2', async () => {
    const empty = await runCli(['sandbox', '--memory', '--host', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--host: expected an address such as 127.0.0.1, found an empty string');
    // 192.0.2.0/24 is reserved for documentation: no machine has it.
    const foreign = await runCli(['sandbox', '--memory', '--port', '0', '--host', '192.0.2.1']);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('--host: expected an address of this machine such as 127.0.0.1, found "192.0.2.1" (EADDRNOTAVAIL)');
    // The mock says the same, before Prism starts (it was node's "listen EADDRNOTAVAIL", exit 1).
    const mock = await runCli(['mock', '--port', '0', '--host', '192.0.2.1']);
    expect(mock.code).toBe(2);
    expect(mock.stderr).toContain('converge-webhook: --host: expected an address of this machine such as 127.0.0.1, found "192.0.2.1" (EADDRNOTAVAIL)');
    const unresolvable = await runCli(['mock', '--port', '0', '--host', 'nonsense..host']);
    expect(unresolvable.code).toBe(2);
    expect(unresolvable.stderr).toContain('--host: expected an address of this machine such as 127.0.0.1, found "nonsense..host" (ENOTFOUND)');
    expect(`${mock.stderr}${unresolvable.stderr}`).not.toMatch(/\n\s+at /);
  });
});

describe('--token given to a contract whose auth takes none', () => {
  it.each([
    [['send', '--contract', 'provesource', '--url', 'http://127.0.0.1:9/x', '--token', 'abc', 'f.json'], "the webhookId in the URL is the secret (auth path-secret); give the receiver's full URL, --url ending in /webhooks/track/{webhookId}"],
    [['send', '--contract', 'webengage', '--url', 'http://127.0.0.1:9', '--token', 'abc', 'f.json'], 'the secret is computed from --license-code and --secret-key (auth query-md5)'],
    [['sandbox', '--contract', 'provesource', '--memory', '--port', '0', '--token', 'abc'], 'its secrets are --webhook-id and --conversion-id (auth path-secret)'],
    [['sandbox', '--contract', 'webengage', '--memory', '--port', '0', '--token', 'abc'], 'its secrets are --license-code and --secret-key (auth query-md5)'],
    [['verify', '--contract', 'provesource', '--url', 'http://127.0.0.1:9/x', '--token', 'abc'], "the webhookId in the URL is the secret (auth path-secret); give the receiver's full URL, --url ending in /webhooks/track/{webhookId}"],
  ])('%j says where the secret is, exit 2', async (args, where) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`converge-webhook: Unknown option '--token': this contract takes no token: ${where}`);
  });

  it('a mistyped option of a contract that takes a token still gets its guess', async () => {
    const run = await runCli(['send', '--tokn', 'abc', 'f.json']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe("converge-webhook: Unknown option '--tokn'; did you mean --token?");
  });
});

describe('the sandbox store: --data by default, --memory', () => {
  it('keeps events in ./.sandbox-data by default; --memory keeps them nowhere and leaves that folder alone', async () => {
    const cwd = tempDir();
    const onDisk = spawn(['sandbox', '--port', '0', '--token', TOKEN, '--json', '--quiet'], { cwd });
    const first = await listening(onDisk);
    expect(await post(first.webhook_url, 'disk-1')).toBe(200);
    await interrupt(onDisk);
    const file = join(cwd, '.sandbox-data', 'events.jsonl');
    expect(readFileSync(file, 'utf8')).toContain('"disk-1"');
    const before = readFileSync(file, 'utf8');

    const inMemory = spawn(['sandbox', '--memory', '--port', '0', '--token', TOKEN], { cwd });
    const [, url] = await inMemory.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\n[\s\S]*Requests:\n/);
    expect(inMemory.stdout()).toContain('  store     in memory (nothing is kept after it stops)\n');
    expect(await post(`${url}/api/webhooks`, 'memory-1')).toBe(200);
    const listed = (await (await fetch(`${url}/api/events`, { signal: AbortSignal.timeout(5000) })).json()) as Array<{ event_id: string }>;
    expect(listed.map((e) => e.event_id)).toEqual(['memory-1']);
    await interrupt(inMemory);
    expect(inMemory.stdout()).toContain('Stopped (SIGINT): 1 event dropped (in memory).');
    expect(readdirSync(cwd)).toEqual(['.sandbox-data']);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('--fsync', () => {
  /**
   * Runs the sandbox with a preloaded module that records every fsync/fdatasync of node:fs
   * (calling the real one first) in a file, synchronously; returns how many were recorded
   * after each of three events, read as soon as each 200 arrived.
   */
  async function flushesPerEvent(extra: string[]): Promise<number[]> {
    const dir = tempDir();
    const record = join(dir, 'flushes.log');
    writeFileSync(record, '');
    const spy = join(dir, 'count-flushes.mjs');
    writeFileSync(
      spy,
      `import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
for (const name of ['fsyncSync', 'fdatasyncSync']) {
  const real = fs[name];
  fs[name] = (fd) => { real(fd); fs.appendFileSync(${JSON.stringify(record)}, name + '\\n'); };
}
for (const name of ['fsync', 'fdatasync']) {
  const real = fs[name];
  fs[name] = (fd, done) => real(fd, (error) => { fs.appendFileSync(${JSON.stringify(record)}, name + '\\n'); done(error); });
}
syncBuiltinESMExports();
`,
    );
    const cli = spawn(['sandbox', '--port', '0', '--token', TOKEN, '--data', join(dir, 'data'), '--json', '--quiet', ...extra], { nodeArgs: ['--import', pathToFileURL(spy).href] });
    const start = await listening(cli);
    const base = readFileSync(record, 'utf8').split('\n').length;
    const counts: number[] = [];
    for (const id of ['fsync-1', 'fsync-2', 'fsync-3']) {
      expect(await post(start.webhook_url, id)).toBe(200);
      counts.push(readFileSync(record, 'utf8').split('\n').length - base);
    }
    await interrupt(cli);
    // The store's header line, then the three events.
    expect(readFileSync(join(dir, 'data', 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    return counts;
  }

  it('flushes each event to disk before its 200 goes out; without it, never', async () => {
    expect(await flushesPerEvent(['--fsync'])).toEqual([1, 2, 3]);
    expect(await flushesPerEvent([])).toEqual([0, 0, 0]);
  });

  it('refuses --fsync with --memory, with exit code 2', async () => {
    const run = await runCli(['sandbox', '--memory', '--fsync']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--fsync needs a store on disk: drop --memory, or drop --fsync');
  });
});

describe('the default ports', () => {
  /**
   * Starts the command without --port. When the port is free the server must come up on it
   * (and is stopped at once); when something else holds it, the command must say that this
   * very port is in use. Either way the default went through the code that uses it.
   */
  async function withoutPort(args: string[], port: number, up: RegExp, busy: string): Promise<void> {
    const free = await isFree(port);
    const cli = spawn(args, { cwd: tempDir() });
    const outcome = await Promise.race([cli.waitFor(up, 30_000).then(() => 'up' as const), cli.exited.then(() => 'exited' as const)]);
    if (outcome === 'up') {
      expect(cli.stdout()).toContain(`http://127.0.0.1:${port}`);
      await interrupt(cli);
      return;
    }
    // Taken: before we looked, or by someone else in between.
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain(busy);
    if (free) console.warn(`port ${port} was taken between the check and the start; the default was checked through the "in use" message`);
  }

  it('sandbox: 4011', async () => {
    await withoutPort(['sandbox', '--memory', '--token', TOKEN], 4011, /listening on http:\/\/127\.0\.0\.1:\d+\n/, '--port: expected a free port, found 4011 on 127.0.0.1 already in use');
  });

  it('mock (npm start): 4010', async () => {
    await withoutPort(['mock', '--quiet'], 4010, /listening on http:\/\/127\.0\.0\.1:\d+\/api\/webhooks\n/, 'port 4010 on 127.0.0.1 is already in use');
  }, 40_000);
});

describe('the default request timeout', () => {
  it('answers 408 to a request still incomplete after 10 s, and not before', async () => {
    const cli = spawn(['sandbox', '--memory', '--port', '0', '--token', TOKEN, '--json', '--quiet']);
    const port = Number(new URL((await listening(cli)).url).port);
    // The headers and 10 of the 100 body bytes announced, then nothing.
    const result = await exchange(port, [postHead(TOKEN, { 'Content-Length': 100 }), '{"event_na'], { timeoutMs: 20_000 });
    expect(result.responses.map((r) => r.status)).toEqual([408]);
    expect(JSON.parse(result.responses[0]!.body).detail).toBe('The request did not arrive within 10000 ms.');
    expect(result.closedByServer).toBe(true);
    // Checked once a second: between 10 and 11 s, with room for a busy machine.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(9_900);
    expect(result.elapsedMs).toBeLessThan(14_000);
    await interrupt(cli);
  }, 30_000);
});

