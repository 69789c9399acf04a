/**
 * Deadlines through the gateway (docs/domain.md §4): obligations created at intake under each region's preset,
 * later documents updating them, the calculator and calendar endpoints, administrator overrides with
 * recomputation, closing obligations, and the iCalendar feed parsed back by ical.js.
 *
 * Arrival is T0 = 2026-11-23 10:00 Beijing (a Monday). Expected dates are worked out in comments from the
 * 2026 calendar (no holidays between 2026-11-23 and 2026-12-31).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { adminHeaders, FixedClock, T0, testGateway } from '../../../test/helpers/gateway.js';
import { makeCourtPki, type CourtPki } from '../../../test/helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../../../adapters/node/court-kit.js';
import { registerSender } from '../../services/senders.js';
import { saveDirectory } from '../../services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../../domain/routing/index.js';
import type { Manifest } from '../../../schemas/api/manifest.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let n = 0;

type Ob = {
  id: string;
  kind: string;
  dueOn: string;
  provisional: boolean;
  unitId: string | null;
  party: string;
  status: string;
  source: string;
  caseNumber: string | null;
};
const api = (path: string, init: RequestInit = {}) =>
  gw.app.request(`http://gw${path}`, { ...init, headers: { ...adminHeaders(), ...(init.headers as Record<string, string>) } });

async function push(m: Manifest): Promise<{ caseId: string }> {
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status).toBe(201);
  return { caseId: ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId };
}
const obligationsOf = async (caseId: string, status?: string): Promise<Ob[]> =>
  ((await (await api(`/v1/obligations?case=${caseId}${status ? `&status=${status}` : ''}`)).json()) as { items: Ob[] }).items;
const byKind = (obs: Ob[]) => Object.fromEntries(obs.map((o) => [o.kind, o]));
/** The district government as a co-defendant: P 第十条, P 第十四条(二) and B 第四条 govern those cases. */
const withGovernment = (m: Manifest) => {
  m.documents[0]!.case!.defendants.push({ name: '衢州市柯城区人民政府', regionCode: '330802' });
  return m;
};
const setPolicy = async (presetId: string, overrides?: unknown) => {
  const res = await api('/v1/admin/regions/330802/policy', { method: 'PUT', body: JSON.stringify({ presetId, ...(overrides ? { overrides } : {}) }) });
  expect(res.status).toBe(200);
};
const kechengComplaint = (over: Partial<Parameters<typeof demoManifest>[0]> = {}) =>
  demoManifest({
    messageId: `d-${++n}`,
    senderCode: 'court-longyou',
    issuedAt: gw.clock.now(),
    caseNumber: `(2026)浙0825行初${500 + n}号`,
    defendant: '衢州市自然资源和规划局柯城分局',
    regionCode: '330802',
    ...over,
  });

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
});
afterAll(() => gw.close());

describe('a complaint copy under each preset starts the obligations its documents say', () => {
  // Answer and evidence: 15 days from service, the day of service not counted [ALL 第67条; 民诉解释 第125条]:
  // 2026-11-23 + 15 = 2026-12-08, a Tuesday and a working day. Same in every region.
  it('Putian Chengxiang, the district government a defendant: unit determination in 3 days [P 第十条], defence draft 5 days before the answer [P 第十一条]', async () => {
    await setPolicy('putian-chengxiang');
    const { caseId } = await push(withGovernment(kechengComplaint()));
    const o = byKind(await obligationsOf(caseId));
    expect(o.answer_and_evidence).toMatchObject({ dueOn: '2026-12-08', party: 'unit', unitId: 'kc-zrzy', source: 'ALL 第67条', provisional: false });
    expect(o.unit_determination).toMatchObject({ dueOn: '2026-11-26', party: 'justice_bureau', source: 'P 第十条' }); // 11-23 + 3
    expect(o.defence_draft).toMatchObject({ dueOn: '2026-12-03', source: 'P 第十一条' }); // 12-08 − 5, a Thursday
  });

  it('Sishui: report to the justice bureau and the head-appearance registration within 2 days [S 五(三), S 四(四)]', async () => {
    await setPolicy('sishui');
    const o = byKind(await obligationsOf((await push(kechengComplaint())).caseId));
    expect(o.report_to_justice_bureau).toMatchObject({ dueOn: '2026-11-25', source: 'S 五(三)' });
    expect(o.head_appearance_registration).toMatchObject({ dueOn: '2026-11-25', source: 'S 四(四)' });
    expect(o.answer_and_evidence?.dueOn).toBe('2026-12-08');
  });

  it('Baotou Shiguai, the district government a defendant: the government office sends to the leaders within 2 days [B 第四条]', async () => {
    await setPolicy('baotou-shiguai');
    const o = byKind(await obligationsOf((await push(withGovernment(kechengComplaint()))).caseId));
    expect(o.leader_signoff).toMatchObject({ dueOn: '2026-11-25', party: 'government_office', source: 'B 第四条' });
    expect(o.answer_and_evidence?.dueOn).toBe('2026-12-08');
  });

  it('Guangzhou: report in 2 days; reminders a week and a day before the answer, feedback the day after [G 全流程督促跟踪]', async () => {
    await setPolicy('guangzhou');
    const { caseId } = await push(kechengComplaint());
    const o = byKind(await obligationsOf(caseId));
    expect(o.report_to_justice_bureau?.dueOn).toBe('2026-11-25');
    const rows = await gw.deps.db.orm.query.reminders.findMany({ where: (r, { eq }) => eq(r.obligationId, o.answer_and_evidence!.id) });
    // 12-08 − 7 = 12-01, 12-08 − 1 = 12-07, 12-08 + 1 = 12-09; at 09:00 Beijing = 01:00 UTC.
    expect(rows.map((r) => [r.kind, r.fireAt.toISOString()]).sort()).toEqual([
      ['feedback', '2026-12-09T01:00:00.000Z'],
      ['reminder', '2026-12-01T01:00:00.000Z'],
      ['reminder', '2026-12-07T01:00:00.000Z'],
    ]);
  });

  it('Quzhou Kecheng (national rules): the answer only, and a region without a chosen policy runs it', async () => {
    const qj = await push(kechengComplaint({ defendant: '衢州市衢江区住房和城乡建设局', regionCode: '330803' }));
    expect((await obligationsOf(qj.caseId)).map((o) => [o.kind, o.dueOn])).toEqual([['answer_and_evidence', '2026-12-08']]);
  });
});

