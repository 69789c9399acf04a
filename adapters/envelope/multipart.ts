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
import { Problem } from '../../src/lib/problem.js';

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

export async function readMultipart(req: Request): Promise<MultipartDelivery> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
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
