/**
 * The clerk's workbench (issue 23): the pages through which a justice bureau, a unit, a government office and a
 * liaison do their daily work, each calling the same service as the API with the signed-in principal, so a
 * page never sees or does more than the caller's token would.
 */
import type { Hono } from 'hono';
import { and, asc, eq } from 'drizzle-orm';
import { legalAdvisers } from '../../schemas/db/index.js';
import { Problem } from '../lib/problem.js';
import { canonicalJson, sha256HexSync } from '../lib/encoding.js';
import { verifyWithJwks } from '../lib/signing.js';
import { beijingDate } from '../domain/calendar/index.js';
import { DOCUMENT_TYPES } from '../domain/case-info.js';
import { STEP_SCHEMAS, type StepKind } from '../domain/steps.js';
import { sendBlob } from '../http/downloads.js';
import { attachmentBytes, confirmFiling, getFiling, listFilings, type FilingFilters } from '../services/filings.js';
import { listCases, type CaseFilters } from '../services/cases.js';
import { caseTimeline, recordStep, stepAttachment } from '../services/steps.js';
import { assignCase, caseView } from '../services/assignments.js';
import { assertCaseAccess } from '../services/access.js';
import { explainRouting } from '../services/explain.js';
import { closeObligationAs, listObligations } from '../services/obligations.js';
import { approveReply, assignSuggestion, listSuggestions, reviewDraft, submitDraft, suggestionView } from '../services/suggestions.js';
import { ledger, ledgerCsv, ledgerXlsx, packHtml, reportData } from '../services/exports.js';
import { comparePacks, createPack, getPack, listPacks } from '../services/packs.js';
import { issueFeedToken } from '../services/feeds.js';
import { addAdviser, listAdvisers, mayKeepRoster, updateAdviser } from '../services/advisers.js';
import { visibleRegions } from '../services/access.js';
import { AdvisersPage } from './pages/advisers.js';
import { cases as casesTable, documents } from '../../schemas/db/index.js';
import type { WebEnv } from './session.js';
import { formOf, page, scopeLabel, str, strs, type WebContext } from './render.js';
import { names } from './data.js';
import { overviewRegions } from './overview-data.js';
import { FilingPage, FilingsPage } from './pages/filings.js';
import { CasesPage } from './pages/cases.js';
import { CasePage } from './pages/case.js';
import { SuggestionPage, SuggestionsPage } from './pages/suggestions.js';
import { ComparePage, ReportPage, ReportsPage, VerifyPage } from './pages/reports.js';
import { bodyOf, filesOf, stepForms, stepsFor, type FormValues } from './step-forms.js';
import { DOCUMENT_TYPE_ZH, SUGGESTION_STATUS_ZH, stepZh } from './labels.js';

const FILING_STATUSES = ['new', 'retrieved', 'confirmed'] as const;
const CASE_STATUSES = ['queued', 'assigned', 'overdue'] as const;

const oneOf = <T extends string>(v: string | undefined, allowed: readonly T[]): T | undefined =>
  v && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;

/** The same query string with one value changed (for "next page" links). */
function withParam(c: WebContext, key: string, value: string): string {
  const u = new URL(c.req.url);
  u.searchParams.set(key, value);
  return `${u.pathname}${u.search}`;
}

/** Units a principal may pick from (its region's units, or every unit for an administrator). */
async function unitChoices(c: WebContext): Promise<{ id: string; name: string }[]> {
  const p = c.var.principal;
  const n = await names(c.var.deps);
  const regions = p.role === 'admin' ? [...n.index.regionCodes()] : p.role === 'justice_bureau' || p.role === 'government_office' ? [p.scope] : [];
  return regions.flatMap((r) => n.activeUnits(r).map((u) => ({ id: u.id, name: u.name })));
}

