/**
 * Notifications through the outbox (issue 4 item 6), against a local HTTP server that imitates the three
 * services the way they check requests: a DingTalk custom robot (access_token, 加签 timestamp + sign within an
 * hour, answers {errcode, errmsg} with HTTP 200), a WeCom group robot (key, markdown ≤ 4096 bytes) and a
 * generic receiver that verifies the Standard Webhooks signature with the `standardwebhooks` library. Each endpoint can fail its first N
 * requests and then recover; the clock is fixed and advanced by hand between delivery runs.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { and, eq, like } from 'drizzle-orm';
import { adminHeaders, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { auditLog, outbox } from '../schemas/db/index.js';
import { mountNotifications } from '../src/routes/notifications/index.js';
import { enqueueNotification, type NotificationMessage } from '../src/services/notifications.js';
import { backoffMs, deliverOutbox, OUTBOX_MAX_ATTEMPTS } from '../src/jobs/outbox.js';

// ---------------------------------------------------------------------------------------------------------
// The imitation services

type Failure = 'errcode' | '500' | '410' | 'hang';
interface Behaviour {
  /** Fail this many valid requests, then answer normally. */
  fail: number;
  how: Failure;
  delayMs?: number;
}
interface Call {
  endpoint: string;
  url: URL;
  headers: IncomingHttpHeaders;
  raw: string;
  json: Record<string, unknown> | null;
  accepted: boolean;
  answer: string;
}

const DING_SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
/** access_token → 加签 secret (null: the robot uses a keyword instead). */
const dingRobots = new Map<string, string | null>([
  ['ding-kc', DING_SECRET],
  ['ding-kw', null],
]);
const wecomKeys = new Set(['wecom-kc']);
/** /hooks/<name> → HMAC key. */
const hooks = new Map<string, string>([
  // A secret in the Standard Webhooks form (whsec_ + base64 of the key), and plain ones used as raw bytes.
  ['kc', `whsec_${Buffer.from('fuyuan-test-webhook-key-kc-0123456789').toString('base64')}`],
  ['down', 'webhook-secret-down-012345678'],
  ['gone', 'webhook-secret-gone-012345678'],
  ['slow', 'webhook-secret-slow-012345678'],
  ['busy', 'webhook-secret-busy-012345678'],
  ['off', 'webhook-secret-off-0123456789'],
]);
const behaviour = new Map<string, Behaviour>();
const seen = new Map<string, number>();
const calls: Call[] = [];
/** The services' clock: the test's fixed clock (DingTalk refuses a timestamp an hour away from it). */
let serviceNow: () => Date = () => T0;

let server: Server;
let base: string;

const json = (o: unknown) => JSON.stringify(o);

