/**
 * Exports for the reporting rhythm (docs/domain.md §7): the monthly ledger (台账, P 第十五条(一): pending cases and
 * lost cases reported rolling until judged or settled) as XLSX (one sheet per kind, Chinese headers) or CSV
 * (UTF-8 with BOM so Excel opens Chinese correctly); the half-year and annual report data as JSON
 * [S 五(二), G 半年报告]; a meeting pack as a printable page.
 *
 * exceljs is Node-leaning: it is loaded with a dynamic import whose specifier is not a literal, so the Worker
 * bundle does not include it. On Workers XLSX answers 503 (use CSV or JSON there); on Node it works.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { Principal } from './clients.js';
import { caseSteps, cases, obligations } from '../../schemas/db/index.js';
import { Problem } from '../lib/problem.js';
import { currentDirectory } from './directory.js';
import { computeScope, loadFacts, presentFigure, statisticsScope } from './statistics.js';
import { beijingDateOf, classify, parsePeriod, periodInstants, type CaseFact } from '../domain/statistics/index.js';
import type { PackContent } from './packs.js';
import { FIGURES } from '../domain/statistics/index.js';

export interface LedgerSheet {
  kind: 'pending' | 'lost' | 'new';
  title: string;
  columns: { key: string; header: string }[];
  rows: Record<string, string>[];
}

const INSTANCE_ZH: Record<string, string> = { first: '一审', second: '二审', retrial: '再审' };
const LOSS_ZH: Record<string, string> = {
  revoke: '撤销',
  confirm_illegal: '确认违法',
  confirm_invalid: '确认无效',
  change: '变更',
  order_performance: '责令履行职责',
  order_payment: '履行给付义务',
  compensation: '赔偿',
};
const STATUS_ZH: Record<string, string> = { open: '未办', done: '已办', overdue: '逾期未办', remedied: '逾期补办', waived: '免除' };
const AFTER_LOSS = ['loss_analysis_report', 'three_ones_plan', 'performance'];

/** The monthly ledger of a region as of the end of the month (`month` = 2026-11). */
export async function ledger(
  deps: Deps,
  p: Principal,
  regionCode: string,
  month: string,
  unit?: string,
): Promise<{ regionCode: string; regionName: string; month: string; asOf: string; sheets: LedgerSheet[] }> {
  if (p.role === 'liaison' || p.role === 'court')
    throw new Problem('forbidden', 'the ledger is the justice bureau’s working list; the court side sees the figures and meeting packs');
  const scope = await statisticsScope(deps, p, { period: month, regions: [regionCode], ...(unit ? { unit } : {}) });
  if (scope.period.kind !== 'month') throw new Problem('bad-request', `the ledger is monthly: give month=YYYY-MM, not "${month}"`);
  const facts = await loadFacts(deps, [regionCode], scope.period, { wholeHistory: true });
  const f = scope.filters;
  const all = facts.cases.filter((c) => !f.unitId || c.unitId === f.unitId);
  const pending = all.filter((c) => !c.conclusion);
  const lost = all.filter((c) => c.conclusion && classify(c.conclusion).loss);
  const { startMs } = periodInstants(scope.period);
  const fresh = all.filter((c) => c.createdAt >= startMs && c.instance === 'first');
  const ids = [...new Set([...pending, ...lost, ...fresh].map((c) => c.caseId))];
  const info = new Map<string, { plaintiffs: string; act: string; court: string }>();
  const after = new Map<string, Map<string, string>>();
  const archived = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const r of await deps.db.orm.select({ id: cases.id, factsJson: cases.factsJson }).from(cases).where(inArray(cases.id, chunk))) {
      const facts = JSON.parse(r.factsJson) as { plaintiffs?: { name: string }[]; challengedAct?: { description?: string }; court?: { name?: string } };
      info.set(r.id, {
        plaintiffs: (facts.plaintiffs ?? []).map((x) => x.name).join('、'),
        act: facts.challengedAct?.description ?? '',
        court: facts.court?.name ?? '',
      });
    }
    const lostChunk = chunk.filter((id) => lost.some((c) => c.caseId === id));
    if (lostChunk.length) {
      for (const o of await deps.db.orm
        .select({ caseId: obligations.caseId, kind: obligations.kind, status: obligations.status, dueOn: obligations.dueOn })
        .from(obligations)
        .where(and(inArray(obligations.caseId, lostChunk), inArray(obligations.kind, AFTER_LOSS), sql`${obligations.status} <> 'waived'`))) {
        const m = after.get(o.caseId!) ?? new Map<string, string>();
        m.set(o.kind, `${STATUS_ZH[o.status] ?? o.status}（${o.dueOn}）`);
        if (o.status === 'open' || o.status === 'overdue') m.set('_open', '1');
        after.set(o.caseId!, m);
      }
      for (const s of await deps.db.orm
        .select({ caseId: caseSteps.caseId })
        .from(caseSteps)
        .where(and(inArray(caseSteps.caseId, lostChunk), eq(caseSteps.kind, 'archived'))))
        archived.add(s.caseId);
    }
  }
  // Lost cases roll until settled: archived, or nothing after the loss still open [P 第十五条(一)].
  const stillLost = lost.filter((c) => !archived.has(c.caseId) && (after.get(c.caseId)?.has('_open') ?? true));
  const base = (c: CaseFact) => ({
    caseNumber: c.caseNumber,
    instance: INSTANCE_ZH[c.instance] ?? c.instance,
    receivedOn: beijingDateOf(c.createdAt),
    unit: c.unitName ?? '（待分办）',
    domain: c.domain ?? '',
    plaintiffs: info.get(c.caseId)?.plaintiffs ?? '',
    act: info.get(c.caseId)?.act ?? '',
    court: info.get(c.caseId)?.court ?? '',
  });
  const baseCols = [
    { key: 'caseNumber', header: '案号' },
    { key: 'instance', header: '审级' },
    { key: 'receivedOn', header: '收案日期' },
    { key: 'court', header: '审理法院' },
    { key: 'plaintiffs', header: '原告' },
    { key: 'act', header: '被诉行政行为' },
    { key: 'domain', header: '执法领域' },
    { key: 'unit', header: '承办单位' },
  ];
  const dir = await currentDirectory(deps);
  const byNumber = (a: { caseNumber: string }, b: { caseNumber: string }) => a.caseNumber.localeCompare(b.caseNumber, 'zh');
  return {
    regionCode,
    regionName: dir.index.region(regionCode)?.name ?? regionCode,
    month: scope.period.label,
    asOf: scope.period.to,
    sheets: [
      { kind: 'pending', title: '未结案件', columns: baseCols, rows: pending.map(base).sort(byNumber) },
      {
        kind: 'lost',
        title: '败诉案件',
        columns: [
          ...baseCols,
          { key: 'judgedOn', header: '裁判送达日期' },
          { key: 'lossKind', header: '败诉类型' },
          { key: 'effectiveOn', header: '生效日期' },
          { key: 'lossReport', header: '败诉分析报告' },
          { key: 'plan', header: '“三个一”方案' },
          { key: 'performance', header: '履行情况' },
        ],
        rows: stillLost
          .map((c) => ({
            ...base(c),
            judgedOn: beijingDateOf(c.conclusion!.arrivedAt),
            lossKind: LOSS_ZH[c.conclusion!.outcome.lossKind ?? ''] ?? '',
            effectiveOn: c.conclusion!.outcome.effectiveOn ?? '',
            lossReport: after.get(c.caseId)?.get('loss_analysis_report') ?? '',
            plan: after.get(c.caseId)?.get('three_ones_plan') ?? '',
            performance: after.get(c.caseId)?.get('performance') ?? '',
          }))
          .sort(byNumber),
      },
      { kind: 'new', title: '本月新收案件', columns: baseCols, rows: fresh.map(base).sort(byNumber) },
    ],
  };
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) || /^[=+\-@]/.test(v) ? `"${(/^[=+\-@]/.test(v) ? `'${v}` : v).replace(/"/g, '""')}"` : v);

