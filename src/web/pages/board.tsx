/** 时限看板: overdue, due this week, due next week, and remediation items, for the principal's scope. */
import type { FC } from 'hono/jsx';
import type { Board, RemediationRow } from '../data.js';
import { beijingTime } from '../labels.js';
import { ObligationTable, type Names } from './obligations.js';
import { FilterSelect } from './list.js';

const RemediationTable: FC<{ rows: RemediationRow[]; n: Names }> = ({ rows, n }) =>
  rows.length === 0 ? (
    <p class="empty" data-testid="remediation-empty">
      暂无整改事项。
    </p>
  ) : (
    <table class="rt" data-testid="remediation">
      <thead>
        <tr>
          <th>逾期事项</th>
          <th>原截止日期</th>
          <th>案号</th>
          <th>责任单位</th>
          <th>列入整改</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr data-remediation={r.id} data-case={r.caseNumber ?? ''}>
            <td data-label="逾期事项">{r.titleZh}</td>
            <td data-label="原截止日期">{r.dueOn}</td>
            <td data-label="案号">{r.caseId ? <a href={`/web/cases/${r.caseId}`}>{r.caseNumber ?? r.caseId}</a> : '—'}</td>
            <td data-label="责任单位">{r.unitId ? n.unit(r.unitId) : n.region(r.regionCode)}</td>
            <td data-label="列入整改">{beijingTime(r.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );

export const BoardPage: FC<{ b: Board; n: Names; scopeLabel: string; regions?: { code: string; name: string }[]; region?: string | undefined }> = ({
  b,
  n,
  scopeLabel,
  regions,
  region,
}) => (
  <>
    <h1>时限看板</h1>
    <p class="muted">
      {scopeLabel} · 今天 {b.today} · 本周 {b.week.monday} 至 {b.week.sunday}（北京时间）
    </p>
    {regions ? (
      <form method="get" action="/web/board" class="filters">
        <FilterSelect id="board-region" name="region" label="行政区划" options={regions.map((r) => ({ value: r.code, label: r.name }))} selected={region} />
        <button type="submit">筛选</button>
      </form>
    ) : null}
    <div class="cards">
      <div class="card">
        <div class="muted">已逾期</div>
        <div class={`num ${b.overdue.length ? 'warn' : ''}`} data-testid="count-overdue">
          {b.overdue.length}
        </div>
      </div>
      <div class="card">
        <div class="muted">本周到期</div>
        <div class="num" data-testid="count-this-week">
          {b.dueThisWeek.length}
        </div>
      </div>
      <div class="card">
        <div class="muted">下周到期</div>
        <div class="num">{b.dueNextWeek.length}</div>
      </div>
      <div class="card">
        <div class="muted">整改事项</div>
        <div class={`num ${b.remediation.length ? 'warn' : ''}`} data-testid="count-remediation">
          {b.remediation.length}
        </div>
      </div>
    </div>
    <h2 id="overdue">已逾期</h2>
    <ObligationTable rows={b.overdue} n={n} today={b.today} empty="没有逾期事项。" testid="overdue" />
    <h2 id="this-week">本周到期</h2>
    <ObligationTable rows={b.dueThisWeek} n={n} today={b.today} empty="本周没有到期事项。" testid="this-week" />
    <h2 id="next-week">下周到期</h2>
    <ObligationTable rows={b.dueNextWeek} n={n} today={b.today} empty="下周没有到期事项。" testid="next-week" />
    <h2 id="remediation">整改事项</h2>
    <RemediationTable rows={b.remediation} n={n} />
  </>
);
