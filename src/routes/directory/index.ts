import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { abolishUnit, changeDirectory, directorySnapshot, saveDirectory, setServedRegion, upsertUnit } from '../../services/directory.js';
import { getDirectory, postAbolish, postServedRegion, putDirectory, putUnit } from './directory.routes.js';

export function mountDirectory(app: OpenAPIHono<AppEnv>) {
  // Every /v1/admin/* route (directory, calendar, policies, channels, clients …) needs the admin role.

  app.openapi(getDirectory, async (c) => {
    const s = await directorySnapshot(c.var.deps, c.req.valid('query').version);
    return c.json(
      { version: s.version, digest: s.digest, createdAt: s.createdAt?.toISOString() ?? null, note: s.note, data: s.data as Record<string, unknown> },
      200,
    );
  });
  app.openapi(putDirectory, async (c) => c.json(await saveDirectory(c.var.deps, c.req.valid('json'), c.var.actor, 'replaced through the admin API'), 200));
  app.openapi(putUnit, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(await changeDirectory(c.var.deps, c.var.actor, `unit ${id} saved`, upsertUnit({ ...body, id })), 200);
  });
  app.openapi(postAbolish, async (c) => {
    const { id } = c.req.valid('param');
    const { on, successorId } = c.req.valid('json');
    return c.json(await changeDirectory(c.var.deps, c.var.actor, `unit ${id} abolished on ${on}`, abolishUnit(id, on, successorId)), 200);
  });
  app.openapi(postServedRegion, async (c) => {
    const { code } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(await changeDirectory(c.var.deps, c.var.actor, `${code} serves ${body.regionCode} from ${body.from}`, setServedRegion(code, body)), 200);
  });
}
