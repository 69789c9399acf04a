/**
 * Group commit (src/services/audit.ts, drainGroups): writes that wait for the write lock together are built at
 * once and committed in one transaction; each keeps its own audit records and learns the head after them. A write
 * whose build fails fails alone, and the others of its group are still committed, each with a correct head.
 * A group about to commit waits a few milliseconds for writes announced with deps.writer.announce (deliveries being
 * received), so concurrent deliveries share one transaction.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { testGateway } from './helpers/gateway.js';
import { verifyAuditChain, type AuditHead } from '../src/services/audit.js';
import { registerSender } from '../src/services/senders.js';
import { attachmentEntry, demoManifest, multipartRequest, signManifest } from '../adapters/node/court-kit.js';
import { makeCourtPki } from './helpers/pki.js';
import * as schema from '../schemas/db/index.js';
import { createClient } from '@libsql/client';
import { openLibsql } from '../adapters/db/libsql-node.js';
import { countTransactions } from '../adapters/db/count-transactions.js';
import { createDeps } from '../src/create-deps.js';
import { insertRows } from '../src/lib/raw-insert.js';
import { auditedUpdate } from '../src/services/audit-rows.js';
import type { Stmt } from '../src/deps.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
beforeEach(async () => {
  gw = await testGateway();
});
afterEach(() => gw.close());

/** One write of two audit records; its build resolves to the head it was given (what a receipt would state). */
function write(name: string, opts: { gate?: Promise<void>; fail?: boolean } = {}) {
  return gw.deps.writer.optimistic(
    async () => ({
      entries: [
        { actor: 'test', action: 'test.first', subject: `w:${name}`, data: { name, part: 1 } },
        { actor: 'test', action: 'test.second', subject: `w:${name}`, data: { name, part: 2 } },
      ],
      build: async (head: AuditHead) => {
        if (opts.gate) await opts.gate;
        if (opts.fail) throw new Error(`build of ${name} failed`);
        return { items: [], result: head };
      },
    }),
    () => false,
  );
}

describe('group commit of audited writes', () => {
  it('commits a queued group together: every write gets the head after its own two records', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const first = write('first', { gate }); // holds the lock until the others have queued
    await new Promise((r) => setTimeout(r, 10));
    const others = ['a', 'b', 'c', 'd', 'e'].map((n) => write(n));
    open();
    const heads = await Promise.all([first, ...others]);

    const rows = await gw.deps.db.orm.select().from(schema.auditLog).orderBy(asc(schema.auditLog.seq));
    expect(rows).toHaveLength(12);
    // Each write's records are adjacent and its head is its second record.
    for (const [i, name] of ['first', 'a', 'b', 'c', 'd', 'e'].entries()) {
      const mine = rows.filter((r) => r.subject === `w:${name}`);
      expect(mine.map((r) => r.action)).toEqual(['test.first', 'test.second']);
      expect(mine[1]!.seq).toBe(mine[0]!.seq + 1);
      expect(heads[i]).toMatchObject({ seq: mine[1]!.seq, hash: mine[1]!.hash });
    }
    expect((await verifyAuditChain(gw.deps)).ok).toBe(true);
  });

  it('a write whose build fails is refused alone; the rest of its group is committed with correct heads', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const first = write('first', { gate });
    await new Promise((r) => setTimeout(r, 10));
    const a = write('a');
    const bad = write('bad', { fail: true });
    const c = write('c');
    open();
    await expect(bad).rejects.toThrow('build of bad failed');
    const heads = await Promise.all([first, a, c]);

    const rows = await gw.deps.db.orm.select().from(schema.auditLog).orderBy(asc(schema.auditLog.seq));
    expect(rows.some((r) => r.subject === 'w:bad')).toBe(false);
    expect(rows).toHaveLength(6);
    for (const [i, name] of ['first', 'a', 'c'].entries()) {
      const mine = rows.filter((r) => r.subject === `w:${name}`);
      expect(mine).toHaveLength(2);
      expect(heads[i]).toMatchObject({ seq: mine[1]!.seq, hash: mine[1]!.hash });
    }
    expect((await verifyAuditChain(gw.deps)).ok).toBe(true);
  });
});

