/**
 * The audit log as evidence (issue #19): every record commits to the content of the rows its write stored, every
 * committed batch signs the head (Merkle root), and `audit verify` names every tampering an insider with write
 * access to the database file could try. Each tampering runs on its own copy of one test database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { attachmentEntry, demoManifest, multipartRequest, signManifest } from '../adapters/node/court-kit.js';
import { openLibsql } from '../adapters/db/libsql-node.js';
import { registerSender } from '../src/services/senders.js';
import { registerClient } from '../src/services/clients.js';
import { closeObligation, recomputeAfterCalendarChange } from '../src/services/obligations.js';
import { setCalendarOverride } from '../src/services/calendar.js';
import { recordHash, verifyAuditChain } from '../src/services/audit.js';
import { appendLeaves, EMPTY_FRONTIER, recordLeaf } from '../src/lib/merkle.js';
import { createDeps } from '../src/create-deps.js';
import { canonicalJson, sha256HexSync } from '../src/lib/encoding.js';
import { verifyWithJwks } from '../src/lib/signing.js';
import type { Deps } from '../src/deps.js';
import * as schema from '../schemas/db/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
const copies: (() => Promise<void>)[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'fuyuan-audit-copies-'));

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  for (let i = 1; i <= 10; i++) {
    const file = {
      id: 'att-1',
      filename: `起诉状-${i}.pdf`,
      mediaType: 'application/pdf',
      bytes: Uint8Array.from({ length: 3000 }, (_, k) => (k * 7 + i) & 0xff),
    };
    const manifest = demoManifest({
      messageId: `a-${i}`,
      senderCode: 'court-longyou',
      issuedAt: gw.clock.now(),
      caseNumber: `(2026)浙0825行初${100 + i}号`,
      attachments: [await attachmentEntry(file, false)],
    });
    const res = await gw.app.request(multipartRequest('http://gw/v1/deliveries', await signManifest(manifest, court.signer), [file]));
    expect(res.status).toBe(201);
    gw.clock.advance(60_000);
  }
  // Legitimate changes of stored facts, each through audited records of its own.
  const [open] = await gw.deps.db.orm.select().from(schema.obligations).orderBy(asc(schema.obligations.id)).limit(1);
  await closeObligation(gw.deps, open!.id, { status: 'done' }, 'unit:test');
  const [due] = await gw.deps.db.orm
    .select()
    .from(schema.obligations)
    .where(eq(schema.obligations.status, 'open'))
    .orderBy(asc(schema.obligations.dueOn))
    .limit(1);
  await setCalendarOverride(gw.deps, { date: due!.dueOn, working: false, name: '地方假日', reason: '测试' }, 'admin:test');
  const moved = await recomputeAfterCalendarChange(gw.deps, { kind: 'day', date: due!.dueOn }, 'admin:test');
  expect(moved.changed).toBeGreaterThan(0);
});
afterAll(async () => {
  for (const close of copies) await close();
  await gw.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A copy of the test database (VACUUM INTO: a consistent snapshot) with the same gateway keys. */
async function copy(): Promise<Deps> {
  const path = join(scratch, `copy-${copies.length}.db`);
  await gw.client.execute({ sql: 'vacuum into ?', args: [path] });
  const { db, close } = await openLibsql(`file:${path}`);
  copies.push(close);
  return createDeps({ ...gw.deps, db });
}

const run = (deps: Deps, text: string) => deps.db.orm.run(sql.raw(text));
const one = async <T>(deps: Deps, text: string) => ((await deps.db.orm.all(sql.raw(text))) as T[])[0]!;
/** Change one character: the one at `at` (counted from the end when negative) becomes another. */
const flip = (s: string, at = -2) => {
  const i = at < 0 ? s.length + at : at;
  const c = s[i]!;
  return s.slice(0, i) + (c === 'a' ? 'b' : c === '0' ? '1' : c === '1' ? '2' : 'a') + s.slice(i + 1);
};
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function tamperColumn(table: string, column: string, key = 'id', at = -2) {
  const deps = await copy();
  const row = await one<{ k: string; v: string }>(deps, `select ${key} as k, ${column} as v from ${table} order by rowid limit 1 offset 3`);
  await run(deps, `update ${table} set ${column} = ${q(flip(row.v, at))} where ${key} = ${q(row.k)}`);
  return { deps, id: row.k, result: await verifyAuditChain(deps) };
}

