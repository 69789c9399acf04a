/**
 * 台账与报告: the monthly ledger (P 第十五条(一)) as XLSX or CSV, the half-year and annual reports
 * (S 五(二), G 半年报告) with each figure's definition, and the signed meeting packs of the joint meeting
 * (S 五(八)): make, list, print, verify. All through the statistics, exports and packs services.
 */
import type { FC } from 'hono/jsx';
import { Flash, ListTable } from './list.js';
import type { comparePacks, listPacks } from '../../services/packs.js';
import type { reportData } from '../../services/exports.js';
import type { Principal } from '../../services/clients.js';
import { FIGURES, type FigureId } from '../../domain/statistics/index.js';
import { beijingTime, percent } from '../labels.js';

type Packs = Awaited<ReturnType<typeof listPacks>>;
type Report = Awaited<ReturnType<typeof reportData>>;

export const canLedger = (p: Principal) => p.role === 'admin' || p.role === 'justice_bureau' || p.role === 'government_office';

export const ReportsPage: FC<{
  p: Principal;
  regions: { code: string; name: string }[];
  month: string;
  periods: { value: string; label: string }[];
  packs: Packs;
  regionName: (code: string) => string;
  today: string;
  flash?: string | undefined;
}> = ({ p, regions, month, periods, packs, regionName, today, flash }) => (
  <>
    <h1>台账与报告</h1>
    <Flash text={flash} />
    {canLedger(p) ? (
      <section class="card" aria-labelledby="ledger-h">
        <h2 id="ledger-h" style="margin-top:0">
          月度台账
        </h2>
        <p class="muted small">在办案件、败诉案件（滚动报送至审结或化解）和本月新收案件三张表，截至所选月份月末（P 第十五条(一)）。</p>
        <form method="get" action="/web/reports/ledger" class="filters" data-testid="ledger-form" data-download>
          {regions.length > 1 ? (
            <label for="l-region">
              行政区划
              <select id="l-region" name="region">
                {regions.map((r) => (
                  <option value={r.code}>{r.name}</option>
                ))}
              </select>
            </label>
          ) : (
            <input type="hidden" name="region" value={regions[0]?.code ?? ''} />
          )}
          <label for="l-month">
            月份
            <input type="month" id="l-month" name="month" value={month} required />
          </label>
          <label for="l-format">
            格式
            <select id="l-format" name="format">
              <option value="xlsx">Excel 工作簿（三张表）</option>
              <option value="csv-pending">CSV：在办案件</option>
              <option value="csv-lost">CSV：败诉案件</option>
              <option value="csv-new">CSV：本月新收</option>
            </select>
          </label>
          <button type="submit" class="primary">
            下载台账
          </button>
        </form>
        <p class="muted small">生成需要几秒钟：生成期间页面显示“正在生成…”，完成后浏览器开始下载。</p>
      </section>
    ) : null}

    <section class="card" aria-labelledby="report-h">
      <h2 id="report-h" style="margin-top:0">
        半年与年度报告
      </h2>
      <form method="get" action="/web/reports/report" class="filters" data-testid="report-form" data-busy>
        <label for="r-period">
          期间
          <select id="r-period" name="period">
            {periods.map((x) => (
              <option value={x.value}>{x.label}</option>
            ))}
          </select>
        </label>
        {regions.length > 1 ? (
          <label for="r-region">
            行政区划
            <select id="r-region" name="region">
              <option value="">全部可见区域</option>
              {regions.map((r) => (
                <option value={r.code}>{r.name}</option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit">查看报告</button>
      </form>
    </section>

    <section class="card" aria-labelledby="packs-h">
      <h2 id="packs-h" style="margin-top:0">
        府院联席会议材料
      </h2>
      <p class="muted small">生成时冻结各项指标及其口径和所涉案件，由网关签名；法院方可凭网关公钥核验。</p>
      {p.role !== 'unit' ? (
        <form method="post" action="/web/reports/packs" class="act" data-testid="pack-form" data-busy>
          <label for="p-date">
            会议日期
            <input type="date" id="p-date" name="meetingDate" value={today} required />
          </label>
          <label for="p-period">
            统计期间
            <select id="p-period" name="period">
              {periods.map((x) => (
                <option value={x.value}>{x.label}</option>
              ))}
            </select>
          </label>
          {regions.length > 1 ? (
            <fieldset>
              <legend>区域</legend>
              {regions.map((r) => (
                <label class="inline">
                  <input type="checkbox" name="regions" value={r.code} checked /> {r.name}
                </label>
              ))}
            </fieldset>
          ) : (
            <input type="hidden" name="regions" value={regions[0]?.code ?? ''} />
          )}
          <label for="p-notes">
            议程说明（可不填）
            <textarea id="p-notes" name="agendaNotes" rows={2} maxlength={2000}></textarea>
          </label>
          <button type="submit" class="primary">
            生成会议材料
          </button>
        </form>
      ) : null}
      {packs.length === 0 ? (
        <p class="empty" data-testid="packs-empty">
          尚未生成会议材料。
        </p>
      ) : (
        <table class="rt" data-testid="packs">
          <thead>
            <tr>
              <th>会议日期</th>
              <th>统计期间</th>
              <th>区域</th>
              <th>生成时间</th>
              <th>操作</th>
            </tr>
          </thead>
          <tbody>
            {packs.map((k, i) => (
              <tr data-pack={k.id}>
                <td data-label="会议日期">{k.meetingDate}</td>
                <td data-label="统计期间">{`${k.periodFrom} 至 ${k.periodTo}`}</td>
                <td data-label="区域">{k.regions.map(regionName).join('、')}</td>
                <td data-label="生成时间">{beijingTime(k.createdAt)}</td>
                <td data-label="操作">
                  <a href={`/web/reports/packs/${k.id}/print`} data-busy>
                    打印
                  </a>{' '}
                  · <a href={`/web/reports/packs/${k.id}/verify`}>核验签名</a>
                  {packs[i + 1] ? (
                    <>
                      {' · '}
                      <a href={`/web/reports/packs/${k.id}/compare/${packs[i + 1]!.id}`} data-busy>
                        与上一次比较
                      </a>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  </>
);

const value = (f: { id: string; numerator: number; rate: number | null }) =>
  FIGURES[f.id as FigureId]?.kind === 'rate' ? percent(f.rate) : String(f.numerator);

type FigureRow = { id: string; numerator: number; rate: number | null };

/** One section of a report: a row per region (or domain), a column per figure, each under the figure's own name. */
const Breakdown: FC<{ title: string; first: string; rows: { label: string; figures: FigureRow[] }[] }> = ({ title, first, rows }) => (
  <>
    <h2>{title}</h2>
    <ListTable
      rows={rows}
      testid={`report-${first === '区域' ? 'regions' : 'domains'}`}
      empty="无数据"
      columns={[
        { label: first, cell: (x) => x.label },
        ...(rows[0]?.figures ?? []).map((f, i) => ({
          label: FIGURES[f.id as FigureId]?.name.zh ?? '指标',
          cell: (x: { figures: FigureRow[] }) => (x.figures[i] ? value(x.figures[i]) : '—'),
        })),
      ]}
    />
  </>
);

export const ReportPage: FC<{ r: Report; regionName: (code: string) => string }> = ({ r, regionName }) => (
  <>
    <h1>{r.title}</h1>
    <p class="muted">{`${r.regions.map((x) => x.name).join('、')} · 统计期间 ${r.period.from} 至 ${r.period.to} · 数据截至 ${r.asOf}`}</p>
    <table class="rt" data-testid="report-figures">
      <thead>
        <tr>
          <th>指标</th>
          <th>数值</th>
          <th style="white-space:nowrap">分子／分母</th>
          <th>口径</th>
        </tr>
      </thead>
      <tbody>
        {r.figures.map((f) => {
          const d = FIGURES[f.id as FigureId];
          return (
            <tr data-figure={f.id}>
              <td data-label="指标">{d?.name.zh ?? '指标'}</td>
              <td data-label="数值" style="white-space:nowrap">
                {value(f)}
              </td>
              <td data-label="分子／分母" style="white-space:nowrap">
                {f.denominator === null || f.denominator === undefined ? String(f.numerator) : `${f.numerator}／${f.denominator}`}
              </td>
              <td data-label="口径" class="small">
                {d ? `${d.numerator.zh}${d.denominator ? ` ÷ ${d.denominator.zh}` : ''}。${d.definition.zh}` : ''}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
    {r.byRegion.length > 1 ? (
      <Breakdown title="分区域" first="区域" rows={r.byRegion.map((x) => ({ label: regionName(x.regionCode), figures: x.figures }))} />
    ) : null}
    {r.byDomain.length ? <Breakdown title="分执法领域" first="领域" rows={r.byDomain.map((x) => ({ label: x.domain, figures: x.figures }))} /> : null}
    <p>
      <a href="/web/reports">← 返回台账与报告</a>
    </p>
  </>
);

export const VerifyPage: FC<{
  ok: boolean;
  pack: { id: string; meetingDate: string; contentDigest: string };
  kid?: string | undefined;
  why?: string | undefined;
}> = ({ ok, pack, kid, why }) => (
  <>
    <h1>会议材料签名核验</h1>
    <div class={`flash ${ok ? '' : 'error'}`} role="status" data-testid="verify-result">
      {ok ? `签名有效：${pack.meetingDate} 的会议材料自生成以来未被改动。` : `签名无效：${why ?? '内容与签名不符'}`}
    </div>
    <dl class="facts">
      <dt>内容摘要（SHA-256）</dt>
      <dd class="code">{pack.contentDigest}</dd>
      {kid ? (
        <>
          <dt>签名密钥</dt>
          <dd class="code">{kid}</dd>
        </>
      ) : null}
    </dl>
    <p class="muted small">核验使用网关公布的公钥（与法院方核验所用相同）。</p>
    <p>
      <a href={`/web/reports/packs/${pack.id}/print`}>打印材料</a> · <a href="/web/reports">← 返回台账与报告</a>
    </p>
  </>
);

type Comparison = Awaited<ReturnType<typeof comparePacks>>;

const signed = (x: number | null, rate: boolean) => (x === null ? '—' : `${x > 0 ? '+' : ''}${rate ? `${(x * 100).toFixed(1)} 个百分点` : x}`);

/** What changed since the last meeting's pack: each figure before and after, and the cases added or removed. */
export const ComparePage: FC<{ r: Comparison }> = ({ r }) => (
  <>
    <h1>会议材料比较</h1>
    <p class="muted">{`${r.pack.meetingDate}（${r.pack.period.label}）与 ${r.since.meetingDate}（${r.since.period.label}）相比`}</p>
    <table class="rt" data-testid="compare">
      <thead>
        <tr>
          <th>指标</th>
          <th>上次</th>
          <th>本次</th>
          <th>变化</th>
          <th>新增／移出案件</th>
        </tr>
      </thead>
      <tbody>
        {r.figures.map((f) => {
          const rate = FIGURES[f.id as FigureId]?.kind === 'rate';
          return (
            <tr data-figure={f.id}>
              <td data-label="指标">{f.name.zh}</td>
              <td data-label="上次">{rate ? percent(f.before.rate) : String(f.before.numerator)}</td>
              <td data-label="本次">{rate ? percent(f.after.rate) : String(f.after.numerator)}</td>
              <td data-label="变化">{rate ? signed(f.delta.rate, true) : signed(f.delta.numerator, false)}</td>
              <td data-label="新增／移出案件" class="small">
                {f.added.length ? `新增 ${f.added.map((x) => x.caseNumber ?? '（无案号）').join('、')}` : ''}
                {f.added.length && f.removed.length ? '；' : ''}
                {f.removed.length ? `移出 ${f.removed.map((x) => x.caseNumber ?? '（无案号）').join('、')}` : ''}
                {!f.added.length && !f.removed.length ? '—' : ''}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
    <p>
      <a href="/web/reports">← 返回台账与报告</a>
    </p>
  </>
);
