/** Rendering helpers shared by the page routes: a full page in the frame, and where the principal acts, in words. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Problem } from '../lib/problem.js';
import type { Child } from 'hono/jsx';
import type { Principal } from '../services/clients.js';
import { findSender } from '../services/senders.js';
import { Page } from './layout.js';
import { names } from './data.js';
import { ROLE_ZH } from './labels.js';
import type { WebEnv } from './session.js';

export type WebContext = Context<WebEnv>;

export function html(c: Context, body: Child, status: 200 | 401 | 403 | 404 | 400 | 409 | 413 | 429 | 500 = 200) {
  return c.html(`<!doctype html>${String(body)}`, status as 200);
}

export async function page(c: WebContext, title: string, current: string, body: Child, status: 200 | 401 = 200) {
  return html(
    c,
    <Page title={title} principal={c.var.principal} person={c.var.person} scope={await scopeLabel(c, c.var.principal)} current={current}>
      {body}
    </Page>,
    status,
  );
}

/** Where the principal acts, in words: a region's name, a unit's name, the regions a liaison serves, or "全部区域". */
export async function scopeLabel(c: WebContext, p: Principal): Promise<string> {
  const n = await names(c.var.deps);
  if (p.role === 'unit') return n.unit(p.scope);
  if (p.role === 'justice_bureau' || p.role === 'government_office') return n.region(p.scope);
  if (p.role === 'admin') return '全部区域';
  // A court, a procuratorate, or a liaison for the court whose regions it serves.
  if (p.role === 'court' || p.role === 'procuratorate' || p.role === 'liaison') return (await findSender(c.var.deps, p.scope))?.name ?? ROLE_ZH[p.role];
  return ROLE_ZH[p.role];
}

export const str = (v: unknown) => (typeof v === 'string' ? v : '');
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** The posted form, or a 400 when the body is not the form its Content-Type says (a broken multipart body). */
export async function formOf(c: Context, opts: { all?: boolean } = {}) {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
    throw new Problem('unsupported-media-type', 'send the form as application/x-www-form-urlencoded or multipart/form-data');
  }
  try {
    return await c.req.parseBody(opts);
  } catch (e) {
    if (e instanceof Problem || e instanceof HTTPException) throw e;
    throw new Problem('bad-request', `the form body is not valid ${type}`);
  }
}
