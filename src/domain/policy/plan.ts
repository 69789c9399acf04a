// Planning: which obligations a document starts under a region's policy, with due dates, derivations and
// reminders. Pure: the policy, the facts and the calendar are the only inputs; time is an argument.
import type { Calendar } from '../calendar/calendar.js';
import { addDays, beijingDate, beijingInstant, daysBetween, isIsoDate, isoDate, parseIsoDate, daysInMonth, toInstant } from '../calendar/civil.js';
import type { Instant, IsoDate } from '../calendar/civil.js';
import { computeDue } from '../calendar/periods.js';
import type { Bilingual, Derivation, PeriodStart } from '../calendar/periods.js';
import type {
  DocumentObligationKind,
  DocumentType,
  EscalationStep,
  FactAnchor,
  Instance,
  Outcome,
  Party,
  Policy,
  PolicyRule,
  RecurringKind,
  ReminderKind,
  ReminderRule,
} from './schema.js';

/**
 * Where the date of an event comes from (docs/domain.md §4): its arrival in the gateway, stated by the court in a
 * document, recorded by a person (with who and why), or inferred (marked so, replaced when the real fact arrives).
 */
export type FactSource = 'arrival' | 'stated' | 'recorded' | 'inferred';

export interface PlanFacts {
  /** When the document arrived in the gateway (the legal service time). */
  arrivedAt: Instant;
  /** The hearing's start, from the summons. */
  hearingAt?: Instant;
  /** The day the decision took effect (生效), when known (stated or recorded); else it is inferred, see effectiveness(). */
  effectiveOn?: IsoDate;
  /** Where effectiveOn comes from (default 'stated'). */
  effectiveSource?: Exclude<FactSource, 'inferred'>;
  /** Who recorded it and why, or which document stated it. */
  effectiveNote?: string;
  /** An appeal against this (first-instance) decision is known: it does not take effect by lapse. */
  appealed?: boolean;
  /** The reply date the sender states in the document (a fact: rules with `stated: 'reply_due'`). */
  replyDueOn?: IsoDate;
  /** The district (county) government itself is a defendant (P 第十条, B 第四条). Unknown counts as no. */
  governmentDefendant?: boolean;
  /** The day an obligation kind of this document was done (recorded), for anchors `{ obligation, from: 'done' }`. */
  doneOn?: Partial<Record<DocumentObligationKind, IsoDate>>;
  /** The performance deadline the decision sets. */
  performanceDueOn?: IsoDate;
  /** The day a suggestion was handled (S 五(七)). */
  handledOn?: IsoDate;
  outcome?: Outcome;
  /** Default 'first'. */
  instance?: Instance;
  /** Does the decision impose a duty to perform? Default: whether performanceDueOn is given. */
  performanceDuty?: boolean;
  /** Urgent procuratorial suggestion (公益诉讼解释 第21条: 15 days). Default false. */
  urgent?: boolean;
}

export interface PlannedReminder {
  kind: ReminderKind;
  fireOn: IsoDate;
  /** ISO instant (UTC) of the policy's reminder time on fireOn, Beijing wall clock. */
  fireAt: string;
  notify: Party[];
  source: string;
}

export interface ObligationDerivation {
  anchor: {
    /** 'arrival' | 'hearing' | 'effective' | 'performance_due' | 'handled' | 'obligation:<kind>' | 'stated:reply_due' */
    ref: string;
    date: IsoDate;
    /** The instant, for an instant anchor. */
    instant?: string;
    /** For an obligation anchor: the rule whose due date is used. */
    ruleId?: string;
    /** Where the anchor's date comes from. */
    source: FactSource;
    /** How it was found: the inference, the record or the statement. */
    note?: Bilingual;
  };
  /** The period arithmetic, when the rule counts a period from its anchor. */
  period?: Derivation;
  /** When the due date is the anchor itself. */
  fixed?: Bilingual;
  /** A stated date that falls on a rest day: kept as stated, flagged. */
  restDay?: Bilingual;
  /** Why the due date is provisional (its own computation, or the obligation it is anchored on). */
  provisional?: { years: number[]; why: Bilingual };
}

