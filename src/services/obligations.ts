/**
 * Obligations (时限事项): created at intake in the delivery's own batch from the region's policy and the legal
 * calendar; updated by later documents of the case (a moved hearing supersedes the earlier one); recomputed
 * when the calendar changes; closed as done, waived with a reason, or remedied after being overdue.
 */
import { and, asc, eq, gte, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { insertRows } from '../lib/raw-insert.js';
import type { Deps, Stmt } from '../deps.js';
import type { DocumentEntry } from '../../schemas/api/manifest.js';
import { documents, obligations, reminders, remediationItems, cases } from '../../schemas/db/index.js';
import { addDays, type Calendar } from '../domain/calendar/index.js';
import { planObligationsDetailed, type DocumentType, type Outcome, type PlanFacts, type PlannedObligation, type Policy } from '../domain/policy/index.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';
import { auditedUpdate, commitAudited, commitPlanned, type AuditEntry } from './audit.js';
import { currentCalendar, type CalendarChange } from './calendar.js';
import { regionPolicy } from './policies.js';

const OUTCOME: Record<string, Outcome | undefined> = { loss: 'loss', win: 'win', withdrawal: 'withdrawn', mediation: 'mediated', other: undefined };

/** The facts a policy counts from, read from the signed manifest entry and the arrival instant. */
export function planFacts(doc: Pick<DocumentEntry, 'case' | 'hearing' | 'outcome' | 'type' | 'urgent'>, arrivedAt: Date, handledOn?: string): PlanFacts {
  const outcome = doc.outcome ? OUTCOME[doc.outcome.result] : undefined;
  return {
    arrivedAt,
    ...(doc.hearing ? { hearingAt: doc.hearing.at } : {}),
    ...(doc.outcome?.effectiveOn ? { effectiveOn: doc.outcome.effectiveOn } : {}),
    ...(doc.outcome?.performanceDueOn ? { performanceDueOn: doc.outcome.performanceDueOn } : {}),
    ...(outcome ? { outcome } : {}),
    ...(doc.case ? { instance: doc.case.instance } : {}),
    ...(doc.urgent ? { urgent: true } : {}),
    ...(handledOn ? { handledOn } : {}),
  };
}

export interface ObligationContext {
  documentId: string;
  doc: DocumentEntry;
  arrivedAt: Date;
  caseId: string | null;
  /** The case is created by the same delivery: it has no earlier obligations to supersede (skip the query). */
  caseIsNew?: boolean;
  regionCode: string | null;
  /** The lead unit when the case is assigned. */
  leadUnitId: string | null;
  policy: Policy;
  calendar: Calendar;
}

export interface ObligationSummary {
  kind: string;
  ruleId: string;
  dueOn: string;
  provisional: boolean;
  party: string;
  source: string;
}

function obligationRow(p: PlannedObligation, ctx: Pick<ObligationContext, 'documentId' | 'caseId' | 'regionCode' | 'leadUnitId'>, now: Date) {
  return {
    id: newId(),
    caseId: ctx.caseId,
    documentId: ctx.documentId,
    regionCode: ctx.regionCode,
    ruleId: p.ruleId,
    kind: p.kind,
    titleZh: p.title.zh,
    titleEn: p.title.en,
    party: p.actor,
    unitId: p.actor === 'unit' ? ctx.leadUnitId : null,
    dueOn: p.dueOn,
    provisional: p.provisional,
    derivationJson: JSON.stringify(p.derivation),
    source: p.source,
    status: 'open' as const,
    createdAt: now,
    updatedAt: now,
  };
}

const reminderRows = (obligationId: string, p: PlannedObligation) =>
  p.reminders.map((r) => ({ id: newId(), obligationId, kind: r.kind, fireAt: new Date(r.fireAt), notifyJson: JSON.stringify(r.notify), source: r.source }));

/**
 * Plan one document's obligations as statements for the delivery's batch. Open obligations of the same case
 * and rule from earlier documents are superseded (a summons with a new hearing date replaces the old one).
 */
export async function planDocumentObligations(deps: Deps, ctx: ObligationContext): Promise<{ items: Stmt[]; entries: AuditEntry[]; summary: ObligationSummary[] }> {
  const plan = planObligationsDetailed(ctx.policy, ctx.doc.type as DocumentType, planFacts(ctx.doc, ctx.arrivedAt), ctx.calendar);
  const orm = deps.db.orm;
  const items: Stmt[] = [];
  const entries: AuditEntry[] = [];
  const now = ctx.arrivedAt;
  if (ctx.caseId && !ctx.caseIsNew && plan.obligations.length) {
    const earlier = await orm
      .select({ id: obligations.id, ruleId: obligations.ruleId, dueOn: obligations.dueOn })
      .from(obligations)
      .where(and(eq(obligations.caseId, ctx.caseId), eq(obligations.status, 'open'), inArray(obligations.ruleId, plan.obligations.map((o) => o.ruleId))));
    if (earlier.length) {
      const ids = earlier.map((e) => e.id);
      const why = `superseded by a later document of the case (${ctx.doc.type} ${ctx.doc.documentId})`;
      items.push(auditedUpdate(deps, obligations, { status: 'waived', statusReason: why, updatedAt: now }, inArray(obligations.id, ids)));
      items.push(orm.update(reminders).set({ cancelledAt: now }).where(and(inArray(reminders.obligationId, ids), isNull(reminders.sentAt), isNull(reminders.cancelledAt))));
      for (const e of earlier) entries.push({ actor: 'rules', action: 'obligation.superseded', subject: `obligation:${e.id}`, data: { ruleId: e.ruleId, dueOn: e.dueOn, by: ctx.documentId } });
    }
  }
  const summary: ObligationSummary[] = [];
  const rows: ReturnType<typeof obligationRow>[] = [];
  const rems: ReturnType<typeof reminderRows> = [];
  for (const planned of plan.obligations) {
    const p = ctx.doc.replyDueOn && planned.kind === 'suggestion_reply' ? statedReplyDue(planned, ctx.doc.replyDueOn) : planned;
    const row = obligationRow(p, ctx, now);
    rows.push(row);
    rems.push(...reminderRows(row.id, p));
    summary.push({ kind: p.kind, ruleId: p.ruleId, dueOn: p.dueOn, provisional: p.provisional, party: p.actor, source: p.source });
    entries.push({ actor: 'rules', action: 'obligation.created', subject: `obligation:${row.id}`, data: { documentId: ctx.documentId, ruleId: p.ruleId, kind: p.kind, dueOn: p.dueOn, provisional: p.provisional, unitId: row.unitId, source: p.source } });
  }
  // One multi-row statement each: fewer statements in the delivery's batch.
  if (rows.length) items.push(insertRows(obligations, rows));
  if (rems.length) items.push(insertRows(reminders, rems));
  return { items, entries, summary };
}

/**
 * The sender stated its own reply period in the suggestion: that date applies (法释〔2023〕11号 第8条: "the
 * court's period"), and the policy's reminders move with it.
 */
function statedReplyDue(p: PlannedObligation, stated: string): PlannedObligation {
  const delta = Date.parse(stated) - Date.parse(p.dueOn);
  return {
    ...p,
    dueOn: stated,
    provisional: false,
    derivation: { ...p.derivation, fixed: { zh: `建议书载明的答复期限 ${stated}`, en: `reply date stated in the suggestion: ${stated}` } },
    reminders: p.reminders.map((r) => {
      const fireAt = new Date(Date.parse(r.fireAt) + delta);
      return { ...r, fireAt: fireAt.toISOString(), fireOn: new Date(fireAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10) };
    }),
    source: `${p.source}; 建议书载明期限`,
  };
}

/** Statements that give a case's unit obligations to its (new) lead unit. */
export function assignObligationsStmt(deps: Deps, caseId: string, leadUnitId: string, now: Date): Stmt {
  return deps.db.orm
    .update(obligations)
    .set({ unitId: leadUnitId, updatedAt: now })
    .where(and(eq(obligations.caseId, caseId), eq(obligations.party, 'unit'), inArray(obligations.status, ['open', 'overdue'])));
}

/** Re-plan the open obligations a calendar change can move; each document's changes in one audited write. */
export async function recomputeAfterCalendarChange(deps: Deps, change: CalendarChange, actor: string): Promise<{ examined: number; changed: number }> {
  const where: SQL =
    change.kind === 'year'
      ? and(eq(obligations.status, 'open'), eq(obligations.provisional, true))!
      : and(eq(obligations.status, 'open'), gte(obligations.dueOn, addDays(change.date, -31)))!;
  const open = await deps.db.orm.select().from(obligations).where(where).orderBy(asc(obligations.documentId));
  const calendar = await currentCalendar(deps);
  const byDoc = new Map<string, typeof open>();
  for (const o of open) byDoc.set(o.documentId, [...(byDoc.get(o.documentId) ?? []), o]);
  let changed = 0;
  for (const [documentId, obs] of byDoc) {
    const [doc] = await deps.db.orm.select({ entryJson: documents.entryJson, arrivedAt: documents.arrivedAt }).from(documents).where(eq(documents.id, documentId));
    if (!doc) continue;
    const entry = JSON.parse(doc.entryJson) as DocumentEntry;
    const { policy } = await regionPolicy(deps, obs[0]!.regionCode);
    const plan = planObligationsDetailed(policy, entry.type as DocumentType, planFacts(entry, doc.arrivedAt), calendar);
    const now = deps.clock.now();
    const items: Stmt[] = [];
    const entries: AuditEntry[] = [];
    for (const o of obs) {
      const p = plan.obligations.find((x) => x.ruleId === o.ruleId);
      if (!p || (p.dueOn === o.dueOn && p.provisional === o.provisional)) continue;
      items.push(auditedUpdate(deps, obligations, { dueOn: p.dueOn, provisional: p.provisional, derivationJson: JSON.stringify(p.derivation), updatedAt: now }, eq(obligations.id, o.id)));
      items.push(deps.db.orm.update(reminders).set({ cancelledAt: now }).where(and(eq(reminders.obligationId, o.id), isNull(reminders.sentAt), isNull(reminders.cancelledAt))));
      const future = reminderRows(o.id, p).filter((r) => r.fireAt.getTime() > now.getTime());
      if (future.length) items.push(deps.db.orm.insert(reminders).values(future).onConflictDoUpdate({ target: [reminders.obligationId, reminders.kind, reminders.fireAt], set: { cancelledAt: null } }));
      entries.push({ actor, action: 'obligation.recomputed', subject: `obligation:${o.id}`, data: { from: { dueOn: o.dueOn, provisional: o.provisional }, to: { dueOn: p.dueOn, provisional: p.provisional }, change } });
      changed++;
    }
    if (items.length) await commitAudited(deps, entries, async () => ({ items, result: null }));
  }
  return { examined: open.length, changed };
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
    if (o.status === 'overdue') items.push(deps.db.orm.update(remediationItems).set({ status: 'closed', closedAt: now, note: reason }).where(eq(remediationItems.obligationId, o.id)));
  }
  return items;
}

