/**
 * The auth types a sandbox can serve, keyed by contract.yaml's `auth.type`: a new type is a
 * module here and a line below.
 */
import { headerToken } from './header-token.js';
import { pathSecret } from './path-secret.js';
import { queryMd5 } from './query-md5.js';
import type { Auth, AuthOptions, AuthSpec } from './types.js';

export type { Auth, AuthOptions, AuthRequest, AuthResult, AuthSpec } from './types.js';

export const AUTH_TYPES: Readonly<Record<string, (spec: AuthSpec, options: AuthOptions) => Auth>> = {
  'header-token': headerToken,
  'path-secret': pathSecret,
  'query-md5': queryMd5,
};

export function createAuth(spec: AuthSpec, options: AuthOptions): Auth {
  const make = Object.hasOwn(AUTH_TYPES, spec.type) ? AUTH_TYPES[spec.type] : undefined;
  if (!make) throw new TypeError(`auth.type: expected one the sandbox serves (${Object.keys(AUTH_TYPES).join(', ')}), found "${spec.type}"`);
  return make(spec, options);
}
