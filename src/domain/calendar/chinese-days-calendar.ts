// The legal calendar over the `chinese-days` package (holiday and 调休 data from the State Council's
// yearly notices, 国务院办公厅关于部分节假日安排的通知), with administrator overrides layered on top.
//
// Two traps of the package, handled here:
// 1. For a year it has no data for, it silently answers as if Monday–Friday were working days
//    (2027-01-01 comes back as a working day). We derive the years it covers from its own data and mark
//    every other year unpublished (deadlines in it are provisional).
// 2. Its date parser reads 'YYYY-MM-DD' as UTC midnight and then formats with local-time getters, so west
//    of UTC '2026-02-15' comes back as 2026-02-14. We never hand it a string: we pass a Date at local noon
//    of the civil date, which reads back as that same date in any time zone.
import chineseDays from 'chinese-days';
import type { Calendar, CalendarOverrideDay, CalendarOverrides, DayInfo, DayKind, SpecialDay, YearInfo } from './calendar.js';
import { addDays, isIsoDate, isoDate, isWeekend, yearOf } from './civil.js';
import type { IsoDate } from './civil.js';
import { calendarOverridesSchema } from './overrides.js';
import { statutoryHoliday, statutoryHolidays } from './statutory.js';
import type { CalendarOverridesInput } from './overrides.js';

/**
 * From this month-day on, a date can still be changed by the NEXT year's notice: a New Year holiday and
 * its make-up day can reach back into late December. In the package's data (2004–2026) the earliest such
 * date is 12-29 (2007-12-29 and 2018-12-29 made working days; 2022-12-31 a rest day); 12-25 keeps a margin
 * of a weekend, since 调休 pairs a holiday with the nearest weekend.
 */
export const NEXT_NOTICE_REACHES_BACK_TO = '12-25';

/** Years probed when deriving the package's coverage (its data starts in 2004). */
const PROBE_FROM = 1990;
const PROBE_TO = 2150;

interface PackageEntry {
  working: boolean;
  nameZh: string;
  nameEn: string;
}

function localNoon(date: IsoDate): Date {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return new Date(y, m - 1, d, 12, 0, 0, 0);
}

/**
 * The package's explicit entry for a date, or null when it only applies its weekday rule. Its
 * getDayDetail names an entry 'Spring Festival,春节,4' and a plain day by its weekday ('Tuesday').
 */
function packageEntry(date: IsoDate): PackageEntry | null {
  const detail = chineseDays.getDayDetail(localNoon(date));
  if (detail.date !== date) {
    // Cannot happen with a local-noon Date; fail loudly rather than answer for another day.
    throw new Error(`chinese-days answered for ${detail.date} when asked about ${date}`);
  }
  const parts = detail.name.split(',');
  if (parts.length < 2) return null;
  return { working: detail.work, nameEn: parts[0] ?? '', nameZh: parts[1] ?? '' };
}

let coverageCache: { years: readonly number[]; first: number; last: number } | undefined;

/**
 * The years the installed chinese-days has notices for, derived from its data: every notice declares
 * 1 January (元旦) a holiday, so a year is covered iff its 1 January is an explicit holiday entry.
 * (chinese-days 1.5.7 answers 2004–2026.)
 */
export function chineseDaysCoverage(): { years: readonly number[]; first: number; last: number } {
  if (!coverageCache) {
    const years: number[] = [];
    for (let y = PROBE_FROM; y <= PROBE_TO; y++) {
      const entry = packageEntry(isoDate(y, 1, 1));
      if (entry && !entry.working) years.push(y);
    }
    const first = years[0];
    const last = years[years.length - 1];
    if (first === undefined || last === undefined) {
      throw new Error('chinese-days: no holiday data found (package changed its format?)');
    }
    coverageCache = { years: Object.freeze(years), first, last };
  }
  return coverageCache;
}

export interface ChineseDaysCalendarOptions {
  /**
   * Restrict the package years that count as published (default: all the package covers). For tests and
   * for pinning a deployment to the notices it has reviewed.
   */
  packageYears?: readonly number[];
}

