/**
 * runVerify(): the contract test of a receiver of a contract's operations, run by real Dredd
 * (an optional peer dependency) on the contract's derived OpenAPI 3.0 document, with the hooks
 * in dredd-hooks.cjs sending the checks planned from the contract's data (contract-plan.ts).
 * Each answer is judged here (judge.ts) into failures and deviations of the contract's rules
 * (contract-rules.ts), and grouped by rule for the report. In-process, so that results come
 * back as data.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';

import { kebabCase } from '../cli-support.js';
import { EndpointUrlError, maskToken, resolveEndpointUrl } from '../endpoint.js';
import { DEFAULT_CASE_COUNT, DEFAULT_SEED } from './cases.js';
import { formulaNames, type DigestFormula } from '../hash/query-digest.js';
import { readRegistry } from '../registry.js';
import { describeExpectation, judgeWith } from './judge.js';
import type { CheckGroup, PlannedCheck } from './plan.js';
import type { Finding, Level, Rule } from './rules.js';

export const DREDD_VERSION = '14.1.0';
export const DREDD_INSTALL_COMMAND = `npm install --save-dev dredd@${DREDD_VERSION}`;

export interface VerifyOptions {
  /**
   * The default operation's URL. An operation path without parameters: a base URL (the path is
   * appended) or the endpoint's full URL; with parameters (a secret in the path): the full URL,
   * whose path ends in the template.
   */
  url: string;
  /** A header-token auth's token (the same as `secrets.token`). */
  token?: string;
  /** The contract's id (default: the registry's default contract). */
  contract?: string;
  /** The full URL of each of the other operations, by operation id; an operation without one is not sent. */
  urls?: Record<string, string | undefined>;
  /** What the auth needs beside the URL (token; an account's values). */
  secrets?: Record<string, string>;
  /** A header-token auth's: do not send wrong tokens (for the Prism mock, which never checks the token's value). */
  skipWrongToken?: boolean;
  /** Generated valid bodies and generated invalid bodies, each (default 200). */
  cases?: number;
  /** Seed of the generated cases (default 20240902): the same seed sends the same bodies. */
  seed?: number;
  /** Goes into the ids of the generated bodies (contract.yaml events.id), which makes them unique per run (default: random). */
  runId?: string;
  /** Per request (default 10000). */
  requestTimeoutMs?: number;
  /** Deviations from the contract's recommendations fail the run too (default false). */
  strict?: boolean;
  /** Called after each check. */
  onProgress?: (progress: VerifyProgress) => void;
}

export interface VerifyProgress {
  done: number;
  total: number;
  counts: VerifyCounts;
  check: CheckResult;
  /** True when this check is the last of its group. */
  groupDone: boolean;
}

/**
 * A check's level: passed (nothing to say), deviation (the contract holds, a recommendation is
 * not followed), failed (a contract rule is broken, or no answer), skipped (not sent).
 */
export type CheckLevel = 'passed' | 'deviation' | 'failed' | 'skipped';

export interface CheckResult {
  id: string;
  group: CheckGroup;
  summary: string;
  source?: string;
  /** For a body that breaks one contract rule: its violation code and where. */
  breaks?: string;
  breaksAt?: string;
  level: CheckLevel;
  sent: {
    method: 'POST';
    path: string;
    /** 'valid', or the auth negative's use. */
    token: string;
    /** What the request carried of the credentials (another contract's auth checks). */
    auth?: string;
    contentType: string;
    bytes: number;
    excerpt: string;
    /** For a body that breaks one rule below its top: the value at `breaksAt`, as JSON, cut short ("(absent)" when it is missing). */
    valueAt?: string;
  };
  expected: string;
  got?: { status: number; contentType: string; excerpt: string };
  /** Every rule the answer broke or did not follow, failures first. */
  findings: Finding[];
  /** The first finding's reason, or why the check was not sent. */
  reason?: string;
  durationMs?: number;
}

export interface VerifyCounts {
  total: number;
  /** Passed with nothing to say. */
  passed: number;
  /** Passed the contract, with at least one recommendation not followed. */
  deviations: number;
  failed: number;
  /** Not sent. */
  skipped: number;
}

