/** Liveness, readiness and the gateway's public keys. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { currentStorageFault } from '../../lib/faults.js';
import { isDraining } from '../../lib/admission.js';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations 运维'],
  summary: 'Alive',
  responses: { 200: { description: 'The process answers', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const Ready = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    database: z.enum(['ok', 'unreachable']),
    /** Present while writes fail (a full disk, a read-only file, a lock held too long): the problem type's slug. */
    writes: z.string().optional(),
    migrations: z.object({ current: z.boolean(), applied: z.number().int(), expected: z.number().int() }).optional(),
  })
  .openapi('Readiness');

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['Operations 运维'],
  summary: 'Ready: database reachable and migrations current',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
    503: { description: 'Not ready', content: { 'application/json': { schema: Ready } } },
  },
});

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('JWKS');
const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['Keys 密钥'],
  summary: "The gateway's public keys (verify receipts and evidence with these alone)",
  responses: { 200: { description: 'JWK Set (ES256, with kid)', content: { 'application/json': { schema: Jwks } } } },
});

export function mountHealth(app: OpenAPIHono<AppEnv>) {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    const { db } = c.var.deps;
    try {
      await db.ping();
    } catch {
      return c.json({ status: 'not_ready' as const, database: 'unreachable' as const }, 503);
    }
    const migrations = await db.migrationStatus();
    const fault = currentStorageFault(c.var.deps);
    const ready = migrations.current && !fault && !isDraining(c.var.deps);
    if (fault) c.header('Retry-After', String(Math.max(1, Math.ceil((fault.until - c.var.deps.clock.now().getTime()) / 1000))));
    return c.json({ status: ready ? ('ready' as const) : ('not_ready' as const), database: 'ok' as const, migrations, ...(fault ? { writes: fault.slug } : {}) }, ready ? 200 : 503);
  });
  app.openapi(jwks, async (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(await c.var.deps.keys.jwks(), 200);
  });
}
