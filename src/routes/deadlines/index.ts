import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { Problem } from '../../lib/problem.js';
import { computeDue, isIsoDate, parsePeriod } from '../../domain/calendar/index.js';
import { currentCalendar, publishYear, removeCalendarOverride, setCalendarOverride } from '../../services/calendar.js';
import { closeObligationAs, listObligations, recomputeAfterCalendarChange } from '../../services/obligations.js';
import { regionPolicy, setRegionPolicy } from '../../services/policies.js';
import { issueFeedToken, unitFeed } from '../../services/feeds.js';
import {
  calendarYear,
  closeObligationRoute,
  computeDeadline,
  deleteOverride,
  getPolicy,
  issueFeedTokenRoute,
  listObligationsRoute,
  publishYearRoute,
  putOverride,
  putPolicy,
  unitFeedRoute,
} from './deadlines.routes.js';

export function mountDeadlines(app: OpenAPIHono<AppEnv>) {
  app.openapi(computeDeadline, async (c) => {
    const q = c.req.valid('query');
    const start = isIsoDate(q.start) ? { date: q.start } : q.start;
    if (typeof start === 'string' && (Number.isNaN(Date.parse(start)) || !/(Z|[+-]\d\d:\d\d)$/.test(start))) {
      throw new Problem('bad-request', `start must be a Beijing date (2026-11-23) or an instant with its offset (2026-11-23T23:59:00+08:00), not "${q.start}"`);
    }
    const r = computeDue({ start, period: parsePeriod(q.period), direction: q.direction, calendar: await currentCalendar(c.var.deps) });
    return c.json({ due: r.due, provisional: r.provisional, derivation: r.derivation }, 200);
  });

  app.openapi(calendarYear, async (c) => {
    const cal = await currentCalendar(c.var.deps);
    return c.json(cal.yearInfo(c.req.valid('param').year), 200);
  });

  app.openapi(putOverride, async (c) => {
    const { date } = c.req.valid('param');
    const change = await setCalendarOverride(c.var.deps, { date, ...c.req.valid('json') }, c.var.actor);
    return c.json({ date, recomputed: await recomputeAfterCalendarChange(c.var.deps, change, c.var.actor) }, 200);
  });
  app.openapi(deleteOverride, async (c) => {
    const { date } = c.req.valid('param');
    const change = await removeCalendarOverride(c.var.deps, date, c.var.actor);
    return c.json({ date, recomputed: await recomputeAfterCalendarChange(c.var.deps, change, c.var.actor) }, 200);
  });
  app.openapi(publishYearRoute, async (c) => {
    const { year } = c.req.valid('param');
    const change = await publishYear(c.var.deps, year, c.var.actor);
    return c.json({ year, recomputed: await recomputeAfterCalendarChange(c.var.deps, change, c.var.actor) }, 200);
  });

  app.openapi(getPolicy, async (c) => {
    const { code } = c.req.valid('param');
    const r = await regionPolicy(c.var.deps, code);
    return c.json({ regionCode: code, presetId: r.presetId, chosen: r.chosen, policy: r.policy }, 200);
  });
  app.openapi(putPolicy, async (c) => {
    const { code } = c.req.valid('param');
    const r = await setRegionPolicy(c.var.deps, code, c.req.valid('json'), c.var.actor);
    return c.json({ regionCode: code, presetId: r.presetId, policy: r.policy }, 200);
  });

  app.openapi(listObligationsRoute, async (c) => {
    const q = c.req.valid('query');
    const p = c.var.principal;
    // A unit sees its own obligations; a justice bureau or government office its region's; a court none (the route's guard).
    if (p.role === 'unit' && q.unit && q.unit !== p.scope) throw new Problem('forbidden', `this client acts for unit ${p.scope}`);
    if ((p.role === 'justice_bureau' || p.role === 'government_office') && q.region && q.region !== p.scope)
      throw new Problem('forbidden', `this client acts for region ${p.scope}`);
    const unit = p.role === 'unit' ? p.scope : q.unit;
    const region = p.role === 'justice_bureau' || p.role === 'government_office' ? p.scope : q.region;
    const items = await listObligations(c.var.deps, {
      ...(unit ? { unitId: unit } : {}),
      ...(region ? { regionCode: region } : {}),
      ...(p.role === 'justice_bureau' ? { orQueuedFor: p.scope } : {}),
      ...(q.case ? { caseId: q.case } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.dueBefore ? { dueBefore: q.dueBefore } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
    return c.json({ items }, 200);
  });
  app.openapi(closeObligationRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await closeObligationAs(c.var.deps, c.var.principal, id, c.req.valid('json'), c.var.actor), 200);
  });

  app.openapi(issueFeedTokenRoute, async (c) => c.json(await issueFeedToken(c.var.deps, c.req.valid('param').unitId, c.var.actor), 201));
  app.openapi(unitFeedRoute, async (c) => {
    const body = await unitFeed(c.var.deps, c.req.valid('param').unitId, c.req.valid('query').token, new URL(c.req.url).origin);
    return c.body(body, 200, { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'private, max-age=300' });
  });
}