/** One block of the report: the checks that broke (or did not follow) one rule in one way: one thing to fix. */
export interface RuleReport {
  rule: Finding['rule'];
  level: Level;
  /** The rule, said as what a correct implementation does. */
  title: string;
  /** What these checks have in common (the violation code that was accepted, the status that came back, ...). */
  topic: string;
  count: number;
  /** The ids of the checks, in the order they ran. */
  checks: string[];
  /** The first check's reason. */
  reason: string;
}

/** Checks of one group that were not sent, for one reason. */
export interface NotSent {
  group: CheckGroup;
  count: number;
  /** Checks in the group. */
  of: number;
  reason: string;
  checks: string[];
}

export interface VerifyResult {
  /** No failure (and, under `strict`, no deviation), and the run happened. */
  ok: boolean;
  strict: boolean;
  /** The contract, when another than the default one. */
  contract?: string;
  /** The URL requests went to (a secret in its path masked). */
  endpoint: string;
  /** Each operation's URL (masked), by operation id, when the contract has several. */
  endpoints?: Record<string, string>;
  dreddVersion: string;
  seed: number;
  runId: string;
  cases: number;
  skipWrongToken: boolean;
  startedAt: string;
  durationMs: number;
  counts: VerifyCounts;
  /** The broken rules (failures), then the recommendations not followed (deviations), each with its checks. */
  rules: RuleReport[];
  notSent: NotSent[];
  checks: CheckResult[];
  /** Set when the run could not happen or broke off (unreachable server, Dredd error). */
  error?: string;
}

/** Dredd, an optional peer dependency, is not installed (or not the version verify is built on). */
export class DreddNotInstalled extends Error {
  constructor(found?: string) {
    super(
      found
        ? `verify needs Dredd ${DREDD_VERSION} (it relies on how that version runs hooks), found Dredd ${found}.\nInstall it with: ${DREDD_INSTALL_COMMAND}`
        : `verify needs Dredd, an optional peer dependency that is not installed.\nInstall it with: ${DREDD_INSTALL_COMMAND}`,
    );
    this.name = 'DreddNotInstalled';
  }
}

/** The options cannot work (a bad URL, no token, ...): a usage error, nothing was sent. */
export class VerifyOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyOptionsError';
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** The package root (spec/, generated/): from src/verify/ in a checkout, dist/esm/src/verify/ in a build or an installed package. */
export function packageRoot(from = here): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'converge-webhook-contract') return dir;
      } catch {
        // Not ours (or unreadable): keep looking upwards.
      }
    }
    if (dirname(dir) === dir) throw new Error(`converge-webhook-contract's package.json was not found above ${from}`);
  }
}

/** The hooks file: next to this module (tsc does not copy .cjs; scripts/build.mjs does). */
export function hooksPath(): string {
  return join(here, 'dredd-hooks.cjs');
}

/**
 * The endpoint to test, for an operation path without parameters: a URL without a path
 * (http://127.0.0.1:4011) gets `path` (default: the default contract's default operation's).
 */
export function resolveEndpoint(url: string, path?: string, secretHint?: string): URL {
  // The rule `send` and the sandbox share; its mistakes are this function's options errors.
  try {
    return resolveEndpointUrl(url, path ?? defaultOperationPath(), secretHint);
  } catch (error) {
    throw error instanceof EndpointUrlError ? new VerifyOptionsError(error.message) : error;
  }
}

/** The path of the default contract's default operation, from the registry. */
function defaultOperationPath(): string {
  const registry = readRegistry(packageRoot());
  const contract = registry.contracts.find((c) => c.id === registry.default)!;
  const operations = (contract as { operations?: Array<{ path: string; default: boolean }> }).operations ?? [];
  return (operations.find((o) => o.default) ?? operations[0])?.path ?? '/';
}

interface DreddInstance {
  configuration: { emitter: EventEmitter };
  run(callback: (error: Error | null | undefined, stats: unknown) => void): void;
}
type DreddConstructor = new (config: Record<string, unknown>) => DreddInstance;

