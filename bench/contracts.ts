/**
 * The other contracts' library calls against the floor a receiver pays without them: ProveSource's
 * validateBody on a form body against `new URLSearchParams()` of the same text, and on a JSON body
 * against `JSON.parse`; WebEngage's validateBody on its seed event against `JSON.parse`; and
 * WebEngage's secret helpers (an import-free MD5) against node:crypto's createHash('md5').
 * Each group runs round-robin with its baseline (see harness.ts), so the ratios hold on a shared
 * machine where the absolute figures drift.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as provesource from '../dist/esm/generated/provesource/index.js';
import * as webengage from '../dist/esm/generated/webengage/index.js';
import { runGroup, type Task, type TaskResult } from './harness.ts';

const root = join(import.meta.dirname, '..');
const text = (path: string) => readFileSync(join(root, path), 'utf8');

const FORM = 'application/x-www-form-urlencoded';

/**
 * A value in the bracket form that common encoders write (qs, PHP, Rails: `products[0][name]=...`),
 * the form spec/provesource/README.md documents; keys in document order, as URLSearchParams
 * serialises them.
 */
function bracketForm(value: Record<string, unknown>): string {
  const params = new URLSearchParams();
  const add = (key: string, v: unknown) => {
    if (v !== null && typeof v === 'object') for (const [k, inner] of Object.entries(v)) add(`${key}[${k}]`, inner);
    else params.append(key, String(v));
  };
  for (const [key, v] of Object.entries(value)) add(key, v);
  return params.toString();
}

/** The seed's all-blocks stream notification, with `count` products in place of its one. */
function withProducts(count: number): Record<string, unknown> {
  const seed = JSON.parse(text('spec/provesource/examples/valid/seed-all-blocks.json')) as Record<string, unknown>;
  const names = ['T-Shirt', 'Sneakers', 'Hoodie', 'Cap', 'Socks'];
  const products = Array.from({ length: count }, (_, i) => {
    const name = `${names[i % names.length]!} ${i + 1}`;
    const slug = name.toLowerCase().replace(/ /g, '-');
    return { name, link: `https://mystore.com/${slug}`, id: i % 2 === 0 ? 1000 + i : `SKU-${1000 + i}`, image: `https://mystore.com/images/${slug}.png`, price: 5 + i, quantity: 1 + (i % 3) };
  });
  return { ...seed, total: products.reduce((sum, p) => sum + p.price * p.quantity, 0), products };
}

export interface ContractGroup {
  /** What is measured, for the table's title. */
  title: string;
  /** The body's size in bytes (UTF-8), when the group measures a body. */
  bytes?: number;
  /** The name of the baseline row (the first). */
  baseline: string;
  results: Array<TaskResult & { ratioToBaseline: number }>;
}

type Options = { rounds?: number; sampleMs?: number };

function group(title: string, bytes: number | undefined, tasks: Task[], options: Options, onProgress?: (message: string) => void): ContractGroup {
  onProgress?.(`contracts: ${title}`);
  const results = runGroup(tasks, { ...options, onProgress: (m) => onProgress?.(`contracts: ${title}: ${m}`) });
  const base = results[0]!.opsPerSecond;
  return { title, bytes, baseline: tasks[0]!.name, results: results.map((r) => ({ ...r, ratioToBaseline: r.opsPerSecond / base })) };
}

/** Throws when a contender does not give the expected answer: a benchmark of a failing call means nothing. */
function check(what: string, ok: boolean): void {
  if (!ok) throw new Error(`contracts bench: ${what}`);
}

