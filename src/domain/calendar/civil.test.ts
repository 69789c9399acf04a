import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, addMonths, beijingDate, beijingInstant, beijingIso, beijingWallTime, beijingYear, daysBetween, isIsoDate, weekday } from './civil.js';

describe('beijingDate: an instant belongs to its Beijing (UTC+8) date', () => {
  it('23:59 Beijing on 1 March is still 1 March, whatever the UTC date', () => {
    // 2026-03-01T15:59Z + 8 h = 2026-03-01 23:59 Beijing.
    expect(beijingDate('2026-03-01T15:59:00Z')).toBe('2026-03-01');
    expect(beijingDate(new Date(Date.UTC(2026, 2, 1, 15, 59)))).toBe('2026-03-01');
  });

  it('00:30 Beijing on 2 March is 2 March although UTC still says 1 March', () => {
    // 2026-03-01T16:30Z + 8 h = 2026-03-02 00:30 Beijing.
    expect(beijingDate('2026-03-01T16:30:00Z')).toBe('2026-03-02');
    expect(beijingDate('2026-03-02T00:30:00+08:00')).toBe('2026-03-02');
  });

  it('refuses an instant string without a zone designator (it would be read in the machine zone)', () => {
    expect(() => beijingDate('2026-03-01T10:00:00')).toThrow(RangeError);
    expect(() => beijingDate('2026-03-01')).toThrow(RangeError);
    expect(() => beijingDate(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('property: every instant from Beijing midnight to the next midnight maps to that date', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 0, max: 86_399_999 }), (dayNo, ms) => {
        const date = addDays('1990-01-01', dayNo);
        const midnightBeijing = beijingInstant(date, '00:00').getTime();
        expect(beijingDate(new Date(midnightBeijing + ms))).toBe(date);
      }),
    );
  });

  it('beijingInstant: 09:00 Beijing is 01:00Z the same day', () => {
    expect(beijingInstant('2026-03-02', '09:00').toISOString()).toBe('2026-03-02T01:00:00.000Z');
    expect(beijingInstant('2026-03-02', '00:00').toISOString()).toBe('2026-03-01T16:00:00.000Z');
  });
});

describe('civil date arithmetic (no machine time zone involved)', () => {
  it('knows its weekdays: 2026-01-01 is a Thursday (the 2026 notice says 周四), 2026-03-01 a Sunday', () => {
    expect(weekday('2026-01-01')).toBe(4);
    expect(weekday('2026-03-01')).toBe(0);
  });

  it('month ends (民法典 第202条): Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-03-31', 1)).toBe('2026-04-30');
    expect(addMonths('2026-11-30', 2)).toBe('2027-01-30');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
  });

  it('validates dates', () => {
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-2-1')).toBe(false);
    expect(daysBetween('2026-02-28', '2026-03-01')).toBe(1);
  });
});

describe('Beijing wall time and back (the one home for UTC+8)', () => {
  it('writes an instant in Beijing time with its offset, and as wall time for people', () => {
    expect(beijingIso(new Date('2026-11-23T12:00:00Z'))).toBe('2026-11-23T20:00:00.000+08:00');
    expect(beijingWallTime('2026-11-23T02:00:00Z')).toBe('2026-11-23 10:00');
    expect(beijingWallTime('2026-03-01T16:30:00Z')).toBe('2026-03-02 00:30');
  });

  it('the Beijing year turns eight hours before UTC’s', () => {
    expect(beijingYear('2026-12-31T15:59:00Z')).toBe(2026);
    expect(beijingYear('2026-12-31T16:00:00Z')).toBe(2027);
  });

  it('a Beijing wall time read back through beijingInstant is the same instant', () => {
    const at = new Date('2026-05-03T07:45:00Z');
    expect(beijingInstant(beijingDate(at), beijingWallTime(at).slice(11)).getTime()).toBe(at.getTime());
  });
});
