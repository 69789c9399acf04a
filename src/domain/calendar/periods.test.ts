import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createChineseDaysCalendar } from './chinese-days-calendar.js';
import { addDays, daysBetween } from './civil.js';
import type { IsoDate } from './civil.js';
import { computeDue, formatPeriod, parsePeriod } from './periods.js';
import type { PeriodDirection, PeriodStart } from './periods.js';

const cal = createChineseDaysCalendar();
const due = (start: PeriodStart, text: string, direction: PeriodDirection = 'after', calendar = cal) =>
  computeDue({ start, period: parsePeriod(text), direction, calendar });

// Weekdays used below, from 2026-01-01 = Thursday (the 2026 notice says 周四):
// 2026-03-01 Sun, 03-16 Mon, 03-17 Tue; 02-06 Fri, 02-21 Sat; 09-20 Sun; 10-05 Mon; 10-08 Thu.

describe('calendar days (民诉解释 第125条; 民诉法 第85条; 行诉解释 第48条)', () => {
  it('the day of the event is not counted: 15 days after 2026-03-01 is 2026-03-16 (民诉解释 第125条)', () => {
    const r = due({ date: '2026-03-01' }, '15d');
    // Day 1 = 03-02, day 15 = 03-16, a Monday and a working day: no shift.
    expect(r.due).toBe('2026-03-16');
    expect(r.provisional).toBe(false);
    expect(r.derivation.shift).toBeUndefined();
    expect(r.derivation.rule.sources).toContain('民诉解释 第125条');
  });

  it('Beijing date boundary: arrival at 23:59 Beijing (15:59Z) counts from 1 March, at 00:30 (16:30Z) from 2 March', () => {
    expect(due('2026-03-01T15:59:00Z', '15d').due).toBe('2026-03-16');
    const late = due('2026-03-01T16:30:00Z', '15d');
    expect(late.derivation.startDate).toBe('2026-03-02');
    // 03-02 + 15 = 03-17, a Tuesday.
    expect(late.due).toBe('2026-03-17');
  });

  it('Spring Festival 2026: a last day inside the holiday moves to the next working day (民诉法 第85条)', () => {
    // 02-06 + 15 = 02-21 (Sat, inside 春节 02-15..02-23); 02-22 and 02-23 are still 春节; 02-24 (Tue) works.
    const r = due({ date: '2026-02-06' }, '15d');
    expect(r.due).toBe('2026-02-24');
    expect(r.derivation.shift).toMatchObject({ from: '2026-02-21', to: '2026-02-24' });
    expect(r.derivation.shift?.why.zh).toContain('春节');
    expect(r.derivation.shift?.why.en).toContain('Spring Festival');
  });

  it('holidays inside a period still count (行诉解释 第48条): 02-10 + 15 is 02-25 despite 9 days of 春节 inside', () => {
    const r = due({ date: '2026-02-10' }, '15d');
    // 02-25 is a Wednesday after the holiday: a working day, so no shift and no extension for the 9 holiday days.
    expect(r.due).toBe('2026-02-25');
    expect(r.derivation.steps.some((s) => s.zh.includes('照常计入'))).toBe(true);
  });

  it('National Day 2026: 09-20 + 15 = 10-05 (holiday) → 10-08, the first working day after 10-01..10-07', () => {
    expect(due({ date: '2026-09-20' }, '15d').due).toBe('2026-10-08');
  });

  it('New Year 2026: 2025-12-17 + 15 = 2026-01-01 (元旦) → 2026-01-04, a Sunday made a working day by 调休', () => {
    // 01-01, 01-02, 01-03 are 元旦 rest days; 01-04 (Sun) is a make-up working day, so the period ends on it.
    const r = due({ date: '2025-12-17' }, '15d');
    expect(r.due).toBe('2026-01-04');
    expect(r.derivation.shift?.why.zh).toContain('元旦');
  });

  it('an ordinary weekend: 2026-03-05 + 15 = 03-20 (Fri) stays; 03-06 + 15 = 03-21 (Sat) → 03-23 (Mon)', () => {
    expect(due({ date: '2026-03-05' }, '15d').due).toBe('2026-03-20');
    expect(due({ date: '2026-03-06' }, '15d').due).toBe('2026-03-23');
  });
});

