// Each preset's obligations for a complaint copy and for a lost first-instance judgment. Expected dates are
// reasoned from the 2026 calendar in the comments (2026-01-01 is a Thursday; the 2026 notice: 中秋
// 09-25..09-27 off, 国庆 10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) make-up working days).
import { describe, expect, it } from 'vitest';
import { createChineseDaysCalendar } from '../calendar/chinese-days-calendar.js';
import { planObligations, planObligationsDetailed } from './plan.js';
import type { PlannedObligation } from './plan.js';
import { PRESET_IDS, PRESETS } from './presets.js';
import type { PresetId } from './presets.js';
import { policySchema } from './schema.js';

const cal = createChineseDaysCalendar();

/** ruleId → dueOn, for compact comparisons. */
const dues = (obs: PlannedObligation[]) => Object.fromEntries(obs.map((o) => [o.ruleId, o.dueOn]));
const byRule = (obs: PlannedObligation[], id: string) => {
  const o = obs.find((x) => x.ruleId === id);
  if (!o) throw new Error(`no obligation from rule ${id}; got ${obs.map((x) => x.ruleId).join(', ')}`);
  return o;
};

describe('presets are valid data and every row names its source', () => {
  it.each(PRESET_IDS)('%s re-validates and cites an article on every rule, reminder, recurring item and escalation step', (id) => {
    const p = PRESETS[id];
    expect(policySchema.parse(p)).toEqual(p);
    const tagged = new RegExp(`(^|[ ;(])(${p.tag} |ALL |民诉法 |法释〔|公益诉讼解释 |行诉解释 )`);
    for (const r of Object.values(p.rules)) {
      expect(r.source).toMatch(tagged);
      for (const rem of r.reminders) expect(rem.source).toMatch(new RegExp(`^${p.tag} `));
    }
    for (const r of Object.values(p.recurring)) expect(r.source).toMatch(new RegExp(`^${p.tag} `));
    for (const e of p.escalation) expect(e.source).toMatch(new RegExp(`^${p.tag} `));
  });
});

// ── A complaint copy arriving at 10:00 Beijing on Monday 2026-03-02 (02:00Z). ──
// Periods start 03-03. 03-02 + 2 = 03-04 (Wed), + 3 = 03-05 (Thu), + 15 = 03-17 (Tue): all working days.
const complaintFacts = { arrivedAt: '2026-03-02T02:00:00Z' };
/** The same, in a case where the district government itself is a defendant (P 第十条, B 第四条 govern those). */
const govFacts = { ...complaintFacts, governmentDefendant: true };

