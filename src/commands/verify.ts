/** `converge-webhook verify`: the contract test of an implementation of the endpoint (Dredd). */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { parseCommandArgs, UsageError } from '../cli-support.js';
import { DEFAULT_CASE_COUNT, DEFAULT_SEED } from '../verify/cases.js';
import { GROUP_LABELS } from '../verify/plan.js';
import { RULES, type Level } from '../verify/rules.js';
import { formatText, groupLine, toJUnit } from '../verify/report.js';
import { DREDD_INSTALL_COMMAND, DreddNotInstalled, loadDredd, resolveEndpoint, runVerify, VerifyOptionsError, type CheckResult, type VerifyResult } from '../verify/verify.js';
import { servedContract } from '../registry.js';

const TOKEN_ENV = 'CONVERGE_WEBHOOK_TOKEN';

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

/** The rules of one level, from rules.ts: the help cannot drift from what the run judges. */
export function levelList(level: Level, heading: string): string {
  const rules = Object.values(RULES).filter((rule) => rule.level === level);
  return [`  ${wrap(heading, 96, '    ')}`, ...rules.map((rule) => `    - ${wrap(rule.title, 96, '      ')}`)].join('\n');
}

const USAGE = `Usage: converge-webhook verify --url URL --token TOKEN [--strict] [--junit FILE] [--json]
                               [--skip-wrong-token] [--cases N] [--seed N]

Checks that an implementation of POST /api/webhooks honours the contract, with Dredd on the
bundled OpenAPI document. It sends every valid example and N generated valid events (each must
be accepted with a 2xx), every invalid example and N generated invalid bodies, each breaking one
contract rule, a valid event without a token, with an empty one and with wrong ones, and the
event as form data (each must be refused with a 4xx).

It reports two levels, grouped by rule:
${levelList('failure', 'failures: a contract rule broken; any failure makes the run fail')}
${levelList('deviation', 'deviations: a recommendation not followed (another 4xx is conforming); listed and counted, they make the run fail only with --strict')}
It does not demand more: Event Spec warnings, the exact violation codes of a refusal and the
body limit are not checked.

  --url URL            the implementation: a base URL such as http://127.0.0.1:4011 (the contract's
                       path /api/webhooks is appended) or the endpoint's full URL
  --token TOKEN        a token the implementation accepts; default: the ${TOKEN_ENV}
                       environment variable. It is never printed.
  --strict             deviations fail the run too
  --junit FILE         also write the results as JUnit XML to FILE (for CI): failures as
                       <failure type="contract">, deviations as passing tests whose output says
                       DEVIATION (<failure type="recommendation"> with --strict)
  --json               print one JSON object with every check, its level and its findings,
                       and the rules broken, instead of text (no progress)
  --skip-wrong-token   do not send wrong tokens: for the Prism mock, which never checks the
                       token's value (the output says the checks were not sent)
  --cases N            generated valid events and generated invalid bodies, N of each
                       (default ${DEFAULT_CASE_COUNT}, at most 100000)
  --seed N             seed of the generated cases (default ${DEFAULT_SEED}); the same seed sends
                       the same bodies, with event_ids unique per run

Needs Dredd, an optional peer dependency: ${DREDD_INSTALL_COMMAND}
Exit codes: 0 the implementation honours the contract (deviations may be listed), 1 a rule is
broken (each is shown with an example: what was sent, what was expected, what came back and
why), a deviation under --strict, or the run could not happen (nothing answers at the URL, the
URL is not the endpoint, or the token is refused: one request is sent first to find out), 2 usage
error.`;

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

export async function run(argv: string[]): Promise<number> {
  argv = servedContract('verify', argv); // --contract: the default contract only, so far
  const { values, positionals } = parseCommandArgs(joinNumberValues(argv), {
    url: { type: 'string' },
    strict: { type: 'boolean' },
    token: { type: 'string' },
    junit: { type: 'string' },
    json: { type: 'boolean' },
    'skip-wrong-token': { type: 'boolean' },
    cases: { type: 'string' },
    seed: { type: 'string' },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`verify takes no file arguments, found "${positionals.join(' ')}"`);
  if (!values.url) throw new UsageError('verify needs --url: the implementation to test, such as http://127.0.0.1:4011');
  const token = values.token ?? process.env[TOKEN_ENV];
  if (!token) throw new UsageError(`verify needs --token (or the ${TOKEN_ENV} environment variable): a token the implementation accepts`);
  const cases = integer('cases', values.cases, DEFAULT_CASE_COUNT, 100_000);
  const seed = integer('seed', values.seed, DEFAULT_SEED, 2 ** 32 - 1);
  const junit = values.junit ? resolve(values.junit) : undefined;
  if (junit && (!existsSync(dirname(junit)) || !statSync(dirname(junit)).isDirectory())) {
    throw new UsageError(`--junit: expected a file in an existing folder, found "${values.junit}" (no folder ${dirname(junit)})`);
  }
  const json = Boolean(values.json);

  let result: VerifyResult;
  try {
    const endpoint = resolveEndpoint(values.url);
    const { version } = loadDredd();
    if (!json) process.stderr.write(`verify: ${endpoint.href} against the contract, with Dredd ${version}\n`);
    const seen: CheckResult[] = [];
    let lastLine = Date.now();
    result = await runVerify({
      url: values.url,
      token,
      skipWrongToken: Boolean(values['skip-wrong-token']),
      strict: Boolean(values.strict),
      cases,
      seed,
      onProgress: json
        ? undefined
        : (p) => {
            seen.push(p.check);
            if (p.groupDone) {
              process.stderr.write(`${groupLine(p.check.group, seen)}\n`);
              lastLine = Date.now();
            } else if (Date.now() - lastLine > 2000) {
              // A slow server: show that the run is alive.
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
    if (junit) process.stderr.write(`JUnit XML written to ${values.junit}\n`);
  }
  return result.ok ? 0 : 1;
}
