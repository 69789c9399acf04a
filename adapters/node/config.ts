/** Node configuration from the environment, parsed with zod at start; a bad value stops the start, naming it. */
import { z } from 'zod';

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
  DATABASE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5000).describe("a write's wait for another connection's lock; past it 503 database-busy"),
  CLOCK_SKEW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(50 * 1024 * 1024),
  MAX_DELIVERIES_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(64).describe('deliveries received at once; past it 503 overloaded with Retry-After'),
  MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024 * 1024).default(256 * 1024 * 1024).describe('request bytes those deliveries may hold together'),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30).describe('on SIGTERM: time to finish requests in flight and the callback under way'),
  AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).default(1000),
  GATEWAY_KEY: z.string().optional().describe('a private ES256 JWK; default: generated in DATA_DIR'),
  PUBLIC_URL: z.url().optional(),
  ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters').optional().describe('default: generated in DATA_DIR/admin-token'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60).describe('0 turns the sweep timer off'),
});
export type NodeConfig = z.infer<typeof NodeConfig> & { DATABASE_URL: string };

export function parseNodeConfig(env: Record<string, string | undefined>): NodeConfig {
  const picked = Object.fromEntries(Object.keys(NodeConfig.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = NodeConfig.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...r.data, DATABASE_URL: r.data.DATABASE_URL ?? `file:${r.data.DATA_DIR}/fuyuan.db` };
}
