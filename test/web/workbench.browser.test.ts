/**
 * The clerk's workbench in a real browser (issue 23): Chromium driven by playwright-core against the real app
 * on a real Node server on loopback, one journey per role from sign-in to the end of a task:
 *
 *   a justice bureau clerk confirms a new filing (签收) and assigns a queued case, finds a case in the list;
 *   a unit opens its filing and downloads the attachment, records a defence draft and the hearing, drafts the
 *   reply to a judicial suggestion; the bureau passes the reply, downloads the ledger, makes and verifies a
 *   meeting pack; the government office signs off and approves the reply; a liaison reads the statistics.
 *
 * Every page visited is checked at 1400 px and 390 px: no horizontal overflow, no element text that looks
 * like an internal code (snake_case identifiers, uuids), and axe-core's WCAG 2.1 A/AA rules pass. With
 * SCREENSHOTS=<dir> the screenshots of each page at both widths and the axe results are written there
 * (docs/screenshots in the repo); otherwise to a temporary folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WIDTHS, checkPage as checkPageWith, type AxeResults } from './check-page.js';
import { attachmentEntry, demoManifest, joseRequest, signManifest } from '../../adapters/node/court-kit.js';
import { T0 } from '../helpers/gateway.js';
import { pagesOnLoopback } from '../helpers/browser.js';
import { CASES, webWorld, type WebWorld } from './world.js';

let w: WebWorld;
let pages: Awaited<ReturnType<typeof pagesOnLoopback>> | undefined;
let base: string;
let browser: Browser;
const NEW_FILING = '(2026)浙0825行初301号';
const SUGGESTION_CASE = '(2026)浙0825行初302号';
const DEFENCE = { filename: '答辩状（初稿）.txt', bytes: new TextEncoder().encode('答辩人：衢州市自然资源和规划局柯城分局。答辩意见如下……') };
const ATTACHMENT = { id: 'att-1', filename: '行政起诉状.pdf', mediaType: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4 起诉状副本（测试）') };

const shotDir = process.env['SCREENSHOTS'] ? resolve(process.env['SCREENSHOTS']) : mkdtempSync(join(tmpdir(), 'fuyuan-workbench-'));
mkdirSync(shotDir, { recursive: true });
const axeResults: AxeResults = {};
const checkPage = (page: Page, name: string) => checkPageWith(page, name, { dir: shotDir, axe: axeResults });

async function signIn(page: Page, who: { clientId: string; clientSecret: string }, person = '') {
  await expect.poll(() => new URL(page.url()).pathname).toBe('/web/login');
  await page.fill('#client_id', who.clientId);
  await page.fill('#client_secret', who.clientSecret);
  if (person) await page.fill('#person', person);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/web/login'), page.click('form[action="/web/login"] button[type=submit]')]);
}

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().innerText()) ?? '').replace(/\s+/g, ' ');
const go = async (page: Page, path: string) => {
  const res = await page.goto(`${base}${path}`);
  expect(res?.status(), path).toBe(200);
};
/** Submit a form and wait for the page it leads to. */
const submit = async (page: Page, button: ReturnType<Page['locator']>) =>
  Promise.all([page.waitForLoadState('load'), page.waitForURL(() => true), button.click()]);

beforeAll(async () => {
  w = await webWorld();
  // A new complaint copy for kc-zrzy with its attachment, and a judicial suggestion for the same unit.
  const push = async (m: ReturnType<typeof demoManifest>) =>
    expect((await w.gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, w.court.signer)))).status).toBe(201);
  const filing = demoManifest({ messageId: 'wb-1', senderCode: 'court-longyou', issuedAt: T0, caseNumber: NEW_FILING });
  filing.documents[0]!.attachments = [(await attachmentEntry(ATTACHMENT, true)) as never];
  await push(filing);
  const sug = demoManifest({
    messageId: 'wb-2',
    senderCode: 'court-longyou',
    issuedAt: T0,
    type: 'judicial_suggestion',
    caseNumber: SUGGESTION_CASE,
    regionCode: '330802',
  });
  sug.documents[0]!.title = '关于规范行政处罚程序的司法建议书';
  await push(sug);
  pages = await pagesOnLoopback(w.gw.app.fetch);
  ({ base, browser } = pages);
});

afterAll(async () => {
  await pages?.close();
  await w?.gw.close();
  writeFileSync(join(shotDir, 'axe-results.json'), `${JSON.stringify(axeResults, null, 2)}\n`);
  console.log(`workbench screenshots and axe results in ${shotDir}`);
});

