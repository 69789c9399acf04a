/**
 * The intake pipeline (docs/architecture.md "the spine"): verify the envelope → answer a repeat from its receipt →
 * read the facts (src/intake/facts.ts) → plan from them alone (src/intake/plan.ts: routing, deadlines; pure) →
 * persist every row, the signed receipt and the guards in ONE batch (read and planned again when a guard says a
 * fact went stale). Every refusal is a Problem (4xx) and nothing is stored for it.
 */
import { and, eq } from 'drizzle-orm';
import type { Deps, Stmt } from '../deps.js';
import { Manifest, type DocumentEntry } from '../../schemas/api/manifest.js';
import { deliveries, documentAttachments, documents } from '../../schemas/db/index.js';
import { CHAINS, ChainCache, isAllowedAlg, leafKey, validateChain, ALLOWED_ALGS, type VerifiedChain } from '../lib/pki.js';
import { Problem } from '../lib/problem.js';
import { fromBase64, jsonDigest, sha256Hex } from '../lib/encoding.js';
import { newId } from '../lib/ids.js';
import { cpuTurn } from '../lib/turns.js';
import { insertRows } from '../lib/raw-insert.js';
import { WriteConflict, type WritePlan } from '../writer/types.js';
import { readIntakeFacts } from './facts.js';
import { planRouting, type DocumentRouting, type RoutingPlan } from './plan.js';
import { evidenceStmts } from '../services/evidence.js';
import { findSender, trustAnchors } from '../services/senders.js';
import { checkRevocation } from '../services/revocation.js';
import { timestampStmts } from '../services/timestamps.js';
import type { SignedEnvelope } from './envelope.js';
import { beijingIso } from '../domain/calendar/index.js';
import { signReceipt, type Receipt, type ReceiptDocument } from './receipt.js';

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
    throw new Problem(
      'unsupported-algorithm',
      `alg SM2SM3 is accepted only from senders registered for SM2; ${sender.code} is not (the administrator sets it with sender trust --sm2 true)`,
    );
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
        throw new Problem(
          'attachment-missing',
          `attachment "${a.id}" (${a.filename}) is named in the manifest but no part of that name was sent and it has no inline content`,
          { attachment: a.id },
        );
      }
      if (bytes.length !== a.size) {
        throw new Problem('attachment-mismatch', `attachment "${a.id}" (${a.filename}): manifest says ${a.size} bytes, received ${bytes.length}`, {
          attachment: a.id,
        });
      }
      const digest = await sha256Hex(bytes);
      if (digest !== a.sha256) {
        throw new Problem(
          'attachment-mismatch',
          `attachment "${a.id}" (${a.filename}): SHA-256 of the received bytes is ${digest}, manifest says ${a.sha256}`,
          { attachment: a.id },
        );
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
    throw new Problem(
      'message-id-conflict',
      `messageId "${messageId}" was already delivered by ${senderCode} with other content; use a new messageId for a new message`,
    );
  }
  return { status: 200, receipt: JSON.parse(prior.receiptJson) as Receipt, jws: prior.receiptJws };
}

/** A verified delivery with its identities and digests: everything its plan and its rows are made from. */
interface Accepted {
  env: SignedEnvelope;
  verified: Awaited<ReturnType<typeof verifyEnvelope>>;
  arrivedAt: Date;
  issuedAt: Date;
  contentDigest: string;
  envelopeDigest: string;
  deliveryId: string;
  receiptId: string;
  docRows: { id: string; entry: ReturnType<typeof storedEntry>; digest: string }[];
  actor: string;
}

/**
 * verify → plan → persist. The envelope is verified (signature, chain, revocation, every attachment's bytes); a
 * retry of an accepted message is answered from its stored receipt. The plan (routing, deadlines) is made outside
 * the write lock from what it reads, and the batch carries guards: the unique case number, the (sender, message)
 * index and each case's revision (src/services/case-revisions.ts). A batch whose facts went stale is refused as a
 * WriteConflict and the delivery is planned again; a repeated message gets the original receipt.
 */
