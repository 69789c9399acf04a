/**
 * The facts step of intake (src/intake/pipeline.ts): every read a delivery's routing and deadlines are decided from,
 * in one step before the plan, each case with the revision it was read at. The plan (src/intake/plan.ts) reads
 * nothing else. What changes between this read and the batch is caught by the batch's guards (the case-number
 * index, each case's revision, src/services/case-revisions.ts) and the delivery is read and planned again.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Deps, Orm } from '../deps.js';
import type { Manifest } from '../../schemas/api/manifest.js';
import { assignments as assignmentsT, cases } from '../../schemas/db/index.js';
import { beijingDate, type Calendar } from '../domain/calendar/index.js';
import type { Assignment } from '../domain/routing/index.js';
import type { Policy } from '../domain/policy/index.js';
import type { RoutingStatus } from '../domain/vocabulary.js';
import { currentDirectory, type CurrentDirectory } from '../services/directory.js';
import { currentCalendar } from '../services/calendar.js';
import { policyBook } from '../services/policies.js';
import { loadCaseContext, newDeliveryPlanState, type DeliveryPlanState } from '../services/obligations.js';
import { caseRevisionsOf } from '../services/case-revisions.js';

/** A case as routing sees it. */
export interface CaseState {
  id: string;
  status: RoutingStatus;
  regionCode: string | null;
  /** The sender that created the case (null: an old case no delivery is known for). */
  senderCode: string | null;
  active: { unitId: string; unitName: string; role: Assignment['role']; regionCode: string }[];
  /** The case's revision when it was read (src/services/case-revisions.ts): the batch moves it on, or fails. */
  revision: number;
}

/** An earlier instance a delivery names (priorCaseNumbers) that exists. */
export interface PriorCase {
  id: string;
  caseNumber: string;
  courtCode: string;
  senderCode: string | null;
  state: CaseState | undefined;
}

export interface IntakeFacts {
  dir: CurrentDirectory;
  calendar: Calendar;
  /** The Beijing date the rules are applied on. */
  onDate: string;
  /** Cases that exist, by case number, with the revision read. */
  cases: Map<string, CaseState>;
  /** The obligation context of each existing case and of each earlier instance, by case id. */
  contexts: DeliveryPlanState;
  /** Earlier instances named (priorCaseNumbers) that exist, by case number. */
  priors: Map<string, PriorCase>;
  /** The policy of any region (null: no region yet), from every region's policy as read with the facts. */
  policies: (regionCode: string | null) => Policy;
}

/** The case-number lookup every delivery makes, built once per database (a drizzle prepared query). */
const caseByNumber = (orm: Orm) =>
  orm
    .select({ id: cases.id, routingStatus: cases.routingStatus, regionCode: cases.regionCode, senderCode: cases.senderCode })
    .from(cases)
    .where(eq(cases.caseNumber, sql.placeholder('caseNumber')))
    .prepare();
const preparedCaseByNumber = new WeakMap<Orm, ReturnType<typeof caseByNumber>>();

async function loadCase(deps: Deps, caseNumber: string): Promise<CaseState | undefined> {
  let q = preparedCaseByNumber.get(deps.db.orm);
  if (!q) preparedCaseByNumber.set(deps.db.orm, (q = caseByNumber(deps.db.orm)));
  const [c] = await q.all({ caseNumber });
  if (!c) return undefined;
  // Read first: whatever is read after it and changed by another write is caught by that write's new revision.
  const revision = (await caseRevisionsOf(deps.db, [c.id])).get(c.id) ?? 0;
  const active = await deps.db.orm
    .select({ unitId: assignmentsT.unitId, unitName: assignmentsT.unitName, role: assignmentsT.role, regionCode: assignmentsT.regionCode })
    .from(assignmentsT)
    .where(and(eq(assignmentsT.caseId, c.id), isNull(assignmentsT.supersededAt)));
  return { id: c.id, status: c.routingStatus, regionCode: c.regionCode, senderCode: c.senderCode, active, revision };
}

/** The existing cases of these numbers (one read). */
const existingCases = (deps: Deps, numbers: string[]) =>
  deps.db.orm
    .select({ id: cases.id, caseNumber: cases.caseNumber, courtCode: cases.courtCode, senderCode: cases.senderCode })
    .from(cases)
    .where(inArray(cases.caseNumber, numbers));

export async function readIntakeFacts(deps: Deps, manifest: Manifest, arrivedAt: Date): Promise<IntakeFacts> {
  const dir = await currentDirectory(deps);
  const calendar = await currentCalendar(deps);
  const numbers = [...new Set(manifest.documents.flatMap((d) => (d.case ? [d.case.caseNumber] : [])))];
  const cases = new Map<string, CaseState>();
  for (const cn of numbers) {
    const state = await loadCase(deps, cn);
    if (state) cases.set(cn, state);
  }
  const priorNumbers = [...new Set(manifest.documents.flatMap((d) => d.case?.priorCaseNumbers ?? []))];
  const priors = new Map<string, PriorCase>();
  for (const p of priorNumbers.length ? await existingCases(deps, priorNumbers) : [])
    priors.set(p.caseNumber, { ...p, state: await loadCase(deps, p.caseNumber) });
  // Each context once: a case named both as a case and as an earlier instance is one view.
  const contexts = newDeliveryPlanState();
  for (const id of new Set([...[...cases.values()].map((c) => c.id), ...[...priors.values()].map((p) => p.id)])) {
    const ctx = await loadCaseContext(deps, id, dir.index);
    if (ctx) contexts.set(id, ctx);
  }
  const onDate = beijingDate(arrivedAt);
  const book = await policyBook(deps);
  const policies = (region: string | null) => book(region).policy;
  return { dir, calendar, onDate, cases, contexts, priors, policies };
}
