/**
 * The delivery receipt (送达回执): gateway-signed evidence of what arrived and when. The arrival time is
 * the legal moment of electronic service (民诉法 第90条, 在线诉讼规则 第31条; docs/domain.md §2).
 */
import type { KeyStore } from '../deps.js';
import type { DocumentRouting } from './plan.js';
import { signJson } from '../lib/signing.js';
import type { RevocationEvidence } from '../services/revocation.js';
import type { SenderType } from '../domain/vocabulary.js';

export interface ReceiptDocument {
  /** The gateway's id of the document (for the explain endpoint and later evidence). */
  id: string;
  /** The court's id of the document, from the manifest. */
  documentId: string;
  type: string;
  title: string;
  /** SHA-256 of the JCS form of the document's manifest entry (without inline content). */
  sha256: string;
  attachments: { id: string; sha256: string; size: number }[];
  /** Where the document went (unit and rule), or that it waits in the justice bureau's queue. */
  routing: DocumentRouting;
}

export interface Receipt {
  type: 'delivery-receipt';
  receiptId: string;
  deliveryId: string;
  messageId: string;
  sender: { type: SenderType; code: string };
  /** Gateway clock, UTC. The legal time of service. */
  arrivedAt: string;
  /** The same instant in Beijing time (UTC+8), as people read it. */
  arrivedAtBeijing: string;
  envelope: { format: 'jws' | 'xml'; sha256: string; manifestSha256: string };
  signer: { subject: string; certificateSha256: string };
  /**
   * Revocation evidence used (issue 22): per certificate below the registered CA, its status at the signing
   * time and where it came from (CRL number, or OCSP producedAt); status 'unknown' = accepted under soft-fail.
   */
  revocation: RevocationEvidence;
  documents: ReceiptDocument[];
  /**
   * The audit log after this delivery's records: their sequence number (= the Merkle tree's size), the chain hash
   * and the tree root (RFC 9162). Signed with the receipt, it is a signed tree head: GET /v1/audit/proofs/…
   * show the delivery is in a later log and that the later log extends this one (schemas/wire/audit-proofs.md).
   */
  auditHead: { seq: number; hash: string; root: string };
}

export const RECEIPT_TYP = 'fuyuan-receipt+jws';

export async function signReceipt(keys: KeyStore, receipt: Receipt): Promise<{ jws: string; kid: string }> {
  return signJson(keys, receipt, RECEIPT_TYP);
}
