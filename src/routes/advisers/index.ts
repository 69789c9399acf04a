/** The regions' rosters of legal advisers (法律顾问团队库, Q 一(三)): agents are chosen from them. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { and, asc, eq } from 'drizzle-orm';
import type { AppEnv } from '../../deps.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { legalAdvisers } from '../../../schemas/db/index.js';
import { authenticate, principalOf, visibleRegions } from '../../lib/auth.js';
import { newId } from '../../lib/ids.js';
import { Problem } from '../../lib/problem.js';


const security = [{ adminToken: [] }];
const Adviser = z.object({ id: z.string(), regionCode: z.string(), name: z.string(), organisation: z.string(), active: z.boolean() }).openapi('LegalAdviser');

const postAdviser = createRoute({
  method: 'post',
  path: '/v1/admin/regions/{code}/advisers',
  tags: ['Cases 案件'],
  summary: "Add a legal adviser to a region's roster (法律顾问团队库)",
  security,
  request: {
    params: z.object({ code: z.string().regex(/^\d{6}$/) }),
    body: { required: true, content: { 'application/json': { schema: z.object({ name: z.string().trim().min(1).max(100), organisation: z.string().trim().min(1).max(200) }) } } },
  },
  responses: { 201: { description: 'Added', content: { 'application/json': { schema: Adviser } } }, ...problemResponses(400, 401, 403) },
});

const listAdvisers = createRoute({
  method: 'get',
  path: '/v1/advisers',
  tags: ['Cases 案件'],
  summary: "A region's roster, to choose agents from",
  security,
  request: { query: z.object({ region: z.string().regex(/^\d{6}$/) }) },
  responses: { 200: { description: 'Roster', content: { 'application/json': { schema: z.object({ items: z.array(Adviser) }) } } }, ...problemResponses(401, 403) },
});

/** Mounted after mountDirectory (whose /v1/admin/* guard requires the admin role). */
export function mountAdvisers(app: OpenAPIHono<AppEnv>) {
  app.use('/v1/advisers', authenticate);
  app.openapi(postAdviser, async (c) => {
    const { code } = c.req.valid('param');
    const b = c.req.valid('json');
    const row = { id: newId(), regionCode: code, name: b.name, organisation: b.organisation, active: true, createdAt: c.var.deps.clock.now() };
    await c.var.deps.writer.audited([{ actor: String(c.get('actor' as never)), action: 'adviser.added', subject: `region:${code}`, data: { id: row.id, name: b.name, organisation: b.organisation } }], async () => ({
      items: [c.var.deps.db.orm.insert(legalAdvisers).values(row)],
      result: null,
    }));
    return c.json({ id: row.id, regionCode: code, name: b.name, organisation: b.organisation, active: true }, 201);
  });
  app.openapi(listAdvisers, async (c) => {
    const { region } = c.req.valid('query');
    const regions = await visibleRegions(c.var.deps, principalOf(c));
    if (regions !== null && !regions.includes(region)) throw new Problem('forbidden', 'outside the regions this client may see');
    const rows = await c.var.deps.db.orm.select().from(legalAdvisers).where(and(eq(legalAdvisers.regionCode, region), eq(legalAdvisers.active, true))).orderBy(asc(legalAdvisers.name));
    return c.json({ items: rows.map(({ id, regionCode, name, organisation, active }) => ({ id, regionCode, name, organisation, active })) }, 200);
  });
}
