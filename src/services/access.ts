/** Case-level access: who may see a case (and its documents, obligations and timeline). */
import { and, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { assignments, cases, queueItems } from '../../schemas/db/index.js';
import { Problem } from '../lib/problem.js';
import type { Principal } from './clients.js';
import { beijingDate } from '../domain/calendar/index.js';
import { currentDirectory } from './directory.js';

/** Throws 404 for a case the caller may not see (a denial reveals nothing, not even existence). */
export async function assertCaseAccess(
  deps: Deps,
  p: Principal,
  caseId: string,
  mode: 'read' | 'decide' = 'read',
): Promise<{ regionCode: string | null; caseNumber: string }> {
  const [c] = await deps.db.orm.select({ regionCode: cases.regionCode, caseNumber: cases.caseNumber }).from(cases).where(eq(cases.id, caseId));
  const denied = () => new Problem('not-found', `no case with id ${caseId}`);
  if (!c) throw denied();
  if (p.role === 'admin') return c;
  if (p.role === 'justice_bureau' || (p.role === 'government_office' && mode === 'read')) {
    if (c.regionCode === p.scope) return c;
    if (c.regionCode === null && p.role === 'justice_bureau') {
      // A case queued without a known region is visible to the bureaus of its candidate regions.
      const items = await deps.db.orm.select({ candidates: queueItems.candidateRegions }).from(queueItems).where(eq(queueItems.caseId, caseId));
      if (items.some((i) => (JSON.parse(i.candidates) as string[]).includes(p.scope))) return c;
    }
    throw denied();
  }
  if (p.role === 'unit' && mode === 'read') {
    const [a] = await deps.db.orm
      .select({ id: assignments.id })
      .from(assignments)
      .where(and(eq(assignments.caseId, caseId), eq(assignments.unitId, p.scope), isNull(assignments.supersededAt)));
    if (a) return c;
  }
  throw denied();
}

/**
 * Queue items (docs/domain.md §3, region before unit): which region the caller acts for on one. A justice bureau
 * acts only on an item of its own region, or on an item whose region is not settled yet when its region is
 * among the candidates (the first to claim it names the region); an administrator acts for any region.
 * Anything else is refused with 403 and no data. Returns the region the caller acts for (null: admin).
 */
export function queueItemActor(p: Principal, item: { regionCode: string | null; candidateRegions: string }): string | null {
  if (p.role === 'admin') return null;
  const denied = () => new Problem('forbidden', 'this queue item belongs to another region’s justice bureau');
  if (p.role !== 'justice_bureau') throw denied();
  if (item.regionCode !== null) {
    if (item.regionCode !== p.scope) throw denied();
    return p.scope;
  }
  if (!(JSON.parse(item.candidateRegions) as string[]).includes(p.scope)) throw denied();
  return p.scope;
}

/** SQL-free check used by listings: may this justice bureau see an open queue item with these regions? */
export function queueItemVisibleTo(scope: string, item: { regionCode: string | null; candidateRegions: string }): boolean {
  return item.regionCode === scope || (item.regionCode === null && (JSON.parse(item.candidateRegions) as string[]).includes(scope));
}

/** The regions a caller may see. null = all (admin). */
export async function visibleRegions(deps: Deps, p: Principal): Promise<string[] | null> {
  if (p.role === 'admin') return null;
  if (p.role === 'justice_bureau' || p.role === 'government_office') return [p.scope];
  if (p.role === 'unit') {
    const u = (await currentDirectory(deps)).index.unit(p.scope);
    return u ? [u.regionCode] : [];
  }
  if (p.role === 'liaison') return [...(await currentDirectory(deps)).index.regionsServedBy(p.scope, beijingDate(deps.clock.now()))];
  return [];
}
