/**
 * The rules `converge-webhook verify --contract <id>` judges a receiver by, and the judge's
 * profile, from the contract's data: what counts as accepted (contract.yaml answers.delivered,
 * else any 2xx), each refusal's recommended status (the check's own, from the manifest, the
 * auth's refuse.status or the code table), the recommended body of each status (the responses
 * of the OpenAPI document, through their generated validators), the wording of the auth rule
 * (from its type and parameters), and each rule's source (contract.yaml verify.sources, else a
 * general one). rules.ts keeps Converge's table as it was.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { ContractRuntime } from "../contract-runtime.js";
import {
  acceptedWhat as convergeAcceptedWhat,
  type JudgeProfile,
  type RefusalRules,
  type ValidateFunction,
} from "./judge.js";
import type { PlannedCheck } from "./plan.js";
import type { Finding, Level, Rule } from "./rules.js";

/** contract.yaml `verify:` (spec/contract.schema.json). */
export interface VerifyDescriptor {
  /** What one delivery is called in the report: "notification", "delivery". */
  noun?: string;
  /** The environment variable of each operation's URL, by operation id. */
  urls?: Record<string, string>;
  /** The environment variable of each value a query digest is computed from (auth.formula's placeholders). */
  secrets?: Record<string, string>;
  /** The source of a rule, by rule id: the vendor's words, or our decision and why. */
  sources?: Record<string, string>;
}

export type ContractRules = Record<string, Rule>;

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

/** The rules of a contract, with per-contract wording and sources. */
export function contractRules(runtime: ContractRuntime): ContractRules {
  const { descriptor } = runtime;
  const verify = ((descriptor as { verify?: VerifyDescriptor }).verify ??
    {}) as VerifyDescriptor;
  const noun = verify.noun ?? "body";
  const delivered = (descriptor as { answers?: { delivered?: number } }).answers
    ?.delivered;
  const authStatus = descriptor.auth.refuse?.status;
  const rule = (id: string, level: Level, title: string): [string, Rule] => [
    id,
    { level, title, source: verify.sources?.[id] ?? GENERIC_SOURCES[id]! },
  ];
  const outbound = runtime.registry.direction === "outbound";
  // An outbound contract's sender (the vendor) sends no invalid body and labels every body alike: those rules are not checked.
  const unchecked = outbound
    ? new Set([
        "refuse-invalid-bodies",
        "refuse-unsupported-media-types",
        "status-for-invalid-bodies",
        "status-for-unsupported-media-types",
      ])
    : new Set<string>();
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
        `A ${noun} that breaks a contract rule is refused with a 4xx`,
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
      ),
    ].filter(([id]) => !unchecked.has(id)),
  );
}

interface ResponseSchema {
  name: string;
  shape: string;
  validate: ValidateFunction;
}

/** The member names a response schema declares (through allOf and local $refs), for the report: "{type, title, status}". */
function shapeOf(file: string): string {
  const schema = JSON.parse(readFileSync(file, "utf8")) as Record<
    string,
    unknown
  >;
  const names: string[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown) => {
    if (typeof node !== "object" || node === null || seen.has(node)) return;
    seen.add(node);
    const n = node as {
      properties?: Record<string, unknown>;
      allOf?: unknown[];
      $ref?: string;
    };
    for (const key of Object.keys(n.properties ?? {}))
      if (!names.includes(key)) names.push(key);
    for (const part of n.allOf ?? []) walk(part);
    if (typeof n.$ref === "string" && n.$ref.startsWith("#/$defs/"))
      walk(
        (schema.$defs as Record<string, unknown> | undefined)?.[
          n.$ref.slice("#/$defs/".length)
        ],
      );
  };
  walk(schema);
  return `{${names.join(", ")}}`;
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
  const finding = (rule: string, reason: string, topic: string): Finding => ({
    rule: rule as Finding["rule"],
    level: rules[rule]!.level,
    reason,
    topic,
  });
  const REFUSAL_RULES: Record<
    string,
    { required: string; statusRule: string }
  > = {
    "invalid-body": {
      required: "refuse-invalid-bodies",
      statusRule: "status-for-invalid-bodies",
    },
    "bad-credentials": {
      required: "refuse-bad-credentials",
      statusRule: "status-for-bad-credentials",
    },
    "media-type": {
      required: "refuse-unsupported-media-types",
      statusRule: "status-for-unsupported-media-types",
    },
  };
  const refusal = (check: PlannedCheck): RefusalRules => {
    const expect = check.expect as { refusal: string; status?: number };
    const names =
      REFUSAL_RULES[expect.refusal] ?? REFUSAL_RULES["invalid-body"]!;
    const status = expect.status ?? 400;
    const body = recommendedByStatus.get(status) ?? byStatus.get(status);
    return {
      required: names.required,
      status,
      statusRule: names.statusRule,
      ...(body ? { body } : {}),
      bodyRule: "recommended-body",
    };
  };
  return {
    finding,
    rules: {
      accept: "accept-valid-bodies",
      answerAtTheEndpoint: "answer-at-the-endpoint",
      bodiesMatch: "bodies-match-the-contract",
      answerEveryRequest: "answer-every-request",
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
        return `a request with ${check.authShown ?? "wrong credentials"} was accepted`;
      if (expect.refusal === "media-type")
        return `a body sent as ${check.request.contentType || "no Content-Type"} was accepted`;
      return check.breaks
        ? convergeAcceptedWhat({
            ...check,
            expect: { kind: "refused", refusal: "invalid-event" },
          }).replace(
            "an event",
            `a ${(descriptor as { verify?: VerifyDescriptor }).verify?.noun ?? "body"}`,
          )
        : `a ${(descriptor as { verify?: VerifyDescriptor }).verify?.noun ?? "body"} that breaks the contract was accepted`;
    },
  };
}
