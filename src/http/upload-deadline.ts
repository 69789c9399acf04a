/**
 * A deadline for every request's body (issue 20), so that a slow or stalled upload cannot keep an admission slot
 * (src/http/admission.ts) for long, nor a connection and what it has buffered. Without one, a client that sent the
 * headers of 64 deliveries and then a byte now and then held every slot until Node's own request timeout (300 s):
 * every court was answered 503 `overloaded` meanwhile, and could be again as soon as the client opened 64 more.
 *
 * The rule is that of Apache's mod_reqtimeout (`body=…,MinRate=…`): the body has `graceSeconds` to arrive, and
 * every `minBytesPerSecond` bytes that do arrive add a second. A court that uploads at the minimum rate or faster is
 * never cut, however large its delivery (up to the body limit: on Node, the server's own request timeout is set to
 * cover that too, adapters/node/startup.ts nodeRequestTimeoutMs); one that stalls is answered 408 `request-timeout` problem+json once its
 * deadline passes, the connection is closed, and its slot is free again. Nothing of it was stored: its body was
 * never complete, and what arrived is dropped.
 *
 * Time here is the event loop's (real time), not deps.clock: it bounds how long a connection is held, and is not a
 * fact of the request. Runtime-neutral: on Workers the same wrapper runs (the platform buffers slow clients too).
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.js';
import { Problem } from '../lib/problem.js';
import { problemResponse } from './problem.js';

/** Defaults: half a minute to begin, and at least 16 KiB/s (128 kbit/s) after it. */
export const DEFAULT_UPLOAD_GRACE_SECONDS = 30;
export const DEFAULT_UPLOAD_MIN_BYTES_PER_SECOND = 16 * 1024;

/** The longest a body of `maxBytes` may take at the minimum rate (ms): what a runtime's own request timeout must allow. */
export const uploadDeadlineMs = (
  maxBytes: number,
  graceSeconds = DEFAULT_UPLOAD_GRACE_SECONDS,
  minBytesPerSecond = DEFAULT_UPLOAD_MIN_BYTES_PER_SECOND,
): number => (graceSeconds + maxBytes / minBytesPerSecond) * 1000;

type Timer = ReturnType<typeof setTimeout>;
/** A timer that does not keep a Node process alive by itself (Workers' timers have no unref). */
const unref = (t: Timer): Timer => {
  (t as { unref?: () => void }).unref?.();
  return t;
};

export function uploadDeadline(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const config = c.var.deps.config;
    const graceSeconds = config.uploadGraceSeconds ?? DEFAULT_UPLOAD_GRACE_SECONDS;
    const minRate = config.uploadMinBytesPerSecond ?? DEFAULT_UPLOAD_MIN_BYTES_PER_SECOND;
    const started = Date.now();
    let received = 0;
    let expired = false;
    let timer: Timer | undefined;
    let fail: (() => void) | undefined;
    /** Look again when the deadline as it stands now has passed: by then more bytes may have moved it on. */
    const check = () => {
      const left = started + uploadDeadlineMs(received, graceSeconds, minRate) - Date.now();
      if (left > 0) {
        timer = unref(setTimeout(check, left + 1));
        return;
      }
      expired = true;
      fail?.();
    };
    const reader = body.getReader();
    const stop = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    c.req.raw = new Request(c.req.raw, {
      body: new ReadableStream<Uint8Array>(
        {
          start(ctrl) {
            fail = () => {
              // Whoever reads the body (the envelope parser, a JSON or form parser) fails at once; the rest is not
              // waited for.
              ctrl.error(new Problem('request-timeout', 'the body did not arrive in time'));
              void reader.cancel().catch(() => undefined);
            };
            check();
          },
          async pull(ctrl) {
            let chunk: ReadableStreamReadResult<Uint8Array>;
            try {
              chunk = await reader.read();
            } catch (e) {
              stop();
              if (!expired) ctrl.error(e);
              return;
            }
            if (expired) return; // already errored
            if (chunk.done) {
              stop();
              ctrl.close();
              return;
            }
            received += chunk.value.byteLength;
            ctrl.enqueue(chunk.value);
          },
          cancel(reason) {
            stop();
            return reader.cancel(reason);
          },
        },
        // Pulled only when its reader asks: nothing of the body is read before the handler reads it (admission
        // refuses a delivery without reading any of it).
        { highWaterMark: 0 },
      ),
      duplex: 'half',
    } as RequestInit);
    try {
      await next();
    } finally {
      stop();
    }
    // Whatever the reader made of its cut body (the envelope parsers pass the stream's error on; another may wrap it
    // in a 400), the caller is told why.
    if (expired)
      c.res = problemResponse(
        new Problem(
          'request-timeout',
          `the body did not arrive in time: a request has ${graceSeconds} s for its body, and one more second for every ${minRate} bytes received (${received} bytes of it arrived); nothing of it was stored: send it again`,
        ),
        c.var.requestId,
        { connection: 'close', 'X-Request-Id': c.var.requestId },
      );
  };
}
