import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { assertCaseAccess, queueItemActor } from '../../services/access.js';
import { Problem } from '../../lib/problem.js';
import { assignCase, caseView, claimQueueItem, listQueue } from '../../services/assignments.js';
import { explainRouting } from '../../services/explain.js';
import { assignQueueItem } from '../../services/queue-items.js';
import { queueItems } from '../../../schemas/db/index.js';
import { eq } from 'drizzle-orm';
import { getCase, getDocumentRouting, getQueue, postCaseReassign, postQueueAssign, postQueueClaim } from './routing.routes.js';

export function mountRouting(app: OpenAPIHono<AppEnv>) {
  app.openapi(getQueue, async (c) => {
    const q = c.req.valid('query');
    const p = c.var.principal;
    // A justice bureau sees its own region's queue.
    if (p.role === 'justice_bureau' && q.region && q.region !== p.scope) throw new Problem('forbidden', `this client acts for region ${p.scope}`);
    const region = p.role === 'justice_bureau' ? p.scope : q.region;
    const items = await listQueue(c.var.deps, {
      ...(region ? { regionCode: region } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
    return c.json({ items }, 200);
  });

  app.openapi(postQueueAssign, async (c) => {
    const { id } = c.req.valid('param');
    return c.json((await assignQueueItem(c.var.deps, c.var.principal, id, c.req.valid('json'), c.var.actor)).result, 200);
  });

  app.openapi(postQueueClaim, async (c) => {
    const { id } = c.req.valid('param');
    const [item] = await c.var.deps.db.orm.select().from(queueItems).where(eq(queueItems.id, id));
    if (!item) throw new Problem('not-found', `no queue item with id ${id}`);
    const claim = queueItemActor(c.var.principal, item);
    const body = c.req.valid('json');
    return c.json(await claimQueueItem(c.var.deps, id, claim ?? body.regionCode ?? null, body.reason, c.var.actor), 200);
  });

  app.openapi(postCaseReassign, async (c) => {
    const { id } = c.req.valid('param');
    await assertCaseAccess(c.var.deps, c.var.principal, id, 'decide');
    return c.json(await assignCase(c.var.deps, id, c.req.valid('json'), c.var.actor, 'reassign'), 200);
  });

  app.openapi(getCase, async (c) => {
    const { id } = c.req.valid('param');
    await assertCaseAccess(c.var.deps, c.var.principal, id);
    return c.json(await caseView(c.var.deps, id), 200);
  });
  app.openapi(getDocumentRouting, async (c) => {
    const e = await explainRouting(c.var.deps, c.req.valid('param').id);
    const p = c.var.principal;
    // A denial names only what the caller asked for (the document id), never the case behind it.
    const denied = () => new Problem('not-found', `no routed document with id ${e.documentId}`);
    if (e.caseId)
      await assertCaseAccess(c.var.deps, p, e.caseId).catch((err: unknown) => {
        throw err instanceof Problem && err.slug === 'not-found' ? denied() : err;
      });
    else if (p.role !== 'admin' && !(p.role === 'justice_bureau' && e.regionCode === p.scope)) throw denied();
    return c.json(e, 200);
  });
}
