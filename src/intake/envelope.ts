/**
 * What every wire format (adapters/envelope/jws, later xml) hands to the intake pipeline: the exact bytes
 * the signature covers, the manifest read from those bytes only, the claimed algorithm and signer chain,
 * and a way to check the signature once the pipeline has a trusted key.
 */
import type { LeafKey } from '../lib/pki.js';

export interface SignedEnvelope {
  format: 'jws' | 'xml';
  /** The envelope as received (text), kept as evidence. */
  raw: string;
  /** The bytes the signature covers that carry the manifest. */
  signedBytes: Uint8Array;
  /** The manifest parsed from signedBytes; not yet validated against the schema. */
  manifest: unknown;
  /** Signature algorithm as the envelope claims it (checked against the allow-list by the pipeline). */
  alg: string;
  /** Signer chain, leaf first: DER and the base64 text as sent. */
  x5c: Uint8Array[];
  x5cB64: string[];
  /** Verify the signature with the leaf's key; throws Problem('bad-signature') when it does not verify. */
  verifySignature(key: LeafKey): Promise<void>;
  /**
   * OCSP responses stapled by the sender (DER OCSPResponse each): the JWS protected-header parameter `ocsp`,
   * or the XML envelope's <Revocation><OcspResponse> (schemas/wire/README.md §6). Checked by the pipeline.
   */
  ocsp: Uint8Array[];
  /** Attachments that came as separate parts (multipart), by attachment id. */
  parts: Map<string, Uint8Array>;
}
