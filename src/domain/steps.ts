/**
 * The steps that work a case to its end (docs/domain.md §5, §6; issue 5 item 4): who may record each, what it
 * must contain, and which obligations it discharges. Pure data and validation; the service records them.
 */
import { z } from 'zod';
import { APPEARANCE_SITUATIONS } from './appearance.js';

const date = z.iso.date();
const text = (max = 2000) => z.string().trim().min(1).max(max);

/**
 * An agent at a hearing: staff of the agency, a legal adviser (法律顾问) chosen from the region's roster
 * (法律顾问团队库, Q 一(三): `adviserId`), or an outside lawyer.
 */
const agent = z
  .object({ name: text(100), kind: z.enum(['staff', 'legal_adviser', 'lawyer']), adviserId: z.string().optional() })
  .refine((a) => a.kind !== 'legal_adviser' || !!a.adviserId, { message: 'a legal adviser is chosen from the region’s roster: give adviserId (Q 一(三))' });
// ALL 第31条: 当事人、法定代理人，可以委托一至二人作为诉讼代理人 — one or two agents, never three.
const MAX_AGENTS = { message: 'one or two agents (ALL 第31条: 可以委托一至二人作为诉讼代理人)' };
const agents = z
  .array(agent)
  .min(1)
  .max(2, MAX_AGENTS)
  // B 第十六条, S 四(三): when the head cannot appear, one staff member plus a legal adviser; never only a lawyer.
  .refine((a) => a.some((x) => x.kind === 'staff'), { message: 'agents must include a staff member of the agency (B 第十六条, S 四(三)): never only lawyers' });

export const STEP_SCHEMAS = {
  /** 报备: the unit reports receipt to the justice bureau [S 五(三), G 全流程]. */
  report_filed: z.object({ note: text().optional() }),
  /** 阅办单 issued by the justice bureau [P 第十条]. */
  routing_slip_issued: z.object({ note: text().optional() }),
  /** 审签: the leader in charge signed the routing slip; major matters to the principal head [B 第四条]. */
  leader_signoff: z.object({ leader: text(100), post: text(100), major: z.boolean(), signedOn: date }),
  /** 批示 fed back to the unit [P 第七条(一)]. */
  leader_instructions: z.object({ leader: text(100), instructions: text() }),
  /** 出庭报备: who will appear [S 四(四); 法释〔2020〕3号]. */
  appearance_registered: z
    .object({
      required: z.boolean(),
      requiredBecause: text(500).optional().describe('the policy rule, the court’s written request, or the national rule'),
      head: z.object({ name: text(100), post: text(100), principal: z.boolean() }).optional(),
      cannotAppear: z.object({ reason: text(), agents }).optional(),
    })
    .refine((s) => !!s.head !== !!s.cannotAppear, {
      message: 'name the appearing head, or the reason and the agents when the head cannot appear (法释〔2020〕3号 第8–9条)',
    }),
  /** 答辩状初稿 to the justice bureau [P 第十一条], with the draft itself as attachments (base64; stored as blobs). */
  defence_draft_submitted: z.object({
    summary: text(),
    attachments: z
      .array(z.object({ filename: text(200), mediaType: text(100), content: z.string().min(1).describe('the file, standard base64') }))
      .max(10)
      .optional(),
  }),
  /** The justice bureau's review of the draft. */
  defence_reviewed: z.object({ result: z.enum(['passed', 'returned']), comments: text().optional() }),
  /** 答辩举证 filed with the court [ALL 第67条]. */
  answer_filed: z.object({ filedOn: date }),
  /** After the hearing: appeared, spoke (出庭又出声), agents present [S 四(二), G]. */
  hearing_held: z.object({
    heldOn: date,
    headAppeared: z.boolean(),
    headName: text(100).optional(),
    principal: z.boolean().optional(),
    spoke: z.boolean(),
    // ALL 第31条: one or two agents; B 第十六条, S 四(三): never lawyers alone.
    agents: z
      .array(agent)
      .max(2, MAX_AGENTS)
      .default([])
      .refine((a) => a.length === 0 || a.some((x) => x.kind !== 'lawyer'), { message: 'never only lawyers as agents (B 第十六条, S 四(三))' }),
  }),
  /**
   * The head-appearance situations no document states, set by the justice bureau for the case (docs/domain.md §5;
   * src/domain/appearance.ts): 法释〔2020〕3号 第4条, G's "helps resolve", B 第十三条(二)(四)(六)(七)(八). The latest
   * step replaces the earlier set; an empty list clears it.
   */
  appearance_situations: z.object({ situations: z.array(z.enum(APPEARANCE_SITUATIONS)).max(APPEARANCE_SITUATIONS.length), note: text(500) }),
  /** 上诉意见 [S 五(四), B 第八条]. */
  appeal_opinion: z.object({ appeal: z.boolean(), reasons: text() }),
  /** The government's decision on appeal. */
  appeal_decision: z.object({ appeal: z.boolean(), decidedBy: text(100) }),
  appeal_filed: z.object({ filedOn: date }),
  /**
   * The day the first-instance decision took effect (生效), recorded by the justice bureau with the reason (e.g. the
   * court's 生效证明, or no appeal by either party): replaces the gateway's inference; the after-judgment duties are
   * re-planned from it [docs/domain.md §4 Effectiveness].
   */
  decision_effective: z.object({ effectiveOn: date, reason: text(500) }),
  /** 不上诉的书面理由 [P 第十三条(三)]. */
  no_appeal_reasons: z.object({ reasons: text() }),
  /** 败诉分析报告 with its required parts [P 第十六条, B 第七条]. */
  loss_report: z.object({ facts: text(), result: text(), recommendations: text(), other: text() }),
  /** "三个一": one leader, one team, one plan [P 第十四条(二)]. */
  three_ones_plan: z.object({ leader: text(100), team: text(500), plan: text() }),
  /** 履行 done, with evidence [P 第十五条(三)]. */
  performance_done: z.object({ doneOn: date, evidence: text() }),
  /** Major or sensitive case, with a risk report. */
  major_case_flagged: z.object({ reason: text(), riskReport: text() }),
  /** The case ends: archived. */
  archived: z.object({ note: text().optional() }),
} as const;