export interface LoadedDredd {
  Dredd: DreddConstructor;
  version: string;
  /** Dredd's reporter logger: its CLI reporter always prints to stdout, so it is silenced during runs. */
  reporterOutput: { transports: { console: { silent?: boolean } } };
}

let loaded: LoadedDredd | undefined;
let silencers = 0;

/** Loads Dredd from wherever this package is installed (or from `from`, for tests). */
export function loadDredd(from: string = import.meta.url): LoadedDredd {
  if (loaded && from === import.meta.url) return loaded;
  const require = createRequire(from);
  let entry: string;
  try {
    entry = require.resolve('dredd');
  } catch {
    throw new DreddNotInstalled();
  }
  const version = (require('dredd/package.json') as { version: string }).version;
  if (!version.startsWith('14.1.')) throw new DreddNotInstalled(version);
  // Requiring Dredd has two process-wide side effects that a library must not leave behind:
  // winston prints a "padLevels" circular-dependency warning, and drafter.js (its API
  // description parser) installs an unhandledRejection handler that calls process.exit(1),
  // which would silently kill the caller's process (or test runner) on any unhandled rejection.
  const emitWarning = process.emitWarning;
  const rejectionHandlers = new Set(process.listeners('unhandledRejection'));
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning instanceof Error ? warning.message : warning).includes('padLevels')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  let result: LoadedDredd;
  try {
    const Dredd = require(entry) as DreddConstructor;
    const root = dirname(require.resolve('dredd/package.json'));
    // The parser is loaded lazily by Dredd; load it now so its side effect happens here.
    createRequire(join(root, 'package.json'))('dredd-transactions/parse');
    const reporterOutput = (require(join(root, 'build/reporters/reporterOutputLogger.js')) as { default: LoadedDredd['reporterOutput'] }).default;
    result = { Dredd, version, reporterOutput };
  } finally {
    process.emitWarning = emitWarning;
    for (const handler of process.listeners('unhandledRejection')) {
      if (!rejectionHandlers.has(handler)) process.removeListener('unhandledRejection', handler);
    }
  }
  if (from === import.meta.url) loaded = result;
  return result;
}

/** Can anything be reached at the endpoint's host and port? Resolves to an error message, or null. */
function probe(endpoint: URL, timeoutMs: number): Promise<string | null> {
  const port = Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80));
  const host = endpoint.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (message: string | null) => {
      socket.destroy();
      resolve(message);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection to ${host}:${port} within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`cannot connect to ${host}:${port} (${error.code ?? error.message}): is the server running?`));
  });
}

/** The value at an RFC 6901 pointer of a JSON text, as JSON cut short; undefined when the text is not JSON. */
function valueAt(text: string, pointer: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const token of pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, token)) return '(absent)';
    value = (value as Record<string, unknown>)[token];
  }
  return excerpt(JSON.stringify(value), 100);
}

function excerpt(text: string | null | undefined, max = 160): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

interface DreddTest {
  title?: string;
  message?: string;
  status?: string;
  startedAt?: number;
  actual?: { statusCode?: number; headers?: Record<string, string>; body?: string; bodyEncoding?: string };
}

function headerValue(headers: Record<string, string> | undefined, name: string): string {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return String(value);
  return '';
}

/** Runs the contract test against `options.url`. Rejects only for unusable options or a missing Dredd. */
export async function runVerify(options: VerifyOptions): Promise<VerifyResult> {
  return runContractVerify(options);
}

interface RunState {
  result: VerifyResult;
  rules: Readonly<Record<string, Rule>>;
  /** The result, counted and grouped. */
  finish(): VerifyResult;
  /** The run could not happen: the result with this error and no checks. */
  stop(error: string): VerifyResult;
}

