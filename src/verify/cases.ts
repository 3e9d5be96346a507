/**
 * Generated request bodies for `converge-webhook verify`: valid events drawn from the contract's
 * schemas, and invalid ones that each break exactly one contract rule.
 *
 * Deterministic: the same seed gives the same bodies (a tiny seeded PRNG, no test-only
 * dependency, since this ships with the package). Only `event_id` varies, through `runId`, so
 * that repeated runs against a deduplicating receiver send new events.
 * test/verify.test.ts checks every case with validateEvent, which is what makes them trustworthy.
 */
import type { ViolationCode } from '../codes.js';
import { MAX_UNIX_SECONDS, SALES_CHANNEL_TYPES, STANDARD_EVENT_NAMES } from '../constants.js';

export const DEFAULT_SEED = 20240902;
export const DEFAULT_CASE_COUNT = 200;

export interface ValidCase {
  /** What the case shows, for people. */
  summary: string;
  /** Which timestamp form it carries (one of TIMESTAMP_FORMS). */
  timestampForm: TimestampForm;
  event: Record<string, unknown>;
}

export interface InvalidCase {
  summary: string;
  /** The contract rule the body breaks: validateEvent reports exactly this one error code. */
  rule: ViolationCode;
  /** Which mutation made it (one of INVALID_MUTATIONS' names). */
  mutation: string;
  /** The body as sent. Not always JSON: `invalid-json` cases are raw text. */
  text: string;
}

// ---------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32): plenty for test data, and identical on every platform.

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length - 1)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  money(max: number): number {
    return Math.round(this.next() * max * 100) / 100;
  }
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[this.int(0, 15)];
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// Timestamps

export const TIMESTAMP_FORMS = [
  'absent',
  'utc-z',
  'utc-lowercase-t-z',
  'offset-zero',
  'offset-positive',
  'offset-negative',
  'offset-half-hour',
  'fraction-milliseconds-z',
  'fraction-microseconds-offset',
  'fraction-nanoseconds-negative-offset',
  'leap-day',
  'unix-seconds',
  'unix-zero',
  'unix-max',
  // ISO 8601 outside RFC 3339: valid, with a timestamp-form warning.
  'iso-no-seconds',
  'iso-offset-no-colon',
  'iso-space-separator',
  'iso-offset-hours-only',
  'leap-second-utc',
] as const;
export type TimestampForm = (typeof TIMESTAMP_FORMS)[number];

