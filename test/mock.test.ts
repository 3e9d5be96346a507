// The Prism mock, for real: startMock() and `converge-webhook mock` against Prism 5.14 on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import validateAccepted from '../generated/converge/validators/response-accepted.js';
import validateProblem from '../generated/converge/validators/response-strict-problem.js';
import validateStrictValidationProblem from '../generated/converge/validators/response-strict-validation-problem.js';
import { PortInUse, startMock, type RunningMock } from '../src/mock/mock.js';
import { cliPath, manifest, readExample, root } from './helpers.js';

const SEED = readExample('valid/seed-curl.json');
/** The example the start-up lines' curl sends, relative to the examples folder (contract.yaml sample.file). */
const SAMPLE_FILE = (YAML.parse(readFileSync(join(root, 'spec/converge/contract.yaml'), 'utf8')) as { sample: { file: string } }).sample.file.replace(/^\.\/examples\//, '');

interface Answer {
  status: number;
  type: string;
  text: string;
  headers: Headers;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}/api/webhooks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': 'any-token', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text(), headers: response.headers };
}

/** True when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startMock (real Prism)', () => {
  let mock: RunningMock;
  let startupMs = 0;

  beforeAll(async () => {
    const started = performance.now();
    mock = await startMock({ port: 0 });
    startupMs = performance.now() - started;
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('listens on a free loopback port and answers within the start-up time', async () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.port).toBeGreaterThan(0);
    expect(await listening(mock.port)).toBe(true);
    // Measured 1.5 to 3 s on 2 busy cores; the bound only catches a hang.
    expect(startupMs).toBeLessThan(20_000);
  });

  it('answers a valid event with a token with 200 and the contract\'s Accepted example', async () => {
    const contract = JSON.parse(readFileSync(join(root, 'generated/converge/openapi/openapi.json'), 'utf8'));
    const example = contract.paths['/api/webhooks'].post.responses['200'].content['application/json'].examples.accepted.value;
    const answer = await post(mock.url, SEED);
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    const body = JSON.parse(answer.text);
    expect(body).toEqual(example);
    expect(validateAccepted(body)).toBe(true);
  });

  it('answers 401 problem+json without a token, or with an empty one', async () => {
    const response = await fetch(`${mock.url}/api/webhooks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: SEED });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { status: number };
    expect(validateProblem(body)).toBe(true);
    expect(body.status).toBe(401);
    expect((await post(mock.url, SEED, { 'X-Webhook-Token': '' })).status).toBe(401);
  });

  it('answers 200 to a wrong token: Prism never checks the token\'s value', async () => {
    expect((await post(mock.url, SEED, { 'X-Webhook-Token': 'certainly-not-a-real-token' })).status).toBe(200);
  });

  it('answers 400 problem+json to a body that breaks the contract, naming no violation in the body; the real one is in sl-violations', async () => {
    const contract = JSON.parse(readFileSync(join(root, 'generated/converge/openapi/openapi.json'), 'utf8'));
    const generic = contract.components.examples.InvalidEvent.value;
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['no aliases', { ...JSON.parse(SEED), aliases: [] }, ['request', 'body', 'aliases']],
      ['a timestamp without a timezone', { ...JSON.parse(SEED), timestamp: '2025-03-14T09:26:53' }, ['request', 'body', 'timestamp']],
    ];
    for (const [what, event, location] of cases) {
      const answer = await post(mock.url, JSON.stringify(event));
      expect(answer.status, what).toBe(400);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      // The contract's generic example: it points at the header and never names a rule the
      // body did not break (it used to say aliases-too-many to every invalid body).
      const body = JSON.parse(answer.text);
      expect(body, what).toEqual(generic);
      expect(body.violations).toBeUndefined();
      expect(body.detail).toContain('sl-violations');
      expect(answer.text).not.toContain('aliases-too-many');
      const violations = JSON.parse(answer.headers.get('sl-violations') ?? '[]') as Array<{ location: string[]; code: string }>;
      expect(violations.length, what).toBeGreaterThan(0);
      expect(violations.map((v) => v.location), what).toEqual(violations.map(() => location));
    }
  });

  it('answers the recommended 400 body (what the sandbox sends) when asked for it with Prefer', async () => {
    const answer = await post(mock.url, SEED, { Prefer: 'code=400, example=tooManyAliases' });
    expect(answer.status).toBe(400);
    expect(validateStrictValidationProblem(JSON.parse(answer.text))).toBe(true);
  });

  it('honours Prefer: code=401 on a valid request', async () => {
    const answer = await post(mock.url, SEED, { Prefer: 'code=401' });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text).status).toBe(401);
  });

  it('answers malformed JSON with a 400 of Prism\'s own shape (not problem+json)', async () => {
    const answer = await post(mock.url, readExample('invalid/malformed-json.json'));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    // Documented in the README: 400 {"error":{"code":"invalid_json",...}} as application/json.
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ error: { code: 'invalid_json', message: 'Invalid JSON' } });
  });

  it('answers 415 to a body that is not application/json', async () => {
    expect((await post(mock.url, SEED, { 'Content-Type': 'text/plain' })).status).toBe(415);
  });

  it('answers 200 to every valid example (warnings are not errors)', async () => {
    const valid = manifest('valid');
    expect(valid.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const entry of valid) {
      const answer = await post(mock.url, readExample(entry.file));
      if (answer.status !== 200) wrong.push(`${entry.file}: ${answer.status} ${answer.headers.get('sl-violations') ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers every invalid example with its status (400)', async () => {
    const wrong: string[] = [];
    for (const entry of manifest('invalid')) {
      const answer = await post(mock.url, readExample(entry.file));
      if (answer.status !== entry.status) wrong.push(`${entry.file}: expected ${entry.status}, found ${answer.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a port that is taken, naming it', async () => {
    const error = await startMock({ port: mock.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUse);
    expect((error as Error).message).toContain(`port ${mock.port} on 127.0.0.1 is already in use`);
  });

  it('rejects a port outside 0-65535 before starting anything', async () => {
    await expect(startMock({ port: 70000 })).rejects.toThrow(RangeError);
  });
});

describe('startMock stop()', () => {
  it('kills Prism, waits for its exit and frees the port; a second stop() is harmless', async () => {
    const mock = await startMock({ port: 0 });
    expect(alive(mock.pid)).toBe(true);
    await mock.stop();
    expect(alive(mock.pid)).toBe(false);
    expect(await listening(mock.port)).toBe(false);
    await mock.stop();
    expect((await mock.exited).signal).toBe('SIGTERM');
  });

  it('passes a compact request log to `log` when not quiet', async () => {
    const lines: string[] = [];
    const mock = await startMock({ port: 0, quiet: false, log: (line) => lines.push(line) });
    try {
      await post(mock.url, SEED);
      await post(mock.url, JSON.stringify({ ...JSON.parse(SEED), aliases: [] }));
      // Prism writes its log after answering: give the pipe a moment.
      for (let i = 0; i < 50 && lines.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await mock.stop();
    }
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d {2}POST \/api\/webhooks {2}-> 200$/);
    expect(lines[1]).toMatch(/POST \/api\/webhooks {2}-> 400$/);
    expect(lines[2]).toBe('          request.body.aliases: Request body property aliases must NOT have fewer than 1 items');
  });

  it('logs one line for every request, a body that is not JSON too (Prism answers it before its own log)', async () => {
    const lines: string[] = [];
    const mock = await startMock({ port: 0, quiet: false, log: (line) => lines.push(line) });
    const statuses: number[] = [];
    try {
      for (const request of EIGHT_REQUESTS) statuses.push((await post(mock.url, request.body, request.headers)).status);
      for (let i = 0; i < 100 && statusLines(lines).length < EIGHT_REQUESTS.length; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await mock.stop();
    }
    expect(statuses).toEqual([200, 400, 400, 401, 415, 400, 200, 400]);
    expect(statusLines(lines).map((l) => l.slice(10))).toEqual([
      'POST /api/webhooks  -> 200',
      'POST /api/webhooks  -> 400',
      "POST /api/webhooks  -> 400  (Prism's invalid_json answer: Invalid JSON)",
      'POST /api/webhooks  -> 401',
      'POST /api/webhooks  -> 415',
      "POST /api/webhooks  -> 400  (Prism's invalid_json answer: Invalid JSON)",
      'POST /api/webhooks  -> 200',
      'POST /api/webhooks  -> 400',
    ]);
  });
});

/** Eight requests of every kind, two of them not JSON: each must get one status line in the log. */
const EIGHT_REQUESTS: Array<{ body: string; headers?: Record<string, string> }> = [
  { body: SEED },
  { body: JSON.stringify({ ...JSON.parse(SEED), aliases: [] }) },
  { body: readExample('invalid/malformed-json.json') },
  { body: SEED, headers: { 'X-Webhook-Token': '' } },
  { body: SEED, headers: { 'Content-Type': 'text/plain' } },
  { body: '{"event_name": "Placed Order",' },
  { body: SEED },
  { body: '{}' },
];

