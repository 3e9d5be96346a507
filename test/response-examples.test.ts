/**
 * The contract's response examples that say "what the sandbox answers" are what the sandbox
 * answers: each is compared with the sandbox's real answer to the invalid example it stands for
 * (the README says the mock's example and the sandbox's answer are the same).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSandbox, type RunningSandbox } from '../src/default-sandbox.js';
import { root } from './helpers.js';

const bundle = JSON.parse(readFileSync(join(root, 'generated/converge/openapi/openapi.json'), 'utf8')) as {
  components: { examples: Record<string, { summary?: string; value: unknown }> };
};

/** Each example that claims to be the sandbox's answer, and the request body it answers. */
const SANDBOX_ANSWERS: Record<string, string> = { TooManyAliases: 'invalid/aliases-too-many.json' };

describe("response examples that are the sandbox's answers", () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, token: 'examples-token-0123456789', inMemory: true });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('are exactly the examples whose summary says so', () => {
    const claimed = Object.entries(bundle.components.examples)
      .filter(([, example]) => /what the sandbox answers/.test(example.summary ?? ''))
      .map(([name]) => name);
    expect(claimed).toEqual(Object.keys(SANDBOX_ANSWERS));
  });

  for (const [name, file] of Object.entries(SANDBOX_ANSWERS)) {
    it(`${name} is what the sandbox answers to ${file}`, async () => {
      const response = await fetch(sandbox.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-token': sandbox.token },
        body: readFileSync(join(root, 'spec/converge/examples', file)),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(bundle.components.examples[name]!.value);
    });
  }
});
