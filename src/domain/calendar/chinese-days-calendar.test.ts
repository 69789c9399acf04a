import { afterEach, describe, expect, it } from 'vitest';
import { chineseDaysCoverage, createChineseDaysCalendar } from './chinese-days-calendar.js';
import { calendarOverridesSchema } from './overrides.js';

// The 2026 notice (国务院办公厅, gov.cn content_7047091), as quoted in chinese-days' source:
// 元旦 1/1–1/3 off, 1/4 (Sun) work; 春节 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) work; 清明 4/4–4/6;
// 劳动节 5/1–5/5 off, 5/9 (Sat) work; 端午 6/19–6/21; 中秋 9/25–9/27; 国庆 10/1–10/7 off, 9/20 (Sun)
// and 10/10 (Sat) work.

describe('coverage derived from the package data', () => {
  it('covers 2004–2026 and not 2027 (chinese-days 1.5.7)', () => {
    const c = chineseDaysCoverage();
    expect(c.first).toBe(2004);
    expect(c.last).toBeGreaterThanOrEqual(2026);
    expect(c.years).toContain(2026);
    // If a newer chinese-days adds 2027, the provisional tests must move to the next uncovered year.
    expect(c.years, 'chinese-days now covers 2027: move the "unpublished year" tests to 2028').not.toContain(2027);
  });
});

