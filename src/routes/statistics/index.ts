/** Shared statistics (docs/domain.md §7): figures, drill-down, signed meeting packs, ledger and report exports. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { definitions, drillDown, overview, type StatsQuery } from '../../services/statistics.js';
import { PAGE_SECURITY_HEADERS } from '../../http/security-headers.js';
import { comparePacks, createPack, getPack, listPacks } from '../../services/packs.js';
import { ledger, ledgerCsv, ledgerXlsx, packHtml, reportData } from '../../services/exports.js';
import {
  comparePacksRoute,
  createPackRoute,
  definitionsRoute,
  drillDownRoute,
  getPackRoute,
  ledgerRoute,
  listPacksRoute,
  overviewRoute,
  printPackRoute,
  reportRoute,
} from './statistics.routes.js';

const list = (s?: string) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

function statsQuery(q: {
  period: string;
  region?: string;
  unit?: string;
  domain?: string;
  instance?: 'first' | 'second' | 'retrial';
  variant?: string;
}): StatsQuery {
  const regions = list(q.region);
  const variant = list(q.variant);
  return {
    period: q.period,
    ...(regions ? { regions } : {}),
    ...(q.unit ? { unit: q.unit } : {}),
    ...(q.domain ? { domain: q.domain } : {}),
    ...(q.instance ? { instance: q.instance } : {}),
    ...(variant ? { variant } : {}),
  };
}

export function mountStatistics(app: OpenAPIHono<AppEnv>) {
  app.openapi(overviewRoute, async (c) => c.json(await overview(c.var.deps, c.var.principal, statsQuery(c.req.valid('query'))), 200));
  app.openapi(definitionsRoute, async (c) => c.json({ items: definitions() }, 200));
  app.openapi(drillDownRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await drillDown(c.var.deps, c.var.principal, c.req.valid('param').figure, { ...statsQuery(q), ...(q.part ? { part: q.part } : {}) }), 200);
  });

  app.openapi(createPackRoute, async (c) => {
    const b = c.req.valid('json');
    const r = await createPack(c.var.deps, c.var.principal, {
      meetingDate: b.meetingDate,
      period: b.period,
      ...(b.regions ? { regions: b.regions } : {}),
      ...(b.agendaNotes ? { agendaNotes: b.agendaNotes } : {}),
      ...(b.unit ? { unit: b.unit } : {}),
      ...(b.domain ? { domain: b.domain } : {}),
      ...(b.instance ? { instance: b.instance } : {}),
      ...(b.variant ? { variant: b.variant } : {}),
    });
    return c.json({ id: r.id, contentDigest: r.contentDigest, jws: r.jws, content: r.content }, 201);
  });
  app.openapi(listPacksRoute, async (c) => c.json({ items: await listPacks(c.var.deps, c.var.principal, c.req.valid('query').limit) }, 200));
  app.openapi(getPackRoute, async (c) => {
    const r = await getPack(c.var.deps, c.var.principal, c.req.valid('param').id);
    return c.json({ id: r.id, contentDigest: r.contentDigest, jws: r.jws, content: r.content }, 200);
  });
  app.openapi(printPackRoute, async (c) => {
    const r = await getPack(c.var.deps, c.var.principal, c.req.valid('param').id);
    for (const [k, v] of Object.entries(PAGE_SECURITY_HEADERS)) c.header(k, v);
    return c.html(packHtml(r), 200);
  });
  app.openapi(comparePacksRoute, async (c) => {
    const { id, otherId } = c.req.valid('param');
    return c.json(await comparePacks(c.var.deps, c.var.principal, id, otherId), 200);
  });

  app.openapi(ledgerRoute, async (c) => {
    const q = c.req.valid('query');
    const p = c.var.principal;
    const data = await ledger(c.var.deps, p, q.region, q.month, q.unit);
    const name = `台账-${data.regionName}-${data.month}`;
    if (q.format === 'xlsx') {
      const bytes = await ledgerXlsx(data);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}.xlsx`,
      });
    }
    if (q.format === 'csv') {
      const sheet = data.sheets.find((s) => s.kind === (q.sheet ?? 'pending'))!;
      return c.body(ledgerCsv(sheet) as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(`${name}-${sheet.title}`)}.csv`,
      });
    }
    return c.json(data, 200);
  });

  app.openapi(reportRoute, async (c) =>
    c.json(await reportData(c.var.deps, c.var.principal, c.req.valid('param').period, list(c.req.valid('query').region)), 200),
  );
}
