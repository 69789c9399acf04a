/**
 * /docs on a closed network: the real app on a loopback Node server, Chromium (test/helpers/browser.ts) with every
 * request outside loopback refused by the browser itself. The Scalar reference must still render the operations
 * from /openapi.json, because its script comes from the gateway; and the page must not even try another host.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pagesOnLoopback } from '../helpers/browser.js';
import { testGateway } from '../helpers/gateway.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let pages: Awaited<ReturnType<typeof pagesOnLoopback>> | undefined;

beforeAll(async () => {
  gw = await testGateway();
  pages = await pagesOnLoopback(gw.app.fetch);
}, 120_000);

afterAll(async () => {
  await pages?.close();
  await gw?.close();
});

it('/docs renders the operation list with the network closed to everything but loopback', async () => {
  const context = await pages!.browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const outside: string[] = [];
  const loaded: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') {
      loaded.push(u.pathname);
      return route.continue();
    }
    outside.push(u.href);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    const res = await page.goto(`${pages!.base}/docs`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    // The operations, by the summaries /openapi.json gives them, court-facing first.
    await expect.poll(() => page.getByText('Push signed documents (送达) and receive a signed receipt').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const body = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
    expect(body).toContain('Deliveries 送达');
    expect(body).toContain('Notifications 通知');
    expect(loaded.some((p) => /^\/docs\/scalar\.[0-9a-f]{16}\.js$/.test(p))).toBe(true);
    expect(loaded).toContain('/openapi.json');
    expect(outside).toEqual([]);
    expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
}, 90_000);
