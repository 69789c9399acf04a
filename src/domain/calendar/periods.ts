// Period arithmetic (期间计算) by the national rules, docs/domain.md §4 "How days are counted":
// - the day of the event is not counted; the period starts the next day (民诉解释 第125条);
// - days: holidays inside the period count; when the last day is a rest day (weekend or statutory
//   holiday: not a working day of the calendar) the period ends on the next working day
//   (民诉法 第85条, 行诉解释 第48条);
// - months: the same-numbered day of the final month, or that month's last day when it has none
//   (民法典 第202条), then the same rest-day rule;
// - working days: only working days count, 调休 make-up Saturdays included (行政复议法 2023 第88条);
// - "N days before X" (an internal deadline ahead of a legal one, e.g. P 第十一条): counted back from X;
//   when it lands on a rest day it moves EARLIER, to the previous working day. This is our choice, not a
//   national rule: an internal deadline exists to leave time before the legal one, so it must never slip
//   later towards it.
// A result is provisional when any day the computation looked at lies where a holiday notice is not
// published yet (the data then only guesses Monday–Friday).
import type { Calendar, DayInfo } from './calendar.js';
import { addDays, addMonths, beijingDate, daysBetween, isIsoDate, parseIsoDate, toInstant, weekdayName } from './civil.js';
import type { Instant, IsoDate } from './civil.js';

export type PeriodUnit = 'day' | 'month' | 'working_day';

export interface Period {
  n: number;
  unit: PeriodUnit;
}

export type PeriodDirection = 'after' | 'before';

/** An instant (the event's time; its Beijing date is used) or a Beijing date. */
export type PeriodStart = Instant | { date: IsoDate };

export interface Bilingual {
  zh: string;
  en: string;
}

export interface DerivationStep extends Bilingual {
  date?: IsoDate;
}

export interface Derivation {
  /** The start as given: an ISO instant (UTC) or a date. */
  start: string;
  /** The Beijing date of the start; never counted itself. */
  startDate: IsoDate;
  period: Period & { text: string };
  direction: PeriodDirection;
  rule: Bilingual & { sources: string[] };
  steps: DerivationStep[];
  /** Present when the raw end fell on a rest day and was moved. */
  shift?: { from: IsoDate; to: IsoDate; why: Bilingual };
  /**
   * Present when the result is provisional. `earliest`: the earliest date the deadline could fall on once the
   * notice is published (a weekend the notice may make a 调休 working day; never a statutory holiday), when it is
   * before the likely date `due`.
   */
  provisional?: { years: number[]; dates: IsoDate[]; why: Bilingual; earliest?: IsoDate };
}

export interface DueResult {
  /** The likely due date (暂定 when provisional). */
  due: IsoDate;
  provisional: boolean;
  /** When provisional: the earliest date it could fall on (plan reminders against it); otherwise `due`. */
  earliest: IsoDate;
  derivation: Derivation;
}

export interface ComputeDueInput {
  start: PeriodStart;
  period: Period;
  direction: PeriodDirection;
  calendar: Calendar;
}

const MAX_N: Record<PeriodUnit, number> = { day: 3660, month: 120, working_day: 2500 };
/** No real calendar has a run of rest days this long; guards against an override that rests every day. */
const MAX_REST_RUN = 366;

const PERIOD_TEXT = /^(\d{1,4})(wd|d|m)$/;
const UNIT_SUFFIX: Record<PeriodUnit, string> = { day: 'd', month: 'm', working_day: 'wd' };

/** '15d' → 15 calendar days, '2m' → 2 months, '5wd' → 5 working days. */
export function parsePeriod(text: string): Period {
  const m = PERIOD_TEXT.exec(text.trim().toLowerCase());
  if (!m) {
    throw new RangeError(`not a period: ${JSON.stringify(text)} (expected a number and a unit: '15d' days, '2m' months, '5wd' working days)`);
  }
  const unit: PeriodUnit = m[2] === 'wd' ? 'working_day' : m[2] === 'm' ? 'month' : 'day';
  const period = { n: Number(m[1]), unit };
  validatePeriod(period);
  return period;
}

export function formatPeriod(period: Period): string {
  return `${period.n}${UNIT_SUFFIX[period.unit]}`;
}

function validatePeriod(period: Period): void {
  if (!Number.isInteger(period.n) || period.n < 0 || period.n > MAX_N[period.unit]) {
    throw new RangeError(`period length must be an integer from 0 to ${MAX_N[period.unit]} for unit '${period.unit}'`);
  }
}

function unitZh(p: Period): string {
  return p.unit === 'day' ? `${p.n} 日` : p.unit === 'month' ? `${p.n} 个月` : `${p.n} 个工作日`;
}
function unitEn(p: Period): string {
  const plural = p.n === 1 ? '' : 's';
  return p.unit === 'day' ? `${p.n} day${plural}` : p.unit === 'month' ? `${p.n} month${plural}` : `${p.n} working day${plural}`;
}

