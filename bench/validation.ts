/**
 * Validation throughput: our precompiled validators against JSON.parse of the same bytes
 * (the floor every receiver pays), ajv compiling the same published schema at run time,
 * @cfworker/json-schema on the same schema, and a hand-written zod schema of the same rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Validator as CfValidator } from '@cfworker/json-schema';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { z } from 'zod';

import { MAX_UNIX_SECONDS, SALES_CHANNEL_TYPES, validateEvent } from '../dist/esm/src/index.js';
import { runGroup, type TaskResult } from './harness.ts';

const root = join(import.meta.dirname, '..');
const example = (name: string) => JSON.parse(readFileSync(join(root, 'spec/examples/valid', `${name}.json`), 'utf8')) as Record<string, any>;

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

export function runValidationBench(
  onProgress?: (message: string) => void,
  options: { rounds?: number; sampleMs?: number } = {},
): Array<{ payload: string; bytes: number; results: Array<TaskResult & { ratioToParse: number }> }> {
  const schema = JSON.parse(readFileSync(join(root, 'generated/schemas/conforming-event.schema.json'), 'utf8')) as object;
  const ajv = new Ajv2020.default({ strict: true });
  addFormats.default(ajv, { mode: 'full' });
  const ajvRuntime = ajv.compile(schema);
  const cfworker = new CfValidator(schema as never, '2020-12', true);

  return payloads().map(({ name, event }) => {
    const text = JSON.stringify(event);
    // Every contender must say "valid" to this payload, or the comparison means nothing.
    const verdicts = { ours: validateEvent(event).valid, ajv: ajvRuntime(event), cfworker: cfworker.validate(event).valid, zod: zodValidate(event) };
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
    return { payload: name, bytes: Buffer.byteLength(text), results: results.map((r) => ({ ...r, ratioToParse: r.opsPerSecond / parse })) };
  });
}
