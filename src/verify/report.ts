/**
 * How a verify result is shown: text for people, JUnit XML for CI. Both group by rule, so that
 * a receiver with six mistakes reads as six things to fix, not as hundreds of failed checks.
 */
import { brokenRule } from './judge.js';
import { GROUP_LABELS, type CheckGroup } from './plan.js';
import type { CheckResult, RuleReport, VerifyResult } from './verify.js';

/** Checks listed under a block's example, each with its reason; the rest are counted. */
const LISTED_PER_BLOCK = 3;
/** Not-sent checks named one by one when a group has this many or fewer. */
const NAMED_NOT_SENT = 3;

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** One line per group, as the run goes: what passed (with deviations), failed and was not sent. */
export function groupLine(group: CheckGroup, checks: readonly CheckResult[]): string {
  const mine = checks.filter((c) => c.group === group);
  const count = (level: CheckResult['level']) => mine.filter((c) => c.level === level).length;
  const passed = count('passed') + count('deviation');
  const parts = [];
  if (passed > 0 || mine.length === 0) parts.push(`${passed} passed${count('deviation') > 0 ? ` (${count('deviation')} with deviations)` : ''}`);
  if (count('failed') > 0) parts.push(`${count('failed')} FAILED`);
  if (count('skipped') > 0) parts.push(`${count('skipped')} not sent`);
  return `  ${GROUP_LABELS[group].padEnd(26)} ${String(mine.length).padStart(4)}  ${parts.join(', ')}`;
}

export function sentText(check: CheckResult): string {
  const s = check.sent;
  return `${s.method} ${s.path}, ${s.auth ?? '(no credentials)'}, ${s.contentType}, ${plural(s.bytes, 'byte')}`;
}

export function gotText(check: CheckResult): string {
  if (!check.got) return 'no answer';
  const { status, contentType, excerpt } = check.got;
  return [String(status), contentType, excerpt || '(no body)'].filter(Boolean).join('  ');
}

/** One check in full: what was sent, what was expected, what came back, and why it is reported. */
export function checkDetail(check: CheckResult, indent = '    ', why = check.reason): string {
  const lines = [
    `${indent}sent      ${sentText(check)}`,
    ...(check.sent.excerpt ? [`${indent}          ${check.sent.excerpt}`] : []),
    ...(check.breaksAt && check.sent.valueAt !== undefined ? [`${indent}          ${check.breaksAt}: ${check.sent.valueAt}`] : []),
    `${indent}expected  ${check.expected}${check.breaks ? `; the body breaks the rule ${brokenRule(check)}` : ''}`,
    `${indent}got       ${gotText(check)}`,
    `${indent}why       ${why ?? 'unknown'}`,
  ];
  return lines.join('\n');
}

/** The reason a check has in a block (a check can be in several blocks, once per finding). */
function reasonIn(check: CheckResult, block: RuleReport): string {
  return check.findings.find((f) => f.rule === block.rule && f.topic === block.topic)?.reason ?? check.reason ?? '';
}

const label = (block: RuleReport, n: number) => `${block.level === 'failure' ? 'FAIL' : 'DEVIATION'} ${n}. ${block.topic} (${plural(block.count, 'check')})`;

function blockText(block: RuleReport, n: number, byId: Map<string, CheckResult>): string[] {
  const example = byId.get(block.checks[0]!)!;
  const out = [label(block, n), `    rule      ${block.title}`, `    example   ${example.id}: ${example.summary}`, checkDetail(example, '    ', reasonIn(example, block))];
  const rest = block.checks.slice(1);
  rest.slice(0, LISTED_PER_BLOCK).forEach((id, i) => {
    const check = byId.get(id)!;
    out.push(`    ${i === 0 ? 'also' : '    '}      ${check.id}: ${check.summary}: ${reasonIn(check, block)}`);
  });
  if (rest.length > LISTED_PER_BLOCK) out.push(`              ... and ${rest.length - LISTED_PER_BLOCK} more (--json lists every check)`);
  out.push('');
  return out;
}

/**
 * The report printed at the end of a text run (standard output): each broken rule and each
 * recommendation not followed as a block (an example in full, the reason on every line), the
 * checks not sent per group, then the list of things to fix and the verdict, last, where a
 * terminal leaves them in view.
 */
