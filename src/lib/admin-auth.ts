/** Administration endpoints: an authenticated caller with the admin role (an OAuth client, or the bootstrap ADMIN_TOKEN). */
import { createMiddleware } from 'hono/factory';
import { authenticate, type AuthEnv } from './auth.js';
import { Problem } from './problem.js';

export const requireAdmin = createMiddleware<AuthEnv>(async (c, next) =>
  authenticate(c, async () => {
    if (c.var.principal.role !== 'admin') throw new Problem('forbidden', 'this needs the admin role');
    await next();
  }),
);
