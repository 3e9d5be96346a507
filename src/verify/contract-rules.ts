/**
 * The rules `converge-webhook verify --contract <id>` judges a receiver by, and the judge's
 * profile, from the contract's data: what counts as accepted (contract.yaml answers.delivered,
 * else any 2xx), each refusal's recommended status (the check's own, from the manifest, the
 * auth's refuse.status, unsupportedMediaType.status or the code table), the recommended body of
 * each status (the responses of the OpenAPI document, through their generated validators), and
 * the table of rules: contract.yaml verify.rules when the contract declares one (its ids,
 * levels, titles and sources as its users know them, each playing one or more of the ROLES
 * below), else the general table here, worded from the auth type and the contract's noun, with
 * verify.sources for the sources the contract words itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { ContractRuntime } from "../contract-runtime.js";
import {
  brokenRule,
  type JudgeProfile,
  type RefusalRules,
  type ValidateFunction,
} from "./judge.js";
import type { PlannedCheck, Refusal } from "./plan.js";
import type { Finding, Level, Rule } from "./rules.js";

/**
 * What the judge needs a rule for: the table of a contract names, for each role, the one rule
 * that plays it (a rule may play several: one body recommendation for two refusals).
 */
export const ROLES = [
  "accept-valid-bodies",
  "refuse-invalid-bodies",
  "refuse-bad-credentials",
  "refuse-unsupported-media-types",
  "answer-at-the-endpoint",
  "answer-every-request",
  "bodies-match-the-contract",
  "status-for-invalid-bodies",
  "status-for-bad-credentials",
  "status-for-unsupported-media-types",
  "body-for-invalid-bodies",
  "body-for-bad-credentials",
  "body-for-unsupported-media-types",
] as const;
export type Role = (typeof ROLES)[number];

/** A rule of a contract's table, with the roles it plays. */
export interface ContractRule extends Rule {
  plays: Role[];
}

/** contract.yaml `verify:` (spec/contract.schema.json). */
export interface VerifyDescriptor {
  /** What one delivery is called in the report: "notification", "delivery". */
  noun?: string;
  /** The environment variable of each operation's URL, by operation id. */
  urls?: Record<string, string>;
  /** The environment variable of each value a query digest is computed from (auth.formula's placeholders). */
  secrets?: Record<string, string>;
  /** The source of a rule of the general table, by rule id: the vendor's words, or our decision and why. */
  sources?: Record<string, string>;
  /** The contract's own table of rules, by rule id (instead of the general one). */
  rules?: Record<string, { plays: Role | Role[]; level: Level; title: string; source: string }>;
  /** Literal values tried at a pointer of the valid examples, each judged by the contract's engine. */
  values?: Record<string, unknown[]>;
}

export type ContractRules = Record<string, ContractRule>;

/** contract.yaml `verify:`, or an empty one. */
export function verifyDescriptor(runtime: ContractRuntime): VerifyDescriptor {
  return ((runtime.descriptor as { verify?: VerifyDescriptor }).verify ?? {}) as VerifyDescriptor;
}

/** "a notification", "an event". */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

const GENERIC_SOURCES: Record<string, string> = {
  "accept-valid-bodies":
    "the vendor documents the fields; what breaks only a recommendation (a warning) is still valid, so a receiver must take it",
  "refuse-invalid-bodies":
    "the vendor documents the rules; accepting such a body stores what cannot mean anything, and a 5xx or 429 would make the sender retry the same body forever",
  "refuse-bad-credentials":
    "the contract's auth (contract.yaml auth): a request without the right credentials must not be taken",
  "refuse-unsupported-media-types":
    "the contract's media types (contract.yaml mediaTypes): a body is read as what its Content-Type says, never guessed",
  "answer-at-the-endpoint":
    "a 404 or 405 says the request went somewhere else (a wrong --url), so it is no refusal of the body",
  "answer-every-request":
    "a sender cannot tell a lost request from a lost answer",
  "bodies-match-the-contract":
    "our decision: the contract's response bodies are recommendations; a sender must not depend on a body (--strict fails it)",
  "status-for-invalid-bodies":
    "our decision: the status the contract recommends for each rule (codes.yaml status; any 4xx conforms)",
  "status-for-bad-credentials":
    "our decision: the status the contract recommends for a refused credential (contract.yaml auth.refuse.status; any 4xx conforms)",
  "status-for-unsupported-media-types":
    "our decision: the status the contract recommends for each media-type rule (codes.yaml status; any 4xx conforms)",
  "recommended-body":
    "our decision: the response body the contract's OpenAPI document gives each refusal status",
};

function authTitle(
  auth: ContractRuntime["descriptor"]["auth"] & {
    accountParameter?: string;
  },
): string {
  switch (auth.type) {
    case "path-secret":
      return `A request to a ${auth.parameter} that is not one of the receiver's is refused with a 4xx`;
    case "header-token":
      return `A request without the ${auth.header} token, or with a wrong one, is refused with a 4xx`;
    case "query-md5":
      return `A delivery without the ${auth.parameter}, with a wrong one, or for another ${auth.accountParameter}, is refused with a 4xx`;
    default:
      return "A request without the right credentials is refused with a 4xx";
  }
}

