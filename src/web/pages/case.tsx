/**
 * 案件: who answers the case now, its deadlines, its documents, the forms for the steps the signed-in role
 * records, and everything that happened, in order, in words (no codes, no ids).
 */
import type { FC } from 'hono/jsx';
import { Flash } from './list.js';
import type { caseView } from '../../services/assignments.js';
import type { TimelineEntry } from '../../services/steps.js';
import type { StepKind } from '../../domain/steps.js';
import type { ObligationRow } from '../data.js';
import {
  AGENT_KIND_ZH,
  ASSIGNMENT_ROLE_ZH,
  DOCUMENT_TYPE_ZH,
  EVIDENCE_ZH,
  INSTANCE_ZH,
  OBLIGATION_STATUS_ZH,
  TIMELINE_KIND_ZH,
  actorZh,
  beijingTime,
  stepZh,
} from '../labels.js';
import { ObligationTable } from './obligations.js';
import { StepFormView, stepForms, type Adviser } from '../step-forms.js';

type CaseView = Awaited<ReturnType<typeof caseView>>;

/** A timeline entry in words, from its fields (the service's `what` keeps codes for the API). */
export function timelineZh(e: TimelineEntry, sender: (code: string) => string): string {
  const f = e.facts ?? {};
  switch (e.kind) {
    case 'document':
      return `法院送达${DOCUMENT_TYPE_ZH[String(f['type'])] ?? '文书'}《${String(f['title'] ?? '')}》${f['routing'] === 'assigned' ? '，按规则自动分办' : '，待司法局确定承办单位'}`;
    case 'assignment':
      return `${String(f['unitName'] ?? '')}为${ASSIGNMENT_ROLE_ZH[String(f['role'])] ?? '承办'}单位${f['article'] ? `（依据 ${String(f['article'])}）` : ''}${f['superseded'] ? '，已变更' : ''}`;
    case 'obligation':
      return `产生时限：${String(f['titleZh'] ?? '')}，截止 ${String(f['dueOn'] ?? '')}${f['provisional'] ? '（暂定）' : ''}`;
    case 'obligation_closed':
      return `${String(f['titleZh'] ?? '')}：${OBLIGATION_STATUS_ZH[String(f['status'])] ?? '已办结'}`;
    case 'step':
      return `记录${stepZh(String(f['step'] ?? ''))}`;
    case 'evidence':
      return `向${sender(String(f['senderCode'] ?? ''))}出具${EVIDENCE_ZH[String(f['evidence'])] ?? '证明'}`;
    default:
      return '办理记录';
  }
}

/** What a step's body says, in a line (for the timeline). */
function stepDetail(e: TimelineEntry): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  const add = (label: string, v: unknown) => {
    if (typeof v === 'string' && v) parts.push(`${label}：${v}`);
    else if (typeof v === 'boolean') parts.push(`${label}：${v ? '是' : '否'}`);
  };
  add('答辩要点', d['summary']);
  add('结果', d['result'] === 'passed' ? '通过' : d['result'] === 'returned' ? '退回修改' : undefined);
  add('意见', d['comments']);
  add('日期', d['filedOn'] ?? d['heldOn'] ?? d['signedOn'] ?? d['doneOn']);
  add('领导', d['leader']);
  add('批示', d['instructions']);
  if (d['head'] && typeof d['head'] === 'object') add('出庭负责人', (d['head'] as { name?: string }).name);
  if (d['cannotAppear'] && typeof d['cannotAppear'] === 'object') add('不能出庭理由', (d['cannotAppear'] as { reason?: string }).reason);
  // The agents (B 第十六条): staff, legal advisers from the roster (Q 一(三)), lawyers, each with what they are.
  const agents = ((d['cannotAppear'] as { agents?: unknown } | undefined)?.agents ?? d['agents']) as { name?: string; kind?: string }[] | undefined;
  if (Array.isArray(agents) && agents.length) add('代理人', agents.map((a) => `${a.name ?? ''}（${AGENT_KIND_ZH[a.kind ?? ''] ?? '代理人'}）`).join('、'));
  if (typeof d['headAppeared'] === 'boolean') add('负责人出庭', d['headAppeared']);
  if (typeof d['spoke'] === 'boolean') add('负责人发言', d['spoke']);
  if (typeof d['appeal'] === 'boolean') add('上诉', d['appeal']);
  add('理由', d['reasons'] ?? d['reason']);
  add('说明', d['note']);
  return parts.join('；');
}