export function runContractsBench(onProgress?: (message: string) => void, options: Options = {}): ContractGroup[] {
  const groups: ContractGroup[] = [];
  // The decoder validateBody uses on bytes (fatal: bytes that are not UTF-8 are an error).
  const decoder = new TextDecoder('utf-8', { fatal: true });

  // --- ProveSource: the seed's all-blocks example (as committed) and one with 20 products. -----
  const bodies = [
    { name: 'seed all blocks', form: text('spec/provesource/examples/valid/seed-all-blocks.form'), json: text('spec/provesource/examples/valid/seed-all-blocks.json') },
    { name: '20 products', form: bracketForm(withProducts(20)), json: JSON.stringify(withProducts(20)) },
  ];
  for (const body of bodies) {
    for (const media of ['form', 'json'] as const) {
      const source = body[media];
      const bytes = new TextEncoder().encode(source);
      const contentType = media === 'form' ? FORM : 'application/json';
      const fromText = provesource.validateBody(source, { contentType });
      const fromBytes = provesource.validateBody(bytes, { contentType });
      // Valid and without warnings: the bench measures the path a conforming sender takes.
      check(`ProveSource validateBody refuses the ${media} body "${body.name}" or warns: ${JSON.stringify([...fromText.errors, ...fromText.warnings])}`, fromText.valid && fromText.warnings.length === 0 && fromBytes.valid);
      const tasks: Task[] =
        media === 'form'
          ? [
              { name: 'new URLSearchParams(text) (baseline)', fn: () => new URLSearchParams(source) },
              { name: 'TextDecoder.decode + new URLSearchParams', fn: () => new URLSearchParams(decoder.decode(bytes)) },
              { name: 'validateBody(text, form)', fn: () => provesource.validateBody(source, { contentType: FORM }) },
              { name: 'validateBody(bytes, form)', fn: () => provesource.validateBody(bytes, { contentType: FORM }) },
            ]
          : [
              { name: 'JSON.parse(text) (baseline)', fn: () => JSON.parse(source) },
              { name: 'TextDecoder.decode + JSON.parse', fn: () => JSON.parse(decoder.decode(bytes)) },
              { name: 'validateBody(text)', fn: () => provesource.validateBody(source) },
              { name: 'validateBody(bytes)', fn: () => provesource.validateBody(bytes) },
            ];
      groups.push(group(`ProveSource, ${body.name}, ${media === 'form' ? FORM : 'application/json'}`, bytes.length, tasks, options, onProgress));
    }
  }

  // --- WebEngage: the seed's event example (push_notification_accepted, Events webhook). -------
  const event = text('spec/webengage/examples/valid/seed-push-notification-accepted.json');
  const eventBytes = new TextEncoder().encode(event);
  const verdict = webengage.validateBody(event, { operation: 'events' });
  check(`WebEngage validateBody refuses the seed event or warns: ${JSON.stringify([...verdict.errors, ...verdict.warnings])}`, verdict.valid && verdict.warnings.length === 0 && webengage.validateBody(eventBytes, { operation: 'events' }).valid);
  groups.push(
    group(
      'WebEngage, seed push_notification_accepted event, application/json',
      eventBytes.length,
      [
        { name: 'JSON.parse(text) (baseline)', fn: () => JSON.parse(event) },
        { name: 'TextDecoder.decode + JSON.parse', fn: () => JSON.parse(decoder.decode(eventBytes)) },
        { name: 'validateBody(text, events)', fn: () => webengage.validateBody(event, { operation: 'events' }) },
        { name: 'validateBody(bytes, events)', fn: () => webengage.validateBody(eventBytes, { operation: 'events' }) },
      ],
      options,
      onProgress,
    ),
  );

  // --- WebEngage's secret: our MD5 (no import, runs in browsers and workers) vs node:crypto. ----
  const account = { licenseCode: '~99199077', secretKey: 'test-key-webengage-1' };
  const query = { licenseCode: account.licenseCode, secret: '79b6e2663b50e63380722a1251d39d63' };
  const nodeSecret = () => createHash('md5').update(`${account.licenseCode}:${account.secretKey}`, 'utf8').digest('hex');
  // What a receiver would write with node:crypto: hash, then compare in constant time.
  const nodeVerify = () => query.licenseCode === account.licenseCode && timingSafeEqual(Buffer.from(nodeSecret()), Buffer.from(query.secret));
  check('webengageSecret differs from node:crypto', webengage.webengageSecret(account.licenseCode, account.secretKey) === nodeSecret() && nodeSecret() === query.secret);
  check('verifyWebengageSecret refuses the right secret', webengage.verifyWebengageSecret(query, account) && nodeVerify());
  check('verifyWebengageSecret accepts a wrong secret', !webengage.verifyWebengageSecret({ ...query, secret: '0'.repeat(32) }, account));
  groups.push(
    group(
      `WebEngage secret, MD5 of "${account.licenseCode}:${account.secretKey}" (${account.licenseCode.length + 1 + account.secretKey.length} bytes)`,
      undefined,
      [
        { name: "createHash('md5') ... digest('hex') (baseline)", fn: nodeSecret },
        { name: 'webengageSecret (import-free MD5)', fn: () => webengage.webengageSecret(account.licenseCode, account.secretKey) },
        { name: 'createHash + timingSafeEqual', fn: nodeVerify },
        { name: 'verifyWebengageSecret', fn: () => webengage.verifyWebengageSecret(query, account) },
      ],
      options,
      onProgress,
    ),
  );
  return groups;
}
