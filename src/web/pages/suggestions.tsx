/**
 * 建议答复: judicial and procuratorial suggestions (B 第十一条, S 五(七)). The unit drafts the reply (with
 * attachments), the justice bureau reviews it (returns with comments or passes it), the government office
 * approves it; then the gateway signs and relays it. Each role sees the form for its own step only.
 */
import type { FC } from 'hono/jsx';
import { Flash, FilterSelect, ListTable } from './list.js';
import type { listSuggestions, suggestionView } from '../../services/suggestions.js';
import type { Principal } from '../../services/clients.js';
import { SUGGESTION_KIND_ZH, SUGGESTION_STATUS_ZH, SUGGESTION_STEP_ZH, actorZh, beijingTime } from '../labels.js';

type SuggestionList = Awaited<ReturnType<typeof listSuggestions>>;
type Suggestion = Awaited<ReturnType<typeof suggestionView>>;
type N = {
  unit: (id: string | null | undefined) => string;
  region: (c: string | null | undefined) => string;
  sender: (c: string | null | undefined) => string;
};

const statusTag = (status: string, overdue: boolean) => (
  <>
    <span class={`tag ${status === 'relayed' || status === 'acknowledged' ? 'ok' : ''}`}>{SUGGESTION_STATUS_ZH[status] ?? '办理中'}</span>
    {overdue ? <span class="tag overdue">已逾期</span> : null}
  </>
);

/** What the principal is to do with a suggestion in this status, if anything. */
export function suggestionTodo(p: Principal, status: string): string | null {
  const admin = p.role === 'admin';
  if ((admin || p.role === 'justice_bureau') && status === 'queued') return '指定承办单位';
  if ((admin || p.role === 'unit') && (status === 'drafting' || status === 'returned')) return '起草答复';
  if ((admin || p.role === 'justice_bureau') && status === 'under_review') return '审核答复稿';
  if ((admin || p.role === 'government_office') && status === 'awaiting_approval') return '审批答复';
  return null;
}

export const SuggestionsPage: FC<{ p: Principal; items: SuggestionList; n: N; scopeLabel: string; status?: string | undefined }> = ({
  p,
  items,
  n,
  scopeLabel,
  status,
}) => (
  <>
    <h1>司法建议与检察建议答复</h1>
    <p class="muted">{scopeLabel} · 按答复期限排列。承办单位起草，司法局审核，政府审批后由网关签名送达来文机关。</p>
    <form method="get" action="/web/suggestions" class="filters" aria-label="筛选建议">
      <FilterSelect id="s-status" name="status" label="状态" options={SUGGESTION_STATUS_ZH} selected={status} />
      <button type="submit">筛选</button>
    </form>
    <ListTable
      rows={items}
      testid="suggestions"
      empty="没有符合条件的建议。"
      rowAttrs={(s) => ({ 'data-suggestion': s.id, 'data-status': s.status })}
      columns={[
        {
          label: '建议',
          cell: (s) => (
            <>
              <a href={`/web/suggestions/${s.id}`}>{`${SUGGESTION_KIND_ZH[s.kind] ?? '建议'}《${s.title}》`}</a>
              {s.urgent ? <span class="tag overdue">紧急</span> : null}
            </>
          ),
        },
        { label: '来文机关', cell: (s) => n.sender(s.senderCode) },
        { label: '承办单位', cell: (s) => (s.unitId ? n.unit(s.unitId) : '待指定') },
        { label: '答复期限', cell: (s) => s.replyDueOn },
        { label: '状态', cell: (s) => statusTag(s.status, s.overdue) },
        { label: '待办', cell: (s) => suggestionTodo(p, s.status) ?? '—' },
      ]}
    />
  </>
);

type Draft = {
  text?: string;
  attachments?: { filename: string; size: number }[];
  rectification?: { promised: boolean; by?: string; description?: string } | null;
  handledOn?: string | null;
};