/** The roles an outbound contract's run does not check: its sender (the vendor) sends no invalid body and labels every body alike. */
const OUTBOUND_UNCHECKED: ReadonlySet<Role> = new Set<Role>([
  "refuse-invalid-bodies",
  "refuse-unsupported-media-types",
  "status-for-invalid-bodies",
  "status-for-unsupported-media-types",
  "body-for-invalid-bodies",
  "body-for-unsupported-media-types",
]);

/** The rules of a contract: its own table (contract.yaml verify.rules), else the general one with per-contract wording and sources. */
export function contractRules(runtime: ContractRuntime): ContractRules {
  const { descriptor } = runtime;
  const verify = verifyDescriptor(runtime);
  if (verify.rules) {
    return Object.fromEntries(
      Object.entries(verify.rules).map(([id, rule]) => [
        id,
        { level: rule.level, title: rule.title, source: rule.source, plays: Array.isArray(rule.plays) ? rule.plays : [rule.plays] },
      ]),
    );
  }
  const noun = verify.noun ?? "body";
  const delivered = (descriptor as { answers?: { delivered?: number } }).answers
    ?.delivered;
  const authStatus = descriptor.auth.refuse?.status;
  const outbound = runtime.registry.direction === "outbound";
  const rule = (id: string, level: Level, title: string, plays: Role[] = [id as Role]): [string, ContractRule] => [
    id,
    { level, title, source: verify.sources?.[id] ?? GENERIC_SOURCES[id]!, plays: outbound ? plays.filter((r) => !OUTBOUND_UNCHECKED.has(r)) : plays },
  ];
  return Object.fromEntries(
    [
      rule(
        "accept-valid-bodies",
        "failure",
        `A valid ${noun} is accepted with ${delivered === undefined ? "a 2xx" : `exactly ${delivered} (no other status counts as delivered)`}`,
      ),
      rule(
        "refuse-invalid-bodies",
        "failure",
        `${withArticle(noun).replace(/^a/, "A")} that breaks a contract rule is refused with a 4xx`,
      ),
      rule("refuse-bad-credentials", "failure", authTitle(descriptor.auth)),
      rule(
        "refuse-unsupported-media-types",
        "failure",
        `A body whose Content-Type is none of ${descriptor.mediaTypes.join(", ")}, or does not match the body, is refused with a 4xx`,
      ),
      rule(
        "answer-at-the-endpoint",
        "failure",
        "The endpoint exists: a request to it is not answered 405, nor 404 unless it names no receiver",
      ),
      rule("answer-every-request", "failure", "Every request gets an answer"),
      rule(
        "bodies-match-the-contract",
        "deviation",
        "A JSON response body does not contradict the contract's response schema for its status",
      ),
      rule(
        "status-for-invalid-bodies",
        "deviation",
        `An invalid ${noun} gets the status the contract recommends for the rule it breaks`,
      ),
      rule(
        "status-for-bad-credentials",
        "deviation",
        `A refused credential gets ${authStatus ?? "the recommended status"}`,
      ),
      rule(
        "status-for-unsupported-media-types",
        "deviation",
        "A body refused for its Content-Type gets the status the contract recommends (415 for a type it does not take, 400 for a mismatch)",
      ),
      rule(
        "recommended-body",
        "deviation",
        "A refusal carries the body the contract's OpenAPI document gives its status",
        ["body-for-invalid-bodies", "body-for-bad-credentials", "body-for-unsupported-media-types"],
      ),
    ].filter(([, r]) => r.plays.length > 0),
  );
}

/** The rule id that plays each role in a table. */
export function ruleRoles(rules: ContractRules): Partial<Record<Role, string>> {
  const out: Partial<Record<Role, string>> = {};
  for (const [id, rule] of Object.entries(rules)) for (const role of rule.plays) out[role] ??= id;
  return out;
}

interface ResponseSchema {
  name: string;
  shape: string;
  validate: ValidateFunction;
}

type SchemaNode = {
  properties?: Record<string, unknown>;
  required?: string[];
  allOf?: unknown[];
  items?: unknown;
  type?: unknown;
  $ref?: string;
};

/**
 * The members a response schema asks for, for the report: the required ones when it requires
 * some (an array of objects with its items' required members: "violations: [{code, pointer,
 * message}, ...]"), else every member it declares ("{type, title, status}"); through allOf and
 * local $refs.
 */
