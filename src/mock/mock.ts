/**
 * The Prism mock of the webhook endpoint: the real `prism mock` CLI (@stoplight/prism-cli, an
 * optional peer dependency) serving the bundled OpenAPI 3.1 contract, as a child process.
 *
 * A child process rather than Prism's programmatic API: it is the tool as its users run it,
 * its dependencies stay out of the caller's process, and stop() is a plain kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { childStopper } from '../child-process.js';
import { maskToken } from '../endpoint.js';
import { findContract, readRegistry, type RegistryContract } from '../registry.js';
import { packageRoot } from '../verify/verify.js';
import { compactPrismLog } from './prism-log.js';

export const PRISM_VERSION = '5.14.2';
export const PRISM_INSTALL_COMMAND = `npm install --save-dev @stoplight/prism-cli@${PRISM_VERSION}`;

export interface MockOptions {
  /** The contract to serve, by id (converge-webhook --contract); default: the package's default contract. */
  contract?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Drop Prism's request log (default true). When false, a compact log goes to `log`. */
  quiet?: boolean;
  /** Where compact request-log lines go when not quiet (default: console.log). */
  log?: (line: string) => void;
  /**
   * Added to the log line of every answer to a form body (when not quiet): what Prism does not
   * check of one, so that a 200 to a form body is never read as "checked".
   */
  formNote?: string;
  /** Give up when Prism has not answered after this many milliseconds (default 30000). */
  startTimeoutMs?: number;
}

export interface RunningMock {
  /** Base URL, e.g. http://127.0.0.1:4010; the endpoint is the contract's path below it (`${url}${contract.path}`, its parameters filled). */
  url: string;
  /** The contract served: its id and its default operation's method and path (a URL template). */
  contract: { id: string; method: string; path: string };
  port: number;
  /** Process id of the Prism child process. */
  pid: number;
  /** Settles when Prism exits, whether through stop() or not. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops Prism and waits until its process has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/** @stoplight/prism-cli is not installed: the message names the install command. */
export class PrismNotInstalled extends Error {
  constructor() {
    super(`the Prism mock needs @stoplight/prism-cli, an optional peer dependency that is not installed.\nInstall it with: ${PRISM_INSTALL_COMMAND}`);
    this.name = 'PrismNotInstalled';
  }
}

/** The port asked for is taken by another process. */
export class PortInUse extends Error {
  constructor(readonly host: string, readonly port: number) {
    super(`port ${port} on ${host} is already in use; choose another with --port (0 picks a free one)`);
    this.name = 'PortInUse';
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** The operation Prism serves of a contract: its default one under `paths`, else its first one there; none for an outbound contract. */
export function mockedOperation(contract: RegistryContract): RegistryContract['operations'][number] | undefined {
  return contract.operations.find((o) => o.in === 'paths' && o.default) ?? contract.operations.find((o) => o.in === 'paths');
}

/** The contract a mock serves (the default contract without an id): an inbound one whose mock is Prism. */
export function mockedContract(id?: string): RegistryContract {
  const contract = findContract(readRegistry(), id);
  if (!mockedOperation(contract)) {
    // Prism serves `paths`; an outbound contract's operations are `webhooks`, which it skips.
    throw new Error(`the ${contract.id} contract has no operation under paths for Prism to serve (it is ${contract.direction}: its webhooks are called by the vendor)`);
  }
  return contract;
}

/** The bundled OpenAPI document of a contract (the default contract without an id), from the registry. */
export function contractPath(id?: string): string {
  const contract = findContract(readRegistry(), id);
  const file = join(packageRoot(), contract.openapi.json);
  if (!existsSync(file)) throw new Error(`the bundled contract ${contract.openapi.json} was not found next to this package (looked for ${file})`);
  return file;
}

/** Path of Prism's CLI script, resolved from wherever this package is installed. */
export function prismBin(): string {
  const require = createRequire(import.meta.url);
  let manifestPath: string;
  try {
    manifestPath = require.resolve('@stoplight/prism-cli/package.json');
  } catch {
    throw new PrismNotInstalled();
  }
  const manifest = require(manifestPath) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.prism;
  if (!bin) throw new Error(`@stoplight/prism-cli at ${dirname(manifestPath)} declares no "prism" bin`);
  return join(dirname(manifestPath), bin);
}

/**
 * Binds and releases `port` (0: any free one) and returns it: a port that was free a moment ago.
 * For a port asked for by number, this says "in use" at once instead of after Prism's start-up.
 */
function freePort(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUse(host, port) : error));
    server.listen(port, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

interface Attempt {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Whether Prism answers on host:port: a GET of the POST-only endpoint (`path`, its parameters
 * filled) gets Prism's own 405 problem, which no other server would send, so a port taken by
 * someone else never counts.
 */
function prismAnswers(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpGet({ host, port, path, agent: false, timeout: 1_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 405 && body.includes('stoplight.io/prism/errors')));
      response.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * Starts one Prism process on a concrete port and resolves when it answers.
 * Rejects with PortInUse when the port is taken, or with Prism's last output when it dies.
 */
function launch(bin: string, spec: string, probe: string, operation: string, maskPath: (path: string) => string, host: string, port: number, options: MockOptions): Promise<Attempt> {
  // Quiet: -v error, measured 2-3x the requests per second of -v info; readiness is then polled,
  // since Prism logs "listening" at info level. Not quiet: -v info, whose request log says which
  // rule a request broke (Prism's 400 body is a fixed example), and whose "listening" line says ready.
  const quiet = options.quiet !== false;
  // The hook reports the answers Prism gives without logging them (a body that is not JSON).
  const args = [...(quiet ? [] : ['--require', join(here, 'prism-hook.cjs')]), bin, 'mock', spec, '-h', host, '-p', String(port), '-v', quiet ? 'error' : 'info'];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Set either way, so that a value in the caller's environment cannot turn the hook's form lines on.
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', PRISM_HOOK_FORM_NOTE: options.formNote ? '1' : '' },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': by then every line Prism wrote has been read.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const log = quiet ? undefined : (options.log ?? ((line: string) => console.log(line)));
  const compact = compactPrismLog(operation, maskPath, options.formNote);
  const recent: string[] = [];
  let ready = false;

  return new Promise<Attempt>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Prism did not start listening on ${formatUrl(host, port)} within ${timeoutMs} ms`));
    }, timeoutMs);

    const becomeReady = () => {
      if (ready || child.exitCode !== null || child.signalCode !== null) return;
      ready = true;
      clearTimeout(timer);
      resolve({ child, exited });
    };
    if (quiet) {
      const poll = async () => {
        while (!ready && child.exitCode === null && child.signalCode === null) {
          if (await prismAnswers(host, port, probe)) becomeReady();
          else await new Promise((r) => setTimeout(r, 50));
        }
      };
      void poll();
    }

    const onLine = (raw: string) => {
      const line = stripAnsi(raw).trimEnd();
      if (!line) return;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      if (!ready && /Prism is listening on /.test(line)) {
        becomeReady();
        return;
      }
      if (ready && log) {
        const out = compact(line);
        if (out) log(out);
      }
    };
    // Always read both streams: an unread pipe fills up and stalls Prism.
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          onLine(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
        }
      });
    }
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run Prism (${process.execPath} ${bin}): ${error.message}`));
    });
    void exited.then(({ code, signal }) => {
      if (ready) return;
      clearTimeout(timer);
      // On a start-up failure Prism prints its usage text, then the error itself last.
      if (recent.some((line) => line.includes('EADDRINUSE'))) reject(new PortInUse(host, port));
      else reject(new Error(`Prism exited (${signal ?? `code ${code}`}) before it was ready: ${recent.slice(-1)[0] ?? 'no output'}`));
    });
  });
}