export const SuggestionPage: FC<{
  p: Principal;
  s: Suggestion;
  title: string;
  n: N;
  units: { id: string; name: string }[];
  today: string;
  flash?: string | undefined;
}> = ({ p, s, title, n, units, today, flash }) => {
  const todo = suggestionTodo(p, s.status);
  const lastDraft = [...s.steps].reverse().find((x) => x.kind === 'draft')?.data as Draft | undefined;
  const overdue = s.replyDueOn < today && !['relayed', 'acknowledged'].includes(s.status);
  return (
    <>
      <h1>{`${SUGGESTION_KIND_ZH[s.kind] ?? '建议'}《${title}》`}</h1>
      <Flash text={flash} />
      <div class="card">
        <dl class="facts">
          <dt>状态</dt>
          <dd data-testid="suggestion-status">{statusTag(s.status, overdue)}</dd>
          <dt>来文机关</dt>
          <dd>{n.sender(s.senderCode)}</dd>
          <dt>承办单位</dt>
          <dd>{s.unitId ? n.unit(s.unitId) : '待司法局指定'}</dd>
          <dt>答复期限</dt>
          <dd>{s.replyDueOn}</dd>
          <dt>收到时间</dt>
          <dd>{beijingTime(s.createdAt)}</dd>
          {s.caseId ? (
            <>
              <dt>所涉案件</dt>
              <dd>
                <a href={`/web/cases/${s.caseId}`}>查看案件</a>
              </dd>
            </>
          ) : null}
          <dt>原文</dt>
          <dd>
            <a href={`/web/filings/${s.documentId}`}>查看送达文书及附件</a>
          </dd>
        </dl>
      </div>

      {lastDraft?.text ? (
        <>
          <h2>最新答复稿</h2>
          <div class="card" data-testid="draft">
            <p style="white-space:pre-wrap">{lastDraft.text}</p>
            {lastDraft.handledOn ? <p class="muted">{`办理日期：${lastDraft.handledOn}`}</p> : null}
            {lastDraft.rectification?.promised ? (
              <p>{`承诺整改：${lastDraft.rectification.description ?? ''}（${lastDraft.rectification.by ?? ''} 前完成）`}</p>
            ) : null}
            {lastDraft.attachments?.length ? <p class="muted">{`附件：${lastDraft.attachments.map((a) => a.filename).join('、')}`}</p> : null}
          </div>
        </>
      ) : null}

      {todo ? <h2 id="todo">{todo}</h2> : null}
      {todo === '指定承办单位' ? (
        <form method="post" action={`/web/suggestions/${s.id}/assign`} class="act" data-testid="assign-form">
          <label for="sg-unit">
            承办单位
            <select id="sg-unit" name="unitId" required>
              <option value="">请选择</option>
              {units.map((u) => (
                <option value={u.id}>{u.name}</option>
              ))}
            </select>
          </label>
          <label for="sg-reason">
            指定理由
            <textarea id="sg-reason" name="reason" rows={2} required maxlength={1000}></textarea>
          </label>
          <button type="submit" class="primary">
            确定承办单位
          </button>
        </form>
      ) : null}
      {todo === '起草答复' ? (
        <form method="post" action={`/web/suggestions/${s.id}/draft`} enctype="multipart/form-data" class="act" data-testid="draft-form">
          <label for="sg-text">
            答复正文
            <textarea id="sg-text" name="text" rows={8} required maxlength={20000}>
              {s.status === 'returned' ? (lastDraft?.text ?? '') : ''}
            </textarea>
          </label>
          <label for="sg-handled">
            办理日期（可不填）
            <input type="date" id="sg-handled" name="handledOn" />
          </label>
          <fieldset>
            <legend>整改承诺</legend>
            <label class="inline">
              <input type="checkbox" name="promised" value="yes" /> 承诺整改
            </label>
            <label for="sg-by">
              整改完成日期（承诺整改时必填）
              <input type="date" id="sg-by" name="by" />
            </label>
            <label for="sg-desc">
              整改措施
              <textarea id="sg-desc" name="description" rows={2} maxlength={2000}></textarea>
            </label>
          </fieldset>
          <label for="sg-files">
            附件（可多选，合计不超过 8 MB）
            <input type="file" id="sg-files" name="attachments" multiple />
          </label>
          <button type="submit" class="primary">
            提交司法局审核
          </button>
        </form>
      ) : null}
      {todo === '审核答复稿' ? (
        <form method="post" action={`/web/suggestions/${s.id}/review`} class="act" data-testid="review-form">
          <fieldset>
            <legend>审核结果</legend>
            <label class="inline">
              <input type="radio" name="result" value="passed" required /> 通过，报政府审批
            </label>
            <label class="inline">
              <input type="radio" name="result" value="returned" /> 退回修改
            </label>
          </fieldset>
          <label for="sg-comments">
            审核意见（退回时必填）
            <textarea id="sg-comments" name="comments" rows={3} maxlength={2000}></textarea>
          </label>
          <button type="submit" class="primary">
            提交审核意见
          </button>
        </form>
      ) : null}
      {todo === '审批答复' ? (
        <form method="post" action={`/web/suggestions/${s.id}/approve`} class="act" data-testid="approve-form">
          <label for="sg-approver">
            批准人
            <input type="text" id="sg-approver" name="approver" required maxlength={100} />
          </label>
          <label for="sg-post">
            职务
            <input type="text" id="sg-post" name="post" required maxlength={100} />
          </label>
          <button type="submit" class="primary">
            批准并送达
          </button>
        </form>
      ) : null}

      <h2>办理经过</h2>
      <ol class="timeline" data-testid="suggestion-steps">
        <li>
          <time datetime={s.createdAt}>{beijingTime(s.createdAt)}</time>
          <span class="tag">收文</span>
          {`收到${n.sender(s.senderCode)}的${SUGGESTION_KIND_ZH[s.kind] ?? '建议'}`}
        </li>
        {s.steps.map((x) => {
          const d = (x.data ?? {}) as { reason?: string; comments?: string; result?: string; unitName?: string; approver?: string; post?: string };
          return (
            <li data-kind={x.kind}>
              <time datetime={x.at}>{beijingTime(x.at)}</time>
              <span class="tag">{SUGGESTION_STEP_ZH[x.kind] ?? '办理'}</span>
              {x.kind === 'assigned' ? `${d.unitName ?? ''}；理由：${d.reason ?? ''}` : ''}
              {x.kind === 'review' ? `${d.result === 'passed' ? '通过' : '退回修改'}${d.comments ? `；意见：${d.comments}` : ''}` : ''}
              {x.kind === 'approval' ? `${d.post ?? ''}${d.approver ?? ''}批准` : ''}
              {x.kind === 'relay' ? '答复已签名并送达来文机关' : ''}
              <div class="muted small">{actorZh(x.actor)}</div>
            </li>
          );
        })}
      </ol>
      <p>
        <a href="/web/suggestions">← 返回建议列表</a>
      </p>
    </>
  );
};
