/**
 * Rules are data that a test audits (as oasdiff audits its rule table). For EACH contract
 * folder on disk (spec/<id>/codes.yaml, and Converge's):
 * - every example's manifest verdict is what the engine gives: valid or not, the status, and
 *   the EXACT errors and warnings (strict mode too);
 * - every code an example produces is declared in the table;
 * - every declared code has an example that produces it, or says in `exempt` why not;
 * - no validator error goes unmatched (a rule the table forgot).
 * Examples that need the HTTP layer (a request parameter such as the secret, a webhook kind
 * that does not read the body) are left to that layer's tests, with the reason recorded here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

import type { BodyResult } from '../src/engine/engine.js';
import { contractEngines, type ContractEngines } from './fixtures/contract-engines.js';
import { contractFolders } from './fixtures/contracts.js';
import { keys, root } from './helpers.js';

interface Expected {
  code: string;
  pointer?: string;
  in?: string;
  name?: string;
}

interface Entry {
  file: string;
  summary: string;
  status?: number;
  errors?: Expected[];
  warnings: Expected[];
  /** ProveSource: the Content-Type header sent (null: none). */
  contentType?: string | null;
  /** ProveSource: the webhook's kind. */
  kind?: string;
  /** WebEngage: the webhook, the query's license code, and what the delivery changes. */
  webhook?: string;
  licenseCode?: string;
  delivery?: { licenseCode?: string };
}

/** Why the engine does not judge an example, or undefined when it does. */
function httpOnly(entry: Entry): string | undefined {
  if (entry.kind === 'conversion') return 'a conversion webhook does not read its body: the HTTP layer counts it';
  if ((entry.errors ?? []).some((e) => e.in !== undefined)) return 'a request parameter (secret, license code, eventType, x-request-id): the HTTP layer checks it';
  return undefined;
}

const folders = contractFolders();

describe.each(folders.map((folder) => [folder.id, folder] as const))('the %s contract', (_id, folder) => {
  let harness: ContractEngines;
  const manifest = (kind: 'valid' | 'invalid') =>
    (YAML.parse(readFileSync(join(root, folder.examples, `${kind}.yaml`), 'utf8')) as Entry[]).map((entry) => ({ ...entry, kind: entry.kind, valid: kind === 'valid' }));
  const entries = [...manifest('valid'), ...manifest('invalid')];
  const judged = entries.filter((entry) => httpOnly(entry) === undefined);
  const results = new Map<(typeof entries)[number], { result: BodyResult; strict: BodyResult }>();

  beforeAll(async () => {
    harness = await contractEngines(folder);
    for (const entry of judged) {
      const engine = harness.engine(entry.webhook);
      const body = new Uint8Array(readFileSync(join(root, folder.examples, entry.file)));
      const options = {
        ...('contentType' in entry ? { contentType: entry.contentType } : {}),
        parameters: { query: { licenseCode: entry.delivery?.licenseCode ?? entry.licenseCode } },
      };
      results.set(entry, { result: engine.validateBody(body, options), strict: engine.validateBody(body, { ...options, strict: true }) });
    }
  }, 120_000);

  it('has examples, and judges all of them but those the HTTP layer decides', () => {
    expect(judged.length).toBeGreaterThan(20);
    for (const entry of entries.filter((e) => !judged.includes(e))) {
      // Only codes of the HTTP layer (a request parameter) are left out.
      for (const error of entry.errors ?? []) {
        const declared = harness.table.codes.find((c) => c.code === error.code);
        expect({ file: entry.file, code: error.code, parameter: declared?.parameter !== undefined }).toEqual({ file: entry.file, code: error.code, parameter: true });
      }
    }
  });

  it('gives every example exactly its manifest verdict: valid, status, errors and warnings (and in strict mode, warnings as errors)', () => {
    const statusOf = (codes: string[]) => {
      if (codes.length === 0) return 200;
      return harness.table.codes.find((c) => c.code === codes[0])?.status ?? 400;
    };
    const verdicts = judged.map((entry) => {
      const { result, strict } = results.get(entry)!;
      return {
        file: entry.file,
        webhook: entry.webhook,
        valid: result.valid,
        status: statusOf(result.errors.map((e) => e.code)),
        errors: keys(result.errors),
        warnings: keys(result.warnings),
        strictErrors: keys(strict.errors),
      };
    });
    const expected = judged.map((entry) => ({
      file: entry.file,
      webhook: entry.webhook,
      valid: entry.valid,
      status: entry.status ?? (entry.valid ? 200 : 400),
      errors: keys((entry.errors ?? []) as Array<{ code: string; pointer: string }>),
      warnings: keys(entry.warnings as Array<{ code: string; pointer: string }>),
      strictErrors: keys([...(entry.errors ?? []), ...entry.warnings] as Array<{ code: string; pointer: string }>),
    }));
    expect(verdicts).toEqual(expected);
  });

  it('declares every code an example produces, and every declared code is produced by an example or exempt', () => {
    const declared = new Set(harness.table.codes.map((c) => c.code));
    const produced = new Set([...results.values()].flatMap(({ result }) => [...result.errors, ...result.warnings].map((v) => v.code)));
    expect([...produced].filter((code) => !declared.has(code))).toEqual([]);
    const http = new Set(entries.filter((e) => !judged.includes(e)).flatMap((e) => (e.errors ?? []).map((v) => v.code)));
    const uncovered = harness.table.codes.filter((c) => !produced.has(c.code) && c.exempt === undefined && !(c.parameter && http.has(c.code)));
    expect(uncovered.map((c) => c.code)).toEqual([]);
    // An exemption is for a code no example can produce: one that an example produces is not exempt.
    expect(harness.table.codes.filter((c) => c.exempt !== undefined && produced.has(c.code)).map((c) => c.code)).toEqual([]);
  });

  it('says every message of the examples in plain words: expected and found, no regular expression, no schema wording, "required" only for an error', () => {
    // ajv's own wording ("must match pattern", "must NOT have fewer than 1 characters",
    // "must be equal to constant") and schema names leak when a rule has no `expected`.
    const leaks = /\bmust\b|pattern "|format "|#\/|\(\?:|\\d|anyOf|oneOf|schema|\bproperty "/;
    const bad = [...results.entries()].flatMap(([entry, { result, strict }]) =>
      [
        ...result.errors.map((v) => ({ ...v, level: 'error' })),
        ...result.warnings.map((v) => ({ ...v, level: 'warning' })),
        ...strict.errors.map((v) => ({ ...v, level: 'strict' })),
      ]
        .filter((v) => !v.message.startsWith('expected ') || !/, found /.test(v.message) || leaks.test(v.message) || (v.level === 'warning' && /\brequired\b/.test(v.message)))
        .map((v) => `${entry.file} ${v.level} ${v.code} ${v.pointer}: ${v.message}`),
    );
    expect(bad).toEqual([]);
  });

  it('matches every validator error of the examples with a rule of the table', () => {
    expect(harness.unmatched.map(({ level, error }) => `${level} ${error.keyword} ${error.instancePath} ${error.schemaPath}`)).toEqual([]);
  });
});