/** One browser context per role (no cookies shared), a clerk's browser: Chinese, Beijing time. */
function rolePage(use: (page: Page) => void) {
  let ctx: BrowserContext | undefined;
  beforeAll(async () => {
    ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    use(await ctx.newPage());
  });
  afterAll(async () => ctx?.close());
}

describe('a justice bureau clerk: confirms a new filing, assigns a queued case, finds a case', () => {
  let page: Page;
  rolePage((p) => (page = p));

  it('signs in (the sign-in page passes the checks) and sees what waits on the home page', async () => {
    await page.goto(`${base}/web`);
    await checkPage(page, 'login');
    await signIn(page, w.who.bureau, '王某');
    expect(await text(page, '[data-testid=who]')).toContain('柯城区司法局 · 王某');
    expect(await text(page, '[data-testid=who]')).toContain('司法局 · 柯城区');
    expect(Number(await text(page, '[data-testid=home-queue]'))).toBe(1);
    expect(Number(await text(page, '[data-testid=home-filings]'))).toBeGreaterThanOrEqual(1);
    expect(await page.locator('link[rel=icon]').count()).toBe(1);
    await checkPage(page, 'bureau-home');
  });

  it('confirms receipt (签收) of the new filing from the inbox', async () => {
    await go(page, '/web/filings?status=new');
    const row = page.locator(`[data-testid=filings] tr[data-case="${NEW_FILING}"]`);
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain('未调阅');
    await checkPage(page, 'bureau-filings');
    await submit(page, row.locator('button[data-testid=confirm]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已签收');
    await go(page, '/web/filings?status=confirmed');
    expect(await page.locator(`[data-testid=filings] tr[data-case="${NEW_FILING}"][data-status=confirmed]`).count()).toBe(1);
    // The court receives signed confirmation evidence.
    const ev = await w.gw.app.request('http://gw/v1/evidence', { headers: { authorization: `Bearer ${await token(w.who.court)}` } });
    expect(((await ev.json()) as { items: { type: string }[] }).items.map((e) => e.type)).toContain('confirmation');
  });

  it('assigns the queued joint case with a reason', async () => {
    await go(page, '/web/queue');
    const item = page.locator(`article[data-case="${CASES.joint}"]`);
    await checkPage(page, 'bureau-queue');
    await item.locator('[data-unit="kc-zrzy"] input[name=lead]').check();
    await item.locator('textarea[name=reason]').fill('土地执法以自然资源分局为主');
    await submit(page, item.locator('button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('主办 衢州市自然资源和规划局柯城分局');
  });

  it('finds the case in the list by part of its number, opens it, and reads the timeline in words', async () => {
    await go(page, '/web/cases');
    expect(await page.locator('[data-testid=cases] tbody tr').count()).toBeGreaterThanOrEqual(5);
    await page.fill('#c-q', '行初201');
    await submit(page, page.locator('form[role=search] button'));
    expect(await page.locator('[data-testid=cases] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case')))).toEqual([CASES.joint]);
    await checkPage(page, 'bureau-cases');
    // Qujiang's case is another region's: never listed.
    await go(page, `/web/cases?q=${encodeURIComponent('行初203')}`);
    expect(await page.locator('[data-testid=cases-empty]').isVisible()).toBe(true);
    await go(page, `/web/cases?q=${encodeURIComponent('行初201')}`);
    await submit(page, page.locator('[data-testid=cases] tbody a').first());
    expect(await text(page, 'h1')).toContain(CASES.joint);
    const tl = await text(page, '[data-testid=timeline]');
    expect(tl).toContain('法院送达起诉状副本');
    expect(tl).toContain('理由：土地执法以自然资源分局为主');
    expect(await page.locator('[data-step-form=routing_slip_issued]').count()).toBe(1);
    await checkPage(page, 'bureau-case');
  });

  it('reads the deadline board', async () => {
    await go(page, '/web/board');
    expect(await page.locator('[data-testid=this-week] tbody tr').count()).toBeGreaterThanOrEqual(1);
    await checkPage(page, 'bureau-board');
  });

  it('keeps the legal-adviser library (法律顾问团队库, Q 一(三)) from its navigation, by keyboard alone', async () => {
    await go(page, '/web');
    await submit(page, page.locator('nav a', { hasText: '法律顾问' }));
    expect(await text(page, 'h1')).toBe('法律顾问团队库');
    await page.focus('#adv-name');
    await page.keyboard.type('周律师');
    await page.keyboard.press('Tab');
    await page.keyboard.type('浙江衢州信安律师事务所');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'added'), page.keyboard.press('Enter')]);
    expect(await text(page, '[data-testid=flash]')).toContain('已添加到团队库');
    await page.fill('#adv-name', '吴律师');
    await page.fill('#adv-org', '浙江衢江律师事务所');
    await submit(page, page.locator('form[action="/web/advisers"] button'));
    expect(await page.locator('[data-testid=advisers] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-adviser')))).toEqual([
      '吴律师',
      '周律师',
    ]);
    const wu = page.locator('[data-testid=advisers] tr[data-adviser="吴律师"]');
    await submit(page, wu.locator('button', { hasText: '移出团队库' }));
    expect(await text(page, '[data-testid=flash]')).toContain('已移出团队库');
    expect(await page.locator('[data-testid=advisers-retired] tr[data-adviser="吴律师"]').count()).toBe(1);
    const zhou = page.locator('[data-testid=advisers] tr[data-adviser="周律师"]');
    await zhou.locator('summary').click();
    await checkPage(page, 'bureau-advisers');
  });
});

