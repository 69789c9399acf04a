/**
 * The figures both sides look at in joint government–court meetings (府院联席会议), each defined ONCE as a
 * numerator over a denominator, with its source [docs/domain.md §7; S 五(六)(八), G 府院联动, Q 一(二)]. Every
 * figure the API, a meeting pack, a ledger or a page shows carries this definition beside it.
 *
 * Variants: where regions count differently (appearance per hearing or per case; loss rate over judgments on
 * the merits or over every concluded case) the variant is an option of the definition. The region policy
 * schema (src/domain/policy/schema.ts, a strict object) has no room for it, so the caller chooses it with the
 * query parameter `variant=<figure>:<variant>`; the chosen variant is stated in every answer and frozen in packs.
 */
import { InvalidInput } from '../invalid-input.js';
export type Bilingual = { zh: string; en: string };

export interface FigureVariant {
  id: string;
  name: Bilingual;
  /** What changes in the numerator or denominator. */
  definition: Bilingual;
  source: string;
}

export interface FigureDefinition {
  id: FigureId;
  name: Bilingual;
  /** 'rate' = numerator / denominator; 'count' = the numerator alone (the denominator is context, may be null). */
  kind: 'rate' | 'count';
  numerator: Bilingual;
  denominator: Bilingual | null;
  /** The whole rule in one sentence: what is counted, when it falls in the period, what is left out. */
  definition: Bilingual;
  source: string;
  /** What the figure counts: cases, hearings or obligations (the items behind it). */
  unit: 'case' | 'hearing' | 'obligation';
  variants?: readonly FigureVariant[];
  /** The variant used when the caller chooses none. */
  defaultVariant?: string;
  /** Broken down per unit as well (四不问题 are counted per unit [G]). */
  perUnit?: boolean;
}

export const FIGURE_IDS = [
  'new_cases',
  'loss_rate',
  'mediation_withdrawal_rate',
  'revoke_change_rate',
  'head_appearance_rate',
  'principal_appearance_rate',
  'on_time_report',
  'on_time_answer',
  'on_time_loss_report',
  'on_time_suggestion_reply',
  'on_time_routing',
  'failure_no_answer',
  'failure_no_evidence',
  'failure_no_appearance',
  'failure_no_performance',
] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

const CONCLUDED: Bilingual = {
  zh: '审结：案件（每一审级为一件）的最新一份载明结果的判决书、裁定书或调解书送达网关之日（北京时间）在统计期间内',
  en: 'concluded: the latest judgment, ruling or mediation document stating a result of the case (each instance is one case) arrived in the gateway on a Beijing date inside the period',
};

/** Obligations "due": due date inside the period and already passed at the time of the query, or done; waived (superseded) ones are left out. */
const DUE_NOTE: Bilingual = {
  zh: '应办：截止日期在统计期间内、且截止日已过或已办结的事项（被后续文书取代而免除的不计）；按时：办结日期不晚于截止日期',
  en: 'due: the due date is inside the period and has passed (or the obligation is done); waived (superseded) ones are not counted. On time: done on or before the due date',
};

function onTime(id: FigureId, kind: string, zh: string, en: string, source: string): FigureDefinition {
  return {
    id,
    name: { zh: `${zh}按时率`, en: `On-time rate: ${en}` },
    kind: 'rate',
    numerator: { zh: `按时完成的${zh}`, en: `${en} done by the due date` },
    denominator: { zh: `应办的${zh}`, en: `${en} due` },
    definition: { zh: `统计“${zh}”这一时限事项。${DUE_NOTE.zh}`, en: `obligations of kind ${kind}. ${DUE_NOTE.en}` },
    source,
    unit: 'obligation',
  };
}

const FOUR: Bilingual = {
  zh: '“四不问题”（不出庭、不答辩、不举证、不履行），按单位统计',
  en: 'one of the "four failures" (not appearing, not answering, not giving evidence, not performing), counted per unit',
};

