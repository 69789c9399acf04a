// The five policy presets from the seeds (docs/domain.md §4 and docs/sources/). Each row cites the
// article it encodes. National rules (tag L: 行政诉讼法 = ALL, 民诉法, judicial interpretations) are shared;
// each region adds its own rows on top. All numbers were read from the seed texts, not only the table.
import type { PolicyInput } from './schema.js';
import { policySchema } from './schema.js';
import type { Policy } from './schema.js';

type RuleInput = PolicyInput['rules'][string];
type ReminderInput = NonNullable<RuleInput['reminders']>[number];

const LOSS = ['loss', 'partial_loss'] as const;
/**
 * Outcomes that are a full win for the government side (or end the case without a decision to appeal). Rules
 * for "whenever the unit may disagree" (不服) apply to every other outcome, an unknown one included: the gateway
 * cannot know in advance whether the unit disagrees.
 */
const FULL_WIN = ['win', 'dismissed', 'withdrawn', 'mediated'] as const;

/** National rules every region follows (tag L in docs/domain.md). */
function nationalRules(): Record<string, RuleInput> {
  return {
    // ALL 第67条: 被告应当在收到起诉状副本之日起十五日内提交证据和依据，并提出答辩状。The clock starts at
    // arrival in the gateway (electronic service takes effect on arrival: 民诉法 第90条, 在线诉讼规则 第31条).
    answer: {
      kind: 'answer_and_evidence',
      title: { zh: '提交答辩状、证据和依据', en: 'Answer and evidence to the court' },
      actor: 'unit',
      triggers: ['complaint_copy', 'response_notice'],
      anchor: 'arrival',
      direction: 'after',
      period: { n: 15, unit: 'day' },
      notify: ['unit', 'justice_bureau'],
      source: 'ALL 第67条',
      note: {
        zh: '自文书到达网关之日起算（电子送达以到达受送达人系统之日为送达日：民诉法 第90条、在线诉讼规则 第31条），而非打开之日。',
        en: 'Counted from arrival in the gateway (electronic service takes effect on arrival: 民诉法 第90条, 在线诉讼规则 第31条), not from opening.',
      },
    },
    // On appeal the respondent answers within 15 days of receiving the appeal (civil rule applied through ALL 第101条).
    'appeal-answer': {
      kind: 'answer_and_evidence',
      title: { zh: '对上诉状提出答辩', en: 'Answer to the appeal' },
      actor: 'unit',
      triggers: ['appeal'],
      anchor: 'arrival',
      direction: 'after',
      period: { n: 15, unit: 'day' },
      notify: ['unit', 'justice_bureau'],
      source: '民诉法 第174条 (ALL 第101条)',
      note: {
        zh: '由一审承办单位答辩（路由规则 R10，见 B 第九条）。',
        en: 'The first-instance undertaking unit answers the appeal (routing rule R10, cf. B 第九条).',
      },
    },
    // The hearing date is the court's: it is the due date itself, never shifted.
    hearing: {
      kind: 'hearing',
      title: { zh: '出庭应诉', en: 'Attend the hearing' },
      actor: 'unit',
      triggers: ['summons', 'head_appearance_notice'],
      anchor: 'hearing',
      direction: 'on',
      notify: ['unit', 'justice_bureau'],
      source: 'ALL 第3条第3款, 第58条',
    },
    // ALL 第85条: 不服判决的，有权在判决书送达之日起十五日内上诉；不服裁定的，十日内。The period runs from
    // service of every first-instance judgment or ruling, whatever its result.
    'appeal-judgment': {
      kind: 'appeal',
      title: { zh: '上诉期限（判决）', en: 'Appeal period (judgment)' },
      actor: 'unit',
      triggers: ['judgment'],
      when: { instances: ['first'] },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 15, unit: 'day' },
      notify: ['unit', 'justice_bureau'],
      source: 'ALL 第85条',
    },
    'appeal-ruling': {
      kind: 'appeal',
      title: { zh: '上诉期限（裁定）', en: 'Appeal period (ruling)' },
      actor: 'unit',
      triggers: ['ruling'],
      when: { instances: ['first'] },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 10, unit: 'day' },
      notify: ['unit', 'justice_bureau'],
      source: 'ALL 第85条',
    },
    // 行诉解释 第110条: 当事人申请再审，应当在判决、裁定或者调解书发生法律效力后六个月内提出。A window, not a duty:
    // it lapses without being missed.
    'retrial-window': {
      kind: 'retrial_application',
      title: { zh: '申请再审期限', en: 'Retrial application window' },
      actor: 'unit',
      triggers: ['judgment', 'ruling'],
      when: { exceptOutcomes: [...FULL_WIN] },
      anchor: 'effective',
      direction: 'after',
      period: { n: 6, unit: 'month' },
      notify: ['unit', 'justice_bureau'],
      source: '行诉解释 第110条',
      note: {
        zh: '自裁判生效之日起六个月内；认为终审裁判确有错误的，依法申请再审或申请检察监督（P 第十三条(四)）。',
        en: 'Six months from effectiveness; where a final decision is wrong, apply for retrial or procuratorial supervision (P 第十三条(四)).',
      },
    },
    // ALL 第94条: 当事人必须履行人民法院发生法律效力的判决、裁定、调解书。The deadline is the decision's own.
    performance: {
      kind: 'performance',
      title: { zh: '履行生效裁判', en: 'Perform the effective decision' },
      actor: 'unit',
      triggers: ['judgment', 'ruling', 'mediation'],
      when: { performanceDuty: true },
      anchor: 'performance_due',
      direction: 'on',
      notify: ['unit', 'justice_bureau'],
      source: 'ALL 第94条',
    },
    // Judicial suggestion: the court's period, generally two months (法释〔2023〕11号 第8条).
    'judicial-suggestion-reply': {
      kind: 'suggestion_reply',
      title: { zh: '司法建议书面回复', en: 'Reply to the judicial suggestion' },
      actor: 'unit',
      triggers: ['judicial_suggestion'],
      anchor: 'arrival',
      direction: 'after',
      period: { n: 2, unit: 'month' },
      stated: 'reply_due',
      notify: ['unit', 'justice_bureau'],
      source: '法释〔2023〕11号 第8条',
      note: {
        zh: '法院在建议书中另定期限的，以该期限为准（可由区域覆盖设定）。',
        en: 'When the court sets its own period in the suggestion, that period applies (set it by override).',
      },
    },
    // Procuratorial suggestion: two months from receipt; urgent public-interest cases 15 days.
    'procuratorial-suggestion-reply': {
      kind: 'suggestion_reply',
      title: { zh: '检察建议书面回复', en: 'Reply to the procuratorial suggestion' },
      actor: 'unit',
      triggers: ['procuratorial_suggestion'],
      when: { urgent: false },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 2, unit: 'month' },
      stated: 'reply_due',
      notify: ['unit', 'justice_bureau'],
      source: '公益诉讼解释 第21条; 检察建议工作规定 2019',
    },
    'procuratorial-suggestion-reply-urgent': {
      kind: 'suggestion_reply',
      title: { zh: '检察建议书面回复（紧急情形）', en: 'Reply to an urgent procuratorial suggestion' },
      actor: 'unit',
      triggers: ['procuratorial_suggestion'],
      when: { urgent: true },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 15, unit: 'day' },
      stated: 'reply_due',
      notify: ['unit', 'justice_bureau'],
      source: '公益诉讼解释 第21条',
    },
  };
}