function kindFor(date: IsoDate, working: boolean): DayKind {
  if (working) return isWeekend(date) ? 'makeup_workday' : 'workday';
  return 'holiday';
}

const CACHE_LIMIT = 20_000;

export function createChineseDaysCalendar(overrides?: CalendarOverrides | CalendarOverridesInput, options: ChineseDaysCalendarOptions = {}): Calendar {
  const parsed = calendarOverridesSchema.parse(overrides ?? {});
  const overrideDays = new Map<IsoDate, CalendarOverrideDay>(parsed.days.map((d) => [d.date, d]));
  const overrideYears = new Set(parsed.publishedYears);
  const packageYears = new Set(options.packageYears ?? chineseDaysCoverage().years);
  if (options.packageYears) {
    const covered = new Set(chineseDaysCoverage().years);
    for (const y of options.packageYears) {
      if (!covered.has(y)) throw new RangeError(`chinese-days has no data for ${y}`);
    }
  }
  const cache = new Map<IsoDate, DayInfo>();

  const isPublished = (year: number): boolean => overrideYears.has(year) || packageYears.has(year);

  const settledness = (date: IsoDate): Pick<DayInfo, 'settled' | 'pendingNoticeYear'> => {
    const year = yearOf(date);
    if (!isPublished(year)) return { settled: false, pendingNoticeYear: year };
    if (date.slice(5) >= NEXT_NOTICE_REACHES_BACK_TO && !isPublished(year + 1)) {
      return { settled: false, pendingNoticeYear: year + 1 };
    }
    return { settled: true };
  };

  const weekdayRule = (date: IsoDate): DayInfo => {
    const weekend = isWeekend(date);
    return {
      date,
      working: !weekend,
      kind: weekend ? 'weekend' : 'workday',
      source: 'weekday_rule',
      ...settledness(date),
    };
  };

  const compute = (date: IsoDate): DayInfo => {
    const year = yearOf(date);
    const o = overrideDays.get(date);
    if (o) {
      // An administrator's word on a date is final for that date.
      return {
        date,
        working: o.working,
        kind: kindFor(date, o.working),
        name: o.name,
        source: 'override',
        reason: o.reason,
        settled: true,
      };
    }
    // A year published by override keeps the package's data for it (publishing confirms, never discards).
    if (packageYears.has(year) || packageYears.has(year + 1)) {
      const entry = packageEntry(date);
      if (entry) {
        return {
          date,
          working: entry.working,
          kind: kindFor(date, entry.working),
          name: entry.nameZh,
          nameEn: entry.nameEn,
          source: 'package',
          ...settledness(date),
        };
      }
    }
    if (!packageYears.has(year)) {
      // 全国年节及纪念日放假办法 第二条: fixed by law for every year, so a rest day whatever the notice adds.
      const h = statutoryHoliday(date);
      if (h)
        return {
          date,
          working: false,
          kind: 'holiday',
          name: h.nameZh,
          nameEn: h.nameEn,
          source: 'statute',
          reason: '全国年节及纪念日放假办法 第二条',
          settled: true,
        };
    }
    return weekdayRule(date);
  };

  const dayInfo = (date: IsoDate): DayInfo => {
    if (!isIsoDate(date)) throw new RangeError(`not a calendar date 'YYYY-MM-DD': ${JSON.stringify(date)}`);
    let info = cache.get(date);
    if (!info) {
      info = compute(date);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(date, info);
    }
    return info;
  };

  const yearInfo = (year: number): YearInfo => {
    if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`bad year: ${year}`);
    const restDays: SpecialDay[] = [];
    const makeupWorkdays: SpecialDay[] = [];
    const toSpecial = (d: DayInfo): SpecialDay => ({
      date: d.date,
      ...(d.name !== undefined ? { name: d.name } : {}),
      ...(d.nameEn !== undefined ? { nameEn: d.nameEn } : {}),
      source: d.source === 'override' ? 'override' : d.source === 'statute' ? 'statute' : 'package',
      ...(d.reason !== undefined ? { reason: d.reason } : {}),
    });
    for (let d = isoDate(year, 1, 1); yearOf(d) === year; d = addDays(d, 1)) {
      const info = dayInfo(d);
      if (info.source === 'weekday_rule') continue;
      if (info.kind === 'holiday') restDays.push(toSpecial(info));
      else if (info.kind === 'makeup_workday') makeupWorkdays.push(toSpecial(info));
    }
    const published = isPublished(year);
    const notes: YearInfo['notes'] = [
      {
        zh: '未列出的日期按周一至周五工作、周六周日休息确定。',
        en: 'Dates not listed follow the weekday rule: Monday–Friday work, Saturday and Sunday rest.',
      },
    ];
    if (!published) {
      notes.push({
        zh: `${year} 年节假日安排通知尚未收录（国务院办公厅通常于上一年 11 月前后发布）；该年已按全国年节及纪念日放假办法第二条确定法定节假日，调休安排未知，其余日期暂按周一至周五推算；据此计算的期限为临时期限（同时给出最早可能的届满日），通知发布后须重新计算。`,
        en: `The ${year} holiday notice is not in the data yet (the State Council usually publishes it around November of the year before); the holidays fixed by 全国年节及纪念日放假办法 第二条 apply, the 调休 are unknown and other dates are assumed to follow the weekday rule; deadlines computed from them are provisional (with the earliest date they could fall on) and must be recomputed when the notice arrives.`,
      });
    } else if (!isPublished(year + 1)) {
      notes.push({
        zh: `${year + 1} 年通知尚未收录：${year} 年 ${NEXT_NOTICE_REACHES_BACK_TO.replace('-', ' 月 ')} 日以后的日期可能因元旦调休而改变。`,
        en: `The ${year + 1} notice is not in the data yet: dates from ${year}-${NEXT_NOTICE_REACHES_BACK_TO} on may still change with the New Year arrangement.`,
      });
    }
    return {
      year,
      published,
      publishedBy: overrideYears.has(year) ? 'override' : packageYears.has(year) ? 'package' : null,
      restDays,
      makeupWorkdays,
      overrides: parsed.days.filter((d) => yearOf(d.date) === year).sort((a, b) => (a.date < b.date ? -1 : 1)),
      notes,
    };
  };

  return {
    isWorkingDay: (date) => dayInfo(date).working,
    dayInfo,
    isPublished,
    yearInfo,
  };
}

