/** Type tests for the public API as a consumer writes it (checked by `npm run typecheck`). */
import {
  SALES_CHANNEL_TYPES,
  STANDARD_EVENT_NAMES,
  validateEvent,
  type CustomEvent,
  type PlacedOrderEvent,
  type SalesChannelType,
  type StandardEvent,
  type Violation,
  type WebhookEvent,
} from '../../generated/converge/index.js';

export function total(event: StandardEvent): number | undefined {
  switch (event.event_name) {
    case 'Placed Order': {
      const order: PlacedOrderEvent = event; // narrowed by event_name
      return order.properties.total_price;
    }
    case 'Viewed Collection':
      // @ts-expect-error a collection has no total_price in the Event Spec (index signature gives unknown)
      return event.properties.total_price;
    default:
      return undefined;
  }
}

export const custom: WebhookEvent = {
  event_name: 'Subscribed To Newsletter',
  event_id: 'newsletter-1',
  properties: { list: 'weekly' },
  profile_properties: {},
  aliases: ['urn:email:jane@example.com'],
};

export const customTyped: CustomEvent = { ...custom, properties: { $sales_channel_type: 'web' } };

// @ts-expect-error aliases is required
export const noAliases: WebhookEvent = { event_name: 'x', event_id: 'y', properties: {}, profile_properties: {} };

// @ts-expect-error event_id is a string
export const numericId: WebhookEvent = { ...custom, event_id: 42 };

// @ts-expect-error not a sales channel
export const channel: SalesChannelType = 'amazon';

export const channels: readonly SalesChannelType[] = SALES_CHANNEL_TYPES;
export const names: readonly StandardEvent['event_name'][] = STANDARD_EVENT_NAMES;

const result = validateEvent(custom, { strict: true });
export const firstCode: Violation['code'] | undefined = result.errors[0]?.code;

// The README's first usage example, as written (inside a handler).
import { validateBody, isStandardEvent } from '../../generated/converge/index.js';
declare function reply(status: number, body: unknown): string;
declare function recordRevenue(amount: number | undefined): void;
export function readmeExample(rawBody: string | Uint8Array): string {
  const result = validateBody(rawBody);
  if (!result.valid) {
    return reply(400, { violations: result.errors });
  }
  for (const w of result.warnings) console.warn(w.code, w.pointer, w.message);
  if (isStandardEvent(result.value) && result.value.event_name === 'Placed Order') {
    recordRevenue(result.value.properties.total_price);
  }
  return reply(200, {});
}
