/**
 * 区域概况: the shared figures of the joint government–court meeting (docs/domain.md §7) for one region and year,
 * each with its numerator and denominator, drawn as SVG on the server.
 */
import type { FC } from 'hono/jsx';
import { BarChart, LineChart } from '../charts.js';
import { percent, publicSource } from '../labels.js';
import { figureHref } from '../overview-data.js';

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

export const OverviewPage: FC<{ f: OverviewFigures; regions: { code: string; name: string }[]; years: number[] }> = ({ f, regions, years }) => {
  const drill = (figure: string, unit?: string, period = String(f.year)) => figureHref(figure, f.regionCode, period, unit);
  return (
    <>
      <h1>
        区域概况 · {f.regionName} {f.year} 年
      </h1>
      <form method="get" action="/web/overview" class="filters">
        <label for="ov-region">
          行政区划{' '}
          <select id="ov-region" name="region">
            {regions.map((r) => (
              <option value={r.code} selected={r.code === f.regionCode}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label for="ov-year">
          年度{' '}
          <select id="ov-year" name="year">
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
          <a class="num" data-testid="new-cases" href={drill('new_cases')} aria-label={`新收一审案件 ${f.newCasesTotal} 件，查看案件`}>
            {f.newCasesTotal}
          </a>
        </div>
        <div class="card">
          <div class="muted">败诉率</div>
          <a class="num" data-testid="loss-rate" href={drill('loss_rate')} aria-label={`败诉率 ${percent(f.lossRate.rate)}，查看案件`}>
            {percent(f.lossRate.rate)}
          </a>
          <div class="muted small">{`败诉 ${f.lossRate.numerator} 件／审结 ${f.lossRate.denominator} 件`}</div>
        </div>
        <div class="card">
          <div class="muted">负责人出庭率</div>
          <a class="num" data-testid="appearance-rate" href={drill('head_appearance_rate')} aria-label={`负责人出庭率 ${percent(f.appearance.rate)}，查看庭审`}>
            {percent(f.appearance.rate)}
          </a>
          <div class="muted small">{`出庭 ${f.appearance.numerator} 件／开庭 ${f.appearance.denominator} 件`}</div>
          {f.appearance.principal ? <div class="muted">{`其中正职 ${percent(f.appearance.principal.rate)}（${frac(f.appearance.principal)}）`}</div> : null}
        </div>
      </div>
      <div class="charts">
        <div class="card">
          <h2 style="margin-top:0">每月新收案件</h2>
          <LineChart
            id="new-cases"
            title={`${f.regionName} ${f.year} 年每月新收一审行政案件数`}
            points={f.newCasesByMonth.map((m) => ({ label: String(m.month), value: m.count }))}
            axisLabel="月份"
          />
          <ul class="months" data-testid="months" aria-label="各月案件">
            {f.newCasesByMonth.map((m) => (
              <li>
                <a
                  href={drill('new_cases', undefined, `${f.year}-${String(m.month).padStart(2, '0')}`)}
                  data-month={String(m.month)}
                >{`${m.month} 月 ${m.count} 件`}</a>
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2 style="margin-top:0">各单位败诉率</h2>
          <BarChart
            id="loss-by-unit"
            title={`${f.regionName} ${f.year} 年各单位败诉率`}
            items={f.lossRateByUnit.map((u) => ({ label: u.unitName, value: u.rate, note: frac(u), href: drill('loss_rate', u.unitId) }))}
            empty="本年度尚无实体审结案件"
          />
        </div>
        <div class="card">
          <h2 style="margin-top:0">出庭与按时办理</h2>
          <BarChart
            id="rates"
            color="#2e7d32"
            title={`${f.regionName} ${f.year} 年负责人出庭率与各项按时率`}
            items={[
              { label: '负责人出庭率', value: f.appearance.rate, note: frac(f.appearance), href: drill('head_appearance_rate') },
              ...f.onTime.map((o) => ({ label: o.labelZh, value: o.rate, note: frac(o), href: drill(o.key) })),
            ]}
          />
        </div>
      </div>
      {f.definitions.length ? (
        <>
          <h2>口径说明</h2>
          <table class="rt" data-testid="definitions">
            <tbody>
              {f.definitions.map((d) => (
                <tr>
                  <th style="width:22%">{d.labelZh}</th>
                  <td data-label="口径">
                    {d.definitionZh} {publicSource(d.source) ? <span class="muted small">{`依据：${publicSource(d.source)}`}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
};