/** The forms that are valid with a warning, and the one warning code each carries. */
export const TIMESTAMP_FORM_WARNINGS: Partial<Record<TimestampForm, ViolationCode>> = {
  'iso-no-seconds': 'timestamp-form',
  'iso-offset-no-colon': 'timestamp-form',
  'iso-space-separator': 'timestamp-form',
  'iso-offset-hours-only': 'timestamp-form',
  'leap-second-utc': 'timestamp-form',
};
const CONFORMING_TIMESTAMP_FORMS = TIMESTAMP_FORMS.filter((form) => !TIMESTAMP_FORM_WARNINGS[form]);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysIn(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function randomParts(rng: Rng): Parts {
  const year = rng.int(1970, 2099);
  const month = rng.int(1, 12);
  return { year, month, day: rng.int(1, daysIn(year, month)), hour: rng.int(0, 23), minute: rng.int(0, 59), second: rng.int(0, 59) };
}

function dateTime(p: Parts, separator = 'T'): string {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}${separator}${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

function offset(rng: Rng, sign: '+' | '-', minutes: readonly number[] = [0]): string {
  return `${sign}${pad(rng.int(0, 23))}:${pad(rng.pick(minutes))}`;
}

function fraction(rng: Rng, digits: number): string {
  let out = '.';
  for (let i = 0; i < digits; i++) out += String(rng.int(0, 9));
  return out;
}

function timestampFor(form: TimestampForm, rng: Rng): string | number | undefined {
  const p = randomParts(rng);
  switch (form) {
    case 'absent':
      return undefined;
    case 'utc-z':
      return `${dateTime(p)}Z`;
    case 'utc-lowercase-t-z':
      return `${dateTime(p, 't')}z`;
    case 'offset-zero':
      return `${dateTime(p)}${rng.pick(['+00:00', '-00:00'])}`;
    case 'offset-positive':
      return `${dateTime(p)}${offset(rng, '+')}`;
    case 'offset-negative':
      return `${dateTime(p)}${rng.pick(['-07:00', '-05:00', '-08:00', offset(rng, '-')])}`;
    case 'offset-half-hour':
      return `${dateTime(p)}${rng.pick(['+05:30', '+09:30', '-03:30', '+05:45', '-09:30'])}`;
    case 'fraction-milliseconds-z':
      return `${dateTime(p)}${fraction(rng, 3)}Z`;
    case 'fraction-microseconds-offset':
      return `${dateTime(p)}${fraction(rng, 6)}${offset(rng, '+', [0, 30])}`;
    case 'fraction-nanoseconds-negative-offset':
      return `${dateTime(p)}${fraction(rng, rng.int(7, 9))}${offset(rng, '-', [0, 15, 45])}`;
    case 'leap-day':
      return `${dateTime({ ...p, year: rng.pick([2000, 2024, 2028, 1996, 2400]), month: 2, day: 29 })}${rng.pick(['Z', '+01:00', '-04:00'])}`;
    case 'unix-seconds':
      return rng.int(1, 2_000_000_000);
    case 'unix-zero':
      return 0;
    case 'unix-max':
      return MAX_UNIX_SECONDS;
    case 'iso-no-seconds':
      return `${dateTime(p).slice(0, 16)}${rng.pick(['Z', '+01:00', '-05:00'])}`;
    case 'iso-offset-no-colon':
      return `${dateTime(p)}${rng.pick(['+0000', '-0700', '+0530', '+0200'])}`;
    case 'iso-space-separator':
      return `${dateTime(p, ' ')}${rng.pick(['', fraction(rng, 6)])}${rng.pick(['+00:00', 'Z', '-03:00'])}`;
    case 'iso-offset-hours-only':
      return `${dateTime(p, rng.pick(['T', ' ']))}${rng.pick(['+01', '-08', '+00'])}`;
    case 'leap-second-utc':
      return `${rng.pick(['2016-12-31', '2015-06-30', '1998-12-31'])}T23:59:60${rng.pick(['Z', '+00:00', '.5Z'])}`;
  }
}

// ---------------------------------------------------------------------------------------
// Valid events, per Event Spec group, so that they conform to the Event Spec (no warnings but a
// timestamp form's own, see TIMESTAMP_FORM_WARNINGS).

const CUSTOM_EVENT_NAMES = [
  'Subscribed To Newsletter',
  'Wishlist Item Added',
  'Quiz Completed',
  'Loyalty Points Earned',
  'Review Submitted',
  'placed order',
  'Gift Card Redeemed',
  'Appointment Booked',
  'Réservation confirmée',
  'カート放棄',
] as const;

const FIRST = ['Ada', 'Grace', 'Linus', 'Zoë', 'José', 'Ngozi', 'Mei', 'Søren', 'Fatima', 'Ömer'] as const;
const LAST = ['Lovelace', 'Hopper', 'Okafor', 'Müller', 'García', 'Tanaka', 'Kowalski', 'Nørgaard'] as const;
const CITIES = [
  ['San Francisco', 'California', 'US'],
  ['Austin', 'Texas', 'US'],
  ['Lyon', 'Auvergne-Rhône-Alpes', 'FR'],
  ['Osaka', 'Osaka', 'JP'],
  ['Lagos', 'Lagos', 'NG'],
  ['Kraków', 'Lesser Poland', 'PL'],
] as const;
const PRODUCTS = ['Stoneware Coffee Mug', 'Ethiopia Yirgacheffe 340 g', 'Linen Apron', 'Pour-Over Kettle', 'Gift Card', 'Café au lait bowl ☕'] as const;
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD'] as const;
const ALIAS_TYPES = ['email', 'user_id', 'cart_token', 'checkout_token', 'customer_id', 'phone', 'shopify.customer-id'] as const;

function item(rng: Rng, currency: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    product_id: String(rng.int(1_000_000, 9_999_999_999)),
    name: rng.pick(PRODUCTS),
    price: rng.money(200),
    quantity: rng.int(1, 5),
  };
  if (rng.chance(0.7)) out.variant_id = String(rng.int(1_000_000, 99_999_999_999));
  if (rng.chance(0.6)) out.sku = `SKU-${rng.hex(6).toUpperCase()}`;
  if (rng.chance(0.5)) out.variant_name = rng.pick(['12 oz / Slate Blue', 'Large', 'Natural', 'Default Title']);
  if (rng.chance(0.5)) out.vendor = rng.pick(['Hearth & Kiln', 'Roastery Nord', 'Atelier Lin']);
  if (rng.chance(0.5)) out.currency = currency;
  if (rng.chance(0.3)) out.url = `https://shop.example.com/products/${rng.hex(8)}`;
  if (rng.chance(0.3)) out.image_url = `https://cdn.example.com/${rng.hex(12)}.jpg`;
  return out;
}

function items(rng: Rng, currency: string): Record<string, unknown>[] {
  return Array.from({ length: rng.int(0, 4) }, () => item(rng, currency));
}

function clientProperties(rng: Rng): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rng.chance(0.4)) out.$ip = `203.0.113.${rng.int(1, 254)}`;
  if (rng.chance(0.4)) out.$url = `https://shop.example.com/${rng.hex(6)}`;
  if (rng.chance(0.3)) out.referrer = 'https://www.google.com/';
  if (rng.chance(0.3)) out.timezone = rng.pick(['Europe/Paris', 'America/Los_Angeles', 'Asia/Tokyo']);
  if (rng.chance(0.3)) out.viewport = `${rng.int(320, 2560)}x${rng.int(480, 1440)}`;
  return out;
}