export interface PlannedObligation {
  ruleId: string;
  kind: DocumentObligationKind;
  title: Bilingual;
  actor: Party;
  documentType: DocumentType;
  /** The due date (the likely one, 暂定, when provisional). */
  dueOn: IsoDate;
  provisional: boolean;
  /** When provisional: the earliest date it could fall on, if before dueOn (reminders are planned against it). */
  earliestDueOn?: IsoDate;
  derivation: ObligationDerivation;
  source: string;
  notify: Party[];
  reminders: PlannedReminder[];
  escalation: EscalationStep[];
  note?: Bilingual;
}

export interface SkippedRule {
  ruleId: string;
  kind: DocumentObligationKind;
  reason: Bilingual;
}

export interface PlanWarning {
  code: 'head_appearance_notice_late';
  message: Bilingual;
  source: string;
}

export interface PlanResult {
  obligations: PlannedObligation[];
  /** Rules the document type starts that produced nothing, and why (a condition, a fact not known yet). */
  skipped: SkippedRule[];
  warnings: PlanWarning[];
}

const OUTCOME_ZH: Record<Outcome, string> = {
  loss: '败诉',
  partial_loss: '部分败诉',
  win: '胜诉',
  dismissed: '驳回',
  withdrawn: '撤诉',
  mediated: '调解',
};

const FACT_FIELD: Record<FactAnchor, keyof PlanFacts> = {
  arrival: 'arrivedAt',
  hearing: 'hearingAt',
  effective: 'effectiveOn',
  performance_due: 'performanceDueOn',
  handled: 'handledOn',
};

function checkFacts(facts: PlanFacts): void {
  toInstant(facts.arrivedAt);
  if (facts.hearingAt !== undefined) toInstant(facts.hearingAt);
  for (const k of ['effectiveOn', 'performanceDueOn', 'handledOn', 'replyDueOn'] as const) {
    const v = facts[k];
    if (v !== undefined && !isIsoDate(v)) throw new RangeError(`facts.${k} is not a calendar date 'YYYY-MM-DD': ${JSON.stringify(v)}`);
  }
}

export interface Effectiveness {
  on: IsoDate;
  source: FactSource;
  why: Bilingual;
  /** The inference depends on a year whose holiday notice is not published. */
  provisional: boolean;
}

const DECISIONS: readonly DocumentType[] = ['judgment', 'ruling', 'mediation'];

/**
 * When a decision takes effect (生效), and where that date comes from:
 * - stated by the court (the decision's own effectiveOn, a later document, a 生效证明) or recorded by the justice
 *   bureau: that date;
 * - a second-instance or retrial decision: on service, i.e. its arrival (ALL 第85条 / 民诉法 第182条: 终审);
 * - a mediation document: on service (民诉法 第100条, applied through ALL 第101条);
 * - a first-instance judgment or ruling: when the appeal period lapses without appeal (ALL 第85条: 15 / 10 days
 *   from service), the day after it ends; inferred from the gateway's own service date, since the other party's
 *   service date is not known; none while an appeal is known.
 */
