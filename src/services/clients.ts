/**
 * Clients and access tokens (OAuth 2.0 client credentials, RFC 6749 §4.4; private_key_jwt, RFC 7523).
 * Secrets are stored only as PBKDF2-SHA256 hashes with a random salt (WebCrypto, so Workers can check them
 * too); tokens are short-lived ES256 JWTs signed with the gateway key, verified with an allow-listed algorithm,
 * issuer, audience and expiry, and refused once the client is revoked.
 */
import { eq } from 'drizzle-orm';
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, errors as joseErrors, type JWK } from 'jose';
import type { Deps } from '../deps.js';
import { clients } from '../../schemas/db/index.js';
import { fromBase64, toBase64 } from '../lib/encoding.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';
import { lookup, invalidateLookups } from '../lib/ttl-cache.js';
import { currentDirectory } from './directory.js';
import { listSenders } from './senders.js';

import { CLIENT_ROLES as ROLES, type ClientRole as Role } from '../domain/vocabulary.js';

export { ROLES, type Role };

export const TOKEN_AUDIENCE = 'urn:fuyuan:api';
export const TOKEN_TTL_SECONDS = 900;
/** Workers' WebCrypto caps PBKDF2 at 100,000 iterations; the same on Node keeps one format. */
const PBKDF2_ITERATIONS = 100_000;

export const issuer = (deps: Deps) => deps.config.publicUrl?.replace(/\/$/, '') ?? 'urn:fuyuan:gateway';

async function pbkdf2(secret: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations }, key, 256));
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${toBase64(salt)}$${toBase64(await pbkdf2(secret, salt, PBKDF2_ITERATIONS))}`;
}

export async function checkSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iter || !salt || !hash) return false;
  const got = await pbkdf2(secret, fromBase64(salt), Number(iter));
  const want = fromBase64(hash);
  // Constant-time comparison of equal-length digests.
  let diff = got.length ^ want.length;
  for (let i = 0; i < Math.min(got.length, want.length); i++) diff |= got[i]! ^ want[i]!;
  return diff === 0;
}

export interface ClientInput {
  name: string;
  role: Role;
  scope: string;
  jwks?: { keys: JWK[] };
  /** false: a private_key_jwt-only client without a secret. */
  withSecret?: boolean;
}

/**
 * The scope must name something that exists: a unit, a region, a registered sender or a court of the directory.
 * Null when it does; otherwise what is wrong, for the admin API's 400 and the CLI's usage error alike.
 */
export async function scopeProblem(deps: Deps, role: Role, scope: string): Promise<string | null> {
  if (role === 'admin') return scope === '*' ? null : 'an admin client has scope * (everything)';
  if (scope === '*')
    return `only an admin client has scope *; a ${role} client has ${role === 'unit' ? 'a unit id' : role === 'liaison' ? 'a court code' : role === 'court' || role === 'procuratorate' ? 'a sender code' : 'a region code'}`;
  const { index } = await currentDirectory(deps);
  switch (role) {
    case 'unit':
      return index.unit(scope)
        ? null
        : `no unit "${scope}" in the directory (unit ids as in the directory: GET /v1/admin/directory, or npm run cli -- directory show)`;
    case 'justice_bureau':
    case 'government_office':
      return index.region(scope)
        ? null
        : `no region "${scope}" in the directory; regions: ${index.regionCodes().join(', ') || 'none (load a directory first: PUT /v1/admin/directory, or npm run cli -- directory load FILE.json)'}`;
    case 'court':
    case 'procuratorate': {
      const s = (await listSenders(deps)).find((x) => x.code === scope);
      if (!s) return `no registered sender "${scope}" (GET /v1/admin/senders lists them; POST /v1/admin/senders or npm run cli -- sender add registers one)`;
      return s.type === role ? null : `sender ${scope} is a ${s.type}, not a ${role}`;
    }
    case 'liaison':
      return index.body(scope) ? null : `no court "${scope}" in the directory (a liaison's scope is a court code of the directory file)`;
  }
}

/** registerClient for a person (the admin API, the CLI): first a 400 problem naming a scope that does not exist. */
export async function registerClientChecked(deps: Deps, input: ClientInput, actor: string): Promise<{ clientId: string; clientSecret?: string }> {
  if ((ROLES as readonly string[]).includes(input.role) && input.scope.trim()) {
    const problem = await scopeProblem(deps, input.role, input.scope);
    if (problem) throw new Problem('bad-request', `scope "${input.scope}": ${problem}`);
  }
  return registerClient(deps, input, actor);
}

export async function registerClient(deps: Deps, input: ClientInput, actor: string): Promise<{ clientId: string; clientSecret?: string }> {
  if (!(ROLES as readonly string[]).includes(input.role)) throw new Problem('bad-request', `role must be one of ${ROLES.join(', ')}`);
  if (!input.name.trim()) throw new Problem('bad-request', 'a client needs a name');
  if (!input.scope.trim()) throw new Problem('bad-request', 'a client needs a scope (unit id, region code, sender code or court code; * for an administrator)');
  const clientId = `c-${newId()}`;
  const clientSecret =
    input.withSecret === false
      ? undefined
      : toBase64(crypto.getRandomValues(new Uint8Array(32))).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
  const secretHash = clientSecret ? await hashSecret(clientSecret) : null;
  await deps.writer.audited(
    [
      {
        actor,
        action: 'client.registered',
        subject: `client:${clientId}`,
        data: { name: input.name, role: input.role, scope: input.scope, privateKeyJwt: !!input.jwks },
      },
    ],
    async () => ({
      items: [
        deps.db.orm.insert(clients).values({
          id: clientId,
          name: input.name,
          role: input.role,
          scope: input.scope,
          secretHash,
          jwksJson: input.jwks ? JSON.stringify(input.jwks) : null,
          createdAt: deps.clock.now(),
        }),
      ],
      result: null,
    }),
  );
  return { clientId, ...(clientSecret ? { clientSecret } : {}) };
}

