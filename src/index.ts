/**
 * converge-webhook-contract: types, validators and constants for the Converge server-side
 * webhook (`POST /api/webhooks`). Generated from the OpenAPI 3.1 contract in spec/.
 */
export { validateEvent, validateBody, isWebhookEvent, isStandardEvent, assertWebhookEvent, WebhookEventError } from './validate.js';
export type { Violation, ValidateOptions, ValidationResult, BodyValidationResult } from './validate.js';
export { VIOLATION_CODES } from './codes.js';
export type { ViolationCode, ViolationLevel } from './codes.js';
export { STANDARD_EVENT_NAMES, SALES_CHANNEL_TYPES, MAX_UNIX_SECONDS, MAX_BODY_BYTES } from './constants.js';
export type {
  WebhookEvent,
  StandardEvent,
  StandardEventName,
  CustomEvent,
  PageLoadEvent,
  ViewedProductEvent,
  ViewedCollectionEvent,
  AddedToCartEvent,
  RemovedFromCartEvent,
  ViewedCartEvent,
  StartedCheckoutEvent,
  AddedPaymentInfoEvent,
  PlacedOrderEvent,
  StartedSubscriptionEvent,
  CancelledSubscriptionEvent,
  PlacedRecurringSubscriptionOrderEvent,
  ReceivedRefundEvent,
  SalesChannelType,
  ProfileProperties,
  OrderProperties,
  ItemProperties,
  ProductProperties,
  CartProperties,
  CollectionProperties,
  SubscriptionProperties,
  PageLoadProperties,
  ClientProperties,
  Timestamp,
  Aliases,
  Alias,
  CurrencyCode,
  Problem,
  ValidationProblem,
  Accepted,
} from '../generated/converge/types/schemas.js';