/** One sheet as CSV: UTF-8 with a byte-order mark (Excel reads Chinese right), CRLF, formula-like cells neutralised. */
export function ledgerCsv(sheet: LedgerSheet): Uint8Array {
  const lines = [sheet.columns.map((c) => csvCell(c.header)).join(','), ...sheet.rows.map((r) => sheet.columns.map((c) => csvCell(r[c.key] ?? '')).join(','))];
  const body = new TextEncoder().encode(lines.join('\r\n') + '\r\n');
  const out = new Uint8Array(body.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(body, 3);
  return out;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A YYYY-MM-DD value as a Date (exceljs writes it as an Excel date serial), anything else as it is. */
const xlsxValue = (v: string): string | Date => (ISO_DATE.test(v) ? new Date(`${v}T00:00:00Z`) : v);
/** Columns a string takes in a spreadsheet: two for a CJK or full-width character, one otherwise. */
const displayWidth = (v: string) =>
  [...v].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);

/** The ledger as an XLSX workbook, one sheet per kind (exceljs, loaded only when asked for), with real dates, filters and widths. */
export async function ledgerXlsx(data: Awaited<ReturnType<typeof ledger>>): Promise<Uint8Array> {
  const spec = 'exceljs';
  let ExcelJS: typeof import('exceljs');
  try {
    const mod = (await import(/* @vite-ignore */ spec)) as { default?: typeof import('exceljs') } & typeof import('exceljs');
    ExcelJS = mod.default ?? mod;
  } catch {
    throw new Problem('service-misconfigured', 'XLSX needs the Node runtime (exceljs); on this runtime ask for format=csv');
  }
  const wb = new ExcelJS.Workbook();
  wb.creator = '府院通 Fuyuan';
  wb.title = `${data.regionName} 行政诉讼工作台账 ${data.month}`;
  for (const s of data.sheets) {
    const ws = wb.addWorksheet(s.title, { views: [{ state: 'frozen', ySplit: 2 }] });
    ws.addRow([`${data.regionName} ${s.title}（${data.month}，截至 ${data.asOf}）依据 P 第十五条(一)`]);
    ws.mergeCells(1, 1, 1, s.columns.length);
    ws.getRow(1).font = { bold: true, size: 13 };
    ws.addRow(s.columns.map((c) => c.header)).font = { bold: true };
    // A date is an Excel date (sorts and filters as one), shown as 2026-11-23; the rest stays text.
    for (const r of s.rows) ws.addRow(s.columns.map((c) => xlsxValue(r[c.key] ?? '')));
    s.columns.forEach((c, i) => {
      const col = ws.getColumn(i + 1);
      const values = s.rows.map((r) => r[c.key] ?? '');
      if (values.some((v) => ISO_DATE.test(v))) col.eachCell({ includeEmpty: false }, (cell, row) => row > 2 && (cell.numFmt = 'yyyy-mm-dd'));
      // Wide enough for the header and the longest value (a CJK character is two columns), 8 … 60.
      col.width = Math.min(60, Math.max(8, ...[c.header, ...values].map(displayWidth)) + 2);
    });
    // A filter on the header row over every column, so a clerk can filter by unit, court or status.
    ws.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2 + s.rows.length, column: s.columns.length } };
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** Half-year or annual report data [S 五(二), G 半年报告]: every figure with its definition, per region, per unit and per domain. */
export async function reportData(deps: Deps, p: Principal, period: string, regions?: string[]) {
  const per = parsePeriod(period);
  if (per.kind !== 'half' && per.kind !== 'year') throw new Problem('bad-request', `a report covers a half-year (2026-H1) or a year (2026), not "${period}"`);
  const scope = await statisticsScope(deps, p, { period, ...(regions?.length ? { regions } : {}) });
  const dir = await currentDirectory(deps);
  const r = await computeScope(deps, scope);
  const domains = [...new Set(r.facts.cases.map((c) => c.domain ?? '（未载明）'))].sort();
  const byDomain = [];
  for (const d of domains) {
    const sub = await computeScope(deps, { ...scope, filters: { ...scope.filters, domain: d } }, ['new_cases', 'loss_rate', 'revoke_change_rate']);
    if (sub.total.some((v) => v.numerator || v.denominator))
      byDomain.push({ domain: d, figures: sub.total.map((v) => ({ id: v.id, numerator: v.numerator, denominator: v.denominator, rate: v.rate })) });
  }
  return {
    kind: per.kind === 'half' ? ('half_year_report' as const) : ('annual_report' as const),
    title: per.kind === 'half' ? `${per.label} 行政应诉工作半年分析` : `${per.label} 年度行政应诉工作报告`,
    period: per,
    asOf: r.today,
    regions: scope.regions.map((code) => ({ code, name: dir.index.region(code)?.name ?? code })),
    figures: r.total.map((v) => presentFigure(v, { withUnits: true })),
    byRegion: r.perRegion.map((x) => ({ regionCode: x.regionCode, figures: x.figures.map((v) => presentFigure(v)) })),
    byDomain,
    source: 'S 五(二)（年度报告）; G 建立半年报告、通报制度; docs/domain.md §7',
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/** A meeting pack as a printable page (Chinese), server-rendered. */
export function packHtml(pack: { id: string; contentDigest: string; content: PackContent }): string {
  const c = pack.content;
  const rows = c.figures
    .map((f) => {
      const d = FIGURES[f.id];
      const cases = f.items.filter((i) => i.inNumerator).map((i) => i.caseNumber ?? i.ref ?? '—');
      return `<tr><td><b>${esc(d.name.zh)}</b>${f.variant ? `<br><small>口径：${esc(d.variants?.find((v) => v.id === f.variant)?.name.zh ?? f.variant)}</small>` : ''}</td>
<td class="n">${f.numerator}</td><td class="n">${f.denominator ?? '—'}</td><td class="n">${d.kind === 'rate' ? pct(f.rate) : f.numerator}</td>
<td><small>分子：${esc(d.numerator.zh)}<br>分母：${esc(d.denominator?.zh ?? '—')}<br>${esc(d.definition.zh)}<br>依据：${esc(
        d.source
          .split(/\s*;\s*/)
          .filter((x) => !/DOMAIN\.md/.test(x))
          .join('；'),
      )}</small></td>
<td><small>${cases.length ? cases.slice(0, 50).map(esc).join('<br>') + (cases.length > 50 ? `<br>……共 ${cases.length} 件` : '') : '—'}</small></td></tr>`;
    })
    .join('\n');
  const regional = c.byRegion
    .map(
      (r) =>
        `<tr><td>${esc(c.regions.find((x) => x.code === r.regionCode)?.name ?? r.regionCode)}</td>${r.figures.map((f) => `<td class="n">${FIGURES[f.id].kind === 'rate' ? pct(f.rate) : f.numerator}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>府院联席会议材料 ${esc(c.meetingDate)}</title>
<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border:1px solid #999;padding:4px 6px;vertical-align:top}th{background:#eee}.n{text-align:right;white-space:nowrap}small{color:#333}@media print{body{margin:1cm}}</style></head>
<body>
<h1>府院联席会议统计材料</h1>
<p>会议日期：${esc(c.meetingDate)}　统计期间：${esc(c.period.from)} 至 ${esc(c.period.to)}（${esc(c.period.label)}）　数据截至：${esc(c.asOf)}</p>
<p>区域：${c.regions.map((r) => esc(r.name)).join('、')}</p>
${c.agendaNotes ? `<p>议程说明：${esc(c.agendaNotes)}</p>` : ''}
<table><thead><tr><th>指标</th><th>分子</th><th>分母</th><th>数值</th><th>口径（分子／分母、定义、依据）</th><th>分子所涉案件</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>分区域</h2>
<table><thead><tr><th>区域</th>${c.figures.map((f) => `<th>${esc(FIGURES[f.id].name.zh)}</th>`).join('')}</tr></thead><tbody>
${regional}
</tbody></table>
<p><small>本材料由府院通网关生成并签名（JWS，RFC 8785 规范化 JSON），编号 ${esc(pack.id)}，内容摘要 SHA-256 ${esc(pack.contentDigest)}；法院方可凭网关公钥（/.well-known/jwks.json）验证。</small></p>
</body></html>`;
}
