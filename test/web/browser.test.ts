/**
 * The pages in a real browser: Chromium from npm (@sparticuz/chromium, or CHROME_PATH; test/helpers/browser.ts)
 * driven by playwright-core against the
 * real app on a real Node server on loopback. A justice bureau clerk signs in, designates the lead of a joint
 * act through the queue form, reads the board before and after the deadlines pass, reads a case's timeline;
 * a unit signs in and sees only its own items. Screenshots go to a folder under the system temp dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pagesOnLoopback } from '../helpers/browser.js';
import { sweep } from '../../src/jobs/sweep.js';
import { CASES, LATER, webWorld, type WebWorld } from './world.js';

let w: WebWorld;
let pages: Awaited<ReturnType<typeof pagesOnLoopback>> | undefined;
let base: string;
let browser: Browser;
/** A clerk's browser: Chinese locale, Beijing time, a laptop screen. */
const CLERK_BROWSER = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } };
const shots = mkdtempSync(join(tmpdir(), 'fuyuan-web-screenshots-'));
const taken: string[] = [];

async function shot(page: Page, name: string) {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(5_000);
  taken.push(path);
  console.log(`screenshot: ${path}`);
}

async function signIn(page: Page, who: { clientId: string; clientSecret: string }, person = '') {
  await expect.poll(() => new URL(page.url()).pathname).toBe('/web/login');
  await page.fill('#client_id', who.clientId);
  await page.fill('#client_secret', who.clientSecret);
  if (person) await page.fill('#person', person);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/web/login'), page.click('button[type=submit]')]);
}

/** The visible text of a locator, whitespace collapsed. */
const text = async (page: Page, selector: string) => ((await page.locator(selector).innerText()) ?? '').replace(/\s+/g, ' ');
const caseRows = (page: Page, table: string) =>
  page.locator(`[data-testid="${table}"] tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case') ?? ''));

beforeAll(async () => {
  // The assertions read the DOM; a screenshot shows Chinese only where the machine has a CJK font.
  w = await webWorld();
  pages = await pagesOnLoopback(w.gw.app.fetch);
  ({ base, browser } = pages);
});

afterAll(async () => {
  await pages?.close();
  await w?.gw.close();
  if (taken.length) console.log(`screenshots in ${shots}:\n${taken.join('\n')}`);
});

/** A browser context of its own for one describe block (no cookies shared with another role), opened and closed with it. */
function freshPage(use: (page: Page) => void) {
  let ctx: BrowserContext | undefined;
  beforeAll(async () => {
    ctx = await browser.newContext(CLERK_BROWSER);
    use(await ctx.newPage());
  });
  afterAll(async () => ctx?.close());
}

describe('a justice bureau clerk', () => {
  let page: Page;
  freshPage((p) => (page = p));

  it('is sent to sign-in, signs in with the API credentials, and lands on the queue', async () => {
    await page.goto(`${base}/web/queue`);
    expect(new URL(page.url()).pathname).toBe('/web/login');
    await shot(page, '01-login');
    await signIn(page, w.who.bureau, '王某');
    expect(new URL(page.url()).pathname).toBe('/web/queue');
    expect(await text(page, '[data-testid=who]')).toContain('柯城区司法局 · 王某');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'fuyuan_web')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/web' });
  });

  it('sees the joint act in the queue with both units, and designates the lead with a reason through the form', async () => {
    const item = page.locator(`article[data-case="${CASES.joint}"]`);
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.getAttribute('data-reason')).toBe('designate_lead');
    const t = (await item.innerText()).replace(/\s+/g, ' ');
    expect(t).toContain('共同行为，需指定主办单位');
    expect(t).toContain('衢州市自然资源和规划局柯城分局');
    expect(t).toContain('衢州市柯城区综合行政执法局');
    expect(t).toMatch(/B 第三条\(二\)/);
    // Only Kecheng's queue: nothing of Qujiang, nothing already assigned.
    expect(await page.locator('article[data-queue-item]').count()).toBe(1);
    await shot(page, '02-queue');

    await item.locator('[data-unit="kc-zrzy"] input[name=lead]').check();
    await item.locator('textarea[name=reason]').fill('土地执法以自然资源分局为主');
    await Promise.all([page.waitForURL((u) => u.searchParams.has('assigned')), item.locator('button[type=submit]').click()]);
    const flash = await text(page, '[data-testid=flash]');
    expect(flash).toContain(CASES.joint);
    expect(flash).toContain('主办 衢州市自然资源和规划局柯城分局');
    expect(flash).toContain('协办 衢州市柯城区综合行政执法局');
    expect(await page.locator('[data-testid=queue-empty]').isVisible()).toBe(true);
    expect(await caseRows(page, 'recent')).toEqual([CASES.joint]);
    await shot(page, '03-queue-assigned');
  });

  it('reads the case: the lead, the deadline, and the timeline in order with the reason', async () => {
    await Promise.all([page.waitForURL(/\/web\/cases\//), page.click(`[data-testid=flash] a`)]);
    expect(await text(page, 'h1')).toContain(CASES.joint);
    const roles = await page
      .locator('[data-testid=assignments] tbody tr')
      .evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-unit')}:${r.getAttribute('data-role')}`));
    expect(roles).toEqual(['kc-zrzy:lead', 'kc-zhzf:cooperating']);
    expect(await text(page, '[data-testid=case-obligations]')).toContain('2026-12-08');
    const entries = await page
      .locator('[data-testid=timeline] li')
      .evaluateAll((lis) => lis.map((li) => ({ kind: li.getAttribute('data-kind'), at: li.getAttribute('data-at') ?? '' })));
    expect(entries.map((e) => e.at)).toEqual(entries.map((e) => e.at).sort());
    expect(entries[0]!.kind).toBe('document');
    // The answer deadline, and the queue item's routing window (分办时限), met by the assignment in the same write.
    expect(entries.map((e) => e.kind)).toEqual(['document', 'obligation', 'obligation', 'obligation_closed', 'assignment', 'assignment']);
    const timeline = await text(page, '[data-testid=timeline]');
    expect(timeline).toContain('2026-11-23 10:00');
    expect(timeline).toContain('理由：土地执法以自然资源分局为主');
    expect(timeline).toContain('柯城区司法局');
    await shot(page, '04-case-timeline');
  });

  it('sees on the board the answers due this week (2026-11-24) of both Kecheng units', async () => {
    await page.goto(`${base}/web/board`);
    expect((await caseRows(page, 'this-week')).sort()).toEqual([CASES.old1, CASES.old2]);
    expect(await page.locator('[data-testid=overdue-empty]').isVisible()).toBe(true);
    expect(await text(page, '[data-testid=this-week]')).toContain('提交答辩状、证据和依据');
  });

  it('two weeks later: the session has expired (back to sign-in); the board shows the overdue answers, the remediation items and the answers due this week', async () => {
    w.clock.set(LATER);
    await sweep(w.gw.deps, w.clock.now());
    await page.goto(`${base}/web/board`);
    expect(new URL(page.url()).pathname).toBe('/web/login');
    expect(await page.locator('[data-testid=expired]').isVisible()).toBe(true);
    await signIn(page, w.who.bureau, '王某');
    expect(new URL(page.url()).pathname).toBe('/web/board');
    expect((await caseRows(page, 'overdue')).sort()).toEqual([CASES.old1, CASES.old2]);
    expect(await text(page, '[data-testid=overdue]')).toContain('已逾期');
    expect((await caseRows(page, 'remediation')).sort()).toEqual([CASES.old1, CASES.old2]);
    expect((await caseRows(page, 'this-week')).sort()).toEqual([CASES.joint, CASES.new1]);
    expect(await text(page, '[data-testid=count-overdue]')).toBe('2');
    // Qujiang's case is another region's.
    expect(await page.content()).not.toContain(CASES.qujiang);
    await shot(page, '05-board');
  });

  it('opens the region overview with its charts drawn on the server (the monthly line as SVG, the rates as bars)', async () => {
    await page.goto(`${base}/web/overview`);
    expect(await text(page, 'h1')).toContain('区域概况');
    expect(await page.locator('svg[data-chart=new-cases] .point').count()).toBe(12);
    expect(await page.locator('[data-chart=loss-by-unit]').count()).toBe(1);
    expect(await page.locator('[data-chart=rates] .bar').count()).toBeGreaterThanOrEqual(1);
    // Kecheng received four first-instance cases in November 2026 (world.ts); Qujiang's is not counted here.
    expect(await text(page, '[data-testid=new-cases]')).toBe('4');
    expect(await page.locator('svg[data-chart=new-cases] .point[data-label="11"]').getAttribute('data-value')).toBe('4');
    expect(await page.locator('svg[data-chart=new-cases] .point[data-label="10"]').getAttribute('data-value')).toBe('0');
    expect(await page.locator('[data-testid=overview-notice]').count()).toBe(0);
    // Every figure is shown with its definition.
    expect(await text(page, '[data-testid=definitions]')).toContain('发案数');
    await shot(page, '06-overview');
  });

  it('signs out', async () => {
    await page.goto(`${base}/web`);
    await Promise.all([page.waitForURL(/\/web\/login/), page.click('header form button')]);
    await page.goto(`${base}/web/board`);
    expect(new URL(page.url()).pathname).toBe('/web/login');
  });
});