describe('where batches cannot be pipelined (D1, a remote libSQL server), a group waits for announced writes (writer.announce)', () => {
  // The embedded file pipelines its batches (Db.sequence); without it, the writer commits group after group.
  beforeEach(() => {
    delete (gw.deps.db as { sequence?: unknown }).sequence;
  });
  /** Count the transactions: every group (or lone write) is one batch. */
  const countBatches = () => countTransactions(gw.deps.db);
  const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('writes announced before they are ready join the group that is about to commit: one transaction for all', async () => {
    const batches = countBatches();
    // Three requests under way: each needs a few milliseconds (reading its body, checking it) before it writes.
    const results = await Promise.all([
      gw.deps.writer.announce(() => write('x')),
      gw.deps.writer.announce(async () => {
        await later(2);
        return write('y');
      }),
      gw.deps.writer.announce(async () => {
        await later(3);
        return write('z');
      }),
    ]);
    expect(batches.n).toBe(1);
    expect(new Set(results.map((h) => h.seq))).toEqual(new Set([2, 4, 6]));
    expect(gw.deps.writer.stats().announced).toBe(0);
    expect((await verifyAuditChain(gw.deps)).ok).toBe(true);
  });

  it('a request that fails before it writes is no longer waited for, and later writes commit', async () => {
    await expect(
      gw.deps.writer.announce(async () => {
        throw new Error('the signature does not verify');
      }),
    ).rejects.toThrow('the signature does not verify');
    expect(gw.deps.writer.stats().announced).toBe(0);
    const batches = countBatches();
    expect(await write('after')).toEqual({ seq: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/), root: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(batches.n).toBe(1);
  });

  it('concurrent deliveries share transactions, and each receipt states its own audit head', async () => {
    const court = await makeCourtPki('龙游县人民法院');
    await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
    const batches = countBatches();
    const requests = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => {
        const file = {
          id: 'att-1',
          filename: `起诉状-${i}.pdf`,
          mediaType: 'application/pdf',
          bytes: Uint8Array.from({ length: 2048 }, (_, k) => (k * 7 + i) & 0xff),
        };
        const manifest = demoManifest({
          messageId: `msg-group-${i}`,
          senderCode: 'court-longyou',
          issuedAt: gw.clock.now(),
          caseNumber: `(2026)浙0825行初${900 + i}号`,
          attachments: [await attachmentEntry(file, false)],
        });
        return multipartRequest('http://gateway.test/v1/deliveries', await signManifest(manifest, court.signer), [file]);
      }),
    );
    const responses = await Promise.all(requests.map((r) => gw.app.request(r)));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(batches.n).toBeLessThan(5);
    const receipts = await Promise.all(responses.map(async (r) => ((await r.json()) as { receipt: { auditHead: AuditHead } }).receipt));
    const heads = receipts.map((r) => r.auditHead.seq);
    expect(new Set(heads).size).toBe(5);
    // Every stated head is a record of the chain with that hash.
    const rows = await gw.deps.db.orm.select().from(schema.auditLog).orderBy(asc(schema.auditLog.seq));
    for (const r of receipts) expect(rows.find((x) => x.seq === r.auditHead.seq)?.hash).toBe(r.auditHead.hash);
    expect((await verifyAuditChain(gw.deps)).ok).toBe(true);
  });
});

describe('a storage fault fails a group at once (issue 20)', () => {
  it('a lock held past the wait refuses every write of the group with the fault, without waiting again once per write', async () => {
    // The same gateway, but its writes wait only 100 ms for another connection's lock.
    const { client, db } = await openLibsql(gw.url, undefined, 100);
    const deps = createDeps({ ...gw.deps, db });
    const tries = countTransactions(db);
    const other = createClient({ url: gw.url });
    const tx = await other.transaction('write');
    try {
      await tx.execute('UPDATE outbox SET attempts = attempts WHERE 0');
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const one = (name: string, g?: Promise<void>) =>
        deps.writer.optimistic(
          async () => ({
            entries: [{ actor: 'test', action: 'test.write', subject: `w:${name}`, data: { name } }],
            build: async (head: AuditHead) => {
              if (g) await g;
              return { items: [], result: head };
            },
          }),
          () => false,
        );
      const first = one('first', gate); // holds the writer while the others queue into one group
      await new Promise((r) => setTimeout(r, 10));
      const group = ['a', 'b', 'c'].map((n) => one(n));
      open();
      for (const w of [first, ...group]) await expect(w).rejects.toMatchObject({ name: 'StorageFailure', kind: 'busy' });
      // The first write's batch, then the group's one batch: no write of the group was tried again on its own. (A
      // batch of the group sent while the first one waited is refused unrun, and the group goes again as one.)
      expect(tries.n).toBe(2);
    } finally {
      await tx.rollback();
      other.close();
      client.close();
    }
    // Once the lock is free, writes commit again.
    expect(await write('after')).toMatchObject({ seq: expect.any(Number) });
  });
});

describe('a write under the lock is not held off by a stream of deliveries', () => {
  it('it goes in after the group in flight, and the writes queued before it go on after it', async () => {
    const writes = Array.from({ length: 40 }, (_, i) => write(`w${i}`));
    await new Promise((r) => setTimeout(r, 0)); // the group loop holds the lock, with all forty queued
    const locked = await gw.deps.writer.audited([{ actor: 'test', action: 'test.locked', subject: 'locked', data: {} }], async (head) => ({
      items: [],
      result: head,
    }));
    const heads = await Promise.all(writes);
    // Before, the loop kept the lock until the queue was empty: all forty came first.
    expect(heads.filter((h) => h.seq > locked.seq).length).toBeGreaterThanOrEqual(24);
    expect((await verifyAuditChain(gw.deps)).ok).toBe(true);
  });
});

