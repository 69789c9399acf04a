/** The table of obligations (时限事项) shared by the deadline board and the case page. */
import type { FC } from 'hono/jsx';
import type { ObligationRow } from '../data.js';
import { OBLIGATION_STATUS_ZH } from '../labels.js';

export type Names = { unit: (id: string | null | undefined) => string; region: (code: string | null | undefined) => string };

const party: Record<string, string> = { unit: '承办单位', justice_bureau: '司法局', government_office: '政府办' };

/** Obligations as a table; `caseColumn: false` where they are all of one case (the case page). */
export const ObligationTable: FC<{ rows: ObligationRow[]; n: Names; today: string; empty: string; testid: string; caseColumn?: boolean }> = ({ rows, n, today, empty, testid, caseColumn = true }) =>
  rows.length === 0 ? (
    <p class="empty" data-testid={`${testid}-empty`}>
      {empty}
    </p>
  ) : (
    <table data-testid={testid}>
      <thead>
        <tr>
          <th>截止日期</th>
          <th>事项</th>
          {caseColumn ? <th>案号</th> : null}
          <th>责任方</th>
          <th>状态</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((o) => (
          <tr data-obligation={o.id} data-kind={o.kind} data-case={o.caseNumber ?? ''}>
            <td>
              {o.dueOn}
              {o.provisional ? <span class="tag provisional" title="节假日安排尚未公布，日期可能调整">暂定</span> : null}
              {o.earliestDueOn ? <div class="muted">{`最早可能 ${o.earliestDueOn}（如周末调休上班）`}</div> : null}
              {o.dueSource === 'inferred' ? <div class="muted" title="所依据的日期为推定，取得法院载明或记录的日期后重新计算">起算日推定</div> : null}
              {o.dueOn < today ? <div class="muted">{`逾期 ${Math.round((Date.parse(today) - Date.parse(o.dueOn)) / 86400_000)} 天`}</div> : null}
            </td>
            <td>
              {o.title.zh}
              <div>
                <small class="code">{`${o.kind} · ${o.source}`}</small>
              </div>
            </td>
            {caseColumn ? <td>{o.caseId ? <a href={`/web/cases/${o.caseId}`}>{o.caseNumber ?? o.caseId}</a> : (o.caseNumber ?? '—')}</td> : null}
            <td>{o.party === 'unit' ? (o.unitId ? n.unit(o.unitId) : <span class="muted">待司法局分办</span>) : `${party[o.party] ?? o.party}（${n.region(o.regionCode)}）`}</td>
            <td>
              <span class={`tag ${o.status === 'overdue' || o.dueOn < today ? 'overdue' : ''}`}>{o.status === 'open' && o.dueOn < today ? '已逾期（待巡检）' : (OBLIGATION_STATUS_ZH[o.status] ?? o.status)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
