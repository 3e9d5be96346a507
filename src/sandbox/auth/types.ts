/**
 * How a sandbox tells its senders apart from everyone else: one module per contract auth type
 * (Prism keeps its security handlers in a registry keyed by scheme; so does this). A contract's
 * contract.yaml names the type and its parameters (`auth:`); the sandbox holds the secrets.
 */
import type { Problem } from '../http.js';

/** The request as auth sees it: headers, and the path parameters of the operation's template. */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Path parameters matched from the template (decoded). */
  parameters: Record<string, string>;
  /** The query string, without "?". */
  query: string;
}

export type AuthResult =
  /** `operation`: the operation the secret belongs to, when the secret decides it (path-secret). */
  | { ok: true; principal: string; shown: string; operation?: string }
  | { ok: false; problem: Problem; shown: string };

export interface Auth {
  readonly type: string;
  /** Its word for the secret in log lines: token, secret. */
  readonly label: string;
  /** Checks a request in constant time in the secret's value. */
  check(request: AuthRequest): AuthResult;
  /** The secrets, for the start-up block only (shown once), by operation id ('' when one secret serves all). */
  readonly secrets: Readonly<Record<string, string>>;
  /** The fingerprint of each secret (what a stored delivery keeps), by the same keys. */
  readonly principals: Readonly<Record<string, string>>;
  /** A secret as printed after start-up. */
  mask(secret: string): string;
  /** How a sender presents the secret, for the empty Logs page ("with the header X (...)"); none when the URL carries it. */
  readonly hint?: string;
  /** The query parameters a sender appends to every URL (query-md5: the account code and the digest). */
  readonly query?: Readonly<Record<string, string>>;
  /** Every value the auth was given or chose, secret or not (query-md5: the account code and the key), by the keys of AuthOptions.secrets. */
  readonly account?: Readonly<Record<string, string>>;
}

/** What contract.yaml says under `auth:`. */
export interface AuthSpec {
  type: string;
  header?: string;
  parameter?: string;
  /** codes (query-md5): the violation code of each refusal, from the contract's code table. */
  refuse?: { status?: number; codes?: { missing?: string; account?: string; mismatch?: string } };
  generate?: string;
  accountParameter?: string;
  /** query-md5: how the digest is computed (src/hash/query-digest.ts). */
  formula?: unknown;
}

export interface AuthOperation {
  id: string;
  /** Whether the operation takes a body. */
  body: 'required' | 'none';
}

export interface AuthOptions {
  /**
   * The secrets the caller chose, by operation id ('' for a secret shared by all; query-md5: by
   * the formula's placeholder names, the account's values); random otherwise.
   */
  secrets?: Record<string, string | undefined>;
  operations: readonly AuthOperation[];
}
