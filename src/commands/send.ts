/**
 * `converge-webhook send`: posts one delivery as the contract's sender does, and prints the answer
 * (the seed's "send a test event"). Everything about a contract comes from its data: the auth
 * type says where the secret goes (a header token, the path, a digest in the query), `env` which
 * variables stand for which options, `mediaTypes` and `form` how a form body is written,
 * `request` what else a delivery carries, `answers` which status counts as delivered.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { CheckFailed, kebabCase, noTokenHint, parseCommandArgs, UsageError, type OptionSpec } from '../cli-support.js';
import { envFor, loadContractRuntime, type ContractDescriptor, type ContractRuntime, type RuntimeOperation } from '../contract-runtime.js';
import { maskToken, resolveEndpointUrl } from '../endpoint.js';
import { valueAt } from '../engine/values.js';
import { formulaNames, queryDigest, type DigestFormula } from '../hash/query-digest.js';
import { readInput, violationLines, webhookHint } from '../input.js';
import type { ValidationResult } from '../library.js';
import { encodeForm, FormEncodeError, type FormOptions } from '../media/form.js';
import { templatePattern, templateSource } from '../url-template.js';
import { contractOption, findContract, readRegistry } from '../registry.js';

const TIMEOUT_MS = 30_000;
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** contract.yaml `auth`, with the fields each type reads. */
interface SendAuth {
  type: string;
  header?: string;
  parameter?: string;
  accountParameter?: string;
  formula?: DigestFormula;
}


/** The options a contract's send takes beside the common ones, from its data. */
function contractOptions(runtime: ContractRuntime): Record<string, OptionSpec> {
  const d = runtime.descriptor;
  const auth = d.auth as SendAuth;
  const options: Record<string, OptionSpec> = {};
  if (auth.type === 'header-token') options.token = { type: 'string' };
  if (auth.type === 'query-md5' && auth.formula) for (const name of formulaNames(auth.formula)) options[kebabCase(name)] = { type: 'string' };
  for (const name of Object.keys(d.request?.query ?? {})) if (!queryFilledByAuth(auth, name)) options[kebabCase(name)] = { type: 'string' };
  if (runtime.operations.length > 1) options.webhook = { type: 'string' };
  // An operation that reads no body is chosen with a flag of its name (--<its id>).
  for (const op of runtime.operations) if (op.body === 'none' && !op.default) options[kebabCase(op.id)] = { type: 'boolean' };
  if (d.mediaTypes.includes(FORM_TYPE)) options.form = { type: 'boolean' };
  return options;
}

function queryFilledByAuth(auth: SendAuth, name: string): boolean {
  return auth.type === 'query-md5' && (name === auth.parameter || name === auth.accountParameter);
}

function envLine(d: ContractDescriptor): string {
  const lines = Object.entries(d.env ?? {}).flatMap(([name, entry]) =>
    typeof entry === 'object' ? [`  ${name.padEnd(28)} ${entry.option}${entry.operation ? ` (the ${entry.operation} webhook)` : ''}: ${entry.description}`] : [],
  );
  return lines.length > 0 ? `\nEnvironment variables (read when the option is not given):\n${lines.join('\n')}\n` : '';
}

/** One option's line of the usage text: the option, then its text in the column of the others. */
const optionLine = (option: string, text: string): string => `  ${option.padEnd(15)} ${text}`;

