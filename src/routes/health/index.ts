/** Liveness, readiness and the gateway's public keys. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { currentStorageFault } from '../../lib/faults.js';
import { isDraining } from '../../http/admission.js';
import { healthz, jwks, readyz } from './health.routes.js';

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
    return c.json(
      { status: ready ? ('ready' as const) : ('not_ready' as const), database: 'ok' as const, migrations, ...(fault ? { writes: fault.slug } : {}) },
      ready ? 200 : 503,
    );
  });
  app.openapi(jwks, async (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(await c.var.deps.keys.jwks(), 200);
  });
}
