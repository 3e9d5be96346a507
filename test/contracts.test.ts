/**
 * The contracts as data: every spec/<id>/contract.yaml against spec/contract.schema.json, the
 * loader's messages for a broken one, and the lists outside spec/ that must name every
 * contract (the registry, Redocly's ignore file, the package's exports written by the generator), each audited
 * here against the folders found on disk.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { loadContracts } from '../scripts/lib/contracts.ts';
import { packageEntryFields, packageExports, withPackageExports } from '../scripts/lib/package-exports.ts';
import { readRegistry } from '../src/registry.js';
import { root } from './helpers.js';

const folders = readdirSync(join(root, 'spec'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'spec', entry.name, 'contract.yaml')))
  .map((entry) => entry.name)
  .sort();
const descriptor = (id: string) => YAML.parse(readFileSync(join(root, 'spec', id, 'contract.yaml'), 'utf8')) as Record<string, unknown>;

describe('spec/<id>/contract.yaml', () => {
  it('every one matches spec/contract.schema.json, and exactly one is the default', () => {
    expect(folders).toEqual(['converge', 'provesource', 'webengage']);
    const schema = JSON.parse(readFileSync(join(root, 'spec/contract.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020.default({ allErrors: true, strictRequired: false, strictTypes: false }).compile(schema);
    for (const id of folders) {
      const valid = validate(descriptor(id));
      expect(validate.errors ?? [], `spec/${id}/contract.yaml`).toEqual([]);
      expect(valid).toBe(true);
      expect(descriptor(id).id).toBe(id);
    }
    expect(folders.filter((id) => descriptor(id).default === true)).toEqual(['converge']);
  });

  describe('a broken one stops the loader with the file, the place, what was expected and what was found', () => {
    const temps: string[] = [];
    afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
    /** A package root with the real contracts, and one file replaced. */
    const withContract = (id: string, edit: (d: Record<string, unknown>) => unknown, text?: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'contracts-'));
      temps.push(dir);
      cpSync(join(root, 'spec'), join(dir, 'spec'), { recursive: true });
      const file = join(dir, 'spec', id, 'contract.yaml');
      mkdirSync(join(dir, 'spec', id), { recursive: true });
      writeFileSync(file, text ?? YAML.stringify(edit(existsSync(file) ? (YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {})));
      return () => loadContracts(dir);
    };

    it.each([
      ['a missing key', withContract('provesource', ({ auth: _, ...d }) => d), /^spec\/provesource\/contract\.yaml does not match spec\/contract\.schema\.json:\n {2}\/: expected to have required property 'auth', found \{/],
      ['a wrong value', withContract('webengage', (d) => ({ ...d, direction: 'sideways' })), /spec\/webengage\/contract\.yaml does not match spec\/contract\.schema\.json:\n {2}\/direction: expected to be equal to one of the allowed values \["inbound","outbound"\], found "sideways"/],
      ['an operation without levels', withContract('converge', (d) => ({ ...d, operations: [{ id: 'event', in: 'paths', method: 'POST', path: '/api/webhooks' }] })), /\/operations\/0: expected to have required property 'levels'/],
      ['a webhook without its name', withContract('webengage', (d) => ({ ...d, operations: [{ id: 'x', in: 'webhooks', method: 'POST', path: '/x', levels: { errors: 'A', warnings: 'B' } }] })), /\/operations\/0: expected to have required property 'webhook'/],
      ['an id that is not the folder', withContract('provesource', (d) => ({ ...d, id: 'prove' })), /^spec\/provesource\/contract\.yaml: \/id: expected "provesource" \(the folder's name\), found "prove"$/],
      ['a missing file', withContract('provesource', (d) => ({ ...d, openapi: './nope.yaml' })), /^spec\/provesource\/contract\.yaml: \/openapi: expected an existing file, found "\.\/nope\.yaml" \(spec\/provesource\/nope\.yaml does not exist\)$/],
      ['two defaults', withContract('webengage', (d) => ({ ...d, default: true })), /^spec\/\*\/contract\.yaml: \/default: expected exactly one contract with default: true, found spec\/converge\/contract\.yaml, spec\/webengage\/contract\.yaml$/],
      ['no default', withContract('converge', ({ default: _, ...d }) => d), /expected exactly one contract with default: true, found none$/],
      ['two default operations', withContract('provesource', (d) => ({ ...d, operations: (d.operations as object[]).map((o) => ({ ...o, default: true })) })), /\/operations: expected at most one operation with default: true, found stream, conversion$/],
      ['an operation id twice', withContract('provesource', (d) => ({ ...d, operations: (d.operations as object[]).map((o) => ({ ...o, id: 'stream' })) })), /\/operations\/1\/id: expected a name no other operation has, found "stream" twice$/],
      ['not YAML', withContract('webengage', () => ({}), 'id: [webengage\n'), /^spec\/webengage\/contract\.yaml: expected YAML, found a syntax error: /],
    ])('%s', (_name, load, message) => {
      expect(load).toThrow(message);
    });
  });
});