function answer(endpoint: string, raw: string, url: URL, headers: IncomingHttpHeaders): { status: number; body: string; ok: boolean } {
  const refuse = (status: number, body: unknown) => ({ status, body: json(body), ok: false });
  let body: Record<string, unknown> | null = null;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    body = null;
  }
  const now = serviceNow().getTime();

  if (endpoint.startsWith('ding:')) {
    const token = url.searchParams.get('access_token') ?? '';
    if (!dingRobots.has(token)) return refuse(200, { errcode: 300001, errmsg: 'token is not exist' });
    const secret = dingRobots.get(token);
    if (secret) {
      const ts = url.searchParams.get('timestamp');
      const sign = url.searchParams.get('sign'); // URLSearchParams decodes as the service does: an unencoded "+" would turn into a space
      if (!ts || !sign) return refuse(200, { errcode: 310000, errmsg: 'sign not match, missing timestamp or sign' });
      if (Math.abs(Number(ts) - now) > 3600_000) return refuse(200, { errcode: 310000, errmsg: 'sign not match, timestamp is more than one hour away' });
      const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`, 'utf8').digest('base64');
      if (sign !== expected) return refuse(200, { errcode: 310000, errmsg: 'sign not match' });
    }
    const md = body?.markdown as { title?: unknown; text?: unknown } | undefined;
    if (body?.msgtype !== 'markdown' || typeof md?.title !== 'string' || typeof md.text !== 'string')
      return refuse(200, { errcode: 40035, errmsg: '缺少参数 json' });
    if (!secret && !md.text.includes('府院通')) return refuse(200, { errcode: 310000, errmsg: 'keywords not in content' });
    // at: { atMobiles: string[], atUserIds: string[], isAtAll: boolean }, each optional; anything else is a malformed body.
    if (body.at !== undefined) {
      const at = body.at as Record<string, unknown>;
      const strings = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      if (
        typeof at !== 'object' ||
        at === null ||
        !strings(at.atMobiles) ||
        !strings(at.atUserIds) ||
        (at.isAtAll !== undefined && typeof at.isAtAll !== 'boolean')
      ) {
        return refuse(200, { errcode: 40035, errmsg: '缺少参数 json: at' });
      }
    }
  } else if (endpoint.startsWith('wecom:')) {
    if (!wecomKeys.has(url.searchParams.get('key') ?? '')) return refuse(200, { errcode: 93000, errmsg: 'invalid webhook url' });
    if (body?.msgtype === 'text') {
      // The text type: content ≤ 2048 bytes, mentioned_list (userids, "@all") and mentioned_mobile_list, both optional string lists.
      const t = body.text as { content?: unknown; mentioned_list?: unknown; mentioned_mobile_list?: unknown } | undefined;
      const strings = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      if (typeof t?.content !== 'string' || !strings(t.mentioned_list) || !strings(t.mentioned_mobile_list))
        return refuse(200, { errcode: 40008, errmsg: 'invalid message type' });
      if (Buffer.byteLength(t.content, 'utf8') > 2048) return refuse(200, { errcode: 40058, errmsg: 'text.content exceed max length 2048' });
    } else {
      const md = body?.markdown as { content?: unknown } | undefined;
      if (body?.msgtype !== 'markdown' || typeof md?.content !== 'string') return refuse(200, { errcode: 40008, errmsg: 'invalid message type' });
      if (Buffer.byteLength(md.content, 'utf8') > 4096) return refuse(200, { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' });
    }
  } else {
    const secret = hooks.get(endpoint.slice('hook:'.length));
    if (!secret) return refuse(404, { error: 'no such hook' });
    // The receiver's clock is the services' clock (the test's fixed clock): the library checks the timestamp with Date.
    const wh = secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(secret, { format: 'raw' });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    try {
      wh.verify(raw, headers as Record<string, string>);
    } catch (e) {
      return refuse(401, { error: (e as Error).message });
    } finally {
      vi.useRealTimers();
    }
    if (!headers['idempotency-key']) return refuse(400, { error: 'Idempotency-Key missing' });
  }

  const n = (seen.get(endpoint) ?? 0) + 1;
  seen.set(endpoint, n);
  const b = behaviour.get(endpoint);
  if (b && n <= b.fail) {
    if (b.how === 'errcode') return refuse(200, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    if (b.how === '410') return refuse(410, { error: 'this hook was removed' });
    return refuse(500, { error: 'internal error' });
  }
  return endpoint.startsWith('hook:') ? { status: 204, body: '', ok: true } : { status: 200, body: json({ errcode: 0, errmsg: 'ok' }), ok: true };
}

function endpointOf(url: URL): string {
  if (url.pathname === '/robot/send') return `ding:${url.searchParams.get('access_token')}`;
  if (url.pathname === '/cgi-bin/webhook/send') return `wecom:${url.searchParams.get('key')}`;
  return `hook:${url.pathname.replace(/^\/hooks\//, '')}`;
}

const callsTo = (endpoint: string) => calls.filter((c) => c.endpoint === endpoint);

/**
 * Who a DingTalk group member sees pinged by a message, by DingTalk's rule: a mobile or user id in `at` is a
 * mention only when the text also carries "@<it>"; isAtAll pings everyone.
 */
function dingtalkPinged(body: Record<string, unknown> | null): { mobiles: string[]; userIds: string[]; all: boolean } {
  const at = (body?.at ?? {}) as { atMobiles?: string[]; atUserIds?: string[]; isAtAll?: boolean };
  const text = String((body?.markdown as { text?: string } | undefined)?.text ?? '');
  const shown = (x: string) => new RegExp(`@${x}(?![0-9A-Za-z])`).test(text);
  return { mobiles: (at.atMobiles ?? []).filter(shown), userIds: (at.atUserIds ?? []).filter(shown), all: at.isAtAll === true };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const endpoint = endpointOf(url);
      const b = behaviour.get(endpoint);
      const n = seen.get(endpoint) ?? 0;
      const hang = b?.how === 'hang' && n < b.fail;
      if (hang) seen.set(endpoint, n + 1);
      const a = hang
        ? { status: 500, body: '', ok: false }
        : req.method === 'POST'
          ? answer(endpoint, raw, url, req.headers)
          : { status: 405, body: '', ok: false };
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        parsed = null;
      }
      calls.push({ endpoint, url, headers: req.headers, raw, json: parsed, accepted: a.ok, answer: a.body });
      setTimeout(
        () => {
          if (res.destroyed) return;
          res.writeHead(a.status, { 'content-type': 'application/json' });
          res.end(a.body);
        },
        hang ? 2000 : (b?.delayMs ?? 0),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// ---------------------------------------------------------------------------------------------------------
// A gateway per block, with the demo directory and the notification routes

type Gw = Awaited<ReturnType<typeof testGateway>>;

async function gateway(): Promise<Gw & { api: (path: string, init?: RequestInit) => Promise<Response> }> {
  const gw = await testGateway({ clock: new FixedClock(T0) });
  serviceNow = () => gw.clock.now();
  const api = async (path: string, init: RequestInit = {}) =>
    gw.app.request(`http://gw${path}`, { ...init, headers: { ...adminHeaders(), ...(init.headers as Record<string, string>) } });
  // Until src/app.ts calls mountNotifications, mount it here (after mountDirectory, whose /v1/admin/* guard applies).
  if (!gw.app.routes.some((r) => r.path === '/v1/admin/outbox')) mountNotifications(gw.app);
  expect((await api('/v1/admin/directory', { method: 'PUT', body: json(DEMO_DIRECTORY_DATA) })).status).toBe(200);
  return Object.assign(gw, { api });
}

async function addChannel(gw: Awaited<ReturnType<typeof gateway>>, unitId: string, body: Record<string, unknown>): Promise<string> {
  const res = await gw.api(`/v1/admin/units/${unitId}/channels`, { method: 'POST', body: json(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function enqueue(gw: Gw, unitId: string, message: NotificationMessage, idempotencyKey: string): Promise<number> {
  const stmts = await enqueueNotification(gw.deps, { unitId, message, idempotencyKey });
  await gw.deps.db.batch(stmts);
  return stmts.length;
}

const rowsFor = (gw: Gw, destination: string) => gw.deps.db.orm.select().from(outbox).where(eq(outbox.destination, destination));
const auditActions = async (gw: Gw, action: string) => (await gw.deps.db.orm.select().from(auditLog).where(eq(auditLog.action, action))).length;

const MESSAGE: NotificationMessage = {
  title: '【提醒】提交答辩状',
  lines: ['请在截止日期前办理。', '依据：《行政诉讼法》第六十七条 (Administrative Litigation Law art. 67)'],
  caseNumber: '(2026)浙0802行初12号',
  obligation: '提交答辩状及证据材料',
  dueOn: '2026-12-08',
  link: 'https://fuyuan.example.gov.cn/web/cases/0191c0de',
};

const MIN = 60_000;

// ---------------------------------------------------------------------------------------------------------

describe('channels: the admin API', () => {
  let gw: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    gw = await gateway();
  });
  afterAll(() => gw.close());

  it('registers DingTalk, WeCom and webhook channels for a unit (201), lists them with credentials masked, audited', async () => {
    const res = await gw.api('/v1/admin/units/kc-zrzy/channels', {
      method: 'POST',
      body: json({ kind: 'dingtalk', url: `${base}/robot/send?access_token=ding-kc`, secret: DING_SECRET }),
    });
    expect(res.status).toBe(201);
    const ch = (await res.json()) as Record<string, unknown>;
    expect(ch).toMatchObject({ unitId: 'kc-zrzy', kind: 'dingtalk', hasSecret: true, enabled: true });
    expect(String(ch.url)).toContain('access_token=ding…');
    expect(JSON.stringify(ch)).not.toContain(DING_SECRET);
    await addChannel(gw, 'kc-zrzy', { kind: 'wecom', url: `${base}/cgi-bin/webhook/send?key=wecom-kc` });
    await addChannel(gw, 'kc-zrzy', { kind: 'webhook', url: `${base}/hooks/kc`, secret: hooks.get('kc') });
    const list = (await (await gw.api('/v1/admin/units/kc-zrzy/channels')).json()) as { items: { kind: string; url: string }[] };
    expect(list.items.map((i) => i.kind)).toEqual(['dingtalk', 'wecom', 'webhook']);
    expect(list.items[1]!.url).not.toContain('wecom-kc');
    expect(await auditActions(gw, 'channel.registered')).toBe(3);
  });

  it.each([
    ['an ftp address', { kind: 'webhook', url: 'ftp://example.org/hook', secret: 'x'.repeat(20) }, /http or https/],
    ['a javascript: address', { kind: 'webhook', url: 'javascript:alert(1)', secret: 'x'.repeat(20) }, /http or https/],
    ['not an address', { kind: 'webhook', url: 'hooks/kc', secret: 'x'.repeat(20) }, /not an absolute address/],
    ['credentials in the address', { kind: 'webhook', url: 'https://u:p@example.org/hook', secret: 'x'.repeat(20) }, /user name or password/],
    ['a webhook without a secret', { kind: 'webhook', url: 'https://example.org/hook' }, /secret of at least 16/],
    ['a webhook with a short secret', { kind: 'webhook', url: 'https://example.org/hook', secret: 'short' }, /secret of at least 16/],
    ['WeCom with a secret', { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', secret: 'abc' }, /no signing secret/],
    ['WeCom without key', { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }, /\?key=/],
    ['DingTalk without access_token', { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send' }, /access_token/],
    [
      'DingTalk with a pre-signed address',
      { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1&sign=x', secret: 'SECx' },
      /without timestamp and sign/,
    ],
    ['an unknown kind', { kind: 'sms', url: 'https://example.org/hook' }, /kind/],
    ['no url', { kind: 'webhook', secret: 'x'.repeat(20) }, /url/],
  ])('refuses %s: 400 problem+json, nothing stored or audited', async (_name, body, detail) => {
    const before = await gw.counts();
    const res = await gw.api('/v1/admin/units/kc-zrzy/channels', { method: 'POST', body: json(body) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const p = (await res.json()) as { type: string; detail: string };
    expect(p.type).toBe('urn:fuyuan:problem:bad-request');
    expect(p.detail).toMatch(detail);
    expect(await gw.counts()).toEqual(before);
    const list = (await (await gw.api('/v1/admin/units/kc-zrzy/channels')).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(3);
  });

  it('refuses an unknown unit (404), the same address twice (409), an unknown channel (404); needs the admin token (401)', async () => {
    const before = await gw.counts();
    const unknown = await gw.api('/v1/admin/units/no-such-unit/channels', {
      method: 'POST',
      body: json({ kind: 'wecom', url: `${base}/cgi-bin/webhook/send?key=wecom-kc` }),
    });
    expect(unknown.status).toBe(404);
    expect((await gw.api('/v1/admin/units/no-such-unit/channels')).status).toBe(404);
    const dup = await gw.api('/v1/admin/units/kc-zrzy/channels', {
      method: 'POST',
      body: json({ kind: 'wecom', url: `${base}/cgi-bin/webhook/send?key=wecom-kc` }),
    });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { type: string }).type).toBe('urn:fuyuan:problem:conflict');
    expect((await gw.api('/v1/admin/channels/no-such-channel', { method: 'DELETE' })).status).toBe(404);
    const anon = await gw.app.request(`http://gw/v1/admin/units/kc-zrzy/channels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json({ kind: 'wecom', url: `${base}/cgi-bin/webhook/send?key=other` }),
    });
    expect(anon.status).toBe(401);
    expect((await gw.app.request('http://gw/v1/admin/outbox')).status).toBe(401);
    expect(await gw.counts()).toEqual(before);
  });

  it('disables a channel (audited, idempotent): nothing more is enqueued for it', async () => {
    const id = await addChannel(gw, 'kc-sfj', { kind: 'webhook', url: `${base}/hooks/off`, secret: hooks.get('off') });
    expect(await enqueue(gw, 'kc-sfj', MESSAGE, 'before-disable')).toBe(1);
    const res = await gw.api(`/v1/admin/channels/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, enabled: false });
    expect((await gw.api(`/v1/admin/channels/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await auditActions(gw, 'channel.disabled')).toBe(1);
    expect(await enqueue(gw, 'kc-sfj', MESSAGE, 'after-disable')).toBe(0);
    // The row enqueued before becomes a dead letter when its turn comes, and nothing is sent.
    expect(await deliverOutbox(gw.deps, gw.clock.now())).toEqual({ sent: 0, retried: 0, dead: 1, skipped: 0 });
    const [row] = await rowsFor(gw, id);
    expect(row).toMatchObject({ status: 'dead', attempts: 1 });
    expect(row!.lastError).toContain('通道已停用');
    expect(callsTo('hook:off')).toHaveLength(0);
  });
});

describe('delivery: retries with back-off, then exactly once', () => {
  let gw: Awaited<ReturnType<typeof gateway>>;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    gw = await gateway();
    ids.ding = await addChannel(gw, 'kc-zrzy', { kind: 'dingtalk', url: `${base}/robot/send?access_token=ding-kc`, secret: DING_SECRET });
    ids.wecom = await addChannel(gw, 'kc-zrzy', { kind: 'wecom', url: `${base}/cgi-bin/webhook/send?key=wecom-kc` });
    ids.hook = await addChannel(gw, 'kc-zrzy', { kind: 'webhook', url: `${base}/hooks/kc`, secret: hooks.get('kc') });
    behaviour.set('ding:ding-kc', { fail: 2, how: 'errcode' });
    behaviour.set('hook:kc', { fail: 3, how: '500' });
  });
  afterAll(() => gw.close());

  it('enqueueing the same reminder twice yields one row per channel', async () => {
    expect(await enqueue(gw, 'kc-zrzy', MESSAGE, 'reminder:r-1:kc-zrzy')).toBe(3);
    await enqueue(gw, 'kc-zrzy', MESSAGE, 'reminder:r-1:kc-zrzy');
    const rows = await gw.deps.db.orm.select().from(outbox).where(like(outbox.idempotencyKey, 'reminder:r-1:kc-zrzy:%'));
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual([ids.ding, ids.wecom, ids.hook].map((c) => `reminder:r-1:kc-zrzy:${c}`).sort());
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 0 && r.nextAttemptAt.getTime() === T0.getTime())).toBe(true);
  });

  it('failures are retried after 1, 2, 4 minutes; each message is delivered once and never again', async () => {
    const t0 = gw.clock.now();
    const run = () => deliverOutbox(gw.deps, gw.clock.now());

    expect(await run()).toEqual({ sent: 1, retried: 2, dead: 0, skipped: 0 }); // WeCom at once; DingTalk errcode, webhook 500
    let [ding] = await rowsFor(gw, ids.ding!);
    let [hook] = await rowsFor(gw, ids.hook!);
    expect(ding).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: null });
    expect(ding!.nextAttemptAt.getTime() - t0.getTime()).toBe(1 * MIN);
    expect(ding!.lastError).toContain('errcode 130101');
    expect(hook!.lastError).toContain('HTTP 500');

    expect(await run()).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 0 }); // nothing due yet
    gw.clock.advance(1 * MIN - 1000);
    expect(await run()).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 0 });
    gw.clock.advance(1000);
    expect(await run()).toEqual({ sent: 0, retried: 2, dead: 0, skipped: 0 }); // second failures
    [ding] = await rowsFor(gw, ids.ding!);
    expect(ding!.nextAttemptAt.getTime() - gw.clock.now().getTime()).toBe(2 * MIN);

    gw.clock.advance(2 * MIN);
    expect(await run()).toEqual({ sent: 1, retried: 1, dead: 0, skipped: 0 }); // DingTalk recovers
    [hook] = await rowsFor(gw, ids.hook!);
    expect(hook).toMatchObject({ status: 'pending', attempts: 3 });
    expect(hook!.nextAttemptAt.getTime() - gw.clock.now().getTime()).toBe(4 * MIN);

    gw.clock.advance(4 * MIN);
    expect(await run()).toEqual({ sent: 1, retried: 0, dead: 0, skipped: 0 }); // the webhook recovers
    gw.clock.advance(24 * 60 * MIN);
    expect(await run()).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 0 });

    const rows = await gw.deps.db.orm.select().from(outbox);
    expect(rows.map((r) => [r.destination, r.status, r.attempts]).sort()).toEqual(
      [
        [ids.ding, 'sent', 3],
        [ids.wecom, 'sent', 1],
        [ids.hook, 'sent', 4],
      ].sort(),
    );
    expect(callsTo('ding:ding-kc').map((c) => c.accepted)).toEqual([false, false, true]);
    expect(callsTo('wecom:wecom-kc').map((c) => c.accepted)).toEqual([true]);
    expect(callsTo('hook:kc').map((c) => c.accepted)).toEqual([false, false, false, true]);
    expect(await auditActions(gw, 'outbox.sent')).toBe(3);
  });

  it('DingTalk: signed (timestamp + sign verified by the robot), markdown in Chinese with the case number, obligation, due date and link', () => {
    const c = callsTo('ding:ding-kc').find((x) => x.accepted)!;
    expect(Number(c.url.searchParams.get('timestamp'))).toBe(T0.getTime() + 3 * MIN);
    expect(c.json).toMatchObject({ msgtype: 'markdown', markdown: { title: '【提醒】提交答辩状' } });
    const text = (c.json!.markdown as { text: string }).text;
    expect(text).toContain('**案号**：(2026)浙0802行初12号');
    expect(text).toContain('**事项**：提交答辩状及证据材料');
    expect(text).toContain('**截止日期**：2026-12-08');
    expect(text).toContain('请在截止日期前办理。');
    expect(text).toContain('[查看详情 (details)](https://fuyuan.example.gov.cn/web/cases/0191c0de)');
    expect(text).toContain('府院通');
  });

  it('WeCom: markdown.content with the same facts', () => {
    const c = callsTo('wecom:wecom-kc')[0]!;
    const content = (c.json!.markdown as { content: string }).content;
    expect(content).toMatch(
      /^#### 【提醒】提交答辩状\n\*\*案号\*\*：\(2026\)浙0802行初12号\n\*\*事项\*\*：提交答辩状及证据材料\n\*\*截止日期\*\*：2026-12-08\n/,
    );
  });

  it('webhook: Standard Webhooks signature verified by the standardwebhooks library, the same webhook-id on every attempt, the facts as JSON fields', () => {
    const hookCalls = callsTo('hook:kc');
    expect(new Set(hookCalls.map((c) => c.headers['webhook-id']))).toEqual(new Set([`reminder:r-1:kc-zrzy:${ids.hook}`]));
    expect(hookCalls.at(-1)!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    expect(hookCalls.at(-1)!.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(new Set(hookCalls.map((c) => c.headers['idempotency-key']))).toEqual(new Set([`reminder:r-1:kc-zrzy:${ids.hook}`]));
    const body = hookCalls.at(-1)!.json!;
    expect(body).toMatchObject({
      type: 'fuyuan.notification',
      caseNumber: '(2026)浙0802行初12号',
      obligation: '提交答辩状及证据材料',
      dueOn: '2026-12-08',
      title: '【提醒】提交答辩状',
    });
    expect(String(body.text)).toContain('案号：(2026)浙0802行初12号');
  });

  it('a line that already says a fact is not repeated; a DingTalk robot with a keyword instead of 加签 accepts the footer', async () => {
    await addChannel(gw, 'kc-zjj', { kind: 'dingtalk', url: `${base}/robot/send?access_token=ding-kw` });
    await enqueue(
      gw,
      'kc-zjj',
      {
        title: '【逾期通知】提交答辩状',
        lines: ['事项：提交答辩状（Submit the defence）', '截止日期：2026-12-08'],
        obligation: '提交答辩状',
        dueOn: '2026-12-08',
      },
      'overdue:o-1:kc-zjj',
    );
    expect(await deliverOutbox(gw.deps, gw.clock.now())).toMatchObject({ sent: 1 });
    const text = (callsTo('ding:ding-kw')[0]!.json!.markdown as { text: string }).text;
    expect(text.match(/2026-12-08/g)).toHaveLength(1);
    expect(text).not.toContain('**事项**');
  });
});

describe('mentions (@): the responsible clerk is pinged', () => {
  let gw: Awaited<ReturnType<typeof gateway>>;
  const ids: Record<string, string> = {};
  const CLERK = '13800001111';
  const DEPUTY = '13912345678';
  const LONG: NotificationMessage = { ...MESSAGE, lines: ['案情说明：'.concat('行政机关负责人出庭应诉。'.repeat(2000))] };
  beforeAll(async () => {
    gw = await gateway();
  });
  afterAll(() => gw.close());

  const lastBody = (endpoint: string) =>
    callsTo(endpoint)
      .filter((c) => c.accepted)
      .at(-1)!.json!;

  it('a DingTalk channel registered with mobiles and user ids: 201, listed and audited with the mobiles masked', async () => {
    const res = await gw.api('/v1/admin/units/kc-zrzy/channels', {
      method: 'POST',
      body: json({
        kind: 'dingtalk',
        url: `${base}/robot/send?access_token=ding-kc`,
        secret: DING_SECRET,
        mention: { mobiles: [CLERK], userIds: ['manager4711'] },
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const ch = (await res.json()) as { id: string; mention: unknown };
    ids.ding = ch.id;
    expect(ch.mention).toEqual({ mobiles: ['138****1111'], userIds: ['manager4711'], all: false });
    const listed = await (await gw.api('/v1/admin/units/kc-zrzy/channels')).text();
    expect(JSON.parse(listed).items[0].mention).toEqual({ mobiles: ['138****1111'], userIds: ['manager4711'], all: false });
    expect(listed).not.toContain(CLERK);
    const [entry] = await gw.deps.db.orm.select().from(auditLog).where(eq(auditLog.action, 'channel.registered'));
    expect(JSON.stringify(entry)).toContain('138****1111');
    expect(JSON.stringify(entry)).not.toContain(CLERK);
  });

  it.each([
    ['a mobile of 10 digits', { kind: 'dingtalk', mention: { mobiles: ['1380000111'] } }, /mobiles.*11 digits/],
    ['a mobile with the country code', { kind: 'dingtalk', mention: { mobiles: ['+8613800001111'] } }, /mobiles.*11 digits/],
    ['a mobile with spaces', { kind: 'wecom', mention: { mobiles: ['138 0000 1111'] } }, /mobiles.*11 digits/],
    ['a user id with a space', { kind: 'dingtalk', mention: { userIds: ['li si'] } }, /userIds.*user id/],
    ['a mention on a generic webhook', { kind: 'webhook', mention: { mobiles: [CLERK] } }, /webhook mentions nobody/],
    ['all that is not a boolean', { kind: 'dingtalk', mention: { all: 'yes' } }, /all/],
  ])('refuses %s: 400 problem+json naming it, nothing stored', async (_name, body, detail) => {
    const before = await gw.counts();
    const address = { dingtalk: `${base}/robot/send?access_token=ding-kw`, wecom: `${base}/cgi-bin/webhook/send?key=wecom-kc`, webhook: `${base}/hooks/kc` }[
      body.kind
    ]!;
    const res = await gw.api('/v1/admin/units/kc-sfj/channels', {
      method: 'POST',
      body: json({ ...body, url: address, ...(body.kind === 'webhook' ? { secret: hooks.get('kc') } : {}) }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
    expect(await gw.counts()).toEqual(before);
    expect(((await (await gw.api('/v1/admin/units/kc-sfj/channels')).json()) as { items: unknown[] }).items).toHaveLength(0);
  });

  it('DingTalk: the body carries at {atMobiles, atUserIds, isAtAll} and the text "@<mobile>", so the robot renders the mention; a long message keeps it', async () => {
    await enqueue(gw, 'kc-zrzy', MESSAGE, 'mention:1');
    await enqueue(gw, 'kc-zrzy', LONG, 'mention:long');
    expect(await deliverOutbox(gw.deps, gw.clock.now())).toMatchObject({ sent: 2, dead: 0 });
    const sent = callsTo('ding:ding-kc')
      .filter((c) => c.accepted)
      .slice(-2);
    expect(sent).toHaveLength(2);
    for (const c of sent) {
      expect(c.json!.at).toEqual({ atMobiles: [CLERK], atUserIds: ['manager4711'], isAtAll: false });
      expect(dingtalkPinged(c.json)).toEqual({ mobiles: [CLERK], userIds: ['manager4711'], all: false });
      const text = (c.json!.markdown as { text: string }).text;
      expect(text).toContain('查看详情');
      expect(text).toContain('府院通');
    }
    expect(Buffer.byteLength((sent[1]!.json!.markdown as { text: string }).text, 'utf8')).toBeLessThanOrEqual(18_000);
  });

  it('WeCom: a channel with mentions sends a text message with mentioned_mobile_list and mentioned_list, within 2048 bytes, link and keyword kept', async () => {
    ids.wecom = await addChannel(gw, 'kc-sfj', {
      kind: 'wecom',
      url: `${base}/cgi-bin/webhook/send?key=wecom-kc`,
      mention: { mobiles: [CLERK, DEPUTY], all: true },
    });
    await enqueue(gw, 'kc-sfj', LONG, 'mention:wecom');
    expect(await deliverOutbox(gw.deps, gw.clock.now())).toMatchObject({ sent: 1, dead: 0 });
    const body = lastBody('wecom:wecom-kc');
    expect(body.msgtype).toBe('text');
    const t = body.text as { content: string; mentioned_list: string[]; mentioned_mobile_list: string[] };
    expect(t.mentioned_mobile_list).toEqual([CLERK, DEPUTY]);
    expect(t.mentioned_list).toEqual(['@all']);
    expect(Buffer.byteLength(t.content, 'utf8')).toBeLessThanOrEqual(2048);
    expect(t.content).toContain(MESSAGE.link);
    expect(t.content).toContain('府院通');
    expect(t.content).toContain(MESSAGE.caseNumber);
  });

  it('PUT /v1/admin/channels/{id}/mention changes who is pinged (audited); an empty mention pings nobody; bad input is a 400, an unknown channel a 404', async () => {
    const res = await gw.api(`/v1/admin/channels/${ids.ding}/mention`, { method: 'PUT', body: json({ mobiles: [DEPUTY] }) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { mention: unknown }).mention).toEqual({ mobiles: ['139****5678'], userIds: [], all: false });
    expect(await auditActions(gw, 'channel.mention.changed')).toBe(1);
    await enqueue(gw, 'kc-zrzy', MESSAGE, 'mention:deputy');
    await deliverOutbox(gw.deps, gw.clock.now());
    expect(dingtalkPinged(lastBody('ding:ding-kc'))).toEqual({ mobiles: [DEPUTY], userIds: [], all: false });
    expect((lastBody('ding:ding-kc').markdown as { text: string }).text).not.toContain(CLERK);

    const before = await gw.counts();
    const bad = await gw.api(`/v1/admin/channels/${ids.ding}/mention`, { method: 'PUT', body: json({ mobiles: ['12345'] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/mobiles.*11 digits/);
    expect((await gw.api('/v1/admin/channels/no-such-channel/mention', { method: 'PUT', body: json({}) })).status).toBe(404);
    expect(await gw.counts()).toEqual(before);

    expect((await gw.api(`/v1/admin/channels/${ids.ding}/mention`, { method: 'PUT', body: json({}) })).status).toBe(200);
    await enqueue(gw, 'kc-zrzy', MESSAGE, 'mention:nobody');
    await deliverOutbox(gw.deps, gw.clock.now());
    expect(lastBody('ding:ding-kc').at).toBeUndefined();
    expect(dingtalkPinged(lastBody('ding:ding-kc'))).toEqual({ mobiles: [], userIds: [], all: false });
  });
});

describe('dead letters', () => {
  let gw: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    gw = await gateway();
  });
  afterAll(() => gw.close());

  it(`after ${OUTBOX_MAX_ATTEMPTS} failed attempts (1, 2, 4 … 64 minutes apart) a row is dead, listed with its attempts and last error, and the retry endpoint revives it`, async () => {
    const id = await addChannel(gw, 'qj-zjj', { kind: 'webhook', url: `${base}/hooks/down`, secret: hooks.get('down') });
    behaviour.set('hook:down', { fail: 1000, how: '500' });
    await enqueue(gw, 'qj-zjj', { ...MESSAGE, caseNumber: '(2026)浙0803行初5号' }, 'reminder:r-9:qj-zjj');
    const delays: number[] = [];
    for (let i = 1; i <= OUTBOX_MAX_ATTEMPTS; i++) {
      const now = gw.clock.now();
      const report = await deliverOutbox(gw.deps, now);
      const [row] = await rowsFor(gw, id);
      expect(row!.attempts).toBe(i);
      if (i < OUTBOX_MAX_ATTEMPTS) {
        expect(report).toEqual({ sent: 0, retried: 1, dead: 0, skipped: 0 });
        delays.push((row!.nextAttemptAt.getTime() - now.getTime()) / MIN);
        gw.clock.set(row!.nextAttemptAt);
      } else {
        expect(report).toEqual({ sent: 0, retried: 0, dead: 1, skipped: 0 });
        expect(row!.status).toBe('dead');
      }
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(delays).toEqual(Array.from({ length: OUTBOX_MAX_ATTEMPTS - 1 }, (_, i) => backoffMs(i + 1) / MIN));
    expect(callsTo('hook:down')).toHaveLength(OUTBOX_MAX_ATTEMPTS);
    gw.clock.advance(24 * 60 * MIN);
    expect(await deliverOutbox(gw.deps, gw.clock.now())).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 0 }); // dead rows are not picked
    expect(await auditActions(gw, 'outbox.dead')).toBe(1);

    const dead = (await (await gw.api('/v1/admin/outbox?status=dead')).json()) as { items: Record<string, unknown>[] };
    expect(dead.items).toHaveLength(1);
    const item = dead.items[0]!;
    expect(item).toMatchObject({
      kind: 'webhook',
      destination: id,
      unitId: 'qj-zjj',
      status: 'dead',
      attempts: OUTBOX_MAX_ATTEMPTS,
      title: '【提醒】提交答辩状',
      idempotencyKey: `reminder:r-9:qj-zjj:${id}`,
    });
    expect(String(item.lastError)).toContain('HTTP 500');
    expect(((await (await gw.api('/v1/admin/outbox')).json()) as { items: unknown[] }).items).toHaveLength(1); // status defaults to dead
    expect(((await (await gw.api('/v1/admin/outbox?status=pending')).json()) as { items: unknown[] }).items).toHaveLength(0);
    expect((await gw.api('/v1/admin/outbox?status=lost')).status).toBe(400);

    // Revive it: pending, due now, a fresh count; the service has recovered.
    const retried = await gw.api(`/v1/admin/outbox/${String(item.id)}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: gw.clock.now().toISOString() });
    expect(await auditActions(gw, 'outbox.retried')).toBe(1);
    const again = await gw.api(`/v1/admin/outbox/${String(item.id)}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await gw.api('/v1/admin/outbox/no-such-row/retry', { method: 'POST' })).status).toBe(404);
    expect((await gw.app.request(`http://gw/v1/admin/outbox/${String(item.id)}/retry`, { method: 'POST' })).status).toBe(401);
    behaviour.set('hook:down', { fail: 0, how: '500' });
    expect(await deliverOutbox(gw.deps, gw.clock.now())).toEqual({ sent: 1, retried: 0, dead: 0, skipped: 0 });
    expect(((await (await gw.api('/v1/admin/outbox?status=dead')).json()) as { items: unknown[] }).items).toHaveLength(0);
    const sent = (await (await gw.api('/v1/admin/outbox?status=sent')).json()) as { items: Record<string, unknown>[] };
    expect(sent.items).toMatchObject([{ id: item.id, status: 'sent', attempts: 1 }]);
    expect(callsTo('hook:down').filter((c) => c.accepted)).toHaveLength(1);
  });

  it("a permanent refusal (HTTP 410) is a dead letter at once; a wrong DingTalk secret is retried with the robot's errmsg", async () => {
    const gone = await addChannel(gw, 'kc-hangbu', { kind: 'webhook', url: `${base}/hooks/gone`, secret: hooks.get('gone') });
    behaviour.set('hook:gone', { fail: 1000, how: '410' });
    const wrong = await addChannel(gw, 'kc-hangbu', { kind: 'dingtalk', url: `${base}/robot/send?access_token=ding-kc`, secret: 'SECwrong' });
    await enqueue(gw, 'kc-hangbu', MESSAGE, 'reminder:r-10:kc-hangbu');
    expect(await deliverOutbox(gw.deps, gw.clock.now())).toEqual({ sent: 0, retried: 1, dead: 1, skipped: 0 });
    const [g] = await rowsFor(gw, gone);
    expect(g).toMatchObject({ status: 'dead', attempts: 1 });
    expect(g!.lastError).toContain('HTTP 410');
    const [w] = await rowsFor(gw, wrong);
    expect(w).toMatchObject({ status: 'pending', attempts: 1 });
    expect(w!.lastError).toContain('errcode 310000 sign not match');
    // Never the credential in the error.
    expect(w!.lastError).not.toContain('access_token');
  });

  it('a request that hangs is cut by the timeout and retried', async () => {
    const slow = await addChannel(gw, 'kc-shiliang', { kind: 'webhook', url: `${base}/hooks/slow`, secret: hooks.get('slow') });
    behaviour.set('hook:slow', { fail: 1, how: 'hang' });
    await enqueue(gw, 'kc-shiliang', MESSAGE, 'reminder:r-11:kc-shiliang');
    const report = await deliverOutbox(gw.deps, gw.clock.now(), { timeoutMs: 200 });
    expect(report.retried).toBeGreaterThanOrEqual(1);
    const [row] = await rowsFor(gw, slow);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.lastError).toContain('请求超时 (timed out)');
  });
});

describe('concurrency', () => {
  let gw: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    gw = await gateway();
  });
  afterAll(() => gw.close());

  it('two delivery runs at once send every row exactly once', async () => {
    const id = await addChannel(gw, 'qj-zrzy', { kind: 'webhook', url: `${base}/hooks/busy`, secret: hooks.get('busy') });
    behaviour.set('hook:busy', { fail: 0, how: '500', delayMs: 20 });
    for (let i = 0; i < 6; i++) await enqueue(gw, 'qj-zrzy', { ...MESSAGE, caseNumber: `(2026)浙0803行初${100 + i}号` }, `reminder:c-${i}:qj-zrzy`);
    await enqueue(gw, 'qj-zrzy', MESSAGE, 'reminder:c-0:qj-zrzy'); // the same reminder again: no new row
    expect(await rowsFor(gw, id)).toHaveLength(6);

    let fetches = 0;
    const counting: typeof fetch = (input, init) => {
      fetches++;
      return fetch(input, init);
    };
    const now = gw.clock.now();
    const [a, b] = await Promise.all([deliverOutbox(gw.deps, now, { fetch: counting }), deliverOutbox(gw.deps, now, { fetch: counting })]);
    expect(a.sent + b.sent).toBe(6);
    expect(a.retried + b.retried + a.dead + b.dead).toBe(0);
    expect(a.skipped + b.skipped).toBeGreaterThan(0); // both saw the rows; each row went to one of them
    expect(fetches).toBe(6);
    const keys = callsTo('hook:busy').map((c) => String(c.headers['idempotency-key']));
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(6);
    expect((await rowsFor(gw, id)).every((r) => r.status === 'sent' && r.attempts === 1 && r.leaseUntil === null)).toBe(true);
    expect(await deliverOutbox(gw.deps, now, { fetch: counting })).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 0 });
    expect(fetches).toBe(6);
    expect(await auditActions(gw, 'outbox.sent')).toBe(6);
  });

  it('a row leased by another run is left alone until the lease runs out', async () => {
    const id = await addChannel(gw, 'qj-sfj', { kind: 'webhook', url: `${base}/hooks/busy`, secret: hooks.get('busy') });
    await enqueue(gw, 'qj-sfj', MESSAGE, 'reminder:lease:qj-sfj');
    const now = gw.clock.now();
    // Another process took the lease and died before recording the outcome.
    await gw.deps.db.orm
      .update(outbox)
      .set({ leaseUntil: new Date(now.getTime() + 5 * MIN) })
      .where(and(eq(outbox.destination, id), eq(outbox.status, 'pending')));
    expect(await deliverOutbox(gw.deps, now)).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 0 });
    gw.clock.advance(5 * MIN + 1);
    expect(await deliverOutbox(gw.deps, gw.clock.now())).toEqual({ sent: 1, retried: 0, dead: 0, skipped: 0 });
  });
});

describe('rendering', () => {
  it('WeCom markdown stays within 4096 bytes of UTF-8, cut on a character boundary in the body: the link and the keyword stay', async () => {
    const { renderMarkdown, FOOTER } = await import('../adapters/notify/render.js');
    const long: NotificationMessage = { ...MESSAGE, lines: Array.from({ length: 400 }, (_, i) => `第${i + 1}项：请按期办理并报送司法局。`) };
    const md = renderMarkdown(long, { paragraph: '\n', maxBytes: 4096 });
    expect(new TextEncoder().encode(md).length).toBeLessThanOrEqual(4096);
    expect(md.endsWith(`\n[查看详情 (details)](${MESSAGE.link})\n${FOOTER}`)).toBe(true);
    expect(md).toContain('…\n[查看详情');
    expect(md).not.toContain('第400项');
    expect(md.startsWith('#### 【提醒】提交答辩状\n**案号**')).toBe(true);
    expect(md).not.toContain('\uFFFD');
    // A link that is not http(s) is not rendered as a link; a leading # does not become a heading.
    const odd = renderMarkdown({ title: '测试', lines: ['# 不是标题'], link: 'javascript:alert(1)' }, { paragraph: '\n\n', maxBytes: 4096 });
    expect(odd).not.toContain('javascript:');
    expect(odd).toContain('＃ 不是标题');
  });
});
