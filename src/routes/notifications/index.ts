/**
 * Notification channels and the outbox, for administrators. Mounted after mountDirectory, whose
 * `/v1/admin/*` requireAdmin guards these paths; each handler also refuses a request without an admin
 * principal, so a mount in the wrong place fails closed.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { principalOf } from '../../lib/auth.js';
import { Problem } from '../../lib/problem.js';
import { disableChannel, listChannels, listOutbox, registerChannel, retryOutbox, setChannelMention } from '../../services/notifications.js';
import { deleteChannel, getChannels, getOutbox, postChannel, postOutboxRetry, putChannelMention } from './notifications.routes.js';

/** The acting administrator, for the audit log. */
function adminActor(c: Parameters<typeof principalOf>[0]): string {
  const p = principalOf(c);
  if (!p) throw new Problem('unauthorized', 'send Authorization: Bearer <access token> (POST /v1/oauth/token)');
  if (p.role !== 'admin') throw new Problem('forbidden', 'this needs the admin role');
  return p.actor;
}

export function mountNotifications(app: OpenAPIHono<AppEnv>) {
  app.openapi(postChannel, async (c) => {
    const actor = adminActor(c);
    const { unitId } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(await registerChannel(c.var.deps, { unitId, kind: body.kind, url: body.url, secret: body.secret ?? null, mention: body.mention ?? null }, actor), 201);
  });

  app.openapi(getChannels, async (c) => {
    adminActor(c);
    return c.json({ items: await listChannels(c.var.deps, c.req.valid('param').unitId) }, 200);
  });

  app.openapi(deleteChannel, async (c) => {
    const actor = adminActor(c);
    return c.json(await disableChannel(c.var.deps, c.req.valid('param').id, actor), 200);
  });

  app.openapi(putChannelMention, async (c) => {
    const actor = adminActor(c);
    return c.json(await setChannelMention(c.var.deps, c.req.valid('param').id, c.req.valid('json'), actor), 200);
  });

  app.openapi(getOutbox, async (c) => {
    adminActor(c);
    const q = c.req.valid('query');
    return c.json({ items: await listOutbox(c.var.deps, { status: q.status, ...(q.limit ? { limit: q.limit } : {}) }) }, 200);
  });

  app.openapi(postOutboxRetry, async (c) => {
    const actor = adminActor(c);
    return c.json(await retryOutbox(c.var.deps, c.req.valid('param').id, actor), 200);
  });
}