/** Download links for the files a step carried (the defence draft). */
const StepFiles: FC<{ caseId: string; e: TimelineEntry }> = ({ caseId, e }) => {
  const files = ((e.data ?? {}) as { attachments?: { filename: string; size: number; sha256: string }[] }).attachments ?? [];
  return files.length ? (
    <div data-testid="step-files">
      {files.map((f) => (
        <a href={`/web/cases/${caseId}/steps/${e.ref}/attachments/${f.sha256}`} download={f.filename} style="margin-right:12px">
          {`下载 ${f.filename}`}
        </a>
      ))}
    </div>
  ) : null;
};

export const CasePage: FC<{
  c: CaseView;
  timeline: TimelineEntry[];
  obligations: ObligationRow[];
  explanations: Map<string, string>;
  regionName: string;
  courtName: string;
  unitName: (id: string | null | undefined) => string;
  sender: (code: string) => string;
  today: string;
  steps: StepKind[];
  advisers: Adviser[];
  flash?: string | undefined;
  parties: { plaintiffs: string[]; defendants: string[]; act: string | null };
  /** Whether the signed-in role may close obligations here (src/services/obligations.ts closeObligationAs). */
  canClose?: boolean;
  /** The region's units, when the signed-in role may reassign the case (the justice bureau). */
  reassignUnits?: { id: string; name: string }[] | undefined;
}> = ({ c, timeline, obligations, explanations, regionName, courtName, unitName, sender, today, steps, advisers, flash, parties, canClose, reassignUnits }) => {
  const forms = stepForms(advisers);
  return (
    <>
      <h1>{c.caseNumber}</h1>
      <Flash text={flash} />
      <p class="muted">
        {INSTANCE_ZH[c.instance] ?? '诉讼'} · {courtName} · {regionName || '区划待确定'} ·{' '}
        {c.routingStatus === 'assigned' ? '已分办' : <span class="tag overdue">待司法局分办</span>}
      </p>
      <div class="card">
        <dl class="facts">
          <dt>原告</dt>
          <dd>{parties.plaintiffs.join('、') || '—'}</dd>
          <dt>被告</dt>
          <dd>{parties.defendants.join('、') || '—'}</dd>
          {parties.act ? (
            <>
              <dt>被诉行政行为</dt>
              <dd>{parties.act}</dd>
            </>
          ) : null}
          <dt>负责人出庭</dt>
          <dd data-testid="head-appearance">
            {c.headAppearance.required ? `须出庭：${c.headAppearance.reasons.map((r) => `${r.zh}（${r.source}）`).join('；')}` : '未要求负责人出庭'}
          </dd>
        </dl>
      </div>

      <h2>承办单位</h2>
      {c.assignments.length === 0 ? (
        <p class="empty">尚未分办。</p>
      ) : (
        <table class="rt" data-testid="assignments">
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
                <td data-label="单位">{a.unitName}</td>
                <td data-label="角色">
                  <span class={`tag ${a.role === 'lead' ? 'lead' : ''}`}>{ASSIGNMENT_ROLE_ZH[a.role] ?? '承办'}</span>
                </td>
                <td data-label="依据">{a.article}</td>
                <td data-label="决定">
                  {a.decidedBy === 'rule' ? '规则自动分办' : `司法局指定：${a.reason}`}
                  <div class="muted small">{`${actorZh(a.actor)} · ${beijingTime(a.at)}`}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {reassignUnits?.length && c.routingStatus === 'assigned' ? (
        <details class="form" data-testid="reassign">
          <summary>变更承办单位</summary>
          <form method="post" action={`/web/cases/${c.id}/reassign`} class="act">
            <label for="ra-lead">
              主办单位
              <select id="ra-lead" name="lead" required>
                <option value="">请选择</option>
                {reassignUnits.map((u) => (
                  <option value={u.id} selected={c.assignments.some((a) => a.unitId === u.id && a.role === 'lead')}>
                    {u.name}
                  </option>
                ))}
              </select>
            </label>
            <fieldset>
              <legend>协办单位（可多选）</legend>
              {reassignUnits.map((u) => (
                <label class="inline">
                  <input type="checkbox" name="cooperating" value={u.id} checked={c.assignments.some((a) => a.unitId === u.id && a.role === 'cooperating')} />{' '}
                  {u.name}
                </label>
              ))}
            </fieldset>
            <label for="ra-reason">
              变更理由（必填，记入审计日志并在案件中显示）
              <textarea id="ra-reason" name="reason" rows={2} required maxlength={1000}></textarea>
            </label>
            <button type="submit" class="primary">
              确定变更
            </button>
          </form>
        </details>
      ) : null}

      <h2>时限事项</h2>
      <ObligationTable
        rows={obligations}
        n={{ unit: unitName, region: () => regionName }}
        today={today}
        empty="没有时限事项。"
        testid="case-obligations"
        caseColumn={false}
        closeBack={canClose ? `/web/cases/${c.id}` : undefined}
      />

      {steps.length ? (
        <>
          <h2 id="steps">办理登记</h2>
          <p class="muted small">点击事项展开表单；提交后记入办理时间线，相应时限事项自动办结。</p>
          <div data-testid="step-forms">
            {steps.map((k) => {
              const form = forms[k];
              return form ? <StepFormView caseId={c.id} kind={k} form={form} advisers={advisers} today={today} /> : null;
            })}
          </div>
        </>
      ) : null}

      <h2>文书与分办依据</h2>
      <table class="rt" data-testid="documents">
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
              <td data-label="送达时间">{beijingTime(d.arrivedAt)}</td>
              <td data-label="文书">
                <a href={`/web/filings/${d.id}`}>{`${DOCUMENT_TYPE_ZH[d.type] ?? '文书'}《${d.title}》`}</a>
              </td>
              <td data-label="分办">
                {d.status === 'queued' ? (c.routingStatus === 'assigned' ? '规则未能确定，司法局已指定' : '待司法局确定') : '按规则分办'}
                {explanations.get(d.id) ? <div class="muted small">{explanations.get(d.id)}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="timeline">办理时间线</h2>
      <ol class="timeline" data-testid="timeline">
        {timeline.map((e) => {
          const detail = e.kind === 'step' ? stepDetail(e) : '';
          return (
            <li data-kind={e.kind} data-at={e.at} data-step={e.kind === 'step' ? String(e.facts?.['step'] ?? '') : undefined}>
              <time datetime={e.at}>{beijingTime(e.at)}</time>
              <span class="tag">{TIMELINE_KIND_ZH[e.kind] ?? '记录'}</span>
              {timelineZh(e, sender)}
              {detail ? <div>{detail}</div> : null}
              {e.kind === 'step' ? <StepFiles caseId={c.id} e={e} /> : null}
              <div class="muted small">
                {e.kind === 'obligation_closed' ? '办理登记' : actorZh(e.who)}
                {e.kind === 'assignment' && e.data && typeof e.data === 'object' && 'reason' in e.data && (e.data as { reason: unknown }).reason
                  ? ` · 理由：${String((e.data as { reason: unknown }).reason)}`
                  : ''}
              </div>
            </li>
          );
        })}
      </ol>
    </>
  );
};