function orderProperties(rng: Rng): Record<string, unknown> {
  const currency = rng.pick(CURRENCIES);
  const out: Record<string, unknown> = { id: `order-${rng.int(10_000, 99_999_999)}`, total_price: rng.money(500), currency, items: items(rng, currency) };
  if (rng.chance(0.6)) out.total_tax = rng.money(40);
  if (rng.chance(0.6)) out.total_shipping = rng.money(20);
  if (rng.chance(0.4)) out.total_discount = rng.money(30);
  if (rng.chance(0.3)) out.coupon = rng.pick(['WELCOME10', 'SPRING,FREESHIP', 'VIP']);
  if (rng.chance(0.7)) out.$is_new_customer = rng.chance(0.5);
  if (rng.chance(0.2)) out.gift_note = 'Happy birthday! 🎂';
  return out;
}

function propertiesFor(name: string, rng: Rng): Record<string, unknown> {
  const currency = rng.pick(CURRENCIES);
  switch (name) {
    case 'Placed Order':
    case 'Placed Recurring Subscription Order':
    case 'Received Refund':
      return orderProperties(rng);
    case 'Viewed Product':
    case 'Added To Cart':
    case 'Removed From Cart':
      return { ...item(rng, currency), ...clientProperties(rng) };
    case 'Viewed Cart':
    case 'Started Checkout':
    case 'Added Payment Info': {
      const out: Record<string, unknown> = { ...clientProperties(rng), total_price: rng.money(300), currency, items: items(rng, currency) };
      if (rng.chance(0.5)) out.id = `cart-${rng.hex(10)}`;
      return out;
    }
    case 'Viewed Collection':
      return { ...clientProperties(rng), id: String(rng.int(1000, 999_999)), name: rng.pick(['Mugs', 'Coffee', 'Kitchen', 'Soldes d’été']) };
    case 'Started Subscription':
    case 'Cancelled Subscription':
      return { id: `sub-${rng.hex(8)}`, total_price: rng.money(60), currency, items: items(rng, currency) };
    case '$page_load':
      return clientProperties(rng);
    default: {
      // Custom events: free-form properties of any type.
      const out: Record<string, unknown> = {};
      if (rng.chance(0.7)) out.source = rng.pick(['footer-form', 'checkout', 'app']);
      if (rng.chance(0.5)) out.points = rng.int(0, 5000);
      if (rng.chance(0.4)) out.total_price = rng.pick(['12.00', 12, null]); // not a spec property here
      if (rng.chance(0.4)) out.nested = { level: { deeper: [1, 'two', { three: true }] } };
      if (rng.chance(0.3)) out.tags = ['a', 'b', 'ç'];
      return out;
    }
  }
}