describe('working days (行政复议法 第88条)', () => {
  it('counts the make-up Saturday 2026-02-14 as a working day and skips the whole Spring Festival', () => {
    // After 02-12 (Thu): 02-13 Fri (1), 02-14 Sat make-up (2), 02-15..02-23 rest, 02-24 Tue (3).
    const r = due({ date: '2026-02-12' }, '3wd');
    expect(r.due).toBe('2026-02-24');
    expect(r.derivation.rule.sources).toEqual(['行政复议法 第88条']);
    expect(r.derivation.steps.some((s) => s.en.includes('2026-02-14') && s.en.includes('Make-up'))).toBe(true);
  });

  it('the make-up Sunday 2026-09-20 is the first working day after Friday 09-18', () => {
    // 09-19 (Sat) rests; 09-20 (Sun) is a 国庆 make-up working day.
    expect(due({ date: '2026-09-18' }, '1wd').due).toBe('2026-09-20');
  });

  it('5 working days from Monday 2026-03-02 end on Monday 03-09 (the weekend is skipped)', () => {
    expect(due({ date: '2026-03-02' }, '5wd').due).toBe('2026-03-09');
  });
});

describe('months (民法典 第202条, then the rest-day rule)', () => {
  it('2026-01-31 + 1 month = 2026-02-28, which is a make-up Saturday (春节 调休) and so stays', () => {
    const r = due({ date: '2026-01-31' }, '1m');
    expect(r.due).toBe('2026-02-28');
    expect(r.derivation.steps.some((s) => s.en.includes('has no day 31'))).toBe(true);
  });

  it('2028-01-31 + 1 month = 2028-02-29 (leap year), provisional because 2028 has no data', () => {
    const r = due({ date: '2028-01-31' }, '1m');
    expect(r.due).toBe('2028-02-29'); // a Tuesday by the weekday rule
    expect(r.provisional).toBe(true);
  });

  it('2026-03-31 + 2 months = 05-31 (Sunday) → 06-01 (Monday)', () => {
    expect(due({ date: '2026-03-31' }, '2m').due).toBe('2026-06-01');
  });
});

describe('"N days before X" moves EARLIER on a rest day (our choice, e.g. P 第十一条 答辩期满前五日)', () => {
  it('5 days before 2026-10-12 is 10-07 (国庆) → back over 10-01..10-07 to Wednesday 09-30', () => {
    const r = due({ date: '2026-10-12' }, '5d', 'before');
    expect(r.due).toBe('2026-09-30');
    expect(r.derivation.shift).toMatchObject({ from: '2026-10-07', to: '2026-09-30' });
    expect(r.derivation.shift?.why.en).toMatch(/must not slip later/);
  });

  it('5 days before 2026-03-20 (Fri) is 03-15 (Sun) → Friday 03-13', () => {
    expect(due({ date: '2026-03-20' }, '5d', 'before').due).toBe('2026-03-13');
  });

  it('5 days before 2026-02-24 is 02-19 (春节) → back to the make-up Saturday 02-14', () => {
    expect(due({ date: '2026-02-24' }, '5d', 'before').due).toBe('2026-02-14');
  });
});

describe('a year without published data is provisional (docs/domain.md §4)', () => {
  it('15 days after 2026-12-20 lands on 2027-01-04: provisional, naming 2027 in zh and en', () => {
    const r = due({ date: '2026-12-20' }, '15d');
    // 2027-01-04 is a Monday by the weekday rule; whether it is a working day depends on the 2027 notice.
    expect(r.due).toBe('2027-01-04');
    expect(r.provisional).toBe(true);
    expect(r.derivation.provisional?.years).toEqual([2027]);
    expect(r.derivation.provisional?.why.zh).toContain('2027 年节假日安排通知尚未发布');
    expect(r.derivation.provisional?.why.en).toContain('2027 holiday notice is not published');
  });

  it('a result wholly inside published 2026 (before late December) is not provisional', () => {
    expect(due({ date: '2026-11-01' }, '15d').provisional).toBe(false);
  });

  it('late December 2026 is provisional until the 2027 notice is in (it may move New Year days back into December)', () => {
    // 12-13 + 15 = 12-28, a Monday: settled only once the 2027 notice is known.
    const r = due({ date: '2026-12-13' }, '15d');
    expect(r.due).toBe('2026-12-28');
    expect(r.provisional).toBe(true);
  });
});

