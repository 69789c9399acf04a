/** A fresh gateway for one test: new libSQL file with the migrations, its own key, a fixed clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { createApp } from '../../src/app.js';
import type { Clock, Deps, GatewayConfig, Logger } from '../../src/deps.js';
import { createDeps } from '../../src/create-deps.js';
import { secretBox } from '../../src/lib/secret-box.js';
import { openLibsql } from '../../adapters/db/libsql-node.js';
import { sqlBlobStore } from '../../adapters/blobs/sql.js';
import { jwsEnvelope } from '../../adapters/envelope/jws.js';
import { notifyAdapters } from '../../adapters/notify/index.js';
import { xmlEnvelope } from '../../adapters/envelope/xml.js';
import { withMultipart } from '../../adapters/envelope/multipart.js';
import { jwkKeyStore, newStoredKey } from '../../adapters/keys/jwk.js';
import * as schema from '../../schemas/db/index.js';
import { bindNodeCrypto } from '../../adapters/node/crypto.js';

/** The tests' fixed clock: 2026-11-23 10:00 Beijing time. Advance it explicitly. */
export const T0 = new Date('2026-11-23T02:00:00.000Z');

export class FixedClock implements Clock {
  constructor(private t: Date = T0) {}
  now() {
    return new Date(this.t);
  }
  set(t: Date) {
    this.t = new Date(t);
  }
  advance(ms: number) {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export const silentLog: Logger = { log() {} };

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Headers of a justice-bureau clerk acting through the admin API (X-Actor is URI-encoded). */
export const adminHeaders = (actor = '柯城区司法局 王某'): Record<string, string> => ({
  authorization: `Bearer ${ADMIN_TOKEN}`,
  'x-actor': encodeURIComponent(actor),
  'content-type': 'application/json',
});

export async function testGateway(
  opts: { clock?: FixedClock; bodyLimitBytes?: number; checkpointEvery?: number; log?: Logger; config?: Partial<GatewayConfig> } = {},
) {
  bindNodeCrypto(); // as adapters/node/deps.ts does
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  const { client, db, close: closeDatabase } = await openLibsql(url);
  const clock = opts.clock ?? new FixedClock();
  const keys = [await newStoredKey(clock.now())];
  const deps: Deps = createDeps({
    db,
    secrets: secretBox(crypto.getRandomValues(new Uint8Array(32))),
    blobs: sqlBlobStore(db, clock),
    clock,
    keys: jwkKeyStore(() => keys),
    log: opts.log ?? (process.env.TEST_LOG ? { log: (l, m, f) => l === 'error' && console.error(m, f) } : silentLog),
    config: {
      clockSkewSeconds: 300,
      bodyLimitBytes: opts.bodyLimitBytes ?? 5 * 1024 * 1024,
      checkpointEvery: opts.checkpointEvery ?? 1000,
      adminToken: ADMIN_TOKEN,
      ...opts.config,
    },
    envelopes: withMultipart(jwsEnvelope, xmlEnvelope),
    notifier: { adapters: notifyAdapters },
  });
  const app = createApp(deps);
  /** Row counts of everything a delivery writes: "nothing stored" is asserted with these. */
  const counts = async () => {
    const c = async (
      t: typeof schema.deliveries | typeof schema.documents | typeof schema.blobs | typeof schema.auditLog | typeof schema.documentAttachments,
    ) => (await deps.db.orm.select({ n: count() }).from(t))[0]!.n;
    return {
      deliveries: await c(schema.deliveries),
      documents: await c(schema.documents),
      attachments: await c(schema.documentAttachments),
      blobs: await c(schema.blobs),
      audit: await c(schema.auditLog),
    };
  };
  /** Settles once the writer thread has closed the file, so nothing is still writing in the directory it removes. */
  const close = async () => {
    await closeDatabase();
    rmSync(dir, { recursive: true, force: true });
  };
  return { app, deps, clock, client, url, dir, counts, close, keys };
}

/** Register a client with the service and obtain an access token through POST /v1/oauth/token. */
export async function clientToken(
  gw: { app: { request: (input: string, init?: RequestInit) => Response | Promise<Response> }; deps: Deps },
  role: 'unit' | 'justice_bureau' | 'government_office' | 'court' | 'procuratorate' | 'liaison' | 'admin',
  scope: string,
  name = `${role}:${scope}`,
): Promise<{ clientId: string; clientSecret: string; token: string; headers: Record<string, string> }> {
  const { registerClient } = await import('../../src/services/clients.js');
  const { clientId, clientSecret } = await registerClient(gw.deps, { name, role, scope }, 'test');
  const res = await gw.app.request('http://gw/v1/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret! }).toString(),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  const { access_token } = (await res.json()) as { access_token: string };
  return {
    clientId,
    clientSecret: clientSecret!,
    token: access_token,
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
  };
}