function profileProperties(rng: Rng): Record<string, unknown> {
  if (rng.chance(0.15)) return {};
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const [city, state, country] = rng.pick(CITIES);
  const out: Record<string, unknown> = { $email: `${first}.${last}@example.com`.toLowerCase() };
  if (rng.chance(0.7)) out.$first_name = first;
  if (rng.chance(0.7)) out.$last_name = last;
  if (rng.chance(0.5)) out.$phone_number = `+1${rng.int(200_000_0000, 999_999_9999)}`;
  if (rng.chance(0.5)) out.$city = city;
  if (rng.chance(0.5)) out.$state = state;
  if (rng.chance(0.5)) out.$country_code = country;
  if (rng.chance(0.5)) out.$zip_code = pad(rng.int(0, 99999), 5);
  if (rng.chance(0.2)) out.loyalty_tier = rng.pick(['gold', 'silver']);
  return out;
}

function alias(rng: Rng): string {
  const type = rng.pick(ALIAS_TYPES);
  return type === 'email' ? `urn:email:${rng.pick(FIRST).toLowerCase()}.${rng.hex(4)}@example.com` : `urn:${type}:${rng.hex(rng.int(6, 24))}`;
}

function aliases(rng: Rng, count: number): string[] {
  return Array.from({ length: count }, () => alias(rng));
}

const EVENT_NAMES: readonly string[] = [...STANDARD_EVENT_NAMES, ...CUSTOM_EVENT_NAMES];

/**
 * `count` valid, Event Spec–conforming events (those with a TIMESTAMP_FORM_WARNINGS form carry that
 * warning and no other). Every timestamp form, every alias count from 1
 * to 10, every standard event name and several custom ones, with and without
 * `$sales_channel_type`, each appear as soon as `count` reaches 46 (the forms cycle by index).
 */
export function generateValidCases(count: number, seed: number, runId: string): ValidCase[] {
  const rng = new Rng(seed);
  const out: ValidCase[] = [];
  for (let i = 0; i < count; i++) {
    const name = EVENT_NAMES[i % EVENT_NAMES.length] as string;
    const form = TIMESTAMP_FORMS[i % TIMESTAMP_FORMS.length] as TimestampForm;
    const aliasCount = (i % 10) + 1;
    // i % 23 is coprime with the other cycles, so channel and no-channel meet every name.
    const channel = i % 23 < 15 ? SALES_CHANNEL_TYPES[i % SALES_CHANNEL_TYPES.length] : undefined;
    const properties = propertiesFor(name, rng);
    if (channel) properties.$sales_channel_type = channel;
    const event: Record<string, unknown> = {
      event_name: name,
      event_id: `verify-${runId}-v${pad(i, 3)}`,
      properties,
      profile_properties: profileProperties(rng),
      aliases: aliases(rng, aliasCount),
    };
    const timestamp = timestampFor(form, rng);
    if (timestamp !== undefined) event.timestamp = timestamp;
    const kind = (STANDARD_EVENT_NAMES as readonly string[]).includes(name) ? 'standard' : 'custom';
    out.push({
      summary: `${kind} "${name}", ${aliasCount} alias${aliasCount === 1 ? '' : 'es'}, timestamp ${describeTimestamp(form, timestamp)}, ${channel ? `channel ${channel}` : 'no $sales_channel_type'}`,
      timestampForm: form,
      event,
    });
  }
  return out;
}

function describeTimestamp(form: TimestampForm, value: string | number | undefined): string {
  return value === undefined ? 'absent' : `${form} ${JSON.stringify(value)}`;
}

// ---------------------------------------------------------------------------------------
// Invalid bodies: a valid event with exactly one contract rule broken.

type Event = Record<string, unknown>;

