import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { sendBlob } from '../../http/downloads.js';
import { attachmentBytes, confirmFiling, getFiling, listFilings } from '../../services/filings.js';
import { listEvidence } from '../../services/evidence.js';
import { confirmRoute, getAttachmentRoute, getFilingRoute, listEvidenceRoute, listFilingsRoute } from './filings.routes.js';

export function mountFilings(app: OpenAPIHono<AppEnv>) {
  app.openapi(listFilingsRoute, async (c) => c.json(await listFilings(c.var.deps, c.var.principal, c.req.valid('query')), 200));
  app.openapi(getFilingRoute, async (c) => c.json(await getFiling(c.var.deps, c.var.principal, c.req.valid('param').id), 200));
  app.openapi(getAttachmentRoute, async (c) => {
    const { id, attachmentId } = c.req.valid('param');
    return sendBlob(c, (read) => attachmentBytes(c.var.deps, c.var.principal, id, attachmentId, read));
  });
  app.openapi(confirmRoute, async (c) => {
    const r = await confirmFiling(c.var.deps, c.var.principal, c.req.valid('param').id);
    return c.json({ evidenceId: r.evidenceId, jws: r.jws }, r.status);
  });
  app.openapi(listEvidenceRoute, async (c) => {
    const p = c.var.principal;
    // Only the court or procuratorate it is for, never an administrator (the route's guardOnly).
    const q = c.req.valid('query');
    return c.json(await listEvidence(c.var.deps, p.scope, q.since, q.limit), 200);
  });
}
