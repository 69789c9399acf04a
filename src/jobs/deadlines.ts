/**
 * The deadline steps of the sweep (docs/domain.md §4, G 全流程督促跟踪 "报备+提醒+反馈+补救+通报", P 第十五条(三)):
 * fire due reminders, chases, supervision notices and reports through the outbox; turn missed obligations into
 * overdue + remediation items; produce the monthly ledger data on the policy's day. Each step reads through
 * partial indexes (never a full scan), writes in audited batches, and is idempotent: run twice or
 * concurrently, every reminder leaves once (outbox idempotency keys) and every item is created once.
 * Time is an argument; no Node API.
 */
import { and, asc, eq, gte, isNull, lt, lte, sql } from 'drizzle-orm';
import type { Deps, Stmt } from '../deps.js';
import { calendarDataVersions, cases, obligations, periodicRuns, queueItems, remediationItems, reminders } from '../../schemas/db/index.js';
import { ROUTING_WINDOW_KIND } from '../services/routing-window.js';
import { holidayDataFingerprint } from '../domain/calendar/index.js';
import { recomputeAfterCalendarChange } from '../services/obligations.js';
import type { DirectoryIndex } from '../domain/routing/index.js';
import { planRecurring, type Party } from '../domain/policy/index.js';
import { beijingDate, daysInMonth, isoDate, parseIsoDate } from '../domain/calendar/index.js';
import { newId } from '../lib/ids.js';
import { auditedUpdate, type AuditEntry } from '../services/audit.js';
import { currentCalendar } from '../services/calendar.js';
import { currentDirectory } from '../services/directory.js';
import { regionPolicy } from '../services/policies.js';
import { enqueueNotification, type NotificationMessage } from '../services/notifications.js';
import { auditedUpsert } from '../services/audit-rows.js';

const KIND_ZH: Record<string, string> = { reminder: '提醒', feedback: '反馈请求', supervision: '督办单', chase: '催办单', report: '报告', overdue: '逾期通知' };

/** The units a policy party means in a region (the unit itself when the party is the undertaking unit). */
export function recipients(dir: DirectoryIndex, parties: readonly Party[], regionCode: string | null, unitId: string | null, onDate: string): string[] {
  const out = new Set<string>();
  for (const p of parties) {
    if (p === 'unit') {
      if (unitId) out.add(unitId);
      else if (regionCode) dir.justiceBureaus(regionCode, onDate).forEach((u) => out.add(u.id)); // not assigned yet: the bureau is told
    } else if (!regionCode) continue;
    else if (p === 'justice_bureau') dir.justiceBureaus(regionCode, onDate).forEach((u) => out.add(u.id));
    else if (p === 'government_office')
      dir
        .unitsInRegion(regionCode)
        .filter((u) => u.kind === 'government_office')
        .forEach((u) => out.add(u.id));
    else if (p === 'district_government' || p === 'leading_group') dir.governments(regionCode, onDate).forEach((u) => out.add(u.id));
  }
  return [...out];
}

/** The earliest date a provisional deadline could fall on, when before its likely date. */
function earliestOf(o: { derivationJson?: string; dueOn: string }): string | undefined {
  if (!o.derivationJson) return undefined;
  const e = (JSON.parse(o.derivationJson) as { earliestDueOn?: string }).earliestDueOn;
  return e && e < o.dueOn ? e : undefined;
}

export function message(
  kind: string,
  o: { titleZh: string; titleEn: string; dueOn: string; source: string; provisional: boolean; derivationJson?: string },
  caseNumber: string | null,
  base?: string,
  caseId?: string | null,
): NotificationMessage {
  const earliest = earliestOf(o);
  const label = KIND_ZH[kind] ?? kind;
  const ask =
    kind === 'feedback'
      ? '请反馈办理情况（已完成/未完成及原因）。'
      : kind === 'overdue'
        ? '该事项已逾期，已列入补救事项，请立即办理并报司法局。'
        : kind === 'supervision'
          ? '请按期履行生效裁判，并报送履行情况。'
          : kind === 'chase'
            ? '履行期限已过半，请加快履行。'
            : kind === 'report'
              ? '履行期限届满前一周仍未履行完毕，报区政府。'
              : '请在截止日期前办理。';
  return {
    title: `【${label}】${o.titleZh}`,
    lines: [
      ask,
      `事项：${o.titleZh}（${o.titleEn}）`,
      `截止日期：${o.dueOn}${o.provisional ? `（暂定：该年度节假日安排未公布${earliest ? `；如周末调休，最早可能为 ${earliest}，请按最早日期办理` : ''}）` : ''}`,
      `依据：${o.source}`,
    ],
    ...(caseNumber ? { caseNumber } : {}),
    obligation: o.titleZh,
    dueOn: o.dueOn,
    ...(base && caseId ? { link: `${base.replace(/\/$/, '')}/web/cases/${caseId}` } : {}),
  };
}

