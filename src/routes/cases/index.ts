import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { principalOf } from '../../lib/auth.js';
import { caseTimeline, recordStep } from '../../services/steps.js';
import { getTimeline, postStep } from './cases.routes.js';

/** Mounted after mountRouting, which authenticates every /v1/cases/* request. */
export function mountCases(app: OpenAPIHono<AppEnv>) {
  app.openapi(postStep, async (c) => {
    const { id, kind } = c.req.valid('param');
    return c.json(await recordStep(c.var.deps, principalOf(c), id, kind, c.req.valid('json')), 201);
  });
  app.openapi(getTimeline, async (c) => c.json((await caseTimeline(c.var.deps, principalOf(c), c.req.valid('param').id)) as never, 200));
}
