/** The audit log: a hash chain over every change, signed checkpoints, and `audit verify` catching a one-byte edit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { checkpointNow, verifyAuditChain } from '../src/services/audit.js';
import { verifyWithJwks } from '../src/lib/signing.js';
import * as schema from '../schemas/db/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let total = 0; // records after the four deliveries

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0), checkpointEvery: 5, log: { log: (l, m, f) => l === 'error' && console.error(m, f) } });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  for (let i = 1; i <= 4; i++) {
    const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(demoManifest({ messageId: `a-${i}`, senderCode: 'court-longyou', issuedAt: T0 }), court.signer)));
    expect(res.status).toBe(201);
  }
});
afterAll(() => gw.close());

describe('audit chain', () => {
  it('records every change in order, each linked to the previous hash', async () => {
    const rows = await gw.deps.db.orm.select().from(schema.auditLog).orderBy(schema.auditLog.seq);
    // The registration, then per delivery: accepted, received, queued (no directory here), its obligations.
    expect(rows[0]!.action).toBe('sender.registered');
    expect(rows.filter((r) => r.action === 'delivery.accepted')).toHaveLength(4);
    expect(rows.filter((r) => r.action === 'obligation.created').length).toBeGreaterThan(0);
    total = rows.length;
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    rows.slice(1).forEach((r, i) => expect(r.prevHash).toBe(rows[i]!.hash));
  });

  it("the receipt states the audit head after its write", async () => {
    const [d] = await gw.deps.db.orm.select().from(schema.deliveries).where(eq(schema.deliveries.messageId, 'a-4'));
    const receipt = JSON.parse(d!.receiptJson) as { auditHead: { seq: number; hash: string } };
    const [rec] = await gw.deps.db.orm.select().from(schema.auditLog).where(eq(schema.auditLog.seq, receipt.auditHead.seq));
    expect(receipt.auditHead).toEqual({ seq: total, hash: rec!.hash });
  });

  it('signs the head every N records (here 5) with a checkpoint that verifies with the JWKS', async () => {
    const cps = await gw.deps.db.orm.select().from(schema.auditCheckpoints);
    expect(cps.map((c) => c.seq)).toEqual(Array.from({ length: Math.floor(total / 5) }, (_, i) => (i + 1) * 5));
    const { payload } = await verifyWithJwks(cps[0]!.jws, await gw.deps.keys.jwks());
    const [rec5] = await gw.deps.db.orm.select().from(schema.auditLog).where(eq(schema.auditLog.seq, 5));
    expect(payload).toMatchObject({ seq: 5, hash: rec5!.hash });
  });

  it('verify passes on an untouched log, and an on-demand checkpoint signs the current head', async () => {
    const head = await checkpointNow(gw.deps);
    expect(head.seq).toBe(total);
    const r = await verifyAuditChain(gw.deps);
    expect(r).toMatchObject({ ok: true, records: total, checkpoints: Math.floor(total / 5) + (total % 5 ? 1 : 0) });
  });

  it('verify names the first record when one byte of its stored subject is changed', async () => {
    const [rec] = await gw.deps.db.orm.select().from(schema.auditLog).where(eq(schema.auditLog.seq, 4));
    const original = rec!.subject;
    const edited = original.slice(0, -1) + (original.endsWith('0') ? '1' : '0');
    await gw.deps.db.orm.update(schema.auditLog).set({ subject: edited }).where(eq(schema.auditLog.seq, 4));
    const r = await verifyAuditChain(gw.deps);
    expect(r.ok).toBe(false);
    expect(r.firstBad).toEqual({ seq: 4, reason: 'hash does not match the record' });
    await gw.deps.db.orm.update(schema.auditLog).set({ subject: original }).where(eq(schema.auditLog.seq, 4));
    expect((await verifyAuditChain(gw.deps)).ok).toBe(true);
  });

  it('verify catches a one-byte change in the recorded data', async () => {
    const [rec] = await gw.deps.db.orm.select().from(schema.auditLog).where(sql`action = 'delivery.accepted' and data like '%"a-2"%'`);
    // Only the messageId is touched (a bare 'a-2' could also occur inside an id of the same record).
    await gw.deps.db.orm.run(sql`update audit_log set data = replace(data, '"messageId":"a-2"', '"messageId":"a-7"') where seq = ${rec!.seq}`);
    const r = await verifyAuditChain(gw.deps);
    expect(r.firstBad).toEqual({ seq: rec!.seq, reason: 'data does not match its digest' });
    await gw.deps.db.orm.run(sql`update audit_log set data = replace(data, '"messageId":"a-7"', '"messageId":"a-2"') where seq = ${rec!.seq}`);
    expect((await verifyAuditChain(gw.deps)).ok).toBe(true);
  });

  it('verify catches a record removed from the end behind a signed checkpoint', async () => {
    await gw.deps.db.orm.run(sql`delete from audit_log where seq = ${total}`);
    const r = await verifyAuditChain(gw.deps);
    expect(r.ok).toBe(false);
    expect(r.firstBad?.seq).toBe(total);
  });
});
