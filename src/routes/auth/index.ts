import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.js';
import { Problem } from '../../lib/problem.js';
import { fromBase64 } from '../../lib/encoding.js';
import { assertNotThrottled, recordFailure, sourceAddress, throttledSignIn } from '../../http/throttle.js';
import { decodeJwt } from 'jose';
import { issueToken, registerClientChecked, revokeClient } from '../../services/clients.js';
import type { JWK } from 'jose';
import { postClient, postRevoke, postToken } from './auth.routes.js';

/**
 * HTTP Basic client credentials (RFC 6749 §2.3.1): base64 of form-urlencoded client_id ":" client_secret.
 * Anything else is a 401 invalid-client that says which part is wrong.
 */
function basicCredentials(b64: string): { id: string; secret: string } {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(b64);
  } catch {
    throw new Problem('invalid-client', 'HTTP Basic credentials are not standard base64 (RFC 4648 §4)');
  }
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Problem('invalid-client', 'HTTP Basic credentials are not UTF-8');
  }
  const i = decoded.indexOf(':');
  if (i < 0) throw new Problem('invalid-client', 'HTTP Basic credentials must be client_id:client_secret');
  const part = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new Problem('invalid-client', 'HTTP Basic client_id and client_secret must be form-urlencoded (RFC 6749 §2.3.1)');
    }
  };
  return { id: part(decoded.slice(0, i)), secret: part(decoded.slice(i + 1)) };
}

/** The subject of a client assertion, unverified: only to count failures against the client it names. */
function decodeJwtSubject(jwt: string | undefined): string | undefined {
  if (!jwt) return undefined;
  try {
    return decodeJwt(jwt).sub;
  } catch {
    return undefined;
  }
}

export function mountAuth(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerPath(postToken);
  app.post('/v1/oauth/token', async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded')
      throw new Problem('unsupported-media-type', 'send the token request as application/x-www-form-urlencoded (RFC 6749 §4.4.2)');
    const form = Object.fromEntries(new URLSearchParams(await c.req.text())) as Record<string, string>;
    let basic: { id: string; secret: string } | undefined;
    const auth = /^Basic\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (auth) {
      try {
        basic = basicCredentials(auth.trim());
      } catch (e) {
        // Unreadable credentials are a failed attempt too (counted against the address).
        const address = sourceAddress(c.env, (n) => c.req.header(n));
        assertNotThrottled(c.var.deps, { clientId: undefined, address });
        recordFailure(c.var.deps, { clientId: undefined, address });
        throw e;
      }
    }
    const attempt = {
      clientId: (basic?.id ?? form.client_id ?? decodeJwtSubject(form.client_assertion))?.slice(0, 200),
      address: sourceAddress(c.env, (n) => c.req.header(n)),
    };
    const token = await throttledSignIn(c.var.deps, attempt, () => issueToken(c.var.deps, form, basic));
    c.header('cache-control', 'no-store');
    return c.json(token, 200);
  });
  app.openapi(postClient, async (c) => {
    const body = c.req.valid('json');
    const r = await registerClientChecked(
      c.var.deps,
      {
        name: body.name,
        role: body.role,
        scope: body.scope,
        ...(body.jwks ? { jwks: body.jwks as { keys: JWK[] } } : {}),
        ...(body.withSecret !== undefined ? { withSecret: body.withSecret } : {}),
      },
      c.var.actor,
    );
    return c.json(r, 201);
  });
  app.openapi(postRevoke, async (c) => {
    const { id } = c.req.valid('param');
    await revokeClient(c.var.deps, id, c.var.actor);
    return c.json({ clientId: id, revoked: true as const }, 200);
  });
}