/**
 * Starts the Prism mock and resolves once it answers. Port 0 (the default) picks a free port:
 * Prism is given a concrete port, so that its reload when the contract file changes keeps the URL.
 */
export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  const host = options.host ?? '127.0.0.1';
  const wanted = options.port ?? 0;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) throw new RangeError(`port: expected an integer from 0 to 65535, found ${String(wanted)}`);
  const bin = prismBin();
  const contract = mockedContract(options.contract);
  const spec = contractPath(contract.id);
  const operation = mockedOperation(contract)!;
  // Any value fills a path parameter: Prism cannot tell one id from another.
  const probe = operation.path.replace(/\{[^}]+\}/g, 'x');
  // A secret in the path (the URL is the credential) is masked in the request log, as everywhere.
  const secretSegments = contract.auth === 'path-secret' ? operation.path.split('/').flatMap((segment, i) => (/^\{[^}]+\}$/.test(segment) ? [i] : [])) : [];
  const maskPath = (path: string): string => {
    if (secretSegments.length === 0) return path;
    const [pathname = '', query] = path.split(/\?(.*)/s);
    const segments = pathname.split('/');
    for (const i of secretSegments) if (segments[i] !== undefined && segments[i] !== '') segments[i] = maskToken(segments[i]!);
    return `${segments.join('/')}${query === undefined ? '' : `?${query}`}`;
  };

  let attempt: Attempt | undefined;
  let port = wanted;
  // A port picked here can be taken by someone else before Prism binds it: try another.
  for (let tries = 1; !attempt; tries++) {
    port = await freePort(host, wanted);
    try {
      attempt = await launch(bin, spec, probe, `${operation.method.toUpperCase()} ${operation.path}`, maskPath, host, port, options);
    } catch (error) {
      if (!(error instanceof PortInUse) || wanted !== 0 || tries >= 5) throw error;
    }
  }

  const { child, exited } = attempt;
  // If the caller's process exits without stop(), do not leave Prism behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  return {
    url: formatUrl(host, port),
    port,
    contract: { id: contract.id, method: operation.method.toUpperCase(), path: operation.path },
    pid: child.pid ?? -1,
    exited,
    stop: childStopper(child, exited),
  };
}
