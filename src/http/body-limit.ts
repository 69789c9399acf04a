/**
 * Body limits as middleware: Content-Length is checked before the body is read, a chunked body as it streams,
 * so a request past its limit is refused (413 payload-too-large) without being buffered whole.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../deps.js';
import { Problem } from '../lib/problem.js';
import { problemResponse } from './problem.js';

/** The pages' limits (src/web/index.tsx): a form, and a reply or defence draft with its attachments. */
export const PAGE_FORM_LIMIT_BYTES = 64 * 1024;
export const PAGE_UPLOAD_LIMIT_BYTES = 8 * 1024 * 1024;

const isPage = (path: string) => path === '/web' || path.startsWith('/web/');
/** Paths with a limit of their own: intake (attachments, deliveryBodyLimit) and the pages (their forms). */
const ownLimit = (path: string) => path === '/v1/deliveries' || isPage(path);

/**
 * The most a request to `path` (not a delivery) may send: what its body is held against in the budget of request
 * bodies (src/http/admission.ts bodyAdmission) when it does not say its length.
 */
export const bodyLimitOf =
  (jsonLimit: number) =>
  (path: string): number =>
    isPage(path) ? PAGE_UPLOAD_LIMIT_BYTES : jsonLimit;

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
