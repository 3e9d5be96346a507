/**
 * The package as another project gets it: `npm pack`, install the tarball into a fresh
 * project with its own strict tsconfig (with scripts allowed, as a consumer installs: npm
 * must have no install script to warn about), compile a consumer against the published types,
 * run it as an ES module and as CommonJS, and use every subpath of "exports", /testing included.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSandbox } from '../src/testing.js';
import { root } from './helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(root, 'node_modules/typescript/bin/tsc');
let work: string;
let project: string;
let packed: string[];
/** What `npm install <tarball>` printed, stdout and stderr. */
let installOutput: string;

const CONSUMER_ESM = `import { validateEvent, isWebhookEvent, STANDARD_EVENT_NAMES, type StandardEvent, type WebhookEvent, type PlacedOrderEvent } from 'converge-webhook-contract';
import type { paths } from 'converge-webhook-contract/openapi-types';

type Body = paths['/api/webhooks']['post']['requestBody']['content']['application/json'];

function revenue(event: StandardEvent): number {
  if (event.event_name === 'Placed Order') {
    const order: PlacedOrderEvent = event;
    return order.properties.total_price ?? 0;
  }
  return 0;
}

const custom: WebhookEvent = {
  event_name: 'Subscribed To Newsletter',
  event_id: 'nl-1',
  properties: { list: 'weekly' },
  profile_properties: {},
  aliases: ['urn:email:jane@example.com'],
};
const body: Body = custom;

// @ts-expect-error aliases is required
const missing: WebhookEvent = { event_name: 'x', event_id: 'y', properties: {}, profile_properties: {} };

const order: StandardEvent = { ...custom, event_name: 'Placed Order', properties: { total_price: 42, currency: 'USD' } };
const input: unknown = JSON.parse(JSON.stringify(order));
console.log(JSON.stringify({
  revenue: revenue(order),
  custom: validateEvent(body),
  missing: validateEvent(missing).errors.map((e) => e.code),
  strict: validateEvent({ ...custom, aliases: ['jane'] }, { strict: true }).errors.map((e) => e.code),
  guard: isWebhookEvent(input),
  names: STANDARD_EVENT_NAMES.length,
}));
`;

// A sender as the openapi-typescript docs write one: openapi-fetch over the package's paths, with
// typed events as bodies. Compiled with the others, then run against a sandbox.
const CONSUMER_SENDER = `import createClient from 'openapi-fetch';
import type { paths } from 'converge-webhook-contract/openapi-types';
import type { CustomEvent, PlacedOrderEvent, WebhookEvent } from 'converge-webhook-contract';

declare const process: { env: Record<string, string | undefined> };

const placedOrder: PlacedOrderEvent = {
  event_name: 'Placed Order',
  event_id: 'order-1001',
  properties: { id: 'order-1001', total_price: 42, currency: 'USD', items: [{ product_id: 'sku-1', price: 42, quantity: 1 }] },
  profile_properties: { $email: 'jane@example.com' },
  aliases: ['urn:email:jane@example.com'],
  timestamp: 1725312229,
};
const newsletter: CustomEvent = {
  event_name: 'Subscribed To Newsletter',
  event_id: 'nl-1001',
  properties: { list: 'weekly' },
  profile_properties: {},
  aliases: ['urn:email:jane@example.com'],
};

const client = createClient<paths>({ baseUrl: process.env.SANDBOX_URL! });
async function send(event: WebhookEvent): Promise<number> {
  const { response } = await client.POST('/api/webhooks', { body: event, headers: { 'X-Webhook-Token': process.env.SANDBOX_TOKEN! } });
  return response.status;
}
const { response } = await client.POST('/api/webhooks', { body: placedOrder, headers: { 'X-Webhook-Token': process.env.SANDBOX_TOKEN! } });
console.log(JSON.stringify([response.status, await send(newsletter)]));
`;

/** converge-webhook-contract/testing, as another repo's test suite uses it (Prism and Dredd not installed). */
const CONSUMER_TESTING = `import { PRISM_INSTALL_COMMAND, PrismNotInstalled, runVerify, startMock, startSandbox, type RunningSandbox, type StoredEvent } from 'converge-webhook-contract/testing';

const sandbox: RunningSandbox = await startSandbox({ port: 0, token: 'package-test-token-0123', inMemory: true });
const body = JSON.stringify({ event_name: 'Placed Order', event_id: 'pkg-1', properties: { total_price: 5 }, profile_properties: {}, aliases: ['urn:email:a@example.com'] });
const answer = await fetch(sandbox.webhookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': sandbox.token }, body });
const stored: StoredEvent[] = sandbox.events();
await sandbox.stop();
const mock = await startMock({ port: 0 }).then(() => 'started', (error: unknown) => (error instanceof PrismNotInstalled ? error.message : String(error)));
const verify = await runVerify({ url: 'http://127.0.0.1:9', token: 't' }).then(() => 'ran', (error: unknown) => (error instanceof Error ? error.message : String(error)));
console.log(JSON.stringify({ status: answer.status, stored: stored.map((e) => e.event_id), mock, verify, install: PRISM_INSTALL_COMMAND }));
`;

