/** `converge-webhook mock`: the Prism mock on the terminal (`npm start`). */
import { listenForStop, parseCommandArgs, parseHost, parsePort, STOP_SIGNALS, UsageError } from '../cli-support.js';
import { resolveEndpointUrl } from '../endpoint.js';
import { PortInUse, prismBin, PRISM_VERSION, PrismNotInstalled, startMock } from '../mock/mock.js';
import { docsHint } from './docs.js';
import { servedContract } from '../registry.js';

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
  argv = servedContract('mock', argv); // --contract: the default contract only, so far
  const { values, positionals } = parseCommandArgs(argv, { port: { type: 'string' }, host: { type: 'string' }, quiet: { type: 'boolean' } });
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
        `Reference docs: ${docsHint()}`,
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
  } finally {
    stop.dispose();
  }
}
