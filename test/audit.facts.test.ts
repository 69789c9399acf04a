/**
 * Every stored fact is under the audit log's content commitment (issue #19: "no change, deletion or insertion of
 * any stored fact passes audit verify unnamed"), not only deliveries, documents, blobs, evidence and obligations
 * (test/audit.test.ts). A lived-in database (`simulate --history`: cases routed and queued, steps, reminders,
 * remediation, clients, senders, re-checks) plus the administrator's writes (calendar, policy, channel, feed token,
 * meeting pack) is tampered with on copies, table by table: one column changed, one row deleted, one row inserted
 * with a correct-looking key. Each must be named by `audit verify` with its table, id and what differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Column } from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { parseNodeConfig } from '../adapters/node/config.js';
import { nodeDeps } from '../adapters/node/deps.js';
import { jsonLogger } from '../adapters/node/log.js';
import { openLibsql } from '../adapters/db/libsql-node.js';
import { runHistory } from '../adapters/node/simulate-history.js';
import { COVERED, type CoveredTable } from '../src/services/audit-rows.js';
import { verifyAuditChain } from '../src/services/audit.js';
import { publishYear, setCalendarOverride } from '../src/services/calendar.js';
import { setRegionPolicy } from '../src/services/policies.js';
import { issueFeedToken } from '../src/services/feeds.js';
import { registerChannel } from '../src/services/notifications.js';
import { createPack } from '../src/services/packs.js';
import type { Deps } from '../src/deps.js';
import { FixedClock, T0 } from './helpers/gateway.js';

/** The six tables test/audit.test.ts tampers with already. */
const FIRST_SIX = ['deliveries', 'documents', 'document_attachments', 'blobs', 'evidence', 'obligations'];
/** Newly covered tables this database holds rows of; each gets its three tamperings below. */
const EXERCISED = [
  'cases',
  'assignments',
  'routing_decisions',
  'queue_items',
  'case_steps',
  'reminders',
  'remediation_items',
  'clients',
  'senders',
  'sender_cas',
  'calendar_data_versions',
  'directory_snapshots',
  'revocation_rechecks',
  'calendar_overrides',
  'calendar_published_years',
  'region_policies',
  'calendar_feed_tokens',
  'notification_channels',
  'meeting_packs',
];

let dir: string;
let deps: Deps;
let closeMain: () => void;
const copies: { close(): void }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fuyuan-audit-facts-'));
  await runHistory(parseNodeConfig({ DATA_DIR: dir }), { cases: 10, days: 75, seed: 7, until: T0 });
  const clock = new FixedClock(T0);
  const opened = await nodeDeps(parseNodeConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', SWEEP_INTERVAL_SECONDS: '0' }), { clock, log: jsonLogger('warn') });
  deps = opened.deps;
  closeMain = () => opened.client.close();
  // The administrator's writes, each through the service a request would call.
  const [unit] = (await deps.db.orm.all(sql`select unit_id as id, region_code as region from assignments limit 1`)) as { id: string; region: string }[];
  await setCalendarOverride(deps, { date: '2026-12-24', working: false, name: '地方假日', reason: '测试' }, 'admin:test');
  await publishYear(deps, 2026, 'admin:test');
  await setRegionPolicy(deps, unit!.region, { presetId: 'putian-chengxiang' }, 'admin:test');
  await issueFeedToken(deps, unit!.id, 'admin:test');
  await registerChannel(deps, { unitId: unit!.id, kind: 'webhook', url: 'https://hooks.example.test/fuyuan', secret: 'whsec_dGVzdHNlY3JldA' }, 'admin:test');
  await createPack(
    deps,
    { clientId: 'jb', name: '司法局', role: 'justice_bureau', scope: unit!.region, actor: 'client:jb' },
    { meetingDate: '2026-11-30', period: '2026-10', regions: [unit!.region] },
  );
}, 240_000);
afterAll(() => {
  for (const c of copies) c.close();
  closeMain?.();
  rmSync(dir, { recursive: true, force: true });
});