describe('the untouched log', () => {
  it('verifies: every record, the tree, every signed head, every receipt head and every stored fact', async () => {
    const r = await verifyAuditChain(gw.deps);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.records).toBeGreaterThan(60);
    expect(r.rows).toBeGreaterThan(50); // deliveries, documents, attachments, blobs, evidence, obligations
  });

  it('every committed batch signs its head: a tree head (size, Merkle root) that verifies with the JWKS alone', async () => {
    const heads = await gw.deps.db.orm.select().from(schema.auditCheckpoints).orderBy(asc(schema.auditCheckpoints.seq));
    const [last] = await gw.deps.db.orm
      .select()
      .from(schema.auditLog)
      .orderBy(sql`seq desc`)
      .limit(1);
    expect(heads.at(-1)!.seq).toBe(last!.seq); // no unsigned tail
    const { payload, typ } = await verifyWithJwks(heads.at(-1)!.jws, await gw.deps.keys.jwks());
    expect(typ).toBe('fuyuan-tree-head+jws');
    expect(payload).toMatchObject({ type: 'audit-tree-head', treeSize: last!.seq, hash: last!.hash, rootHash: heads.at(-1)!.root });
  });

  it("a receipt states the head after its delivery's records, root included, and the next record commits to the rows", async () => {
    const [d] = await gw.deps.db.orm.select().from(schema.deliveries).where(eq(schema.deliveries.messageId, 'a-4'));
    const receipt = JSON.parse(d!.receiptJson) as { auditHead: { seq: number; hash: string; root: string } };
    const [rec] = await gw.deps.db.orm.select().from(schema.auditLog).where(eq(schema.auditLog.seq, receipt.auditHead.seq));
    expect(rec!.hash).toBe(receipt.auditHead.hash);
    expect(receipt.auditHead.root).toMatch(/^[0-9a-f]{64}$/);
    const [seal] = await gw.deps.db.orm
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.seq, receipt.auditHead.seq + 1));
    expect(seal!.action).toBe('rows.written');
    const rows = (JSON.parse(seal!.data) as { rows: { t: string; k: string }[] }).rows;
    expect(rows).toContainEqual(expect.objectContaining({ t: 'deliveries', k: d!.id }));
    // Everything a delivery stores: the message, its documents and bytes, the case and its routing (queued for
    // the justice bureau here), the deadlines and their reminders, the soft-fail re-check, and the receipt.
    expect(new Set(rows.map((r) => r.t))).toEqual(
      new Set([
        'blobs',
        'deliveries',
        'documents',
        'document_attachments',
        'obligations',
        'evidence',
        'cases',
        'routing_decisions',
        'queue_items',
        'reminders',
        'revocation_rechecks',
      ]),
    );
  });

  it('an on-demand checkpoint (and the one at shutdown) adds nothing when the head is already signed', async () => {
    const deps = await copy();
    const before = await deps.db.orm.select().from(schema.auditCheckpoints);
    await deps.writer.checkpoint();
    expect(await deps.db.orm.select().from(schema.auditCheckpoints)).toHaveLength(before.length);
  });
});

