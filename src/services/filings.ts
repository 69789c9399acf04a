/**
 * Agencies pull their filings (issue 5): a unit sees the documents of the cases assigned to it, a justice
 * bureau those of its region. The first retrieval by an assigned unit, and the justice bureau's confirmation
 * of receipt (签收), become signed evidence for the sending court.
 */
import { and, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { DocumentEntry } from '../../schemas/api/manifest.js';
import { assignments, cases, deliveries, documentAttachments, documents, evidence, obligations, queueItems, routingDecisions } from '../../schemas/db/index.js';
import { Problem } from '../lib/problem.js';
import { beijingIso } from '../domain/calendar/index.js';
import type { DocumentType } from '../domain/case-info.js';
import type { Principal } from './clients.js';
import { type AuditHead } from './audit.js';
import { evidenceStmts } from './evidence.js';
import { newId } from '../lib/ids.js';
import { listObligations } from './obligations.js';

export interface FilingFilters {
  status?: 'new' | 'retrieved' | 'confirmed';
  type?: DocumentType;
  caseNumber?: string;
  dueBefore?: string;
  cursor?: string;
  limit?: number;
}

/** Which documents a principal may see, as a condition on documents ⨝ routing_decisions ⨝ cases. */
function visibility(p: Principal): SQL | undefined {
  if (p.role === 'admin') return undefined;
  if (p.role === 'unit') {
    // The case is assigned to this unit now.
    return sql`exists (${sqlSelectAssignment(p.scope)})`;
  }
  if (p.role === 'justice_bureau' || p.role === 'government_office') {
    const own = or(eq(cases.regionCode, p.scope), and(isNull(cases.regionCode), eq(routingDecisions.regionCode, p.scope)))!;
    // A queued document whose region is not settled is a filing of every candidate region's justice bureau
    // until one claims it (docs/domain.md §3): it sees the body, the attachments and the deadlines already running.
    return p.role === 'justice_bureau' ? or(own, and(isNull(cases.regionCode), sql`exists (${queuedForCandidate(p.scope)})`))! : own;
  }
  return sql`0`; // courts, procuratorates and liaisons do not pull government filings
}

const queuedForCandidate = (regionCode: string) =>
  sql`select 1 from ${queueItems} where ${queueItems.status} = 'open' and ${queueItems.regionCode} is null and (${queueItems.caseId} = ${routingDecisions.caseId} or ${queueItems.documentId} = ${documents.id}) and exists (select 1 from json_each(${queueItems.candidateRegions}) where value = ${regionCode})`;

const sqlSelectAssignment = (unitId: string) =>
  sql`select 1 from ${assignments} where ${assignments.caseId} = ${routingDecisions.caseId} and ${assignments.unitId} = ${unitId} and ${assignments.supersededAt} is null`;

const hasEvidence = (type: 'retrieval' | 'confirmation') =>
  sql`exists (select 1 from ${evidence} where ${evidence.documentId} = ${documents.id} and ${evidence.type} = ${type})`;

export async function listFilings(deps: Deps, p: Principal, f: FilingFilters) {
  const conds: SQL[] = [];
  const vis = visibility(p);
  if (vis) conds.push(vis);
  if (f.cursor) conds.push(lt(documents.id, f.cursor));
  if (f.type) conds.push(eq(documents.type, f.type));
  if (f.caseNumber) conds.push(eq(documents.caseNumber, f.caseNumber));
  if (f.dueBefore)
    conds.push(
      sql`exists (select 1 from ${obligations} where ${obligations.documentId} = ${documents.id} and ${obligations.status} in ('open','overdue') and ${obligations.dueOn} <= ${f.dueBefore})`,
    );
  if (f.status === 'confirmed') conds.push(hasEvidence('confirmation'));
  if (f.status === 'retrieved') conds.push(and(hasEvidence('retrieval'), sql`not ${hasEvidence('confirmation')}`)!);
  if (f.status === 'new') conds.push(and(sql`not ${hasEvidence('retrieval')}`, sql`not ${hasEvidence('confirmation')}`)!);
  const limit = Math.min(f.limit ?? 50, 200);
  const rows = await deps.db.orm
    .select({
      id: documents.id,
      type: documents.type,
      title: documents.title,
      caseNumber: documents.caseNumber,
      caseId: routingDecisions.caseId,
      regionCode: sql<string | null>`coalesce(${cases.regionCode}, ${routingDecisions.regionCode})`,
      arrivedAt: documents.arrivedAt,
      routing: routingDecisions.status,
      retrieved: hasEvidence('retrieval'),
      confirmed: hasEvidence('confirmation'),
      nextDue: sql<
        string | null
      >`(select min(${obligations.dueOn}) from ${obligations} where ${obligations.documentId} = ${documents.id} and ${obligations.status} in ('open','overdue'))`,
    })
    .from(documents)
    .innerJoin(routingDecisions, eq(routingDecisions.documentId, documents.id))
    .leftJoin(cases, eq(cases.id, routingDecisions.caseId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(documents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      type: r.type,
      title: r.title,
      caseNumber: r.caseNumber,
      caseId: r.caseId,
      regionCode: r.regionCode,
      arrivedAt: r.arrivedAt.toISOString(),
      routing: r.routing,
      status: r.confirmed ? ('confirmed' as const) : r.retrieved ? ('retrieved' as const) : ('new' as const),
      nextDue: r.nextDue,
    })),
    nextCursor: rows.length > limit ? page.at(-1)!.id : null,
  };
}