/** A consistent copy of the database (VACUUM INTO), with the same gateway keys; foreign keys off, as an insider's tool would. */
async function copy(): Promise<Deps> {
  const path = join(dir, `copy-${copies.length}.db`);
  await deps.db.orm.run(sql`vacuum into ${path}`);
  const { client, db } = await openLibsql(`file:${path}`);
  copies.push(client);
  await client.execute('PRAGMA foreign_keys = OFF');
  return { ...deps, db };
}
const all = async <T>(d: Deps, text: string) => (await d.db.orm.all(sql.raw(text))) as T[];
const q = (v: unknown) => (v === null ? 'null' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
const idOf = (ct: CoveredTable, row: Record<string, unknown>) => ct.key.map((k) => String(row[k])).join('/');
const whereKey = (ct: CoveredTable, row: Record<string, unknown>) => ct.key.map((k) => `"${k}" = ${q(row[k])}`).join(' and ');
/** Another value of the same kind: one character of a text changed, an integer moved by one. */
const other = (v: unknown) => {
  if (typeof v === 'number') return v + 1;
  const s = String(v);
  if (s.length === 0) return 'x';
  const i = Math.max(0, s.length - 2);
  return s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
};

describe('every newly covered table: a column changed, a row deleted, a row inserted, each named by audit verify', () => {
  it('the lived-in database verifies untouched, and holds rows of every table exercised below', async () => {
    const r = await verifyAuditChain(deps);
    expect(r.problems).toEqual([]);
    for (const t of EXERCISED) expect((await all<{ n: number }>(deps, `select count(*) as n from "${t}"`))[0]!.n, t).toBeGreaterThan(0);
  });

  for (const name of EXERCISED) {
    it(`${name}`, async () => {
      const ct = COVERED.find((c) => c.name === name)!;
      expect(ct, `${name} is covered`).toBeDefined();
      expect(FIRST_SIX).not.toContain(name);

      // 1. One column of one row changed: the first covered column, not part of the key, holding text or a number.
      let d = await copy();
      const rows = await all<Record<string, unknown>>(d, `select * from "${name}" order by rowid limit 1`);
      const row = rows[0]!;
      const column = ct.columns.find((c) => !ct.key.includes(c) && (typeof row[c] === 'string' || typeof row[c] === 'number'))!;
      await d.db.orm.run(sql.raw(`update "${name}" set "${column}" = ${q(other(row[column]))} where ${whereKey(ct, row)}`));
      let r = await verifyAuditChain(d);
      expect(r.ok).toBe(false);
      expect(r.problems).toContainEqual(
        expect.objectContaining({
          table: name,
          id: idOf(ct, row),
          reason: expect.stringMatching(new RegExp(`^${name} .+: ${column} differs from what audit record #\\d+ committed to$`)),
        }),
      );

      // 2. The row deleted.
      d = await copy();
      await d.db.orm.run(sql.raw(`delete from "${name}" where ${whereKey(ct, row)}`));
      r = await verifyAuditChain(d);
      expect(r.problems).toContainEqual(
        expect.objectContaining({ table: name, id: idOf(ct, row), reason: expect.stringMatching(/: deleted \(audit record #\d+ wrote it\)$/) }),
      );

      // 3. A row inserted outside the log: a copy of it with a new key (and new values where a unique index wants them).
      d = await copy();
      const unique = new Set(
        getTableConfig(ct.table as SQLiteTable)
          .indexes.filter((i) => i.config.unique)
          .flatMap((i) => (i.config.columns as Column[]).map((c) => c.name)),
      );
      const forged: Record<string, unknown> = { ...row };
      for (const c of Object.keys(row)) {
        if (!ct.key.includes(c) && !unique.has(c)) continue;
        forged[c] = typeof row[c] === 'number' ? (row[c] as number) + 100_000 : `${String(row[c])}-forged`;
      }
      const cols = Object.keys(row);
      await d.db.orm.run(
        sql.raw(
          `insert into "${name}" (${cols.map((c) => `"${c}"`).join(', ')}) select ${cols.map((c) => (c in forged && forged[c] !== row[c] ? q(forged[c]) : `"${c}"`)).join(', ')} from "${name}" where ${whereKey(ct, row)}`,
        ),
      );
      r = await verifyAuditChain(d);
      const forgedId = idOf(ct, forged);
      expect(r.problems).toContainEqual({ table: name, id: forgedId, reason: `${name} ${forgedId}: not in the audit log (stored outside an audited write)` });
    });
  }
});