export async function receiveDelivery(deps: Deps, env: SignedEnvelope, arrivedAt: Date): Promise<IntakeResult> {
  // Verification, and after it the facts and the plan, each wait for a turn of the event loop (src/lib/turns.ts):
  // deliveries that arrive together take turns, and a health check or a page is answered in between.
  await cpuTurn();
  const contentDigest = await sha256Hex(env.signedBytes);
  const verified = await verifyOrRepeat(deps, env, arrivedAt, contentDigest);
  if ('status' in verified) return verified;
  const repeat = await freshOrRepeat(deps, verified.manifest, arrivedAt, contentDigest);
  if (repeat) return repeat;
  const accepted = await accept(env, verified, arrivedAt, contentDigest);
  try {
    return await deps.writer.optimistic(() => planDelivery(deps, accepted), isStaleFact, arrivedAt);
  } catch (e) {
    // The same message was accepted before (a retry), or a concurrent delivery of it won the race.
    if (e instanceof WriteConflict && e.on('deliveries')) {
      const raced = await existingReceipt(deps, verified.sender.code, verified.manifest.messageId, contentDigest);
      if (raced) return raced;
    }
    throw e;
  }
}

/** A fact the plan read changed before its batch: a concurrent new case of that number, a case revised since. */
const isStaleFact = (c: WriteConflict) => c.on('cases', 'case_number') || c.on('cases', 'cases_number') || c.on('case_revisions');

/** Verify the envelope; a retry of a message accepted earlier gets its receipt, whatever its revocation status is now. */
async function verifyOrRepeat(deps: Deps, env: SignedEnvelope, arrivedAt: Date, contentDigest: string) {
  try {
    return await verifyEnvelope(deps, env, arrivedAt);
  } catch (e) {
    if (e instanceof Problem && (e.slug === 'revocation-unknown' || e.slug === 'certificate-revoked')) {
      const m = env.manifest as { sender: { code: string }; messageId: string };
      const again = await existingReceipt(deps, m.sender.code, m.messageId, contentDigest);
      if (again) return again;
    }
    throw e;
  }
}

/**
 * Exactly once: the same message again gets the original receipt; other content under the same id is 409. A new
 * message is the common case, so it is not looked up first: the unique (sender, messageId) index refuses the batch
 * of a repeat, and receiveDelivery answers it from the stored receipt. Freshness applies to new messages only, so
 * a court's retry of an accepted message still gets its receipt.
 */
async function freshOrRepeat(deps: Deps, manifest: Manifest, arrivedAt: Date, contentDigest: string): Promise<IntakeResult | undefined> {
  const issuedAt = new Date(manifest.issuedAt);
  if (Math.abs(issuedAt.getTime() - arrivedAt.getTime()) <= deps.config.clockSkewSeconds * 1000) return undefined;
  const again = await existingReceipt(deps, manifest.sender.code, manifest.messageId, contentDigest);
  if (again) return again;
  throw new Problem(
    'stale-message',
    `issuedAt ${issuedAt.toISOString()} is more than ${deps.config.clockSkewSeconds} s from the gateway's arrival time ${arrivedAt.toISOString()}; check the sender's clock and sign again`,
  );
}

/** Identities and digests of a new delivery, made once (a re-plan keeps them). */
async function accept(env: SignedEnvelope, verified: Accepted['verified'], arrivedAt: Date, contentDigest: string): Promise<Accepted> {
  const docRows = await Promise.all(
    verified.manifest.documents.map(async (d) => {
      const entry = storedEntry(d);
      return { id: newId(), entry, digest: await jsonDigest(entry) };
    }),
  );
  return {
    env,
    verified,
    arrivedAt,
    issuedAt: new Date(verified.manifest.issuedAt),
    contentDigest,
    envelopeDigest: await sha256Hex(env.raw),
    deliveryId: newId(),
    receiptId: newId(),
    docRows,
    actor: `sender:${verified.sender.code}`,
  };
}

