// The legal calendar port: which Beijing dates are working days (工作日) and which are rest days
// (休息日: weekends and statutory holidays, 法定节假日), with the 调休 make-up working days that move
// weekends around the holidays. Implementations: ./chinese-days-calendar.ts.
import type { IsoDate } from './civil.js';

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday';

/**
 * Where a day's status comes from:
 * - 'package'      an explicit entry in the holiday data package (a holiday, or a 调休 make-up working day);
 * - 'override'     an administrator's override (a regional holiday, a notice published after the package);
 * - 'statute'      a holiday fixed by law for every year (全国年节及纪念日放假办法 第二条: 元旦, 春节 除夕–初三, 清明,
 *                  劳动节, 端午, 中秋, 国庆), applied where no notice is in the data: certain, whatever the notice adds;
 * - 'weekday_rule' no entry: Monday–Friday work, Saturday–Sunday rest. Whether that is confirmed by a
 *                  published notice is `settled`.
 */
export type DaySource = 'package' | 'override' | 'statute' | 'weekday_rule';

export interface DayInfo {
  date: IsoDate;
  working: boolean;
  kind: DayKind;
  /** Holiday or make-up day name in Chinese (春节, 国庆节 …) or the override's name. */
  name?: string;
  nameEn?: string;
  source: DaySource;
  /** An override's reason (the notice number, the regional decision). */
  reason?: string;
  /**
   * True when every holiday notice that can change this day is published: the notice of the date's year
   * and, for the last days of December, the next year's notice too (a New Year holiday can reach back
   * into December: the 2019 notice made 2018-12-29 a working day and 2018-12-30/31 rest days).
   */
  settled: boolean;
  /** When not settled: the year whose notice is still missing. */
  pendingNoticeYear?: number;
}

export interface SpecialDay {
  date: IsoDate;
  name?: string;
  nameEn?: string;
  source: 'package' | 'override' | 'statute';
  reason?: string;
}

/** What `GET /v1/calendar/{year}` returns. */
export interface YearInfo {
  year: number;
  /** Is this year's holiday notice (国务院办公厅 节假日安排通知) in the data? */
  published: boolean;
  publishedBy: 'package' | 'override' | null;
  /** Days declared rest (holidays, incl. the weekend days inside a holiday span); plain weekends are not listed. */
  restDays: SpecialDay[];
  /** Weekend days declared working days (调休 上班). */
  makeupWorkdays: SpecialDay[];
  /** Overrides that fall in this year, as entered. */
  overrides: CalendarOverrideDay[];
  /** How to read the lists, and why the year is provisional when it is. */
  notes: Array<{ zh: string; en: string }>;
}

export interface CalendarOverrideDay {
  date: IsoDate;
  working: boolean;
  name: string;
  reason: string;
}

export interface CalendarOverrides {
  days: CalendarOverrideDay[];
  /**
   * Years the administrator publishes by hand: the year's notice is confirmed as entered. Publishing confirms
   * data, it never discards it: the override days come first, then the package's data for the year (when it
   * has the year), then the statutory holidays of 第二条, then the weekday rule; every day of the year is settled.
   */
  publishedYears: number[];
}

export interface Calendar {
  isWorkingDay(date: IsoDate): boolean;
  dayInfo(date: IsoDate): DayInfo;
  /** Does the data cover that year (its holiday notice is in the package or published by override)? */
  isPublished(year: number): boolean;
  yearInfo(year: number): YearInfo;
}
