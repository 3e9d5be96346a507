import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';

import { validateBody } from '../generated/converge/index.js';
import { exampleFiles, keys, manifest, readExample, root, runCli, type ExampleEntry } from './helpers.js';

const valid = manifest('valid');
const invalid = manifest('invalid');

/** The example's bytes through validateBody, as a receiver gets them (malformed JSON included). */
function libraryResult(entry: ExampleEntry, strict = false) {
  return validateBody(readFileSync(join(root, 'spec/converge/examples', entry.file)), { strict });
}

describe('example manifests', () => {
  it('list every example file exactly once', () => {
    expect(valid.map((e) => e.file).sort()).toEqual(exampleFiles('valid'));
    expect(invalid.map((e) => e.file).sort()).toEqual(exampleFiles('invalid'));
  });

  it('have at least 25 invalid examples, each naming a 4xx status and at least one error', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(25);
    for (const entry of invalid) {
      expect(entry.status, entry.file).toBe(400);
      expect(entry.errors?.length, entry.file).toBeGreaterThan(0);
    }
  });

  it('are wired into the OpenAPI document: every valid example by externalValue, with its summary', () => {
    const doc = YAML.parse(readFileSync(join(root, 'spec/converge/openapi.yaml'), 'utf8')) as {
      paths: { '/api/webhooks': { post: { requestBody: { content: { 'application/json': { examples: Record<string, { summary: string; externalValue: string }> } } } } } };
    };
    const examples = Object.values(doc.paths['/api/webhooks'].post.requestBody.content['application/json'].examples);
    expect(examples.map((e) => e.externalValue.replace('./examples/', '')).sort()).toEqual(valid.map((e) => e.file).sort());
    const summaries = new Map(examples.map((e) => [e.externalValue.replace('./examples/', ''), e.summary]));
    for (const entry of valid) expect({ file: entry.file, summary: summaries.get(entry.file) }).toEqual({ file: entry.file, summary: entry.summary });
  });

  it('cover every contract error code with an invalid example', async () => {
    const { VIOLATION_CODES } = await import('../generated/converge/index.js');
    const errorCodes = Object.entries(VIOLATION_CODES)
      .filter(([code, v]) => v.level === 'error' && code !== 'invalid-value')
      .map(([code]) => code);
    const covered = new Set(invalid.flatMap((e) => (e.errors ?? []).map((v) => v.code)));
    expect(errorCodes.filter((code) => !covered.has(code))).toEqual([]);
  });
});

describe.each(valid)('valid example $file', (entry) => {
  it('is valid through the library, with exactly the listed warnings', () => {
    const result = libraryResult(entry);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(keys(result.warnings)).toEqual(keys(entry.warnings));
    expect(result.value).toEqual(JSON.parse(readExample(entry.file)));
  });

  it('is invalid in strict mode exactly when it has warnings', () => {
    const result = libraryResult(entry, true);
    expect(result.valid).toBe(entry.warnings.length === 0);
    expect(keys(result.errors)).toEqual(keys(entry.warnings));
    expect(result.warnings).toEqual([]);
  });
});

describe.each(invalid)('invalid example $file', (entry) => {
  it('gives exactly the listed errors and warnings through the library', () => {
    const result = libraryResult(entry);
    expect(result.valid).toBe(false);
    expect(keys(result.errors)).toEqual(keys(entry.errors ?? []));
    expect(keys(result.warnings)).toEqual(keys(entry.warnings));
  });
});

describe('the CLI on every example', () => {
  it('gives the same verdicts and codes as the manifests (one run, --json)', async () => {
    const files = [...valid, ...invalid].map((e) => join('spec/converge/examples', e.file));
    const run = await runCli(['validate', '--json', ...files], { cwd: root });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const results = JSON.parse(run.stdout) as Array<{ file: string; valid: boolean; errors: []; warnings: [] }>;
    expect(results.map((r) => r.file)).toEqual(files);
    for (const [i, entry] of [...valid, ...invalid].entries()) {
      const result = results[i]!;
      expect(result.valid, entry.file).toBe(entry.errors === undefined);
      expect(keys(result.errors), entry.file).toEqual(keys(entry.errors ?? []));
      expect(keys(result.warnings), entry.file).toEqual(keys(entry.warnings));
    }
  });

  it('exits 0 on the valid examples alone and 1 on them with --strict', async () => {
    const files = valid.map((e) => join('spec/converge/examples', e.file));
    expect((await runCli(['validate', ...files])).code).toBe(0);
    expect((await runCli(['validate', '--strict', ...files])).code).toBe(1);
    const clean = valid.filter((e) => e.warnings.length === 0).map((e) => join('spec/converge/examples', e.file));
    expect((await runCli(['validate', '--strict', ...clean])).code).toBe(0);
  });
});
