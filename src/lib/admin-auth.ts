/**
 * Interim guard for administration and justice-bureau endpoints: `Authorization: Bearer <ADMIN_TOKEN>` and
 * an `X-Actor` header naming the person acting (recorded in the audit log). Per-client credentials and roles
 * (OAuth client credentials) replace this in issue 5.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../deps.js';
import { sha256Hex } from './encoding.js';
import { Problem } from './problem.js';

export const requireAdmin = createMiddleware<AppEnv & { Variables: { actor: string } }>(async (c, next) => {
  const expected = c.var.deps.config.adminToken;
  if (!expected) throw new Problem('forbidden', 'the administration API is disabled on this gateway: set ADMIN_TOKEN to enable it');
  const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!given) throw new Problem('unauthorized', 'send Authorization: Bearer <ADMIN_TOKEN>');
  // Compare digests, not the strings, so the comparison time does not depend on the token's prefix.
  if ((await sha256Hex(given)) !== (await sha256Hex(expected))) throw new Problem('unauthorized', 'the bearer token is not valid');
  const actor = decodeURIComponent(c.req.header('x-actor') ?? '').trim();
  if (!actor) throw new Problem('bad-request', 'send X-Actor: the name of the person acting (URI-encoded), for the audit log');
  c.set('actor', actor.slice(0, 100));
  await next();
});
