/**
 * The justice bureau's decisions (R2 designation of the lead, R9 manual assignment, reassignment): every
 * change supersedes the active assignments of the case, closes its open queue items and is audited.
 * Assignments never cross regions: every unit must be in the case's region (docs/domain.md §3, Q 一(一)).
 */
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Deps, Stmt } from '../deps.js';
import { assignments, cases, documents, obligations, queueItems, routingDecisions } from '../../schemas/db/index.js';
import { RULES, type AssignmentRole, type RuleId } from '../domain/routing/index.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';
import { auditedUpdate } from './audit-rows.js';
import { currentDirectory } from './directory.js';
import { beijingDate } from '../domain/calendar/index.js';
import { assignObligationsStmt, dischargeStmts, replanCase } from './obligations.js';
import { reminders } from '../../schemas/db/index.js';
import type { DocumentEntry } from '../../schemas/api/manifest.js';
import type { AuditEntry } from './audit.js';
import { routingWindow } from './routing-window.js';
import { reviseCase } from './case-revisions.js';
import { caseDocuments } from './case-documents.js';
import { headAppearance } from './appearance.js';

export interface AssignInput {
  assignments: { unitId: string; role: AssignmentRole }[];
  reason: string;
}

export async function listQueue(deps: Deps, opts: { regionCode?: string; status?: 'open' | 'assigned'; limit?: number }) {
  const today = beijingDate(deps.clock.now());
  const conds = [eq(queueItems.status, opts.status ?? 'open')];
  if (opts.regionCode)
    conds.push(
      sql`(${queueItems.regionCode} = ${opts.regionCode} or (${queueItems.regionCode} is null and ${queueItems.candidateRegions} like ${'%"' + opts.regionCode + '"%'}))`,
    );
  const rows = await deps.db.orm
    .select({ q: queueItems, caseNumber: cases.caseNumber, title: documents.title, type: documents.type, decision: routingDecisions.decisionJson })
    .from(queueItems)
    .leftJoin(cases, eq(cases.id, queueItems.caseId))
    .innerJoin(documents, eq(documents.id, queueItems.documentId))
    .leftJoin(routingDecisions, eq(routingDecisions.documentId, queueItems.documentId))
    .where(and(...conds))
    .orderBy(asc(queueItems.createdAt))
    .limit(Math.min(opts.limit ?? 100, 500));
  return rows.map((r) => {
    const d = r.decision
      ? (JSON.parse(r.decision) as { reason: { zh: string; en: string }; assignments: unknown[]; candidates?: unknown[]; rule: string; article: string })
      : undefined;
    return {
      id: r.q.id,
      status: r.q.status,
      reason: r.q.reason,
      regionCode: r.q.regionCode,
      candidateRegions: JSON.parse(r.q.candidateRegions) as string[],
      caseId: r.q.caseId,
      caseNumber: r.caseNumber,
      documentId: r.q.documentId,
      documentType: r.type,
      title: r.title,
      rule: d?.rule,
      article: d?.article,
      explanation: d?.reason,
      proposed: d?.assignments ?? [],
      candidates: d?.candidates ?? [],
      createdAt: r.q.createdAt.toISOString(),
      dueOn: r.q.dueOn,
      overdue: r.q.status === 'open' && r.q.dueOn !== null && r.q.dueOn < today,
    };
  });
}

/**
 * A candidate region's justice bureau (or an administrator naming one of the candidates) claims a queue item
 * whose region was not settled (docs/domain.md §3): in one write the item, its case and the case's other open
 * items, the documents' obligations and the routing window take the region; the case's open obligations are
 * re-planned under that region's policy; the other candidates' bureaus no longer see it.
 */
