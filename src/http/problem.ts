/**
 * Problems as HTTP answers (RFC 9457): the one place where a failure becomes a problem and a problem becomes a
 * response. The error type itself (Problem, its slugs and statuses) lives in src/lib/problem.ts, below the
 * services that throw it; this is the HTTP side, used by app.onError, the pages and the Workers entry.
 */
import { HTTPException } from 'hono/http-exception';
import { InvalidInput, Problem, PROBLEM_CONTENT_TYPE } from '../lib/problem.js';

export function problemResponse(problem: Problem, instance?: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem.toJSON(instance)), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

/**
 * The one place where a failure becomes a problem (app.onError and the pages' error handler both call it):
 * a Problem as it is; a parse or validation failure (InvalidInput, hono's HTTPException for a body that is not
 * JSON, a Content-Type the operation does not take, a body too large) as the 4xx it is. undefined = a bug (500).
 */
export function toProblem(err: unknown, req?: { contentType?: string | undefined }): Problem | undefined {
  if (err instanceof Problem) return err;
  if (err instanceof InvalidInput) return new Problem('bad-request', err.message);
  // hono's HTTPException: thrown by its validator, its body limit and zod-openapi's media-type gate.
  if (!(err instanceof HTTPException) || err.status >= 500) return undefined;
  const status = err.status;
  const message = err.message;
  if (status === 415) {
    return new Problem(
      'unsupported-media-type',
      `Content-Type "${req?.contentType || '(none)'}" is not accepted by this operation; send the media type its request body names in /openapi.json (application/json for JSON endpoints)`,
    );
  }
  if (status === 413) return new Problem('payload-too-large', message || 'the request body exceeds the limit of this endpoint');
  if (status === 401) return new Problem('unauthorized', message || 'authentication required');
  if (status === 403) return new Problem('forbidden', message || 'not allowed');
  if (status === 404) return new Problem('not-found', message || 'not found');
  if (/malformed json/i.test(message))
    return new Problem('bad-request', 'the request body is not valid JSON (RFC 8259); send a JSON object with Content-Type: application/json');
  return new Problem('bad-request', message || 'malformed request');
}

/** Headers a problem carries besides its body: Retry-After for a 429. */
export function problemHeaders(problem: Problem): Record<string, string> {
  const retry = problem.extra.retryAfterSeconds;
  return typeof retry === 'number' ? { 'Retry-After': String(Math.max(1, Math.ceil(retry))) } : {};
}
