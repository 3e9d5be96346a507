import type { ChildProcess } from 'node:child_process';

/**
 * A stop() for a server child process: SIGTERM, SIGKILL after `graceMs` if it has not exited,
 * resolved once it has; calling it again returns the same promise.
 */
export function childStopper(child: ChildProcess, exited: Promise<unknown>, graceMs = 5_000): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
    })();
    return stopping;
  };
}
