/** `converge-webhook diff`: compares two OpenAPI 3.1 documents and says whom each change breaks. */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';

import { parseCommandArgs, UnusableInput, UsageError } from '../cli-support.js';
import { DocumentError, diffDocuments, formatText, type SourceDocument, UnreadableFile } from '../diff/index.js';
import { readInput } from '../input.js';
import { describeJsonError, parseJson } from '../json.js';
import { findContract, readRegistry } from '../registry.js';
import { packageRoot } from '../verify/verify.js';

const USAGE = `Usage: converge-webhook diff <old> [<new>] [--contract ID] [--json] [--strict]

Compares two OpenAPI 3.1 documents (JSON or YAML, bundled or with local $refs; "-" reads standard
input) and reports each change under paths and webhooks with the audiences it breaks:
  senders     make the requests (an API's clients; the provider of a webhook)
  receivers   implement the endpoint and write the responses (an API's server; your webhook endpoint)
A change that makes a valid message invalid breaks the message's writers; one that makes an invalid
message valid breaks its readers. Senders write requests and read responses; receivers the reverse.

  <new>          default: the package's own document of the contract (--contract)
  --contract ID  the contract whose document is <new> (default: the default contract;
                 "converge-webhook --version" lists them)
  --strict       hold the recommendations as rules, as validate --strict and verify --strict do:
                 warning-level rules (schemas marked x-level: warning, or under a media type's
                 x-warning-schema, as each contract of this package marks its recommendations)
                 count as errors. Narrowing one then breaks the message's writers
                 (senders, for a request) and widening one its readers, and needs a major bump;
                 without --strict such a change breaks nobody and needs a minor bump
  --json         print one JSON object {old, new, strict, changes, required, bump, ok, suggested}

The bump from the old info.version to the new one must carry the changes: a break needs a major
bump, an addition a minor one, any other change a patch (below 1.0.0: 0.MINOR acts as the major).
Exit codes: 0 the version carries the changes, 1 it does not, 2 usage error or a document that
cannot be read or is not an OpenAPI 3.1 document.`;

/** The package's own (bundled) document of a contract of the registry: what `<new>` defaults to. */
export function defaultDocument(contract: string | undefined): string {
  const root = packageRoot();
  return join(root, findContract(readRegistry(root), contract).openapi.json);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { contract: { type: 'string' }, json: { type: 'boolean' }, strict: { type: 'boolean' } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('diff needs the old document: converge-webhook diff <old> [<new>]');
  if (positionals.length > 2) throw new UsageError(`diff compares two documents, found ${positionals.length} files`);
  if (positionals.length === 2 && values.contract !== undefined) throw new UsageError('give either <new> or --contract (whose document is the default <new>), not both');
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('standard input ("-") can be read only once');
  const [oldFile, given] = positionals as [string, string?];
  const newFile = given ?? defaultDocument(values.contract);
  try {
    const report = diffDocuments(loadDocument(oldFile), loadDocument(newFile, given ?? shortName(newFile)), { strict: values.strict === true });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatText(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    // Said as every command says a mistake (cli.ts): one line, exit 2.
    if (error instanceof DocumentError || error instanceof SyntaxProblem) throw new UnusableInput(error.message);
    throw error;
  }
}

/** A path as short as it can be said: relative to the working directory when below it. */
function shortName(file: string): string {
  const below = relative(process.cwd(), file);
  return below.startsWith('..') ? file : below;
}

/** A file that is not JSON or YAML: names the file, the line and column, what was expected and found. */
class SyntaxProblem extends Error {}

/** Reads a document and every local file its $refs point at (parsed, or the reason they could not be). */
export function loadDocument(file: string, name = file === '-' ? 'standard input' : file): SourceDocument {
  const url = file === '-' ? pathToFileURL(resolve('(stdin)')).href : pathToFileURL(resolve(file)).href;
  const document = parse(readInput(file), name);
  inlineExternalValues(document, url);
  const files = new Map<string, unknown>();
  const queue: Array<{ value: unknown; base: string }> = [{ value: document, base: url }];
  while (queue.length > 0) {
    const { value, base } = queue.pop()!;
    for (const ref of references(value)) {
      let target: URL;
      try {
        target = new URL(ref, base);
      } catch {
        continue; // The engine reports a malformed reference where it meets it.
      }
      target.hash = '';
      if (target.protocol !== 'file:' || target.href === url || files.has(target.href)) continue;
      try {
        const parsed = parse(readFileSync(target), relative(process.cwd(), fileURLToPath(target)));
        inlineExternalValues(parsed, target.href);
        files.set(target.href, parsed);
        queue.push({ value: parsed, base: target.href });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        files.set(target.href, new UnreadableFile(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (error as Error).message));
      }
    }
  }
  return { document, url, files, name };
}

/**
 * Every Example object (an entry of an `examples` map) with a local `externalValue` and no
 * `value` gets the file's content as its `value`, as a bundler inlines it (Redocly: a .json,
 * .yaml or .yml file parsed, any other the text), so a source document and its bundle compare
 * equal. A file that cannot be read, or a remote URL, stays an `externalValue` and compares as
 * written. Example values are data: nothing inside them is rewritten.
 */
function inlineExternalValues(value: unknown, base: string): void {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'value' || key === 'example' || key.startsWith('x-')) continue;
        if (key === 'examples' && typeof child === 'object' && child !== null && !Array.isArray(child)) {
          for (const example of Object.values(child)) inlineExternalValue(example, base);
        }
        stack.push(child);
      }
    }
  }
}

function inlineExternalValue(example: unknown, base: string): void {
  if (typeof example !== 'object' || example === null) return;
  const object = example as Record<string, unknown>;
  if (typeof object.externalValue !== 'string' || object.value !== undefined) return;
  let target: URL;
  try {
    target = new URL(object.externalValue, base);
  } catch {
    return;
  }
  if (target.protocol !== 'file:') return;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(target);
  } catch {
    return;
  }
  const name = relative(process.cwd(), fileURLToPath(target));
  object.value = /\.(json|ya?ml)$/i.test(target.pathname) ? parse(bytes, name) : new TextDecoder().decode(bytes);
  delete object.externalValue;
}

function* references(value: unknown): Generator<string> {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (key === '$ref' && typeof child === 'string' && !child.startsWith('#')) yield child;
        else stack.push(child);
      }
    }
  }
}

function parse(bytes: Uint8Array, name: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SyntaxProblem(`${name}: expected UTF-8 text (JSON or YAML), found bytes that are not UTF-8`);
  }
  if (name.endsWith('.json') || /^\uFEFF?\s*[{[]/.test(text)) {
    const result = parseJson(text);
    if (result.ok) return result.value;
    if (name.endsWith('.json')) throw new SyntaxProblem(`${name}: not JSON: ${describeJsonError(result)}`);
  }
  const parsed = YAML.parseDocument(text);
  const [problem] = parsed.errors;
  if (problem) {
    const where = problem.linePos?.[0];
    const message = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new SyntaxProblem(`${name}: not JSON or YAML${where ? ` (line ${where.line}, column ${where.col})` : ''}: ${message}`);
  }
  return parsed.toJS({ maxAliasCount: 1000 });
}