describe('a unit: opens its filing and downloads the attachment, records a defence draft and the hearing, drafts a suggestion reply', () => {
  let page: Page;
  rolePage((p) => (page = p));

  it('opens the new filing and downloads its attachment (retrieval evidence for the court)', async () => {
    await page.goto(`${base}/web/filings`);
    await signIn(page, w.who.unit, '李某');
    await checkPage(page, 'unit-filings');
    await submit(page, page.locator(`[data-testid=filings] tr[data-case="${NEW_FILING}"] td a`).first());
    expect(await text(page, 'h1')).toContain('起诉状副本');
    expect(await text(page, '[data-testid=filing-facts]')).toContain('浙江省龙游县人民法院');
    await checkPage(page, 'unit-filing');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
    expect(download.suggestedFilename()).toBe(ATTACHMENT.filename);
    expect(new Uint8Array(readFileSync((await download.path())!))).toEqual(ATTACHMENT.bytes);
  });

  it('records the defence draft and the hearing on its case; the timeline shows both and the deadlines close', async () => {
    await go(page, '/web/cases');
    await checkPage(page, 'unit-cases');
    await go(page, `/web/cases?q=${encodeURIComponent('行初301')}`);
    await submit(page, page.locator('[data-testid=cases] tbody a').first());
    const draft = page.locator('[data-step-form=defence_draft_submitted]');
    await draft.locator('summary').click();
    await draft.locator('textarea[name=summary]').fill('处罚事实清楚，程序合法，请求驳回诉讼请求。');
    await draft.locator('input[type=file]').setInputFiles({ name: DEFENCE.filename, mimeType: 'text/plain', buffer: Buffer.from(DEFENCE.bytes) });
    await submit(page, draft.locator('button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已记录答辩状初稿');
    const hearing = page.locator('[data-step-form=hearing_held]');
    await hearing.locator('summary').click();
    await hearing.locator('input[name=heldOn]').fill('2026-11-23');
    await hearing.locator('input[name=headAppeared][value=yes]').check();
    await hearing.locator('input[name=headName]').fill('周局长');
    await hearing.locator('input[name=principal][value=yes]').check();
    await hearing.locator('input[name=spoke][value=yes]').check();
    await hearing.locator('select[name=agent_kind_1]').selectOption('staff');
    await hearing.locator('input[name=agent_name_1]').fill('法制科 吴某');
    await submit(page, hearing.locator('button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已记录开庭情况');
    const steps = await page.locator('[data-testid=timeline] li[data-kind=step]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-step')));
    expect(steps).toEqual(['defence_draft_submitted', 'hearing_held']);
    const tl = await text(page, '[data-testid=timeline]');
    expect(tl).toContain('答辩要点：处罚事实清楚');
    expect(tl).toContain('负责人出庭：是');
    await checkPage(page, 'unit-case');
  });

  it('drafts the reply to the judicial suggestion, with an attachment', async () => {
    await go(page, '/web/suggestions');
    await checkPage(page, 'unit-suggestions');
    await submit(page, page.locator('[data-testid=suggestions] tbody a').first());
    await checkPage(page, 'unit-suggestion');
    await page.fill('#sg-text', '我局已对照建议逐项整改，完善了行政处罚程序。');
    await page.check('input[name=promised]');
    await page.fill('#sg-by', '2026-12-31');
    await page.fill('#sg-desc', '修订执法程序规定');
    await page.setInputFiles('#sg-files', { name: '整改方案.txt', mimeType: 'text/plain', buffer: Buffer.from('整改方案') });
    await submit(page, page.locator('[data-testid=draft-form] button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已提交司法局审核');
    expect(await text(page, '[data-testid=suggestion-status]')).toContain('司法局审核中');
    expect(await text(page, '[data-testid=draft]')).toContain('整改方案.txt');
  });

  it('reads the legal-adviser library and chooses an adviser as agent for the head appearance', async () => {
    await go(page, '/web/advisers');
    expect(await page.locator('[data-testid=advisers] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-adviser')))).toEqual(['周律师']);
    expect(await page.locator('form[action="/web/advisers"]').count()).toBe(0);
    await checkPage(page, 'unit-advisers');
    await go(page, `/web/cases?q=${encodeURIComponent('行初301')}`);
    await submit(page, page.locator('[data-testid=cases] tbody a').first());
    const f = page.locator('[data-step-form=appearance_registered]');
    await f.locator('summary').click();
    await f.locator('input[name=required][value=yes]').check();
    await f.locator('input[name=principal][value=no]').check();
    await f.locator('textarea[name=cannotReason]').fill('负责人参加上级机关会议');
    await f.locator('select[name=agent_kind_1]').selectOption('staff');
    await f.locator('input[name=agent_name_1]').fill('法制科 吴某');
    // The retired adviser is not offered; the active one is.
    expect(await f.locator('select[name=agent_kind_2] option').allInnerTexts()).not.toContain('法律顾问：吴律师（浙江衢江律师事务所）');
    await f.locator('select[name=agent_kind_2]').selectOption({ label: '法律顾问：周律师（浙江衢州信安律师事务所）' });
    await submit(page, f.locator('button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已记录出庭报备');
    expect(await text(page, '[data-testid=timeline]')).toContain('代理人：法制科 吴某（本机关工作人员）、周律师（法律顾问）');
  });

  it('gets its calendar feed link from the home page', async () => {
    await go(page, '/web');
    await checkPage(page, 'unit-home');
    await submit(page, page.locator('form[action="/web/feed"] button'));
    const url = await text(page, '[data-testid=feed-url]');
    expect(url).toMatch(/\/v1\/units\/kc-zrzy\/deadlines\.ics\?token=/);
    const ics = await w.gw.app.request(new URL(url).pathname + new URL(url).search);
    expect(ics.status).toBe(200);
    expect(await ics.text()).toContain('BEGIN:VCALENDAR');
  });
});

