/**
 * Issue 16: every statutory deadline starts from the event the law names, and stays right when later facts
 * arrive. One test per defect, through the API under a fixed clock (a delivery, then the obligations), and a
 * property test over random document sequences of one case. T0 is Monday 2026-11-23 10:00 Beijing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { sweep } from '../src/jobs/sweep.js';
import { addDays, computeDue, createChineseDaysCalendar, statutoryHoliday } from '../src/domain/calendar/index.js';
import { calendarDataVersions, obligations as obligationsT, reminders as remindersT, remediationItems } from '../schemas/db/index.js';
import type { Manifest } from '../schemas/api/manifest.js';

type Doc = Manifest['documents'][number];
interface Ob {
  id: string;
  kind: string;
  ruleId: string;
  status: string;
  dueOn: string;
  provisional: boolean;
  earliestDueOn: string | null;
  dueSource: string;
  unitId: string | null;
  statusReason: string | null;
  derivation: { anchor: { date: string; source: string }; restDay?: { zh: string } };
}
const DAY = 86_400_000;
const GOV = { name: '衢州市柯城区人民政府', regionCode: '330802' };

async function world(preset: string) {
  const clock = new FixedClock(T0);
  const gw = await testGateway({ clock });
  const court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const put = await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
    method: 'PUT',
    headers: adminHeaders(),
    body: JSON.stringify({ presetId: preset }),
  });
  expect(put.status).toBe(200);
  // The clock moves in these tests (tokens expire): the justice bureau's clerk acts through the admin API.
  const jb = adminHeaders('柯城区司法局 王某');
  const unit = (await clientToken(gw, 'unit', 'kc-zrzy', '柯城自然资源分局')).headers;
  let n = 0;
  /** Deliver one document of a case; `edit` shapes it. Returns the case and document ids from the receipt. */
  const push = async (caseNumber: string, type: Doc['type'], edit: (d: Doc) => void = () => {}) => {
    const m = demoManifest({
      messageId: `dt-${++n}`,
      senderCode: 'court-longyou',
      issuedAt: clock.now(),
      type,
      caseNumber,
      defendant: '衢州市自然资源和规划局柯城分局',
      regionCode: '330802',
    });
    edit(m.documents[0]!);
    const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
    expect(res.status, await res.clone().text()).toBe(201);
    const d = ((await res.json()) as { receipt: { documents: { id: string; routing: { caseId: string } }[] } }).receipt.documents[0]!;
    return { caseId: d.routing.caseId, documentId: d.id };
  };
  const obligations = async (caseId: string): Promise<Ob[]> => {
    const res = await gw.app.request(`http://gw/v1/obligations?case=${caseId}&limit=1000`, { headers: jb });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Ob[] }).items;
  };
  const live = async (caseId: string, kind: string) => (await obligations(caseId)).filter((o) => o.kind === kind && o.status !== 'waived');
  const step = async (caseId: string, kind: string, body: unknown, who = jb) => {
    const res = await gw.app.request(`http://gw/v1/cases/${caseId}/steps/${kind}`, { method: 'POST', headers: who, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(201);
  };
  const admin = (path: string, method: string, body?: unknown) =>
    gw.app.request(`http://gw${path}`, { method, headers: adminHeaders(), ...(body ? { body: JSON.stringify(body) } : {}) });
  return { gw, clock, jb, unit, push, obligations, live, step, admin };
}
type World = Awaited<ReturnType<typeof world>>;

describe('defect 1 — every first-instance decision starts the appeal path (ALL 第85条; S 五(四))', () => {
  let w: World;
  beforeAll(async () => (w = await world('sishui')));
  afterAll(() => w.gw.close());

  it('a judgment without an outcome: appeal by 12-08 (15 days, ALL 第85条) and the appeal opinion by 11-26 (3 days, S 五(四))', async () => {
    const { caseId } = await w.push('(2026)浙0825行初201号', 'judgment', (d) => delete d.outcome);
    expect((await w.live(caseId, 'appeal')).map((o) => o.dueOn)).toEqual(['2026-12-08']);
    expect((await w.live(caseId, 'appeal_opinion')).map((o) => o.dueOn)).toEqual(['2026-11-26']);
  });

  it("a ruling whose outcome is 'other': appeal by 12-03 (10 days, ALL 第85条) and the appeal opinion (S 五(四))", async () => {
    const { caseId } = await w.push('(2026)浙0825行初202号', 'ruling', (d) => (d.outcome = { result: 'other' }));
    expect((await w.live(caseId, 'appeal')).map((o) => o.dueOn)).toEqual(['2026-12-03']);
    expect((await w.live(caseId, 'appeal_opinion')).map((o) => o.dueOn)).toEqual(['2026-11-26']);
  });

  it('partial_loss is in the wire format and is a loss: the loss-analysis report 10 days from effect (S 五(五))', async () => {
    const { caseId } = await w.push(
      '(2026)浙0825行初203号',
      'judgment',
      (d) => (d.outcome = { result: 'partial_loss', lossKind: 'revoke', effectiveOn: '2026-12-20' }),
    );
    expect((await w.live(caseId, 'loss_analysis_report')).map((o) => [o.dueOn, o.dueSource])).toEqual([['2026-12-30', 'stated']]);
    expect((await w.live(caseId, 'appeal_opinion')).map((o) => o.dueOn)).toEqual(['2026-11-26']);
  });
});

describe('the wire format publishes partial_loss and the effectiveness certificate, with examples', () => {
  it('the examples in schemas/wire/examples parse as manifests (schemas/api/manifest.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const { Manifest } = await import('../schemas/api/manifest.js');
    const read = (f: string) => JSON.parse(readFileSync(new URL(`../schemas/wire/examples/${f}`, import.meta.url), 'utf8')) as unknown;
    expect(Manifest.parse(read('judgment-partial-loss.manifest.json')).documents[0]!.outcome?.result).toBe('partial_loss');
    expect(Manifest.parse(read('decision-effective.manifest.json')).documents[0]).toMatchObject({
      type: 'effectiveness_certificate',
      decisionEffectiveOn: '2026-12-09',
    });
    // A certificate that does not say when is refused.
    const bad = read('decision-effective.manifest.json') as Manifest;
    delete bad.documents[0]!.decisionEffectiveOn;
    expect(Manifest.safeParse(bad).success).toBe(false);
  });
});

