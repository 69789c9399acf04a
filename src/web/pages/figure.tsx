/**
 * 统计口径下钻: the cases (or hearings, time-limit items) behind one figure of the shared statistics
 * (docs/domain.md §7), for one region, period and optionally one unit, with the figure's definition in words.
 * The rows come from the statistics service's drill-down, the same as GET /v1/statistics/{figure}/items: a
 * liaison or court gets case numbers only (no links into cases, no unit), as the API gives it.
 */
import type { FC } from 'hono/jsx';
import { percent, publicSource } from '../labels.js';

export interface FigureRow {
  caseNumber: string | null;
  regionName: string;
  unitName?: string | undefined;
  /** The case page, for a caller who may open it. */
  href?: string | undefined;
  inNumerator: boolean;
}

export interface FigureDrill {
  figureId: string;
  nameZh: string;
  kind: 'count' | 'rate';
  numeratorZh: string;
  denominatorZh: string | null;
  definitionZh: string;
  source: string;
  counts: 'case' | 'hearing' | 'obligation';
  numerator: number;
  denominator: number | null;
  rate: number | null;
  regionName: string;
  periodZh: string;
  unitName?: string | undefined;
  part: 'numerator' | 'denominator';
  rows: FigureRow[];
  figuresOnly: boolean;
  /** The overview this figure was clicked on. */
  back: string;
  /** The same drill-down, every item or the numerator's only. */
  allHref: string;
  numeratorHref: string;
}

const COUNTS_ZH = { case: '案件', hearing: '庭审', obligation: '时限事项' } as const;

/** A period as people say it: "2026 年", "2026 年 3 月", "2026 年上半年". */
export function periodZh(label: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})$/.exec(label))) return `${m[1]} 年`;
  if ((m = /^(\d{4})-(\d{2})$/.exec(label))) return `${m[1]} 年 ${Number(m[2])} 月`;
  if ((m = /^(\d{4})-H([12])$/.exec(label))) return `${m[1]} 年${m[2] === '1' ? '上' : '下'}半年`;
  if ((m = /^(\d{4})-Q([1-4])$/.exec(label))) return `${m[1]} 年第 ${m[2]} 季度`;
  if ((m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(label))) return `${m[1]} 至 ${m[2]}`;
  return label;
}

export const FigurePage: FC<{ d: FigureDrill }> = ({ d }) => {
  const what = COUNTS_ZH[d.counts];
  return (
    <>
      <p>
        <a href={d.back}>← 返回区域概况</a>
      </p>
      <h1>
        {d.nameZh} · {d.regionName}
        {d.unitName ? ` · ${d.unitName}` : ''} · {d.periodZh}
      </h1>
      <div class="card" data-testid="figure-value">
        {d.kind === 'rate' ? (
          <p>
            <strong class="num" data-testid="figure-rate">
              {percent(d.rate)}
            </strong>
            {'　'}
            {`${d.numeratorZh} `}
            <strong data-testid="figure-numerator">{d.numerator}</strong>
            {` ÷ ${d.denominatorZh ?? ''} `}
            <strong data-testid="figure-denominator">{d.denominator ?? 0}</strong>
          </p>
        ) : (
          <p>
            {`${d.numeratorZh}：`}
            <strong class="num" data-testid="figure-numerator">
              {d.numerator}
            </strong>
          </p>
        )}
        <h2 style="margin-top:12px">口径</h2>
        <p data-testid="figure-definition">{d.definitionZh}</p>
        {publicSource(d.source) ? <p class="muted small">{`依据：${publicSource(d.source)}`}</p> : null}
      </div>
      {d.kind === 'rate' ? (
        <p class="filters" aria-label="列出范围">
          {d.part === 'numerator' ? <a href={d.allHref}>{`列出分母全部${what}`}</a> : <strong>{`分母全部${what}`}</strong>}
          {d.part === 'numerator' ? <strong>{`只列分子（${d.numeratorZh}）`}</strong> : <a href={d.numeratorHref}>{`只列分子（${d.numeratorZh}）`}</a>}
        </p>
      ) : null}
      <h2>
        {`${d.part === 'numerator' || d.kind === 'count' ? '计入分子' : '计入分母'}的${what}：`}
        <span data-testid="drill-count">{d.rows.length}</span>
        {` ${what === '案件' ? '件' : what === '庭审' ? '次' : '项'}`}
      </h2>
      {d.figuresOnly ? <p class="muted small">府院联络与法院只看到案号；案件详情由承办单位和司法局查看。</p> : null}
      {d.rows.length === 0 ? (
        <p class="empty">没有计入该数字的{what}。</p>
      ) : (
        <table class="rt" data-testid="drill-items">
          <thead>
            <tr>
              <th scope="col">案号</th>
              <th scope="col">区域</th>
              {d.figuresOnly ? null : <th scope="col">承办单位</th>}
              {d.kind === 'rate' ? <th scope="col">计入分子</th> : null}
            </tr>
          </thead>
          <tbody>
            {d.rows.map((r) => (
              <tr data-in-numerator={r.inNumerator ? 'yes' : 'no'}>
                <td data-label="案号">{r.href ? <a href={r.href}>{r.caseNumber ?? '（无案号）'}</a> : (r.caseNumber ?? '（无案号）')}</td>
                <td data-label="区域">{r.regionName}</td>
                {d.figuresOnly ? null : <td data-label="承办单位">{r.unitName || '未分配'}</td>}
                {d.kind === 'rate' ? <td data-label="计入分子">{r.inNumerator ? '是' : '否'}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
};
