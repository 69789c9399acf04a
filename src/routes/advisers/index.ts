/** The regions' rosters of legal advisers (法律顾问团队库, Q 一(三)): agents are chosen from them. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { addAdviser, listAdvisers as rosterOf, updateAdviser } from '../../services/advisers.js';
import { listAdvisers, patchAdviser, postAdviser, postRegionAdviser } from './advisers.routes.js';

export function mountAdvisers(app: OpenAPIHono<AppEnv>) {
  app.openapi(postAdviser, async (c) => {
    const { code } = c.req.valid('param');
    return c.json(await addAdviser(c.var.deps, c.var.principal, code, c.req.valid('json'), c.var.actor), 201);
  });
  app.openapi(postRegionAdviser, async (c) => {
    const { region, ...b } = c.req.valid('json');
    return c.json(await addAdviser(c.var.deps, c.var.principal, region, b, c.var.actor), 201);
  });
  app.openapi(patchAdviser, async (c) => {
    const b = c.req.valid('json');
    const input = {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.organisation !== undefined ? { organisation: b.organisation } : {}),
      ...(b.active !== undefined ? { active: b.active } : {}),
    };
    return c.json(await updateAdviser(c.var.deps, c.var.principal, c.req.valid('param').id, input, c.var.actor), 200);
  });
  app.openapi(listAdvisers, async (c) => {
    const { region, retired } = c.req.valid('query');
    return c.json({ items: await rosterOf(c.var.deps, c.var.principal, region, { retired: retired === 'true' }) }, 200);
  });
}
