/** The regions' rosters of legal advisers (法律顾问团队库, Q 一(三)): agents are chosen from them. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { and, asc, eq } from 'drizzle-orm';
import type { AppEnv } from '../../deps.js';
import { legalAdvisers } from '../../../schemas/db/index.js';
import { newId } from '../../lib/ids.js';
import { Problem } from '../../lib/problem.js';
import { visibleRegions } from '../../services/access.js';
import { listAdvisers, postAdviser } from './advisers.routes.js';

export function mountAdvisers(app: OpenAPIHono<AppEnv>) {
  app.openapi(postAdviser, async (c) => {
    const { code } = c.req.valid('param');
    const b = c.req.valid('json');
    const row = { id: newId(), regionCode: code, name: b.name, organisation: b.organisation, active: true, createdAt: c.var.deps.clock.now() };
    await c.var.deps.writer.audited(
      [{ actor: c.var.actor, action: 'adviser.added', subject: `region:${code}`, data: { id: row.id, name: b.name, organisation: b.organisation } }],
      async () => ({
        items: [c.var.deps.db.orm.insert(legalAdvisers).values(row)],
        result: null,
      }),
    );
    return c.json({ id: row.id, regionCode: code, name: b.name, organisation: b.organisation, active: true }, 201);
  });
  app.openapi(listAdvisers, async (c) => {
    const { region } = c.req.valid('query');
    const regions = await visibleRegions(c.var.deps, c.var.principal);
    if (regions !== null && !regions.includes(region)) throw new Problem('forbidden', 'outside the regions this client may see');
    const rows = await c.var.deps.db.orm
      .select()
      .from(legalAdvisers)
      .where(and(eq(legalAdvisers.regionCode, region), eq(legalAdvisers.active, true)))
      .orderBy(asc(legalAdvisers.name));
    return c.json({ items: rows.map(({ id, regionCode, name, organisation, active }) => ({ id, regionCode, name, organisation, active })) }, 200);
  });
}
