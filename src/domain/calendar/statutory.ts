// The holidays the law itself fixes for every year (全国年节及纪念日放假办法 第二条), whatever the State Council's
// yearly notice later adds (调休, 补假): 元旦; 春节 (农历除夕、正月初一至初三); 清明节; 劳动节 (5月1日、2日);
// 端午节; 中秋节; 国庆节 (10月1日至3日). The lunar dates and the solar term 清明 come from the maintained
// `chinese-days` package (its lunar and solar-term computation covers 1900–2100), never from our own tables.
// Versions: the 2024 revision (国务院令第795号, in force 2025-01-01) added 除夕 and 5月2日; for earlier years the
// 2013 text applies (春节 初一至初三, 劳动节 5月1日).
import chineseDays from 'chinese-days';
import { addDays, isoDate } from './civil.js';
import type { IsoDate } from './civil.js';

export interface StatutoryHoliday {
  date: IsoDate;
  nameZh: string;
  nameEn: string;
}

export const STATUTORY_SOURCE = '全国年节及纪念日放假办法 第二条';

const cache = new Map<number, ReadonlyMap<IsoDate, StatutoryHoliday>>();

/** The solar date of a lunar month-day of a lunar year (the non-leap month). */
function fromLunar(year: number, month: number, day: number): IsoDate {
  const r = chineseDays.getSolarDateFromLunar(isoDate(year, month, day));
  if (!r || typeof r.date !== 'string') throw new Error(`chinese-days: no solar date for lunar ${year}-${month}-${day}`);
  return r.date;
}

/** Every date of `year` that 第二条 makes a holiday for all citizens. Years 1901–2099. */
export function statutoryHolidays(year: number): ReadonlyMap<IsoDate, StatutoryHoliday> {
  if (!Number.isInteger(year) || year < 1901 || year > 2099) throw new RangeError(`statutory holidays are computed for 1901–2099, not ${year}`);
  const hit = cache.get(year);
  if (hit) return hit;
  const revised2024 = year >= 2025;
  const out = new Map<IsoDate, StatutoryHoliday>();
  const add = (date: IsoDate, nameZh: string, nameEn: string) => {
    // A lunar holiday of the lunar year before can fall in this year's January (除夕 2028-01-25 …); only this year's dates.
    if (date.startsWith(`${year}-`)) out.set(date, { date, nameZh, nameEn });
  };
  add(isoDate(year, 1, 1), '元旦', "New Year's Day");
  // 春节: the lunar new year of this Gregorian year and of the next (除夕 of the next can fall on 12-31? never: it is
  // always late January to mid February), so only this year's lunar new year.
  const newYear = fromLunar(year, 1, 1);
  if (revised2024) add(addDays(newYear, -1), '春节（除夕）', 'Spring Festival (New Year’s Eve)');
  for (let k = 0; k < 3; k++) add(addDays(newYear, k), '春节', 'Spring Festival');
  add(chineseDays.getSolarTermDate(year, 4, 'pure_brightness'), '清明节', 'Tomb-sweeping Day');
  add(isoDate(year, 5, 1), '劳动节', 'Labour Day');
  if (revised2024) add(isoDate(year, 5, 2), '劳动节', 'Labour Day');
  add(fromLunar(year, 5, 5), '端午节', 'Dragon Boat Festival');
  add(fromLunar(year, 8, 15), '中秋节', 'Mid-autumn Festival');
  for (let d = 1; d <= 3; d++) add(isoDate(year, 10, d), '国庆节', 'National Day');
  const frozen: ReadonlyMap<IsoDate, StatutoryHoliday> = out;
  cache.set(year, frozen);
  return frozen;
}

/** The statutory holiday on a date, if any. */
export function statutoryHoliday(date: IsoDate): StatutoryHoliday | undefined {
  const year = Number(date.slice(0, 4));
  if (year < 1901 || year > 2099) return undefined;
  return statutoryHolidays(year).get(date);
}