function usage(runtime: ContractRuntime, isDefault: boolean): string {
  const d = runtime.descriptor;
  const auth = d.auth as SendAuth;
  const op = runtime.operations.find((o) => o.default) ?? runtime.operations[0]!;
  const contract = isDefault ? '[--contract ID] ' : `--contract ${d.id} `;
  const lines: string[] = [];
  let synopsis = '';
  if (auth.type === 'header-token') {
    const example = `http://127.0.0.1:${d.ports?.mock ?? 4010}${op.path}`;
    synopsis = `--url URL [--token TOKEN]`;
    lines.push(
      `  --url URL       the endpoint, e.g. ${example}; a URL without a path`,
      `                  (${example.slice(0, -op.path.length)}) gets ${op.path}`,
      `  --token TOKEN   the source's webhook token, sent in ${auth.header}. It is printed masked: its first 4`,
      `                  characters and **** (only **** for a token under 16 characters).`,
    );
  } else if (auth.type === 'path-secret') {
    synopsis = `[--url URL]`;
    lines.push(
      `  --url URL       the webhook's full URL, whose path ends in ${op.path}: the ${auth.parameter}`,
      `                  is the secret, so it is printed masked (its first 4 characters and ****)`,
    );
  } else if (auth.type === 'query-md5' && auth.formula) {
    const names = formulaNames(auth.formula);
    synopsis = `--url URL ${names.map((n) => `--${kebabCase(n)} V`).join(' ')}`;
    lines.push(
      `  --url URL       your receiver's URL, the one ${d.vendor.name} posts to; send appends the query`,
      ...names.map((n) => optionLine(`--${kebabCase(n)} V`, n === auth.accountParameter ? `the account's ${n}, sent as the ${n} query parameter` : `a value of the ${auth.parameter} formula; never printed`)),
      `                  ${auth.parameter} = ${auth.formula.hash.toUpperCase()}(${auth.formula.input.join('')}) in hex, printed masked`,
    );
  }
  for (const [name, spec] of Object.entries(d.request?.query ?? {})) {
    if (queryFilledByAuth(auth, name)) continue;
    synopsis += ` [--${kebabCase(name)} V]`;
    lines.push(optionLine(`--${kebabCase(name)} V`, `the ${name} query parameter${spec.default ? `; default: the body's ${spec.default.pointer.slice(1)}` : ''}`));
  }
  for (const [name, spec] of Object.entries(d.request?.headers ?? {})) {
    if (spec.generate === 'hex32') lines.push(`  (header ${name}: 32 random hex digits, fresh for every delivery)`);
  }
  if (runtime.operations.length > 1) {
    synopsis += ' [--webhook NAME]';
    lines.push(`  --webhook NAME  the webhook to deliver to: ${runtime.operations.map((o) => o.id).join(', ')} (default ${op.id})`);
  }
  for (const o of runtime.operations) {
    if (o.body === 'none' && !o.default) {
      synopsis += ` [--${kebabCase(o.id)}]`;
      lines.push(optionLine(`--${kebabCase(o.id)}`, `deliver to the ${o.id} webhook: a bare POST, no body and no file`));
    }
  }
  if (d.mediaTypes.includes(FORM_TYPE)) {
    synopsis += ' [--form]';
    lines.push(
      `  --form          send the body as ${FORM_TYPE}: a JSON file is written as a form`,
      `                  (arrays as name[N][field], numbers as text; what a form cannot carry, such as null,`,
      `                  is refused), a file that is already a form body is sent as it is`,
    );
  }
  const delivered = d.answers?.delivered;
  return `Usage: converge-webhook send ${contract}${synopsis} [--no-validate] [--strict] [--json] <file|->

Posts one delivery of the ${d.title} as its sender does (a body file, or standard input
with "-"), then prints the status and the response body. The body is sent exactly as read${d.mediaTypes.includes(FORM_TYPE) ? '\n(or as written by --form)' : ''}.

${lines.join('\n')}
  --no-validate   send the file as it is, even when it is not valid
  --strict        refuse to send a body with warnings (the recommendations)
  --json          print one JSON object {url, sent, validation, status, ok, headers, body}
${envLine(d)}
Before sending, the body is validated like "converge-webhook validate": errors are printed and
nothing is sent; warnings are printed and the body is sent.
Exit codes: 0 ${delivered !== undefined ? `the receiver answered ${delivered} (the only status ${d.vendor.name} counts as delivered)` : 'the endpoint answered 2xx'},
1 it answered anything else, the body is invalid, or the endpoint could not be reached, 2 usage error.`;
}

/** Why fetch failed, in one line: Node's fetch hides the socket error in `cause`. */
function connectionProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is the server running?)',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'host unreachable',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'the server closed the connection',
  };
  if (cause?.message === 'bad port') return 'fetch refuses this port (it is on the Fetch standard\'s list of blocked ports)';
  if (cause?.code) return `${known[cause.code] ?? cause.message ?? cause.code} (${cause.code})`;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Prism's `sl-violations` header (a JSON array) as one line per violation. */
