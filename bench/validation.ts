/**
 * Validation throughput: our precompiled validators against JSON.parse of the same bytes
 * (the floor every receiver pays), ajv compiling the same published schema at run time,
 * @cfworker/json-schema on the same schema, and a hand-written zod schema of the same rules.
 * Then validateBody, the call a receiver makes on the raw body, against its floor (JSON.parse
 * of the text; decoding and JSON.parse of the bytes) and against its parts done by hand (the
 * same plus validateEvent): it should cost what its parts cost.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Validator as CfValidator } from '@cfworker/json-schema';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { z } from 'zod';

import { MAX_UNIX_SECONDS, SALES_CHANNEL_TYPES, validateBody, validateEvent } from '../dist/esm/generated/converge/index.js';
import { runGroup, type TaskResult } from './harness.ts';

const root = join(import.meta.dirname, '..');
const example = (name: string) => JSON.parse(readFileSync(join(root, 'spec/converge/examples/valid', `${name}.json`), 'utf8')) as Record<string, any>;

/** The payloads: a Placed Order with 1, 10 and 100 items, and a custom event. */
export function payloads(): Array<{ name: string; event: unknown }> {
  const ten = example('placed-order-10-items');
  const one = { ...ten, properties: { ...ten.properties, items: ten.properties.items.slice(0, 1) } };
  const hundred = {
    ...ten,
    properties: {
      ...ten.properties,
      items: Array.from({ length: 100 }, (_, i) => ({ ...ten.properties.items[i % 10], product_id: `prod-${1000 + i}`, variant_id: `var-${5000 + i}`, sku: `SKU-${i}` })),
    },
  };
  return [
    { name: 'Placed Order, 1 item', event: one },
    { name: 'Placed Order, 10 items', event: ten },
    { name: 'Placed Order, 100 items', event: hundred },
    { name: 'custom event', event: example('custom-event') },
  ];
}

