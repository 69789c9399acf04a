/** 案件列表: search by case number or party, filter by unit, status and deadline (src/services/cases.ts). */
import type { FC } from 'hono/jsx';
import type { listCases } from '../../services/cases.js';
import { ASSIGNMENT_ROLE_ZH, INSTANCE_ZH } from '../labels.js';

type CaseList = Awaited<ReturnType<typeof listCases>>;

export interface CaseQuery {
  q?: string | undefined;
  unit?: string | undefined;
  status?: string | undefined;
  dueBefore?: string | undefined;
}

const STATUS_ZH: Record<string, string> = { queued: '待分办', assigned: '已分办', overdue: '有逾期事项' };

export const CasesPage: FC<{ list: CaseList; q: CaseQuery; units: { id: string; name: string }[]; scopeLabel: string; next?: string | undefined }> = ({ list, q, units, scopeLabel, next }) => (
  <>
    <h1>案件</h1>
    <p class="muted">{scopeLabel} · 按收案时间倒序；可按案号、当事人、承办单位、状态和截止日期查找。</p>
    <form method="get" action="/web/cases" class="filters" role="search" aria-label="查找案件">
      <label for="c-q">
        案号或当事人
        <input type="search" id="c-q" name="q" value={q.q ?? ''} maxlength={100} />
      </label>
      {units.length ? (
        <label for="c-unit">
          承办单位
          <select id="c-unit" name="unit">
            <option value="">全部</option>
            {units.map((u) => (
              <option value={u.id} selected={q.unit === u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label for="c-status">
        状态
        <select id="c-status" name="status">
          <option value="">全部</option>
          {Object.entries(STATUS_ZH).map(([k, v]) => (
            <option value={k} selected={q.status === k}>
              {v}
            </option>
          ))}
        </select>
      </label>
      <label for="c-due">
        截止日期不晚于
        <input type="date" id="c-due" name="dueBefore" value={q.dueBefore ?? ''} />
      </label>
      <button type="submit">查找</button>
    </form>
    {list.items.length === 0 ? (
      <p class="empty" data-testid="cases-empty">
        没有符合条件的案件。
      </p>
    ) : (
      <table class="rt" data-testid="cases">
        <thead>
          <tr>
            <th>案号</th>
            <th>原告</th>
            <th>被告</th>
            <th>承办单位</th>
            <th>最近截止</th>
            <th>状态</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((c) => (
            <tr data-case={c.caseNumber}>
              <td data-label="案号">
                <a href={`/web/cases/${c.id}`}>{c.caseNumber}</a>
                <div class="muted small">{INSTANCE_ZH[c.instance] ?? ''}</div>
              </td>
              <td data-label="原告">{c.plaintiffs.join('、') || '—'}</td>
              <td data-label="被告">{c.defendants.join('、') || '—'}</td>
              <td data-label="承办单位">{c.units.length ? c.units.map((u) => `${u.unitName}（${ASSIGNMENT_ROLE_ZH[u.role] ?? '承办'}）`).join('、') : '—'}</td>
              <td data-label="最近截止">{c.nextDue ?? '—'}</td>
              <td data-label="状态">
                {c.routingStatus === 'queued' ? <span class="tag overdue">待分办</span> : <span class="tag">已分办</span>}
                {c.overdue ? <span class="tag overdue">{`逾期 ${c.overdue} 项`}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    {next ? (
      <p>
        <a href={next}>下一页 →</a>
      </p>
    ) : null}
  </>
);