function withRules(base: Record<string, RuleInput>, patch: Record<string, Partial<RuleInput>>): Record<string, RuleInput> {
  const out: Record<string, RuleInput> = { ...base };
  for (const [id, p] of Object.entries(patch)) {
    const prev = out[id];
    out[id] = (prev ? { ...prev, ...p } : p) as RuleInput;
  }
  return out;
}

// ───────────────────────────── P: 莆田市城厢区 ─────────────────────────────

const P_SUPERVISION: ReminderInput[] = [
  // P 第十五条(三): 1、判决生效之日发送履行判决督办单；2、生效之日至履行之日的中间节点发送催办单；
  // 3、履行完毕之日前一周，仍未完成的上报区政府，进行通报。
  { kind: 'supervision', at: { from: 'fact', fact: 'effective', offsetDays: 0 }, notify: ['unit'], source: 'P 第十五条(三)' },
  { kind: 'chase', at: { from: 'midpoint', fact: 'effective' }, notify: ['unit'], source: 'P 第十五条(三)' },
  { kind: 'report', at: { from: 'due', offsetDays: -7 }, notify: ['district_government'], source: 'P 第十五条(三)' },
];

const putian: PolicyInput = {
  id: 'putian-chengxiang',
  tag: 'P',
  region: { zh: '福建省莆田市城厢区', en: 'Chengxiang district, Putian, Fujian' },
  basis: [{ tag: 'P', title: '莆田市城厢区行政应诉工作管理办法', docNo: '莆城政〔2020〕65号', issued: '2020-07-21' }],
  rules: withRules(nationalRules(), {
    // P 第十条: 自收到应诉通知书之日起三日内，由司法局确定承办单位并制作阅办单流转诉讼文书。The 阅办单 procedure
    // governs the cases where the district government is the defendant (P 第六条(一): 以区政府为被告的行政应诉工作).
    'unit-determination': {
      kind: 'unit_determination',
      title: { zh: '确定承办单位、制作阅办单', en: 'Fix the undertaking unit and route the file (阅办单)' },
      actor: 'justice_bureau',
      triggers: ['complaint_copy', 'response_notice'],
      when: { governmentDefendant: true },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 3, unit: 'day' },
      notify: ['justice_bureau', 'government_office'],
      source: 'P 第十条',
    },
    // P 第十三条(二): 自收到行政裁判文书之日起三日内，区司法局流转诉讼文书并制作阅办单。
    'judgment-routing': {
      kind: 'unit_determination',
      title: { zh: '流转裁判文书、制作阅办单', en: 'Route the decision (阅办单)' },
      actor: 'justice_bureau',
      triggers: ['judgment', 'ruling'],
      when: { governmentDefendant: true },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 3, unit: 'day' },
      notify: ['justice_bureau', 'government_office', 'unit'],
      source: 'P 第十三条(二), 第六条(一)',
    },
    // P 第七条(一), 第十条, 第十三条(二): 区府办在呈报之日起五日内通过内网反馈领导批示意见。
    'leader-feedback': {
      kind: 'leader_instructions_feedback',
      title: { zh: '反馈领导批示意见', en: "Feed back the leaders' instructions" },
      actor: 'government_office',
      triggers: ['complaint_copy', 'response_notice', 'judgment', 'ruling'],
      when: { governmentDefendant: true },
      anchor: { obligation: 'unit_determination', from: 'done' },
      direction: 'after',
      period: { n: 5, unit: 'day' },
      notify: ['justice_bureau'],
      source: 'P 第七条(一), 第十条, 第十三条(二)',
      note: {
        zh: '自阅办单呈报之日起算（以司法局记录阅办单之日为呈报日）；呈报日未记录前，按阅办单的最迟日期推算（推定）。',
        en: 'Counted from the day the 阅办单 is presented (the day the justice bureau records it); until that day is recorded, the latest permitted presentation day is used (inferred).',
      },
    },
    // P 第十一条: 承办单位在答辩期满前五日向司法局提交行政诉讼答辩状等法律文书。
    'defence-draft': {
      kind: 'defence_draft',
      title: { zh: '向司法局提交答辩状等文书', en: 'Defence draft to the justice bureau' },
      actor: 'unit',
      triggers: ['complaint_copy', 'response_notice'],
      anchor: { obligation: 'answer_and_evidence' },
      direction: 'before',
      period: { n: 5, unit: 'day' },
      notify: ['justice_bureau'],
      source: 'P 第十一条',
    },
    // P 第十三条(三): 生效裁判文书有履行内容且不上诉的，在上诉期限届满前书面反馈不予上诉的理由。
    'no-appeal-reasons': {
      kind: 'no_appeal_reasons',
      title: { zh: '书面反馈不上诉理由', en: 'Written reasons for not appealing' },
      actor: 'unit',
      triggers: ['judgment', 'ruling'],
      when: { exceptOutcomes: [...FULL_WIN], instances: ['first'] },
      anchor: { obligation: 'appeal' },
      direction: 'on',
      notify: ['justice_bureau'],
      source: 'P 第十三条(三)',
      note: {
        zh: '不上诉的，在上诉期限届满前书面反馈理由；裁判是否有履行内容、单位是否不服，网关无法预知，凡非完全胜诉的一审裁判均提示。',
        en: 'When not appealing, written reasons before the appeal period ends; whether the decision imposes a duty or the unit disagrees cannot be known in advance, so every first-instance decision that is not a full win gets it.',
      },
    },
    // P 第十六条: 败诉法律文书生效后三十日内，向区政府提交败诉分析报告，并抄送区司法局。
    'loss-report': {
      kind: 'loss_analysis_report',
      title: { zh: '败诉分析报告', en: 'Loss-analysis report' },
      actor: 'unit',
      triggers: ['judgment'],
      when: { outcomes: [...LOSS] },
      anchor: 'effective',
      direction: 'after',
      period: { n: 30, unit: 'day' },
      notify: ['district_government', 'justice_bureau'],
      source: 'P 第十六条',
    },
    // P 第十四条(二): 对于以区政府为被告的且相关承办单位未提出异议上诉的败诉案件……自行政裁判文书生效之日起十日内，
    // 以书面方式将"三个一"工作方案反馈区司法局法制股。
    'three-ones': {
      kind: 'three_ones_plan',
      title: { zh: '"三个一"工作方案', en: '"Three ones" plan (one leader, one team, one plan)' },
      actor: 'unit',
      triggers: ['judgment'],
      when: { outcomes: [...LOSS], governmentDefendant: true },
      anchor: 'effective',
      direction: 'after',
      period: { n: 10, unit: 'day' },
      notify: ['justice_bureau'],
      source: 'P 第十四条(二)',
    },
    performance: { reminders: P_SUPERVISION, source: 'ALL 第94条; P 第十四条(一), 第十五条(三)' },
  }),
  recurring: {
    // P 第六条(五), 第十五条(一): 每月20日向行政应诉领导小组书面提交行政诉讼工作台账。
    'monthly-ledger': {
      kind: 'monthly_ledger',
      title: { zh: '行政诉讼工作台账', en: 'Monthly litigation ledger' },
      actor: 'justice_bureau',
      notify: ['leading_group'],
      schedule: { months: [], day: 20 },
      onRestDay: 'previous_working_day',
      source: 'P 第六条(五), 第十五条(一)',
      note: {
        zh: '20日为休息日的，提前至此前最后一个工作日（本系统取舍，可覆盖为 keep）。',
        en: 'When the 20th is a rest day it moves to the previous working day (our choice; override to keep).',
      },
    },
  },
  escalation: [
    {
      to: 'justice_bureau',
      action: { zh: '未按期提交的，及时反馈区司法局法制股', en: 'Tell the justice bureau (法制股) at once' },
      source: 'P 第十一条',
    },
    {
      to: 'leading_group',
      action: { zh: '列入每月台账滚动汇报', en: 'Rolled into the monthly ledger to the leading group' },
      source: 'P 第十五条(一)',
    },
    {
      to: 'district_government',
      action: { zh: '启动问责程序', en: 'Accountability proceedings' },
      source: 'P 第十八条(二)',
    },
  ],
  notes: [
    {
      zh: '未明确履行期限的裁判，承办单位应与法院沟通尽快履行，按司法建议督查。',
      en: 'Decisions without a performance deadline: the unit agrees a date with the court; supervision follows the court’s suggestion.',
      source: 'P 第十五条(四)',
    },
  ],
};

