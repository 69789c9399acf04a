/** Record a step of a case (issue 5 item 4) and discharge the obligations it completes; the case timeline. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Deps, Stmt } from '../deps.js';
import { assignments, caseSteps, evidence, legalAdvisers, obligations } from '../../schemas/db/index.js';
import { dischargeStmts, replanCase } from './obligations.js';
import { STEP_RULES, STEP_SCHEMAS, type StepKind } from '../domain/steps.js';
import { newId } from '../lib/ids.js';
import type { AttachmentRead } from './filings.js';
import { fromBase64, sha256Hex } from '../lib/encoding.js';
import { Problem } from '../lib/problem.js';
import type { Principal } from './clients.js';
import { assertCaseAccess } from './access.js';

import { reviseCase } from './case-revisions.js';
import { caseDocuments } from './case-documents.js';
import { assertSettable } from './appearance.js';

export async function recordStep(deps: Deps, p: Principal, caseId: string, kind: string, input: unknown) {
  if (!(kind in STEP_SCHEMAS)) throw new Problem('bad-request', `unknown step "${kind}"; one of ${Object.keys(STEP_SCHEMAS).join(', ')}`);
  const k = kind as StepKind;
  const rule = STEP_RULES[k];
  if (p.role !== 'admin' && !(rule.roles as string[]).includes(p.role))
    throw new Problem('forbidden', `${rule.zh} (${k}) is recorded by ${rule.roles.join(' or ')}`);
  const parsed = STEP_SCHEMAS[k].safeParse(input);
  if (!parsed.success) {
    throw new Problem('bad-request', `${k}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
      errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  // A unit records steps only for cases assigned to it; a bureau or office only in its region.
  const c = await assertCaseAccess(deps, p, caseId, p.role === 'government_office' ? 'read' : p.role === 'unit' ? 'read' : 'decide');
  // Legal advisers must come from the region's roster (法律顾问团队库, Q 一(三)).
  const data = parsed.data as {
    agents?: { kind: string; adviserId?: string; name: string }[];
    cannotAppear?: { agents: { kind: string; adviserId?: string; name: string }[] };
  };
  const advisers = [...(data.agents ?? []), ...(data.cannotAppear?.agents ?? [])].filter((a) => a.kind === 'legal_adviser');
  if (advisers.length) {
    const roster = await deps.db.orm
      .select({ id: legalAdvisers.id })
      .from(legalAdvisers)
      .where(
        and(
          eq(legalAdvisers.regionCode, c.regionCode ?? ''),
          eq(legalAdvisers.active, true),
          inArray(
            legalAdvisers.id,
            advisers.map((a) => a.adviserId!),
          ),
        ),
      );
    const known = new Set(roster.map((r) => r.id));
    const missing = advisers.filter((a) => !known.has(a.adviserId!));
    if (missing.length)
      throw new Problem(
        'bad-request',
        `not on region ${c.regionCode}'s roster of legal advisers (法律顾问团队库, Q 一(三)): ${missing.map((a) => `${a.name} (${a.adviserId})`).join(', ')}`,
      );
  }
  // The head-appearance situations a bureau may set depend on its region's policy (src/domain/appearance.ts).
  if (k === 'appearance_situations') await assertSettable(deps, c.regionCode, (parsed.data as { situations: string[] }).situations);
  // Attachments (the defence draft itself): stored as blobs by digest; the step keeps their names and digests.
  const files = await attachmentsOf(parsed.data as { attachments?: { filename: string; mediaType: string; content: string }[] });
  const stored = files ? { ...(parsed.data as object), attachments: files.map(({ bytes: _b, ...meta }) => meta) } : parsed.data;
  const now = deps.clock.now();
  return deps.writer.planned(async () => {
    const id = newId();
    const open = rule.closes.length
      ? await deps.db.orm
          .select({ id: obligations.id, status: obligations.status, kind: obligations.kind })
          .from(obligations)
          .where(and(eq(obligations.caseId, caseId), inArray(obligations.kind, rule.closes), inArray(obligations.status, ['open', 'overdue'])))
      : [];
    const items: Stmt[] = [
      ...(files?.length ? await deps.blobs.stage(files.map((f) => ({ sha256: f.sha256, bytes: f.bytes, mediaType: f.mediaType }))) : []),
      deps.db.orm.insert(caseSteps).values({ id, caseId, kind: k, actorRole: p.role, actor: p.actor, dataJson: JSON.stringify(stored), at: now }),
    ];
    items.push(...dischargeStmts(deps, open, now, `step ${k} ${id}`));
    // A recorded fact (effectiveness, an appeal, the day a 阅办单 was presented) moves what counts from it.
    const replan = await replanCase(deps, caseId, now, {
      actor: p.actor,
      cause: { step: k, stepId: id },
      pendingSteps: [{ kind: k, data: stored as Record<string, unknown>, actor: p.actor }],
      doneIds: open.map((o) => o.id),
    });
    items.push(...replan.items, ...(await reviseCase(deps.db, caseId)));
    return {
      entries: [
        { actor: p.actor, action: `step.${k}`, subject: `case:${caseId}`, data: { stepId: id, ...(stored as object), closed: open.map((o) => o.id) } },
        ...replan.entries,
      ],
      build: async () => ({ items, result: { id, caseId, kind: k, closed: open.map((o) => ({ id: o.id, kind: o.kind })) } }),
    };
  }, now);
}

async function attachmentsOf(data: { attachments?: { filename: string; mediaType: string; content: string }[] }) {
  if (!data.attachments) return undefined;
  return Promise.all(
    data.attachments.map(async (a) => {
      let bytes: Uint8Array;
      try {
        bytes = fromBase64(a.content);
      } catch {
        throw new Problem('bad-request', `attachment ${a.filename}: content is not standard base64`);
      }
      return { filename: a.filename, mediaType: a.mediaType, size: bytes.length, sha256: await sha256Hex(bytes), bytes };
    }),
  );
}

/** An attachment of a recorded step (the defence draft), for whoever may read the case; `read` as attachmentBytes's. */
export async function stepAttachment(deps: Deps, p: Principal, caseId: string, stepId: string, sha256: string, read: AttachmentRead) {
  await assertCaseAccess(deps, p, caseId);
  const [s] = await deps.db.orm
    .select()
    .from(caseSteps)
    .where(and(eq(caseSteps.id, stepId), eq(caseSteps.caseId, caseId)));
  const meta = (
    (s ? (JSON.parse(s.dataJson) as { attachments?: { filename: string; mediaType: string; size: number; sha256: string }[] }) : {}).attachments ?? []
  ).find((a) => a.sha256 === sha256);
  if (!meta) throw new Problem('not-found', `no attachment ${sha256} in step ${stepId} of case ${caseId}`);
  if (read.headOnly) return { meta, bytes: null };
  read.admit(meta.size);
  const bytes = await deps.blobs.get(meta.sha256);
  if (!bytes) throw new Error(`blob ${meta.sha256} of step ${stepId} is missing from the blob store`);
  return { meta, bytes };
}