function startResult(input: {
  endpoint: URL;
  dredd: LoadedDredd;
  seed: number;
  runId: string;
  cases: number;
  skipWrongToken: boolean;
  strict: boolean;
  total: number;
  rules: Readonly<Record<string, Rule>>;
  contract?: string;
  endpoints?: Record<string, string>;
}): RunState {
  const started = Date.now();
  const result: VerifyResult = {
    ok: false,
    ...(input.contract !== undefined ? { contract: input.contract } : {}),
    endpoint: input.endpoint.href,
    ...(input.endpoints ? { endpoints: input.endpoints } : {}),
    dreddVersion: input.dredd.version,
    seed: input.seed,
    runId: input.runId,
    cases: input.cases,
    skipWrongToken: input.skipWrongToken,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    strict: input.strict,
    counts: { total: input.total, passed: 0, deviations: 0, failed: 0, skipped: 0 },
    rules: [],
    notSent: [],
    checks: [],
  };
  const finish = () => {
    result.durationMs = Date.now() - started;
    result.rules = ruleReports(result.checks, input.rules);
    result.notSent = notSent(result.checks);
    result.ok = !result.error && result.counts.failed === 0 && !(result.strict && result.counts.deviations > 0);
    return result;
  };
  return {
    result,
    rules: input.rules,
    finish,
    stop(error) {
      result.error = error;
      result.counts.total = 0;
      return finish();
    },
  };
}

interface Execution {
  dredd: LoadedDredd;
  endpoint: URL;
  /** The derived OpenAPI 3.0 document Dredd reads. */
  document: string;
  plan: PlannedCheck[];
  timeoutMs: number;
  onProgress?: (progress: VerifyProgress) => void;
  judge(check: PlannedCheck, answer: { status: number; contentType: string; text: string | null }): Finding[];
  describe(check: PlannedCheck): string;
  /** What a check sends, for the report. */
  sent(check: PlannedCheck): { method: string; path: string; contentType: string; body: string };
  /** What the hooks read (custom.verifyPlan). */
  custom: Record<string, unknown>;
}

