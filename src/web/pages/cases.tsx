/** 案件列表: search by case number or party, filter by unit, status and deadline (src/services/cases.ts). */
import type { FC } from 'hono/jsx';
import type { listCases } from '../../services/cases.js';
import { ASSIGNMENT_ROLE_ZH, INSTANCE_ZH } from '../labels.js';
import { FilterSelect, ListTable } from './list.js';

type CaseList = Awaited<ReturnType<typeof listCases>>;

export interface CaseQuery {
  q?: string | undefined;
  unit?: string | undefined;
  status?: string | undefined;
  dueBefore?: string | undefined;
}

const STATUS_ZH: Record<string, string> = { queued: '待分办', assigned: '已分办', overdue: '有逾期事项' };

export const CasesPage: FC<{ list: CaseList; q: CaseQuery; units: { id: string; name: string }[]; scopeLabel: string; next?: string | undefined }> = ({
  list,
  q,
  units,
  scopeLabel,
  next,
}) => (
  <>
    <h1>案件</h1>
    <p class="muted">{scopeLabel} · 按收案时间倒序；可按案号、当事人、承办单位、状态和截止日期查找。</p>
    <form method="get" action="/web/cases" class="filters" role="search" aria-label="查找案件">
      <label for="c-q">
        案号或当事人
        <input type="search" id="c-q" name="q" value={q.q ?? ''} maxlength={100} />
      </label>
      {units.length ? (
        <FilterSelect id="c-unit" name="unit" label="承办单位" options={units.map((u) => ({ value: u.id, label: u.name }))} selected={q.unit} />
      ) : null}
      <FilterSelect id="c-status" name="status" label="状态" options={STATUS_ZH} selected={q.status} />
      <label for="c-due">
        截止日期不晚于
        <input type="date" id="c-due" name="dueBefore" value={q.dueBefore ?? ''} />
      </label>
      <button type="submit">查找</button>
    </form>
    <ListTable
      rows={list.items}
      testid="cases"
      empty="没有符合条件的案件。"
      next={next}
      rowAttrs={(c) => ({ 'data-case': c.caseNumber })}
      columns={[
        {
          label: '案号',
          cell: (c) => (
            <>
              <a href={`/web/cases/${c.id}`}>{c.caseNumber}</a>
              <div class="muted small">{INSTANCE_ZH[c.instance] ?? ''}</div>
            </>
          ),
        },
        { label: '原告', cell: (c) => c.plaintiffs.join('、') || '—' },
        { label: '被告', cell: (c) => c.defendants.join('、') || '—' },
        { label: '承办单位', cell: (c) => (c.units.length ? c.units.map((u) => `${u.unitName}（${ASSIGNMENT_ROLE_ZH[u.role] ?? '承办'}）`).join('、') : '—') },
        { label: '最近截止', cell: (c) => c.nextDue ?? '—' },
        {
          label: '状态',
          cell: (c) => (
            <>
              {c.routingStatus === 'queued' ? <span class="tag overdue">待分办</span> : <span class="tag">已分办</span>}
              {c.overdue ? <span class="tag overdue">{`逾期 ${c.overdue} 项`}</span> : null}
            </>
          ),
        },
      ]}
    />
  </>
);
