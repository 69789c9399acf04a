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
import { commitPlanned } from './audit.js';
import { currentDirectory } from './directory.js';
import { beijingDate } from '../intake/routing.js';
import { assignObligationsStmt } from './obligations.js';
import { headAppearance } from './appearance.js';

export interface AssignInput {
  assignments: { unitId: string; role: AssignmentRole }[];
  reason: string;
}

export async function listQueue(deps: Deps, opts: { regionCode?: string; status?: 'open' | 'assigned'; limit?: number }) {
  const conds = [eq(queueItems.status, opts.status ?? 'open')];
  if (opts.regionCode) conds.push(sql`(${queueItems.regionCode} = ${opts.regionCode} or (${queueItems.regionCode} is null and ${queueItems.candidateRegions} like ${'%"' + opts.regionCode + '"%'}))`);
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
    const d = r.decision ? (JSON.parse(r.decision) as { reason: { zh: string; en: string }; assignments: unknown[]; candidates?: unknown[]; rule: string; article: string }) : undefined;
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
    };
  });
}

/** Assign (from the queue) or reassign a case. */
export async function assignCase(deps: Deps, caseId: string, input: AssignInput, actor: string, mode: 'assign' | 'reassign') {
  const reason = input.reason.trim();
  if (!reason) throw new Problem('bad-request', 'a reason is required for every assignment by the justice bureau');
  const dir = await currentDirectory(deps);
  const now = deps.clock.now();
  const onDate = beijingDate(now);
  return commitPlanned(
    deps,
    async () => {
      const [c] = await deps.db.orm.select().from(cases).where(eq(cases.id, caseId));
      if (!c) throw new Problem('not-found', `no case with id ${caseId}`);
      if (mode === 'assign' && c.routingStatus === 'assigned') throw new Problem('conflict', `case ${c.caseNumber} is already assigned; use reassign with a reason`);
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
      if (regions.size > 1) throw new Problem('bad-request', `the units are in different regions (${[...regions].join(', ')}); a case is answered within one region`);
      const region = [...regions][0]!;
      if (c.regionCode && c.regionCode !== region) throw new Problem('bad-request', `the case belongs to region ${c.regionCode}; these units are in ${region}`);
      const open = await deps.db.orm.select({ id: queueItems.id, reason: queueItems.reason }).from(queueItems).where(and(eq(queueItems.caseId, caseId), eq(queueItems.status, 'open')));
      const rule: RuleId = open.some((q) => q.reason === 'designate_lead') ? 'R2' : mode === 'assign' ? 'R9' : (await lastRule(deps, caseId)) ?? 'R9';
      const items: Stmt[] = [
        deps.db.orm.update(assignments).set({ supersededAt: now }).where(and(eq(assignments.caseId, caseId), isNull(assignments.supersededAt))),
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
        deps.db.orm.update(obligations).set({ regionCode: region }).where(and(eq(obligations.caseId, caseId), isNull(obligations.regionCode))),
      ];
      if (open.length) {
        items.push(
          deps.db.orm
            .update(queueItems)
            .set({ status: 'assigned', resolvedAt: now, resolvedBy: actor, resolution: reason })
            .where(inArray(queueItems.id, open.map((q) => q.id))),
        );
      }
      const summary = { caseId, caseNumber: c.caseNumber, regionCode: region, rule, units: units.map((u) => ({ unitId: u.unitId, unitName: u.unit.name, role: u.role })), reason, queueItems: open.map((q) => q.id) };
      return {
        entries: [{ actor, action: mode === 'assign' ? 'case.assigned' : 'case.reassigned', subject: `case:${caseId}`, data: summary }],
        build: async () => ({ items, result: summary }),
      };
    },
    now,
  );
}

async function lastRule(deps: Deps, caseId: string): Promise<RuleId | undefined> {
  const [a] = await deps.db.orm.select({ rule: assignments.rule }).from(assignments).where(eq(assignments.caseId, caseId)).orderBy(desc(assignments.createdAt)).limit(1);
  return a?.rule as RuleId | undefined;
}

export async function caseView(deps: Deps, caseId: string) {
  const [c] = await deps.db.orm.select().from(cases).where(eq(cases.id, caseId));
  if (!c) throw new Problem('not-found', `no case with id ${caseId}`);
  const history = await deps.db.orm.select().from(assignments).where(eq(assignments.caseId, caseId)).orderBy(asc(assignments.createdAt));
  const docs = await deps.db.orm
    .select({ id: documents.id, type: documents.type, title: documents.title, arrivedAt: documents.arrivedAt, rule: routingDecisions.rule, status: routingDecisions.status })
    .from(routingDecisions)
    .innerJoin(documents, eq(documents.id, routingDecisions.documentId))
    .where(eq(routingDecisions.caseId, caseId))
    .orderBy(asc(documents.arrivedAt));
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
