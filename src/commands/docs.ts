/**
 * `converge-webhook docs`: where a contract's reference page is (one self-contained HTML file,
 * built by scripts/docs.ts with Redocly), served on loopback or opened in a browser on request.
 * Also the one list of the contracts that have a page, shared with scripts/docs.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { CheckFailed, listenForStop, parseCommandArgs, parsePort, UsageError } from '../cli-support.js';
import { readRegistry } from '../registry.js';
import { packageRoot } from '../verify/verify.js';

export interface DocsContract {
  /** The id used by --contract and in generated/<id>/. */
  id: string;
  /** The hand-written OpenAPI document, relative to the package root. */
  source: string;
  /** Its bundled JSON, relative to the package root, when `npm run generate` writes one. */
  bundle: string;
}

/**
 * The contracts that get a reference page: every contract of the registry
 * (generated/contracts.json, which lists spec/<id>/ as found on disk), the default first.
 */
export function listContracts(root: string = packageRoot()): DocsContract[] {
  return readRegistry(root).contracts.map((c) => ({ id: c.id, source: c.source, bundle: c.openapi.json }));
}

/** Where a contract's page is written, relative to the output folder (generated/ by default). */
export function docsPagePath(id: string): string {
  return `${id}/docs/index.html`;
}

/**
 * What the mock's and the sandbox's start-up blocks print for the reference: the page's file
 * URL when it is there and up to date, else the command that builds and serves it. Never throws.
 */
export function docsHint(id: string): string {
  try {
    const root = packageRoot();
    const contract = listContracts(root).find((c) => c.id === id);
    const page = contract && findPage(root, contract);
    if (page?.fresh) return pathToFileURL(page.path).href;
  } catch {
    // Whatever went wrong, the command still finds (or builds) the page.
  }
  return `npx converge-webhook docs --contract ${id} --serve`;
}

function usage(ids: string[]): string {
  return `Usage: converge-webhook docs [--contract ID] [--open] [--serve] [--port P] [--json]

Prints the path of a contract's reference page: one self-contained HTML file (Redoc), with
the whole contract and its examples inside, that works offline. In a checkout it is built
on first use (and rebuilt when the contract changed), with progress on stderr.

  --contract ID  ${ids.join(', ') || '(none found)'} (default ${ids[0] ?? '(none)'})
  --serve        serve it on http://127.0.0.1 (a free port, or --port) until Ctrl-C
  --port N       the port for --serve (0 or absent: a free one)
  --open         open it in your browser (xdg-open, open or rundll32); when none can be
                 launched, says so and still prints the path
  --json         print one JSON object ({"event":"listening",...} lines with --serve)

Exit codes: 0 ok, 1 the page could not be built, 2 usage error.`;
}

/** The newest modification time of a file, or of any file below a folder. */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/**
 * Where a contract's page is, whether it exists and is up to date, and how to build it. In a
 * checkout (scripts/docs.ts is there) a page older than what it is built from (the bundle when
 * there is one, else the contract's folder; and the script) is stale. An installed package
 * carries its pages (npm pack builds them) and cannot build them.
 */
function findPage(root: string, contract: DocsContract): { path: string; fresh: boolean; script?: string } {
  const path = join(root, 'generated', docsPagePath(contract.id));
  const script = join(root, 'scripts/docs.ts');
  if (!existsSync(script)) return { path, fresh: existsSync(path) };
  if (!existsSync(path)) return { path, fresh: false, script };
  const inputs = [script, existsSync(join(root, contract.bundle)) ? join(root, contract.bundle) : join(root, contract.source, '..')];
  return { path, fresh: statSync(path).mtimeMs >= Math.max(...inputs.map(newest)), script };
}

/** The page of a contract, built first (in a checkout) when it is missing or stale. */
function ensurePage(root: string, contract: DocsContract): string {
  const { path, fresh, script } = findPage(root, contract);
  if (fresh) return path;
  if (!script) {
    throw new CheckFailed(`the reference page of "${contract.id}" is not in this package (expected ${path}); it was packed without running "npm run docs"`);
  }
  let tsx: string;
  try {
    tsx = createRequire(join(root, 'package.json')).resolve('tsx/cli');
  } catch {
    throw new CheckFailed(`the reference page of "${contract.id}" needs building, and tsx is not installed: run "npm ci" in ${root}`);
  }
  // The script's progress goes to our stderr; stdout stays ours (--json).
  const built = spawnSync(process.execPath, [tsx, script, '--contract', contract.id], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0 || !existsSync(path)) {
    throw new CheckFailed(`building the reference page of "${contract.id}" failed (npm run docs -- --contract ${contract.id}; its messages are above)`);
  }
  return path;
}

