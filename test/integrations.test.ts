/**
 * Integrations that land where people work, each checked with an independent library or as a person would:
 * notification links open the clerk's page; the generic webhook verifies with the `standardwebhooks` library
 * and refuses a changed body; a long DingTalk message keeps its link and the robot's keyword.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { message } from '../src/jobs/deadlines.js';
import { webhookAdapter } from '../adapters/notify/webhook.js';
import { dingtalkAdapter } from '../adapters/notify/dingtalk.js';
import { FOOTER } from '../adapters/notify/render.js';
import type { NotificationMessage, NotifyContext } from '../src/services/notifications.js';
import { T0, testGateway } from './helpers/gateway.js';

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
    const m = message('reminder', { titleZh: '提交答辩状', titleEn: 'Answer', dueOn: '2026-12-08', source: 'ALL 第67条', provisional: false }, '(2026)浙0802行初12号', 'https://fuyuan.example.gov.cn/', 'c-1');
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
    expect(() => verifyAt(T0, new Webhook(`whsec_${Buffer.from('another-key-another-key-another!').toString('base64')}`), req!.body, req!.headers)).toThrow(/signature/i);
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
