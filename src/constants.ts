import { table } from '../generated/converge/codes.js';

/**
 * The closed lists of the Event Spec, as values. A test checks them against the contract's
 * schemas, so they cannot drift from spec/.
 */
export const STANDARD_EVENT_NAMES = [
  '$page_load',
  'Viewed Product',
  'Viewed Collection',
  'Added To Cart',
  'Removed From Cart',
  'Viewed Cart',
  'Started Checkout',
  'Added Payment Info',
  'Placed Order',
  'Started Subscription',
  'Cancelled Subscription',
  'Placed Recurring Subscription Order',
  'Received Refund',
] as const;

export const SALES_CHANNEL_TYPES = [
  'web',
  'subscription_contract',
  'sms',
  'mobile_app',
  'pos',
  'marketplace',
  'offline',
  'facebook_shop',
  'pinterest_shop',
  'tiktok_shop',
] as const;

/** The largest numeric timestamp accepted: 9999-12-31T23:59:59Z in unix seconds (from the contract's Timestamp schema). */
export const MAX_UNIX_SECONDS = table.constants.MAX_UNIX_SECONDS;

/** The body limit this contract fixes (the vendor documents none): 1 MiB. */
export const MAX_BODY_BYTES = table.constants.MAX_BODY_BYTES;
