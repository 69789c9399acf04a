/**
 * `cli backup DIR` while the gateway receives, and `cli restore DIR` into another data directory: the restored
 * copy's audit chain verifies, earlier receipts verify with its keys, and a new delivery after the restore is
 * accepted. A damaged backup, or a restore over a database in use, changes nothing; `restore --force` over newer
 * data replaces it and keeps what it replaced as a backup that can be put back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { createApp } from '../src/app.js';
import { parseNodeConfig } from '../adapters/node/config.js';
import { nodeDeps } from '../adapters/node/deps.js';
import { runCli } from '../adapters/node/cli.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { FixedClock, T0, silentLog } from './helpers/gateway.js';
import { verifyWithJwks } from '../src/lib/signing.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { saveDirectory } from '../src/services/directory.js';
import type { BackupManifest } from '../adapters/node/backup.js';

const clock = new FixedClock(T0);
let root: string;
let court: CourtPki;
let n = 0;

async function gateway(dataDir: string) {
  const ctx = await nodeDeps(parseNodeConfig({ DATA_DIR: dataDir }), { clock, log: silentLog });
  const server: ServerType = serve({ fetch: createApp(ctx.deps).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deliver = async () => {
    const m = demoManifest({
      messageId: `b-${++n}`,
      senderCode: 'court-longyou',
      issuedAt: clock.now(),
      caseNumber: `(2026)浙0825行初${600 + n}号`,
      regionCode: '330802',
    });
    const res = await fetch(joseRequest(`${base}/v1/deliveries`, await signManifest(m, court.signer)));
    return { status: res.status, body: (await res.json()) as { jws?: string; receipt?: unknown } };
  };
  const close = async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await ctx.close();
  };
  return { ctx, base, deliver, close };
}

const cli = async (env: Record<string, string>, ...argv: string[]) => {
  const out: string[] = [];
  const code = await runCli(argv, env, (s) => out.push(s));
  return { code, text: out.join('\n') };
};

let first: { jws?: string; receipt?: unknown };
let manifest: BackupManifest;
let during: number[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fuyuan-backup-'));
  court = await makeCourtPki('龙游县人民法院');
  writeFileSync(join(root, 'ca.pem'), court.ca.certPem);
  const A = { DATA_DIR: join(root, 'a') };
  expect(
    (await cli(A, 'sender', 'add', '--code', 'court-longyou', '--type', 'court', '--name', '浙江省龙游县人民法院', '--ca', join(root, 'ca.pem'))).code,
  ).toBe(0);
  const gw = await gateway(A.DATA_DIR);
  await saveDirectory(gw.ctx.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const d1 = await gw.deliver();
  expect(d1.status).toBe(201);
  first = d1.body;
  // The backup is taken while deliveries keep arriving.
  const [b, ...rest] = await Promise.all([cli(A, 'backup', join(root, 'backup')), gw.deliver(), gw.deliver(), gw.deliver()]);
  expect(b.code, b.text).toBe(0);
  during = rest.map((r) => r.status);
  manifest = JSON.parse(readFileSync(join(root, 'backup', 'backup.json'), 'utf8')) as BackupManifest;
  await gw.close();
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('backup while the gateway runs', () => {
  it('deliveries during the backup are accepted; the snapshot holds a consistent number of them and the keys', () => {
    expect(during).toEqual([201, 201, 201]);
    expect(manifest.deliveries).toBeGreaterThanOrEqual(1);
    expect(manifest.deliveries).toBeLessThanOrEqual(4);
    expect(manifest.auditHead.seq).toBeGreaterThan(0);
    expect(manifest.keys.sort()).toEqual(['admin-token', 'gateway-keys.json']);
    expect(statSync(join(root, 'backup', 'fuyuan.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'backup', 'gateway-keys.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a directory that is not empty', async () => {
    const r = await cli({ DATA_DIR: join(root, 'a') }, 'backup', join(root, 'backup'));
    expect(r.code).toBe(1);
    expect(r.text).toContain('is not empty');
  });
});

describe('restore into another data directory', () => {
  const C = () => ({ DATA_DIR: join(root, 'c') });
  let restored: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    const r = await cli(C(), 'restore', join(root, 'backup'));
    expect(r.code, r.text).toBe(0);
    expect(r.text).toContain('audit chain intact');
    restored = await gateway(C().DATA_DIR);
  }, 60_000);
  afterAll(() => restored?.close());

  it('audit verify passes on the restored copy, up to the head the backup recorded', async () => {
    const r = await cli(C(), 'audit', 'verify');
    expect(r.code).toBe(0);
    expect(r.text).toContain(`head #${manifest.auditHead.seq} ${manifest.auditHead.hash}`);
  });

  it('a receipt signed before the backup verifies with the restored JWKS', async () => {
    const jwks = (await (await fetch(`${restored.base}/.well-known/jwks.json`)).json()) as never;
    expect((await verifyWithJwks(first.jws!, jwks)).payload).toEqual(first.receipt);
  });

  it('a delivery after the restore is accepted and its receipt verifies with the restored JWKS', async () => {
    clock.advance(60_000);
    const d = await restored.deliver();
    expect(d.status).toBe(201);
    const jwks = (await (await fetch(`${restored.base}/.well-known/jwks.json`)).json()) as never;
    expect((await verifyWithJwks(d.body.jws!, jwks)).payload).toEqual(d.body.receipt);
  });

  it('refuses to replace a database that holds deliveries without --force', async () => {
    const r = await cli(C(), 'restore', join(root, 'backup'));
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/already holds \d+ deliveries/);
  });

  it('refuses a damaged backup and restores nothing', async () => {
    const db = join(root, 'backup', 'fuyuan.db');
    const bytes = readFileSync(db);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    const damaged = join(root, 'damaged');
    expect((await cli({ DATA_DIR: join(root, 'a') }, 'backup', damaged)).code).toBe(0);
    writeFileSync(join(damaged, 'fuyuan.db'), bytes);
    const D = { DATA_DIR: join(root, 'd') };
    const r = await cli(D, 'restore', damaged);
    expect(r.code).toBe(1);
    expect(r.text).toContain('the backup is damaged; nothing was restored');
    expect(existsSync(join(root, 'd', 'fuyuan.db'))).toBe(false);
  });
});

describe('restore over live data that is newer than the backup (restore --force)', () => {
  const A = () => ({ DATA_DIR: join(root, 'a') });
  const dbOf = (dataDir: string) => join(dataDir, 'fuyuan.db');
  const facts = async (dataDir: string) => {
    const c = createClient({ url: `file:${dbOf(dataDir)}` });
    try {
      const deliveries = Number((await c.execute('select count(*) as n from deliveries')).rows[0]!.n);
      const seq = Number((await c.execute('select max(seq) as s from audit_log')).rows[0]!.s);
      return { deliveries, seq };
    } finally {
      c.close();
    }
  };
  let newer: { deliveries: number; seq: number };
  beforeAll(async () => {
    // Two more deliveries on A after the backup, then the gateway stops: A is now ahead of the backup.
    const gw = await gateway(A().DATA_DIR);
    clock.advance(60_000);
    expect((await gw.deliver()).status).toBe(201);
    expect((await gw.deliver()).status).toBe(201);
    await gw.close();
    newer = await facts(A().DATA_DIR);
    expect(newer.deliveries).toBeGreaterThan(manifest.deliveries);
    expect(newer.seq).toBeGreaterThan(manifest.auditHead.seq);
  }, 60_000);

  it('without --force: refuses, says what would be lost and how to proceed, and changes nothing', async () => {
    const before = readFileSync(dbOf(A().DATA_DIR));
    const r = await cli(A(), 'restore', join(root, 'backup'));
    expect(r.code).toBe(1);
    expect(r.text).toContain(`already holds ${newer.deliveries} deliveries (the backup ${manifest.deliveries})`);
    expect(r.text).toContain(`audit head #${newer.seq} against the backup's #${manifest.auditHead.seq}`);
    expect(r.text).toContain('restoring would lose what came after the backup');
    expect(r.text).toContain('Nothing was changed');
    expect(r.text).toContain('--force');
    expect(readFileSync(dbOf(A().DATA_DIR)).equals(before)).toBe(true);
    expect(await facts(A().DATA_DIR)).toEqual(newer);
    expect(readdirSync(A().DATA_DIR).some((f) => f.startsWith('replaced-'))).toBe(false);
  });

  let keptDir: string;
  it('with --force: replaces the database with the backup, keeps what it replaced (a restorable backup), and says where', async () => {
    const r = await cli(A(), 'restore', join(root, 'backup'), '--force');
    expect(r.code, r.text).toBe(0);
    expect(r.text).toContain(`the replaced database (${newer.deliveries} deliveries, audit head #${newer.seq}) and keys are kept in `);
    expect(r.text).toContain('audit chain intact');
    const kept = readdirSync(A().DATA_DIR).filter((f) => f.startsWith('replaced-'));
    expect(kept).toHaveLength(1);
    keptDir = join(A().DATA_DIR, kept[0]!);
    expect(r.text).toContain(keptDir);
    expect(statSync(keptDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(keptDir, 'fuyuan.db')).mode & 0o777).toBe(0o600);
    expect(await facts(A().DATA_DIR)).toEqual({ deliveries: manifest.deliveries, seq: manifest.auditHead.seq });
    // The kept copy is the newer data, whole: restored elsewhere, its audit chain verifies up to the head A had.
    const keptManifest = JSON.parse(readFileSync(join(keptDir, 'backup.json'), 'utf8')) as BackupManifest;
    expect(keptManifest).toMatchObject({ deliveries: newer.deliveries, auditHead: { seq: newer.seq } });
    expect(keptManifest.keys.sort()).toEqual(['admin-token', 'gateway-keys.json']);
    const E = { DATA_DIR: join(root, 'e') };
    expect((await cli(E, 'restore', keptDir)).code).toBe(0);
    expect(await facts(E.DATA_DIR)).toEqual(newer);
    const v = await cli(E, 'audit', 'verify');
    expect(v.code, v.text).toBe(0);
    expect(v.text).toContain(`head #${newer.seq}`);
  });

  it('audit verify passes on the result, and a delivery after it is accepted and recorded', async () => {
    const v = await cli(A(), 'audit', 'verify');
    expect(v.code, v.text).toBe(0);
    expect(v.text).toContain(`head #${manifest.auditHead.seq} ${manifest.auditHead.hash}`);
    const gw = await gateway(A().DATA_DIR);
    try {
      clock.advance(60_000);
      const d = await gw.deliver();
      expect(d.status).toBe(201);
      const jwks = (await (await fetch(`${gw.base}/.well-known/jwks.json`)).json()) as never;
      expect((await verifyWithJwks(d.body.jws!, jwks)).payload).toEqual(d.body.receipt);
    } finally {
      await gw.close();
    }
    expect((await facts(A().DATA_DIR)).deliveries).toBe(manifest.deliveries + 1);
    expect((await cli(A(), 'audit', 'verify')).code).toBe(0);
  });

  it('the kept copy can be put back with restore --force: the newer data returns', async () => {
    const r = await cli(A(), 'restore', keptDir, '--force');
    expect(r.code, r.text).toBe(0);
    expect(await facts(A().DATA_DIR)).toEqual(newer);
    expect((await cli(A(), 'audit', 'verify')).code).toBe(0);
  });
});