function describe(info: DayInfo): Bilingual {
  const wd = weekdayName(info.date);
  switch (info.kind) {
    case 'holiday':
      return { zh: `${info.name ?? '节假日'}，${wd.zh}`, en: `${info.nameEn ?? info.name ?? 'holiday'}, ${wd.en}` };
    case 'makeup_workday':
      return {
        zh: `调休上班日（${info.name ?? '调休'}），${wd.zh}`,
        en: `make-up working day (${info.nameEn ?? info.name ?? '调休'}), ${wd.en}`,
      };
    case 'weekend':
      return { zh: `周末，${wd.zh}`, en: `weekend, ${wd.en}` };
    default:
      return { zh: `工作日，${wd.zh}`, en: `working day, ${wd.en}` };
  }
}

function resolveStart(start: PeriodStart): { given: string; date: IsoDate } {
  if (typeof start === 'object' && !(start instanceof Date)) {
    if (!isIsoDate(start.date)) throw new RangeError(`start.date is not a calendar date 'YYYY-MM-DD': ${JSON.stringify(start.date)}`);
    return { given: start.date, date: start.date };
  }
  const instant = toInstant(start);
  return { given: instant.toISOString(), date: beijingDate(instant) };
}

const RULES: Record<PeriodDirection, Record<PeriodUnit, Bilingual & { sources: string[] }>> = {
  after: {
    day: {
      zh: '按日计算：事件当日不计入，自次日起算；期间内的节假日照算；期间届满的最后一日为休息日的，以其后第一个工作日为届满日。',
      en: 'Days: the day of the event is not counted, day 1 is the next day; holidays inside the period count; when the last day is a rest day the period ends on the next working day.',
      sources: ['民诉解释 第125条', '民诉法 第85条', '行诉解释 第48条'],
    },
    month: {
      zh: '按月计算：到期月的对应日为最后一日，没有对应日的以该月最后一日为最后一日；最后一日为休息日的，以其后第一个工作日为届满日。',
      en: "Months: the period ends on the same-numbered day of the final month, or that month's last day when it has none; when that day is a rest day the period ends on the next working day.",
      sources: ['民法典 第202条', '民诉法 第85条', '行诉解释 第48条'],
    },
    working_day: {
      zh: '按工作日计算：事件当日不计入，只计工作日，不含法定休假日和周末；调休上班日计为工作日。',
      en: 'Working days: the day of the event is not counted; only working days count, not statutory holidays or weekends; 调休 make-up working days count.',
      sources: ['行政复议法 第88条'],
    },
  },
  before: {
    day: {
      zh: '届满前 N 日：自基准日向前倒数 N 日；落在休息日的，提前至此前最后一个工作日（内部期限不得向法定期限顺延，本系统的取舍）。',
      en: 'N days before: counted back from the reference date; a rest day moves EARLIER to the previous working day (an internal deadline must not slip towards the legal one: our choice).',
      sources: [],
    },
    month: {
      zh: '届满前 N 个月：基准日往前 N 个月的对应日（无对应日取该月最后一日）；落在休息日的，提前至此前最后一个工作日。',
      en: "N months before: the same-numbered day N months earlier (or that month's last day); a rest day moves EARLIER to the previous working day.",
      sources: ['民法典 第202条'],
    },
    working_day: {
      zh: '届满前 N 个工作日：自基准日向前倒数 N 个工作日（调休上班日计入）。',
      en: 'N working days before: counted back over working days from the reference date (make-up working days count).',
      sources: ['行政复议法 第88条'],
    },
  },
};