async function loadVisible(deps: Deps, p: Principal, id: string) {
  const conds: SQL[] = [eq(documents.id, id)];
  const vis = visibility(p);
  if (vis) conds.push(vis);
  const [row] = await deps.db.orm
    .select({
      d: documents,
      delivery: deliveries,
      caseId: routingDecisions.caseId,
      regionCode: sql<string | null>`coalesce(${cases.regionCode}, ${routingDecisions.regionCode})`,
      routing: routingDecisions.decisionJson,
      queued: sql<number>`coalesce(${cases.routingStatus}, ${routingDecisions.status}) = 'queued'`,
    })
    .from(documents)
    .innerJoin(deliveries, eq(deliveries.id, documents.deliveryId))
    .innerJoin(routingDecisions, eq(routingDecisions.documentId, documents.id))
    .leftJoin(cases, eq(cases.id, routingDecisions.caseId))
    .where(and(...conds));
  // A filing the caller may not see answers exactly like one that does not exist.
  if (!row) throw new Problem('not-found', `no filing with id ${id}`);
  return row;
}

/** One filing: the document, its case, its obligations and attachments. The assigned unit's first look is evidence. */
export async function getFiling(deps: Deps, p: Principal, id: string) {
  const row = await loadVisible(deps, p, id);
  const entry = JSON.parse(row.d.entryJson) as DocumentEntry;
  const atts = await deps.db.orm.select().from(documentAttachments).where(eq(documentAttachments.documentId, id));
  const obs = row.caseId ? (await listObligations(deps, { caseId: row.caseId, limit: 500 })).filter((o) => o.documentId === id) : [];
  // The assigned unit's first look is evidence; so is the justice bureau's while the document waits in its
  // queue (it answers for the document until it names the unit, docs/domain.md §3).
  if (p.role === 'unit' || (p.role === 'justice_bureau' && Number(row.queued) === 1)) await recordRetrieval(deps, p, row);
  const ev = await deps.db.orm.select({ type: evidence.type }).from(evidence).where(eq(evidence.documentId, id));
  return {
    id,
    status: ev.some((e) => e.type === 'confirmation')
      ? ('confirmed' as const)
      : ev.some((e) => e.type === 'retrieval')
        ? ('retrieved' as const)
        : ('new' as const),
    documentId: row.d.documentId,
    type: row.d.type,
    title: row.d.title,
    arrivedAt: row.d.arrivedAt.toISOString(),
    arrivedAtBeijing: beijingIso(row.d.arrivedAt),
    sender: row.delivery.senderCode,
    messageId: row.delivery.messageId,
    caseId: row.caseId,
    regionCode: row.regionCode,
    case: entry.case ?? null,
    hearing: entry.hearing ?? null,
    outcome: entry.outcome ?? null,
    sha256: row.d.entryDigest,
    attachments: atts.map((a) => ({
      id: a.attachmentId,
      filename: a.filename,
      mediaType: a.mediaType,
      size: a.size,
      sha256: a.sha256,
      href: `/v1/filings/${id}/attachments/${encodeURIComponent(a.attachmentId)}`,
    })),
    obligations: obs,
  };
}

