import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { requireAdmin } from '../../lib/admin-auth.js';
import { Problem } from '../../lib/problem.js';
import { assignCase, caseView, listQueue } from '../../services/assignments.js';
import { explainRouting } from '../../services/explain.js';
import { queueItems } from '../../../schemas/db/index.js';
import { eq } from 'drizzle-orm';
import { getCase, getDocumentRouting, getQueue, postCaseReassign, postQueueAssign } from './routing.routes.js';

export function mountRouting(app: OpenAPIHono<AppEnv>) {
  for (const p of ['/v1/queue', '/v1/queue/*', '/v1/cases/*', '/v1/documents/*']) app.use(p, requireAdmin);
  const actor = (c: { get(k: 'actor'): unknown }) => String(c.get('actor'));

  app.openapi(getQueue, async (c) => {
    const q = c.req.valid('query');
    const items = await listQueue(c.var.deps, { ...(q.region ? { regionCode: q.region } : {}), ...(q.status ? { status: q.status } : {}), ...(q.limit ? { limit: q.limit } : {}) });
    return c.json({ items }, 200);
  });

  app.openapi(postQueueAssign, async (c) => {
    const { id } = c.req.valid('param');
    const [item] = await c.var.deps.db.orm.select().from(queueItems).where(eq(queueItems.id, id));
    if (!item) throw new Problem('not-found', `no queue item with id ${id}`);
    if (!item.caseId) throw new Problem('conflict', 'this queue item has no case (a stand-alone suggestion); it is handled by the suggestion workflow');
    if (item.status !== 'open') throw new Problem('conflict', `queue item ${id} was already resolved by ${item.resolvedBy}`);
    return c.json(await assignCase(c.var.deps, item.caseId, c.req.valid('json'), actor(c as never), 'assign'), 200);
  });

  app.openapi(postCaseReassign, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await assignCase(c.var.deps, id, c.req.valid('json'), actor(c as never), 'reassign'), 200);
  });

  app.openapi(getCase, async (c) => c.json(await caseView(c.var.deps, c.req.valid('param').id), 200));
  app.openapi(getDocumentRouting, async (c) => c.json((await explainRouting(c.var.deps, c.req.valid('param').id)) as never, 200));
}
