/**
 * `converge-webhook mock`: the Prism mock on the terminal (`npm start`). One path for every
 * contract: its start-up lines, help and log notes come from its data (contract.yaml through the
 * contract runtime, the registry) and from what Prism was measured to do with it.
 */
import { hostError, kebabCase, listenForStop, parseCommandArgs, parseHost, parsePort, STOP_SIGNALS, UsageError } from '../cli-support.js';
import { loadContractRuntime, type ContractDescriptor } from '../contract-runtime.js';
import { formulaNames, type DigestFormula } from '../hash/query-digest.js';
import { mockedOperation, PortInUse, prismBin, PRISM_VERSION, PrismNotInstalled, startMock, type RunningMock } from '../mock/mock.js';
import { contractOption, findContract, readRegistry, type Registry, type RegistryContract } from '../registry.js';
import { docsHint } from './docs.js';
import { readSample, shellQuote } from './sandbox.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The header token of the curl and send lines: Prism checks that one is there, never its value. */
const ANY_TOKEN = 'any-token';

/** A path parameter's value on the curl line, of the shape the sandbox generates (hex32): Prism answers any value the same. */
const ANY_ID = '0123456789abcdef0123456789abcdef';

/** Prism's answer to a request without the header an apiKey security scheme names (measured; not the contract's status). */
const PRISM_NO_KEY_STATUS = 401;

export async function run(argv: string[]): Promise<number> {
  const { id, rest } = contractOption(argv);
  const registry = readRegistry();
  const contract = findContract(registry, id);
  const d = (await loadContractRuntime(contract.id)).descriptor;
  if (contract.direction === 'outbound' || d.mock === 'none') {
    console.error(outboundMessage(contract, d));
    return 2;
  }
  const defaultPort = d.ports?.mock ?? 4010;
  const { values, positionals } = parseCommandArgs(rest, { port: { type: 'string' }, host: { type: 'string' }, quiet: { type: 'boolean' } });
  if (values.help) {
    console.log(usage(registry, contract, id !== undefined, defaultPort));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`mock takes no file arguments, found "${positionals.join(' ')}"`);
  const port = parsePort(values.port, defaultPort);
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
    let mock: RunningMock;
    try {
      mock = await startMock({ contract: contract.id, port, host, quiet: Boolean(values.quiet), formNote: formNote(d) });
    } catch (error) {
      if (error instanceof PortInUse) throw new UsageError(error.message);
      const badHost = hostError(error, host);
      if (badHost) throw badHost;
      console.error(`converge-webhook: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    console.log(
      [
        `Prism mock of the ${contract.title} listening on ${mock.url}${mock.contract.path}`,
        `(Prism pid ${mock.pid}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        `Reference docs: ${docsHint(contract.id)}`,
        '',
        ...mockLines(contract, contract.id === registry.default, d, mock),
        '',
        values.quiet ? 'Press Ctrl-C to stop.' : 'Press Ctrl-C to stop. Requests:',
      ].join('\n'),
    );
    return await waitForStop(stop, mock);
  } finally {
    stop.dispose();
  }
}

/**
 * An outbound contract has no vendor endpoint to stand in for (the vendor calls the user), and
 * Prism serves `paths`, not `webhooks`: the commands that play the vendor are said instead.
 */
