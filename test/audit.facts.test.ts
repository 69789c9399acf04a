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
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { loopbackServer, makeOpensslTsa, type LoopbackServer, type OsslTsa } from './helpers/openssl.js';
import { makeCourtPki, makeEcPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { sweep } from '../src/jobs/sweep.js';
import { sqlBlobStore } from '../adapters/blobs/sql.js';

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
let closeMain: () => Promise<void>;
const copies: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fuyuan-audit-facts-'));
  await runHistory(parseNodeConfig({ DATA_DIR: dir }), { cases: 10, days: 75, seed: 7, until: T0 });
  const clock = new FixedClock(T0);
  const opened = await nodeDeps(parseNodeConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', SWEEP_INTERVAL_SECONDS: '0' }), { clock, log: jsonLogger('warn') });
  deps = opened.deps;
  closeMain = () => opened.close();
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
afterAll(async () => {
  for (const close of copies) await close();
  await closeMain?.();
  rmSync(dir, { recursive: true, force: true });
});

/** A consistent copy of the database (VACUUM INTO), with the same gateway keys; foreign keys off, as an insider's tool would. */
async function copy(base: Deps = deps): Promise<Deps> {
  const path = join(dir, `copy-${copies.length}.db`);
  await base.db.orm.run(sql`vacuum into ${path}`);
  const { client, db, close } = await openLibsql(`file:${path}`);
  copies.push(close);
  await client.execute('PRAGMA foreign_keys = OFF');
  return { ...base, db };
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

  for (const name of EXERCISED) it(`${name}`, () => tamperWith(deps, name));
});

/**
 * The seven covered tables a lived-in history leaves empty, filled on a fresh gateway by what fills them in use:
 * a procuratorial suggestion delivered and assigned (suggestions, suggestion_steps), a legal adviser added by the
 * administrator (legal_advisers), the monthly ledger the region's preset schedules (periodic_runs) and its notice to
 * the justice bureau's webhook (outbox), and receipts stamped by an RFC 3161 TSA (`openssl ts` on loopback) in the sweep
 * (receipt_timestamps, timestamp_batches). The untouched database verifies; each table then gets the three tamperings.
 */
const SEVEN = ['suggestions', 'suggestion_steps', 'periodic_runs', 'outbox', 'legal_advisers', 'timestamp_batches', 'receipt_timestamps'];
describe('the seven tables a history leaves empty: a column changed, a row deleted, a row inserted, each named', () => {
  let gw: Awaited<ReturnType<typeof testGateway>>;
  let tsa: OsslTsa;
  let server: LoopbackServer;
  beforeAll(async () => {
    gw = await testGateway({ clock: new FixedClock(T0) });
    tsa = makeOpensslTsa(new Date('2026-01-01T00:00:00Z'), new Date('2028-01-01T00:00:00Z'));
    server = await loopbackServer((req) => ({ type: 'application/timestamp-reply', body: tsa.reply(req) }));
    gw.deps.config.trust = { fetchAllowHosts: [new URL(server.url).host], tsaUrl: `${server.url}/tsa`, tsaIntervalSeconds: 60, fetchRetries: 0 };
    const court = await makeCourtPki('衢州市柯城区人民法院');
    const proc = await makeEcPki('柯城区人民检察院');
    await registerSender(gw.deps, { code: 'court-kc', type: 'court', name: '衢州市柯城区人民法院', caPem: court.ca.certPem });
    await registerSender(gw.deps, { code: 'procuratorate-kecheng', type: 'procuratorate', name: '衢州市柯城区人民检察院', caPem: proc.caPem });
    await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
    const admin = adminHeaders();
    const put = (path: string, body: unknown, method = 'PUT') => gw.app.request(`http://gw${path}`, { method, headers: admin, body: JSON.stringify(body) });
    expect((await put('/v1/admin/regions/330802/policy', { presetId: 'putian-chengxiang' })).status).toBe(200);
    expect((await put('/v1/admin/regions/330802/advisers', { name: '张律师', organisation: '衢州某律师事务所' }, 'POST')).status).toBe(201);
    // The justice bureau's webhook: the monthly ledger's notice goes out through the outbox.
    await registerChannel(
      gw.deps,
      { unitId: 'kc-sfj', kind: 'webhook', url: 'https://hooks.example.test/fuyuan', secret: 'whsec_dGVzdHNlY3JldA' },
      'admin:test',
    );
    // A court's delivery: its receipt waits for the TSA (receipt_timestamps), as every receipt does.
    const m = demoManifest({
      messageId: 'seven-1',
      senderCode: 'court-kc',
      court: { code: 'court-kc', name: '衢州市柯城区人民法院' },
      caseNumber: '(2026)浙0802行初9001号',
      issuedAt: gw.clock.now(),
      regionCode: '330802',
    });
    expect((await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)))).status).toBe(201);
    // A procuratorial suggestion, assigned by the bureau to a unit.
    const jy = {
      messageId: 'seven-jy-1',
      sender: { type: 'procuratorate', code: 'procuratorate-kecheng' },
      issuedAt: T0.toISOString(),
      documents: [{ documentId: 'seven-jy-1-1', type: 'procuratorial_suggestion', title: '关于规范食品经营许可的检察建议书', attachments: [] }],
    };
    expect((await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(jy, proc.signer)))).status).toBe(201);
    const jb = (await clientToken(gw, 'justice_bureau', '330802', '柯城区司法局')).headers;
    const list = (await (await gw.app.request('http://gw/v1/suggestions', { headers: jb })).json()) as { items: { id: string }[] };
    const assigned = await gw.app.request(`http://gw/v1/suggestions/${list.items[0]!.id}/assign`, {
      method: 'POST',
      headers: jb,
      body: JSON.stringify({ unitId: 'kc-scjg', reason: '食品经营许可由市场监管局主管' }),
    });
    expect(assigned.status).toBe(200);
    // The unit's draft reply with an attachment: its bytes are a blob, its SHA-256 in the draft step.
    const unit = (await clientToken(gw, 'unit', 'kc-scjg', '柯城区市场监管局')).headers;
    const draft = await gw.app.request(`http://gw/v1/suggestions/${list.items[0]!.id}/drafts`, {
      method: 'POST',
      headers: unit,
      body: JSON.stringify({
        text: '已收悉，正在整改。',
        attachments: [{ filename: 'zhenggai.pdf', mediaType: 'application/pdf', content: btoa('%PDF-1.4 draft') }],
      }),
    });
    expect(draft.status).toBe(201);
    // The sweep: the TSA stamps both pending receipts in one request (timestamp_batches), the preset's monthly items come due.
    const report = await sweep(gw.deps, gw.clock.now());
    expect(report.steps.timestamps).toMatchObject({ ok: true, report: { stamped: 2, requests: 1 } });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    tsa?.close();
    await gw?.close();
  });

  it('the untouched database verifies, and holds rows of each of the seven', async () => {
    const r = await verifyAuditChain(gw.deps);
    expect(r.problems).toEqual([]);
    for (const t of SEVEN) expect((await all<{ n: number }>(gw.deps, `select count(*) as n from "${t}"`))[0]!.n, t).toBeGreaterThan(0);
  });

  for (const name of SEVEN) it(`${name}`, () => tamperWith(gw.deps, name));

  it('a blob store outside the database is read back through its port: a changed byte is named with the draft step that refers to it', async () => {
    // The database's own store, marked external: verify then reads every referenced blob through get() and hashes it.
    const [step] = await all<{ id: string; sha256: string }>(
      gw.deps,
      `select s.id, json_extract(a.value, '$.sha256') as sha256 from suggestion_steps s, json_each(s.data_json, '$.attachments') a`,
    );
    const d = await copy(gw.deps);
    const external = { ...d, blobs: { ...sqlBlobStore(d.db, gw.clock), external: true as const } };
    expect((await verifyAuditChain(external)).problems).toEqual([]);
    await d.db.orm.run(sql.raw(`update blobs set bytes = cast('%PDF-1.4 draff' as blob) where sha256 = ${q(step!.sha256)}`));
    const r = await verifyAuditChain(external);
    expect(r.problems).toContainEqual({
      table: 'blobs',
      id: step!.sha256,
      reason: `blobs ${step!.sha256}: its bytes in the external blob store differ from their SHA-256 (referred to by suggestion_steps ${step!.id})`,
    });
  });
});

/**
 * The three tamperings of one covered table, each on its own copy of `base`: the first row's first non-key column
 * changed, the row deleted, a copy of it inserted with a new key. Each is named by audit verify (table, id, what).
 */
async function tamperWith(base: Deps, name: string) {
  const ct = COVERED.find((c) => c.name === name)!;
  expect(ct, `${name} is covered`).toBeDefined();
  expect(FIRST_SIX).not.toContain(name);

  // 1. One column of one row changed: the first covered column, not part of the key, holding text or a number.
  let d = await copy(base);
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
  d = await copy(base);
  await d.db.orm.run(sql.raw(`delete from "${name}" where ${whereKey(ct, row)}`));
  r = await verifyAuditChain(d);
  expect(r.problems).toContainEqual(
    expect.objectContaining({ table: name, id: idOf(ct, row), reason: expect.stringMatching(/: deleted \(audit record #\d+ wrote it\)$/) }),
  );

  // 3. A row inserted outside the log: a copy of it with a new key (and new values where a unique index wants them).
  d = await copy(base);
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
}