/** Computes a due date; see the rules at the top of this file. Pure: the calendar is the only input besides the arguments. */
export function computeDue(input: ComputeDueInput): DueResult {
  const { period, direction, calendar } = input;
  validatePeriod(period);
  if (direction !== 'after' && direction !== 'before') throw new RangeError(`direction must be 'after' or 'before'`);
  const start = resolveStart(input.start);
  const S = start.date;
  const consulted: DayInfo[] = [];
  const look = (date: IsoDate): DayInfo => {
    const info = calendar.dayInfo(date);
    consulted.push(info);
    return info;
  };
  const steps: DerivationStep[] = [];
  let shift: Derivation['shift'];
  const sign = direction === 'after' ? 1 : -1;

  if (direction === 'after') {
    steps.push({
      date: S,
      zh: `起算：${S} 为事件发生日，不计入；自 ${addDays(S, 1)} 起算。`,
      en: `Start: ${S} is the day of the event and is not counted; day 1 is ${addDays(S, 1)}.`,
    });
  } else {
    steps.push({
      date: S,
      zh: `基准日：${S}，自该日向前倒数 ${unitZh(period)}。`,
      en: `Reference date: ${S}; counting ${unitEn(period)} back from it.`,
    });
  }

  let due: IsoDate;
  if (period.unit === 'working_day') {
    let d = S;
    const counted: IsoDate[] = [];
    const skipped: IsoDate[] = [];
    const makeup: IsoDate[] = [];
    let guard = 0;
    if (period.n === 0) {
      // Zero working days: the reference day itself when it is a working day, else the nearest one in the
      // direction of travel.
      while (!look(d).working) {
        if (++guard > MAX_REST_RUN) throw new Error(`no working day within ${MAX_REST_RUN} days of ${S}`);
        d = addDays(d, sign);
      }
      counted.push(d);
    }
    let restRun = 0;
    while (counted.length < period.n) {
      d = addDays(d, sign);
      const info = look(d);
      if (info.working) {
        counted.push(d);
        if (info.kind === 'makeup_workday') makeup.push(d);
        restRun = 0;
      } else {
        skipped.push(d);
        if (++restRun > MAX_REST_RUN) throw new Error(`no working day within ${MAX_REST_RUN} days of ${d}`);
      }
    }
    due = d;
    steps.push({
      zh: `计入的工作日（${counted.length}）：${counted.join('、')}。`,
      en: `Working days counted (${counted.length}): ${counted.join(', ')}.`,
    });
    if (skipped.length > 0) {
      steps.push({
        zh: `跳过的休息日（${skipped.length}）：${skipped.join('、')}。`,
        en: `Rest days skipped (${skipped.length}): ${skipped.join(', ')}.`,
      });
    }
    if (makeup.length > 0) {
      steps.push({
        zh: `调休上班日计为工作日：${makeup.join('、')}。`,
        en: `Make-up working days (调休) counted as working days: ${makeup.join(', ')}.`,
      });
    }
    steps.push({ date: due, zh: `第 ${period.n} 个工作日：${due}。`, en: `Working day ${period.n}: ${due}.` });
  } else {
    const raw = period.unit === 'day' ? addDays(S, sign * period.n) : addMonths(S, sign * period.n);
    if (period.unit === 'day') {
      steps.push({
        date: raw,
        zh: direction === 'after' ? `第 ${period.n} 日：${raw}。` : `向前第 ${period.n} 日：${raw}。`,
        en: direction === 'after' ? `Day ${period.n}: ${raw}.` : `${period.n} days before: ${raw}.`,
      });
    } else {
      const want = parseIsoDate(S).day;
      const got = parseIsoDate(raw).day;
      steps.push(
        got === want
          ? { date: raw, zh: `对应日：${raw}。`, en: `Same-numbered day: ${raw}.` }
          : {
              date: raw,
              zh: `${raw.slice(0, 7)} 没有第 ${want} 日，取该月最后一日 ${raw}（民法典 第202条）。`,
              en: `${raw.slice(0, 7)} has no day ${want}; its last day ${raw} is used (民法典 第202条).`,
            },
      );
    }
    if (direction === 'after' && period.n > 0) {
      // Informative only (the result does not depend on these days, so they are not "consulted").
      const inside: string[] = [];
      const insideEn: string[] = [];
      let holidayDays = 0;
      const lo = addDays(S, 1);
      for (let k = 0, span = daysBetween(lo, raw); k < span; k++) {
        const info = calendar.dayInfo(addDays(lo, k));
        if (info.kind !== 'holiday') continue;
        holidayDays++;
        const zh = info.name ?? '节假日';
        if (!inside.includes(zh)) {
          inside.push(zh);
          insideEn.push(info.nameEn ?? zh);
        }
      }
      if (holidayDays > 0) {
        steps.push({
          zh: `期间内的 ${holidayDays} 个节假日（${inside.join('、')}）照常计入期间。`,
          en: `${holidayDays} holiday day(s) inside the period (${insideEn.join(', ')}) count as days of the period.`,
        });
      }
    }
    const first = look(raw);
    due = raw;
    if (!first.working) {
      let d = raw;
      const rests: DayInfo[] = [first];
      let guard = 0;
      for (;;) {
        d = addDays(d, sign);
        const info = look(d);
        if (info.working) break;
        rests.push(info);
        if (++guard > MAX_REST_RUN) throw new Error(`no working day within ${MAX_REST_RUN} days of ${raw}`);
      }
      due = d;
      const what = describe(first);
      const dueWhat = describe(calendar.dayInfo(due));
      const restList = rests.map((r) => r.date);
      shift =
        direction === 'after'
          ? {
              from: raw,
              to: due,
              why: {
                zh: `期间届满的最后一日 ${raw} 为休息日（${what.zh}）；休息日 ${restList.join('、')} 之后的第一个工作日为 ${due}（${dueWhat.zh}），以该日为届满日（民诉法 第85条、行诉解释 第48条）。`,
                en: `The last day ${raw} is a rest day (${what.en}); the first working day after the rest day(s) ${restList.join(', ')} is ${due} (${dueWhat.en}), so the period ends then (民诉法 第85条, 行诉解释 第48条).`,
              },
            }
          : {
              from: raw,
              to: due,
              why: {
                zh: `${raw} 为休息日（${what.zh}）；内部期限不得后延，提前至此前最后一个工作日 ${due}（${dueWhat.zh}）。`,
                en: `${raw} is a rest day (${what.en}); an internal deadline must not slip later, so it moves to the previous working day ${due} (${dueWhat.en}).`,
              },
            };
      steps.push({ date: due, zh: shift.why.zh, en: shift.why.en });
    }
  }

  const unsettled = consulted.filter((c) => !c.settled);
  let provisional: Derivation['provisional'];
  let earliest = due;
  if (unsettled.length > 0 && direction === 'after') {
    // The earliest the deadline could fall on: any day not certainly a rest day may turn out to be a working day
    // (a weekend made a 调休 working day); a statutory holiday or a published rest day never does.
    const mayWork = (d: IsoDate) => {
      const info = calendar.dayInfo(d);
      return info.working || !info.settled;
    };
    let d = S;
    if (period.unit === 'working_day') {
      for (let k = 0, guard = 0; k < period.n;) {
        d = addDays(d, 1);
        if (mayWork(d)) k++;
        else if (++guard > MAX_REST_RUN) break;
      }
      if (period.n === 0) while (!mayWork(d)) d = addDays(d, 1);
    } else {
      d = period.unit === 'day' ? addDays(S, period.n) : addMonths(S, period.n);
      for (let guard = 0; !mayWork(d) && guard <= MAX_REST_RUN; guard++) d = addDays(d, 1);
    }
    if (d < due) earliest = d;
  }
  if (unsettled.length > 0) {
    const years = [...new Set(unsettled.map((u) => u.pendingNoticeYear ?? Number(u.date.slice(0, 4))))].sort((a, b) => a - b);
    const dates = [...new Set(unsettled.map((u) => u.date))].sort();
    const shown = dates.length > 6 ? `${dates.slice(0, 3).join('、')} … ${dates.slice(-2).join('、')}` : dates.join('、');
    const shownEn = dates.length > 6 ? `${dates.slice(0, 3).join(', ')} … ${dates.slice(-2).join(', ')}` : dates.join(', ');
    const early = earliest < due;
    provisional = {
      years,
      dates,
      why: {
        zh: `临时期限：计算依赖 ${shown} 的工作日安排，而 ${years.join('、')} 年节假日安排通知尚未发布，除法定节假日（全国年节及纪念日放假办法 第二条）外暂按周一至周五工作推算${early ? `；暂定 ${due}，如通知将其间周末调为上班日，最早可能为 ${earliest}（提醒按最早日期安排）` : ''}；通知发布后须重新计算。`,
        en: `Provisional: the result depends on ${shownEn}, and the ${years.join(', ')} holiday notice is not published yet, so, besides the statutory holidays (全国年节及纪念日放假办法 第二条), Monday–Friday working days are assumed${early ? `; likely ${due}, earliest ${earliest} should the notice make a weekend in between a working day (reminders are planned against the earliest)` : ''}; recompute when the notice is published.`,
      },
      ...(early ? { earliest } : {}),
    };
    steps.push({ zh: provisional.why.zh, en: provisional.why.en });
  }

  const derivation: Derivation = {
    start: start.given,
    startDate: S,
    period: { n: period.n, unit: period.unit, text: formatPeriod(period) },
    direction,
    rule: RULES[direction][period.unit],
    steps,
    ...(shift ? { shift } : {}),
    ...(provisional ? { provisional } : {}),
  };
  return { due, provisional: provisional !== undefined, earliest, derivation };
}

/** The first working day on or after (includeSelf) / strictly after a date. */
export function nextWorkingDay(calendar: Calendar, date: IsoDate, includeSelf = false): IsoDate {
  let d = includeSelf ? date : addDays(date, 1);
  for (let i = 0; !calendar.isWorkingDay(d); i++) {
    if (i > MAX_REST_RUN) throw new Error(`no working day within ${MAX_REST_RUN} days of ${date}`);
    d = addDays(d, 1);
  }
  return d;
}

/** The last working day on or before (includeSelf) / strictly before a date. */
export function previousWorkingDay(calendar: Calendar, date: IsoDate, includeSelf = false): IsoDate {
  let d = includeSelf ? date : addDays(date, -1);
  for (let i = 0; !calendar.isWorkingDay(d); i++) {
    if (i > MAX_REST_RUN) throw new Error(`no working day within ${MAX_REST_RUN} days of ${date}`);
    d = addDays(d, -1);
  }
  return d;
}
