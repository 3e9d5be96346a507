/**
 * The requests that a contract's auth must refuse, one module per contract.yaml `auth.type` (as
 * the sandbox keeps its auth checks in src/sandbox/auth/): each turns a request that carries
 * the right credentials into ones that do not. The contract-driven plan (contract-plan.ts) sends
 * each with a valid body and expects a refusal, auth.refuse.status recommended.
 */
import { queryDigest, type DigestFormula } from '../hash/query-digest.js';
import type { AuthSpec } from '../sandbox/auth/types.js';
import type { Rng } from './cases.js';

/** A request as the Dredd hooks send it. */
export interface WireRequest {
  /** The receiver's origin (scheme, host, port): operations may live on different hosts. */
  origin?: string;
  method: string;
  /** The path, parameters substituted (percent-encoded). */
  path: string;
  /** The query string without "?", '' for none. */
  query: string;
  /** Header names as sent; Content-Type among them when one is sent. */
  headers: Record<string, string>;
  /** The body as sent, '' for none. */
  body: string;
}

/** One request the auth must refuse. */
export interface AuthNegative {
  /** Short and stable: part of the check's id. */
  use: string;
  summary: string;
  /** What the request carried, for the report ("webhook id: (unknown)"). */
  shown: string;
  /** What was accepted, said in words when `shown` does not read well after "a request with" ("a wrong token"). */
  accepted?: string;
  /** A wrong value of the credential, as against one missing: `--skip-wrong-token` leaves these out (a mock that never checks the value). */
  wrongValue?: boolean;
  request: WireRequest;
}

export interface AuthContext {
  spec: AuthSpec & { accountParameter?: string; formula?: DigestFormula };
  /** A request with the right credentials. */
  valid: WireRequest;
  /** The values of the path template's parameters in `valid`. */
  parameters: Record<string, string>;
  /** What the user gave: the token (header-token), the account's values by formula name (query-md5). */
  secrets: Record<string, string>;
  rng: Rng;
  /** What the report calls one body (contract.yaml verify.noun): "a valid event without ...". */
  noun?: string;
}

