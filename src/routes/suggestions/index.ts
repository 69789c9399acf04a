import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { acknowledgeReply, approveReply, assignSuggestion, listSuggestions, reviewDraft, submitDraft, suggestionView } from '../../services/suggestions.js';
import { ackRoute, approveRoute, assignRoute, draftRoute, getRoute, listRoute, reviewRoute } from './suggestions.routes.js';

export function mountSuggestions(app: OpenAPIHono<AppEnv>) {
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const items = await listSuggestions(c.var.deps, c.var.principal, {
      ...(q.sender ? { sender: q.sender } : {}),
      ...(q.unit ? { unit: q.unit } : {}),
      ...(q.status ? { status: q.status } : {}),
      overdue: q.overdue === 'true',
      ...(q.limit ? { limit: q.limit } : {}),
    });
    return c.json({ items }, 200);
  });
  app.openapi(getRoute, async (c) => c.json(await suggestionView(c.var.deps, c.var.principal, c.req.valid('param').id), 200));
  app.openapi(assignRoute, async (c) => c.json(await assignSuggestion(c.var.deps, c.var.principal, c.req.valid('param').id, c.req.valid('json')), 200));
  app.openapi(draftRoute, async (c) => c.json(await submitDraft(c.var.deps, c.var.principal, c.req.valid('param').id, c.req.valid('json')), 201));
  app.openapi(reviewRoute, async (c) => c.json(await reviewDraft(c.var.deps, c.var.principal, c.req.valid('param').id, c.req.valid('json')), 200));
  app.openapi(approveRoute, async (c) => c.json(await approveReply(c.var.deps, c.var.principal, c.req.valid('param').id, c.req.valid('json')), 200));
  app.openapi(ackRoute, async (c) => c.json(await acknowledgeReply(c.var.deps, c.var.principal, c.req.valid('param').id), 200));
}