describe('complaint copy (起诉状副本) per preset', () => {
  it('every preset: answer and evidence within 15 days of arrival, 2026-03-17 (ALL 第67条)', () => {
    for (const id of PRESET_IDS) {
      const a = byRule(planObligations(PRESETS[id], 'complaint_copy', complaintFacts, cal), 'answer');
      expect(a).toMatchObject({ kind: 'answer_and_evidence', dueOn: '2026-03-17', provisional: false, source: 'ALL 第67条' });
      expect(a.derivation.anchor).toMatchObject({ ref: 'arrival', date: '2026-03-02', instant: '2026-03-02T02:00:00.000Z' });
    }
  });

  it('P, district government a defendant: 阅办单 in 3 days (P 第十条), leader feedback 5 days later (P 第七条(一)), defence draft 5 days before the answer (P 第十一条)', () => {
    const obs = planObligations(PRESETS['putian-chengxiang'], 'complaint_copy', govFacts, cal);
    expect(dues(obs)).toEqual({
      'unit-determination': '2026-03-05', // 03-02 + 3, Thursday — P 第十条
      'leader-feedback': '2026-03-10', // 03-05 + 5, Tuesday — P 第七条(一)
      'defence-draft': '2026-03-12', // 03-17 − 5, Thursday — P 第十一条
      answer: '2026-03-17',
    });
    expect(byRule(obs, 'defence-draft').derivation.anchor).toMatchObject({ ref: 'obligation:answer_and_evidence', ruleId: 'answer' });
    expect(byRule(obs, 'unit-determination').actor).toBe('justice_bureau');
    expect(byRule(obs, 'leader-feedback').actor).toBe('government_office');
    // Until the 阅办单 is recorded as presented, the feedback counts from its due date, marked inferred.
    expect(byRule(obs, 'leader-feedback').derivation.anchor).toMatchObject({ ref: 'obligation:unit_determination', source: 'inferred' });
  });

  it('P 第七条(一): leader feedback counts from the day the 阅办单 was presented, once recorded', () => {
    // Presented (recorded done) on 03-03: 03-03 + 5 = 03-08, a Sunday → Monday 03-09.
    const obs = planObligations(PRESETS['putian-chengxiang'], 'complaint_copy', { ...govFacts, doneOn: { unit_determination: '2026-03-03' } }, cal);
    expect(byRule(obs, 'leader-feedback')).toMatchObject({ dueOn: '2026-03-09' });
    expect(byRule(obs, 'leader-feedback').derivation.anchor).toMatchObject({ date: '2026-03-03', source: 'recorded' });
  });

  it('P 第十条 and B 第四条 govern cases where the district government is a defendant: none otherwise', () => {
    const p = planObligationsDetailed(PRESETS['putian-chengxiang'], 'complaint_copy', complaintFacts, cal);
    expect(dues(p.obligations)).toEqual({ 'defence-draft': '2026-03-12', answer: '2026-03-17' });
    expect(p.skipped.find((k) => k.ruleId === 'unit-determination')?.reason.zh).toContain('区（县）人民政府为被告');
    const b = planObligations(PRESETS['baotou-shiguai'], 'complaint_copy', complaintFacts, cal);
    expect(dues(b)).toEqual({ answer: '2026-03-17' });
  });

  it('P across Spring Festival: arrival 2026-02-06 → answer 02-24, defence draft back to the make-up Saturday 02-14 (P 第十一条)', () => {
    // Answer: 02-06 + 15 = 02-21 (春节) → 02-24. Draft: 02-24 − 5 = 02-19 (春节) → earlier over 02-15..02-18
    // (春节) to 02-14, a Saturday made a working day. 阅办单: 02-06 + 3 = 02-09 (Mon). Feedback: 02-09 + 5 = 02-14.
    const obs = planObligations(PRESETS['putian-chengxiang'], 'complaint_copy', { arrivedAt: '2026-02-06T03:00:00Z', governmentDefendant: true }, cal);
    expect(dues(obs)).toEqual({
      'unit-determination': '2026-02-09',
      'leader-feedback': '2026-02-14',
      'defence-draft': '2026-02-14',
      answer: '2026-02-24',
    });
  });

  it('S: 案件专报 (S 五(三)) and 出庭报备表 (S 四(四)) within 2 days: 2026-03-04', () => {
    const obs = planObligations(PRESETS.sishui, 'complaint_copy', complaintFacts, cal);
    expect(dues(obs)).toEqual({ report: '2026-03-04', 'head-appearance-registration': '2026-03-04', answer: '2026-03-17' });
    expect(byRule(obs, 'report').source).toBe('S 五(三)');
    expect(byRule(obs, 'head-appearance-registration').source).toBe('S 四(四)');
  });

  it('B: the government office sends to the leaders for sign-off within 2 days, 2026-03-04 (B 第四条)', () => {
    const obs = planObligations(PRESETS['baotou-shiguai'], 'complaint_copy', govFacts, cal);
    expect(dues(obs)).toEqual({ 'leader-signoff': '2026-03-04', answer: '2026-03-17' });
    expect(byRule(obs, 'leader-signoff')).toMatchObject({ actor: 'government_office', source: 'B 第四条' });
  });

  it('G: report within 2 days; reminders a week and a day before the answer, feedback the day after (G 全流程督促跟踪)', () => {
    const obs = planObligations(PRESETS.guangzhou, 'complaint_copy', complaintFacts, cal);
    expect(dues(obs)).toEqual({ report: '2026-03-04', answer: '2026-03-17' });
    // Answer due 03-17: reminders 03-10 and 03-16, feedback 03-18, at 09:00 Beijing (01:00Z).
    expect(byRule(obs, 'answer').reminders).toEqual([
      { kind: 'reminder', fireOn: '2026-03-10', fireAt: '2026-03-10T01:00:00.000Z', notify: ['unit'], source: 'G 全流程督促跟踪（提醒）' },
      { kind: 'reminder', fireOn: '2026-03-16', fireAt: '2026-03-16T01:00:00.000Z', notify: ['unit'], source: 'G 全流程督促跟踪（提醒）' },
      { kind: 'feedback', fireOn: '2026-03-18', fireAt: '2026-03-18T01:00:00.000Z', notify: ['justice_bureau'], source: 'G 全流程督促跟踪（反馈）' },
    ]);
  });

  it('Q: the national rules only — the answer (ALL 第67条); Kecheng sets no periods of its own (Q 二(一))', () => {
    const obs = planObligations(PRESETS['quzhou-kecheng'], 'complaint_copy', complaintFacts, cal);
    expect(dues(obs)).toEqual({ answer: '2026-03-17' });
    expect(PRESETS['quzhou-kecheng'].collectiveJurisdiction).toMatchObject({ effectiveFrom: '2021-04-08', source: 'Q 一(一)' });
  });
});

