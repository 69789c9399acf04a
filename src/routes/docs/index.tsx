import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { DocsPage } from './page.js';

export function mountDocs(app: OpenAPIHono<AppEnv>, doc: () => unknown) {
  let cached: string | undefined;
  app.get('/docs', (c) => {
    cached ??= String(<DocsPage doc={doc() as Record<string, unknown>} />);
    return c.html(`<!doctype html>${cached}`);
  });
}
