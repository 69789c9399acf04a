// Policy profiles as validated data (docs/domain.md §4): one per region, saying which obligations
// (时限事项) each arriving document starts, how their due dates are counted, who is told, the reminders and
// the escalation path. Regions differ in data, never in code branches. Every rule row carries `source`,
// the article it encodes (ARCHITECTURE.md habit 10).
import { z } from 'zod';
import { isIsoDate } from '../calendar/civil.js';

/** Documents that arrive (docs/domain.md §2): the wire contract's list, one definition. */
import { DOCUMENT_TYPES, INSTANCES, type DocumentType, type Instance } from '../case-info.js';
export { DOCUMENT_TYPES, type DocumentType };

/** Obligations started by a document. */
export const DOCUMENT_OBLIGATION_KINDS = [
  'report_to_justice_bureau', // 报备
  'unit_determination', // 确定承办单位、制作阅办单
  'leader_signoff', // 送领导审签
  'leader_instructions_feedback', // 领导批示意见反馈
  'head_appearance_registration', // 出庭报备
  'defence_draft', // 答辩状初稿
  'answer_and_evidence', // 答辩举证
  'hearing', // 开庭
  'appeal_opinion', // 上诉意见
  'appeal', // 上诉
  'no_appeal_reasons', // 不上诉理由
  'loss_analysis_report', // 败诉分析报告
  'three_ones_plan', // "三个一"工作方案
  'performance', // 履行
  'suggestion_reply', // 司法建议、检察建议答复
  'retrial_application', // 申请再审期限 (行诉解释 第110条)
] as const;

/** Obligations on a calendar rhythm rather than a document. */
export const RECURRING_KINDS = [
  'monthly_ledger', // 台账
  'monthly_bulletin', // 月通报 / 月调度
  'quarterly_bulletin', // 季通报
  'half_year_report', // 半年报告
  'annual_report', // 年度报告
] as const;

export const OBLIGATION_KINDS = [...DOCUMENT_OBLIGATION_KINDS, ...RECURRING_KINDS] as const;
export type DocumentObligationKind = (typeof DOCUMENT_OBLIGATION_KINDS)[number];
export type RecurringKind = (typeof RECURRING_KINDS)[number];
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

export const PARTIES = [
  'unit', // 承办单位
  'justice_bureau', // 司法局 (法制股)
  'government_office', // 政府办 / 区府办
  'district_government', // 区（县）人民政府 and its leaders
  'leading_group', // 行政应诉领导小组 (P 第四条)
  'city_government', // 市政府 (S 五(二))
  'court', // 人民法院
  'procuratorate', // 人民检察院
] as const;
export type Party = (typeof PARTIES)[number];

/** Dates a period can be counted from: facts of the case. */
export const FACT_ANCHORS = [
  'arrival', // the document's arrival in the gateway (electronic service takes effect then)
  'hearing', // the hearing date on the summons
  'effective', // the date the judgment / ruling / mediation took effect (生效)
  'performance_due', // the performance deadline the judgment sets
  'handled', // the date a suggestion was handled (S 五(七): reply within 30 days after)
] as const;
export type FactAnchor = (typeof FACT_ANCHORS)[number];