function outboundMessage(contract: RegistryContract, d: ContractDescriptor): string {
  const vendor = d.vendor.name;
  const formula = (d.auth as { formula?: DigestFormula }).formula;
  const account = formula ? ` ${formulaNames(formula).map((n) => `--${kebabCase(n)} ${n.replace(/[A-Z]/g, '_$&').toUpperCase()}`).join(' ')}` : '';
  const delivered = d.answers?.delivered ?? 200;
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

/** The help: the synopsis of the contract given with --contract, and every contract the registry lists. */
function usage(registry: Registry, contract: RegistryContract, explicit: boolean, port: number): string {
  const served = registry.contracts.filter((c) => c.direction === 'inbound');
  const width = Math.max(...served.map((c) => c.id.length));
  const flag = explicit ? ` --contract ${contract.id}` : '';
  return `Usage: converge-webhook mock ${explicit ? `--contract ${contract.id}` : '[--contract ID]'} [--port ${port}] [--host 127.0.0.1] [--quiet]

Runs Prism ${PRISM_VERSION} (@stoplight/prism-cli) as a mock of the contract's operation, serving its
bundled OpenAPI document. What it checks, and what it cannot, is printed on start.
It keeps nothing: for that, run "npx converge-webhook sandbox${flag}".

  --contract ID    the contract (default ${registry.default}); Prism serves its operation:
${served.map((c) => `                     ${c.id.padEnd(width)}  ${operationName(c)}`).join('\n')}
${registry.contracts
  .filter((c) => !served.includes(c))
  .map((c) => `                   ${c.id}: ${c.direction}, no endpoint to mock (send and verify stand in for ${c.vendor})\n`)
  .join('')}  --port N         port to listen on (default ${port}; 0 picks a free one)
  --host H         address to listen on (default 127.0.0.1)
  --quiet          do not print a line per request

Stops on Ctrl-C (SIGINT) or SIGTERM, exit code 0.
Exit codes: 0 stopped cleanly, 1 Prism failed, 2 usage error or Prism not installed.`;
}

const operationName = (contract: RegistryContract): string => {
  const operation = mockedOperation(contract);
  return operation ? `${operation.method} ${operation.path}` : 'no operation under paths';
};

/** The form arrays Prism skips (contract.yaml `form.arrays`), as a form body writes them. */
const skippedArrays = (d: ContractDescriptor): string[] => (d.form?.arrays ?? []).map((p) => `${p.slice(1)}[N][...]`);

/**
 * What the mock of a contract checks and what it cannot, from the contract's data and from what
 * Prism was measured to do (test/mock.test.ts and test/mock-contracts.test.ts check each claim on
 * real Prism): a header token is checked for presence only; a path secret is a plain path
 * parameter, so any value passes; operations that share one URL form cannot be told apart; in a
 * form body Prism reads the plain fields and skips the bracketed arrays.
 */
function mockLines(contract: RegistryContract, isDefault: boolean, d: ContractDescriptor, mock: RunningMock): string[] {
  const auth = d.auth;
  const header = auth.type === 'header-token' ? auth.header : undefined;
  const secretName = auth.type === 'path-secret' ? auth.parameter : undefined;
  const refused = auth.refuse?.status;
  const contractFlag = isDefault ? '' : ` --contract ${contract.id}`;
  const hasParameters = /\{[^}]+\}/.test(mock.contract.path);
  const url = `${mock.url}${mock.contract.path.replace(/\{[^}]+\}/g, ANY_ID)}`;
  // send gives a URL without a path the operation's path, when that has no parameter (src/endpoint.ts).
  const sendUrl = hasParameters ? url : mock.url;
  const sample = d.sample?.file ? readSample(contract.id, d.sample.file) : undefined;
  const sharing = contract.operations.filter((o) => o.path === mock.contract.path);
  const bare = sharing.filter((o) => o.body === 'none').map((o) => o.id);
  const withBody = sharing.filter((o) => o.body !== 'none').map((o) => o.id);
  const arrays = skippedArrays(d);
  const form = d.mediaTypes.includes(FORM_TYPE);
  const headerFlag = header ? ` -H ${shellQuote(`${header}: ${ANY_TOKEN}`)}` : '';
  const lines = [
    `Try it${secretName ? ` (any ${secretName}: Prism cannot know which are webhooks)` : ''}:`,
    ...(sample !== undefined
      ? [`  curl -i -X ${mock.contract.method} ${url} \\`, `    -H ${shellQuote(`Content-Type: ${d.sample?.contentType ?? d.mediaTypes[0]}`)}${headerFlag} \\`, `    -d ${shellQuote(sample)}`]
      : []),
    `  npx converge-webhook send${contractFlag} --url ${sendUrl}${header ? ` --token ${ANY_TOKEN}` : ''}${form ? ' [--form]' : ''} <event.json>`,
    '',
    `What it checks: a body sent as ${d.mediaTypes[0]}, against the contract rules: 400 when it breaks one (the 400 body is a`,
    'fixed example: the real violations are in the sl-violations header and in the log below), 200 with a fixed',
    `example body otherwise; a Content-Type other than ${d.mediaTypes.join(' or ')}: 415${header ? `; no ${header}, or an empty one: ${PRISM_NO_KEY_STATUS}` : ''}.`,
    '"Prefer: code=NNN" picks the contract\'s answer of that status.',
    `What it cannot check (the sandbox does: "npx converge-webhook sandbox${contractFlag}"):`,
  ];
  if (header) lines.push(`  - the ${header}'s value: Prism never checks the token's value, so any token gets 200${refused ? ` (the sandbox: ${refused} for a wrong one)` : ''}.`);
  else if (secretName) lines.push(`  - the ${secretName}: Prism cannot know which ids are webhooks, so every ${secretName} gets the same answers${refused ? ` (the sandbox: ${refused})` : ''}.`);
  else lines.push(`  - the ${auth.type} secret: Prism does not check it${refused ? ` (the sandbox: ${refused} for a wrong one)` : ''}.`);
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
  lines.push(`  - the body limit (${d.bodyLimit} bytes: the sandbox answers 413); and it keeps nothing.`);
  return lines;
}

/** What the log says after each answer to a form body: what Prism skipped of it. */
function formNote(d: ContractDescriptor): string | undefined {
  if (!d.mediaTypes.includes(FORM_TYPE)) return undefined;
  const arrays = skippedArrays(d);
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