function prismViolationLines(header: string): string[] {
  try {
    const list = JSON.parse(header) as Array<{ location?: string[]; message?: string }>;
    const lines = list.map((v) => {
      const message = String(v.message ?? '');
      return `  ${(v.location ?? []).join('.')}: ${message.length > 160 ? `${message.slice(0, 160)}…` : message}`;
    });
    return ['sl-violations (what Prism found wrong; its body is a fixed example):', ...lines];
  } catch {
    return [`sl-violations: ${header}`];
  }
}

/** The verdict only: the parsed body (`value`) is not repeated in the output. */
function verdict({ valid, errors, warnings }: ValidationResult): ValidationResult {
  return { valid, errors, warnings };
}

function printableBody(text: string, contentType: string): { json: boolean; value: unknown; pretty: string } {
  if (/[/+]json\b/i.test(contentType) || /^\s*[{[]/.test(text)) {
    try {
      const value: unknown = JSON.parse(text);
      return { json: true, value, pretty: JSON.stringify(value, null, 2) };
    } catch {
      // Not JSON after all: printed as text.
    }
  }
  return { json: false, value: text, pretty: text };
}

/** A path with its long segments (12 characters or more) masked: a mistyped URL may still hold a secret. */
function maskedPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.length >= 12 ? maskToken(segment) : segment))
    .join('/');
}

/** Where a delivery goes and what it carries beside the body. */
interface Target {
  url: URL;
  /** The URL as printed: its secret masked. */
  shown: string;
  headers: Record<string, string>;
  /** Words for the first line: the secret masked, where a value came from. */
  notes: string[];
  /** The request's parameters, for the rules that compare the body with them. */
  parameters?: { query?: Record<string, string>; header?: Record<string, string> };
  /** Filled once the body is known (a query parameter whose default is in the body). */
  complete?: (body: unknown) => void;
}

type Values = Record<string, string | boolean | undefined>;

/** An option's value, or its environment variable's; `from` names the variable when it was used. */
function optionValue(values: Values, d: ContractDescriptor, option: string, operation: string): { value: string | undefined; from?: string; env?: string } {
  const given = values[option];
  const env = envFor(d, `--${option}`, operation);
  if (typeof given === 'string') return { value: given, env: env?.name };
  if (env?.value !== undefined) return { value: env.value, from: env.name, env: env.name };
  return { value: undefined, env: env?.name };
}

const orEnv = (env: string | undefined) => (env ? `, or the ${env} environment variable` : '');

function headerTokenTarget(runtime: ContractRuntime, op: RuntimeOperation, values: Values): Target {
  const d = runtime.descriptor;
  const header = (d.auth as SendAuth).header!;
  const url = optionValue(values, d, 'url', op.id);
  const hasParameters = /\{[^}]+\}/.test(op.path);
  if (url.value === undefined) throw new UsageError(`send needs --url, the endpoint to post to (e.g. --url http://127.0.0.1:${d.ports?.mock ?? 4010}${op.path})${orEnv(url.env)}`);
  const endpoint = resolveEndpointUrl(url.value, hasParameters ? null : op.path);
  const token = optionValue(values, d, 'token', op.id);
  if (token.value === undefined) throw new UsageError(`send needs a token: --token TOKEN${orEnv(token.env)}`);
  if (token.value.trim() === '') throw new UsageError(`expected a non-empty token, found an empty ${token.from ?? '--token'}`);
  if (/[\r\n\0]/.test(token.value)) throw new UsageError(`the token contains a line break or NUL character, which an HTTP header cannot carry`);
  return { url: endpoint, shown: endpoint.href, headers: { [header]: token.value }, notes: [`token ${maskToken(token.value)}${token.from ? ` from ${token.from}` : ''}`] };
}