function shapeOf(file: string): string {
  const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const defs = (schema.$defs ?? {}) as Record<string, unknown>;
  const resolve = (node: unknown): SchemaNode | undefined => {
    if (typeof node !== "object" || node === null) return undefined;
    const n = node as SchemaNode;
    return typeof n.$ref === "string" && n.$ref.startsWith("#/$defs/") ? resolve(defs[n.$ref.slice("#/$defs/".length)]) : n;
  };
  const collect = (root: unknown) => {
    const names: string[] = [];
    const required: string[] = [];
    const definitions = new Map<string, unknown[]>();
    const seen = new Set<unknown>();
    const walk = (node: unknown) => {
      const n = resolve(node);
      if (!n || seen.has(n)) return;
      seen.add(n);
      for (const [key, value] of Object.entries(n.properties ?? {})) {
        if (!names.includes(key)) names.push(key);
        definitions.set(key, [...(definitions.get(key) ?? []), value]);
      }
      for (const key of n.required ?? []) if (!required.includes(key)) required.push(key);
      for (const part of n.allOf ?? []) walk(part);
    };
    walk(root);
    return { names, required, definitions };
  };
  const render = (root: unknown): string => {
    const { names, required, definitions } = collect(root);
    if (required.length === 0) return `{${names.join(", ")}}`;
    const member = (name: string) => {
      for (const definition of definitions.get(name) ?? []) {
        const items = resolve(resolve(definition)?.items);
        if (items && collect(items).required.length > 0) return `${name}: [${render(items)}, ...]`;
      }
      return name;
    };
    return `{${required.map(member).join(", ")}}`;
  };
  return render(schema);
}

/** The judge's profile of a contract: its rules, and the response validators of its OpenAPI document, loaded here. */
export async function contractProfile(
  runtime: ContractRuntime,
  root: string,
  rules: ContractRules,
): Promise<JudgeProfile> {
  const { descriptor, registry } = runtime;
  const delivered = (descriptor as { answers?: { delivered?: number } }).answers
    ?.delivered;
  const byStatus = new Map<number, ResponseSchema>();
  const recommendedByStatus = new Map<number, ResponseSchema>();
  for (const [name, response] of Object.entries(registry.responses ?? {})) {
    const module = (await import(
      new URL(`../../${response.validator}.js`, import.meta.url).href
    )) as { default: ValidateFunction };
    const entry = {
      name,
      shape: shapeOf(join(root, response.file)),
      validate: module.default,
    };
    for (const status of response.statuses.map(Number)) {
      // A Strict<Name> response is the recommendation of its status; the other is what the contract declares.
      if (name.startsWith("Strict")) recommendedByStatus.set(status, entry);
      else if (!byStatus.has(status)) byStatus.set(status, entry);
    }
  }
  const accepted = [...byStatus.entries()].find(
    ([status]) => status >= 200 && status <= 299,
  )?.[1];
  const contractSchema = (status: number) =>
    status >= 200 && status <= 299 ? accepted : byStatus.get(status);
  const finding = (rule: string, reason: string, topic: string): Finding => {
    const found = rules[rule];
    // Every rule the judge can name is in the table (test/verify.test.ts audits it): a missing one is a broken contract.
    if (!found) throw new Error(`${runtime.registry.descriptor}: verify.rules has no rule "${rule}"`);
    return { rule, level: found.level, reason, topic };
  };
  const roles = ruleRoles(rules);
  const role = (name: Role): string => roles[name] ?? name;
  const REFUSAL_RULES: Record<Refusal, { required: Role; statusRule: Role; bodyRule: Role }> = {
    "invalid-body": { required: "refuse-invalid-bodies", statusRule: "status-for-invalid-bodies", bodyRule: "body-for-invalid-bodies" },
    "bad-credentials": { required: "refuse-bad-credentials", statusRule: "status-for-bad-credentials", bodyRule: "body-for-bad-credentials" },
    "media-type": { required: "refuse-unsupported-media-types", statusRule: "status-for-unsupported-media-types", bodyRule: "body-for-unsupported-media-types" },
  };
  const refusal = (check: PlannedCheck): RefusalRules => {
    const expect = check.expect as { refusal: Refusal; status?: number };
    const names = REFUSAL_RULES[expect.refusal] ?? REFUSAL_RULES["invalid-body"];
    const status = expect.status ?? 400;
    const body = recommendedByStatus.get(status) ?? byStatus.get(status);
    return {
      required: role(names.required),
      status,
      statusRule: role(names.statusRule),
      ...(body ? { body } : {}),
      bodyRule: role(names.bodyRule),
    };
  };
  const noun = verifyDescriptor(runtime).noun ?? "body";
  return {
    finding,
    rules: {
      accept: role("accept-valid-bodies"),
      answerAtTheEndpoint: role("answer-at-the-endpoint"),
      bodiesMatch: role("bodies-match-the-contract"),
      answerEveryRequest: role("answer-every-request"),
    },
    ...(delivered !== undefined ? { delivered } : {}),
    refusal,
    contractSchema,
    // 405: no endpoint takes POST there. 404: unless it is the refusal the check expects (an unknown id in the path).
    notTheEndpoint: (status, check) =>
      status === 405 ||
      (status === 404 &&
        !(check.expect.kind === "refused" && refusal(check).status === 404)),
    acceptedWhat(check) {
      const expect = check.expect as { refusal?: string };
      if (expect.refusal === "bad-credentials")
        return `a request with ${check.authAccepted ?? check.authShown ?? "wrong credentials"} was accepted`;
      if (expect.refusal === "media-type")
        return `a body sent as ${check.request.contentType || "no Content-Type"} was accepted`;
      return `${withArticle(noun)} that breaks ${check.breaks ? brokenRule(check) : "the contract"} was accepted`;
    },
  };
}
