/** A fresh gateway for one test: new libSQL file with the migrations, its own key, a fixed clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { createApp } from '../../src/app.js';
import type { Clock, Deps, Logger } from '../../src/deps.js';
import { ChainCache } from '../../src/lib/pki.js';
import { Mutex } from '../../src/lib/mutex.js';
import { openLibsql } from '../../adapters/db/libsql-node.js';
import { sqlBlobStore } from '../../adapters/blobs/sql.js';
import { jwsEnvelope } from '../../adapters/envelope/jws.js';
import { jwkKeyStore, newStoredKey } from '../../adapters/keys/jwk.js';
import * as schema from '../../schemas/db/index.js';

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

export async function testGateway(opts: { clock?: FixedClock; bodyLimitBytes?: number; checkpointEvery?: number; log?: Logger } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  const { client, db } = await openLibsql(url);
  const clock = opts.clock ?? new FixedClock();
  const keys = [await newStoredKey(clock.now())];
  const deps: Deps = {
    db,
    blobs: sqlBlobStore(db, clock),
    clock,
    keys: jwkKeyStore(() => keys),
    log: opts.log ?? silentLog,
    config: { clockSkewSeconds: 300, bodyLimitBytes: opts.bodyLimitBytes ?? 5 * 1024 * 1024, checkpointEvery: opts.checkpointEvery ?? 1000, adminToken: ADMIN_TOKEN },
    envelopes: [jwsEnvelope],
    runtime: { chains: new ChainCache(), writeLock: new Mutex() },
  };
  const app = createApp(deps);
  /** Row counts of everything a delivery writes: "nothing stored" is asserted with these. */
  const counts = async () => {
    const c = async (t: typeof schema.deliveries | typeof schema.documents | typeof schema.blobs | typeof schema.auditLog | typeof schema.documentAttachments) =>
      (await deps.db.orm.select({ n: count() }).from(t))[0]!.n;
    return {
      deliveries: await c(schema.deliveries),
      documents: await c(schema.documents),
      attachments: await c(schema.documentAttachments),
      blobs: await c(schema.blobs),
      audit: await c(schema.auditLog),
    };
  };
  const close = () => {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { app, deps, clock, client, url, dir, counts, close, keys };
}
