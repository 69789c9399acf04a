/**
 * Obligations (时限事项): planned from the events of a case (docs/domain.md §4) under the region's policy and the legal
 * calendar. At intake each document's obligations go in the delivery's own batch; later facts re-plan the case:
 * - the first receipt of the complaint copy starts the answer clock; a later 应诉通知书 never moves it (ALL 第67条);
 *   the same for the first appeal served; a new summons supersedes the open obligations of the earlier hearing;
 * - a decision's effectiveness (生效) is stated by the court, recorded by the justice bureau, or inferred from the
 *   appeal period (src/domain/policy/plan.ts effectiveness()); an appeal withdraws the inference; every change
 *   re-plans the after-judgment duties;
 * - a calendar change, a new version of the holiday data, or a published year re-plans every non-closed obligation
 *   it can move (an overdue one re-opens when its new due date is later); stated dates never move.
 * replanCase(deps, caseId, now) is the one function that re-plans a case (replanContext, pure, once its facts are
 * read): it returns the statements for the caller's own write (routing and assignment use it to give a case's
 * obligations to its unit under its region's policy).
 */
import { and, asc, eq, gte, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { insertRows } from '../lib/raw-insert.js';
import type { Principal } from './clients.js';
import type { Deps, Statements, Stmt } from '../deps.js';
import type { CaseInfo, DocumentEntry } from '../../schemas/api/manifest.js';
import {
  assignments,
  caseSteps,
  cases,
  documents,
  obligations,
  queueItems,
  reminders,
  remediationItems,
  routingDecisions,
  suggestionSteps,
  suggestions,
} from '../../schemas/db/index.js';
import { addDays, beijingDate, type Calendar } from '../domain/calendar/index.js';
import {
  planObligationsDetailed,
  type DocumentObligationKind,
  type DocumentType,
  type Outcome,
  type PlanFacts,
  type PlannedObligation,
  type Policy,
  type SkippedRule,
} from '../domain/policy/index.js';
import type { DirectoryIndex } from '../domain/routing/index.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';
import { auditedUpdate, type AuditEntry } from './audit.js';
import { currentCalendar, type CalendarChange } from './calendar.js';
import { currentDirectory } from './directory.js';
import { regionPolicy } from './policies.js';
import type { ObligationStatus } from '../domain/vocabulary.js';
import { auditedUpsert } from './audit-rows.js';

const OUTCOME: Record<string, Outcome | undefined> = {
  loss: 'loss',
  partial_loss: 'partial_loss',
  win: 'win',
  withdrawal: 'withdrawn',
  mediation: 'mediated',
  other: undefined,
};

/** The facts a policy counts from, read from the signed manifest entry and the arrival instant. */
export function planFacts(
  doc: Pick<DocumentEntry, 'case' | 'hearing' | 'outcome' | 'type' | 'urgent'> & Partial<Pick<DocumentEntry, 'replyDueOn'>>,
  arrivedAt: Date,
  handledOn?: string,
): PlanFacts {
  const outcome = doc.outcome ? OUTCOME[doc.outcome.result] : undefined;
  return {
    arrivedAt,
    ...(doc.hearing ? { hearingAt: doc.hearing.at } : {}),
    ...(doc.outcome?.effectiveOn ? { effectiveOn: doc.outcome.effectiveOn, effectiveSource: 'stated' as const, effectiveNote: '裁判文书载明' } : {}),
    ...(doc.outcome?.performanceDueOn ? { performanceDueOn: doc.outcome.performanceDueOn } : {}),
    ...(outcome ? { outcome } : {}),
    ...(doc.case ? { instance: doc.case.instance } : {}),
    ...(doc.urgent ? { urgent: true } : {}),
    ...(doc.replyDueOn ? { replyDueOn: doc.replyDueOn } : {}),
    ...(handledOn ? { handledOn } : {}),
  };
}

/** Is the district (county) government itself a defendant? (P 第十条, B 第四条 govern only those cases.) */
export function governmentIsDefendant(info: Pick<CaseInfo, 'defendants'> | null | undefined, dir: DirectoryIndex | null, regionCode: string | null): boolean {
  for (const d of info?.defendants ?? []) {
    const byCode = d.unitCode && dir ? dir.unitByCode(d.unitCode) : undefined;
    if (byCode) {
      if (byCode.kind === 'government') return true;
      continue;
    }
    const regions = d.regionCode ? [d.regionCode] : regionCode ? [regionCode] : [];
    if (dir && regions.length) {
      const r = dir.resolveNameIn(d.name, regions);
      if (r.kind === 'found') {
        if (r.unit.kind === 'government') return true;
        continue;
      }
    }
    if (/(区|县|市|旗)人民政府$/.test(d.name.trim())) return true;
  }
  return false;
}

/**
 * How a document's event relates to the same event in other documents of the case:
 * - 'first': the first receipt stands (the complaint copy and a 应诉通知书 are one event, ALL 第67条; the appeal);
 * - 'latest': the latest supersedes the open obligations of the earlier (a summons for a moved hearing);
 * - 'own': each document is its own event (a judgment, a ruling, a suggestion).
 */
const EVENT_GROUP: Partial<Record<DocumentType, { group: string; mode: 'first' | 'latest' }>> = {
  complaint_copy: { group: 'complaint', mode: 'first' },
  response_notice: { group: 'complaint', mode: 'first' },
  appeal: { group: 'appeal', mode: 'first' },
  summons: { group: 'hearing', mode: 'latest' },
  head_appearance_notice: { group: 'hearing', mode: 'latest' },
};

type ObligationRow = typeof obligations.$inferSelect;

interface CaseDoc {
  id: string;
  type: DocumentType;
  entry: DocumentEntry;
  arrivedAt: Date;
}

/** A case as planning sees it: its documents, obligations, the steps that state facts, its appeals. */
export interface CaseContext {
  caseId: string;
  regionCode: string | null;
  leadUnitId: string | null;
  governmentDefendant: boolean;
  docs: CaseDoc[];
  obligations: ObligationRow[];
  /** Facts recorded by people (decision_effective, appeal_filed), in time order. */
  steps: { kind: string; data: Record<string, unknown>; at: Date; actor: string }[];
  /** When an appeal became known: an appeal document, an appeal_filed step, a second-instance case opened. */
  appealsAt: Date[];
  /** The day a suggestion (by its document) was handled, as the unit stated in its reply draft (S 五(七)). */
  handled: Map<string, string>;
}

/** The handling day the unit stated in its latest reply draft, per suggestion document (S 五(七)). */
async function handledOn(deps: Deps, documentIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!documentIds.length) return out;
  const rows = await deps.db.orm
    .select({ documentId: suggestions.documentId, dataJson: suggestionSteps.dataJson })
    .from(suggestionSteps)
    .innerJoin(suggestions, eq(suggestions.id, suggestionSteps.suggestionId))
    .where(and(inArray(suggestions.documentId, documentIds), eq(suggestionSteps.kind, 'draft')))
    .orderBy(asc(suggestionSteps.at));
  for (const r of rows) {
    const on = (JSON.parse(r.dataJson) as { handledOn?: string | null }).handledOn;
    if (on) out.set(r.documentId, on);
  }
  return out;
}

