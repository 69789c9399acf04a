/** Test factories for routing (used by the *.test.ts files of this folder). */
import type { CaseInfo, PartyRef } from '../case-info.js';

export const LONGYOU = { code: 'court-longyou', name: '浙江省龙游县人民法院' } as const;
export const KECHENG_COURT = { code: 'court-kecheng', name: '浙江省衢州市柯城区人民法院' } as const;
export const QUJIANG_COURT = { code: 'court-qujiang', name: '浙江省衢州市衢江区人民法院' } as const;
export const INTERMEDIATE = { code: 'court-quzhou-intermediate', name: '浙江省衢州市中级人民法院' } as const;

const party = (p: string | PartyRef): PartyRef => (typeof p === 'string' ? { name: p } : p);

/** A first-instance case at Longyou court (collective jurisdiction for Kecheng and Qujiang from 2021-04-08). */
export function caseOf(o: {
  acting: (string | PartyRef)[];
  defendants?: (string | PartyRef)[];
  kind?: 'act' | 'inaction';
  review?: { organ: string | PartyRef; outcome: NonNullable<CaseInfo['administrativeReview']>['outcome'] };
  instance?: CaseInfo['instance'];
  court?: { code: string; name: string };
  caseNumber?: string;
}): CaseInfo {
  const acting = o.acting.map(party);
  return {
    caseNumber: o.caseNumber ?? '(2022)浙0825行初101号',
    court: o.court ?? LONGYOU,
    instance: o.instance ?? 'first',
    plaintiffs: [{ name: '郑某某' }],
    defendants: (o.defendants ?? o.acting).map(party),
    challengedAct: { description: '行政处罚决定', actingUnits: acting, kind: o.kind ?? 'act' },
    ...(o.review ? { administrativeReview: { organ: party(o.review.organ), outcome: o.review.outcome } } : {}),
  };
}
