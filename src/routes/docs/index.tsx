/**
 * /docs: the API reference rendered by Scalar (@scalar/hono-api-reference) from /openapi.json, whose tags put the
 * court-facing operations first (src/http/openapi.ts). The page loads Scalar's script from its CDN.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { AppEnv } from '../../deps.js';
import { PAGE_SECURITY_HEADERS } from '../../http/security-headers.js';

/**
 * The pages' headers, with a policy that lets Scalar run: its script and styles from its CDN (and the inline
 * configuration script it writes), /openapi.json from this origin; no framing, no sniffing, no caching.
 */
const DOCS_HEADERS: Record<string, string> = {
  ...PAGE_SECURITY_HEADERS,
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; font-src 'self' data: https://cdn.jsdelivr.net https://fonts.scalar.com; img-src 'self' data: https:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
};

export function mountDocs(app: OpenAPIHono<AppEnv>) {
  app.use('/docs', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(DOCS_HEADERS)) c.res.headers.set(k, v);
  });
  app.get(
    '/docs',
    Scalar({
      url: '/openapi.json',
      pageTitle: '府院通 Fuyuan · API 参考',
      layout: 'modern',
      hideClientButton: false,
      defaultOpenAllTags: false,
      metaData: { title: '府院通 Fuyuan · API 参考', description: '政府与法院之间的行政应诉数据交换网关 API' },
    }),
  );
}