describe('defect 2 — the first receipt of the complaint copy starts the answer clock (ALL 第67条)', () => {
  let w: World;
  beforeAll(async () => (w = await world('quzhou-kecheng')));
  afterAll(() => w.gw.close());

  it('a 应诉通知书 arriving three days later leaves the answer deadline at 12-08', async () => {
    const { caseId } = await w.push('(2026)浙0825行初301号', 'complaint_copy');
    expect((await w.live(caseId, 'answer_and_evidence')).map((o) => o.dueOn)).toEqual(['2026-12-08']);
    w.clock.advance(3 * DAY);
    await w.push('(2026)浙0825行初301号', 'response_notice');
    const answers = await w.live(caseId, 'answer_and_evidence');
    expect(answers.map((o) => [o.dueOn, o.status])).toEqual([['2026-12-08', 'open']]);
  });
});

describe('defect 3 — a date the court states is a fact (法释〔2023〕11号 第8条)', () => {
  let w: World;
  beforeAll(async () => (w = await world('quzhou-kecheng')));
  afterAll(() => w.gw.close());

  it('a judicial suggestion stating a reply date of 12-10 keeps it through a calendar override and a published year', async () => {
    const { caseId } = await w.push('(2026)浙0825行初401号', 'judicial_suggestion', (d) => {
      d.title = '司法建议书';
      d.replyDueOn = '2026-12-10';
    });
    const before = await w.live(caseId, 'suggestion_reply');
    expect(before.map((o) => [o.dueOn, o.dueSource, o.provisional])).toEqual([['2026-12-10', 'stated', false]]);
    const ov = await w.admin('/v1/admin/calendar/overrides/2026-12-01', 'PUT', { working: false, name: '地方节日', reason: '示例：区政府决定' });
    expect(ov.status).toBe(200);
    expect((await w.admin('/v1/admin/calendar/years/2027/publish', 'POST')).status).toBe(200);
    expect((await w.live(caseId, 'suggestion_reply')).map((o) => o.dueOn)).toEqual(['2026-12-10']);
  });

  it('a stated date on a rest day (Saturday 12-12) is kept and flagged, not shifted', async () => {
    const { caseId } = await w.push('(2026)浙0825行初402号', 'judicial_suggestion', (d) => {
      d.title = '司法建议书';
      d.replyDueOn = '2026-12-12';
    });
    const [o] = await w.live(caseId, 'suggestion_reply');
    expect(o!.dueOn).toBe('2026-12-12');
    expect(o!.derivation.restDay?.zh).toContain('休息日');
  });
});

