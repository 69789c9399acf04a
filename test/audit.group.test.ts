/**
 * Group commit (src/services/audit.ts, drainGroups): writes that wait for the write lock together are built at
 * once and committed in one transaction; each keeps its own audit records and learns the head after them. A write
 * whose build fails fails alone, and the others of its group are still committed, each with a correct head.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { testGateway } from './helpers/gateway.js';
import { commitOptimistic, verifyAuditChain, type AuditHead } from '../src/services/audit.js';
import * as schema from '../schemas/db/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
beforeEach(async () => {
  gw = await testGateway();
});
afterEach(() => gw.close());

/** One write of two audit records; its build resolves to the head it was given (what a receipt would state). */
function write(name: string, opts: { gate?: Promise<void>; fail?: boolean } = {}) {
  return commitOptimistic(
    gw.deps,
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
      expect(heads[i]).toEqual({ seq: mine[1]!.seq, hash: mine[1]!.hash });
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
      expect(heads[i]).toEqual({ seq: mine[1]!.seq, hash: mine[1]!.hash });
    }
    expect((await verifyAuditChain(gw.deps)).ok).toBe(true);
  });
});