describe('a unit', () => {
  let page: Page;
  freshPage((p) => (page = p));

  it("sees its own deadlines and remediation items, never another unit's", async () => {
    await page.goto(`${base}/web/board`);
    await signIn(page, w.who.unit);
    expect(await text(page, '[data-testid=who]')).toContain('柯城自然资源分局 法制科');
    expect(await caseRows(page, 'overdue')).toEqual([CASES.old1]);
    expect(await caseRows(page, 'remediation')).toEqual([CASES.old1]);
    expect((await caseRows(page, 'this-week')).sort()).toEqual([CASES.joint, CASES.new1]);
    const html = await page.content();
    expect(html).not.toContain(CASES.old2);
    expect(html).not.toContain(CASES.qujiang);
    // No queue, no ledger or statistics in its navigation; the region's roster of legal advisers, to read.
    expect(await page.locator('header nav a').allInnerTexts()).toEqual(['首页', '收文', '案件', '时限看板', '建议答复', '法律顾问']);
    await shot(page, '07-unit-board');
  });

  it("is refused another unit's case and the queue with a Chinese page, not JSON", async () => {
    const res = await page.goto(`${base}/web/cases/${w.caseIds.old2}`);
    expect(res?.status()).toBe(404);
    expect(res?.headers()['content-type']).toContain('text/html');
    expect(await text(page, '[data-testid=error]')).toContain('您要查看的内容不存在，或不在您的权限范围内。');
    const q = await page.goto(`${base}/web/queue`);
    expect(q?.status()).toBe(403);
    expect(await text(page, '[data-testid=error] h1')).toContain('无权操作');
    await shot(page, '08-unit-refused');
  });
});