describe('the justice bureau again: reviews the defence draft, passes the reply, downloads the ledger, makes and verifies a meeting pack', () => {
  let page: Page;
  rolePage((p) => (page = p));

  it('downloads the unit’s defence draft from the case and records its review', async () => {
    await page.goto(`${base}/web/cases?q=${encodeURIComponent('行初301')}`);
    await signIn(page, w.who.bureau, '王某');
    await submit(page, page.locator('[data-testid=cases] tbody a').first());
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=step-files] a').first().click()]);
    expect(download.suggestedFilename()).toBe(DEFENCE.filename);
    expect(new Uint8Array(readFileSync((await download.path())!))).toEqual(DEFENCE.bytes);
    const review = page.locator('[data-step-form=defence_reviewed]');
    await review.locator('summary').click();
    await review.locator('input[name=result][value=yes]').check();
    await review.locator('textarea[name=comments]').fill('答辩意见充分，同意提交。');
    await submit(page, review.locator('button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已记录答辩状审核');
    expect(await text(page, '[data-testid=timeline]')).toContain('结果：通过');
  });

  it('reviews the reply draft and passes it to the government office', async () => {
    await go(page, '/web/suggestions');
    await checkPage(page, 'bureau-suggestions');
    await submit(page, page.locator('[data-testid=suggestions] tbody a').first());
    await checkPage(page, 'bureau-suggestion');
    await page.check('input[name=result][value=passed]');
    await submit(page, page.locator('[data-testid=review-form] button[type=submit]'));
    expect(await text(page, '[data-testid=suggestion-status]')).toContain('待政府审批');
  });

  it('downloads the monthly ledger as an Excel workbook', async () => {
    await go(page, '/web/reports');
    await checkPage(page, 'bureau-reports');
    await page.fill('#l-month', '2026-11');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=ledger-form] button')]);
    expect(download.suggestedFilename()).toBe('台账-柯城区-2026-11.xlsx');
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
  });

  it('reads the annual report with each figure’s definition', async () => {
    await go(page, '/web/reports/report?period=2026');
    expect(await text(page, 'h1')).toContain('2026 年度行政应诉工作报告');
    expect(await text(page, '[data-testid=report-figures]')).toContain('败诉率');
    await checkPage(page, 'bureau-report');
  });

  it('makes a meeting pack, prints it and verifies its signature', async () => {
    await go(page, '/web/reports');
    await page.fill('#p-notes', '第四季度府院联席会议');
    await submit(page, page.locator('[data-testid=pack-form] button'));
    expect(await text(page, '[data-testid=flash]')).toContain('会议材料已生成');
    await submit(page, page.locator('[data-testid=packs] a', { hasText: '核验签名' }).first());
    expect(await text(page, '[data-testid=verify-result]')).toContain('签名有效');
    await checkPage(page, 'bureau-pack-verify');
    await go(page, '/web/reports');
    await submit(page, page.locator('[data-testid=packs] a', { hasText: '打印' }).first());
    expect(await page.locator('h1').innerText()).toContain('府院联席会议统计材料');
    expect(await page.content()).not.toContain('DOMAIN.md');
  });

  it('makes the next pack and compares it with the last one', async () => {
    await go(page, '/web/reports');
    await page.selectOption('#p-period', '2026-H2');
    await submit(page, page.locator('[data-testid=pack-form] button'));
    expect(await page.locator('[data-testid=packs] tbody tr').count()).toBe(2);
    await submit(page, page.locator('[data-testid=packs] a', { hasText: '与上一次比较' }).first());
    expect(await text(page, 'h1')).toContain('会议材料比较');
    expect(await text(page, '[data-testid=compare]')).toContain('发案数');
    await checkPage(page, 'bureau-pack-compare');
  });
});

