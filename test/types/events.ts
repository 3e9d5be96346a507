/**
 * Type tests, checked by `npm run typecheck` (tsc): every event type is a `WebhookEvent`
 * (a sender's `send(e: WebhookEvent)` takes each of them), and a `WebhookEvent` is none of
 * the specific ones (its `event_name` and properties are open). Both type sets, and the
 * request body of `paths` as openapi-fetch sees it.
 */
import createClient from 'openapi-fetch';

import type { components, paths } from '../../generated/converge/types/openapi.js';
import {
  isStandardEvent,
  type AddedPaymentInfoEvent,
  type AddedToCartEvent,
  type CancelledSubscriptionEvent,
  type CustomEvent,
  type PageLoadEvent,
  type PlacedOrderEvent,
  type PlacedRecurringSubscriptionOrderEvent,
  type ReceivedRefundEvent,
  type RemovedFromCartEvent,
  type StandardEvent,
  type StartedCheckoutEvent,
  type StartedSubscriptionEvent,
  type ViewedCartEvent,
  type ViewedCollectionEvent,
  type ViewedProductEvent,
  type WebhookEvent,
} from '../../generated/converge/index.js';
import { startSandbox, type RunningSandbox } from '../../src/testing.js';

declare function send(event: WebhookEvent): void;
declare const pageLoad: PageLoadEvent;
declare const viewedProduct: ViewedProductEvent;
declare const viewedCollection: ViewedCollectionEvent;
declare const addedToCart: AddedToCartEvent;
declare const removedFromCart: RemovedFromCartEvent;
declare const viewedCart: ViewedCartEvent;
declare const startedCheckout: StartedCheckoutEvent;
declare const addedPaymentInfo: AddedPaymentInfoEvent;
declare const placedOrder: PlacedOrderEvent;
declare const startedSubscription: StartedSubscriptionEvent;
declare const cancelledSubscription: CancelledSubscriptionEvent;
declare const placedRecurringSubscriptionOrder: PlacedRecurringSubscriptionOrderEvent;
declare const receivedRefund: ReceivedRefundEvent;
declare const custom: CustomEvent;
declare const standard: StandardEvent;

// Each of the fourteen is a WebhookEvent.
send(pageLoad);
send(viewedProduct);
send(viewedCollection);
send(addedToCart);
send(removedFromCart);
send(viewedCart);
send(startedCheckout);
send(addedPaymentInfo);
send(placedOrder);
send(startedSubscription);
send(cancelledSubscription);
send(placedRecurringSubscriptionOrder);
send(receivedRefund);
send(custom);
send(standard);

// A WebhookEvent is none of them: its event_name is any string, its properties any object.
declare const event: WebhookEvent;
// @ts-expect-error event_name is not '$page_load'
export const notPageLoad: PageLoadEvent = event;
// @ts-expect-error event_name is not 'Viewed Product'
export const notViewedProduct: ViewedProductEvent = event;
// @ts-expect-error event_name is not 'Viewed Collection'
export const notViewedCollection: ViewedCollectionEvent = event;
// @ts-expect-error event_name is not 'Added To Cart'
export const notAddedToCart: AddedToCartEvent = event;
// @ts-expect-error event_name is not 'Removed From Cart'
export const notRemovedFromCart: RemovedFromCartEvent = event;
// @ts-expect-error event_name is not 'Viewed Cart'
export const notViewedCart: ViewedCartEvent = event;
// @ts-expect-error event_name is not 'Started Checkout'
export const notStartedCheckout: StartedCheckoutEvent = event;
// @ts-expect-error event_name is not 'Added Payment Info'
export const notAddedPaymentInfo: AddedPaymentInfoEvent = event;
// @ts-expect-error event_name is not 'Placed Order'
export const notPlacedOrder: PlacedOrderEvent = event;
// @ts-expect-error event_name is not 'Started Subscription'
export const notStartedSubscription: StartedSubscriptionEvent = event;
// @ts-expect-error event_name is not 'Cancelled Subscription'
export const notCancelledSubscription: CancelledSubscriptionEvent = event;
// @ts-expect-error event_name is not 'Placed Recurring Subscription Order'
export const notPlacedRecurringSubscriptionOrder: PlacedRecurringSubscriptionOrderEvent = event;
// @ts-expect-error event_name is not 'Received Refund'
export const notReceivedRefund: ReceivedRefundEvent = event;
// CustomEvent is the exception: what sets it apart from a WebhookEvent (a name that is not one of
// the 13, aliases in urn:<type>:<value> form, no unknown top-level field) is not a TypeScript type,
// and TypeScript does not check an index signature against optional properties. Only the
// validator tells them apart, so this assignment compiles; a literal with a bad channel does not.
export const customFromEvent: CustomEvent = event;
// @ts-expect-error 'amazon' is not a SalesChannelType
export const badChannel: CustomEvent = { ...custom, properties: { $sales_channel_type: 'amazon' } };