describe('generated/contracts.json, the registry', () => {
  const registry = readRegistry(root);

  it('lists every contract folder, the default first, each with its OpenAPI version, and only files that exist', () => {
    expect(registry.default).toBe('converge');
    expect(registry.contracts.map((c) => c.id)).toEqual(['converge', 'provesource', 'webengage']);
    expect(registry.contracts.map((c) => c.id).sort()).toEqual(folders);
    for (const contract of registry.contracts) {
      const source = YAML.parse(readFileSync(join(root, contract.source), 'utf8')) as { info: { version: string; title: string } };
      expect(contract.version, contract.id).toBe(source.info.version);
      expect(contract.default).toBe(contract.id === 'converge');
      expect(contract.direction).toBe(descriptor(contract.id).direction);
      const files = [contract.descriptor, contract.source, ...Object.values(contract.openapi), ...Object.values(contract.types)];
      for (const operation of contract.operations) {
        for (const level of Object.values(operation.levels ?? {})) files.push(level.file, `${level.validator}.js`, `${level.validator}.cjs`);
      }
      for (const response of Object.values(contract.responses)) files.push(response.file, `${response.validator}.js`);
      expect(files.filter((file) => !existsSync(join(root, file))), contract.id).toEqual([]);
    }
    const [converge, provesource, webengage] = ['converge', 'provesource', 'webengage'].map((id) => registry.contracts.find((c) => c.id === id));
    expect(converge!.operations).toEqual([
      {
        id: 'event', in: 'paths', method: 'POST', path: '/api/webhooks', operationId: 'sendEvent', default: true, body: 'required',
        levels: {
          errors: { schema: 'webhook-event', file: 'generated/converge/schemas/webhook-event.schema.json', validator: 'generated/converge/validators/webhook-event' },
          warnings: { schema: 'event-spec', file: 'generated/converge/schemas/event-spec.schema.json', validator: 'generated/converge/validators/event-spec' },
          conforming: { schema: 'conforming-event', file: 'generated/converge/schemas/conforming-event.schema.json', validator: 'generated/converge/validators/conforming-event' },
        },
      },
    ]);
    expect(Object.entries(converge!.responses).map(([name, r]) => [name, r.statuses])).toEqual([
      ['Accepted', ['200']], ['ValidationProblem', ['400']], ['Problem', ['401', '413', '415']], ['StrictProblem', ['401', '413', '415']], ['StrictValidationProblem', ['400']],
    ]);
    expect(provesource!.operations.map((o) => [o.id, o.path, o.body, o.default, o.levels?.conforming.schema])).toEqual([
      ['stream', '/webhooks/track/{webhookId}', 'required', true, 'strict-stream-notification'],
      ['conversion', '/webhooks/track/{webhookId}', 'none', false, undefined],
    ]);
    expect(webengage!.operations.filter((o) => o.default).map((o) => o.id)).toEqual(['events']);
    expect(webengage!.operations.every((o) => o.in === 'webhooks' && o.webhook === o.id)).toBe(true);
  });
});

