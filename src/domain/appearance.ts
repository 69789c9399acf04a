/**
 * Must the head appear (负责人出庭应诉; docs/domain.md §5)? Each policy's situations as data, evaluated from the facts
 * the gateway has; those no document states are set by the justice bureau (step appearance_situations). Pure.
 *
 *   national   the court's written request: 行诉解释 第129条, 法释〔2020〕3号 第5条 (also B 第十三条(三), G)
 *              major public interest, high attention or mass-incident risk: 法释〔2020〕3号 第4条 (set by the bureau)
 *   S          every case: 出庭应诉率达到100% [S 四]
 *   G          the unit's first first-instance case of the year to go to hearing (fact); the court's written
 *              request (national); where it helps resolve the dispute (set) [G 负责人出庭]
 *   B          only where the district government is the defendant [B 第十三条]: (一) lost at first instance and
 *              heard at second instance (fact); (二) the head did not appear at first instance and it is needed
 *              now; (三) the court's written request (national); (四) major public interest (set, as 第4条);
 *              (五) procuratorial public-interest litigation (fact); (六) large compensation; (七) complex or
 *              high-impact; (八) it helps resolve the dispute (set)
 * Agents when the head cannot appear: one or two (ALL 第31条), never only lawyers (B 第十六条, S 四(三)):
 * src/domain/steps.ts.
 */

export const APPEARANCE_SITUATIONS = [
  'court_written_request',
  'major_public_interest',
  'all_cases',
  'first_hearing_of_year',
  'helps_resolve',
  'loss_first_instance_second_hearing',
  'absent_first_instance_needed',
  'public_interest_litigation',
  'large_compensation',
  'complex_high_impact',
] as const;
export type AppearanceSituation = (typeof APPEARANCE_SITUATIONS)[number];

export interface AppearanceRule {
  situation: AppearanceSituation;
  /** The policy tags it belongs to ('*': every region, national law). */
  policies: readonly string[] | '*';
  /** fact: the gateway decides from documents and case history; bureau: the justice bureau sets it. */
  decidedBy: 'fact' | 'bureau' | 'always';
  /** B 第十三条: only cases where the district government is the defendant. */
  governmentDefendantOnly?: boolean;
  zh: string;
  en: string;
  source: string;
}

export const APPEARANCE_RULES: readonly AppearanceRule[] = [
  // 行诉解释 第129条; 法释〔2020〕3号 第5条 (B 第十三条(三), G 负责人出庭 say the same)
  {
    situation: 'court_written_request',
    policies: '*',
    decidedBy: 'fact',
    zh: '人民法院书面通知（建议）行政机关负责人出庭',
    en: 'the court asked in writing for the head to appear',
    source: '行诉解释 第129条; 法释〔2020〕3号 第5条',
  },
  // 法释〔2020〕3号 第4条
  {
    situation: 'major_public_interest',
    policies: '*',
    decidedBy: 'bureau',
    zh: '涉及食品药品安全、生态环境和资源保护、公共卫生安全等重大公共利益，社会高度关注或者可能引发群体性事件',
    en: 'major public interest (food and drug safety, environment, public health), high public attention or mass-incident risk',
    source: '法释〔2020〕3号 第4条',
  },
  // S 四
  {
    situation: 'all_cases',
    policies: ['S'],
    decidedBy: 'always',
    zh: '行政机关负责人出庭应诉率达到100%',
    en: 'Sishui asks for 100% head appearance',
    source: 'S 四',
  },
  // G 负责人出庭: 三种应当出庭情形
  {
    situation: 'first_hearing_of_year',
    policies: ['G'],
    decidedBy: 'fact',
    zh: '本年度第一起开庭审理的一审案件',
    en: "the unit's first first-instance case of the year to go to hearing",
    source: 'G 负责人出庭',
  },
  {
    situation: 'helps_resolve',
    policies: ['G'],
    decidedBy: 'bureau',
    zh: '负责人出庭有利于解决争议',
    en: 'the head appearing helps resolve the dispute',
    source: 'G 负责人出庭',
  },
  // B 第十三条 (以人民政府为被告的下列应诉案件)
  {
    situation: 'loss_first_instance_second_hearing',
    policies: ['B'],
    decidedBy: 'fact',
    governmentDefendantOnly: true,
    zh: '一审判决区人民政府败诉，二审开庭审理',
    en: 'lost at first instance, heard at second instance',
    source: 'B 第十三条(一)',
  },
  {
    situation: 'absent_first_instance_needed',
    policies: ['B'],
    decidedBy: 'bureau',
    governmentDefendantOnly: true,
    zh: '负责人一审未出庭，认为二审有必要出庭',
    en: 'the head did not appear at first instance and must now',
    source: 'B 第十三条(二)',
  },
  {
    situation: 'major_public_interest',
    policies: ['B'],
    decidedBy: 'bureau',
    governmentDefendantOnly: true,
    zh: '涉及重大公众利益、社会关注度高或者可能引发群体性事件',
    en: 'major public interest, high attention or mass-incident risk',
    source: 'B 第十三条(四)',
  },
  {
    situation: 'public_interest_litigation',
    policies: ['B'],
    decidedBy: 'fact',
    governmentDefendantOnly: true,
    zh: '检察机关提起的公益诉讼案件',
    en: 'public-interest litigation brought by the procuratorate',
    source: 'B 第十三条(五)',
  },
  {
    situation: 'large_compensation',
    policies: ['B'],
    decidedBy: 'bureau',
    governmentDefendantOnly: true,
    zh: '行政赔偿数额较大',
    en: 'large administrative compensation',
    source: 'B 第十三条(六)',
  },
  {
    situation: 'complex_high_impact',
    policies: ['B'],
    decidedBy: 'bureau',
    governmentDefendantOnly: true,
    zh: '社会影响较大、案情复杂或者对区人民政府执法活动可能产生重大影响',
    en: 'high social impact, complex, or of major effect on the government’s enforcement',
    source: 'B 第十三条(七)',
  },
  {
    situation: 'helps_resolve',
    policies: ['B'],
    decidedBy: 'bureau',
    governmentDefendantOnly: true,
    zh: '区人民政府负责人出庭更有利于化解争议',
    en: 'the head appearing helps resolve the dispute',
    source: 'B 第十三条(八)',
  },
];