describe('a changed stored fact is named by table, id and column', () => {
  const cases: [string, string, string, number?][] = [
    ['documents', 'title', 'id'],
    ['documents', 'entry_json', 'id', 10],
    ['documents', 'case_number', 'id'],
    ['documents', 'entry_digest', 'id'],
    ['deliveries', 'receipt_json', 'id', 40],
    ['deliveries', 'receipt_jws', 'id'],
    ['deliveries', 'envelope', 'id', 30],
    ['deliveries', 'content_digest', 'id'],
    ['document_attachments', 'sha256', "document_id || '/' || attachment_id"],
    ['evidence', 'payload_json', 'id', 20],
    ['obligations', 'due_on', 'id'],
  ];
  for (const [table, column, key, at] of cases) {
    it(`one character of ${table}.${column}`, async () => {
      const { id, result } = await tamperColumn(table, column, key, at);
      expect(result.ok).toBe(false);
      expect(result.firstBad).toMatchObject({
        table,
        id,
        reason: expect.stringMatching(new RegExp(`^${table} ${id.replace(/[()]/g, '.')}: ${column} differs from what audit record #\\d+ committed to$`)),
      });
    });
  }

  it('one byte of an attachment blob', async () => {
    const deps = await copy();
    const [b] = await deps.db.orm.select().from(schema.blobs).limit(1);
    const bytes = new Uint8Array(b!.bytes);
    bytes[100] = bytes[100]! ^ 1;
    await deps.db.orm.update(schema.blobs).set({ bytes }).where(eq(schema.blobs.sha256, b!.sha256));
    const r = await verifyAuditChain(deps);
    expect(r.firstBad).toMatchObject({
      table: 'blobs',
      id: b!.sha256,
      reason: `blobs ${b!.sha256}: bytes differs from what audit record #${r.firstBad!.seq} committed to`,
    });
  });

  it('a row stored outside an audited write, and a row deleted', async () => {
    const deps = await copy();
    await run(
      deps,
      `insert into evidence (id, sender_code, type, unique_key, payload_json, jws, created_at) values ('forged-1', 'court-longyou', 'receipt', 'forged', '{}', 'x', 0)`,
    );
    const gone = await one<{ id: string }>(deps, 'select id from obligations order by rowid limit 1 offset 2');
    await run(deps, `delete from obligations where id = ${q(gone.id)}`);
    const r = await verifyAuditChain(deps);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ table: 'evidence', id: 'forged-1', reason: 'evidence forged-1: not in the audit log (stored outside an audited write)' }),
        expect.objectContaining({ table: 'obligations', id: gone.id, reason: expect.stringMatching(/: deleted \(audit record #\d+ wrote it\)$/) }),
      ]),
    );
  });

  it('legitimate changes (an obligation closed, a due date recomputed) went through audited records of their own', async () => {
    const rows = await gw.deps.db.orm
      .select()
      .from(schema.auditLog)
      .where(sql`action in ('obligation.done', 'obligation.recomputed')`);
    expect(new Set(rows.map((r) => r.action))).toEqual(new Set(['obligation.done', 'obligation.recomputed']));
    for (const r of rows) {
      const [seal] = await gw.deps.db.orm
        .select()
        .from(schema.auditLog)
        .where(eq(schema.auditLog.seq, r.seq + 1));
      expect(JSON.parse(seal!.data).rows).toContainEqual(expect.objectContaining({ t: 'obligations', k: r.subject.replace('obligation:', '') }));
    }
  });
});