/** How this platform opens a URL in the user's browser, or why it cannot. */
function opener(url: string): { command: string; args: string[] } | { problem: string } {
  if (process.platform === 'darwin') return { command: 'open', args: [url] };
  // rundll32 rather than `cmd /c start`: no shell, so nothing in the URL needs quoting.
  if (process.platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { problem: 'no graphical session here (DISPLAY and WAYLAND_DISPLAY are not set)' };
  return { command: 'xdg-open', args: [url] };
}

/**
 * Asks the platform to open a URL. Resolves to undefined once it is launched, or to the plain
 * reason it could not be: never throws. An opener still running after two seconds (xdg-open
 * can wait for the browser it started) counts as launched.
 */
function openInBrowser(url: string): Promise<string | undefined> {
  const how = opener(url);
  if ('problem' in how) return Promise.resolve(how.problem);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(how.command, how.args, { stdio: 'ignore', detached: true });
    } catch (error) {
      resolve(`${how.command} could not be started (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      resolve(undefined);
    }, 2000);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ENOENT' ? `${how.command} was not found on PATH` : `${how.command} failed (${error.message})`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? undefined : `${how.command} ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}`);
    });
  });
}

/** Serves the one page at / (Redoc routes within it by the URL's #fragment). */
function servePage(page: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/' && path !== '/index.html') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found: the reference is at /\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
      return;
    }
    let size: number;
    try {
      size = statSync(page).size;
    } catch {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The page is gone; run converge-webhook docs again.\n');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': size, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
    if (request.method === 'HEAD') response.end();
    else createReadStream(page).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    contract: { type: 'string' },
    open: { type: 'boolean' },
    serve: { type: 'boolean' },
    port: { type: 'string' },
    json: { type: 'boolean' },
  });
  const root = packageRoot();
  const contracts = listContracts(root);
  if (values.help) {
    console.log(usage(contracts.map((c) => c.id)));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`docs takes no file arguments, found "${positionals.join(' ')}"`);
  if (values.port !== undefined && !values.serve) throw new UsageError('--port needs --serve: the page itself is a file');
  const port = parsePort(values.port, 0);
  if (contracts.length === 0) throw new UsageError('no contract found: expected generated/contracts.json to list at least one, found none (run npm run generate)');
  const id = values.contract ?? contracts[0]!.id;
  const contract = contracts.find((c) => c.id === id);
  if (!contract) throw new UsageError(`--contract: expected one of ${contracts.map((c) => c.id).join(', ')}, found "${id}"`);

  const page = ensurePage(root, contract);
  const fileUrl = pathToFileURL(page).href;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const report = async (url: string) => {
    if (!values.open) return {};
    const problem = await openInBrowser(url);
    if (problem !== undefined && !values.json) console.error(`converge-webhook: could not open a browser: ${problem}. Open ${url} yourself.`);
    return problem === undefined ? { opened: true } : { opened: false, open_problem: problem };
  };

  if (!values.serve) {
    const opened = await report(fileUrl);
    out(values.json ? JSON.stringify({ contract: contract.id, path: page, url: fileUrl, ...opened }) : page);
    return 0;
  }

  const stop = listenForStop();
  try {
    let server: Server;
    try {
      server = await servePage(page, port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`--port: expected a free port, found ${port} on 127.0.0.1 already in use; pick another, or leave --port out for any free one`);
      throw error;
    }
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`;
    if (values.json) {
      const opened = await report(url);
      out(JSON.stringify({ event: 'listening', contract: contract.id, path: page, url, ...opened }));
    } else {
      out(`The ${contract.id} reference is served on ${url}\n  page      ${page}\nPress Ctrl-C to stop.`);
      await report(url);
    }
    const signal = await stop.wait();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    out(values.json ? JSON.stringify({ event: 'stopped', signal }) : `Stopped (${signal}).`);
    return 0;
  } finally {
    stop.dispose();
  }
}
