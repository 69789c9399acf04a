/** Case-level access: who may see a case (and its documents, obligations and timeline). */
import { and, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { assignments, cases, queueItems } from '../../schemas/db/index.js';
import { Problem } from '../lib/problem.js';
import type { Principal } from './clients.js';

/** Throws 404 for a case the caller may not see (a denial reveals nothing, not even existence). */
export async function assertCaseAccess(deps: Deps, p: Principal, caseId: string, mode: 'read' | 'decide' = 'read'): Promise<{ regionCode: string | null; caseNumber: string }> {
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
