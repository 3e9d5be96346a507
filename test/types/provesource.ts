/**
 * Type tests, checked by `npm run typecheck` (tsc), of the ProveSource types: where the schema
 * allows free extra members (additionalProperties: true) the types say `[key: string]: unknown`,
 * a field whose type the vendor leaves open is `unknown` (not an object: json-schema-to-typescript
 * typed a field with only a description as `{[k: string]: unknown}`, see untypedAsUnknown in
 * scripts/generate.ts), the vendor's typed fields keep their types, and the two type sets agree.
 */
import type { components } from '../../generated/provesource/types/openapi.js';
import type { ConformingStreamNotification, IpAddress, Product, StreamNotification } from '../../generated/provesource/index.js';
import type { CustomEventData } from '../../generated/webengage/index.js';

type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type OpenApi = components['schemas'];

// The seed's all-blocks example, an extra member at the top and in a product: the library's type.
export const seedAllBlocks: StreamNotification = {
  email: 'test@gmail.com',
  timestamp: 1528611279398,
  ip: '141.92.55.102',
  firstName: 'John',
  lastName: 'Smith',
  guid: 'id',
  city: 'Miami',
  country: 'United States',
  countryCode: 'US',
  state: 'Florida',
  stateCode: 'FL',
  total: 55,
  currency: 'USD',
  productName: 'Sneakers',
  productLink: 'https://sneakers.com/sneakers',
  productImage: 'https://sneakers.com/sneakers.jpg',
  products: [{ name: 'T-Shirt', link: 'https://mystore.com/t-shirt', id: 123, image: 'https://mystore.com/images/t-shirt.png', price: 55, quantity: 2, sku: 'TS-1' }],
  siteUrl: 'https://example.com',
};
// The free members read back as unknown, never as any.
export const extra: unknown = seedAllBlocks['siteUrl'];
// @ts-expect-error an extra member is unknown: it must be narrowed before use
export const extraLength: number = seedAllBlocks['siteUrl'].length;
// Fields whose type the vendor leaves open take any value (warnings, not errors, in the contract).
export const openFields: StreamNotification = { email: 'a@example.com', firstName: 42, total: '55.00', city: ['Miami'], currency: null };
export const product: Product = { name: 'T-Shirt', link: 'https://mystore.com/t-shirt', id: 'SKU-1', price: '55', colour: 'red' };
export const ip: IpAddress = '2001:db8::17';

// @ts-expect-error email is a string
export const emailNumber: StreamNotification = { email: 42 };
// @ts-expect-error email is required
export const noEmail: StreamNotification = { firstName: 'John' };
// @ts-expect-error timestamp is a number, not a string
export const timestampString: StreamNotification = { email: 'a@example.com', timestamp: '1528611279398' };
// @ts-expect-error ip is a string
export const ipNumber: StreamNotification = { email: 'a@example.com', ip: 2371630950 };
// @ts-expect-error a product's link is a string
export const linkNumber: Product = { name: 'T-Shirt', link: 1 };
// @ts-expect-error a product's id is a string or a number
export const idBoolean: Product = { name: 'T-Shirt', link: 'https://mystore.com/t-shirt', id: true };
// @ts-expect-error products is an array of products
export const productsObject: StreamNotification = { email: 'a@example.com', products: { name: 'T-Shirt', link: 'x' } };
// @ts-expect-error the conforming level has no free members (unknown-field is a warning)
export const conformingExtra: ConformingStreamNotification = { email: 'a@example.com', siteUrl: 'https://example.com' };
// @ts-expect-error the conforming level types the recommended fields
export const conformingName: ConformingStreamNotification = { email: 'a@example.com', firstName: 42 };

// openapi-typescript and json-schema-to-typescript agree, both ways.
export type StreamNotificationAgrees = Assert<MutuallyAssignable<OpenApi['StreamNotification'], StreamNotification>>;
export type ProductAgrees = Assert<MutuallyAssignable<OpenApi['Product'], Product>>;
export type ConformingStreamNotificationAgrees = Assert<MutuallyAssignable<OpenApi['ConformingStreamNotification'], ConformingStreamNotification>>;
export type IpAddressAgrees = Assert<MutuallyAssignable<OpenApi['IpAddress'], IpAddress>>;

// WebEngage: a custom event's attributes take any value (they were typed as objects).
export const attributes: CustomEventData = { plan: 'premium', seats: 3, trial: false, renewed: '2016-06-01T15:53:59+0000' };
