/**
 * multipart/form-data deliveries, for every envelope format: part `envelope` holds the envelope (a compact
 * JWS, or an XML envelope), every other part is an attachment named by its id. The envelope part's own
 * Content-Type decides the format (application/jose, application/xml); without one that a format claims,
 * its first non-space character does (`<` → XML, a base64url character → JWS).
 *
 * Send an XML envelope that is not UTF-8 (GBK, GB18030) as a file part (with a filename), so that its bytes
 * arrive untouched: a plain form field is text and is read as UTF-8.
 */
import type { EnvelopeFormat } from '../../src/deps.js';
import type { SignedEnvelope } from '../../src/intake/envelope.js';
import { Buffer } from 'node:buffer';
import { Problem } from '../../src/lib/problem.js';
import { MAX_ATTACHMENTS_PER_DOCUMENT, MAX_DOCUMENTS } from '../../schemas/api/manifest.js';

export interface EnvelopePartParser {
  /** Content-Types of the envelope part that name this format. */
  partTypes: string[];
  /** Whether an envelope part of no telling Content-Type is this format, from its first non-space character. */
  sniff(first: string): boolean;
  parsePart(bytes: Uint8Array, parts: Map<string, Uint8Array>, opts: { maxBytes: number }): Promise<SignedEnvelope>;
}

/** An envelope format that can also be the `envelope` part of a multipart delivery. */
export interface MultipartCapable extends EnvelopeFormat {
  multipart: EnvelopePartParser;
}

export interface MultipartDelivery {
  envelope: { bytes: Uint8Array; type: string };
  parts: Map<string, Uint8Array>;
}

const mediaType = (t: string) => (t.split(';')[0] ?? '').trim().toLowerCase();

/**
 * The most parts a delivery can need: its envelope and every attachment a manifest may name. The body is parsed only
 * once it is all in, in one synchronous run (the platform's FormData parser), so its parts are counted as it arrives:
 * measured against `npm start`, one unsigned 32 MB body of 500,000 one-byte parts kept the event loop for about 2 s
 * (`/healthz` waited 1.9 s) and left the process 546 MB; a body past this bound is refused as soon as its parts
 * outnumber it, before anything is parsed.
 */
export const MAX_PARTS = 1 + MAX_DOCUMENTS * MAX_ATTACHMENTS_PER_DOCUMENT;

/** The boundary parameter of a multipart Content-Type (RFC 2046 §5.1.1), maybe quoted. */
function boundaryOf(contentType: string | null): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m?.[1] ?? m?.[2];
}

/**
 * The body as it arrives, its parts counted on the way (each part begins with "--" and the boundary; the last
 * delimiter, "--boundary--", ends the body): once it holds more than `maxParts` parts, `onTooMany` is told, the stream
 * fails and the rest is not read. A stream of its own, pulled by the parser: a TransformStream (pipeThrough) cost
 * 0.1 ms more per 256 KiB delivery on Node, and reading the body whole first and parsing a copy 0.07 ms more.
 */
function countingParts(body: ReadableStream<Uint8Array>, boundary: string, maxParts: number, onTooMany: () => void): ReadableStream<Uint8Array> {
  const delimiter = Buffer.from(`--${boundary}`);
  const keep = delimiter.length - 1;
  const count = (hay: Buffer) => {
    let n = 0;
    for (let at = hay.indexOf(delimiter); at >= 0; at = hay.indexOf(delimiter, at + delimiter.length)) n++;
    return n;
  };
  let seen = 0;
  /** The last bytes so far, too few to hold a delimiter: one may begin there and end in the next chunk. */
  let tail: Buffer = Buffer.alloc(0);
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      // A delimiter across the two chunks, then those within this one.
      if (tail.length) seen += count(Buffer.concat([tail, bytes.subarray(0, keep)]));
      seen += count(bytes);
      // The last delimiter ends the body: parts are the delimiters less one.
      if (seen - 1 > maxParts) {
        onTooMany();
        await reader.cancel().catch(() => undefined);
        return controller.error(new Error('too many parts'));
      }
      tail = bytes.length >= keep ? bytes.subarray(bytes.length - keep) : Buffer.concat([tail, bytes]).subarray(-keep);
      controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

export async function readMultipart(req: Request, maxParts = MAX_PARTS): Promise<MultipartDelivery> {
  const contentType = req.headers.get('content-type');
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Problem('malformed-envelope', 'multipart/form-data needs a boundary parameter in its Content-Type');
  let tooMany = false;
  let form: FormData;
  try {
    const body = req.body && countingParts(req.body, boundary, maxParts, () => (tooMany = true));
    form = await new Response(body, { headers: { 'content-type': contentType! } }).formData();
  } catch {
    if (tooMany) {
      throw new Problem(
        'malformed-envelope',
        `the multipart body has more than ${maxParts} parts: a delivery has its envelope and at most ${MAX_DOCUMENTS} documents of ${MAX_ATTACHMENTS_PER_DOCUMENT} attachments each`,
      );
    }
    throw new Problem('malformed-envelope', 'the multipart body could not be parsed (check the boundary)');
  }
  const env = form.getAll('envelope');
  if (env.length === 0) throw new Problem('malformed-envelope', 'multipart delivery without an "envelope" part (the compact JWS or the XML envelope)');
  if (env.length > 1) throw new Problem('malformed-envelope', 'part "envelope" appears twice');
  const e = env[0]!;
  const envelope =
    typeof e === 'string' ? { bytes: new TextEncoder().encode(e), type: '' } : { bytes: new Uint8Array(await e.arrayBuffer()), type: mediaType(e.type) };
  const parts = new Map<string, Uint8Array>();
  for (const [name, value] of form.entries()) {
    if (name === 'envelope') continue;
    if (parts.has(name)) throw new Problem('malformed-envelope', `part "${name}" appears twice`);
    parts.set(name, typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer()));
  }
  return { envelope, parts };
}

function firstChar(bytes: Uint8Array): string {
  let i = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return i < bytes.length ? String.fromCharCode(bytes[i]!) : '';
}

/** The multipart/form-data format over the given envelope formats. */
export function multipartEnvelope(formats: MultipartCapable[]): EnvelopeFormat {
  const parsers = formats.map((f) => f.multipart);
  return {
    mediaTypes: ['multipart/form-data'],
    async parse(req, opts) {
      const { envelope, parts } = await readMultipart(req);
      const first = firstChar(envelope.bytes);
      const parser = parsers.find((p) => p.partTypes.includes(envelope.type)) ?? parsers.find((p) => p.sniff(first));
      if (!parser) {
        throw new Problem(
          'malformed-envelope',
          `the "envelope" part is none of the accepted envelopes (${formats.flatMap((f) => f.multipart.partTypes).join(', ')})`,
        );
      }
      return parser.parsePart(envelope.bytes, parts, opts);
    },
  };
}

/** The envelope formats of a gateway: each one by its own media type, and all of them inside multipart/form-data. */
export const withMultipart = (...formats: MultipartCapable[]): EnvelopeFormat[] => [...formats, multipartEnvelope(formats)];