/** Shared by the documents of one delivery: a case's context, with what earlier documents of the delivery planned. */
export type DeliveryPlanState = Map<string, CaseContext>;
export const newDeliveryPlanState = (): DeliveryPlanState => new Map();

/** Everything the obligations of a case are planned from (intake reads it with its other facts, src/intake/routing.ts). */
export async function loadCaseContext(deps: Deps, caseId: string, dir: DirectoryIndex | null): Promise<CaseContext | undefined> {
  const orm = deps.db.orm;
  const [c] = await orm.select({ id: cases.id, regionCode: cases.regionCode, factsJson: cases.factsJson }).from(cases).where(eq(cases.id, caseId));
  if (!c) return undefined;
  const docs = await orm
    .select({ id: documents.id, type: documents.type, entryJson: documents.entryJson, arrivedAt: documents.arrivedAt })
    .from(routingDecisions)
    .innerJoin(documents, eq(documents.id, routingDecisions.documentId))
    .where(eq(routingDecisions.caseId, caseId));
  docs.sort((a, b) => a.arrivedAt.getTime() - b.arrivedAt.getTime() || (a.id < b.id ? -1 : 1));
  const obs = await orm.select().from(obligations).where(eq(obligations.caseId, caseId));
  const steps = await orm
    .select({ kind: caseSteps.kind, dataJson: caseSteps.dataJson, at: caseSteps.at, actor: caseSteps.actor })
    .from(caseSteps)
    .where(and(eq(caseSteps.caseId, caseId), inArray(caseSteps.kind, ['decision_effective', 'appeal_filed'])))
    .orderBy(asc(caseSteps.at));
  const children = await orm
    .select({ createdAt: cases.createdAt })
    .from(cases)
    .where(and(eq(cases.parentCaseId, caseId), eq(cases.instance, 'second')));
  const [lead] = await orm
    .select({ unitId: assignments.unitId })
    .from(assignments)
    .where(and(eq(assignments.caseId, caseId), eq(assignments.role, 'lead'), isNull(assignments.supersededAt)));
  const caseDocs: CaseDoc[] = docs.map((d) => ({
    id: d.id,
    type: d.type as DocumentType,
    entry: JSON.parse(d.entryJson) as DocumentEntry,
    arrivedAt: d.arrivedAt,
  }));
  const handled = await handledOn(
    deps,
    caseDocs.filter((d) => d.type === 'judicial_suggestion' || d.type === 'procuratorial_suggestion').map((d) => d.id),
  );
  const stepRows = steps.map((s) => ({ kind: s.kind, data: JSON.parse(s.dataJson) as Record<string, unknown>, at: s.at, actor: s.actor }));
  return {
    caseId,
    regionCode: c.regionCode,
    leadUnitId: lead?.unitId ?? null,
    governmentDefendant: governmentIsDefendant(JSON.parse(c.factsJson) as CaseInfo, dir, c.regionCode),
    docs: caseDocs,
    obligations: obs,
    steps: stepRows,
    appealsAt: [
      ...caseDocs.filter((d) => d.type === 'appeal').map((d) => d.arrivedAt),
      ...stepRows.filter((s) => s.kind === 'appeal_filed').map((s) => s.at),
      ...children.map((ch) => ch.createdAt),
    ],
    handled,
  };
}

const isFirstInstanceDecision = (d: CaseDoc) => (d.type === 'judgment' || d.type === 'ruling') && (d.entry.case?.instance ?? 'first') === 'first';

/** The case's latest first-instance judgment or ruling that arrived at or before `at`: what a later fact is about. */
function decisionAt(ctx: CaseContext, at: Date): CaseDoc | undefined {
  let found: CaseDoc | undefined;
  for (const d of ctx.docs) if (isFirstInstanceDecision(d) && d.arrivedAt.getTime() <= at.getTime()) found = d;
  return found;
}

