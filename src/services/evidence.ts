/**
 * Evidence for courts and procuratorates: signed statements (JWS over JCS, verifiable with the gateway's JWKS
 * alone) written in the same batch as the change they attest, and sent through the outbox to the sender's
 * callback (idempotent on the sender's side by evidence id), or pulled with GET /v1/evidence?since=.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import { insertRows } from '../lib/raw-insert.js';
import type { Deps, Stmt } from '../deps.js';
import { evidence, outbox, senders } from '../../schemas/db/index.js';
import { newId } from '../lib/ids.js';
import { signJson } from '../lib/signing.js';

export const EVIDENCE_TYP = 'fuyuan-evidence+jws';
/** `timestamp`: an RFC 3161 token over a receipt, added by the sweep (src/services/timestamps.ts). */
import type { EvidenceType } from '../domain/vocabulary.js';

export type { EvidenceType };

export interface EvidenceInput {
  /** The evidence id when the caller needs it before the statements are built (an audit entry names it). */
  id?: string;
  senderCode: string;
  type: EvidenceType;
  deliveryId?: string | null;
  documentId?: string | null;
  uniqueKey: string;
  payload: Record<string, unknown>;
  /** An existing signature of exactly this payload (the delivery receipt), instead of a new one. */
  jws?: string;
  /** The sender's callback when the caller already knows it (null: none); looked up otherwise. */
  callbackUrl?: string | null;
  /**
   * New by construction: the unique key names a row the same batch creates (a new delivery's receipt), so no
   * earlier evidence can hold it. Inserted plainly, not "or nothing": the write path need not look for an earlier
   * row before it commits to this one (src/services/audit-rows.ts), and a clash would fail the batch, not vanish.
   */
  fresh?: boolean;
}

/** The evidence row and, when the sender has a callback, its outbox row: statements for the caller's batch. */
export async function evidenceStmts(deps: Deps, input: EvidenceInput, now: Date): Promise<{ id: string; jws: string; items: Stmt[] }> {
  const id = input.id ?? newId();
  const payload = { evidenceId: id, type: input.type, ...input.payload };
  const jws = input.jws ?? (await signJson(deps.keys, payload, EVIDENCE_TYP)).jws;
  const items: Stmt[] = [
    insertRows(
      evidence,
      [
        {
          id,
          senderCode: input.senderCode,
          type: input.type,
          deliveryId: input.deliveryId ?? null,
          documentId: input.documentId ?? null,
          uniqueKey: input.uniqueKey,
          payloadJson: JSON.stringify(input.jws ? input.payload : payload),
          jws,
          createdAt: now,
        },
      ],
      { onConflictDoNothing: !input.fresh },
    ),
  ];
  const callbackUrl =
    input.callbackUrl !== undefined
      ? input.callbackUrl
      : (await deps.db.orm.select({ callbackUrl: senders.callbackUrl }).from(senders).where(eq(senders.code, input.senderCode)))[0]?.callbackUrl;
  if (callbackUrl) {
    items.push(
      insertRows(
        outbox,
        [
          {
            id: newId(),
            kind: 'court_callback',
            destination: input.senderCode,
            payloadJson: JSON.stringify({ evidenceId: id, type: input.type, jws }),
            idempotencyKey: `evidence:${input.uniqueKey}`,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            createdAt: now,
          },
        ],
        { onConflictDoNothing: !input.fresh },
      ),
    );
  }
  return { id, jws, items };
}

export async function listEvidence(deps: Deps, senderCode: string, since: string | undefined, limit = 100) {
  const rows = await deps.db.orm
    .select()
    .from(evidence)
    .where(since ? and(eq(evidence.senderCode, senderCode), gt(evidence.id, since)) : eq(evidence.senderCode, senderCode))
    .orderBy(asc(evidence.id))
    .limit(Math.min(limit, 500));
  return {
    items: rows.map((r) => ({
      id: r.id,
      type: r.type,
      deliveryId: r.deliveryId,
      documentId: r.documentId,
      createdAt: r.createdAt.toISOString(),
      payload: JSON.parse(r.payloadJson) as unknown,
      jws: r.jws,
    })),
    next: rows.at(-1)?.id ?? since ?? null,
  };
}
