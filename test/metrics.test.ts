/**
 * /metrics in the Prometheus text format, read back with an independent parser (parse-prometheus-text-format):
 * deliveries by outcome and problem type, the intake latency histogram, outbox backlog and its oldest row per
 * destination, open and overdue obligations, the last sweep's duration, the audit head's age, the database write
 * thread's time by phase. Administrators only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { enqueueNotification, registerChannel } from '../src/services/notifications.js';
import { sweep } from '../src/jobs/sweep.js';
import { INTAKE_BUCKETS } from '../src/lib/metrics.js';

type Family = {
  name: string;
  type: string;
  help: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }[];
};

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let families: Map<string, Family>;
let channelId: string;

const push = async (m: unknown) => (await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)))).status;
const scrape = async () => {
  const res = await gw.app.request('/metrics', { headers: adminHeaders() });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return new Map((parsePrometheusTextFormat(await res.text()) as Family[]).map((f) => [f.name, f]));
};
const sample = (name: string, labels: Record<string, string> = {}) =>
  families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const m = (i: number) =>
    demoManifest({
      messageId: `m-${i}`,
      senderCode: 'court-longyou',
      issuedAt: gw.clock.now(),
      caseNumber: `(2026)浙0825行初${800 + i}号`,
      regionCode: '330802',
    });
  expect(await push(m(1))).toBe(201);
  expect(await push(m(2))).toBe(201);
  expect(await push(m(1))).toBe(200); // the same message again: its receipt, repeated
  const stale = { ...m(3), issuedAt: new Date(T0.getTime() - 3600_000).toISOString() };
  expect(await push(stale)).toBeGreaterThanOrEqual(400);
  // A notification to an address that does not answer stays pending in the outbox.
  channelId = (
    await registerChannel(gw.deps, { unitId: 'kc-zrzy', kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'a-plain-shared-secret-0123456789' }, 'test')
  ).id;
  await gw.deps.db.batch(
    await enqueueNotification(gw.deps, { unitId: 'kc-zrzy', idempotencyKey: 'metrics-test', message: { title: '【提醒】测试', lines: ['测试'] } }),
  );
  gw.clock.advance(90_000);
  await sweep(gw.deps, gw.clock.now());
  gw.clock.advance(30_000);
  families = await scrape();
}, 60_000);
afterAll(() => gw.close());

describe('/metrics', () => {
  it('counts deliveries by outcome and problem type', () => {
    expect(families.get('fuyuan_deliveries_total')?.type).toBe('COUNTER');
    expect(sample('fuyuan_deliveries_total', { outcome: 'accepted' })?.value).toBe('2');
    expect(sample('fuyuan_deliveries_total', { outcome: 'repeated' })?.value).toBe('1');
    const refused = families.get('fuyuan_deliveries_total')!.metrics.filter((s) => s.labels?.outcome === 'refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.labels!.problem).toMatch(/^[a-z-]+$/);
    expect(refused[0]!.value).toBe('1');
  });

  it('has the intake latency histogram over every delivery', () => {
    const h = families.get('fuyuan_intake_duration_seconds')!;
    expect(h.type).toBe('HISTOGRAM');
    expect(h.metrics[0]!.count).toBe('4');
    expect(Object.keys(h.metrics[0]!.buckets!).sort()).toEqual([...INTAKE_BUCKETS.map(String), '+Inf'].sort());
    expect(h.metrics[0]!.buckets!['+Inf']).toBe('4');
    expect(Number(h.metrics[0]!.sum)).toBeGreaterThan(0);
  });

  it('shows the outbox backlog and the age of its oldest row per destination', () => {
    const pending = sample('fuyuan_outbox_pending', { destination: channelId });
    expect(pending?.value).toBe('1');
    expect(Number(sample('fuyuan_outbox_oldest_pending_seconds', { destination: channelId })?.value)).toBe(120);
  });

  it('shows open and overdue obligations, the last sweep and the audit head age', () => {
    expect(Number(sample('fuyuan_obligations', { status: 'open' })?.value)).toBeGreaterThan(0);
    expect(sample('fuyuan_obligations', { status: 'overdue' })?.value).toBe('0');
    expect(Number(sample('fuyuan_sweep_duration_seconds')?.value)).toBeGreaterThan(0);
    expect(Number(sample('fuyuan_audit_head_age_seconds')?.value)).toBeGreaterThanOrEqual(30);
  });

  it("says where the database's write thread spent its time, by phase, and how many transactions and checkpoints it ran", () => {
    const seconds = families.get('fuyuan_db_writer_seconds_total')!;
    expect(seconds.type).toBe('COUNTER');
    const byPhase = new Map(seconds.metrics.map((m) => [m.labels?.phase, Number(m.value)]));
    expect([...byPhase.keys()].sort()).toEqual(['checkpoint', 'commit', 'lock_wait', 'statements']);
    // The deliveries, the sender and the directory above were written through it.
    expect(byPhase.get('statements')).toBeGreaterThan(0);
    expect(byPhase.get('commit')).toBeGreaterThan(0);
    expect(families.get('fuyuan_db_writer_batches_total')?.type).toBe('COUNTER');
    expect(Number(sample('fuyuan_db_writer_batches_total')?.value)).toBeGreaterThanOrEqual(4);
    expect(families.get('fuyuan_db_checkpoints_total')?.type).toBe('COUNTER');
    // What was scraped is the writer's own count, read at the scrape: counters only grow, so never more than now.
    const now = gw.deps.db.writerUsage!();
    expect(Number(sample('fuyuan_db_writer_batches_total')?.value)).toBeLessThanOrEqual(now.batches);
    expect(Number(sample('fuyuan_db_checkpoints_total')?.value)).toBeLessThanOrEqual(now.checkpoints);
    expect(byPhase.get('lock_wait')).toBeLessThanOrEqual(now.seconds.lockWait);
    expect(byPhase.get('checkpoint')).toBeLessThanOrEqual(now.seconds.checkpoint);
  });

  it('is for administrators: no token 401, another role 403, with no figures', async () => {
    const none = await gw.app.request('/metrics');
    expect(none.status).toBe(401);
    const unit = await clientToken(gw, 'unit', 'kc-zrzy');
    const denied = await gw.app.request('/metrics', { headers: unit.headers });
    expect(denied.status).toBe(403);
    expect(await denied.text()).not.toContain('fuyuan_');
  });
});
