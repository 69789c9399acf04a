/**
 * Must the head appear (负责人出庭应诉; docs/domain.md §5)? Each policy's situations (src/domain/appearance.ts:
 * national law, S's 100%, G's three, B 第十三条's eight) evaluated on the case: from its documents and history,
 * and from what its justice bureau set. The unit records who appears (step appearance_registered); this says why
 * it must, and which rule says so.
 */
import { and, asc, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { CaseInfo, DocumentEntry } from '../../schemas/api/manifest.js';
import { assignments, cases, caseSteps, documents, routingDecisions } from '../../schemas/db/index.js';
import { regionPolicy } from './policies.js';
import { currentDirectory } from './directory.js';
import { Problem } from '../lib/problem.js';
import { evaluateAppearance, settableSituations, type AppearanceAnswer, type AppearanceSituation } from '../domain/appearance.js';
import { beijingInstant, beijingYear, isoDate } from '../domain/calendar/index.js';

export type { AppearanceReason } from '../domain/appearance.js';

/**
 * The case's head-appearance answer under its region's policy (src/domain/appearance.ts): the facts from its
 * documents and history, and the situations its justice bureau set (step appearance_situations).
 */
export async function headAppearance(deps: Deps, caseId: string): Promise<AppearanceAnswer> {
  const [c] = await deps.db.orm.select().from(cases).where(eq(cases.id, caseId));
  if (!c) return { required: false, reasons: [], settable: [] };
  const docs = await deps.db.orm
    .select({ type: documents.type, entryJson: documents.entryJson, arrivedAt: documents.arrivedAt })
    .from(routingDecisions)
    .innerJoin(documents, eq(documents.id, routingDecisions.documentId))
    .where(eq(routingDecisions.caseId, caseId));
  const established = new Set<AppearanceSituation>();
  // 行诉解释 第129条; 法释〔2020〕3号 第5条: the court's written request.
  if (docs.some((d) => d.type === 'head_appearance_notice' || (JSON.parse(d.entryJson) as DocumentEntry).hearing?.headAppearanceRequired === true))
    established.add('court_written_request');
  const { policy } = await regionPolicy(deps, c.regionCode);
  const facts = JSON.parse(c.factsJson) as CaseInfo;
  // B 第十三条(五): public-interest litigation brought by the procuratorate (a procuratorate is the plaintiff).
  if (facts.plaintiffs.some((p) => /人民检察院|检察院/.test(p.name))) established.add('public_interest_litigation');
  const hearing = docs.find((d) => d.type === 'summons');
  // B 第十三条(一): lost at first instance, heard at second instance.
  if (c.instance === 'second' && hearing && c.parentCaseId) {
    const [parent] = await deps.db.orm.select({ caseNumber: cases.caseNumber }).from(cases).where(eq(cases.id, c.parentCaseId));
    const outcomes = parent
      ? await deps.db.orm
          .select({ entryJson: documents.entryJson })
          .from(documents)
          .where(and(eq(documents.caseNumber, parent.caseNumber), inArray(documents.type, ['judgment', 'ruling'])))
      : [];
    if (outcomes.some((o) => (JSON.parse(o.entryJson) as DocumentEntry).outcome?.result === 'loss')) established.add('loss_first_instance_second_hearing');
  }
  if (policy.tag === 'G' && c.instance === 'first' && hearing) {
    // The lead unit's first first-instance case of the year that goes to hearing.
    const [lead] = await deps.db.orm
      .select({ unitId: assignments.unitId })
      .from(assignments)
      .where(and(eq(assignments.caseId, caseId), eq(assignments.role, 'lead')));
    if (lead) {
      const year = beijingYear(hearing.arrivedAt);
      const start = beijingInstant(isoDate(year, 1, 1), '00:00');
      const earlier = await deps.db.orm
        .select({ caseId: routingDecisions.caseId })
        .from(documents)
        .innerJoin(routingDecisions, eq(routingDecisions.documentId, documents.id))
        .innerJoin(assignments, and(eq(assignments.caseId, routingDecisions.caseId), eq(assignments.unitId, lead.unitId), eq(assignments.role, 'lead')))
        .where(and(eq(documents.type, 'summons'), gte(documents.arrivedAt, start), lt(documents.arrivedAt, hearing.arrivedAt)))
        .orderBy(asc(documents.arrivedAt))
        .limit(1);
      if (!earlier.length || earlier[0]!.caseId === caseId) established.add('first_hearing_of_year');
    }
  }
  // B 第十三条 applies where the district government is a defendant.
  const dir = (await currentDirectory(deps)).index;
  const region = c.regionCode;
  const governmentDefendant =
    region !== null &&
    facts.defendants.some((d) => {
      const r = dir.resolveNameIn(d.name, [region]);
      return r.kind === 'found' && r.unit.kind === 'government';
    });
  const [latest] = await deps.db.orm
    .select({ dataJson: caseSteps.dataJson })
    .from(caseSteps)
    .where(and(eq(caseSteps.caseId, caseId), eq(caseSteps.kind, 'appearance_situations')))
    .orderBy(desc(caseSteps.at))
    .limit(1);
  const set = new Set<AppearanceSituation>(latest ? (JSON.parse(latest.dataJson) as { situations: AppearanceSituation[] }).situations : []);
  return evaluateAppearance({ policyTag: policy.tag, established, set, governmentDefendant });
}

/** A justice bureau sets only the situations its region's policy leaves to it (400 otherwise). */
export async function assertSettable(deps: Deps, regionCode: string | null, situations: readonly string[]) {
  const { policy } = await regionPolicy(deps, regionCode);
  const allowed = settableSituations(policy.tag);
  const wrong = situations.filter((s) => !allowed.includes(s as AppearanceSituation));
  if (wrong.length)
    throw new Problem(
      'bad-request',
      `under ${policy.id} the justice bureau sets only ${allowed.join(', ')}; not ${wrong.join(', ')} (the others follow from the documents)`,
    );
}
