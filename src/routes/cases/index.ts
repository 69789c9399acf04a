import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { sendBlob } from '../../http/downloads.js';
import { caseTimeline, recordStep, stepAttachment } from '../../services/steps.js';
import { getStepAttachment, getTimeline, postStep } from './cases.routes.js';

export function mountCases(app: OpenAPIHono<AppEnv>) {
  app.openapi(postStep, async (c) => {
    const { id, kind } = c.req.valid('param');
    return c.json(await recordStep(c.var.deps, c.var.principal, id, kind, c.req.valid('json')), 201);
  });
  app.openapi(getStepAttachment, async (c) => {
    const { id, stepId, sha256 } = c.req.valid('param');
    return sendBlob(c, (read) => stepAttachment(c.var.deps, c.var.principal, id, stepId, sha256, read));
  });
  app.openapi(getTimeline, async (c) => c.json(await caseTimeline(c.var.deps, c.var.principal, c.req.valid('param').id), 200));
}
