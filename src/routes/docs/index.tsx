/**
 * /docs: the API reference rendered by Scalar (@scalar/hono-api-reference) from /openapi.json, whose tags put the
 * court-facing operations first (src/lib/openapi.ts). The page loads Scalar's script from its CDN.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { AppEnv } from '../../deps.js';

export function mountDocs(app: OpenAPIHono<AppEnv>) {
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
