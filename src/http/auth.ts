/**
 * Who is calling (docs/domain.md §1; issue 5). Every protected request carries `Authorization: Bearer <access
 * token>` from POST /v1/oauth/token; the gateway's bootstrap ADMIN_TOKEN also works, as an administrator (to
 * register the first clients). Scope rules (what each role may see) live with the use cases
 * (src/services/access.ts); what each route demands is declared on the route itself with `guard(...)`:
 *
 *   createRoute({ method: 'get', path: '/v1/queue', ...guard('justice_bureau'), … })
 *
 * which puts the security requirement and the roles (`x-roles`) in the OpenAPI document and the middleware that
 * enforces them on the route, so the contract and the check cannot drift apart and no guard depends on the
 * order in which paths are mounted. The handler's context is then typed over AuthEnv: `c.var.principal` and
 * `c.var.actor` are there.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../deps.js';
import { sha256Hex } from '../lib/encoding.js';
import { Problem } from '../lib/problem.js';
import { verifyAccessToken, type Principal, type Role } from '../services/clients.js';

export type AuthEnv = AppEnv & { Variables: { principal: Principal; actor: string } };

/** The security scheme the routes declare (published as clientToken, src/http/openapi.ts). */
export const DECLARED_SCHEME = 'adminToken';
/** The operation extension that lists the roles an operation admits (admin always among them). */
export const ROLES_EXTENSION = 'x-roles';

/** Verify the bearer token (or the bootstrap ADMIN_TOKEN with X-Actor) and set principal and actor; 401 otherwise. */
export const authenticate = createMiddleware<AuthEnv>(async (c, next) => {
  const deps = c.var.deps;
  const token = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
  if (!token) throw new Problem('unauthorized', 'send Authorization: Bearer <access token> (POST /v1/oauth/token)');
  const person = decodeHeaderText(c.req.header('x-actor'), 'X-Actor').trim().slice(0, 100);
  let principal: Principal;
  if (deps.config.adminToken && (await sha256Hex(token)) === (await sha256Hex(deps.config.adminToken))) {
    if (!person)
      throw new Problem('bad-request', 'with the bootstrap admin token, send X-Actor: the name of the person acting (URI-encoded), for the audit log');
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

/**
 * Authenticate, then refuse (403, no data) unless the caller has one of these roles; admin always may.
 * No roles: any authenticated client (the handler then narrows by scope).
 */
export function requireRole(...roles: Role[]) {
  return admitting(roles.length === 0 ? null : roles.includes('admin') ? roles : [...roles, 'admin']);
}

/** Authenticate, then refuse (403, no data) unless the caller's role is in `roles` (null: any role). */
function admitting(roles: readonly Role[] | null) {
  return createMiddleware<AuthEnv>(async (c, next) =>
    authenticate(c, async () => {
      const role = c.var.principal.role;
      if (roles && !roles.includes(role)) throw new Problem('forbidden', `this needs the role ${roles.join(' or ')}`);
      await next();
    }),
  );
}

function declared(roles: readonly Role[] | null) {
  return {
    security: [{ [DECLARED_SCHEME]: [] as string[] }],
    ...(roles ? { [ROLES_EXTENSION]: [...roles] } : {}),
    middleware: admitting(roles),
  };
}

/**
 * What a protected route spreads into its createRoute: the security requirement and the roles it admits, for the
 * document, and the middleware that enforces exactly those, for the server. An administrator is always admitted;
 * no roles: any authenticated client (the handler narrows by scope).
 */
export function guard(...roles: Role[]) {
  return declared(roles.length === 0 ? null : roles.includes('admin') ? roles : [...roles, 'admin']);
}

/** As guard, without the administrator: what only the parties themselves may do (a court pulling its evidence). */
export function guardOnly(...roles: [Role, ...Role[]]) {
  return declared(roles);
}

/** Administration: the admin role only. */
export const adminOnly = () => guard('admin');
