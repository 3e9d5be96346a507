/**
 * A contract's library entry, generated/<id>/index.ts: the engine (src/library.ts) bound to the
 * contract's own code table, precompiled validators, operations and media types, its constants
 * drawn from its documents, the guards and the assert function its contract.yaml declares
 * (`library`), its helpers (generic functions of src/ bound by name to arguments from
 * contract.yaml), and every type of generated/<id>/types/schemas.d.ts. Nothing here names a
 * contract: what differs is in contract.yaml.
 */
import type { CodeTable } from '../../src/engine/table.ts';
import type { ContractDescriptor } from './contracts.ts';

/** contract.yaml `library`, as spec/contract.schema.json describes it. */
export interface LibrarySection {
  constants?: Record<string, string | { from: string; doc?: string }>;
  guards?: Array<{ name: string; type: string; level: 'errors' | 'conforming'; operation?: string; where?: { pointer: string; in: string }; doc?: string }>;
  assert?: { name: string; type: string; error: string; message: string; doc?: string };
  /** json-in-string's `code`: a pattern, or `{check: CODE}`, the `otherwise` of that code's json-in-string check in codes.yaml (one source for both). */
  helpers?: Array<{ name: string; use: 'query-digest' | 'verify-query-digest' | 'json-in-string' | 'date-time'; code?: string | { check: string }; pattern?: string; exact?: string; refusals?: string[]; doc?: string }>;
  [key: string]: unknown;
}

export interface EntryOperation {
  id: string;
  webhook: boolean;
  /** Paths of the validators below generated/<id>/, without extension (validators/foo-bar). */
  validators: { error: string; warning: string; conforming: string };
}

export interface EntryInput {
  header: string;
  descriptor: ContractDescriptor;
  /** The contract.yaml path, for messages. */
  file: string;
  /** The bundled OpenAPI document, for the constants taken from it. */
  document: unknown;
  /** The operations that have a body to validate, the default first. */
  operations: EntryOperation[];
  /** Names the generated types file exports (a guard's type must be one). */
  typeNames: ReadonlySet<string>;
  /** The code table (spec/<id>/codes.yaml), for the helpers that give its codes. */
  codes?: CodeTable;
}