/**
 * The recipients of an obligation's message; for a routing window whose region is not settled yet, those of
 * every candidate region of its queue item (each candidate bureau sees the item until one claims it).
 */
async function windowAware(
  deps: Deps,
  o: { kind: string; regionCode: string | null; caseId: string | null; documentId: string },
  of: (region: string | null) => string[],
): Promise<string[]> {
  if (o.regionCode || o.kind !== ROUTING_WINDOW_KIND) return of(o.regionCode);
  const items = await deps.db.orm
    .select({ candidates: queueItems.candidateRegions })
    .from(queueItems)
    .where(and(eq(queueItems.status, 'open'), o.caseId ? eq(queueItems.caseId, o.caseId) : eq(queueItems.documentId, o.documentId)));
  const regions = [...new Set(items.flatMap((i) => JSON.parse(i.candidates) as string[]))];
  return [...new Set(regions.flatMap((r) => of(r)))];
}

export interface StepReport {
  [k: string]: number;
}

/** Reminders whose time has come: each leaves once, to every channel of every unit it names. */
export async function fireDueReminders(deps: Deps, now: Date, opts: { batch?: number; max?: number } = {}): Promise<StepReport> {
  const batch = opts.batch ?? 200;
  const max = opts.max ?? 50_000;
  const dir = (await currentDirectory(deps)).index;
  const onDate = beijingDate(now);
  let fired = 0;
  let messages = 0;
  while (fired < max) {
    const done = await deps.writer.planned(async () => {
      const due = await deps.db.orm
        .select({ r: reminders, o: obligations, caseNumber: cases.caseNumber })
        .from(reminders)
        .innerJoin(obligations, eq(obligations.id, reminders.obligationId))
        .leftJoin(cases, eq(cases.id, obligations.caseId))
        .where(and(isNull(reminders.sentAt), isNull(reminders.cancelledAt), lte(reminders.fireAt, now)))
        .orderBy(asc(reminders.fireAt), asc(reminders.id))
        .limit(batch);
      const items: Stmt[] = [];
      const entries: AuditEntry[] = [];
      for (const { r, o, caseNumber } of due) {
        const units = await windowAware(deps, o, (region) => recipients(dir, JSON.parse(r.notifyJson) as Party[], region, o.unitId, onDate));
        const msg = message(r.kind, o, caseNumber, deps.config.publicUrl, o.caseId);
        for (const unitId of units) {
          const stmts = await enqueueNotification(deps, { unitId, message: msg, idempotencyKey: `reminder:${r.id}:${unitId}`, now });
          items.push(...stmts);
          messages += stmts.length;
        }
        items.push(
          deps.db.orm
            .update(reminders)
            .set({ sentAt: now })
            .where(and(eq(reminders.id, r.id), isNull(reminders.sentAt))),
        );
        entries.push({
          actor: 'sweep',
          action: 'reminder.sent',
          subject: `reminder:${r.id}`,
          data: { obligationId: o.id, kind: r.kind, fireAt: r.fireAt.toISOString(), units, source: r.source },
        });
      }
      return { entries, build: async () => ({ items, result: due.length }) };
    }, now);
    fired += done;
    if (done < batch) break;
  }
  return { remindersFired: fired, messagesQueued: messages };
}

/**
 * Kinds that are windows, not duties: the appeal period (ALL 第85条) and the retrial window (行诉解释 第110条) end
 * without anyone having failed; when one passes it lapses (waived with the reason), never overdue.
 */
export const LAPSING_KINDS = ['appeal', 'retrial_application'] as const;

