/**
 * The case list (案件列表) a clerk searches: by case number or party, by unit, by routing status, by deadline.
 * The same visibility as a single case (src/services/access.ts): a unit sees the cases assigned to it now, a
 * justice bureau or government office its region's, an administrator all; nobody else lists cases.
 */
import { and, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { assignments, cases, obligations, queueItems } from '../../schemas/db/index.js';
import { Problem } from '../lib/problem.js';
import { beijingDate } from '../domain/calendar/index.js';
import type { Principal } from './clients.js';

export interface CaseFilters {
  /** Part of the case number, a plaintiff's or a defendant's name. */
  q?: string;
  /** A unit of the directory that answers the case now (lead or cooperating). */
  unit?: string;
  /** queued: waiting for the justice bureau; assigned; overdue: an obligation past its date and not done. */
  status?: 'queued' | 'assigned' | 'overdue';
  /** An open obligation due on or before this Beijing date. */
  dueBefore?: string;
  /** The case id the previous page ended with (newest first). */
  cursor?: string;
  limit?: number;
}

const currentAssignment = (unitId: string) =>
  sql`exists (select 1 from ${assignments} where ${assignments.caseId} = ${cases.id} and ${assignments.unitId} = ${unitId} and ${assignments.supersededAt} is null)`;

function visibility(p: Principal): SQL | undefined {
  if (p.role === 'admin') return undefined;
  if (p.role === 'unit') return currentAssignment(p.scope);
  if (p.role === 'justice_bureau') {
    // As assertCaseAccess: a queued case without a region is its candidate regions' bureaus'.
    return or(
      eq(cases.regionCode, p.scope),
      and(
        isNull(cases.regionCode),
        sql`exists (select 1 from ${queueItems}, json_each(${queueItems.candidateRegions}) where ${queueItems.caseId} = ${cases.id} and json_each.value = ${p.scope})`,
      ),
    )!;
  }
  if (p.role === 'government_office') return eq(cases.regionCode, p.scope);
  throw new Problem('forbidden', 'the case list is the government side’s (unit, justice bureau, government office)');
}

const like = (s: string) => `%${s.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

export async function listCases(deps: Deps, p: Principal, f: CaseFilters) {
  const today = beijingDate(deps.clock.now());
  const conds: SQL[] = [];
  const vis = visibility(p);
  if (vis) conds.push(vis);
  const q = f.q?.trim();
  if (q) {
    if (q.length > 100) throw new Problem('bad-request', 'the search text is longer than 100 characters');
    // facts_json holds the case as the court sent it (plaintiffs, defendants, the challenged act).
    conds.push(or(sql`${cases.caseNumber} like ${like(q)} escape '\\'`, sql`${cases.factsJson} like ${like(q)} escape '\\'`)!);
  }
  if (f.unit) conds.push(currentAssignment(f.unit));
  if (f.status === 'queued' || f.status === 'assigned') conds.push(eq(cases.routingStatus, f.status));
  const overdue = sql`exists (select 1 from ${obligations} where ${obligations.caseId} = ${cases.id} and (${obligations.status} = 'overdue' or (${obligations.status} = 'open' and ${obligations.dueOn} < ${today})))`;
  if (f.status === 'overdue') conds.push(overdue);
  if (f.dueBefore) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(f.dueBefore)) throw new Problem('bad-request', `dueBefore must be a date YYYY-MM-DD, not "${f.dueBefore}"`);
    conds.push(
      sql`exists (select 1 from ${obligations} where ${obligations.caseId} = ${cases.id} and ${obligations.status} in ('open','overdue') and ${obligations.dueOn} <= ${f.dueBefore})`,
    );
  }
  if (f.cursor) conds.push(lt(cases.id, f.cursor));
  const limit = Math.max(1, Math.min(f.limit ?? 50, 200));
  const rows = await deps.db.orm
    .select({
      id: cases.id,
      caseNumber: cases.caseNumber,
      courtCode: cases.courtCode,
      regionCode: cases.regionCode,
      instance: cases.instance,
      routingStatus: cases.routingStatus,
      factsJson: cases.factsJson,
      createdAt: cases.createdAt,
      units: sql<
        string | null
      >`(select json_group_array(json_object('unitId', ${assignments.unitId}, 'unitName', ${assignments.unitName}, 'role', ${assignments.role})) from ${assignments} where ${assignments.caseId} = ${cases.id} and ${assignments.supersededAt} is null)`,
      nextDue: sql<
        string | null
      >`(select min(${obligations.dueOn}) from ${obligations} where ${obligations.caseId} = ${cases.id} and ${obligations.status} in ('open','overdue'))`,
      overdue: sql<number>`(select count(*) from ${obligations} where ${obligations.caseId} = ${cases.id} and (${obligations.status} = 'overdue' or (${obligations.status} = 'open' and ${obligations.dueOn} < ${today})))`,
    })
    .from(cases)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(cases.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => {
      const facts = JSON.parse(r.factsJson) as {
        plaintiffs?: { name: string }[];
        defendants?: { name: string }[];
        challengedAct?: { description?: string; domain?: string };
      };
      return {
        id: r.id,
        caseNumber: r.caseNumber,
        courtCode: r.courtCode,
        regionCode: r.regionCode,
        instance: r.instance,
        routingStatus: r.routingStatus,
        receivedAt: r.createdAt.toISOString(),
        plaintiffs: (facts.plaintiffs ?? []).map((x) => x.name),
        defendants: (facts.defendants ?? []).map((x) => x.name),
        act: facts.challengedAct?.description ?? null,
        units: (JSON.parse(r.units ?? '[]') as { unitId: string; unitName: string; role: string }[]).filter((u) => u.unitId),
        nextDue: r.nextDue,
        overdue: Number(r.overdue),
      };
    }),
    nextCursor: rows.length > limit ? page.at(-1)!.id : null,
  };
}
