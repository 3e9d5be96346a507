/**
 * Every change `converge-webhook diff` can report, declared in one table (after oasdiff's
 * checker/rules.go). test/diff.test.ts audits it: each rule has a mirror or a waiver, its audiences
 * follow from its direction and effect unless an exception says why not, and a fixture pair
 * produces it.
 *
 * The audiences are named by the message. Senders make the request (an API's clients under
 * `paths`, the provider under `webhooks`); receivers implement the endpoint and write the
 * responses. A request is written by its senders and read by its receivers; a response is written
 * by the receivers and read by the senders. So the polarity is one rule: a change that narrows
 * what is valid breaks the message's writers (something they wrote is now refused), and a change
 * that widens it breaks its readers (they get something they were not built to handle).
 */

export type Audience = 'senders' | 'receivers';
/** Whose message the rule judges: the request (senders write it) or a response (receivers write it). */
export type Direction = 'request' | 'response';
/** What the change does to the set of valid messages. `both`: some become invalid and others valid. */
export type Effect = 'narrows' | 'widens' | 'both' | 'none';
/**
 * What the rule needs from the version when it fires at the error level: `breaking` a major bump,
 * `addition` a minor one (something new that breaks nobody), `annotation` a patch (no message
 * changes validity or meaning).
 */
export type RuleLevel = 'breaking' | 'addition' | 'annotation';

export interface Rule {
  id: string;
  /** What it detects, in one phrase. */
  detects: string;
  direction: Direction;
  effect: Effect;
  /** Who it breaks when the rule it touches is at the error level. */
  breaks: readonly Audience[];
  level: RuleLevel;
  /** Whether a schema level (`x-level: warning`) can soften it: only rules about a schema's keywords. */
  schema: boolean;
  /** The rule that reports the opposite change. */
  mirror?: string;
  /** Why there is no mirror. */
  waiver?: string;
  /** Why `breaks` is not what the direction and effect alone give. */
  exception?: string;
  /**
   * oasdiff's rule(s) for the same change under `paths`, with their level: ERR means oasdiff says
   * it breaks the API's clients (our senders), INFO that it does not, WARN that it may.
   */
  oasdiff?: readonly string[];
  /** The oasdiff rules (ids from `oasdiff`) whose senders verdict ours knowingly differs from, and why. */
  divergence?: Readonly<Record<string, string>>;
}

/** Why a new optional member is an addition, not a break (oasdiff agrees). */
const TOLERANT =
  'strictly this narrows (a member of that name was unconstrained while undocumented), but writers do not send undocumented members, and readers lose nothing: a new optional member breaks nobody';

/** Why a security rule's verdict on the senders differs from oasdiff's. */
const SECURITY =
  "oasdiff reports every security change as INFO (it leaves credentials to the API's policy); here a request without the credential the document now asks for is refused (a 401): a request that was valid is not, which breaks the senders that send it";

