/**
 * The shape of the rules `converge-webhook verify` judges a receiver by: each with its level and
 * its source. A **failure** breaks a contract rule (what the vendor documents, or what a sender
 * cannot work with otherwise) and fails the run; a **deviation** leaves a recommendation of this
 * package unfollowed (our decision where the vendor is silent): it is listed and counted, and
 * fails the run only under `--strict`. Each contract's table is data (contract-rules.ts).
 */

export type Level = 'failure' | 'deviation';

export interface Rule {
  level: Level;
  /** The rule, said as what a correct implementation does. */
  title: string;
  /** Who decided it: the vendor's words, or our decision and why. */
  source: string;
}

/** One rule that one answer broke (a failure) or left unfollowed (a deviation). */
export interface Finding {
  /** A rule id of the contract's table (contract-rules.ts). */
  rule: string;
  level: Level;
  /** Why, for people: what was expected and what came back. */
  reason: string;
  /**
   * What the report groups by inside the rule, so that one block is one thing to fix: the
   * violation code of an invalid body that was accepted, the status that came back, ...
   */
  topic: string;
}
