/**
 * The data format of a contract's violation code table (spec/<contract>/codes.yaml, described
 * by spec/codes.schema.json), as the generator writes it into a module: constants resolved,
 * comments gone. Types only: the engine reads plain data.
 */
export type Level = 'error' | 'warning';
export type OneOrMore<T> = T | readonly T[];
export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

/** What the request and body stages can report; a table maps each it uses to a code. */
export type Problem =
  | 'empty-body'
  | 'unsupported-media-type'
  | 'content-type-mismatch'
  | 'invalid-json'
  | 'form-duplicate-field'
  | 'form-array-index'
  | 'form-encoding'
  | 'body-too-large'
  | 'invalid-value';

export interface Note {
  readonly valuePattern: string;
  readonly text: string;
}

export interface Messages {
  readonly expected?: string;
  readonly message?: string;
  readonly notes?: readonly Note[];
}

export interface Match extends Messages {
  readonly problem?: Problem;
  readonly keyword?: OneOrMore<string>;
  readonly pointer?: OneOrMore<string>;
  readonly property?: OneOrMore<string>;
  readonly name?: true;
  readonly found?: OneOrMore<JsonType>;
  readonly valuePattern?: string;
  readonly below?: number | string;
  readonly above?: number | string;
  readonly integer?: boolean;
  readonly finite?: boolean;
}

export interface Parameter {
  readonly in: 'query' | 'header' | 'path';
  readonly name: string;
}

export type Check =
  | {
      readonly name: 'max-properties-per-type';
      readonly pointer: string;
      readonly max: number;
      readonly types: ReadonlyArray<{ readonly name: string; readonly found: JsonType; readonly valuePattern?: string }>;
      readonly unless?: { readonly pointer: string; readonly equals: string | number | boolean | null };
    }
  | { readonly name: 'json-in-string'; readonly pointer: string; readonly otherwise?: string }
  | { readonly name: 'equals-parameter'; readonly pointer: string; readonly parameter: Parameter };

export interface CodeEntry extends Messages {
  readonly code: string;
  readonly level: Level;
  readonly meaning: string;
  readonly source: { readonly vendor?: string; readonly seed?: string; readonly decision?: string };
  readonly status?: number;
  readonly stage?: 'request' | 'body' | 'schema' | 'check';
  readonly parameter?: Parameter;
  readonly webhooks?: readonly string[];
  readonly match?: readonly Match[];
  readonly fallback?: true | Messages;
  readonly check?: Check;
  readonly exempt?: string;
}

export interface CodeTable {
  readonly constants?: Readonly<Record<string, number | string | readonly (number | string)[]>>;
  readonly order?: { readonly error?: readonly string[]; readonly warning?: readonly string[] };
  readonly ignore?: ReadonlyArray<{ readonly keyword: OneOrMore<string>; readonly level?: Level }>;
  readonly codes: readonly CodeEntry[];
}
