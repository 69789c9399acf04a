/** Build the Deps of the Node runtime from its configuration. Used by main, the CLI and the benchmarks. */
import type { Deps, Clock, Logger } from '../../src/deps.js';
import { createDeps } from '../../src/create-deps.js';
import { setLeaseHolder } from '../../src/jobs/outbox.js';
import { openLibsql } from '../db/libsql-node.js';
import { sqlBlobStore } from '../blobs/sql.js';
import { jwsEnvelope } from '../envelope/jws.js';
import { notifyAdapters } from '../notify/index.js';
import { xmlEnvelope } from '../envelope/xml.js';
import { withMultipart } from '../envelope/multipart.js';
import { adminToken, fileKeyStore, secretsKey } from './keystore.js';
import { secretBox } from '../../src/lib/secret-box.js';
import { jsonLogger } from './log.js';
import { trustFromEnv, type NodeConfig } from './config.js';
import { bindNodeCrypto } from './crypto.js';
import { sm2KeyFromConfig } from '../keys/sm2.js';
import { nodeLeaseHolder } from './processes.js';

export const systemClock: Clock = { now: () => new Date() };

const optional = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));

/**
 * `readOnly`: for commands that only read (audit verify, audit prove, the list and show commands): nothing is
 * created in DATA_DIR (no admin token, secrets key or signing key file), so they work on a full disk.
 */
export async function nodeDeps(cfg: NodeConfig, opts: { clock?: Clock; log?: Logger; readOnly?: boolean } = {}) {
  bindNodeCrypto();
  const clock = opts.clock ?? systemClock;
  const { client, db, close } = await openLibsql(cfg.DATABASE_URL, cfg.DATABASE_AUTH_TOKEN, cfg.DATABASE_BUSY_TIMEOUT_MS, cfg.DATABASE_IDLE_CHECKPOINT_MS);
  const readOnly = opts.readOnly ?? false;
  const keys = await fileKeyStore(
    cfg.DATA_DIR,
    clock.now(),
    cfg.GATEWAY_KEY,
    cfg.GATEWAY_SM2_KEY ? await sm2KeyFromConfig(cfg.GATEWAY_SM2_KEY) : undefined,
    readOnly,
  );
  const deps: Deps = createDeps({
    db,
    secrets: secretBox(secretsKey(cfg.DATA_DIR, cfg.SECRETS_KEY, readOnly)),
    blobs: sqlBlobStore(db, clock),
    clock,
    keys,
    log: opts.log ?? jsonLogger(cfg.LOG_LEVEL),
    config: {
      clockSkewSeconds: cfg.CLOCK_SKEW_SECONDS,
      bodyLimitBytes: cfg.BODY_LIMIT_BYTES,
      jsonBodyLimitBytes: cfg.JSON_BODY_LIMIT_BYTES,
      checkpointEvery: cfg.AUDIT_CHECKPOINT_EVERY,
      maxDeliveriesInFlight: cfg.MAX_DELIVERIES_IN_FLIGHT,
      maxBufferedBytes: cfg.MAX_BUFFERED_BYTES,
      maxDeliveriesPerAddress: cfg.MAX_DELIVERIES_PER_ADDRESS,
      maxBufferedBytesPerAddress: cfg.MAX_BUFFERED_BYTES_PER_ADDRESS,
      maxRequestBodiesBytes: cfg.MAX_REQUEST_BODIES_BYTES,
      maxRequestBodiesBytesPerAddress: cfg.MAX_REQUEST_BODIES_BYTES_PER_ADDRESS,
      maxDownloadBytes: cfg.MAX_DOWNLOAD_BYTES,
      maxDownloadBytesPerAddress: cfg.MAX_DOWNLOAD_BYTES_PER_ADDRESS,
      uploadGraceSeconds: cfg.UPLOAD_GRACE_SECONDS,
      uploadMinBytesPerSecond: cfg.UPLOAD_MIN_BYTES_PER_SECOND,
      ...(readOnly ? optional('adminToken', adminToken(cfg.DATA_DIR, cfg.ADMIN_TOKEN, true)) : { adminToken: adminToken(cfg.DATA_DIR, cfg.ADMIN_TOKEN) }),
      ...(cfg.PUBLIC_URL ? { publicUrl: cfg.PUBLIC_URL } : {}),
      trust: trustFromEnv(cfg),
    },
    envelopes: withMultipart(jwsEnvelope, xmlEnvelope),
    notifier: { adapters: notifyAdapters },
  });
  setLeaseHolder(deps, nodeLeaseHolder());
  return { deps, client, keys, close };
}
