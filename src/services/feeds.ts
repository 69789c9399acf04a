/**
 * iCalendar (RFC 5545) feed of a unit's open deadlines, behind a per-unit secret: clerks subscribe in their own
 * calendar. Only the SHA-256 of the secret is stored; issuing a new one replaces the old.
 *
 * Each deadline is one all-day VEVENT with a stable UID (the obligation's id), a URL to the clerk's case page, a
 * VALARM at each reminder the policy scheduled for it (absolute triggers: the policy's offsets at its reminder
 * time, as the sweep fires them), and a SEQUENCE that grows with every revision (a moved due date, a changed
 * status), so a subscribed calendar replaces the old copy instead of keeping both.
 */
import ical, { ICalAlarmType } from 'ical-generator';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { calendarFeedTokens, cases, obligations, reminders } from '../../schemas/db/index.js';
import { sha256Hex, toBase64 } from '../lib/encoding.js';
import { Problem } from '../lib/problem.js';

import { currentDirectory } from './directory.js';
import { auditedUpsert } from './audit-rows.js';

const ALARM_ZH: Record<string, string> = { reminder: '时限提醒', feedback: '反馈提醒', supervision: '督办', chase: '催办', report: '报告' };

export async function issueFeedToken(deps: Deps, unitId: string, actor: string): Promise<{ unitId: string; token: string; path: string }> {
  const dir = await currentDirectory(deps);
  if (!dir.index.unit(unitId)) throw new Problem('not-found', `no unit "${unitId}" in the directory`);
  const token = toBase64(crypto.getRandomValues(new Uint8Array(24)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const tokenHash = await sha256Hex(token);
  const now = deps.clock.now();
  await deps.writer.audited([{ actor, action: 'feed.token_issued', subject: `unit:${unitId}`, data: { unitId } }], async () => ({
    items: [auditedUpsert(deps, calendarFeedTokens, [{ unitId, tokenHash, createdAt: now }], [calendarFeedTokens.unitId], { tokenHash, createdAt: now })],
    result: null,
  }));
  return { unitId, token, path: `/v1/units/${encodeURIComponent(unitId)}/deadlines.ics?token=${token}` };
}

/**
 * SEQUENCE of a revision: whole seconds from the obligation's creation to its last update (0 as created). Every
 * update (a due date recomputed, a status change) moves updatedAt forward, so the number only grows.
 */
export const feedSequence = (o: { createdAt: Date; updatedAt: Date }) => Math.max(0, Math.floor((o.updatedAt.getTime() - o.createdAt.getTime()) / 1000));

/** `baseUrl`: where people open the gateway's pages (PUBLIC_URL, else the address the feed was fetched from). */
export async function unitFeed(deps: Deps, unitId: string, token: string, baseUrl?: string): Promise<string> {
  const [row] = await deps.db.orm.select().from(calendarFeedTokens).where(eq(calendarFeedTokens.unitId, unitId));
  // The same answer for an unknown unit and a wrong token: the feed does not reveal which units exist.
  if (!row || row.tokenHash !== (await sha256Hex(token))) throw new Problem('not-found', 'no calendar feed at this address (check the token)');
  const dir = await currentDirectory(deps);
  const unit = dir.index.unit(unitId);
  const rows = await deps.db.orm
    .select({ o: obligations, caseNumber: cases.caseNumber })
    .from(obligations)
    .leftJoin(cases, eq(cases.id, obligations.caseId))
    .where(and(eq(obligations.unitId, unitId), inArray(obligations.status, ['open', 'overdue'])))
    .orderBy(asc(obligations.dueOn));
  const alarms = new Map<string, { kind: string; fireAt: Date }[]>();
  const ids = rows.map((r) => r.o.id);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const r of await deps.db.orm
      .select({ obligationId: reminders.obligationId, kind: reminders.kind, fireAt: reminders.fireAt })
      .from(reminders)
      .where(and(inArray(reminders.obligationId, chunk), isNull(reminders.cancelledAt)))) {
      alarms.set(r.obligationId, [...(alarms.get(r.obligationId) ?? []), { kind: r.kind, fireAt: r.fireAt }]);
    }
  }
  const base = (deps.config.publicUrl ?? baseUrl)?.replace(/\/+$/, '');
  const cal = ical({ name: `府院通 时限 · ${unit?.name ?? unitId}`, prodId: { company: 'fuyuan', product: 'deadlines', language: 'ZH' } });
  for (const { o, caseNumber } of rows) {
    const [y, m, d] = o.dueOn.split('-').map(Number) as [number, number, number];
    const caseUrl = base && o.caseId ? `${base}/web/cases/${encodeURIComponent(o.caseId)}` : undefined;
    const event = cal.createEvent({
      id: `${o.id}@fuyuan`,
      sequence: feedSequence(o),
      ...(caseUrl ? { url: caseUrl } : {}),
      start: new Date(Date.UTC(y, m - 1, d)),
      allDay: true,
      summary: `${o.status === 'overdue' ? '【已逾期】' : ''}${o.titleZh}${caseNumber ? ` · ${caseNumber}` : ''}${o.provisional ? '（暂定）' : ''}`,
      description: [
        `时限事项 ${o.titleZh} (${o.titleEn})`,
        caseNumber ? `案号 ${caseNumber}` : '',
        `截止日期 due ${o.dueOn}${o.provisional ? '（暂定 provisional：该年度节假日安排尚未公布）' : ''}`,
        `依据 source ${o.source}`,
        caseUrl ? `案件页面 ${caseUrl}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      stamp: o.updatedAt,
    });
    for (const a of (alarms.get(o.id) ?? []).sort((x, y) => x.fireAt.getTime() - y.fireAt.getTime())) {
      event.createAlarm({
        type: ICalAlarmType.display,
        trigger: a.fireAt,
        description: `${ALARM_ZH[a.kind] ?? '提醒'}：${o.titleZh}${caseNumber ? ` · ${caseNumber}` : ''}，截止 ${o.dueOn}`,
      });
    }
  }
  return cal.toString();
}
