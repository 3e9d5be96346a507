/**
 * query-md5: the sender appends its account code and a digest of that code and a shared key to
 * the query (`?<account>=...&<digest>=md5(<account>:<key>)`). The digest's formula, its
 * parameter names (`auth.parameter`, `auth.accountParameter`) and the refusal codes are
 * contract.yaml `auth` data; the check is src/hash/query-digest.ts's verifyQueryDigest
 * (constant time in the digest). The digest is the same on every delivery and
 * covers nothing of the body: it proves the sender knew it, no more.
 */
import { randomBytes } from 'node:crypto';

import { maskToken } from '../../endpoint.js';
import { formulaNames, queryDigest, verifyQueryDigest, type DigestFormula } from '../../hash/query-digest.js';
import { fingerprint, hashToken } from '../http.js';
import type { Auth, AuthOptions, AuthSpec } from './types.js';

export function queryMd5(spec: AuthSpec, options: AuthOptions): Auth {
  const digestName = spec.parameter;
  const accountName = spec.accountParameter;
  const formula = spec.formula as DigestFormula | undefined;
  if (!digestName || !accountName || !formula) throw new TypeError('auth query-md5: expected auth.parameter, auth.accountParameter and auth.formula');
  const codes = spec.refuse?.codes ?? {};
  const status = spec.refuse?.status ?? 401;
  // The account: one value per placeholder of the formula (the account code and the key).
  const account: Record<string, string> = {};
  for (const name of formulaNames(formula)) {
    const chosen = options.secrets?.[name];
    if (chosen !== undefined && (chosen === '' || /[\u0000-\u001f\u007f]/.test(chosen))) {
      throw new TypeError(`${name}: expected a non-empty text without control characters, found ${chosen === '' ? 'an empty string' : 'control characters'}`);
    }
    account[name] = chosen ?? (name === accountName ? randomBytes(4).toString('hex') : randomBytes(18).toString('base64url'));
  }
  if (account[accountName] === undefined) throw new TypeError(`auth query-md5: the formula has no {${accountName}} placeholder`);
  const digest = queryDigest(formula, account);
  const principal = fingerprint(hashToken(digest));
  const parameters = { digest: digestName, equal: [accountName] };
  const refused = (code: string | undefined, shown: string, name: string, detail: string) => ({
    ok: false as const,
    shown,
    problem: { title: 'Unauthorized', status, detail, violations: [{ code: code ?? 'unauthorized', in: 'query', name, message: detail }] },
  });
  return {
    type: 'query-md5',
    label: 'secret',
    // The account code is no secret (it is in every delivery's URL and body); the key is.
    secrets: Object.fromEntries(Object.entries(account).filter(([name]) => name !== accountName)),
    account,
    principals: { '': principal },
    mask: maskToken,
    query: { [accountName]: account[accountName]!, [digestName]: digest },
    check(request) {
      const query = new URLSearchParams(request.query);
      const presented = { [digestName]: query.get(digestName) ?? undefined, [accountName]: query.get(accountName) ?? undefined };
      // The one comparison that decides; the branches below only name the refusal.
      if (verifyQueryDigest(formula, parameters, presented, account)) return { ok: true, principal, shown: maskToken(digest) };
      if (!presented[digestName]) return refused(codes.missing, 'none', digestName, `The ${digestName} query parameter is missing: the sender appends it to the URL on every delivery.`);
      if (presented[accountName] !== account[accountName]) {
        return refused(codes.account, 'wrong', accountName, `The ${accountName} query parameter is not this receiver's account (the delivery may be another account's).`);
      }
      return refused(codes.mismatch, 'wrong', digestName, `The ${digestName} query parameter does not match the digest of this account's ${accountName} and key.`);
    },
  };
}
