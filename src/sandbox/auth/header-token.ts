/**
 * header-token: every sender presents one token in a header (contract.yaml auth.header). Compared in
 * constant time through its SHA-256 (which hides its length too); printed masked after start-up.
 */
import { randomBytes } from 'node:crypto';

import { maskToken } from '../../endpoint.js';
import { fingerprint, hashToken, tokenMatches } from '../http.js';
import type { Auth, AuthOptions, AuthSpec } from './types.js';

/** A token is a header value: printable ASCII without spaces. */
export const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

export function headerToken(spec: AuthSpec, options: AuthOptions): Auth {
  const header = spec.header;
  if (!header) throw new TypeError('auth header-token: expected auth.header, found none');
  const token = options.secrets?.[''] ?? `sbx_${randomBytes(24).toString('base64url')}`;
  if (!TOKEN_PATTERN.test(token)) throw new TypeError('token: expected printable ASCII without spaces (a header value), found something else');
  const expectedHash = hashToken(token);
  const principal = fingerprint(expectedHash);
  const status = spec.refuse?.status ?? 401;
  const masked = maskToken(token);
  const name = header.toLowerCase();
  return {
    type: 'header-token',
    label: 'token',
    secrets: { '': token },
    principals: { '': principal },
    mask: maskToken,
    hint: `with the header ${header} (the token printed when the sandbox started, ${masked})`,
    check(request) {
      const presented = request.headers[name];
      if (presented === undefined || presented === '') {
        return { ok: false, shown: 'none', problem: { title: 'Unauthorized', status, detail: `The ${header} header is missing: send the token of this source.` } };
      }
      if (typeof presented !== 'string' || !tokenMatches(presented, expectedHash)) {
        return { ok: false, shown: 'wrong', problem: { title: 'Unauthorized', status, detail: `The ${header} header does not match the token of this source.` } };
      }
      return { ok: true, principal, shown: masked };
    },
  };
}