describe('defect 4 — effectiveness: after-judgment duties counted from the day the decision took effect (P 第十六条, 第十四条(二))', () => {
  let w: World;
  beforeAll(async () => (w = await world('putian-chengxiang')));
  afterAll(() => w.gw.close());

  it('a lost first-instance judgment nobody appeals: loss report and "三个一" from the inferred effective date 12-09, then from the recorded one', async () => {
    // Served 11-23: the appeal period ends 12-08, so it takes effect on 12-09 (inferred).
    const { caseId } = await w.push('(2026)浙0825行初501号', 'judgment', (d) => {
      d.case!.defendants.push(GOV);
      d.outcome = { result: 'loss', lossKind: 'revoke', performanceDueOn: '2027-02-10' };
    });
    const plan = await w.live(caseId, 'three_ones_plan');
    expect(plan.map((o) => [o.dueOn, o.dueSource, o.derivation.anchor.date])).toEqual([['2026-12-21', 'inferred', '2026-12-09']]); // 12-19 (Sat) → 12-21
    const report = await w.live(caseId, 'loss_analysis_report');
    expect(report.map((o) => [o.dueOn, o.dueSource])).toEqual([['2027-01-08', 'inferred']]); // 12-09 + 30
    // P 第十五条(三): the 督办单 goes out on the (inferred) effective day.
    const [perf] = await w.live(caseId, 'performance');
    const rs = await w.gw.deps.db.orm.select().from(remindersT).where(eq(remindersT.obligationId, perf!.id));
    expect(rs.filter((r) => r.kind === 'supervision').map((r) => r.fireAt.toISOString())).toEqual(['2026-12-09T01:00:00.000Z']);

    // The justice bureau records the court's 生效证明: effective 12-11.
    w.clock.set(new Date('2026-12-10T02:00:00Z'));
    await w.step(caseId, 'decision_effective', { effectiveOn: '2026-12-11', reason: '法院出具生效证明书' });
    expect((await w.live(caseId, 'three_ones_plan')).map((o) => [o.dueOn, o.dueSource])).toEqual([['2026-12-21', 'recorded']]);
    expect((await w.live(caseId, 'loss_analysis_report')).map((o) => [o.dueOn, o.earliestDueOn, o.dueSource])).toEqual([
      ['2027-01-11', '2027-01-10', 'recorded'],
    ]);
    w.clock.set(T0);
  });

  it('an appeal withdraws the inferred effectiveness: no loss report, no "三个一" (ALL 第85条)', async () => {
    const { caseId } = await w.push('(2026)浙0825行初502号', 'judgment', (d) => {
      d.case!.defendants.push(GOV);
      d.outcome = { result: 'loss', lossKind: 'revoke' };
    });
    expect(await w.live(caseId, 'loss_analysis_report')).toHaveLength(1);
    w.clock.advance(5 * DAY);
    await w.push('(2026)浙0825行初502号', 'appeal', (d) => (d.title = '上诉状'));
    expect(await w.live(caseId, 'loss_analysis_report')).toEqual([]);
    expect(await w.live(caseId, 'three_ones_plan')).toEqual([]);
    expect(await w.live(caseId, 'no_appeal_reasons')).toEqual([]);
    w.clock.set(T0);
  });

  it('a second-instance case continuing the judgment withdraws the inference; the second-instance judgment takes effect on service', async () => {
    const first = await w.push('(2026)浙0825行初504号', 'judgment', (d) => {
      d.case!.defendants.push(GOV);
      d.outcome = { result: 'loss', lossKind: 'revoke' };
    });
    expect(await w.live(first.caseId, 'three_ones_plan')).toHaveLength(1);
    w.clock.advance(40 * DAY); // 2027-01-02
    const second = await w.push('(2027)浙08行终504号', 'judgment', (d) => {
      d.case!.instance = 'second';
      d.case!.priorCaseNumbers = ['(2026)浙0825行初504号'];
      d.case!.defendants.push(GOV);
      d.outcome = { result: 'loss', lossKind: 'revoke' };
    });
    expect(await w.live(first.caseId, 'three_ones_plan')).toEqual([]);
    expect((await w.live(second.caseId, 'three_ones_plan')).map((o) => [o.derivation.anchor.date, o.dueSource])).toEqual([['2027-01-02', 'arrival']]);
    w.clock.set(T0);
  });

  it('the appeal period is a window: when it passes without an appeal it lapses, never overdue (ALL 第85条)', async () => {
    const { caseId } = await w.push('(2026)浙0825行初505号', 'judgment', (d) => (d.outcome = { result: 'win' }));
    expect((await w.live(caseId, 'appeal')).map((o) => o.dueOn)).toEqual(['2026-12-08']);
    w.clock.set(new Date('2026-12-10T02:00:00Z'));
    await sweep(w.gw.deps, w.clock.now());
    const [appeal] = (await w.obligations(caseId)).filter((o) => o.kind === 'appeal');
    expect(appeal).toMatchObject({ status: 'waived' });
    expect(appeal!.statusReason).toContain('上诉期届满');
    w.clock.set(T0);
  });

  it('the court states the effective date on a later document of the case: the duties count from it', async () => {
    const { caseId } = await w.push('(2026)浙0825行初503号', 'judgment', (d) => {
      d.case!.defendants.push(GOV);
      d.outcome = { result: 'loss', lossKind: 'revoke' };
    });
    w.clock.advance(20 * DAY);
    await w.push('(2026)浙0825行初503号', 'effectiveness_certificate', (d) => (d.decisionEffectiveOn = '2026-12-12'));
    expect((await w.live(caseId, 'three_ones_plan')).map((o) => [o.dueOn, o.dueSource])).toEqual([['2026-12-22', 'stated']]);
    w.clock.set(T0);
  });
});

