/**
 * One sandbox per data folder, with a lock the kernel releases when its holder dies.
 *
 * Why not a pid file: a pid says nothing about whether its process still holds the folder. A
 * killed sandbox stays a zombie (its pid alive to `kill(pid, 0)`) until its parent reaps it,
 * and a container reuses pids; measured, 4 restarts in 6 right after a SIGKILL were refused.
 * Node has no flock(2), and the packages that bring it are native add-ons.
 *
 * So each sandbox holds a listening Unix domain socket in the data folder, named
 * `sandbox.lock.<random>`. The kernel closes it when the process dies, however it dies: a
 * connection to it is then refused, and the name is a leftover that the next start removes.
 * A live holder accepts the connection and answers with its pid and URL, for the message.
 *
 * Taking the lock (the race of two starting at once, even over a leftover, is safe):
 * 1. register: listen on a temporary name, then rename it to `sandbox.lock.<random>`, so the
 *    registered name is listening from the moment it exists (between bind and listen, a
 *    connection is refused as if the holder were dead);
 * 2. look at every other registered name: refused means dead, and that name is removed (it is
 *    unique to its dead owner, so no live one can be removed by mistake);
 * 3. no other live one: the lock is held. A live holder: refused, with its pid and URL. Only
 *    others still starting: the one with the smallest name looks again a moment later, the
 *    others withdraw and start again after a random moment.
 * Two holders at once would need each to have looked before the other registered, and each
 * registers before it looks: impossible. A holder that is releasing its socket, or dying,
 * closes connections without an answer: it does not count.
 *
 * A socket's path is limited to 107 bytes (103 on macOS and the BSDs), and Node silently cuts
 * a longer one. When the data folder's path is too long, the sockets live in the system's temp
 * folder instead, named by a hash of the data folder's real path; `fallbackDir` says so.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'sandbox.lock.';
const TEMP = '.tmp';
/** How long a live holder may take to say who it is (its event loop may be busy opening a large store). */
const ANSWER_MS = 1000;
/** How long sandboxes starting at the same moment on one folder may take to settle which one holds it. */
const GIVE_UP_MS = 5000;
/** A temporary name is renamed within microseconds; one this old was left by a kill. */
const STALE_TEMP_MS = 10_000;
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/** The folder is in use, or the lock cannot be taken: the message says which and what to do. */
export class LockError extends Error {}

/** What a holder answers on its socket. */
interface Answer {
  pid: number;
  state: 'starting' | 'holding';
  url?: string;
}

/** Another registered sandbox that is alive; `answer` undefined: it did not say who it is. */
interface Peer {
  path: string;
  answer: Answer | undefined;
}

export class FolderLock {
  /** Set once the sandbox listens: told to a second sandbox that is refused. */
  url: string | undefined;
  /** The lock's own socket. */
  readonly path: string;
  /** The temp folder holding the lock when the data folder's path is too long; undefined otherwise. */
  readonly fallbackDir: string | undefined;
  private state: Answer['state'] = 'starting';
  private released = false;
  private readonly server: Server;

  private constructor(place: Place) {
    this.path = join(place.dir, `${place.prefix}${randomBytes(8).toString('hex')}`);
    this.fallbackDir = place.fallback ? place.dir : undefined;
    this.server = createServer((socket: Socket) => {
      const answer: Answer = { pid: process.pid, state: this.state, ...(this.url ? { url: this.url } : {}) };
      socket.on('error', () => {});
      socket.end(`${JSON.stringify({ sandbox: 'converge-webhook', ...answer })}\n`);
    });
    // The lock never keeps a process alive by itself.
    this.server.unref();
  }

  /** Takes the lock of `dataDir` (an existing folder), or throws LockError. */
  static async acquire(dataDir: string): Promise<FolderLock> {
    const place = lockPlace(dataDir);
    const giveUpAt = Date.now() + GIVE_UP_MS;
    let starting: Peer | undefined;
    while (Date.now() < giveUpAt) {
      const lock = new FolderLock(place);
      await lock.register();
      for (;;) {
        let live: Peer[];
        try {
          live = await lock.others(place);
        } catch (error) {
          lock.release();
          throw error;
        }
        if (live.length === 0) {
          lock.state = 'holding';
          return lock;
        }
        const holder = live.find((peer) => peer.answer?.state !== 'starting');
        if (holder) {
          lock.release();
          throw new LockError(inUse(dataDir, holder));
        }
        // Only others starting too: the one with the smallest name goes on, the others withdraw.
        starting = live[0];
        if (live.some((peer) => peer.path < lock.path) || Date.now() >= giveUpAt) break;
        // The smallest waits for the others to withdraw (or to hold, if they looked before it registered).
        await sleep(5 + Math.random() * 10);
      }
      lock.release();
      await sleep(20 + Math.random() * 40);
    }
    throw new LockError(
      `data folder ${dataDir}: expected a folder no other sandbox uses, found another sandbox starting on it at the same moment` +
        ` (process ${starting?.answer?.pid}); try again once it is up, or use another --data folder`,
    );
  }

