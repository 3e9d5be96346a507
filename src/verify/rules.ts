/**
 * The rules `converge-webhook verify` judges an implementation by, in one table: each with its
 * level and its source. A **failure** breaks a contract rule (what the vendor documents, or what
 * a sender cannot work with otherwise) and fails the run; a **deviation** leaves a
 * recommendation of this package unfollowed (our decision where the vendor is silent): it is
 * listed and counted, and fails the run only under `--strict`.
 */

export type Level = 'failure' | 'deviation';

export interface Rule {
  level: Level;
  /** The rule, said as what a correct implementation does. */
  title: string;
  /** Who decided it: the vendor's words, or our decision and why. */
  source: string;
}

export const RULES = {
  'accept-valid-events': {
    level: 'failure',
    title: 'A valid event is accepted with a 2xx',
    source: 'the vendor: Converge takes any event that has the documented fields, and flags Event Spec mismatches as Source Warnings instead of refusing them',
  },
  'refuse-invalid-events': {
    level: 'failure',
    title: 'An event that breaks a contract rule is refused with a 4xx',
    source: 'the vendor documents the rules; accepting such an event stores what cannot mean anything, and a 5xx or 429 would make the sender retry the same body forever',
  },
  'refuse-bad-tokens': {
    level: 'failure',
    title: 'A request without the token, or with a wrong one, is refused with a 4xx',
    source: 'the vendor: the X-Webhook-Token header says which source an event belongs to',
  },
  'refuse-non-json': {
    level: 'failure',
    title: 'A body that is not sent as application/json is refused with a 4xx',
    source: 'the vendor: events are sent as JSON',
  },
  'answer-at-the-endpoint': {
    level: 'failure',
    title: 'The endpoint exists: a request to it is not answered 404 or 405',
    source: 'the endpoint is /api/webhooks (the vendor); a 404 or 405 says the request went somewhere else (a wrong --url), so it is no refusal of the event',
  },
  'answer-every-request': {
    level: 'failure',
    title: 'Every request gets an answer',
    source: 'a sender cannot tell a lost request from a lost answer',
  },
  'bodies-match-the-contract': {
    level: 'deviation',
    title: "A JSON response body does not contradict the contract's response schema for its status",
    source:
      'our decision: the vendor documents no response body, so the types of their members (Accepted, ValidationProblem, Problem) are ours; a sender must not depend on a body, and failing a receiver for its own body would demand more than the vendor does (--strict fails it)',
  },
  'status-400-for-invalid-events': {
    level: 'deviation',
    title: 'An invalid event gets 400',
    source: 'our decision: the vendor documents no status codes; 400 is the usual answer to a body the server will not take',
  },
  'status-401-for-bad-tokens': {
    level: 'deviation',
    title: 'A missing or wrong token gets 401',
    source: 'our decision: RFC 9110 gives 401 for missing or bad credentials (403 is for credentials that are good but not allowed)',
  },
  'status-415-for-non-json': {
    level: 'deviation',
    title: 'A body that is not application/json gets 415',
    source: 'our decision: RFC 9110 gives 415 for a content type the endpoint does not take',
  },
  'validation-problem-body': {
    level: 'deviation',
    title: 'The refusal of an invalid event lists what to fix: a StrictValidationProblem body, {title, status, violations: [{code, pointer, message}, ...]}',
    source: 'our decision: the vendor documents no error body; RFC 9457 problem details with one violation per broken rule tell the sender what to fix',
  },
  'problem-body': {
    level: 'deviation',
    title: 'A refused token or content type gets a StrictProblem body, {title, status}',
    source: 'our decision: the vendor documents no error body; RFC 9457 problem details',
  },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

/** One rule that one answer broke (a failure) or left unfollowed (a deviation). */
export interface Finding {
  /** A RuleId of Converge's table, or a rule of a contract's (contract-rules.ts). */
  rule: RuleId | (string & {});
  level: Level;
  /** Why, for people: what was expected and what came back. */
  reason: string;
  /**
   * What the report groups by inside the rule, so that one block is one thing to fix: the
   * violation code of an invalid event that was accepted, the status that came back, ...
   */
  topic: string;
}

export function finding(rule: RuleId, reason: string, topic: string): Finding {
  return { rule, level: RULES[rule].level, reason, topic };
}
