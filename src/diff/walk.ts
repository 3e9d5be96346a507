/** What the comparison of two documents carries along: both sides' resolvers and the changes found. */
import { type Location, Resolver, type SourceDocument, describe, isObject } from './refs.js';
import { type Direction, rule, type Rule } from './rules.js';

/** The level of the schema a rule belongs to: `x-level: warning` marks a recommendation. */
export type SchemaLevel = 'error' | 'warning';

/** A change as found, before the levels and --strict decide whom it breaks. */
export interface FoundChange {
  rule: Rule;
  /** JSON pointer through the dereferenced document (the old one for something removed). */
  pointer: string;
  /** What is being compared, e.g. `POST /orders request body (application/json)`. */
  subject: string;
  /** Where inside it, e.g. `.customer.email` ('' at the top). */
  path: string;
  /** What changed, e.g. `maxItems lowered from 10 to 5`. */
  what: string;
  oldLevel: SchemaLevel;
  newLevel: SchemaLevel;
  /** The operation, e.g. `POST /orders` or `webhook orderPlaced (POST)`. */
  operation: string;
  /** The pairs of shared (referenced) schemas it lies under, outermost first: see compareSchema. */
  origin?: readonly string[];
  /** Already reported for this subject at another place: left out of the report. */
  hidden?: boolean;
}

/** Where the comparison is: logical position (for reports) and physical one on each side (for errors). */
export interface Context {
  direction: Direction;
  operation: string;
  subject: string;
  path: string;
  pointer: string;
  /** null: the value is absent on that side and compares as an empty schema. */
  oldAt: Location | null;
  newAt: Location | null;
  oldLevel: SchemaLevel;
  newLevel: SchemaLevel;
  /** Pairs of references being compared further up: met again, they are a cycle. */
  stack: readonly string[];
}

/** The changes found under a pair of referenced schemas, relative to where the pair was met. */
export interface Template {
  change: FoundChange;
  pointer: string;
  path: string;
}

export class Walk {
  readonly old: Resolver;
  readonly new: Resolver;
  readonly changes: FoundChange[] = [];
  /** Pairs of referenced schemas already compared, with what they gave: compared once, replayed after. */
  readonly memo = new Map<string, Template[]>();
  /** Pairs already reported for a subject (a request body, a response, ...): reported there once. */
  readonly met = new Set<string>();
  /** For each pair being compared for the memo, the pairs already included in its changes. */
  readonly frames: Array<Set<string>> = [];

  constructor(oldSource: SourceDocument, newSource: SourceDocument) {
    this.old = new Resolver('old', oldSource);
    this.new = new Resolver('new', newSource);
  }

  /** Records a change; `id` is a rule id, or a schema rule's name without its direction. */
  emit(id: string, ctx: Context, what: string, at: { pointer?: string; path?: string } = {}): void {
    const found = rule(id.startsWith('request-') || id.startsWith('response-') || id.startsWith('operation-') ? id : `${ctx.direction}-${id}`);
    this.changes.push({
      rule: found,
      pointer: at.pointer ?? ctx.pointer,
      subject: ctx.subject,
      path: at.path ?? ctx.path,
      what,
      oldLevel: ctx.oldLevel,
      newLevel: ctx.newLevel,
      operation: ctx.operation,
    });
  }

  /**
   * Runs a comparison aside and returns what it found, leaving the report as it was: used to ask
   * whether one schema accepts everything another does. It starts with nothing met, so that
   * changes already reported elsewhere still count; the memo of compared pairs is kept (it does
   * not depend on where a pair is met).
   */
  trial(compare: () => void): FoundChange[] {
    const start = this.changes.length;
    const met = new Set(this.met);
    const frames = this.frames.splice(0);
    this.met.clear();
    try {
      compare();
      return this.changes.splice(start);
    } finally {
      this.changes.splice(start);
      this.met.clear();
      for (const key of met) this.met.add(key);
      this.frames.splice(0, this.frames.length, ...frames);
    }
  }

  resolver(side: 'old' | 'new'): Resolver {
    return side === 'old' ? this.old : this.new;
  }

  /** An object, after following $refs; `undefined` when absent. Anything else is a DocumentError. */
  object(side: 'old' | 'new', value: unknown, at: Location | null, expected: string): { value: Record<string, unknown>; at: Location } | undefined {
    if (at === null || value === undefined) return undefined;
    const resolver = this.resolver(side);
    const resolved = resolver.resolve(value, at);
    if (!isObject(resolved.value)) throw resolver.error(resolved.at, expected, describe(resolved.value));
    return { value: resolved.value, at: resolved.at };
  }

  /** A field that must be a boolean when present. */
  boolean(side: 'old' | 'new', node: Record<string, unknown>, key: string, at: Location): boolean | undefined {
    const value = node[key];
    if (value === undefined || typeof value === 'boolean') return value;
    throw this.resolver(side).error({ url: at.url, pointer: `${at.pointer}/${key}` }, 'true or false', describe(value));
  }
}