export const FIGURES: Record<FigureId, FigureDefinition> = {
  new_cases: {
    id: 'new_cases',
    name: { zh: '发案数', en: 'New cases' },
    kind: 'count',
    numerator: { zh: '统计期间内收到的一审行政诉讼案件数', en: 'first-instance cases received in the period' },
    denominator: null,
    definition: {
      zh: '一审案件，以首份文书（起诉状副本等）到达网关之日（北京时间）为收案日；按被诉行为所在区域（被告所在地）计，不按法院所在地 [Q]',
      en: 'first-instance cases, received on the Beijing date the first document (complaint copy …) arrived in the gateway; counted in the defendant’s region, never the court’s seat [Q]',
    },
    source: 'docs/domain.md §7; S 五(六); Q 一(二)',
    unit: 'case',
    perUnit: true,
  },
  loss_rate: {
    id: 'loss_rate',
    name: { zh: '败诉率', en: 'Loss rate' },
    kind: 'rate',
    numerator: { zh: '审结且败诉的案件数', en: 'cases concluded with a loss' },
    denominator: { zh: '以判决或裁定实体审结的案件数（胜诉与败诉）', en: 'cases concluded by a judgment or ruling on the merits (won or lost)' },
    definition: {
      zh: `${CONCLUDED.zh}。败诉：撤销（含重新作出）、确认违法或无效、变更、责令履行职责、履行给付义务、赔偿 [P 第十六条, B 第七条, S 五(五)]；撤诉、调解及其他结果不计入分母`,
      en: `${CONCLUDED.en}. A loss: revoked (incl. a new act ordered), confirmed illegal or invalid, changed, ordered to perform, to pay or to compensate [P 第十六条, B 第七条, S 五(五)]; withdrawals, mediation and other results are not in the denominator`,
    },
    source: 'docs/domain.md §6–7; P 第十六条; B 第七条; S 五(五)(六); G 法治广州考评',
    unit: 'case',
    variants: [
      {
        id: 'merits',
        name: { zh: '实体审结口径', en: 'Judgments on the merits' },
        definition: { zh: '分母为胜诉与败诉的案件', en: 'denominator: cases won or lost' },
        source: 'docs/domain.md §7',
      },
      {
        id: 'all_concluded',
        name: { zh: '全部审结口径', en: 'All concluded cases' },
        definition: { zh: '分母为全部审结案件（含撤诉、调解）', en: 'denominator: every concluded case (withdrawals and mediation included)' },
        source: 'G 法治广州考评（审结口径）',
      },
    ],
    defaultVariant: 'merits',
    perUnit: true,
  },
  mediation_withdrawal_rate: {
    id: 'mediation_withdrawal_rate',
    name: { zh: '调撤率', en: 'Mediation-withdrawal rate' },
    kind: 'rate',
    numerator: { zh: '以撤诉或调解审结的案件数', en: 'cases concluded by withdrawal or mediation' },
    denominator: { zh: '审结案件数', en: 'cases concluded' },
    definition: {
      zh: `${CONCLUDED.zh}；调解书或结果为撤诉、调解的计入分子`,
      en: `${CONCLUDED.en}; a mediation document or a result of withdrawal or mediation counts in the numerator`,
    },
    source: 'docs/domain.md §6–7; G 府院联动（调撤率63.1%）',
    unit: 'case',
  },
  revoke_change_rate: {
    id: 'revoke_change_rate',
    name: { zh: '撤改率', en: 'Revoke-or-change rate' },
    kind: 'rate',
    numerator: { zh: '被诉行为被撤销或变更的案件数', en: 'cases whose act was revoked or changed' },
    denominator: { zh: '审结案件数', en: 'cases concluded' },
    definition: {
      zh: `${CONCLUDED.zh}；败诉类型为撤销（含重新作出）或变更的计入分子`,
      en: `${CONCLUDED.en}; a loss of kind revoke (incl. a new act ordered) or change counts in the numerator`,
    },
    source: 'docs/domain.md §7; P 第十六条',
    unit: 'case',
  },
  head_appearance_rate: {
    id: 'head_appearance_rate',
    name: { zh: '负责人出庭率', en: 'Head appearance rate' },
    kind: 'rate',
    numerator: { zh: '负责人出庭的庭审数', en: 'hearings where a head appeared' },
    denominator: { zh: '已开庭的庭审数', en: 'hearings held' },
    definition: {
      zh: '以承办单位登记的开庭情况为准，开庭日期在统计期间内；负责人含正职、副职及分管副职 [S 四(一), 法释〔2020〕3号 第2条]；默认每一审级只计第一次庭审 [S 四]',
      en: 'from the hearing reports the units record (hearing_held), held on a date inside the period; a head is the principal, a deputy or the deputy in charge [S 四(一), 法释〔2020〕3号 第2条]; by default only the first hearing of each instance counts [S 四]',
    },
    source: 'docs/domain.md §5, §7; S 四; G 五项措施',
    unit: 'hearing',
    variants: [
      {
        id: 'first_per_instance',
        name: { zh: '每审级首次庭审', en: 'First hearing per instance' },
        definition: { zh: '同一审级多次开庭的，只计第一次', en: 'of several hearings in one instance only the first counts' },
        source: 'S 四',
      },
      {
        id: 'every_hearing',
        name: { zh: '每次庭审', en: 'Every hearing' },
        definition: { zh: '每次开庭都计入', en: 'every hearing counts' },
        source: 'G 五项措施（逐案逐次统计）',
      },
    ],
    defaultVariant: 'first_per_instance',
    perUnit: true,
  },
  principal_appearance_rate: {
    id: 'principal_appearance_rate',
    name: { zh: '正职负责人出庭率', en: 'Principal appearance rate' },
    kind: 'rate',
    numerator: { zh: '正职负责人出庭的庭审数', en: 'hearings where the principal (正职) appeared' },
    denominator: { zh: '已开庭的庭审数', en: 'hearings held' },
    definition: {
      zh: '同负责人出庭率，分子只计正职负责人出庭的庭审；审级口径与负责人出庭率相同',
      en: 'as the head appearance rate, the numerator counting only hearings the principal attended; same variant as the head appearance rate',
    },
    source: 'G 五项措施（将正职负责人出庭纳入考评）; S 四(一)',
    unit: 'hearing',
  },
  on_time_report: onTime('on_time_report', 'report_to_justice_bureau', '案件报备', 'reports to the justice bureau', 'S 五(三); G 全流程督促跟踪'),
  on_time_answer: onTime('on_time_answer', 'answer_and_evidence', '答辩举证', 'answers and evidence', 'ALL 第67条; S 三(二)'),
  on_time_loss_report: onTime('on_time_loss_report', 'loss_analysis_report', '败诉分析报告', 'loss-analysis reports', 'P 第十六条; B 第七条; S 五(五)'),
  on_time_suggestion_reply: onTime(
    'on_time_suggestion_reply',
    'suggestion_reply',
    '司法（检察）建议答复',
    'suggestion replies',
    'S 五(七); B 第十一条; 法释〔2023〕11号 第8条',
  ),
  // The routing window (分办时限, docs/domain.md §3): the justice bureau names the unit of a queued document within
  // two days, or the region's own period (P 第十条: 三日内确定承办单位并制作阅办单).
  on_time_routing: onTime(
    'on_time_routing',
    'unit_determination',
    '分办（确定承办单位）',
    'routing (naming the undertaking unit)',
    'S 二(一); P 第十条; 分办时限（两日）',
  ),
  failure_no_answer: {
    id: 'failure_no_answer',
    name: { zh: '不答辩', en: 'Not answering' },
    kind: 'count',
    numerator: { zh: '未在期限内提交答辩状的事项数', en: 'answers not filed by the due date' },
    denominator: { zh: '应办的答辩举证事项数', en: 'answers and evidence due' },
    definition: {
      zh: `${FOUR.zh}。答辩举证事项截止日已过而未按时办结。${DUE_NOTE.zh}`,
      en: `${FOUR.en}. An answer-and-evidence obligation whose due date passed without it being done in time. ${DUE_NOTE.en}`,
    },
    source: 'G 行政应诉考核机制（四不问题）; ALL 第67条',
    unit: 'obligation',
    perUnit: true,
  },
  failure_no_evidence: {
    id: 'failure_no_evidence',
    name: { zh: '不举证', en: 'Not giving evidence' },
    kind: 'count',
    numerator: { zh: '未在期限内提交证据的事项数', en: 'evidence not given by the due date' },
    denominator: { zh: '应办的答辩举证事项数', en: 'answers and evidence due' },
    definition: {
      zh: `${FOUR.zh}。答辩与举证在同一期限内一并提交（ALL 第67条），网关以同一事项记录：与“不答辩”同源，分别列示`,
      en: `${FOUR.en}. Answer and evidence are due together (ALL 第67条) and the gateway records them as one obligation: same items as "not answering", shown separately`,
    },
    source: 'G 行政应诉考核机制（四不问题）; ALL 第67条',
    unit: 'obligation',
    perUnit: true,
  },
  failure_no_appearance: {
    id: 'failure_no_appearance',
    name: { zh: '不出庭', en: 'Not appearing' },
    kind: 'count',
    numerator: { zh: '行政机关无人出庭的庭审数', en: 'hearings where nobody appeared for the agency' },
    denominator: { zh: '已开庭的庭审数（每次庭审）', en: 'hearings held (every hearing)' },
    definition: {
      zh: `${FOUR.zh}。开庭情况登记负责人未出庭且无工作人员或代理人出庭`,
      en: `${FOUR.en}. The hearing report says the head did not appear and no staff member or agent did`,
    },
    source: 'G 行政应诉考核机制（四不问题）; ALL 第3条第3款',
    unit: 'hearing',
    perUnit: true,
  },
  failure_no_performance: {
    id: 'failure_no_performance',
    name: { zh: '不履行', en: 'Not performing' },
    kind: 'count',
    numerator: { zh: '未在期限内履行生效裁判的事项数', en: 'judgments not performed by the due date' },
    denominator: { zh: '应履行的事项数', en: 'performance obligations due' },
    definition: {
      zh: `${FOUR.zh}。履行事项截止日已过而未按时履行。${DUE_NOTE.zh}`,
      en: `${FOUR.en}. A performance obligation whose due date passed without performance in time. ${DUE_NOTE.en}`,
    },
    source: 'G 行政应诉考核机制（四不问题）; P 第十五条(三)',
    unit: 'obligation',
    perUnit: true,
  },
};

