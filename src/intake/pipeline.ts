/**
 * The intake pipeline (ARCHITECTURE.md "the spine"): verify → dedupe → persist in ONE batch → signed receipt.
 * Every refusal is a Problem (4xx) and nothing is stored for it.
 */
import { and, eq } from 'drizzle-orm';
import type { Deps, Stmt } from '../deps.js';
import { Manifest, type DocumentEntry } from '../../schemas/api/manifest.js';
import { deliveries, documentAttachments, documents } from '../../schemas/db/index.js';
import { CHAINS, ChainCache, isAllowedAlg, leafKey, validateChain, ALLOWED_ALGS, type VerifiedChain } from '../lib/pki.js';
import { Problem } from '../lib/problem.js';
import { fromBase64, jsonDigest, sha256Hex } from '../lib/encoding.js';
import { newId } from '../lib/ids.js';
import { insertRows } from '../lib/raw-insert.js';
import { WriteConflict, type AuditHead } from '../writer/types.js';
import { planRouting } from './routing.js';
import { evidenceStmts } from '../services/evidence.js';
import { findSender, trustAnchors } from '../services/senders.js';
import { checkRevocation } from '../services/revocation.js';
import { timestampStmts } from '../services/timestamps.js';
import type { SignedEnvelope } from './envelope.js';
import { beijingIso, signReceipt, type Receipt, type ReceiptDocument } from './receipt.js';
import type { DocumentRouting } from './routing.js';

export interface IntakeResult {
  /** 201 for a new delivery, 200 for the same message again. */
  status: 200 | 201;
  receipt: Receipt;
  jws: string;
}

interface VerifiedAttachment {
  documentIndex: number;
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  bytes: Uint8Array;
}

