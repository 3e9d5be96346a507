/**
 * Type tests, checked by `npm run typecheck` (tsc): the two generated type sets agree.
 * Each schema's type from openapi-typescript and from json-schema-to-typescript must be
 * assignable to the other, both ways; a drift between the generators fails the build.
 */
import type { components } from '../../generated/converge/types/openapi.js';
import type * as Schemas from '../../generated/converge/types/schemas.js';

type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type OpenApi = components['schemas'];

export type WebhookEventAgrees = Assert<MutuallyAssignable<OpenApi['WebhookEvent'], Schemas.WebhookEvent>>;
export type StandardEventAgrees = Assert<MutuallyAssignable<OpenApi['StandardEvent'], Schemas.StandardEvent>>;
export type CustomEventAgrees = Assert<MutuallyAssignable<OpenApi['CustomEvent'], Schemas.CustomEvent>>;
export type PageLoadEventAgrees = Assert<MutuallyAssignable<OpenApi['PageLoadEvent'], Schemas.PageLoadEvent>>;
export type ViewedProductEventAgrees = Assert<MutuallyAssignable<OpenApi['ViewedProductEvent'], Schemas.ViewedProductEvent>>;
export type ViewedCollectionEventAgrees = Assert<MutuallyAssignable<OpenApi['ViewedCollectionEvent'], Schemas.ViewedCollectionEvent>>;
export type AddedToCartEventAgrees = Assert<MutuallyAssignable<OpenApi['AddedToCartEvent'], Schemas.AddedToCartEvent>>;
export type RemovedFromCartEventAgrees = Assert<MutuallyAssignable<OpenApi['RemovedFromCartEvent'], Schemas.RemovedFromCartEvent>>;
export type ViewedCartEventAgrees = Assert<MutuallyAssignable<OpenApi['ViewedCartEvent'], Schemas.ViewedCartEvent>>;
export type StartedCheckoutEventAgrees = Assert<MutuallyAssignable<OpenApi['StartedCheckoutEvent'], Schemas.StartedCheckoutEvent>>;
export type AddedPaymentInfoEventAgrees = Assert<MutuallyAssignable<OpenApi['AddedPaymentInfoEvent'], Schemas.AddedPaymentInfoEvent>>;
export type PlacedOrderEventAgrees = Assert<MutuallyAssignable<OpenApi['PlacedOrderEvent'], Schemas.PlacedOrderEvent>>;
export type StartedSubscriptionEventAgrees = Assert<MutuallyAssignable<OpenApi['StartedSubscriptionEvent'], Schemas.StartedSubscriptionEvent>>;
export type CancelledSubscriptionEventAgrees = Assert<MutuallyAssignable<OpenApi['CancelledSubscriptionEvent'], Schemas.CancelledSubscriptionEvent>>;
export type PlacedRecurringSubscriptionOrderEventAgrees = Assert<MutuallyAssignable<OpenApi['PlacedRecurringSubscriptionOrderEvent'], Schemas.PlacedRecurringSubscriptionOrderEvent>>;
export type ReceivedRefundEventAgrees = Assert<MutuallyAssignable<OpenApi['ReceivedRefundEvent'], Schemas.ReceivedRefundEvent>>;
export type ProfilePropertiesAgrees = Assert<MutuallyAssignable<OpenApi['ProfileProperties'], Schemas.ProfileProperties>>;
export type OrderPropertiesAgrees = Assert<MutuallyAssignable<OpenApi['OrderProperties'], Schemas.OrderProperties>>;
export type ItemPropertiesAgrees = Assert<MutuallyAssignable<OpenApi['ItemProperties'], Schemas.ItemProperties>>;
export type SalesChannelTypeAgrees = Assert<MutuallyAssignable<OpenApi['SalesChannelType'], Schemas.SalesChannelType>>;
export type TimestampAgrees = Assert<MutuallyAssignable<OpenApi['Timestamp'], Schemas.Timestamp>>;
export type AliasesAgrees = Assert<MutuallyAssignable<OpenApi['Aliases'], Schemas.Aliases>>;
export type ViolationAgrees = Assert<MutuallyAssignable<OpenApi['Violation'], Schemas.Violation>>;
export type ProblemAgrees = Assert<MutuallyAssignable<OpenApi['Problem'], Schemas.Problem>>;
export type ValidationProblemAgrees = Assert<MutuallyAssignable<OpenApi['ValidationProblem'], Schemas.ValidationProblem>>;
export type StrictProblemAgrees = Assert<MutuallyAssignable<OpenApi['StrictProblem'], Schemas.StrictProblem>>;
export type StrictValidationProblemAgrees = Assert<MutuallyAssignable<OpenApi['StrictValidationProblem'], Schemas.StrictValidationProblem>>;
export type AcceptedAgrees = Assert<MutuallyAssignable<OpenApi['Accepted'], Schemas.Accepted>>;

// The check itself can fail: two types that differ are caught.
// @ts-expect-error PlacedOrderEvent and CustomEvent differ in event_name
export type DifferentTypesAreCaught = Assert<MutuallyAssignable<OpenApi['PlacedOrderEvent'], Schemas.CustomEvent>>;
