/**
 * The case revision guard (schemas/db/cases.ts caseRevisions, issue 21): a write planned from what it read of a
 * case inserts the next revision, so a write planned from a revision another write already moved past is refused
 * as a WriteConflict on case_revisions, and planned again.
 */
import { sql } from 'drizzle-orm';
import type { Db, Stmt } from '../deps.js';
import { caseRevisions } from '../../schemas/db/index.js';
import { insertRows, RawStmt } from '../lib/raw-insert.js';

/** The revision of each case as it is now (0: never revised). */
export async function caseRevisionsOf(db: Db, caseIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>(caseIds.map((id) => [id, 0]));
  if (caseIds.length === 0) return out;
  const rows = (await db.orm.all(
    sql`select case_id as caseId, max(revision) as revision from ${caseRevisions} where case_id in (select value from json_each(${JSON.stringify(caseIds)})) group by case_id`,
  )) as { caseId: string; revision: number }[];
  for (const r of rows) out.set(r.caseId, Number(r.revision));
  return out;
}

/** The statements that move a case from the revision `seen` to the next (and forget the older rows). */
export const nextCaseRevision = (caseId: string, seen: number): Stmt[] => [
  insertRows(caseRevisions, [{ caseId, revision: seen + 1 }]),
  new RawStmt('delete from case_revisions where case_id = ? and revision <= ?', [caseId, seen]),
];

/** For a write under the lock that changes what intake reads of a case: the next revision from the current one. */
export async function reviseCase(db: Db, caseId: string): Promise<Stmt[]> {
  const seen = (await caseRevisionsOf(db, [caseId])).get(caseId) ?? 0;
  return nextCaseRevision(caseId, seen);
}
