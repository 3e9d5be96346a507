import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { validateEvent } from '../generated/converge/index.js';
import { parseJson } from '../src/json.js';
import { readExample, root } from './helpers.js';

// The body between -d '...' in the vendor's own cURL example.
const curl = readFileSync(join(root, 'test/fixtures/seed-curl.sh'), 'utf8');
const body = /-d '([\s\S]*)'/.exec(curl)![1]!;

describe("the vendor's cURL example", () => {
  it('is not JSON as printed: the # comment breaks it', () => {
    const parsed = parseJson(body);
    expect(parsed.ok).toBe(false);
  });

  it('is a valid, conforming Placed Order once its # comment is removed', () => {
    const parsed = parseJson(body.replace(/\s+#[^\n]*/g, ''));
    if (!parsed.ok) throw new Error(`still not JSON: ${parsed.reason}`);
    expect(validateEvent(parsed.value)).toEqual({ valid: true, errors: [], warnings: [] });
    expect(validateEvent(parsed.value, { strict: true }).valid).toBe(true);
    // spec/converge/examples/valid/seed-curl.json is that body, so the contract's first example is the vendor's.
    expect(parsed.value).toEqual(JSON.parse(readExample('valid/seed-curl.json')));
  });
});
