import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { DocsPage } from './page.js';
import { PAGE_SECURITY_HEADERS } from '../../lib/security-headers.js';

export function mountDocs(app: OpenAPIHono<AppEnv>, doc: () => unknown) {
  let cached: string | undefined;
  app.get('/docs', (c) => {
    cached ??= String(<DocsPage doc={doc() as Record<string, unknown>} />);
    for (const [k, v] of Object.entries(PAGE_SECURITY_HEADERS)) c.header(k, v);
    return c.html(`<!doctype html>${cached}`);
  });
}
