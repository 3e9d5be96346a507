/**
 * Issue 9, "Types and runtimes": the library's main entry runs in any JavaScript runtime, not
 * only Node. Three checks: no module reachable from the main entry (generated/converge/index.ts) imports a Node built-in or
 * uses Node's globals (read from the syntax tree, so comments and strings do not count); the
 * UTF-8 decoding that replaced Buffer agrees with Node's own on every byte sequence; and a
 * receiver bundled by esbuild for `platform: 'neutral'` from the package's main entry (dist/,
 * which `npm test` builds first) gives validateBody's verdicts in a bare V8 context that has
 * TextDecoder and the language's own globals, nothing else.
 * (test/browser-runtime.test.ts runs the same in Chromium.)
 */
import { isUtf8 } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import vm from 'node:vm';

import { build } from 'esbuild';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { decodeUtf8, describeUtf8Error } from '../src/json.js';
import { validateBody } from '../generated/converge/index.js';
import { readExample, root } from './helpers.js';
import { bodies, RECEIVER } from './fixtures/runtime-bodies.js';

/** Node's globals that no other runtime has (or has the same way). */
const NODE_GLOBALS = new Set(['Buffer', 'process', 'require', 'module', 'exports', '__dirname', '__filename', 'global', 'setImmediate', 'clearImmediate']);
const NODE_BUILTINS = new Set(builtinModules);

interface Finding {
  file: string;
  problem: string;
}

/** Whether an identifier names a variable here (not a property, a key or a declared member). */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent)) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && parent.propertyName === node) return false;
  return true;
}

/** The runtime (not type-only) module specifiers of a file, and what in it is Node-only. */
function scan(file: string, text: string): { imports: string[]; findings: Finding[] } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const imports: string[] = [];
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) imports.push(argument.text);
      else findings.push({ file, problem: 'a dynamic import() of a computed specifier' });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      findings.push({ file, problem: 'import = require()' });
    } else if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text) && isReference(node)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      findings.push({ file, problem: `uses Node's global ${node.text} (line ${line + 1})` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, findings };
}

/** Follows the runtime imports from `entry`; every module reached, and every Node-only thing found. */
function walk(entry: string): { modules: string[]; findings: Finding[] } {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const name = relative(root, file);
    const scanned = scan(name, readFileSync(file, 'utf8'));
    findings.push(...scanned.findings);
    for (const specifier of scanned.imports) {
      if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]!)) {
        findings.push({ file: name, problem: `imports the Node built-in "${specifier}"` });
      } else if (!specifier.startsWith('.')) {
        // The package has no run-time dependencies: a package import would be one, and might be Node-only.
        findings.push({ file: name, problem: `imports the package "${specifier}"` });
      } else {
        const path = resolve(dirname(file), specifier);
        const found = [path, path.replace(/\.js$/, '.ts'), path.replace(/\.js$/, '.d.ts')].find((p) => existsSync(p));
        if (found) queue.push(found);
        else findings.push({ file: name, problem: `imports "${specifier}", which does not exist` });
      }
    }
  }
  return { modules: [...seen].map((f) => relative(root, f)).sort(), findings };
}

