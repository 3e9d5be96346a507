/**
 * GET /logs in a real browser (Debian's Chromium through playwright-core): what a person
 * sees, and that hostile event values show as text and never run.
 */
import type { Browser, Page } from 'playwright-core';

import { launchChromium, skipBrowserTests } from './fixtures/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSandbox, type RunningSandbox } from '../src/default-sandbox.js';
import { readExample } from './helpers.js';

const TOKEN = 'logs-test-token-0123456789';
const SCRIPT = '<script>window.__pwned=1</script>';
const IMG = '"><img src=x onerror="window.__pwned=1">';
const CLOSE_TAGS = '</pre></details></li></ol><svg onload="window.__pwned=1">';

let sandbox: RunningSandbox;
let browser: Browser;
let page: Page;

async function send(body: unknown): Promise<void> {
  const res = await fetch(sandbox.webhookUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': TOKEN },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  expect(res.status, await res.text()).toBe(200);
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, token: TOKEN, inMemory: true });
  // Oldest first: the page must show them the other way round.
  await send({ event_name: 'Signed Up', event_id: 'custom-1', properties: { plan: 'pro' }, profile_properties: {}, aliases: ['urn:user_id:42'] });
  await send(readExample('valid/placed-order.json'));
  await send(readExample('valid/warning-multiple.json'));
  await send({
    event_name: `${SCRIPT} Evil`,
    event_id: IMG,
    properties: { note: SCRIPT, html: IMG, closing: CLOSE_TAGS, $sales_channel_type: `${SCRIPT}` },
    profile_properties: { $first_name: IMG },
    aliases: [`urn:email:${IMG}`],
  });
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Each test opens the page itself: none relies on where an earlier one left the browser. */
async function openLogs(query = ''): Promise<void> {
  await page.goto(`${sandbox.url}/logs${query}`);
  await expect.poll(() => page.locator('li.event').count()).toBeGreaterThan(0);
}

