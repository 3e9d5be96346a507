/** The breaking-change engine behind `converge-webhook diff`. No `node:` imports: it runs anywhere. */
export { diffDocuments, type Change, type DiffOptions, type DiffReport, type VersionInfo } from './diff.js';
export { formatText, verdict } from './format.js';
export { DocumentError, UnreadableFile, type SourceDocument } from './refs.js';
export { RULES, polarity, roles, type Audience, type Direction, type Effect, type Rule, type RuleLevel } from './rules.js';
export { LEVEL_KEY } from './schema.js';
export { WARNING_SCHEMA_KEY } from './operations.js';
export { parseSemver, type Bump, type Movement } from './version.js';
