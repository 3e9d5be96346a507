#!/usr/bin/env node
// The converge-webhook command. The CLI is compiled into dist/ (`npm run build`); a published
// package ships it, but a fresh checkout does not have it yet: say so, instead of the shell's
// "converge-webhook: not found" or a stack trace.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/esm/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('converge-webhook: dist/ is missing: run "npm run build" first (a checkout builds it; an installed package ships it)');
  process.exit(2);
}
await import(cli.href);
