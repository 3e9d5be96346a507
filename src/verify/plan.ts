/**
 * What a check of `converge-webhook verify` is: pure data, built from a contract's data by
 * contract-plan.ts, sent as it is by the Dredd hooks (dredd-hooks.cjs), and judged by judge.ts.
 */
import type { WireRequest } from './auth-checks.js';

export type CheckGroup =
  | 'valid-examples'
  | 'invalid-examples'
  /** The auth negatives of a header-token auth ("token checks"); any other auth's are 'auth'. */
  | 'token'
  | 'auth'
  | 'replay'
  | 'media-types'
  | 'body-limit'
  | 'generated-valid-bodies'
  | 'generated-invalid-bodies';

/** Group names for people, in the order the groups run. */
export const GROUP_LABELS: Record<CheckGroup, string> = {
  'valid-examples': 'valid examples',
  'invalid-examples': 'invalid examples',
  token: 'token checks',
  auth: 'auth checks',
  replay: 'replayed delivery',
  'media-types': 'media types',
  'body-limit': 'body limit',
  'generated-valid-bodies': 'generated valid bodies',
  'generated-invalid-bodies': 'generated invalid bodies',
};

/** What a request must not be accepted for: each kind has its contract rule and its recommendations (contract-rules.ts). */
export type Refusal = 'invalid-body' | 'bad-credentials' | 'media-type';

export type Expectation =
  | { kind: 'accepted' }
  /** `status`: the recommended status, from the contract's data (the manifest, auth.refuse, the code table). */
  | { kind: 'refused'; refusal: Refusal; status?: number }
  /** Described, never sent (the body limit): what this contract recommends. */
  | { kind: 'not-checked'; recommended: string };

export interface PlannedCheck {
  /** Unique within a run; Dredd's transaction name and id. */
  id: string;
  group: CheckGroup;
  summary: string;
  /** The example file or the generator's mutation, when there is one. */
  source?: string;
  /** For bodies that break one contract rule: the violation code the contract's engine gives... */
  breaks?: string;
  /** ...and its JSON pointer ("" for the body itself). */
  breaksAt?: string;
  /** The operation it goes to. */
  operation?: string;
  /** What the request carried of the credentials, for the report. */
  authShown?: string;
  /** What was accepted, in words, for an auth negative whose `authShown` does not read well after "a request with". */
  authAccepted?: string;
  /** The request exactly as sent. */
  wire?: WireRequest;
  request: {
    /** '' when no Content-Type header is sent. */
    contentType: string;
    /** How the credentials are sent: 'valid', or an auth negative's `use`. */
    token: string;
    /** The body as sent. */
    body: string;
  };
  expect: Expectation;
  /** Not sent, and why. */
  skip?: string;
}