/** How many years past the package's data the statutory holidays are put in the fingerprint. */
const FINGERPRINT_AHEAD = 10;
let fingerprintCache: string | undefined;

/** The newest years whose every entry goes in the fingerprint (the package is slow per day: ~17 µs). */
const FINGERPRINT_RECENT = 2;

/**
 * A canonical text of the holiday data the calendar answers from: the years the installed chinese-days has notices
 * for, every explicit entry of its newest years (where a new package version adds or corrects a notice), and the
 * statutory holidays computed for the years after them. Its digest is the holiday data's version: when it changes,
 * the deadlines planned from the old data must be re-planned. (A correction of an older year alone would go
 * unnoticed; the State Council has not corrected a past notice.) About 15–55 ms (measured), once per process.
 */
export function holidayDataFingerprint(): string {
  if (fingerprintCache) return fingerprintCache;
  const { years, last } = chineseDaysCoverage();
  const lines: string[] = [`coverage ${years.join(',')}`];
  for (const y of years.slice(-FINGERPRINT_RECENT)) {
    for (let d = isoDate(y, 1, 1); yearOf(d) === y; d = addDays(d, 1)) {
      const e = packageEntry(d);
      if (e) lines.push(`${d} ${e.working ? 'work' : 'rest'} ${e.nameZh}`);
    }
  }
  for (let y = last + 1; y <= last + FINGERPRINT_AHEAD; y++) {
    for (const h of statutoryHolidays(y).values()) lines.push(`${h.date} statute ${h.nameZh}`);
  }
  fingerprintCache = lines.join('\n');
  return fingerprintCache;
}
