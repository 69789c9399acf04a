/**
 * The sweep at many instants of a fixed clock (issue 4): reminders arrive at a local signed webhook once each,
 * in order, none missed, none duplicated, twice-run and concurrent-run safe; missed obligations become overdue
 * with a remediation item; Putian's supervision notice, midway chase and one-week report [P 第十五条(三)];
 * the monthly ledger on the policy's day [P 第十五条(一)].
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyAuditChain } from '../src/services/audit.js';
import { Webhook } from 'standardwebhooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminHeaders, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { registerChannel } from '../src/services/notifications.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { sweep } from '../src/jobs/sweep.js';
import type { Manifest } from '../schemas/api/manifest.js';

interface Received {
  path: string;
  title: string;
  body: string;
  verified: boolean;
}
const received: Received[] = [];
let server: Server;
let base = '';
const SECRET = 'webhook-secret-of-the-unit';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let n = 0;

async function push(preset: string, type: Manifest['documents'][number]['type'], extra: (m: Manifest) => void = () => {}) {
  await gw.app.request('http://gw/v1/admin/regions/330802/policy', { method: 'PUT', headers: adminHeaders(), body: JSON.stringify({ presetId: preset }) });
  const m = demoManifest({
    messageId: `s-${++n}`,
    senderCode: 'court-longyou',
    issuedAt: gw.clock.now(),
    type,
    caseNumber: `(2026)浙0825行初${700 + n}号`,
    defendant: '衢州市自然资源和规划局柯城分局',
    regionCode: '330802',
  });
  extra(m);
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status).toBe(201);
  return m.documents[0]!.case!.caseNumber;
}

/** Sweep at a Beijing wall-clock instant. */
async function sweepAt(iso: string) {
  gw.clock.set(new Date(iso));
  return sweep(gw.deps, gw.clock.now());
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      // Standard Webhooks, checked by the standardwebhooks library with the receiver's clock at the gateway's.
      let verified = false;
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(gw.clock.now());
      try {
        new Webhook(SECRET, { format: 'raw' }).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      } finally {
        vi.useRealTimers();
      }
      let title = '';
      try {
        title = String((JSON.parse(body) as { title?: string }).title ?? '');
      } catch {
        /* not json */
      }
      received.push({ path: req.url ?? '', title, body, verified });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  for (const unitId of ['kc-zrzy', 'kc-sfj', 'kc-gov'])
    await registerChannel(gw.deps, { unitId, kind: 'webhook', url: `${base}/${unitId}`, secret: SECRET }, 'test');
});
afterAll(async () => {
  await gw.close();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('Guangzhou reminders: one week and one day before the answer, feedback the day after', () => {
  let caseNumber = '';
  it('fire at the right instants, once each, in order, to the unit; the justice bureau is told of the overdue answer', async () => {
    caseNumber = await push('guangzhou', 'complaint_copy');
    received.length = 0;
    // Answer due 2026-12-08; reminders at 09:00 Beijing (01:00Z) on 12-01 and 12-07, feedback on 12-09.
    const instants = [
      '2026-11-24T01:00:00Z',
      '2026-11-30T23:00:00Z',
      '2026-12-01T00:59:59Z',
      '2026-12-01T01:00:00Z',
      '2026-12-01T01:00:00Z',
      '2026-12-03T08:00:00Z',
      '2026-12-07T01:00:00Z',
      '2026-12-08T15:59:00Z',
      '2026-12-09T01:00:00Z',
      '2026-12-09T02:00:00Z',
    ];
    const log: string[] = [];
    for (const at of instants) {
      const before = received.length;
      await sweepAt(at);
      for (const r of received.slice(before)) log.push(`${at} ${r.path} ${r.title}`);
    }
    const toUnit = received.filter((r) => r.path === '/kc-zrzy');
    expect(toUnit.map((r) => r.title)).toEqual([
      '【逾期通知】向同级司法局报备', // the 2-day report [G 全流程] was due 11-25; on Beijing 12-01 it is overdue
      expect.stringContaining('【提醒】'), // 12-01 09:00, a week before the answer
      expect.stringContaining('【提醒】'), // 12-07 09:00, a day before
      expect.stringContaining('【逾期通知】'), // 12-09: the answer was due 12-08 and not marked done
    ]);
    expect(
      log
        .filter((l) => l.includes('/kc-zrzy'))
        .map((l) => l.slice(0, 20))
        .sort(),
    ).toEqual(['2026-11-30T23:00:00Z', '2026-12-01T01:00:00Z', '2026-12-07T01:00:00Z', '2026-12-09T01:00:00Z']);
    for (const r of toUnit) {
      expect(r.verified).toBe(true);
      expect(r.body).toContain(caseNumber);
    }
    for (const r of toUnit.slice(1)) expect(r.body).toContain('2026-12-08');
    // The justice bureau: both overdue items, and the feedback request the day after the answer [G 全流程督促跟踪（反馈）].
    // (Messages of one sweep are delivered concurrently, so their arrival order is not asserted.)
    expect(
      received
        .filter((r) => r.path === '/kc-sfj')
        .map((r) => r.title)
        .sort(),
    ).toEqual(['【反馈请求】提交答辩状、证据和依据', '【逾期通知】向同级司法局报备', '【逾期通知】提交答辩状、证据和依据']);
    const rem = (await (await gw.app.request('http://gw/v1/obligations?status=overdue', { headers: adminHeaders() })).json()) as { items: { kind: string }[] };
    expect(rem.items.map((o) => o.kind)).toContain('answer_and_evidence');
  });

  it('a sweep run again, or two at once, sends nothing more', async () => {
    const before = received.length;
    await Promise.all([sweepAt('2026-12-09T03:00:00Z'), sweep(gw.deps, new Date('2026-12-09T03:00:00Z'))]);
    await sweepAt('2026-12-09T03:00:00Z');
    expect(received.length).toBe(before);
  });
});

describe('Putian performance supervision [P 第十五条(三)] and the monthly ledger [P 第十五条(一)]', () => {
  it('supervision notice on the effective day, chase at the midpoint, report a week before the deadline', async () => {
    gw.clock.set(T0);
    const cn = await push(
      'putian-chengxiang',
      'judgment',
      (m) => (m.documents[0]!.outcome = { result: 'loss', lossKind: 'revoke', effectiveOn: '2026-12-10', performanceDueOn: '2027-02-10' }),
    );
    received.length = 0;
    for (const at of ['2026-12-10T01:00:00Z', '2027-01-10T01:00:00Z', '2027-02-03T01:00:00Z']) await sweepAt(at);
    const mine = received.filter((r) => r.body.includes(cn));
    const titles = mine.map((r) => `${r.path} ${r.title}`);
    expect(titles.some((t) => t.includes('【督办单】'))).toBe(true);
    expect(titles.some((t) => t.includes('【催办单】'))).toBe(true);
    expect(titles.some((t) => t.startsWith('/kc-gov') && t.includes('【报告】'))).toBe(true); // the district government
    // Order: supervision, chase, report.
    const order = ['督办单', '催办单', '报告'].map((k) => mine.findIndex((r) => r.title.includes(k)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('produces the monthly ledger data once, on day 20 (moved to the working day before when it is a rest day)', async () => {
    await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ presetId: 'putian-chengxiang' }),
    });
    // 2026-12-20 is a Sunday: due Friday 12-18.
    await sweepAt('2026-12-17T08:00:00Z');
    const none = await gw.deps.db.orm.query.periodicRuns.findMany({ where: (p, { eq, and }) => and(eq(p.period, '2026-12'), eq(p.kind, 'monthly_ledger')) });
    expect(none).toEqual([]);
    await sweepAt('2026-12-18T01:00:00Z');
    await sweepAt('2026-12-21T01:00:00Z');
    const runs = await gw.deps.db.orm.query.periodicRuns.findMany({ where: (p, { eq, and }) => and(eq(p.period, '2026-12'), eq(p.kind, 'monthly_ledger')) });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.dueOn).toBe('2026-12-18');
    expect(JSON.parse(runs[0]!.dataJson)).toMatchObject({ asOf: '2026-12-18' });
  });
});

describe('the audit log after everything above (issue #19)', () => {
  it('verifies: every stored fact these tests wrote or changed went through an audited record', async () => {
    const r = await verifyAuditChain(gw.deps);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBeGreaterThan(0);
  });
});