describe.skipIf(skipBrowserTests)('the /logs page', () => {
  it('is served as HTML with a Content-Security-Policy that allows no script', async () => {
    const res = await fetch(`${sandbox.url}/logs`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toContain(TOKEN);
    expect(html).not.toContain('<script');
  });

  it('lists the events newest first, with name, event id, channel, time and warnings', async () => {
    await openLogs();
    const rows = page.locator('li.event');
    await expect.poll(() => rows.count()).toBe(4);
    const names = await rows.locator('.name').allTextContents();
    expect(names).toEqual([`${SCRIPT} Evil`, 'Placed Order', 'Placed Order', 'Signed Up']);
    const ids = await rows.locator('.event-id').allTextContents();
    expect(ids[0]).toBe(IMG);
    expect(ids[3]).toBe('custom-1');
    const channels = await rows.locator('.channel').allTextContents();
    expect(channels[3]).toBe('web (default)');
    expect(channels[0]).toBe(`${SCRIPT} (unknown: web)`);
    const placedOrderChannel = (JSON.parse(readExample('valid/placed-order.json')) as { properties: { $sales_channel_type?: string } }).properties.$sales_channel_type;
    expect(channels[2]).toBe(placedOrderChannel ?? 'web (default)');
    const warnings = await rows.locator('.warnings').allTextContents();
    expect(warnings[1]).toBe('4 warnings: unknown-field, property-type, country-code, alias-form');
    expect(warnings[3]).toBe('no warnings');
    const times = await rows.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
    expect([...times].sort().reverse()).toEqual(times);
    expect(await page.locator('[data-testid=summary]').textContent()).toBe('4 events (4 events stored).');
  });

  it('shows the full, pretty-printed body only after a click', async () => {
    await openLogs();
    const row = page.locator('li.event').nth(3);
    const body = row.locator('pre.body');
    await expect.poll(() => body.isVisible()).toBe(false);
    await row.locator('summary').click();
    await expect.poll(() => body.isVisible()).toBe(true);
    const text = (await body.textContent()) ?? '';
    expect(JSON.parse(text)).toEqual({ event_name: 'Signed Up', event_id: 'custom-1', properties: { plan: 'pro' }, profile_properties: {}, aliases: ['urn:user_id:42'] });
    expect(text).toContain('\n  "properties": {\n    "plan": "pro"\n  },');
  });

  it('lists each warning with its pointer and message when opened', async () => {
    await openLogs();
    const row = page.locator('li.event').nth(1);
    await row.locator('summary').click();
    const items = await row.locator('.warning-list li').allTextContents();
    expect(items).toHaveLength(4);
    expect(items[0]).toMatch(/^unknown-field \/user_id expected only/);
  });

  it('shows hostile values as text, and no script runs', async () => {
    await openLogs();
    const row = page.locator('li.event').first();
    await row.locator('summary').click();
    const body = (await row.locator('pre.body').textContent()) ?? '';
    expect(JSON.parse(body).properties).toEqual({ note: SCRIPT, html: IMG, closing: CLOSE_TAGS, $sales_channel_type: SCRIPT });
    expect(await row.getAttribute('data-event-id')).toBe(IMG);
    // Nothing the events carried became markup: no script, image or svg element, no handler ran.
    expect(await page.locator('script, img, svg, iframe').count()).toBe(0);
    expect(await page.locator('li.event').count()).toBe(4);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('filters by event name through the query string and the form', async () => {
    await openLogs('?event_name=Placed%20Order');
    expect(await page.locator('li.event .name').allTextContents()).toEqual(['Placed Order', 'Placed Order']);
    expect(await page.locator('[data-testid=summary]').textContent()).toBe('2 events named "Placed Order" (4 events stored).');
    await page.selectOption('select[name=event_name]', 'Signed Up');
    await Promise.all([page.waitForURL(/event_name=Signed\+Up/), page.click('button[type=submit]')]);
    expect(await page.locator('li.event .event-id').allTextContents()).toEqual(['custom-1']);
    const options = await page.locator('select[name=event_name] option').allTextContents();
    expect(options).toContain(`${SCRIPT} Evil`);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('says how to send an event when the store is empty', async () => {
    const empty = await startSandbox({ port: 0, token: TOKEN, inMemory: true });
    try {
      await page.goto(`${empty.url}/logs`);
      expect(await page.locator('li.event').count()).toBe(0);
      const hint = (await page.locator('.hint').textContent()) ?? '';
      expect(hint).toContain(`${empty.url}/api/webhooks`);
      expect(hint).not.toContain(TOKEN);
      // The header-token auth's hint: which header, and the token as printed after start-up.
      expect(hint).toBe(`Send to POST ${empty.url}/api/webhooks with the header X-Webhook-Token (the token printed when the sandbox started, logs****), then reload.`);
      expect(await page.locator('[data-testid=summary]').textContent()).toBe('Nothing received yet.');
    } finally {
      await empty.stop();
    }
  });

  it('shows a channel that is null or not a string as unknown (web), apart from the known ones', async () => {
    const own = await startSandbox({ port: 0, token: TOKEN, inMemory: true });
    try {
      for (const [id, channel] of [['null', null], ['number', 7], ['known', 'pos']] as const) {
        const res = await fetch(own.webhookUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Webhook-Token': TOKEN },
          body: JSON.stringify({ event_name: 'Signed Up', event_id: id, properties: { $sales_channel_type: channel }, profile_properties: {}, aliases: ['urn:user_id:1'] }),
          signal: AbortSignal.timeout(5000),
        });
        expect(res.status, await res.text()).toBe(200);
      }
      await page.goto(`${own.url}/logs`);
      const channels = page.locator('li.event .channel');
      expect(await channels.allTextContents()).toEqual(['pos', '7 (unknown: web)', 'null (unknown: web)']);
      expect(await channels.evaluateAll((els) => els.map((e) => e.classList.contains('fallback')))).toEqual([false, true, true]);
      expect(await page.locator('li.event').evaluateAll((els) => els.map((e) => e.getAttribute('data-event-id')))).toEqual(['known', 'number', 'null']);
      expect(await page.locator('select[name=event_name] option').allTextContents()).toEqual(['All', 'Signed Up']);
    } finally {
      await own.stop();
    }
  });
});
