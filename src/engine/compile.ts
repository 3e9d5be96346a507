/**
 * Turns a code table (plain data) into what the engine runs: regular expressions built once,
 * rules indexed by keyword, message templates split into parts. Throws on a table that the
 * engine cannot run (an unknown placeholder, an `order` that misses a code): the generator and
 * the tests call it, so such a table never ships.
 */
import type { CodeEntry, CodeTable, JsonType, Level, Match, Messages, Note, OneOrMore, Problem } from './table.js';
import { ARTICLE, describe, escapeToken, jsonType, pointerRegExp } from './values.js';

/** A validator error as ajv reports it. */
export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}

/** What a message template can say; each part is computed only when a template asks for it. */
export interface MessageContext {
  /** The value at the violation pointer. */
  value: unknown;
  error?: AjvError;
  property?: string;
  detail?: string;
  limit?: number;
  bytes?: number;
  /** A message written by the producer of a problem, used when the table gives no template. */
  message?: string;
}

type Part = string | ((context: MessageContext, rule: RenderRule) => string);
type Template = readonly Part[];

interface RenderRule {
  expected?: Template;
  message?: Template;
  notes?: ReadonlyArray<{ pattern: RegExp; text: string }>;
}

export interface CompiledRule extends RenderRule {
  code: string;
  level: Level;
  rank: number;
  keywords?: ReadonlySet<string>;
  pointer?: RegExp;
  properties?: ReadonlySet<string>;
  name?: boolean;
  found?: ReadonlySet<JsonType>;
  valuePattern?: RegExp;
  below?: number;
  above?: number;
  integer?: boolean;
  finite?: boolean;
}

export interface CompiledLevel {
  /** Rules without a keyword condition, merged into every keyword's list (by rank) on first use. */
  readonly anyKeyword: readonly CompiledRule[];
  readonly byKeyword: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly candidates: Map<string, readonly CompiledRule[]>;
  readonly ignore: ReadonlySet<string>;
  readonly fallback?: CompiledRule;
}

export interface CompiledCheck extends RenderRule {
  code: string;
  level: Level;
  check: NonNullable<CodeEntry['check']>;
}