/** The facts of one document of the case: its own, and what the case knows about it since. */
function docFacts(ctx: CaseContext | null, doc: CaseDoc): PlanFacts {
  const facts = planFacts(doc.entry, doc.arrivedAt, ctx?.handled.get(doc.id));
  if (!ctx) return facts;
  facts.governmentDefendant = ctx.governmentDefendant;
  if (isFirstInstanceDecision(doc)) {
    if (ctx.appealsAt.some((at) => decisionAt(ctx, at)?.id === doc.id)) facts.appealed = true;
    // A later statement of the court or a record of the justice bureau: the latest one stands.
    let best: { on: string; at: Date; source: 'stated' | 'recorded'; note: string } | undefined;
    for (const d of ctx.docs) {
      if (d.id === doc.id || !d.entry.decisionEffectiveOn || decisionAt(ctx, d.arrivedAt)?.id !== doc.id) continue;
      if (!best || d.arrivedAt >= best.at) best = { on: d.entry.decisionEffectiveOn, at: d.arrivedAt, source: 'stated', note: `${d.entry.title}载明` };
    }
    for (const s of ctx.steps) {
      if (s.kind !== 'decision_effective' || decisionAt(ctx, s.at)?.id !== doc.id) continue;
      if (!best || s.at >= best.at) best = { on: String(s.data.effectiveOn), at: s.at, source: 'recorded', note: `${s.actor}：${String(s.data.reason ?? '')}` };
    }
    if (best) {
      facts.effectiveOn = best.on;
      facts.effectiveSource = best.source;
      facts.effectiveNote = best.note;
    }
  }
  const done: Partial<Record<DocumentObligationKind, string>> = {};
  for (const o of ctx.obligations) {
    if (o.documentId !== doc.id || !o.doneAt || (o.status !== 'done' && o.status !== 'remedied')) continue;
    const day = beijingDate(o.doneAt);
    const k = o.kind as DocumentObligationKind;
    if (!done[k] || day < done[k]!) done[k] = day;
  }
  if (Object.keys(done).length) facts.doneOn = done;
  return facts;
}

export interface ObligationContext {
  documentId: string;
  doc: DocumentEntry;
  arrivedAt: Date;
  caseId: string | null;
  /** The case is created by the same delivery: it has no earlier obligations to supersede (skip the queries). */
  caseIsNew?: boolean;
  regionCode: string | null;
  /** The lead unit when the case is assigned. */
  leadUnitId: string | null;
  policy: Policy;
  calendar: Calendar;
  /**
   * The context of every existing case the delivery names, read with its facts (loadCaseContext), shared by the
   * documents of one delivery: a complaint copy and a notice in one delivery are one event.
   */
  state: DeliveryPlanState;
  /** The directory the plan was made with. */
  dir: DirectoryIndex;
  /** The first-instance case a new second-instance case continues, with its context and its region's policy. */
  parent?: { context: CaseContext; policy: Policy };
}

export interface ObligationSummary {
  kind: string;
  ruleId: string;
  dueOn: string;
  provisional: boolean;
  party: string;
  source: string;
  earliestDueOn?: string;
}

const derivationJson = (p: PlannedObligation) => JSON.stringify({ ...p.derivation, ...(p.earliestDueOn ? { earliestDueOn: p.earliestDueOn } : {}) });