/** What the gateway knows of a case (documents and history), and what the justice bureau set. */
export interface AppearanceFacts {
  /** The region's policy tag (P, S, B, G, Q …). */
  policyTag: string;
  /** The situations that documents and case history establish. */
  established: ReadonlySet<AppearanceSituation>;
  /** The situations the justice bureau set (step appearance_situations). */
  set: ReadonlySet<AppearanceSituation>;
  /** The district government is a defendant (B 第十三条 applies only then). */
  governmentDefendant: boolean;
}

export interface AppearanceReason {
  situation: AppearanceSituation;
  zh: string;
  en: string;
  source: string;
  /** fact: from documents or history; bureau: set by the justice bureau; always: the policy asks for every case. */
  via: AppearanceRule['decidedBy'];
}

export interface AppearanceAnswer {
  required: boolean;
  reasons: AppearanceReason[];
  /** The situations of this policy the justice bureau may set, and whether each is set. */
  settable: { situation: AppearanceSituation; zh: string; source: string; set: boolean }[];
}

const applies = (r: AppearanceRule, f: AppearanceFacts) =>
  (r.policies === '*' || r.policies.includes(f.policyTag)) && (!r.governmentDefendantOnly || f.governmentDefendant);

/** Evaluate the policy's rules: the head must appear when any applicable situation holds, and each says why. */
export function evaluateAppearance(f: AppearanceFacts): AppearanceAnswer {
  const rules = APPEARANCE_RULES.filter((r) => applies(r, f));
  const reasons: AppearanceReason[] = [];
  for (const r of rules) {
    const holds = r.decidedBy === 'always' || (r.decidedBy === 'fact' ? f.established.has(r.situation) : f.set.has(r.situation));
    if (holds && !reasons.some((x) => x.source === r.source)) reasons.push({ situation: r.situation, zh: r.zh, en: r.en, source: r.source, via: r.decidedBy });
  }
  const settable = rules
    .filter((r) => r.decidedBy === 'bureau')
    .map((r) => ({ situation: r.situation, zh: r.zh, source: r.source, set: f.set.has(r.situation) }));
  return { required: reasons.length > 0, reasons, settable };
}

/** The situations a bureau may set under a policy (for validating its step). */
export function settableSituations(policyTag: string): AppearanceSituation[] {
  return [
    ...new Set(APPEARANCE_RULES.filter((r) => r.decidedBy === 'bureau' && (r.policies === '*' || r.policies.includes(policyTag))).map((r) => r.situation)),
  ];
}