/** Open obligations past their due date become overdue, each with a remediation item (补救), and people are told. */
export async function markOverdue(deps: Deps, now: Date, opts: { batch?: number } = {}): Promise<StepReport> {
  const batch = opts.batch ?? 200;
  const today = beijingDate(now);
  const dir = (await currentDirectory(deps)).index;
  let overdue = 0;
  for (;;) {
    const n = await deps.writer.planned(async () => {
      const rows = await deps.db.orm
        .select({ o: obligations, caseNumber: cases.caseNumber })
        .from(obligations)
        .leftJoin(cases, eq(cases.id, obligations.caseId))
        .where(and(eq(obligations.status, 'open'), lt(obligations.dueOn, today)))
        .orderBy(asc(obligations.dueOn), asc(obligations.id))
        .limit(batch);
      const items: Stmt[] = [];
      const entries: AuditEntry[] = [];
      for (const { o, caseNumber } of rows) {
        if ((LAPSING_KINDS as readonly string[]).includes(o.kind)) {
          const why = o.kind === 'appeal' ? '上诉期届满，未收到上诉（期间届满，不计逾期）' : '申请再审期限届满（期间届满，不计逾期）';
          items.push(
            auditedUpdate(
              deps,
              obligations,
              { status: 'waived', statusReason: why, doneAt: now, updatedAt: now },
              and(eq(obligations.id, o.id), eq(obligations.status, 'open')),
            ),
          );
          items.push(
            deps.db.orm
              .update(reminders)
              .set({ cancelledAt: now })
              .where(and(eq(reminders.obligationId, o.id), isNull(reminders.sentAt), isNull(reminders.cancelledAt))),
          );
          entries.push({
            actor: 'sweep',
            action: 'obligation.lapsed',
            subject: `obligation:${o.id}`,
            data: { kind: o.kind, dueOn: o.dueOn, today, source: o.source },
          });
          continue;
        }
        items.push(auditedUpdate(deps, obligations, { status: 'overdue', updatedAt: now }, and(eq(obligations.id, o.id), eq(obligations.status, 'open'))));
        items.push(
          deps.db.orm
            .insert(remediationItems)
            .values({ id: newId(), obligationId: o.id, regionCode: o.regionCode, unitId: o.unitId, createdAt: now, status: 'open' })
            .onConflictDoNothing(),
        );
        // A missed routing window is escalated to the government office as well (src/services/routing-window.ts).
        const parties: Party[] =
          o.kind === ROUTING_WINDOW_KIND ? [o.party as Party, 'justice_bureau', 'government_office'] : [o.party as Party, 'justice_bureau'];
        const units = await windowAware(deps, o, (region) => recipients(dir, parties, region, o.unitId, today));
        const msg = message('overdue', o, caseNumber, deps.config.publicUrl, o.caseId);
        for (const unitId of units)
          items.push(...(await enqueueNotification(deps, { unitId, message: msg, idempotencyKey: `overdue:${o.id}:${unitId}`, now })));
        entries.push({ actor: 'sweep', action: 'obligation.overdue', subject: `obligation:${o.id}`, data: { dueOn: o.dueOn, today, unitId: o.unitId, units } });
      }
      return { entries, build: async () => ({ items, result: rows.length }) };
    }, now);
    overdue += n;
    if (n < batch) break;
  }
  return { overdue };
}

/** Recurring items due today (the monthly ledger on P's day 20 …): data frozen once per region and period. */
export async function runPeriodic(deps: Deps, now: Date): Promise<StepReport> {
  const today = beijingDate(now);
  const dir = (await currentDirectory(deps)).index;
  const calendar = await currentCalendar(deps);
  let runs = 0;
  for (const regionCode of dir.regionCodes()) {
    const { policy } = await regionPolicy(deps, regionCode);
    // Items scheduled this month whose (rest-day adjusted) due day has come: a scheduled day 20 that is a Sunday
    // is due on the Friday before; a sweep that missed the day still produces the item.
    const { year, month } = parseIsoDate(today);
    const monthEnd = isoDate(year, month, daysInMonth(year, month));
    const due = planRecurring(policy, { from: `${today.slice(0, 7)}-01`, to: monthEnd }, calendar).filter((r) => r.dueOn <= today);
    for (const r of due) {
      const period = r.scheduledOn.slice(0, 7);
      const [exists] = await deps.db.orm
        .select({ id: periodicRuns.id })
        .from(periodicRuns)
        .where(and(eq(periodicRuns.regionCode, regionCode), eq(periodicRuns.kind, r.kind), eq(periodicRuns.period, period)));
      if (exists) continue;
      const data = await ledgerData(deps, regionCode, today);
      const id = newId();
      const units = recipients(dir, [r.actor, ...r.notify], regionCode, null, today);
      const msg: NotificationMessage = {
        title: `【${r.title.zh}】${period}`,
        lines: [
          `${dir.region(regionCode)?.name ?? regionCode} ${period} ${r.title.zh}已生成`,
          `未结案件 ${data.pendingCases} 件，未办结时限事项 ${data.openObligations} 项，逾期 ${data.overdueObligations} 项，补救事项 ${data.openRemediation} 项`,
          `依据：${r.source}`,
        ],
        dueOn: r.dueOn,
      };
      const inserted = await deps.writer.planned(async () => {
        const items: Stmt[] = [
          deps.db.orm
            .insert(periodicRuns)
            .values({ id, regionCode, kind: r.kind, period, dueOn: r.dueOn, createdAt: now, dataJson: JSON.stringify(data) })
            .onConflictDoNothing(),
        ];
        for (const unitId of units)
          items.push(
            ...(await enqueueNotification(deps, { unitId, message: msg, idempotencyKey: `periodic:${regionCode}:${r.kind}:${period}:${unitId}`, now })),
          );
        return {
          entries: [
            { actor: 'sweep', action: 'periodic.produced', subject: `periodic:${id}`, data: { regionCode, kind: r.kind, period, source: r.source, ...data } },
          ],
          build: async () => ({ items, result: 1 }),
        };
      }, now);
      runs += inserted;
    }
  }
  return { periodicRuns: runs };
}

