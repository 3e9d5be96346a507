/**
 * `converge-webhook diff`: the rule table's audit, the crafted fixture pairs (each run both ways,
 * and under paths and under webhooks alike), the levels, the version policy, the errors, and the
 * CLI. Where oasdiff has a rule for the same change under `paths`, the case names it and the test
 * checks that our verdict for senders (the API's clients, the side oasdiff judges) agrees.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { loadDocument } from '../src/commands/diff.js';
import { type Change, type DiffReport, DocumentError, RULES, diffDocuments, parseSemver, polarity, type SourceDocument } from '../src/diff/index.js';
import { carries, nextVersion, worth } from '../src/diff/version.js';
import { root, runCli } from './helpers.js';

const FIXTURES = join(root, 'test/fixtures/diff');
const temp = mkdtempSync(join(tmpdir(), 'converge-diff-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

type Bump = DiffReport['required'];

interface Case {
  /** The folder under test/fixtures/diff/ with old.* and new.*. */
  name: string;
  /** Where the fixture declares its operations (each case is also run moved to the other place). */
  location: 'paths' | 'webhooks';
  /** `rule-id audience…` per change from old to new ('-' for no audience), in report order. */
  forward: string[];
  forwardBump: Bump;
  /** The same from new to old. */
  reverse: string[];
  reverseBump: Bump;
  /** oasdiff's rule for each of our rules met in this case, under paths (its level is in src/diff/rules.ts). */
  oasdiff?: Record<string, string>;
  /** Why the case means nothing with its operations moved to the other place. */
  staysPut?: string;
}

