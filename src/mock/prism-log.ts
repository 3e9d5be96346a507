/**
 * Turns Prism's verbose request log (about ten lines per request) into one line per request,
 * plus one line per rule the request broke. The violations matter: Prism's 400 body is the
 * contract's static example, so its log (and the `sl-violations` header) is the only place
 * that says what was actually wrong.
 *
 * Prism's log lines look like (colours off):
 *   [6:35:45 AM] › [HTTP SERVER] post /the/operation/path ℹ  info      Request received
 *   [6:35:45 AM] ›     [NEGOTIATOR] ℹ  info      > Responding with "400"
 *   [6:35:45 AM] ›     [VALIDATOR] ✖  error     Violation: request.body.items Request body property items must NOT ...
 * A body that is not JSON is answered before that log: prism-hook.cjs reports it, as
 *   [prism-hook] POST /the/operation/path 400 invalid_json Invalid JSON
 */
/** What prism-hook.cjs writes for an answer Prism gives before its request log (a body that is not JSON). */
const UNLOGGED = /^\[prism-hook\] ([A-Z]+) (\S+) (\d+) ([a-z_]+) (.*)$/;
const FORM_REQUEST = /^\[prism-hook-form\] /;
const LINE = /\[([A-Z][A-Z ]*)\]\s+(?:([a-z]+) (\/\S*) )?\S+\s+([a-z]+)\s+(.*)$/;

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/**
 * Returns a function mapping one Prism log line to a compact line, or undefined to drop it.
 * `operation` names requests before Prism has logged one; `maskPath` hides a secret in a path;
 * `formNote` is added to the line of each answer to a form body (what Prism did not check of it).
 */
export function compactPrismLog(operation = 'POST', maskPath: (path: string) => string = (path) => path, formNote?: string): (line: string) => string | undefined {
  // Requests are logged in arrival order; with concurrent requests the pairing of a response
  // with the last request received can be wrong, which is acceptable for a human-facing log.
  // `operation`: what a line says before Prism has logged a request ("POST /the/operation/path").
  let request = operation;
  // A form request announced by prism-hook.cjs: the line of its answer says what Prism did not check.
  let form = false;
  return (line) => {
    if (FORM_REQUEST.test(line)) {
      form = formNote !== undefined;
      return undefined;
    }
    const unlogged = UNLOGGED.exec(line);
    if (unlogged) {
      const [, method, path, status, code, message] = unlogged;
      return `${clock()}  ${method} ${maskPath(path!)}  -> ${status}  (Prism's ${code} answer: ${message})`;
    }
    const match = LINE.exec(line);
    if (!match) return undefined;
    const [, source, method, path, level, message = ''] = match;
    if (source === 'HTTP SERVER' && method && path) {
      request = `${method.toUpperCase()} ${maskPath(path)}`;
      const failed = /^Request terminated with error: (?:https:\/\/stoplight\.io\/prism\/errors#)?(.*)$/.exec(message);
      return failed ? `${clock()}  ${request}  -> Prism error ${failed[1]}` : undefined;
    }
    const responding = /^> Responding with "(\d+)"/.exec(message);
    if (responding) {
      const note = form ? `  (${formNote})` : '';
      form = false;
      return `${clock()}  ${request}  -> ${responding[1]}${note}`;
    }
    const violation = /^Violation: (\S+) (.*)$/.exec(message);
    if (violation) return `          ${violation[1]}: ${violation[2]}`;
    // Reloads after the contract file changed, and anything fatal.
    if (source === 'CLI' && (level === 'fatal' || level === 'error' || /Restarting|Loading the updated|terribly wrong/.test(message))) return `prism: ${message}`;
    return undefined;
  };
}