export async function revokeClient(deps: Deps, clientId: string, actor: string) {
  const [c] = await deps.db.orm.select().from(clients).where(eq(clients.id, clientId));
  if (!c) throw new Problem('not-found', `no client ${clientId}`);
  await deps.writer.audited([{ actor, action: 'client.revoked', subject: `client:${clientId}`, data: { clientId } }], async () => ({
    items: [deps.db.orm.update(clients).set({ revokedAt: deps.clock.now() }).where(eq(clients.id, clientId))],
    result: null,
  }));
  invalidateLookups(deps);
}

export const findClient = (deps: Deps, id: string) =>
  lookup(deps, `client:${id}`, async () => (await deps.db.orm.select().from(clients).where(eq(clients.id, id)))[0]);

const invalidClient = (why: string) => new Problem('invalid-client', why);

/** The token endpoint: authenticate the client (secret or private_key_jwt) and issue an access token. */
export async function issueToken(deps: Deps, form: Record<string, string | undefined>, basic?: { id: string; secret: string }) {
  if (form.grant_type !== 'client_credentials') throw new Problem('unsupported-grant-type', 'grant_type must be client_credentials');
  const now = deps.clock.now();
  let clientId: string | undefined;
  if (form.client_assertion_type === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && form.client_assertion) {
    // private_key_jwt: the client signs a short JWT with its own key; iss = sub = client_id, aud = our token URL or issuer.
    let claims: { sub?: string; iss?: string };
    try {
      let unverified: { sub?: string };
      try {
        unverified = decodeJwt(form.client_assertion); // only to find whose key to verify with
      } catch {
        throw invalidClient('client_assertion is not a JWT');
      }
      const c = unverified.sub ? await findClient(deps, unverified.sub) : undefined;
      if (!c?.jwksJson) throw invalidClient('client assertion from an unknown client or one without a registered key');
      ({ payload: claims } = await jwtVerify(form.client_assertion, createLocalJWKSet(JSON.parse(c.jwksJson) as { keys: JWK[] }), {
        algorithms: ['ES256', 'RS256', 'PS256'],
        audience: [issuer(deps), `${issuer(deps)}/v1/oauth/token`],
        issuer: c.id,
        subject: c.id,
        currentDate: now,
        maxTokenAge: 300,
      }));
    } catch (e) {
      if (e instanceof Problem) throw e;
      throw invalidClient(`the client assertion does not verify: ${(e as Error).message}`);
    }
    clientId = claims.sub;
  } else {
    const id = basic?.id ?? form.client_id;
    const secret = basic?.secret ?? form.client_secret;
    if (!id || !secret) throw invalidClient('authenticate with client_id and client_secret (form or HTTP Basic), or a private_key_jwt client_assertion');
    const c = await findClient(deps, id);
    if (!c?.secretHash || !(await checkSecret(secret, c.secretHash))) throw invalidClient('unknown client or wrong secret');
    clientId = id;
  }
  const client = (await findClient(deps, clientId!))!;
  if (client.revokedAt) throw invalidClient('the client has been revoked');
  const k = await deps.keys.current();
  const token = await new SignJWT({ role: client.role, scope: client.scope, name: client.name })
    .setProtectedHeader({ alg: 'ES256', kid: k.kid, typ: 'at+jwt' })
    .setIssuer(issuer(deps))
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(client.id)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(now.getTime() / 1000) + TOKEN_TTL_SECONDS)
    .setJti(newId())
    .sign(k.privateKey);
  return { access_token: token, token_type: 'Bearer' as const, expires_in: TOKEN_TTL_SECONDS, scope: `${client.role}:${client.scope}` };
}

export interface Principal {
  clientId: string;
  name: string;
  role: Role;
  scope: string;
  /** Who acts, for the audit log: the client, and the person if the X-Actor header names one. */
  actor: string;
}

/** Verify an access token: ES256 only, our issuer and audience, not expired, client not revoked. */
export async function verifyAccessToken(deps: Deps, token: string): Promise<Omit<Principal, 'actor'>> {
  let payload: { sub?: string; role?: string; scope?: string; name?: string };
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(await deps.keys.jwks()), {
      algorithms: ['ES256'],
      issuer: issuer(deps),
      audience: TOKEN_AUDIENCE,
      currentDate: deps.clock.now(),
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (e) {
    const why =
      e instanceof joseErrors.JWTExpired
        ? 'the access token has expired'
        : e instanceof joseErrors.JWTClaimValidationFailed
          ? `the access token is not for this gateway (${e.claim})`
          : 'the access token does not verify';
    throw new Problem('unauthorized', why);
  }
  const client = await findClient(deps, payload.sub!);
  if (!client || client.revokedAt) throw new Problem('unauthorized', 'the client of this token has been revoked');
  return { clientId: client.id, name: client.name, role: client.role, scope: client.scope };
}
