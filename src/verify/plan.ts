/**
 * The checks of `converge-webhook verify`, in the order they are sent: the contract's request
 * example, every valid and invalid example of spec/converge/examples, the token checks, the content-type
 * check, then the generated valid and invalid events. Pure data: the Dredd hooks
 * (dredd-hooks.cjs) turn each check into a transaction and judge its answer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ViolationCode } from '../codes.js';
import { MAX_BODY_BYTES } from '../constants.js';
import { parseJson } from '../json.js';
import { validateEvent } from '../validate.js';
import type { WireRequest } from './auth-checks.js';
import { DEFAULT_CASE_COUNT, DEFAULT_SEED, generateInvalidCases, generateValidCases } from './cases.js';

export type CheckGroup =
  | 'spec-example'
  | 'valid-examples'
  | 'invalid-examples'
  | 'token'
  | 'content-type'
  | 'body-limit'
  | 'generated-valid'
  | 'generated-invalid'
  // The contract-driven plan's (contract-plan.ts).
  | 'auth'
  | 'replay'
  | 'media-types'
  | 'generated-valid-bodies'
  | 'generated-invalid-bodies';

/** Group names for people, in the order the groups run. */
export const GROUP_LABELS: Record<CheckGroup, string> = {
  'spec-example': 'contract request example',
  'valid-examples': 'valid examples',
  'invalid-examples': 'invalid examples',
  token: 'token checks',
  'content-type': 'content type',
  'body-limit': 'body limit',
  'generated-valid': 'generated valid events',
  'generated-invalid': 'generated invalid events',
  auth: 'auth checks',
  replay: 'replayed delivery',
  'media-types': 'media types',
  'generated-valid-bodies': 'generated valid bodies',
  'generated-invalid-bodies': 'generated invalid bodies',
};

/** How the X-Webhook-Token header is sent. */
export type TokenUse = 'valid' | 'missing' | 'empty' | 'wrong-last-character' | 'wrong-extra-character';

/**
 * What a request must not be accepted for: each kind has its contract rule and its
 * recommendations (judge.ts). The last three are the contract-driven plan's.
 */
export type Refusal = 'invalid-event' | 'bad-token' | 'non-json' | 'invalid-body' | 'bad-credentials' | 'media-type';

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
  /** For bodies that break one contract rule: the violation code validateEvent gives... */
  breaks?: ViolationCode | (string & {});
  /** ...and its JSON pointer ("" for the body itself). */
  breaksAt?: string;
  /** The operation it goes to (the contract-driven plan). */
  operation?: string;
  /** What the request carried of the credentials, for the report (the contract-driven plan). */
  authShown?: string;
  /** The request exactly as sent (the contract-driven plan); without it, the hooks build Converge's request from `request`. */
  wire?: WireRequest;
  request: {
    /** '' when no Content-Type header is sent. */
    contentType: string;
    /** How the credentials are sent: a TokenUse, or in the contract-driven plan an auth negative's `use`. */
    token: TokenUse;
    /** The header value, null when the header is not sent. */
    tokenValue: string | null;
    /** The body as sent; null means the contract's own request example, as Dredd compiled it. */
    body: string | null;
  };
  expect: Expectation;
  /** Not sent, and why. */
  skip?: string;
}

export interface PlanOptions {
  token: string;
  skipWrongToken?: boolean;
  /** Generated valid events and generated invalid bodies, each (default 200). */
  cases?: number;
  seed?: number;
  /** Makes generated event_ids unique per run. */
  runId: string;
  /** The package root: spec/converge/examples and generated/ live there. */
  root: string;
}

const JSON_TYPE = 'application/json';
const ACCEPTED: Expectation = { kind: 'accepted' };
const INVALID: Expectation = { kind: 'refused', refusal: 'invalid-event' };
const BAD_TOKEN: Expectation = { kind: 'refused', refusal: 'bad-token' };

interface ManifestEntry {
  file: string;
  summary: string;
  status?: number;
  errors?: Array<{ code: ViolationCode; pointer: string }>;
}

/** Valid example files with their summaries from spec/converge/examples/valid.yaml (read without a YAML parser: one "file:" then one "summary:" line per entry). */
function validExamples(root: string): ManifestEntry[] {
  const summaries = new Map<string, string>();
  const text = readFileSync(join(root, 'spec/converge/examples/valid.yaml'), 'utf8');
  for (const match of text.matchAll(/^- file: (\S+)\s*\n\s+summary: (.+)$/gm)) summaries.set(match[1] as string, unquote((match[2] as string).trim()));
  return readdirSync(join(root, 'spec/converge/examples/valid'))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ file: `valid/${name}`, summary: summaries.get(`valid/${name}`) ?? name }));
}