  /** Releases the lock (synchronously, so that the store's close() stays synchronous). Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    remove(this.path);
    this.server.close();
  }

  /** Listens on a temporary name and renames it into place: the registered name is always listening. */
  private async register(): Promise<void> {
    const temp = `${this.path}${TEMP}`;
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(temp, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw new LockError(`cannot create the lock socket ${temp}: ${reason(error)}${this.fallbackDir ? '' : ' (the data folder must be on a file system that holds Unix sockets)'}`);
    }
    try {
      renameSync(temp, this.path);
    } catch (error) {
      this.released = true;
      this.server.close();
      throw new LockError(`cannot create the lock socket ${this.path}: ${reason(error)}`);
    }
  }

  /** The other registered sandboxes that are alive; removes the names of dead ones. */
  private async others(place: Place): Promise<Peer[]> {
    let names: string[];
    try {
      names = readdirSync(place.dir);
    } catch (error) {
      throw new LockError(`cannot read the lock folder ${place.dir}: ${reason(error)}`);
    }
    const found = await Promise.all(
      names
        .filter((name) => name.startsWith(place.prefix))
        .map(async (name): Promise<Peer | undefined> => {
          const path = join(place.dir, name);
          if (path === this.path || path === `${this.path}${TEMP}`) return undefined;
          if (name.endsWith(TEMP)) {
            // Another start between bind and rename, or a leftover of one killed right there.
            if (isOldLeftover(path) && (await ask(path)) === 'dead') remove(path);
            return undefined;
          }
          const answer = await ask(path);
          if (answer === 'dead') remove(path);
          if (answer === 'dead' || answer === 'closing') return undefined;
          return { path, answer: answer === 'silent' ? undefined : answer };
        }),
    );
    return found.filter((peer): peer is Peer => peer !== undefined);
  }
}

interface Place {
  dir: string;
  prefix: string;
  fallback: boolean;
}

/** Where the lock sockets of `dataDir` live: in it, or (path too long) in the temp folder. */
function lockPlace(dataDir: string): Place {
  // The real path decides, so that every spelling of the folder finds the same lock.
  let real: string;
  try {
    real = realpathSync(dataDir);
  } catch (error) {
    throw new LockError(`cannot resolve the data folder ${dataDir}: ${reason(error)}`);
  }
  const longest = (dir: string, prefix: string) => Buffer.byteLength(join(dir, `${prefix}${'x'.repeat(16)}${TEMP}`));
  if (longest(real, PREFIX) <= MAX_SOCKET_PATH) return { dir: real, prefix: PREFIX, fallback: false };
  const dir = join(tmpdir(), `converge-webhook-sandbox-${process.getuid?.() ?? 'user'}`);
  const prefix = `${createHash('sha256').update(real).digest('hex').slice(0, 16)}.lock.`;
  if (longest(dir, prefix) > MAX_SOCKET_PATH) {
    throw new LockError(`cannot place the lock of ${dataDir}: its path and the temp folder ${dir} are both longer than a Unix socket path allows (${MAX_SOCKET_PATH} bytes)`);
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LockError(`cannot create the lock folder ${dir}: ${reason(error)}`);
  }
  return { dir, prefix, fallback: true };
}

/**
 * Connects to a registered socket. `dead`: refused or gone, nobody listens on it any more.
 * `closing`: it accepted, then closed without an answer: its owner is releasing it (or dying),
 * so it does not hold the lock. `silent`: connected, but no answer in time (a busy event loop):
 * alive, and it may hold the lock.
 */
function ask(path: string): Promise<Answer | 'dead' | 'closing' | 'silent'> {
  return new Promise((resolve) => {
    let text = '';
    let connected = false;
    const socket = connect(path);
    const done = (result: Answer | 'dead' | 'closing' | 'silent') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('silent'), ANSWER_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => (connected = true));
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 4096) done('silent');
    });
    socket.on('end', () => done(parseAnswer(text) ?? 'closing'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected) done('closing');
      // A full backlog (EAGAIN) is a live holder too busy to accept.
      else done(['ECONNREFUSED', 'ENOENT', 'ENOTSOCK'].includes(error.code ?? '') ? 'dead' : error.code === 'ECONNRESET' ? 'closing' : 'silent');
    });
  });
}

function parseAnswer(text: string): Answer | undefined {
  try {
    const value = JSON.parse(text) as Partial<Answer> & { sandbox?: unknown };
    if (value.sandbox !== 'converge-webhook' || !Number.isSafeInteger(value.pid) || (value.state !== 'starting' && value.state !== 'holding')) return undefined;
    return { pid: value.pid!, state: value.state, ...(typeof value.url === 'string' ? { url: value.url } : {}) };
  } catch {
    return undefined;
  }
}

function inUse(dataDir: string, holder: Peer): string {
  const answer = holder.answer;
  const who =
    answer === undefined
      ? `it did not say which within ${ANSWER_MS / 1000} s`
      : `${answer.pid === process.pid ? 'in this process' : `process ${answer.pid}`}${answer.url ? `, listening on ${answer.url}` : ''}`;
  return `data folder ${dataDir}: expected a folder no other sandbox uses, found it in use by another sandbox (${who}; its lock is ${holder.path}); stop that sandbox, or use another --data folder`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isOldLeftover(path: string): boolean {
  try {
    return Date.now() - lstatSync(path).mtimeMs > STALE_TEMP_MS;
  } catch {
    return false;
  }
}

function remove(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Another start removed it first.
  }
}

/** A system error in one line: its code and its message without the code repeated (the store's messages use it too). */
export function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e && typeof e.code === 'string' ? `${e.code} (${e.message.replace(/^\w+: /, '')})` : String(error instanceof Error ? error.message : error);
}
