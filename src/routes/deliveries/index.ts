import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { deliveryBodyLimit } from '../../http/body-limit.js';
import { postDelivery } from './deliveries.routes.js';
import { handlePostDelivery } from './deliveries.handlers.js';

export function mountDeliveries(app: OpenAPIHono<AppEnv>, maxBytes: number) {
  app.openAPIRegistry.registerPath(postDelivery);
  app.post(
    '/v1/deliveries',
    // Admitted already, before anything of the body was read (the bound on deliveries in flight and bytes
    // buffered, 503 past it): src/app.ts.
    // Refused before the body is buffered whole: Content-Length is checked first, a chunked body as it streams.
    deliveryBodyLimit(maxBytes),
    handlePostDelivery,
  );
}