// Extra top-level fields stay allowed on a WebhookEvent (the contract leaves them open) ...
export const withExtra: WebhookEvent = { ...placedOrder, source: 'pos-7' };
// ... and are refused on an Event Spec event (an unknown top-level field is a warning there).
// @ts-expect-error source is not a field of PlacedOrderEvent
export const orderWithExtra: PlacedOrderEvent = { ...placedOrder, source: 'pos-7' };

// aliases is non-empty (minItems: 1), in both type sets: the first alias is a string, not undefined.
export const firstAlias: string = event.aliases[0];
// @ts-expect-error aliases needs at least one alias
export const noAlias: WebhookEvent = { ...event, aliases: [] };
// @ts-expect-error aliases needs at least one alias
export const noSpecAlias: components['schemas']['SpecAliases'] = [];
export const oneAlias: components['schemas']['Aliases'] = ['urn:email:jane@example.com'];

// The openapi-typescript types: the same, both ways, and for the request body of POST /api/webhooks.
type OpenApi = components['schemas'];
type RequestBody = paths['/api/webhooks']['post']['requestBody']['content']['application/json'];
declare function sendBody(body: RequestBody): void;
declare const openApiOrder: OpenApi['PlacedOrderEvent'];
declare const openApiCustom: OpenApi['CustomEvent'];
declare const openApiStandard: OpenApi['StandardEvent'];
sendBody(openApiOrder);
sendBody(openApiCustom);
sendBody(openApiStandard);
sendBody(placedOrder);
sendBody(custom);
send(openApiOrder);
declare const body: RequestBody;
// @ts-expect-error a request body is not a PlacedOrderEvent
export const bodyNotOrder: OpenApi['PlacedOrderEvent'] = body;
export const bodyAsCustom: OpenApi['CustomEvent'] = body; // as above: only the validator tells them apart

// A sender with openapi-fetch, the usual client for openapi-typescript output.
export async function post(baseUrl: string, token: string): Promise<number> {
  const client = createClient<paths>({ baseUrl });
  const { response } = await client.POST('/api/webhooks', { body: placedOrder, headers: { 'X-Webhook-Token': token } });
  await client.POST('/api/webhooks', { body: custom, headers: { 'X-Webhook-Token': token } });
  // @ts-expect-error a body without aliases is not a request body
  await client.POST('/api/webhooks', { body: { event_name: 'x', event_id: 'y', properties: {}, profile_properties: {} } });
  return response.status;
}

// The sandbox's stored bodies are WebhookEvents; filtered on event_name, they carry that name.
declare const sandbox: RunningSandbox;
export function storedTotal(): unknown {
  const [stored] = sandbox.events({ event_name: 'Placed Order' });
  if (!stored) return undefined;
  const name: 'Placed Order' = stored.body.event_name;
  send(stored.body);
  // Breaking the Event Spec is only a warning, so its properties are unknown until checked ...
  // @ts-expect-error total_price is unknown: it may be a string
  const unchecked: number | undefined = stored.body.properties.total_price;
  void unchecked;
  if (isStandardEvent(stored.body)) {
    // ... and typed once checked: the only standard event named 'Placed Order'.
    const total: number | undefined = stored.body.properties.total_price;
    return [name, total];
  }
  return stored.body.properties.total_price;
}
export const anyName: WebhookEvent[] = sandbox.events({ limit: 5 }).map((e) => e.body);
export const names: string[] = sandbox.events().map((e) => e.event_name);

// The README's sandbox example, as written (inside an async test).
declare function expect(actual: unknown): { toBe(expected: unknown): void; toEqual(expected: unknown): void };
declare function placeAnOrder(): Promise<void>;
export async function readmeSandboxExample(): Promise<void> {
  const sandbox = await startSandbox({ port: 0 });            // in memory, random token
  process.env.CONVERGE_WEBHOOK_URL = `${sandbox.url}/api/webhooks`;
  process.env.CONVERGE_WEBHOOK_TOKEN = sandbox.token;
  await placeAnOrder();                                         // your code under test
  const [event] = sandbox.events({ event_name: 'Placed Order' }); // newest first
  expect(event?.body.properties.total_price).toBe(42);          // body: a WebhookEvent named 'Placed Order'
  expect(event?.warnings).toEqual([]);                           // and it follows the Event Spec
  sandbox.reset();                                            // between tests
  await sandbox.stop();
}
