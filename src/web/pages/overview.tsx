/**
 * 区域概况: the shared figures of the joint government–court meeting (docs/domain.md §7) for one region and year,
 * each with its numerator and denominator, drawn as SVG on the server.
 */
import type { FC } from 'hono/jsx';
import { BarChart, LineChart } from '../charts.js';
import { percent } from '../labels.js';

export interface Ratio {
  numerator: number;
  denominator: number;
  /** numerator / denominator; null when there is nothing to divide. */
  rate: number | null;
}

export interface OverviewFigures {
  regionCode: string;
  regionName: string;
  year: number;
  /** First-instance cases received, per month (1…12). */
  newCasesByMonth: { month: number; count: number }[];
  newCasesTotal: number;
  lossRateByUnit: ({ unitId: string; unitName: string } & Ratio)[];
  lossRate: Ratio;
  appearance: Ratio & { principal?: Ratio };
  onTime: ({ key: string; labelZh: string } & Ratio)[];
  /** How each figure is counted, in Chinese, shown under the charts. */
  definitions: { labelZh: string; definitionZh: string; source?: string }[];
  asOf?: string;
  /** Shown above the charts when the figures are not (yet) available. */
  notice?: string;
}

const frac = (r: Ratio) => `${r.numerator}/${r.denominator}`;

export const OverviewPage: FC<{ f: OverviewFigures; regions: { code: string; name: string }[]; years: number[] }> = ({ f, regions, years }) => (
  <>
    <h1>
      区域概况 · {f.regionName} {f.year} 年 <small class="code">{`overview ${f.regionCode} ${f.year}`}</small>
    </h1>
    <form method="get" action="/web/overview" class="filters">
      <label>
        行政区划{' '}
        <select name="region">
          {regions.map((r) => (
            <option value={r.code} selected={r.code === f.regionCode}>{`${r.name} ${r.code}`}</option>
          ))}
        </select>
      </label>
      <label>
        年度{' '}
        <select name="year">
          {years.map((y) => (
            <option value={String(y)} selected={y === f.year}>
              {y}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">查看</button>
    </form>
    {f.asOf ? <p class="muted">数据截至 {f.asOf}</p> : null}
    {f.notice ? (
      <p class="flash error" data-testid="overview-notice">
        {f.notice}
      </p>
    ) : null}
    <div class="cards">
      <div class="card">
        <div class="muted">新收一审案件</div>
        <div class="num" data-testid="new-cases">
          {f.newCasesTotal}
        </div>
      </div>
      <div class="card">
        <div class="muted">败诉率</div>
        <div class="num" data-testid="loss-rate">
          {percent(f.lossRate.rate)}
        </div>
        <small class="code">{frac(f.lossRate)}</small>
      </div>
      <div class="card">
        <div class="muted">负责人出庭率</div>
        <div class="num" data-testid="appearance-rate">
          {percent(f.appearance.rate)}
        </div>
        <small class="code">{frac(f.appearance)}</small>
        {f.appearance.principal ? <div class="muted">{`其中正职 ${percent(f.appearance.principal.rate)}（${frac(f.appearance.principal)}）`}</div> : null}
      </div>
    </div>
    <div class="charts">
      <div class="card">
        <h2 style="margin-top:0">
          每月新收案件 <small class="code">new cases per month</small>
        </h2>
        <LineChart id="new-cases" title={`${f.regionName} ${f.year} 年每月新收一审行政案件数`} points={f.newCasesByMonth.map((m) => ({ label: `${m.month}月`, value: m.count }))} />
      </div>
      <div class="card">
        <h2 style="margin-top:0">
          各单位败诉率 <small class="code">loss rate by unit</small>
        </h2>
        <BarChart
          id="loss-by-unit"
          title={`${f.regionName} ${f.year} 年各单位败诉率`}
          items={f.lossRateByUnit.map((u) => ({ label: u.unitName, value: u.rate, note: frac(u) }))}
          empty="本年度尚无实体审结案件"
        />
      </div>
      <div class="card">
        <h2 style="margin-top:0">
          出庭与按时办理 <small class="code">appearance and on-time rates</small>
        </h2>
        <BarChart
          id="rates"
          color="#2e7d32"
          title={`${f.regionName} ${f.year} 年负责人出庭率与各项按时率`}
          items={[{ label: '负责人出庭率', value: f.appearance.rate, note: frac(f.appearance) }, ...f.onTime.map((o) => ({ label: o.labelZh, value: o.rate, note: frac(o) }))]}
        />
      </div>
    </div>
    {f.definitions.length ? (
      <>
        <h2>
          口径说明 <small class="code">definitions</small>
        </h2>
        <table data-testid="definitions">
          <tbody>
            {f.definitions.map((d) => (
              <tr>
                <th style="width:22%">{d.labelZh}</th>
                <td>
                  {d.definitionZh} {d.source ? <small class="code">{d.source}</small> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    ) : null}
  </>
);