describe('the main entry needs nothing of Node', () => {
  it('no module reachable from the main entry (the default contract\'s, generated/converge/index.ts) imports a Node built-in or uses Buffer, process or require', () => {
    const { modules, findings } = walk(join(root, 'generated/converge/index.ts'));
    // The walk reaches the whole library, or finding nothing would mean nothing.
    expect(modules).toEqual(
      expect.arrayContaining([
        'generated/converge/index.ts', 'src/library.ts', 'src/json.ts',
        'src/engine/engine.ts', 'src/engine/compile.ts', 'src/engine/checks.ts', 'src/engine/values.ts', 'src/media/json.ts', 'generated/converge/codes.ts',
        'generated/converge/validators/conforming-event.js', 'generated/converge/validators/event-spec.js', 'generated/converge/validators/webhook-event.js',
      ]),
    );
    // Converge's entry loads the JSON decoder only: the form decoder (and its registry) belong to other contracts.
    expect(modules.filter((m) => m.startsWith('src/media/'))).toEqual(['src/media/json.ts']);
    expect(findings).toEqual([]);
  });

  // Each contract's entry (the package's "." is the default contract's, "./<id>" every one's).
  const registry = JSON.parse(readFileSync(join(root, 'generated/contracts.json'), 'utf8')) as { contracts: Array<{ id: string; mediaTypes: string[] }> };
  it.each(registry.contracts.map((c) => [c.id, c] as const))('the %s entry reaches its own contract only, the engine and its media types, and nothing of Node', (id, contract) => {
    const { modules, findings } = walk(join(root, `generated/${id}/index.ts`));
    expect(findings).toEqual([]);
    const generated = modules.filter((m) => m.startsWith('generated/'));
    // Its own code table, validators and entry, and no other contract's file, nor the registry.
    expect(generated).toEqual(expect.arrayContaining([`generated/${id}/index.ts`, `generated/${id}/codes.ts`]));
    expect(generated.filter((m) => !m.startsWith(`generated/${id}/`))).toEqual([]);
    expect(generated.filter((m) => m.startsWith(`generated/${id}/validators/`)).length).toBeGreaterThanOrEqual(3);
    // The rest is the engine (and the generic helpers its contract.yaml binds): no command, server, registry or other module of src/.
    const helpers = ((parse(readFileSync(join(root, `spec/${id}/contract.yaml`), 'utf8')) as { library?: { helpers?: Array<{ use: string }> } }).library?.helpers ?? []).map((h) => h.use);
    expect(modules.filter((m) => !m.startsWith('generated/'))).toEqual(
      [
        'src/engine/checks.ts', 'src/engine/compile.ts', 'src/engine/engine.ts', 'src/engine/values.ts', 'src/json.ts', 'src/json-in-string.ts', 'src/library.ts',
        ...(helpers.some((use) => use.endsWith('query-digest')) ? ['src/hash/md5.ts', 'src/hash/query-digest.ts'] : []),
        ...(helpers.includes('date-time') ? ['src/date-time.ts'] : []),
        ...(contract.mediaTypes.includes('application/x-www-form-urlencoded') ? ['src/media/form.ts'] : []),
        ...(contract.mediaTypes.includes('application/json') ? ['src/media/json.ts'] : []),
      ].sort(),
    );
  });

  it('the check sees what it looks for, and only that', () => {
    const { imports, findings } = scan(
      'sample.ts',
      [
        "import { isUtf8 } from 'node:buffer';",
        "import type { Readable } from 'node:stream';",
        "export { x } from './x.js';",
        "const a = Buffer.from('x');",
        'const b: Buffer | undefined = undefined;',
        'const c = process.env.HOME;',
        '// Buffer and process in a comment',
        "const d = { process: 'Buffer', Buffer: 1 }.process;",
        'const e = import("fs");',
      ].join('\n'),
    );
    expect(imports).toEqual(['node:buffer', './x.js', 'fs']);
    expect(findings.map((f) => f.problem)).toEqual([
      "uses Node's global Buffer (line 4)",
      "uses Node's global Buffer (line 5)",
      "uses Node's global process (line 6)",
    ]);
  });
});

describe('UTF-8 without Buffer', () => {
  /** The previous implementation, on Node's own UTF-8 check: the offset of the first bad sequence. */
  function nodeOffset(bytes: Buffer): number | undefined {
    if (isUtf8(bytes)) return undefined;
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
      if (need === -1 || i + need >= bytes.length + (need === 0 ? 1 : 0)) return i;
      if (need > 0 && !isUtf8(bytes.subarray(i, i + need + 1))) return i;
      i += need + 1;
    }
    return bytes.length;
  }

  // Bytes where the boundaries of UTF-8 are: leads, the edges of the continuation ranges, ASCII.
  const byte = fc.oneof(
    fc.integer({ min: 0, max: 0xff }),
    fc.constantFrom(0x22, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
  );
  const check = (bytes: Buffer) => {
    const decoded = decodeUtf8(new Uint8Array(bytes));
    const expected = nodeOffset(bytes);
    if (expected === undefined) {
      expect(decoded).toEqual({ ok: true, text: bytes.toString('utf8') });
    } else {
      expect(decoded).toEqual({ ok: false, offset: expected });
      expect(isUtf8(bytes.subarray(0, expected))).toBe(true);
    }
  };

  it('accepts exactly what Node accepts, decodes it alike, and reports the same byte offset', () => {
    fc.assert(fc.property(fc.array(byte, { maxLength: 12 }), (list) => check(Buffer.from(list))), { numRuns: 20_000, seed: 20261123 });
  });

  it('finds the first bad byte in real text with one byte changed or cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(), byte, fc.boolean(), (text, at, value, cut) => {
        const bytes = Buffer.from(text, 'utf8');
        if (bytes.length === 0) return;
        if (cut) check(bytes.subarray(0, at % bytes.length));
        else {
          bytes[at % bytes.length] = value;
          check(bytes);
        }
      }),
      { numRuns: 5000, seed: 20261123 },
    );
  });

  it('keeps a byte order mark for parseJson to skip, once, as for a text body', () => {
    const bom = [0xef, 0xbb, 0xbf];
    const event = readExample('valid/placed-order.json');
    expect(decodeUtf8(new Uint8Array([...bom, 0x7b, 0x7d]))).toEqual({ ok: true, text: '\ufeff{}' });
    expect(validateBody(new Uint8Array([...bom, ...Buffer.from(event)]))).toEqual(validateBody(event));
    expect(validateBody(new Uint8Array([...bom, ...bom, ...Buffer.from(event)])).errors).toEqual([
      { code: 'invalid-json', pointer: '', message: "expected a value (object, array, string, number, true, false or null), found '\ufeff' at line 1, column 1" },
    ]);
  });
});

