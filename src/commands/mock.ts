/** `converge-webhook mock`: the Prism mock on the terminal (`npm start`). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import YAML from 'yaml';

import { kebabCase, listenForStop, parseCommandArgs, parseHost, parsePort, STOP_SIGNALS, UsageError } from '../cli-support.js';
import type { ContractDescriptor } from '../contract-runtime.js';
import { resolveEndpointUrl } from '../endpoint.js';
import { formulaNames, type DigestFormula } from '../hash/query-digest.js';
import { PortInUse, prismBin, PRISM_VERSION, PrismNotInstalled, startMock, type RunningMock } from '../mock/mock.js';
import { contractOption, findContract, readRegistry, type RegistryContract } from '../registry.js';
import { packageRoot } from '../verify/verify.js';
import { docsHint } from './docs.js';
import { readSample, shellQuote } from './sandbox.js';

const USAGE = `Usage: converge-webhook mock [--port 4010] [--host 127.0.0.1] [--quiet]

Runs Prism ${PRISM_VERSION} (@stoplight/prism-cli) as a mock of POST /api/webhooks, serving the
bundled contract. A valid event with a token gets 200, a missing token 401, a body that breaks
the contract 400, a body that is not application/json 415; "Prefer: code=NNN" picks a response.
Prism never checks the token's value and keeps nothing: for that, run "npx converge-webhook sandbox".

  --port N     port to listen on (default 4010; 0 picks a free one)
  --host H     address to listen on (default 127.0.0.1)
  --quiet      do not print a line per request

Stops on Ctrl-C (SIGINT) or SIGTERM, exit code 0.
Exit codes: 0 stopped cleanly, 1 Prism failed, 2 usage error or Prism not installed.`;

/** A small valid event without Event Spec warnings, for the curl line. */
const SAMPLE_EVENT =
  '{"event_name":"Placed Order","event_id":"order-1001","properties":{"id":"1001","total_price":25.5,"currency":"USD","$sales_channel_type":"web"},"profile_properties":{"$email":"jane@example.com"},"aliases":["urn:email:jane@example.com"]}';


