import { bodyLimit } from 'hono/body-limit';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { Problem, problemResponse } from '../../lib/problem.js';
import { admission } from '../../lib/admission.js';
import { postDelivery } from './deliveries.routes.js';
import { handlePostDelivery } from './deliveries.handlers.js';

export function mountDeliveries(app: OpenAPIHono<AppEnv>, maxBytes: number) {
  app.openAPIRegistry.registerPath(postDelivery);
  app.post(
    '/v1/deliveries',
    // Before anything of the body is read: the bound on deliveries in flight and bytes buffered (503 past it).
    admission(),
    // Refused before the body is buffered whole: Content-Length is checked first, a chunked body as it streams.
    bodyLimit({
      maxSize: maxBytes,
      // The rest of the body is never read, so the connection is closed rather than reused.
      onError: (c) =>
        problemResponse(
          new Problem('payload-too-large', `the body exceeds this gateway's limit of ${maxBytes} bytes; send large attachments as multipart parts or split the message`),
          c.var.requestId,
          { connection: 'close', 'X-Request-Id': c.var.requestId },
        ),
    }),
    handlePostDelivery,
  );
}