interface Mutation {
  name: string;
  rule: ViolationCode;
  /** Changes `event` in place (or returns another body) and says what it did. */
  apply(event: Event, rng: Rng): { summary: string; body?: unknown; text?: string };
}

const REQUIRED = ['event_name', 'event_id', 'properties', 'profile_properties', 'aliases'] as const;

function setField(field: string, value: unknown, summary: string): Mutation['apply'] {
  return (event) => {
    event[field] = value;
    return { summary };
  };
}

function setTimestamp(make: (rng: Rng) => unknown, what: string): Mutation['apply'] {
  return (event, rng) => {
    const value = make(rng);
    event.timestamp = value;
    return { summary: `timestamp ${what}: ${JSON.stringify(value)}` };
  };
}

function replaceAlias(value: unknown, what: string): Mutation['apply'] {
  return (event, rng) => {
    const list = event.aliases as unknown[];
    const index = rng.int(0, list.length - 1);
    list[index] = value;
    return { summary: `aliases[${index}] ${what} (of ${list.length})` };
  };
}

function rawText(make: (json: string, rng: Rng) => string, what: string): Mutation['apply'] {
  return (event, rng) => ({ summary: `not JSON: ${what}`, text: make(JSON.stringify(event, null, 1), rng) });
}

/** Every mutation, each breaking one rule; the generator cycles through them. */
export const INVALID_MUTATIONS: readonly Mutation[] = [
  ...REQUIRED.map((field): Mutation => ({
    name: `missing-${field}`,
    rule: 'missing-field',
    apply: (event) => {
      delete event[field];
      return { summary: `required field ${field} is absent` };
    },
  })),
  { name: 'event-name-number', rule: 'wrong-type', apply: setField('event_name', 42, 'event_name is the number 42') },
  { name: 'event-name-boolean', rule: 'wrong-type', apply: setField('event_name', true, 'event_name is the boolean true') },
  { name: 'event-name-null', rule: 'wrong-type', apply: setField('event_name', null, 'event_name is null') },
  { name: 'event-name-array', rule: 'wrong-type', apply: setField('event_name', ['Placed Order'], 'event_name is an array of one name') },
  { name: 'event-name-empty', rule: 'empty-string', apply: setField('event_name', '', 'event_name is the empty string') },
  {
    name: 'event-id-number',
    rule: 'wrong-type',
    apply: (event, rng) => {
      const id = rng.int(1, 99_999_999);
      event.event_id = id;
      return { summary: `event_id is the number ${id} (a numeric event_id)` };
    },
  },
  { name: 'event-id-null', rule: 'wrong-type', apply: setField('event_id', null, 'event_id is null') },
  { name: 'event-id-object', rule: 'wrong-type', apply: setField('event_id', { id: 'order-1' }, 'event_id is an object') },
  { name: 'event-id-empty', rule: 'empty-string', apply: setField('event_id', '', 'event_id is the empty string') },
  {
    name: 'properties-json-string',
    rule: 'wrong-type',
    apply: (event) => {
      event.properties = JSON.stringify(event.properties);
      return { summary: 'properties is a JSON-encoded string, not an object' };
    },
  },
  { name: 'properties-array', rule: 'wrong-type', apply: setField('properties', [], 'properties is an array') },
  { name: 'properties-null', rule: 'wrong-type', apply: setField('properties', null, 'properties is null') },
  { name: 'properties-number', rule: 'wrong-type', apply: setField('properties', 0, 'properties is the number 0') },
  { name: 'profile-properties-array', rule: 'wrong-type', apply: setField('profile_properties', [{ $email: 'a@example.com' }], 'profile_properties is an array') },
  { name: 'profile-properties-null', rule: 'wrong-type', apply: setField('profile_properties', null, 'profile_properties is null') },
  { name: 'profile-properties-string', rule: 'wrong-type', apply: setField('profile_properties', 'a@example.com', 'profile_properties is a string') },
  {
    name: 'aliases-string',
    rule: 'wrong-type',
    apply: (event) => {
      event.aliases = (event.aliases as string[])[0];
      return { summary: 'aliases is a single string, not an array' };
    },
  },
  { name: 'aliases-object', rule: 'wrong-type', apply: setField('aliases', { email: 'a@example.com' }, 'aliases is an object keyed by type') },
  { name: 'aliases-null', rule: 'wrong-type', apply: setField('aliases', null, 'aliases is null') },
  { name: 'aliases-zero', rule: 'aliases-too-few', apply: setField('aliases', [], 'aliases is [] (0 aliases)') },
  {
    name: 'aliases-too-many',
    rule: 'aliases-too-many',
    apply: (event, rng) => {
      const count = rng.chance(0.6) ? 11 : rng.int(12, 30);
      event.aliases = aliases(rng, count);
      return { summary: `${count} aliases (at most 10)` };
    },
  },
  { name: 'alias-empty', rule: 'alias-empty', apply: replaceAlias('', 'is the empty string') },
  { name: 'alias-number', rule: 'wrong-type', apply: replaceAlias(1234567, 'is a number') },
  { name: 'alias-null', rule: 'wrong-type', apply: replaceAlias(null, 'is null') },
  { name: 'alias-object', rule: 'wrong-type', apply: replaceAlias({ type: 'email', value: 'a@example.com' }, 'is an object') },
  // Timestamps: a zone is missing...
  { name: 'timestamp-no-zone', rule: 'timestamp-missing-timezone', apply: setTimestamp((rng) => dateTime(randomParts(rng)), 'without a timezone') },
  { name: 'timestamp-no-zone-fraction', rule: 'timestamp-missing-timezone', apply: setTimestamp((rng) => `${dateTime(randomParts(rng))}${fraction(rng, 3)}`, 'with a fraction but no timezone') },
  { name: 'timestamp-no-zone-space', rule: 'timestamp-missing-timezone', apply: setTimestamp((rng) => dateTime(randomParts(rng), ' '), 'with a space separator and no timezone') },
  // ...the layout is not an ISO 8601 date-time...
  { name: 'timestamp-date-only', rule: 'timestamp-invalid-format', apply: setTimestamp((rng) => dateTime(randomParts(rng)).slice(0, 10), 'as a date only') },
  { name: 'timestamp-digits-string', rule: 'timestamp-invalid-format', apply: setTimestamp((rng) => String(rng.int(1, 2_000_000_000)), 'as unix seconds in a string') },
  { name: 'timestamp-words', rule: 'timestamp-invalid-format', apply: setTimestamp((rng) => rng.pick(['yesterday', 'now', 'Mon, 02 Sep 2024 12:34:56 GMT', '']), 'in words') },
  // ...or the date or time does not exist.
  {
    name: 'timestamp-impossible-date',
    rule: 'timestamp-invalid-date',
    apply: setTimestamp((rng) => {
      const p = randomParts(rng);
      return `${rng.pick([
        `${pad(p.year, 4)}-02-30`,
        `${rng.pick([1900, 2023, 2100, 2025])}-02-29`,
        `${pad(p.year, 4)}-${rng.pick(['04', '06', '09', '11'])}-31`,
        `${pad(p.year, 4)}-13-${pad(p.day)}`,
        `${pad(p.year, 4)}-00-${pad(p.day)}`,
        `${pad(p.year, 4)}-${pad(p.month)}-32`,
      ])}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}Z`;
    }, 'on a date that does not exist'),
  },
  {
    name: 'timestamp-impossible-time',
    rule: 'timestamp-invalid-date',
    apply: setTimestamp((rng) => {
      const date = dateTime(randomParts(rng)).slice(0, 10);
      // A second 60 is a leap second only at 23:59:60 UTC.
      return `${date}T${rng.pick(['24:00:00', '12:60:00', '12:34:60', '23:58:60', '25:10:10'])}${rng.pick(['Z', '+01:00'])}`;
    }, 'at a time that does not exist'),
  },
  { name: 'timestamp-offset-24', rule: 'timestamp-invalid-date', apply: setTimestamp((rng) => `${dateTime(randomParts(rng))}+24:00`, 'with an offset of 24 hours') },
  // Numbers: unix seconds must be whole, not negative, not milliseconds.
  { name: 'timestamp-float', rule: 'timestamp-not-integer', apply: setTimestamp((rng) => rng.int(0, 2_000_000_000) + rng.pick([0.5, 0.25, 0.001]), 'as a float') },
  { name: 'timestamp-negative', rule: 'timestamp-negative', apply: setTimestamp((rng) => -rng.int(1, 2_000_000_000), 'negative') },
  { name: 'timestamp-milliseconds', rule: 'timestamp-too-large', apply: setTimestamp((rng) => rng.int(1_000_000_000, 2_000_000_000) * 1000 + rng.int(0, 999), 'in milliseconds') },
  { name: 'timestamp-above-max', rule: 'timestamp-too-large', apply: setTimestamp(() => MAX_UNIX_SECONDS + 1, 'one second above the maximum') },
  { name: 'timestamp-boolean', rule: 'wrong-type', apply: setTimestamp(() => true, 'as a boolean') },
  { name: 'timestamp-null', rule: 'wrong-type', apply: setTimestamp(() => null, 'as null') },
  { name: 'timestamp-object', rule: 'wrong-type', apply: setTimestamp(() => ({ seconds: 1725312229 }), 'as an object') },
  // The body itself.
  { name: 'body-array', rule: 'not-an-object', apply: (event) => ({ summary: 'body is an array holding the event (a batch)', body: [event] }) },
  { name: 'body-null', rule: 'not-an-object', apply: () => ({ summary: 'body is JSON null', body: null }) },
  { name: 'body-number', rule: 'not-an-object', apply: (_event, rng) => ({ summary: 'body is a JSON number', body: rng.int(0, 1000) }) },
  { name: 'body-string', rule: 'not-an-object', apply: (event) => ({ summary: 'body is the event as a JSON string', body: JSON.stringify(event) }) },
  { name: 'body-boolean', rule: 'not-an-object', apply: () => ({ summary: 'body is JSON true', body: true }) },
  { name: 'json-trailing-comma', rule: 'invalid-json', apply: rawText((json) => json.replace(/\n}$/, ',\n}'), 'a trailing comma') },
  { name: 'json-comment', rule: 'invalid-json', apply: rawText((json) => json.replace('{', '{ // sent by the nightly job\n'), 'a // comment') },
  { name: 'json-truncated', rule: 'invalid-json', apply: rawText((json, rng) => json.slice(0, rng.int(1, json.length - 2)), 'cut off mid-body') },
  { name: 'json-single-quotes', rule: 'invalid-json', apply: rawText((json) => json.replace(/"event_name"/, "'event_name'"), 'a single-quoted key') },
  { name: 'json-empty', rule: 'invalid-json', apply: rawText(() => '', 'an empty body') },
];

