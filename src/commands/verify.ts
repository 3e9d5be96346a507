/** `converge-webhook verify`: the contract test of a receiver (Dredd), for any contract, from its data. */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { kebabCase, noTokenHint, parseCommandArgs, UsageError } from '../cli-support.js';
import { DEFAULT_CASE_COUNT, DEFAULT_SEED } from '../verify/cases.js';
import { GROUP_LABELS } from '../verify/plan.js';
import type { Level } from '../verify/rules.js';
import { formatText, groupLine, toJUnit } from '../verify/report.js';
import { DREDD_INSTALL_COMMAND, DreddNotInstalled, loadDredd, runVerify, VerifyOptionsError, type CheckResult, type VerifyResult } from '../verify/verify.js';
import { findContract, readRegistry, servedContract } from '../registry.js';

/** Words wrapped to `width` columns, every line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

/** Number options whose value may look like a flag ("--cases -5"): joined to it, so the value gets its own message. */
const NUMBER_OPTIONS = new Set(['--cases', '--seed']);

function joinNumberValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (NUMBER_OPTIONS.has(arg) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function integer(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new UsageError(`--${name}: expected an integer from 0 to ${max}, found "${value}"`);
  return Number(value);
}

/** The value of --contract in the arguments, if any (servedContract checks it and takes it out). */
function contractArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--contract') return argv[i + 1];
    if (arg.startsWith('--contract=')) return arg.slice('--contract='.length);
  }
  return undefined;
}

export async function run(argv: string[]): Promise<number> {
  const wanted = contractArgument(argv);
  const registry = readRegistry();
  if (wanted === undefined) return runContract(registry.default, argv, true);
  argv = servedContract('verify', argv, registry.contracts.map((c) => c.id));
  const id = findContract(registry, wanted).id;
  return runContract(id, argv, id === registry.default);
}

/** The rules of one level of a contract's table: the help cannot drift from what the run judges. */
function contractLevelList(rules: Record<string, { level: Level; title: string }>, level: Level, heading: string): string {
  const titles = Object.values(rules).filter((rule) => rule.level === level);
  return [`  ${wrap(heading, 96, '    ')}`, ...titles.map((rule) => `    - ${wrap(rule.title, 96, '      ')}`)].join('\n');
}

