/**
 * Integrations that land where people work, each checked with an independent library or as a person would:
 * notification links open the clerk's page; the generic webhook verifies with the `standardwebhooks` library
 * and refuses a changed body; a long DingTalk message keeps its link and the robot's keyword; the iCalendar feed,
 * read back with ical.js, has alarms, the case page's URL, stable UIDs and a SEQUENCE that grows when a deadline moves.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { message } from '../src/jobs/deadlines.js';
import { webhookAdapter } from '../adapters/notify/webhook.js';
import { dingtalkAdapter } from '../adapters/notify/dingtalk.js';
import { FOOTER } from '../adapters/notify/render.js';
import type { NotificationMessage, NotifyContext } from '../src/services/notifications.js';
import ICAL from 'ical.js';
import { and, eq, isNull } from 'drizzle-orm';
import { adminHeaders, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { reminders } from '../schemas/db/index.js';

const MSG: NotificationMessage = {
  title: '【提醒】提交答辩状',
  lines: ['请在截止日期前办理。'],
  caseNumber: '(2026)浙0802行初12号',
  obligation: '提交答辩状及证据材料',
  dueOn: '2026-12-08',
  link: 'https://fuyuan.example.gov.cn/web/cases/c-1',
};

/** A NotifyContext whose fetch records the request instead of sending it. */
function capture() {
  const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
  const ctx: NotifyContext = {
    idempotencyKey: 'reminder:r-1:kc-zrzy:ch-1',
    now: T0,
    fetch: (async (url: string, init: RequestInit) => {
      sent.push({ url, headers: Object.fromEntries(new Headers(init.headers).entries()), body: String(init.body) });
      return new Response('{"errcode":0,"errmsg":"ok"}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch,
  };
  return { sent, ctx };
}

/** Verify as a receiver whose clock reads `at` (the library checks the timestamp against Date). */
function verifyAt(at: Date, wh: Webhook, body: string, headers: Record<string, string>) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
  try {
    return wh.verify(body, headers);
  } finally {
    vi.useRealTimers();
  }
}

describe('notification links', () => {
  let gw: Awaited<ReturnType<typeof testGateway>>;
  beforeAll(async () => {
    gw = await testGateway();
  });
  afterAll(() => gw.close());

  it("a reminder links to the clerk's case page (/web/cases/{id}), which a browser without a session is asked to sign in for and then returns to", async () => {
    const m = message(
      'reminder',
      { titleZh: '提交答辩状', titleEn: 'Answer', dueOn: '2026-12-08', source: 'ALL 第67条', provisional: false },
      '(2026)浙0802行初12号',
      'https://fuyuan.example.gov.cn/',
      'c-1',
    );
    expect(m.link).toBe('https://fuyuan.example.gov.cn/web/cases/c-1');
    const res = await gw.app.request('/web/cases/c-1', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!, 'http://gw');
    expect(to.pathname).toBe('/web/login');
    expect(to.searchParams.get('next')).toBe('/web/cases/c-1');
  });
});

describe('generic webhook: Standard Webhooks', () => {
  it('a whsec_ secret verifies with new Webhook(secret); a changed body or another secret is refused', async () => {
    const secret = `whsec_${Buffer.from('a-32-byte-key-for-the-receiver!!').toString('base64')}`;
    const { sent, ctx } = capture();
    await webhookAdapter.send({ url: 'https://receiver.example/hook', secret }, MSG, ctx);
    const [req] = sent;
    expect(req!.headers['webhook-id']).toBe(ctx.idempotencyKey);
    expect(req!.headers['webhook-timestamp']).toBe(String(T0.getTime() / 1000));
    const payload = verifyAt(T0, new Webhook(secret), req!.body, req!.headers) as Record<string, unknown>;
    expect(payload).toMatchObject({ type: 'fuyuan.notification', caseNumber: '(2026)浙0802行初12号', link: MSG.link });
    expect(() => verifyAt(T0, new Webhook(secret), req!.body.replace('12号', '13号'), req!.headers)).toThrow(/signature/i);
    expect(() => verifyAt(T0, new Webhook(`whsec_${Buffer.from('another-key-another-key-another!').toString('base64')}`), req!.body, req!.headers)).toThrow(
      /signature/i,
    );
    // A receiver whose clock is an hour later refuses it as a replay.
    expect(() => verifyAt(new Date(T0.getTime() + 3600_000), new Webhook(secret), req!.body, req!.headers)).toThrow(/timestamp/i);
  });

  it('a plain secret verifies with new Webhook(secret, { format: "raw" })', async () => {
    const secret = 'a-plain-shared-secret-0123456789';
    const { sent, ctx } = capture();
    await webhookAdapter.send({ url: 'https://receiver.example/hook', secret }, MSG, ctx);
    expect(verifyAt(T0, new Webhook(secret, { format: 'raw' }), sent[0]!.body, sent[0]!.headers)).toMatchObject({ title: MSG.title });
  });
});

describe('DingTalk: a long message', () => {
  it('is cut in its body, keeping the link to the case page and the keyword (footer) a robot may require', async () => {
    const { sent, ctx } = capture();
    const long = { ...MSG, lines: Array.from({ length: 3000 }, (_, i) => `第${i + 1}项：请按期办理并报送司法局。`) };
    await dingtalkAdapter.send({ url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: null }, long, ctx);
    const text = (JSON.parse(sent[0]!.body) as { markdown: { text: string } }).markdown.text;
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(18_000);
    expect(text).toContain(`[查看详情 (details)](${MSG.link})`);
    expect(text.endsWith(FOOTER)).toBe(true);
    expect(text).toContain('府院通');
    expect(text).not.toContain('第3000项');
  });
});

describe('iCalendar feed, read back with ical.js', () => {
  let gw: Awaited<ReturnType<typeof testGateway>>;
  const api = (path: string, init: RequestInit = {}) =>
    gw.app.request(`http://gw.example${path}`, { ...init, headers: { ...adminHeaders(), ...(init.headers as Record<string, string>) } });
  type Ev = { uid: string; url: string | null; sequence: number; start: string; alarms: string[]; summary: string };
  const feed = async (path: string): Promise<Ev[]> => {
    const res = await gw.app.request(`http://gw.example${path}`);
    expect(res.status).toBe(200);
    const comp = new ICAL.Component(ICAL.parse(await res.text()));
    return comp.getAllSubcomponents('vevent').map((v) => ({
      uid: String(v.getFirstPropertyValue('uid')),
      url: (v.getFirstPropertyValue('url') as string | null) ?? null,
      sequence: Number(v.getFirstPropertyValue('sequence')),
      start: String(v.getFirstPropertyValue('dtstart')),
      summary: String(v.getFirstPropertyValue('summary')),
      alarms: v.getAllSubcomponents('valarm').map((a) => {
        expect(a.getFirstPropertyValue('action')).toBe('DISPLAY');
        return (a.getFirstPropertyValue('trigger') as ICAL.Time).toJSDate().toISOString();
      }),
    }));
  };
  let caseId: string;
  let path: string;

  beforeAll(async () => {
    gw = await testGateway({ clock: new FixedClock(T0) });
    const court = await makeCourtPki('龙游县人民法院');
    await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
    await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
    // Guangzhou's preset reminds a week and a day before each due date [G 全流程].
    expect((await api('/v1/admin/regions/330802/policy', { method: 'PUT', body: JSON.stringify({ presetId: 'guangzhou' }) })).status).toBe(200);
    const m = demoManifest({
      messageId: 'ics-1',
      senderCode: 'court-longyou',
      issuedAt: gw.clock.now(),
      caseNumber: '(2026)浙0825行初777号',
      defendant: '衢州市自然资源和规划局柯城分局',
      regionCode: '330802',
    });
    const res = await gw.app.request(joseRequest('http://gw.example/v1/deliveries', await signManifest(m, court.signer)));
    expect(res.status).toBe(201);
    caseId = ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
    path = ((await (await api('/v1/admin/units/kc-zrzy/calendar-token', { method: 'POST' })).json()) as { path: string }).path;
  });
  afterAll(() => gw.close());

  it("each deadline has a stable UID, the clerk's case page as URL, and an alarm at every reminder the policy scheduled", async () => {
    const events = await feed(path);
    const open = ((await (await api('/v1/obligations?unit=kc-zrzy&status=open&limit=1000')).json()) as { items: { id: string }[] }).items;
    expect(events.map((e) => e.uid).sort()).toEqual(open.map((o) => `${o.id}@fuyuan`).sort());
    let alarmed = 0;
    for (const e of events) {
      expect(e.url).toBe(`http://gw.example/web/cases/${caseId}`);
      expect(e.sequence).toBe(0);
      const id = e.uid.replace(/@fuyuan$/, '');
      const scheduled = await gw.deps.db.orm
        .select()
        .from(reminders)
        .where(and(eq(reminders.obligationId, id), isNull(reminders.cancelledAt)));
      expect(e.alarms).toEqual(scheduled.map((r) => r.fireAt.toISOString()).sort());
      alarmed += e.alarms.length;
    }
    expect(alarmed).toBeGreaterThan(0);
  });

  it('when a deadline moves (a regional rest day on its due date) the same UID comes back with the new date and a higher SEQUENCE', async () => {
    const before = (await feed(path)).find((e) => e.summary.startsWith('提交答辩状') || e.summary.includes('答辩'))!;
    expect(before.start).toBe('2026-12-08');
    gw.clock.advance(3600_000);
    const res = await api('/v1/admin/calendar/overrides/2026-12-08', {
      method: 'PUT',
      body: JSON.stringify({ working: false, name: '区域性休息日', reason: '地方政府通知' }),
    });
    expect(res.status).toBeLessThan(300);
    const after = (await feed(path)).find((e) => e.uid === before.uid)!;
    expect(after.start).toBe('2026-12-09');
    expect(after.sequence).toBeGreaterThan(before.sequence);
  });
});