const CASES: Case[] = [
  {
    name: 'operation-added',
    location: 'paths',
    forward: ['operation-added receivers'],
    forwardBump: 'major',
    reverse: ['operation-removed senders receivers'],
    reverseBump: 'major',
    // endpoint-added (INFO), api-removed-without-deprecation (ERR)
    oasdiff: { 'operation-added': 'endpoint-added', 'operation-removed': 'api-removed-without-deprecation' },
  },
  {
    name: 'webhook-added',
    location: 'webhooks',
    // A new event name breaks receivers; a removed one, the senders that still send it and the receivers that relied on it.
    forward: ['operation-added receivers'],
    forwardBump: 'major',
    reverse: ['operation-removed senders receivers'],
    reverseBump: 'major',
    // webhook-added (INFO), webhook-removed (ERR)
    oasdiff: { 'operation-added': 'webhook-added', 'operation-removed': 'webhook-removed' },
  },
  {
    name: 'request-body-became-required',
    location: 'paths',
    forward: ['request-body-became-required senders'],
    forwardBump: 'major',
    reverse: ['request-body-became-optional receivers'],
    reverseBump: 'major',
    // request-body-became-required (ERR), request-body-became-optional (INFO)
    oasdiff: { 'request-body-became-required': 'request-body-became-required', 'request-body-became-optional': 'request-body-became-optional' },
  },
  {
    name: 'request-body-added',
    location: 'webhooks',
    forward: ['request-body-added-required senders receivers', 'request-body-added-optional receivers'],
    forwardBump: 'major',
    reverse: ['request-body-removed senders receivers', 'request-body-removed senders receivers'],
    reverseBump: 'major',
    // request-body-added-required (ERR), request-body-added-optional (INFO), request-body-removed (ERR)
    oasdiff: { 'request-body-added-required': 'request-body-added-required', 'request-body-added-optional': 'request-body-added-optional', 'request-body-removed': 'request-body-removed' },
  },
  {
    name: 'media-types',
    location: 'paths',
    forward: ['request-media-type-added receivers', 'response-media-type-added -'],
    forwardBump: 'major',
    reverse: ['request-media-type-removed senders', 'response-media-type-removed senders receivers'],
    reverseBump: 'major',
    // request-body-media-type-added (INFO), response-media-type-added (INFO), request-body-media-type-removed (ERR), response-media-type-removed (ERR)
    oasdiff: {
      'request-media-type-added': 'request-body-media-type-added',
      'response-media-type-added': 'response-media-type-added',
      'request-media-type-removed': 'request-body-media-type-removed',
      'response-media-type-removed': 'response-media-type-removed',
    },
  },
  {
    name: 'response-statuses',
    location: 'paths',
    // New statuses break nobody (a reader treats an unknown status as the x00 of its class): a minor bump.
    forward: ['response-status-added -', 'response-status-added -'],
    forwardBump: 'minor',
    reverse: ['response-success-status-removed senders receivers', 'response-status-removed receivers'],
    reverseBump: 'major',
    // response-success-status-added (INFO), response-success-status-removed (ERR), response-non-success-status-removed (INFO)
    oasdiff: { 'response-status-added': 'response-success-status-added', 'response-success-status-removed': 'response-success-status-removed', 'response-status-removed': 'response-non-success-status-removed' },
  },
  {
    name: 'query-parameter-added-required',
    location: 'paths',
    forward: ['request-parameter-added-required senders'],
    forwardBump: 'major',
    reverse: ['request-parameter-removed receivers'],
    reverseBump: 'major',
    // new-required-request-parameter (ERR), request-parameter-removed (WARN)
    oasdiff: { 'request-parameter-added-required': 'new-required-request-parameter', 'request-parameter-removed': 'request-parameter-removed' },
  },
  {
    name: 'header-parameter-added-optional',
    location: 'webhooks',
    forward: ['request-parameter-added-optional -'],
    forwardBump: 'minor',
    reverse: ['request-parameter-removed receivers'],
    reverseBump: 'major',
    // new-optional-request-parameter (INFO)
    oasdiff: { 'request-parameter-added-optional': 'new-optional-request-parameter', 'request-parameter-removed': 'request-parameter-removed' },
  },
  {
    name: 'parameter-became-required',
    location: 'paths',
    forward: ['request-parameter-became-required senders'],
    forwardBump: 'major',
    reverse: ['request-parameter-became-optional receivers'],
    reverseBump: 'major',
    // request-parameter-became-required (ERR), request-parameter-became-optional (INFO)
    oasdiff: { 'request-parameter-became-required': 'request-parameter-became-required', 'request-parameter-became-optional': 'request-parameter-became-optional' },
  },
  {
    name: 'parameter-schema',
    location: 'paths',
    forward: ['request-upper-bound-lowered senders', 'request-enum-value-removed senders'],
    forwardBump: 'major',
    reverse: ['request-upper-bound-raised receivers', 'request-enum-value-added receivers'],
    reverseBump: 'major',
    // request-parameter-max-decreased (ERR), request-parameter-enum-value-removed (ERR), their INFO mirrors
    oasdiff: {
      'request-upper-bound-lowered': 'request-parameter-max-decreased',
      'request-enum-value-removed': 'request-parameter-enum-value-removed',
      'request-upper-bound-raised': 'request-parameter-max-increased',
      'request-enum-value-added': 'request-parameter-enum-value-added',
    },
  },
  {
    name: 'security-added',
    location: 'paths',
    // A credential now required: requests without it are refused (senders); dropped again, receivers that still refuse them break.
    forward: ['request-security-added senders'],
    forwardBump: 'major',
    reverse: ['request-security-removed receivers'],
    reverseBump: 'major',
    // api-security-added (INFO: a declared divergence), api-security-removed (INFO)
    oasdiff: { 'request-security-added': 'api-security-added', 'request-security-removed': 'api-security-removed' },
  },
  {
    name: 'security-emptied',
    location: 'webhooks',
    // The document requires a token; the operation's security: [] lifts it for that operation.
    forward: ['request-security-removed receivers'],
    forwardBump: 'major',
    reverse: ['request-security-added senders'],
    reverseBump: 'major',
    oasdiff: { 'request-security-removed': 'api-security-removed', 'request-security-added': 'api-security-added' },
  },
  {
    name: 'security-alternatives',
    location: 'paths',
    // [{token}] → [{token}, {bearer}]: another way to authenticate (receivers must accept it); the reverse refuses bearer senders.
    forward: ['request-security-alternative-added receivers'],
    forwardBump: 'major',
    reverse: ['request-security-alternative-removed senders'],
    reverseBump: 'major',
    oasdiff: { 'request-security-alternative-added': 'api-security-added', 'request-security-alternative-removed': 'api-security-removed' },
  },
  {
    name: 'security-scheme-added',
    location: 'webhooks',
    // [{token}] → [{token, signature}]: one more credential to send.
    forward: ['request-security-scheme-added senders'],
    forwardBump: 'major',
    reverse: ['request-security-scheme-dropped receivers'],
    reverseBump: 'major',
    oasdiff: { 'request-security-scheme-added': 'api-security-added', 'request-security-scheme-dropped': 'api-security-removed' },
  },
  {
    name: 'security-scheme-changed',
    location: 'paths',
    // token: an apiKey moved from header X-Token to query token; session: an apiKey cookie became an http bearer token.
    forward: ['request-security-scheme-changed senders receivers', 'request-security-scheme-changed senders receivers'],
    forwardBump: 'major',
    reverse: ['request-security-scheme-changed senders receivers', 'request-security-scheme-changed senders receivers'],
    reverseBump: 'major',
    oasdiff: { 'request-security-scheme-changed': 'api-security-component-type-changed' },
  },
  {
    name: 'security-scopes',
    location: 'webhooks',
    forward: ['request-security-scope-added senders'],
    forwardBump: 'major',
    reverse: ['request-security-scope-removed receivers'],
    reverseBump: 'major',
    oasdiff: { 'request-security-scope-added': 'api-security-scope-added', 'request-security-scope-removed': 'api-security-scope-removed' },
  },
  {
    name: 'response-headers-added',
    location: 'paths',
    forward: ['response-required-header-added receivers', 'response-optional-header-added -'],
    forwardBump: 'major',
    reverse: ['response-required-header-removed senders', 'response-optional-header-removed senders'],
    reverseBump: 'major',
    // response-header-added (INFO), required-response-header-removed (ERR), optional-response-header-removed (WARN)
    oasdiff: {
      'response-required-header-added': 'response-header-added',
      'response-optional-header-added': 'response-header-added',
      'response-required-header-removed': 'required-response-header-removed',
      'response-optional-header-removed': 'optional-response-header-removed',
    },
  },
  {
    name: 'response-header-became-required',
    location: 'webhooks',
    forward: ['response-header-became-required receivers'],
    forwardBump: 'major',
    reverse: ['response-header-became-optional senders'],
    reverseBump: 'major',
    // response-header-became-optional (ERR)
    oasdiff: { 'response-header-became-optional': 'response-header-became-optional' },
  },
  {
    name: 'response-header-type-widened',
    location: 'paths',
    forward: ['response-type-widened senders'],
    forwardBump: 'major',
    reverse: ['response-type-narrowed receivers'],
    reverseBump: 'major',
    // response-property-type-generalized (ERR), response-property-type-specialized (INFO)
    oasdiff: { 'response-type-widened': 'response-property-type-generalized', 'response-type-narrowed': 'response-property-type-specialized' },
  },
  {
    name: 'required-property-added',
    location: 'paths',
    forward: ['request-required-property-added senders', 'response-required-property-added receivers'],
    forwardBump: 'major',
    reverse: ['request-required-property-removed receivers', 'response-required-property-removed senders'],
    reverseBump: 'major',
    // new-required-request-property (ERR), response-required-property-added (INFO), request-property-removed (WARN), response-required-property-removed (ERR)
    oasdiff: {
      'request-required-property-added': 'new-required-request-property',
      'response-required-property-added': 'response-required-property-added',
      'request-required-property-removed': 'request-property-removed',
      'response-required-property-removed': 'response-required-property-removed',
    },
  },
  {
    name: 'optional-property-added',
    location: 'webhooks',
    forward: ['request-optional-property-added -', 'response-optional-property-added -'],
    forwardBump: 'minor',
    reverse: ['request-optional-property-removed receivers', 'response-optional-property-removed senders'],
    reverseBump: 'major',
    // new-optional-request-property (INFO), response-optional-property-added (INFO), request-property-removed (WARN), response-optional-property-removed (WARN)
    oasdiff: {
      'request-optional-property-added': 'new-optional-request-property',
      'response-optional-property-added': 'response-optional-property-added',
      'request-optional-property-removed': 'request-property-removed',
      'response-optional-property-removed': 'response-optional-property-removed',
    },
  },
  {
    name: 'property-became-required',
    location: 'webhooks',
    forward: ['request-property-became-required senders', 'response-property-became-required receivers'],
    forwardBump: 'major',
    reverse: ['request-property-became-optional receivers', 'response-property-became-optional senders'],
    reverseBump: 'major',
    // request-property-became-required (ERR), response-property-became-required (INFO), request-property-became-optional (INFO), response-property-became-optional (ERR)
    oasdiff: {
      'request-property-became-required': 'request-property-became-required',
      'response-property-became-required': 'response-property-became-required',
      'request-property-became-optional': 'request-property-became-optional',
      'response-property-became-optional': 'response-property-became-optional',
    },
  },
  {
    name: 'closed-object-property-allowed',
    location: 'paths',
    forward: ['request-property-allowed receivers', 'response-property-allowed senders'],
    forwardBump: 'major',
    reverse: ['request-property-disallowed senders', 'response-property-disallowed receivers'],
    reverseBump: 'major',
  },
  {
    name: 'additional-properties-forbidden',
    location: 'webhooks',
    forward: ['request-additional-properties-forbidden senders', 'response-additional-properties-forbidden receivers'],
    forwardBump: 'major',
    reverse: ['request-additional-properties-allowed receivers', 'response-additional-properties-allowed senders'],
    reverseBump: 'major',
  },
  {
    name: 'type-narrowed',
    location: 'paths',
    forward: ['request-type-narrowed senders', 'response-type-narrowed receivers'],
    forwardBump: 'major',
    reverse: ['request-type-widened receivers', 'response-type-widened senders'],
    reverseBump: 'major',
    // request-property-list-of-types-narrowed (ERR), response-property-type-specialized (INFO), their mirrors
    oasdiff: {
      'request-type-narrowed': 'request-property-list-of-types-narrowed',
      'response-type-narrowed': 'response-property-type-specialized',
      'request-type-widened': 'request-property-list-of-types-widened',
      'response-type-widened': 'response-property-type-generalized',
    },
  },
  {
    name: 'type-changed',
    location: 'webhooks',
    forward: ['request-type-changed senders receivers', 'response-type-changed senders receivers'],
    forwardBump: 'major',
    reverse: ['request-type-changed senders receivers', 'response-type-changed senders receivers'],
    reverseBump: 'major',
    // request-property-type-changed (ERR), response-property-type-changed (ERR)
    oasdiff: { 'request-type-changed': 'request-property-type-changed', 'response-type-changed': 'response-property-type-changed' },
  },
  {
    name: 'enum-values',
    location: 'paths',
    forward: ['request-enum-value-added receivers', 'response-enum-value-removed receivers'],
    forwardBump: 'major',
    reverse: ['request-enum-value-removed senders', 'response-enum-value-added senders'],
    reverseBump: 'major',
    // request-property-enum-value-added (INFO), response-property-enum-value-removed (INFO), request-property-enum-value-removed (ERR), response-property-enum-value-added (WARN)
    oasdiff: {
      'request-enum-value-added': 'request-property-enum-value-added',
      'response-enum-value-removed': 'response-property-enum-value-removed',
      'request-enum-value-removed': 'request-property-enum-value-removed',
      'response-enum-value-added': 'response-property-enum-value-added',
    },
  },
  {
    name: 'event-name-added',
    location: 'webhooks',
    // const "order.placed" becoming enum [order.placed, order.paid]: a new event name for receivers.
    forward: ['request-enum-value-added receivers'],
    forwardBump: 'major',
    reverse: ['request-enum-value-removed senders'],
    reverseBump: 'major',
    oasdiff: { 'request-enum-value-added': 'request-property-enum-value-added', 'request-enum-value-removed': 'request-property-enum-value-removed' },
  },
  {
    name: 'enum-set',
    location: 'paths',
    forward: ['request-enum-set senders', 'response-enum-set receivers'],
    forwardBump: 'major',
    reverse: ['request-enum-unset receivers', 'response-enum-unset senders'],
    reverseBump: 'major',
    // request-property-became-enum (ERR), request-property-const-removed (INFO), response-property-const-removed (ERR)
    oasdiff: { 'request-enum-set': 'request-property-became-enum', 'request-enum-unset': 'request-property-const-removed', 'response-enum-unset': 'response-property-const-removed' },
  },
  {
    name: 'upper-bound-lowered',
    location: 'paths',
    forward: ['request-upper-bound-lowered senders', 'response-upper-bound-lowered receivers'],
    forwardBump: 'major',
    reverse: ['request-upper-bound-raised receivers', 'response-upper-bound-raised senders'],
    reverseBump: 'major',
    // request-property-max-length-decreased (ERR), request-property-max-length-increased (INFO), response-property-max-increased (ERR)
    oasdiff: {
      'request-upper-bound-lowered': 'request-property-max-length-decreased',
      'request-upper-bound-raised': 'request-property-max-length-increased',
      'response-upper-bound-raised': 'response-property-max-increased',
    },
  },
  {
    name: 'lower-bound-raised',
    location: 'webhooks',
    forward: ['request-lower-bound-raised senders', 'response-lower-bound-raised receivers'],
    forwardBump: 'major',
    reverse: ['request-lower-bound-lowered receivers', 'response-lower-bound-lowered senders'],
    reverseBump: 'major',
    // request-property-min-increased (ERR), request-property-min-decreased (INFO), response-property-min-length-decreased (ERR)
    oasdiff: {
      'request-lower-bound-raised': 'request-property-min-increased',
      'request-lower-bound-lowered': 'request-property-min-decreased',
      'response-lower-bound-lowered': 'response-property-min-length-decreased',
    },
  },
  {
    name: 'pattern-added',
    location: 'paths',
    forward: ['request-pattern-added senders', 'response-pattern-added receivers'],
    forwardBump: 'major',
    reverse: ['request-pattern-removed receivers', 'response-pattern-removed senders'],
    reverseBump: 'major',
    // request-property-pattern-added (ERR), response-property-pattern-added (INFO), request-property-pattern-removed (INFO),
    // response-property-pattern-removed (INFO: a declared divergence, see the rule)
    oasdiff: {
      'request-pattern-added': 'request-property-pattern-added',
      'response-pattern-added': 'response-property-pattern-added',
      'request-pattern-removed': 'request-property-pattern-removed',
      'response-pattern-removed': 'response-property-pattern-removed',
    },
  },
  {
    name: 'pattern-changed',
    location: 'webhooks',
    // A pattern replaced by another changes both ways; one replaced by ".*" is removed.
    forward: ['request-pattern-changed senders receivers', 'request-pattern-removed receivers', 'response-pattern-changed senders receivers'],
    forwardBump: 'major',
    reverse: ['request-pattern-changed senders receivers', 'request-pattern-added senders', 'response-pattern-changed senders receivers'],
    reverseBump: 'major',
    // request-property-pattern-changed (WARN), request-property-pattern-generalized (INFO), response-property-pattern-changed (INFO: a declared divergence)
    oasdiff: {
      'request-pattern-changed': 'request-property-pattern-changed',
      'request-pattern-removed': 'request-property-pattern-generalized',
      'request-pattern-added': 'request-property-pattern-added',
      'response-pattern-changed': 'response-property-pattern-changed',
    },
  },
  {
    name: 'pattern-widened',
    location: 'paths',
    // refa orders the patterns by the strings they accept: ^[A-Z]+$ → ^[A-Z0-9]+$ widens, ^[0-9]{4}$ → ^\\d{4}$ accepts
    // the same strings (documentation), ^ord_[0-9]+$ → ord_[a-z0-9] (unanchored: anywhere in the string) widens.
    forward: ['request-pattern-widened receivers', 'request-annotation-changed -', 'response-pattern-widened senders'],
    forwardBump: 'major',
    reverse: ['request-pattern-narrowed senders', 'request-annotation-changed -', 'response-pattern-narrowed receivers'],
    reverseBump: 'major',
    // request-property-pattern-generalized (INFO), request-property-pattern-changed (WARN), response-property-pattern-changed (INFO: a declared divergence for the widening)
    oasdiff: {
      'request-pattern-widened': 'request-property-pattern-generalized',
      'request-pattern-narrowed': 'request-property-pattern-changed',
      'response-pattern-widened': 'response-property-pattern-changed',
      'response-pattern-narrowed': 'response-property-pattern-changed',
    },
  },
  {
    name: 'format',
    location: 'paths',
    forward: ['request-format-added senders', 'request-format-changed senders receivers', 'response-format-added receivers', 'response-format-changed senders receivers'],
    forwardBump: 'major',
    reverse: ['request-format-removed receivers', 'request-format-changed senders receivers', 'response-format-removed senders', 'response-format-changed senders receivers'],
    reverseBump: 'major',
  },
  {
    name: 'allof-member-added',
    location: 'webhooks',
    forward: ['request-subschema-added senders', 'response-subschema-added receivers'],
    forwardBump: 'major',
    reverse: ['request-subschema-removed receivers', 'response-subschema-removed senders'],
    reverseBump: 'major',
    // request-property-all-of-added (ERR), response-property-all-of-added (INFO), request-property-all-of-removed (WARN),
    // response-property-all-of-removed (INFO: a declared divergence)
    oasdiff: {
      'request-subschema-added': 'request-body-all-of-added',
      'response-subschema-added': 'response-property-all-of-added',
      'request-subschema-removed': 'request-property-all-of-removed',
      'response-subschema-removed': 'response-property-all-of-removed',
    },
  },
  {
    name: 'oneof-alternatives',
    location: 'paths',
    forward: ['request-alternative-added receivers', 'response-alternative-removed receivers'],
    forwardBump: 'major',
    reverse: ['request-alternative-removed senders', 'response-alternative-added senders'],
    reverseBump: 'major',
    // request-property-one-of-added (INFO), response-property-one-of-removed (INFO), request-property-one-of-removed (ERR), response-property-one-of-added (ERR)
    oasdiff: {
      'request-alternative-added': 'request-property-one-of-added',
      'response-alternative-removed': 'response-property-one-of-removed',
      'request-alternative-removed': 'request-property-one-of-removed',
      'response-alternative-added': 'response-property-one-of-added',
    },
  },
  {
    name: 'alternative-widened',
    location: 'webhooks',
    // Alternatives are matched by inclusion, not by position: ShortCode (maxLength 8) replaced by the wider Code
    // (maxLength 16) breaks receivers only, and its reverse senders only; the unnamed response alternatives are
    // reordered, and the date-time one widened (format dropped, pattern widened): it breaks senders only.
    forward: ['request-upper-bound-raised receivers', 'request-annotation-changed -', 'response-pattern-widened senders', 'response-format-removed senders'],
    forwardBump: 'major',
    reverse: ['request-upper-bound-lowered senders', 'request-annotation-changed -', 'response-pattern-narrowed receivers', 'response-format-added receivers'],
    reverseBump: 'major',
  },
  {
    name: 'alternative-unnamed',
    location: 'paths',
    // Unnamed alternatives are matched by inclusion, not by position: an integer alternative added in front of the
    // string one is an addition (receivers), the boolean one dropped from the response a removal (receivers).
    forward: ['request-alternative-added receivers', 'response-alternative-removed receivers'],
    forwardBump: 'major',
    reverse: ['request-alternative-removed senders', 'response-alternative-added senders'],
    reverseBump: 'major',
    // request-property-any-of-added (INFO), response-property-one-of-removed (INFO), request-property-any-of-removed (ERR), response-property-one-of-added (ERR)
    oasdiff: {
      'request-alternative-added': 'request-property-any-of-added',
      'response-alternative-removed': 'response-property-one-of-removed',
      'request-alternative-removed': 'request-property-any-of-removed',
      'response-alternative-added': 'response-property-one-of-added',
    },
  },
  {
    name: 'alternative-merged',
    location: 'paths',
    // Small and Large merged into Any: Small is matched (widened: receivers), and Large, whose values Any accepts,
    // breaks nobody (senders still send valid values). Split again, Small narrows (senders) and Large breaks nobody.
    // In the response, Medium and Short merged into Long: Medium widened (senders read longer notes), Short merged.
    forward: [
      'request-alternative-merged -', 'request-upper-bound-raised receivers', 'request-annotation-changed -',
      'response-alternative-merged -', 'response-upper-bound-raised senders', 'response-annotation-changed -',
    ],
    forwardBump: 'major',
    reverse: [
      'request-alternative-split -', 'request-upper-bound-lowered senders', 'request-annotation-changed -',
      'response-alternative-split -', 'response-upper-bound-lowered receivers', 'response-annotation-changed -',
    ],
    reverseBump: 'major',
  },
  {
    name: 'keyword-changed',
    location: 'paths',
    forward: ['request-keyword-changed senders receivers', 'response-keyword-changed senders receivers'],
    forwardBump: 'major',
    reverse: ['request-keyword-changed senders receivers', 'response-keyword-changed senders receivers'],
    reverseBump: 'major',
  },
  {
    name: 'default-changed',
    location: 'paths',
    forward: ['request-default-changed senders receivers', 'response-default-changed senders receivers'],
    forwardBump: 'major',
    reverse: ['request-default-changed senders receivers', 'response-default-changed senders receivers'],
    reverseBump: 'major',
    // request-parameter-default-value-changed (ERR); response-property-default-value-changed (INFO: a declared divergence)
    oasdiff: { 'request-default-changed': 'request-parameter-default-value-changed', 'response-default-changed': 'response-property-default-value-changed' },
  },
  {
    name: 'warning-level',
    location: 'paths',
    // x-level: warning on a schema, and a media type's x-warning-schema: narrowing breaks nobody by default (see the strict test).
    forward: ['request-enum-value-removed -', 'request-property-became-required -'],
    forwardBump: 'minor',
    reverse: ['request-enum-value-added -', 'request-property-became-optional -'],
    reverseBump: 'minor',
  },
  {
    name: 'level-raised',
    location: 'webhooks',
    forward: ['request-level-raised senders', 'response-level-raised receivers'],
    forwardBump: 'major',
    reverse: ['request-level-lowered receivers', 'response-level-lowered senders'],
    reverseBump: 'major',
  },
  {
    name: 'annotations',
    location: 'paths',
    forward: ['request-annotation-changed -', 'request-annotation-changed -', 'response-annotation-changed -'],
    forwardBump: 'patch',
    reverse: ['request-annotation-changed -', 'request-annotation-changed -', 'response-annotation-changed -'],
    reverseBump: 'patch',
  },
  {
    name: 'path-parameter-renamed',
    location: 'paths',
    // /orders/{id} → /orders/{orderId}: the same operation and the same path parameter (paired by place), so
    // nothing to report for it; the query parameter expand → include is a real removal and addition.
    forward: ['request-parameter-added-optional -', 'request-parameter-removed receivers'],
    forwardBump: 'major',
    reverse: ['request-parameter-added-optional -', 'request-parameter-removed receivers'],
    reverseBump: 'major',
    oasdiff: { 'request-parameter-added-optional': 'new-optional-request-parameter', 'request-parameter-removed': 'request-parameter-removed' },
    staysPut: 'a webhook is named, not templated: orders-{id} and orders-{orderId} are two webhooks',
  },
  {
    name: 'recursive-schema',
    location: 'paths',
    // Category.children[] is a Category: the change is reported once, and the walk ends.
    forward: ['request-upper-bound-lowered senders'],
    forwardBump: 'major',
    reverse: ['request-upper-bound-raised receivers'],
    reverseBump: 'major',
  },
  {
    name: 'external-refs',
    location: 'paths',
    // old.json is bundled (#/components refs), new.yaml points at files: only Item.quantity's minimum differs.
    forward: ['request-lower-bound-raised senders'],
    forwardBump: 'major',
    reverse: ['request-lower-bound-lowered receivers'],
    reverseBump: 'major',
    oasdiff: { 'request-lower-bound-raised': 'request-property-min-set', 'request-lower-bound-lowered': 'request-property-min-decreased' },
  },
];