export function mountWorkbench(web: Hono<WebEnv>) {
  // ── 收文 / 签收 ───────────────────────────────────────────────────────────────────────────────────────
  web.get('/filings', async (c) => {
    const p = c.var.principal;
    if (p.role !== 'unit' && p.role !== 'justice_bureau' && p.role !== 'admin') throw new Problem('forbidden', '收文由承办单位和司法局查看');
    const q = {
      status: oneOf(c.req.query('status'), FILING_STATUSES),
      type: oneOf(c.req.query('type'), DOCUMENT_TYPES),
      caseNumber: c.req.query('caseNumber')?.trim() || undefined,
    };
    const f: FilingFilters = {
      ...(q.status ? { status: q.status } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.caseNumber ? { caseNumber: q.caseNumber } : {}),
      limit: 50,
    };
    const cursor = c.req.query('cursor');
    const list = await listFilings(c.var.deps, p, { ...f, ...(cursor ? { cursor } : {}) });
    const confirmed = c.req.query('confirmed');
    return page(
      c,
      p.role === 'unit' ? '收文' : '收文签收',
      '/web/filings',
      <FilingsPage
        p={p}
        list={list}
        q={q}
        scopeLabel={await scopeLabel(c, p)}
        flash={confirmed ? `已签收《${confirmed}》，签收证明已发送法院。` : undefined}
        next={list.nextCursor ? withParam(c, 'cursor', list.nextCursor) : undefined}
      />,
    );
  });

  web.get('/filings/:id', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const f = await getFiling(deps, p, c.req.param('id'));
    const n = await names(deps);
    const flash = c.req.query('confirmed') ? '已签收，签名的签收证明已发送法院。' : undefined;
    return page(
      c,
      `${DOCUMENT_TYPE_ZH[f.type] ?? '文书'} ${f.title}`,
      '/web/filings',
      <FilingPage p={p} f={f} n={n} today={beijingDate(deps.clock.now())} flash={flash} />,
    );
  });

  web.get('/filings/:id/attachments/:attachmentId', (c) =>
    sendBlob(c, (read) => attachmentBytes(c.var.deps, c.var.principal, c.req.param('id'), c.req.param('attachmentId'), read)),
  );

  web.post('/filings/:id/confirm', async (c) => {
    const id = c.req.param('id');
    const p = c.var.principal;
    await confirmFiling(c.var.deps, p, id);
    const back = new URL(c.req.header('referer') ?? 'http://x/', 'http://x/').pathname;
    if (back === '/web/filings') {
      const f = await getFiling(c.var.deps, p, id);
      return c.redirect(`/web/filings?confirmed=${encodeURIComponent(f.title)}`, 303);
    }
    return c.redirect(`/web/filings/${encodeURIComponent(id)}?confirmed=1`, 303);
  });

  // ── 案件 ─────────────────────────────────────────────────────────────────────────────────────────────
  web.get('/cases', async (c) => {
    const p = c.var.principal;
    const q = {
      q: c.req.query('q')?.trim() || undefined,
      unit: c.req.query('unit') || undefined,
      status: oneOf(c.req.query('status'), CASE_STATUSES),
      dueBefore: c.req.query('dueBefore') || undefined,
    };
    const f: CaseFilters = {
      ...(q.q ? { q: q.q } : {}),
      ...(q.unit ? { unit: q.unit } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.dueBefore ? { dueBefore: q.dueBefore } : {}),
      limit: 50,
    };
    const cursor = c.req.query('cursor');
    const list = await listCases(c.var.deps, p, { ...f, ...(cursor ? { cursor } : {}) });
    return page(
      c,
      '案件',
      '/web/cases',
      <CasesPage
        list={list}
        q={q}
        units={await unitChoices(c)}
        scopeLabel={await scopeLabel(c, p)}
        next={list.nextCursor ? withParam(c, 'cursor', list.nextCursor) : undefined}
      />,
    );
  });

  web.get('/cases/:id', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const id = c.req.param('id');
    // caseTimeline checks access first (404 for a case the client may not see, as the API does).
    const tl = await caseTimeline(deps, p, id);
    const v = await caseView(deps, id);
    const obligations = await listObligations(deps, { caseId: id, ...(p.role === 'unit' ? { unitId: p.scope } : {}), limit: 1000 });
    const explanations = new Map<string, string>();
    for (const d of v.documents) {
      try {
        explanations.set(d.id, (await explainRouting(deps, d.id)).reason.zh);
      } catch (e) {
        if (!(e instanceof Problem)) throw e;
      }
    }
    const n = await names(deps);
    const [row] = await deps.db.orm.select({ factsJson: casesTable.factsJson }).from(casesTable).where(eq(casesTable.id, id));
    const facts = JSON.parse(row?.factsJson ?? '{}') as {
      plaintiffs?: { name: string }[];
      defendants?: { name: string }[];
      challengedAct?: { description?: string };
    };
    const advisers = v.regionCode
      ? await deps.db.orm
          .select({ id: legalAdvisers.id, name: legalAdvisers.name, organisation: legalAdvisers.organisation })
          .from(legalAdvisers)
          .where(and(eq(legalAdvisers.regionCode, v.regionCode), eq(legalAdvisers.active, true)))
          .orderBy(asc(legalAdvisers.name))
      : [];
    const recorded = c.req.query('recorded');
    return page(
      c,
      `案件 ${v.caseNumber}`,
      '/web/cases',
      <CasePage
        c={v}
        timeline={tl.entries}
        obligations={obligations}
        explanations={explanations}
        regionName={n.region(v.regionCode)}
        courtName={n.sender(v.courtCode)}
        unitName={n.unit}
        sender={n.sender}
        today={beijingDate(deps.clock.now())}
        steps={stepsFor(p)}
        advisers={advisers}
        flash={
          recorded && recorded in STEP_SCHEMAS
            ? `已记录${stepZh(recorded)}。`
            : c.req.query('closed')
              ? '时限事项已处理。'
              : c.req.query('reassigned')
                ? '承办单位已变更。'
                : undefined
        }
        canClose={p.role !== 'court' && p.role !== 'procuratorate' && p.role !== 'liaison'}
        reassignUnits={
          p.role === 'justice_bureau' || p.role === 'admin'
            ? v.regionCode
              ? n.activeUnits(v.regionCode).map((u) => ({ id: u.id, name: u.name }))
              : []
            : undefined
        }
        parties={{
          plaintiffs: (facts.plaintiffs ?? []).map((x) => x.name),
          defendants: (facts.defendants ?? []).map((x) => x.name),
          act: facts.challengedAct?.description ?? null,
        }}
      />,
    );
  });

  web.post('/cases/:id/steps/:kind', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const id = c.req.param('id');
    const kind = c.req.param('kind');
    if (!(kind in STEP_SCHEMAS)) throw new Problem('not-found', `no step form ${kind}`);
    const v = await caseView(deps, id).catch(() => undefined);
    const advisers = v?.regionCode
      ? await deps.db.orm
          .select({ id: legalAdvisers.id, name: legalAdvisers.name, organisation: legalAdvisers.organisation })
          .from(legalAdvisers)
          // Only the active roster may be chosen (a retired adviser is refused here with a Chinese reason).
          .where(and(eq(legalAdvisers.regionCode, v.regionCode), eq(legalAdvisers.active, true)))
      : [];
    const form = stepForms(advisers)[kind as StepKind];
    if (!form) throw new Problem('not-found', `no step form ${kind}`);
    const posted = (await formOf(c, { all: true })) as FormValues;
    const body = bodyOf(form, posted);
    for (const f of form.fields)
      if (f.type === 'files') {
        const files = await filesOf(posted, f.name);
        if (files.length) body[f.name] = files;
      }
    await recordStep(deps, p, id, kind, body);
    return c.redirect(`/web/cases/${encodeURIComponent(id)}?recorded=${kind}#timeline`, 303);
  });

  web.post('/cases/:id/reassign', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const id = c.req.param('id');
    if (p.role !== 'justice_bureau' && p.role !== 'admin') throw new Problem('forbidden', 'this needs the role justice_bureau or admin');
    await assertCaseAccess(deps, p, id, 'decide');
    const form = await formOf(c, { all: true });
    const lead = str(form['lead']).trim();
    if (!lead) throw new Problem('bad-request', '请选择主办单位');
    const reason = str(form['reason']).trim();
    if (!reason) throw new Problem('bad-request', '请填写变更理由');
    if (reason.length > 1000) throw new Problem('bad-request', '变更理由不能超过 1000 字');
    const cooperating = [
      ...new Set(
        strs(form['cooperating'])
          .map((x) => x.trim())
          .filter((u) => u && u !== lead),
      ),
    ];
    await assignCase(
      deps,
      id,
      { assignments: [{ unitId: lead, role: 'lead' }, ...cooperating.map((unitId) => ({ unitId, role: 'cooperating' as const }))], reason },
      p.actor,
      'reassign',
    );
    return c.redirect(`/web/cases/${encodeURIComponent(id)}?reassigned=1`, 303);
  });

  web.post('/obligations/:id/close', async (c) => {
    const form = await formOf(c);
    const status = str(form['status']);
    if (status !== 'done' && status !== 'waived') throw new Problem('bad-request', '请选择处理方式（已办结或免除）');
    const reason = str(form['reason']).trim().slice(0, 1000);
    if (status === 'waived' && !reason) throw new Problem('bad-request', '免除时限事项须写明理由');
    await closeObligationAs(c.var.deps, c.var.principal, c.req.param('id'), { status, ...(reason ? { reason } : {}) }, c.var.actor);
    const back = str(form['back']);
    return c.redirect(/^\/web\/cases\/[0-9A-Za-z-]+$/.test(back) ? `${back}?closed=1` : '/web/board', 303);
  });

  web.get('/cases/:id/steps/:stepId/attachments/:sha256', (c) =>
    sendBlob(c, (read) => stepAttachment(c.var.deps, c.var.principal, c.req.param('id'), c.req.param('stepId'), c.req.param('sha256'), read)),
  );

  // ── 司法建议、检察建议答复 ───────────────────────────────────────────────────────────────────────────
  // The government side's work; a court follows its suggestions through the API.
  web.use('/suggestions/*', async (c, next) => {
    const r = c.var.principal.role;
    if (r !== 'unit' && r !== 'justice_bureau' && r !== 'government_office' && r !== 'admin')
      throw new Problem('forbidden', '建议答复由承办单位、司法局和政府办办理');
    await next();
  });
  web.get('/suggestions', async (c) => {
    const p = c.var.principal;
    if (p.role !== 'unit' && p.role !== 'justice_bureau' && p.role !== 'government_office' && p.role !== 'admin')
      throw new Problem('forbidden', '建议答复由承办单位、司法局和政府办办理');
    const status = oneOf(c.req.query('status'), Object.keys(SUGGESTION_STATUS_ZH));
    const items = await listSuggestions(c.var.deps, p, { ...(status ? { status } : {}), limit: 200 });
    return page(
      c,
      '建议答复',
      '/web/suggestions',
      <SuggestionsPage p={p} items={items} n={await names(c.var.deps)} scopeLabel={await scopeLabel(c, p)} status={status} />,
    );
  });

  web.get('/suggestions/:id', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const s = await suggestionView(deps, p, c.req.param('id'));
    const [doc] = await deps.db.orm.select({ title: documents.title }).from(documents).where(eq(documents.id, s.documentId));
    const done = c.req.query('done');
    const flash =
      done === 'draft'
        ? '答复稿已提交司法局审核。'
        : done === 'review'
          ? '审核意见已提交。'
          : done === 'approve'
            ? '答复已批准，网关已签名并送达来文机关。'
            : done === 'assign'
              ? '已指定承办单位。'
              : undefined;
    return page(
      c,
      '建议答复',
      '/web/suggestions',
      <SuggestionPage
        p={p}
        s={s}
        title={doc?.title ?? ''}
        n={await names(deps)}
        units={await unitChoices(c)}
        today={beijingDate(deps.clock.now())}
        flash={flash}
      />,
    );
  });

  web.post('/suggestions/:id/assign', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const unitId = str(form['unitId']).trim();
    const reason = str(form['reason']).trim();
    if (!unitId) throw new Problem('bad-request', '请选择承办单位');
    if (!reason) throw new Problem('bad-request', '请填写指定理由');
    await assignSuggestion(c.var.deps, c.var.principal, id, { unitId, reason });
    return c.redirect(`/web/suggestions/${encodeURIComponent(id)}?done=assign`, 303);
  });

  web.post('/suggestions/:id/draft', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c, { all: true });
    const text = str(form['text']).trim();
    if (!text) throw new Problem('bad-request', '请填写答复正文');
    if (text.length > 20000) throw new Problem('bad-request', '答复正文不能超过 20000 字');
    const promised = str(form['promised']) === 'yes';
    const by = str(form['by']).trim();
    if (promised && !by) throw new Problem('bad-request', '承诺整改的，请填写整改完成日期');
    const attachments = await filesOf(form as FormValues, 'attachments');
    const handledOn = str(form['handledOn']).trim();
    await submitDraft(c.var.deps, c.var.principal, id, {
      text,
      ...(attachments.length ? { attachments } : {}),
      ...(promised || str(form['description']).trim()
        ? { rectification: { promised, ...(by ? { by } : {}), ...(str(form['description']).trim() ? { description: str(form['description']).trim() } : {}) } }
        : {}),
      ...(handledOn ? { handledOn } : {}),
    });
    return c.redirect(`/web/suggestions/${encodeURIComponent(id)}?done=draft`, 303);
  });

  web.post('/suggestions/:id/review', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const result = str(form['result']);
    if (result !== 'passed' && result !== 'returned') throw new Problem('bad-request', '请选择审核结果（通过或退回修改）');
    const comments = str(form['comments']).trim();
    if (result === 'returned' && !comments) throw new Problem('bad-request', '退回修改时请填写审核意见');
    await reviewDraft(c.var.deps, c.var.principal, id, { result, ...(comments ? { comments } : {}) });
    return c.redirect(`/web/suggestions/${encodeURIComponent(id)}?done=review`, 303);
  });

  web.post('/suggestions/:id/approve', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const approver = str(form['approver']).trim();
    const post = str(form['post']).trim();
    if (!approver || !post) throw new Problem('bad-request', '请填写批准人姓名和职务');
    await approveReply(c.var.deps, c.var.principal, id, { approver: approver.slice(0, 100), post: post.slice(0, 100) });
    return c.redirect(`/web/suggestions/${encodeURIComponent(id)}?done=approve`, 303);
  });

  // ── 法律顾问团队库 (Q 一(三)) ──────────────────────────────────────────────────────────────────────────────
  /** The region a roster page is about: the caller's own, or (admin, liaison) the one asked for among those it may see. */
  const rosterRegion = async (c: WebContext, asked: string | undefined) => {
    const n = await names(c.var.deps);
    const visible = (await visibleRegions(c.var.deps, c.var.principal)) ?? [...n.index.regionCodes()];
    if (visible.length === 0) throw new Problem('forbidden', '法律顾问团队库由司法局维护，本账号无权查看');
    if (asked && !visible.includes(asked)) throw new Problem('forbidden', 'outside the regions this client may see');
    return { region: asked ?? visible[0]!, visible, n };
  };
  const adviserInput = async (c: WebContext) => {
    const form = await formOf(c);
    const name = str(form['name']).trim();
    const organisation = str(form['organisation']).trim();
    if (!name) throw new Problem('bad-request', '请填写法律顾问姓名');
    if (name.length > 100) throw new Problem('bad-request', '姓名不能超过 100 字');
    if (!organisation) throw new Problem('bad-request', '请填写执业机构');
    if (organisation.length > 200) throw new Problem('bad-request', '执业机构不能超过 200 字');
    return { name, organisation, region: str(form['region']).trim() };
  };
  const backToRoster = (region: string, done: string) => `/web/advisers?region=${encodeURIComponent(region)}&done=${done}`;

  web.get('/advisers', async (c) => {
    const p = c.var.principal;
    const { region, visible, n } = await rosterRegion(c, c.req.query('region') || undefined);
    const canKeep = mayKeepRoster(p, region);
    const done = c.req.query('done');
    return page(
      c,
      '法律顾问团队库',
      '/web/advisers',
      <AdvisersPage
        advisers={await listAdvisers(c.var.deps, p, region, { retired: canKeep })}
        region={region}
        regionName={n.region(region)}
        canKeep={canKeep}
        regions={visible.length > 1 ? visible.map((code) => ({ code, name: n.region(code) })) : undefined}
        flash={
          done === 'added'
            ? '已添加到团队库。'
            : done === 'changed'
              ? '已保存修改。'
              : done === 'retired'
                ? '已移出团队库，今后不再可选为代理人。'
                : done === 'restored'
                  ? '已恢复入库。'
                  : undefined
        }
      />,
    );
  });

  web.post('/advisers', async (c) => {
    const p = c.var.principal;
    const { name, organisation, region: asked } = await adviserInput(c);
    const region = p.role === 'admin' ? asked : p.scope;
    if (!mayKeepRoster(p, region)) throw new Problem('forbidden', "the roster of legal advisers is kept by the region's justice bureau");
    await addAdviser(c.var.deps, p, region, { name, organisation }, c.var.actor);
    return c.redirect(backToRoster(region, 'added'), 303);
  });

  web.post('/advisers/:id', async (c) => {
    const { name, organisation } = await adviserInput(c);
    const a = await updateAdviser(c.var.deps, c.var.principal, c.req.param('id'), { name, organisation }, c.var.actor);
    return c.redirect(backToRoster(a.regionCode, 'changed'), 303);
  });

  web.post('/advisers/:id/:change{retire|restore}', async (c) => {
    const change = c.req.param('change');
    const a = await updateAdviser(c.var.deps, c.var.principal, c.req.param('id'), { active: change === 'restore' }, c.var.actor);
    return c.redirect(backToRoster(a.regionCode, change === 'restore' ? 'restored' : 'retired'), 303);
  });

  // ── 日历订阅 ─────────────────────────────────────────────────────────────────────────────────────────
  web.post('/feed', async (c) => {
    const p = c.var.principal;
    if (p.role !== 'unit') throw new Problem('forbidden', '日历订阅链接由承办单位生成');
    const r = await issueFeedToken(c.var.deps, p.scope, p.actor);
    const origin = c.var.deps.config.publicUrl?.replace(/\/$/, '') ?? new URL(c.req.url).origin;
    const url = `${origin}${r.path}`;
    return page(
      c,
      '日历订阅',
      '/web',
      <>
        <h1>日历订阅链接</h1>
        <p>在手机或电脑的日历应用中“添加订阅日历”，粘贴下面的链接，本单位的未办时限事项会出现在日历中。</p>
        <p class="card code" data-testid="feed-url" style="overflow-wrap:anywhere">
          {url}
        </p>
        <p class="muted">链接含有密钥，请勿外传；重新生成后旧链接立即失效。</p>
        <p>
          <a href="/web">← 返回首页</a>
        </p>
      </>,
    );
  });

  // ── 台账与报告 ───────────────────────────────────────────────────────────────────────────────────────
  const periodsOf = (today: string) => {
    const y = Number(today.slice(0, 4));
    return [
      { value: `${y}`, label: `${y} 年度` },
      { value: `${y}-H2`, label: `${y} 年下半年` },
      { value: `${y}-H1`, label: `${y} 年上半年` },
      { value: `${y - 1}`, label: `${y - 1} 年度` },
      { value: `${y - 1}-H2`, label: `${y - 1} 年下半年` },
      { value: `${y - 1}-H1`, label: `${y - 1} 年上半年` },
    ];
  };

  web.get('/reports', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const regions = await overviewRegions(deps, p);
    if (regions.length === 0) throw new Problem('forbidden', 'this client may not see the statistics of any region');
    const today = beijingDate(deps.clock.now());
    const n = await names(deps);
    return page(
      c,
      '台账与报告',
      '/web/reports',
      <ReportsPage
        p={p}
        regions={regions}
        month={today.slice(0, 7)}
        periods={periodsOf(today)}
        packs={await listPacks(deps, p, 50)}
        regionName={n.region}
        today={today}
        flash={c.req.query('made') ? '会议材料已生成并签名。' : undefined}
      />,
    );
  });

  web.get('/reports/ledger', async (c) => {
    const p = c.var.principal;
    const region = c.req.query('region') ?? '';
    const month = c.req.query('month') ?? '';
    if (!/^\d{4}-\d{2}$/.test(month)) throw new Problem('bad-request', '请选择月份（如 2026-11）');
    const format = c.req.query('format') ?? 'xlsx';
    const data = await ledger(c.var.deps, p, region, month);
    const name = `台账-${data.regionName}-${data.month}`;
    if (format === 'xlsx') {
      const bytes = await ledgerXlsx(data);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}.xlsx`,
      });
    }
    const kind = format.replace(/^csv-/, '');
    const sheet = data.sheets.find((s) => s.kind === kind);
    if (!format.startsWith('csv-') || !sheet) throw new Problem('bad-request', '请选择下载格式');
    return c.body(ledgerCsv(sheet) as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(`${name}-${sheet.title}`)}.csv`,
    });
  });

  web.get('/reports/report', async (c) => {
    const p = c.var.principal;
    const deps = c.var.deps;
    const period = c.req.query('period') ?? '';
    const region = c.req.query('region');
    const r = await reportData(deps, p, period, region ? [region] : undefined);
    const n = await names(deps);
    return page(c, r.title, '/web/reports', <ReportPage r={r} regionName={n.region} />);
  });

  web.post('/reports/packs', async (c) => {
    const p = c.var.principal;
    const form = await formOf(c, { all: true });
    const meetingDate = str(form['meetingDate']).trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(meetingDate)) throw new Problem('bad-request', '请填写会议日期');
    const regions = strs(form['regions']).filter(Boolean);
    const notes = str(form['agendaNotes']).trim();
    const r = await createPack(c.var.deps, p, {
      meetingDate,
      period: str(form['period']),
      ...(regions.length ? { regions } : {}),
      ...(notes ? { agendaNotes: notes.slice(0, 2000) } : {}),
    });
    return c.redirect(`/web/reports?made=${encodeURIComponent(r.id)}`, 303);
  });

  web.get('/reports/packs/:id/print', async (c) => {
    const r = await getPack(c.var.deps, c.var.principal, c.req.param('id'));
    return c.html(packHtml(r));
  });

  web.get('/reports/packs/:id/compare/:otherId', async (c) => {
    const r = await comparePacks(c.var.deps, c.var.principal, c.req.param('id'), c.req.param('otherId'));
    return page(c, '会议材料比较', '/web/reports', <ComparePage r={r} />);
  });

  web.get('/reports/packs/:id/verify', async (c) => {
    const r = await getPack(c.var.deps, c.var.principal, c.req.param('id'));
    let ok = false;
    let why: string | undefined;
    try {
      const v = await verifyWithJwks(r.jws, await c.var.deps.keys.jwks());
      // The signed content must be the stored pack, digest for digest.
      ok = sha256HexSync(canonicalJson(v.payload)) === r.contentDigest && sha256HexSync(canonicalJson(r.content)) === r.contentDigest;
      if (!ok) why = '签名内容与所存材料不一致';
    } catch {
      why = '签名无法用网关公钥验证';
    }
    return page(
      c,
      '会议材料签名核验',
      '/web/reports',
      <VerifyPage ok={ok} pack={{ id: r.id, meetingDate: r.content.meetingDate, contentDigest: r.contentDigest }} why={why} />,
    );
  });
}
