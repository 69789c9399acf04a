/**
 * `cli backup DIR` while the gateway receives, and `cli restore DIR` into another data directory: the restored
 * copy's audit chain verifies, earlier receipts verify with its keys, and a new delivery after the restore is
 * accepted. A damaged backup, or a restore over a database in use, changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
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
    const m = demoManifest({ messageId: `b-${++n}`, senderCode: 'court-longyou', issuedAt: clock.now(), caseNumber: `(2026)浙0825行初${600 + n}号`, regionCode: '330802' });
    const res = await fetch(joseRequest(`${base}/v1/deliveries`, await signManifest(m, court.signer)));
    return { status: res.status, body: (await res.json()) as { jws?: string; receipt?: unknown } };
  };
  const close = async () => {
    await new Promise<void>((r) => server.close(() => r()));
    ctx.client.close();
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
  expect((await cli(A, 'sender', 'add', '--code', 'court-longyou', '--type', 'court', '--name', '浙江省龙游县人民法院', '--ca', join(root, 'ca.pem'))).code).toBe(0);
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
