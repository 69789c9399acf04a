/**
 * The Worker's bindings and variables, parsed with zod at the edge (a missing or bad one is a clear error,
 * answered as 503 problem+json naming it, not a crash). wrangler.toml names each one.
 */
import { z } from 'zod';

const num = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const binding = (what: string, method: string) =>
  z.custom<unknown>((v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[method] === 'function', {
    message: `must be a ${what} binding`,
  });

export const WorkerEnv = z
  .object({
    DB: binding('D1', 'prepare').optional().describe('D1 database (when DATABASE is "d1")'),
    BLOBS: binding('R2', 'put').optional().describe('R2 bucket for attachment bytes; without it bytes are kept in the database'),
    DATABASE: z.enum(['d1', 'libsql']).default('d1'),
    LIBSQL_URL: z
      .string()
      .regex(/^(libsql|https?|wss?):/, 'must be a libsql:, https: or wss: URL')
      .optional(),
    LIBSQL_AUTH_TOKEN: z.string().optional(),
    GATEWAY_KEY: z.string().min(20, 'must be the private ES256 JWK of the gateway (a secret)'),
    ADMIN_TOKEN: z.string().min(16).optional(),
    GATEWAY_SM2_KEY: z.string().optional().describe('an SM2 private key (secret): receipts are also signed SM2SM3'),
    PUBLIC_URL: z.url().optional(),
    SECRETS_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}=?$/, 'must be 32 bytes in base64url (a secret)')
      .optional(),
    CLOCK_SKEW_SECONDS: num(300, 1, 86_400),
    BODY_LIMIT_BYTES: num(50 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    JSON_BODY_LIMIT_BYTES: num(1024 * 1024, 1024, 64 * 1024 * 1024),
    AUDIT_CHECKPOINT_EVERY: num(1000, 1, 1_000_000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    // Revocation and trusted time (issue 22): the same names and meanings as on Node (README "Configuration").
    TRUST_FETCH_ALLOW_HOSTS: z
      .string()
      .regex(/^\s*([A-Za-z0-9.-]+(:\d{1,5})?\s*(,\s*|$))*$/, 'must be a comma-separated list of host or host:port')
      .default(''),
    TRUST_FETCH_TIMEOUT_MS: num(10_000, 100, 120_000),
    OCSP_FRESHNESS_SECONDS: num(3600, 60, 7 * 86_400),
    CRL_REFRESH_SECONDS: num(3600, 60, 7 * 86_400),
    REVOCATION_RECHECK_DAYS: num(7, 1, 365),
    TSA_URL: z.url().optional(),
    TSA_INTERVAL_SECONDS: num(60, 1, 86_400),
  })
  .superRefine((e, ctx) => {
    if (e.DATABASE === 'd1' && !e.DB) ctx.addIssue({ code: 'custom', path: ['DB'], message: 'DATABASE is "d1" but no D1 binding named DB is configured' });
    if (e.DATABASE === 'libsql' && !e.LIBSQL_URL)
      ctx.addIssue({ code: 'custom', path: ['LIBSQL_URL'], message: 'DATABASE is "libsql" but LIBSQL_URL is not set' });
  });
export type WorkerEnv = z.infer<typeof WorkerEnv>;

export function parseWorkerEnv(env: Record<string, unknown>): { ok: true; env: WorkerEnv } | { ok: false; message: string } {
  const r = WorkerEnv.safeParse(env);
  if (r.success) return { ok: true, env: r.data };
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  // zod skips the cross-field checks when a field fails: name the database binding too, so one look fixes all.
  const database = env.DATABASE ?? 'd1';
  if (database === 'd1' && !env.DB && !issues.some((i) => i.startsWith('DB'))) issues.push('DB: DATABASE is "d1" but no D1 binding named DB is configured');
  if (database === 'libsql' && !env.LIBSQL_URL && !issues.some((i) => i.startsWith('LIBSQL_URL')))
    issues.push('LIBSQL_URL: DATABASE is "libsql" but LIBSQL_URL is not set');
  return { ok: false, message: issues.join('; ') };
}