/** Read the facts, then plan from them alone: routing and deadlines, the audit entries, and how to persist them. */
async function planDelivery(deps: Deps, a: Accepted): Promise<WritePlan<IntakeResult>> {
  await cpuTurn();
  const { manifest, sender, chain } = a.verified;
  const facts = await readIntakeFacts(deps, manifest, a.arrivedAt);
  const routing = planRouting(
    deps,
    facts,
    manifest,
    a.arrivedAt,
    a.docRows.map((r) => r.id),
  );
  const receipt = receiptContent(a, routing);
  return {
    entries: [
      {
        actor: a.actor,
        action: 'delivery.accepted',
        subject: `delivery:${a.deliveryId}`,
        data: {
          deliveryId: a.deliveryId,
          receiptId: a.receiptId,
          messageId: manifest.messageId,
          sender: sender.code,
          contentDigest: a.contentDigest,
          envelopeDigest: a.envelopeDigest,
          arrivedAt: a.arrivedAt.toISOString(),
          signer: chain.leafFingerprint,
        },
      },
      ...manifest.documents.map((d, i) => ({
        actor: a.actor,
        action: 'document.received',
        subject: `document:${a.docRows[i]!.id}`,
        data: { deliveryId: a.deliveryId, documentId: d.documentId, type: d.type, caseNumber: d.case?.caseNumber ?? null, sha256: a.docRows[i]!.digest },
      })),
      ...routing.entries,
    ],
    build: (head) => persistDelivery(deps, a, routing, { ...receipt, auditHead: head }),
  };
}

/** What the receipt states, decided with the plan; the audit head after this delivery's records is added at commit. */
function receiptContent(a: Accepted, routing: RoutingPlan): Omit<Receipt, 'auditHead'> {
  const { manifest, sender, chain, revocation } = a.verified;
  return {
    type: 'delivery-receipt',
    receiptId: a.receiptId,
    deliveryId: a.deliveryId,
    messageId: manifest.messageId,
    sender: { type: sender.type, code: sender.code },
    arrivedAt: a.arrivedAt.toISOString(),
    arrivedAtBeijing: beijingIso(a.arrivedAt),
    envelope: { format: a.env.format, sha256: a.envelopeDigest, manifestSha256: a.contentDigest },
    signer: { subject: chain.leafSubject, certificateSha256: chain.leafFingerprint },
    revocation: revocation.evidence,
    documents: receiptDocuments(a, routing.perDocument),
  };
}

/** The receipt, signed, and every row of the delivery. */
async function persistDelivery(deps: Deps, a: Accepted, routing: RoutingPlan, receipt: Receipt): Promise<{ items: Stmt[]; result: IntakeResult }> {
  const { manifest, sender, chain, attachments, revocation } = a.verified;
  const { env, arrivedAt, docRows, deliveryId, receiptId } = a;
  const { jws } = await signReceipt(deps.keys, receipt);
  const items: Stmt[] = [
    ...(await deps.blobs.stage(attachments.map((x) => ({ sha256: x.sha256, bytes: x.bytes, mediaType: x.mediaType })))),
    insertRows(deliveries, [
      {
        id: deliveryId,
        senderCode: sender.code,
        messageId: manifest.messageId,
        contentDigest: a.contentDigest,
        format: env.format,
        envelope: env.raw,
        envelopeDigest: a.envelopeDigest,
        signerSubject: chain.leafSubject,
        signerFingerprint: chain.leafFingerprint,
        issuedAt: a.issuedAt,
        arrivedAt,
        receiptId,
        receiptJson: JSON.stringify(receipt),
        receiptJws: jws,
      },
    ]),
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
        attachments.map((x) => ({
          documentId: docRows[x.documentIndex]!.id,
          attachmentId: x.id,
          filename: x.filename,
          mediaType: x.mediaType,
          size: x.size,
          sha256: x.sha256,
        })),
      ),
    );
  }
  items.push(...routing.items, ...revocation.items(deliveryId), ...timestampStmts(deps, { deliveryId, senderCode: sender.code, receiptId, jws }, arrivedAt));
  // The receipt is also evidence the court can pull (and is pushed to its callback, if it has one).
  const evidence = await evidenceStmts(
    deps,
    {
      senderCode: sender.code,
      type: 'receipt',
      deliveryId,
      uniqueKey: `receipt:${deliveryId}`,
      payload: receipt as unknown as Record<string, unknown>,
      jws,
      callbackUrl: sender.callbackUrl,
      fresh: true,
    },
    arrivedAt,
  );
  items.push(...evidence.items);
  return { items, result: { status: 201, receipt, jws } };
}

const receiptDocuments = (a: Accepted, routing: DocumentRouting[]): ReceiptDocument[] =>
  a.verified.manifest.documents.map((d, i) => ({
    id: a.docRows[i]!.id,
    documentId: d.documentId,
    type: d.type,
    title: d.title,
    sha256: a.docRows[i]!.digest,
    attachments: a.verified.attachments.filter((x) => x.documentIndex === i).map((x) => ({ id: x.id, sha256: x.sha256, size: x.size })),
    routing: routing[i]!,
  }));