export function effectiveness(documentType: DocumentType, facts: PlanFacts, calendar: Calendar): Effectiveness | undefined {
  if (facts.effectiveOn !== undefined) {
    const source = facts.effectiveSource ?? 'stated';
    const who = facts.effectiveNote ? `（${facts.effectiveNote}）` : '';
    return {
      on: facts.effectiveOn,
      source,
      provisional: false,
      why:
        source === 'recorded'
          ? { zh: `生效日期 ${facts.effectiveOn} 由司法局记录${who}`, en: `effective on ${facts.effectiveOn}, recorded by the justice bureau${who}` }
          : { zh: `生效日期 ${facts.effectiveOn} 由法院载明${who}`, en: `effective on ${facts.effectiveOn}, stated by the court${who}` },
    };
  }
  if (!DECISIONS.includes(documentType)) return undefined;
  const served = beijingDate(facts.arrivedAt);
  const instance = facts.instance ?? 'first';
  if (documentType === 'mediation' || instance !== 'first') {
    return {
      on: served,
      source: 'arrival',
      provisional: false,
      why:
        documentType === 'mediation'
          ? {
              zh: `调解书于 ${served} 送达，送达即生效（民诉法 第100条，ALL 第101条）`,
              en: `mediation document served on ${served}: effective on service (民诉法 第100条, ALL 第101条)`,
            }
          : {
              zh: `${instance === 'second' ? '二审' : '再审'}裁判于 ${served} 送达，为生效裁判，送达即生效`,
              en: `${instance} instance decision served on ${served}: final, effective on service`,
            },
    };
  }
  if (facts.appealed) return undefined;
  const n = documentType === 'judgment' ? 15 : 10;
  const r = computeDue({ start: facts.arrivedAt, period: { n, unit: 'day' }, direction: 'after', calendar });
  const on = addDays(r.due, 1);
  return {
    on,
    source: 'inferred',
    provisional: r.provisional,
    why: {
      zh: `推定：一审${documentType === 'judgment' ? '判决' : '裁定'}于 ${served} 送达，上诉期（${n} 日，ALL 第85条）于 ${r.due} 届满，未收到上诉则自 ${on} 起生效；法院载明或司法局记录生效日期后以其为准`,
      en: `Inferred: first-instance ${documentType} served on ${served}; the appeal period (${n} days, ALL 第85条) ends on ${r.due}, so without an appeal it takes effect on ${on}; replaced when the court states or the justice bureau records the date`,
    },
  };
}

/** The start of a fact anchor, or undefined when the fact is not known. */
function factStart(
  facts: PlanFacts,
  fact: FactAnchor,
  eff?: Effectiveness,
): { start: PeriodStart; date: IsoDate; instant?: string; source: FactSource; note?: Bilingual; provisional?: boolean } | undefined {
  switch (fact) {
    case 'arrival': {
      const i = toInstant(facts.arrivedAt);
      return { start: i, date: beijingDate(i), instant: i.toISOString(), source: 'arrival' };
    }
    case 'hearing': {
      if (facts.hearingAt === undefined) return undefined;
      const i = toInstant(facts.hearingAt);
      return { start: i, date: beijingDate(i), instant: i.toISOString(), source: 'stated' };
    }
    case 'effective':
      return eff ? { start: { date: eff.on }, date: eff.on, source: eff.source, note: eff.why, provisional: eff.provisional } : undefined;
    default: {
      const v = facts[FACT_FIELD[fact]];
      return typeof v === 'string' ? { start: { date: v }, date: v, source: fact === 'handled' ? 'recorded' : 'stated' } : undefined;
    }
  }
}