describe('a case the justice bureau assigns later keeps every fact its deadlines count from (docs/domain.md §4)', () => {
  let w: World;
  beforeAll(async () => (w = await world('putian-chengxiang')));
  afterAll(() => w.gw.close());

  it('the effective date the court stated while the case waited in the queue still counts after the assignment (法释〔2023〕11号 第8条)', async () => {
    const cn = '(2026)浙0825行初506号';
    const unknown = (d: Doc) => {
      d.case!.defendants[0]!.name = '衢州市柯城区某某管理办公室';
      d.case!.challengedAct.actingUnits = [{ name: '衢州市柯城区某某管理办公室' }];
    };
    const { caseId, documentId } = await w.push(cn, 'judgment', (d) => {
      unknown(d);
      d.case!.defendants.push(GOV);
      d.outcome = { result: 'loss', lossKind: 'revoke' };
    });
    w.clock.advance(20 * DAY);
    await w.push(cn, 'effectiveness_certificate', (d) => {
      unknown(d);
      d.decisionEffectiveOn = '2026-12-12';
    });
    const stated = (await w.live(caseId, 'three_ones_plan')).map((o) => [o.dueOn, o.dueSource]);
    expect(stated).toEqual([['2026-12-22', 'stated']]);

    const queue = await w.gw.app.request('http://gw/v1/queue', { headers: w.jb });
    const item = ((await queue.json()) as { items: { id: string; documentId: string }[] }).items.find((i) => i.documentId === documentId)!;
    const assign = await w.gw.app.request(`http://gw/v1/queue/${item.id}/assign`, {
      method: 'POST',
      headers: w.jb,
      body: JSON.stringify({ assignments: [{ unitId: 'kc-zrzy', role: 'lead' }], reason: '某某管理办公室系自然资源分局内设机构' }),
    });
    expect(assign.status, await assign.clone().text()).toBe(200);
    expect((await w.live(caseId, 'three_ones_plan')).map((o) => [o.dueOn, o.dueSource, o.unitId])).toEqual([['2026-12-22', 'stated', 'kc-zrzy']]);
    w.clock.set(T0);
  });
});

