/**
 * The audit log as a transparency log (RFC 9162, in the manner of Certificate Transparency): its signed tree head,
 * inclusion proofs of a record and consistency proofs between two tree sizes. Public, like the JWKS: a court
 * holding one receipt checks, with these and /.well-known/jwks.json alone, that its delivery is in today's log
 * and that today's log extends the one its receipt committed to. Proofs carry hashes only, never content.
 * Format and a worked example: schemas/wire/audit-proofs.md.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { latestTreeHead, proveConsistency, proveInclusion } from '../../services/audit.js';
import { Problem } from '../../lib/problem.js';
import { consistency, inclusion, treeHead } from './audit.routes.js';

export function mountAudit(app: OpenAPIHono<AppEnv>) {
  app.openapi(treeHead, async (c) => {
    const h = await latestTreeHead(c.var.deps);
    if (!h) throw new Problem('not-found', 'the audit log is empty: no tree head has been signed yet');
    return c.json(h, 200);
  });
  app.openapi(inclusion, async (c) => {
    const q = c.req.valid('query');
    return c.json(await proveInclusion(c.var.deps, q.seq, q.treeSize), 200);
  });
  app.openapi(consistency, async (c) => {
    const q = c.req.valid('query');
    return c.json(await proveConsistency(c.var.deps, q.first, q.second), 200);
  });
}