function pathSecretTarget(runtime: ContractRuntime, op: RuntimeOperation, values: Values): Target {
  const d = runtime.descriptor;
  const parameter = (d.auth as SendAuth).parameter!;
  const url = optionValue(values, d, 'url', op.id);
  if (url.value === undefined) throw new UsageError(`send needs --url, the ${op.id} webhook's full URL, whose path ends in ${op.path}${orEnv(url.env)}`);
  const endpoint = resolveEndpointUrl(url.value, null, `the secret is the ${parameter} in the path`);
  // The template as the end of the path (a proxy may put a prefix before it): each {name} one segment.
  const { source, names } = templateSource(op.path);
  // The secret's group: after the prefix's, one per parameter in order (0 when the template has none).
  const secretIndex = names.indexOf(parameter) + 1;
  const match = new RegExp(`^(.*?)${source}$`).exec(endpoint.pathname);
  if (!match || secretIndex === 0) {
    throw new UsageError(`--url: expected the ${op.id} webhook's full URL, whose path ends in ${op.path} (the ${parameter} is the secret), found the path "${maskedPath(endpoint.pathname)}"`);
  }
  const raw = match[secretIndex + 1]!;
  let secret = raw;
  try {
    secret = decodeURIComponent(raw);
  } catch {
    // Kept as written: the receiver gets the same bytes.
  }
  const masked = maskToken(secret);
  const at = endpoint.pathname.lastIndexOf(raw);
  const shownPath = `${endpoint.pathname.slice(0, at)}${masked}${endpoint.pathname.slice(at + raw.length)}`;
  return {
    url: endpoint,
    shown: `${endpoint.origin}${shownPath}${endpoint.search}`,
    headers: {},
    notes: url.from ? [`URL from ${url.from}`] : [],
  };
}

function queryDigestTarget(runtime: ContractRuntime, op: RuntimeOperation, values: Values): Target {
  const d = runtime.descriptor;
  const auth = d.auth as SendAuth;
  const formula = auth.formula!;
  const url = optionValue(values, d, 'url', op.id);
  const names = formulaNames(formula);
  if (url.value === undefined) throw new UsageError(`send needs --url, your receiver's URL (the one ${d.vendor.name} posts to)${orEnv(url.env)}`);
  const endpoint = resolveEndpointUrl(url.value, op.path, `the secret is computed from ${names.map((n) => `--${kebabCase(n)}`).join(' and ')}`);
  const added = [...new Set([...Object.keys(d.request?.query ?? {}), auth.parameter!, auth.accountParameter!])];
  const present = added.filter((name) => endpoint.searchParams.has(name));
  if (present.length > 0) throw new UsageError(`--url: expected a URL without the query parameters send adds (${added.join(', ')}), found ${present.join(', ')}`);
  const account: Record<string, string> = {};
  for (const name of names) {
    const option = kebabCase(name);
    const found = optionValue(values, d, option, op.id);
    if (found.value === undefined) throw new UsageError(`send needs --${option}${orEnv(found.env)}: the ${auth.parameter} is ${formula.hash.toUpperCase()}(${formula.input.join('')})`);
    if (found.value === '') throw new UsageError(`--${option}: expected a non-empty value, found an empty ${found.from ?? `--${option}`}`);
    account[name] = found.value;
  }
  const digest = queryDigest(formula, account);
  const query: Record<string, string> = {};
  const fill = (body: unknown) => {
    // Every value first, in the order the contract lists them; a missing one is said after the
    // others are in `query` (the body's rules that compare it with the query still run).
    const computed: Record<string, string> = {};
    let missing: UsageError | undefined;
    for (const [name, spec] of Object.entries(d.request?.query ?? {})) {
      if (name === auth.parameter) computed[name] = digest;
      else if (Object.hasOwn(account, name)) computed[name] = account[name]!;
      else {
        const option = kebabCase(name);
        const found = optionValue(values, d, option, op.id);
        let value = found.value;
        if (value === undefined && spec.default) {
          const fromBody = valueAt(body, spec.default.pointer);
          if (typeof fromBody === 'string' && fromBody !== '') value = fromBody;
          else if (spec.required) missing ??= new UsageError(`send needs --${option}${orEnv(found.env)}: the body has no string at ${spec.default.pointer} to take the ${name} query parameter from`);
        } else if (value === undefined && spec.required) missing ??= new UsageError(`send needs --${option}${orEnv(found.env)}: the ${name} query parameter of every delivery`);
        if (value !== undefined) computed[name] = value;
      }
    }
    computed[auth.accountParameter!] ??= account[auth.accountParameter!]!;
    computed[auth.parameter!] ??= digest;
    Object.assign(query, computed);
    if (missing) throw missing;
    for (const [name, value] of Object.entries(computed)) target.url.searchParams.append(name, value);
    const shown = new URL(target.url.href);
    shown.searchParams.set(auth.parameter!, maskToken(digest));
    target.shown = shown.href;
  };
  const headers: Record<string, string> = {};
  for (const [name, spec] of Object.entries(d.request?.headers ?? {})) if (spec.generate === 'hex32') headers[name] = randomBytes(16).toString('hex');
  const target: Target = {
    url: endpoint,
    shown: endpoint.href,
    headers,
    notes: [...Object.entries(headers).map(([name, value]) => `${name} ${value}`)],
    parameters: { query, header: headers },
    complete: fill,
  };
  return target;
}