// ───────────────────────────── S: 泗水县 ─────────────────────────────

const sishui: PolicyInput = {
  id: 'sishui',
  tag: 'S',
  region: { zh: '山东省济宁市泗水县', en: 'Sishui county, Jining, Shandong' },
  basis: [
    {
      tag: 'S',
      title: '泗水县人民政府办公室关于印发进一步加强行政应诉和行政机关负责人出庭工作意见的通知',
      issued: '2020-09-01',
    },
  ],
  rules: withRules(nationalRules(), {
    // S 五(三): 接到法院传票、起诉状或判决、裁定之日起2日内报县司法局备案。
    report: {
      kind: 'report_to_justice_bureau',
      title: { zh: '案件专报：报县司法局备案', en: 'Report receipt to the justice bureau (案件专报)' },
      actor: 'unit',
      triggers: ['complaint_copy', 'response_notice', 'summons', 'judgment', 'ruling'],
      anchor: 'arrival',
      direction: 'after',
      period: { n: 2, unit: 'day' },
      notify: ['justice_bureau'],
      source: 'S 五(三)',
      note: {
        zh: '2日按日历日计算（国家期间规则）；区域可覆盖为工作日。',
        en: 'Calendar days (the national period rule); a region may switch to working days by override.',
      },
    },
    // S 四(四): 收到应诉通知书等有关开庭材料起2日内，明确出庭负责人，填写出庭报备表报县司法局备案。
    'head-appearance-registration': {
      kind: 'head_appearance_registration',
      title: { zh: '行政机关负责人出庭报备表', en: 'Name the appearing head (出庭报备表)' },
      actor: 'unit',
      triggers: ['complaint_copy', 'response_notice', 'summons'],
      anchor: 'arrival',
      direction: 'after',
      period: { n: 2, unit: 'day' },
      notify: ['justice_bureau'],
      source: 'S 四(四)',
    },
    // S 五(四): 自收到一审判决书、裁定书之日起3日内将上诉意见报经县司法局审查，县政府审定。
    'appeal-opinion': {
      kind: 'appeal_opinion',
      title: { zh: '上诉意见报司法局审查', en: 'Appeal opinion for review' },
      actor: 'unit',
      triggers: ['judgment', 'ruling'],
      when: { exceptOutcomes: [...FULL_WIN], instances: ['first'] },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 3, unit: 'day' },
      notify: ['justice_bureau', 'district_government'],
      source: 'S 五(四)',
    },
    // S 五(五): 自判决生效之日起10日内撰写案件败诉分析报告，报县司法局备案。
    'loss-report': {
      kind: 'loss_analysis_report',
      title: { zh: '败诉分析报告', en: 'Loss-analysis report' },
      actor: 'unit',
      triggers: ['judgment'],
      when: { outcomes: [...LOSS] },
      anchor: 'effective',
      direction: 'after',
      period: { n: 10, unit: 'day' },
      notify: ['justice_bureau'],
      source: 'S 五(五)',
    },
    // S 五(七): 处理完毕后30日内将结果函告人民法院，并抄送县司法局备案。
    'judicial-suggestion-result': {
      kind: 'suggestion_reply',
      title: { zh: '司法建议办理结果函告法院', en: 'Report the handling of the judicial suggestion to the court' },
      actor: 'unit',
      triggers: ['judicial_suggestion'],
      anchor: 'handled',
      direction: 'after',
      period: { n: 30, unit: 'day' },
      notify: ['court', 'justice_bureau'],
      source: 'S 五(七)',
    },
  }),
  recurring: {
    // S 五(二): 各镇街、县政府各部门每年12月底向县政府书面报告本年度行政应诉工作情况。
    'unit-annual-report': {
      kind: 'annual_report',
      title: { zh: '本年度行政应诉工作报告（各单位）', en: 'Annual report of each unit' },
      actor: 'unit',
      notify: ['district_government'],
      schedule: { months: [12], day: 'last' },
      source: 'S 五(二)',
    },
    // S 五(二): 县政府每年1月10日前，向市政府书面报告上一年度行政应诉工作情况。
    'county-annual-report': {
      kind: 'annual_report',
      title: { zh: '上一年度行政应诉工作报告（县政府）', en: "The county's annual report to the city" },
      actor: 'district_government',
      notify: ['city_government'],
      schedule: { months: [1], day: 10 },
      source: 'S 五(二)',
    },
    // S 五(六): 一月一调度，一季度一通报 (no day given: the end of the period is assumed).
    'monthly-dispatch': {
      kind: 'monthly_bulletin',
      title: { zh: '月调度', en: 'Monthly dispatch' },
      actor: 'justice_bureau',
      notify: ['district_government'],
      schedule: { months: [], day: 'last' },
      source: 'S 五(六)',
      note: { zh: '原文未定日期，暂按月末。', en: 'The seed gives no day; month end is assumed.' },
    },
    'quarterly-bulletin': {
      kind: 'quarterly_bulletin',
      title: { zh: '季通报', en: 'Quarterly bulletin' },
      actor: 'justice_bureau',
      notify: ['district_government'],
      schedule: { months: [3, 6, 9, 12], day: 'last' },
      source: 'S 五(六)',
      note: { zh: '原文未定日期，暂按季末。', en: 'The seed gives no day; quarter end is assumed.' },
    },
  },
  escalation: [
    {
      to: 'justice_bureau',
      action: { zh: '县司法局组织协调、监督指导', en: 'The justice bureau coordinates and supervises' },
      source: 'S 二(一), 五(八)',
    },
    {
      to: 'district_government',
      action: { zh: '未按规定落实报告、报备的，依纪依法处理', en: 'Failing to report is handled under 六(7)' },
      source: 'S 六',
    },
  ],
  notes: [
    {
      zh: '行政机关负责人出庭率确保100%；同一审级多次开庭的，负责人可只参加第一次庭审。',
      en: 'Head appearance 100%; per instance only the first hearing unless the court asks again.',
      source: 'S 一, 四',
    },
  ],
};

