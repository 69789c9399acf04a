/**
 * app.onError and app.notFound: every failure of the API leaves as application/problem+json (RFC 9457) with the
 * request id; a storage fault as its 503 with Retry-After; anything else is a bug, answered 500 without detail
 * and logged with its stack.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { AppEnv, Deps } from '../deps.js';
import { Problem } from '../lib/problem.js';
import { faultProblem, noteStorageFault, storageFaultOf } from '../lib/faults.js';
import { problemHeaders, problemResponse, toProblem } from './problem.js';

export function renderError(deps: Deps): ErrorHandler<AppEnv> {
  return (err, c: Context<AppEnv>) => {
    const rid = c.var.requestId;
    const headers: Record<string, string> = rid ? { 'X-Request-Id': rid } : {};
    const problem = toProblem(err, { contentType: c.req.header('content-type') });
    if (problem) return problemResponse(problem, rid, { ...headers, ...problemHeaders(problem) });
    const fault = storageFaultOf(err);
    if (fault) {
      noteStorageFault(deps, fault);
      deps.log.log('error', 'storage fault', { requestId: rid, fault: fault.slug, error: String(err) });
      return problemResponse(faultProblem(fault), rid, { ...headers, 'Retry-After': String(fault.retryAfterSeconds) });
    }
    deps.log.log('error', 'unhandled', { requestId: rid, error: String(err), stack: (err as Error)?.stack });
    return new Response(
      JSON.stringify({
        type: 'about:blank',
        title: '内部错误 (Internal error)',
        status: 500,
        detail: 'an internal error occurred; quote the request id',
        instance: rid,
      }),
      {
        status: 500,
        headers: { 'content-type': 'application/problem+json', ...headers },
      },
    );
  };
}

export const renderNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(new Problem('not-found', `no route for ${c.req.method} ${c.req.path}`), c.var.requestId);