function fixture(name: string): { old: string; new: string } {
  const files = readdirSync(join(FIXTURES, name));
  const pick = (prefix: string) => join(FIXTURES, name, files.find((f) => f.startsWith(`${prefix}.`))!);
  return { old: pick('old'), new: pick('new') };
}

function summary(changes: Change[]): string[] {
  return changes.map((c) => `${c.id} ${c.breaks.length === 0 ? '-' : c.breaks.join(' ')}`);
}

/** The same document with its operations moved between `paths` and `webhooks` (webhook "orders" for path "/orders"). */
function moved(source: SourceDocument): SourceDocument {
  const document = structuredClone(source.document) as Record<string, Record<string, unknown> | undefined>;
  const items = document.paths ?? document.webhooks ?? {};
  const inPaths = document.paths !== undefined;
  delete document.paths;
  delete document.webhooks;
  const movedItems = Object.fromEntries(Object.entries(items).map(([key, item]) => [inPaths ? key.replace(/^\//, '').replace(/\//g, '-') : `/${key}`, item]));
  document[inPaths ? 'webhooks' : 'paths'] = movedItems;
  return { ...source, document };
}

const seen = new Set<string>();
function run(oldSource: SourceDocument, newSource: SourceDocument, strict = false): DiffReport {
  const report = diffDocuments(oldSource, newSource, { strict });
  for (const change of report.changes) seen.add(change.id);
  return report;
}

const RULE = new Map(RULES.map((r) => [r.id, r]));
const OASDIFF_LEVEL = new Map(RULES.flatMap((r) => (r.oasdiff ?? []).map((entry) => entry.split(':') as [string, string])));

describe('crafted pairs: each change with the audiences it breaks, both ways', () => {
  it('has at least 20 pairs, under paths and under webhooks', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    expect(CASES.filter((c) => c.location === 'webhooks').length).toBeGreaterThanOrEqual(10);
    expect(readdirSync(FIXTURES).sort()).toEqual(CASES.map((c) => c.name).sort());
  });

  for (const c of CASES) {
    describe(c.name, () => {
      const files = fixture(c.name);
      const oldSource = loadDocument(files.old);
      const newSource = loadDocument(files.new);

      it(`old → new: ${c.forward.join('; ')}`, () => {
        const report = run(oldSource, newSource);
        expect(summary(report.changes)).toEqual(c.forward);
        expect(report.required).toBe(c.forwardBump);
      });

      it(`new → old: ${c.reverse.join('; ')}`, () => {
        const report = run(newSource, oldSource);
        expect(summary(report.changes)).toEqual(c.reverse);
        expect(report.required).toBe(c.reverseBump);
      });

      it.skipIf(c.staysPut !== undefined)(`gives the same verdicts with its operations moved under ${c.location === 'paths' ? 'webhooks' : 'paths'}`, () => {
        expect(summary(run(moved(oldSource), moved(newSource)).changes)).toEqual(c.forward);
        expect(summary(run(moved(newSource), moved(oldSource)).changes)).toEqual(c.reverse);
      });

      if (c.oasdiff) {
        it('agrees with oasdiff on the senders under paths (the API clients it judges)', () => {
          const [a, b] = c.location === 'paths' ? [oldSource, newSource] : [moved(oldSource), moved(newSource)];
          const changes = [...run(a, b).changes, ...run(b, a).changes];
          for (const [ours, theirs] of Object.entries(c.oasdiff!)) {
            const rule = RULE.get(ours)!;
            // The case names an oasdiff rule that the table also lists for this rule.
            expect(rule.oasdiff ?? [], ours).toContain(`${theirs}:${OASDIFF_LEVEL.get(theirs)}`);
            const level = OASDIFF_LEVEL.get(theirs);
            const mine = changes.filter((ch) => ch.id === ours);
            expect(mine.length, ours).toBeGreaterThan(0);
            for (const change of mine) {
              const breaksSenders = change.breaks.includes('senders');
              if (level === 'WARN') continue; // oasdiff itself says "may break": either verdict agrees.
              const oasdiffBreaks = level === 'ERR';
              if (rule.divergence?.[theirs]) expect(breaksSenders, `${ours} diverges from ${theirs} on purpose`).toBe(!oasdiffBreaks);
              else expect(breaksSenders, `${ours} vs oasdiff ${theirs} (${level})`).toBe(oasdiffBreaks);
            }
          }
        });
      }
    });
  }
});

describe('levels: x-level and x-warning-schema', () => {
  const files = fixture('warning-level');
  const oldSource = loadDocument(files.old);
  const newSource = loadDocument(files.new);

  it('a warning-level narrowing breaks nobody and needs a minor bump; the message says what --strict would do', () => {
    const report = run(oldSource, newSource);
    expect(report.changes.map((c) => [c.id, c.level, c.breaks, c.strictBreaks, c.bump])).toEqual([
      ['request-enum-value-removed', 'warning', [], ['senders'], 'minor'],
      ['request-property-became-required', 'warning', [], ['senders'], 'minor'],
    ]);
    expect(report.changes[0]!.message).toBe('POST /orders request body (application/json), channel: enum value "pos" removed [warning level: breaks senders only under --strict]');
    expect(report.changes[1]!.pointer).toBe('/paths/~1orders/post/requestBody/content/application~1json/x-warning-schema/required');
  });

  it('under --strict, narrowing a warning-level rule breaks senders and widening one breaks receivers, as errors do', () => {
    const narrowed = run(oldSource, newSource, true);
    expect(summary(narrowed.changes)).toEqual(['request-enum-value-removed senders', 'request-property-became-required senders']);
    expect(narrowed.required).toBe('major');
    expect(narrowed.strict).toBe(true);
    expect(narrowed.changes[0]!.message).toMatch(/\[warning level, counted as an error under --strict\]$/);
    expect(summary(run(newSource, oldSource, true).changes)).toEqual(['request-enum-value-added receivers', 'request-property-became-optional receivers']);
  });

  it('the same change at the error level breaks senders without --strict', () => {
    const strip = (source: SourceDocument): SourceDocument => ({ ...source, document: JSON.parse(JSON.stringify(source.document).replaceAll('"x-level":"warning",', '')) });
    expect(summary(run(strip(oldSource), strip(newSource)).changes)).toEqual(['request-enum-value-removed senders', 'request-property-became-required -']);
  });

  it('a level that is neither "error" nor "warning" is a document error with its pointer', () => {
    const bad = structuredClone(newSource.document) as { paths: Record<string, any> };
    bad.paths['/orders'].post.requestBody.content['application/json'].schema.properties.channel['x-level'] = 'recommended';
    expect(() => diffDocuments(oldSource, { ...newSource, document: bad })).toThrow(
      `${files.new}: /paths/~1orders/post/requestBody/content/application~1json/schema/properties/channel/x-level: expected "error" or "warning", found the string "recommended"`,
    );
  });
});

describe("the contracts' recommendations, marked for diff (x-warning-schema)", () => {
  const registry = JSON.parse(readFileSync(join(root, 'generated/contracts.json'), 'utf8')) as {
    contracts: Array<{ id: string; openapi: { json: string; dereferenced: string }; operations: Array<{ id: string; in: string; path: string; webhook?: string; method: string; levels?: { errors: { schema: string }; warnings: { schema: string; validator: string } } }> }>;
  };
  const marked = registry.contracts.flatMap((c) => c.operations.filter((o) => o.levels && o.levels.warnings.schema !== o.levels.errors.schema).map((o) => ({ contract: c, operation: o })));
  /** Every JSON example body of the three contracts: what each level is asked about. */
  const bodies = registry.contracts.flatMap((c) =>
    readdirSync(join(root, 'spec', c.id, 'examples'), { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith('.json'))
      .flatMap((f) => {
        try {
          return [{ file: join(f.parentPath, f.name), body: JSON.parse(readFileSync(join(f.parentPath, f.name), 'utf8')) as unknown }];
        } catch {
          return []; // malformed JSON on purpose (an invalid example): no level reads it
        }
      }),
  );

  it('marks every level of recommendations that differs from the rules: Converge 1, ProveSource 1, WebEngage 5', () => {
    expect(marked.map(({ contract, operation }) => `${contract.id} ${operation.id}`)).toEqual([
      'converge event',
      'provesource stream',
      'webengage events',
      'webengage activityEvents',
      'webengage globalSystemEvents',
      'webengage globalApplicationEvents',
      'webengage journey',
    ]);
    expect(bodies.length).toBeGreaterThan(200);
  });

  it.each(marked.map((m) => [`${m.contract.id} ${m.operation.id}`, m] as const))('%s: the x-warning-schema gives the verdict of the generated warnings validator on every example body', async (_, { contract, operation }) => {
    const document = JSON.parse(readFileSync(join(root, contract.openapi.dereferenced), 'utf8')) as Record<string, any>;
    const item = operation.in === 'paths' ? document.paths[operation.path] : document.webhooks[operation.webhook!];
    const contents = Object.values(item[operation.method.toLowerCase()].requestBody.content) as Array<Record<string, unknown>>;
    const ajv = new Ajv2020.default({ strict: false, allErrors: false, formats: fullFormats });
    const generated = (await import(join(root, `${operation.levels!.warnings.validator}.js`))) as { default: (value: unknown) => boolean };
    expect(contents.length).toBeGreaterThan(0);
    for (const media of contents) {
      const marking = ajv.compile(media['x-warning-schema'] as object);
      const verdicts = bodies.map(({ file, body }) => [file, marking(body), generated.default(body)]);
      expect(verdicts.filter(([, a, b]) => a !== b)).toEqual([]);
      // Both verdicts occur: the comparison says something.
      expect(new Set(verdicts.map(([, a]) => a))).toEqual(new Set([true, false]));
    }
  });

  it.each([
    ['converge', 'CustomEvent', 'a custom event name now needs two characters'],
    ['provesource', 'ConformingStreamNotification', 'a recommended field becomes required'],
    ['webengage', 'ConformingJourneyEvent', 'a recommended field becomes required'],
  ])('%s: narrowing a recommendation (%s: %s) breaks nobody, and senders under --strict', (id, component) => {
    const bundled = loadDocument(join(root, `generated/${id}/openapi/openapi.json`));
    const document = structuredClone(bundled.document) as Record<string, any>;
    const schema = document.components.schemas[component];
    if (id === 'converge') schema.properties.event_name.minLength = 2;
    else schema.required = [...(schema.required ?? []), 'narrowedOnPurpose'];
    document.info.version = document.info.version.replace(/^(\d+)\.(\d+)\.(\d+)/, (_: string, a: string, b: string, c: string) => `${a}.${b}.${Number(c) + 1}`);
    const changed = { ...bundled, document };
    const report = run(bundled, changed);
    expect(report.changes.length).toBeGreaterThan(0);
    expect(report.changes.map((c) => [c.level, c.breaks, c.strictBreaks, c.bump])).toEqual(report.changes.map(() => ['warning', [], ['senders'], 'minor']));
    expect(report.changes.every((c) => c.pointer.includes('/x-warning-schema/'))).toBe(true);
    expect(report).toMatchObject({ required: 'minor', ok: true }); // a patch bump below 1.0.0 carries an addition
    const strict = run(bundled, changed, true);
    expect(strict.changes.every((c) => c.breaks.join() === 'senders')).toBe(true);
    expect(strict).toMatchObject({ required: 'major', ok: false });
  });
});

describe('reports', () => {
  it('points into the dereferenced document and says what changed, where, from what to what', () => {
    const files = fixture('required-property-added');
    const report = run(loadDocument(files.old), loadDocument(files.new));
    expect(report.changes.map((c) => [c.pointer, c.message])).toEqual([
      ['/paths/~1orders/post/requestBody/content/application~1json/schema/properties/timestamp', 'POST /orders request body (application/json): property "timestamp" added, required'],
      ['/paths/~1orders/post/responses/200/content/application~1json/schema/properties/received_at', 'POST /orders response 200 (application/json): property "received_at" added, required'],
    ]);
  });

  it('names a webhook as a webhook, and a change deep in a schema by its path', () => {
    const files = fixture('lower-bound-raised');
    const report = run(loadDocument(files.old), loadDocument(files.new));
    expect(report.changes[0]).toMatchObject({
      operation: 'webhook orderPlaced (POST)',
      pointer: '/webhooks/orderPlaced/post/requestBody/content/application~1json/schema/properties/quantity/minimum',
      message: 'webhook orderPlaced (POST) request body (application/json), quantity: minimum raised from 0 to 1',
    });
    const external = fixture('external-refs');
    expect(run(loadDocument(external.old), loadDocument(external.new)).changes[0]!.message).toBe(
      'POST /orders request body (application/json), items[].quantity: minimum set to 1',
    );
  });

  it('compares a document with itself as unchanged, whatever its layout (the contract: files against bundle)', () => {
    const bundled = loadDocument(join(root, 'generated/converge/openapi/openapi.json'));
    expect(run(bundled, bundled)).toMatchObject({ changes: [], required: 'patch', bump: 'none', ok: true });
    // spec/<id>/openapi.yaml points at schema files by $ref and at example files by externalValue
    // (JSON, and ProveSource's .form texts); the bundles inline both. Equal, both ways.
    for (const id of ['converge', 'provesource', 'webengage']) {
      const source = loadDocument(join(root, `spec/${id}/openapi.yaml`));
      for (const bundle of [`generated/${id}/openapi/openapi.json`, `generated/${id}/openapi/openapi.yaml`]) {
        const inlined = loadDocument(join(root, bundle));
        expect([id, bundle, run(source, inlined).changes]).toEqual([id, bundle, []]);
        expect([id, bundle, run(inlined, source).changes]).toEqual([id, bundle, []]);
      }
    }
  });

  it('reads an externalValue relative to its document, as the bundler inlines it; an unreadable one compares as written', () => {
    const dir = mkdtempSync(join(temp, 'external-value-'));
    const document = (examples: Record<string, unknown>) => ({
      openapi: '3.1.0',
      info: { title: 'external values', version: '1.0.0' },
      paths: { '/orders': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object' }, examples } } }, responses: { '204': { description: 'taken' } } } } },
    });
    writeFileSync(join(dir, 'order.json'), '{"id": 1}');
    writeFileSync(join(dir, 'order.form'), 'id=1\n');
    writeFileSync(join(dir, 'files.yaml'), JSON.stringify(document({ a: { externalValue: './order.json' }, b: { externalValue: 'order.form' }, c: { externalValue: './missing.json' } })));
    writeFileSync(join(dir, 'inline.json'), JSON.stringify(document({ a: { value: { id: 1 } }, b: { value: 'id=1\n' }, c: { externalValue: './missing.json' } })));
    writeFileSync(join(dir, 'changed.json'), JSON.stringify(document({ a: { value: { id: 2 } }, b: { value: 'id=1\n' }, c: { externalValue: './missing.json' } })));
    const files = loadDocument(join(dir, 'files.yaml'));
    expect(run(files, loadDocument(join(dir, 'inline.json'))).changes).toEqual([]);
    expect(run(files, loadDocument(join(dir, 'changed.json'))).changes.map((c) => [c.id, c.message])).toEqual([
      ['request-annotation-changed', 'POST /orders request body (application/json): examples changed'],
    ]);
    // The loader read the files: the .json parsed, the other as text; the missing one kept its externalValue.
    expect((files.document as ReturnType<typeof document>).paths['/orders'].post.requestBody.content['application/json'].examples).toEqual({
      a: { value: { id: 1 } },
      b: { value: 'id=1\n' },
      c: { externalValue: './missing.json' },
    });
  });
});

describe('shared components', () => {
  /** 300 operations over 60 components, each referring to the next three: a graph with about 3^20 paths through it. */
  function graph(maximum: number): SourceDocument {
    const schemas: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      const properties: Record<string, unknown> = { n: { type: 'integer', maximum: i === 59 ? maximum : 100 } };
      for (let k = 1; k <= 3 && i + k < 60; k++) properties[`c${k}`] = { $ref: `#/components/schemas/S${i + k}` };
      schemas[`S${i}`] = { type: 'object', properties };
    }
    const content = (i: number) => ({ 'application/json': { schema: { $ref: `#/components/schemas/S${i % 50}` } } });
    const paths = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`/r${i}`, { post: { requestBody: { content: content(i) }, responses: { '200': { description: 'ok', content: content(i + 7) } } } }]));
    return { document: { openapi: '3.1.0', info: { title: 'graph', version: '1.0.0' }, paths, components: { schemas } }, name: 'graph.json' };
  }

  it('are compared once: a change deep in a graph with fan-out is reported once per request body and response', () => {
    const started = performance.now();
    const report = run(graph(100), graph(50));
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(report.changes).toHaveLength(600);
    expect(new Set(report.changes.map((c) => `${c.operation} ${c.message.split(',')[0]}`)).size).toBe(600);
    expect(report.changes[0]!.message).toMatch(/^POST \/r0 request body \(application\/json\), (c\d\.)+n: maximum lowered from 100 to 50$/);
  });
});

describe('the Converge contract, changed', () => {
  const bundled = loadDocument(join(root, 'generated/converge/openapi/openapi.json'));
  function changed(edit: (doc: any) => void, version: string): SourceDocument {
    const document = structuredClone(bundled.document) as any;
    edit(document);
    document.info.version = version;
    return { ...bundled, document };
  }

  it('fewer aliases allowed breaks the store backends that send them: a major bump (0.3.0 from 0.2.0, below 1.0.0)', () => {
    const report = run(bundled, changed((d) => (d.components.schemas.Aliases.maxItems = 5), '0.2.1'));
    expect(summary(report.changes)).toEqual(['request-upper-bound-lowered senders']);
    expect(report.changes[0]!.message).toBe('POST /api/webhooks request body (application/json), aliases: maxItems lowered from 10 to 5');
    expect(report).toMatchObject({ required: 'major', bump: 'patch', ok: false, suggested: '0.3.0' });
  });

  it('a timestamp made required breaks the senders (made optional again, the receivers); a new 202 answer breaks nobody', () => {
    const report = run(
      bundled,
      changed((d) => {
        d.components.schemas.WebhookEvent.required.push('timestamp');
        d.paths['/api/webhooks'].post.responses['202'] = { description: 'Accepted for later processing' };
      }, '0.3.0'),
    );
    expect(summary(report.changes)).toEqual(['request-property-became-required senders', 'response-status-added -']);
    expect(report).toMatchObject({ required: 'major', bump: 'minor', ok: true });
    expect(summary(run(changed((d) => d.components.schemas.WebhookEvent.required.push('timestamp'), '0.2.0'), bundled).changes)).toEqual([
      'request-property-became-optional receivers',
    ]);
  });
});

describe('version policy', () => {
  const v = (text: string) => parseSemver(text)!;

  it('reads semantic versions, ignores pre-release and build, refuses the rest', () => {
    expect(parseSemver('1.2.3-rc.1+build.5')).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(parseSemver('v2.0.0')).toEqual({ major: 2, minor: 0, patch: 0 });
    for (const text of ['1.2', '01.2.3', '2024-05-01', 'latest', '1.2.3.4', '']) expect(parseSemver(text), text).toBeUndefined();
  });

  it('needs a major bump for a break, a minor for an addition, a patch for any other change', () => {
    const cases: Array<[string, string, Bump, boolean, boolean]> = [
      ['1.0.0', '2.0.0', 'major', true, true],
      ['1.4.2', '1.5.0', 'major', true, false],
      ['1.4.2', '1.5.0', 'minor', true, true],
      ['1.4.2', '1.4.3', 'minor', true, false],
      ['1.4.2', '1.4.3', 'patch', true, true],
      ['1.4.2', '1.4.2', 'patch', true, false],
      ['1.4.2', '1.4.2', 'patch', false, true], // nothing changed: the version may stay
      ['2.0.0', '1.9.9', 'patch', false, false], // a version never goes down
      // Below 1.0.0: 0.MINOR acts as the major, 0.x.PATCH as the minor.
      ['0.1.0', '0.2.0', 'major', true, true],
      ['0.1.0', '0.1.1', 'major', true, false],
      ['0.1.0', '0.1.1', 'minor', true, true],
      ['0.9.3', '1.0.0', 'major', true, true],
    ];
    for (const [from, to, required, changed, ok] of cases) expect(carries(v(from), v(to), required, changed), `${from} → ${to} for ${required}`).toBe(ok);
    expect(worth(v('0.1.0'), v('0.2.0'))).toBe('major');
    expect([nextVersion(v('1.4.2'), 'major'), nextVersion(v('1.4.2'), 'minor'), nextVersion(v('1.4.2'), 'patch')]).toEqual(['2.0.0', '1.5.0', '1.4.3']);
    expect([nextVersion(v('0.1.0'), 'major'), nextVersion(v('0.1.0'), 'minor')]).toEqual(['0.2.0', '0.1.1']);
  });
});

describe('documents that cannot be compared', () => {
  const base = () => ({ openapi: '3.1.0', info: { title: 't', version: '1.0.0' }, paths: { '/x': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } }, responses: { '200': { description: 'ok' } } } } } });
  const source = (document: unknown): SourceDocument => ({ document, name: 'doc.yaml' });
  const problem = (document: unknown) => {
    try {
      diffDocuments(source(base()), source(document));
    } catch (error) {
      if (error instanceof DocumentError) return error.message;
      throw error;
    }
    throw new Error('no error');
  };
  const withSchema = (schema: unknown) => {
    const doc = base() as any;
    doc.paths['/x'].post.requestBody.content['application/json'].schema = schema;
    return doc;
  };
  const pointer = '/paths/~1x/post/requestBody/content/application~1json/schema';

  it('names the file, the JSON pointer, what was expected and what was found', () => {
    expect(problem([])).toBe('doc.yaml: (document root): expected an OpenAPI document (an object), found an array');
    expect(problem({ ...base(), openapi: '3.0.3' })).toBe('doc.yaml: /openapi: expected an OpenAPI 3.1 document ("openapi": "3.1.x"), found the string "3.0.3"');
    expect(problem({ ...base(), info: { title: 't' } })).toBe('doc.yaml: /info/version: expected a semantic version such as "1.2.0", found nothing');
    expect(problem({ ...base(), info: { version: '2024-05' } })).toBe('doc.yaml: /info/version: expected a semantic version such as "1.2.0" (MAJOR.MINOR.PATCH), found the string "2024-05"');
    expect(problem(withSchema({ $ref: '#/components/schemas/Missing' }))).toBe(`doc.yaml: ${pointer}/$ref: expected a value at "#/components/schemas/Missing", found nothing at /components of doc.yaml`);
    expect(problem(withSchema({ $ref: 'https://example.com/schema.json' }))).toBe(`doc.yaml: ${pointer}/$ref: expected a local reference (remote $refs are not fetched: bundle the document first), found the URL https://example.com/schema.json`);
    const secured = (security: unknown, schemes: unknown) => ({ ...base(), security, components: { securitySchemes: schemes } });
    expect(problem(secured([{ token: [] }], {}))).toBe('doc.yaml: /security/0/token: expected a security scheme of components.securitySchemes named "token", found none');
    expect(problem(secured([{ token: [] }], { token: { type: 'apiKey', in: 'body', name: 't' } }))).toBe('doc.yaml: /components/securitySchemes/token/in: expected "query", "header" or "cookie", found the string "body"');
    expect(problem(secured([{ token: [] }], { token: { type: 'password' } }))).toBe('doc.yaml: /components/securitySchemes/token/type: expected a security scheme type (apiKey, http, mutualTLS, oauth2, openIdConnect), found the string "password"');
    expect(problem(secured({ token: [] }, {}))).toBe('doc.yaml: /security: expected an array of security requirements, found an object');
    expect(problem(secured([{ token: 'read' }], {}))).toBe('doc.yaml: /security/0/token: expected an array of scope names, found the string "read"');
    expect(problem(withSchema({ type: 'strng' }))).toBe(`doc.yaml: ${pointer}/type: expected a JSON type (array, boolean, integer, null, number, object, string), found the string "strng"`);
    expect(problem(withSchema({ required: 'id' }))).toBe(`doc.yaml: ${pointer}/required: expected an array of property names, found the string "id"`);
    expect(problem(withSchema({ items: [{ type: 'string' }] }))).toBe(`doc.yaml: ${pointer}/items: expected a schema (OpenAPI 3.1 writes tuples with prefixItems), found an array`);
    expect(problem(withSchema({ maxLength: '10' }))).toBe(`doc.yaml: ${pointer}/maxLength: expected a number, found the string "10"`);
    expect(problem(withSchema(42))).toBe(`doc.yaml: ${pointer}: expected a schema (an object or a boolean), found the number 42`);
    const loop = withSchema({ $ref: '#/components/schemas/A' });
    loop.components = { schemas: { A: { $ref: '#/components/schemas/B' }, B: { $ref: '#/components/schemas/A' } } };
    expect(problem(loop)).toMatch(/^doc\.yaml: \/components\/schemas\/[AB]: expected a \$ref that leads to a value, found a loop of \$refs back to #\/components\/schemas\/[AB]$/);
  });

  it('never fails in any other way, whatever the schemas hold', () => {
    const schema = fc.letrec((tie) => ({
      schema: fc.oneof(
        { depthSize: 'small' },
        fc.boolean(),
        fc.jsonValue({ maxDepth: 2 }),
        fc.record(
          {
            type: fc.oneof(fc.constantFrom('string', 'integer', 'number', 'object', 'array', 'null', 'boolean'), fc.array(fc.constantFrom('string', 'null', 'integer')), fc.jsonValue({ maxDepth: 1 })),
            enum: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
            const: fc.jsonValue({ maxDepth: 1 }),
            properties: fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('schema'), { maxKeys: 3 }),
            required: fc.oneof(fc.array(fc.constantFrom('a', 'b', 'c')), fc.jsonValue({ maxDepth: 1 })),
            items: tie('schema'),
            additionalProperties: fc.oneof(fc.boolean(), tie('schema')),
            oneOf: fc.array(tie('schema'), { maxLength: 3 }),
            allOf: fc.array(tie('schema'), { maxLength: 2 }),
            maxLength: fc.oneof(fc.nat(20), fc.jsonValue({ maxDepth: 0 })),
            minimum: fc.integer({ min: -5, max: 5 }),
            pattern: fc.constantFrom('^a', '.*', '^b$'),
            format: fc.constantFrom('date-time', 'email'),
            'x-level': fc.constantFrom('warning', 'error', 'nope'),
            $ref: fc.constantFrom('#/components/schemas/A', '#/components/schemas/Nope', '#/paths', 'other.yaml#/x', '#bad', '#/%E0%A4%A', 'http://[bad'),
            default: fc.jsonValue({ maxDepth: 1 }),
            not: tie('schema'),
            description: fc.string({ maxLength: 5 }),
          },
          { requiredKeys: [] },
        ),
      ),
    }));
    const document = (request: unknown, response: unknown, component: unknown) => {
      const doc = withSchema(request) as any;
      doc.paths['/x'].post.responses['200'].content = { 'application/json': { schema: response } };
      doc.components = { schemas: { A: component } };
      return doc;
    };
    fc.assert(
      fc.property(schema.schema, schema.schema, schema.schema, schema.schema, fc.boolean(), (a, b, c, d, strict) => {
        try {
          const report = diffDocuments(source(document(a, b, c)), source(document(c, d, a)), { strict });
          expect(['major', 'minor', 'patch']).toContain(report.required);
          for (const change of report.changes) expect(RULE.has(change.id)).toBe(true);
        } catch (error) {
          if (!(error instanceof DocumentError)) throw error;
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('the rule table', () => {
  const OPPOSITE = { narrows: 'widens', widens: 'narrows', both: 'both', none: 'none' } as const;

  it('gives every rule a unique id named after its direction', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) expect(r.id.startsWith(`${r.direction}-`) || r.id.startsWith('operation-'), r.id).toBe(true);
  });

  it('gives every rule a mirror (the opposite change, same direction) or a waiver with a reason', () => {
    for (const r of RULES) {
      expect(r.mirror === undefined ? 0 : 1, `${r.id}: a mirror or a waiver, not both`).toBe(r.waiver === undefined ? 1 : 0);
      if (r.waiver !== undefined) {
        expect(r.waiver.length, r.id).toBeGreaterThan(20);
        continue;
      }
      const mirror = RULE.get(r.mirror!);
      expect(mirror, `${r.id}'s mirror ${r.mirror}`).toBeDefined();
      expect(mirror!.direction, r.id).toBe(r.direction);
      expect(mirror!.effect, `${r.id} ${r.effect} vs ${mirror!.id} ${mirror!.effect}`).toBe(OPPOSITE[r.effect]);
    }
  });

  it('breaks what the polarity says (narrowing: the writers, widening: the readers) unless an exception says why', () => {
    for (const r of RULES) {
      const expected = polarity(r.direction, r.effect);
      const same = [...expected].sort().join() === [...r.breaks].sort().join();
      if (r.exception === undefined) expect(r.breaks, r.id).toEqual(expected);
      // A stale exception (the audiences follow the polarity after all) fails too.
      else expect(same, `${r.id}: the exception is not needed`).toBe(false);
    }
  });

  it('keeps level and audiences consistent: a break breaks someone, an addition or annotation nobody', () => {
    for (const r of RULES) {
      expect(r.level === 'breaking', r.id).toBe(r.breaks.length > 0);
      if (r.level === 'annotation') expect(r.effect, r.id).toBe('none');
    }
  });

  it('agrees with oasdiff\'s level on the senders (the clients it judges) for every rule it has, except declared divergences', () => {
    for (const r of RULES) {
      const named = (r.oasdiff ?? []).map((entry) => entry.split(':')[0]!);
      for (const id of Object.keys(r.divergence ?? {})) expect(named, `${r.id}'s divergence from ${id}`).toContain(id);
      for (const entry of r.oasdiff ?? []) {
        expect(entry, r.id).toMatch(/^[a-z-]+:(ERR|WARN|INFO)$/);
        const [id, level] = entry.split(':') as [string, string];
        if (level === 'WARN') continue; // "may break": either verdict agrees
        const agrees = r.breaks.includes('senders') === (level === 'ERR');
        // A divergence that no longer diverges is stale and fails too.
        expect(agrees, `${r.id} vs ${entry}${r.divergence?.[id] ? ' (declared divergence)' : ''}`).toBe(!r.divergence?.[id]);
      }
    }
  });

  it('is exercised by the crafted pairs: every rule is produced by at least one fixture', () => {
    for (const c of CASES) {
      const files = fixture(c.name);
      const [a, b] = [loadDocument(files.old), loadDocument(files.new)];
      for (const strict of [false, true]) {
        run(a, b, strict);
        run(b, a, strict);
      }
    }
    expect(RULES.map((r) => r.id).filter((id) => !seen.has(id))).toEqual([]);
  });

  it('lives in an engine that imports nothing from node: or the file system (the command reads the files)', () => {
    const dir = join(root, 'src/diff');
    for (const file of readdirSync(dir)) {
      const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      // One package, pure JavaScript: refa, which orders patterns as automata (pattern.ts).
      expect(imports.filter((name) => !name.startsWith('./')), file).toEqual(file === 'pattern.ts' ? ['refa'] : []);
    }
  });

  it('is documented: docs/DIFF.md names every rule', () => {
    const doc = readFileSync(join(root, 'docs/DIFF.md'), 'utf8');
    expect(RULES.map((r) => r.id).filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
  });
});

describe('converge-webhook diff (CLI)', () => {
  const pair = fixture('required-property-added');
  const copy = (file: string, version: string) => {
    const target = join(temp, `${version}-${file.split('/').slice(-2).join('-')}`);
    writeFileSync(target, readFileSync(file, 'utf8').replace(/version: .*/, `version: ${version}`));
    return target;
  };

  it('exits 0 when the bump carries the changes, and prints them grouped by audience, then the verdict', async () => {
    const result = await runCli(['diff', pair.old, pair.new]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    const senders = lines.findIndex((l) => l.startsWith('Breaks senders'));
    const receivers = lines.findIndex((l) => l.startsWith('Breaks receivers'));
    expect(lines[senders + 1]).toBe('  POST /orders request body (application/json): property "timestamp" added, required  (request-required-property-added at /paths/~1orders/post/requestBody/content/application~1json/schema/properties/timestamp)');
    expect(lines[receivers + 1]).toMatch(/^ {2}POST \/orders response 200 \(application\/json\): property "received_at" added, required {2}\(response-required-property-added at /);
    expect(lines.at(-2)).toBe('2 changes, some breaking: a major bump is needed. 1.0.0 → 2.0.0 is a major bump: OK.');
  });

  it('exits 1 when the bump is too small, and says which version would do', async () => {
    const result = await runCli(['diff', pair.old, copy(pair.new, '1.1.0')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/1\.0\.0 → 1\.1\.0 is a minor bump: NOT OK \(use 2\.0\.0 or later\)\.$/m);
    expect((await runCli(['diff', pair.new, pair.old])).stdout).toMatch(/2\.0\.0 → 1\.0\.0 goes down: NOT OK/);
  });

  it('reads 0.x versions with 0.MINOR as the major', async () => {
    const from = copy(pair.old, '0.3.0');
    expect((await runCli(['diff', from, copy(pair.new, '0.4.0')])).code).toBe(0);
    const result = await runCli(['diff', from, copy(pair.new, '0.3.1')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/0\.3\.0 → 0\.3\.1 is a patch bump \(below 1\.0\.0 it counts as a minor one\): NOT OK \(use 0\.4\.0 or later\)\./);
  });

  it('--json prints exactly one object: changes with breaks, pointer and message; required; ok', async () => {
    const result = await runCli(['diff', '--json', pair.old, copy(pair.new, '1.1.0')]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(Object.keys(report).sort()).toEqual(['bump', 'changes', 'new', 'ok', 'old', 'required', 'strict', 'suggested']);
    expect(report).toMatchObject({ required: 'major', ok: false, bump: 'minor', suggested: '2.0.0', old: { version: '1.0.0' }, new: { version: '1.1.0' } });
    expect(report.changes.map((c) => [c.breaks, c.pointer, c.message])).toEqual([
      [['senders'], '/paths/~1orders/post/requestBody/content/application~1json/schema/properties/timestamp', 'POST /orders request body (application/json): property "timestamp" added, required'],
      [['receivers'], '/paths/~1orders/post/responses/200/content/application~1json/schema/properties/received_at', 'POST /orders response 200 (application/json): property "received_at" added, required'],
    ]);
    const compatible = JSON.parse((await runCli(['diff', '--json', ...Object.values(fixture('response-statuses'))])).stdout) as DiffReport;
    expect(compatible.changes.map((c) => c.breaks)).toEqual([[], []]);
  });

  it('--strict says that warning-level rules count, and fails a bump they do not carry', async () => {
    const files = fixture('warning-level');
    const minor = copy(files.new, '1.1.0');
    expect((await runCli(['diff', files.old, minor])).code).toBe(0);
    const strict = await runCli(['diff', '--strict', files.old, minor]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^--strict: warning-level rules \(x-level: warning\) count as errors\.$/m);
    expect(strict.stdout).toMatch(/channel: enum value "pos" removed \[warning level, counted as an error under --strict\]/);
  });

  it('compares with the package\'s own contract when <new> is left out', async () => {
    const result = await runCli(['diff', 'generated/converge/openapi/openapi.json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^new: generated\/converge\/openapi\/openapi\.json \(version \d+\.\d+\.\d+\)$/m);
    expect(result.stdout).toMatch(/No changes: the version may stay\./);
    expect((await runCli(['diff', 'generated/converge/openapi/openapi.json', '--contract', 'converge'])).code).toBe(0);
  });

  it.each(['provesource', 'webengage'])('compares with the package\'s own %s document with --contract (the registry\'s, not a list in the code)', async (id) => {
    const result = await runCli(['diff', `generated/${id}/openapi/openapi.json`, '--contract', id]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`\nnew: generated/${id}/openapi/openapi.json (version `);
    expect(result.stdout).toMatch(/No changes: the version may stay\./);
    // Without --contract, <new> is the default contract's: another webhook entirely.
    // (Converge is at 0.2.0, a major bump below 1.0.0 from these 0.1.0 documents: the exit code is 0, the changes break.)
    const other = await runCli(['diff', `generated/${id}/openapi/openapi.json`]);
    expect(other.stdout).toMatch(/^new: generated\/converge\/openapi\/openapi\.json /m);
    expect(other.stdout).toMatch(/some breaking: a major bump is needed/);
  });

  it('reads the old document from standard input with "-"', async () => {
    const result = await runCli(['diff', '-', pair.new], { input: readFileSync(pair.old, 'utf8') });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^old: standard input \(version 1\.0\.0\)$/m);
  });

  it('exits 2 on a file that is not YAML or JSON, naming the file, line and column', async () => {
    const yaml = join(temp, 'broken.yaml');
    writeFileSync(yaml, 'openapi: 3.1.0\ninfo:\n  version: 1.0.0\n  version: 1.0.1\n');
    const result = await runCli(['diff', yaml, pair.new]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(`converge-webhook: ${yaml}: not JSON or YAML (line 4, column 3): Map keys must be unique\n`);
    const json = join(temp, 'broken.json');
    writeFileSync(json, '{\n  "openapi": "3.1.0",\n  "info": {"version": 1.0.0}\n}\n');
    const bad = await runCli(['diff', json, pair.new]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`^converge-webhook: ${json}: not JSON: expected .+, found .+ at line 3, column \\d+\\n$`));
  });

  it('exits 2 on a document that is not OpenAPI 3.1 or has a broken $ref, with the JSON pointer', async () => {
    const v30 = join(temp, 'v30.yaml');
    writeFileSync(v30, 'openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths: {}\n');
    const result = await runCli(['diff', v30, pair.new]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(`converge-webhook: ${v30}: /openapi: expected an OpenAPI 3.1 document ("openapi": "3.1.x"), found the string "3.0.3"\n`);
    const dangling = join(temp, 'dangling.yaml');
    writeFileSync(dangling, readFileSync(pair.new, 'utf8').replace('type: object\n', "$ref: './missing.yaml'\n"));
    const missing = await runCli(['diff', pair.old, dangling]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`converge-webhook: ${dangling}: /paths/~1orders/post/requestBody/content/application~1json/schema/$ref: expected a readable file at "./missing.yaml", found no such file\n`);
  });

  it('exits 2 on usage errors: a missing file, a bad flag, no file, three files, an unknown contract', async () => {
    const missing = await runCli(['diff', join(temp, 'nope.yaml'), pair.new]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.yaml: no such file/);
    const flag = await runCli(['diff', '--stirct', pair.old, pair.new]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--stirct/);
    expect((await runCli(['diff'])).stderr).toMatch(/diff needs the old document/);
    expect((await runCli(['diff', pair.old, pair.new, pair.new])).stderr).toMatch(/diff compares two documents, found 3 files/);
    const contract = await runCli(['diff', pair.old, '--contract', 'acme']);
    expect(contract.code).toBe(2);
    expect(contract.stderr).toMatch(/--contract: expected one of converge, provesource, webengage, found "acme"/);
    for (const run of [flag, contract]) expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('prints its usage with --help, and the CLI lists it', async () => {
    const help = await runCli(['diff', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: converge-webhook diff <old> \[<new>\] \[--contract ID\] \[--json\] \[--strict\]$/m);
    // What --strict means: the recommendations held as rules, and what a narrowing then breaks.
    expect(help.stdout).toMatch(/^ {2}--strict {7}hold the recommendations as rules, as validate --strict and verify --strict do:$/m);
    expect(help.stdout).toContain('Narrowing one then breaks the message\'s writers\n                 (senders, for a request)');
    // The recommendations' marks, said for every contract (the help names none).
    expect(help.stdout).toContain("under a media type's\n                 x-warning-schema, as each contract of this package marks its recommendations)\n                 count as errors.");
    expect((await runCli(['help'])).stdout).toMatch(/^ {2}diff <old> \[<new>\]/m);
  });
});