// ───────────────────────────── B: 包头市石拐区 ─────────────────────────────

const baotou: PolicyInput = {
  id: 'baotou-shiguai',
  tag: 'B',
  region: { zh: '内蒙古包头市石拐区', en: 'Shiguai district, Baotou, Inner Mongolia' },
  basis: [{ tag: 'B', title: '包头市石拐区人民政府行政应诉工作办法', issued: '2021-01-20' }],
  rules: withRules(nationalRules(), {
    // B 第四条: 区政府办公室收到以区人民政府为被告的应诉通知书后，应于2日内呈送审签 (only those cases).
    'leader-signoff': {
      kind: 'leader_signoff',
      title: { zh: '呈送领导审签', en: 'Send to the leaders for sign-off' },
      actor: 'government_office',
      triggers: ['complaint_copy', 'response_notice'],
      when: { governmentDefendant: true },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 2, unit: 'day' },
      notify: ['government_office', 'district_government'],
      source: 'B 第四条',
      note: {
        zh: '较大事项呈常务副区长，重大事项呈区政府主要负责人；审签后转承办单位和区司法局办理。',
        en: 'Larger matters go to the executive deputy head, major ones to the principal; then to the unit and the justice bureau.',
      },
    },
    // B 第八条: 收到判决书或裁定书之日起5日内将上诉意见报送区人民政府。
    'appeal-opinion': {
      kind: 'appeal_opinion',
      title: { zh: '上诉意见报送区政府', en: 'Appeal opinion to the district government' },
      actor: 'unit',
      triggers: ['judgment', 'ruling'],
      when: { exceptOutcomes: [...FULL_WIN], instances: ['first'] },
      anchor: 'arrival',
      direction: 'after',
      period: { n: 5, unit: 'day' },
      notify: ['district_government', 'justice_bureau'],
      source: 'B 第八条',
    },
    // B 第七条: 败诉法律文书生效后30日内向区人民政府提交败诉分析报告，并抄送区司法局。
    'loss-report': {
      kind: 'loss_analysis_report',
      title: { zh: '败诉分析报告', en: 'Loss-analysis report' },
      actor: 'unit',
      triggers: ['judgment'],
      when: { outcomes: [...LOSS] },
      anchor: 'effective',
      direction: 'after',
      period: { n: 30, unit: 'day' },
      notify: ['district_government', 'justice_bureau'],
      source: 'B 第七条',
    },
    // B 第十一条: 区政府指定部门拟定答复意见，经区政府批准后反馈（the periods are the national ones）.
    'judicial-suggestion-reply': {
      notify: ['unit', 'district_government', 'justice_bureau'],
      source: '法释〔2023〕11号 第8条; B 第十一条',
    },
    'procuratorial-suggestion-reply': {
      notify: ['unit', 'district_government', 'justice_bureau'],
      source: '公益诉讼解释 第21条; 检察建议工作规定 2019; B 第十一条',
    },
    'procuratorial-suggestion-reply-urgent': {
      notify: ['unit', 'district_government', 'justice_bureau'],
      source: '公益诉讼解释 第21条; B 第十一条',
    },
  }),
  escalation: [
    {
      to: 'justice_bureau',
      action: { zh: '区司法局沟通协调、业务指导', en: 'The justice bureau coordinates' },
      source: 'B 第三条',
    },
    {
      to: 'district_government',
      action: { zh: '纳入法治政府建设目标考核', en: 'Counted in the rule-of-law assessment' },
      source: 'B 第十九条',
    },
  ],
  notes: [
    {
      zh: '负责人必须出庭的八种情形；负责人不出庭的，不得仅委托律师出庭。',
      en: 'Eight situations require the head to appear; never only a lawyer.',
      source: 'B 第十三条, 第十六条',
    },
  ],
};

