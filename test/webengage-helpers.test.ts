/**
 * Issue 11, "The secret" and push_notification_content: the helpers of
 * converge-webhook-contract/webengage, through the built entry (dist/, as a receiver imports it),
 * and the generic pieces of src/ they bind: MD5 (RFC 1321), the query digest from contract.yaml's
 * formula with its constant-time check, and the json-in-string parser.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { md5, md5Hex } from '../src/hash/md5.js';
import { constantTimeEqual, queryDigest, verifyQueryDigest, type DigestFormula } from '../src/hash/query-digest.js';
import { parseJsonInString } from '../src/json-in-string.js';
import { loadCodeTable } from '../scripts/lib/codes-table.ts';
import type { ContractDescriptor } from '../scripts/lib/contracts.ts';
import { libraryEntry } from '../scripts/lib/library-entry.ts';
import type { CodeTable } from '../src/engine/table.js';
import { root } from './helpers.js';

// The built entry, by the package's own name (its exports map resolves it into dist/).
const entry = await import('converge-webhook-contract/webengage');
const { webengageSecret, verifyWebengageSecret, parsePushNotificationContent } = entry;

const folder = join(root, 'spec/webengage');
const contract = parse(readFileSync(join(folder, 'contract.yaml'), 'utf8')) as { auth: { formula: DigestFormula } };
const vectors = parse(readFileSync(join(folder, 'examples/secret-vectors.yaml'), 'utf8')) as {
  vectors: Array<{ licenseCode: string; secretKey: string; input: string; secret: string }>;
  sameInput: Array<{ licenseCode: string; secretKey: string; input: string; secret: string }>;
};
// Any UTF-16 code unit, lone surrogates included (both encoders write U+FFFD for one).
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 300 });
const nodeMd5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

it('the helpers come from the built entry', () => {
  expect(import.meta.resolve('converge-webhook-contract/webengage')).toMatch(/\/dist\/esm\/generated\/webengage\/index\.js$/);
  expect([typeof webengageSecret, typeof verifyWebengageSecret, typeof parsePushNotificationContent]).toEqual(['function', 'function', 'function']);
});

describe('md5 (RFC 1321)', () => {
  // RFC 1321, appendix A.5, "Test suite".
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ])('MD5(%j) = %s', (text, hex) => {
    expect(md5Hex(text)).toBe(hex);
  });

  it('agrees with node:crypto on every padding length around a block (0..200 bytes) and on 2,000 random strings', () => {
    for (let n = 0; n <= 200; n += 1) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(Buffer.from(md5(bytes)).toString('hex'), `${n} bytes`).toBe(createHash('md5').update(bytes).digest('hex'));
    }
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 300 }), codeUnits, fc.string({ minLength: 50, maxLength: 2000 })), (text) => md5Hex(text) === nodeMd5(text)),
      { numRuns: 2000 },
    );
  });

  it('hashes a megabyte as node:crypto does', () => {
    const text = 'é🔑x'.repeat(150_000);
    expect(md5Hex(text)).toBe(nodeMd5(text));
  });
});

describe('webengageSecret, from the contract.yaml formula', () => {
  it.each(vectors.vectors.map((v) => [v.input, v]))('the vector %j', (_, v) => {
    expect(webengageSecret(v.licenseCode, v.secretKey)).toBe(v.secret);
    expect(queryDigest(contract.auth.formula, { licenseCode: v.licenseCode, secretKey: v.secretKey })).toBe(v.secret);
    expect(nodeMd5(v.input)).toBe(v.secret);
  });

  it('the colliding pair: two (licenseCode, key) pairs with one input give one secret (the ":" is not escaped)', () => {
    const [a, b] = vectors.sameInput;
    expect(webengageSecret(a!.licenseCode, a!.secretKey)).toBe(a!.secret);
    expect(webengageSecret(b!.licenseCode, b!.secretKey)).toBe(a!.secret);
  });

  it('follows the formula: its parts, in order, and refuses a missing value or another hash', () => {
    const formula: DigestFormula = { hash: 'md5', encoding: 'hex-lower', input: ['{b}', '-', '{a}', '{b}'], charset: 'utf-8' };
    expect(queryDigest(formula, { a: 'x', b: 'y' })).toBe(nodeMd5('y-xy'));
    expect(() => queryDigest(formula, { a: 'x' })).toThrow(new TypeError('expected b to be a string, found undefined'));
    expect(() => queryDigest({ ...formula, hash: 'sha1' } as unknown as DigestFormula, { a: 'x', b: 'y' })).toThrow(/unsupported digest formula: sha1/);
  });
});

describe('verifyWebengageSecret', () => {
  const account = { licenseCode: '~99199077', secretKey: 'test-key-webengage-1' };
  const secret = '79b6e2663b50e63380722a1251d39d63';
  const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === '0' ? '1' : '0') + text.slice(at + 1);

  it('passes the right secret and license code, fails a wrong first character, a wrong last character, upper case', () => {
    expect(verifyWebengageSecret({ licenseCode: account.licenseCode, secret }, account)).toBe(true);
    expect(verifyWebengageSecret({ licenseCode: account.licenseCode, secret: flip(secret, 0) }, account)).toBe(false);
    expect(verifyWebengageSecret({ licenseCode: account.licenseCode, secret: flip(secret, 31) }, account)).toBe(false);
    expect(verifyWebengageSecret({ licenseCode: account.licenseCode, secret: secret.toUpperCase() }, account)).toBe(false);
  });

  it('fails a missing, empty, short, long or null secret, and another or a missing license code', () => {
    for (const bad of [undefined, null, '', secret.slice(1), `${secret}0`]) expect(verifyWebengageSecret({ licenseCode: account.licenseCode, secret: bad }, account), String(bad)).toBe(false);
    expect(verifyWebengageSecret({ licenseCode: '311c48b3', secret }, account)).toBe(false);
    expect(verifyWebengageSecret({ secret }, account)).toBe(false);
    // Another account's right secret is still another account's.
    expect(verifyWebengageSecret({ licenseCode: '311c48b3', secret: webengageSecret('311c48b3', account.secretKey) }, account)).toBe(false);
  });

  it('never throws, whatever the caller passes', () => {
    const anything = fc.anything();
    fc.assert(fc.property(anything, anything, (query, acct) => typeof verifyQueryDigest(contract.auth.formula, { digest: 'secret', equal: ['licenseCode'] }, query, acct) === 'boolean'));
    expect(verifyWebengageSecret(null as never, account)).toBe(false);
    expect(verifyWebengageSecret({ licenseCode: account.licenseCode, secret }, { licenseCode: account.licenseCode } as never)).toBe(false);
  });

  it('constantTimeEqual compares every character and rejects another length or type', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('xbc', 'abc')).toBe(false);
    expect(constantTimeEqual('abx', 'abc')).toBe(false);
    expect(constantTimeEqual('ab', 'abc')).toBe(false);
    expect(constantTimeEqual('abcd', 'abc')).toBe(false);
    expect(constantTimeEqual(123, 'abc')).toBe(false);
    // A value of another length is compared against the expected value itself: still false.
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual(undefined, '')).toBe(false);
  });
});

describe('parsePushNotificationContent', () => {
  const valid = join(folder, 'examples/valid');
  const contents = readdirSync(valid)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      const body = JSON.parse(readFileSync(join(valid, f), 'utf8')) as { system_data?: { push_notification_content?: unknown } };
      const content = body.system_data?.push_notification_content;
      return typeof content === 'string' ? [[f, content] as const] : [];
    });

  it('reads the seed examples: JSON in the accepted one, the code GCM_ERROR in the rejected one', () => {
    const accepted = contents.find(([f]) => f === 'seed-push-notification-accepted.json')![1];
    const result = parsePushNotificationContent(accepted);
    expect(result).toEqual({ kind: 'json', value: JSON.parse(accepted) });
    expect(result.kind === 'json' && (result.value as { identifier?: string }).identifier).toBe('1if30if');
    expect(parsePushNotificationContent(contents.find(([f]) => f === 'seed-push-notification-rejected.json')![1])).toEqual({ kind: 'code', code: 'GCM_ERROR' });
  });

  it('reads every valid example as the validator does, and never changes it', () => {
    expect(contents.length).toBeGreaterThanOrEqual(10);
    for (const [file, content] of contents) {
      const before = content.slice();
      const result = parsePushNotificationContent(content);
      expect(content).toBe(before);
      const warned = entry.validateEvent(JSON.parse(readFileSync(join(valid, file), 'utf8'))).warnings.some((w: { code: string }) => w.code === 'push-content-unreadable');
      expect(result.kind === 'invalid', file).toBe(warned);
    }
    // The two warning examples are the parser's invalid kinds.
    const byFile = Object.fromEntries(contents.map(([f, c]) => [f, parsePushNotificationContent(c)]));
    expect(byFile['warning-push-content-lower-case-code.json']).toMatchObject({ kind: 'invalid', reason: 'unrecognised' });
    expect(byFile['warning-push-content-truncated.json']).toMatchObject({ kind: 'invalid', reason: 'not-json' });
  });

  it.each<[unknown, unknown]>([
    ['{"a":', { kind: 'invalid', reason: 'not-json', message: 'expected a value (object, array, string, number, true, false or null), found end of input at position 5', position: 5 }],
    ['gcm error', { kind: 'invalid', reason: 'unrecognised', message: 'neither JSON nor a code' }],
    [' {"a":1}', { kind: 'json', value: { a: 1 } }],
    ['[1,"é🔑"]', { kind: 'json', value: [1, 'é🔑'] }],
    ['"{}"', { kind: 'invalid', reason: 'unrecognised', message: 'neither JSON nor a code' }],
    ['123', { kind: 'invalid', reason: 'unrecognised', message: 'neither JSON nor a code' }],
    ['', { kind: 'invalid', reason: 'empty', message: 'empty' }],
    ['   ', { kind: 'invalid', reason: 'unrecognised', message: 'neither JSON nor a code' }],
    ['GCM_ERROR ', { kind: 'invalid', reason: 'unrecognised', message: 'neither JSON nor a code' }],
    ['GCM_ERROR\n', { kind: 'invalid', reason: 'unrecognised', message: 'neither JSON nor a code' }],
    ['_ERROR', { kind: 'invalid', reason: 'unrecognised', message: 'neither JSON nor a code' }],
    ['E', { kind: 'code', code: 'E' }],
    ['{"__proto__":{"x":1}}', { kind: 'json', value: JSON.parse('{"__proto__":{"x":1}}') }],
    [null, { kind: 'invalid', reason: 'not-a-string', message: 'expected a string, found null' }],
    [{ a: 1 }, { kind: 'invalid', reason: 'not-a-string', message: 'expected a string, found object' }],
    [['x'], { kind: 'invalid', reason: 'not-a-string', message: 'expected a string, found an array' }],
  ])('%j', (text, expected) => {
    expect(parsePushNotificationContent(text)).toEqual(expected);
  });

  it('the prototype of a parsed "__proto__" key is untouched', () => {
    const result = parsePushNotificationContent('{"__proto__":{"polluted":true}}');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(result.kind === 'json' && Object.keys(result.value as object)).toEqual(['__proto__']);
  });

  it('never throws and agrees with JSON.parse on any string (deep nesting and lone surrogates too)', () => {
    expect(parsePushNotificationContent('['.repeat(100_000)).kind).toBe('invalid');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), codeUnits, fc.string().map((s) => `{${s}`)), (text) => {
        const result = parseJsonInString(text);
        if (result.kind === 'json') expect(result.value).toEqual(JSON.parse(text));
        if (result.kind === 'code') expect(result.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
        if (result.kind === 'invalid' && result.reason === 'not-json') expect(result.position).toBeGreaterThanOrEqual(0);
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  it('shows the helpers with a secret that is the one they compute, and says what the secret does not prove', () => {
    const example = /^webengageSecret\('([^']*)', '([^']*)'\); \/\/ '([0-9a-f]{32})'$/m.exec(readme);
    expect(example).not.toBeNull();
    expect(webengageSecret(example![1]!, example![2]!)).toBe(example![3]);
    for (const claim of ['the same value on every delivery', 'covers nothing of the body', 'anyone who has seen one delivery URL']) expect(readme).toContain(claim);
  });
});

describe('the generator binds helpers from contract.yaml', () => {
  const descriptor = parse(readFileSync(join(folder, 'contract.yaml'), 'utf8')) as ContractDescriptor & { library: { helpers: unknown[] } };
  // The constants of codes.yaml resolve in the bundled document; the helpers need none of them.
  const bundled = JSON.parse(readFileSync(join(root, 'generated/webengage/openapi/openapi.json'), 'utf8')) as unknown;
  const table = loadCodeTable(join(folder, 'codes.yaml'), bundled);
  const entryFor = (changes: Partial<ContractDescriptor>, codes: CodeTable = table) =>
    libraryEntry({
      header: '// generated',
      descriptor: { ...descriptor, library: {}, ...changes },
      file: 'spec/webengage/contract.yaml',
      document: JSON.parse(readFileSync(join(root, 'generated/webengage/openapi/openapi.json'), 'utf8')) as unknown,
      operations: [{ id: 'events', webhook: true, validators: { error: 'validators/a', warning: 'validators/b', conforming: 'validators/c' } }],
      typeNames: new Set(),
      codes,
    });
  const check = (code: string) => table.codes.find((c) => c.code === code)!.check as { name: string; otherwise?: string };

  it('writes each helper from its use and the auth section', () => {
    const text = entryFor({ library: { helpers: descriptor.library.helpers } });
    expect(text).toContain('export function webengageSecret(licenseCode: string, secretKey: string): string {');
    expect(text).toContain('export function verifyWebengageSecret(query: { readonly "licenseCode"?: string | null; readonly "secret"?: string | null }, account: { readonly "licenseCode": string; readonly "secretKey": string }): boolean {');
    expect(text).toContain('const parsePushNotificationContentCode = new RegExp("^[A-Z][A-Z0-9_]*$");');
    expect(text).toContain('return parseJsonInString(text, parsePushNotificationContentCode);');
    expect(text.match(/const digestFormula/g)).toHaveLength(1);
    expect(text).toContain('export function parseWebengageTime(value: unknown): DateTimeResult<"timestamp-missing-timezone" | "timestamp-invalid-date" | "timestamp-invalid-format"> {');
    // The patterns from the OpenAPI document, the refusals' from the code table, their messages the codes' meanings.
    const document = JSON.parse(readFileSync(join(root, 'generated/webengage/openapi/openapi.json'), 'utf8')) as { components: { schemas: Record<string, { pattern: string }> } };
    expect(text).toContain(`  accept: new RegExp(${JSON.stringify(document.components.schemas.EventTime!.pattern)}),\n  exact: new RegExp(${JSON.stringify(document.components.schemas.WebEngageTime!.pattern)}),`);
    const valuePattern = (code: string) => (table as CodeTable).codes.find((c) => c.code === code)!.match![0]!.valuePattern!;
    expect(text).toContain(`    { code: "timestamp-missing-timezone", pattern: new RegExp(${JSON.stringify(valuePattern('timestamp-missing-timezone'))}), message: violationCodes["timestamp-missing-timezone"].meaning },\n    { code: "timestamp-invalid-date", pattern: new RegExp(${JSON.stringify(valuePattern('timestamp-invalid-date'))}), message: violationCodes["timestamp-invalid-date"].meaning },\n  ],\n  fallback: { code: "timestamp-invalid-format", message: violationCodes["timestamp-invalid-format"].meaning },`);
  });

  it("takes the push_notification_content code pattern from codes.yaml's check, the one place it is written", () => {
    const pattern = check('push-content-unreadable').otherwise!;
    expect(pattern).toBe('^[A-Z][A-Z0-9_]*$');
    // contract.yaml names the check and holds no copy of the pattern.
    expect(descriptor.library.helpers).toContainEqual(expect.objectContaining({ name: 'parsePushNotificationContent', code: { check: 'push-content-unreadable' } }));
    expect(readFileSync(join(folder, 'contract.yaml'), 'utf8')).not.toContain(pattern);
    // The committed entry and its doc comment carry the check's pattern.
    const generated = readFileSync(join(root, 'generated/webengage/index.ts'), 'utf8');
    expect(generated).toContain(`const parsePushNotificationContentCode = new RegExp(${JSON.stringify(pattern)});`);
    expect(generated).toContain(`a code such as GCM_ERROR (${pattern}) as`);
    // Change the check, and the helper follows.
    const changed: CodeTable = {
      ...table,
      codes: table.codes.map((c) => (c.code === 'push-content-unreadable' ? { ...c, check: { ...c.check!, otherwise: '^[A-Z]+_ERROR$' } as typeof c.check } : c)),
    };
    const text = entryFor({ library: { helpers: descriptor.library.helpers } }, changed);
    expect(text).toContain('const parsePushNotificationContentCode = new RegExp("^[A-Z]+_ERROR$");');
    expect(text).toContain('a code such as GCM_ERROR (^[A-Z]+_ERROR$) as');
  });

  const time = descriptor.library.helpers.find((h) => (h as { use: string }).use === 'date-time') as Record<string, unknown>;
  it.each<[string, Partial<ContractDescriptor>, string]>([
    ['an unknown use', { library: { helpers: [{ name: 'f', use: 'sha256' }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/use: expected query-digest, verify-query-digest, json-in-string or date-time, found "sha256"'],
    ['a time pattern not in the document', { library: { helpers: [{ ...time, pattern: '#/components/schemas/Nope/pattern' }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/pattern: expected #/components/schemas/Nope/pattern to be in the document, found no "Nope"'],
    ['a time pattern that is no string', { library: { helpers: [{ ...time, exact: '#/components/schemas/EventTime/type' }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/exact: expected #/components/schemas/EventTime/type to be a pattern, found ["string","null"]'],
    ['a refusal that is no code', { library: { helpers: [{ ...time, refusals: ['timestamp-missing-timezone', 'nope'] }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/refusals/1: expected a code of the code table, found "nope"'],
    ['refusals out of the table\'s order', { library: { helpers: [{ ...time, refusals: ['timestamp-invalid-date', 'timestamp-missing-timezone', 'timestamp-invalid-format'] }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/refusals/1: expected the codes in the table\'s order, found "timestamp-missing-timezone" after "timestamp-invalid-date"'],
    ['a fallback with a valuePattern', { library: { helpers: [{ ...time, refusals: ['timestamp-missing-timezone', 'timestamp-invalid-date'] }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/refusals/1: expected the last code (the fallback) to have no valuePattern, found ^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:[Zz]|[+-]\\d{2}(?::?\\d{2})?)$'],
    ['a refusal before the fallback without a valuePattern', { library: { helpers: [{ ...time, refusals: ['timestamp-invalid-format', 'secret-missing'] }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/refusals/0: expected "timestamp-invalid-format" to have a valuePattern (only the last is the fallback), found none'],
    ['a name that is no identifier', { library: { helpers: [{ name: 'a-b', use: 'json-in-string' }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/name: expected an identifier, found "a-b"'],
    ['a bad code pattern', { library: { helpers: [{ name: 'f', use: 'json-in-string', code: '([' }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/code: expected a regular expression, found "(["'],
    ['a code pattern from a code that is not in codes.yaml', { library: { helpers: [{ name: 'f', use: 'json-in-string', code: { check: 'push-content-unreadabel' } }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/code/check: expected a code of codes.yaml, found "push-content-unreadabel"'],
    ['a code pattern from a code with another check', { library: { helpers: [{ name: 'f', use: 'json-in-string', code: { check: 'license-code-differs' } }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/code/check: expected a code whose check is json-in-string with `otherwise`, found "license-code-differs" with the check equals-parameter'],
    ['a code pattern from a code without a check', { library: { helpers: [{ name: 'f', use: 'json-in-string', code: { check: 'missing-field' } }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/code/check: expected a code whose check is json-in-string with `otherwise`, found "missing-field" without a check'],
    ['a digest without a formula', { auth: { type: 'header-token', header: 'x' }, library: { helpers: [{ name: 'f', use: 'query-digest' }] } }, 'spec/webengage/contract.yaml: /library/helpers/0/use: expected /auth/formula and /auth/parameter for query-digest, found none'],
  ])('refuses %s, naming the pointer', (_, changes, message) => {
    expect(() => entryFor(changes)).toThrow(new Error(message));
  });
});
