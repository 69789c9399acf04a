/**
 * Body limits as middleware: Content-Length is checked before the body is read, a chunked body as it streams,
 * so a request past its limit is refused (413 payload-too-large) without being buffered whole.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../deps.js';
import { Problem } from '../lib/problem.js';
import { problemResponse } from './problem.js';

/** Paths with a limit of their own: intake (attachments, deliveryBodyLimit) and the pages (their forms). */
const ownLimit = (path: string) => path === '/v1/deliveries' || path === '/web' || path.startsWith('/web/');

/** Every endpoint but intake and the pages reads at most `maxBytes`. */
export function apiBodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new Problem('payload-too-large', `the body exceeds this endpoint's limit of ${maxBytes} bytes`);
    },
  });
  return async (c, next) => (ownLimit(c.req.path) ? next() : limit(c, next));
}

/** POST /v1/deliveries: the rest of the body is never read, so the connection is closed rather than reused. */
export function deliveryBodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      problemResponse(
        new Problem(
          'payload-too-large',
          `the body exceeds this gateway's limit of ${maxBytes} bytes; send large attachments as multipart parts or split the message`,
        ),
        c.var.requestId,
        { connection: 'close', 'X-Request-Id': c.var.requestId },
      ),
  });
}
