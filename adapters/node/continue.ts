/**
 * `Expect: 100-continue` (RFC 9110 §10.1.1) answered when the gateway reads the body, not on the headers (issue 20:
 * a refusal is decided before the body is read, so the body of a refused request should not cross the network at
 * all). A client that sends this header (curl does for bodies over 1 MiB; Java's HttpClient with expectContinue, .NET's
 * HttpClient where the caller asks for it) sends its headers and waits for `100 Continue` before the body. Node answers
 * 100 Continue itself, at once, when no one listens for 'checkContinue': so a court curl-posting 50 MB to a gateway
 * past its body limit or admission sent all 50 MB, which the gateway then read and dropped (adapters/node/linger.ts),
 * only to read a 413 or 503 it could have had before the first byte.
 *
 * Here the request goes to the app as any other, and `100 Continue` is written the moment something first asks the
 * request for its body (IncomingMessage#_read: Hono's body stream when the route parses it), provided no answer has
 * been written by then. A request answered before its body was asked for (a refusal: 413 past the body limit, 429 or
 * 503 past admission, 401, 503 while shutting down) gets that answer and no `100 Continue`, with `Connection: close`:
 * the client has not sent the body the request announced, so the connection cannot carry another request. A client
 * that sends its body without waiting (allowed: it may give up waiting) is read as usual.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** What of Node's IncomingMessage this touches: the hook a Readable calls when its consumer wants data. */
interface ReadableRequest extends IncomingMessage {
  _read(size: number): void;
}

export function continueWhenRead(server: Server): void {
  server.on('checkContinue', (incoming: IncomingMessage, res: ServerResponse) => {
    const req = incoming as ReadableRequest;
    let continued = false;
    const read = req._read;
    req._read = function (this: ReadableRequest, size: number) {
      // Never after an answer: a refused request's unread body is drained once the answer is written.
      if (!continued && !res.headersSent) {
        continued = true;
        res.writeContinue();
      }
      return read.call(this, size);
    };
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
      // Answered before the body was asked for: the client holds its body back, so this connection ends here.
      if (!continued && !req.complete) this.setHeader('connection', 'close');
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
    server.emit('request', req, res);
  });
}