/** Check the envelope and everything it carries; returns the validated manifest. */
export async function verifyEnvelope(deps: Deps, env: SignedEnvelope, arrivedAt: Date) {
  // alg allow-list: RS256, PS256, ES256; never none, never HMAC.
  if (!isAllowedAlg(env.alg)) {
    throw new Problem('unsupported-algorithm', `alg "${env.alg}" is not accepted; use one of ${ALLOWED_ALGS.join(', ')} with the signer certificate in x5c`);
  }
  const parsed = Manifest.safeParse(env.manifest);
  if (!parsed.success) {
    throw new Problem(
      'invalid-manifest',
      `the manifest does not match schemas/wire/manifest.schema.json: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
      { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    );
  }
  const manifest = parsed.data;
  const sender = await findSender(deps, manifest.sender.code);
  if (!sender || sender.type !== manifest.sender.type) {
    throw new Problem('unknown-sender', `no ${manifest.sender.type} with code "${manifest.sender.code}" is registered with this gateway`);
  }
  // 国密 SM2SM3 only from a sender registered for SM2 (schemas/wire/README.md §1).
  if (env.alg === 'SM2SM3' && !sender.sm2) {
    throw new Problem('unsupported-algorithm', `alg SM2SM3 is accepted only from senders registered for SM2; ${sender.code} is not (the administrator sets it with sender trust --sm2 true)`);
  }
  // Certificate chain to a CA registered for THIS sender, cached by fingerprint.
  const cacheKey = await ChainCache.key(sender.code, String(sender.trustVersion), env.x5cB64);
  let chain: VerifiedChain | undefined = deps.state.get(CHAINS).get(cacheKey, arrivedAt);
  if (!chain) {
    chain = await validateChain(env.x5c, await trustAnchors(deps, sender.code), arrivedAt, sender.code);
    deps.state.get(CHAINS).set(cacheKey, chain);
  }
  await env.verifySignature(await leafKey(chain, env.alg));
  // Revocation of every certificate below the registered CA, at the signing time, from stored status only.
  const revocation = await checkRevocation(deps, sender, chain, env.ocsp, new Date(manifest.issuedAt), arrivedAt);

  // Attachments: every byte must match its size and SHA-256 (WebCrypto).
  const named = new Set<string>();
  const attachments: VerifiedAttachment[] = [];
  for (const [di, doc] of manifest.documents.entries()) {
    for (const a of doc.attachments) {
      named.add(a.id);
      let bytes: Uint8Array | undefined;
      if (a.content !== undefined) {
        try {
          bytes = fromBase64(a.content);
        } catch {
          throw new Problem('attachment-mismatch', `attachment "${a.id}": content is not standard base64`);
        }
      } else bytes = env.parts.get(a.id);
      if (!bytes) {
        throw new Problem('attachment-missing', `attachment "${a.id}" (${a.filename}) is named in the manifest but no part of that name was sent and it has no inline content`, { attachment: a.id });
      }
      if (bytes.length !== a.size) {
        throw new Problem('attachment-mismatch', `attachment "${a.id}" (${a.filename}): manifest says ${a.size} bytes, received ${bytes.length}`, { attachment: a.id });
      }
      const digest = await sha256Hex(bytes);
      if (digest !== a.sha256) {
        throw new Problem('attachment-mismatch', `attachment "${a.id}" (${a.filename}): SHA-256 of the received bytes is ${digest}, manifest says ${a.sha256}`, { attachment: a.id });
      }
      attachments.push({ documentIndex: di, id: a.id, filename: a.filename, mediaType: a.mediaType, size: a.size, sha256: digest, bytes });
    }
  }
  for (const id of env.parts.keys()) {
    if (!named.has(id)) throw new Problem('malformed-envelope', `part "${id}" is not an attachment id named in the manifest`);
  }
  return { manifest, sender, chain, attachments, revocation };
}

/** The manifest entry as stored and digested: inline content removed (the bytes live in the blob store). */
const storedEntry = (d: DocumentEntry) => ({ ...d, attachments: d.attachments.map(({ content: _content, ...rest }) => rest) });

async function existingReceipt(deps: Deps, senderCode: string, messageId: string, contentDigest: string): Promise<IntakeResult | undefined> {
  const [prior] = await deps.db.orm
    .select({ contentDigest: deliveries.contentDigest, receiptJson: deliveries.receiptJson, receiptJws: deliveries.receiptJws })
    .from(deliveries)
    .where(and(eq(deliveries.senderCode, senderCode), eq(deliveries.messageId, messageId)));
  if (!prior) return undefined;
  if (prior.contentDigest !== contentDigest) {
    throw new Problem('message-id-conflict', `messageId "${messageId}" was already delivered by ${senderCode} with other content; use a new messageId for a new message`);
  }
  return { status: 200, receipt: JSON.parse(prior.receiptJson) as Receipt, jws: prior.receiptJws };
}

export async function receiveDelivery(deps: Deps, env: SignedEnvelope, arrivedAt: Date): Promise<IntakeResult> {
  const contentDigest = await sha256Hex(env.signedBytes);
  let verified: Awaited<ReturnType<typeof verifyEnvelope>>;
  try {
    verified = await verifyEnvelope(deps, env, arrivedAt);
  } catch (e) {
    // A retry of a message accepted earlier gets its receipt, whatever the revocation status is now.
    if (e instanceof Problem && (e.slug === 'revocation-unknown' || e.slug === 'certificate-revoked')) {
      const m = env.manifest as { sender: { code: string }; messageId: string };
      const again = await existingReceipt(deps, m.sender.code, m.messageId, contentDigest);
      if (again) return again;
    }
    throw e;
  }
  const { manifest, sender, chain, attachments, revocation } = verified;

  // Exactly once: the same message again gets the original receipt; other content under the same id is 409.
  // A new message is the common case, so it is not looked up first: the unique (sender, messageId) index refuses
  // the batch of a repeat, and the catch at the end answers it from the stored receipt.
  // Freshness applies to new messages only, so a court's retry of an accepted message still gets its receipt.
  const issuedAt = new Date(manifest.issuedAt);
  const skewMs = deps.config.clockSkewSeconds * 1000;
  if (Math.abs(issuedAt.getTime() - arrivedAt.getTime()) > skewMs) {
    const again = await existingReceipt(deps, sender.code, manifest.messageId, contentDigest);
    if (again) return again;
    throw new Problem(
      'stale-message',
      `issuedAt ${issuedAt.toISOString()} is more than ${deps.config.clockSkewSeconds} s from the gateway's arrival time ${arrivedAt.toISOString()}; check the sender's clock and sign again`,
    );
  }

  const deliveryId = newId();
  const receiptId = newId();
  const docRows = await Promise.all(
    manifest.documents.map(async (d) => {
      const entry = storedEntry(d);
      return { id: newId(), entry, digest: await jsonDigest(entry) };
    }),
  );
  const receiptDocs = (routing: DocumentRouting[]): ReceiptDocument[] =>
    manifest.documents.map((d, i) => ({
      id: docRows[i]!.id,
      documentId: d.documentId,
      type: d.type,
      title: d.title,
      sha256: docRows[i]!.digest,
      attachments: attachments.filter((a) => a.documentIndex === i).map((a) => ({ id: a.id, sha256: a.sha256, size: a.size })),
      routing: routing[i]!,
    }));
  const envelopeDigest = await sha256Hex(env.raw);
  const actor = `sender:${sender.code}`;

  try {
    // Routing and deadlines are planned outside the write lock; if a concurrent delivery created the same
    // new case first, the unique case number refuses this batch and the plan is made again (it then follows).
    return await deps.writer.optimistic(async () => {
        const routing = await planRouting(deps, manifest, arrivedAt, docRows.map((r) => r.id));
        return {
      entries: [
        {
          actor,
          action: 'delivery.accepted',
          subject: `delivery:${deliveryId}`,
          data: { deliveryId, receiptId, messageId: manifest.messageId, sender: sender.code, contentDigest, envelopeDigest, arrivedAt: arrivedAt.toISOString(), signer: chain.leafFingerprint },
        },
        ...manifest.documents.map((d, i) => ({
          actor,
          action: 'document.received',
          subject: `document:${docRows[i]!.id}`,
          data: { deliveryId, documentId: d.documentId, type: d.type, caseNumber: d.case?.caseNumber ?? null, sha256: docRows[i]!.digest },
        })),
        ...routing.entries,
      ],
      build: async (head: AuditHead) => {
        const receipt: Receipt = {
          type: 'delivery-receipt',
          receiptId,
          deliveryId,
          messageId: manifest.messageId,
          sender: { type: sender.type, code: sender.code },
          arrivedAt: arrivedAt.toISOString(),
          arrivedAtBeijing: beijingIso(arrivedAt),
          envelope: { format: env.format, sha256: envelopeDigest, manifestSha256: contentDigest },
          signer: { subject: chain.leafSubject, certificateSha256: chain.leafFingerprint },
          revocation: revocation.evidence,
          documents: receiptDocs(routing.perDocument),
          auditHead: head,
        };
        const { jws } = await signReceipt(deps.keys, receipt);
        const items: Stmt[] = [
          ...(await deps.blobs.stage(attachments.map((a) => ({ sha256: a.sha256, bytes: a.bytes, mediaType: a.mediaType })))),
          insertRows(deliveries, [{
            id: deliveryId,
            senderCode: sender.code,
            messageId: manifest.messageId,
            contentDigest,
            format: env.format,
            envelope: env.raw,
            envelopeDigest,
            signerSubject: chain.leafSubject,
            signerFingerprint: chain.leafFingerprint,
            issuedAt,
            arrivedAt,
            receiptId,
            receiptJson: JSON.stringify(receipt),
            receiptJws: jws,
          }]),
          insertRows(
            documents,
            manifest.documents.map((d, i) => ({
              id: docRows[i]!.id,
              deliveryId,
              documentId: d.documentId,
              type: d.type,
              title: d.title,
              caseNumber: d.case?.caseNumber ?? null,
              entryJson: JSON.stringify(docRows[i]!.entry),
              entryDigest: docRows[i]!.digest,
              arrivedAt,
            })),
          ),
        ];
        if (attachments.length) {
          items.push(
            insertRows(
              documentAttachments,
              attachments.map((a) => ({ documentId: docRows[a.documentIndex]!.id, attachmentId: a.id, filename: a.filename, mediaType: a.mediaType, size: a.size, sha256: a.sha256 })),
            ),
          );
        }
        items.push(...routing.items, ...revocation.items(deliveryId), ...timestampStmts(deps, { deliveryId, senderCode: sender.code, receiptId, jws }, arrivedAt));
        // The receipt is also evidence the court can pull (and is pushed to its callback, if it has one).
        items.push(
          ...(
            await evidenceStmts(
              deps,
              { senderCode: sender.code, type: 'receipt', deliveryId, uniqueKey: `receipt:${deliveryId}`, payload: receipt as unknown as Record<string, unknown>, jws, callbackUrl: sender.callbackUrl },
              arrivedAt,
            )
          ).items,
        );
        return { items, result: { status: 201 as const, receipt, jws } };
      },
        };
      },
      (c) => c.on('cases', 'case_number') || c.on('cases', 'cases_number'),
      arrivedAt,
    );
  } catch (e) {
    // The same message was accepted before (a retry), or a concurrent delivery of it won the race.
    if (e instanceof WriteConflict && e.on('deliveries')) {
      const raced = await existingReceipt(deps, sender.code, manifest.messageId, contentDigest);
      if (raced) return raced;
    }
    throw e;
  }
}