/** The ledger's figures for a region (台账: pending cases and what is open, overdue and being remedied). */
export async function ledgerData(deps: Deps, regionCode: string, today: string) {
  const [c] = await deps.db.orm
    .select({ n: sql<number>`count(*)` })
    .from(cases)
    .where(eq(cases.regionCode, regionCode));
  const [open] = await deps.db.orm
    .select({ n: sql<number>`count(*)` })
    .from(obligations)
    .where(and(eq(obligations.regionCode, regionCode), eq(obligations.status, 'open')));
  const [over] = await deps.db.orm
    .select({ n: sql<number>`count(*)` })
    .from(obligations)
    .where(and(eq(obligations.regionCode, regionCode), eq(obligations.status, 'overdue')));
  const [rem] = await deps.db.orm
    .select({ n: sql<number>`count(*)` })
    .from(remediationItems)
    .where(and(eq(remediationItems.regionCode, regionCode), eq(remediationItems.status, 'open')));
  const dueSoon = await deps.db.orm
    .select({ id: obligations.id, kind: obligations.kind, dueOn: obligations.dueOn, unitId: obligations.unitId })
    .from(obligations)
    .where(and(eq(obligations.regionCode, regionCode), eq(obligations.status, 'open'), gte(obligations.dueOn, today)))
    .orderBy(asc(obligations.dueOn))
    .limit(50);
  return {
    asOf: today,
    pendingCases: Number(c?.n ?? 0),
    openObligations: Number(open?.n ?? 0),
    overdueObligations: Number(over?.n ?? 0),
    openRemediation: Number(rem?.n ?? 0),
    dueSoon,
  };
}

let holidayDigest: Promise<string> | undefined;

/** SHA-256 (WebCrypto) of the installed holiday data's fingerprint, once per process. */
export function holidayDataDigest(): Promise<string> {
  holidayDigest ??= crypto.subtle
    .digest('SHA-256', new TextEncoder().encode(holidayDataFingerprint()))
    .then((b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join(''));
  return holidayDigest;
}

/**
 * A new version of the holiday data (a package upgrade bringing the next year's notice): every non-closed obligation
 * is re-planned, then the digest is stored. Runs first in every sweep, so on each runtime's start too.
 */
export async function recomputeOnHolidayDataChange(deps: Deps, now: Date): Promise<StepReport> {
  const digest = await holidayDataDigest();
  const [row] = await deps.db.orm.select().from(calendarDataVersions).where(eq(calendarDataVersions.id, 'holidays'));
  if (row?.digest === digest) return { recomputed: 0 };
  const r = await recomputeAfterCalendarChange(deps, { kind: 'data', digest, previous: row?.digest ?? null }, 'calendar-data');
  const detail = JSON.stringify({ previous: row?.digest ?? null, examined: r.examined, changed: r.changed });
  await deps.writer.planned(
    async () => ({
      entries: [
        {
          actor: 'sweep',
          action: 'calendar.data_version',
          subject: 'calendar:holidays',
          data: { digest, previous: row?.digest ?? null, examined: r.examined, changed: r.changed },
        },
      ],
      build: async () => ({
        items: [
          auditedUpsert(deps, calendarDataVersions, [{ id: 'holidays', digest, detail, checkedAt: now }], [calendarDataVersions.id], {
            digest,
            detail,
            checkedAt: now,
          }),
        ],
        result: null,
      }),
    }),
    now,
  );
  return { recomputed: r.changed, examined: r.examined };
}