export const OUTCOMES = ['loss', 'partial_loss', 'win', 'dismissed', 'withdrawn', 'mediated'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export { INSTANCES, type Instance };

export const REMINDER_KINDS = ['reminder', 'feedback', 'supervision', 'chase', 'report'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

const source = z.string().min(2, 'every row must cite its source article, e.g. "P 第十条" or "ALL 第67条"');
export const bilingualSchema = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
const party = z.enum(PARTIES);
const parties = z.array(party).min(1);
const factAnchor = z.enum(FACT_ANCHORS);

/**
 * Count from a fact, or from another obligation the same document starts: its due date ('due', default), or the
 * day it was done ('done': recorded by a person; until then its due date is used, marked inferred).
 */
export const anchorSchema = z.union([factAnchor, z.strictObject({ obligation: z.enum(DOCUMENT_OBLIGATION_KINDS), from: z.enum(['due', 'done']).optional() })]);
export type Anchor = z.infer<typeof anchorSchema>;

export const periodSchema = z.strictObject({
  n: z.number().int().min(0).max(3660),
  /** 'day' calendar days (national rule), 'working_day' (e.g. a region counting its 2-day report in working days), 'month'. */
  unit: z.enum(['day', 'working_day', 'month']),
});

const offsetDays = z.number().int().min(-366).max(366);

export const reminderRuleSchema = z.strictObject({
  kind: z.enum(REMINDER_KINDS),
  /** Calendar days from a reference; negative = before. Reminders are notices, not periods: no rest-day shift. */
  at: z.discriminatedUnion('from', [
    z.strictObject({ from: z.literal('due'), offsetDays }),
    z.strictObject({ from: z.literal('fact'), fact: factAnchor, offsetDays }),
    /** Halfway between the fact's date and the due date (P 第十五条(三)2 催办单). */
    z.strictObject({ from: z.literal('midpoint'), fact: factAnchor }),
  ]),
  notify: parties,
  source,
});
export type ReminderRule = z.infer<typeof reminderRuleSchema>;

export const escalationStepSchema = z.strictObject({
  to: party,
  action: bilingualSchema,
  source,
});
export type EscalationStep = z.infer<typeof escalationStepSchema>;

export const conditionSchema = z.strictObject({
  /** Only for these outcomes (an unknown outcome does not match). */
  outcomes: z.array(z.enum(OUTCOMES)).min(1).optional(),
  /** Not for these outcomes (an unknown outcome matches: the unit may disagree, which the gateway cannot know). */
  exceptOutcomes: z.array(z.enum(OUTCOMES)).min(1).optional(),
  /** Only when the district (county) government itself is a defendant (P 第十条, B 第四条). */
  governmentDefendant: z.boolean().optional(),
  /** Only for these instances (an unknown instance is taken as 'first'). */
  instances: z.array(z.enum(INSTANCES)).min(1).optional(),
  /** Only when the decision imposes a duty to perform (有履行内容). */
  performanceDuty: z.boolean().optional(),
  /** Only for an urgent procuratorial suggestion (or only for a non-urgent one). */
  urgent: z.boolean().optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

export const ruleSchema = z
  .strictObject({
    kind: z.enum(DOCUMENT_OBLIGATION_KINDS),
    enabled: z.boolean().default(true),
    title: bilingualSchema,
    /** Who must do it. */
    actor: party,
    /** The document types that start it. */
    triggers: z.array(z.enum(DOCUMENT_TYPES)).min(1),
    when: conditionSchema.default({}),
    anchor: anchorSchema,
    /** 'after'/'before': a period counted from the anchor; 'on': the anchor date itself (set by the court, not shifted). */
    direction: z.enum(['after', 'before', 'on']),
    period: periodSchema.optional(),
    /**
     * A date the sender states in the document replaces the computed one: 'reply_due' (a suggestion's reply date,
     * 法释〔2023〕11号 第8条 "the court's period"). A stated date is a fact: never recomputed, never shifted.
     */
    stated: z.enum(['reply_due']).optional(),
    /** Who is told when it is created. */
    notify: parties,
    reminders: z.array(reminderRuleSchema).default([]),
    /** When missed; defaults to the policy's escalation path. */
    escalation: z.array(escalationStepSchema).optional(),
    source,
    note: bilingualSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.direction === 'on' && rule.period !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['period'], message: "direction 'on' takes the anchor date itself: remove period" });
    }
    if (rule.direction !== 'on' && rule.period === undefined) {
      ctx.addIssue({ code: 'custom', path: ['period'], message: `direction '${rule.direction}' needs a period {n, unit}` });
    }
    if (typeof rule.anchor === 'object' && rule.anchor.obligation === rule.kind) {
      ctx.addIssue({ code: 'custom', path: ['anchor'], message: 'a rule cannot be anchored on its own kind' });
    }
  });
export type PolicyRule = z.output<typeof ruleSchema>;

export const recurringRuleSchema = z.strictObject({
  kind: z.enum(RECURRING_KINDS),
  enabled: z.boolean().default(true),
  title: bilingualSchema,
  actor: party,
  notify: parties,
  schedule: z.strictObject({
    /** Months it falls in (1–12); empty = every month. */
    months: z.array(z.number().int().min(1).max(12)).default([]),
    /** Day of the month; a day the month lacks, or 'last', means the month's last day. */
    day: z.union([z.number().int().min(1).max(31), z.literal('last')]),
  }),
  /** What to do when the day is a rest day. */
  onRestDay: z.enum(['keep', 'previous_working_day', 'next_working_day']).default('keep'),
  source,
  note: bilingualSchema.optional(),
});
export type RecurringRule = z.output<typeof recurringRuleSchema>;

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids are lower-case kebab-case');

export const policySchema = z
  .strictObject({
    id: ruleId,
    /** The seed tag (P, S, B, G, Q) or the region's own. */
    tag: z.string().min(1),
    region: bilingualSchema,
    /** The documents the profile encodes. */
    basis: z
      .array(
        z.strictObject({
          tag: z.string().min(1),
          title: z.string().min(1),
          docNo: z.string().optional(),
          issued: z.string().refine(isIsoDate, "expected 'YYYY-MM-DD'").optional(),
        }),
      )
      .min(1),
    /** Beijing wall-clock time reminders fire at. */
    reminderTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected 'HH:mm'")
      .default('09:00'),
    rules: z.record(ruleId, ruleSchema),
    recurring: z.record(ruleId, recurringRuleSchema).default({}),
    /** Who hears of a missed obligation, in order. */
    escalation: z.array(escalationStepSchema).default([]),
    /** Cross-district collective jurisdiction (跨区域集中管辖): informational here; routing owns it. */
    collectiveJurisdiction: z
      .strictObject({
        court: bilingualSchema,
        districts: z.array(z.string().min(1)).min(1),
        effectiveFrom: z.string().refine(isIsoDate, "expected 'YYYY-MM-DD'"),
        source,
      })
      .optional(),
    /** What the seeds say that is not (yet) a computable rule. */
    notes: z.array(z.strictObject({ zh: z.string().min(1), en: z.string().min(1), source })).default([]),
  })
  .superRefine((policy, ctx) => {
    // An obligation anchor must exist, enabled, for every document type that starts the dependent rule.
    for (const [id, rule] of Object.entries(policy.rules)) {
      if (!rule.enabled || typeof rule.anchor !== 'object') continue;
      const wanted = rule.anchor.obligation;
      for (const t of rule.triggers) {
        const found = Object.values(policy.rules).some((r) => r.enabled && r.kind === wanted && r.triggers.includes(t));
        if (!found) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', id, 'anchor'],
            message: `anchored on '${wanted}', but no enabled rule of that kind is started by '${t}'`,
          });
        }
      }
    }
    // No cycles among obligation anchors (kind → the kinds it is anchored on).
    const edges = new Map<string, Set<string>>();
    for (const rule of Object.values(policy.rules)) {
      if (!rule.enabled || typeof rule.anchor !== 'object') continue;
      const set = edges.get(rule.kind) ?? new Set<string>();
      set.add(rule.anchor.obligation);
      edges.set(rule.kind, set);
    }
    const reaches = (from: string, target: string, seen = new Set<string>()): boolean => {
      for (const next of edges.get(from) ?? []) {
        if (next === target) return true;
        if (!seen.has(next)) {
          seen.add(next);
          if (reaches(next, target, seen)) return true;
        }
      }
      return false;
    };
    for (const [id, rule] of Object.entries(policy.rules)) {
      if (rule.enabled && typeof rule.anchor === 'object' && reaches(rule.anchor.obligation, rule.kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', id, 'anchor'],
          message: `anchor cycle: '${rule.anchor.obligation}' depends back on '${rule.kind}'`,
        });
      }
    }
  });

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