describe('a receiver bundled for a neutral platform', () => {
  it('bundles without Node and answers right in a bare V8 context with only TextDecoder added', async () => {
    const bundle = await build({
      stdin: { contents: RECEIVER, resolveDir: root, sourcefile: 'receiver.js', loader: 'js' },
      bundle: true,
      platform: 'neutral',
      format: 'iife',
      globalName: 'receiver',
      write: false,
      logLevel: 'silent',
    });
    expect(bundle.errors).toEqual([]);
    expect(bundle.warnings).toEqual([]);
    const code = bundle.outputFiles[0]!.text;

    const context = vm.createContext({ TextDecoder });
    expect(vm.runInContext('[typeof process, typeof Buffer, typeof require, typeof module, typeof TextDecoder].join()', context)).toBe(
      'undefined,undefined,undefined,undefined,function',
    );
    vm.runInContext(code, context, { filename: 'receiver.bundle.js' });

    const answers: Record<string, { status: number; result: ReturnType<typeof validateBody> }> = {};
    for (const [name, body] of Object.entries(bodies())) {
      context.body = body;
      // Bytes are made inside the context, as the runtime would hand them over.
      const answer = vm.runInContext('receiver.receive(typeof body === "string" ? body : new Uint8Array(body))', context) as string;
      answers[name] = JSON.parse(answer);
      // The same verdict as the library gives in Node, to the letter.
      const inNode = validateBody(typeof body === 'string' ? body : new Uint8Array(body));
      expect(answers[name]!.result, name).toEqual(JSON.parse(JSON.stringify(inNode)));
    }
    const codes = (name: string) => [...answers[name]!.result.errors, ...answers[name]!.result.warnings].map((v) => `${v.code} ${v.pointer}`);
    expect(answers.valid).toMatchObject({ status: 200, result: { valid: true, errors: [], warnings: [] } });
    expect(answers['valid as bytes']).toMatchObject({ status: 200, result: { valid: true, errors: [], warnings: [] } });
    expect((answers['valid as bytes']!.result as { value: { properties: { note: string } } }).value.properties.note).toBe('Café ✓ 🧾');
    expect(answers.warning!.status).toBe(200);
    expect(codes('warning')).toEqual(['property-type /properties/total_price']);
    expect(answers.invalid!.status).toBe(400);
    expect(codes('invalid')).toEqual(['empty-string /event_id', 'aliases-too-few /aliases']);
    expect(answers['not JSON']!.result.errors).toEqual([
      { code: 'invalid-json', pointer: '', message: "expected a property name in double quotes, found '}' at line 1, column 31" },
    ]);
    expect(answers['not UTF-8']).toEqual({ status: 400, result: { valid: false, errors: [{ code: 'invalid-json', pointer: '', message: describeUtf8Error(18) }], warnings: [] } });
    expect(answers['not UTF-8']!.result.errors[0]!.message).toBe('expected UTF-8 text, found a byte that is not UTF-8 at byte offset 18');
    expect(answers['cut short']!.result.errors[0]!.message).toBe('expected UTF-8 text, found a byte that is not UTF-8 at byte offset 15');
  });
});