describe('dayInfo over chinese-days', () => {
  const cal = createChineseDaysCalendar();

  it('Spring Festival 2026: 2/15–2/23 are holidays, the Saturdays 2/14 and 2/28 are make-up working days', () => {
    for (const d of ['2026-02-15', '2026-02-18', '2026-02-23']) {
      expect(cal.dayInfo(d)).toMatchObject({ working: false, kind: 'holiday', name: '春节', source: 'package', settled: true });
    }
    expect(cal.dayInfo('2026-02-14')).toMatchObject({ working: true, kind: 'makeup_workday', name: '春节', source: 'package' });
    expect(cal.dayInfo('2026-02-28')).toMatchObject({ working: true, kind: 'makeup_workday' });
    expect(cal.dayInfo('2026-02-24')).toMatchObject({ working: true, kind: 'workday', source: 'weekday_rule', settled: true });
  });

  it('an ordinary weekend and weekday follow the weekday rule', () => {
    expect(cal.dayInfo('2026-03-01')).toMatchObject({ working: false, kind: 'weekend', source: 'weekday_rule' });
    expect(cal.dayInfo('2026-03-02')).toMatchObject({ working: true, kind: 'workday', source: 'weekday_rule' });
  });

  it('2027 has no data: 2027-01-01 is a statutory holiday (第二条), other days follow the weekday rule unsettled', () => {
    expect(cal.isPublished(2026)).toBe(true);
    expect(cal.isPublished(2027)).toBe(false);
    // The package itself would say "working day" (a Friday) for New Year's Day 2027.
    expect(cal.dayInfo('2027-01-01')).toMatchObject({ working: false, source: 'statute', name: '元旦' });
    expect(cal.dayInfo('2027-01-05')).toMatchObject({
      working: true,
      source: 'weekday_rule',
      settled: false,
      pendingNoticeYear: 2027,
    });
  });

  it('the last days of December wait for the next year’s notice (the 2019 notice moved 2018-12-29..31)', () => {
    expect(cal.dayInfo('2018-12-29')).toMatchObject({ working: true, kind: 'makeup_workday', name: '元旦' });
    expect(cal.dayInfo('2018-12-31')).toMatchObject({ working: false, kind: 'holiday', name: '元旦' });
    expect(cal.dayInfo('2026-12-28')).toMatchObject({ settled: false, pendingNoticeYear: 2027 });
    expect(cal.dayInfo('2026-12-24')).toMatchObject({ settled: true });
  });

  it('yearInfo(2026) lists the 33 rest days and 6 make-up days of the notice', () => {
    const y = cal.yearInfo(2026);
    // 3 (元旦) + 9 (春节) + 3 (清明) + 5 (劳动节) + 3 (端午) + 3 (中秋) + 7 (国庆) = 33.
    expect(y.restDays).toHaveLength(33);
    expect(y.makeupWorkdays.map((d) => d.date)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(y).toMatchObject({ year: 2026, published: true, publishedBy: 'package' });
  });

  it('yearInfo(2027) says it is unpublished and why', () => {
    const y = cal.yearInfo(2027);
    expect(y).toMatchObject({ published: false, publishedBy: null, makeupWorkdays: [] });
    expect(y.restDays.every((d) => d.source === 'statute')).toBe(true);
    expect(y.notes.map((n) => n.en).join(' ')).toMatch(/provisional/);
    expect(y.notes.map((n) => n.zh).join(' ')).toMatch(/临时期限/);
  });
});

describe('administrator overrides', () => {
  it('a regional holiday is a rest day with its reason', () => {
    const cal = createChineseDaysCalendar({
      days: [{ date: '2026-03-16', working: false, name: '地方节日', reason: '区政府决定（示例）' }],
    });
    expect(cal.dayInfo('2026-03-16')).toMatchObject({
      working: false,
      kind: 'holiday',
      source: 'override',
      reason: '区政府决定（示例）',
    });
    expect(cal.yearInfo(2026).restDays.map((d) => d.date)).toContain('2026-03-16');
  });

  it('publishing 2027 by override makes it published; days without an override follow the weekday rule', () => {
    const cal = createChineseDaysCalendar({
      days: [{ date: '2027-01-01', working: false, name: '元旦', reason: '2027 年通知（手工录入）' }],
      publishedYears: [2027],
    });
    expect(cal.isPublished(2027)).toBe(true);
    expect(cal.yearInfo(2027)).toMatchObject({ published: true, publishedBy: 'override' });
    expect(cal.dayInfo('2027-01-01')).toMatchObject({ working: false, source: 'override', settled: true });
    expect(cal.dayInfo('2027-01-04')).toMatchObject({ working: true, source: 'weekday_rule', settled: true });
    // With 2027 published, late December 2026 is settled too.
    expect(cal.dayInfo('2026-12-28').settled).toBe(true);
  });

  it('publishing a year the package has confirms its data, never discards it', () => {
    // 2026-02-16 is a Monday inside the package's Spring Festival: publishing 2026 keeps it a holiday.
    const cal = createChineseDaysCalendar({ days: [], publishedYears: [2026] });
    expect(cal.dayInfo('2026-02-16')).toMatchObject({ working: false, kind: 'holiday', source: 'package', settled: true });
  });

  it('全国年节及纪念日放假办法 第二条: the statutory holidays are rest days in a year without a notice (lunar dates from chinese-days)', () => {
    const cal = createChineseDaysCalendar();
    const rest = cal.yearInfo(2027).restDays.map((d) => d.date);
    // 元旦; 除夕 2027-02-05 and 正月初一至初三 2027-02-06..08; 清明 04-05; 5-01/02; 端午 06-09; 中秋 09-15; 10-01..03.
    expect(rest).toEqual([
      '2027-01-01',
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-04-05',
      '2027-05-01',
      '2027-05-02',
      '2027-06-09',
      '2027-09-15',
      '2027-10-01',
      '2027-10-02',
      '2027-10-03',
    ]);
    expect(cal.dayInfo('2027-01-01')).toMatchObject({ working: false, kind: 'holiday', source: 'statute', settled: true });
    // The weekdays around them are still unknown (a notice may add bridge days or 调休).
    expect(cal.dayInfo('2027-01-04')).toMatchObject({ working: true, source: 'weekday_rule', settled: false });
    expect(cal.isPublished(2027)).toBe(false);
  });

  it('rejects a duplicate or malformed override with a path', () => {
    const dup = calendarOverridesSchema.safeParse({
      days: [
        { date: '2026-03-16', working: false, name: 'a', reason: 'r' },
        { date: '2026-03-16', working: true, name: 'b', reason: 'r' },
      ],
    });
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]?.path).toEqual(['days', 1, 'date']);
    const bad = calendarOverridesSchema.safeParse({ days: [{ date: '2026-02-30', working: false, name: 'x', reason: 'y' }] });
    expect(bad.error?.issues[0]?.path).toEqual(['days', 0, 'date']);
  });
});

describe('independent of the machine time zone', () => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('west of UTC (where the package misreads date strings) the answers do not change', () => {
    process.env.TZ = 'America/Los_Angeles';
    const cal = createChineseDaysCalendar();
    expect(cal.dayInfo('2026-02-15')).toMatchObject({ date: '2026-02-15', kind: 'holiday' });
    expect(cal.dayInfo('2026-02-14')).toMatchObject({ date: '2026-02-14', kind: 'makeup_workday' });
    expect(cal.dayInfo('2026-03-02')).toMatchObject({ kind: 'workday' });
    process.env.TZ = 'Pacific/Kiritimati'; // UTC+14
    const cal2 = createChineseDaysCalendar();
    expect(cal2.dayInfo('2026-02-23')).toMatchObject({ kind: 'holiday' });
    expect(cal2.dayInfo('2026-02-24')).toMatchObject({ kind: 'workday' });
  });
});