export async function run(argv: string[]): Promise<number> {
  const { id, rest } = contractOption(argv);
  const registry = readRegistry();
  const contract = findContract(registry, id);
  if (contract.id !== registry.default) return runContract(contract, rest);
  const { values, positionals } = parseCommandArgs(rest, { port: { type: 'string' }, host: { type: 'string' }, quiet: { type: 'boolean' } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`mock takes no file arguments, found "${positionals.join(' ')}"`);
  const port = parsePort(values.port, 4010);
  const host = parseHost(values.host);
  // Without Prism, the install command is the first thing said.
  try {
    prismBin();
  } catch (error) {
    if (!(error instanceof PrismNotInstalled)) throw error;
    console.error(`converge-webhook: ${error.message}`);
    return 2;
  }

  // Listen before starting, so that a signal during start-up stops the server once it is up.
  const stop = listenForStop();

  try {
    console.log(`Starting Prism ${PRISM_VERSION} on ${host}:${port === 0 ? '(a free port)' : port}…`);
    const started = Date.now();
    let mock;
    try {
      mock = await startMock({ port, host, quiet: Boolean(values.quiet) });
    } catch (error) {
      if (error instanceof PortInUse) throw new UsageError(error.message);
      console.error(`converge-webhook: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const endpoint = resolveEndpointUrl(mock.url).href;
    console.log(
      [
        `Prism mock of the Converge webhook listening on ${endpoint}`,
        `(Prism pid ${mock.pid}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        `Reference docs: ${docsHint(contract.id)}`,
        '',
        'Try it:',
        `  curl -i -X POST ${endpoint} \\`,
        `    -H 'Content-Type: application/json' -H 'X-Webhook-Token: any-token' \\`,
        `    -d '${SAMPLE_EVENT}'`,
        `  npx converge-webhook send --url ${mock.url} --token any-token <event.json>`,
        '',
        'What it answers: 200 for a valid event with a token; 401 without a token; 400 when the body breaks',
        'the contract (the 400 body is a fixed example: the real violations are in the sl-violations header',
        'and in the log below); 415 for a body that is not application/json. "Prefer: code=401" picks a response.',
        'What it cannot do: Prism never checks the token\'s value (any token gets 200) and keeps nothing.',
        'To check tokens and see what arrived, run "npx converge-webhook sandbox".',
        '',
        values.quiet ? 'Press Ctrl-C to stop.' : 'Press Ctrl-C to stop. Requests:',
      ].join('\n'),
    );

    return await waitForStop(stop, mock);
  } finally {
    stop.dispose();
  }
}

/** A contract's descriptor (spec/<id>/contract.yaml), for the start-up lines; undefined when it is not there. */
function readDescriptor(contract: RegistryContract): ContractDescriptor | undefined {
  try {
    return YAML.parse(readFileSync(join(packageRoot(), contract.descriptor), 'utf8')) as ContractDescriptor;
  } catch {
    return undefined;
  }
}


/**
 * An outbound contract has no vendor endpoint to stand in for (the vendor calls the user), and
 * Prism serves `paths`, not `webhooks`: the commands that play the vendor are said instead.
 */
export function outboundMessage(contract: RegistryContract, d: ContractDescriptor | undefined): string {
  const vendor = d?.vendor.name ?? contract.vendor;
  const formula = (d?.auth as { formula?: DigestFormula } | undefined)?.formula;
  const account = formula ? ` ${formulaNames(formula).map((n) => `--${kebabCase(n)} ${n.replace(/[A-Z]/g, '_$&').toUpperCase()}`).join(' ')}` : '';
  const delivered = d?.answers?.delivered ?? 200;
  const id = contract.id;
  return [
    `converge-webhook: mock --contract ${id}: the ${contract.title} are ${contract.direction} (${vendor} calls YOUR url), and Prism`,
    `serves an OpenAPI document's paths, not its webhooks: there is no ${vendor} endpoint to mock. For an outbound contract`,
    `send and verify stand in for ${vendor}, and the sandbox is the reference receiver:`,
    `  npx converge-webhook send --contract ${id} --url URL${account} <event.json>`,
    `      one delivery to your receiver, exactly as ${vendor} sends it; any answer but ${delivered} is flagged as failed`,
    `  npx converge-webhook verify --contract ${id} --url URL${account}`,
    `      every example and generated deliveries against your receiver, wrong and missing secrets too`,
    `  npx converge-webhook sandbox --contract ${id}${account}`,
    `      the reference receiver: checks the secret, validates, answers ${delivered}, shows each delivery on /logs`,
  ].join('\n');
}

/** The mock of a contract other than the default: Prism on its document, the start-up lines from its data. */
async function runContract(contract: RegistryContract, argv: string[]): Promise<number> {
  const d = readDescriptor(contract);
  if (contract.direction === 'outbound' || d?.mock === 'none') {
    console.error(outboundMessage(contract, d));
    return 2;
  }
  const defaultPort = d?.ports?.mock ?? 4010;
  const { values, positionals } = parseCommandArgs(argv, { port: { type: 'string' }, host: { type: 'string' }, quiet: { type: 'boolean' } });
  if (values.help) {
    console.log(contractUsage(contract, defaultPort));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`mock takes no file arguments, found "${positionals.join(' ')}"`);
  const port = parsePort(values.port, defaultPort);
  const host = parseHost(values.host);
  try {
    prismBin();
  } catch (error) {
    if (!(error instanceof PrismNotInstalled)) throw error;
    console.error(`converge-webhook: ${error.message}`);
    return 2;
  }
  const stop = listenForStop();
  try {
    console.log(`Starting Prism ${PRISM_VERSION} on ${host}:${port === 0 ? '(a free port)' : port}…`);
    const started = Date.now();
    let mock: RunningMock;
    try {
      mock = await startMock({ contract: contract.id, port, host, quiet: Boolean(values.quiet), formNote: formNote(contract, d) });
    } catch (error) {
      if (error instanceof PortInUse) throw new UsageError(error.message);
      console.error(`converge-webhook: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    console.log(
      [
        `Prism mock of the ${contract.title} listening on ${mock.url}${mock.contract.path}`,
        `(Prism pid ${mock.pid}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        `Reference docs: ${docsHint(contract.id)}`,
        '',
        ...mockLines(contract, d, mock),
        '',
        values.quiet ? 'Press Ctrl-C to stop.' : 'Press Ctrl-C to stop. Requests:',
      ].join('\n'),
    );
    return await waitForStop(stop, mock);
  } finally {
    stop.dispose();
  }
}

function contractUsage(contract: RegistryContract, port: number): string {
  const operation = contract.operations.find((o) => o.in === 'paths' && o.default) ?? contract.operations[0]!;
  return `Usage: converge-webhook mock --contract ${contract.id} [--port ${port}] [--host 127.0.0.1] [--quiet]

Runs Prism ${PRISM_VERSION} (@stoplight/prism-cli) as a mock of ${operation.method} ${operation.path}, serving the
bundled ${contract.title} document. What it checks, and what it cannot, is printed on start.
It keeps nothing: for that, run "npx converge-webhook sandbox --contract ${contract.id}".

  --port N     port to listen on (default ${port}; 0 picks a free one)
  --host H     address to listen on (default 127.0.0.1)
  --quiet      do not print a line per request

Stops on Ctrl-C (SIGINT) or SIGTERM, exit code 0.
Exit codes: 0 stopped cleanly, 1 Prism failed, 2 usage error or Prism not installed.`;
}

/**
 * What the mock of a contract checks and what it cannot, from the contract's data and from what
 * Prism was measured to do (test/mock.test.ts checks each claim on real Prism): a path secret is
 * a plain path parameter to Prism, so any value passes; operations that share one URL form cannot
 * be told apart; in a form body Prism reads the plain fields and skips the bracketed arrays.
 */
function mockLines(contract: RegistryContract, d: ContractDescriptor | undefined, mock: RunningMock): string[] {
  const auth = d?.auth;
  const secretName = auth?.type === 'path-secret' ? auth.parameter : undefined;
  // An id of the generated shape: Prism answers any value the same.
  const url = `${mock.url}${mock.contract.path.replace(/\{[^}]+\}/g, '0123456789abcdef0123456789abcdef')}`;
  const sample = d?.sample?.file ? readSample(contract.id, d.sample.file) : undefined;
  const sharing = contract.operations.filter((o) => o.path === mock.contract.path);
  const bare = sharing.filter((o) => o.body === 'none').map((o) => o.id);
  const withBody = sharing.filter((o) => o.body !== 'none').map((o) => o.id);
  const arrays = (d?.form?.arrays ?? []).map((p) => `${p.slice(1)}[N][...]`);
  const form = contract.mediaTypes.includes('application/x-www-form-urlencoded');
  const lines = [
    `Try it${secretName ? ` (any ${secretName}: Prism cannot know which are webhooks)` : ''}:`,
    ...(sample !== undefined ? [`  curl -i -X POST ${url} \\`, `    -H 'Content-Type: ${contract.mediaTypes[0]}' \\`, `    -d ${shellQuote(sample)}`] : []),
    `  npx converge-webhook send --contract ${contract.id} --url ${url}${form ? ' [--form]' : ''} <event.json>`,
    '',
    `What it checks: a body sent as ${contract.mediaTypes[0]}, against the contract rules: 400 when it breaks one (the 400 body is a`,
    'fixed example: the real violations are in the sl-violations header and in the log below), 200 with a fixed',
    `example body otherwise; a Content-Type other than ${contract.mediaTypes.join(' or ')}: 415.`,
    `What it cannot check (the sandbox does: "npx converge-webhook sandbox --contract ${contract.id}"):`,
  ];
  if (secretName) lines.push(`  - the ${secretName}: Prism cannot know which ids are webhooks, so every ${secretName} gets the same answers (the sandbox: 404).`);
  if (bare.length > 0 && withBody.length > 0) {
    lines.push(
      `  - the kind of webhook: ${sharing.map((o) => o.id).join(' and ')} share one URL form, so a bare POST always gets 200 (a ${withBody.join('/')}`,
      `    webhook refuses it) and a body sent to a ${bare.join('/')} webhook is judged as a ${withBody.join('/')} body (a ${bare.join('/')} webhook ignores it).`,
    );
  }
  if (form) {
    lines.push(
      '  - form bodies, in part: Prism reads the plain fields (their rules are checked, numbers included) but skips',
      `    ${arrays.length > 0 ? `${arrays.join(', ')} altogether, so an item that breaks a rule gets 200, and ` : ''}a field given twice is not refused.`,
      '    A valid form body is never refused. "converge-webhook send --form" validates the whole body before sending it.',
    );
  }
  lines.push(`  - the body limit (${d?.bodyLimit ?? 'the contract\'s'} bytes: the sandbox answers 413); and it keeps nothing.`);
  return lines;
}

/** What the log says after each answer to a form body: what Prism skipped of it. */
function formNote(contract: RegistryContract, d: ContractDescriptor | undefined): string | undefined {
  if (!contract.mediaTypes.includes('application/x-www-form-urlencoded')) return undefined;
  const arrays = (d?.form?.arrays ?? []).map((p) => `${p.slice(1)}[N][...]`);
  return `form body: Prism did not check ${arrays.length > 0 ? `${arrays.join(', ')} nor ` : ''}repeated fields`;
}

async function waitForStop(stop: ReturnType<typeof listenForStop>, mock: RunningMock): Promise<number> {
  const outcome = await Promise.race([stop.wait().then(() => 'signal' as const), mock.exited.then(() => 'exited' as const)]);
  if (outcome === 'signal') {
    console.log(`\nStopping Prism (${stop.signal})…`);
    await mock.stop();
    console.log('Stopped.');
    return 0;
  }
  const { code, signal } = await mock.exited;
  // Ctrl-C in a terminal reaches Prism directly too; it may exit before our handler runs.
  if (signal && (STOP_SIGNALS as readonly string[]).includes(signal)) {
    console.log(`\nPrism stopped (${signal}).`);
    return 0;
  }
  console.error(`converge-webhook: Prism exited unexpectedly (${signal ?? `code ${code}`})`);
  return 1;
}
