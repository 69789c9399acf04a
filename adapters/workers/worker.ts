/**
 * The Cloudflare Worker: the same app (createApp) and the same sweep as on Node, built from bindings.
 * fetch → the gateway; scheduled (cron trigger) → sweep(deps, now).
 */
import { deriveSecretsKey, parseSecretsKey, secretBox } from '../../src/lib/secret-box.js';
import type { D1Database, ExecutionContext, R2Bucket, ScheduledController } from '@cloudflare/workers-types';
import { createClient } from '@libsql/client/web';
import { createApp } from '../../src/app.js';
import type { Deps, Logger } from '../../src/deps.js';
import { sweep } from '../../src/jobs/sweep.js';
import { createDeps } from '../../src/create-deps.js';
import { Problem } from '../../src/lib/problem.js';
import { bindBase64Decoder } from '../../src/lib/encoding.js';
import { bufferBase64Decoder } from '../base64.js';
import { problemResponse } from '../../src/http/problem.js';
import { d1Db } from '../db/d1.js';
import { libsqlDb } from '../db/libsql.js';
import { r2BlobStore } from '../blobs/r2.js';
import { sqlBlobStore } from '../blobs/sql.js';
import { jwsEnvelope } from '../envelope/jws.js';
import { xmlEnvelope } from '../envelope/xml.js';
import { withMultipart } from '../envelope/multipart.js';
import { jwkKeyStore, storedKeyFromJwk } from '../keys/jwk.js';
import { sm2KeyFromConfig } from '../keys/sm2.js';
import { notifyAdapters } from '../notify/index.js';
import { parseWorkerEnv, type WorkerEnv } from './bindings.js';

const ORDER = { debug: 10, info: 20, warn: 30, error: 40 } as const;
const consoleLogger = (min: WorkerEnv['LOG_LEVEL']): Logger => ({
  log(level, msg, fields) {
    if (ORDER[level] >= ORDER[min]) console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  },
});

export interface BuiltWorker {
  deps: Deps;
  app: ReturnType<typeof createApp>;
}

/**
 * Deps and app from parsed bindings. Uncached: the entry below keeps one per isolate; a test may build a
 * second one over the same bindings to act as another isolate.
 */
export async function buildWorker(env: WorkerEnv): Promise<BuiltWorker> {
  // Base64 (inline attachments, x5c) by Buffer, as on Node (adapters/base64.ts): CPU time is what a Worker is billed.
  bindBase64Decoder(bufferBase64Decoder);
  const clock = { now: () => new Date() };
  const db =
    env.DATABASE === 'd1'
      ? d1Db(env.DB as D1Database)
      : libsqlDb(createClient({ url: env.LIBSQL_URL!, ...(env.LIBSQL_AUTH_TOKEN ? { authToken: env.LIBSQL_AUTH_TOKEN } : {}) }));
  const keys = [await storedKeyFromJwk(env.GATEWAY_KEY, clock.now())];
  // Channel secrets are sealed with SECRETS_KEY, or a key derived from the GATEWAY_KEY secret: never in the database.
  const sealKey = env.SECRETS_KEY ? parseSecretsKey(env.SECRETS_KEY) : await deriveSecretsKey(JSON.parse(env.GATEWAY_KEY) as { d?: string });
  const deps: Deps = createDeps({
    db,
    secrets: secretBox(sealKey),
    blobs: env.BLOBS ? r2BlobStore(env.BLOBS as R2Bucket, db, clock) : sqlBlobStore(db, clock),
    clock,
    keys: jwkKeyStore(() => keys, env.GATEWAY_SM2_KEY ? await sm2KeyFromConfig(env.GATEWAY_SM2_KEY) : undefined),
    log: consoleLogger(env.LOG_LEVEL),
    config: {
      clockSkewSeconds: env.CLOCK_SKEW_SECONDS,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      jsonBodyLimitBytes: env.JSON_BODY_LIMIT_BYTES,
      checkpointEvery: env.AUDIT_CHECKPOINT_EVERY,
      ...(env.ADMIN_TOKEN ? { adminToken: env.ADMIN_TOKEN } : {}),
      ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
      trust: {
        fetchAllowHosts: env.TRUST_FETCH_ALLOW_HOSTS.split(',')
          .map((h) => h.trim())
          .filter(Boolean),
        fetchTimeoutMs: env.TRUST_FETCH_TIMEOUT_MS,
        ocspFreshnessSeconds: env.OCSP_FRESHNESS_SECONDS,
        crlRefreshSeconds: env.CRL_REFRESH_SECONDS,
        recheckDays: env.REVOCATION_RECHECK_DAYS,
        tsaIntervalSeconds: env.TSA_INTERVAL_SECONDS,
        ...(env.TSA_URL ? { tsaUrl: env.TSA_URL } : {}),
      },
    },
    envelopes: withMultipart(jwsEnvelope, xmlEnvelope),
    notifier: { adapters: notifyAdapters },
    // Per isolate (createDeps makes one writer): other isolates write to the same database at the same time;
    // the audit chain and the unique keys refuse a clashing batch and the write is planned again (src/writer).
  });
  return { deps, app: createApp(deps) };
}

/**
 * Per isolate: the app and its caches live as long as the isolate does. The promise is kept, so concurrent
 * first requests share one build (one write lock). Rebuilt when a binding object or a variable changes.
 */
let cached: { bindings: unknown[]; vars: string; built: Promise<BuiltWorker> } | undefined;

async function build(raw: Record<string, unknown>): Promise<BuiltWorker | { error: string }> {
  const parsed = parseWorkerEnv(raw);
  if (!parsed.ok) return { error: parsed.message };
  const env = parsed.env;
  const bindings = [env.DB, env.BLOBS];
  const vars = JSON.stringify({ ...env, DB: undefined, BLOBS: undefined });
  if (!cached || cached.vars !== vars || cached.bindings.some((b, i) => b !== bindings[i])) {
    const built = buildWorker(env);
    cached = { bindings, vars, built };
    // A failed build (e.g. a GATEWAY_KEY that is not a valid JWK) is not kept.
    built.catch(() => {
      if (cached?.built === built) cached = undefined;
    });
  }
  try {
    return await cached.built;
  } catch (e) {
    return { error: String((e as Error)?.message ?? e) };
  }
}

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    const b = await build(env);
    if ('error' in b) {
      return problemResponse(new Problem('service-misconfigured', `the Worker's bindings are not valid: ${b.error}`));
    }
    return b.app.fetch(request, env, ctx);
  },
  async scheduled(controller: ScheduledController, env: Record<string, unknown>, ctx: ExecutionContext): Promise<void> {
    const b = await build(env);
    if ('error' in b) {
      console.log(JSON.stringify({ level: 'error', msg: `sweep not run: ${b.error}` }));
      return;
    }
    ctx.waitUntil(
      sweep(b.deps, new Date(controller.scheduledTime)).then((r) => {
        b.deps.log.log('info', 'sweep', r as unknown as Record<string, unknown>);
      }),
    );
  },
};
