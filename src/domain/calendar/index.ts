// The legal calendar: Beijing civil dates, working days (with 调休 and overrides), period arithmetic.
export type { Calendar, CalendarOverrideDay, CalendarOverrides, DayInfo, DayKind, DaySource, SpecialDay, YearInfo } from './calendar.js';
export {
  addDays,
  addMonths,
  beijingDate,
  beijingInstant,
  beijingIso,
  beijingWallTime,
  beijingYear,
  compareDates,
  daysBetween,
  daysInMonth,
  isIsoDate,
  isWeekend,
  isoDate,
  parseIsoDate,
  toInstant,
  weekday,
  weekdayName,
  yearOf,
  BEIJING_OFFSET_MINUTES,
  BEIJING_OFFSET_MS,
} from './civil.js';
export type { CivilParts, Instant, IsoDate } from './civil.js';
export { chineseDaysCoverage, createChineseDaysCalendar, holidayDataFingerprint, NEXT_NOTICE_REACHES_BACK_TO } from './chinese-days-calendar.js';
export type { ChineseDaysCalendarOptions } from './chinese-days-calendar.js';
export { calendarOverrideDaySchema, calendarOverridesSchema, isoDateSchema, NO_OVERRIDES, parseCalendarOverrides } from './overrides.js';
export type { CalendarOverridesInput } from './overrides.js';
export { statutoryHoliday, statutoryHolidays, STATUTORY_SOURCE } from './statutory.js';
export type { StatutoryHoliday } from './statutory.js';
export { computeDue, formatPeriod, nextWorkingDay, parsePeriod, previousWorkingDay } from './periods.js';
export type { Bilingual, ComputeDueInput, Derivation, DerivationStep, DueResult, Period, PeriodDirection, PeriodStart, PeriodUnit } from './periods.js';
