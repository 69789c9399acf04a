/**
 * Must the head appear (负责人出庭应诉; docs/domain.md §5)? The reasons that apply to a case, each with its source:
 * the court's written request (行诉解释 第129条; 法释〔2020〕3号 第5条), Sishui's 100% rule [S 四], and
 * Guangzhou's first first-instance case of the year that goes to hearing [G]. The unit records who appears
 * (step appearance_registered); this says why it must.
 */
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { DocumentEntry } from '../../schemas/api/manifest.js';
import { assignments, cases, documents, routingDecisions } from '../../schemas/db/index.js';
import { regionPolicy } from './policies.js';

export interface AppearanceReason {
  zh: string;
  en: string;
  source: string;
}

export async function headAppearance(deps: Deps, caseId: string): Promise<{ required: boolean; reasons: AppearanceReason[] }> {
  const [c] = await deps.db.orm.select().from(cases).where(eq(cases.id, caseId));
  if (!c) return { required: false, reasons: [] };
  const docs = await deps.db.orm
    .select({ type: documents.type, entryJson: documents.entryJson, arrivedAt: documents.arrivedAt })
    .from(routingDecisions)
    .innerJoin(documents, eq(documents.id, routingDecisions.documentId))
    .where(eq(routingDecisions.caseId, caseId));
  const reasons: AppearanceReason[] = [];
  const written = docs.some((d) => d.type === 'head_appearance_notice' || (JSON.parse(d.entryJson) as DocumentEntry).hearing?.headAppearanceRequired === true);
  if (written) reasons.push({ zh: '人民法院书面通知行政机关负责人出庭', en: 'the court asked in writing for the head to appear', source: '行诉解释 第129条; 法释〔2020〕3号 第5条' });
  const { presetId } = await regionPolicy(deps, c.regionCode);
  if (presetId === 'sishui') reasons.push({ zh: '行政机关负责人出庭应诉率达到100%', en: 'Sishui asks for 100% head appearance', source: 'S 四' });
  const hearing = docs.find((d) => d.type === 'summons');
  if (presetId === 'guangzhou' && c.instance === 'first' && hearing) {
    // The lead unit's first first-instance case of the year that goes to hearing.
    const [lead] = await deps.db.orm.select({ unitId: assignments.unitId }).from(assignments).where(and(eq(assignments.caseId, caseId), eq(assignments.role, 'lead')));
    if (lead) {
      const year = new Date(hearing.arrivedAt.getTime() + 8 * 3600_000).getUTCFullYear();
      const start = new Date(Date.UTC(year, 0, 1) - 8 * 3600_000);
      const earlier = await deps.db.orm
        .select({ caseId: routingDecisions.caseId })
        .from(documents)
        .innerJoin(routingDecisions, eq(routingDecisions.documentId, documents.id))
        .innerJoin(assignments, and(eq(assignments.caseId, routingDecisions.caseId), eq(assignments.unitId, lead.unitId), eq(assignments.role, 'lead')))
        .where(and(eq(documents.type, 'summons'), gte(documents.arrivedAt, start), lt(documents.arrivedAt, hearing.arrivedAt)))
        .orderBy(asc(documents.arrivedAt))
        .limit(1);
      if (!earlier.length || earlier[0]!.caseId === caseId) reasons.push({ zh: '本年度第一起开庭审理的一审案件', en: "the unit's first first-instance case of the year to go to hearing", source: 'G 负责人出庭' });
    }
  }
  return { required: reasons.length > 0, reasons };
}