export function formatText(result: VerifyResult): string {
  if (result.error && result.checks.length === 0) return `verify could not run against ${result.endpoint}: ${result.error}`;
  const out: string[] = [];
  const byId = new Map(result.checks.map((c) => [c.id, c]));
  const sent = result.counts.total - result.counts.skipped;
  const failures = result.rules.filter((b) => b.level === 'failure');
  const deviations = result.rules.filter((b) => b.level === 'deviation');
  const failuresHead = `${plural(failures.length, 'rule')} broken in ${plural(sent, 'check')} (${result.counts.failed} failed):`;
  const inChecks = new Set(deviations.flatMap((b) => b.checks)).size;
  const deviationsHead = `${plural(deviations.length, 'recommendation')} not followed in ${plural(inChecks, 'check')} (deviations: ${result.strict ? 'failures under --strict' : 'not failures; --strict makes them fail'}):`;

  failures.forEach((block, i) => out.push(...blockText(block, i + 1, byId)));
  deviations.forEach((block, i) => out.push(...blockText(block, i + 1, byId)));
  if (result.notSent.length > 0) {
    out.push(`Not sent (${plural(result.counts.skipped, 'check')}):`);
    for (const entry of result.notSent) {
      const named = entry.count < entry.of && entry.count <= NAMED_NOT_SENT ? ` (${entry.checks.join(', ')})` : '';
      out.push(`  ${GROUP_LABELS[entry.group].padEnd(26)} ${entry.count} of ${entry.of}${named}: ${entry.reason}`);
    }
    out.push('');
  }
  if (result.error) out.push(`Run error: ${result.error}`, '');
  // The things to fix, one line each under the rule they belong to.
  const list = (blocks: RuleReport[]) => blocks.flatMap((b, i) => [...(i === 0 || blocks[i - 1]!.rule !== b.rule ? [`  ${b.title}:`] : []), `    ${label(b, i + 1)}`]);
  if (failures.length > 0) out.push(failuresHead, ...list(failures), '');
  if (deviations.length > 0) out.push(deviationsHead, ...list(deviations), '');

  // A delivery sent twice with the same id: what the receiver answered each time, since two passes say little on their own.
  const replay = result.checks.filter((c) => c.group === 'replay');
  if (replay.length === 2 && replay.every((c) => c.got)) {
    out.push(`Replayed delivery (${replay[1]!.summary.split(':')[0]}):`, ...replay.map((c, i) => `  ${i === 0 ? 'first' : 'again'}  ${gotText(c)}`), '');
  }
  // The operations went to URLs of their own: each is named, and the verdict is the receiver's at all of them.
  const urls = Object.entries(result.endpoints ?? {});
  const several = new Set(urls.map(([, url]) => url)).size > 1;
  if (several) {
    const width = Math.max(...urls.map(([id]) => id.length));
    out.push('Sent to:', ...urls.map(([id, url]) => `  ${id.padEnd(width)}  ${url}`), '');
  }
  const seconds = (result.durationMs / 1000).toFixed(1);
  const verdict =
    result.counts.failed > 0 || result.error
      ? 'does NOT honour the contract'
      : result.strict && result.counts.deviations > 0
        ? 'honours the contract but not all its recommendations (--strict)'
        : result.counts.deviations > 0
          ? `honours the contract (${plural(deviations.length, 'recommendation')} not followed)`
          : 'honours the contract';
  const { passed, deviations: withDeviations, failed, skipped } = result.counts;
  out.push(
    `${several ? `The receiver at these ${urls.length} URLs` : result.endpoint} ${verdict}: ${plural(result.counts.total, 'check')} in ${seconds} s (Dredd ${result.dreddVersion}, seed ${result.seed}${result.strict ? ', --strict' : ''}).`,
    `${passed + withDeviations} passed${withDeviations > 0 ? ` (${withDeviations} with deviations)` : ''}, ${failed} failed${skipped > 0 ? `, ${skipped} not sent` : ''}`,
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// JUnit XML

function xml(text: string): string {
  return text
    // Characters XML 1.0 cannot carry at all.
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/** Every finding of a check, one per line. */
function findingLines(check: CheckResult): string {
  return check.findings.map((f) => `${f.level === 'failure' ? 'FAILURE' : 'DEVIATION'} [${f.rule}] ${f.reason}`).join('\n');
}

/**
 * JUnit XML: one testsuite per group, one testcase per check. A failure is a <failure
 * type="contract">; a deviation is a passing testcase whose <system-out> starts with
 * "DEVIATION" (CI pages show it as the test's output), and under --strict a <failure
 * type="recommendation">; a check not sent is <skipped>. Each testsuite counts its
 * deviations in a property.
 */
export function toJUnit(result: VerifyResult): string {
  const suites: string[] = [];
  const failing = (c: CheckResult) => c.level === 'failed' || (result.strict && c.level === 'deviation');
  const groups = [...new Set(result.checks.map((c) => c.group))];
  for (const group of groups) {
    const checks = result.checks.filter((c) => c.group === group);
    const failures = checks.filter(failing).length;
    const skipped = checks.filter((c) => c.level === 'skipped').length;
    const deviations = checks.filter((c) => c.level === 'deviation').length;
    const time = checks.reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
    const cases = checks.map((c) => {
      const open = `    <testcase classname="${xml(`converge-webhook verify.${GROUP_LABELS[group]}`)}" name="${xml(`${c.id}: ${c.summary}`)}" time="${seconds(c.durationMs)}"`;
      const detail = `${checkDetail(c, '')}\n${findingLines(c)}`;
      switch (c.level) {
        case 'passed':
          return `${open}/>`;
        case 'skipped':
          return `${open}>\n      <skipped message="${xml(c.reason ?? '')}"/>\n    </testcase>`;
        case 'failed':
          return `${open}>\n      <failure message="${xml(c.reason ?? 'failed')}" type="contract">${xml(detail)}</failure>\n    </testcase>`;
        case 'deviation':
          return result.strict
            ? `${open}>\n      <failure message="${xml(`deviation: ${c.reason ?? ''}`)}" type="recommendation">${xml(detail)}</failure>\n    </testcase>`
            : `${open}>\n      <system-out>${xml(`DEVIATION (a recommendation not followed; not a failure without --strict)\n${detail}`)}</system-out>\n    </testcase>`;
      }
    });
    suites.push(
      `  <testsuite name="${xml(GROUP_LABELS[group])}" tests="${checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}">\n` +
        `    <properties>\n      <property name="deviations" value="${deviations}"/>\n    </properties>\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  if (result.error) {
    suites.push(
      `  <testsuite name="run" tests="1" failures="0" errors="1" skipped="0" time="0.000">\n    <testcase classname="converge-webhook verify.run" name="run against ${xml(result.endpoint)}" time="0.000">\n      <error message="${xml(result.error)}"/>\n    </testcase>\n  </testsuite>`,
    );
  }
  const errors = result.error ? 1 : 0;
  const failures = result.checks.filter(failing).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="converge-webhook verify" tests="${result.counts.total + errors}" failures="${failures}" errors="${errors}" skipped="${result.counts.skipped}" time="${seconds(result.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
