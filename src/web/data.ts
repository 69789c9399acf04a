/**
 * What the pages read, scoped by the same rules as the API: a unit sees what is assigned to it, a justice
 * bureau or government office its region, an administrator everything (or one region it picks).
 */
import { and, asc, desc, eq, or, type SQL } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { cases, obligations, queueItems, remediationItems } from '../../schemas/db/index.js';
import { addDays, beijingDate, weekday } from '../domain/calendar/index.js';
import { listObligations } from '../services/obligations.js';
import { listQueue } from '../services/assignments.js';
import { currentDirectory } from '../services/directory.js';
import { listSenders } from '../services/senders.js';
import type { Principal } from '../services/clients.js';
import { Problem } from '../lib/problem.js';

export type ObligationRow = Awaited<ReturnType<typeof listObligations>>[number];

/** Where a principal's deadlines are: its unit, its region, or (administrator) everything or a chosen region. */
export interface BoardScope {
  unitId?: string;
  regionCode?: string;
}

export function boardScope(p: Principal, region?: string): BoardScope {
  if (p.role === 'unit') return { unitId: p.scope };
  if (p.role === 'justice_bureau' || p.role === 'government_office') {
    if (region && region !== p.scope) throw new Problem('forbidden', `this client acts for region ${p.scope}`);
    return { regionCode: p.scope };
  }
  if (p.role === 'admin') return region ? { regionCode: region } : {};
  throw new Problem('forbidden', "deadlines are the government side's (unit, justice bureau, government office)");
}

/** Monday and Sunday of the Beijing week containing the date. */
export function weekOf(date: string): { monday: string; sunday: string } {
  const back = (weekday(date) + 6) % 7; // weekday: 0 = Sunday
  const monday = addDays(date, -back);
  return { monday, sunday: addDays(monday, 6) };
}

export interface RemediationRow {
  id: string;
  obligationId: string;
  caseId: string | null;
  caseNumber: string | null;
  titleZh: string;
  dueOn: string;
  unitId: string | null;
  regionCode: string | null;
  createdAt: string;
}

export async function openRemediation(deps: Deps, scope: BoardScope): Promise<RemediationRow[]> {
  const conds: SQL[] = [eq(remediationItems.status, 'open')];
  if (scope.regionCode) conds.push(eq(remediationItems.regionCode, scope.regionCode));
  if (scope.unitId) conds.push(or(eq(remediationItems.unitId, scope.unitId), eq(obligations.unitId, scope.unitId))!);
  const rows = await deps.db.orm
    .select({ r: remediationItems, o: obligations, caseNumber: cases.caseNumber })
    .from(remediationItems)
    .innerJoin(obligations, eq(obligations.id, remediationItems.obligationId))
    .leftJoin(cases, eq(cases.id, obligations.caseId))
    .where(and(...conds))
    .orderBy(asc(obligations.dueOn), asc(remediationItems.id))
    .limit(500);
  return rows.map(({ r, o, caseNumber }) => ({
    id: r.id,
    obligationId: o.id,
    caseId: o.caseId,
    caseNumber,
    titleZh: o.titleZh,
    dueOn: o.dueOn,
    unitId: r.unitId ?? o.unitId,
    regionCode: r.regionCode,
    createdAt: r.createdAt.toISOString(),
  }));
}

export interface Board {
  today: string;
  week: { monday: string; sunday: string };
  overdue: ObligationRow[];
  dueThisWeek: ObligationRow[];
  dueNextWeek: ObligationRow[];
  remediation: RemediationRow[];
}

/** The deadline board: overdue (marked by the sweep, or past due and not yet swept), due this week, next week, remediation. */
export async function board(deps: Deps, scope: BoardScope): Promise<Board> {
  const today = beijingDate(deps.clock.now());
  const week = weekOf(today);
  const nextSunday = addDays(week.sunday, 7);
  const f = { ...(scope.unitId ? { unitId: scope.unitId } : {}), ...(scope.regionCode ? { regionCode: scope.regionCode } : {}) };
  const open = await listObligations(deps, { ...f, status: 'open', dueBefore: nextSunday, limit: 1000 });
  const marked = await listObligations(deps, { ...f, status: 'overdue', limit: 1000 });
  const overdue = [...marked, ...open.filter((o) => o.dueOn < today)].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));
  return {
    today,
    week,
    overdue,
    dueThisWeek: open.filter((o) => o.dueOn >= today && o.dueOn <= week.sunday),
    dueNextWeek: open.filter((o) => o.dueOn > week.sunday && o.dueOn <= nextSunday),
    remediation: await openRemediation(deps, scope),
  };
}

/** The queue a principal works: a justice bureau its region's; an administrator everything or one region. */
export function queueRegion(p: Principal, region?: string): string | undefined {
  if (p.role === 'justice_bureau') {
    if (region && region !== p.scope) throw new Problem('forbidden', `this client acts for region ${p.scope}`);
    return p.scope;
  }
  if (p.role === 'admin') return region || undefined;
  throw new Problem('forbidden', "the routing queue is the justice bureau's");
}

export async function queueFor(deps: Deps, p: Principal, region?: string, limit = 100) {
  const r = queueRegion(p, region);
  return listQueue(deps, { ...(r ? { regionCode: r } : {}), status: 'open', limit });
}

export interface RecentDecision {
  caseId: string | null;
  caseNumber: string | null;
  reason: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
}

/** The latest queue items the bureau decided, newest first. */
export async function recentDecisions(deps: Deps, p: Principal, region?: string, limit = 10): Promise<RecentDecision[]> {
  const r = queueRegion(p, region);
  const rows = await deps.db.orm
    .select({ q: queueItems, caseNumber: cases.caseNumber })
    .from(queueItems)
    .leftJoin(cases, eq(cases.id, queueItems.caseId))
    .where(and(eq(queueItems.status, 'assigned'), r ? or(eq(queueItems.regionCode, r), eq(cases.regionCode, r)) : undefined))
    .orderBy(desc(queueItems.resolvedAt))
    .limit(limit);
  return rows.map(({ q, caseNumber }) => ({
    caseId: q.caseId,
    caseNumber,
    reason: q.reason,
    resolvedAt: q.resolvedAt?.toISOString() ?? null,
    resolvedBy: q.resolvedBy,
    resolution: q.resolution,
  }));
}

/** Names for ids on the pages. */
export async function names(deps: Deps) {
  const dir = (await currentDirectory(deps)).index;
  const senders = new Map((await listSenders(deps)).map((s) => [s.code, s.name]));
  return {
    /** A court's or procuratorate's name (never its code on a page). */
    sender: (code: string | null | undefined) => (code ? (senders.get(code) ?? '来文机关') : ''),
    unit: (id: string | null | undefined) => (id ? (dir.unit(id)?.name ?? id) : ''),
    region: (code: string | null | undefined) => (code ? (dir.region(code)?.name ?? code) : ''),
    /** Units of the region that exist today, to choose from. */
    activeUnits: (regionCode: string) => {
      const today = beijingDate(deps.clock.now());
      return dir.unitsInRegion(regionCode).filter((u) => !u.abolishedOn || u.abolishedOn > today);
    },
    index: dir,
  };
}