describe('no silent truncation, no forged append, no rewritten history', () => {
  const lastSeq = async (deps: Deps) => (await one<{ n: number }>(deps, 'select max(seq) as n from audit_log')).n;

  for (const n of [1, 10]) {
    it(`the last ${n} record(s) deleted: a missing tail under the last signed head`, async () => {
      const deps = await copy();
      const last = await lastSeq(deps);
      await run(deps, `delete from audit_log where seq > ${last - n}`);
      const r = await verifyAuditChain(deps);
      expect(r.problems).toContainEqual({
        seq: last - n + 1,
        reason: `missing tail: records #${last - n + 1}…#${last} were removed (the signed head #${last} covers them)`,
      });
    });
  }

  it('the last 10 records deleted together with their signed heads (and tree nodes): the rows they wrote and the receipts name it', async () => {
    const deps = await copy();
    const last = await lastSeq(deps);
    await run(deps, `delete from audit_log where seq > ${last - 10}`);
    await run(deps, `delete from audit_checkpoints where seq > ${last - 10}`);
    await run(deps, `delete from audit_tree where key >= ${(last - 10) * 64}`);
    const r = await verifyAuditChain(deps);
    expect(r.ok).toBe(false);
    // What those records wrote (the last write closed an obligation and moved a due date) no longer matches the log.
    expect(r.problems).toContainEqual(
      expect.objectContaining({
        table: 'obligations',
        reason: expect.stringMatching(/^obligations \S+: (due_on|status|derivation_json)[a-z_, ]* differs? from what audit record #\d+ committed to$/),
      }),
    );
  });

  it('a forged client.registered record appended with a correctly computed hash (and tree leaf), even with a checkpoint at the previous head', async () => {
    const deps = await copy();
    await deps.writer.checkpoint();
    const prev = await one<{ seq: number; hash: string }>(deps, 'select seq, hash from audit_log order by seq desc limit 1');
    const data = canonicalJson({ name: '伪造的客户端', role: 'admin', scope: '*', privateKeyJwt: false });
    const base = {
      seq: prev.seq + 1,
      at: new Date(T0),
      actor: 'admin:mallory',
      action: 'client.registered',
      subject: 'client:forged',
      dataDigest: sha256HexSync(data),
      prevHash: prev.hash,
    };
    const hash = recordHash(base);
    await deps.db.orm.insert(schema.auditLog).values({ ...base, data, hash });
    await deps.db.orm.insert(schema.auditTree).values({ key: prev.seq * 64, hash: recordLeaf(hash) });
    const r = await verifyAuditChain(deps);
    expect(r.firstBad).toEqual({
      seq: prev.seq + 1,
      reason: `records #${prev.seq + 1}…#${prev.seq + 1} were appended after the last signed head (#${prev.seq}): no signature covers them`,
    });
  });

  it('record #48 rewritten and every later record re-chained (the tree recomputed too): the signed heads after it no longer match', async () => {
    const deps = await copy();
    const rows = await deps.db.orm.select().from(schema.auditLog).orderBy(asc(schema.auditLog.seq));
    let prevHash = rows[46]!.hash;
    for (const r of rows.slice(47)) {
      const rewritten = { ...r, subject: r.seq === 48 ? flip(r.subject) : r.subject, prevHash };
      rewritten.hash = recordHash(rewritten);
      await deps.db.orm.update(schema.auditLog).set({ subject: rewritten.subject, prevHash, hash: rewritten.hash }).where(eq(schema.auditLog.seq, r.seq));
      prevHash = rewritten.hash;
    }
    const all = await deps.db.orm.select({ hash: schema.auditLog.hash }).from(schema.auditLog).orderBy(asc(schema.auditLog.seq));
    const { stored } = appendLeaves(
      EMPTY_FRONTIER,
      all.map((r) => recordLeaf(r.hash)),
    );
    await run(deps, 'delete from audit_tree');
    for (let i = 0; i < stored.length; i += 200) await deps.db.orm.insert(schema.auditTree).values(stored.slice(i, i + 200));
    const r = await verifyAuditChain(deps);
    expect(r.ok).toBe(false);
    const firstSigned = (await one<{ s: number }>(deps, 'select min(seq) as s from audit_checkpoints where seq >= 48')).s;
    expect(r.problems).toContainEqual({
      seq: firstSigned,
      reason: expect.stringMatching(
        new RegExp(`^signed head #${firstSigned} does not match the log: a record after #\\d+ and up to #${firstSigned} was rewritten$`),
      ),
    });
    // A receipt stating a head between #48 and that signed head is named too (it is a signed head of its own).
    expect(r.firstBad!.seq).toBeGreaterThanOrEqual(48);
    expect(r.firstBad!.seq).toBeLessThanOrEqual(firstSigned);
  });

  it('a record rewritten without touching the tree is named exactly', async () => {
    const deps = await copy();
    const rows = await deps.db.orm.select().from(schema.auditLog).orderBy(asc(schema.auditLog.seq));
    let prevHash = rows[46]!.hash;
    for (const r of rows.slice(47)) {
      const rewritten = { ...r, subject: r.seq === 48 ? flip(r.subject) : r.subject, prevHash };
      rewritten.hash = recordHash(rewritten);
      await deps.db.orm.update(schema.auditLog).set({ subject: rewritten.subject, prevHash, hash: rewritten.hash }).where(eq(schema.auditLog.seq, r.seq));
      prevHash = rewritten.hash;
    }
    const r = await verifyAuditChain(deps);
    expect(r.firstBad).toEqual({ seq: 48, reason: 'record #48: the stored Merkle tree differs from the record (record or tree rewritten)' });
  });

  it('one byte of a record, or of its data, is still named by the chain', async () => {
    const deps = await copy();
    await run(deps, `update audit_log set subject = subject || 'x' where seq = 4`);
    await run(deps, `update audit_log set data = replace(data, '"messageId":"a-2"', '"messageId":"a-7"') where action = 'delivery.accepted'`);
    const r = await verifyAuditChain(deps);
    expect(r.firstBad).toEqual({ seq: 4, reason: 'record #4: hash does not match the record' });
    expect(r.problems.some((p) => /data does not match its digest/.test(p.reason))).toBe(true);
  });
});

describe('a client registered through the log is a covered write too', () => {
  it('registration appends records and a signed head; verify stays clean', async () => {
    const deps = await copy();
    await registerClient(deps, { name: '柯城区司法局', role: 'justice_bureau', scope: '330802' }, 'admin:test');
    const r = await verifyAuditChain(deps);
    expect(r.ok).toBe(true);
  });
});