export async function claimQueueItem(deps: Deps, id: string, region: string | null, reason: string, actor: string) {
  const now = deps.clock.now();
  return deps.writer.planned(async () => {
    const [item] = await deps.db.orm.select().from(queueItems).where(eq(queueItems.id, id));
    if (!item) throw new Problem('not-found', `no queue item with id ${id}`);
    if (item.status !== 'open') throw new Problem('conflict', `queue item ${id} was already resolved by ${item.resolvedBy}`);
    if (item.regionCode) throw new Problem('conflict', `queue item ${id} already belongs to region ${item.regionCode}`);
    const candidates = JSON.parse(item.candidateRegions) as string[];
    if (!region) throw new Problem('bad-request', `name the region (regionCode): one of ${candidates.join(', ')}`);
    if (!candidates.includes(region)) throw new Problem('outside-region', `the item may belong to ${candidates.join(', ')}, not ${region}`);
    const orm = deps.db.orm;
    const items: Stmt[] = [];
    const entries: AuditEntry[] = [
      { actor, action: 'queue.claimed', subject: `queue:${id}`, data: { regionCode: region, candidates, reason, caseId: item.caseId } },
    ];
    const claimed = JSON.stringify([region]);
    if (item.caseId) {
      items.push(
        orm
          .update(queueItems)
          .set({ regionCode: region, candidateRegions: claimed })
          .where(and(eq(queueItems.caseId, item.caseId), eq(queueItems.status, 'open'), isNull(queueItems.regionCode))),
      );
      items.push(
        orm
          .update(cases)
          .set({ regionCode: region, updatedAt: now })
          .where(and(eq(cases.id, item.caseId), isNull(cases.regionCode))),
      );
      items.push(
        auditedUpdate(deps, obligations, { regionCode: region, updatedAt: now }, and(eq(obligations.caseId, item.caseId), isNull(obligations.regionCode))),
      );
      const replanned = await replanCase(deps, item.caseId, now, { actor, regionCode: region, leadUnitId: null, cause: { claimedBy: region } });
      items.push(...replanned.items, ...(await reviseCase(deps.db, item.caseId)));
      entries.push(...replanned.entries);
      // The region runs its own routing window (P 第十条: 3 days): it replaces the default one.
      const [doc] = await orm
        .select({ entryJson: documents.entryJson, arrivedAt: documents.arrivedAt })
        .from(documents)
        .where(eq(documents.id, item.documentId));
      const window = doc ? routingWindow(replanned.policy, JSON.parse(doc.entryJson) as DocumentEntry, doc.arrivedAt, replanned.calendar) : undefined;
      const own = window?.kind === 'policy' ? replanned.planned[`${item.documentId}:${window.ruleId}`] : undefined;
      if (own && item.obligationId && own.id !== item.obligationId) {
        const why = `replaced by region ${region}'s own routing window (${window!.ruleId})`;
        items.push(
          auditedUpdate(
            deps,
            obligations,
            { status: 'waived', statusReason: why, updatedAt: now },
            and(eq(obligations.id, item.obligationId), eq(obligations.status, 'open')),
          ),
        );
        items.push(
          orm
            .update(reminders)
            .set({ cancelledAt: now })
            .where(and(eq(reminders.obligationId, item.obligationId), isNull(reminders.sentAt), isNull(reminders.cancelledAt))),
        );
        items.push(orm.update(queueItems).set({ obligationId: own.id, dueOn: own.dueOn }).where(eq(queueItems.id, id)));
        entries.push({ actor, action: 'obligation.waived', subject: `obligation:${item.obligationId}`, data: { why, routingWindow: own.id } });
        item.dueOn = own.dueOn;
      }
    } else {
      items.push(orm.update(queueItems).set({ regionCode: region, candidateRegions: claimed }).where(eq(queueItems.id, id)));
      items.push(
        auditedUpdate(
          deps,
          obligations,
          { regionCode: region, updatedAt: now },
          and(eq(obligations.documentId, item.documentId), isNull(obligations.regionCode)),
        ),
      );
      items.push(
        orm
          .update(routingDecisions)
          .set({ regionCode: region })
          .where(and(eq(routingDecisions.documentId, item.documentId), isNull(routingDecisions.regionCode))),
      );
    }
    return { entries, build: async () => ({ items, result: { id, regionCode: region, caseId: item.caseId, dueOn: item.dueOn } }) };
  }, now);
}

/**
 * Assign (from the queue) or reassign a case. `claim`: the region the caller acts for on a queue item whose
 * region was not settled (a candidate region's justice bureau): the units must be in it (docs/domain.md §3).
 */
