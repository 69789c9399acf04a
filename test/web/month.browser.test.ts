/**
 * A month of a justice bureau's work, done from the pages (issue 23, "Done when"): `simulate --history --days 31`
 * lives the month (and the weeks before it, so its cases reach summonses, hearings and judgments) through the real
 * API, and leaves what a real month leaves on the desks. Then, on that database, with the gateway served on
 * loopback and Chromium driven by playwright-core, a clerk of 柯城区司法局 and a unit's clerk do the month's
 * remaining work from the pages alone: confirm a new filing, assign a queued one with a reason, read the overdue
 * items, pass a suggestion reply, record the hearing feedback, download the ledger, make and verify a meeting
 * pack. Every page passes the workbench's checks (no overflow at 390 px, no internal codes, axe finds nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import type { Client, Row } from '@libsql/client';
import ExcelJS from 'exceljs';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { runHistory, type HistoryReport } from '../../adapters/node/simulate-history.js';
import { createApp } from '../../src/app.js';
import type { Deps } from '../../src/deps.js';
import { registerClient } from '../../src/services/clients.js';
import { verifyAuditChain } from '../../src/services/audit.js';
import { FixedClock, T0 } from '../helpers/gateway.js';
import { pagesOnLoopback } from '../helpers/browser.js';
import { checkPage as checkPageWith, type AxeResults } from './check-page.js';

/** With SCREENSHOTS=<dir>, the month's pages are kept in <dir>/month with their axe results (docs/screenshots/month). */
const shotDir = process.env['SCREENSHOTS'] ? join(resolve(process.env['SCREENSHOTS']), 'month') : undefined;
const axe: AxeResults = {};
const checkPage = (page: Page, name: string) => checkPageWith(page, name, shotDir ? { dir: shotDir, axe } : undefined);

let dir: string;
let report: HistoryReport;
let deps: Deps;
let db: Client;
let closeDb: (() => Promise<void>) | undefined;
let pages: Awaited<ReturnType<typeof pagesOnLoopback>> | undefined;
const who = {} as Record<'bureau' | 'unit', { clientId: string; clientSecret: string }>;
/** The month's desk, read from the simulated database: which unit heard the case, the queued and new filings. */
const desk = {} as { heard: string; heardUnit: string; fresh: string; queued: string };
const sql = async (q: string, ...args: (string | number)[]): Promise<Row[]> => (await db.execute({ sql: q, args })).rows;

beforeAll(async () => {
  if (shotDir) mkdirSync(shotDir, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'fuyuan-month-'));
  const cfg = parseNodeConfig({ DATA_DIR: dir });
  report = await runHistory(cfg, { cases: 24, days: 31, seed: 3, until: T0 });
  const opened = await nodeDeps(cfg, { clock: new FixedClock(T0) });
  deps = opened.deps;
  db = opened.client;
  closeDb = opened.close;
  const run = `h3-${report.to.replace(/-/g, '')}`;
  desk.heard = `(2026)浙0825行初${run}-d1号`;
  desk.fresh = `(2026)浙0825行初${run}-d3号`;
  desk.queued = `(2026)浙0825行初${run}-d4号`;
  desk.heardUnit = String(
    (await sql("select a.unit_id from assignments a join cases c on c.id = a.case_id where c.case_number = ? and a.role = 'lead'", desk.heard))[0]!.unit_id,
  );
  const client = async (role: 'justice_bureau' | 'unit', scope: string, name: string) => {
    const c = await registerClient(deps, { name, role, scope }, 'test');
    return { clientId: c.clientId, clientSecret: c.clientSecret! };
  };
  who.bureau = await client('justice_bureau', '330802', '柯城区司法局 应诉科');
  who.unit = await client('unit', desk.heardUnit, '法制科');
  pages = await pagesOnLoopback(createApp(deps).fetch);
}, 400_000);

