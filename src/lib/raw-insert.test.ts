/** insertRows sends what drizzle's own insert would: the same columns, the same driver values, the same rows back. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { FixedClock, T0, testGateway } from '../../test/helpers/gateway.js';
import { insertRows, RawStmt } from './raw-insert.js';
import { blobs, legalAdvisers, obligations, outbox } from '../../schemas/db/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
});
afterAll(() => gw.close());

const obligation = (id: string) => ({
  id,
  caseId: null,
  documentId: 'doc-1',
  regionCode: '330802',
  ruleId: 'answer',
  kind: 'answer_and_evidence',
  titleZh: '答辩举证',
  titleEn: 'Answer',
  party: 'unit' as const,
  unitId: 'kc-zrzy',
  dueOn: '2026-12-08',
  provisional: true,
  derivationJson: '{}',
  source: 'ALL 第67条',
  status: 'open' as const,
  createdAt: T0,
  updatedAt: new Date(T0.getTime() + 1),
});

describe('insertRows', () => {
  it('binds the same driver values as drizzle for dates, booleans, nulls and text', () => {
    const rows = [obligation('o-1'), obligation('o-2')];
    const raw = insertRows(obligations, rows);
    const built = gw.deps.db.orm.insert(obligations).values(rows).toSQL();
    // drizzle also names the columns left out (as null); insertRows leaves them to the table: same rows.
    expect(raw.args).toEqual(built.params);
    expect(raw.sql).toMatch(/^insert into "obligations" \("id", "case_id", .*"created_at", "updated_at"\) values \((\?, ){16}\?\), \((\?, ){16}\?\)$/);
  });

  it('writes rows that read back as drizzle wrote them, in one batch with builders, defaults filled', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    await gw.deps.db.batch([
      insertRows(obligations, [obligation('o-3')]),
      insertRows(blobs, [{ sha256: 'f'.repeat(64), size: bytes.length, bytes, createdAt: T0 }], { onConflictDoNothing: true }),
      insertRows(blobs, [{ sha256: 'f'.repeat(64), size: bytes.length, bytes, createdAt: T0 }], { onConflictDoNothing: true }),
      // `active` left out: the schema default (true), as drizzle's insert would write.
      insertRows(legalAdvisers, [{ id: 'la-1', regionCode: '330802', name: '王律师', organisation: '浙江某律师事务所', createdAt: T0 }]),
      gw.deps.db.orm.insert(outbox).values({
        id: 'ob-1',
        kind: 'court_callback',
        destination: 'court-x',
        payloadJson: '{}',
        idempotencyKey: 'k-1',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0,
        createdAt: T0,
      }),
    ]);
    const [o] = await gw.deps.db.orm.select().from(obligations).where(eq(obligations.id, 'o-3'));
    expect(o).toMatchObject({ provisional: true, createdAt: T0, updatedAt: new Date(T0.getTime() + 1), unitId: 'kc-zrzy', caseId: null });
    const [b] = await gw.deps.db.orm
      .select()
      .from(blobs)
      .where(eq(blobs.sha256, 'f'.repeat(64)));
    expect(new Uint8Array(b!.bytes)).toEqual(bytes);
    const [a] = await gw.deps.db.orm.select().from(legalAdvisers).where(eq(legalAdvisers.id, 'la-1'));
    expect(a?.active).toBe(true);
    expect(await gw.deps.db.orm.select().from(outbox).where(eq(outbox.id, 'ob-1'))).toHaveLength(1);
  });

  it('is all or nothing with the rest of the batch', async () => {
    const before = (await gw.deps.db.orm.select().from(obligations)).length;
    await expect(gw.deps.db.batch([insertRows(obligations, [obligation('o-4')]), insertRows(obligations, [obligation('o-4')])])).rejects.toThrow(
      /UNIQUE|PRIMARY/,
    );
    expect((await gw.deps.db.orm.select().from(obligations)).length).toBe(before);
    expect(insertRows(obligations, [obligation('o-5')])).toBeInstanceOf(RawStmt);
  });
});
