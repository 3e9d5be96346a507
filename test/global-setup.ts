/**
 * Once per `vitest run`: when the browser tests are skipped (no Chromium, not in CI), one loud
 * line says so and how to get one, at the end of the run where it is seen.
 */
import { findChromium, isCI, skipNotice } from './fixtures/browser.js';

export default function setup(): (() => void) | undefined {
  const search = findChromium();
  if (search.found || search.misconfigured || isCI()) return undefined;
  return () => {
    process.stderr.write(`\n${skipNotice(search)}\n`);
  };
}
