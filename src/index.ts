/**
 * The package's main entry is the default contract's generated entry (package.json "." maps to
 * dist/.../generated/<default>/index.js). This module re-exports it for the repository's own
 * tests and commands, which import src/ (they move to a contract they are given one by one).
 */
export * from '../generated/converge/index.js';
