/**
 * 待分办: the justice bureau's routing queue. Each item explains why the rules stopped (R2: a joint act needs a
 * lead; R9: a name the directory cannot place) and carries a plain form to decide, with a reason.
 */
import type { FC } from 'hono/jsx';
import type { listQueue } from '../../services/assignments.js';
import type { Unit } from '../../domain/routing/index.js';
import type { RecentDecision } from '../data.js';
import { ASSIGNMENT_ROLE_ZH, DOCUMENT_TYPE_ZH, QUEUE_REASON_ZH, actorZh, beijingTime } from '../labels.js';

export type QueueItem = Awaited<ReturnType<typeof listQueue>>[number];
type UnitRef = { unitId: string; unitName: string; role?: string; regionCode?: string };
type Candidate = { party?: string; written?: string; units?: UnitRef[] };

/** The units the rules proposed (R2: every joint unit) or found for a written name (R9 candidates), once each. */
export function offeredUnits(item: QueueItem): UnitRef[] {
  const seen = new Map<string, UnitRef>();
  for (const u of item.proposed as UnitRef[]) if (u?.unitId) seen.set(u.unitId, u);
  for (const c of item.candidates as Candidate[]) for (const u of c.units ?? []) if (u?.unitId && !seen.has(u.unitId)) seen.set(u.unitId, u);
  return [...seen.values()];
}

const AssignForm: FC<{ item: QueueItem; others: readonly Unit[] }> = ({ item, others }) => {
  const offered = offeredUnits(item);
  const joint = item.reason === 'designate_lead';
  return (
    <form method="post" action={`/web/queue/${item.id}/assign`} class="assign" data-testid="assign-form">
      {offered.length ? (
        <fieldset>
          <legend>{joint ? '指定主办单位（其余为协办）' : '选择承办单位'}</legend>
          {offered.map((u, i) => (
            <div class="unit-choice" data-unit={u.unitId}>
              <label>
                <input type="radio" name="lead" value={u.unitId} required={!others.length} checked={!joint && i === 0 && offered.length === 1} /> 主办：
                {u.unitName}
              </label>
              {joint ? (
                <label style="margin-left:24px">
                  <input type="checkbox" name="cooperating" value={u.unitId} checked /> 作为协办（选为主办时不计）
                </label>
              ) : null}
            </div>
          ))}
        </fieldset>
      ) : null}
      {others.length ? (
        <label for={`lead-other-${item.id}`}>
          {offered.length ? '或指定名录中的其他单位为主办（选择后优先）' : '指定主办单位'}
          <select id={`lead-other-${item.id}`} name="lead_other">
            <option value="">—</option>
            {others.map((u) => (
              <option value={u.id}>{u.name}</option>
            ))}
          </select>
        </label>
      ) : null}
      <label for={`reason-${item.id}`}>
        分办理由 <small class="muted">（必填，记入审计日志并在案件中显示）</small>
        <textarea id={`reason-${item.id}`} name="reason" rows={2} required maxlength={1000}></textarea>
      </label>
      <p>
        <button type="submit" class="primary">
          确定分办
        </button>
      </p>
    </form>
  );
};

/** How long an item has waited, in words: "3 小时", "2 天 5 小时". */
export function waited(ms: number): string {
  const h = Math.max(0, Math.floor(ms / 3600_000));
  if (h < 1) return '不到 1 小时';
  if (h < 24) return `${h} 小时`;
  return `${Math.floor(h / 24)} 天${h % 24 ? ` ${h % 24} 小时` : ''}`;
}

export const QueuePage: FC<{
  items: QueueItem[];
  recent: RecentDecision[];
  unitsFor: (item: QueueItem) => readonly Unit[];
  regionName: (code: string | null | undefined) => string;
  flash?: { caseId: string; caseNumber: string; units: { unitName: string; role: string }[] } | undefined;
  scopeLabel: string;
  /** The clock's now (ms), for how long each item has waited. */
  now?: number;
}> = ({ items, recent, unitsFor, regionName, flash, scopeLabel, now }) => (
  <>
    <h1>待分办</h1>
    <p class="muted">{scopeLabel} · 规则无法确定承办单位的文书，由司法局指定（B 第三条(二)、第九条）。</p>
    {flash ? (
      <p class="flash" role="status" data-testid="flash">
        已分办：<a href={`/web/cases/${flash.caseId}`}>{flash.caseNumber}</a> ·{' '}
        {flash.units.map((u) => `${ASSIGNMENT_ROLE_ZH[u.role] ?? u.role} ${u.unitName}`).join('，')}
      </p>
    ) : null}
    {items.length === 0 ? (
      <p class="empty" data-testid="queue-empty">
        目前没有待分办的文书。
      </p>
    ) : (
      items.map((item) => (
        <article class="card" data-queue-item={item.id} data-case={item.caseNumber ?? ''} data-reason={item.reason}>
          <h3 style="margin:0 0 6px">
            {item.caseId ? <a href={`/web/cases/${item.caseId}`}>{item.caseNumber}</a> : (item.caseNumber ?? '（无案号）')} ·{' '}
            {DOCUMENT_TYPE_ZH[item.documentType] ?? '文书'}《{item.title}》
          </h3>
          <p>
            <span class="tag lead">{QUEUE_REASON_ZH[item.reason] ?? '需司法局确定'}</span>
            {item.article ? <span class="muted small">{`依据：${item.article}`}</span> : null}
          </p>
          {item.explanation ? <p>{item.explanation.zh}</p> : null}
          <p class="muted">
            入队时间 {beijingTime(item.createdAt)}
            {now ? (
              <span
                class={`tag ${now - Date.parse(item.createdAt) > 2 * 86400_000 ? 'overdue' : ''}`}
                data-testid="waiting"
              >{`已等待 ${waited(now - Date.parse(item.createdAt))}`}</span>
            ) : null}{' '}
            · 区划 {item.regionCode ? regionName(item.regionCode) : item.candidateRegions.map((r) => regionName(r)).join(' / ')}
          </p>
          {item.caseId ? <AssignForm item={item} others={unitsFor(item)} /> : <p class="muted">该文书无案件（独立的司法建议），请在建议流程中处理。</p>}
        </article>
      ))
    )}
    {recent.length ? (
      <>
        <h2>最近已分办</h2>
        <table class="rt" data-testid="recent">
          <thead>
            <tr>
              <th>案号</th>
              <th>原因</th>
              <th>分办理由</th>
              <th>经办</th>
              <th>时间</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((r) => (
              <tr data-case={r.caseNumber ?? ''}>
                <td data-label="案号">{r.caseId ? <a href={`/web/cases/${r.caseId}`}>{r.caseNumber}</a> : r.caseNumber}</td>
                <td data-label="原因">{QUEUE_REASON_ZH[r.reason] ?? '需司法局确定'}</td>
                <td data-label="分办理由">{r.resolution}</td>
                <td data-label="经办">{actorZh(r.resolvedBy)}</td>
                <td data-label="时间">{r.resolvedAt ? beijingTime(r.resolvedAt) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    ) : null}
  </>
);