// ── A first-instance judgment the government lost, arriving 09:00 Beijing Tuesday 2026-09-15 (01:00Z);
// it took effect on Friday 2026-10-16 and orders performance by Tuesday 2026-12-15. ──
const lossFacts = {
  arrivedAt: '2026-09-15T01:00:00Z',
  outcome: 'loss' as const,
  instance: 'first' as const,
  effectiveOn: '2026-10-16',
  performanceDueOn: '2026-12-15',
  governmentDefendant: true,
};
/** 行诉解释 第110条: six months from effect, 2027-04-16 (a Friday in 2027, whose notice is not published: provisional). */
const RETRIAL = '2027-04-16';
const planLoss = (id: PresetId) => planObligations(PRESETS[id], 'judgment', lossFacts, cal);

describe('lost first-instance judgment (判决书, 败诉) per preset', () => {
  it('every preset: appeal within 15 days, 09-30, a Wednesday before 国庆 (ALL 第85条); perform by 12-15 (ALL 第94条)', () => {
    for (const id of PRESET_IDS) {
      const obs = planLoss(id);
      expect(byRule(obs, 'appeal-judgment')).toMatchObject({ dueOn: '2026-09-30', source: 'ALL 第85条' });
      expect(byRule(obs, 'performance').dueOn).toBe('2026-12-15');
    }
  });

  it('a ruling: 10 days, 09-25, falls on 中秋 (09-25..09-27) → Monday 09-28 (ALL 第85条)', () => {
    const obs = planObligations(PRESETS['quzhou-kecheng'], 'ruling', lossFacts, cal);
    const appeal = byRule(obs, 'appeal-ruling');
    expect(appeal.dueOn).toBe('2026-09-28');
    expect(appeal.derivation.period?.shift?.why.zh).toContain('中秋');
  });

  it('P: routing, leader feedback, no-appeal reasons, "三个一", loss report, performance supervision', () => {
    const obs = planLoss('putian-chengxiang');
    expect(dues(obs)).toEqual({
      'judgment-routing': '2026-09-18', // 09-15 + 3 (Fri) — P 第十三条(二)
      'leader-feedback': '2026-09-23', // 09-18 + 5 (Wed) — P 第十三条(二)
      'appeal-judgment': '2026-09-30',
      'no-appeal-reasons': '2026-09-30', // before the appeal period ends — P 第十三条(三)
      'three-ones': '2026-10-26', // 10-16 + 10 (Mon) — P 第十四条(二)
      'loss-report': '2026-11-16', // 10-16 + 30 = 11-15 (Sun) → Mon 11-16 — P 第十六条
      performance: '2026-12-15',
      'retrial-window': RETRIAL,
    });
    expect(byRule(obs, 'no-appeal-reasons').source).toBe('P 第十三条(三)');
    // P 第十五条(三): 督办单 on the effective day; 催办单 halfway (10-16 → 12-15 is 60 days, so 10-16 + 30
    // = 11-15); report to the district government one week before the deadline (12-08).
    expect(byRule(obs, 'performance').reminders.map((r) => [r.kind, r.fireOn, r.notify])).toEqual([
      ['supervision', '2026-10-16', ['unit']],
      ['chase', '2026-11-15', ['unit']],
      ['report', '2026-12-08', ['district_government']],
    ]);
  });

  it('S: report in 2 days (S 五(三)), appeal opinion in 3 days (S 五(四)), loss report 10 days after effect (S 五(五))', () => {
    expect(dues(planLoss('sishui'))).toEqual({
      report: '2026-09-17', // 09-15 + 2 (Thu)
      'appeal-opinion': '2026-09-18', // 09-15 + 3 (Fri)
      'appeal-judgment': '2026-09-30',
      'loss-report': '2026-10-26', // 10-16 + 10 (Mon)
      performance: '2026-12-15',
      'retrial-window': RETRIAL,
    });
  });

  it('B: appeal opinion in 5 days lands on the make-up Sunday 09-20 (B 第八条); loss report in 30 days (B 第七条)', () => {
    expect(dues(planLoss('baotou-shiguai'))).toEqual({
      'appeal-opinion': '2026-09-20', // 09-15 + 5 = Sunday 09-20, a 国庆 调休 working day: no shift
      'appeal-judgment': '2026-09-30',
      'loss-report': '2026-11-16', // 11-15 (Sun) → 11-16
      performance: '2026-12-15',
      'retrial-window': RETRIAL,
    });
  });

  it('G: report the effective decision within 2 days (Sun 10-18 → Mon 10-19); performance reminders and feedback (G)', () => {
    const obs = planLoss('guangzhou');
    expect(dues(obs)).toEqual({
      'appeal-judgment': '2026-09-30',
      'report-effective-decision': '2026-10-19',
      performance: '2026-12-15',
      'retrial-window': RETRIAL,
    });
    expect(byRule(obs, 'performance').reminders.map((r) => [r.kind, r.fireOn])).toEqual([
      ['reminder', '2026-12-08'],
      ['reminder', '2026-12-14'],
      ['feedback', '2026-12-16'],
    ]);
  });

  it('Q: the national appeal and performance only', () => {
    expect(dues(planLoss('quzhou-kecheng'))).toEqual({ 'appeal-judgment': '2026-09-30', performance: '2026-12-15', 'retrial-window': RETRIAL });
  });
});