describe('defect 5 — provisional years: the statutory holidays of 第二条 apply, reminders plan against the earliest date', () => {
  let w: World;
  beforeAll(async () => (w = await world('guangzhou')));
  afterAll(() => w.gw.close());

  it('a complaint arriving 2026-12-17 is never due on New Year’s Day: likely 2027-01-04, earliest 01-02 (全国年节及纪念日放假办法 第二条)', async () => {
    w.clock.set(new Date('2026-12-17T02:00:00Z'));
    const { caseId } = await w.push('(2026)浙0825行初601号', 'complaint_copy');
    const [a] = await w.live(caseId, 'answer_and_evidence');
    expect(a).toMatchObject({ dueOn: '2027-01-04', earliestDueOn: '2027-01-02', provisional: true });
    // G 全流程: the week-before and day-before reminders are planned against the earliest date (12-26, 01-01).
    const rs = await w.gw.deps.db.orm.select().from(remindersT).where(eq(remindersT.obligationId, a!.id));
    expect(
      rs
        .filter((r) => r.kind === 'reminder')
        .map((r) => r.fireAt.toISOString())
        .sort(),
    ).toEqual(['2026-12-26T01:00:00.000Z', '2027-01-01T01:00:00.000Z']);
    w.clock.set(T0);
  });

  it('no provisional due date or earliest date lands on a statutory holiday (property over 2027–2030)', () => {
    const cal = createChineseDaysCalendar();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 * 365 }), fc.constantFrom(2, 3, 5, 10, 15, 30), (offset, n) => {
        const start = addDays('2026-12-20', offset);
        const r = computeDue({ start: { date: start }, period: { n, unit: 'day' }, direction: 'after', calendar: cal });
        expect(statutoryHoliday(r.due)).toBeUndefined();
        expect(statutoryHoliday(r.earliest)).toBeUndefined();
        expect(r.earliest <= r.due).toBe(true);
        expect(r.earliest >= addDays(start, n)).toBe(true);
      }),
      { numRuns: 300, seed: 16 },
    );
  });
});