describe('the government office: signs off a case and approves the suggestion reply', () => {
  let page: Page;
  rolePage((p) => (page = p));

  it('records the leader’s sign-off on a case', async () => {
    await page.goto(`${base}/web/cases?q=${encodeURIComponent('行初202')}`);
    await signIn(page, w.who.office, '陈某');
    await submit(page, page.locator('[data-testid=cases] tbody a').first());
    const f = page.locator('[data-step-form=leader_signoff]');
    await f.locator('summary').click();
    await f.locator('input[name=leader]').fill('陈副区长');
    await f.locator('input[name=post]').fill('副区长');
    await f.locator('input[name=major][value=no]').check();
    await submit(page, f.locator('button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已记录领导审签');
    await checkPage(page, 'office-case');
  });

  it('approves the reply: it is signed and relayed to the court', async () => {
    await go(page, '/web');
    expect(Number(await text(page, '[data-testid=home-suggestions]'))).toBe(1);
    await checkPage(page, 'office-home');
    await go(page, '/web/suggestions');
    await submit(page, page.locator('[data-testid=suggestions] tbody a').first());
    await page.fill('#sg-approver', '陈副区长');
    await page.fill('#sg-post', '副区长');
    await submit(page, page.locator('[data-testid=approve-form] button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已签名并送达');
    expect(await text(page, '[data-testid=suggestion-status]')).toContain('答复已送达');
    await checkPage(page, 'office-suggestion');
  });
});

describe('a liaison: reads the shared statistics with their definitions', () => {
  let page: Page;
  rolePage((p) => (page = p));

  it('reads the overview of the regions the court serves, and each figure’s definition', async () => {
    await page.goto(`${base}/web/overview`);
    await signIn(page, w.who.liaison);
    expect(await text(page, 'h1')).toContain('区域概况');
    expect(await page.locator('#ov-region option').allInnerTexts()).toEqual(expect.arrayContaining(['柯城区', '衢江区']));
    expect(await text(page, '[data-testid=definitions]')).toContain('败诉率');
    expect(await text(page, '[data-testid=definitions]')).not.toContain('DOMAIN.md');
    // Not a unit: no bar in the loss chart stands for unassigned cases.
    expect(await page.locator('[data-chart=loss-by-unit] .bar[data-label="未分配"]').count()).toBe(0);
    // Charts readable at both widths: every label drawn at 12 px or more, no unit name cut.
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const sizes = await page.evaluate(() => {
        const svg = [...document.querySelectorAll('svg.chart text')].map(
          (t) => Number(t.getAttribute('font-size')) * ((t as SVGGraphicsElement).getScreenCTM()?.a ?? 0),
        );
        const html = [...document.querySelectorAll('figure.chart .label, figure.chart .val')].map((e) => parseFloat(getComputedStyle(e).fontSize));
        const cut = [...document.querySelectorAll('figure.chart .label')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent);
        return { min: Math.min(...svg, ...html), count: svg.length + html.length, cut };
      });
      expect(sizes.count, `chart labels at ${width}px`).toBeGreaterThan(12);
      expect(sizes.min, `the smallest chart label at ${width}px`).toBeGreaterThanOrEqual(12);
      expect(sizes.cut, `chart labels cut at ${width}px`).toEqual([]);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    await checkPage(page, 'liaison-overview');
    await go(page, '/web/reports');
    expect(await page.locator('[data-testid=ledger-form]').count()).toBe(0);
    await checkPage(page, 'liaison-reports');
  });

  it('drills from a figure to the cases behind it: as many as the figure said, case numbers only', async () => {
    await go(page, '/web/overview?region=330802&year=2026');
    const total = Number(await text(page, '[data-testid=new-cases]'));
    expect(total).toBeGreaterThan(0);
    await submit(page, page.locator('[data-testid=new-cases]'));
    expect(await text(page, 'h1')).toContain('发案数');
    expect(Number(await text(page, '[data-testid=drill-count]'))).toBe(total);
    expect(await page.locator('[data-testid=drill-items] tbody tr').count()).toBe(total);
    expect(await page.locator('[data-testid=drill-items] a').count()).toBe(0);
    expect(await text(page, '[data-testid=figure-definition]')).toContain('首份文书');
    await checkPage(page, 'liaison-figure');
    // The month's figure on the overview, clicked, gives as many cases as it says.
    await go(page, '/web/overview?region=330802&year=2026');
    const nov = page.locator('[data-testid=months] a[data-month="11"]');
    const count = Number(/(\d+) 件/.exec(await nov.innerText())![1]);
    await submit(page, nov);
    expect(await text(page, 'h1')).toContain('2026 年 11 月');
    expect(Number(await text(page, '[data-testid=drill-count]'))).toBe(count);
    // Another court's region, by a tampered address: refused, with no figure and no case.
    const res = await page.goto(`${base}/web/overview/figures/new_cases?region=330899&period=2026`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('[data-testid=drill-items]').count()).toBe(0);
    expect(await page.content()).not.toContain('行初');
  });

  it('is refused the ledger and the case pages with a Chinese page', async () => {
    const res = await page.goto(`${base}/web/cases`);
    expect(res?.status()).toBe(403);
    expect(await text(page, '[data-testid=error] h1')).toContain('无权操作');
    await checkPage(page, 'liaison-refused');
  });
});

describe("progress for uploads and exports (the pages' one script, from this origin); without JavaScript the forms still work", () => {
  const BIG = 6 * 1024 * 1024; // under the 8 MiB a form with files may carry
  /** A clerk's browser of its own for one test (Chinese, Beijing time), closed after it. */
  const inContext = async (opts: { javaScriptEnabled?: boolean; acceptDownloads?: boolean }, use: (page: Page, ctx: BrowserContext) => Promise<void>) => {
    const ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1400, height: 900 }, ...opts });
    try {
      await use(await ctx.newPage(), ctx);
    } finally {
      await ctx.close();
    }
  };
  const bigFile = () => ({ name: '答辩状（定稿，含证据目录）.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(BIG, 0x25) });
  /** The unit signs in, opens its case and fills the defence-draft form with the large file (not yet sent). */
  const bigDefenceDraft = async (page: Page, caseQuery: string, summary: string) => {
    await page.goto(`${base}/web/cases?q=${encodeURIComponent(caseQuery)}`);
    await signIn(page, w.who.unit, '李某');
    await submit(page, page.locator('[data-testid=cases] tbody a').first());
    const draft = page.locator('[data-step-form=defence_draft_submitted]');
    await draft.locator('summary').click();
    await draft.locator('textarea[name=summary]').fill(summary);
    await draft.locator('input[type=file]').setInputFiles(bigFile());
    return draft;
  };

  it('a large defence draft: a labelled progress bar appears and reaches 100 %, then the step is recorded', async () => {
    await inContext({}, async (page) => {
      const seen: number[] = [];
      await page.exposeFunction('reportProgress', (v: number) => seen.push(v));
      const draft = await bigDefenceDraft(page, '行初202', '事实清楚，证据确实充分。');
      // Watch the bar as the script moves it (the page is replaced when the upload is done).
      await page.evaluate(() => {
        const report = (window as unknown as { reportProgress: (v: number) => void }).reportProgress;
        new MutationObserver((ms) => {
          for (const m of ms) if (m.target instanceof HTMLProgressElement) void report(Number(m.target.getAttribute('data-progress')));
        }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-progress'] });
      });
      await draft.locator('button[type=submit]').click();
      const bar = page.getByRole('progressbar', { name: '上传进度' });
      await expect.poll(() => seen.length > 0 || bar.count().then((n) => n > 0)).toBe(true);
      await expect.poll(() => text(page, '[data-testid=flash]'), { timeout: 30_000 }).toContain('已记录答辩状初稿');
      expect(seen[0]).toBe(0);
      expect(seen.at(-1)).toBe(100);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(await text(page, '[data-testid=timeline]')).toContain('答辩状（定稿，含证据目录）.pdf');
    });
  });

  it('the ledger: "正在生成…" is shown until the download starts', async () => {
    await inContext({ acceptDownloads: true }, async (page) => {
      await page.goto(`${base}/web/reports`);
      await signIn(page, w.who.bureau, '王某');
      await page.evaluate(() => {
        const w2 = window as unknown as { statuses: string[] };
        w2.statuses = [];
        new MutationObserver(() => {
          const s = document.querySelector('.busy-status');
          if (s?.textContent && w2.statuses.at(-1) !== s.textContent) w2.statuses.push(s.textContent);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await page.fill('#l-month', '2026-11');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=ledger-form] button')]);
      expect(download.suggestedFilename()).toBe('台账-柯城区-2026-11.xlsx');
      expect(
        readFileSync((await download.path())!)
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { statuses: string[] }).statuses))
        .toEqual(['正在生成…', '已生成，开始下载：台账-柯城区-2026-11.xlsx']);
      expect(await page.getByRole('status').filter({ hasText: '已生成' }).count()).toBe(1);
    });
  });

  it('without JavaScript: the same upload posts as a plain form, the ledger downloads, and no progress bar is drawn', async () => {
    await inContext({ javaScriptEnabled: false, acceptDownloads: true }, async (page, ctx) => {
      const draft = await bigDefenceDraft(page, '行初101', '不使用脚本提交。');
      await submit(page, draft.locator('button[type=submit]'));
      expect(await text(page, '[data-testid=flash]')).toContain('已记录答辩状初稿');
      expect(await page.locator('progress').count()).toBe(0);
      const bureau = await ctx.newPage();
      await ctx.clearCookies();
      await bureau.goto(`${base}/web/reports`);
      await signIn(bureau, w.who.bureau, '王某');
      await bureau.fill('#l-month', '2026-11');
      const [download] = await Promise.all([bureau.waitForEvent('download'), bureau.click('[data-testid=ledger-form] button')]);
      expect(download.suggestedFilename()).toBe('台账-柯城区-2026-11.xlsx');
      expect(await bureau.locator('.busy-status').count()).toBe(0);
    });
  });

  it('the script comes from this origin under its content hash; the policy allows no inline script', async () => {
    const res = await fetch(`${base}/web/login`);
    const csp = res.headers.get('content-security-policy')!;
    expect(/script-src[^;]*/.exec(csp)![0]).toBe("script-src 'self'");
    const src = /<script src="([^"]+)"/.exec(await res.text())![1]!;
    expect(src).toMatch(/^\/web\/assets\/workbench-[0-9a-f]{16}\.js$/);
    const js = await fetch(`${base}${src}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(
      createHash('sha256')
        .update(await js.text())
        .digest('hex')
        .slice(0, 16),
    ).toBe(/workbench-([0-9a-f]{16})/.exec(src)![1]);
    expect((await fetch(`${base}/web/assets/workbench-0000000000000000.js`)).status).toBe(404);
  });
});

async function token(who: { clientId: string; clientSecret: string }) {
  const res = await w.gw.app.request('http://gw/v1/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: who.clientId, client_secret: who.clientSecret }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
