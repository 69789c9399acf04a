/**
 * iCalendar (RFC 5545) feed of a unit's open deadlines, behind a per-unit secret: clerks subscribe in their own
 * calendar. Only the SHA-256 of the secret is stored; issuing a new one replaces the old.
 */
import ical from 'ical-generator';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { calendarFeedTokens, cases, obligations } from '../../schemas/db/index.js';
import { sha256Hex, toBase64 } from '../lib/encoding.js';
import { Problem } from '../lib/problem.js';
import { commitAudited } from './audit.js';
import { currentDirectory } from './directory.js';

export async function issueFeedToken(deps: Deps, unitId: string, actor: string): Promise<{ unitId: string; token: string; path: string }> {
  const dir = await currentDirectory(deps);
  if (!dir.index.unit(unitId)) throw new Problem('not-found', `no unit "${unitId}" in the directory`);
  const token = toBase64(crypto.getRandomValues(new Uint8Array(24))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const tokenHash = await sha256Hex(token);
  const now = deps.clock.now();
  await commitAudited(deps, [{ actor, action: 'feed.token_issued', subject: `unit:${unitId}`, data: { unitId } }], async () => ({
    items: [deps.db.orm.insert(calendarFeedTokens).values({ unitId, tokenHash, createdAt: now }).onConflictDoUpdate({ target: calendarFeedTokens.unitId, set: { tokenHash, createdAt: now } })],
    result: null,
  }));
  return { unitId, token, path: `/v1/units/${encodeURIComponent(unitId)}/deadlines.ics?token=${token}` };
}

export async function unitFeed(deps: Deps, unitId: string, token: string): Promise<string> {
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
  const cal = ical({ name: `府院通 时限 · ${unit?.name ?? unitId}`, prodId: { company: 'fuyuan', product: 'deadlines', language: 'ZH' } });
  for (const { o, caseNumber } of rows) {
    const [y, m, d] = o.dueOn.split('-').map(Number) as [number, number, number];
    cal.createEvent({
      id: `${o.id}@fuyuan`,
      start: new Date(Date.UTC(y, m - 1, d)),
      allDay: true,
      summary: `${o.status === 'overdue' ? '【已逾期】' : ''}${o.titleZh}${caseNumber ? ` · ${caseNumber}` : ''}${o.provisional ? '（暂定）' : ''}`,
      description: [
        `时限事项 ${o.titleZh} (${o.titleEn})`,
        caseNumber ? `案号 ${caseNumber}` : '',
        `截止日期 due ${o.dueOn}${o.provisional ? '（暂定 provisional：该年度节假日安排尚未公布）' : ''}`,
        `依据 source ${o.source}`,
        deps.config.publicUrl ? `${deps.config.publicUrl.replace(/\/$/, '')}/v1/obligations?case=${o.caseId ?? ''}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      stamp: o.updatedAt,
    });
  }
  return cal.toString();
}
