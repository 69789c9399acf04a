/** The table of obligations (时限事项) shared by the deadline board and the case page. */
import type { FC } from 'hono/jsx';
import type { ObligationRow } from '../data.js';
import { OBLIGATION_STATUS_ZH, publicSource } from '../labels.js';
import { ListTable } from './list.js';

export type Names = { unit: (id: string | null | undefined) => string; region: (code: string | null | undefined) => string };

const party: Record<string, string> = { unit: '承办单位', justice_bureau: '司法局', government_office: '政府办' };

/** A small form to close an open obligation: done, or waived with a reason (the same rule as the API). */
const CloseForm: FC<{ o: ObligationRow; back: string }> = ({ o, back }) => (
  <details data-close={o.id}>
    <summary>办结或免除</summary>
    <form method="post" action={`/web/obligations/${o.id}/close`} class="act">
      <input type="hidden" name="back" value={back} />
      <fieldset>
        <legend>处理方式</legend>
        <label class="inline">
          <input type="radio" name="status" value="done" required /> 已办结
        </label>
        <label class="inline">
          <input type="radio" name="status" value="waived" /> 免除
        </label>
      </fieldset>
      <label for={`close-reason-${o.id}`}>
        说明（免除时必填）
        <input type="text" id={`close-reason-${o.id}`} name="reason" maxlength={1000} />
      </label>
      <button type="submit">确定</button>
    </form>
  </details>
);

/** Obligations as a table; `caseColumn: false` where they are all of one case (the case page). */
export const ObligationTable: FC<{
  rows: ObligationRow[];
  n: Names;
  today: string;
  empty: string;
  testid: string;
  caseColumn?: boolean;
  closeBack?: string | undefined;
}> = ({ rows, n, today, empty, testid, caseColumn = true, closeBack }) => (
  <ListTable
    rows={rows}
    testid={testid}
    empty={empty}
    rowAttrs={(o) => ({ 'data-obligation': o.id, 'data-kind': o.kind, 'data-case': o.caseNumber ?? '' })}
    columns={[
      {
        label: '截止日期',
        cell: (o) => (
          <>
            {o.dueOn}
            {o.provisional ? (
              <span class="tag provisional" title="节假日安排尚未公布，日期可能调整">
                暂定
              </span>
            ) : null}
            {o.earliestDueOn ? <div class="muted">{`最早可能 ${o.earliestDueOn}（如周末调休上班）`}</div> : null}
            {o.dueSource === 'inferred' ? (
              <div class="muted" title="所依据的日期为推定，取得法院载明或记录的日期后重新计算">
                起算日推定
              </div>
            ) : null}
            {o.dueOn < today ? <div class="muted">{`逾期 ${Math.round((Date.parse(today) - Date.parse(o.dueOn)) / 86400_000)} 天`}</div> : null}
          </>
        ),
      },
      {
        label: '事项',
        cell: (o) => (
          <>
            {o.title.zh}
            {publicSource(o.source) ? <div class="muted small">{`依据：${publicSource(o.source)}`}</div> : null}
          </>
        ),
      },
      caseColumn && { label: '案号', cell: (o) => (o.caseId ? <a href={`/web/cases/${o.caseId}`}>{o.caseNumber ?? o.caseId}</a> : (o.caseNumber ?? '—')) },
      {
        label: '责任方',
        cell: (o) =>
          o.party === 'unit' ? (
            o.unitId ? (
              n.unit(o.unitId)
            ) : (
              <span class="muted">待司法局分办</span>
            )
          ) : (
            `${party[o.party] ?? '相关机关'}（${n.region(o.regionCode)}）`
          ),
      },
      {
        label: '状态',
        cell: (o) => (
          <>
            <span class={`tag ${(o.status === 'overdue' || o.status === 'open') && o.dueOn < today ? 'overdue' : ''}`}>
              {o.status === 'open' && o.dueOn < today ? '已逾期（待巡检）' : (OBLIGATION_STATUS_ZH[o.status] ?? '—')}
            </span>
            {closeBack && (o.status === 'open' || o.status === 'overdue') ? <CloseForm o={o} back={closeBack} /> : null}
          </>
        ),
      },
    ]}
  />
);
