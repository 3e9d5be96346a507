// `converge-webhook send` against a small recording server on loopback, and against the real Prism mock.
import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startMock, type RunningMock } from '../src/mock/mock.js';
import { startSandbox } from '../src/default-sandbox.js';
import { cliPath, readExample, root, runCli } from './helpers.js';

const TOKEN = 'tok_live_8f3a2c9d1e7b';
const SEED_FILE = 'spec/converge/examples/valid/seed-curl.json';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment: no token in it unless the test puts one there. */
function send(args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<Run> {
  const env = { ...process.env, ...options.env };
  if (!options.env?.CONVERGE_WEBHOOK_TOKEN) delete env.CONVERGE_WEBHOOK_TOKEN;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cliPath, 'send', ...args], { cwd: root, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

describe('converge-webhook send (recording server)', () => {
  let server: Server;
  let base: string;
  let received: Received[] = [];
  let dir: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
        switch (request.url) {
          case '/broken':
            response.writeHead(500, { 'Content-Type': 'text/plain' }).end('upstream exploded');
            return;
          case '/moved':
            response.writeHead(308, { Location: '/api/webhooks' }).end();
            return;
          case '/reject':
            response
              .writeHead(400, { 'Content-Type': 'application/problem+json' })
              .end(JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, violations: [{ code: 'invalid-json', pointer: '', message: 'nope' }] }));
            return;
          default:
            response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'accepted', event_id: 'order-1', duplicate: false, warnings: [] }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    dir = mkdtempSync(join(tmpdir(), 'converge-send-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    received = [];
  });

  it('posts the file as it is, with Content-Type and X-Webhook-Token, and prints the answer; exit 0', async () => {
    const result = await send(['--url', `${base}/api/webhooks`, '--token', TOKEN, SEED_FILE]);
    expect(result.code).toBe(0);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/api/webhooks');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-webhook-token']).toBe(TOKEN);
    expect(request!.body.toString('utf8')).toBe(readExample('valid/seed-curl.json'));
    expect(result.stdout).toContain(`POST ${base}/api/webhooks`);
    expect(result.stdout).toContain('HTTP 200 OK');
    expect(result.stdout).toContain('{\n  "status": "accepted",\n  "event_id": "order-1"');
  });

  it('never prints the token in full: its first 4 characters and ****, only **** for a token under 16 characters (the sandbox\'s rule)', async () => {
    const bytes = Buffer.byteLength(readExample('valid/seed-curl.json'));
    const result = await send(['--url', base, '--token', TOKEN, SEED_FILE]);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(result.stdout.split('\n')[0]).toBe(`POST ${base}/api/webhooks  (${bytes} bytes from ${SEED_FILE}, token tok_****)`);
    const short = await send(['--url', base, '--token', 'tok_0123456789a', SEED_FILE]);
    expect(short.stdout.split('\n')[0]).toBe(`POST ${base}/api/webhooks  (${bytes} bytes from ${SEED_FILE}, token ****)`);
    expect(received.map((r) => r.headers['x-webhook-token'])).toEqual([TOKEN, 'tok_0123456789a']);
  });

  it('adds /api/webhooks to a URL without a path (with a query too), keeps any other path, even "/", and drops a fragment', async () => {
    await send(['--url', base, '--token', TOKEN, SEED_FILE]);
    await send(['--url', `${base}/hooks/converge?source=a`, '--token', TOKEN, SEED_FILE]);
    await send(['--url', `${base}?source=b`, '--token', TOKEN, SEED_FILE]);
    await send(['--url', `${base}/?source=c`, '--token', TOKEN, SEED_FILE]);
    const fragment = await send(['--url', `${base}#top`, '--token', TOKEN, SEED_FILE]);
    expect(received.map((r) => r.url)).toEqual(['/api/webhooks', '/hooks/converge?source=a', '/api/webhooks?source=b', '/?source=c', '/api/webhooks']);
    expect(fragment.stdout.split('\n')[0]).toMatch(new RegExp(`^POST ${base}/api/webhooks  \\(`));
  });

  it('reads the event from standard input with "-"', async () => {
    const event = readExample('valid/aliases-one.json');
    const result = await send(['--url', base, '--token', TOKEN, '-'], { input: event });
    expect(result.code).toBe(0);
    expect(received[0]!.body.toString('utf8')).toBe(event);
    expect(result.stdout).toContain('from standard input');
  });

  it('takes the token from CONVERGE_WEBHOOK_TOKEN when --token is absent; --token wins over it', async () => {
    const fromEnv = await send(['--url', base, SEED_FILE], { env: { CONVERGE_WEBHOOK_TOKEN: 'env-token-123456' } });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('token env-**** from CONVERGE_WEBHOOK_TOKEN)');
    expect(fromEnv.stdout).not.toContain('env-token-123456');
    await send(['--url', base, '--token', TOKEN, SEED_FILE], { env: { CONVERGE_WEBHOOK_TOKEN: 'env-token-123456' } });
    expect(received.map((r) => r.headers['x-webhook-token'])).toEqual(['env-token-123456', TOKEN]);
  });

  it('does not send an event that breaks the contract: prints pointer, code and message; exit 1', async () => {
    const result = await send(['--url', base, '--token', TOKEN, 'spec/converge/examples/invalid/two-errors.json']);
    expect(result.code).toBe(1);
    expect(received).toHaveLength(0);
    expect(result.stdout).toContain('INVALID  spec/converge/examples/invalid/two-errors.json: not sent');
    expect(result.stdout).toMatch(/error {4}\/aliases +missing-field +expected an array of 1 to 10 strings/);
    expect(result.stdout).toMatch(/error {4}\/timestamp +timestamp-missing-timezone/);
  });

  it('does not send a file that is not JSON: invalid-json with line and column; exit 1', async () => {
    const result = await send(['--url', base, '--token', TOKEN, 'spec/converge/examples/invalid/malformed-json.json']);
    expect(result.code).toBe(1);
    expect(received).toHaveLength(0);
    expect(result.stdout).toMatch(/invalid-json +expected .+, found .+ at line 23, column 36/);
  });

  it('prints Event Spec warnings and sends anyway; --strict refuses instead', async () => {
    const file = 'spec/converge/examples/valid/warning-total-price-string.json';
    const lenient = await send(['--url', base, '--token', TOKEN, file]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('valid, with 1 warning (sent anyway):');
    expect(lenient.stdout).toMatch(/warning +\/properties\/total_price +property-type/);
    expect(received).toHaveLength(1);
    const strict = await send(['--url', base, '--token', TOKEN, '--strict', file]);
    expect(strict.code).toBe(1);
    expect(received).toHaveLength(1);
  });

  it('--no-validate sends the bytes unchanged, even when they are not JSON', async () => {
    const bytes = readExample('invalid/malformed-json.json');
    const result = await send(['--url', base, '--token', TOKEN, '--no-validate', 'spec/converge/examples/invalid/malformed-json.json']);
    expect(result.code).toBe(0);
    expect(received[0]!.body.toString('utf8')).toBe(bytes);
    expect(result.stdout).toContain('not validated (--no-validate)');
  });

  it('exits 1 on a non-2xx answer and prints its body: JSON pretty, anything else as text', async () => {
    const problem = await send(['--url', `${base}/reject`, '--token', TOKEN, SEED_FILE]);
    expect(problem.code).toBe(1);
    expect(problem.stdout).toContain('HTTP 400 Bad Request');
    expect(problem.stdout).toContain('Content-Type: application/problem+json');
    expect(problem.stdout).toContain('  "violations": [');
    const text = await send(['--url', `${base}/broken`, '--token', TOKEN, SEED_FILE]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/HTTP 500 Internal Server Error\nContent-Type: text\/plain\n\nupstream exploded/);
  });

  it('reports a redirect instead of following it (a POST must not turn into a GET)', async () => {
    const result = await send(['--url', `${base}/moved`, '--token', TOKEN, SEED_FILE]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('HTTP 308 Permanent Redirect');
    expect(result.stdout).toContain('Location: /api/webhooks');
    expect(received).toHaveLength(1);
  });

  it('--json prints one parseable object with the validation, status and body', async () => {
    const result = await send(['--url', base, '--token', TOKEN, '--json', 'spec/converge/examples/valid/warning-total-price-string.json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      url: `${base}/api/webhooks`,
      sent: true,
      status: 200,
      ok: true,
      body: { status: 'accepted' },
      validation: { valid: true, errors: [], warnings: [{ code: 'property-type', pointer: '/properties/total_price' }] },
    });
    expect(result.stdout).not.toContain(TOKEN);
    const invalid = await send(['--url', base, '--token', TOKEN, '--json', 'spec/converge/examples/invalid/two-errors.json']);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ sent: false, validation: { valid: false } });
  });

  it('warns about a body over 1 MiB and sends it anyway, like validate; --strict refuses it', async () => {
    const big = join(dir, 'big.json');
    const event = JSON.parse(readExample('valid/seed-curl.json')) as { properties: Record<string, unknown> };
    event.properties.padding = 'x'.repeat(1_048_576);
    const text = JSON.stringify(event);
    writeFileSync(big, text);
    const bytes = Buffer.byteLength(text);
    const violation = `body-too-large              expected a body of at most 1048576 bytes (1 MiB, the limit this package recommends), found ${bytes} bytes`;
    const lenient = await send(['--url', base, '--token', TOKEN, big]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout.split('\n').slice(0, 4)).toEqual([
      `POST ${base}/api/webhooks  (${bytes} bytes from ${big}, token tok_****)`,
      'valid, with 1 warning (sent anyway):',
      `  warning  (body)                        ${violation}`,
      'HTTP 200 OK',
    ]);
    expect(received).toHaveLength(1);
    expect(received[0]!.body.toString('utf8')).toBe(text);
    const strict = await send(['--url', base, '--token', TOKEN, '--strict', big]);
    expect(strict).toEqual({ code: 1, stdout: `INVALID  ${big}: not sent\n  error    (body)                        ${violation}\n`, stderr: '' });
    expect(received).toHaveLength(1);
    const json = await send(['--url', base, '--token', TOKEN, '--json', '--strict', big]);
    expect(JSON.parse(json.stdout)).toEqual({
      url: `${base}/api/webhooks`,
      sent: false,
      validation: { valid: false, errors: [{ code: 'body-too-large', pointer: '', message: violation.replace(/^body-too-large +/, '') }], warnings: [] },
    });
  });

  it('says in one line that nothing listens at the URL; exit 1, no stack trace', async () => {
    // A port that was free a moment ago, so nothing listens on it.
    const port = await new Promise<number>((resolve) => {
      const probe = createNetServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const result = await send(['--url', `http://127.0.0.1:${port}`, '--token', TOKEN, SEED_FILE]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `converge-webhook: could not send to http://127.0.0.1:${port}/api/webhooks: connection refused (is the server running?) (ECONNREFUSED)`,
    );
    // With --json, stdout is still one parseable object that says so.
    const json = await send(['--json', '--url', `http://127.0.0.1:${port}`, '--token', TOKEN, SEED_FILE]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ sent: false, validation: { valid: true }, error: expect.stringContaining('connection refused') });
  });

  it.each([
    [['--token', TOKEN, SEED_FILE], 'send needs --url, the endpoint to post to (e.g. --url http://127.0.0.1:4010/api/webhooks)'],
    [['--url', 'localhost:4010', '--token', TOKEN, SEED_FILE], '--url: expected an http:// or https:// URL, found the protocol "localhost:" in "localhost:4010"'],
    [['--url', 'not a url', '--token', TOKEN, SEED_FILE], '--url: expected an http:// or https:// URL such as http://127.0.0.1:4011, found "not a url"'],
    [['--url', 'http://user:secret@127.0.0.1:9', '--token', TOKEN, SEED_FILE], '--url: expected a URL without user:password (the token goes in --token)'],
    [['--url', 'http://127.0.0.1:9', SEED_FILE], 'send needs a token: --token TOKEN, or the CONVERGE_WEBHOOK_TOKEN environment variable'],
    [['--url', 'http://127.0.0.1:9', '--token', '', SEED_FILE], 'expected a non-empty token, found an empty --token'],
    [['--url', 'http://127.0.0.1:9', '--token', TOKEN], 'send needs one event file, or "-" for standard input'],
    [['--url', 'http://127.0.0.1:9', '--token', TOKEN, SEED_FILE, SEED_FILE], 'send posts one event at a time, found 2 files'],
    [['--url', 'http://127.0.0.1:9', '--token', TOKEN, 'no/such/event.json'], 'cannot read no/such/event.json: no such file'],
    [['--url', 'http://127.0.0.1:9', '--token', TOKEN, '--bogus', SEED_FILE], "Unknown option '--bogus'"],
    [['--url', 'http://127.0.0.1:9', '--tokn', TOKEN, SEED_FILE], "Unknown option '--tokn'; did you mean --token?"],
  ])('usage error %j: exit 2, nothing sent', async (args, message) => {
    const result = await send(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`converge-webhook: ${message}\nRun "npx converge-webhook help" for usage.\n`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(received).toHaveLength(0);
  });

  it('--help exits 0 and documents the token variable', async () => {
    const result = await send(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CONVERGE_WEBHOOK_TOKEN');
  });

  it("the CLI's help names the variable that stands for send's --token, as the default contract's env declares it", async () => {
    const help = await runCli(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Post one event and print the answer\n${' '.repeat(45)}(--token may come from CONVERGE_WEBHOOK_TOKEN;\n${' '.repeat(45)}the other contracts' options: send --contract ID --help)\n`);
  });
});

describe('converge-webhook send (real Prism mock)', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock({ port: 0 });
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('a valid event gets 200 from the mock; exit 0', async () => {
    const result = await send(['--url', mock.url, '--token', TOKEN, SEED_FILE]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('HTTP 200 OK');
    expect(result.stdout).toContain('"status": "accepted"');
  });

  it('an invalid event sent with --no-validate gets 400; the output shows what Prism found wrong', async () => {
    const result = await send(['--url', mock.url, '--token', TOKEN, '--no-validate', 'spec/converge/examples/invalid/aliases-empty-array.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('HTTP 400 Bad Request');
    expect(result.stdout).toContain('sl-violations (what Prism found wrong; its body is a fixed example):');
    expect(result.stdout).toContain('  request.body.aliases: Request body property aliases must NOT have fewer than 1 items');
  });
});

describe('converge-webhook send (the sandbox, which enforces the limit)', () => {
  it('sends a body over 1 MiB with its warning; the sandbox answers 413; exit 1', async () => {
    const sandbox = await startSandbox({ port: 0, token: TOKEN, inMemory: true });
    const dir = mkdtempSync(join(tmpdir(), 'converge-send-big-'));
    try {
      const big = join(dir, 'big.json');
      const event = JSON.parse(readExample('valid/seed-curl.json')) as { properties: Record<string, unknown> };
      event.properties.padding = 'x'.repeat(1_048_576);
      writeFileSync(big, JSON.stringify(event));
      const result = await send(['--url', sandbox.url, '--token', TOKEN, big]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^ {2}warning {2}\(body\) +body-too-large +expected a body of at most 1048576 bytes/m);
      expect(result.stdout).toContain('HTTP 413 Payload Too Large');
      expect(sandbox.count()).toBe(0);
    } finally {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a 404 at a path that is not the endpoint\'s gets a hint naming the path kept and the endpoint\'s; none at the endpoint', async () => {
    const sandbox = await startSandbox({ port: 0, token: TOKEN, inMemory: true });
    try {
      const wrong = await send(['--url', `${sandbox.url}/`, '--token', TOKEN, SEED_FILE]);
      expect(wrong.code).toBe(1);
      const lines = wrong.stdout.split('\n');
      expect(lines).toContain('HTTP 404 Not Found');
      expect(lines).toContain('hint: is --url the endpoint? A URL with a path keeps it (here "/"); the endpoint is /api/webhooks');
      const wrongToken = await send(['--url', sandbox.url, '--token', `${TOKEN}x`, SEED_FILE]);
      expect(wrongToken.code).toBe(1);
      expect(wrongToken.stdout).toContain('HTTP 401 Unauthorized');
      expect(wrongToken.stdout).not.toContain('hint: is --url the endpoint?');
    } finally {
      await sandbox.stop();
    }
  });
});