export interface TimelineEntry {
  at: string;
  kind: 'document' | 'assignment' | 'obligation' | 'obligation_closed' | 'step' | 'evidence';
  who: string;
  what: string;
  ref: string;
  data?: unknown;
  /** The entry's parts as fields, for pages that word it themselves (in Chinese, without codes). */
  facts?: Record<string, string | boolean | null>;
}

/** Everything that happened in a case, in order, with who and when. */
export async function caseTimeline(deps: Deps, p: Principal, caseId: string): Promise<{ caseId: string; caseNumber: string; entries: TimelineEntry[] }> {
  const c = await assertCaseAccess(deps, p, caseId);
  const docs = await caseDocuments(deps, caseId);
  const asg = await deps.db.orm.select().from(assignments).where(eq(assignments.caseId, caseId));
  const obs = await deps.db.orm.select().from(obligations).where(eq(obligations.caseId, caseId));
  const steps = await deps.db.orm.select().from(caseSteps).where(eq(caseSteps.caseId, caseId)).orderBy(asc(caseSteps.at));
  const ev = docs.length
    ? await deps.db.orm
        .select()
        .from(evidence)
        .where(
          inArray(
            evidence.documentId,
            docs.map((d) => d.id),
          ),
        )
    : [];
  const entries: TimelineEntry[] = [
    ...docs.map((d) => ({
      at: d.arrivedAt.toISOString(),
      kind: 'document' as const,
      who: 'court',
      what: `送达 ${d.title} (${d.type}) · ${d.status === 'assigned' ? `分办 ${d.rule}` : '待司法局确定'}`,
      ref: d.id,
      facts: { type: d.type, title: d.title, routing: d.status },
    })),
    ...asg.map((a) => ({
      at: a.createdAt.toISOString(),
      kind: 'assignment' as const,
      who: a.actor,
      what: `承办 ${a.unitName} (${a.role}) · ${a.rule} ${a.article}${a.supersededAt ? ' · 已变更' : ''}`,
      ref: a.id,
      data: { reason: a.reason, decidedBy: a.decidedBy },
      facts: { unitName: a.unitName, role: a.role, article: a.article, superseded: !!a.supersededAt },
    })),
    ...obs.map((o) => ({
      at: o.createdAt.toISOString(),
      kind: 'obligation' as const,
      who: 'rules',
      what: `时限 ${o.titleZh} 截止 ${o.dueOn}${o.provisional ? '（暂定）' : ''} · ${o.source}`,
      ref: o.id,
      facts: { titleZh: o.titleZh, dueOn: o.dueOn, provisional: o.provisional, source: o.source },
    })),
    ...obs
      .filter((o) => o.doneAt)
      .map((o) => ({
        at: o.doneAt!.toISOString(),
        kind: 'obligation_closed' as const,
        who: o.statusReason ?? '',
        what: `${o.titleZh} ${o.status}`,
        ref: o.id,
        facts: { titleZh: o.titleZh, status: o.status },
      })),
    ...steps.map((s) => ({
      at: s.at.toISOString(),
      kind: 'step' as const,
      who: s.actor,
      what: `${STEP_RULES[s.kind as StepKind]?.zh ?? s.kind} (${s.kind})`,
      ref: s.id,
      data: JSON.parse(s.dataJson) as unknown,
      facts: { step: s.kind },
    })),
    ...ev.map((e) => ({
      at: e.createdAt.toISOString(),
      kind: 'evidence' as const,
      who: 'gateway',
      what: `证据 ${e.type} → ${e.senderCode}`,
      ref: e.id,
      facts: { evidence: e.type, senderCode: e.senderCode },
    })),
  ];
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.ref < b.ref ? -1 : 1));
  return { caseId, caseNumber: c.caseNumber, entries };
}