// --- zod: the same rules written by hand, as a team without this package would. ----------
const RFC3339 = /^(?:\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))|(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const timestamp = z.union([z.string().regex(RFC3339), z.number().int().min(0).max(MAX_UNIX_SECONDS)]);
const currency = z.string().regex(/^[A-Z]{3}$/);
const channel = z.enum(SALES_CHANNEL_TYPES);
const item = z.looseObject({
  product_id: z.string().optional(), variant_id: z.string().optional(), sku: z.string().optional(), name: z.string().optional(),
  variant_name: z.string().optional(), vendor: z.string().optional(), price: z.number().optional(), currency: currency.optional(),
  quantity: z.number().optional(), url: z.string().optional(), image_url: z.string().optional(),
});
const profile = z.looseObject({
  $first_name: z.string().optional(), $last_name: z.string().optional(), $email: z.string().optional(), $phone_number: z.string().optional(),
  $city: z.string().optional(), $state: z.string().optional(), $country_code: z.string().regex(/^[A-Z]{2}$/).optional(), $zip_code: z.string().optional(),
  $ip: z.string().optional(), $user_agent: z.string().optional(),
});
const envelope = {
  event_id: z.string().min(1),
  profile_properties: profile,
  aliases: z.array(z.string().min(1).regex(/^urn:[A-Za-z0-9_.-]+:.+$/)).min(1).max(10),
  timestamp: timestamp.optional(),
};
const zodPlacedOrder = z.strictObject({
  event_name: z.literal('Placed Order'),
  properties: z.looseObject({
    id: z.string().optional(), total_price: z.number().optional(), total_tax: z.number().optional(), total_shipping: z.number().optional(),
    total_discount: z.number().optional(), coupon: z.string().optional(), currency: currency.optional(), items: z.array(item).optional(),
    $is_new_customer: z.boolean().optional(), $sales_channel_type: channel.optional(),
  }),
  ...envelope,
});
const zodCustom = z.strictObject({ event_name: z.string().min(1), properties: z.looseObject({ $sales_channel_type: channel.optional() }), ...envelope });
const zodValidate = (event: any) => (event.event_name === 'Placed Order' ? zodPlacedOrder : zodCustom).safeParse(event).success;

/** One row of the validateBody group: its ratio to the floor and, for validateBody, to its parts. */
export type BodyResult = TaskResult & { input: 'text' | 'bytes'; ratioToFloor: number; ratioToParts?: number };

export function runValidationBench(
  onProgress?: (message: string) => void,
  options: { rounds?: number; sampleMs?: number } = {},
): Array<{ payload: string; bytes: number; results: Array<TaskResult & { ratioToParse: number }>; body: BodyResult[] }> {
  const schema = JSON.parse(readFileSync(join(root, 'generated/converge/schemas/conforming-event.schema.json'), 'utf8')) as object;
  const ajv = new Ajv2020.default({ strict: true });
  addFormats.default(ajv, { mode: 'full' });
  const ajvRuntime = ajv.compile(schema);
  const cfworker = new CfValidator(schema as never, '2020-12', true);
  // The decoder validateBody uses (fatal: bytes that are not UTF-8 are an error, not U+FFFD).
  const decoder = new TextDecoder('utf-8', { fatal: true });

  return payloads().map(({ name, event }) => {
    const text = JSON.stringify(event);
    const bytes = new TextEncoder().encode(text);
    // Every contender must say "valid" to this payload, or the comparison means nothing.
    const verdicts = {
      ours: validateEvent(event).valid,
      'validateBody (text)': validateBody(text).valid,
      'validateBody (bytes)': validateBody(bytes).valid,
      ajv: ajvRuntime(event),
      cfworker: cfworker.validate(event).valid,
      zod: zodValidate(event),
    };
    for (const [who, ok] of Object.entries(verdicts)) if (!ok) throw new Error(`${who} rejects the benchmark payload "${name}"`);
    onProgress?.(`validation: ${name}`);
    const results = runGroup(
      [
        { name: 'JSON.parse (baseline)', fn: () => JSON.parse(text) },
        { name: 'converge-webhook-contract', fn: () => validateEvent(event) },
        { name: 'converge-webhook-contract, strict', fn: () => validateEvent(event, { strict: true }) },
        { name: 'ajv, compiled at run time', fn: () => ajvRuntime(event) },
        { name: '@cfworker/json-schema', fn: () => cfworker.validate(event) },
        { name: 'zod (hand-written)', fn: () => zodValidate(event) },
      ],
      { ...options, onProgress: (m) => onProgress?.(`validation: ${name}: ${m}`) },
    );
    const parse = results[0]!.opsPerSecond;
    // validateBody in its own group (round-robin with its floors and parts, so drift hits them alike).
    const tasks = [
      { name: 'JSON.parse(text) (floor)', fn: () => JSON.parse(text) },
      { name: 'JSON.parse(text) + validateEvent (parts)', fn: () => validateEvent(JSON.parse(text)) },
      { name: 'validateBody(text)', fn: () => validateBody(text) },
      { name: 'TextDecoder.decode + JSON.parse (floor)', fn: () => JSON.parse(decoder.decode(bytes)) },
      { name: 'decode + JSON.parse + validateEvent (parts)', fn: () => validateEvent(JSON.parse(decoder.decode(bytes))) },
      { name: 'validateBody(bytes)', fn: () => validateBody(bytes) },
    ];
    const measured = runGroup(tasks, { ...options, onProgress: (m) => onProgress?.(`validateBody: ${name}: ${m}`) });
    const ops = (i: number) => measured[i]!.opsPerSecond;
    const body: BodyResult[] = measured.map((r, i) => {
      const input = i < 3 ? 'text' : 'bytes';
      const floor = input === 'text' ? ops(0) : ops(3);
      const parts = input === 'text' ? ops(1) : ops(4);
      return { ...r, input, ratioToFloor: r.opsPerSecond / floor, ratioToParts: i % 3 === 0 ? undefined : r.opsPerSecond / parts };
    });
    return { payload: name, bytes: bytes.length, results: results.map((r) => ({ ...r, ratioToParse: r.opsPerSecond / parse })), body };
  });
}
