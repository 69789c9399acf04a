/**
 * Who is calling, and what they may see (docs/domain.md §1; issue 5). Every protected request carries
 * `Authorization: Bearer <access token>` from POST /v1/oauth/token; the gateway's bootstrap ADMIN_TOKEN
 * also works, as an administrator (to register the first clients). Scope rules:
 *   admin            everything
 *   justice_bureau   its region (scope = region code); government_office likewise
 *   unit             what is assigned to it (scope = unit id)
 *   court / procuratorate   its own deliveries' evidence (scope = sender code)
 *   liaison          the statistics of the regions its court serves (scope = court code); no document bodies
 */
import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import type { AppEnv, Deps } from '../deps.js';
import { sha256Hex } from './encoding.js';
import { Problem } from './problem.js';
import { verifyAccessToken, type Principal, type Role } from '../services/clients.js';
import { beijingDate } from '../domain/calendar/index.js';
import { currentDirectory } from '../services/directory.js';

export type AuthEnv = AppEnv & { Variables: { principal: Principal; actor: string } };

export const authenticate = createMiddleware<AuthEnv>(async (c, next) => {
  const deps = c.var.deps;
  const token = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
  if (!token) throw new Problem('unauthorized', 'send Authorization: Bearer <access token> (POST /v1/oauth/token)');
  const person = decodeHeaderText(c.req.header('x-actor'), 'X-Actor').trim().slice(0, 100);
  let principal: Principal;
  if (deps.config.adminToken && (await sha256Hex(token)) === (await sha256Hex(deps.config.adminToken))) {
    if (!person) throw new Problem('bad-request', 'with the bootstrap admin token, send X-Actor: the name of the person acting (URI-encoded), for the audit log');
    principal = { clientId: 'bootstrap-admin', name: 'ADMIN_TOKEN', role: 'admin', scope: '*', actor: person };
  } else {
    const p = await verifyAccessToken(deps, token);
    principal = { ...p, actor: person ? `${p.name} (${p.clientId}) · ${person}` : `${p.name} (${p.clientId})` };
  }
  c.set('principal', principal);
  c.set('actor', principal.actor);
  await next();
});

/**
 * A header that carries text as RFC 3986 percent-encoded UTF-8 (X-Actor): decoded, or a 400 naming the header
 * when it is not (a broken escape such as %E0%A4%A, bytes that are not UTF-8), or when it holds control characters.
 */
export function decodeHeaderText(value: string | undefined, name: string): string {
  if (!value) return '';
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    throw new Problem('bad-request', `${name} is not percent-encoded UTF-8 (encodeURIComponent of the text)`);
  }
  if ([...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) throw new Problem('bad-request', `${name} contains control characters`);
  return text;
}

/** Refuse unless the caller has one of these roles (403, no data). */
export function requireRole(...roles: Role[]) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const p = c.var.principal;
    if (!p || (p.role !== 'admin' && !roles.includes(p.role))) throw new Problem('forbidden', `this needs the role ${[...roles, 'admin'].join(' or ')}`);
    await next();
  });
}

export const principalOf = (c: Context) => (c as Context<AuthEnv>).var.principal;

/** The regions a caller may see. null = all (admin). */
export async function visibleRegions(deps: Deps, p: Principal): Promise<string[] | null> {
  if (p.role === 'admin') return null;
  if (p.role === 'justice_bureau' || p.role === 'government_office') return [p.scope];
  if (p.role === 'unit') {
    const u = (await currentDirectory(deps)).index.unit(p.scope);
    return u ? [u.regionCode] : [];
  }
  if (p.role === 'liaison') return [...(await currentDirectory(deps)).index.regionsServedBy(p.scope, beijingDate(deps.clock.now()))];
  return [];
}

export function assertRegion(_p: Principal, regions: string[] | null, regionCode: string | null) {
  if (regions === null) return;
  if (!regionCode || !regions.includes(regionCode)) throw new Problem('forbidden', 'outside the regions this client may see');
}
