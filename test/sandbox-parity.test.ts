/**
 * Converge on the contract-driven sandbox core (src/sandbox/contract-sandbox.ts), from
 * spec/converge/contract.yaml alone, answers as the Converge sandbox did before it moved there:
 * its answers to the same requests were recorded (test/fixtures/converge-sandbox-answers.json,
 * from src/sandbox/sandbox.ts at its last version) and each answer is compared whole: status,
 * the headers a client reads, and the body's bytes (a body over 2 KiB through its SHA-256);
 * then the log lines, in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startupBlock } from '../src/commands/sandbox.js';
import { loadContractRuntime } from '../src/contract-runtime.js';
import { startContractSandbox, type RunningContractSandbox } from '../src/sandbox/contract-sandbox.js';
import { cases, digested, eventQueries, exampleFiles, json, send, TOKEN, untimed, untimedLine, type Got } from './fixtures/parity-cases.js';
import { root } from './helpers.js';

const recorded = JSON.parse(readFileSync(join(root, 'test/fixtures/converge-sandbox-answers.json'), 'utf8')) as {
  cases: Record<string, Got>;
  examples: Record<string, [Got, Got]>;
  queries: Record<string, Got>;
  head: Got;
  lines: string[];
  stored: number;
};

let core: RunningContractSandbox;
const lines: string[] = [];

beforeAll(async () => {
  core = await startContractSandbox(await loadContractRuntime('converge'), { port: 0, secrets: { '': TOKEN }, inMemory: true, onRequest: (e) => lines.push(untimedLine(core.format(e))) });
});

afterAll(async () => {
  await core?.stop();
});

describe('the core serving spec/converge/contract.yaml answers as the Converge sandbox did', () => {
  it('every request was recorded', () => {
    expect(Object.keys(recorded.cases)).toEqual(cases.map(([name]) => name));
    expect(Object.keys(recorded.examples)).toEqual(exampleFiles(root));
  });

  it.each(cases)('%s: the same status, headers and bytes', async (name, sent) => {
    const got = await send(core.url, sent);
    expect(digested(got)).toEqual(recorded.cases[name]);
    expect(got.status).toBeGreaterThanOrEqual(200);
  });

  it('stored nothing (every case above is refused or reads)', () => {
    expect(core.count()).toBe(0);
  });
});

describe('every Converge example, then its replay: the same answer, byte for byte', () => {
  it.each(exampleFiles(root))('%s', async (file) => {
    const body = readFileSync(join(root, 'spec/converge/examples', file));
    const first = await send(core.url, { headers: json, body });
    const replay = await send(core.url, { headers: json, body });
    expect([first, replay].map(digested)).toEqual(recorded.examples[file]);
  });

  it('stored the same number of events (each valid example once)', () => {
    expect(core.count()).toBe(recorded.stored);
    expect(recorded.stored).toBeGreaterThan(0);
  });

  it.each(eventQueries())('GET /api/events, %s: the same records (members, order, filters), the same errors', async (name, path) => {
    const got = untimed(await send(core.url, { method: 'GET', path }));
    expect(digested(got)).toEqual(recorded.queries[name]);
    expect(got.body.length).toBeGreaterThan(2);
  });

  it('HEAD /api/events: the same headers, no body', async () => {
    expect(await send(core.url, { method: 'HEAD', path: '/api/events' })).toEqual(recorded.head);
  });
});

describe('the log lines', () => {
  it('every request above got the same line (the token masked, the event named and quoted)', () => {
    expect(lines.length).toBeGreaterThan(100);
    expect(lines).toEqual(recorded.lines);
    expect(lines.some((l) => l.startsWith('200  "Placed Order"') && l.endsWith('token pari****'))).toBe(true);
    expect(lines.some((l) => l.includes('duplicate (already stored, dropped)'))).toBe(true);
    expect(lines.some((l) => l.startsWith('400  rejected: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('415  '))).toBe(true);
  });
});

describe('the start-up block the core prints for a header-token contract', () => {
  it("shows the token once, and the token's header in the curl line", async () => {
    const block = startupBlock(await loadContractRuntime('converge'), core, undefined, false);
    expect(block).toContain(`  token     ${TOKEN}   (shown once; pari**** from now on)\n`);
    expect(block).toContain(`  endpoint  POST ${core.url}/api/webhooks\n`);
    expect(block).toContain(`  curl -i -X POST ${core.url}/api/webhooks \\\n    -H 'Content-Type: application/json' -H 'X-Webhook-Token: ${TOKEN}' \\\n    -d '{`);
  });
});