const TARGETS: Readonly<Record<string, (runtime: ContractRuntime, op: RuntimeOperation, values: Values) => Target>> = {
  'header-token': headerTokenTarget,
  'path-secret': pathSecretTarget,
  'query-md5': queryDigestTarget,
};

export async function run(argv: string[]): Promise<number> {
  const { id, rest } = contractOption(argv);
  const registry = readRegistry();
  const contract = findContract(registry, id);
  const runtime = await loadContractRuntime(contract.id);
  const d = runtime.descriptor;
  const main = runtime.operations.find((o) => o.default) ?? runtime.operations[0]!;
  const { values: parsedValues, positionals } = parseCommandArgs(
    rest,
    {
      url: { type: 'string' },
      ...contractOptions(runtime),
      'no-validate': { type: 'boolean' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    // A token given to a contract whose auth is not a token: say where its secret goes.
    { token: noTokenHint(d.auth, main.path) },
  );
  const values = parsedValues as Values;
  if (values.help) {
    console.log(usage(runtime, contract.id === registry.default));
    return 0;
  }
  const makeTarget = Object.hasOwn(TARGETS, d.auth.type) ? TARGETS[d.auth.type] : undefined;
  if (!makeTarget) throw new UsageError(`--contract: expected a contract whose auth send can write (${Object.keys(TARGETS).join(', ')}), found "${d.id}" with ${runtime.registry.descriptor}: /auth/type "${d.auth.type}"`);

  // The operation: --webhook NAME (or its variable), or the flag of an operation without a body.
  const flagged = runtime.operations.filter((o) => o.body === 'none' && !o.default && values[kebabCase(o.id)] === true);
  const webhook = runtime.operations.length > 1 ? optionValue(values, d, 'webhook', main.id) : { value: undefined };
  if (flagged.length > 0 && typeof values.webhook === 'string') throw new UsageError(`--${kebabCase(flagged[0]!.id)} and --webhook ${values.webhook} contradict each other: choose one`);
  let op = flagged[0] ?? main;
  // Chosen by the user (a flag, --webhook or its variable), or the default: only the default gets a hint toward another.
  const chosen = flagged.length > 0 || webhook.value !== undefined;
  if (flagged.length === 0 && webhook.value !== undefined) {
    const found = runtime.operations.find((o) => o.id === webhook.value);
    if (!found) throw new UsageError(`${webhook.from ?? '--webhook'}: expected a webhook of the ${d.id} contract (${runtime.operations.map((o) => o.id).join(', ')}), found "${webhook.value}"`);
    op = found;
  }

  const target = makeTarget(runtime, op, values);
  const json = Boolean(values.json);
  const skipValidation = Boolean(values['no-validate']);
  const asForm = Boolean(values.form);
  if (op.body === 'none') {
    if (asForm) throw new UsageError(`--form: the ${op.id} webhook reads no body (a bare POST), so there is nothing to write as a form`);
    if (positionals.length > 0) throw new UsageError(`the ${op.id} webhook reads no body (a bare POST), found the file "${positionals[0]}": drop it`);
  } else if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'send needs one event file, or "-" for standard input' : `send posts one event at a time, found ${positionals.length} files`);
  }
  if (skipValidation && values.strict) throw new UsageError('--strict and --no-validate contradict each other: choose one');

  const file = positionals[0];
  const source = file === undefined ? 'no body' : file === '-' ? 'standard input' : file;
  let bytes: Uint8Array | undefined;
  let contentType: string | undefined;
  let validation: ValidationResult | undefined;
  // The webhook the body fits better, when the default one finds fault with it (the sentence).
  let hint: string | undefined;
  const hintLines = (): string[] => (hint === undefined ? [] : [`hint: ${hint}`]);
  const notes: string[] = [];
  const notSent = (lines: string[], report: Record<string, unknown>): number => {
    if (json) console.log(JSON.stringify({ url: target.shown, sent: false, ...report }, null, 2));
    else console.log(lines.join('\n'));
    return 1;
  };

  if (file !== undefined && op.engine) {
    let read: Uint8Array = readInput(file);
    // A UTF-8 byte order mark is not JSON: a receiver's parser would reject the event for it.
    if (!skipValidation && read[0] === 0xef && read[1] === 0xbb && read[2] === 0xbf) read = read.subarray(3);
    const text = new TextDecoder().decode(read);
    const looksJson = /^\s*[{[]/.test(text);
    const validateAs = (o: RuntimeOperation, body: Uint8Array, type: string) =>
      verdict(o.engine!.validateBody(body, { strict: Boolean(values.strict), contentType: type, ...(target.parameters ? { parameters: target.parameters } : {}) }));
    const validate = (body: Uint8Array, type: string) => validateAs(op, body, type);
    // Only the default webhook points at another: a webhook the user chose is the one meant.
    const hintFor = (result: ValidationResult, body: Uint8Array, type: string): void => {
      if (chosen) return;
      const engines = runtime.operations.filter((o) => o.engine);
      hint = webhookHint({ result, body, contentType: type, current: op.id, webhooks: engines.map((o) => o.id), judge: (id, b) => validateAs(engines.find((o) => o.id === id)!, b, type) });
    };
    let parsed: unknown;
    if (looksJson) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Judged below (invalid-json, with its line and column), or sent as is with --no-validate.
      }
    }
    // A parameter taken from the body that is not there: said once the body itself has been judged.
    let deferred: unknown;
    try {
      target.complete?.(parsed);
    } catch (error) {
      deferred = error;
    }
    contentType = asForm ? FORM_TYPE : d.mediaTypes[0]!;
    bytes = read;
    if (asForm && looksJson) {
      // The JSON is judged first, as JSON: its errors are the event's, whatever the form makes of them.
      if (!skipValidation) {
        const asJson = validate(read, JSON_TYPE);
        if (!asJson.valid) {
          hintFor(asJson, read, JSON_TYPE);
          return notSent([`INVALID  ${source}: not sent`, ...violationLines(asJson), ...hintLines()], { validation: asJson, ...(hint !== undefined ? { hint } : {}) });
        }
      }
      if (parsed === undefined) throw new CheckFailed(`${source}: --form writes a JSON event as a form, found text that is not JSON (send a form body as it is, or fix the JSON)`);
      try {
        bytes = new TextEncoder().encode(
          encodeForm(parsed, (d.form ?? {}) as FormOptions, {
            numberAsText: (pointer, n) => notes.push(`  note     ${pointer.padEnd(28)}  the number ${JSON.stringify(n)} is sent as the text "${JSON.stringify(n)}" (a form value is text; only ${(d.form?.numbers ?? []).join(', ')} are read as numbers)`),
          }),
        );
      } catch (error) {
        if (!(error instanceof FormEncodeError)) throw error;
        return notSent([`NOT SENT  ${source}: cannot be written as a form body`, `  ${(error.pointer || '(body)').padEnd(28)}  expected ${error.expected}, found ${error.found}`], {
          error: `cannot be written as a form body: ${error.message}`,
        });
      }
    }
    if (!skipValidation) {
      validation = validate(bytes, contentType);
      hintFor(validation, bytes, contentType);
      if (!validation.valid) return notSent([`INVALID  ${source}: not sent`, ...violationLines(validation), ...hintLines()], { validation, ...(hint !== undefined ? { hint } : {}) });
    }
    if (deferred !== undefined) throw deferred;
  } else {
    target.complete?.(undefined);
  }

  if (!json) {
    const what = bytes === undefined ? `no body: a bare POST to the ${op.id} webhook` : `${bytes.length} bytes from ${source}${asForm || d.mediaTypes.length > 1 ? ` as ${contentType}` : ''}`;
    const webhookNote = runtime.operations.length > 1 && bytes !== undefined ? [`the ${op.id} webhook`] : [];
    console.log(`POST ${target.shown}  (${[what, ...webhookNote, ...target.notes].join(', ')})`);
    if (bytes !== undefined) {
      if (validation) {
        const lines = violationLines(validation);
        console.log(lines.length ? [`valid, with ${validation.warnings.length} warning${validation.warnings.length === 1 ? '' : 's'} (sent anyway):`, ...lines, ...hintLines()].join('\n') : 'valid');
      } else console.log('not validated (--no-validate)');
      if (notes.length > 0) console.log(notes.join('\n'));
    }
  }

  let response: Response;
  let text: string;
  try {
    response = await fetch(target.url, {
      method: op.method,
      headers: { ...(contentType !== undefined ? { 'Content-Type': contentType } : {}), ...target.headers },
      body: bytes,
      // A redirect is an answer to report, not to follow (fetch would turn the POST into a GET).
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const problem = `could not send to ${target.shown}: ${connectionProblem(error)}`;
    // With --json, stdout stays parseable on this failure too.
    if (json) console.log(JSON.stringify({ url: target.shown, sent: false, validation, error: problem }, null, 2));
    throw new CheckFailed(problem);
  }

  const delivered = d.answers?.delivered;
  const ok = delivered === undefined ? response.ok : response.status === delivered;
  const responseType = response.headers.get('content-type') ?? '';
  const body = printableBody(text, responseType);
  // Prism answers a broken body with a fixed example; what was really wrong is in this header.
  const prismViolations = response.headers.get('sl-violations');
  if (json) {
    const extra = runtime.operations.length > 1 ? { webhook: op.id } : {};
    const headersSent = Object.keys(target.headers).length > 0 && d.auth.type !== 'header-token' ? { requestHeaders: target.headers } : {};
    const answer = delivered === undefined ? {} : { delivered: ok };
    console.log(
      JSON.stringify(
        { url: target.shown, sent: true, ...extra, ...headersSent, validation: validation ?? null, ...(hint !== undefined ? { hint } : {}), status: response.status, ok: response.ok, ...answer, headers: Object.fromEntries(response.headers), body: body.value },
        null,
        2,
      ),
    );
  } else {
    const reason = response.statusText || STATUS_CODES[response.status] || '';
    const lines = [`HTTP ${response.status} ${reason}`.trimEnd()];
    if (delivered !== undefined && !ok) {
      lines.push(`FAILED DELIVERY: ${d.vendor.name} counts only ${delivered} as delivered${d.answers?.otherSuccessIsFailure && response.ok ? ` and logs ${response.status}, a success elsewhere, as a failed post` : ` and logs ${response.status} as a failed post`}`);
    }
    if (responseType) lines.push(`Content-Type: ${responseType}`);
    if (prismViolations) lines.push(...prismViolationLines(prismViolations));
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) lines.push(`Location: ${response.headers.get('location')}`);
    // A 404 or 405 at a path that is not the operation's: most likely a --url that names no endpoint (verify says the same before its run).
    // An outbound contract's path is only where the sandbox listens: the user's receiver has its own.
    if ((response.status === 404 || response.status === 405) && runtime.registry.direction !== 'outbound' && !templatePattern(op.path).pattern.test(target.url.pathname)) {
      lines.push(`hint: is --url the endpoint? A URL with a path keeps it (here "${target.url.pathname}"); the endpoint is ${op.path}`);
    }
    if (text !== '') lines.push('', body.pretty);
    console.log(lines.join('\n'));
  }
  return ok ? 0 : 1;
}