/** Close an obligation: done (remedied if it was overdue) or waived with a reason. */
export async function closeObligation(deps: Deps, id: string, input: { status: 'done' | 'waived'; reason?: string }, actor: string) {
  const now = deps.clock.now();
  return commitPlanned(deps, async () => {
    const [o] = await deps.db.orm.select().from(obligations).where(eq(obligations.id, id));
    if (!o) throw new Problem('not-found', `no obligation with id ${id}`);
    if (o.status !== 'open' && o.status !== 'overdue') throw new Problem('conflict', `the obligation is already ${o.status}`);
    if (input.status === 'waived' && !input.reason?.trim()) throw new Problem('bad-request', 'waiving an obligation needs a reason');
    const status = input.status === 'waived' ? 'waived' : o.status === 'overdue' ? 'remedied' : 'done';
    const items: Stmt[] =
      input.status === 'waived'
        ? [
            auditedUpdate(deps, obligations, { status, statusReason: input.reason ?? null, doneAt: now, updatedAt: now }, eq(obligations.id, id)),
            deps.db.orm.update(reminders).set({ cancelledAt: now }).where(and(eq(reminders.obligationId, id), isNull(reminders.sentAt), isNull(reminders.cancelledAt))),
            deps.db.orm.update(remediationItems).set({ status: 'closed', closedAt: now, note: input.reason ?? 'waived' }).where(eq(remediationItems.obligationId, id)),
          ]
        : dischargeStmts(deps, [o], now, input.reason ?? 'done');
    return {
      entries: [{ actor, action: `obligation.${status}`, subject: `obligation:${id}`, data: { status, reason: input.reason ?? null, dueOn: o.dueOn } }],
      build: async () => ({ items, result: { id, status } }),
    };
  }, now);
}

export async function listObligations(deps: Deps, f: { unitId?: string; regionCode?: string; caseId?: string; status?: string; dueBefore?: string; limit?: number }) {
  const conds: SQL[] = [];
  if (f.unitId) conds.push(eq(obligations.unitId, f.unitId));
  if (f.regionCode) conds.push(eq(obligations.regionCode, f.regionCode));
  if (f.caseId) conds.push(eq(obligations.caseId, f.caseId));
  if (f.status) conds.push(eq(obligations.status, f.status as 'open'));
  if (f.dueBefore) conds.push(sql`${obligations.dueOn} <= ${f.dueBefore}`);
  const rows = await deps.db.orm
    .select({ o: obligations, caseNumber: cases.caseNumber })
    .from(obligations)
    .leftJoin(cases, eq(cases.id, obligations.caseId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(obligations.dueOn), asc(obligations.id))
    .limit(Math.min(f.limit ?? 200, 1000));
  return rows.map(({ o, caseNumber }) => ({
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
    status: o.status,
    statusReason: o.statusReason,
    source: o.source,
    derivation: JSON.parse(o.derivationJson) as unknown,
  }));
}