describe('later documents update the case', () => {
  it('a second summons with a new hearing date supersedes the first hearing', async () => {
    await setPolicy('guangzhou');
    const cn = `(2026)浙0825行初${900 + ++n}号`;
    const first = kechengComplaint({ type: 'summons', caseNumber: cn });
    first.documents[0]!.hearing = { at: '2026-12-15T09:30:00+08:00' };
    const { caseId } = await push(first);
    const moved = kechengComplaint({ type: 'summons', caseNumber: cn });
    moved.documents[0]!.hearing = { at: '2026-12-22T14:30:00+08:00' };
    await push(moved);
    const all = await obligationsOf(caseId);
    const hearings = all.filter((o) => o.kind === 'hearing');
    expect(hearings.map((h) => [h.dueOn, h.status]).sort()).toEqual([
      ['2026-12-15', 'waived'],
      ['2026-12-22', 'open'],
    ]);
    const old = hearings.find((h) => h.status === 'waived')!;
    const pending = await gw.deps.db.orm.query.reminders.findMany({
      where: (r, { eq, and, isNull }) => and(eq(r.obligationId, old.id), isNull(r.cancelledAt)),
    });
    expect(pending).toEqual([]);
  });

  it('a lost first-instance judgment starts appeal, loss report, plan and performance supervision [P 第十三条, 第十四条, 第十五条, 第十六条]', async () => {
    await setPolicy('putian-chengxiang');
    const m = withGovernment(kechengComplaint({ type: 'judgment' }));
    m.documents[0]!.outcome = { result: 'loss', lossKind: 'revoke', effectiveOn: '2026-12-10', performanceDueOn: '2027-02-10' };
    const o = byKind(await obligationsOf((await push(m)).caseId));
    expect(o.appeal?.dueOn).toBe('2026-12-08'); // 15 days from service [ALL 第85条]
    expect(o.three_ones_plan?.dueOn).toBe('2026-12-21'); // 12-10 + 10 = 12-20, a Sunday → Monday 12-21
    expect(o.loss_analysis_report).toMatchObject({ dueOn: '2027-01-11', provisional: true }); // 12-10 + 30 = 2027-01-09, Saturday; 2027 unpublished
    expect(o.performance?.dueOn).toBe('2027-02-10');
  });
});

