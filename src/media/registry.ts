/**
 * The media types the engine can decode, keyed by media type (one module each). A contract
 * names the ones it accepts; a binding that needs only JSON imports ./json.js alone, so that
 * the library of a JSON-only contract does not load the form decoder.
 */
import { form, type FormOptions } from './form.js';
import { json } from './json.js';
import type { MediaType } from './types.js';

export interface MediaOptions {
  form?: FormOptions;
}

export const MEDIA_TYPES: Readonly<Record<string, (options: MediaOptions) => MediaType>> = {
  'application/json': () => json,
  'application/x-www-form-urlencoded': (options) => form(options.form),
};

/** The decoders of a contract's media types, in its order (the first is the default). */
export function mediaTypes(types: readonly string[], options: MediaOptions = {}): MediaType[] {
  return types.map((type) => {
    const make = MEDIA_TYPES[type.toLowerCase()];
    if (!make) throw new Error(`no decoder for the media type ${type} (known: ${Object.keys(MEDIA_TYPES).join(', ')})`);
    return make(options);
  });
}
