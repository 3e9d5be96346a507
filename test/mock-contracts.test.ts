/**
 * The mock of the other contracts, on real Prism 5.14 on loopback: what Prism does with the
 * ProveSource document (JSON bodies, form bodies with products[N][...] brackets, any webhook id,
 * the two kinds of webhook on one URL form), each claim the start-up lines make; and
 * `mock --contract webengage`, which has no vendor endpoint to mock (outbound) and says what does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { startMock, type RunningMock } from '../src/mock/mock.js';
import { root, runCli, spawnCli } from './helpers.js';

const EXAMPLES = join(root, 'spec/provesource/examples');
const ID = '0123456789abcdef0123456789abcdef';
const FORM = 'application/x-www-form-urlencoded';

interface Entry {
  file: string;
  kind: string;
  contentType: string | null;
}

const manifest = (kind: 'valid' | 'invalid') => YAML.parse(readFileSync(join(EXAMPLES, `${kind}.yaml`), 'utf8')) as Entry[];

async function post(mock: RunningMock, file: string | undefined, contentType: string | null, id = ID): Promise<{ status: number; violations: string; text: string }> {
  const headers: Record<string, string> = contentType === null ? {} : { 'Content-Type': contentType };
  const body = file === undefined ? undefined : readFileSync(join(EXAMPLES, file));
  const response = await fetch(`${mock.url}/webhooks/track/${id}`, { method: 'POST', headers, body: body && body.length > 0 ? body : undefined, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, violations: response.headers.get('sl-violations') ?? '', text: await response.text() };
}

describe('startMock({ contract: "provesource" }): what real Prism does with the ProveSource document', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock({ contract: 'provesource', port: 0 });
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('serves the contract\'s operation; a valid JSON body gets 200 with the first 200 example, which lists no warning', async () => {
    expect(mock.contract).toEqual({ id: 'provesource', method: 'POST', path: '/webhooks/track/{webhookId}' });
    const answer = await post(mock, 'valid/seed-all-blocks.json', 'application/json');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ status: 'accepted', kind: 'stream', warnings: [] });
  });

  it('JSON bodies: checked against the contract rules; a broken one gets 400 with the violation in sl-violations', async () => {
    const answer = await post(mock, 'invalid/product-without-link.json', 'application/json');
    expect(answer.status).toBe(400);
    expect(answer.violations).toContain("must have required property 'link'");
  });

  it('form bodies: every valid one gets 200, products[N][...] brackets included (never a false refusal)', async () => {
    const forms = manifest('valid').filter((e) => e.contentType?.startsWith(FORM));
    expect(forms.length).toBeGreaterThanOrEqual(10);
    for (const entry of forms) expect([entry.file, (await post(mock, entry.file, entry.contentType)).status]).toEqual([entry.file, 200]);
  });

  it('form bodies: the plain fields are checked (numbers too), products[N][...] is skipped, a field given twice passes (as the start-up lines say)', async () => {
    expect((await post(mock, 'invalid/missing-email.form', FORM)).status).toBe(400);
    expect((await post(mock, 'invalid/timestamp-float.form', FORM)).status).toBe(400);
    // The limits: the sandbox refuses each of these with 400.
    for (const file of ['invalid/product-without-link.form', 'invalid/products-index-gap.form', 'invalid/products-dot-notation.form', 'invalid/duplicate-email.form']) {
      expect([file, (await post(mock, file, FORM)).status]).toEqual([file, 200]);
    }
  });

  it('any webhook id gets the same answers; a bare POST gets 200 and a body to a conversion webhook is judged as a stream body', async () => {
    expect((await post(mock, 'valid/email-only.json', 'application/json', 'not-a-webhook')).status).toBe(200);
    expect((await post(mock, undefined, null, 'whatever')).status).toBe(200);
    const conversionBody = await post(mock, 'valid/conversion-with-body.json', 'application/json');
    expect(conversionBody.status).toBe(400);
    expect(conversionBody.violations).toContain("must have required property 'email'");
  });

  it('a Content-Type other than JSON or form gets 415', async () => {
    expect((await post(mock, 'invalid/unsupported-text-plain.json', 'text/plain')).status).toBe(415);
  });

  it('"Prefer: code=NNN" picks the contract\'s answer of that status (as the start-up lines say)', async () => {
    const response = await fetch(`${mock.url}/webhooks/track/${ID}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Prefer: 'code=404' },
      body: readFileSync(join(EXAMPLES, 'valid/email-only.json')),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(404);
  });
});

describe('converge-webhook mock --contract provesource', () => {
  it('says on start what the mock checks and what it cannot, answers its own curl line, masks the id in its log, stops on SIGTERM', async () => {
    const cli = spawnCli(['mock', '--contract', 'provesource', '--port', '0']);
    let exitCode: number | null = null;
    try {
      const [, base] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\/webhooks\/track\/\{webhookId\}\n\(Prism pid \d+, ready in [\d.]+ s\)/, 60_000);
      await cli.waitFor(/Press Ctrl-C to stop\. Requests:\n/);
      const out = cli.stdout();
      expect(out).toContain(`Try it (any webhookId: Prism cannot know which are webhooks):\n  curl -i -X POST ${base}/webhooks/track/${ID} \\\n    -H 'Content-Type: application/json' \\\n`);
      expect(out).toContain(`  npx converge-webhook send --contract provesource --url ${base}/webhooks/track/${ID} [--form] <event.json>\n`);
      expect(out).toContain(
        'example body otherwise; a Content-Type other than application/json or application/x-www-form-urlencoded: 415.\n' +
          '"Prefer: code=NNN" picks the contract\'s answer of that status.\n' +
          'What it cannot check (the sandbox does: "npx converge-webhook sandbox --contract provesource"):\n',
      );
      expect(out).toContain('  - the webhookId: Prism cannot know which ids are webhooks, so every webhookId gets the same answers (the sandbox: 404).\n');
      expect(out).toContain('  - the kind of webhook: stream and conversion share one URL form, so a bare POST always gets 200 (a stream\n');
      expect(out).toContain('    products[N][...] altogether, so an item that breaks a rule gets 200, and a field given twice is not refused.\n');
      expect(out).toContain('    A valid form body is never refused. "converge-webhook send --form" validates the whole body before sending it.\n');
      expect(out).toContain('  - the body limit (1048576 bytes: the sandbox answers 413); and it keeps nothing.\n');
      const inline = /-d '(.*)'/.exec(out)![1]!;
      // The contract's sample (contract.yaml sample.file), on one line.
      const sample = (YAML.parse(readFileSync(join(root, 'spec/provesource/contract.yaml'), 'utf8')) as { sample: { file: string } }).sample.file;
      expect(inline).toBe(JSON.stringify(JSON.parse(readFileSync(join(root, 'spec/provesource', sample), 'utf8'))));
      const response = await fetch(`${base}/webhooks/track/${ID}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: inline });
      expect(response.status).toBe(200);
      await cli.waitFor(/POST \/webhooks\/track\/0123\*\*\*\* {2}-> 200\n/);
      // A form body's answer says what Prism did not check of it, even when it is 200.
      const form = await fetch(`${base}/webhooks/track/${ID}`, { method: 'POST', headers: { 'Content-Type': FORM }, body: readFileSync(join(EXAMPLES, 'invalid/product-without-link.form')) });
      expect(form.status).toBe(200);
      await cli.waitFor(/-> 200 {2}\(form body: Prism did not check products\[N\]\[\.\.\.\] nor repeated fields\)\n/);
      const logged = cli.stdout().split('Requests:\n')[1]!.split('\n').map((line) => line.slice(10));
      expect(logged.slice(0, 2)).toEqual([
        'POST /webhooks/track/0123****  -> 200',
        'POST /webhooks/track/0123****  -> 200  (form body: Prism did not check products[N][...] nor repeated fields)',
      ]);
      expect(cli.stdout()).not.toContain(`/webhooks/track/${ID}  ->`);
    } finally {
      cli.child.kill('SIGTERM');
      exitCode = await cli.exited;
    }
    expect(exitCode).toBe(0);
    expect(cli.stdout()).toMatch(/Stopped\.\n$/);
  });

  it('--help names the contract and its port; a file argument is a usage error', async () => {
    const help = await runCli(['mock', '--contract', 'provesource', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: converge-webhook mock --contract provesource [--port 4010] [--host 127.0.0.1] [--quiet]');
    const file = await runCli(['mock', '--contract', 'provesource', 'x.json']);
    expect(file).toEqual({ code: 2, stdout: '', stderr: 'converge-webhook: mock takes no file arguments, found "x.json"\nRun "npx converge-webhook help" for usage.\n' });
  });
});

describe('converge-webhook mock --contract webengage (outbound: no vendor endpoint to mock)', () => {
  const MESSAGE = [
    'converge-webhook: mock --contract webengage: the WebEngage webhooks are outbound (WebEngage calls YOUR url), and Prism',
    "serves an OpenAPI document's paths, not its webhooks: there is no WebEngage endpoint to mock. For an outbound contract",
    'send and verify stand in for WebEngage, and the sandbox is the reference receiver:',
    '  npx converge-webhook send --contract webengage --url URL --license-code LICENSE_CODE --secret-key SECRET_KEY <event.json>',
    '      one delivery to your receiver, exactly as WebEngage sends it; any answer but 200 is flagged as failed',
    '  npx converge-webhook verify --contract webengage --url URL --license-code LICENSE_CODE --secret-key SECRET_KEY',
    '      every example and generated deliveries against your receiver, wrong and missing secrets too',
    '  npx converge-webhook sandbox --contract webengage --license-code LICENSE_CODE --secret-key SECRET_KEY',
    '      the reference receiver: checks the secret, validates, answers 200, shows each delivery on /logs',
    '',
  ].join('\n');

  it.each([[[]], [['--port', '0']], [['--help']]])('mock --contract webengage %j: the commands that stand in for WebEngage on stderr, exit 2, Prism not started', async (args) => {
    expect(await runCli(['mock', '--contract', 'webengage', ...args])).toEqual({ code: 2, stdout: '', stderr: MESSAGE });
  });

  it('startMock refuses it with the reason', async () => {
    await expect(startMock({ contract: 'webengage' })).rejects.toThrow('the webengage contract has no operation under paths for Prism to serve (it is outbound: its webhooks are called by the vendor)');
  });
});