/** The table. Rows come in request/response pairs where a change can happen on both sides. */
export const RULES: readonly Rule[] = [
  // Operations (a path's method, or a webhook's). Judged on the request: its existence.
  { id: 'operation-added', detects: 'a new operation or webhook', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'operation-removed', oasdiff: ['endpoint-added:INFO', 'webhook-added:INFO'] },
  { id: 'operation-removed', detects: 'an operation or webhook removed', direction: 'request', effect: 'narrows', breaks: ['senders', 'receivers'], level: 'breaking', schema: false, mirror: 'operation-added', exception: 'receivers lose messages their integration is built on (oasdiff calls webhook-removed an error for the same reason)', oasdiff: ['api-removed-without-deprecation:ERR', 'webhook-removed:ERR'] },

  // Request bodies.
  { id: 'request-body-added-required', detects: 'a required request body where there was none', direction: 'request', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: false, waiver: 'its reverse is request-body-removed, which only narrows: a required body both refuses the old requests without one and admits bodies', oasdiff: ['request-body-added-required:ERR'] },
  { id: 'request-body-added-optional', detects: 'an optional request body where there was none', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-body-removed', oasdiff: ['request-body-added-optional:INFO'] },
  { id: 'request-body-removed', detects: 'a request body removed', direction: 'request', effect: 'narrows', breaks: ['senders', 'receivers'], level: 'breaking', schema: false, mirror: 'request-body-added-optional', exception: 'receivers lose the body they read', oasdiff: ['request-body-removed:ERR'] },
  { id: 'request-body-became-required', detects: 'an optional request body became required', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-body-became-optional', oasdiff: ['request-body-became-required:ERR'] },
  { id: 'request-body-became-optional', detects: 'a required request body became optional', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-body-became-required', oasdiff: ['request-body-became-optional:INFO'] },

  // Media types. The sender picks a request's media type; the reader of a response picks with Accept.
  { id: 'request-media-type-added', detects: 'a new media type', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-media-type-removed', oasdiff: ['request-body-media-type-added:INFO'] },
  { id: 'request-media-type-removed', detects: 'a media type removed', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-media-type-added', oasdiff: ['request-body-media-type-removed:ERR'] },
  { id: 'response-media-type-added', detects: 'a new media type', direction: 'response', effect: 'widens', breaks: [], level: 'addition', schema: false, mirror: 'response-media-type-removed', exception: 'the reader chooses a response media type (Accept), so one it did not ask for never reaches it', oasdiff: ['response-media-type-added:INFO'] },
  { id: 'response-media-type-removed', detects: 'a media type removed', direction: 'response', effect: 'narrows', breaks: ['senders', 'receivers'], level: 'breaking', schema: false, mirror: 'response-media-type-added', exception: 'senders that asked for that media type lose it', oasdiff: ['response-media-type-removed:ERR'] },

  // Response statuses.
  { id: 'response-status-added', detects: 'a new response status', direction: 'response', effect: 'widens', breaks: [], level: 'addition', schema: false, mirror: 'response-status-removed', exception: 'a reader handles a status it does not know as the x00 of its class (RFC 9110, section 15), so a new status is not a surprise', oasdiff: ['response-success-status-added:INFO', 'response-non-success-status-added:INFO'] },
  { id: 'response-success-status-removed', detects: 'a 2xx response removed', direction: 'response', effect: 'narrows', breaks: ['senders', 'receivers'], level: 'breaking', schema: false, mirror: 'response-status-added', exception: 'senders lose the success answer (its body and headers) they were written to read', oasdiff: ['response-success-status-removed:ERR'] },
  { id: 'response-status-removed', detects: 'a response that is not 2xx removed', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'response-status-added', oasdiff: ['response-non-success-status-removed:INFO'] },

  // Security: the credentials a request carries (the operation's security, else the document's, and the schemes they name).
  { id: 'request-security-added', detects: 'a security requirement where there was none: every request must carry a credential', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-security-removed', oasdiff: ['api-security-added:INFO', 'api-global-security-added:INFO'], divergence: { 'api-security-added': SECURITY, 'api-global-security-added': SECURITY } },
  { id: 'request-security-removed', detects: 'every security requirement removed (security: [], or none left): requests need no credential', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-security-added', oasdiff: ['api-security-removed:INFO', 'api-global-security-removed:INFO'] },
  { id: 'request-security-alternative-added', detects: 'a new security requirement beside the others: another way to authenticate', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-security-alternative-removed', oasdiff: ['api-security-added:INFO'] },
  { id: 'request-security-alternative-removed', detects: 'one of several security requirements removed: a way to authenticate refused', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-security-alternative-added', oasdiff: ['api-security-removed:INFO'], divergence: { 'api-security-removed': SECURITY } },
  { id: 'request-security-scheme-added', detects: 'a scheme added to a security requirement: one more credential to send', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-security-scheme-dropped', oasdiff: ['api-security-added:INFO'], divergence: { 'api-security-added': SECURITY } },
  { id: 'request-security-scheme-dropped', detects: 'a scheme removed from a security requirement: one credential fewer is checked', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-security-scheme-added', oasdiff: ['api-security-removed:INFO'] },
  { id: 'request-security-scope-added', detects: 'a scope added to a scheme of a security requirement', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-security-scope-removed', oasdiff: ['api-security-scope-added:INFO', 'api-global-security-scope-added:INFO'], divergence: { 'api-security-scope-added': SECURITY, 'api-global-security-scope-added': SECURITY } },
  { id: 'request-security-scope-removed', detects: 'a scope removed from a scheme of a security requirement', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-security-scope-added', oasdiff: ['api-security-scope-removed:INFO', 'api-global-security-scope-removed:INFO'] },
  { id: 'request-security-scheme-changed', detects: "a security scheme in use changed its type, or where its credential goes (an apiKey's in or name, an http scheme, an OAuth flow's URLs)", direction: 'request', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: false, mirror: 'request-security-scheme-changed', oasdiff: ['api-security-component-type-changed:INFO'], divergence: { 'api-security-component-type-changed': SECURITY } },

  // Request parameters (query, header, path, cookie).
  { id: 'request-parameter-added-required', detects: 'a new required parameter', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-parameter-removed', oasdiff: ['new-required-request-parameter:ERR'] },
  { id: 'request-parameter-added-optional', detects: 'a new optional parameter', direction: 'request', effect: 'narrows', breaks: [], level: 'addition', schema: false, mirror: 'request-parameter-removed', exception: TOLERANT, oasdiff: ['new-optional-request-parameter:INFO'] },
  { id: 'request-parameter-removed', detects: 'a parameter removed', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-parameter-added-optional', oasdiff: ['request-parameter-removed:WARN'] },
  { id: 'request-parameter-became-required', detects: 'an optional parameter became required', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-parameter-became-optional', oasdiff: ['request-parameter-became-required:ERR'] },
  { id: 'request-parameter-became-optional', detects: 'a required parameter became optional', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-parameter-became-required', oasdiff: ['request-parameter-became-optional:INFO'] },

  // Response headers.
  { id: 'response-required-header-added', detects: 'a new required response header', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'response-required-header-removed', oasdiff: ['response-header-added:INFO'] },
  { id: 'response-optional-header-added', detects: 'a new optional response header', direction: 'response', effect: 'narrows', breaks: [], level: 'addition', schema: false, mirror: 'response-optional-header-removed', exception: TOLERANT, oasdiff: ['response-header-added:INFO'] },
  { id: 'response-required-header-removed', detects: 'a required response header removed', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'response-required-header-added', oasdiff: ['required-response-header-removed:ERR'] },
  { id: 'response-optional-header-removed', detects: 'an optional response header removed', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'response-optional-header-added', oasdiff: ['optional-response-header-removed:WARN'] },
  { id: 'response-header-became-required', detects: 'an optional response header became required', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'response-header-became-optional' },
  { id: 'response-header-became-optional', detects: 'a required response header became optional', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'response-header-became-required', oasdiff: ['response-header-became-optional:ERR'] },

  // Object properties.
  { id: 'request-optional-property-added', detects: 'a new optional property in an open object', direction: 'request', effect: 'narrows', breaks: [], level: 'addition', schema: true, mirror: 'request-optional-property-removed', exception: TOLERANT, oasdiff: ['new-optional-request-property:INFO'] },
  { id: 'response-optional-property-added', detects: 'a new optional property in an open object', direction: 'response', effect: 'narrows', breaks: [], level: 'addition', schema: true, mirror: 'response-optional-property-removed', exception: TOLERANT, oasdiff: ['response-optional-property-added:INFO'] },
  { id: 'request-optional-property-removed', detects: 'an optional property removed from an open object (its value is no longer constrained)', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-optional-property-added', oasdiff: ['request-property-removed:WARN'] },
  { id: 'response-optional-property-removed', detects: 'an optional property removed from an open object (its value is no longer constrained)', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-optional-property-added', oasdiff: ['response-optional-property-removed:WARN'] },
  { id: 'request-required-property-added', detects: 'a new required property', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-required-property-removed', oasdiff: ['new-required-request-property:ERR'] },
  { id: 'response-required-property-added', detects: 'a new required property', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-required-property-removed', oasdiff: ['response-required-property-added:INFO'] },
  { id: 'request-required-property-removed', detects: 'a required property removed', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-required-property-added', oasdiff: ['request-property-removed:WARN'] },
  { id: 'response-required-property-removed', detects: 'a required property removed', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-required-property-added', oasdiff: ['response-required-property-removed:ERR'] },
  { id: 'request-property-became-required', detects: 'an optional property became required', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-property-became-optional', oasdiff: ['request-property-became-required:ERR'] },
  { id: 'response-property-became-required', detects: 'an optional property became required', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-property-became-optional', oasdiff: ['response-property-became-required:INFO'] },
  { id: 'request-property-became-optional', detects: 'a required property became optional', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-property-became-required', oasdiff: ['request-property-became-optional:INFO'] },
  { id: 'response-property-became-optional', detects: 'a required property became optional', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-property-became-required', oasdiff: ['response-property-became-optional:ERR'] },
  { id: 'request-property-allowed', detects: 'a new optional property in a closed object (additionalProperties: false)', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-property-disallowed' },
  { id: 'response-property-allowed', detects: 'a new optional property in a closed object (additionalProperties: false)', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-property-disallowed' },
  { id: 'request-property-disallowed', detects: 'a property removed from a closed object, so sending it is now invalid', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-property-allowed' },
  { id: 'response-property-disallowed', detects: 'a property removed from a closed object, so writing it is now invalid', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-property-allowed' },
  { id: 'request-additional-properties-forbidden', detects: 'additionalProperties became false (or was removed from a schema of its own)', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-additional-properties-allowed' },
  { id: 'response-additional-properties-forbidden', detects: 'additionalProperties became false (or was removed from a schema of its own)', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-additional-properties-allowed' },
  { id: 'request-additional-properties-allowed', detects: 'additionalProperties is no longer false', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-additional-properties-forbidden' },
  { id: 'response-additional-properties-allowed', detects: 'additionalProperties is no longer false', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-additional-properties-forbidden' },

  // Types (`type`, with integer inside number and "null" as a type).
  { id: 'request-type-narrowed', detects: 'fewer types allowed', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-type-widened', oasdiff: ['request-property-list-of-types-narrowed:ERR', 'request-property-type-changed:ERR'] },
  { id: 'response-type-narrowed', detects: 'fewer types allowed', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-type-widened', oasdiff: ['response-property-list-of-types-narrowed:INFO', 'response-property-type-specialized:INFO'] },
  { id: 'request-type-widened', detects: 'more types allowed', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-type-narrowed', oasdiff: ['request-property-list-of-types-widened:INFO', 'request-property-type-generalized:INFO'] },
  { id: 'response-type-widened', detects: 'more types allowed', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-type-narrowed', oasdiff: ['response-property-list-of-types-widened:ERR', 'response-property-type-generalized:ERR'] },
  { id: 'request-type-changed', detects: 'a type replaced by another (some types removed, others added)', direction: 'request', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'request-type-changed', oasdiff: ['request-property-type-changed:ERR'] },
  { id: 'response-type-changed', detects: 'a type replaced by another (some types removed, others added)', direction: 'response', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'response-type-changed', oasdiff: ['response-property-type-changed:ERR'] },

  // Enumerations (`enum`, and `const` as an enum of one).
  { id: 'request-enum-value-removed', detects: 'an enum value removed', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-enum-value-added', oasdiff: ['request-property-enum-value-removed:ERR', 'request-parameter-enum-value-removed:ERR'] },
  { id: 'response-enum-value-removed', detects: 'an enum value removed', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-enum-value-added', oasdiff: ['response-property-enum-value-removed:INFO'] },
  { id: 'request-enum-value-added', detects: 'a new enum value (a new event name, channel, ...)', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-enum-value-removed', oasdiff: ['request-property-enum-value-added:INFO', 'request-parameter-enum-value-added:INFO'] },
  { id: 'response-enum-value-added', detects: 'a new enum value', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-enum-value-removed', oasdiff: ['response-property-enum-value-added:WARN'] },
  { id: 'request-enum-set', detects: 'a value became restricted to an enum or const', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-enum-unset', oasdiff: ['request-property-became-enum:ERR', 'request-parameter-became-enum:ERR'] },
  { id: 'response-enum-set', detects: 'a value became restricted to an enum or const', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-enum-unset' },
  { id: 'request-enum-unset', detects: 'an enum or const restriction removed', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-enum-set', oasdiff: ['request-property-const-removed:INFO'] },
  { id: 'response-enum-unset', detects: 'an enum or const restriction removed', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-enum-set', oasdiff: ['response-property-const-removed:ERR'] },

  // Bounds: minimum, exclusiveMinimum, minLength, minItems, minProperties, minContains and their max twins.
  { id: 'request-lower-bound-raised', detects: 'a minimum (minimum, minLength, minItems, ...) raised or set', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-lower-bound-lowered', oasdiff: ['request-property-min-increased:ERR', 'request-property-min-length-increased:ERR', 'request-property-min-items-increased:ERR', 'request-property-min-set:WARN'] },
  { id: 'response-lower-bound-raised', detects: 'a minimum (minimum, minLength, minItems, ...) raised or set', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-lower-bound-lowered' },
  { id: 'request-lower-bound-lowered', detects: 'a minimum lowered or removed', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-lower-bound-raised', oasdiff: ['request-property-min-decreased:INFO', 'request-property-min-length-decreased:INFO'] },
  { id: 'response-lower-bound-lowered', detects: 'a minimum lowered or removed', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-lower-bound-raised', oasdiff: ['response-property-min-decreased:ERR', 'response-property-min-length-decreased:ERR', 'response-property-min-items-decreased:ERR'] },
  { id: 'request-upper-bound-lowered', detects: 'a maximum (maximum, maxLength, maxItems, ...) lowered or set', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-upper-bound-raised', oasdiff: ['request-property-max-decreased:ERR', 'request-property-max-length-decreased:ERR', 'request-parameter-max-decreased:ERR', 'request-parameter-max-items-decreased:ERR', 'request-parameter-max-length-decreased:ERR', 'request-property-max-length-set:WARN'] },
  { id: 'response-upper-bound-lowered', detects: 'a maximum (maximum, maxLength, maxItems, ...) lowered or set', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-upper-bound-raised' },
  { id: 'request-upper-bound-raised', detects: 'a maximum raised or removed', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-upper-bound-lowered', oasdiff: ['request-property-max-increased:INFO', 'request-property-max-length-increased:INFO', 'request-parameter-max-increased:INFO', 'request-parameter-max-items-increased:INFO'] },
  { id: 'response-upper-bound-raised', detects: 'a maximum raised or removed', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-upper-bound-lowered', oasdiff: ['response-property-max-increased:ERR', 'response-property-max-length-increased:ERR', 'response-property-max-length-unset:ERR'] },

  // Patterns. A new pattern of ".*" counts as removing it (oasdiff's "generalized").
  { id: 'request-pattern-added', detects: 'a pattern added', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-pattern-removed', oasdiff: ['request-property-pattern-added:ERR', 'request-parameter-pattern-added:ERR'] },
  { id: 'response-pattern-added', detects: 'a pattern added', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-pattern-removed', oasdiff: ['response-property-pattern-added:INFO'] },
  { id: 'request-pattern-removed', detects: 'a pattern removed (or widened to ".*")', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-pattern-added', oasdiff: ['request-property-pattern-removed:INFO', 'request-property-pattern-generalized:INFO'] },
  { id: 'response-pattern-removed', detects: 'a pattern removed (or widened to ".*")', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-pattern-added', oasdiff: ['response-property-pattern-removed:INFO'], divergence: { 'response-property-pattern-removed': 'oasdiff treats every response pattern change as INFO; a reader that parses a value by its documented pattern breaks when the pattern goes, just as it does when maxLength goes (which oasdiff calls an error)' } },
  { id: 'request-pattern-widened', detects: 'a pattern replaced by one that accepts every string it accepted, and more (refa compares the two as automata)', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-pattern-narrowed', oasdiff: ['request-property-pattern-generalized:INFO', 'request-parameter-pattern-generalized:INFO'] },
  { id: 'response-pattern-widened', detects: 'a pattern replaced by one that accepts every string it accepted, and more', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-pattern-narrowed', oasdiff: ['response-property-pattern-changed:INFO'], divergence: { 'response-property-pattern-changed': 'as for response-pattern-removed: readers get values the old pattern promised they would not' } },
  { id: 'request-pattern-narrowed', detects: 'a pattern replaced by one that accepts only strings it accepted', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-pattern-widened', oasdiff: ['request-property-pattern-changed:WARN', 'request-parameter-pattern-changed:WARN'] },
  { id: 'response-pattern-narrowed', detects: 'a pattern replaced by one that accepts only strings it accepted', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-pattern-widened', oasdiff: ['response-property-pattern-changed:INFO'] },
  { id: 'request-pattern-changed', detects: 'a pattern replaced by another (neither is known to contain the other)', direction: 'request', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'request-pattern-changed', oasdiff: ['request-property-pattern-changed:WARN'] },
  { id: 'response-pattern-changed', detects: 'a pattern replaced by another (neither is known to contain the other)', direction: 'response', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'response-pattern-changed', oasdiff: ['response-property-pattern-changed:INFO'], divergence: { 'response-property-pattern-changed': 'as for response-pattern-removed: values of the new pattern may not match the old one that readers rely on' } },

  // Formats (`format`, which OpenAPI tools validate).
  { id: 'request-format-added', detects: 'a format added', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-format-removed' },
  { id: 'response-format-added', detects: 'a format added', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-format-removed' },
  { id: 'request-format-removed', detects: 'a format removed', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-format-added' },
  { id: 'response-format-removed', detects: 'a format removed', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-format-added' },
  { id: 'request-format-changed', detects: 'a format replaced by another', direction: 'request', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'request-format-changed' },
  { id: 'response-format-changed', detects: 'a format replaced by another', direction: 'response', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'response-format-changed' },

  // Composition: allOf members (paired by title, $ref or position), and oneOf/anyOf alternatives (paired by title or $ref, then by inclusion).
  { id: 'request-subschema-added', detects: 'an allOf member added, or a oneOf/anyOf where there was none', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-subschema-removed', oasdiff: ['request-body-all-of-added:ERR', 'request-property-all-of-added:ERR'] },
  { id: 'response-subschema-added', detects: 'an allOf member added, or a oneOf/anyOf where there was none', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-subschema-removed', oasdiff: ['response-property-all-of-added:INFO'] },
  { id: 'request-subschema-removed', detects: 'an allOf member removed, or a oneOf/anyOf dropped', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-subschema-added', oasdiff: ['request-property-all-of-removed:WARN'] },
  { id: 'response-subschema-removed', detects: 'an allOf member removed, or a oneOf/anyOf dropped', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-subschema-added', oasdiff: ['response-property-all-of-removed:INFO'], divergence: { 'response-property-all-of-removed': 'oasdiff does not call a dropped allOf member breaking for readers; its constraints are gone, so readers get values they were not promised' } },
  { id: 'request-alternative-added', detects: 'a new oneOf/anyOf alternative', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'request-alternative-removed', oasdiff: ['request-property-one-of-added:INFO', 'request-property-any-of-added:INFO'] },
  { id: 'response-alternative-added', detects: 'a new oneOf/anyOf alternative', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'response-alternative-removed', oasdiff: ['response-property-one-of-added:ERR', 'response-property-any-of-added:INFO'], divergence: { 'response-property-any-of-added': "oasdiff's own one-of-added is ERR: an anyOf alternative admits new values to readers just as a oneOf one does" } },
  { id: 'request-alternative-removed', detects: 'a oneOf/anyOf alternative removed', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: true, mirror: 'request-alternative-added', oasdiff: ['request-property-one-of-removed:ERR', 'request-property-any-of-removed:ERR'] },
  { id: 'response-alternative-removed', detects: 'a oneOf/anyOf alternative removed', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: true, mirror: 'response-alternative-added', oasdiff: ['response-property-one-of-removed:INFO'] },

  // What this tool does not order: reported as both, so that nothing changes silently.
  { id: 'request-alternative-merged', detects: 'a oneOf/anyOf alternative removed whose values another alternative accepts', direction: 'request', effect: 'none', breaks: [], level: 'annotation', schema: true, mirror: 'request-alternative-split' },
  { id: 'response-alternative-merged', detects: 'a oneOf/anyOf alternative removed whose values another alternative accepts', direction: 'response', effect: 'none', breaks: [], level: 'annotation', schema: true, mirror: 'response-alternative-split' },
  { id: 'request-alternative-split', detects: 'a oneOf/anyOf alternative added whose values another alternative accepted', direction: 'request', effect: 'none', breaks: [], level: 'annotation', schema: true, mirror: 'request-alternative-merged' },
  { id: 'response-alternative-split', detects: 'a oneOf/anyOf alternative added whose values another alternative accepted', direction: 'response', effect: 'none', breaks: [], level: 'annotation', schema: true, mirror: 'response-alternative-merged' },

  { id: 'request-keyword-changed', detects: 'a validation or serialization keyword changed that this tool does not order (not, if/then/else, multipleOf, uniqueItems, patternProperties, style, encoding, ...)', direction: 'request', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'request-keyword-changed' },
  { id: 'response-keyword-changed', detects: 'a validation or serialization keyword changed that this tool does not order (not, if/then/else, multipleOf, uniqueItems, patternProperties, style, encoding, ...)', direction: 'response', effect: 'both', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'response-keyword-changed' },

  // Defaults change no validity, but what an absent value means.
  { id: 'request-default-changed', detects: 'a default value added, removed or changed', direction: 'request', effect: 'none', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'request-default-changed', exception: 'a default is what the receiver assumes when the sender leaves the value out: senders that rely on it get another meaning, receivers that apply the old one are wrong', oasdiff: ['request-parameter-default-value-changed:ERR', 'request-property-default-value-changed:INFO'], divergence: { 'request-property-default-value-changed': "oasdiff's two rules disagree (parameters ERR, body properties INFO); we take the stricter for both: the meaning of an absent value changes either way" } },
  { id: 'response-default-changed', detects: 'a default value added, removed or changed', direction: 'response', effect: 'none', breaks: ['senders', 'receivers'], level: 'breaking', schema: true, mirror: 'response-default-changed', exception: 'a default is what the reader assumes when the writer leaves the value out', oasdiff: ['response-property-default-value-changed:INFO'], divergence: { 'response-property-default-value-changed': 'as for request-default-changed: a reader assumes the default for an absent value' } },

  // Levels (x-level): the same rule moved between error and warning.
  { id: 'request-level-raised', detects: 'a schema moved from the warning level to the error level', direction: 'request', effect: 'narrows', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'request-level-lowered' },
  { id: 'response-level-raised', detects: 'a schema moved from the warning level to the error level', direction: 'response', effect: 'narrows', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'response-level-lowered' },
  { id: 'request-level-lowered', detects: 'a schema moved from the error level to the warning level', direction: 'request', effect: 'widens', breaks: ['receivers'], level: 'breaking', schema: false, mirror: 'request-level-raised' },
  { id: 'response-level-lowered', detects: 'a schema moved from the error level to the warning level', direction: 'response', effect: 'widens', breaks: ['senders'], level: 'breaking', schema: false, mirror: 'response-level-raised' },

  // Documentation.
  { id: 'request-annotation-changed', detects: 'a description, summary, title, example, operationId or deprecated flag changed, or a pattern rewritten to accept the same strings', direction: 'request', effect: 'none', breaks: [], level: 'annotation', schema: false, mirror: 'request-annotation-changed' },
  { id: 'response-annotation-changed', detects: 'a description, summary, title, example or deprecated flag changed, or a pattern rewritten to accept the same strings', direction: 'response', effect: 'none', breaks: [], level: 'annotation', schema: false, mirror: 'response-annotation-changed' },
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.id, rule]));

/** Who writes a message in this direction (they are broken by narrowing) and who reads it (broken by widening). */
export function roles(direction: Direction): { writers: Audience; readers: Audience } {
  return direction === 'request' ? { writers: 'senders', readers: 'receivers' } : { writers: 'receivers', readers: 'senders' };
}

/** The audiences a change breaks by the polarity alone: narrowing breaks the writers, widening the readers. */
export function polarity(direction: Direction, effect: Effect): Audience[] {
  const { writers, readers } = roles(direction);
  if (effect === 'narrows') return [writers];
  if (effect === 'widens') return [readers];
  if (effect === 'both') return (['senders', 'receivers'] as const).filter((a) => a === writers || a === readers);
  return [];
}

export function rule(id: string): Rule {
  const found = RULES_BY_ID.get(id);
  if (!found) throw new Error(`no diff rule "${id}"`);
  return found;
}
