/**
 * Issue 6 §4, the page: hostile values in every place an event reaches on /logs (event_name,
 * event_id, the channel, warning pointers and messages, property names and values, aliases, the
 * reflected filter) are shown as text and never run, in headless Chromium. It extends
 * test/sandbox-logs.test.ts (which covers <script>, an onerror image and closing tags in the
 * body) with the rest of the usual list, and checks the whole DOM against a whitelist.
 */
import type { Browser, Page } from 'playwright-core';

import { launchChromium, skipBrowserTests } from './fixtures/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSandbox, type RunningSandbox } from '../src/default-sandbox.js';

const TOKEN = 'logs-hostile-token-0123456789';
const RUN = 'window.__pwned=1';
const PAYLOADS: Record<string, string> = {
  script: `<script>${RUN}</script>`,
  img: `"><img src=x onerror="${RUN}">`,
  quote: `' onmouseover='${RUN}' autofocus onfocus='${RUN}' x='`,
  javascript: `javascript:${RUN}`,
  textarea: `</textarea><script>${RUN}</script>`,
  title: `</title><script>${RUN}</script>`,
  style: `</style><script>${RUN}</script>`,
  comment: `<!--<script>${RUN}</script>-->`,
  meta: `<meta http-equiv="refresh" content="0;url=javascript:${RUN}">`,
  iframe: `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`,
  svg: `<svg><animate onbegin="${RUN}" attributeName="x" dur="1s"></svg>`,
  base: `<base href="javascript:${RUN}//">`,
  form: `<form action="javascript:${RUN}"><button>go</button></form>`,
  link: `<a href="javascript:${RUN}">click</a>`,
  entity: `&lt;script&gt;${RUN}&lt;/script&gt;`,
  separators: `\u2028\u2029<\u0000script>${RUN}</script>`,
};

/** Every element and attribute the page may have: anything else came from an event. */
const TAGS = new Set('html head meta title style body header h1 p form label select option button a main div ol li details summary span time ul code pre'.split(' '));
const ATTRIBUTES = new Set('lang charset name content nonce class data-testid method action value selected href data-id data-kind data-event-id data-column data-warnings role datetime open type'.split(' '));
/** Attributes that could navigate or submit somewhere, and the only values they may have. */
const FIXED: Record<string, Set<string>> = { href: new Set(['/logs', '/api/events']), action: new Set(['/logs']), method: new Set(['get']), type: new Set(['submit']) };
/** How many of each element the page's own markup has (details: one per event). */
const COUNTS = { head: 1, title: 1, style: 1, meta: 3, form: 1, select: 1, button: 1, a: 2, h1: 1, ol: 1, div: 1 };

let sandbox: RunningSandbox;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, token: TOKEN, inMemory: true });
  for (const [key, payload] of Object.entries(PAYLOADS)) {
    const body = {
      event_name: payload,
      event_id: `${key}:${payload}`,
      properties: { [payload]: payload, url: `javascript:${RUN}`, $sales_channel_type: payload },
      profile_properties: { $first_name: payload, [payload]: 1 },
      aliases: [`urn:email:${payload}`, payload],
      [payload]: 'an unknown top-level field',
    };
    const res = await fetch(sandbox.webhookUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': TOKEN },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status, `${key}: ${await res.text()}`).toBe(200);
  }
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Opens every event, waits a moment for anything that would fire, and checks the DOM. */
async function expectInert(url: string): Promise<void> {
  const response = await page.goto(url);
  expect(response?.headers()['content-security-policy']).toMatch(/^default-src 'none';/);
  await page.$$eval('details', (all) => all.forEach((d) => d.setAttribute('open', '')));
  await page.locator('body').hover();
  await page.waitForTimeout(300);
  // Still on the same page (no refresh or redirect ran); Chromium may re-encode the query.
  const now = new URL(page.url());
  expect(now.origin + now.pathname).toBe(sandbox.url + '/logs');
  expect([...now.searchParams]).toEqual([...new URL(url).searchParams]);
  expect(await page.title()).toBe('Logs · Converge server-side webhook sandbox');
  expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  const dom = await page.$$eval('*', (all) =>
    all.map((el) => ({ tag: el.tagName.toLowerCase(), attributes: [...el.attributes].map((a) => [a.name, a.value] as [string, string]) })),
  );
  for (const { tag, attributes } of dom) {
    expect(TAGS.has(tag), `element <${tag}>`).toBe(true);
    for (const [name, value] of attributes) {
      expect(ATTRIBUTES.has(name), `attribute ${name} on <${tag}>`).toBe(true);
      if (FIXED[name]) expect(FIXED[name]!.has(value), `${name}="${value}" on <${tag}>`).toBe(true);
    }
  }
  for (const [tag, n] of Object.entries(COUNTS)) expect(dom.filter((e) => e.tag === tag), tag).toHaveLength(n);
  expect(dom.filter((e) => e.tag === 'details')).toHaveLength(await page.locator('li.event').count());
}

describe.skipIf(skipBrowserTests)('hostile values on /logs, in Chromium', () => {
  it('shows every one as text, in every field, and nothing runs', async () => {
    await expectInert(`${sandbox.url}/logs`);
    const rows = page.locator('li.event');
    expect(await rows.count()).toBe(Object.keys(PAYLOADS).length);
    const names = await rows.locator('.name').allTextContents();
    const ids = await rows.locator('.event-id').allTextContents();
    const channels = await rows.locator('.channel').allTextContents();
    const payloads = Object.entries(PAYLOADS).reverse(); // newest first
    payloads.forEach(([key, payload], i) => {
      // A NUL shows as U+FFFD; everything else exactly as sent.
      const shown = payload.replace(/\u0000/g, '\ufffd');
      expect(names[i], key).toBe(shown);
      expect(ids[i], key).toBe(`${key}:${shown}`);
      expect(channels[i], key).toBe(`${payload.length > 40 ? `${shown.slice(0, 37)}...` : shown} (unknown: web)`);
    });
    // The warnings name the hostile field, alias and channel, as text.
    const warnings = (await rows.first().locator('.warning-list').textContent()) ?? '';
    expect(warnings).toContain('unknown-field');
    expect(warnings).toContain('alias-form');
    expect(warnings).toContain('sales-channel-type');
    const body = (await rows.first().locator('pre.body').textContent()) ?? '';
    expect(JSON.parse(body).properties.url).toBe(`javascript:${RUN}`);
  });

  it('shows a hostile filter value reflected from the query string as text', async () => {
    for (const payload of [PAYLOADS.script!, PAYLOADS.img!, PAYLOADS.quote!, PAYLOADS.meta!]) {
      const url = `${sandbox.url}/logs?event_name=${encodeURIComponent(payload)}`;
      await expectInert(url);
      expect(await page.locator('[data-testid=summary]').textContent()).toBe(`1 event named "${payload}" (${Object.keys(PAYLOADS).length} events stored).`);
      expect(await page.locator('select[name=event_name] option[selected]').getAttribute('value')).toBe(payload);
    }
  });

  it('answers a hostile bad filter in problem+json, which a browser does not render as a page', async () => {
    const response = await page.goto(`${sandbox.url}/logs?since=${encodeURIComponent(PAYLOADS.script!)}`);
    expect(response?.status()).toBe(400);
    expect(response?.headers()['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');
    expect(await page.locator('script, img, svg').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const events = await page.goto(`${sandbox.url}/api/events`);
    expect(events?.headers()['content-type']).toBe('application/json; charset=utf-8');
    expect(events?.headers()['x-content-type-options']).toBe('nosniff');
    expect(await page.locator('script, img, svg').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });
});
