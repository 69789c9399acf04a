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

export interface PlanFacts {
  /** When the document arrived in the gateway (the legal service time). */
  arrivedAt: Instant;
  /** The hearing's start, from the summons. */
  hearingAt?: Instant;
  /** The day the decision took effect (生效). */
  effectiveOn?: IsoDate;
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
    /** 'arrival' | 'hearing' | 'effective' | 'performance_due' | 'handled' | 'obligation:<kind>' */
    ref: string;
    date: IsoDate;
    /** The instant, for an instant anchor. */
    instant?: string;
    /** For an obligation anchor: the rule whose due date is used. */
    ruleId?: string;
  };
  /** The period arithmetic, when the rule counts a period from its anchor. */
  period?: Derivation;
  /** When the due date is the anchor itself. */
  fixed?: Bilingual;
  /** Why the due date is provisional (its own computation, or the obligation it is anchored on). */
  provisional?: { years: number[]; why: Bilingual };
}

export interface PlannedObligation {
  ruleId: string;
  kind: DocumentObligationKind;
  title: Bilingual;
  actor: Party;
  documentType: DocumentType;
  dueOn: IsoDate;
  provisional: boolean;
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
  for (const k of ['effectiveOn', 'performanceDueOn', 'handledOn'] as const) {
    const v = facts[k];
    if (v !== undefined && !isIsoDate(v)) throw new RangeError(`facts.${k} is not a calendar date 'YYYY-MM-DD': ${JSON.stringify(v)}`);
  }
}

/** The start of a fact anchor, or undefined when the fact is not known. */
function factStart(facts: PlanFacts, fact: FactAnchor): { start: PeriodStart; date: IsoDate; instant?: string } | undefined {
  switch (fact) {
    case 'arrival': {
      const i = toInstant(facts.arrivedAt);
      return { start: i, date: beijingDate(i), instant: i.toISOString() };
    }
    case 'hearing': {
      if (facts.hearingAt === undefined) return undefined;
      const i = toInstant(facts.hearingAt);
      return { start: i, date: beijingDate(i), instant: i.toISOString() };
    }
    default: {
      const v = facts[FACT_FIELD[fact]];
      return typeof v === 'string' ? { start: { date: v }, date: v } : undefined;
    }
  }
}

function conditionFailure(rule: PolicyRule, facts: PlanFacts): Bilingual | undefined {
  const w = rule.when;
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
      return { zh: `审级为 ${instance}，本规则仅适用于 ${w.instances.join('、')}`, en: `instance is '${instance}'; the rule applies to: ${w.instances.join(', ')}` };
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

function reminderDate(r: ReminderRule, due: IsoDate, facts: PlanFacts): IsoDate | undefined {
  switch (r.at.from) {
    case 'due':
      return addDays(due, r.at.offsetDays);
    case 'fact': {
      const f = factStart(facts, r.at.fact);
      return f ? addDays(f.date, r.at.offsetDays) : undefined;
    }
    case 'midpoint': {
      const f = factStart(facts, r.at.fact);
      if (!f) return undefined;
      const span = daysBetween(f.date, due);
      return span < 0 ? undefined : addDays(f.date, Math.floor(span / 2));
    }
  }
}

/** The obligations a document starts, with the rules it skipped and warnings. */
export function planObligationsDetailed(
  policy: Policy,
  documentType: DocumentType,
  facts: PlanFacts,
  calendar: Calendar,
): PlanResult {
  checkFacts(facts);
  const arrivalDate = beijingDate(facts.arrivedAt);
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
      // Several of that kind: the earliest due date (conservative for an internal deadline).
      const base = candidates.reduce((a, b) => (b.dueOn < a.dueOn ? b : a));
      anchor = { ref: `obligation:${kind}`, date: base.dueOn, ruleId: base.ruleId };
      start = { date: base.dueOn };
      if (base.provisional) {
        inherited = base.derivation.provisional ?? {
          years: [],
          why: { zh: `所依据的"${kind}"期限为临时期限`, en: `the '${kind}' due date it is anchored on is provisional` },
        };
      }
    } else {
      const f = factStart(facts, rule.anchor);
      if (!f) {
        const field = FACT_FIELD[rule.anchor];
        return { zh: `尚缺事实 ${field}，待取得后重新计算`, en: `fact ${field} not known yet; plan again when it is` };
      }
      anchor = { ref: rule.anchor, date: f.date, ...(f.instant ? { instant: f.instant } : {}) };
      start = f.start;
    }

    let dueOn: IsoDate;
    const derivation: ObligationDerivation = { anchor };
    let provisional = false;
    if (rule.direction === 'on' || rule.period === undefined) {
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
      }
    }
    if (inherited) {
      provisional = true;
      derivation.provisional ??= inherited;
    }

    const reminders: PlannedReminder[] = [];
    for (const rr of rule.reminders) {
      const fireOn = reminderDate(rr, dueOn, facts);
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
  for (let progress = true; progress && pending.length > 0; ) {
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
export function planObligations(
  policy: Policy,
  documentType: DocumentType,
  facts: PlanFacts,
  calendar: Calendar,
): PlannedObligation[] {
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
