/**
 * Orders two JSON Schema patterns by the strings they accept, with refa (regular expressions as
 * finite automata): whether every string one accepts the other accepts too. A JSON Schema
 * pattern is an ECMAScript regular expression with the `u` flag that matches anywhere in the
 * string unless anchored, so each is read as `[\s\S]*(?:pattern)[\s\S]*` over the whole string.
 * What refa cannot turn into an automaton (lookarounds it cannot resolve, backreferences, an
 * automaton over the size limit, a pattern that does not parse) is `unknown`: the caller then
 * says the pattern changed both ways, as before.
 */
import { CombinedTransformer, DFA, isDisjointWith, JS, NFA, Transformers, transform } from 'refa';

export type PatternOrder = 'same' | 'wider' | 'narrower' | 'unknown';

/** Above this many automaton states a pattern is not ordered (the cost grows with the states). */
const MAX_STATES = 20_000;

const languages = new Map<string, DFA | null>();
const orders = new Map<string, PatternOrder>();

// Resolves the anchors: at the edge of the whole string `^` and `$` always hold, and inside it a
// `[\s\S]*` beside them can only match the empty string.
const resolveAssertions = new CombinedTransformer([
  Transformers.inline(),
  Transformers.removeDeadBranches(),
  Transformers.applyAssertions(),
  Transformers.patternEdgeAssertions({ inline: true, remove: true }),
  Transformers.removeUnnecessaryAssertions(),
]);

/** The strings a pattern accepts, as a DFA; null when refa cannot build one. */
function language(pattern: string): DFA | null {
  if (languages.has(pattern)) return languages.get(pattern)!;
  let result: DFA | null = null;
  try {
    // The pattern must parse alone first, so that wrapping it cannot change its groups.
    JS.Parser.fromLiteral({ source: pattern, flags: 'u' });
    const parser = JS.Parser.fromLiteral({ source: `[\\s\\S]*(?:${pattern})[\\s\\S]*`, flags: 'u' });
    const { expression, maxCharacter } = parser.parse({ backreferences: 'throw', assertions: 'parse' });
    const nfa = NFA.fromRegex(transform(resolveAssertions, expression), { maxCharacter }, { assertions: 'throw' }, new NFA.LimitedNodeFactory(MAX_STATES));
    result = DFA.fromFA(nfa, new DFA.LimitedNodeFactory(MAX_STATES));
  } catch {
    result = null; // Not a regular language refa can build (or not a pattern at all): not ordered.
  }
  languages.set(pattern, result);
  return result;
}

/** Whether every string `a` accepts, `b` accepts. */
function within(a: DFA, b: DFA): boolean {
  const outside = b.copy(new DFA.LimitedNodeFactory(MAX_STATES));
  outside.complement(new DFA.LimitedNodeFactory(MAX_STATES));
  return isDisjointWith(a, outside);
}

/** How `after` compares with `before`: the same strings, more (wider), fewer (narrower), or neither/unknown. */
export function comparePatterns(before: string, after: string): PatternOrder {
  const key = JSON.stringify([before, after]);
  const known = orders.get(key);
  if (known) return known;
  let order: PatternOrder = 'unknown';
  const [a, b] = [language(before), language(after)];
  if (a && b) {
    try {
      const wider = within(a, b);
      const narrower = within(b, a);
      order = wider && narrower ? 'same' : wider ? 'wider' : narrower ? 'narrower' : 'unknown';
    } catch {
      order = 'unknown'; // The complement grew past the limit.
    }
  }
  orders.set(key, order);
  return order;
}