describe('defect 6 — recompute: overdue included, holiday-data versions, publishing never discards data', () => {
  let w: World;
  beforeAll(async () => (w = await world('quzhou-kecheng')));
  afterAll(() => w.gw.close());

  it('an answer marked overdue on a provisional date re-opens when the notice moves it later', async () => {
    w.clock.set(new Date('2026-12-17T02:00:00Z'));
    const { caseId } = await w.push('(2026)浙0825行初701号', 'complaint_copy');
    const [a] = await w.live(caseId, 'answer_and_evidence');
    expect(a!.dueOn).toBe('2027-01-04');
    w.clock.set(new Date('2027-01-05T02:00:00Z'));
    await sweep(w.gw.deps, w.clock.now());
    expect((await w.live(caseId, 'answer_and_evidence'))[0]!.status).toBe('overdue');
    // The 2027 notice makes Monday 01-04 a rest day: the answer is due 01-05, today; no longer overdue.
    const ov = await w.admin('/v1/admin/calendar/overrides/2027-01-04', 'PUT', { working: false, name: '元旦', reason: '2027 年节假日安排通知（示例）' });
    expect(ov.status).toBe(200);
    const [after] = await w.live(caseId, 'answer_and_evidence');
    expect(after).toMatchObject({ dueOn: '2027-01-05', status: 'open' });
    const [item] = await w.gw.deps.db.orm.select().from(remediationItems).where(eq(remediationItems.obligationId, after!.id));
    expect(item?.status).toBe('closed');
    w.clock.set(T0);
  });

  it('publishing 2026 keeps the package’s Spring Festival: 2026-02-16 stays a rest day', async () => {
    expect((await w.admin('/v1/admin/calendar/years/2026/publish', 'POST')).status).toBe(200);
    const y = (await (await w.gw.app.request('http://gw/v1/calendar/2026')).json()) as { restDays: { date: string }[] };
    expect(y.restDays.map((d) => d.date)).toContain('2026-02-16');
    const due = (await (await w.gw.app.request('http://gw/v1/deadlines/compute?start=2026-02-01&period=15d&direction=after')).json()) as { due: string };
    expect(due.due).toBe('2026-02-24'); // 02-16 is 春节: the period ends on the first working day after it
  });

  it('a new version of the holiday data re-plans every non-closed obligation at the next sweep (start)', async () => {
    const { caseId } = await w.push('(2026)浙0825行初702号', 'complaint_copy');
    const [a] = await w.live(caseId, 'answer_and_evidence');
    expect(a!.dueOn).toBe('2026-12-08');
    // As if planned with an older package whose data gave another date.
    await w.gw.deps.db.orm.update(obligationsT).set({ dueOn: '2026-12-09' }).where(eq(obligationsT.id, a!.id));
    await w.gw.deps.db.orm
      .insert(calendarDataVersions)
      .values({ id: 'holidays', digest: 'older-data', detail: '{}', checkedAt: T0 })
      .onConflictDoUpdate({ target: calendarDataVersions.id, set: { digest: 'older-data' } });
    const report = await sweep(w.gw.deps, w.clock.now());
    expect(report.steps.calendarData?.ok).toBe(true);
    expect((await w.live(caseId, 'answer_and_evidence'))[0]!.dueOn).toBe('2026-12-08');
    const [row] = await w.gw.deps.db.orm.select().from(calendarDataVersions);
    expect(row!.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a calendar or data change moves deadlines but creates none: an old case is not flooded with new, already-missed duties', async () => {
    // As if planned before the appeal-period rule existed: a judgment whose appeal obligation was never created.
    const { caseId } = await w.push('(2026)浙0825行初703号', 'judgment', (d) => delete d.outcome);
    const [appeal] = await w.live(caseId, 'appeal');
    await w.gw.deps.db.orm.delete(remindersT).where(eq(remindersT.obligationId, appeal!.id));
    await w.gw.deps.db.orm.delete(obligationsT).where(eq(obligationsT.id, appeal!.id));
    await w.gw.deps.db.orm.update(calendarDataVersions).set({ digest: 'older-data' });
    w.clock.set(new Date('2027-03-01T02:00:00Z'));
    await sweep(w.gw.deps, w.clock.now());
    expect(await w.live(caseId, 'appeal')).toEqual([]);
    w.clock.set(T0);
  });
});

describe('defect 7 — internal periods, each with its condition', () => {
  let p: World;
  let s: World;
  beforeAll(async () => {
    p = await world('putian-chengxiang');
    s = await world('sishui');
  });
  afterAll(async () => {
    await p.gw.close();
    await s.gw.close();
  });

  it('P 第七条(一): leader feedback counts from the day the 阅办单 was presented (recorded), not from its due date', async () => {
    const { caseId } = await p.push('(2026)浙0825行初801号', 'complaint_copy', (d) => d.case!.defendants.push(GOV));
    expect((await p.live(caseId, 'leader_instructions_feedback')).map((o) => [o.dueOn, o.dueSource])).toEqual([['2026-12-01', 'inferred']]); // 11-26 + 5
    p.clock.set(new Date('2026-11-24T02:00:00Z'));
    await p.step(caseId, 'routing_slip_issued', { note: '阅办单已呈报区府办' });
    expect((await p.live(caseId, 'leader_instructions_feedback')).map((o) => [o.dueOn, o.dueSource])).toEqual([['2026-11-30', 'recorded']]); // 11-24 + 5 = Sun → Mon
    p.clock.set(T0);
  });

  it('P 第十条 governs cases where the district government is a defendant: a department defendant gets no 阅办单', async () => {
    const { caseId } = await p.push('(2026)浙0825行初802号', 'complaint_copy');
    const kinds = (await p.obligations(caseId)).map((o) => o.kind).sort();
    expect(kinds).toEqual(['answer_and_evidence', 'defence_draft']);
  });

  it('S 五(七): the result letter to the court is due 30 days after the handling the unit states', async () => {
    const { caseId } = await s.push('(2026)浙0825行初803号', 'judicial_suggestion', (d) => (d.title = '司法建议书'));
    const list = (await (await s.gw.app.request('http://gw/v1/suggestions', { headers: s.unit })).json()) as { items: { id: string }[] };
    const res = await s.gw.app.request(`http://gw/v1/suggestions/${list.items[0]!.id}/drafts`, {
      method: 'POST',
      headers: s.unit,
      body: JSON.stringify({ text: '已完成整改', handledOn: '2026-12-01' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const result = (await s.obligations(caseId)).filter((o) => o.ruleId === 'judicial-suggestion-result');
    expect(result.map((o) => [o.dueOn, o.dueSource])).toEqual([['2026-12-31', 'recorded']]); // 12-01 + 30
  });

  it('without a reply rule, a suggestion received on 12-31 is due two months later on 02-28, not 03-03 (民法典 第202条)', async () => {
    const put = await s.admin('/v1/admin/regions/330802/policy', 'PUT', {
      presetId: 'sishui',
      overrides: { rules: { 'judicial-suggestion-reply': { enabled: false }, 'judicial-suggestion-result': { enabled: false } } },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    s.clock.set(new Date('2026-12-31T02:00:00Z'));
    await s.push('(2026)浙0825行初805号', 'judicial_suggestion', (d) => (d.title = '司法建议书'));
    const list = (await (await s.gw.app.request('http://gw/v1/suggestions', { headers: adminHeaders() })).json()) as { items: { replyDueOn: string }[] };
    expect(list.items.map((i) => i.replyDueOn)).toContain('2027-02-28');
    s.clock.set(T0);
    expect((await s.admin('/v1/admin/regions/330802/policy', 'PUT', { presetId: 'sishui' })).status).toBe(200);
  });

  it('行诉解释 第110条: the retrial window, six months from a second-instance judgment taking effect on service', async () => {
    const { caseId } = await s.push('(2026)浙08行终804号', 'judgment', (d) => {
      d.case!.instance = 'second';
      d.outcome = { result: 'loss', lossKind: 'revoke' };
    });
    const [r] = await s.live(caseId, 'retrial_application');
    expect(r).toMatchObject({ dueOn: '2027-05-24', earliestDueOn: '2027-05-23', dueSource: 'arrival' }); // 11-23 + 6 months = Sun 05-23
  });
});

describe('property — random document sequences of one case (Putian, the district government a defendant)', () => {
  let w: World;
  beforeAll(async () => (w = await world('putian-chengxiang')));
  afterAll(() => w.gw.close());

  const event = fc.record({
    kind: fc.constantFrom('complaint_copy', 'response_notice', 'summons', 'judgment', 'appeal', 'effective_step', 'effective_stated'),
    gapHours: fc.integer({ min: 1, max: 5 * 24 }),
    effectiveOffset: fc.integer({ min: 10, max: 25 }),
  });

  it('the answer is 15 days from the first complaint-copy receipt; once effectiveness is known every after-judgment duty exists, counted from it', async () => {
    const cal = createChineseDaysCalendar();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 6 }), async (events) => {
        const caseNumber = `(2026)浙0825行初9${String(++run).padStart(3, '0')}号`;
        w.clock.set(T0);
        let caseId: string | undefined;
        let firstComplaint: Date | undefined;
        let judgmentAt: Date | undefined;
        let appealedAfter = false;
        let stated: string | undefined;
        for (const e of events) {
          w.clock.advance(e.gapHours * 3_600_000);
          const now = w.clock.now();
          if (e.kind === 'effective_step') {
            if (!caseId) continue;
            const on = addDays('2026-11-23', e.effectiveOffset);
            await w.step(caseId, 'decision_effective', { effectiveOn: on, reason: '生效证明' });
            if (judgmentAt) stated = on;
            continue;
          }
          const type = e.kind === 'effective_stated' ? 'effectiveness_certificate' : (e.kind as Doc['type']);
          if (type === 'judgment' && judgmentAt) continue; // one first-instance judgment per case
          const on = addDays('2026-11-23', e.effectiveOffset);
          const r = await w.push(caseNumber, type, (d) => {
            d.case!.defendants.push(GOV);
            if (type === 'judgment') d.outcome = { result: 'loss', lossKind: 'revoke' };
            if (e.kind === 'effective_stated') d.decisionEffectiveOn = on;
          });
          caseId = r.caseId;
          if ((type === 'complaint_copy' || type === 'response_notice') && !firstComplaint) firstComplaint = now;
          if (type === 'judgment') judgmentAt = now;
          if (type === 'appeal' && judgmentAt) appealedAfter = true;
          if (e.kind === 'effective_stated' && judgmentAt) stated = on;
        }
        if (!caseId) return;
        // The answer to the complaint (ALL 第67条), not the answer to an appeal (rule appeal-answer).
        const answers = (await w.live(caseId, 'answer_and_evidence')).filter((o) => o.ruleId === 'answer');
        if (firstComplaint) {
          expect(answers.map((o) => o.dueOn)).toEqual([
            computeDue({ start: firstComplaint, period: { n: 15, unit: 'day' }, direction: 'after', calendar: cal }).due,
          ]);
        } else {
          expect(answers).toEqual([]);
        }
        if (!judgmentAt) return;
        const known =
          stated ??
          (appealedAfter ? undefined : addDays(computeDue({ start: judgmentAt, period: { n: 15, unit: 'day' }, direction: 'after', calendar: cal }).due, 1));
        for (const kind of ['loss_analysis_report', 'three_ones_plan', 'retrial_application']) {
          const live = await w.live(caseId, kind);
          if (known)
            expect(
              live.map((o) => o.derivation.anchor.date),
              kind,
            ).toEqual([known]);
          else expect(live, kind).toEqual([]);
        }
      }),
      { numRuns: 12, seed: 1616 },
    );
  });
});
