/** How a verify result is shown: text for people, JUnit XML for CI. */
import { GROUP_LABELS, type CheckGroup, type TokenUse } from './plan.js';
import type { CheckResult, VerifyResult } from './verify.js';

/** Failed checks shown in full per group; the rest get one line each. */
const FULL_FAILURES_PER_GROUP = 5;

const TOKEN_TEXT: Record<TokenUse, string> = {
  valid: 'X-Webhook-Token: (the token)',
  missing: 'no X-Webhook-Token header',
  empty: 'X-Webhook-Token: (empty)',
  'wrong-last-character': 'X-Webhook-Token: (wrong: last character changed)',
  'wrong-extra-character': 'X-Webhook-Token: (wrong: one character appended)',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line per group: what passed, failed and was skipped. */
export function groupLine(group: CheckGroup, checks: readonly CheckResult[]): string {
  const mine = checks.filter((c) => c.group === group);
  const count = (status: CheckResult['status']) => mine.filter((c) => c.status === status).length;
  const parts = [];
  if (count('passed') > 0 || mine.length === 0) parts.push(`${count('passed')} passed`);
  if (count('failed') > 0) parts.push(`${count('failed')} FAILED`);
  if (count('skipped') > 0) parts.push(`${count('skipped')} skipped`);
  return `  ${GROUP_LABELS[group].padEnd(26)} ${String(mine.length).padStart(4)}  ${parts.join(', ')}`;
}

export function sentText(check: CheckResult): string {
  const s = check.sent;
  return `${s.method} ${s.path}, ${TOKEN_TEXT[s.token]}, ${s.contentType}, ${plural(s.bytes, 'byte')}`;
}

export function gotText(check: CheckResult): string {
  if (!check.got) return 'no answer';
  const { status, contentType, excerpt } = check.got;
  return [String(status), contentType, excerpt || '(no body)'].filter(Boolean).join('  ');
}

/** The failure as a block: what was sent, what was expected, what came back, why it fails. */
export function failureDetail(check: CheckResult, indent = '    '): string {
  const lines = [
    `${indent}sent      ${sentText(check)}`,
    ...(check.sent.excerpt ? [`${indent}          ${check.sent.excerpt}`] : []),
    `${indent}expected  ${check.expected}${check.rule ? `; the body breaks the rule ${check.rule}` : ''}`,
    `${indent}got       ${gotText(check)}`,
    `${indent}why       ${check.reason ?? 'unknown'}`,
  ];
  return lines.join('\n');
}

/** The report printed at the end of a text run (standard output). */
export function formatText(result: VerifyResult): string {
  const out: string[] = [];
  if (result.error && result.checks.length === 0) return `verify could not run against ${result.endpoint}: ${result.error}`;
  const failed = result.checks.filter((c) => c.status === 'failed');
  if (failed.length > 0) {
    out.push(`Failed checks (${failed.length}):`, '');
    const groups = [...new Set(failed.map((c) => c.group))];
    for (const group of groups) {
      const mine = failed.filter((c) => c.group === group);
      mine.forEach((check, i) => {
        if (i < FULL_FAILURES_PER_GROUP) {
          out.push(`FAIL  ${check.id}: ${check.summary}`, failureDetail(check), '');
        } else {
          out.push(`FAIL  ${check.id}: ${check.summary}  (expected ${check.expected.split(/[;,(]/)[0]?.trim()}, got ${check.got?.status ?? 'no answer'})`);
        }
      });
      if (mine.length > FULL_FAILURES_PER_GROUP) out.push('');
    }
  }
  const skipped = result.checks.filter((c) => c.status === 'skipped');
  if (skipped.length > 0) {
    out.push(`Skipped (${skipped.length}):`);
    const byReason = new Map<string, string[]>();
    for (const c of skipped) byReason.set(c.reason ?? '', [...(byReason.get(c.reason ?? '') ?? []), c.id]);
    for (const [reason, ids] of byReason) out.push(`  ${ids.join(', ')}: ${reason}`);
    out.push('');
  }
  const notes = new Map<string, number>();
  for (const c of result.checks) for (const note of c.notes) notes.set(note, (notes.get(note) ?? 0) + 1);
  if (notes.size > 0) {
    out.push('Tolerated (not failures: the contract does not require more):');
    for (const [note, n] of notes) out.push(`  ${plural(n, 'check')}: ${note}`);
    out.push('');
  }
  if (result.error) out.push(`Run error: ${result.error}`, '');
  const seconds = (result.durationMs / 1000).toFixed(1);
  out.push(
    `${result.endpoint} ${result.ok ? 'honours the contract' : 'does NOT honour the contract'}: ${plural(result.counts.total, 'check')} in ${seconds} s (Dredd ${result.dreddVersion}, seed ${result.seed}).`,
    `${result.counts.passed} passed, ${result.counts.failed} failed`,
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

/** JUnit XML: one testsuite per group, one testcase per check; failures carry what was sent, expected and got. */
export function toJUnit(result: VerifyResult): string {
  const suites: string[] = [];
  const groups = [...new Set(result.checks.map((c) => c.group))];
  for (const group of groups) {
    const checks = result.checks.filter((c) => c.group === group);
    const failures = checks.filter((c) => c.status === 'failed').length;
    const skipped = checks.filter((c) => c.status === 'skipped').length;
    const time = checks.reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
    const cases = checks.map((c) => {
      const open = `    <testcase classname="${xml(`converge-webhook verify.${GROUP_LABELS[group]}`)}" name="${xml(`${c.id}: ${c.summary}`)}" time="${seconds(c.durationMs)}"`;
      if (c.status === 'passed') return `${open}/>`;
      if (c.status === 'skipped') return `${open}>\n      <skipped message="${xml(c.reason ?? '')}"/>\n    </testcase>`;
      return `${open}>\n      <failure message="${xml(c.reason ?? 'failed')}" type="contract">${xml(failureDetail(c, ''))}</failure>\n    </testcase>`;
    });
    suites.push(
      `  <testsuite name="${xml(GROUP_LABELS[group])}" tests="${checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  if (result.error) {
    suites.push(
      `  <testsuite name="run" tests="1" failures="0" errors="1" skipped="0" time="0.000">\n    <testcase classname="converge-webhook verify.run" name="run against ${xml(result.endpoint)}" time="0.000">\n      <error message="${xml(result.error)}"/>\n    </testcase>\n  </testsuite>`,
    );
  }
  const errors = result.error ? 1 : 0;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="converge-webhook verify" tests="${result.counts.total + errors}" failures="${result.counts.failed}" errors="${errors}" skipped="${result.counts.skipped}" time="${seconds(result.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
