/**
 * Node's HTTP parser answers some requests before the app sees them: a request it cannot parse (400), headers
 * too large (431), an Expect header other than 100-continue (417), a request that took too long (408). Without
 * this, Node writes a bare status line; with it, every one of those answers is application/problem+json like
 * every other refusal of the gateway (src/lib/problem.ts), and the connection is closed.
 */
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Problem, PROBLEM_CONTENT_TYPE, type ProblemSlug } from '../../src/lib/problem.js';
import { problemHeaders } from '../../src/http/problem.js';

interface FramingAnswer {
  reason: string;
  slug: ProblemSlug;
  detail: string;
}

/** What a parser error means for the caller. */
export function framingAnswer(err: NodeJS.ErrnoException): FramingAnswer {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        reason: 'Request Header Fields Too Large',
        slug: 'headers-too-large',
        detail: 'the request headers are larger than this server accepts (16 KiB); send fewer or shorter headers',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT' as string:
      return { reason: 'Request Timeout', slug: 'request-timeout', detail: 'the request did not arrive in time' };
    default:
      return { reason: 'Bad Request', slug: 'bad-request', detail: `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'})` };
  }
}

const problemBody = (slug: ProblemSlug, detail: string): string => JSON.stringify(new Problem(slug, detail).toJSON());

/**
 * A whole HTTP/1.1 answer, problem+json, written on a socket below Node's HTTP server (no request of it to answer
 * through): status line, the problem's headers (Retry-After where it has one), `Connection: close`, the body.
 */
export function rawProblemResponse(problem: Problem, reason: string): string {
  const body = JSON.stringify(problem.toJSON());
  const headers = Object.entries(problemHeaders(problem))
    .map(([name, value]) => `${name.toLowerCase()}: ${value}\r\n`)
    .join('');
  return `HTTP/1.1 ${problem.status} ${reason}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}connection: close\r\n\r\n${body}`;
}

/** The raw answer on a socket whose request could not be parsed. */
export function framingResponse(err: NodeJS.ErrnoException): string {
  const a = framingAnswer(err);
  return rawProblemResponse(new Problem(a.slug, a.detail), a.reason);
}

/** Install on a Node HTTP server (what @hono/node-server's serve returns). */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // ECONNRESET and the like: the client is gone, nothing to answer.
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    socket.end(framingResponse(err));
  });
  // An Expect header other than "100-continue" (RFC 9110 §10.1.1): 417, as Node would, but as a problem.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = problemBody('expectation-failed', `Expect: ${String(req.headers.expect).slice(0, 60)} is not supported; only 100-continue is`);
    res.writeHead(417, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  });
}