/** The log's status lines ("12:00:00  POST /api/webhooks  -> 200"), one per request. */
const statusLines = (lines: string[]) => lines.filter((line) => /^\d\d:\d\d:\d\d {2}POST /.test(line));

/** Runs the CLI in the background and resolves once `pattern` appears on its standard output. */
function startCli(args: string[], pattern: RegExp, cli = cliPath, detached = false): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached });
  let stdout = '';
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${pattern} within 30 s; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 30_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = pattern.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => stdout + stderr, exit });
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the CLI exited (${code}) before printing ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

const READY = /listening on (http:\/\/127\.0\.0\.1:(\d+))\/api\/webhooks\n\(Prism pid (\d+),/;

describe('converge-webhook mock', () => {
  // 'group': Ctrl-C in a terminal, where SIGINT reaches the CLI and Prism at the same time.
  for (const signal of ['SIGINT', 'SIGTERM', 'group'] as const) {
    it(`prints the URL and a curl line, answers, and on ${signal === 'group' ? 'SIGINT to its process group' : signal} stops Prism and exits 0`, async () => {
      const { child, match, output, exit } = await startCli(['mock', '--port', '0'], READY, cliPath, signal === 'group');
      const [, url, port, pid] = match;
      try {
        expect(output()).toContain(`curl -i -X POST ${url}/api/webhooks`);
        expect(output()).toContain("-H 'X-Webhook-Token: any-token'");
        expect(output()).toContain('never checks the token');
        expect(output()).toContain(`  npx converge-webhook send --url ${url} --token any-token <event.json>\n`);
        // What Prism cannot check, said from the contract's auth (its header, the sandbox's status for a wrong token).
        expect(output()).toContain(
          'What it cannot check (the sandbox does: "npx converge-webhook sandbox"):\n' +
            "  - the X-Webhook-Token's value: Prism never checks the token's value, so any token gets 200 (the sandbox: 401 for a wrong one).\n" +
            '  - the body limit (1048576 bytes: the sandbox answers 413); and it keeps nothing.\n',
        );
        expect(output()).toContain("example body otherwise; a Content-Type other than application/json: 415; no X-Webhook-Token, or an empty one: 401.\n");
        expect(output()).not.toMatch(/[^x] converge-webhook (send|sandbox)/);
        expect((await post(url!, SEED)).status).toBe(200);
        // The curl line's body is the contract's sample (contract.yaml sample.file), itself a valid event.
        const inline = /-d '(.*)'/.exec(output())![1]!;
        expect(inline).toBe(JSON.stringify(JSON.parse(readExample(SAMPLE_FILE))));
        expect((await post(url!, inline)).status).toBe(200);
      } finally {
        if (signal === 'group') process.kill(-child.pid!, 'SIGINT');
        else child.kill(signal);
      }
      expect(await exit).toBe(0);
      // No orphan: the Prism child is gone and its port is free.
      const orphan = alive(Number(pid));
      if (orphan) process.kill(Number(pid), 'SIGKILL');
      expect(orphan).toBe(false);
      expect(await listening(Number(port))).toBe(false);
      expect(output()).toMatch(/POST \/api\/webhooks {2}-> 200/);
      expect(output()).toMatch(/Stopped\.|Prism stopped \(SIGINT\)/);
    });
  }

  it('prints one log line for every request, a body that is not JSON too', async () => {
    const { child, match, output, exit } = await startCli(['mock', '--port', '0'], READY);
    try {
      for (const request of EIGHT_REQUESTS) await post(match[1]!, request.body, request.headers);
      for (let i = 0; i < 100 && statusLines(output().split('\n')).length < EIGHT_REQUESTS.length; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
    expect(statusLines(output().split('\n')).map((l) => l.slice(10))).toEqual([
      'POST /api/webhooks  -> 200',
      'POST /api/webhooks  -> 400',
      "POST /api/webhooks  -> 400  (Prism's invalid_json answer: Invalid JSON)",
      'POST /api/webhooks  -> 401',
      'POST /api/webhooks  -> 415',
      "POST /api/webhooks  -> 400  (Prism's invalid_json answer: Invalid JSON)",
      'POST /api/webhooks  -> 200',
      'POST /api/webhooks  -> 400',
    ]);
  });

  it('--help exits 0; a bad --port is a usage error (exit 2)', async () => {
    const help = await runQuick(['mock', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: converge-webhook mock');
    expect(help.stdout.split('\n')[0]).toBe('Usage: converge-webhook mock [--contract ID] [--port 4010] [--host 127.0.0.1] [--quiet]');
    // The contracts and the operation Prism serves of each, from the registry.
    expect(help.stdout).toContain(
      '  --contract ID    the contract (default converge); Prism serves its operation:\n' +
        '                     converge     POST /api/webhooks\n' +
        '                     provesource  POST /webhooks/track/{webhookId}\n' +
        '                   webengage: outbound, no endpoint to mock (send and verify stand in for WebEngage)\n',
    );
    const bad = await runQuick(['mock', '--port', 'http']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port: expected an integer from 0 to 65535, found "http"');
  });
});

function runQuick(args: string[], cli = cliPath): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the mock from an installed package (node_modules/converge-webhook-contract)', () => {
  // A consumer's layout: the package's files under node_modules, its dependencies beside it.
  let project: string;
  let installedCli: string;
  const link = (withPrism: boolean) => {
    const modules = join(project, 'node_modules');
    rmSync(modules, { recursive: true, force: true });
    const pkg = join(modules, 'converge-webhook-contract');
    mkdirSync(join(pkg, 'generated/converge/openapi'), { recursive: true });
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(root, 'generated/converge/openapi/openapi.json'), join(pkg, 'generated/converge/openapi/openapi.json'));
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    // The registry: the CLI lists and picks contracts from it.
    cpSync(join(root, 'generated/contracts.json'), join(pkg, 'generated/contracts.json'));
    // The contract's data, as the package ships spec/ (its released documents aside): the mock's start-up lines come from it.
    cpSync(join(root, 'spec/converge'), join(pkg, 'spec/converge'), { recursive: true, filter: (source) => !source.includes('/released') });
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name === '.bin' || (name === '@stoplight' && !withPrism)) continue;
      symlinkSync(join(root, 'node_modules', name), join(modules, name));
    }
    installedCli = join(pkg, 'dist/esm/src/cli.js');
  };

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'converge-mock-install-'));
  });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it('without @stoplight/prism-cli: the install command before anything else, exit 2, no stack trace', async () => {
    link(false);
    // Really unresolvable from the installed package: not a mock of Prism.
    expect(() => createRequire(installedCli).resolve('@stoplight/prism-cli/package.json')).toThrow(/Cannot find module/);
    const result = await runQuick(['mock', '--port', '0'], installedCli);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'converge-webhook: the Prism mock needs @stoplight/prism-cli, an optional peer dependency that is not installed.\n' +
        'Install it with: npm install --save-dev @stoplight/prism-cli@5.14.2\n',
    });
    // The other commands do not need it.
    const validate = await runQuick(['validate', join(root, 'spec/converge/examples/valid/placed-order.json')], installedCli);
    expect(validate.code).toBe(0);
  });

  it('with it: finds the bundled contract four levels up and serves it', async () => {
    link(true);
    const { child, match, output, exit } = await startCli(['mock', '--port', '0'], READY, installedCli);
    try {
      expect((await post(match[1]!, SEED)).status).toBe(200);
      // No reference page in this layout (test/docs.test.ts covers the page's file URL): the command that serves it.
      expect(output()).toContain('\nReference docs: npx converge-webhook docs --contract converge --serve\n');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
  });
});
