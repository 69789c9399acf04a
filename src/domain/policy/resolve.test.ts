import { describe, expect, it } from 'vitest';
import { createChineseDaysCalendar } from '../calendar/chinese-days-calendar.js';
import { planObligations, planRecurring } from './plan.js';
import { PRESETS } from './presets.js';
import { PolicyError, resolvePolicy, safeResolvePolicy } from './resolve.js';
import type { PolicyOverrides } from './resolve.js';

const cal = createChineseDaysCalendar();

describe('resolvePolicy: a region’s overrides on a preset', () => {
  it('S 五(三) counted in working days instead of calendar days (a policy setting, docs/domain.md §4)', () => {
    // Arrival Friday 2026-03-06 (Beijing). Calendar days: 03-08 is a Sunday → Monday 03-09.
    // Working days: Mon 03-09 (1), Tue 03-10 (2).
    const facts = { arrivedAt: '2026-03-06T02:00:00Z' };
    const preset = planObligations(PRESETS.sishui, 'complaint_copy', facts, cal).find((o) => o.ruleId === 'report');
    expect(preset?.dueOn).toBe('2026-03-09');
    const policy = resolvePolicy('sishui', { rules: { report: { period: { unit: 'working_day' } } } });
    expect(policy.rules.report?.period).toEqual({ n: 2, unit: 'working_day' });
    const changed = planObligations(policy, 'complaint_copy', facts, cal).find((o) => o.ruleId === 'report');
    expect(changed?.dueOn).toBe('2026-03-10');
    expect(changed?.source).toBe('S 五(三)');
  });

  it('adds a rule Q 二(一) leaves without a period, and switches one off', () => {
    const policy = resolvePolicy('quzhou-kecheng', {
      rules: {
        report: {
          kind: 'report_to_justice_bureau',
          title: { zh: '报备', en: 'Report' },
          actor: 'unit',
          triggers: ['complaint_copy'],
          anchor: 'arrival',
          direction: 'after',
          period: { n: 3, unit: 'working_day' },
          notify: ['justice_bureau'],
          source: 'Q 二(一)',
        },
        'appeal-answer': { enabled: false },
      },
    });
    // Monday 2026-03-02 + 3 working days = Thursday 03-05.
    const obs = planObligations(policy, 'complaint_copy', { arrivedAt: '2026-03-02T02:00:00Z' }, cal);
    expect(obs.find((o) => o.ruleId === 'report')?.dueOn).toBe('2026-03-05');
    expect(planObligations(policy, 'appeal', { arrivedAt: '2026-03-02T02:00:00Z' }, cal)).toEqual([]);
  });

  it('does not change the preset it merges onto', () => {
    resolvePolicy('putian-chengxiang', { rules: { 'defence-draft': { period: { n: 7 } } } });
    expect(PRESETS['putian-chengxiang'].rules['defence-draft']?.period?.n).toBe(5);
  });

  it('a bad value fails with the zod path (P 第十一条 row)', () => {
    const overrides: PolicyOverrides = { rules: { 'defence-draft': { period: { n: -1 } } } };
    expect(() => resolvePolicy('putian-chengxiang', overrides)).toThrow(PolicyError);
    const r = safeResolvePolicy('putian-chengxiang', overrides);
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.issues.map((i) => i.path)).toEqual([['rules', 'defence-draft', 'period', 'n']]);
    expect(r.error.message).toContain('rules["defence-draft"].period.n');
  });

  it('a misspelt key is refused, not ignored', () => {
    const r = safeResolvePolicy('guangzhou', { rules: { answer: { perod: { n: 10 } } } });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.issues[0]?.path).toEqual(['rules', 'answer']);
    expect(r.error.message).toContain('perod');
  });

  it('switching off the answer leaves the defence draft without its anchor (P 第十一条), reported at its path', () => {
    const r = safeResolvePolicy('putian-chengxiang', { rules: { answer: { enabled: false } } });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.issues.map((i) => i.path)).toContainEqual(['rules', 'defence-draft', 'anchor']);
  });

  it('a rule without a source is refused (ARCHITECTURE.md habit 10)', () => {
    const r = safeResolvePolicy('sishui', { rules: { report: { source: '' } } });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.issues[0]?.path).toEqual(['rules', 'report', 'source']);
  });

  it('an unknown preset is a clear error', () => {
    expect(() => resolvePolicy('atlantis')).toThrow(/unknown policy preset "atlantis"/);
  });
});

describe('recurring obligations', () => {
  it('P monthly ledger on the 20th (P 第六条(五), 第十五条(一)), moved earlier off rest days', () => {
    const items = planRecurring(PRESETS['putian-chengxiang'], { from: '2026-06-01', to: '2026-12-31' }, cal);
    const byMonth = Object.fromEntries(items.map((i) => [i.scheduledOn.slice(0, 7), i.dueOn]));
    expect(byMonth).toEqual({
      '2026-06': '2026-06-18', // 06-20 Sat; 06-19 Fri is 端午 → Thursday 06-18
      '2026-07': '2026-07-20', // Monday
      '2026-08': '2026-08-20', // Thursday
      '2026-09': '2026-09-20', // Sunday, but a 国庆 make-up working day: stays
      '2026-10': '2026-10-20', // Tuesday
      '2026-11': '2026-11-20', // Friday
      '2026-12': '2026-12-18', // 12-20 Sunday → Friday 12-18
    });
    expect(items.every((i) => i.source === 'P 第六条(五), 第十五条(一)')).toBe(true);
  });

  it('S annual reports: units by 31 December, the county by 10 January (S 五(二)); provisional while 2027 is unpublished', () => {
    const items = planRecurring(PRESETS.sishui, { from: '2026-12-01', to: '2027-01-31' }, cal).filter((i) => i.kind === 'annual_report');
    expect(items.map((i) => [i.ruleId, i.dueOn, i.provisional])).toEqual([
      ['unit-annual-report', '2026-12-31', true],
      ['county-annual-report', '2027-01-10', true],
    ]);
  });
});