export type StepKind = keyof typeof STEP_SCHEMAS;
export const STEP_KINDS = Object.keys(STEP_SCHEMAS) as StepKind[];

type Role = 'unit' | 'justice_bureau' | 'government_office';

/** Who records each step, and the obligation kinds (src/domain/policy) it discharges. */
export const STEP_RULES: Record<StepKind, { roles: Role[]; closes: string[]; zh: string }> = {
  report_filed: { roles: ['unit'], closes: ['report_to_justice_bureau'], zh: '报备' },
  routing_slip_issued: { roles: ['justice_bureau'], closes: ['unit_determination'], zh: '阅办单' },
  leader_signoff: { roles: ['government_office'], closes: ['leader_signoff'], zh: '领导审签' },
  leader_instructions: { roles: ['government_office'], closes: ['leader_instructions_feedback'], zh: '批示反馈' },
  appearance_registered: { roles: ['unit'], closes: ['head_appearance_registration'], zh: '出庭报备' },
  defence_draft_submitted: { roles: ['unit'], closes: ['defence_draft'], zh: '答辩状初稿' },
  defence_reviewed: { roles: ['justice_bureau'], closes: [], zh: '答辩状审核' },
  answer_filed: { roles: ['unit'], closes: ['answer_and_evidence'], zh: '答辩举证' },
  hearing_held: { roles: ['unit'], closes: ['hearing'], zh: '开庭情况' },
  appeal_opinion: { roles: ['unit'], closes: ['appeal_opinion'], zh: '上诉意见' },
  appeal_decision: { roles: ['government_office', 'justice_bureau'], closes: [], zh: '上诉决定' },
  appeal_filed: { roles: ['unit'], closes: ['appeal'], zh: '提起上诉' },
  decision_effective: { roles: ['justice_bureau'], closes: [], zh: '裁判生效' },
  no_appeal_reasons: { roles: ['unit'], closes: ['no_appeal_reasons', 'appeal'], zh: '不上诉理由' },
  loss_report: { roles: ['unit'], closes: ['loss_analysis_report'], zh: '败诉分析报告' },
  three_ones_plan: { roles: ['unit'], closes: ['three_ones_plan'], zh: '"三个一"方案' },
  performance_done: { roles: ['unit'], closes: ['performance'], zh: '履行完毕' },
  major_case_flagged: { roles: ['justice_bureau'], closes: [], zh: '重大案件' },
  appearance_situations: { roles: ['justice_bureau'], closes: [], zh: '负责人出庭情形' },
  // Archiving ends the case: the retrial window (行诉解释 第110条) is no longer watched.
  archived: { roles: ['justice_bureau'], closes: ['retrial_application'], zh: '归档' },
};
