/** 案件: who answers the case now, its deadlines, and everything that happened, in order. */
import type { FC } from 'hono/jsx';
import type { caseView } from '../../services/assignments.js';
import type { TimelineEntry } from '../../services/steps.js';
import type { ObligationRow } from '../data.js';
import { ASSIGNMENT_ROLE_ZH, DOCUMENT_TYPE_ZH, TIMELINE_KIND_ZH, beijingTime } from '../labels.js';
import { ObligationTable } from './obligations.js';

type CaseView = Awaited<ReturnType<typeof caseView>>;

const WHO_ZH: Record<string, string> = { court: '法院', rules: '规则引擎', gateway: '府院通网关', sweep: '自动巡检' };
const INSTANCE_ZH: Record<string, string> = { first: '一审', second: '二审', retrial: '再审' };

export const CasePage: FC<{
  c: CaseView;
  timeline: TimelineEntry[];
  obligations: ObligationRow[];
  explanations: Map<string, string>;
  regionName: string;
  unitName: (id: string | null | undefined) => string;
  today: string;
}> = ({ c, timeline, obligations, explanations, regionName, unitName, today }) => (
  <>
    <h1>
      {c.caseNumber} <small class="code">{c.id}</small>
    </h1>
    <p class="muted">
      {INSTANCE_ZH[c.instance] ?? c.instance} · 法院 <span class="code">{c.courtCode}</span> · 区划 {regionName || '未确定'} {c.regionCode ? <span class="code">{c.regionCode}</span> : null} ·{' '}
      {c.routingStatus === 'assigned' ? '已分办' : <span class="tag overdue">待司法局分办</span>}
    </p>

    <h2>
      承办单位 <small class="code">assignments</small>
    </h2>
    {c.assignments.length === 0 ? (
      <p class="empty">尚未分办。</p>
    ) : (
      <table data-testid="assignments">
        <thead>
          <tr>
            <th>单位</th>
            <th>角色</th>
            <th>依据</th>
            <th>决定</th>
          </tr>
        </thead>
        <tbody>
          {c.assignments.map((a) => (
            <tr data-unit={a.unitId} data-role={a.role}>
              <td>
                {a.unitName} <small class="code">{a.unitId}</small>
              </td>
              <td>
                <span class={`tag ${a.role === 'lead' ? 'lead' : ''}`}>{ASSIGNMENT_ROLE_ZH[a.role] ?? a.role}</span>
              </td>
              <td>
                {a.rule} <small class="code">{a.article}</small>
              </td>
              <td>
                {a.decidedBy === 'rule' ? '规则自动分办' : `司法局指定：${a.reason}`}
                <div class="muted">{`${a.actor} · ${beijingTime(a.at)}`}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}

    <h2>
      时限事项 <small class="code">obligations</small>
    </h2>
    <ObligationTable rows={obligations} n={{ unit: unitName, region: () => regionName }} today={today} empty="没有时限事项。" testid="case-obligations" caseColumn={false} />

    <h2>
      文书与分办依据 <small class="code">documents</small>
    </h2>
    <table data-testid="documents">
      <thead>
        <tr>
          <th>送达时间</th>
          <th>文书</th>
          <th>分办</th>
        </tr>
      </thead>
      <tbody>
        {c.documents.map((d) => (
          <tr data-document={d.id}>
            <td>{beijingTime(d.arrivedAt)}</td>
            <td>
              {DOCUMENT_TYPE_ZH[d.type] ?? d.type}《{d.title}》
            </td>
            <td>
              {d.rule} {d.status === 'queued' ? (c.routingStatus === 'assigned' ? '（规则未能确定，司法局已指定）' : '（待司法局确定）') : ''}
              {explanations.get(d.id) ? <div class="muted">{explanations.get(d.id)}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>

    <h2>
      办理时间线 <small class="code">timeline</small>
    </h2>
    <ol class="timeline" data-testid="timeline">
      {timeline.map((e) => (
        <li data-kind={e.kind} data-at={e.at}>
          <time datetime={e.at}>{beijingTime(e.at)}</time>
          <span class="tag">{TIMELINE_KIND_ZH[e.kind] ?? e.kind}</span>
          {e.what}
          <div class="muted">
            {WHO_ZH[e.who] ?? e.who}
            {e.kind === 'assignment' && e.data && typeof e.data === 'object' && 'reason' in e.data ? ` · 理由：${String((e.data as { reason: unknown }).reason)}` : ''}
          </div>
        </li>
      ))}
    </ol>
  </>
);