describe('the lists outside spec/ name every contract', () => {
  const registry = readRegistry(root);

  it('npm run lint lints every contract found on disk twice, its source and its bundle, with no list of contracts to edit', () => {
    const config = YAML.parse(readFileSync(join(root, 'redocly.yaml'), 'utf8')) as Record<string, unknown>;
    expect(config.apis).toBeUndefined();
    const lint = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.lint!;
    expect(lint.split(' ').slice(-2)).toEqual(['spec/*/openapi.yaml', 'generated/*/openapi/openapi.yaml']);
    // The globs reach exactly the registry's documents.
    for (const c of registry.contracts) expect([c.source, c.openapi.yaml]).toEqual([`spec/${c.id}/openapi.yaml`, `generated/${c.id}/openapi/openapi.yaml`]);
  });

  it('.redocly.lint-ignore.yaml holds exactly the examples of the bundles whose media type is not JSON, and nothing else', () => {
    const ignored = YAML.parse(readFileSync(join(root, '.redocly.lint-ignore.yaml'), 'utf8')) as Record<string, Record<string, string[]>>;
    const expected: Record<string, Record<string, string[]>> = {};
    const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
    for (const contract of registry.contracts) {
      const document = JSON.parse(readFileSync(join(root, contract.openapi.json), 'utf8')) as Record<string, Record<string, Record<string, { requestBody?: { content?: Record<string, { examples?: object }> } }>>>;
      const pointers: string[] = [];
      for (const group of ['paths', 'webhooks']) {
        for (const [path, item] of Object.entries(document[group] ?? {})) {
          for (const [method, operation] of Object.entries(item)) {
            for (const [media, content] of Object.entries(operation.requestBody?.content ?? {})) {
              if (/[/+]json\b/.test(media)) continue;
              for (const name of Object.keys(content.examples ?? {})) pointers.push(`#/${group}/${escape(path)}/${method}/requestBody/content/${escape(media)}/examples/${name}/value`);
            }
          }
        }
      }
      if (pointers.length > 0) expected[contract.openapi.yaml] = { 'no-invalid-media-type-examples': pointers };
    }
    expect(ignored).toEqual(expected);
    expect(Object.values(expected).flatMap((rules) => Object.values(rules).flat())).toHaveLength(13);
  });

  it('package.json\'s exports, main, module and types are what npm run generate writes from the registry', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.exports).toEqual(packageExports(registry.default, registry.contracts));
    expect({ main: manifest.main, module: manifest.module, types: manifest.types }).toEqual(packageEntryFields(registry.default));
    const text = readFileSync(join(root, 'package.json'), 'utf8');
    expect(withPackageExports(text, registry.default, registry.contracts)).toBe(text);
  });

  it('package.json exports each contract\'s documents, types and schemas under its id, and the default\'s also at the top', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const entry = (id: string) => ({
      import: { types: `./dist/esm/generated/${id}/index.d.ts`, default: `./dist/esm/generated/${id}/index.js` },
      require: { types: `./dist/cjs/generated/${id}/index.d.ts`, default: `./dist/cjs/generated/${id}/index.js` },
    });
    expect(manifest.exports['.']).toEqual(entry(registry.default));
    for (const contract of registry.contracts) {
      const id = contract.id;
      if (id !== registry.default) expect(manifest.exports[`./${id}`], id).toEqual(entry(id));
      expect(manifest.exports, id).toMatchObject({
        [`./${id}/openapi.json`]: `./${contract.openapi.json}`,
        [`./${id}/openapi.yaml`]: `./${contract.openapi.yaml}`,
        [`./${id}/openapi.dereferenced.json`]: `./${contract.openapi.dereferenced}`,
        [`./${id}/openapi-3.0.json`]: `./${contract.openapi['openapi-3.0']}`,
        [`./${id}/openapi-types`]: { types: `./${contract.types.openapi}` },
        [`./${id}/schemas/*`]: `./generated/${id}/schemas/*`,
      });
    }
    // The package resolves its own name: each subpath reaches a file that is there.
    const require = createRequire(join(root, 'package.json'));
    for (const contract of registry.contracts) {
      const schema = contract.operations.find((o) => o.default)!.levels!.errors.schema;
      const resolved = require.resolve(`converge-webhook-contract/${contract.id}/schemas/${schema}.schema.json`);
      expect(resolved).toBe(join(root, 'generated', contract.id, 'schemas', `${schema}.schema.json`));
      const openapi = require(`converge-webhook-contract/${contract.id}/openapi.json`) as { info: { version: string } };
      expect(openapi.info.version).toBe(contract.version);
    }
    expect(require.resolve('converge-webhook-contract/openapi.json')).toBe(join(root, 'generated/converge/openapi/openapi.json'));
  });
});