export async function assignCase(deps: Deps, caseId: string, input: AssignInput, actor: string, mode: 'assign' | 'reassign', claim?: string | null) {
  const reason = input.reason.trim();
  if (!reason) throw new Problem('bad-request', 'a reason is required for every assignment by the justice bureau');
  const dir = await currentDirectory(deps);
  const now = deps.clock.now();
  const onDate = beijingDate(now);
  return deps.writer.planned(async () => {
    const [c] = await deps.db.orm.select().from(cases).where(eq(cases.id, caseId));
    if (!c) throw new Problem('not-found', `no case with id ${caseId}`);
    if (mode === 'assign' && c.routingStatus === 'assigned')
      throw new Problem('conflict', `case ${c.caseNumber} is already assigned; use reassign with a reason`);
    if (mode === 'reassign' && c.routingStatus !== 'assigned') throw new Problem('conflict', `case ${c.caseNumber} waits in the queue; assign it first`);
    const units = input.assignments.map((a) => {
      const u = dir.index.unit(a.unitId);
      if (!u) throw new Problem('bad-request', `unit "${a.unitId}" is not in the directory (version ${dir.version})`);
      if (u.abolishedOn && u.abolishedOn <= onDate) throw new Problem('bad-request', `unit ${u.name} (${u.id}) was abolished on ${u.abolishedOn}`);
      return { ...a, unit: u };
    });
    if (units.length === 0) throw new Problem('bad-request', 'name at least one unit');
    if (new Set(units.map((u) => u.unitId)).size !== units.length) throw new Problem('bad-request', 'a unit is named twice');
    const leads = units.filter((u) => u.role === 'lead').length;
    if (leads !== 1) throw new Problem('bad-request', `name exactly one lead unit (主办), not ${leads}`);
    const regions = new Set(units.map((u) => u.unit.regionCode));
    if (regions.size > 1)
      throw new Problem('bad-request', `the units are in different regions (${[...regions].join(', ')}); a case is answered within one region`);
    const region = [...regions][0]!;
    // Region before unit: a case is only ever assigned to units of its region [Q 一(一)].
    if (c.regionCode && c.regionCode !== region)
      throw new Problem('outside-region', `the case belongs to region ${c.regionCode}; these units are in ${region}`);
    if (!c.regionCode && claim && claim !== region)
      throw new Problem('outside-region', `this justice bureau acts for region ${claim}; these units are in ${region}`);
    const open = await deps.db.orm
      .select({ id: queueItems.id, reason: queueItems.reason, candidates: queueItems.candidateRegions, obligationId: queueItems.obligationId })
      .from(queueItems)
      .where(and(eq(queueItems.caseId, caseId), eq(queueItems.status, 'open')));
    if (!c.regionCode && open.length && !open.some((q) => (JSON.parse(q.candidates) as string[]).includes(region))) {
      throw new Problem(
        'outside-region',
        `the case may belong to ${[...new Set(open.flatMap((q) => JSON.parse(q.candidates) as string[]))].join(', ')}; these units are in ${region}`,
      );
    }
    const rule: RuleId = open.some((q) => q.reason === 'designate_lead') ? 'R2' : mode === 'assign' ? 'R9' : ((await lastRule(deps, caseId)) ?? 'R9');
    const items: Stmt[] = [
      deps.db.orm
        .update(assignments)
        .set({ supersededAt: now })
        .where(and(eq(assignments.caseId, caseId), isNull(assignments.supersededAt))),
      deps.db.orm.insert(assignments).values(
        units.map((u) => ({
          id: newId(),
          caseId,
          unitId: u.unitId,
          unitName: u.unit.name,
          regionCode: u.unit.regionCode,
          role: u.role,
          rule,
          article: RULES[rule].article,
          decidedBy: 'justice_bureau' as const,
          actor,
          reason,
          createdAt: now,
        })),
      ),
      deps.db.orm.update(cases).set({ routingStatus: 'assigned', regionCode: region, updatedAt: now }).where(eq(cases.id, caseId)),
      // The case's unit obligations now belong to the lead unit.
      assignObligationsStmt(deps, caseId, units.find((u) => u.role === 'lead')!.unitId, now),
      // A case queued at intake had no region yet: its obligations count in its region from now on (statistics).
      auditedUpdate(deps, obligations, { regionCode: region }, and(eq(obligations.caseId, caseId), isNull(obligations.regionCode))),
      // A delivery of the case planned before this write is planned again (src/services/case-revisions.ts).
      ...(await reviseCase(deps.db, caseId)),
    ];
    const entries: AuditEntry[] = [];
    if (open.length) {
      items.push(
        deps.db.orm
          .update(queueItems)
          .set({ status: 'assigned', resolvedAt: now, resolvedBy: actor, resolution: reason, regionCode: region })
          .where(
            inArray(
              queueItems.id,
              open.map((q) => q.id),
            ),
          ),
      );
      // The routing window is met (or remedied, when it had run out): its reminders and escalation stop.
      const windowIds = open.map((q) => q.obligationId).filter((x): x is string => !!x);
      const windows = windowIds.length
        ? await deps.db.orm
            .select({ id: obligations.id, status: obligations.status })
            .from(obligations)
            .where(and(inArray(obligations.id, windowIds), inArray(obligations.status, ['open', 'overdue'])))
        : [];
      items.push(...dischargeStmts(deps, windows, now, `assigned by the justice bureau: ${reason}`));
      for (const w of windows)
        entries.push({
          actor,
          action: w.status === 'overdue' ? 'obligation.remedied' : 'obligation.done',
          subject: `obligation:${w.id}`,
          data: { routingWindow: true, caseId },
        });
    }
    // Every open obligation of the case, re-planned under the region's policy for the lead unit, in this write.
    // The routing windows are settled above, in this write.
    const replanned = await replanCase(deps, caseId, now, {
      actor,
      regionCode: region,
      leadUnitId: units.find((u) => u.role === 'lead')!.unitId,
      doneIds: open.flatMap((q) => (q.obligationId ? [q.obligationId] : [])),
      cause: { assigned: mode, reason },
    });
    items.push(...replanned.items);
    entries.push(...replanned.entries);
    const summary = {
      caseId,
      caseNumber: c.caseNumber,
      regionCode: region,
      rule,
      units: units.map((u) => ({ unitId: u.unitId, unitName: u.unit.name, role: u.role })),
      reason,
      queueItems: open.map((q) => q.id),
    };
    return {
      entries: [{ actor, action: mode === 'assign' ? 'case.assigned' : 'case.reassigned', subject: `case:${caseId}`, data: summary }, ...entries],
      build: async () => ({ items, result: summary }),
    };
  }, now);
}