/** A wrong value as close to the real one as possible: the last character changed. */
export function lastCharacterChanged(value: string): string {
  const last = value.at(-1);
  return `${value.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
}

/** A value of the same shape (hex digits stay hex digits), drawn from the seed, and not the value. */
function sameShape(value: string, rng: Rng): string {
  const alphabet = /^[0-9a-f]+$/.test(value) ? '0123456789abcdef' : /^[0-9A-F]+$/.test(value) ? '0123456789ABCDEF' : 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (;;) {
    let out = '';
    for (let i = 0; i < Math.max(value.length, 8); i++) out += alphabet[rng.int(0, alphabet.length - 1)];
    if (out !== value) return out;
  }
}

function withHeaders(request: WireRequest, change: (headers: Record<string, string>) => void): WireRequest {
  const headers = { ...request.headers };
  change(headers);
  return { ...request, headers };
}

function withQuery(request: WireRequest, change: (query: URLSearchParams) => void): WireRequest {
  const query = new URLSearchParams(request.query);
  change(query);
  return { ...request, query: query.toString() };
}

function dropHeader(headers: Record<string, string>, name: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
}

function pathSecret({ spec, valid, parameters, rng }: AuthContext): AuthNegative[] {
  const name = spec.parameter!;
  const id = parameters[name];
  if (id === undefined) return [];
  const segment = encodeURIComponent(id);
  const at = valid.path.lastIndexOf(segment);
  const replaced = (other: string) => ({ ...valid, path: `${valid.path.slice(0, at)}${encodeURIComponent(other)}${valid.path.slice(at + segment.length)}` });
  return [
    { use: 'unknown-id', summary: `a valid body to an unknown ${name} (one of the same shape)`, shown: `${name}: (unknown)`, request: replaced(sameShape(id, rng)) },
    { use: 'id-last-character-changed', summary: `a valid body to the ${name} with its last character changed`, shown: `${name}: (last character changed)`, request: replaced(lastCharacterChanged(id)) },
  ];
}

function headerToken({ spec, valid, secrets, noun = 'body' }: AuthContext): AuthNegative[] {
  const header = spec.header!;
  const token = secrets.token ?? '';
  const set = (value: string | null) => withHeaders(valid, (h) => (dropHeader(h, header), value === null ? undefined : (h[header] = value)));
  return [
    { use: 'missing', summary: `a valid ${noun} without the ${header} header`, shown: `no ${header} header`, accepted: 'no token', request: set(null) },
    { use: 'empty', summary: `a valid ${noun} with an empty ${header} header`, shown: `${header}: (empty)`, accepted: 'an empty token', request: set('') },
    {
      use: 'wrong-last-character',
      summary: `a valid ${noun} with a wrong token (the last character changed)`,
      shown: `${header}: (wrong: last character changed)`,
      accepted: 'a wrong token',
      wrongValue: true,
      request: set(lastCharacterChanged(token)),
    },
    // A receiver that compares only as many characters as it expects takes the token with more after it.
    {
      use: 'wrong-extra-character',
      summary: `a valid ${noun} with a wrong token (the token with one character appended)`,
      shown: `${header}: (wrong: one character appended)`,
      accepted: 'a wrong token',
      wrongValue: true,
      request: set(`${token}0`),
    },
  ];
}

function queryMd5({ spec, valid, secrets }: AuthContext): AuthNegative[] {
  const secret = spec.parameter!;
  const license = spec.accountParameter!;
  const otherLicense = lastCharacterChanged(secrets[license] ?? '');
  const negatives: AuthNegative[] = [
    { use: 'missing-secret', summary: `a valid delivery without the ${secret} query parameter`, shown: `no ${secret}`, request: withQuery(valid, (q) => q.delete(secret)) },
    { use: 'empty-secret', summary: `a valid delivery with an empty ${secret}`, shown: `${secret}: (empty)`, request: withQuery(valid, (q) => q.set(secret, '')) },
    {
      use: 'wrong-secret',
      summary: `a valid delivery whose ${secret} has its last character changed`,
      shown: `${secret}: (wrong: last character changed)`,
      request: withQuery(valid, (q) => q.set(secret, lastCharacterChanged(q.get(secret) ?? ''))),
    },
  ];
  if (spec.formula) {
    // Another account's delivery, its secret right for that account: the receiver must check whose it is.
    const digest = queryDigest(spec.formula, { ...secrets, [license]: otherLicense });
    negatives.push({
      use: 'other-license-code',
      summary: `a delivery for another ${license}, with the ${secret} right for it`,
      shown: `${license}: (another account's), ${secret}: (right for it)`,
      request: withQuery(valid, (q) => (q.set(license, otherLicense), q.set(secret, digest))),
    });
  }
  return negatives;
}

/** What a request with the right credentials carries, for the report. */
export function validShown(spec: AuthSpec): string {
  switch (spec.type) {
    case 'path-secret':
      return `${spec.parameter}: (the receiver's)`;
    case 'header-token':
      return `${spec.header}: (the token)`;
    case 'query-md5':
      return `${spec.parameter}: (right)`;
    default:
      return '(the credentials)';
  }
}

/** The negatives of each auth type, keyed by contract.yaml `auth.type`. */
export const AUTH_NEGATIVES: Readonly<Record<string, (context: AuthContext) => AuthNegative[]>> = {
  'path-secret': pathSecret,
  'header-token': headerToken,
  'query-md5': queryMd5,
};

export function authNegatives(context: AuthContext): AuthNegative[] {
  const make = Object.hasOwn(AUTH_NEGATIVES, context.spec.type) ? AUTH_NEGATIVES[context.spec.type] : undefined;
  if (!make) throw new TypeError(`auth.type: expected one verify knows (${Object.keys(AUTH_NEGATIVES).join(', ')}), found "${context.spec.type}"`);
  return make(context);
}
