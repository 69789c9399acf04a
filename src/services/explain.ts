/** "Why did this document go there?": the routing decision with its rule, article and facts, in Chinese and English. */
import { eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { documents, routingDecisions } from '../../schemas/db/index.js';
import { RULES, type RoutingDecision, type RoutingFact } from '../domain/routing/index.js';
import { Problem } from '../lib/problem.js';
import { caseView } from './assignments.js';

const PARTY: Record<string, { zh: string; en: string }> = {
  acting_unit: { zh: '行政行为作出单位', en: 'acting unit' },
  defendant: { zh: '被告', en: 'defendant' },
  review_organ: { zh: '复议机关', en: 'review organ' },
  prior_assignment: { zh: '原审承办单位', en: 'first-instance unit' },
};

export function explainFact(f: RoutingFact): { zh: string; en: string } {
  switch (f.kind) {
    case 'court_regions':
      return f.known
        ? {
            zh: `法院 ${f.courtCode} 于 ${f.onDate} 管辖区域：${f.regionCodes.join('、') || '无'}`,
            en: `court ${f.courtCode} serves ${f.regionCodes.join(', ') || 'no region'} on ${f.onDate}`,
          }
        : { zh: `法院 ${f.courtCode} 不在单位名录中`, en: `court ${f.courtCode} is not in the directory` };
    case 'resolved':
      return {
        zh: `${PARTY[f.party]?.zh ?? f.party}“${f.written}”识别为 ${f.unitName}（${f.regionCode}，依据名录中的“${f.matched}”）`,
        en: `${PARTY[f.party]?.en ?? f.party} "${f.written}" resolved to ${f.unitName} (${f.regionCode}, via "${f.matched}", ${f.via}, searched ${f.scope})`,
      };
    case 'unresolved':
      return {
        zh: `${PARTY[f.party]?.zh ?? f.party}“${f.written}”${f.outcome === 'ambiguous' ? `对应多个单位：${f.candidates.map((c) => c.unitName).join('、')}` : f.outcome === 'conflict' ? '的单位代码与区域不一致' : '在名录中找不到'}`,
        en: `${PARTY[f.party]?.en ?? f.party} "${f.written}" ${f.outcome === 'ambiguous' ? `matches several units: ${f.candidates.map((c) => c.unitName).join(', ')}` : f.outcome === 'conflict' ? 'has a unit code that contradicts its region' : 'is not in the directory'}`,
      };
    case 'entrusted':
      return {
        zh: `${f.orgName} 系受 ${f.entrustingName} 委托的组织（${f.article}）`,
        en: `${f.orgName} acted as an organisation entrusted by ${f.entrustingName} (${f.article})`,
      };
    case 'succeeded':
      return {
        zh: `${f.fromName} 于 ${f.abolishedOn} 撤销，职权由 ${f.toName} 继续行使（${f.article}）`,
        en: `${f.fromName} was abolished on ${f.abolishedOn}; ${f.toName} holds its powers (${f.article})`,
      };
    case 'rule':
      return { zh: `${f.rule}（${f.article}）：${f.note.zh}`, en: `${f.rule} (${f.article}): ${f.note.en}` };
    case 'defendant_region': {
      const VIA: Record<string, { zh: string; en: string }> = {
        unit_code: { zh: '依据法院送来的单位代码', en: 'from the unit code the court sent' },
        stated_region: { zh: '依据法院载明的区划代码', en: 'from the region code the court stated' },
        name_prefix: { zh: '依据被告名称中的区域名称', en: "from the region named at the start of the defendant's name" },
        court_regions: { zh: '依据法院当日管辖的区域', en: 'from the regions the court serves on the date' },
        none: { zh: '无从确定', en: 'nothing names it' },
      };
      const via = VIA[f.via] ?? { zh: f.via, en: f.via };
      return f.regionCode !== undefined
        ? { zh: `被告“${f.written}”所在区域：${f.regionCode}（${via.zh}）`, en: `the defendant "${f.written}" is in region ${f.regionCode} (${via.en})` }
        : {
            zh: `被告“${f.written}”所在区域未能确定，可能为：${f.candidates.join('、') || '无'}（${via.zh}）`,
            en: `the defendant "${f.written}" may be in ${f.candidates.join(', ') || 'no region'} (${via.en})`,
          };
    }
    case 'note':
      return f.note;
  }
}

export async function explainRouting(deps: Deps, documentId: string) {
  const [row] = await deps.db.orm
    .select({ d: routingDecisions, title: documents.title, type: documents.type, caseNumber: documents.caseNumber, arrivedAt: documents.arrivedAt })
    .from(routingDecisions)
    .innerJoin(documents, eq(documents.id, routingDecisions.documentId))
    .where(eq(routingDecisions.documentId, documentId));
  if (!row) throw new Problem('not-found', `no routed document with id ${documentId}`);
  const decision = JSON.parse(row.d.decisionJson) as RoutingDecision;
  const lines = decision.facts.map(explainFact);
  const current = row.d.caseId ? await caseView(deps, row.d.caseId) : undefined;
  return {
    documentId,
    documentType: row.type,
    title: row.title,
    caseNumber: row.caseNumber,
    caseId: row.d.caseId,
    arrivedAt: row.arrivedAt.toISOString(),
    onDate: row.d.onDate,
    directoryVersion: row.d.directoryVersion,
    status: decision.status,
    rule: decision.rule,
    ruleTitle: RULES[decision.rule].title,
    article: decision.article,
    rulesApplied: [...decision.rulesApplied],
    regionCode: decision.regionCode ?? null,
    reason: decision.reason,
    assignments: decision.assignments,
    queueReason: decision.queueReason ?? null,
    candidates: decision.candidates ?? [],
    explanation: { zh: [decision.reason.zh, ...lines.map((l) => l.zh)], en: [decision.reason.en, ...lines.map((l) => l.en)] },
    facts: decision.facts,
    /** The case's assignment now (the justice bureau may have decided since). */
    currentAssignments: current?.assignments ?? [],
  };
}