/** `verify [--contract <id>]`: the plan, the rules and the options from the contract's data. */
async function runContract(id: string, argv: string[], isDefault: boolean): Promise<number> {
  const [{ envFor, loadContractRuntime }, { contractRules, verifyDescriptor }, { urlOption: optionOf }, { formulaNames }] = await Promise.all([
    import('../contract-runtime.js'),
    import('../verify/contract-rules.js'),
    import('../verify/contract-plan.js'),
    import('../hash/query-digest.js'),
  ]);
  const runtime = await loadContractRuntime(id);
  const { descriptor } = runtime;
  const verify = verifyDescriptor(runtime);
  // The default contract is named without --contract, in the usage and in its messages.
  const command = isDefault ? 'verify' : `verify --contract ${id}`;
  const tokenEnv = envFor(descriptor, '--token')?.name;

  const main = runtime.operations.find((o) => o.default) ?? runtime.operations[0]!;
  const others = runtime.operations.filter((o) => o !== main);
  const urlOption = (o: { id: string; default: boolean }) => (o === main ? 'url' : optionOf(o.id).slice(2));
  const envOf = (o: { id: string }) => verify.urls?.[o.id];
  const token = descriptor.auth.type === 'header-token';
  const outbound = runtime.registry.direction === 'outbound';
  // An operation path without parameters takes a base URL, to which the path is appended.
  const baseUrl = !outbound && !main.path.includes('{');
  // The values a query digest is computed from (auth.formula's placeholders: --license-code, --secret-key).
  const formula = (descriptor.auth as { formula?: Parameters<typeof formulaNames>[0] }).formula;
  const accountValues = descriptor.auth.type === 'query-md5' && formula ? formulaNames(formula) : [];
  const rules = contractRules(runtime);
  // An option and its description in two columns; a long option gets its description on the next line.
  const label = (text: string) => (text.length <= 20 ? `  ${text.padEnd(21)}` : `  ${text}\n                       `);
  const what = outbound
    ? `It plays ${runtime.registry.vendor}: it delivers every valid example and N generated valid deliveries (valid examples changed in one place, each judged by the contract's own validator), each of which must get ${(descriptor as { answers?: { delivered?: number } }).answers?.delivered ?? 'a 2xx'}; it sends the deliveries the auth (${descriptor.auth.type}) must refuse, and one delivery twice with the same id, and reports what the receiver answered. It sends no invalid body: ${runtime.registry.vendor} sends none.`
    : `It sends every valid example (each must be accepted), every invalid example and each request the auth (${descriptor.auth.type}) must refuse, and bodies labelled with the wrong media type (each must be refused with a 4xx), then N generated valid and N generated invalid bodies: valid examples changed in one place, each judged by the contract's own validator (no error: valid, warnings allowed; exactly one: invalid, breaking that rule)${descriptor.mediaTypes.length > 1 ? `, in each of ${descriptor.mediaTypes.join(' and ')}` : ''}.`;
  const usage = [
    `Usage: converge-webhook ${command}${isDefault ? ' [--contract ID]' : ''} --url URL${accountValues.map((n) => ` --${kebabCase(n)} ${kebabCase(n).toUpperCase().replace(/-/g, '_')}`).join('')}${token ? ' --token TOKEN' : ''}`,
    ...others
      .map((o) => `[--${urlOption(o)} URL]`)
      .reduce<string[]>((lines, option) => {
        const last = lines.at(-1);
        if (last !== undefined && last.length + option.length < 64) lines[lines.length - 1] = `${last} ${option}`;
        else lines.push(option);
        return lines;
      }, [])
      .map((line) => `                               ${line}`),
    `                               [--strict] [--junit FILE] [--json]${token ? ' [--skip-wrong-token]' : ''} [--cases N] [--seed N]`,
    '',
    wrap(`Checks that a receiver of the ${runtime.registry.title} honours the contract, with Dredd on its derived OpenAPI 3.0 document. ${what}`, 96, ''),
    '',
    'It reports two levels, grouped by rule:',
    contractLevelList(rules, 'failure', 'failures: a contract rule broken; any failure makes the run fail'),
    contractLevelList(rules, 'deviation', 'deviations: a recommendation not followed (another 4xx is conforming); listed and counted, they make the run fail only with --strict'),
    '',
    outbound
      ? `  --url URL            your receiver's URL: every webhook is posted there; a URL without a path\n                       gets each webhook's own path (${main.path}, ...), as the sandbox serves them${envOf(main) ? `;\n                       default: the ${envOf(main)} environment variable` : ''}`
      : baseUrl
        ? `  --url URL            the receiver: a base URL such as http://127.0.0.1:4011 (the contract's\n                       path ${main.path} is appended) or the endpoint's full URL${envOf(main) ? `;\n                       default: the ${envOf(main)} environment variable` : ''}`
        : `  --url URL            the ${main.id} operation's full URL, whose path ends in ${main.path}${envOf(main) ? `;\n                       default: the ${envOf(main)} environment variable` : ''}`,
    ...others.map((o) =>
      outbound
        ? `${label(`--${urlOption(o)} URL`)}the ${o.id} webhook's URL, when not --url's${envOf(o) ? ` (default: the ${envOf(o)} environment variable)` : ''}`
        : `${label(`--${urlOption(o)} URL`)}the ${o.id} operation's full URL (its checks are not sent without it)${envOf(o) ? `;\n                       default: the ${envOf(o)} environment variable` : ''}`,
    ),
    ...accountValues.map((n) => `${label(`--${kebabCase(n)} VALUE`)}the receiver's ${n}${verify.secrets?.[n] ? `; default: the ${verify.secrets[n]}\n                       environment variable` : ''}; never printed`),
    ...(token ? [`  --token TOKEN        a token the receiver accepts; it is never printed${tokenEnv ? `; default: the\n                       ${tokenEnv} environment variable` : ''}`] : []),
    '  --strict             deviations fail the run too',
    '  --junit FILE         also write the results as JUnit XML to FILE (for CI)',
    '  --json               print one JSON object with every check, its level and its findings',
    ...(token
      ? [
          '  --skip-wrong-token   do not send wrong tokens: for a mock that never checks the token\'s value',
          '                       (the output says the checks were not sent)',
        ]
      : []),
    outbound ? '  --cases N            generated valid deliveries, N' : `  --cases N            generated valid bodies and generated invalid bodies, N of each`,
    `                       (default ${DEFAULT_CASE_COUNT}, at most 100000)`,
    `  --seed N             seed of the generated bodies (default ${DEFAULT_SEED}); the same seed sends the same bodies${typeof descriptor.events.id === 'object' && descriptor.events.id.pointer ? `,\n                       with ids (${descriptor.events.id.pointer}) unique per run` : ''}`,
    '',
    `Needs Dredd, an optional peer dependency: ${DREDD_INSTALL_COMMAND}`,
    'Exit codes: 0 the receiver honours the contract (deviations may be listed), 1 a rule is broken,',
    'a deviation under --strict, or the run could not happen (nothing answers at the URL, the URL',
    'names no endpoint, or the credentials given are refused: one request is sent first to find out),',
    '2 usage error.',
  ].join('\n');

  const spec: Record<string, { type: 'string' | 'boolean' }> = {
    url: { type: 'string' },
    strict: { type: 'boolean' },
    junit: { type: 'string' },
    json: { type: 'boolean' },
    cases: { type: 'string' },
    seed: { type: 'string' },
  };
  for (const o of others) spec[urlOption(o)] = { type: 'string' };
  for (const n of accountValues) spec[kebabCase(n)] = { type: 'string' };
  if (token) {
    spec.token = { type: 'string' };
    spec['skip-wrong-token'] = { type: 'boolean' };
  }
  // A token given to a contract whose auth is not a token: say where its secret is.
  const parsed = parseCommandArgs(joinNumberValues(argv), spec, { token: noTokenHint(descriptor.auth, main.path) });
  const { values, positionals } = parsed;
  const value = (name: string) => (values as Record<string, string | boolean | undefined>)[name];
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`verify takes no file arguments, found "${positionals.join(' ')}"`);
  const fromEnv = (o: { id: string }) => (envOf(o) ? process.env[envOf(o)!] : undefined);
  const url = (value('url') as string | undefined) ?? fromEnv(main);
  if (!url) {
    throw new UsageError(
      `${command} needs --url${envOf(main) ? ` (or the ${envOf(main)} environment variable)` : ''}: ${outbound ? 'your receiver\'s URL' : baseUrl ? 'the receiver to test, such as http://127.0.0.1:4011' : `the ${main.id} operation's full URL, whose path ends in ${main.path}`}, found nothing`,
    );
  }
  const urls = Object.fromEntries(others.map((o) => [o.id, (value(urlOption(o)) as string | undefined) ?? fromEnv(o)]));
  const secrets: Record<string, string> = {};
  for (const n of accountValues) {
    const given = (value(kebabCase(n)) as string | undefined) ?? (verify.secrets?.[n] ? process.env[verify.secrets[n]] : undefined);
    if (!given) throw new UsageError(`${command} needs --${kebabCase(n)}${verify.secrets?.[n] ? ` (or the ${verify.secrets[n]} environment variable)` : ''}: the receiver's ${n}, found nothing`);
    secrets[n] = given;
  }
  if (token) {
    const given = (value('token') as string | undefined) ?? (tokenEnv ? process.env[tokenEnv] : undefined);
    if (!given) throw new UsageError(`${command} needs --token${tokenEnv ? ` (or the ${tokenEnv} environment variable)` : ''}: a token the receiver accepts, found nothing`);
    secrets.token = given;
  }
  const cases = integer('cases', value('cases') as string | undefined, DEFAULT_CASE_COUNT, 100_000);
  const seed = integer('seed', value('seed') as string | undefined, DEFAULT_SEED, 2 ** 32 - 1);
  const junitOption = value('junit') as string | undefined;
  const junit = junitOption ? resolve(junitOption) : undefined;
  if (junit && (!existsSync(dirname(junit)) || !statSync(dirname(junit)).isDirectory())) {
    throw new UsageError(`--junit: expected a file in an existing folder, found "${junitOption}" (no folder ${dirname(junit)})`);
  }
  const json = Boolean(values.json);

  let result: VerifyResult;
  try {
    const { version } = loadDredd();
    const seen: CheckResult[] = [];
    let lastLine = Date.now();
    let announced = false;
    result = await runVerify({
      contract: id,
      url,
      urls,
      secrets,
      skipWrongToken: Boolean(value('skip-wrong-token')),
      strict: Boolean(values.strict),
      cases,
      seed,
      onProgress: json
        ? undefined
        : (p) => {
            if (!announced) {
              process.stderr.write(`verify: the ${runtime.registry.title} contract, with Dredd ${version}\n`);
              announced = true;
              lastLine = Date.now();
            }
            seen.push(p.check);
            if (p.groupDone) {
              process.stderr.write(`${groupLine(p.check.group, seen)}\n`);
              lastLine = Date.now();
            } else if (Date.now() - lastLine > 2000) {
              process.stderr.write(`  ... ${p.done}/${p.total} checks (${GROUP_LABELS[p.check.group]})\n`);
              lastLine = Date.now();
            }
          },
    });
  } catch (error) {
    if (error instanceof DreddNotInstalled || error instanceof VerifyOptionsError) throw new UsageError(error.message);
    throw error;
  }
  if (junit) writeFileSync(junit, toJUnit(result));
  if (json) console.log(JSON.stringify(result, null, 2));
  else {
    if (!result.ok && result.checks.length === 0) console.error(`converge-webhook: ${formatText(result)}`);
    else console.log(`\n${formatText(result)}`);
    if (junit) process.stderr.write(`JUnit XML written to ${junitOption}\n`);
  }
  return result.ok ? 0 : 1;
}
