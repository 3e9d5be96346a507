/**
 * The verdict on one answer of the implementation: the findings (failures and deviations) of
 * the contract's rules (contract-rules.ts), judged with its generated response validators.
 *
 * The line between the levels follows the published contract: what its OpenAPI document forbids
 * (a valid body refused, an invalid one accepted, a JSON body whose members contradict the
 * response schema of its status) is a failure; what it only recommends (a refusal's status and
 * body) is a deviation.
 */
import type { Expectation, PlannedCheck } from './plan.js';
import type { Finding } from './rules.js';

/** An error of a generated (ajv) response validator. */
export interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** A generated response validator. */
export type ValidateFunction = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** What came back. */
export interface Answer {
  status: number;
  /** The Content-Type header, '' when there is none. */
  contentType: string;
  /** The body as text: '' when there is none, null when it is binary. */
  text: string | null;
}

export function describeExpectation(expect: Expectation, profile: Pick<JudgeProfile, 'delivered' | 'refusal'>, check: PlannedCheck): string {
  if (expect.kind === 'accepted') return `${profile.delivered === undefined ? '2xx (accepted)' : `exactly ${profile.delivered} (delivered)`}; a JSON body, if any, matching Accepted`;
  if (expect.kind === 'not-checked') return `${expect.recommended} (recommended; not checked)`;
  const rules = profile.refusal(check);
  return `a 4xx refusal; recommended: ${rules.status}${rules.body ? ` with a ${rules.body.name} body, ${rules.body.shape}` : ''}`;
}

/** The rule a body breaks, with where: "wrong-type at /items/0/name". */
export function brokenRule(check: { breaks?: string; breaksAt?: string }): string {
  return `${check.breaks}${check.breaksAt ? ` at ${check.breaksAt}` : ''}`;
}

const isJsonType = (type: string) => /json/i.test(type);

/** Array indices out of a pointer, so that the same mistake at two indices groups as one. */
const generalise = (text: string) => text.replace(/\/\d+(?=\/|\s|$)/g, '/*');