export interface CompiledTable {
  readonly levels: Readonly<Record<Level, CompiledLevel>>;
  readonly problems: ReadonlyMap<Problem, CompiledRule>;
  readonly checks: readonly CompiledCheck[];
  readonly codes: ReadonlyMap<string, CodeEntry>;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function list<T>(value: OneOrMore<T> | undefined): readonly T[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function asSet<T>(value: OneOrMore<T> | undefined): ReadonlySet<T> | undefined {
  const items = list(value);
  return items && new Set(items);
}

/** The placeholders every template may use, beside the table's constants. */
const PLACEHOLDERS: Record<string, (context: MessageContext, rule: RenderRule) => string> = {
  expected: (context, rule) => (rule.expected ? render(rule.expected, context, rule) : context.error ? defaultExpected(context) : 'a valid value'),
  found: (context) => (context.error?.propertyName !== undefined ? `the name ${describe(context.error.propertyName).slice('a string '.length)}` : describe(context.value)),
  length: (context) => (Array.isArray(context.value) ? String(context.value.length) : describe(context.value)),
  property: (context) => context.property ?? '',
  type: (context) => typeText(context.error),
  rule: (context) => (context.error ? ruleText(context.error) : ''),
  schemaPath: (context) => context.error?.schemaPath ?? '',
  keyword: (context) => context.error?.keyword ?? '',
  allowed: (context) => allowedText(context.error),
  notes: (context, rule) => {
    const value = context.value;
    if (typeof value !== 'string' || !rule.notes) return '';
    return rule.notes.filter((note) => note.pattern.test(value)).map((note) => note.text).join(', ');
  },
  detail: (context) => context.detail ?? '',
  // The body limit, or the bound of a validator error (maximum, maxLength, ...): the schema's own number.
  limit: (context) => String(context.limit ?? context.error?.params.limit ?? ''),
  bytes: (context) => String(context.bytes ?? ''),
};

function ruleText(error: AjvError): string {
  return error.message ?? `passes "${error.keyword}"`;
}

/** The JSON type(s) a `type` error wanted, with their article: "a string", "a string or null". */
function typeText(error: AjvError | undefined): string {
  const type = String(error?.params.type ?? '');
  return ARTICLE[type] ?? (type.includes(',') ? type.split(',').map((t) => ARTICLE[t] ?? t).join(' or ') : type);
}

/** The value(s) a `const` or `enum` error allows, as JSON: "account", or "a", "b" and "c". */
function allowedText(error: AjvError | undefined): string {
  const params = error?.params ?? {};
  if ('allowedValue' in params) return JSON.stringify(params.allowedValue) ?? String(params.allowedValue);
  const values = Array.isArray(params.allowedValues) ? params.allowedValues.map((v) => JSON.stringify(v) ?? String(v)) : [];
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/**
 * What a validator error wanted, when the table does not say: plain words for the keywords whose
 * parameters say it all. A pattern, a format or a `not` has no plain reading: the table must give
 * its `expected` (test/codes-audit.test.ts checks that no example's message shows ajv's wording).
 */
function defaultExpected(context: MessageContext): string {
  const error = context.error!;
  const limit = Number(error.params.limit);
  switch (error.keyword) {
    case 'type':
      return typeText(error);
    case 'required':
      return 'a value (required)';
    case 'dependentRequired':
      return `a value (required when ${String(error.params.property)} is present)`;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return `no field "${context.property ?? ''}" (not one of the documented ones)`;
    case 'minLength':
      return limit === 1 ? 'a non-empty string' : `a string of at least ${limit} characters`;
    case 'maxLength':
      return `a string of at most ${limit} characters`;
    case 'minItems':
      return `at least ${limit} item${limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `at most ${limit} item${limit === 1 ? '' : 's'}`;
    case 'minimum':
      return `a number of ${limit} or more`;
    case 'maximum':
      return `a number of ${limit} or less`;
    case 'exclusiveMinimum':
      return `a number above ${limit}`;
    case 'exclusiveMaximum':
      return `a number below ${limit}`;
    case 'multipleOf':
      return error.params.multipleOf === 1 ? 'a whole number' : `a multiple of ${String(error.params.multipleOf)}`;
    case 'const':
    case 'enum':
      return allowedText(error);
    default:
      return `a value that ${ruleText(error)}`;
  }
}

function compileTemplate(text: string, constants: CodeTable['constants'], where: string): Template {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    const index = match.index;
    if (index > last) parts.push(text.slice(last, index));
    const constant = constants?.[name];
    if (constant !== undefined) parts.push(Array.isArray(constant) ? constant.join(', ') : String(constant));
    else if (PLACEHOLDERS[name]) parts.push(PLACEHOLDERS[name]);
    else throw new Error(`${where}: unknown placeholder {${name}} in "${text}"`);
    last = index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

export function render(template: Template, context: MessageContext, rule: RenderRule): string {
  let text = '';
  for (const part of template) text += typeof part === 'string' ? part : part(context, rule);
  return text;
}

const DEFAULT_MESSAGE = compileTemplate('expected {expected}, found {found}', undefined, 'default');

/** The message of a violation: the rule's template, else the producer's own message, else the default. */
export function messageOf(rule: RenderRule, context: MessageContext): string {
  if (rule.message) return render(rule.message, context, rule);
  if (context.message !== undefined) return context.message;
  const text = render(DEFAULT_MESSAGE, context, rule);
  return context.detail ? `${text} (${context.detail})` : text;
}

function bound(value: number | string | undefined, constants: CodeTable['constants'], where: string): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  const constant = constants?.[value];
  if (typeof constant !== 'number') throw new Error(`${where}: "${value}" is not a numeric constant of the table`);
  return constant;
}

function messages(own: Messages, inherited: Messages, constants: CodeTable['constants'], where: string): RenderRule {
  const expected = own.expected ?? inherited.expected;
  const message = own.message ?? inherited.message;
  const notes: readonly Note[] | undefined = own.notes ?? inherited.notes;
  return {
    expected: expected === undefined ? undefined : compileTemplate(expected, constants, where),
    message: message === undefined ? undefined : compileTemplate(message, constants, where),
    notes: notes?.map((note) => ({ pattern: new RegExp(note.valuePattern), text: note.text })),
  };
}

function compileMatch(entry: CodeEntry, match: Match, rank: number, constants: CodeTable['constants']): CompiledRule {
  const where = `code ${entry.code}`;
  return {
    code: entry.code,
    level: entry.level,
    rank,
    ...messages(match, entry, constants, where),
    keywords: asSet(match.keyword),
    pointer: match.pointer === undefined ? undefined : pointerRegExp(match.pointer),
    properties: asSet(match.property),
    name: match.name,
    found: asSet(match.found),
    valuePattern: match.valuePattern === undefined ? undefined : new RegExp(match.valuePattern),
    below: bound(match.below, constants, where),
    above: bound(match.above, constants, where),
    integer: match.integer,
    finite: match.finite,
  };
}

export interface CompileOptions {
  /** The operation (webhook) validated: codes whose `webhooks` leave it out do not apply. */
  operation?: string;
}

export function compileTable(table: CodeTable, options: CompileOptions = {}): CompiledTable {
  const constants = table.constants;
  const codes = new Map<string, CodeEntry>();
  for (const entry of table.codes) {
    if (codes.has(entry.code)) throw new Error(`code ${entry.code} is declared twice`);
    codes.set(entry.code, entry);
  }
  const applies = (entry: CodeEntry) => options.operation === undefined || !entry.webhooks || entry.webhooks.includes(options.operation);
  const problems = new Map<Problem, CompiledRule>();
  const checks: CompiledCheck[] = [];
  const levels = {} as Record<Level, CompiledLevel>;

  for (const level of ['error', 'warning'] as const) {
    const matching = table.codes.filter((entry) => entry.level === level && entry.match?.some((m) => m.problem === undefined));
    const order = table.order?.[level];
    let ordered = matching;
    if (order) {
      const names = matching.map((entry) => entry.code);
      const missing = names.filter((name) => !order.includes(name));
      const extra = order.filter((name) => !names.includes(name));
      if (missing.length > 0 || extra.length > 0) {
        throw new Error(`order.${level} must list every ${level} code with match rules once: missing ${missing.join(', ') || 'none'}, not such codes ${extra.join(', ') || 'none'}`);
      }
      ordered = order.map((name) => codes.get(name)!);
    }
    const anyKeyword: CompiledRule[] = [];
    const byKeyword = new Map<string, CompiledRule[]>();
    let rank = 0;
    for (const entry of ordered) {
      if (!applies(entry)) continue;
      for (const match of entry.match!) {
        if (match.problem !== undefined) continue;
        const rule = compileMatch(entry, match, rank++, constants);
        if (!rule.keywords) anyKeyword.push(rule);
        else for (const keyword of rule.keywords) byKeyword.set(keyword, [...(byKeyword.get(keyword) ?? []), rule]);
      }
    }
    const fallbacks = table.codes.filter((entry) => entry.level === level && entry.fallback !== undefined && applies(entry));
    if (fallbacks.length > 1) throw new Error(`more than one ${level} code is a fallback: ${fallbacks.map((e) => e.code).join(', ')}`);
    const fallbackEntry = fallbacks[0];
    const fallback: CompiledRule | undefined = fallbackEntry && {
      code: fallbackEntry.code,
      level,
      rank: Number.MAX_SAFE_INTEGER,
      ...messages(fallbackEntry.fallback === true ? {} : fallbackEntry.fallback!, fallbackEntry, constants, `code ${fallbackEntry.code}`),
    };
    const ignore = new Set<string>();
    for (const item of table.ignore ?? []) {
      if (item.level === undefined || item.level === level) for (const keyword of list(item.keyword)!) ignore.add(keyword);
    }
    levels[level] = { anyKeyword, byKeyword, candidates: new Map(), ignore, fallback };
  }

  for (const entry of table.codes) {
    if (!applies(entry)) continue;
    for (const match of entry.match ?? []) {
      if (match.problem === undefined) continue;
      if (problems.has(match.problem)) throw new Error(`problem ${match.problem} is mapped twice`);
      problems.set(match.problem, { code: entry.code, level: entry.level, rank: 0, ...messages(match, entry, constants, `code ${entry.code}`) });
    }
    if (entry.check) checks.push({ code: entry.code, level: entry.level, check: entry.check, ...messages({}, entry, constants, `code ${entry.code}`) });
  }
  if (!problems.has('invalid-value')) throw new Error('no code takes the problem invalid-value (a value the validators cannot read)');
  return { levels, problems, checks, codes };
}

/** The rules to try for a keyword, in rank order. */
export function candidatesFor(level: CompiledLevel, keyword: string): readonly CompiledRule[] {
  let rules = level.candidates.get(keyword);
  if (!rules) {
    rules = [...(level.byKeyword.get(keyword) ?? []), ...level.anyKeyword].sort((a, b) => a.rank - b.rank);
    level.candidates.set(keyword, rules);
  }
  return rules;
}

/** The property an error names (a missing, additional or badly named one), if any. */
export function namedProperty(error: AjvError): string | undefined {
  if (error.propertyName !== undefined) return error.propertyName;
  const params = error.params;
  const property = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty;
  return property === undefined ? undefined : String(property);
}

/** Where a violation points: at the property for errors that name one, else at the value. */
export function violationPointer(error: AjvError, property: string | undefined): string {
  return property === undefined || error.keyword === 'propertyNames' ? error.instancePath : `${error.instancePath}/${escapeToken(property)}`;
}

/** Whether `rule` matches `error`, whose value (at the error's instancePath) is `value`. */
export function matches(rule: CompiledRule, error: AjvError, property: string | undefined, value: () => unknown): boolean {
  if (rule.pointer && !rule.pointer.test(error.instancePath)) return false;
  if (rule.properties && (property === undefined || !rule.properties.has(property))) return false;
  if (rule.name !== undefined && rule.name !== (error.propertyName !== undefined)) return false;
  if (rule.found || rule.valuePattern || rule.below !== undefined || rule.above !== undefined || rule.integer !== undefined || rule.finite !== undefined) {
    const actual = value();
    if (rule.found) {
      const type = jsonType(actual);
      if (type === undefined || !rule.found.has(type)) return false;
    }
    if (rule.valuePattern && (typeof actual !== 'string' || !rule.valuePattern.test(actual))) return false;
    if (rule.below !== undefined || rule.above !== undefined || rule.integer !== undefined || rule.finite !== undefined) {
      if (typeof actual !== 'number') return false;
      if (rule.below !== undefined && !(actual < rule.below)) return false;
      if (rule.above !== undefined && !(actual > rule.above)) return false;
      if (rule.integer !== undefined && Number.isInteger(actual) !== rule.integer) return false;
      if (rule.finite !== undefined && Number.isFinite(actual) !== rule.finite) return false;
    }
  }
  return true;
}