describe('the next group is prepared while the last one commits (Db.sequence)', () => {
  const override = (date: string, name: string) => ({ date, working: false, name, reason: '测试', createdAt: gw.clock.now(), actor: 'test' });
  /** A write of one audit record whose statements `items` makes; `built` is told each time its build runs. */
  function rowWrite(name: string, items: () => Stmt[], built?: () => void) {
    return gw.deps.writer.optimistic(
      async () => ({
        entries: [{ actor: 'test', action: 'test.row', subject: `w:${name}`, data: { name } }],
        build: async (head: AuditHead) => {
          built?.();
          return { items: items(), result: head };
        },
      }),
      () => false,
    );
  }
  /** Another connection holding the write lock: the writer's batches wait for it in the writer thread. */
  async function holdLock(insert?: string) {
    const other = createClient({ url: gw.url });
    const tx = await other.transaction('write');
    await tx.execute(
      insert
        ? { sql: 'INSERT INTO calendar_overrides VALUES (?, 0, ?, ?, 0, ?)', args: [insert, '他人', '测试', 'other'] }
        : 'UPDATE outbox SET attempts = attempts WHERE 0',
    );
    return {
      release: async () => {
        await tx.commit();
        other.close();
      },
    };
  }
  const settled = <T>(p: Promise<T>) => {
    const s = { done: false };
    p.then(
      () => (s.done = true),
      () => (s.done = true),
    );
    return s;
  };

  it('a group built while the one before waits sees the rows that one writes: its commitments match what is stored', async () => {
    const tries = countTransactions(gw.deps.db);
    const lock = await holdLock();
    const first = rowWrite('first', () => [insertRows(schema.calendarOverrides, [override('2027-01-04', '调休')])]);
    const firstDone = settled(first);
    await new Promise((r) => setTimeout(r, 50)); // first's batch is in the writer thread, waiting for the lock
    let builtWhileFirstWaited = false;
    const second = rowWrite(
      'second',
      () => [auditedUpdate(gw.deps, schema.calendarOverrides, { name: '调休（更正）' }, eq(schema.calendarOverrides.date, '2027-01-04'))],
      () => (builtWhileFirstWaited ||= !firstDone.done),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(builtWhileFirstWaited).toBe(true);
    await lock.release();
    const heads = await Promise.all([first, second]);
    expect(heads[1]!.seq).toBeGreaterThan(heads[0]!.seq);
    expect(tries).toEqual({ n: 2, skipped: 0 });
    const [row] = await gw.deps.db.orm.select().from(schema.calendarOverrides).where(eq(schema.calendarOverrides.date, '2027-01-04'));
    expect(row?.name).toBe('调休（更正）');
    // The second write's "rows.written" committed to the row as the first write made it and the second changed it.
    const verified = await verifyAuditChain(gw.deps);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
  });

  it('when the batch in flight fails, the group sent after it is refused unrun and committed again: only the culprit fails', async () => {
    const tries = countTransactions(gw.deps.db);
    const lock = await holdLock('2027-01-04'); // commits the same date first: the first write will clash with it
    const first = rowWrite('first', () => [insertRows(schema.calendarOverrides, [override('2027-01-04', '调休')])]);
    const firstDone = settled(first);
    await new Promise((r) => setTimeout(r, 50));
    let builds = 0;
    let builtWhileFirstWaited = false;
    const group = ['a', 'b', 'c'].map((n, i) =>
      rowWrite(
        n,
        () => [insertRows(schema.calendarOverrides, [override(`2027-01-1${i}`, n)])],
        () => {
          builds++;
          builtWhileFirstWaited ||= !firstDone.done;
        },
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(builtWhileFirstWaited).toBe(true);
    await lock.release();
    await expect(first).rejects.toMatchObject({ name: 'WriteConflict', table: 'calendar_overrides' });
    const heads = await Promise.all(group);
    // Built once for the batch that was refused unrun, once for the batch that committed.
    expect(builds).toBe(6);
    // first's batch (a write alone that clashed is not tried again), then the group's; its first batch never ran.
    expect(tries).toEqual({ n: 2, skipped: 1 });
    const rows = await gw.deps.db.orm.select().from(schema.auditLog).orderBy(asc(schema.auditLog.seq));
    expect(rows.some((r) => r.subject === 'w:first')).toBe(false);
    for (const [i, n] of ['a', 'b', 'c'].entries())
      expect(rows.find((r) => r.subject === `w:${n}`)).toMatchObject({ seq: heads[i]!.seq, hash: heads[i]!.hash });
    const dates = (await gw.deps.db.orm.select().from(schema.calendarOverrides)).map((r) => [r.date, r.name]).sort();
    expect(dates).toEqual([
      ['2027-01-04', '他人'],
      ['2027-01-10', 'a'],
      ['2027-01-11', 'b'],
      ['2027-01-12', 'c'],
    ]);
    const verified = await verifyAuditChain(gw.deps);
    // The other connection's row was written past the audit log: verify names it, and nothing else.
    expect(verified.problems.map((p) => [p.table, p.id])).toEqual([['calendar_overrides', '2027-01-04']]);
  });
});
