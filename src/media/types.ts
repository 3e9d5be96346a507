/**
 * A media type the engine decodes bodies of (Prism keeps its body deserializers one file per
 * media type; so does this registry). A decoder reports problems by name; the contract's code
 * table maps each problem to a code, its level and its message.
 */
import type { Problem } from '../engine/table.js';

export interface Finding {
  problem: Problem;
  /** RFC 6901 pointer into the decoded body ("" for the body itself). */
  pointer: string;
  message: string;
}

export type TextResult = { ok: true; text: string; warnings?: Finding[] } | { ok: false; error: Finding };
export type DecodeResult = { ok: true; value: unknown; warnings?: Finding[] } | { ok: false; errors: Finding[] };

export interface MediaType {
  /** The media type, lower case, without parameters: "application/json". */
  readonly type: string;
  /**
   * True when decoding fails on any text of another media type (JSON): then the shape test of
   * the other types runs only after a failure, and a valid body costs nothing more.
   */
  readonly strictSyntax: boolean;
  /** Whether a text has the shape of this media type, to tell a body sent with another type's header. */
  claims(text: string): boolean;
  /** Bytes as text. */
  text(bytes: Uint8Array): TextResult;
  /** Text as a value. */
  decode(text: string): DecodeResult;
}