describe('calculator and calendar', () => {
  it('computes a due date with its derivation, a date or an instant as the start (Beijing date)', async () => {
    const r1 = (await (await gw.app.request('http://gw/v1/deadlines/compute?start=2026-03-01&period=15d')).json()) as {
      due: string;
      provisional: boolean;
      derivation: { startDate: string };
    };
    expect(r1).toMatchObject({ due: '2026-03-16', provisional: false }); // Sunday + 15 = Monday 03-16
    // 16:30 UTC on 03-01 is 00:30 on 03-02 in Beijing: counting starts a day later.
    const r2 = (await (await gw.app.request(`http://gw/v1/deadlines/compute?start=${encodeURIComponent('2026-03-01T16:30:00Z')}&period=15d`)).json()) as {
      due: string;
      derivation: { startDate: string };
    };
    expect(r2.derivation.startDate).toBe('2026-03-02');
    expect(r2.due).toBe('2026-03-17');
    const r3 = (await (await gw.app.request('http://gw/v1/deadlines/compute?start=2026-12-20&period=15d')).json()) as { due: string; provisional: boolean };
    expect(r3.provisional).toBe(true); // ends in 2027, whose holiday notice is not in the data
  });

  it('refuses a bad start or period with a problem', async () => {
    for (const q of ['start=yesterday&period=15d', 'start=2026-03-01&period=15x', 'start=2026-03-01T10:00:00&period=15d']) {
      const res = await gw.app.request(`http://gw/v1/deadlines/compute?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it("lists a year's rest days and make-up days with the source, and says when a year is not published", async () => {
    const y26 = (await (await gw.app.request('http://gw/v1/calendar/2026')).json()) as {
      published: boolean;
      restDays: { date: string }[];
      makeupWorkdays: { date: string }[];
    };
    expect(y26.published).toBe(true);
    expect(y26.restDays.map((d) => d.date)).toContain('2026-10-01');
    expect(y26.makeupWorkdays.length).toBeGreaterThan(0);
    const y27 = (await (await gw.app.request('http://gw/v1/calendar/2027')).json()) as { published: boolean };
    expect(y27.published).toBe(false);
  });
});

describe('administrator overrides recompute open deadlines', () => {
  it('a regional rest day on the due date moves the answer to the next working day, and back when removed', async () => {
    await setPolicy('quzhou-kecheng');
    const { caseId } = await push(kechengComplaint());
    expect(byKind(await obligationsOf(caseId)).answer_and_evidence?.dueOn).toBe('2026-12-08');
    const res = await api('/v1/admin/calendar/overrides/2026-12-08', {
      method: 'PUT',
      body: JSON.stringify({ working: false, name: '区域性休息日', reason: '演示：地方政府通知' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { recomputed: { changed: number } }).recomputed.changed).toBeGreaterThan(0);
    expect(byKind(await obligationsOf(caseId)).answer_and_evidence?.dueOn).toBe('2026-12-09');
    expect((await api('/v1/admin/calendar/overrides/2026-12-08', { method: 'DELETE' })).status).toBe(200);
    expect(byKind(await obligationsOf(caseId)).answer_and_evidence?.dueOn).toBe('2026-12-08');
  });

  it('publishing 2027 makes its deadlines final: provisional turns false', async () => {
    gw.clock.set(new Date('2026-12-20T02:00:00Z'));
    const { caseId } = await push(kechengComplaint());
    const before = byKind(await obligationsOf(caseId)).answer_and_evidence!;
    expect(before).toMatchObject({ dueOn: '2027-01-04', provisional: true }); // 12-20 + 15 = 2027-01-04 (Monday)
    await api('/v1/admin/calendar/overrides/2027-01-01', { method: 'PUT', body: JSON.stringify({ working: false, name: '元旦', reason: '国务院办公厅通知' }) });
    const pub = await api('/v1/admin/calendar/years/2027/publish', { method: 'POST' });
    expect(pub.status).toBe(200);
    const after = byKind(await obligationsOf(caseId)).answer_and_evidence!;
    expect(after).toMatchObject({ dueOn: '2027-01-04', provisional: false });
    const audit = await gw.deps.db.orm.query.auditLog.findMany({ where: (a, { eq }) => eq(a.subject, `obligation:${after.id}`) });
    expect(audit.map((a) => a.action)).toContain('obligation.recomputed');
    gw.clock.set(T0);
  });
});

describe('closing obligations and the calendar feed', () => {
  it('done closes it and stops its reminders (the feedback request stays); waiving needs a reason', async () => {
    await setPolicy('guangzhou');
    const { caseId } = await push(kechengComplaint());
    const answer = byKind(await obligationsOf(caseId)).answer_and_evidence!;
    expect((await api(`/v1/obligations/${answer.id}/close`, { method: 'POST', body: JSON.stringify({ status: 'waived' }) })).status).toBe(400);
    const res = await api(`/v1/obligations/${answer.id}/close`, { method: 'POST', body: JSON.stringify({ status: 'done' }) });
    expect(await res.json()).toEqual({ id: answer.id, status: 'done' });
    const live = await gw.deps.db.orm.query.reminders.findMany({
      where: (r, { eq, and, isNull }) => and(eq(r.obligationId, answer.id), isNull(r.cancelledAt)),
    });
    expect(live.map((r) => r.kind)).toEqual(['feedback']);
    expect((await api(`/v1/obligations/${answer.id}/close`, { method: 'POST', body: JSON.stringify({ status: 'done' }) })).status).toBe(409);
  });

  it("a unit's feed lists its open deadlines; a real iCalendar parser reads it back", async () => {
    const issued = await api('/v1/admin/units/kc-zrzy/calendar-token', { method: 'POST' });
    expect(issued.status).toBe(201);
    const { path } = (await issued.json()) as { path: string };
    const res = await gw.app.request(`http://gw${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const comp = new ICAL.Component(ICAL.parse(await res.text()));
    const events = comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const open = ((await (await api('/v1/obligations?unit=kc-zrzy&status=open&limit=1000')).json()) as { items: Ob[] }).items;
    expect(events.length).toBe(open.length);
    const answer = events.find((e) => e.summary.includes('答辩') && e.summary.includes('(2026)浙0825行初'))!;
    expect(answer.startDate.isDate).toBe(true);
    expect(open.map((o) => o.dueOn)).toContain(answer.startDate.toString());
    const wrong = await gw.app.request(`http://gw/v1/units/kc-zrzy/deadlines.ics?token=nope`);
    expect(wrong.status).toBe(404);
  });
});