// ───────────────────────────── G: 广州市 ─────────────────────────────

// G "报备+提醒+反馈+补救+通报": 答辩期满、出庭日期、履行期满的前一周和前一天专人负责提醒；
// 答辩、出庭、履行的次日向同级司法局反馈。
const G_LOOP: ReminderInput[] = [
  { kind: 'reminder', at: { from: 'due', offsetDays: -7 }, notify: ['unit'], source: 'G 全流程督促跟踪（提醒）' },
  { kind: 'reminder', at: { from: 'due', offsetDays: -1 }, notify: ['unit'], source: 'G 全流程督促跟踪（提醒）' },
  { kind: 'feedback', at: { from: 'due', offsetDays: 1 }, notify: ['justice_bureau'], source: 'G 全流程督促跟踪（反馈）' },
];

const guangzhou: PolicyInput = {
  id: 'guangzhou',
  tag: 'G',
  region: { zh: '广东省广州市', en: 'Guangzhou, Guangdong' },
  basis: [{ tag: 'G', title: '广州市司法局"1+5+7"行政应诉工作机制；广州市建立行政应诉案件全流程督促跟踪机制若干措施' }],
  rules: withRules(nationalRules(), {
    // G: 行政机关收到应诉通知书、上诉状、传票……后两日内向同级司法局报备。
    report: {
      kind: 'report_to_justice_bureau',
      title: { zh: '向同级司法局报备', en: 'Report receipt to the justice bureau' },
      actor: 'unit',
      triggers: ['complaint_copy', 'response_notice', 'appeal', 'summons'],
      anchor: 'arrival',
      direction: 'after',
      period: { n: 2, unit: 'day' },
      notify: ['justice_bureau'],
      source: 'G 全流程督促跟踪（报备）',
    },
    // G: ……有履行义务法院生效裁判文书后两日内向同级司法局报备。
    'report-effective-decision': {
      kind: 'report_to_justice_bureau',
      title: { zh: '生效裁判（有履行义务）报备', en: 'Report an effective decision with a duty to perform' },
      actor: 'unit',
      triggers: ['judgment', 'ruling', 'mediation'],
      when: { performanceDuty: true },
      anchor: 'effective',
      direction: 'after',
      period: { n: 2, unit: 'day' },
      notify: ['justice_bureau'],
      source: 'G 全流程督促跟踪（报备）',
      note: {
        zh: '自裁判生效（收到生效文书）之日起算。',
        en: 'Counted from the day the decision took effect (receipt of the effective decision).',
      },
    },
    answer: { reminders: G_LOOP },
    'appeal-answer': { reminders: G_LOOP },
    hearing: { reminders: G_LOOP },
    performance: { reminders: G_LOOP },
  }),
  recurring: {
    // G: 全市联动每月通报 (no day given: month end assumed).
    'monthly-bulletin': {
      kind: 'monthly_bulletin',
      title: { zh: '全市联动每月通报', en: 'Monthly city-wide bulletin' },
      actor: 'justice_bureau',
      notify: ['district_government'],
      schedule: { months: [], day: 'last' },
      source: 'G 全流程督促跟踪（通报）',
      note: { zh: '原文未定日期，暂按月末。', en: 'The seed gives no day; month end is assumed.' },
    },
    // G: 市司法局每半年对全市败诉行政案件情况进行系统分析，并向全市行政机关通报。
    'half-year-loss-analysis': {
      kind: 'half_year_report',
      title: { zh: '败诉案件半年分析通报', en: 'Half-yearly analysis of lost cases' },
      actor: 'justice_bureau',
      notify: ['city_government', 'district_government'],
      schedule: { months: [6, 12], day: 'last' },
      source: 'G 败诉行政案件分析报告通报制度',
      note: { zh: '原文未定日期，暂按半年末。', en: 'The seed gives no day; half-year end is assumed.' },
    },
  },
  escalation: [
    {
      to: 'justice_bureau',
      action: { zh: '未按时答辩、未出庭、未履行的，研究补救措施', en: 'Missed answer, hearing or performance: remediation measures' },
      source: 'G 全流程督促跟踪（补救）',
    },
    {
      to: 'justice_bureau',
      action: { zh: '全市联动每月通报', en: 'Listed in the monthly city-wide bulletin' },
      source: 'G 全流程督促跟踪（通报）',
    },
    {
      to: 'district_government',
      action: { zh: '"四不问题"：督促整改、全市通报、约谈', en: '"Four failures": rectification, bulletin, interviews with leaders' },
      source: 'G 深化明晰责任强化监管（三）',
    },
  ],
  notes: [
    {
      zh: '收到生效败诉裁判文书后起草败诉分析报告，有履行内容的制定履行方案（原文未定期限）。',
      en: 'A loss-analysis report (and a performance plan when there is a duty) after an effective loss; no period given.',
      source: 'G 败诉行政案件分析报告通报制度',
    },
    {
      zh: '应当出庭的三种情形：年度首起开庭的一审案件；有利于解决争议的案件；法院书面建议出庭的案件。',
      en: 'The head must appear: the first first-instance hearing of the year; when it helps resolve the dispute; when the court asks in writing.',
      source: 'G 负责人出庭应诉新秩序',
    },
  ],
};