/** converge-webhook-contract/provesource and /webengage, as a receiver of those webhooks imports them. */
const CONSUMER_CONTRACTS = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isStreamNotification, MEDIA_TYPES, validateBody as validateProveSource, type Product, type StreamNotification, type ViolationCode } from 'converge-webhook-contract/provesource';
import { OPERATIONS, SYSTEM_EVENT_NAMES, parsePushNotificationContent, validateBody as validateWebEngage, verifyWebengageSecret, webengageSecret, type JourneyEvent } from 'converge-webhook-contract/webengage';

const product: Product = { name: 'Mug', link: 'https://shop.example/mug', id: 7 };
// @ts-expect-error link is required
const noLink: Product = { name: 'Mug' };
const notification: StreamNotification = { email: 'jane@example.com', timestamp: 1725312229, products: [product] };
const code: ViolationCode = 'content-type-mismatch';
// @ts-expect-error a code of another contract
const other: ViolationCode = 'aliases-too-many';

const form = 'email=jane%40example.com&firstName=Jane&products[0][name]=Mug&products[0][link]=https%3A%2F%2Fshop.example%2Fmug&products[0][price]=12.5';
const asForm = validateProveSource(form, { contentType: 'application/x-www-form-urlencoded' });
const asJson = validateProveSource(new TextEncoder().encode(JSON.stringify(notification)), { contentType: 'application/json; charset=utf-8' });
const seedFile = createRequire(import.meta.url).resolve('converge-webhook-contract/package.json').replace(/package\\.json$/, 'spec/webengage/examples/valid/seed-journey-activated.json');
const journey = validateWebEngage(readFileSync(seedFile), { operation: 'journey' });
const typed: JourneyEvent | undefined = journey.valid ? (journey.value as JourneyEvent) : undefined;
const secret: string = webengageSecret('~99199077', 'test-key-webengage-1');
// @ts-expect-error the account needs its secret key
verifyWebengageSecret({ licenseCode: '~99199077', secret }, { licenseCode: '~99199077' });
const content = parsePushNotificationContent('GCM_ERROR');
console.log(JSON.stringify({
  mediaTypes: MEDIA_TYPES,
  form: asForm,
  json: asJson.valid,
  mismatch: validateProveSource(form).errors.map((e) => e.code),
  missingLink: validateProveSource('email=a%40b.com&products[0][name]=Mug', { contentType: 'application/x-www-form-urlencoded' }).errors,
  guard: [isStreamNotification(notification), isStreamNotification({ products: [noLink] })],
  code,
  other,
  webengage: { operations: OPERATIONS.length, names: SYSTEM_EVENT_NAMES.length > 0, valid: journey.valid, errors: journey.errors, warnings: journey.warnings, event: typed?.event_name },
  helpers: { secret, verified: verifyWebengageSecret({ licenseCode: '~99199077', secret }, { licenseCode: '~99199077', secretKey: 'test-key-webengage-1' }), code: content.kind === 'code' ? content.code : content.kind },
}));
`;

/** Every subpath of "exports", resolved as Node resolves them for an ES module, and what each holds. */
const CONSUMER_EXPORTS = `import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const name = 'converge-webhook-contract';
const read = (subpath) => readFileSync(fileURLToPath(import.meta.resolve(name + subpath)), 'utf8');
const refused = (subpath) => {
  try {
    import.meta.resolve(name + subpath);
    return 'resolved';
  } catch (error) {
    return error.code;
  }
};
const manifest = JSON.parse(read('/package.json'));
console.log(JSON.stringify({
  keys: Object.keys(manifest.exports),
  version: manifest.version,
  main: typeof (await import(name)).validateBody,
  // The main entry is the default contract's: the same module as its own subpath would be.
  mainIsDefault: import.meta.resolve(name).endsWith('/dist/esm/generated/converge/index.js'),
  entries: await Promise.all(['provesource', 'webengage'].map(async (id) => Object.keys(await import(name + '/' + id)).sort())),
  testing: typeof (await import(name + '/testing')).startSandbox,
  openapiJson: JSON.parse(read('/openapi.json')).openapi,
  openapiYaml: /^openapi: 3\.1\.0$/m.test(read('/openapi.yaml')),
  dereferenced: [JSON.parse(read('/openapi.dereferenced.json')).openapi, read('/openapi.dereferenced.json').includes('"$ref"')],
  openapi30: JSON.parse(read('/openapi-3.0.json')).openapi,
  schema: JSON.parse(read('/schemas/events/placed-order-event.schema.json')).$id,
  // Every contract under its id.
  perContract: ['converge', 'provesource', 'webengage'].map((id) => [
    JSON.parse(read('/' + id + '/openapi.json')).info.title,
    /^openapi: 3\\.1\\.0$/m.test(read('/' + id + '/openapi.yaml')),
    JSON.parse(read('/' + id + '/openapi.dereferenced.json')).openapi,
    Object.keys(JSON.parse(read('/' + id + '/openapi-3.0.json')).paths).length,
    refused('/' + id + '/openapi-types'),
  ]),
  provesourceSchema: JSON.parse(read('/provesource/schemas/stream-notification.schema.json')).$id,
  // Types only: nothing to load at run time.
  openapiTypes: refused('/openapi-types'),
  // Not exported: the package's insides stay private.
  dist: refused('/dist/esm/src/library.js'),
  src: refused('/src/library.ts'),
}));
`;

const CONSUMER_CJS = `import { validateEvent, SALES_CHANNEL_TYPES, type WebhookEvent } from 'converge-webhook-contract';
import { validateBody as validateProveSource } from 'converge-webhook-contract/provesource';
// @ts-expect-error aliases is non-empty in the type too (minItems: 1)
const event: WebhookEvent = { event_name: 'Placed Order', event_id: 'o-1', properties: {}, profile_properties: {}, aliases: [] };
const spec = require('converge-webhook-contract/openapi.json') as { openapi: string };
const schema = require('converge-webhook-contract/schemas/webhook-event.schema.json') as { $id: string };
const form = validateProveSource('email=jane%40example.com&timestamp=1725312229000', { contentType: 'application/x-www-form-urlencoded' });
console.log(JSON.stringify({ errors: validateEvent(event).errors.map((e) => e.code), channels: SALES_CHANNEL_TYPES.length, openapi: spec.openapi, id: schema.$id, provesource: [form.valid, form.value] }));
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'converge-pack-'));
  const out = execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = info!.files.map((f) => f.path);
  project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, lib: ['ES2022', 'DOM'], types: [], outDir: 'out', skipLibCheck: false },
      include: ['src'],
    }),
  );
  mkdirSync(join(project, 'src'));
  writeFileSync(join(project, 'src/esm.ts'), CONSUMER_ESM);
  writeFileSync(join(project, 'src/cjs.cts'), `declare const require: (id: string) => unknown;\n${CONSUMER_CJS}`);
  writeFileSync(join(project, 'src/sender.ts'), CONSUMER_SENDER);
  // The testing entry runs servers: its consumers are Node test suites, with Node's types.
  mkdirSync(join(project, 'node-tests'));
  writeFileSync(join(project, 'node-tests/testing.ts'), CONSUMER_TESTING);
  writeFileSync(join(project, 'node-tests/contracts.ts'), CONSUMER_CONTRACTS);
  writeFileSync(
    join(project, 'tsconfig.node.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { types: ['node'], typeRoots: [join(root, 'node_modules/@types')], outDir: 'out-node' }, include: ['node-tests'] }),
  );
  writeFileSync(join(project, 'exports.mjs'), CONSUMER_EXPORTS);
  // As a consumer installs it: scripts allowed, so that npm says so if the package has any.
  const install = spawnSync(npm, ['install', '--offline', '--no-audit', '--no-fund', join(work, info!.filename)], { cwd: project, encoding: 'utf8' });
  installOutput = `${install.stdout}${install.stderr}`;
  expect(install.status, installOutput).toBe(0);
  // openapi-fetch is this repository's devDependency, linked rather than installed (the test runs
  // offline); its own dependency resolves from where the link points.
  symlinkSync(join(root, 'node_modules/openapi-fetch'), join(project, 'node_modules/openapi-fetch'), 'dir');
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('ships the contract, generated artifacts and both builds, and no tests or sources of the build', () => {
    expect(packed).toEqual(expect.arrayContaining([
      'bin/converge-webhook.js', 'dist/esm/src/cli.js',
      ...['converge', 'provesource', 'webengage'].flatMap((id) => ['esm', 'cjs'].flatMap((build) => [`dist/${build}/generated/${id}/index.js`, `dist/${build}/generated/${id}/index.d.ts`])),
      'generated/converge/openapi/openapi.json', 'generated/converge/openapi/openapi.yaml', 'generated/converge/openapi/openapi-3.0.json',
      'generated/converge/schemas/webhook-event.schema.json', 'spec/converge/openapi.yaml', 'spec/converge/examples/valid.yaml', 'README.md', 'package.json',
    ]));
    expect(packed.filter((p) => p.startsWith('test/') || p.startsWith('scripts/') || p.startsWith('node_modules/'))).toEqual([]);
  });

  it('carries the validators once: in dist/, where the library imports them (no export reaches generated/<id>/validators/)', () => {
    const validators = packed.filter((p) => p.includes('/validators/'));
    expect(validators).toContain('dist/esm/generated/converge/validators/webhook-event.js');
    expect(validators).toContain('dist/cjs/generated/converge/validators/webhook-event.js');
    expect(validators.filter((p) => !/^dist\/(esm|cjs)\/generated\/[a-z0-9-]+\/validators\//.test(p))).toEqual([]);
  });

  it('installs without an install script, and npm warns about none', () => {
    expect(installOutput).not.toMatch(/install-scripts|npm warn/i);
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/converge-webhook-contract/package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(Object.keys(manifest.scripts).filter((name) => /^(pre|post)?(install|prepare)$/.test(name))).toEqual([]);
  });

  it('installs without pulling Prism or Dredd (they are optional peers)', () => {
    const installed = readdirSync(join(project, 'node_modules'));
    expect(installed).toContain('converge-webhook-contract');
    expect(installed).not.toContain('dredd');
    expect(installed).not.toContain('@stoplight');
    expect(installed).not.toContain('ajv');
  });

  it('type-checks a strict consumer (narrowing, custom events, @ts-expect-error on a missing or empty aliases, an openapi-fetch sender)', () => {
    const compiled = spawnSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    expect(compiled.stdout + compiled.stderr).toBe(''); // tsc's errors, when there are any
    expect(compiled.status).toBe(0);
  }, 60_000);

  it('runs validateEvent from an ES module consumer', () => {
    const out = JSON.parse(execFileSync(process.execPath, [join(project, 'out/esm.js')], { cwd: project, encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({
      revenue: 42,
      custom: { valid: true, errors: [], warnings: [] },
      missing: ['missing-field'],
      strict: ['alias-form'],
      guard: true,
      names: 13,
    });
  });

  it('runs validateEvent from a CommonJS consumer, with the JSON subpath exports', () => {
    const out = JSON.parse(execFileSync(process.execPath, [join(project, 'out/cjs.cjs')], { cwd: project, encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({
      errors: ['aliases-too-few'],
      channels: 10,
      openapi: '3.1.0',
      id: 'urn:converge-webhook-contract:v1:webhook-event',
      provesource: [true, { email: 'jane@example.com', timestamp: 1725312229000 }],
    });
  });

  it('sends typed events with openapi-fetch: a PlacedOrderEvent and a CustomEvent are request bodies', async () => {
    const sandbox = await startSandbox({ port: 0 });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [join(project, 'out/sender.js')], { cwd: project, encoding: 'utf8', env: { ...process.env, SANDBOX_URL: sandbox.url, SANDBOX_TOKEN: sandbox.token } }, (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        );
      });
      expect(JSON.parse(out)).toEqual([200, 200]);
      expect(sandbox.events().map((e) => [e.event_name, e.event_id, e.warnings])).toEqual([
        ['Subscribed To Newsletter', 'nl-1001', []],
        ['Placed Order', 'order-1001', []],
      ]);
      expect(sandbox.events({ event_name: 'Placed Order' })[0]!.body.properties).toEqual({
        id: 'order-1001', total_price: 42, currency: 'USD', items: [{ product_id: 'sku-1', price: 42, quantity: 1 }],
      });
    } finally {
      await sandbox.stop();
    }
  });

  it('resolves every subpath of "exports" to what it promises, and nothing else', () => {
    const out = JSON.parse(execFileSync(process.execPath, [join(project, 'exports.mjs')], { cwd: project, encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({
      keys: [
        '.', './testing', './openapi.json', './openapi.yaml', './openapi.dereferenced.json', './openapi-3.0.json', './openapi-types', './schemas/*',
        ...['converge', 'provesource', 'webengage'].flatMap((id) => [...(id === 'converge' ? [] : [`./${id}`]), ...['openapi.json', 'openapi.yaml', 'openapi.dereferenced.json', 'openapi-3.0.json', 'openapi-types', 'schemas/*'].map((s) => `./${id}/${s}`)]),
        './package.json',
      ],
      version: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
      main: 'function',
      mainIsDefault: true,
      entries: [
        ['MAX_BODY_BYTES', 'MEDIA_TYPES', 'OPERATIONS', 'StreamNotificationError', 'TIMESTAMP_SECONDS_BELOW', 'VIOLATION_CODES', 'assertStreamNotification', 'isStreamNotification', 'validateBody', 'validateEvent'],
        ['EXCLUDED_SYSTEM_EVENT_NAMES', 'GLOBAL_SYSTEM_EVENT_NAMES', 'MEDIA_TYPES', 'OPERATIONS', 'SYSTEM_EVENT_NAMES', 'VIOLATION_CODES', 'WEBENGAGE_TIME_PATTERN', 'parsePushNotificationContent', 'parseWebengageTime', 'validateBody', 'validateEvent', 'verifyWebengageSecret', 'webengageSecret'],
      ],
      testing: 'function',
      openapiJson: '3.1.0',
      openapiYaml: true,
      dereferenced: ['3.1.0', false],
      openapi30: '3.0.3',
      schema: 'urn:converge-webhook-contract:v1:events/placed-order-event',
      perContract: [
        ['Converge server-side webhook', true, '3.1.0', 1, 'ERR_PACKAGE_PATH_NOT_EXPORTED'],
        ['ProveSource custom webhook', true, '3.1.0', 1, 'ERR_PACKAGE_PATH_NOT_EXPORTED'],
        // Eight webhooks, each a path in the 3.0 document.
        ['WebEngage webhooks', true, '3.1.0', 8, 'ERR_PACKAGE_PATH_NOT_EXPORTED'],
      ],
      provesourceSchema: 'urn:converge-webhook-contract:provesource:v1:stream-notification',
      openapiTypes: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      dist: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      src: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  it('type-checks a Node test suite against converge-webhook-contract/testing, runs a sandbox from it, and names the install command of the missing peers', () => {
    const compiled = spawnSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.node.json')], { cwd: project, encoding: 'utf8' });
    expect(`${compiled.stdout}${compiled.stderr}`).toBe('');
    expect(compiled.status).toBe(0);
    const out = JSON.parse(execFileSync(process.execPath, [join(project, 'out-node/testing.js')], { cwd: project, encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({
      status: 200,
      stored: ['pkg-1'],
      mock: expect.stringContaining('Install it with: npm install --save-dev @stoplight/prism-cli@5.14.2'),
      verify: expect.stringContaining('verify needs Dredd'),
      install: 'npm install --save-dev @stoplight/prism-cli@5.14.2',
    });
  }, 60_000);

  it('imports converge-webhook-contract/provesource (a form body and a JSON body) and /webengage (a seed example), typed', () => {
    // Compiled with the Node test suite above (tsconfig.node.json).
    const compiled = spawnSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.node.json')], { cwd: project, encoding: 'utf8' });
    expect(`${compiled.stdout}${compiled.stderr}`).toBe('');
    const out = JSON.parse(execFileSync(process.execPath, [join(project, 'out-node/contracts.js')], { cwd: project, encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({
      mediaTypes: ['application/json', 'application/x-www-form-urlencoded'],
      form: { valid: true, errors: [], warnings: [], value: { email: 'jane@example.com', firstName: 'Jane', products: [{ name: 'Mug', link: 'https://shop.example/mug', price: 12.5 }] } },
      json: true,
      mismatch: ['content-type-mismatch'],
      missingLink: [{ code: 'missing-field', pointer: '/products/0/link', message: 'expected a link to the product (required in each product), found nothing' }],
      guard: [true, false],
      code: 'content-type-mismatch',
      other: 'aliases-too-many',
      webengage: { operations: 8, names: true, valid: true, errors: [], warnings: [], event: 'journey_activated' },
      helpers: { secret: '79b6e2663b50e63380722a1251d39d63', verified: true, code: 'GCM_ERROR' },
    });
  }, 60_000);

  it('runs the installed bin', () => {
    const bin = join(project, 'node_modules/.bin/converge-webhook');
    const out = execFileSync(bin, ['validate', '--json', join(root, 'spec/converge/examples/valid/placed-order.json')], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject([{ valid: true }]);
  });
});