function conditionFailure(rule: PolicyRule, facts: PlanFacts): Bilingual | undefined {
  const w = rule.when;
  // An appealed first-instance decision does not take effect: nothing to perform, no reasons for not appealing.
  if (facts.appealed && (rule.kind === 'no_appeal_reasons' || rule.kind === 'performance')) {
    return { zh: '已提起上诉，一审裁判不生效', en: 'appealed: the first-instance decision does not take effect' };
  }
  if (w.exceptOutcomes && facts.outcome !== undefined && w.exceptOutcomes.includes(facts.outcome)) {
    return {
      zh: `裁判结果为${OUTCOME_ZH[facts.outcome]}，本规则不适用`,
      en: `outcome is '${facts.outcome}': the rule does not apply to ${w.exceptOutcomes.join(', ')}`,
    };
  }
  if (w.governmentDefendant !== undefined && (facts.governmentDefendant ?? false) !== w.governmentDefendant) {
    return w.governmentDefendant
      ? {
          zh: '本规则适用于区（县）人民政府为被告的案件，本案被告不含区（县）人民政府',
          en: 'the rule governs cases where the district government is a defendant; it is not one here',
        }
      : { zh: '区（县）人民政府为被告，适用另一规则', en: 'the district government is a defendant: another rule applies' };
  }
  if (w.outcomes) {
    if (facts.outcome === undefined) {
      return { zh: '裁判结果未知（需 outcome）', en: 'outcome unknown (facts.outcome needed)' };
    }
    if (!w.outcomes.includes(facts.outcome)) {
      return {
        zh: `裁判结果为${OUTCOME_ZH[facts.outcome]}，本规则仅适用于：${w.outcomes.map((o) => OUTCOME_ZH[o]).join('、')}`,
        en: `outcome is '${facts.outcome}'; the rule applies to: ${w.outcomes.join(', ')}`,
      };
    }
  }
  if (w.instances) {
    const instance = facts.instance ?? 'first';
    if (!w.instances.includes(instance)) {
      return {
        zh: `审级为 ${instance}，本规则仅适用于 ${w.instances.join('、')}`,
        en: `instance is '${instance}'; the rule applies to: ${w.instances.join(', ')}`,
      };
    }
  }
  if (w.performanceDuty !== undefined) {
    const duty = facts.performanceDuty ?? facts.performanceDueOn !== undefined;
    if (duty !== w.performanceDuty) {
      return w.performanceDuty
        ? { zh: '裁判无履行内容（或履行期限未知）', en: 'no duty to perform (or its deadline is not known)' }
        : { zh: '裁判有履行内容', en: 'the decision imposes a duty to perform' };
    }
  }
  if (w.urgent !== undefined && (facts.urgent ?? false) !== w.urgent) {
    return w.urgent ? { zh: '非紧急情形', en: 'not urgent' } : { zh: '紧急情形适用另一规则', en: 'urgent: another rule applies' };
  }
  return undefined;
}

function reminderDate(r: ReminderRule, due: IsoDate, facts: PlanFacts, eff?: Effectiveness): IsoDate | undefined {
  switch (r.at.from) {
    case 'due':
      return addDays(due, r.at.offsetDays);
    case 'fact': {
      const f = factStart(facts, r.at.fact, eff);
      return f ? addDays(f.date, r.at.offsetDays) : undefined;
    }
    case 'midpoint': {
      const f = factStart(facts, r.at.fact, eff);
      if (!f) return undefined;
      const span = daysBetween(f.date, due);
      return span < 0 ? undefined : addDays(f.date, Math.floor(span / 2));
    }
  }
}