/** The value at "#/a/b" in a document (RFC 6901 tokens), or an error naming what is missing. */
function resolvePointer(document: unknown, ref: string, where: string): unknown {
  let node = document;
  for (const raw of ref.replace(/^#\/?/, '').split('/').filter((t, i, all) => t !== '' || all.length > 1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(token in node)) throw new Error(`${where}: expected ${ref} to be in the document, found no "${token}"`);
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function doc(text: string | undefined, indent = ''): string {
  return text ? `${indent}/** ${text.replace(/\*\//g, '*\\/')} */\n` : '';
}

export function libraryEntry(input: EntryInput): string {
  const { descriptor: d, file, operations } = input;
  const library = (d.library ?? {}) as LibrarySection;
  if (operations.length === 0) throw new Error(`${file}: /operations: expected an operation with levels (a body to validate), found none`);
  const lines: string[] = [];
  const media = d.mediaTypes;
  const imports = new Map<string, string>();
  const validatorName = (path: string) => {
    if (!imports.has(path)) imports.set(path, `validator${imports.size}`);
    return imports.get(path)!;
  };
  const bound = operations.map(
    (o) =>
      `    { id: ${JSON.stringify(o.id)}, webhook: ${o.webhook}, validators: { error: ${validatorName(o.validators.error)}, warning: ${validatorName(o.validators.warning)}, conforming: ${validatorName(o.validators.conforming)} } },`,
  );

  // Constants: from the OpenAPI document ("#/..."), or from contract.yaml ("contract#/...").
  const constants: string[] = [];
  const constantNames = new Set<string>();
  for (const [name, spec] of Object.entries(library.constants ?? {})) {
    const { from, doc: text } = typeof spec === 'string' ? { from: spec, doc: undefined } : spec;
    const where = `${file}: /library/constants/${name}`;
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`${where}: expected an UPPER_CASE name, found "${name}"`);
    const value = from.startsWith('contract#') ? resolvePointer(d, from.slice('contract'.length), where) : resolvePointer(input.document, from, where);
    const ok = typeof value === 'number' || typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'number' || typeof v === 'string'));
    if (!ok) throw new Error(`${where}: expected ${from} to be a number, a string or a list of them, found ${JSON.stringify(value)?.slice(0, 60)}`);
    constantNames.add(name);
    constants.push(`${doc(text ?? `From ${from.startsWith('contract#') ? `contract.yaml ${from.slice('contract#'.length)}` : `the OpenAPI document's ${from}`}.`)}export const ${name} = ${JSON.stringify(value, null, Array.isArray(value) && value.length > 4 ? 2 : undefined)} as const;`);
  }

  const typeImports = new Set<string>();
  const needType = (type: string, where: string) => {
    if (!input.typeNames.has(type)) throw new Error(`${where}: expected a type of generated/${d.id}/types/schemas.d.ts, found "${type}"`);
    typeImports.add(type);
  };

  const guards: string[] = [];
  (library.guards ?? []).forEach((guard, i) => {
    const where = `${file}: /library/guards/${i}`;
    if (!IDENTIFIER.test(guard.name)) throw new Error(`${where}/name: expected an identifier, found "${guard.name}"`);
    needType(guard.type, `${where}/type`);
    if (guard.operation !== undefined && !operations.some((o) => o.id === guard.operation)) throw new Error(`${where}/operation: expected one of ${operations.map((o) => o.id).join(', ')}, found "${guard.operation}"`);
    const level = guard.level === 'errors' ? 'error' : 'conforming';
    const op = guard.operation === undefined ? '' : `, ${JSON.stringify(guard.operation)}`;
    let test = `contract.passes('${level}', value${op})`;
    if (guard.where) {
      if (!constantNames.has(guard.where.in)) throw new Error(`${where}/where/in: expected a constant of /library/constants, found "${guard.where.in}"`);
      const set = `${guard.name}Values`;
      guards.push(`const ${set}: ReadonlySet<unknown> = new Set(${guard.where.in});`);
      test += ` && ${set}.has(contract.valueAt(value, ${JSON.stringify(guard.where.pointer)}))`;
    }
    guards.push(`${doc(guard.doc)}export function ${guard.name}(value: unknown): value is ${guard.type} {
  try {
    return ${test};
  } catch {
    return false;
  }
}`);
  });

  let assertion = '';
  if (library.assert) {
    const a = library.assert;
    const where = `${file}: /library/assert`;
    for (const [key, name] of [['name', a.name], ['error', a.error]] as const) if (!IDENTIFIER.test(name)) throw new Error(`${where}/${key}: expected an identifier, found "${name}"`);
    needType(a.type, `${where}/type`);
    assertion = `
/** What ${a.name} throws: every violation, by pointer, code and message. */
export class ${a.error} extends ViolationsError<ViolationCode> {
  constructor(violations: Violation[]) {
    super(${JSON.stringify(a.message)}, violations);
    this.name = ${JSON.stringify(a.error)};
  }
}

${doc(a.doc ?? `Throws a \`${a.error}\` listing every violation unless \`value\` passes the contract rules (or, with \`strict\`, the recommendations too).`)}export function ${a.name}(value: unknown, options: ValidateOptions = {}): asserts value is ${a.type} {
  const result = validateEvent(value, options);
  if (!result.valid) throw new ${a.error}(result.errors);
}
`;
  }

  // Helpers: a generic function of src/ (`use`) bound to its arguments from contract.yaml.
  const helpers: string[] = [];
  const helperImports = new Set<string>();
  const auth = d.auth as { type: string; parameter?: string; accountParameter?: string; formula?: { hash: string; encoding: string; input: string[]; charset: string } };
  (library.helpers ?? []).forEach((helper, i) => {
    const where = `${file}: /library/helpers/${i}`;
    if (!IDENTIFIER.test(helper.name)) throw new Error(`${where}/name: expected an identifier, found "${helper.name}"`);
    if (helper.use === 'query-digest' || helper.use === 'verify-query-digest') {
      const formula = auth.formula;
      if (!formula || auth.parameter === undefined) throw new Error(`${where}/use: expected /auth/formula and /auth/parameter for ${helper.use}, found none`);
      const names = [...new Set(formula.input.flatMap((part) => /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part)?.[1] ?? []))];
      if (names.length === 0) throw new Error(`${file}: /auth/formula/input: expected a {name} placeholder, found none`);
      if (!helperImports.has('digest')) helpers.unshift(`/** contract.yaml /auth/formula. */\nconst digestFormula: DigestFormula = ${JSON.stringify(formula)};`);
      helperImports.add('digest');
      if (helper.use === 'query-digest') {
        helpers.push(`${doc(helper.doc)}export function ${helper.name}(${names.map((n) => `${n}: string`).join(', ')}): string {
  return queryDigest(digestFormula, { ${names.join(', ')} });
}`);
      } else {
        const equal = auth.accountParameter === undefined ? [] : [auth.accountParameter];
        const queryFields = [...equal, auth.parameter].map((n) => `readonly ${JSON.stringify(n)}?: string | null`).join('; ');
        const accountFields = names.map((n) => `readonly ${JSON.stringify(n)}: string`).join('; ');
        helpers.push(`${doc(helper.doc)}export function ${helper.name}(query: { ${queryFields} }, account: { ${accountFields} }): boolean {
  return verifyQueryDigest(digestFormula, ${JSON.stringify({ digest: auth.parameter, equal })}, query, account);
}`);
      }
    } else if (helper.use === 'json-in-string') {
      let pattern: string;
      if (typeof helper.code === 'object' && helper.code !== null) {
        // The pattern of a check of codes.yaml: the library parses as the check judges.
        const code = helper.code.check;
        const entry = input.codes?.codes.find((c) => c.code === code);
        if (!entry) throw new Error(`${where}/code/check: expected a code of codes.yaml, found ${JSON.stringify(code)}`);
        if (entry.check?.name !== 'json-in-string' || entry.check.otherwise === undefined) {
          throw new Error(`${where}/code/check: expected a code whose check is json-in-string with \`otherwise\`, found ${JSON.stringify(code)} ${entry.check ? `with the check ${entry.check.name}` : 'without a check'}`);
        }
        pattern = entry.check.otherwise;
      } else {
        pattern = helper.code ?? '^[A-Z][A-Z0-9_]*$';
      }
      try {
        new RegExp(pattern);
      } catch {
        throw new Error(`${where}/code: expected a regular expression, found ${JSON.stringify(pattern)}`);
      }
      helperImports.add('json-in-string');
      helpers.push(`const ${helper.name}Code = new RegExp(${JSON.stringify(pattern)});

${doc(helper.doc?.replaceAll('{code}', pattern))}export function ${helper.name}(text: unknown): JsonInString {
  return parseJsonInString(text, ${helper.name}Code);
}`);
    } else if (helper.use === 'date-time') {
      const pattern = (key: 'pattern' | 'exact') => {
        const ref = helper[key];
        if (ref === undefined) throw new Error(`${where}/${key}: expected a pointer into the OpenAPI document, found none`);
        const value = resolvePointer(input.document, ref, `${where}/${key}`);
        if (typeof value !== 'string') throw new Error(`${where}/${key}: expected ${ref} to be a pattern, found ${JSON.stringify(value)?.slice(0, 60)}`);
        return `new RegExp(${JSON.stringify(value)})`;
      };
      const accept = pattern('pattern');
      const exact = pattern('exact');
      // Each refusal is a code of the table, and its valuePattern the one the validator maps with:
      // in the table's order (the engine's: the first that matches), the last without one.
      const table = input.codes?.codes ?? [];
      const codes = helper.refusals ?? [];
      if (codes.length === 0) throw new Error(`${where}/refusals: expected codes of the code table, found none`);
      const refusals = codes.map((code, j) => {
        const at = table.findIndex((c) => c.code === code);
        if (at === -1) throw new Error(`${where}/refusals/${j}: expected a code of the code table, found "${code}"`);
        const patterns = [...new Set((table[at]!.match ?? []).flatMap((m) => (m.valuePattern === undefined ? [] : [m.valuePattern])))];
        if (patterns.length > 1) throw new Error(`${where}/refusals/${j}: expected "${code}" to match with one valuePattern, found ${patterns.length}`);
        return { code, at, valuePattern: patterns[0] };
      });
      refusals.forEach((r, j) => {
        if (j > 0 && r.at < refusals[j - 1]!.at) throw new Error(`${where}/refusals/${j}: expected the codes in the table's order, found "${r.code}" after "${refusals[j - 1]!.code}"`);
        const last = j === refusals.length - 1;
        if (last !== (r.valuePattern === undefined)) throw new Error(`${where}/refusals/${j}: expected ${last ? 'the last code (the fallback) to have no valuePattern' : `"${r.code}" to have a valuePattern (only the last is the fallback)`}, found ${last ? r.valuePattern : 'none'}`);
      });
      const fallback = refusals[refusals.length - 1]!;
      const codeType = codes.map((c) => JSON.stringify(c)).join(' | ');
      helperImports.add('date-time');
      helpers.push(`/** ${helper.name}'s rule: contract.yaml /library/helpers/${i}, its patterns from the OpenAPI document and its refusals from the code table. */
const ${helper.name}Rule: DateTimeRule<${codeType}> = {
  accept: ${accept},
  exact: ${exact},
  refusals: [
${refusals.slice(0, -1).map((r) => `    { code: ${JSON.stringify(r.code)}, pattern: new RegExp(${JSON.stringify(r.valuePattern)}), message: violationCodes[${JSON.stringify(r.code)}].meaning },`).join('\n')}
  ],
  fallback: { code: ${JSON.stringify(fallback.code)}, message: violationCodes[${JSON.stringify(fallback.code)}].meaning },
};

${doc(helper.doc)}export function ${helper.name}(value: unknown): DateTimeResult<${codeType}> {
  return parseDateTime(value, ${helper.name}Rule);
}`);
    } else {
      throw new Error(`${where}/use: expected query-digest, verify-query-digest, json-in-string or date-time, found ${JSON.stringify(helper.use)}`);
    }
  });

  const form = d.form as { arrays?: string[]; numbers?: string[] } | undefined;
  const decoders = media.map((type) => {
    if (type === 'application/json') return 'json';
    if (type === 'application/x-www-form-urlencoded') return `form(${JSON.stringify({ arrays: form?.arrays ?? [], numbers: form?.numbers ?? [] })})`;
    throw new Error(`${file}: /mediaTypes: no decoder for ${type}`);
  });
  const vendor = d.vendor.name;

  lines.push(
    input.header,
    `/**
 * The ${d.title}: validation, guards, constants and types, generated from spec/${d.id}/contract.yaml,
 * its OpenAPI document and its code table (spec/${d.id}/codes.yaml). Imports only this contract's
 * modules and the engine, and nothing of Node.
 */`,
    `import { bindContract${library.assert ? ', ViolationsError' : ''}, type BodyValidateOptions as AnyBodyValidateOptions, type BodyValidationResult as AnyBodyValidationResult, type ValidateOptions as AnyValidateOptions, type ValidationResult as AnyValidationResult, type Violation as AnyViolation } from '../../src/library.js';`,
    ...(media.includes('application/json') ? [`import { json } from '../../src/media/json.js';`] : []),
    ...(media.includes('application/x-www-form-urlencoded') ? [`import { form } from '../../src/media/form.js';`] : []),
    ...(helperImports.has('digest') ? [`import { queryDigest, verifyQueryDigest, type DigestFormula } from '../../src/hash/query-digest.js';`] : []),
    ...(helperImports.has('json-in-string') ? [`import { parseJsonInString, type JsonInString } from '../../src/json-in-string.js';`, `export type { JsonInString } from '../../src/json-in-string.js';`] : []),
    ...(helperImports.has('date-time') ? [`import { parseDateTime, type DateTimeResult, type DateTimeRule } from '../../src/date-time.js';`, `export type { DateTimeResult } from '../../src/date-time.js';`] : []),
    `import { table, violationCodes } from './codes.js';`,
    ...[...imports].map(([path, name]) => `import ${name} from './${path}.js';`),
    ...(typeImports.size > 0 ? [`import type { ${[...typeImports].sort().join(', ')} } from './types/schemas.js';`] : []),
    '',
    `// Every type of the contract's schemas (where a name is also declared below, the declaration here wins).`,
    `export type * from './types/schemas.js';`,
    '',
    `/** Each violation code's level and meaning, in the order of the table (spec/${d.id}/codes.yaml). */`,
    `export const VIOLATION_CODES = violationCodes;`,
    `export type ViolationCode = keyof typeof VIOLATION_CODES;`,
    `export type ViolationLevel = 'error' | 'warning';`,
    '',
    `/** The operations whose bodies this entry validates (\`operation\`), the default first. */`,
    `export const OPERATIONS = ${JSON.stringify(operations.map((o) => o.id))} as const;`,
    `export type Operation = (typeof OPERATIONS)[number];`,
    `/** The media types of a body (\`contentType\`), the default first. */`,
    `export const MEDIA_TYPES = ${JSON.stringify(media)} as const;`,
    '',
    `export type Violation = AnyViolation<ViolationCode>;`,
    `export type ValidateOptions = AnyValidateOptions<Operation>;`,
    `export type BodyValidateOptions = AnyBodyValidateOptions<Operation>;`,
    `export type ValidationResult = AnyValidationResult<ViolationCode>;`,
    `export type BodyValidationResult = AnyBodyValidationResult<ViolationCode>;`,
    '',
    ...constants.flatMap((c) => [c, '']),
    `const contract = bindContract({`,
    `  table,`,
    `  media: [${decoders.join(', ')}],`,
    `  bodyLimit: ${d.bodyLimit},`,
    `  operations: [`,
    ...bound,
    `  ],`,
    `});`,
    '',
    `/**
 * Validates one ${vendor} body, already parsed, against the contract rules (errors) and the
 * recommendations (warnings). Never throws, whatever the value.
 */
export function validateEvent(value: unknown, options: ValidateOptions = {}): ValidationResult {
  return contract.validateEvent(value, options) as ValidationResult;
}

/**
 * Validates a raw request body (text or bytes, as received), decoded as its \`contentType\` says
 * (${media.join(' or ')}; default ${media[0]}): a body that cannot be decoded is an error
 * with the place, a body over ${d.bodyLimit} bytes gets the table's body-too-large code, and the rest is
 * checked as by \`validateEvent\`. Never throws, whatever the body.
 */
export function validateBody(body: string | Uint8Array, options: BodyValidateOptions = {}): BodyValidationResult {
  return contract.validateBody(body, options) as BodyValidationResult;
}
`,
    ...guards.flatMap((g) => [g, '']),
    assertion,
    ...helpers.flatMap((h) => [h, '']),
  );
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
