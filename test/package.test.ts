/**
 * The package as another project gets it: `npm pack`, install the tarball into a fresh
 * project with its own strict tsconfig, compile a consumer against the published types,
 * and run it as an ES module and as CommonJS.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

const CONSUMER_CJS = `import { validateEvent, SALES_CHANNEL_TYPES, type WebhookEvent } from 'converge-webhook-contract';
// @ts-expect-error aliases is non-empty in the type too (minItems: 1)
const event: WebhookEvent = { event_name: 'Placed Order', event_id: 'o-1', properties: {}, profile_properties: {}, aliases: [] };
const spec = require('converge-webhook-contract/openapi.json') as { openapi: string };
const schema = require('converge-webhook-contract/schemas/webhook-event.schema.json') as { $id: string };
console.log(JSON.stringify({ errors: validateEvent(event).errors.map((e) => e.code), channels: SALES_CHANNEL_TYPES.length, openapi: spec.openapi, id: schema.$id }));
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
  execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, info!.filename)], { cwd: project, stdio: 'pipe' });
  // openapi-fetch is this repository's devDependency, linked rather than installed (the test runs
  // offline); its own dependency resolves from where the link points.
  symlinkSync(join(root, 'node_modules/openapi-fetch'), join(project, 'node_modules/openapi-fetch'), 'dir');
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('ships the contract, generated artifacts and both builds, and no tests or sources of the build', () => {
    expect(packed).toEqual(expect.arrayContaining([
      'dist/esm/src/index.js', 'dist/esm/src/index.d.ts', 'dist/cjs/src/index.js', 'dist/cjs/src/index.d.ts', 'dist/esm/src/cli.js',
      'generated/openapi/openapi.json', 'generated/openapi/openapi.yaml', 'generated/openapi/openapi-3.0.json',
      'generated/schemas/webhook-event.schema.json', 'spec/openapi.yaml', 'spec/examples/valid.yaml', 'README.md', 'package.json',
    ]));
    expect(packed.filter((p) => p.startsWith('test/') || p.startsWith('scripts/') || p.startsWith('node_modules/'))).toEqual([]);
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
    expect(out).toEqual({ errors: ['aliases-too-few'], channels: 10, openapi: '3.1.0', id: 'urn:converge-webhook-contract:v1:webhook-event' });
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

  it('runs the installed bin', () => {
    const bin = join(project, 'node_modules/.bin/converge-webhook');
    const out = execFileSync(bin, ['validate', '--json', join(root, 'spec/examples/valid/placed-order.json')], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject([{ valid: true }]);
  });
});