async function recordRetrieval(deps: Deps, p: Principal, row: Awaited<ReturnType<typeof loadVisible>>) {
  const uniqueKey = `retrieval:${row.d.id}:${p.scope}`;
  const [done] = await deps.db.orm.select({ id: evidence.id }).from(evidence).where(eq(evidence.uniqueKey, uniqueKey));
  if (done) return;
  const now = deps.clock.now();
  await deps.writer.planned(async () => {
    // Checked again under the write lock: a concurrent first retrieval may have written it meanwhile.
    const [raced] = await deps.db.orm.select({ id: evidence.id }).from(evidence).where(eq(evidence.uniqueKey, uniqueKey));
    if (raced) return { entries: [], build: async () => ({ items: [], result: null }) };
    // The evidence states the audit head after its own record (a signed commitment to the log up to it).
    const evidenceId = newId();
    return {
      entries: [
        {
          actor: p.actor,
          action: 'filing.retrieved',
          subject: `document:${row.d.id}`,
          data: { [p.role === 'unit' ? 'unitId' : 'regionCode']: p.scope, evidenceId },
        },
      ],
      build: async (auditHead: AuditHead) => {
        const ev = await evidenceStmts(
          deps,
          {
            id: evidenceId,
            senderCode: row.delivery.senderCode,
            type: 'retrieval',
            deliveryId: row.delivery.id,
            documentId: row.d.id,
            uniqueKey,
            payload: {
              messageId: row.delivery.messageId,
              documentId: row.d.documentId,
              documentSha256: row.d.entryDigest,
              arrivedAt: row.d.arrivedAt.toISOString(),
              retrievedAt: now.toISOString(),
              retrievedBy: p.role === 'unit' ? { unitId: p.scope, client: p.clientId } : { role: p.role, regionCode: p.scope, client: p.clientId },
              auditHead,
            },
          },
          now,
        );
        return { items: ev.items, result: null };
      },
    };
  }, now);
}

/**
 * How an attachment is asked for (src/http/downloads.ts): `admit(size)` is called before its bytes are loaded (it
 * throws past the budget of bytes being sent); `headOnly` (a HEAD request) wants what is known of it without them.
 */
export interface AttachmentRead {
  admit(size: number): void;
  headOnly: boolean;
}

/**
 * An attachment's bytes; an assigned unit's download is a retrieval too (evidence for the court, once). Asked for
 * head only: its row alone, nothing loaded, no retrieval recorded (the unit has not got the bytes).
 */
export async function attachmentBytes(deps: Deps, p: Principal, id: string, attachmentId: string, read: AttachmentRead) {
  const row = await loadVisible(deps, p, id);
  const [a] = await deps.db.orm
    .select()
    .from(documentAttachments)
    .where(and(eq(documentAttachments.documentId, id), eq(documentAttachments.attachmentId, attachmentId)));
  if (!a) throw new Problem('not-found', `filing ${id} has no attachment "${attachmentId}"`);
  if (read.headOnly) return { meta: a, bytes: null };
  read.admit(a.size);
  const bytes = await deps.blobs.get(a.sha256);
  if (!bytes) throw new Error(`blob ${a.sha256} of filing ${id} is missing from the blob store`);
  if (p.role === 'unit') await recordRetrieval(deps, p, row);
  return { meta: a, bytes };
}

/** The justice bureau confirms receipt (签收): signed confirmation evidence goes back to the court. */
export async function confirmFiling(deps: Deps, p: Principal, id: string) {
  if (p.role !== 'justice_bureau' && p.role !== 'admin') throw new Problem('forbidden', "confirming receipt (签收) is the justice bureau's");
  const row = await loadVisible(deps, p, id);
  const uniqueKey = `confirmation:${id}`;
  const now = deps.clock.now();
  return deps.writer.planned<{ status: 200 | 201; evidenceId: string; jws: string }>(async () => {
    const [prior] = await deps.db.orm.select().from(evidence).where(eq(evidence.uniqueKey, uniqueKey));
    if (prior) return { entries: [], build: async () => ({ items: [], result: { status: 200, evidenceId: prior.id, jws: prior.jws } }) };
    const evidenceId = newId();
    return {
      entries: [{ actor: p.actor, action: 'filing.confirmed', subject: `document:${id}`, data: { evidenceId } }],
      build: async (auditHead: AuditHead) => {
        const ev = await evidenceStmts(
          deps,
          {
            id: evidenceId,
            senderCode: row.delivery.senderCode,
            type: 'confirmation',
            deliveryId: row.delivery.id,
            documentId: id,
            uniqueKey,
            payload: {
              messageId: row.delivery.messageId,
              documentId: row.d.documentId,
              documentSha256: row.d.entryDigest,
              caseNumber: row.d.caseNumber,
              arrivedAt: row.d.arrivedAt.toISOString(),
              confirmedAt: now.toISOString(),
              confirmedBy: { role: p.role, scope: p.scope, actor: p.actor },
              auditHead,
            },
          },
          now,
        );
        return { items: ev.items, result: { status: 201 as const, evidenceId: ev.id, jws: ev.jws } };
      },
    };
  }, now);
}