/** The obligations a document starts, with the rules it skipped and warnings. */
export function planObligationsDetailed(policy: Policy, documentType: DocumentType, facts: PlanFacts, calendar: Calendar): PlanResult {
  checkFacts(facts);
  const arrivalDate = beijingDate(facts.arrivedAt);
  const eff = effectiveness(documentType, facts, calendar);
  const skipped: SkippedRule[] = [];
  const warnings: PlanWarning[] = [];
  const planned: PlannedObligation[] = [];
  const order = Object.keys(policy.rules);

  let pending: Array<[string, PolicyRule]> = [];
  for (const [id, rule] of Object.entries(policy.rules)) {
    if (!rule.enabled || !rule.triggers.includes(documentType)) continue;
    const failure = conditionFailure(rule, facts);
    if (failure) skipped.push({ ruleId: id, kind: rule.kind, reason: failure });
    else pending.push([id, rule]);
  }

  const plan = (id: string, rule: PolicyRule): 'done' | 'wait' | Bilingual => {
    let anchor: ObligationDerivation['anchor'];
    let start: PeriodStart;
    let inherited: ObligationDerivation['provisional'];
    if (typeof rule.anchor === 'object') {
      const kind = rule.anchor.obligation;
      const candidates = planned.filter((p) => p.kind === kind);
      if (candidates.length === 0) {
        return pending.some(([, r]) => r.kind === kind)
          ? 'wait'
          : { zh: `所依据的"${kind}"事项未产生`, en: `the '${kind}' obligation it is anchored on was not planned` };
      }
      // Several of that kind: the earliest due date (conservative for an internal deadline), and of a provisional
      // one its earliest possible date.
      const early = (p: PlannedObligation) => p.earliestDueOn ?? p.dueOn;
      const base = candidates.reduce((a, b) => (early(b) < early(a) ? b : a));
      const done = rule.anchor.from === 'done' ? facts.doneOn?.[kind] : undefined;
      if (done !== undefined) {
        anchor = {
          ref: `obligation:${kind}`,
          date: done,
          ruleId: base.ruleId,
          source: 'recorded',
          note: { zh: `"${base.title.zh}"于 ${done} 办结（记录）`, en: `'${base.title.en}' done on ${done} (recorded)` },
        };
      } else {
        anchor = {
          ref: `obligation:${kind}`,
          date: early(base),
          ruleId: base.ruleId,
          source: rule.anchor.from === 'done' ? 'inferred' : base.derivation.anchor.source,
          ...(rule.anchor.from === 'done'
            ? {
                note: {
                  zh: `"${base.title.zh}"办结日未记录，按其期限 ${early(base)} 推定`,
                  en: `'${base.title.en}' not recorded as done yet: its due date ${early(base)} is used (inferred)`,
                },
              }
            : base.derivation.anchor.note
              ? { note: base.derivation.anchor.note }
              : {}),
        };
      }
      start = { date: anchor.date };
      if (base.provisional && done === undefined) {
        inherited = base.derivation.provisional ?? {
          years: [],
          why: { zh: `所依据的"${kind}"期限为临时期限`, en: `the '${kind}' due date it is anchored on is provisional` },
        };
      }
    } else {
      const f = factStart(facts, rule.anchor, eff);
      if (!f) {
        if (rule.anchor === 'effective' && facts.appealed) {
          return { zh: '已收到上诉，一审裁判未生效，待生效后计算', en: 'an appeal is known: the first-instance decision has not taken effect' };
        }
        const field = FACT_FIELD[rule.anchor];
        return { zh: `尚缺事实 ${field}，待取得后重新计算`, en: `fact ${field} not known yet; plan again when it is` };
      }
      anchor = { ref: rule.anchor, date: f.date, ...(f.instant ? { instant: f.instant } : {}), source: f.source, ...(f.note ? { note: f.note } : {}) };
      start = f.start;
      if (f.provisional) {
        inherited = {
          years: [],
          why: {
            zh: `${f.note?.zh ?? '基准日为推定'}；推定所依据的期间为临时期限`,
            en: `${f.note?.en ?? 'the anchor is inferred'}; the period it rests on is provisional`,
          },
        };
      }
    }

    let dueOn: IsoDate;
    let earliestDueOn: IsoDate | undefined;
    const derivation: ObligationDerivation = { anchor };
    let provisional = false;
    const stated = rule.stated === 'reply_due' ? facts.replyDueOn : undefined;
    if (stated !== undefined) {
      // A date the sender states is a fact: it replaces the period, is never recomputed and never shifted.
      dueOn = stated;
      derivation.anchor = { ref: 'stated:reply_due', date: stated, source: 'stated' };
      derivation.fixed = {
        zh: `文书载明的答复期限 ${stated}（法院或检察院确定，不重新计算、不顺延）。`,
        en: `Reply date stated in the document: ${stated} (set by the sender; never recomputed or shifted).`,
      };
      inherited = undefined;
    } else if (rule.direction === 'on' || rule.period === undefined) {
      dueOn = anchor.date;
      derivation.fixed = {
        zh: `期限即基准日 ${dueOn}（由法院或上一事项确定，不顺延）。`,
        en: `The due date is the anchor date ${dueOn} itself (set by the court or by another obligation; not shifted).`,
      };
    } else {
      const r = computeDue({ start, period: rule.period, direction: rule.direction, calendar });
      dueOn = r.due;
      derivation.period = r.derivation;
      if (r.provisional && r.derivation.provisional) {
        provisional = true;
        derivation.provisional = { years: r.derivation.provisional.years, why: r.derivation.provisional.why };
        if (r.earliest < r.due) earliestDueOn = r.earliest;
      }
    }
    if (derivation.fixed && (stated !== undefined || anchor.source === 'stated')) {
      const info = calendar.dayInfo(dueOn);
      if (!info.working) {
        derivation.restDay = {
          zh: `载明的日期 ${dueOn} 为休息日（${info.name ?? (info.kind === 'weekend' ? '周末' : '节假日')}），按载明日期保留，不顺延。`,
          en: `The stated date ${dueOn} is a rest day (${info.nameEn ?? info.name ?? info.kind}); kept as stated, not shifted.`,
        };
      }
    }
    if (typeof rule.anchor === 'object' && stated === undefined && !derivation.period && anchor.source !== 'recorded') {
      // 'on' another obligation (e.g. P 第十三条(三) before the appeal period ends): that obligation's earliest date too.
      const base = planned.find((p) => p.ruleId === anchor.ruleId);
      if (base?.earliestDueOn) earliestDueOn = base.earliestDueOn;
    }
    if (inherited) {
      provisional = true;
      derivation.provisional ??= inherited;
    }

    // Reminders are planned against the earliest date the deadline could fall on.
    const reminders: PlannedReminder[] = [];
    for (const rr of rule.reminders) {
      const fireOn = reminderDate(rr, earliestDueOn ?? dueOn, facts, eff);
      // A reminder that would fire before the document arrived is dropped.
      if (fireOn === undefined || fireOn < arrivalDate) continue;
      reminders.push({
        kind: rr.kind,
        fireOn,
        fireAt: beijingInstant(fireOn, policy.reminderTime).toISOString(),
        notify: [...rr.notify],
        source: rr.source,
      });
    }
    reminders.sort((a, b) => (a.fireOn < b.fireOn ? -1 : a.fireOn > b.fireOn ? 1 : 0));

    planned.push({
      ruleId: id,
      kind: rule.kind,
      title: rule.title,
      actor: rule.actor,
      documentType,
      dueOn,
      provisional,
      ...(earliestDueOn !== undefined && earliestDueOn < dueOn ? { earliestDueOn } : {}),
      derivation,
      source: rule.source,
      notify: [...rule.notify],
      reminders,
      escalation: rule.escalation ?? policy.escalation,
      ...(rule.note ? { note: rule.note } : {}),
    });
    return 'done';
  };

  // Rules anchored on another obligation wait for it; repeat until nothing moves.
  for (let progress = true; progress && pending.length > 0;) {
    progress = false;
    const next: Array<[string, PolicyRule]> = [];
    for (const [id, rule] of pending) {
      const r = plan(id, rule);
      if (r === 'done') progress = true;
      else if (r === 'wait') next.push([id, rule]);
      else {
        skipped.push({ ruleId: id, kind: rule.kind, reason: r });
        progress = true;
      }
    }
    pending = next;
  }
  for (const [id, rule] of pending) {
    skipped.push({ ruleId: id, kind: rule.kind, reason: { zh: '所依据的事项无法确定', en: 'its anchor could not be planned' } });
  }

  // 法释〔2020〕3号 第5条: the head-appearance notice reaches the agency at least 3 days before the hearing.
  if (documentType === 'head_appearance_notice' && facts.hearingAt !== undefined) {
    const hearingDate = beijingDate(facts.hearingAt);
    const lead = daysBetween(arrivalDate, hearingDate);
    if (lead < 3) {
      warnings.push({
        code: 'head_appearance_notice_late',
        message: {
          zh: `负责人出庭通知书于 ${arrivalDate} 到达，距开庭（${hearingDate}）仅 ${lead} 日，少于 3 日。`,
          en: `The head-appearance notice arrived on ${arrivalDate}, ${lead} day(s) before the hearing on ${hearingDate}: fewer than 3.`,
        },
        source: '法释〔2020〕3号 第5条',
      });
    }
  }

  planned.sort((a, b) => (a.dueOn !== b.dueOn ? (a.dueOn < b.dueOn ? -1 : 1) : order.indexOf(a.ruleId) - order.indexOf(b.ruleId)));
  skipped.sort((a, b) => order.indexOf(a.ruleId) - order.indexOf(b.ruleId));
  return { obligations: planned, skipped, warnings };
}