async function lastRule(deps: Deps, caseId: string): Promise<RuleId | undefined> {
  const [a] = await deps.db.orm
    .select({ rule: assignments.rule })
    .from(assignments)
    .where(eq(assignments.caseId, caseId))
    .orderBy(desc(assignments.createdAt))
    .limit(1);
  return a?.rule as RuleId | undefined;
}

export async function caseView(deps: Deps, caseId: string) {
  const [c] = await deps.db.orm.select().from(cases).where(eq(cases.id, caseId));
  if (!c) throw new Problem('not-found', `no case with id ${caseId}`);
  const history = await deps.db.orm.select().from(assignments).where(eq(assignments.caseId, caseId)).orderBy(asc(assignments.createdAt));
  const docs = await caseDocuments(deps, caseId);
  const fmt = (a: (typeof history)[number]) => ({
    unitId: a.unitId,
    unitName: a.unitName,
    role: a.role,
    rule: a.rule,
    article: a.article,
    decidedBy: a.decidedBy,
    actor: a.actor,
    reason: a.reason,
    at: a.createdAt.toISOString(),
    supersededAt: a.supersededAt?.toISOString() ?? null,
  });
  return {
    id: c.id,
    caseNumber: c.caseNumber,
    courtCode: c.courtCode,
    regionCode: c.regionCode,
    instance: c.instance,
    parentCaseId: c.parentCaseId,
    routingStatus: c.routingStatus,
    assignments: history.filter((a) => !a.supersededAt).map(fmt),
    history: history.map(fmt),
    documents: docs.map((d) => ({ ...d, arrivedAt: d.arrivedAt.toISOString() })),
    /** Must the head appear, and why (docs/domain.md §5). */
    headAppearance: await headAppearance(deps, caseId),
  };
}
