import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

import { contractFolders } from './fixtures/contracts.js';
import { keys, readExample, root, runCli } from './helpers.js';

const temp = mkdtempSync(join(tmpdir(), 'converge-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const VALID = 'spec/converge/examples/valid/placed-order.json';
const WARNING = 'spec/converge/examples/valid/warning-total-price-string.json';
const INVALID = 'spec/converge/examples/invalid/aliases-too-many.json';

describe('converge-webhook validate', () => {
  it('exits 0 on a valid file and says so', async () => {
    const run = await runCli(['validate', VALID]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^valid\s+spec\/converge\/examples\/valid\/placed-order\.json$/m);
    expect(run.stdout).toMatch(/^1 file: 1 valid, 0 invalid \(0 errors, 0 warnings\)$/m);
  });

  it('prints warnings but exits 0; --strict makes them fail with exit 1', async () => {
    const run = await runCli(['validate', WARNING]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/warning\s+\/properties\/total_price\s+property-type\s+expected a number, found a string "48.00"/);
    expect((await runCli(['validate', '--strict', WARNING])).code).toBe(1);
  });

  it('names file, pointer, code, expected and found for an error, and exits 1', async () => {
    const run = await runCli(['validate', VALID, INVALID]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^INVALID\s+spec\/converge\/examples\/invalid\/aliases-too-many\.json$/m);
    expect(run.stdout).toMatch(/error\s+\/aliases\s+aliases-too-many\s+expected at most 10 aliases, found 11/);
    expect(run.stdout).toMatch(/^2 files: 1 valid, 1 invalid \(1 error, 0 warnings\)$/m);
  });

  it('reports a file that is not JSON as invalid-json with line and column (exit 1)', async () => {
    const file = join(temp, 'broken.json');
    writeFileSync(file, '{\n  "event_name": "Placed Order",\n  "event_id": order-1\n}\n');
    const run = await runCli(['validate', '--json', file]);
    expect(run.code).toBe(1);
    const [result] = JSON.parse(run.stdout) as Array<{ errors: Array<{ code: string; message: string }> }>;
    expect(result!.errors).toHaveLength(1);
    expect(result!.errors[0]!.code).toBe('invalid-json');
    expect(result!.errors[0]!.message).toBe("expected a value (object, array, string, number, true, false or null), found 'o' at line 3, column 15");
  });

  it('reports bytes that are not UTF-8 as invalid-json with their byte offset, like the sandbox', async () => {
    const file = join(temp, 'latin1.json');
    writeFileSync(file, Buffer.concat([Buffer.from('{"event_name": "Caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    const run = await runCli(['validate', '--json', file]);
    expect(run.code).toBe(1);
    const [result] = JSON.parse(run.stdout) as Array<{ errors: Array<{ code: string; message: string }> }>;
    expect(result!.errors).toEqual([{ code: 'invalid-json', pointer: '', message: 'expected UTF-8 text, found a byte that is not UTF-8 at byte offset 19' }]);
  });

  it('reports an empty file as invalid-json, not a crash', async () => {
    const file = join(temp, 'empty.json');
    writeFileSync(file, '');
    const run = await runCli(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/invalid-json\s+expected a JSON value, found empty input at line 1, column 1/);
  });

  it('warns about a body over 1 MiB (4 MB here) and exits 0, as send does; --strict makes it an error', async () => {
    const file = join(temp, 'four-mb.json');
    const event = JSON.parse(readExample('valid/placed-order.json')) as { properties: Record<string, unknown> };
    event.properties.note = 'x'.repeat(4 * 1024 * 1024);
    const text = JSON.stringify(event);
    writeFileSync(file, text);
    const bytes = Buffer.byteLength(text);
    const violation = `(body)                        body-too-large              expected a body of at most 1048576 bytes (1 MiB, the limit this package recommends), found ${bytes} bytes`;
    const run = await runCli(['validate', file]);
    expect(run).toEqual({ code: 0, stdout: `valid    ${file}\n  warning  ${violation}\n\n1 file: 1 valid, 0 invalid (0 errors, 1 warning)\n`, stderr: '' });
    const strict = await runCli(['validate', '--strict', file]);
    expect(strict).toEqual({ code: 1, stdout: `INVALID  ${file}\n  error    ${violation}\n\n1 file: 0 valid, 1 invalid (1 error, 0 warnings)\n`, stderr: '' });
    const json = await runCli(['validate', '--json', '-'], { input: text });
    expect(JSON.parse(json.stdout)).toEqual([{ file: '-', valid: true, errors: [], warnings: [{ code: 'body-too-large', pointer: '', message: violation.replace(/^.*body-too-large +/, '') }] }]);
  });

  it('reads standard input for "-"', async () => {
    const run = await runCli(['validate', '--json', '-'], { input: readExample('valid/placed-order.json') });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ file: '-', valid: true, errors: [], warnings: [] }]);
  });

  it('prints a parseable JSON array with --json and nothing else', async () => {
    const run = await runCli(['validate', '--json', VALID, INVALID]);
    const results = JSON.parse(run.stdout) as unknown[];
    expect(results).toEqual([
      { file: VALID, valid: true, errors: [], warnings: [] },
      { file: INVALID, valid: false, errors: [{ code: 'aliases-too-many', pointer: '/aliases', message: 'expected at most 10 aliases, found 11' }], warnings: [] },
    ]);
  });

  it.each([
    [['validate', '--nope', VALID], /Unknown option '--nope'/],
    [['validate'], /validate needs at least one file/],
    [['validate', 'no/such/file.json'], /cannot read no\/such\/file\.json: no such file/],
    [['validate', 'spec'], /cannot read spec: is a directory/],
    [['validate', '-', '-'], /standard input \("-"\) can be read only once/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 with a one-line reason and no stack trace for usage error %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['validate', '--jsno', VALID], "Unknown option '--jsno'; did you mean --json?"],
    [['validate', '--stirct', VALID], "Unknown option '--stirct'; did you mean --strict?"],
    [['validate', '--JSON', VALID], "Unknown option '--JSON'; did you mean --json?"],
    [['mock', '--prot', '4010'], "Unknown option '--prot'; did you mean --port?"],
    [['mock', '--quite'], "Unknown option '--quite'; did you mean --quiet?"],
    [['sandbox', '--data-dir', 'x'], "Unknown option '--data-dir'; did you mean --data?"],
    [['sandbox', '--memroy'], "Unknown option '--memroy'; did you mean --memory?"],
    [['verify', '--url', 'http://127.0.0.1:9', '--case', '3'], "Unknown option '--case'; did you mean --cases?"],
    [['verify', '--skip'], "Unknown option '--skip'; did you mean --skip-wrong-token?"],
    [['send', '--no-valdate', VALID], "Unknown option '--no-valdate'; did you mean --no-validate?"],
    [['send', '--hlep'], "Unknown option '--hlep'; did you mean --help?"],
    // Nothing close: no guess.
    [['validate', '--nope', VALID], "Unknown option '--nope'"],
    [['sandbox', '--verbose'], "Unknown option '--verbose'"],
    [['validate', '-x', VALID], "Unknown option '-x'"],
    [['valdate', VALID], 'unknown command "valdate"; did you mean validate?'],
    [['sandbx'], 'unknown command "sandbx"; did you mean sandbox?'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    // A negative number is a value, for the option's own check; another dash word is a forgotten value.
    [['verify', '--url', 'http://127.0.0.1:9', '--token', 't', '--cases', '-5'], '--cases: expected an integer from 0 to 100000, found "-5"'],
    [['sandbox', '--memory', '--port', '-1'], '--port: expected an integer from 0 to 65535, found "-1"'],
    [['send', '--url', '--token', 't', VALID], '--url: expected a value, found the option "--token" (if that is the value, write --url=--token)'],
    // An option that takes a value, last on the line.
    [['send', '--contract', 'webengage', '--url', 'http://127.0.0.1:9', VALID, '--license-code'], '--license-code: expected a value, found nothing'],
    [['validate', VALID, '--contract'], '--contract: expected a value, found nothing'],
  ])('a mistyped option, command or option value: exit 2, one plain line ("did you mean" when one is close), no stack trace: %j', async (args, message) => {
    const run = await runCli(args);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `converge-webhook: ${message}\nRun "npx converge-webhook help" for usage.\n` });
  });

  it('its hints name the command as a project runs it: npx converge-webhook', async () => {
    const run = await runCli(['help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\nRun "npx converge-webhook <command> --help" for a command\'s options.\n');
    expect(run.stdout).not.toContain('"converge-webhook ');
  });

  it('validates nothing when one file is unreadable (usage error before any output)', async () => {
    const run = await runCli(['validate', VALID, 'missing.json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('runs as `npx converge-webhook` from the checkout (after npm ci / npm run build)', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('npx', ['--no-install', 'converge-webhook', 'validate', '--json', VALID], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(JSON.parse(out)).toMatchObject([{ valid: true }]);
  });

  it('prints help with exit 0', async () => {
    const run = await runCli(['validate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: converge-webhook validate/);
  });
});

interface ManifestEntry {
  file: string;
  summary: string;
  errors?: Array<{ code: string; pointer?: string; in?: string }>;
  warnings: Array<{ code: string; pointer: string }>;
  contentType?: string | null;
  kind?: string;
  webhook?: string;
  licenseCode?: string;
}

/** Why a file alone cannot reproduce an example's verdict (the HTTP layer's tests judge it), or undefined. */
function requestOnly(entry: ManifestEntry): string | undefined {
  if (entry.kind === 'conversion') return 'a conversion webhook reads no body';
  if (entry.contentType === null) return 'a request without a Content-Type header';
  if ((entry.errors ?? []).some((e) => e.in !== undefined)) return 'a request parameter or header (secret, license code, eventType, x-request-id)';
  return undefined;
}

describe.each(contractFolders().map((folder) => [folder.id, folder] as const))('converge-webhook validate --contract %s: every example of the manifests', (id, folder) => {
  const entries = (['valid', 'invalid'] as const).flatMap((kind) => YAML.parse(readFileSync(join(root, folder.examples, `${kind}.yaml`), 'utf8')) as ManifestEntry[]);
  const judged = entries.filter((entry) => requestOnly(entry) === undefined);

  it('judges most of them from the file alone', () => {
    expect(judged.length).toBeGreaterThan(entries.length * 0.8);
  });

  // One run per set of options (content type, webhook, license code): every file of the set at once.
  const groups = new Map<string, { args: string[]; entries: ManifestEntry[] }>();
  for (const entry of judged) {
    const args = [
      ...(entry.contentType ? ['--content-type', entry.contentType] : []),
      ...(entry.webhook ? ['--webhook', entry.webhook] : []),
      ...(entry.licenseCode ? ['--query', `licenseCode=${entry.licenseCode}`] : []),
    ];
    const key = args.join(' ');
    const group = groups.get(key) ?? { args, entries: [] };
    group.entries.push(entry);
    groups.set(key, group);
  }

  it.each([...groups.values()].map((group) => [group.args.join(' ') || '(no options)', group] as const))('with %s: the exact codes, the verdict and the exit code', async (_name, group) => {
    const files = group.entries.map((entry) => `${folder.examples}/${entry.file}`);
    const run = await runCli(['validate', '--contract', id, '--json', ...group.args, ...files]);
    expect(run.stderr).toBe('');
    const results = JSON.parse(run.stdout) as Array<{ file: string; valid: boolean; errors: Array<{ code: string; pointer: string }>; warnings: Array<{ code: string; pointer: string }> }>;
    expect(results.map((r) => r.file)).toEqual(files);
    group.entries.forEach((entry, i) => {
      const result = results[i]!;
      const expected = { valid: (entry.errors ?? []).length === 0, errors: keys((entry.errors ?? []) as Array<{ code: string; pointer: string }>), warnings: keys(entry.warnings ?? []) };
      expect({ valid: result.valid, errors: keys(result.errors), warnings: keys(result.warnings) }, `${entry.file}: ${entry.summary}`).toEqual(expected);
    });
    expect(run.code).toBe(results.every((r) => r.valid) ? 0 : 1);
  }, 60_000);
});

describe('converge-webhook validate --contract, --content-type, --webhook', () => {
  const FORM = 'spec/provesource/examples/invalid/duplicate-email.form';
  const SEED = 'spec/webengage/examples/valid/seed-journey-activated.json';

  it('reads a file as form with --content-type, in text as in JSON', async () => {
    const run = await runCli(['validate', '--contract', 'provesource', '--content-type', 'application/x-www-form-urlencoded', FORM]);
    expect(run).toEqual({
      code: 1,
      stdout: `INVALID  ${FORM}\n  error    /email                        form-duplicate-field        expected each field once, found the field "email" where /email already has a value\n\n1 file: 0 valid, 1 invalid (1 error, 0 warnings)\n`,
      stderr: '',
    });
    // Without the flag the file is read as JSON (the contract's first media type), and its form shape is said.
    const json = await runCli(['validate', '--contract', 'provesource', '--json', FORM]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        file: FORM,
        valid: false,
        errors: [{ code: 'content-type-mismatch', pointer: '', message: 'expected a body in application/json, as its Content-Type says, found a body that looks like application/x-www-form-urlencoded (send it with the Content-Type application/x-www-form-urlencoded)' }],
        warnings: [],
      },
    ]);
  });

  it('takes application/json with charset=utf-8 for Converge, as its receiver does', async () => {
    const run = await runCli(['validate', '--content-type', 'application/json; charset="UTF-8"', VALID]);
    expect(run).toEqual({ code: 0, stdout: `valid    ${VALID}\n\n1 file: 1 valid, 0 invalid (0 errors, 0 warnings)\n`, stderr: '' });
  });

  it('validates a body as the webhook --webhook names', async () => {
    expect((await runCli(['validate', '--contract', 'webengage', '--webhook', 'journey', SEED])).code).toBe(0);
    const asEvents = await runCli(['validate', '--contract', 'webengage', '--json', SEED]);
    expect(asEvents.code).toBe(0);
    expect(JSON.parse(asEvents.stdout)).toMatchObject([{ file: SEED, valid: true }]);
  });

  it('a body the default webhook finds fault with, that another webhook takes with fewer: a hint naming --webhook, as send prints it; none once --webhook is given, nor in --json', async () => {
    const run = await runCli(['validate', '--contract', 'webengage', SEED]);
    expect(run).toEqual({
      code: 0,
      stdout: [
        `valid    ${SEED}`,
        '  warning  /system_data                  recommended-field-missing   expected system_data, which every WebEngage example carries (recommended), found nothing',
        '  warning  /anonymous_id                 recommended-field-missing   expected anonymous_id, which every WebEngage example carries (recommended), found nothing',
        `  warning  /resource                     unknown-field               expected only the fields of WebEngage's envelope at the top level (written in snake_case, such as event_name), found "resource"`,
        `  warning  /version                      unknown-field               expected only the fields of WebEngage's envelope at the top level (written in snake_case, such as event_name), found "version"`,
        '  hint: as a journey delivery it is valid with no warnings (here, for the events webhook: 4 warnings): did you mean --webhook journey?',
        '',
        '1 file: 1 valid, 0 invalid (0 errors, 4 warnings)',
        '',
      ].join('\n'),
      stderr: '',
    });
    const chosen = await runCli(['validate', '--contract', 'webengage', '--webhook', 'events', SEED]);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toBe(run.stdout.replace(/^ {2}hint: .*\n/m, ''));
    const json = await runCli(['validate', '--contract', 'webengage', '--json', SEED]);
    expect(Object.keys((JSON.parse(json.stdout) as Array<Record<string, unknown>>)[0]!)).toEqual(['file', 'valid', 'errors', 'warnings']);
  });

  it.each([
    [['validate', '--contract', 'acme', VALID], '--contract: expected one of converge, provesource, webengage, found "acme"'],
    [['validate', '--contract', 'provesorce', VALID], '--contract: expected one of converge, provesource, webengage, found "provesorce"; did you mean provesource?'],
    [['validate', '--contract', 'provesource', '--content-type', 'form', FORM], '--content-type: expected a media type such as application/json or application/x-www-form-urlencoded, found "form"'],
    // Converge's receiver refuses these from the headers (contract.yaml unsupportedMediaType.stage), before any body rule.
    [['validate', '--content-type', 'text/plain', VALID], `--content-type: expected application/json (with no charset, or charset=utf-8), found "text/plain": a converge receiver refuses it from the headers (the sandbox answers 415), before reading the body, so there is nothing to validate`],
    [['validate', '--content-type', 'application/json; charset=iso-8859-1', VALID], `--content-type: expected application/json (with no charset, or charset=utf-8), found "application/json; charset=iso-8859-1": a converge receiver refuses it from the headers (the sandbox answers 415), before reading the body, so there is nothing to validate`],
    [['validate', '--contract', 'webengage', '--webhook', 'jorney', SEED], '--webhook: expected a webhook of the webengage contract that takes a body (events, activityEvents, globalSystemEvents, globalApplicationEvents, journey, feedback, feedbackReply, surveyResponse), found "jorney"; did you mean journey?'],
    [['validate', '--contract', 'provesource', '--webhook', 'conversion', FORM], '--webhook: conversion reads no body, so there is nothing to validate (bodies: stream)'],
    [['validate', '--contract', 'webengage', '--query', 'licenseCode', SEED], '--query: expected NAME=VALUE, found "licenseCode"'],
  ])('a contract, media type or webhook it does not have: exit 2, one plain line: %j', async (args, message) => {
    const run = await runCli(args);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `converge-webhook: ${message}\nRun "npx converge-webhook help" for usage.\n` });
  });

  // mock and send serve every contract too (test/mock-contracts.test.ts, test/send-contracts.test.ts).
  it('verify --contract provesource or webengage asks for its URL', async () => {
    const webengage = await runCli(['verify', '--contract', 'webengage']);
    expect(webengage).toEqual({
      code: 2,
      stdout: '',
      stderr: 'converge-webhook: verify --contract webengage needs --url (or the WEBENGAGE_POST_URL environment variable): your receiver\'s URL, found nothing\nRun "npx converge-webhook help" for usage.\n',
    });
    const provesource = await runCli(['verify', '--contract', 'provesource']);
    expect(provesource.code).toBe(2);
    expect(provesource.stderr).toMatch(/^converge-webhook: verify --contract provesource needs --url \(or the PROVESOURCE_WEBHOOK_URL environment variable\)/);
    const unknown = await runCli(['verify', '--contract=acme']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^converge-webhook: --contract: expected one of converge, provesource, webengage, found "acme"\n/);
  });

  it('--contract converge is the default everywhere: validate and the help of the other commands accept it', async () => {
    expect((await runCli(['validate', '--contract', 'converge', VALID])).code).toBe(0);
    for (const command of ['sandbox', 'mock', 'verify', 'send']) {
      const run = await runCli([command, '--contract', 'converge', '--help']);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).toMatch(new RegExp(`^Usage: converge-webhook ${command}`));
    }
  });

  it('--version prints the package version and each contract\'s info.version', async () => {
    const registry = JSON.parse(readFileSync(join(root, 'generated/contracts.json'), 'utf8')) as { contracts: Array<{ id: string; version: string; title: string }> };
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run).toEqual({
      code: 0,
      stdout: `converge-webhook-contract ${version}\n${registry.contracts.map((c, i) => `  ${c.id.padEnd(11)}  ${c.version}  ${c.title}${i === 0 ? ' (default)' : ''}\n`).join('')}`,
      stderr: '',
    });
    expect(run.stdout).toMatch(/^ {2}webengage {4}\d+\.\d+\.\d+ {2}WebEngage webhooks$/m);
  });
});

describe('the bin before a build', () => {
  it('says "run npm run build" and exits 2 when dist/ is missing, instead of "not found"', () => {
    // A checkout without dist/: the committed bin and package.json, nothing built.
    const checkout = join(temp, 'checkout');
    mkdirSync(join(checkout, 'bin'), { recursive: true });
    copyFileSync(join(root, 'bin/converge-webhook.js'), join(checkout, 'bin/converge-webhook.js'));
    chmodSync(join(checkout, 'bin/converge-webhook.js'), 0o755);
    copyFileSync(join(root, 'package.json'), join(checkout, 'package.json'));
    const run = spawnSync('npx', ['--no-install', 'converge-webhook', 'validate', 'x.json'], { cwd: checkout, encoding: 'utf8' });
    expect({ code: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'converge-webhook: dist/ is missing: run "npm run build" first (a checkout builds it; an installed package ships it)\n',
    });
  });
});