export function obligationRow(
  p: PlannedObligation,
  at: { documentId: string; caseId: string | null; regionCode: string | null; leadUnitId: string | null },
  now: Date,
): ObligationRow {
  return {
    id: newId(),
    caseId: at.caseId,
    documentId: at.documentId,
    regionCode: at.regionCode,
    ruleId: p.ruleId,
    kind: p.kind,
    titleZh: p.title.zh,
    titleEn: p.title.en,
    party: p.actor,
    unitId: p.actor === 'unit' ? at.leadUnitId : null,
    dueOn: p.dueOn,
    provisional: p.provisional,
    derivationJson: derivationJson(p),
    source: p.source,
    status: 'open',
    statusReason: null,
    doneAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

export const reminderRows = (obligationId: string, p: PlannedObligation) =>
  p.reminders.map((r) => ({ id: newId(), obligationId, kind: r.kind, fireAt: new Date(r.fireAt), notifyJson: JSON.stringify(r.notify), source: r.source }));

interface Reconciled {
  items: Stmt[];
  entries: AuditEntry[];
  summary: ObligationSummary[];
  changed: number;
  /** ruleId → id of the obligations it created (the routing window links the queue item to one). */
  ids: Record<string, string>;
}

const NON_CLOSED = ['open', 'overdue'] as const;
const isNonClosed = (status: string) => status === 'open' || status === 'overdue';

/**
 * Bring one document's obligations in line with its plan. 'intake': the document is new (reminders from its
 * arrival on). 'replan': existing obligations are updated (an overdue one re-opens when its new due date has not
 * passed), missing ones created (future reminders only), and those the plan no longer has are waived with the reason.
 * 'recompute' (a calendar change, new holiday data): a change of days creates no fact, so existing obligations are
 * only updated; nothing is created or withdrawn.
 */
function reconcile(
  deps: Statements,
  ctx: CaseContext | null,
  doc: CaseDoc,
  policy: Policy,
  calendar: Calendar,
  now: Date,
  mode: 'intake' | 'replan' | 'recompute',
  where: { regionCode: string | null; leadUnitId: string | null },
  actor: string,
  cause: unknown,
): Reconciled {
  const plan = planObligationsDetailed(policy, doc.type, docFacts(ctx, doc), calendar);
  const orm = deps.db.orm;
  const items: Stmt[] = [];
  const entries: AuditEntry[] = [];
  const summary: ObligationSummary[] = [];
  const rows: ObligationRow[] = [];
  const rems: ReturnType<typeof reminderRows> = [];
  const today = beijingDate(now);
  let changed = 0;
  const all = ctx?.obligations ?? [];
  const mine = all.filter((o) => o.documentId === doc.id);
  const event = EVENT_GROUP[doc.type];
  const typeOf = new Map((ctx?.docs ?? []).map((d) => [d.id, d.type]));
  const sameEvent = (o: ObligationRow) => o.documentId !== doc.id && EVENT_GROUP[typeOf.get(o.documentId) ?? 'judgment']?.group === event?.group;

  for (const p of plan.obligations) {
    const existing = mine.find((o) => o.ruleId === p.ruleId);
    if (!existing && mode === 'recompute') continue;
    if (!existing) {
      if (event && all.some((o) => o.ruleId === p.ruleId && sameEvent(o))) {
        if (event.mode === 'first' || mode !== 'intake') continue; // the first receipt stands (ALL 第67条)
        // 'latest' at intake: this document supersedes the open obligations of the earlier one.
        const earlier = all.filter((o) => o.ruleId === p.ruleId && sameEvent(o) && o.status === 'open');
        if (earlier.length) {
          const ids = earlier.map((e) => e.id);
          const why = `superseded by a later document of the case (${doc.type} ${doc.entry.documentId})`;
          items.push(auditedUpdate(deps, obligations, { status: 'waived', statusReason: why, updatedAt: now }, inArray(obligations.id, ids)));
          items.push(
            orm
              .update(reminders)
              .set({ cancelledAt: now })
              .where(and(inArray(reminders.obligationId, ids), isNull(reminders.sentAt), isNull(reminders.cancelledAt))),
          );
          for (const e of earlier) {
            e.status = 'waived';
            entries.push({ actor, action: 'obligation.superseded', subject: `obligation:${e.id}`, data: { ruleId: e.ruleId, dueOn: e.dueOn, by: doc.id } });
          }
        }
      }
      const row = obligationRow(p, { documentId: doc.id, caseId: ctx?.caseId ? ctx.caseId : null, ...where }, now);
      rows.push(row);
      const rr = reminderRows(row.id, p);
      rems.push(...(mode === 'intake' ? rr : rr.filter((r) => r.fireAt.getTime() > now.getTime())));
      all.push(row);
      summary.push({
        kind: p.kind,
        ruleId: p.ruleId,
        dueOn: p.dueOn,
        provisional: p.provisional,
        party: p.actor,
        source: p.source,
        ...(p.earliestDueOn ? { earliestDueOn: p.earliestDueOn } : {}),
      });
      entries.push({
        actor,
        action: 'obligation.created',
        subject: `obligation:${row.id}`,
        data: {
          documentId: doc.id,
          ruleId: p.ruleId,
          kind: p.kind,
          dueOn: p.dueOn,
          provisional: p.provisional,
          anchor: p.derivation.anchor.source,
          unitId: row.unitId,
          source: p.source,
          ...(mode === 'replan' ? { cause } : {}),
        },
      });
      changed++;
      continue;
    }
    if (!isNonClosed(existing.status)) continue;
    const unitId = existing.party === 'unit' && where.leadUnitId ? where.leadUnitId : existing.unitId;
    const regionCode = where.regionCode ?? existing.regionCode;
    const dj = derivationJson(p);
    const reopen = existing.status === 'overdue' && p.dueOn >= today;
    const same = p.dueOn === existing.dueOn && p.provisional === existing.provisional && dj === existing.derivationJson;
    if (same && unitId === existing.unitId && regionCode === existing.regionCode) continue;
    items.push(
      auditedUpdate(
        deps,
        obligations,
        {
          dueOn: p.dueOn,
          provisional: p.provisional,
          derivationJson: dj,
          unitId,
          regionCode,
          updatedAt: now,
          ...(reopen ? { status: 'open' as const, statusReason: `re-opened: due date recomputed to ${p.dueOn}` } : {}),
        },
        eq(obligations.id, existing.id),
      ),
    );
    if (reopen)
      items.push(
        orm
          .update(remediationItems)
          .set({ status: 'closed', closedAt: now, note: `期限重新计算为 ${p.dueOn}，不再逾期` })
          .where(and(eq(remediationItems.obligationId, existing.id), eq(remediationItems.status, 'open'))),
      );
    if (p.dueOn !== existing.dueOn || dj !== existing.derivationJson) {
      items.push(
        orm
          .update(reminders)
          .set({ cancelledAt: now })
          .where(and(eq(reminders.obligationId, existing.id), isNull(reminders.sentAt), isNull(reminders.cancelledAt))),
      );
      const future = reminderRows(existing.id, p).filter((r) => r.fireAt.getTime() > now.getTime());
      if (future.length) items.push(auditedUpsert(deps, reminders, future, [reminders.obligationId, reminders.kind, reminders.fireAt], { cancelledAt: null }));
    }
    entries.push({
      actor,
      action: 'obligation.recomputed',
      subject: `obligation:${existing.id}`,
      data: {
        from: { dueOn: existing.dueOn, provisional: existing.provisional, status: existing.status, unitId: existing.unitId, regionCode: existing.regionCode },
        to: { dueOn: p.dueOn, provisional: p.provisional, status: reopen ? 'open' : existing.status, unitId, regionCode, anchor: p.derivation.anchor.source },
        policy: policy.id,
        cause,
      },
    });
    Object.assign(existing, { dueOn: p.dueOn, provisional: p.provisional, derivationJson: dj, unitId, regionCode, ...(reopen ? { status: 'open' } : {}) });
    changed++;
  }
  if (mode === 'replan') {
    // Withdrawn by a later fact (an appeal withdraws the inferred effectiveness).
    for (const o of mine) {
      if (!isNonClosed(o.status) || plan.obligations.some((p) => p.ruleId === o.ruleId)) continue;
      if (o.ruleId === 'routing-window') continue; // the queue's own deadline (src/services/routing-window.ts), not a policy rule
      const skipped: SkippedRule | undefined = plan.skipped.find((k) => k.ruleId === o.ruleId);
      const why = skipped ? `no longer applies: ${skipped.reason.en}` : `not a rule of the region's policy (${policy.id})`;
      items.push(auditedUpdate(deps, obligations, { status: 'waived', statusReason: why, doneAt: now, updatedAt: now }, eq(obligations.id, o.id)));
      items.push(
        orm
          .update(reminders)
          .set({ cancelledAt: now })
          .where(and(eq(reminders.obligationId, o.id), isNull(reminders.sentAt), isNull(reminders.cancelledAt))),
      );
      items.push(
        orm
          .update(remediationItems)
          .set({ status: 'closed', closedAt: now, note: skipped?.reason.zh ?? '不再适用' })
          .where(and(eq(remediationItems.obligationId, o.id), eq(remediationItems.status, 'open'))),
      );
      entries.push({
        actor,
        action: 'obligation.withdrawn',
        subject: `obligation:${o.id}`,
        data: { ruleId: o.ruleId, dueOn: o.dueOn, why: skipped?.reason ?? null, cause },
      });
      o.status = 'waived';
      changed++;
    }
  }
  // One multi-row statement each: fewer statements in the delivery's batch.
  if (rows.length) items.push(insertRows(obligations, rows));
  if (rems.length) items.push(insertRows(reminders, rems));
  return { items, entries, summary, changed, ids: Object.fromEntries(rows.map((row) => [row.ruleId, row.id])) };
}

/**
 * Plan one document's obligations as statements for the delivery's batch, in the light of the case: the first
 * receipt of the complaint copy stands, a new summons supersedes the earlier hearing, an appeal or a stated
 * effective date re-plans the earlier decision's after-judgment duties, a second-instance case withdraws the
 * inferred effectiveness of the first-instance decision it continues. Pure: from the facts intake read, nothing else.
 */
export function planDocumentObligations(
  w: Statements,
  ctx: ObligationContext,
): { items: Stmt[]; entries: AuditEntry[]; summary: ObligationSummary[]; ids: Record<string, string> } {
  const now = ctx.arrivedAt;
  const doc: CaseDoc = { id: ctx.documentId, type: ctx.doc.type as DocumentType, entry: ctx.doc, arrivedAt: ctx.arrivedAt };
  const where = { regionCode: ctx.regionCode, leadUnitId: ctx.leadUnitId };
  let cc: CaseContext | null = null;
  if (ctx.caseId) {
    cc = ctx.state.get(ctx.caseId) ?? null;
    if (!cc) {
      // A case is either new in this delivery or was read with the delivery's facts (src/intake/facts.ts).
      if (!ctx.caseIsNew) throw new Error(`case ${ctx.caseId} is planned without its facts: read its context with the delivery's facts`);
      cc = emptyCaseContext(ctx.caseId, ctx.regionCode, ctx.leadUnitId);
      ctx.state.set(ctx.caseId, cc);
    }
    cc.regionCode = ctx.regionCode ?? cc.regionCode;
    cc.leadUnitId = ctx.leadUnitId ?? cc.leadUnitId;
    if (ctx.doc.case && !cc.governmentDefendant) cc.governmentDefendant = governmentIsDefendant(ctx.doc.case, ctx.dir, cc.regionCode);
    cc.docs.push(doc);
    if (doc.type === 'appeal') cc.appealsAt.push(now);
  }
  const actor = 'rules';
  const r = reconcile(w, cc, doc, ctx.policy, ctx.calendar, now, 'intake', where, actor, null);
  const items = [...r.items];
  const entries = [...r.entries];
  // Later facts about an earlier decision of the case: an appeal, a stated effective date.
  if (cc && (doc.type === 'appeal' || ctx.doc.decisionEffectiveOn)) {
    for (const d of cc.docs) {
      if (d.id === doc.id || !isFirstInstanceDecision(d)) continue;
      const rr = reconcile(w, cc, d, ctx.policy, ctx.calendar, now, 'replan', where, actor, { by: doc.id, type: doc.type });
      items.push(...rr.items);
      entries.push(...rr.entries);
    }
  }
  // A second-instance case continuing a first-instance one: the first-instance decision was appealed.
  if (ctx.caseIsNew && ctx.doc.case?.instance === 'second' && ctx.parent) {
    const pr = replanContext(w, ctx.parent.context, ctx.parent.policy, ctx.calendar, now, {
      actor,
      cause: { by: doc.id, secondInstance: ctx.doc.case.caseNumber },
      appealAt: now,
    });
    items.push(...pr.items);
    entries.push(...pr.entries);
  }
  return { items, entries, summary: r.summary, ids: r.ids };
}

const emptyCaseContext = (caseId: string, regionCode: string | null, leadUnitId: string | null): CaseContext => ({
  caseId,
  regionCode,
  leadUnitId,
  governmentDefendant: false,
  docs: [],
  obligations: [],
  steps: [],
  appealsAt: [],
  handled: new Map(),
});

export interface ReplanOptions {
  actor?: string;
  /** Why (recorded in the audit entries). */
  cause?: unknown;
  /** Facts recorded in the same write, not in the database yet. */
  pendingSteps?: { kind: string; data: Record<string, unknown>; actor: string }[];
  /** Obligations discharged in the same write (their done day is `now`). */
  doneIds?: string[];
  /** An appeal known from the same write (a second-instance case being created). */
  appealAt?: Date;
  /** A suggestion's handling day stated in the same write (S 五(七)). */
  handled?: { documentId: string; on: string };
  /** Only move existing obligations (a calendar or holiday-data change creates no fact): nothing created or withdrawn. */
  updateOnly?: boolean;
  calendar?: Calendar;
  /** The case's region from this write on (assigned or claimed): its policy plans, and its obligations count there. */
  regionCode?: string;
  /** The case's lead unit from this write on (null: none yet, the case still waits). */
  leadUnitId?: string | null;
}

/** A re-planned case: the statements, and what plans each of its rules now (`${documentId}:${ruleId}` → obligation). */
export interface Replanned {
  items: Stmt[];
  entries: AuditEntry[];
  changed: number;
  planned: Record<string, { id: string; dueOn: string }>;
  policy: Policy;
  calendar: Calendar;
}

/**
 * Re-plan every non-closed obligation of a case under its region's current policy and the current calendar, for
 * its current lead unit, from every fact the case knows (documents, recorded steps, appeals); missing obligations
 * a new fact makes due are created, those it withdraws are waived. Returns the statements and audit entries for
 * the caller's own write (nothing is committed here). Stable name: other features call it (#17 routing window).
 */
export async function replanCase(deps: Deps, caseId: string, now: Date, opts: ReplanOptions = {}): Promise<Replanned> {
  const dir = (await currentDirectory(deps)).index;
  const ctx = await loadCaseContext(deps, caseId, dir);
  const calendar = opts.calendar ?? (await currentCalendar(deps));
  if (!ctx) return { items: [], entries: [], changed: 0, planned: {}, policy: (await regionPolicy(deps, opts.regionCode ?? null)).policy, calendar };
  if (opts.regionCode !== undefined) ctx.regionCode = opts.regionCode;
  if (opts.leadUnitId !== undefined) ctx.leadUnitId = opts.leadUnitId;
  const { policy } = await regionPolicy(deps, ctx.regionCode);
  const r = replanContext(deps, ctx, policy, calendar, now, opts);
  const planned: Replanned['planned'] = {};
  for (const o of ctx.obligations) if (isNonClosed(o.status)) planned[`${o.documentId}:${o.ruleId}`] = { id: o.id, dueOn: o.dueOn };
  return { ...r, planned, policy, calendar };
}

/** replanCase from a context already read (intake re-plans a first instance from its delivery's facts): pure. */
export function replanContext(
  w: Statements,
  ctx: CaseContext,
  policy: Policy,
  calendar: Calendar,
  now: Date,
  opts: Omit<ReplanOptions, 'calendar'> = {},
): { items: Stmt[]; entries: AuditEntry[]; changed: number } {
  for (const s of opts.pendingSteps ?? []) {
    ctx.steps.push({ ...s, at: now });
    if (s.kind === 'appeal_filed') ctx.appealsAt.push(now);
  }
  if (opts.appealAt) ctx.appealsAt.push(opts.appealAt);
  if (opts.handled) ctx.handled.set(opts.handled.documentId, opts.handled.on);
  for (const o of ctx.obligations) {
    if (opts.doneIds?.includes(o.id) && isNonClosed(o.status)) Object.assign(o, { status: o.status === 'overdue' ? 'remedied' : 'done', doneAt: now });
  }
  const items: Stmt[] = [];
  const entries: AuditEntry[] = [];
  let changed = 0;
  for (const d of ctx.docs) {
    const r = reconcile(
      w,
      ctx,
      d,
      policy,
      calendar,
      now,
      opts.updateOnly ? 'recompute' : 'replan',
      { regionCode: ctx.regionCode, leadUnitId: ctx.leadUnitId },
      opts.actor ?? 'rules',
      opts.cause ?? null,
    );
    items.push(...r.items);
    entries.push(...r.entries);
    changed += r.changed;
  }
  return { items, entries, changed };
}

/** Re-plan one document's case, or the document alone when it belongs to no case (a stand-alone suggestion). */
export async function replanDocument(
  deps: Deps,
  documentId: string,
  now: Date,
  opts: ReplanOptions = {},
): Promise<{ items: Stmt[]; entries: AuditEntry[]; changed: number }> {
  const [rd] = await deps.db.orm.select({ caseId: routingDecisions.caseId }).from(routingDecisions).where(eq(routingDecisions.documentId, documentId));
  if (rd?.caseId) return replanCase(deps, rd.caseId, now, opts);
  return replanLoneDocument(
    deps,
    documentId,
    now,
    opts.actor ?? 'rules',
    opts.cause ?? null,
    opts.calendar ?? (await currentCalendar(deps)),
    opts.handled?.on,
    opts.updateOnly,
  );
}

/** Re-plan a document that belongs to no case (a stand-alone suggestion). */
async function replanLoneDocument(
  deps: Deps,
  documentId: string,
  now: Date,
  actor: string,
  cause: unknown,
  calendar: Calendar,
  handledNow?: string,
  updateOnly?: boolean,
) {
  const [d] = await deps.db.orm
    .select({ id: documents.id, type: documents.type, entryJson: documents.entryJson, arrivedAt: documents.arrivedAt })
    .from(documents)
    .where(eq(documents.id, documentId));
  if (!d) return { items: [], entries: [], changed: 0 };
  const obs = await deps.db.orm.select().from(obligations).where(eq(obligations.documentId, documentId));
  const regionCode = obs[0]?.regionCode ?? null;
  const doc: CaseDoc = { id: d.id, type: d.type as DocumentType, entry: JSON.parse(d.entryJson) as DocumentEntry, arrivedAt: d.arrivedAt };
  // A context without a case: only this document's obligations (no other events to weigh).
  const handled = await handledOn(deps, [documentId]);
  if (handledNow) handled.set(documentId, handledNow);
  const [sug] = await deps.db.orm
    .select({ unitId: suggestions.unitId, regionCode: suggestions.regionCode })
    .from(suggestions)
    .where(eq(suggestions.documentId, documentId));
  const ctx: CaseContext = {
    caseId: '',
    regionCode: regionCode ?? sug?.regionCode ?? null,
    leadUnitId: sug?.unitId ?? obs.find((o) => o.unitId)?.unitId ?? null,
    governmentDefendant: false,
    docs: [doc],
    obligations: obs,
    steps: [],
    appealsAt: [],
    handled,
  };
  const { policy } = await regionPolicy(deps, ctx.regionCode);
  return reconcile(
    deps,
    ctx,
    doc,
    policy,
    calendar,
    now,
    updateOnly ? 'recompute' : 'replan',
    { regionCode: ctx.regionCode, leadUnitId: ctx.leadUnitId },
    actor,
    cause,
  );
}

/** Statements that give a case's unit obligations to its (new) lead unit. */
export function assignObligationsStmt(deps: Deps, caseId: string, leadUnitId: string, now: Date): Stmt {
  return deps.db.orm
    .update(obligations)
    .set({ unitId: leadUnitId, updatedAt: now })
    .where(and(eq(obligations.caseId, caseId), eq(obligations.party, 'unit'), inArray(obligations.status, ['open', 'overdue'])));
}

/** A change that can move due dates: a calendar day or year, or a new version of the holiday data. */
export type RecomputeCause = CalendarChange | { kind: 'data'; digest: string; previous: string | null };

/**
 * Re-plan every non-closed obligation (open or overdue) a change can move: each case in one audited write.
 * A day: obligations due from a month before it on; a year: the provisional ones; new holiday data: all.
 */
export async function recomputeAfterCalendarChange(deps: Deps, change: RecomputeCause, actor: string): Promise<{ examined: number; changed: number }> {
  const nonClosed = inArray(obligations.status, [...NON_CLOSED]);
  const where: SQL =
    change.kind === 'year'
      ? and(nonClosed, eq(obligations.provisional, true))!
      : change.kind === 'day'
        ? and(nonClosed, gte(obligations.dueOn, addDays(change.date, -31)))!
        : nonClosed;
  const rows = await deps.db.orm
    .select({ id: obligations.id, caseId: obligations.caseId, documentId: obligations.documentId })
    .from(obligations)
    .where(where)
    .orderBy(asc(obligations.caseId), asc(obligations.documentId));
  const caseIds = [...new Set(rows.filter((r) => r.caseId).map((r) => r.caseId!))];
  const lone = [...new Set(rows.filter((r) => !r.caseId).map((r) => r.documentId))];
  let changed = 0;
  for (const caseId of caseIds) {
    changed += await deps.writer.planned(async () => {
      const now = deps.clock.now();
      const r = await replanCase(deps, caseId, now, { actor, cause: change, updateOnly: true });
      return { entries: r.entries, build: async () => ({ items: r.items, result: r.changed }) };
    });
  }
  for (const documentId of lone) {
    changed += await deps.writer.planned(async () => {
      const now = deps.clock.now();
      const r = await replanDocument(deps, documentId, now, { actor, cause: change, updateOnly: true });
      return { entries: r.entries, build: async () => ({ items: r.items, result: r.changed }) };
    });
  }
  return { examined: rows.length, changed };
}

/**
 * Discharge obligations (done, or remedied when they were overdue): their reminders, chases and reports stop
 * (the feedback asked for the day after still goes out) and an open remediation item is closed.
 */
export function dischargeStmts(deps: Deps, obs: { id: string; status: string }[], now: Date, reason: string): Stmt[] {
  const items: Stmt[] = [];
  for (const o of obs) {
    const status = o.status === 'overdue' ? 'remedied' : 'done';
    items.push(auditedUpdate(deps, obligations, { status, statusReason: reason, doneAt: now, updatedAt: now }, eq(obligations.id, o.id)));
    items.push(
      deps.db.orm
        .update(reminders)
        .set({ cancelledAt: now })
        .where(and(eq(reminders.obligationId, o.id), isNull(reminders.sentAt), isNull(reminders.cancelledAt), sql`${reminders.kind} <> 'feedback'`)),
    );
    if (o.status === 'overdue')
      items.push(deps.db.orm.update(remediationItems).set({ status: 'closed', closedAt: now, note: reason }).where(eq(remediationItems.obligationId, o.id)));
  }
  return items;
}

/** Close an obligation: done (remedied if it was overdue) or waived with a reason. */
export async function closeObligation(deps: Deps, id: string, input: { status: 'done' | 'waived'; reason?: string }, actor: string) {
  const now = deps.clock.now();
  return deps.writer.planned(async () => {
    const [o] = await deps.db.orm.select().from(obligations).where(eq(obligations.id, id));
    if (!o) throw new Problem('not-found', `no obligation with id ${id}`);
    if (o.status !== 'open' && o.status !== 'overdue') throw new Problem('conflict', `the obligation is already ${o.status}`);
    if (input.status === 'waived' && !input.reason?.trim()) throw new Problem('bad-request', 'waiving an obligation needs a reason');
    const status = input.status === 'waived' ? 'waived' : o.status === 'overdue' ? 'remedied' : 'done';
    const items: Stmt[] =
      input.status === 'waived'
        ? [
            auditedUpdate(deps, obligations, { status, statusReason: input.reason ?? null, doneAt: now, updatedAt: now }, eq(obligations.id, id)),
            deps.db.orm
              .update(reminders)
              .set({ cancelledAt: now })
              .where(and(eq(reminders.obligationId, id), isNull(reminders.sentAt), isNull(reminders.cancelledAt))),
            deps.db.orm
              .update(remediationItems)
              .set({ status: 'closed', closedAt: now, note: input.reason ?? 'waived' })
              .where(eq(remediationItems.obligationId, id)),
          ]
        : dischargeStmts(deps, [o], now, input.reason ?? 'done');
    return {
      entries: [{ actor, action: `obligation.${status}`, subject: `obligation:${id}`, data: { status, reason: input.reason ?? null, dueOn: o.dueOn } }],
      build: async () => ({ items, result: { id, status } }),
    };
  }, now);
}

/**
 * Close an obligation as a principal may: a unit its own, a justice bureau or government office its region's,
 * an administrator any; anything else answers as if the obligation did not exist.
 */
export async function closeObligationAs(deps: Deps, p: Principal, id: string, input: { status: 'done' | 'waived'; reason?: string }, actor: string = p.actor) {
  const [o] = await deps.db.orm.select({ unitId: obligations.unitId, regionCode: obligations.regionCode }).from(obligations).where(eq(obligations.id, id));
  const allowed =
    o &&
    (p.role === 'admin' ||
      (p.role === 'unit' && o.unitId === p.scope) ||
      ((p.role === 'justice_bureau' || p.role === 'government_office') && o.regionCode === p.scope));
  if (!allowed) throw new Problem('not-found', `no obligation with id ${id}`);
  return closeObligation(deps, id, input, actor);
}

const queuedFor = (regionCode: string) =>
  sql`exists (select 1 from ${queueItems} where ${queueItems.status} = 'open' and ${queueItems.regionCode} is null and (${queueItems.caseId} = ${obligations.caseId} or ${queueItems.documentId} = ${obligations.documentId}) and exists (select 1 from json_each(${queueItems.candidateRegions}) where value = ${regionCode}))`;

/**
 * The one call of the planner for a stored document under a given policy (re-planning on assignment or a
 * region's claim, src/services/assignments.ts, where the region and the unit change in the same write).
 */
export function planForDocument(policy: Policy, entry: DocumentEntry, arrivedAt: Date, calendar: Calendar): PlannedObligation[] {
  return planObligationsDetailed(policy, entry.type as DocumentType, planFacts(entry, arrivedAt), calendar).obligations;
}

export async function listObligations(
  deps: Deps,
  f: { unitId?: string; regionCode?: string; caseId?: string; status?: ObligationStatus; dueBefore?: string; limit?: number; orQueuedFor?: string },
) {
  const conds: SQL[] = [];
  if (f.unitId) conds.push(eq(obligations.unitId, f.unitId));
  // orQueuedFor: a candidate region's justice bureau also sees those of a queued case not yet claimed (docs/domain.md §3).
  if (f.regionCode)
    conds.push(
      f.orQueuedFor
        ? or(eq(obligations.regionCode, f.regionCode), and(isNull(obligations.regionCode), queuedFor(f.orQueuedFor)))!
        : eq(obligations.regionCode, f.regionCode),
    );
  if (f.caseId) conds.push(eq(obligations.caseId, f.caseId));
  if (f.status) conds.push(eq(obligations.status, f.status));
  if (f.dueBefore) conds.push(sql`${obligations.dueOn} <= ${f.dueBefore}`);
  const rows = await deps.db.orm
    .select({ o: obligations, caseNumber: cases.caseNumber })
    .from(obligations)
    .leftJoin(cases, eq(cases.id, obligations.caseId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(obligations.dueOn), asc(obligations.id))
    .limit(Math.min(f.limit ?? 200, 1000));
  return rows.map(({ o, caseNumber }) => {
    const derivation = JSON.parse(o.derivationJson) as { earliestDueOn?: string; anchor?: { source?: string } };
    return {
      id: o.id,
      caseId: o.caseId,
      caseNumber,
      documentId: o.documentId,
      regionCode: o.regionCode,
      kind: o.kind,
      ruleId: o.ruleId,
      title: { zh: o.titleZh, en: o.titleEn },
      party: o.party,
      unitId: o.unitId,
      dueOn: o.dueOn,
      provisional: o.provisional,
      earliestDueOn: derivation.earliestDueOn ?? null,
      dueSource: (derivation.anchor?.source ?? 'arrival') as 'arrival' | 'stated' | 'recorded' | 'inferred',
      status: o.status,
      statusReason: o.statusReason,
      source: o.source,
      derivation: derivation as unknown,
    };
  });
}