/** A base event for a mutation: a valid event with 2 to 10 aliases, so an alias can be replaced. */
function baseEvent(rng: Rng, i: number, runId: string): Event {
  const name = rng.pick(EVENT_NAMES);
  const event: Event = {
    event_name: name,
    event_id: `verify-${runId}-i${pad(i, 3)}`,
    properties: propertiesFor(name, rng),
    profile_properties: profileProperties(rng),
    aliases: aliases(rng, rng.int(2, 10)),
  };
  if (rng.chance(0.5)) event.timestamp = timestampFor(rng.pick(CONFORMING_TIMESTAMP_FORMS.slice(1)), rng);
  return event;
}

/** `count` invalid bodies, each breaking exactly one contract rule; the mutations cycle by index. */
export function generateInvalidCases(count: number, seed: number, runId: string): InvalidCase[] {
  // Another stream than the valid events', so the two lists do not mirror each other.
  const rng = new Rng(seed ^ 0x5bd1e995);
  const out: InvalidCase[] = [];
  for (let i = 0; i < count; i++) {
    const mutation = INVALID_MUTATIONS[i % INVALID_MUTATIONS.length] as Mutation;
    const event = baseEvent(rng, i, runId);
    const result = mutation.apply(event, rng);
    const text = result.text ?? JSON.stringify('body' in result ? result.body : event);
    out.push({ summary: result.summary, rule: mutation.rule, mutation: mutation.name, text });
  }
  return out;
}