describe('skipped rules and warnings', () => {
  it('without a stated date, effectiveness is inferred from the appeal period: the day after it ends (ALL 第85条; P 第十六条, 第十四条(二))', () => {
    // Served 09-15: the appeal period ends 09-30, so without an appeal the judgment takes effect on 10-01 (inferred).
    // Loss report: 10-01 + 30 = 10-31 (Sat) → Mon 11-02. 三个一: 10-01 + 10 = 10-11 (Sun) → Mon 10-12.
    const r = planObligationsDetailed(
      PRESETS['putian-chengxiang'],
      'judgment',
      { arrivedAt: '2026-09-15T01:00:00Z', outcome: 'loss', governmentDefendant: true },
      cal,
    );
    expect(byRule(r.obligations, 'loss-report')).toMatchObject({ dueOn: '2026-11-02' });
    expect(byRule(r.obligations, 'loss-report').derivation.anchor).toMatchObject({ ref: 'effective', date: '2026-10-01', source: 'inferred' });
    expect(byRule(r.obligations, 'three-ones').dueOn).toBe('2026-10-12');
  });

  it('an appealed first-instance judgment does not take effect: the loss report waits and says why (P 第十六条)', () => {
    const r = planObligationsDetailed(PRESETS['putian-chengxiang'], 'judgment', { arrivedAt: '2026-09-15T01:00:00Z', outcome: 'loss', appealed: true }, cal);
    expect(r.skipped.find((s) => s.ruleId === 'loss-report')?.reason.en).toContain('appeal');
    expect(r.obligations.map((o) => o.ruleId)).not.toContain('loss-report');
    expect(r.obligations.map((o) => o.ruleId)).toContain('appeal-judgment');
  });

  it('a won case still has the statutory appeal period (ALL 第85条), but no appeal opinion (S 五(四)) or loss report', () => {
    const r = planObligationsDetailed(PRESETS.sishui, 'judgment', { arrivedAt: '2026-09-15T01:00:00Z', outcome: 'win' }, cal);
    expect(r.obligations.map((o) => o.ruleId).sort()).toEqual(['appeal-judgment', 'report']);
    expect(r.skipped.map((s) => s.ruleId)).toEqual(expect.arrayContaining(['appeal-opinion', 'loss-report']));
  });

  it("an unknown outcome: the appeal period (ALL 第85条), the appeal opinion (S 五(四), B 第八条) and P's no-appeal reasons (P 第十三条(三))", () => {
    const facts = { arrivedAt: '2026-09-15T01:00:00Z' };
    expect(dues(planObligations(PRESETS.sishui, 'judgment', facts, cal))).toMatchObject({ 'appeal-judgment': '2026-09-30', 'appeal-opinion': '2026-09-18' });
    expect(dues(planObligations(PRESETS['baotou-shiguai'], 'ruling', facts, cal))).toMatchObject({
      'appeal-ruling': '2026-09-28',
      'appeal-opinion': '2026-09-20',
    });
    expect(dues(planObligations(PRESETS['putian-chengxiang'], 'judgment', facts, cal))).toMatchObject({
      'appeal-judgment': '2026-09-30',
      'no-appeal-reasons': '2026-09-30',
    });
  });

  it('a head-appearance notice arriving 2 days before the hearing is flagged (法释〔2020〕3号 第5条)', () => {
    const r = planObligationsDetailed(
      PRESETS.guangzhou,
      'head_appearance_notice',
      { arrivedAt: '2026-04-18T02:00:00Z', hearingAt: '2026-04-20T01:30:00Z' },
      cal,
    );
    expect(r.warnings[0]).toMatchObject({ code: 'head_appearance_notice_late', source: '法释〔2020〕3号 第5条' });
    // The hearing itself is the court's date, not shifted; the week-before reminder (04-13) would precede
    // arrival and is dropped, the day-before one (04-19) and feedback (04-21) remain.
    const hearing = byRule(r.obligations, 'hearing');
    expect(hearing.dueOn).toBe('2026-04-20');
    expect(hearing.reminders.map((x) => x.fireOn)).toEqual(['2026-04-19', '2026-04-21']);
  });

  it('a complaint arriving 2026-12-20 has a provisional answer date in 2027, and the defence draft inherits it (P 第十一条)', () => {
    // 12-20 + 15 = 2027-01-04: 2027 is unpublished. Draft: 01-04 − 5 = 2026-12-30, itself in the late-December window.
    const obs = planObligations(PRESETS['putian-chengxiang'], 'complaint_copy', { arrivedAt: '2026-12-20T02:00:00Z', governmentDefendant: true }, cal);
    expect(byRule(obs, 'answer')).toMatchObject({ dueOn: '2027-01-04', provisional: true });
    expect(byRule(obs, 'answer').derivation.provisional?.years).toEqual([2027]);
    expect(byRule(obs, 'defence-draft')).toMatchObject({ dueOn: '2026-12-30', provisional: true });
  });
});
