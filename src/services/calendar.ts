/**
 * The legal calendar as the gateway uses it: the maintained package (chinese-days) with the administrator's
 * overrides from the database on top (src/domain/calendar). Built once per version of the overrides; every
 * change is audited and recomputes the open deadlines it can move.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Deps, Stmt } from '../deps.js';
import { calendarOverrides, calendarPublishedYears } from '../../schemas/db/index.js';
import { createChineseDaysCalendar, parseCalendarOverrides, isIsoDate, type Calendar } from '../domain/calendar/index.js';
import { Problem } from '../lib/problem.js';
import { type AuditEntry } from './audit.js';
import { invalidateLookups, lookup } from '../lib/ttl-cache.js';
import { auditedUpsert } from './audit-rows.js';
import { slot } from '../lib/process-state.js';

/** The legal calendar with the administrator's overrides, built once per version of them. */
const CALENDAR = slot<{ current?: { version: string; calendar: Calendar } }>('calendar', () => ({}));

export async function currentCalendar(deps: Deps): Promise<Calendar> {
  const version = await lookup(deps, 'calendar:version', async () => {
    const [sig] = await deps.db.orm
      .select({ n: sql<number>`count(*)`, last: sql<number>`coalesce(max(${calendarOverrides.createdAt}), 0)` })
      .from(calendarOverrides);
    const [ysig] = await deps.db.orm
      .select({ n: sql<number>`count(*)`, last: sql<number>`coalesce(max(${calendarPublishedYears.createdAt}), 0)` })
      .from(calendarPublishedYears);
    return `${sig?.n}:${sig?.last}:${ysig?.n}:${ysig?.last}`;
  });
  const cache = deps.state.get(CALENDAR);
  const hit = cache.current;
  if (hit && hit.version === version) return hit.calendar;
  const days = await deps.db.orm.select().from(calendarOverrides).orderBy(asc(calendarOverrides.date));
  const years = await deps.db.orm.select().from(calendarPublishedYears);
  const calendar = createChineseDaysCalendar(
    parseCalendarOverrides({
      days: days.map((d) => ({ date: d.date, working: d.working, name: d.name, reason: d.reason })),
      publishedYears: years.map((y) => y.year),
    }),
  );
  cache.current = { version, calendar };
  return calendar;
}

export interface OverrideInput {
  date: string;
  working: boolean;
  name: string;
  reason: string;
}

/** Add or change an override day; the caller recomputes the open deadlines it can move. */
export async function setCalendarOverride(deps: Deps, input: OverrideInput, actor: string) {
  if (!isIsoDate(input.date)) throw new Problem('bad-request', `date must be YYYY-MM-DD, not "${input.date}"`);
  if (!input.name.trim() || !input.reason.trim()) throw new Problem('bad-request', 'an override needs a name and a reason');
  const now = deps.clock.now();
  await deps.writer.audited([{ actor, action: 'calendar.override_set', subject: `calendar:${input.date}`, data: input }], async () => ({
    items: [
      auditedUpsert(deps, calendarOverrides, [{ ...input, createdAt: now, actor }], [calendarOverrides.date], {
        working: input.working,
        name: input.name,
        reason: input.reason,
        createdAt: now,
        actor,
      }),
    ],
    result: null,
  }));
  invalidateLookups(deps);
  deps.state.reset(CALENDAR); // the same count and time stamp can follow a change under a fixed clock
  return { kind: 'day', date: input.date } as CalendarChange;
}

export async function removeCalendarOverride(deps: Deps, date: string, actor: string) {
  const [row] = await deps.db.orm.select().from(calendarOverrides).where(eq(calendarOverrides.date, date));
  if (!row) throw new Problem('not-found', `no override for ${date}`);
  await deps.writer.audited([{ actor, action: 'calendar.override_removed', subject: `calendar:${date}`, data: { date } }], async () => ({
    items: [deps.db.orm.delete(calendarOverrides).where(eq(calendarOverrides.date, date))],
    result: null,
  }));
  invalidateLookups(deps);
  deps.state.reset(CALENDAR);
  return { kind: 'day', date } as CalendarChange;
}

/** Mark a year's notice as fully entered by overrides: its deadlines stop being provisional. */
export async function publishYear(deps: Deps, year: number, actor: string) {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new Problem('bad-request', `year ${year} is out of range`);
  await deps.writer.audited([{ actor, action: 'calendar.year_published', subject: `calendar:${year}`, data: { year } }], async () => ({
    items: [deps.db.orm.insert(calendarPublishedYears).values({ year, createdAt: deps.clock.now(), actor }).onConflictDoNothing()],
    result: null,
  }));
  invalidateLookups(deps);
  deps.state.reset(CALENDAR);
  return { kind: 'year', year } as CalendarChange;
}

/** Which open deadlines a calendar change can move (recomputed by src/services/obligations.ts). */
export type CalendarChange = { kind: 'day'; date: string } | { kind: 'year'; year: number };

export type { AuditEntry, Stmt };