// ───────────────────────────── Q: 衢州市柯城区 ─────────────────────────────

// Kecheng's seed is a reply about cross-district collective jurisdiction: it sets no periods of its own,
// so the profile is the national rules plus what Q says.
const quzhou: PolicyInput = {
  id: 'quzhou-kecheng',
  tag: 'Q',
  region: { zh: '浙江省衢州市柯城区', en: 'Kecheng district, Quzhou, Zhejiang' },
  basis: [
    { tag: 'Q', title: '柯城区司法局关于做好我区行政诉讼案件异地管辖应诉工作的建议的答复', issued: '2021-05-25' },
    { tag: 'L', title: '行政诉讼法及相关司法解释（全国性期间规则）' },
  ],
  rules: nationalRules(),
  escalation: [
    {
      to: 'justice_bureau',
      action: { zh: '政务督查通报', en: 'Government inspection bulletin' },
      source: 'Q 二(四)',
    },
    {
      to: 'district_government',
      action: { zh: '年终综合考核扣分', en: 'Deduction in the year-end assessment' },
      source: 'Q 二(四)',
    },
  ],
  collectiveJurisdiction: {
    court: { zh: '龙游县人民法院', en: 'Longyou county court' },
    districts: ['柯城区', '衢江区'],
    effectiveFrom: '2021-04-08',
    source: 'Q 一(一)',
  },
  notes: [
    {
      zh: '"定人负责报备、定期通报"：原文未定报备期限，可通过覆盖增加 report_to_justice_bureau 规则。',
      en: '"A named person reports, regular bulletins": no period given; add a report_to_justice_bureau rule by override.',
      source: 'Q 二(一)',
    },
    {
      zh: '与龙游县人民法院建立府院联席会议机制。',
      en: 'Joint government–court meetings with the Longyou court.',
      source: 'Q 一(二)',
    },
  ],
};

export const PRESET_IDS = ['putian-chengxiang', 'sishui', 'baotou-shiguai', 'guangzhou', 'quzhou-kecheng'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** The presets, validated when the module loads (a broken preset fails at start, not at the first delivery). */
export const PRESETS: Readonly<Record<PresetId, Policy>> = Object.freeze({
  'putian-chengxiang': policySchema.parse(putian),
  sishui: policySchema.parse(sishui),
  'baotou-shiguai': policySchema.parse(baotou),
  guangzhou: policySchema.parse(guangzhou),
  'quzhou-kecheng': policySchema.parse(quzhou),
});

/** Seed tag → preset id. */
export const PRESET_BY_TAG: Readonly<Record<'P' | 'S' | 'B' | 'G' | 'Q', PresetId>> = Object.freeze({
  P: 'putian-chengxiang',
  S: 'sishui',
  B: 'baotou-shiguai',
  G: 'guangzhou',
  Q: 'quzhou-kecheng',
});