afterAll(async () => {
  if (shotDir) writeFileSync(join(shotDir, 'axe-results.json'), `${JSON.stringify(axe, null, 2)}\n`);
  await pages?.close();
  await closeDb?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('the simulated month is a real one', () => {
  it('it has arrivals, a queue decided by the bureau, hearings, judgments, suggestions and missed deadlines', async () => {
    expect(report).toMatchObject({ from: '2026-10-23', to: '2026-11-23', refused: 0, stepsRefused: 0, sweepFailures: 0 });
    const inMonth = Object.fromEntries(
      (await sql('select type, count(*) as n from documents where arrived_at >= ? group by type', Date.parse('2026-10-22T16:00:00Z'))).map((r) => [
        String(r.type),
        Number(r.n),
      ]),
    );
    expect(inMonth['complaint_copy']).toBeGreaterThanOrEqual(10);
    expect(inMonth['summons']).toBeGreaterThanOrEqual(5);
    expect((inMonth['judgment'] ?? 0) + (inMonth['ruling'] ?? 0) + (inMonth['mediation'] ?? 0)).toBeGreaterThanOrEqual(3);
    expect(inMonth['judicial_suggestion']).toBeGreaterThanOrEqual(1);
    expect(inMonth['head_appearance_notice']).toBeGreaterThanOrEqual(1);
    expect(report.assignedByBureau).toBeGreaterThan(0);
    const hearings = await sql("select count(*) as n from case_steps where kind = 'hearing_held' and at >= ?", Date.parse('2026-10-22T16:00:00Z'));
    expect(Number(hearings[0]!.n)).toBeGreaterThan(0);
    expect(Number((await sql("select count(*) as n from obligations where status in ('overdue', 'remedied')"))[0]!.n)).toBeGreaterThan(0);
    expect(Number((await sql("select count(*) as n from queue_items where status = 'open'"))[0]!.n)).toBeGreaterThanOrEqual(1);
    expect(Number((await sql("select count(*) as n from suggestions where status = 'under_review'"))[0]!.n)).toBeGreaterThanOrEqual(1);
    expect(report.advisers).toBe(6);
    // Losses in the month: one appealed to the intermediate court, one accepted with its loss-analysis report.
    expect(Number((await sql("select count(*) as n from cases where instance = 'second'"))[0]!.n)).toBeGreaterThanOrEqual(1);
    const reports = await sql("select count(*) as n from case_steps where kind = 'loss_report' and at >= ?", Date.parse('2026-10-22T16:00:00Z'));
    expect(Number(reports[0]!.n)).toBeGreaterThanOrEqual(1);
  });
});

/** One browser per clerk (no cookies shared): Chinese, Beijing time. */
function clerk(use: (page: Page) => void) {
  let ctx: BrowserContext | undefined;
  beforeAll(async () => {
    ctx = await pages!.browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    use(await ctx.newPage());
  });
  afterAll(async () => ctx?.close());
}
const text = async (page: Page, selector: string) => ((await page.locator(selector).first().innerText()) ?? '').replace(/\s+/g, ' ');
const go = async (page: Page, path: string) => expect((await page.goto(`${pages!.base}${path}`))?.status(), path).toBe(200);
const submit = async (page: Page, button: ReturnType<Page['locator']>) =>
  Promise.all([page.waitForLoadState('load'), page.waitForURL(() => true), button.click()]);
async function signIn(page: Page, c: { clientId: string; clientSecret: string }, person: string) {
  await page.goto(`${pages!.base}/web`);
  await page.fill('#client_id', c.clientId);
  await page.fill('#client_secret', c.clientSecret);
  await page.fill('#person', person);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/web/login'), page.click('form[action="/web/login"] button[type=submit]')]);
}

describe("the bureau's clerk does the month's remaining work from the pages", () => {
  let page: Page;
  clerk((p) => (page = p));

  it('signs in and sees what waits: the queue, new filings, overdue items', async () => {
    await signIn(page, who.bureau, '王某');
    expect(Number(await text(page, '[data-testid=home-queue]'))).toBeGreaterThanOrEqual(1);
    expect(Number(await text(page, '[data-testid=home-filings]'))).toBeGreaterThanOrEqual(1);
    await checkPage(page, 'month-bureau-home');
    await go(page, '/web/board');
    expect(Number(await text(page, '[data-testid=count-overdue]')) + Number(await text(page, '[data-testid=count-remediation]'))).toBeGreaterThan(0);
    await checkPage(page, 'month-bureau-board');
  });

  it("confirms the morning's new filing (签收)", async () => {
    await go(page, '/web/filings?status=new');
    const row = page.locator(`[data-testid=filings] tr[data-case="${desk.fresh}"]`);
    expect(await row.count()).toBe(1);
    await checkPage(page, 'month-bureau-filings');
    await submit(page, row.locator('button[data-testid=confirm]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已签收');
    expect(
      Number(
        (
          await sql(
            "select count(*) as n from evidence where type = 'confirmation' and document_id in (select id from documents where case_number = ?)",
            desk.fresh,
          )
        )[0]!.n,
      ),
    ).toBe(1);
  });

  it('assigns the joint act waiting in the queue, with a lead, a cooperating unit and a reason', async () => {
    await go(page, '/web/queue');
    const item = page.locator(`article[data-case="${desk.queued}"]`);
    expect(await item.count()).toBe(1);
    await checkPage(page, 'month-bureau-queue');
    await item.locator(`[data-unit="${desk.heardUnit}"] input[name=lead]`).check();
    await item.locator('textarea[name=reason]').fill('两单位共同作出，以实施机关为主办');
    await submit(page, item.locator('button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('主办');
    const rows = await sql(
      'select a.unit_id, a.role from assignments a join cases c on c.id = a.case_id where c.case_number = ? and a.superseded_at is null order by a.role',
      desk.queued,
    );
    expect(rows.map((r) => [r.unit_id, r.role])).toContainEqual([desk.heardUnit, 'lead']);
    expect(rows.some((r) => r.role === 'cooperating')).toBe(true);
  });

  it("passes the unit's reply to the judicial suggestion, for the government office to approve", async () => {
    await go(page, '/web/suggestions?status=under_review');
    await checkPage(page, 'month-bureau-suggestions');
    await submit(page, page.locator('[data-testid=suggestions] tbody a').first());
    await page.check('input[name=result][value=passed]');
    await submit(page, page.locator('[data-testid=review-form] button[type=submit]'));
    expect(await text(page, '[data-testid=suggestion-status]')).toContain('待政府审批');
  });

  it("downloads the month's ledger: its rows are the month's filings", async () => {
    await go(page, '/web/reports');
    await page.fill('#l-month', '2026-11');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=ledger-form] button')]);
    expect(download.suggestedFilename()).toBe('台账-柯城区-2026-11.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync((await download.path())!) as never);
    const all = wb.worksheets.map((s) => s.getSheetValues().flat().map(String).join(' ')).join(' ');
    expect(all).toContain(desk.fresh);
  });

  it('makes the meeting pack for the year and verifies its signature', async () => {
    await go(page, '/web/reports');
    await page.fill('#p-notes', '十一月府院联席会议');
    await submit(page, page.locator('[data-testid=pack-form] button'));
    expect(await text(page, '[data-testid=flash]')).toContain('会议材料已生成');
    await submit(page, page.locator('[data-testid=packs] a', { hasText: '核验签名' }).first());
    expect(await text(page, '[data-testid=verify-result]')).toContain('签名有效');
    await checkPage(page, 'month-bureau-pack-verify');
  });

  it("reads its region's roster of legal advisers", async () => {
    await go(page, '/web/advisers');
    expect(await page.locator('[data-testid=advisers] tbody tr').count()).toBe(3);
    await checkPage(page, 'month-bureau-advisers');
  });
});

describe("the unit's clerk records the hearing held two days ago", () => {
  let page: Page;
  clerk((p) => (page = p));

  it('finds the case, records the hearing feedback; the hearing item closes', async () => {
    await signIn(page, who.unit, '李某');
    await go(page, `/web/cases?q=${encodeURIComponent('-d1号')}`);
    await submit(page, page.locator('[data-testid=cases] tbody a').first());
    expect(await text(page, 'h1')).toContain(desk.heard);
    const f = page.locator('[data-step-form=hearing_held]');
    await f.locator('summary').click();
    await f.locator('input[name=heldOn]').fill('2026-11-20');
    await f.locator('input[name=headAppeared][value=yes]').check();
    await f.locator('input[name=headName]').fill('分管副局长');
    await f.locator('input[name=principal][value=no]').check();
    await f.locator('input[name=spoke][value=yes]').check();
    await f.locator('select[name=agent_kind_1]').selectOption('staff');
    await f.locator('input[name=agent_name_1]').fill('法制科 李某');
    await submit(page, f.locator('button[type=submit]'));
    expect(await text(page, '[data-testid=flash]')).toContain('已记录开庭情况');
    await checkPage(page, 'month-unit-case');
    const open = await sql(
      "select count(*) as n from obligations o join cases c on c.id = o.case_id where c.case_number = ? and o.kind = 'hearing' and o.status in ('open', 'overdue')",
      desk.heard,
    );
    expect(Number(open[0]!.n)).toBe(0);
  });

  it('the month, simulated and finished from the pages, leaves an audit chain that verifies', async () => {
    expect((await verifyAuditChain(deps)).ok).toBe(true);
  });
});
