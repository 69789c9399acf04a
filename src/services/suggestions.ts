/**
 * Judicial and procuratorial suggestions (issue 8; docs/domain.md §2, §4; B 第十一条, S 五(七)): a unit drafts the
 * reply, the justice bureau reviews it (returns it with comments, or passes it), the government approves it
 * (never the drafting unit), then the gateway signs the reply (JWS over its text and the digests of its
 * attachments) and relays it through the outbox to the sender, with a copy to the justice bureau; the
 * sender's acknowledgement closes it. A promised rectification becomes a follow-up obligation.
 */
import { and, asc, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import type { Deps, Statements, Stmt } from '../deps.js';
import type { DocumentEntry } from '../../schemas/api/manifest.js';
import { deliveries, documents, obligations, queueItems, suggestionSteps, suggestions } from '../../schemas/db/index.js';
import { dischargeWindowsStmts } from './routing-window.js';
import { fromBase64, sha256Hex } from '../lib/encoding.js';
import { newId } from '../lib/ids.js';
import { insertRows } from '../lib/raw-insert.js';
import { Problem } from '../lib/problem.js';
import { beijingDate } from '../domain/calendar/index.js';
import type { Principal } from './clients.js';
import { type AuditEntry, type AuditHead } from './audit.js';
import { currentDirectory } from './directory.js';
import { evidenceStmts } from './evidence.js';
import { dischargeStmts, replanDocument, type ObligationSummary } from './obligations.js';
import { suggestionReplyDue } from '../domain/suggestion-reply.js';
import { enqueueNotification } from './notifications.js';
import { SUGGESTION_PENDING_STATUSES } from '../domain/vocabulary.js';

export const isSuggestion = (type: string) => type === 'judicial_suggestion' || type === 'procuratorial_suggestion';

/** At intake, in the delivery's batch: the suggestion with its reply deadline (the document's, else the policy's). */
export function suggestionFromIntake(
  deps: Statements,
  ctx: {
    documentId: string;
    doc: DocumentEntry;
    senderCode: string;
    caseId: string | null;
    regionCode: string | null;
    unitId: string | null;
    obligations: ObligationSummary[];
    arrivedAt: Date;
  },
): { items: Stmt[]; entries: AuditEntry[] } {
  const reply = ctx.obligations.find((o) => o.kind === 'suggestion_reply');
  // No reply rule in the region's policy (or an anchor not known yet, e.g. S 五(七) "30 days after handling"):
  // the national default of two months from receipt stands until the handling date is recorded (src/domain/suggestion-reply.ts).
  const id = newId();
  const kind = ctx.doc.type === 'judicial_suggestion' ? ('judicial' as const) : ('procuratorial' as const);
  const { dueOn, origin, source } = suggestionReplyDue({ kind, arrivedAt: ctx.arrivedAt, stated: ctx.doc.replyDueOn, policy: reply });
  return {
    items: [
      deps.db.orm.insert(suggestions).values({
        id,
        documentId: ctx.documentId,
        senderCode: ctx.senderCode,
        kind,
        caseId: ctx.caseId,
        regionCode: ctx.regionCode,
        unitId: ctx.unitId,
        status: ctx.unitId ? 'drafting' : 'queued',
        replyDueOn: dueOn,
        replyDueJson: JSON.stringify({ origin, source }),
        urgent: !!ctx.doc.urgent,
        createdAt: ctx.arrivedAt,
        updatedAt: ctx.arrivedAt,
      }),
    ],
    entries: [
      {
        actor: `sender:${ctx.senderCode}`,
        action: 'suggestion.received',
        subject: `suggestion:${id}`,
        data: { documentId: ctx.documentId, kind, dueOn, origin, unitId: ctx.unitId },
      },
    ],
  };
}

async function load(deps: Deps, id: string) {
  const [s] = await deps.db.orm.select().from(suggestions).where(eq(suggestions.id, id));
  if (!s) throw new Problem('not-found', `no suggestion with id ${id}`);
  return s;
}

/** Who may see a suggestion (404 otherwise). */
function canSee(p: Principal, s: typeof suggestions.$inferSelect): boolean {
  if (p.role === 'admin') return true;
  if (p.role === 'unit') return s.unitId === p.scope;
  if (p.role === 'justice_bureau' || p.role === 'government_office') return s.regionCode === p.scope;
  if (p.role === 'court' || p.role === 'procuratorate') return s.senderCode === p.scope;
  return false;
}

async function visible(deps: Deps, p: Principal, id: string) {
  const s = await load(deps, id).catch(() => undefined);
  if (!s || !canSee(p, s)) throw new Problem('not-found', `no suggestion with id ${id}`);
  return s;
}

const step = (deps: Deps, suggestionId: string, kind: (typeof suggestionSteps.$inferInsert)['kind'], p: Principal, data: unknown, at: Date) =>
  deps.db.orm.insert(suggestionSteps).values({ id: newId(), suggestionId, kind, actor: p.actor, actorRole: p.role, dataJson: JSON.stringify(data), at });

/** The justice bureau names the unit for a suggestion the rules could not place. */
export async function assignSuggestion(deps: Deps, p: Principal, id: string, input: { unitId: string; reason: string }) {
  const now = deps.clock.now();
  return deps.writer.planned(async () => {
    const s = await visible(deps, p, id);
    if (p.role !== 'justice_bureau' && p.role !== 'admin') throw new Problem('forbidden', 'the justice bureau assigns suggestions');
    if (s.status !== 'queued') throw new Problem('conflict', `the suggestion is ${s.status}, not waiting for a unit`);
    const unit = (await currentDirectory(deps)).index.unit(input.unitId);
    if (!unit) throw new Problem('bad-request', `unit "${input.unitId}" is not in the directory`);
    const region = s.regionCode ?? unit.regionCode;
    if (unit.regionCode !== region || (p.role === 'justice_bureau' && p.scope !== region))
      throw new Problem('bad-request', `unit ${unit.name} is not in region ${region}`);
    const items: Stmt[] = [
      deps.db.orm.update(suggestions).set({ unitId: unit.id, regionCode: region, status: 'drafting', updatedAt: now }).where(eq(suggestions.id, id)),
      deps.db.orm
        .update(obligations)
        .set({ unitId: unit.id, regionCode: region, updatedAt: now })
        .where(and(eq(obligations.documentId, s.documentId), eq(obligations.party, 'unit'))),
      // The queue item's routing window is met (src/services/routing-window.ts); read before the item closes.
      ...(await dischargeWindowsStmts(deps, { documentId: s.documentId }, now, `assigned by the justice bureau: ${input.reason}`)),
      deps.db.orm
        .update(queueItems)
        .set({ status: 'assigned', resolvedAt: now, resolvedBy: p.actor, resolution: input.reason })
        .where(and(eq(queueItems.documentId, s.documentId), eq(queueItems.status, 'open'))),
      step(deps, id, 'assigned', p, { unitId: unit.id, unitName: unit.name, reason: input.reason }, now),
    ];
    return {
      entries: [{ actor: p.actor, action: 'suggestion.assigned', subject: `suggestion:${id}`, data: { unitId: unit.id, reason: input.reason } }],
      build: async () => ({ items, result: { id, unitId: unit.id, status: 'drafting' } }),
    };
  }, now);
}

export interface DraftInput {
  text: string;
  attachments?: { filename: string; mediaType: string; content: string }[];
  rectification?: { promised: boolean; by?: string; description?: string };
  handledOn?: string;
}

/** The unit submits (or resubmits) its reply draft for the justice bureau's review. */
export async function submitDraft(deps: Deps, p: Principal, id: string, input: DraftInput) {
  const now = deps.clock.now();
  const atts = await Promise.all(
    (input.attachments ?? []).map(async (a) => {
      let bytes: Uint8Array;
      try {
        bytes = fromBase64(a.content);
      } catch {
        throw new Problem('bad-request', `attachment ${a.filename}: content is not standard base64`);
      }
      return { filename: a.filename, mediaType: a.mediaType, size: bytes.length, sha256: await sha256Hex(bytes), bytes };
    }),
  );
  if (input.rectification?.promised && !input.rectification.by) throw new Problem('bad-request', 'a promised rectification needs its date (rectification.by)');
  return deps.writer.planned(async () => {
    const s = await visible(deps, p, id);
    if (p.role !== 'unit' && p.role !== 'admin') throw new Problem('forbidden', 'the undertaking unit drafts the reply');
    if (s.status !== 'drafting' && s.status !== 'returned')
      throw new Problem('conflict', `the suggestion is ${s.status}; a draft can be submitted while drafting or after it was returned`);
    const draft = {
      text: input.text,
      attachments: atts.map(({ bytes: _b, ...meta }) => meta),
      rectification: input.rectification ?? null,
      handledOn: input.handledOn ?? null,
    };
    const items: Stmt[] = [
      ...(await deps.blobs.stage(atts.map((a) => ({ sha256: a.sha256, bytes: a.bytes, mediaType: a.mediaType })))),
      deps.db.orm.update(suggestions).set({ status: 'under_review', updatedAt: now }).where(eq(suggestions.id, id)),
      step(deps, id, 'draft', p, draft, now),
    ];
    // S 五(七): the result letter is due 30 days after handling; the stated handling day plans it.
    if (input.handledOn)
      items.push(
        ...(
          await replanDocument(deps, s.documentId, now, { actor: p.actor, cause: { draftOf: id }, handled: { documentId: s.documentId, on: input.handledOn } })
        ).items,
      );
    return {
      entries: [
        {
          actor: p.actor,
          action: 'suggestion.draft_submitted',
          subject: `suggestion:${id}`,
          data: { ...draft, text: undefined, textSha256: await sha256Hex(input.text) },
        },
      ],
      build: async () => ({ items, result: { id, status: 'under_review' } }),
    };
  }, now);
}

/** The justice bureau reviews the draft: returned with comments, or passed on for approval. */
export async function reviewDraft(deps: Deps, p: Principal, id: string, input: { result: 'returned' | 'passed'; comments?: string }) {
  const now = deps.clock.now();
  if (input.result === 'returned' && !input.comments?.trim()) throw new Problem('bad-request', 'returning a draft needs comments');
  return deps.writer.planned(async () => {
    const s = await visible(deps, p, id);
    if (p.role !== 'justice_bureau' && p.role !== 'admin') throw new Problem('forbidden', 'the justice bureau reviews reply drafts');
    if (s.status !== 'under_review') throw new Problem('conflict', `the suggestion is ${s.status}, not under review`);
    const status = input.result === 'returned' ? ('returned' as const) : ('awaiting_approval' as const);
    return {
      entries: [{ actor: p.actor, action: `suggestion.review_${input.result}`, subject: `suggestion:${id}`, data: input }],
      build: async () => ({
        items: [deps.db.orm.update(suggestions).set({ status, updatedAt: now }).where(eq(suggestions.id, id)), step(deps, id, 'review', p, input, now)],
        result: { id, status },
      }),
    };
  }, now);
}

/**
 * The government approves (never the unit that drafted): the reply is signed and relayed to the sender through
 * the outbox (and kept for its pull), the justice bureau gets a copy, the reply obligation is discharged, and a
 * promised rectification becomes a follow-up obligation.
 */
export async function approveReply(deps: Deps, p: Principal, id: string, input: { approver: string; post: string }) {
  const now = deps.clock.now();
  if (p.role === 'unit') throw new Problem('forbidden', 'a unit cannot approve a reply: the government approves it');
  if (p.role !== 'government_office' && p.role !== 'admin') throw new Problem('forbidden', 'the government (office) approves replies');
  return deps.writer.planned(async () => {
    const s = await visible(deps, p, id);
    if (s.status !== 'awaiting_approval') throw new Problem('conflict', `the suggestion is ${s.status}, not awaiting approval`);
    const [draftRow] = await deps.db.orm
      .select()
      .from(suggestionSteps)
      .where(and(eq(suggestionSteps.suggestionId, id), eq(suggestionSteps.kind, 'draft')))
      .orderBy(desc(suggestionSteps.at), desc(suggestionSteps.id))
      .limit(1);
    const draft = JSON.parse(draftRow!.dataJson) as {
      text: string;
      attachments: { filename: string; mediaType: string; size: number; sha256: string }[];
      rectification: { promised: boolean; by?: string; description?: string } | null;
    };
    const [doc] = await deps.db.orm
      .select({ documentId: documents.documentId, title: documents.title, messageId: deliveries.messageId, deliveryId: deliveries.id })
      .from(documents)
      .innerJoin(deliveries, eq(deliveries.id, documents.deliveryId))
      .where(eq(documents.id, s.documentId));
    const unit = (await currentDirectory(deps)).index.unit(s.unitId ?? '');
    const payload = {
      suggestionId: id,
      inReplyTo: { messageId: doc!.messageId, documentId: doc!.documentId, title: doc!.title },
      from: { unitId: s.unitId, unitName: unit?.name ?? s.unitId, regionCode: s.regionCode },
      text: draft.text,
      attachments: draft.attachments,
      rectification: draft.rectification,
      approvedBy: { name: input.approver, post: input.post, actor: p.actor },
      approvedAt: now.toISOString(),
      replyDueOn: s.replyDueOn,
    };
    // The reply evidence is signed in build: it states the audit head after its own record.
    const evidenceId = newId();
    const items: Stmt[] = [
      deps.db.orm.update(suggestions).set({ status: 'relayed', replyEvidenceId: evidenceId, updatedAt: now }).where(eq(suggestions.id, id)),
      step(deps, id, 'approval', p, input, now),
      step(deps, id, 'relay', p, { evidenceId }, now),
    ];
    // The reply obligation is discharged (remedied when it was already overdue).
    const open = await deps.db.orm
      .select({ id: obligations.id, status: obligations.status })
      .from(obligations)
      .where(and(eq(obligations.documentId, s.documentId), eq(obligations.kind, 'suggestion_reply'), inArray(obligations.status, ['open', 'overdue'])));
    items.push(...dischargeStmts(deps, open, now, `reply relayed ${evidenceId}`));
    if (draft.rectification?.promised && draft.rectification.by) {
      items.push(
        insertRows(obligations, [
          {
            id: newId(),
            caseId: s.caseId,
            documentId: s.documentId,
            regionCode: s.regionCode,
            ruleId: 'rectification-follow-up',
            kind: 'rectification_follow_up',
            titleZh: '建议整改落实情况跟踪',
            titleEn: 'Follow-up of the promised rectification',
            party: 'unit',
            unitId: s.unitId,
            dueOn: draft.rectification.by,
            provisional: false,
            derivationJson: JSON.stringify({
              fixed: { zh: `答复承诺的整改期限 ${draft.rectification.by}`, en: `rectification date promised in the reply: ${draft.rectification.by}` },
            }),
            source: 'B 第十一条; S 五(七)',
            status: 'open',
            createdAt: now,
            updatedAt: now,
          },
        ]),
      );
    }
    // A copy to the justice bureau of the region.
    const dir = (await currentDirectory(deps)).index;
    for (const jb of s.regionCode ? dir.justiceBureaus(s.regionCode, beijingDate(now)) : []) {
      items.push(
        ...(await enqueueNotification(deps, {
          unitId: jb.id,
          idempotencyKey: `suggestion-reply:${id}:${jb.id}`,
          now,
          message: {
            title: `【抄送】${s.kind === 'judicial' ? '司法建议' : '检察建议'}答复已送达 ${s.senderCode}`,
            lines: [`《${doc!.title}》的答复已经${input.post}${input.approver}批准，并由网关签名送达。`, `承办单位：${unit?.name ?? s.unitId}`],
            obligation: '建议答复',
            dueOn: s.replyDueOn,
          },
        })),
      );
    }
    return {
      entries: [
        {
          actor: p.actor,
          action: 'suggestion.relayed',
          subject: `suggestion:${id}`,
          data: { evidenceId, approvedBy: input, rectification: draft.rectification },
        },
      ],
      build: async (auditHead: AuditHead) => {
        const ev = await evidenceStmts(
          deps,
          {
            id: evidenceId,
            senderCode: s.senderCode,
            type: 'reply',
            deliveryId: doc!.deliveryId,
            documentId: s.documentId,
            uniqueKey: `reply:${id}`,
            payload: { ...payload, auditHead },
          },
          now,
        );
        return { items: [...ev.items, ...items], result: { id, status: 'relayed', evidenceId: ev.id, jws: ev.jws } };
      },
    };
  }, now);
}

/** The sender acknowledges the reply: the suggestion is closed. */
export async function acknowledgeReply(deps: Deps, p: Principal, id: string) {
  const now = deps.clock.now();
  return deps.writer.planned(async () => {
    const s = await visible(deps, p, id);
    if (p.role !== 'court' && p.role !== 'procuratorate') throw new Problem('forbidden', 'the sender of the suggestion acknowledges the reply');
    if (s.status === 'acknowledged') return { entries: [], build: async () => ({ items: [], result: { id, status: 'acknowledged' } }) };
    if (s.status !== 'relayed') throw new Problem('conflict', `there is no relayed reply to acknowledge (status ${s.status})`);
    return {
      entries: [{ actor: p.actor, action: 'suggestion.acknowledged', subject: `suggestion:${id}`, data: { evidenceId: s.replyEvidenceId } }],
      build: async () => ({
        items: [
          deps.db.orm.update(suggestions).set({ status: 'acknowledged', acknowledgedAt: now, updatedAt: now }).where(eq(suggestions.id, id)),
          step(deps, id, 'acknowledged', p, { evidenceId: s.replyEvidenceId }, now),
        ],
        result: { id, status: 'acknowledged' },
      }),
    };
  }, now);
}

export async function listSuggestions(deps: Deps, p: Principal, f: { sender?: string; unit?: string; status?: string; overdue?: boolean; limit?: number }) {
  const conds: SQL[] = [];
  if (p.role === 'unit') conds.push(eq(suggestions.unitId, p.scope));
  else if (p.role === 'justice_bureau' || p.role === 'government_office') conds.push(eq(suggestions.regionCode, p.scope));
  else if (p.role === 'court' || p.role === 'procuratorate') conds.push(eq(suggestions.senderCode, p.scope));
  else if (p.role !== 'admin') throw new Problem('forbidden', 'suggestions are not listed for this role');
  if (f.sender) conds.push(eq(suggestions.senderCode, f.sender));
  if (f.unit) conds.push(eq(suggestions.unitId, f.unit));
  if (f.status) conds.push(eq(suggestions.status, f.status as 'queued'));
  if (f.overdue) conds.push(and(lt(suggestions.replyDueOn, beijingDate(deps.clock.now())), inArray(suggestions.status, SUGGESTION_PENDING_STATUSES))!);
  const rows = await deps.db.orm
    .select({ s: suggestions, title: documents.title })
    .from(suggestions)
    .innerJoin(documents, eq(documents.id, suggestions.documentId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(suggestions.replyDueOn), asc(suggestions.id))
    .limit(Math.min(f.limit ?? 100, 500));
  const today = beijingDate(deps.clock.now());
  return rows.map(({ s, title }) => ({
    id: s.id,
    kind: s.kind,
    title,
    senderCode: s.senderCode,
    regionCode: s.regionCode,
    unitId: s.unitId,
    status: s.status,
    replyDueOn: s.replyDueOn,
    overdue: s.replyDueOn < today && !['relayed', 'acknowledged'].includes(s.status),
    urgent: s.urgent,
    documentId: s.documentId,
    caseId: s.caseId,
  }));
}

export async function suggestionView(deps: Deps, p: Principal, id: string) {
  const s = await visible(deps, p, id);
  const steps = await deps.db.orm
    .select()
    .from(suggestionSteps)
    .where(eq(suggestionSteps.suggestionId, id))
    .orderBy(asc(suggestionSteps.at), asc(suggestionSteps.id));
  return {
    ...s,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    acknowledgedAt: s.acknowledgedAt?.toISOString() ?? null,
    replyDue: JSON.parse(s.replyDueJson) as unknown,
    steps: steps.map((x) => ({ kind: x.kind, actor: x.actor, role: x.actorRole, at: x.at.toISOString(), data: JSON.parse(x.dataJson) as unknown })),
  };
}
