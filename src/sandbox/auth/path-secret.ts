/**
 * path-secret: the secret is a path parameter (the URL is the credential). The sandbox holds
 * one secret per operation: the request's secret names its operation, since operations may
 * share one URL template. Every secret is compared, in constant time, whatever matches first.
 */
import { randomBytes } from 'node:crypto';

import { maskToken } from '../../endpoint.js';
import { fingerprint, hashToken, tokenMatches } from '../http.js';
import type { Auth, AuthOptions, AuthSpec } from './types.js';

/** A path segment as a sender can write it unescaped (RFC 3986 pchar, without "%" and ":" "@"). */
const SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=-]+$/;

function generated(kind: string | undefined): string {
  // hex32: the shape of the vendor's public samples; anything else gets a URL-safe random text.
  return kind === 'hex32' ? randomBytes(16).toString('hex') : randomBytes(24).toString('base64url');
}

export function pathSecret(spec: AuthSpec, options: AuthOptions): Auth {
  const parameter = spec.parameter;
  if (!parameter) throw new TypeError('auth path-secret: expected auth.parameter, found none');
  const status = spec.refuse?.status ?? 404;
  const secrets: Record<string, string> = {};
  for (const operation of options.operations) {
    const chosen = options.secrets?.[operation.id];
    if (chosen !== undefined && !SEGMENT.test(chosen)) {
      throw new TypeError(`${operation.id} id: expected one URL path segment (letters, digits, - . _ ~), found ${chosen === '' ? 'an empty string' : JSON.stringify(chosen.slice(0, 40))}`);
    }
    secrets[operation.id] = chosen ?? generated(spec.generate);
  }
  const ids = Object.keys(secrets);
  if (new Set(Object.values(secrets)).size !== ids.length) throw new TypeError(`the ids of ${ids.join(' and ')} must differ: each names its own webhook`);
  const hashes = ids.map((id) => [id, hashToken(secrets[id]!)] as const);
  // What a stored delivery keeps of the secret it came with: the start of its SHA-256, never the secret.
  const fingerprints = Object.fromEntries(hashes.map(([id, hash]) => [id, fingerprint(hash)]));
  return {
    type: 'path-secret',
    label: 'secret',
    secrets,
    principals: fingerprints,
    mask: maskToken,
    check(request) {
      const presented = request.parameters[parameter] ?? '';
      let operation: string | undefined;
      // No early exit: the time taken does not say which secret (if any) came close.
      for (const [id, hash] of hashes) if (tokenMatches(presented, hash) && operation === undefined) operation = id;
      if (operation === undefined) {
        return { ok: false, shown: 'unknown', problem: { title: 'Not Found', status, detail: `No webhook has this ${parameter}: use the URL printed when the sandbox started.` } };
      }
      return { ok: true, operation, principal: fingerprints[operation]!, shown: maskToken(secrets[operation]!) };
    },
  };
}
