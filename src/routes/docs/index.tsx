/**
 * /docs: the API reference rendered by Scalar (@scalar/hono-api-reference) from /openapi.json, whose tags put the
 * court-facing operations first (src/http/openapi.ts). Scalar's browser bundle is served by the gateway itself, at
 * /docs/scalar.<digest>.js, from the module scripts/vendor-scalar.mjs writes out of the npm package
 * @scalar/api-reference: the same module on Node and in the Worker (wrangler bundles it), so /docs works on a
 * network that reaches nothing outside, and the page loads nothing from elsewhere (no CDN, no web fonts).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { AppEnv } from '../../deps.js';
import { PAGE_SECURITY_HEADERS } from '../../http/security-headers.js';
import { SCALAR_SHA256, SCALAR_STANDALONE_JS } from '../../generated/scalar-standalone.js';

/**
 * The page's headers, with a policy that lets Scalar run: its script from this origin (and the inline
 * configuration script it writes), its styles inline, /openapi.json from this origin; nothing from elsewhere,
 * no framing, no sniffing, no caching.
 */
const DOCS_HEADERS: Record<string, string> = {
  ...PAGE_SECURITY_HEADERS,
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
};

/** The bundle's address: named by its digest, so a browser may keep it for a year and never runs a stale one. */
export const SCALAR_SCRIPT_PATH = `/docs/scalar.${SCALAR_SHA256.slice(0, 16)}.js`;

export function mountDocs(app: OpenAPIHono<AppEnv>) {
  app.use('/docs', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(DOCS_HEADERS)) c.res.headers.set(k, v);
  });

  app.get(SCALAR_SCRIPT_PATH, (c) =>
    c.body(SCALAR_STANDALONE_JS, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    }),
  );

  app.get(
    '/docs',
    Scalar({
      url: '/openapi.json',
      cdn: SCALAR_SCRIPT_PATH,
      pageTitle: '府院通 Fuyuan · API 参考',
      layout: 'modern',
      hideClientButton: false,
      defaultOpenAllTags: false,
      // No fonts from fonts.scalar.com: the system's fonts, as on a closed network.
      withDefaultFonts: false,
      metaData: { title: '府院通 Fuyuan · API 参考', description: '政府与法院之间的行政应诉数据交换网关 API' },
    }),
  );
}