/** The obligation kind behind each obligation figure. */
export const OBLIGATION_FIGURE_KIND: Partial<Record<FigureId, string>> = {
  on_time_report: 'report_to_justice_bureau',
  on_time_answer: 'answer_and_evidence',
  on_time_loss_report: 'loss_analysis_report',
  on_time_suggestion_reply: 'suggestion_reply',
  on_time_routing: 'unit_determination',
  failure_no_answer: 'answer_and_evidence',
  failure_no_evidence: 'answer_and_evidence',
  failure_no_performance: 'performance',
};

export type Variants = Partial<Record<FigureId, string>>;

/** Parse `variant` query values ("loss_rate:all_concluded", comma-separated or repeated); unknown ones throw. */
export function parseVariants(values: readonly string[]): Variants {
  const out: Variants = {};
  for (const v of values
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [fig, variant] = v.split(':');
    const def = FIGURES[fig as FigureId];
    if (!def?.variants) throw new InvalidInput(`"${v}": figures with variants are ${FIGURE_IDS.filter((f) => FIGURES[f].variants).join(', ')}`);
    if (!def.variants.some((x) => x.id === variant)) throw new InvalidInput(`"${v}": ${fig} has the variants ${def.variants.map((x) => x.id).join(', ')}`);
    out[fig as FigureId] = variant!;
  }
  return out;
}

/** Every figure's chosen variant (the default where none was chosen). */
export function resolveVariants(v: Variants): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of FIGURE_IDS) {
    const d = FIGURES[id];
    if (d.defaultVariant) out[id] = v[id] ?? d.defaultVariant;
  }
  return out;
}
