/**
 * Sign-in for people with the same credentials and roles as the API: the form posts client_id and
 * client_secret, the gateway issues the same short-lived access token as POST /v1/oauth/token and keeps it in
 * an HttpOnly, SameSite=Strict cookie (Secure over https). Every page verifies it again (expiry or a revoked
 * client → back to sign-in). Forms are protected by the SameSite cookie and an Origin / Sec-Fetch-Site check.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../deps.js';
import { verifyAccessToken, type Principal } from '../services/clients.js';
import { Problem } from '../lib/problem.js';

export type WebEnv = AppEnv & { Variables: { principal: Principal; actor: string; person: string } };

export const SESSION_COOKIE = 'fuyuan_web';
export const PERSON_COOKIE = 'fuyuan_person';
const COOKIE_PATH = '/web';

/** Secure cookies when the page is served over https (directly, or as the configured public URL says). */
export function isHttps(c: Context<WebEnv>): boolean {
  return new URL(c.req.url).protocol === 'https:' || (c.var.deps.config.publicUrl?.startsWith('https:') ?? false);
}

export function startSession(c: Context<WebEnv>, token: string, maxAgeSeconds: number, person: string) {
  const opts = { path: COOKIE_PATH, httpOnly: true, sameSite: 'Strict' as const, secure: isHttps(c), maxAge: maxAgeSeconds };
  setCookie(c, SESSION_COOKIE, token, opts);
  // hono's setCookie percent-encodes the value and getCookie decodes it.
  if (person) setCookie(c, PERSON_COOKIE, person, opts);
  else deleteCookie(c, PERSON_COOKIE, { path: COOKIE_PATH, secure: opts.secure });
}

export function endSession(c: Context<WebEnv>) {
  const secure = isHttps(c);
  deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure });
  deleteCookie(c, PERSON_COOKIE, { path: COOKIE_PATH, secure });
}

/** Only a path of these pages may follow the sign-in (never another site). */
export function safeNext(next: string | undefined | null): string {
  if (!next || !/^\/web(?:[/?#]|$)/.test(next) || /[\\\s]/.test(next) || next.startsWith('/web/login') || next.startsWith('/web/logout')) return '/web';
  return next;
}

// Control characters are what this strips: the regex names them on purpose.
const cleanPerson = (s: string) =>
  s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 50);

export function personFromCookie(c: Context): string {
  const raw = getCookie(c, PERSON_COOKIE);
  return raw ? cleanPerson(raw) : '';
}

export const personOf = cleanPerson;

/** Pages need a signed-in client: verify the cookie's token on every request. */
export const requireSession = createMiddleware<WebEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const back = safeNext(c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : '/web');
  if (!token) return c.redirect(`/web/login?next=${encodeURIComponent(back)}`, 303);
  let p: Omit<Principal, 'actor'>;
  try {
    p = await verifyAccessToken(c.var.deps, token);
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    endSession(c);
    return c.redirect(`/web/login?expired=1&next=${encodeURIComponent(back)}`, 303);
  }
  const person = personFromCookie(c);
  // The same actor string as the API with X-Actor: the client, then the person acting.
  const principal: Principal = { ...p, actor: person ? `${p.name} (${p.clientId}) · ${person}` : `${p.name} (${p.clientId})` };
  c.set('principal', principal);
  c.set('actor', principal.actor);
  c.set('person', person);
  await next();
});
