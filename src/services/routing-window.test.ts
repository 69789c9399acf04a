/**
 * The routing window (分办时限, docs/domain.md §3): two days by default, counted as court periods are (a last day on a
 * rest day moves to the next working day, 民诉法 第85条), the region's own period where its policy fixes one
 * (P 第十条: 三日).
 */
import { describe, expect, it } from 'vitest';
import { createChineseDaysCalendar } from '../domain/calendar/chinese-days-calendar.js';
import { resolvePolicy } from '../domain/policy/index.js';
import { routingWindow } from './routing-window.js';

const cal = createChineseDaysCalendar();
const doc = { type: 'complaint_copy' as const };

describe('the routing window (S 二(一); P 第十条)', () => {
  it('S 二(一): two days from arrival, reminded the day before, escalated to the government office when missed', () => {
    const w = routingWindow(resolvePolicy('quzhou-kecheng'), doc, new Date('2026-11-23T02:00:00Z'), cal); // Monday
    if (w.kind !== 'default') throw new Error('expected the default window');
    expect(w.planned).toMatchObject({ ruleId: 'routing-window', kind: 'unit_determination', actor: 'justice_bureau', dueOn: '2026-11-25' });
    expect(w.planned.reminders.map((r) => [r.kind, r.fireOn])).toEqual([['reminder', '2026-11-24']]);
    expect(w.planned.escalation.map((e) => e.to)).toEqual(['government_office']);
  });

  it('民诉法 第85条: a window ending on a Saturday ends on the next working day', () => {
    const w = routingWindow(resolvePolicy('quzhou-kecheng'), doc, new Date('2026-11-26T02:00:00Z'), cal); // Thursday → Saturday 11-28
    expect(w.kind === 'default' && w.planned.dueOn).toBe('2026-11-30');
  });

  it('P 第十条: under Putian the window is the policy’s own three-day unit determination (阅办单)', () => {
    expect(routingWindow(resolvePolicy('putian-chengxiang'), doc, new Date('2026-11-23T02:00:00Z'), cal)).toEqual({
      kind: 'policy',
      ruleId: 'unit-determination',
    });
  });
});
