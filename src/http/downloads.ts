/**
 * Sending an attachment's bytes (issue 20: memory stays bounded under any offered load). The blob store hands the
 * bytes over whole (an SQL blob is read in one piece), and they stay in memory until the client has read them: the
 * answer is written no faster than the client reads. Measured against `npm start` (a 40 MB attachment; clients that
 * asked for it and read nothing): 30 of them took the process from 402 MB to 1.48 GB, 60 past 1.96 GB and growing.
 *
 * So every download takes a place in a budget of bytes being sent (src/http/admission.ts downloadPlace: 256 MiB in
 * all, half per source address, by default) before its bytes are loaded, and gives it back once the last of them is
 * handed to the connection, or the client is gone. Past the budget the answer is 503 `overloaded`, past the address's
 * share 429 `too-many-in-progress`, both with Retry-After, and nothing was sent (a unit's retrieval is not recorded).
 * The bytes go out as a stream of 64 KiB views of them, pulled as the connection drains, so the end of the stream is
 * the end of the download. A download still unsent when its deadline passes (the upload deadline's rule, with the
 * size known: `uploadGraceSeconds` plus a second per `uploadMinBytesPerSecond` bytes) is cut, so a client that never
 * reads cannot hold its place for ever; an answer dropped unread (replaced after the handler by an error's) gives
 * its place back then too.
 *
 * Time here is the event loop's (real time), as for the upload deadline: it bounds how long memory is held.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../deps.js';
import { hexToBase64 } from '../lib/encoding.js';
import { downloadPlace } from './admission.js';
import type { AttachmentRead } from '../services/filings.js';
import { DEFAULT_UPLOAD_GRACE_SECONDS, DEFAULT_UPLOAD_MIN_BYTES_PER_SECOND } from './upload-deadline.js';

/** What a download's answer is cut into: the connection takes one view at a time, as it drains. */
const CHUNK = 64 * 1024;

/** An attachment as its answer names it. */
export interface BlobMeta {
  filename: string;
  mediaType: string;
  sha256: string;
}

/** The headers of an attachment's answer: its type, length, a download file name, and its SHA-256 (RFC 9530). */
const blobHeaders = (meta: BlobMeta, length: number): Record<string, string> => ({
  'content-type': meta.mediaType,
  'content-length': String(length),
  'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(meta.filename)}`,
  'repr-digest': `sha-256=:${hexToBase64(meta.sha256)}:`,
  'x-content-sha256': meta.sha256,
});

type Timer = ReturnType<typeof setTimeout>;

/** `bytes` as a pulled stream of views; `done` once the last view is taken, the stream cancelled or cut at `deadlineMs`. */
function heldStream(bytes: Uint8Array, deadlineMs: number, done: () => void): ReadableStream<Uint8Array> {
  let at = 0;
  let finished = false;
  let cut: Timer | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(cut);
    done();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        cut = setTimeout(() => {
          finish();
          controller.error(new Error(`download not taken within ${Math.round(deadlineMs / 1000)} s`));
        }, deadlineMs);
        (cut as { unref?: () => void }).unref?.();
      },
      pull(controller) {
        const end = Math.min(bytes.length, at + CHUNK);
        if (end > at) controller.enqueue(bytes.subarray(at, end));
        at = end;
        if (at >= bytes.length) {
          finish();
          controller.close();
        }
      },
      cancel: finish,
    },
    { highWaterMark: 0 },
  );
}

/**
 * Answer with an attachment: `load(read)` finds it and, unless asked for head only (a HEAD request: the headers,
 * nothing loaded nor held, as Hono drops a HEAD body unread), calls `read.admit(size)` before it loads the bytes (the
 * place in the budget, or the refusal thrown) and returns them.
 */
export async function sendBlob<E extends AppEnv>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route's path and input
  c: Context<E, any, any>,
  load: (read: AttachmentRead) => Promise<{ meta: BlobMeta & { size: number }; bytes: Uint8Array | null }>,
): Promise<Response> {
  let release: (() => void) | undefined;
  const read: AttachmentRead = {
    headOnly: c.req.method === 'HEAD',
    admit: (size) => {
      release?.();
      release = downloadPlace(c, size);
    },
  };
  let got: Awaited<ReturnType<typeof load>>;
  try {
    got = await load(read);
  } catch (e) {
    release?.();
    throw e;
  }
  if (!got.bytes) return c.body(null, 200, blobHeaders(got.meta, got.meta.size));
  const cfg = c.var.deps.config;
  const deadlineMs =
    ((cfg.uploadGraceSeconds ?? DEFAULT_UPLOAD_GRACE_SECONDS) + got.bytes.length / (cfg.uploadMinBytesPerSecond ?? DEFAULT_UPLOAD_MIN_BYTES_PER_SECOND)) * 1000;
  return c.body(heldStream(got.bytes, deadlineMs, release ?? (() => undefined)), 200, blobHeaders(got.meta, got.bytes.length));
}