describe('overrides change results', () => {
  it('publishing 2027 with 元旦 on 2027-01-01 (Fri) moves a deadline to Monday 01-04 and makes it final', () => {
    // Without the notice: 2026-12-17 + 15 = 2027-01-01, a Friday and New Year's Day (全国年节及纪念日放假办法 第二条):
    // likely Monday 01-04, provisional; earliest Saturday 01-02 should the notice make it a 调休 working day.
    const before = due({ date: '2026-12-17' }, '15d');
    expect(before).toMatchObject({ due: '2027-01-04', provisional: true, earliest: '2027-01-02' });
    const withNotice = createChineseDaysCalendar({
      days: [{ date: '2027-01-01', working: false, name: '元旦', reason: '2027 年节假日安排通知（手工录入）' }],
      publishedYears: [2027],
    });
    // 01-01 rest, 01-02 Sat, 01-03 Sun, 01-04 Mon works.
    const after = due({ date: '2026-12-17' }, '15d', 'after', withNotice);
    expect(after).toMatchObject({ due: '2027-01-04', provisional: false });
    expect(after.derivation.shift?.why.zh).toContain('元旦');
  });

  it('a regional rest day on 2026-03-16 moves "15 days after 03-01" to 03-17', () => {
    const regional = createChineseDaysCalendar({
      days: [{ date: '2026-03-16', working: false, name: '地方节日', reason: '示例' }],
    });
    expect(due({ date: '2026-03-01' }, '15d', 'after', regional).due).toBe('2026-03-17');
  });
});

describe('parsePeriod', () => {
  it("reads '15d', '2m', '5wd' and writes them back", () => {
    expect(parsePeriod('15d')).toEqual({ n: 15, unit: 'day' });
    expect(parsePeriod('2m')).toEqual({ n: 2, unit: 'month' });
    expect(parsePeriod(' 5WD ')).toEqual({ n: 5, unit: 'working_day' });
    expect(formatPeriod(parsePeriod('5wd'))).toBe('5wd');
  });

  it('rejects anything else', () => {
    for (const bad of ['', 'd', '-1d', '1y', '1.5d', '15 days', '99999d']) expect(() => parsePeriod(bad)).toThrow(RangeError);
  });
});

describe('properties (fast-check)', () => {
  // Starts from 2005-01-01 to 2026-10-31: everything stays inside published data.
  const startDate = fc.integer({ min: 0, max: daysBetween('2005-01-01', '2026-10-31') }).map((k) => addDays('2005-01-01', k));

  it('a calendar-day due date is never before start + n, is a working day, and only rest days lie between', () => {
    fc.assert(
      fc.property(startDate, fc.integer({ min: 0, max: 60 }), (s: IsoDate, n) => {
        const r = computeDue({ start: { date: s }, period: { n, unit: 'day' }, direction: 'after', calendar: cal });
        const raw = addDays(s, n);
        expect(r.due >= raw).toBe(true);
        expect(cal.isWorkingDay(r.due)).toBe(true);
        for (let d = raw; d < r.due; d = addDays(d, 1)) expect(cal.isWorkingDay(d)).toBe(false);
      }),
    );
  });

  it('a "before" due date is never after anchor − n, is a working day, and only rest days lie between', () => {
    fc.assert(
      fc.property(startDate, fc.integer({ min: 0, max: 30 }), (s: IsoDate, n) => {
        const r = computeDue({ start: { date: s }, period: { n, unit: 'day' }, direction: 'before', calendar: cal });
        const raw = addDays(s, -n);
        expect(r.due <= raw).toBe(true);
        expect(cal.isWorkingDay(r.due)).toBe(true);
        for (let d = addDays(r.due, 1); d <= raw; d = addDays(d, 1)) expect(cal.isWorkingDay(d)).toBe(false);
      }),
    );
  });

  it('n working days after s: exactly n working days lie in (s, due], the last being due', () => {
    fc.assert(
      fc.property(startDate, fc.integer({ min: 1, max: 20 }), (s: IsoDate, n) => {
        const r = computeDue({ start: { date: s }, period: { n, unit: 'working_day' }, direction: 'after', calendar: cal });
        let count = 0;
        for (let d = addDays(s, 1); d <= r.due; d = addDays(d, 1)) if (cal.isWorkingDay(d)) count++;
        expect(count).toBe(n);
        expect(cal.isWorkingDay(r.due)).toBe(true);
      }),
    );
  });
});
