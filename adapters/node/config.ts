/** Node configuration from the environment, parsed with zod at start; a bad value stops the start, naming it. */
import { z } from 'zod';
import { IDLE_CHECKPOINT_MS } from '../db/libsql-writer.js';

export const NodeConfig = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:|https?:|wss?:)/, 'must start with file:, libsql:, http(s): or ws(s):')
    .optional()
    .describe('default: file:<DATA_DIR>/fuyuan.db'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  DATABASE_BUSY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(5000)
    .describe("a write's wait for another connection's lock; past it 503 database-busy"),
  DATABASE_IDLE_CHECKPOINT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(IDLE_CHECKPOINT_MS)
    .describe('the write thread copies the WAL into the database file once idle this long; 0: only inside a commit'),
  CLOCK_SKEW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(50 * 1024 * 1024),
  JSON_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('largest body of the JSON endpoints'),
  MAX_DELIVERIES_IN_FLIGHT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(64)
    .describe('deliveries received at once; past it 503 overloaded with Retry-After'),
  MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(256 * 1024 * 1024)
    .describe('request bytes those deliveries may hold together'),
  MAX_DELIVERIES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(32)
    .describe('deliveries one source address may have in progress at once; past it 429 too-many-in-progress'),
  MAX_BUFFERED_BYTES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(128 * 1024 * 1024)
    .describe('request bytes the deliveries of one source address may hold together'),
  MAX_REQUEST_BODIES_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(64 * 1024 * 1024)
    .describe('bytes the bodies of all other requests (not deliveries) may announce together; past it 503 overloaded'),
  MAX_REQUEST_BODIES_BYTES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(32 * 1024 * 1024)
    .describe("one source address's share of those; past it 429 too-many-in-progress"),
  MAX_DOWNLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(256 * 1024 * 1024)
    .describe('attachment bytes being sent to clients at once; past it a download is answered 503 overloaded'),
  MAX_DOWNLOAD_BYTES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(128 * 1024 * 1024)
    .describe("one source address's share of those; past it 429 too-many-in-progress"),
  MAX_CONNECTIONS: z.coerce
    .number()
    .int()
    .min(16)
    .max(1_000_000)
    .optional()
    .describe("connections held at once; default 10,000, or 256 below the process's open-file limit (ulimit -n) if that is lower"),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(512)
    .describe('connections one source address may hold; past it a new one is closed at once'),
  UPLOAD_GRACE_SECONDS: z.coerce
    .number()
    .min(0.1)
    .max(3600)
    .default(30)
    .describe("a request's body has this long to arrive, plus a second per UPLOAD_MIN_BYTES_PER_SECOND received; past it 408"),
  UPLOAD_MIN_BYTES_PER_SECOND: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(16 * 1024)
    .describe('the slowest upload a request may keep up (bytes per second) once its grace is over'),
  SHUTDOWN_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(30)
    .describe('on SIGTERM: time to finish requests in flight and the callback under way'),
  AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).default(1000),
  GATEWAY_KEY: z.string().optional().describe('a private ES256 JWK; default: generated in DATA_DIR'),
  GATEWAY_SM2_KEY: z.string().optional().describe('an SM2 private key (PKCS#8 PEM or 64 hex): receipts are also signed SM2SM3'),
  PUBLIC_URL: z.url().optional(),
  SECRETS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}=?$/, 'must be 32 bytes in base64url')
    .optional()
    .describe('default: generated in DATA_DIR/secrets-key'),
  ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters').optional().describe('default: generated in DATA_DIR/admin-token'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60).describe('0 turns the sweep timer off'),
  TRUST_FETCH_ALLOW_HOSTS: z
    .string()
    .regex(/^\s*([A-Za-z0-9.-]+(:\d{1,5})?\s*(,\s*|$))*$/, 'must be a comma-separated list of host or host:port')
    .default('')
    .describe('hosts CRLs, OCSP and timestamps may be fetched from'),
  TRUST_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  OCSP_FRESHNESS_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
  CRL_REFRESH_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
  REVOCATION_RECHECK_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  TSA_URL: z.url().optional().describe('RFC 3161 time-stamping authority for receipts'),
  TSA_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
});
export type NodeConfig = z.infer<typeof NodeConfig> & { DATABASE_URL: string };

/** The trust settings (src/deps.ts TrustConfig) from a parsed configuration; Node and Workers read the same names. */
export function trustFromEnv(e: {
  TRUST_FETCH_ALLOW_HOSTS: string;
  TRUST_FETCH_TIMEOUT_MS: number;
  OCSP_FRESHNESS_SECONDS: number;
  CRL_REFRESH_SECONDS: number;
  REVOCATION_RECHECK_DAYS: number;
  TSA_URL?: string | undefined;
  TSA_INTERVAL_SECONDS: number;
}) {
  return {
    fetchAllowHosts: e.TRUST_FETCH_ALLOW_HOSTS.split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    fetchTimeoutMs: e.TRUST_FETCH_TIMEOUT_MS,
    ocspFreshnessSeconds: e.OCSP_FRESHNESS_SECONDS,
    crlRefreshSeconds: e.CRL_REFRESH_SECONDS,
    recheckDays: e.REVOCATION_RECHECK_DAYS,
    tsaIntervalSeconds: e.TSA_INTERVAL_SECONDS,
    ...(e.TSA_URL ? { tsaUrl: e.TSA_URL } : {}),
  };
}

export function parseNodeConfig(env: Record<string, string | undefined>): NodeConfig {
  const picked = Object.fromEntries(Object.keys(NodeConfig.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = NodeConfig.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...r.data, DATABASE_URL: r.data.DATABASE_URL ?? `file:${r.data.DATA_DIR}/fuyuan.db` };
}
