/** Notification channels and the outbox, for administrators (each route declares guard('admin')). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { disableChannel, listChannels, listOutbox, registerChannel, retryOutbox, setChannelMention } from '../../services/notifications.js';
import { deleteChannel, getChannels, getOutbox, postChannel, postOutboxRetry, putChannelMention } from './notifications.routes.js';

export function mountNotifications(app: OpenAPIHono<AppEnv>) {
  app.openapi(postChannel, async (c) => {
    const actor = c.var.actor;
    const { unitId } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(
      await registerChannel(c.var.deps, { unitId, kind: body.kind, url: body.url, secret: body.secret ?? null, mention: body.mention ?? null }, actor),
      201,
    );
  });

  app.openapi(getChannels, async (c) => {
    return c.json({ items: await listChannels(c.var.deps, c.req.valid('param').unitId) }, 200);
  });

  app.openapi(deleteChannel, async (c) => {
    const actor = c.var.actor;
    return c.json(await disableChannel(c.var.deps, c.req.valid('param').id, actor), 200);
  });

  app.openapi(putChannelMention, async (c) => {
    const actor = c.var.actor;
    return c.json(await setChannelMention(c.var.deps, c.req.valid('param').id, c.req.valid('json'), actor), 200);
  });

  app.openapi(getOutbox, async (c) => {
    const q = c.req.valid('query');
    return c.json({ items: await listOutbox(c.var.deps, { status: q.status, ...(q.limit ? { limit: q.limit } : {}) }) }, 200);
  });

  app.openapi(postOutboxRetry, async (c) => {
    const actor = c.var.actor;
    return c.json(await retryOutbox(c.var.deps, c.req.valid('param').id, actor), 200);
  });
}
