/**
 * How every command names the endpoint and the token: one rule each, shared by `send`,
 * `verify`, `mock` and the sandbox (no `node:` import: plain strings and WHATWG URLs).
 */

/**
 * The token as it may be printed after start-up: its first 4 characters and `****` for a token
 * of 16 characters or more, only `****` for a shorter one (4 characters of a short token give
 * away too much of it). ASCII, so it looks the same in every terminal and log.
 */
export function maskToken(token: string): string {
  return token.length >= 16 ? `${token.slice(0, 4)}****` : '****';
}

/** A `--url` that cannot name an endpoint: the message says what was expected and what was found. */
export class EndpointUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointUrlError';
  }
}

/**
 * The endpoint a `--url` names. A URL without a path (http://127.0.0.1:4011, also with a query)
 * gets `defaultPath`, the contract's path (its default operation's); any path given, even "/",
 * is kept. The fragment is dropped (it is never sent). Credentials in the URL are refused: the
 * secret goes elsewhere (`secretHint` says where).
 * `defaultPath`: the path a URL without one gets (null: none, the URL is kept as given).
 */
export function resolveEndpointUrl(value: string, defaultPath: string | null, secretHint = 'the token goes in --token'): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EndpointUrlError(`--url: expected an http:// or https:// URL such as http://127.0.0.1:4011, found "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EndpointUrlError(`--url: expected an http:// or https:// URL, found the protocol "${url.protocol}" in "${value}"`);
  }
  if (url.username || url.password) throw new EndpointUrlError(`--url: expected a URL without user:password (${secretHint})`);
  if (defaultPath !== null && url.pathname === '/' && !value.split(/[?#]/)[0]!.endsWith('/')) url.pathname = defaultPath;
  url.hash = '';
  return url;
}
