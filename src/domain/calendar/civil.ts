// Plain civil dates ('YYYY-MM-DD') and Beijing time: the one home for instant → Beijing date / Beijing wall time
// and back (beijingDate, beijingIso, beijingWallTime, beijingYear, beijingInstant). Nothing else in the tree adds
// eight hours by hand.
//
// Every computation here works on day numbers obtained through Date.UTC and read back through the
// getUTC* accessors, so the result never depends on the machine's time zone (a Node server in any zone,
// a Cloudflare Worker in UTC). Legal dates in this project are Beijing dates: China has one zone, UTC+8,
// without daylight saving time since 1991.

/** A Beijing civil date, 'YYYY-MM-DD'. */
export type IsoDate = string;

/** An instant: a Date or an ISO 8601 string that carries its offset ('Z' or '±hh:mm'). */
export type Instant = Date | string;

/** Beijing is UTC+8 with no daylight saving time. */
export const BEIJING_OFFSET_MINUTES = 480;
/** The same offset in milliseconds, for code that works on epoch milliseconds (statistics over many cases). */
export const BEIJING_OFFSET_MS = BEIJING_OFFSET_MINUTES * 60_000;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// An instant string must say which instant it is: a bare local time ('2026-03-01T10:00') would be read
// in the machine's zone by Date.parse, which is exactly what must not happen.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export interface CivilParts {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function parseIsoDate(date: IsoDate): CivilParts {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date 'YYYY-MM-DD': ${JSON.stringify(date)}`);
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

export function isoDate(year: number, month: number, day: number): IsoDate {
  const s = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  if (!isIsoDate(s)) throw new RangeError(`no such date: ${year}-${month}-${day}`);
  return s;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 (a proleptic Gregorian day number). */
export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = parseIsoDate(date);
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function fromDayNumber(n: number): IsoDate {
  const d = new Date(n * MS_PER_DAY);
  return isoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function addDays(date: IsoDate, n: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + n);
}

/** b − a in days. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0; // ISO dates of 4-digit years sort as strings
}

/**
 * The same-numbered day n months later (n < 0: earlier); when the final month has no such day, its last
 * day (民法典 第202条: 没有对应日的，月末日为期间的最后一日). 2026-01-31 + 1 month → 2026-02-28.
 */
export function addMonths(date: IsoDate, n: number): IsoDate {
  const { year, month, day } = parseIsoDate(date);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return isoDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return (((toDayNumber(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function isWeekend(date: IsoDate): boolean {
  const w = weekday(date);
  return w === 0 || w === 6;
}

export function yearOf(date: IsoDate): number {
  return parseIsoDate(date).year;
}

const WEEKDAY_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'] as const;
const WEEKDAY_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export function weekdayName(date: IsoDate): { zh: string; en: string } {
  const w = weekday(date);
  return { zh: WEEKDAY_ZH[w] ?? '', en: WEEKDAY_EN[w] ?? '' };
}

/** Reads an instant; a string must carry 'Z' or an explicit offset. */
export function toInstant(instant: Instant): Date {
  if (instant instanceof Date) {
    if (Number.isNaN(instant.getTime())) throw new RangeError('invalid Date');
    return instant;
  }
  if (typeof instant !== 'string' || !ISO_INSTANT.test(instant)) {
    throw new RangeError(
      `not an ISO 8601 instant with a zone designator (e.g. '2026-03-01T15:59:00Z' or '2026-03-01T23:59:00+08:00'): ${JSON.stringify(instant)}`,
    );
  }
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) throw new RangeError(`invalid instant: ${instant}`);
  return d;
}

/**
 * The Beijing calendar date of an instant: 2026-03-01T15:59Z is 23:59 on 2026-03-01 in Beijing;
 * 2026-03-01T16:30Z is 00:30 on 2026-03-02 in Beijing.
 */
export function beijingDate(instant: Instant): IsoDate {
  const d = toInstant(instant);
  const shifted = new Date(d.getTime() + BEIJING_OFFSET_MS);
  return isoDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** The Beijing year of an instant (a hearing at 2026-12-31T16:30Z is in 2027 in Beijing). */
export function beijingYear(instant: Instant): number {
  return new Date(toInstant(instant).getTime() + BEIJING_OFFSET_MS).getUTCFullYear();
}

/** An instant written in Beijing time with its offset: 2026-11-23T12:00:00.000Z → 2026-11-23T20:00:00.000+08:00. */
export function beijingIso(instant: Instant): string {
  return new Date(toInstant(instant).getTime() + BEIJING_OFFSET_MS).toISOString().replace('Z', '+08:00');
}

/** An instant as Beijing wall time for people to read, 'YYYY-MM-DD HH:mm': 2026-11-23T02:00Z → '2026-11-23 10:00'. */
export function beijingWallTime(instant: Instant): string {
  return new Date(toInstant(instant).getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** The instant at a Beijing wall-clock time ('HH:mm', default 09:00) on a Beijing date. */
export function beijingInstant(date: IsoDate, time = '09:00'): Date {
  const { year, month, day } = parseIsoDate(date);
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  if (!m) throw new RangeError(`time must be 'HH:mm': ${JSON.stringify(time)}`);
  const hh = Number(m[1]);
  const mm = Number(m[2]);
  if (hh > 23 || mm > 59) throw new RangeError(`time out of range: ${time}`);
  return new Date(Date.UTC(year, month - 1, day, hh, mm) - BEIJING_OFFSET_MS);
}