export function ajvText(errors: AjvError[] | null | undefined): string {
  // An allOf of the contract's schemas can report one error twice.
  const list = [...new Set((errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? e.keyword}`))];
  return list.slice(0, 3).join('; ') + (list.length > 3 ? `; and ${list.length - 3} more` : '');
}

/** How a body falls short of a recommended shape: the members it lacks, then anything else. */
function shortfall(errors: AjvError[] | null | undefined): string {
  const missing = (errors ?? []).filter((e) => e.keyword === 'required').map((e) => `${e.instancePath ? `${e.instancePath}/` : ''}${String(e.params.missingProperty)}`);
  const other = (errors ?? []).filter((e) => e.keyword !== 'required');
  const lacks = missing.length > 0 ? `it has no ${[...new Set(missing)].join(', ')}` : '';
  return [lacks, other.length > 0 ? ajvText(other) : ''].filter(Boolean).join('; ');
}

type Parsed = { ok: true; value: unknown } | { ok: false; why: string };

function parse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  }
}

/** The pointers an answer names in a ValidationProblem-like body: they say what the implementation disliked. */
function pointedAt(parsed: Parsed | undefined): string[] {
  if (!parsed?.ok || typeof parsed.value !== 'object' || parsed.value === null) return [];
  const violations = (parsed.value as { violations?: unknown }).violations;
  if (!Array.isArray(violations)) return [];
  const pointers = violations.map((v) => (typeof v === 'object' && v !== null ? (v as { pointer?: unknown }).pointer : undefined)).filter((p): p is string => typeof p === 'string');
  return [...new Set(pointers.map(generalise))].slice(0, 3);
}

/**
 * What judgeWith() needs to know of a contract: its rules (failures and deviations,
 * contract-rules.ts), what counts as accepted, each refusal's recommended status and body, and
 * the response schema of each status.
 */
export interface JudgeProfile {
  finding(rule: string, reason: string, topic: string): Finding;
  /** The rule broken by a valid body refused, by an answer at no endpoint, and by a response body that contradicts its schema. */
  rules: { accept: string; answerAtTheEndpoint: string; bodiesMatch: string; answerEveryRequest: string };
  /** The one status that counts as accepted (a contract's answers.delivered); undefined: any 2xx. */
  delivered?: number;
  /** The rules and recommendations of a refusal, for this check (its recommended status may be its own). */
  refusal(check: PlannedCheck): RefusalRules;
  /** The response schema the contract declares for a status; undefined where it declares none. */
  contractSchema(status: number): { name: string; validate: ValidateFunction } | undefined;
  /** An answer that says the request reached no endpoint (never a refusal of the body). */
  notTheEndpoint(status: number, check: PlannedCheck): boolean;
  /** What was accepted, for the reason of a refusal that did not happen. */
  acceptedWhat(check: PlannedCheck): string;
}

export interface RefusalRules {
  /** The contract rule: refused with a 4xx. */
  required: string;
  /** The recommended status, and its rule. */
  status: number;
  statusRule: string;
  /** The recommended body, and its rule; none when the contract declares no body for the status. */
  body?: { name: string; shape: string; validate: ValidateFunction };
  bodyRule: string;
}

/** Judges one answer to one check by a contract's profile. An empty list is a pass. */
export function judgeWith(profile: JudgeProfile, check: PlannedCheck, answer: Answer): Finding[] {
  const { status, contentType: type, text } = answer;
  const findings: Finding[] = [];
  const json = text && isJsonType(type) ? parse(text) : undefined;

  // What the contract declares for this status: a JSON body must not contradict it.
  const schema = profile.contractSchema(status);
  const contradiction = (): Finding | undefined => {
    if (!schema || json === undefined) return undefined;
    if (!json.ok) return profile.finding(profile.rules.bodiesMatch, `the ${status} body is labelled "${type}" but is not JSON (${json.why})`, `the ${status} body is labelled JSON but is not JSON`);
    if (schema.validate(json.value)) return undefined;
    const reason = `the ${status} body does not match the contract's ${schema.name} schema: ${ajvText(schema.validate.errors)}`;
    return profile.finding(profile.rules.bodiesMatch, reason, generalise(reason));
  };

  const expect = check.expect;
  if (expect.kind === 'not-checked') return findings;
  const acceptedText = profile.delivered === undefined ? 'a 2xx status (accepted)' : `${profile.delivered} (delivered)`;
  // Every check goes to the endpoint: an answer that says no endpoint is there is never a refusal of the body.
  if (profile.notTheEndpoint(status, check)) {
    findings.push(profile.finding(profile.rules.answerAtTheEndpoint, `expected ${expect.kind === 'accepted' ? acceptedText : 'a 4xx refusal'}, got ${status}: no endpoint that takes POST answered (is the URL the endpoint?)`, `answered ${status}`));
    return findings;
  }
  const isAccepted = (s: number) => (profile.delivered === undefined ? s >= 200 && s <= 299 : s === profile.delivered);
  if (expect.kind === 'accepted') {
    if (!isAccepted(status)) {
      const pointers = pointedAt(json);
      findings.push(profile.finding(profile.rules.accept, `expected ${acceptedText}, got ${status}`, `answered ${status}${pointers.length > 0 ? `, pointing at ${pointers.join(', ')}` : ''}`));
      return findings;
    }
    const wrong = contradiction();
    if (wrong) findings.push(wrong);
    return findings;
  }

  const rules = profile.refusal(check);
  const refusal = `expected a 4xx refusal (${rules.status} recommended), got ${status}`;
  if (status >= 200 && status <= 299) {
    // One block per broken rule: an accepted invalid body groups by the rule it breaks.
    const byRule = expect.refusal === 'invalid-body';
    findings.push(profile.finding(rules.required, `${refusal}: ${profile.acceptedWhat(check)}`, byRule ? `accepted: ${check.breaks ? generalise(brokenRule(check)) : 'several rules'}` : 'accepted'));
    return findings;
  }
  if (status < 400 || status > 499 || status === 429) {
    const why = status >= 500 ? `a ${status} tells the sender to retry, and the same request will fail again` : status === 429 ? '429 tells the sender to retry later' : 'not a refusal';
    findings.push(profile.finding(rules.required, `${refusal}: ${why}`, `answered ${status}`));
    return findings;
  }

  const wrong = contradiction();
  if (wrong) findings.push(wrong);
  if (status !== rules.status) findings.push(profile.finding(rules.statusRule, `${rules.status} recommended, got ${status}`, `answered ${status}`));
  // A body that contradicts the contract is reported once, as that failure.
  if (wrong || !rules.body) return findings;
  const body = rules.body;
  const recommended = `recommended: a ${body.name} body, ${body.shape}`;
  const bodyDeviation = (what: string) => findings.push(profile.finding(rules.bodyRule, `the ${status} ${what}; ${recommended}`, `the ${status} ${what}`));
  if (text === '') bodyDeviation('answer has no body');
  else if (text === null) bodyDeviation('body is binary');
  else if (!isJsonType(type)) bodyDeviation(`body is ${type ? `"${type}"` : 'sent without a Content-Type'}, not JSON`);
  else if (json?.ok && !body.validate(json.value)) {
    const reason = `the ${status} body is not a ${body.name}: ${shortfall(body.validate.errors)}`;
    findings.push(profile.finding(rules.bodyRule, reason, generalise(reason)));
  } else if (json && !json.ok) bodyDeviation(`body is labelled "${type}" but is not JSON`);
  return findings;
}