function unquote(value: string): string {
  if (value.startsWith('"') && value.endsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  if (value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
  return value;
}

interface RequestBody {
  'x-invalid-examples'?: ManifestEntry[];
  content?: Record<string, { examples?: Record<string, { summary?: string; value?: unknown }> }>;
}

/** The request body of POST /api/webhooks in the derived 3.0 document, the one Dredd reads. */
function requestBody(root: string): RequestBody {
  const doc = JSON.parse(readFileSync(join(root, 'generated/converge/openapi/openapi-3.0.json'), 'utf8')) as {
    paths: Record<string, { post?: { requestBody?: RequestBody } }>;
  };
  const body = doc.paths['/api/webhooks']?.post?.requestBody;
  if (!body) throw new Error('the derived contract document has no request body on POST /api/webhooks');
  return body;
}

/** The contract's first request example (the one Dredd sends), as Dredd sends it: compact JSON. */
export function contractRequestExample(root: string): { summary: string; body: string } {
  const [name, first] = Object.entries(requestBody(root).content?.['application/json']?.examples ?? {})[0] ?? [];
  if (first?.value === undefined) throw new Error('the derived contract document has no request example on POST /api/webhooks');
  return { summary: first.summary ?? name ?? 'request example', body: JSON.stringify(first.value) };
}

/** Invalid examples with their summaries and statuses: the manifest is inlined in the derived document as x-invalid-examples. */
function invalidExamples(root: string): ManifestEntry[] {
  const list = requestBody(root)['x-invalid-examples'];
  if (!Array.isArray(list) || list.length === 0) throw new Error('the derived contract document has no x-invalid-examples on POST /api/webhooks');
  return list;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A wrong token as close to the real one as possible: the last character changed. */
function lastCharacterChanged(token: string): string {
  const last = token.at(-1);
  return `${token.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
}

/** An event as an HTML form would send it: what the vendor's older docs say is refused. */
function formBody(exampleText: string): string {
  const event = JSON.parse(exampleText) as Record<string, unknown>;
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(event)) form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  return form.toString();
}

/** Where a generated invalid body breaks its one rule ("" when it is not JSON at all). */
function pointerOf(text: string): string {
  const parsed = parseJson(text);
  return parsed.ok ? (validateEvent(parsed.value).errors[0]?.pointer ?? '') : '';
}

export function buildPlan(options: PlanOptions): PlannedCheck[] {
  const { token, root, runId } = options;
  const count = options.cases ?? DEFAULT_CASE_COUNT;
  const seed = options.seed ?? DEFAULT_SEED;
  const withToken = { token: 'valid' as const, tokenValue: token };
  const checks: PlannedCheck[] = [];
  const read = (file: string) => readFileSync(join(root, 'spec/converge/examples', file), 'utf8');

  checks.push({
    id: 'contract request example',
    group: 'spec-example',
    summary: `the contract's request example: ${contractRequestExample(root).summary}`,
    request: { contentType: JSON_TYPE, ...withToken, body: null },
    expect: ACCEPTED,
  });

  for (const { file, summary } of validExamples(root)) {
    checks.push({ id: `example ${file}`, group: 'valid-examples', summary, source: file, request: { contentType: JSON_TYPE, ...withToken, body: read(file) }, expect: ACCEPTED });
  }
  for (const { file, summary, errors } of invalidExamples(root)) {
    const body = read(file);
    const broken = !isJson(body) ? { code: 'invalid-json' as const, pointer: '' } : errors?.length === 1 ? errors[0] : undefined;
    checks.push({
      id: `example ${file}`,
      group: 'invalid-examples',
      summary,
      source: file,
      ...(broken ? { breaks: broken.code, breaksAt: broken.pointer } : {}),
      request: { contentType: JSON_TYPE, ...withToken, body },
      expect: INVALID,
    });
  }

  const wrongSkip = options.skipWrongToken ? { skip: 'the wrong-token checks are turned off (--skip-wrong-token)' } : {};
  const tokenChecks: Array<[TokenUse, string | null, string, object]> = [
    ['missing', null, 'a valid event without the X-Webhook-Token header', {}],
    ['empty', '', 'a valid event with an empty X-Webhook-Token header', {}],
    ['wrong-last-character', lastCharacterChanged(token), 'a valid event with a wrong token (the last character changed)', wrongSkip],
    ['wrong-extra-character', `${token}0`, 'a valid event with a wrong token (the token with one character appended)', wrongSkip],
  ];
  for (const [use, value, summary, extra] of tokenChecks) {
    checks.push({ id: `token ${use}`, group: 'token', summary, request: { contentType: JSON_TYPE, token: use, tokenValue: value, body: null }, expect: BAD_TOKEN, ...extra });
  }

  checks.push({
    id: 'content type form',
    group: 'content-type',
    summary: "the contract's request example as application/x-www-form-urlencoded (not JSON)",
    request: { contentType: 'application/x-www-form-urlencoded', ...withToken, body: formBody(contractRequestExample(root).body) },
    expect: { kind: 'refused', refusal: 'non-json' },
  });
  checks.push({
    id: 'body limit',
    group: 'body-limit',
    summary: `a body over ${MAX_BODY_BYTES} bytes`,
    request: { contentType: JSON_TYPE, ...withToken, body: '' },
    expect: { kind: 'not-checked', recommended: '413' },
    skip: 'the body limit is not checked: 1 MiB is this contract\'s limit for its own endpoint, and an implementation may accept more',
  });

  const width = String(Math.max(count - 1, 0)).length;
  generateValidCases(count, seed, runId).forEach((c, i) => {
    checks.push({
      id: `generated valid #${String(i).padStart(width, '0')}`,
      group: 'generated-valid',
      summary: c.summary,
      source: `timestamp ${c.timestampForm}`,
      request: { contentType: JSON_TYPE, ...withToken, body: JSON.stringify(c.event) },
      expect: ACCEPTED,
    });
  });
  generateInvalidCases(count, seed, runId).forEach((c, i) => {
    checks.push({
      id: `generated invalid #${String(i).padStart(width, '0')}`,
      group: 'generated-invalid',
      summary: c.summary,
      source: c.mutation,
      breaks: c.rule,
      breaksAt: pointerOf(c.text),
      request: { contentType: JSON_TYPE, ...withToken, body: c.text },
      expect: INVALID,
    });
  });
  return checks;
}