/** The obligations a document starts under a policy (see planObligationsDetailed for what was skipped). */
export function planObligations(policy: Policy, documentType: DocumentType, facts: PlanFacts, calendar: Calendar): PlannedObligation[] {
  return planObligationsDetailed(policy, documentType, facts, calendar).obligations;
}

export interface PlannedRecurring {
  ruleId: string;
  kind: RecurringKind;
  title: Bilingual;
  actor: Party;
  notify: Party[];
  /** The scheduled day (e.g. the 20th). */
  scheduledOn: IsoDate;
  /** After the policy's rest-day handling. */
  dueOn: IsoDate;
  provisional: boolean;
  shift?: { from: IsoDate; to: IsoDate; why: Bilingual };
  source: string;
  note?: Bilingual;
}

/** The recurring obligations (ledger, bulletins, reports) scheduled on days from `from` to `to`, inclusive. */
export function planRecurring(policy: Policy, range: { from: IsoDate; to: IsoDate }, calendar: Calendar): PlannedRecurring[] {
  const from = parseIsoDate(range.from);
  const to = parseIsoDate(range.to);
  if (range.to < range.from) throw new RangeError('range.to is before range.from');
  const out: PlannedRecurring[] = [];
  const order = Object.keys(policy.recurring);
  for (let idx = from.year * 12 + from.month - 1; idx <= to.year * 12 + to.month - 1; idx++) {
    const year = Math.floor(idx / 12);
    const month = (idx % 12) + 1;
    for (const [id, rule] of Object.entries(policy.recurring)) {
      if (!rule.enabled) continue;
      if (rule.schedule.months.length > 0 && !rule.schedule.months.includes(month)) continue;
      const last = daysInMonth(year, month);
      const day = rule.schedule.day === 'last' ? last : Math.min(rule.schedule.day, last);
      const scheduledOn = isoDate(year, month, day);
      if (scheduledOn < range.from || scheduledOn > range.to) continue;
      let dueOn = scheduledOn;
      let provisional = !calendar.dayInfo(scheduledOn).settled;
      let shift: PlannedRecurring['shift'];
      if (rule.onRestDay !== 'keep' && !calendar.isWorkingDay(scheduledOn)) {
        const step = rule.onRestDay === 'previous_working_day' ? -1 : 1;
        let d = scheduledOn;
        for (let i = 0; ; i++) {
          d = addDays(d, step);
          const info = calendar.dayInfo(d);
          if (!info.settled) provisional = true;
          if (info.working) break;
          if (i > 366) throw new Error(`no working day near ${scheduledOn}`);
        }
        dueOn = d;
        shift = {
          from: scheduledOn,
          to: d,
          why:
            step < 0
              ? { zh: `${scheduledOn} 为休息日，提前至此前最后一个工作日 ${d}。`, en: `${scheduledOn} is a rest day; moved to the previous working day ${d}.` }
              : { zh: `${scheduledOn} 为休息日，顺延至其后第一个工作日 ${d}。`, en: `${scheduledOn} is a rest day; moved to the next working day ${d}.` },
        };
      }
      out.push({
        ruleId: id,
        kind: rule.kind,
        title: rule.title,
        actor: rule.actor,
        notify: [...rule.notify],
        scheduledOn,
        dueOn,
        provisional,
        ...(shift ? { shift } : {}),
        source: rule.source,
        ...(rule.note ? { note: rule.note } : {}),
      });
    }
  }
  out.sort((a, b) => (a.scheduledOn !== b.scheduledOn ? (a.scheduledOn < b.scheduledOn ? -1 : 1) : order.indexOf(a.ruleId) - order.indexOf(b.ruleId)));
  return out;
}
