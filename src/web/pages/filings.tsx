/**
 * 收文: the documents the courts served, as the filings service lets the principal see them (a unit: its
 * cases'; a justice bureau: its region's). The bureau confirms receipt (签收) here; a unit's first look at a
 * filing, or download of an attachment, becomes retrieval evidence for the court.
 */
import type { FC } from 'hono/jsx';
import type { getFiling, listFilings } from '../../services/filings.js';
import type { Principal } from '../../services/clients.js';
import { DOCUMENT_TYPE_ZH, FILING_STATUS_ZH, beijingTime } from '../labels.js';
import { ObligationTable, type Names } from './obligations.js';
import { Flash, FilterSelect, ListTable } from './list.js';

type FilingList = Awaited<ReturnType<typeof listFilings>>;
type Filing = Awaited<ReturnType<typeof getFiling>>;

const canConfirm = (p: Principal) => p.role === 'justice_bureau' || p.role === 'admin';

const statusTag = (s: string) => <span class={`tag ${s === 'confirmed' ? 'ok' : s === 'new' ? 'overdue' : ''}`}>{FILING_STATUS_ZH[s] ?? '—'}</span>;

const ConfirmButton: FC<{ id: string; label?: string }> = ({ id, label = '签收' }) => (
  <form method="post" action={`/web/filings/${id}/confirm`} style="display:inline">
    <button type="submit" class="primary" data-testid="confirm">
      {label}
    </button>
  </form>
);

export interface FilingQuery {
  status?: string | undefined;
  type?: string | undefined;
  caseNumber?: string | undefined;
}

export const FilingsPage: FC<{ p: Principal; list: FilingList; q: FilingQuery; scopeLabel: string; flash?: string | undefined; next?: string | undefined }> = ({
  p,
  list,
  q,
  scopeLabel,
  flash,
  next,
}) => (
  <>
    <h1>{p.role === 'unit' ? '收文' : '收文签收'}</h1>
    <p class="muted">
      {scopeLabel} · 法院送达的文书按送达时间倒序排列。
      {canConfirm(p) ? '签收后，网关向法院出具签名的签收证明。' : '首次打开文书或下载附件即向法院出具调阅证明。'}
    </p>
    <Flash text={flash} />
    <form method="get" action="/web/filings" class="filters" role="search" aria-label="筛选收文">
      <FilterSelect id="f-status" name="status" label="状态" options={FILING_STATUS_ZH} selected={q.status} />
      <FilterSelect id="f-type" name="type" label="文书类型" options={DOCUMENT_TYPE_ZH} selected={q.type} />
      <label for="f-case">
        案号
        <input type="search" id="f-case" name="caseNumber" value={q.caseNumber ?? ''} placeholder="完整案号" />
      </label>
      <button type="submit">筛选</button>
    </form>
    <ListTable
      rows={list.items}
      testid="filings"
      empty="没有符合条件的收文。"
      next={next}
      rowAttrs={(f) => ({ 'data-filing': f.id, 'data-case': f.caseNumber ?? '', 'data-status': f.status })}
      columns={[
        { label: '送达时间', cell: (f) => beijingTime(f.arrivedAt) },
        { label: '文书', cell: (f) => <a href={`/web/filings/${f.id}`}>{`${DOCUMENT_TYPE_ZH[f.type] ?? '文书'}《${f.title}》`}</a> },
        { label: '案号', cell: (f) => (f.caseId ? <a href={`/web/cases/${f.caseId}`}>{f.caseNumber}</a> : (f.caseNumber ?? '—')) },
        { label: '最近截止', cell: (f) => f.nextDue ?? '—' },
        { label: '状态', cell: (f) => statusTag(f.status) },
        canConfirm(p) && { label: '操作', cell: (f) => (f.status !== 'confirmed' ? <ConfirmButton id={f.id} /> : '—') },
      ]}
    />
  </>
);

type CaseParty = { name: string };

export const FilingPage: FC<{ p: Principal; f: Filing; n: Names & { sender: (code: string) => string }; today: string; flash?: string | undefined }> = ({
  p,
  f,
  n,
  today,
  flash,
}) => {
  const c = f.case as {
    caseNumber?: string;
    plaintiffs?: CaseParty[];
    defendants?: CaseParty[];
    challengedAct?: { description?: string; domain?: string };
    court?: { name?: string };
  } | null;
  const hearing = f.hearing as { at?: string; place?: string } | null;
  return (
    <>
      <h1>{`${DOCUMENT_TYPE_ZH[f.type] ?? '文书'}《${f.title}》`}</h1>
      <Flash text={flash} />
      <div class="card">
        <dl class="facts" data-testid="filing-facts">
          <dt>状态</dt>
          <dd data-testid="filing-status">{statusTag(f.status)}</dd>
          <dt>送达时间</dt>
          <dd>{`${beijingTime(f.arrivedAt)}（北京时间，即法定送达时间）`}</dd>
          <dt>来文法院</dt>
          <dd>{n.sender(f.sender)}</dd>
          <dt>案号</dt>
          <dd>{f.caseId ? <a href={`/web/cases/${f.caseId}`}>{c?.caseNumber ?? '查看案件'}</a> : (c?.caseNumber ?? '—')}</dd>
          {c?.plaintiffs?.length ? (
            <>
              <dt>原告</dt>
              <dd>{c.plaintiffs.map((x) => x.name).join('、')}</dd>
            </>
          ) : null}
          {c?.defendants?.length ? (
            <>
              <dt>被告</dt>
              <dd>{c.defendants.map((x) => x.name).join('、')}</dd>
            </>
          ) : null}
          {c?.challengedAct?.description ? (
            <>
              <dt>被诉行政行为</dt>
              <dd>{c.challengedAct.description}</dd>
            </>
          ) : null}
          {hearing?.at ? (
            <>
              <dt>开庭</dt>
              <dd>{`${beijingTime(hearing.at)}${hearing.place ? ` · ${hearing.place}` : ''}`}</dd>
            </>
          ) : null}
          <dt>区划</dt>
          <dd>{n.region(f.regionCode) || '待确定'}</dd>
        </dl>
        {canConfirm(p) && f.status !== 'confirmed' ? (
          <p>
            <ConfirmButton id={f.id} label="确认签收" />
          </p>
        ) : null}
      </div>
      <h2>附件</h2>
      {f.attachments.length === 0 ? (
        <p class="empty">本文书没有附件。</p>
      ) : (
        <table class="rt" data-testid="attachments">
          <thead>
            <tr>
              <th>文件</th>
              <th>大小</th>
              <th>下载</th>
            </tr>
          </thead>
          <tbody>
            {f.attachments.map((a) => (
              <tr>
                <td data-label="文件">{a.filename}</td>
                <td data-label="大小">{a.size >= 1024 * 1024 ? `${(a.size / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(a.size / 1024))} KB`}</td>
                <td data-label="下载">
                  <a href={`/web/filings/${f.id}/attachments/${encodeURIComponent(a.id)}`} download={a.filename} data-testid="download">
                    下载
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>本文书产生的时限</h2>
      <ObligationTable rows={f.obligations} n={n} today={today} empty="本文书没有产生时限事项。" testid="filing-obligations" caseColumn={false} />
      <p>
        <a href="/web/filings">← 返回收文</a>
      </p>
    </>
  );
};