/** Runs a plan through real Dredd, judges each answer, and fills the result. */
async function execute(run: RunState, x: Execution): Promise<VerifyResult> {
  const { result } = run;
  const { plan, timeoutMs, dredd, endpoint } = x;
  const byId = new Map(plan.map((check) => [check.id, check]));
  const lastOfGroup = new Map(plan.map((check) => [check.group, check.id]));
  const results = new Map<string, CheckResult>();
  const errors: string[] = [];
  const record = (check: PlannedCheck, test: DreddTest | undefined, outcome: { findings: Finding[] } | { skipped: string }) => {
    if (results.has(check.id)) return;
    const sent = x.sent(check);
    const body = sent.body;
    const actual = test?.actual;
    const findings = 'findings' in outcome ? [...outcome.findings].sort((a, b) => Number(a.level === 'deviation') - Number(b.level === 'deviation')) : [];
    const level: CheckLevel = 'skipped' in outcome ? 'skipped' : findings.length === 0 ? 'passed' : findings[0]!.level === 'failure' ? 'failed' : 'deviation';
    const reason = 'skipped' in outcome ? outcome.skipped : findings[0]?.reason;
    const entry: CheckResult = {
      id: check.id,
      group: check.group,
      summary: check.summary,
      ...(check.source ? { source: check.source } : {}),
      ...(check.breaks ? { breaks: check.breaks, breaksAt: check.breaksAt ?? '' } : {}),
      level,
      sent: {
        method: sent.method as 'POST',
        path: sent.path,
        token: check.request.token,
        ...(check.authShown ? { auth: check.authShown } : {}),
        contentType: sent.contentType,
        bytes: Buffer.byteLength(body),
        excerpt: excerpt(body),
        ...(check.breaksAt ? { valueAt: valueAt(body, check.breaksAt) } : {}),
      },
      expected: x.describe(check),
      ...(actual?.statusCode !== undefined
        ? { got: { status: actual.statusCode, contentType: headerValue(actual.headers, 'content-type'), excerpt: actual.bodyEncoding === 'base64' ? '(binary body)' : excerpt(actual.body) } }
        : {}),
      findings,
      ...(reason ? { reason } : {}),
      ...(test?.startedAt ? { durationMs: Date.now() - test.startedAt } : {}),
    };
    results.set(check.id, entry);
    result.counts[level === 'passed' ? 'passed' : level === 'deviation' ? 'deviations' : level === 'failed' ? 'failed' : 'skipped'] += 1;
    x.onProgress?.({ done: results.size, total: plan.length, counts: { ...result.counts }, check: entry, groupDone: lastOfGroup.get(check.group) === check.id });
  };
  const noAnswer = (why: string, topic: string): Finding => {
    const rule = 'answer-every-request';
    return { rule, level: run.rules[rule]?.level ?? 'failure', reason: why, topic };
  };
  // Every answer is judged here, not by Dredd: the hooks only build the requests.
  const answered = (test: DreddTest) => {
    const check = byId.get(test.title ?? '');
    if (!check) return;
    const actual = test.actual;
    if (actual?.statusCode === undefined) {
      record(check, test, { findings: [noAnswer(`no answer${test.message ? `: ${test.message}` : ''}`, 'no answer')] });
      return;
    }
    const text = actual.body === undefined || actual.body === null ? '' : actual.bodyEncoding === 'base64' ? null : actual.body;
    record(check, test, { findings: x.judge(check, { status: actual.statusCode, contentType: headerValue(actual.headers, 'content-type'), text }) });
  };
  const emitter = new EventEmitter();
  emitter.on('test pass', answered);
  emitter.on('test fail', answered);
  emitter.on('test skip', (test: DreddTest) => {
    const check = byId.get(test.title ?? '');
    if (check) record(check, test, { skipped: check.skip ?? 'the server stopped answering (3 requests in a row got no answer)' });
  });
  emitter.on('test error', (error: NodeJS.ErrnoException, test: DreddTest) => {
    const check = byId.get(test?.title ?? '');
    const why = error?.code ? `no answer: ${error.code}${error.code === 'ETIMEDOUT' || error.code === 'ESOCKETTIMEDOUT' ? ` (timeout ${timeoutMs} ms)` : ''}` : `error: ${error?.message ?? String(error)}`;
    if (check) record(check, test, { findings: [noAnswer(why, `no answer (${error?.code ?? 'error'})`)] });
    else errors.push(why);
  });

  // Counted, so that runs that overlap in one process do not unmute each other.
  silencers += 1;
  dredd.reporterOutput.transports.console.silent = true;
  try {
    await new Promise<void>((resolve, reject) => {
      let instance: DreddInstance;
      try {
        instance = new dredd.Dredd({
          endpoint: endpoint.origin,
          path: [x.document],
          hookfiles: [hooksPath()],
          language: 'nodejs',
          loglevel: 'error',
          color: false,
          emitter,
          // Passed to the request library: a limit per request.
          http: { timeout: timeoutMs },
          custom: { verifyPlan: x.custom },
        });
      } catch (error) {
        reject(error as Error);
        return;
      }
      instance.run((error) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    errors.push(`Dredd: ${(error as Error).message}`);
  } finally {
    silencers -= 1;
    if (silencers === 0) dredd.reporterOutput.transports.console.silent = false;
  }

  if (errors.length > 0) result.error = errors.join('; ');
  if (results.size === 0 && result.error) {
    // Nothing ran (Dredd could not start, or the hooks failed): the error says it all.
    result.counts.total = 0;
    return run.finish();
  }
  for (const check of plan) {
    if (!results.has(check.id)) record(check, undefined, { skipped: result.error ? `the run broke off: ${result.error}` : 'Dredd reported no result for this check' });
  }
  result.checks = plan.map((check) => results.get(check.id) as CheckResult);
  return run.finish();
}

/** The findings grouped by rule and topic: failures first, then deviations, each in the order first seen. */
export function ruleReports(checks: readonly CheckResult[], table: Readonly<Record<string, Rule>>): RuleReport[] {
  const blocks = new Map<string, RuleReport>();
  for (const check of checks) {
    for (const f of check.findings) {
      const key = `${f.rule}\u0000${f.topic}`;
      const block = blocks.get(key);
      if (block) {
        if (block.checks.at(-1) !== check.id) {
          block.checks.push(check.id);
          block.count += 1;
        }
      } else {
        blocks.set(key, { rule: f.rule, level: f.level, title: table[f.rule]?.title ?? f.rule, topic: f.topic, count: 1, checks: [check.id], reason: f.reason });
      }
    }
  }
  // Failures, then deviations; inside each, the blocks of one rule together, in the order first seen.
  const all = [...blocks.values()];
  const rules = [...new Set(all.map((b) => b.rule))];
  const order = (b: RuleReport) => (b.level === 'failure' ? 0 : rules.length) + rules.indexOf(b.rule);
  return all.map((b, i) => ({ b, i })).sort((x, y) => order(x.b) - order(y.b) || x.i - y.i).map(({ b }) => b);
}

/** The checks not sent, per group and reason. */
export function notSent(checks: readonly CheckResult[]): NotSent[] {
  const out = new Map<string, NotSent>();
  for (const check of checks) {
    if (check.level !== 'skipped') continue;
    const reason = check.reason ?? 'not sent';
    const key = `${check.group}\u0000${reason}`;
    const entry = out.get(key) ?? { group: check.group, count: 0, of: checks.filter((c) => c.group === check.group).length, reason, checks: [] };
    entry.count += 1;
    entry.checks.push(check.id);
    out.set(key, entry);
  }
  return [...out.values()];
}

/** An option's name for a value of the contract (accountId: --account-id). */
export function optionName(name: string): string {
  return `--${kebabCase(name)}`;
}

/** A receiver's URL (an outbound contract's): any http(s) URL without credentials. */
function receiverUrl(option: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new VerifyOptionsError(`${option}: expected an http:// or https:// URL of your receiver, found "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new VerifyOptionsError(`${option}: expected an http:// or https:// URL, found the protocol "${url.protocol}" in "${value}"`);
  if (url.username || url.password) throw new VerifyOptionsError(`${option}: expected a URL without user:password`);
  url.hash = '';
  return url;
}

/** A --url of another contract: an http(s) URL whose path ends with its operation's template. */
function operationUrl(option: string, value: string, template: string, matchTemplate: (template: string, url: URL) => Record<string, string> | undefined): { url: URL; parameters: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new VerifyOptionsError(`${option}: expected an http:// or https:// URL ending in ${template}, found "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new VerifyOptionsError(`${option}: expected an http:// or https:// URL, found the protocol "${url.protocol}" in "${value}"`);
  if (url.username || url.password) throw new VerifyOptionsError(`${option}: expected a URL without user:password`);
  url.hash = '';
  const parameters = matchTemplate(template, url);
  if (!parameters) throw new VerifyOptionsError(`${option}: expected the operation's full URL, whose path ends in ${template}, found the path "${url.pathname}"`);
  return { url, parameters };
}

/**
 * One request before the run: the first check that must be accepted, as planned. A run whose
 * every check goes to the wrong place (a 404 or 405: the URL names no endpoint, or no receiver)
 * or with credentials the receiver does not take (401, 403) would only show hundreds of checks
 * with the same misleading answer, so it stops with one diagnosis instead. Resolves to that
 * diagnosis, or null (any other answer, or none: the run then shows it).
 */
async function preflight(
  check: PlannedCheck | undefined,
  about: { shown: string; option: string; template: string; appended: boolean; noun: string; tokenAuth: boolean; outbound: boolean },
  timeoutMs: number,
): Promise<string | null> {
  const wire = check?.wire;
  if (!wire?.origin) return null;
  let status: number;
  try {
    const response = await fetch(`${wire.origin}${wire.path}${wire.query ? `?${wire.query}` : ''}`, {
      method: wire.method,
      headers: wire.headers,
      ...(wire.body !== '' ? { body: wire.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    await response.body?.cancel();
  } catch {
    return null;
  }
  const { shown, option, template } = about;
  if (status === 404 || status === 405) {
    if (about.outbound) return `${wire.method} ${shown} answered ${status} to ${check!.id}: is ${option} the receiver's URL?`;
    if (template.includes('{')) {
      return `${wire.method} ${shown} answered ${status} to ${check!.id}: is ${option} the receiver's full URL (its path ends in ${template}, with the id it knows)? A 404 here is what an unknown id gets`;
    }
    const where = about.appended
      ? `The contract's path ${template} was appended to a URL without a path; if the server takes ${about.noun}s elsewhere, give the endpoint's full URL`
      : `A URL with a path keeps it (here "${new URL(shown).pathname}"); the endpoint is ${template}`;
    return `${wire.method} ${shown} answered ${status}: is ${option} the endpoint? ${where}`;
  }
  if (status === 401 || status === 403) {
    return about.tokenAuth
      ? `${wire.method} ${shown} answered ${status} to a valid ${about.noun} with the token given: is --token the one the server accepts?`
      : `${wire.method} ${shown} answered ${status} to ${check!.id}, sent with the credentials given: are they the receiver's?`;
  }
  return null;
}

/** A contract's run: its plan from its data (contract-plan.ts), its rules and judge from its data (contract-rules.ts), run by Dredd. */
async function runContractVerify(options: VerifyOptions): Promise<VerifyResult> {
  // Loaded here: the library entry (src/testing.ts) does not load the machinery until a run.
  const [{ loadContractRuntime }, { buildContractPlan, maskParameter, matchTemplate, urlOption }, { contractProfile, contractRules, verifyDescriptor }] = await Promise.all([
    import('../contract-runtime.js'),
    import('./contract-plan.js'),
    import('./contract-rules.js'),
  ]);
  const root = packageRoot();
  const registry = readRegistry(root);
  const runtime = await loadContractRuntime(options.contract ?? registry.default, root);
  const { descriptor } = runtime;
  const outbound = runtime.registry.direction === 'outbound';
  const tokenAuth = descriptor.auth.type === 'header-token';
  const noun = verifyDescriptor(runtime).noun ?? 'body';
  const cases = options.cases ?? DEFAULT_CASE_COUNT;
  if (!Number.isInteger(cases) || cases < 0 || cases > 100_000) throw new VerifyOptionsError(`--cases: expected an integer from 0 to 100000, found ${String(options.cases)}`);
  const seed = options.seed ?? DEFAULT_SEED;
  const runId = options.runId ?? `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const main = runtime.operations.find((o) => o.default) ?? runtime.operations[0]!;
  const urls: Record<string, URL | undefined> = {};
  const given: Record<string, string | undefined> = { ...options.urls, [main.id]: options.url };
  // An operation path without parameters takes a base URL (the path is appended) or any full URL; one with parameters (a secret in the path) its full URL.
  let appended = false;
  if (outbound) {
    // The user's receiver: --url is where every webhook is posted, or, without a path, the origin under which each webhook has its contract path (as the sandbox serves them); --<webhook>-url overrides one.
    const base = receiverUrl('--url', options.url);
    const bare = base.pathname === '/' && !/^[a-z]+:\/\/[^/?#]+\//i.test(options.url);
    for (const operation of runtime.operations) {
      const own = options.urls?.[operation.id];
      urls[operation.id] = own ? receiverUrl(urlOption(operation.id), own) : bare ? new URL(`${operation.path}${base.search}`, base) : base;
    }
  } else {
    for (const operation of runtime.operations) {
      const value = given[operation.id];
      if (value === undefined || value === '') continue;
      const option = operation.default ? '--url' : urlOption(operation.id);
      if (operation.path.includes('{')) urls[operation.id] = operationUrl(option, value, operation.path, matchTemplate).url;
      else {
        const url = resolveEndpoint(value, operation.path, tokenAuth ? 'the token goes in --token' : undefined);
        if (operation.default) appended = url.pathname === operation.path && new URL(value).pathname !== url.pathname;
        urls[operation.id] = url;
      }
    }
  }
  const token = options.token ?? options.secrets?.token;
  if (tokenAuth && (typeof token !== 'string' || token === '')) throw new VerifyOptionsError('--token: expected the token the implementation accepts, found nothing');
  const secrets = { ...options.secrets, ...(tokenAuth ? { token: token! } : {}) };
  const formula = (descriptor.auth as { formula?: DigestFormula }).formula;
  if (descriptor.auth.type === 'query-md5' && formula) {
    for (const name of formulaNames(formula)) {
      if (!options.secrets?.[name]) throw new VerifyOptionsError(`${optionName(name)}: expected the receiver's ${name} (the secret is computed from it), found nothing`);
    }
  }
  const endpoint = urls[main.id];
  if (!endpoint) throw new VerifyOptionsError(`--url: expected the ${main.id} operation's full URL, ending in ${main.path}, found nothing`);
  const dredd = loadDredd();
  const plan = buildContractPlan({ runtime, root, urls, secrets, cases, seed, runId, skipWrongToken: tokenAuth && Boolean(options.skipWrongToken) });
  const rules = contractRules(runtime);
  const profile = await contractProfile(runtime, root, rules);
  // The secret in a path, masked wherever it is printed (contract.yaml auth.secret).
  const secretParameter = (descriptor.auth as { secret?: boolean }).secret === true ? descriptor.auth.parameter : undefined;
  const maskPath = (path: string, template: string) => (secretParameter && !outbound ? maskParameter(path, template, secretParameter, maskToken) : path);
  // A secret in the query (query-md5), masked the same way.
  const maskQuery = (query: string) => {
    if ((descriptor.auth as { in?: string }).in !== 'query' || !descriptor.auth.parameter) return query;
    const params = new URLSearchParams(query);
    const value = params.get(descriptor.auth.parameter);
    if (value) params.set(descriptor.auth.parameter, maskToken(value));
    return params.toString().replace(/%2A/g, '*');
  };
  const templateOf = new Map(runtime.operations.map((o) => [o.id, o.path]));
  const masked = (url: URL, operation: string) => `${url.origin}${maskPath(url.pathname, templateOf.get(operation)!)}${url.search}`;
  const endpoints = Object.fromEntries(Object.entries(urls).flatMap(([id, url]) => (url ? [[id, masked(url, id)]] : [])));
  const several = runtime.operations.length > 1;
  const run = startResult({
    endpoint,
    dredd,
    seed,
    runId,
    cases,
    skipWrongToken: tokenAuth && Boolean(options.skipWrongToken),
    strict: Boolean(options.strict),
    total: plan.length,
    rules,
    ...(runtime.registry.id !== registry.default ? { contract: runtime.registry.id } : {}),
    ...(several || runtime.registry.id !== registry.default ? { endpoints } : {}),
  });
  run.result.endpoint = endpoints[main.id]!;

  for (const url of new Set(Object.values(urls).flatMap((u) => (u ? [u.origin] : [])))) {
    const unreachable = await probe(new URL(url), Math.min(timeoutMs, 5000));
    if (unreachable) return run.stop(unreachable);
  }
  const first = plan.find((c) => c.operation === main.id && c.expect.kind === 'accepted' && c.wire && !c.skip);
  // A delivery of its own: the headers the contract generates per delivery (an idempotency id) are drawn again, so that the check it copies is no replay.
  const fresh = Object.entries((descriptor as { request?: { headers?: Record<string, { generate?: string } | undefined> } }).request?.headers ?? {})
    .filter(([name, spec]) => spec?.generate === 'hex32' && first?.wire?.headers[name] !== undefined)
    .map(([name]) => [name, randomBytes(16).toString('hex')] as const);
  const firstAccepted = first && first.wire ? { ...first, wire: { ...first.wire, headers: { ...first.wire.headers, ...Object.fromEntries(fresh) } } } : first;
  const misconfigured = await preflight(firstAccepted, { shown: endpoints[main.id]!, option: '--url', template: main.path, appended, noun, tokenAuth, outbound }, timeoutMs);
  if (misconfigured) return run.stop(misconfigured);
  return execute(run, {
    dredd,
    endpoint,
    document: join(root, runtime.registry.openapi['openapi-3.0']),
    plan,
    timeoutMs,
    onProgress: options.onProgress,
    judge: (check, answer) => judgeWith(profile, check, answer),
    describe: (check) => describeExpectation(check.expect, profile, check),
    sent: (check) => {
      const operation = check.operation ?? main.id;
      const wire = check.wire;
      const url = urls[operation];
      const path = wire ? `${maskPath(wire.path, templateOf.get(operation)!)}${wire.query ? `?${maskQuery(wire.query)}` : ''}` : url ? maskPath(url.pathname, templateOf.get(operation)!) : (templateOf.get(operation) ?? '');
      return { method: wire?.method ?? 'POST', path, contentType: check.request.contentType || '(no Content-Type)', body: wire?.body ?? check.request.body ?? '' };
    },
    custom: { checks: plan },
  });
}
