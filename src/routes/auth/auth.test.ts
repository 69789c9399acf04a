/**
 * Access tokens (OAuth 2.0 client credentials, private_key_jwt) and their refusals: wrong secret, expired,
 * wrong audience, wrong algorithm, revoked client; each refusal a problem+json with no data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, CompactSign } from 'jose';
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from '../../../test/helpers/gateway.js';
import { registerClient } from '../../services/clients.js';
import { saveDirectory } from '../../services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../../domain/routing/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
const form = (o: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});
const obligationsWith = (token: string) => gw.app.request('http://gw/v1/obligations', { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
});
afterAll(() => gw.close());

describe('POST /v1/oauth/token', () => {
  it('issues a short-lived ES256 token for client_id + client_secret, and for HTTP Basic', async () => {
    const { clientId, clientSecret } = await registerClient(gw.deps, { name: '柯城区司法局', role: 'justice_bureau', scope: '330802' }, 'test');
    const res = await gw.app.request('http://gw/v1/oauth/token', form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret! }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect((await obligationsWith(body.access_token)).status).toBe(200);
    const basic = await gw.app.request('http://gw/v1/oauth/token', {
      ...form({ grant_type: 'client_credentials' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}` },
    });
    expect(basic.status).toBe(200);
  });

  it('keeps only a salted slow hash of the secret', async () => {
    const { clientId, clientSecret } = await registerClient(gw.deps, { name: 'x', role: 'unit', scope: 'kc-zrzy' }, 'test');
    const row = await gw.deps.db.orm.query.clients.findFirst({ where: (c, { eq }) => eq(c.id, clientId) });
    expect(row!.secretHash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(row!.secretHash).not.toContain(clientSecret!);
  });

  it('refuses a wrong secret, an unknown client, another grant type and another content type', async () => {
    const { clientId } = await registerClient(gw.deps, { name: 'y', role: 'unit', scope: 'kc-zrzy' }, 'test');
    const cases: [RequestInit, number, string][] = [
      [form({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' }), 401, 'invalid-client'],
      [form({ grant_type: 'client_credentials', client_id: 'c-nobody', client_secret: 'x' }), 401, 'invalid-client'],
      [form({ grant_type: 'password', client_id: clientId, client_secret: 'x' }), 400, 'unsupported-grant-type'],
      [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 415, 'unsupported-media-type'],
    ];
    for (const [init, status, slug] of cases) {
      const res = await gw.app.request('http://gw/v1/oauth/token', init);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { type: string }).type).toBe(`urn:fuyuan:problem:${slug}`);
    }
  });

  it('accepts private_key_jwt from a machine client with a registered key, and refuses a forged one', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'court-key-1', alg: 'ES256' };
    const { clientId } = await registerClient(
      gw.deps,
      { name: '龙游法院系统', role: 'court', scope: 'court-longyou', jwks: { keys: [jwk] }, withSecret: false },
      'test',
    );
    const assertion = (key: CryptoKey) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'court-key-1' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience('urn:fuyuan:gateway')
        .setIssuedAt(Math.floor(T0.getTime() / 1000))
        .setExpirationTime(Math.floor(T0.getTime() / 1000) + 120)
        .setJti('a1')
        .sign(key);
    const ok = await gw.app.request(
      'http://gw/v1/oauth/token',
      form({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(privateKey),
      }),
    );
    expect(ok.status).toBe(200);
    const other = await generateKeyPair('ES256');
    const forged = await gw.app.request(
      'http://gw/v1/oauth/token',
      form({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(other.privateKey),
      }),
    );
    expect(forged.status).toBe(401);
  });
});

describe('using a token', () => {
  it('an expired token is refused (fixed clock moved past 15 minutes)', async () => {
    const { token } = await clientToken(gw, 'justice_bureau', '330802');
    gw.clock.advance(16 * 60_000);
    const res = await obligationsWith(token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/expired/);
    gw.clock.set(T0);
  });

  it('a token for another audience, signed with the gateway key, is refused', async () => {
    const k = await gw.deps.keys.current();
    const t = await new SignJWT({ role: 'admin', scope: '*' })
      .setProtectedHeader({ alg: 'ES256', kid: k.kid })
      .setIssuer('urn:fuyuan:gateway')
      .setAudience('urn:someone:else')
      .setSubject('c-x')
      .setIssuedAt(Math.floor(T0.getTime() / 1000))
      .setExpirationTime(Math.floor(T0.getTime() / 1000) + 600)
      .sign(k.privateKey);
    const res = await obligationsWith(t);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/aud/);
  });

  it('a token with another algorithm (HS256, alg none) is refused', async () => {
    const hs = await new CompactSign(
      new TextEncoder().encode(JSON.stringify({ sub: 'c-x', role: 'admin', aud: 'urn:fuyuan:api', iss: 'urn:fuyuan:gateway', exp: 2e9 })),
    )
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('0123456789abcdef0123456789abcdef'));
    expect((await obligationsWith(hs)).status).toBe(401);
    const none = `${btoa(JSON.stringify({ alg: 'none' })).replace(/=/g, '')}.${btoa(JSON.stringify({ sub: 'c-x', role: 'admin', aud: 'urn:fuyuan:api', iss: 'urn:fuyuan:gateway', exp: 2e9 })).replace(/=/g, '')}.`;
    expect((await obligationsWith(none)).status).toBe(401);
  });

  it('a revoked client is refused at once, even with an unexpired token', async () => {
    const { clientId, token } = await clientToken(gw, 'unit', 'kc-zrzy');
    expect((await obligationsWith(token)).status).toBe(200);
    const res = await gw.app.request(`http://gw/v1/admin/clients/${clientId}/revoke`, { method: 'POST', headers: adminHeaders() });
    expect(res.status).toBe(200);
    expect((await obligationsWith(token)).status).toBe(401);
  });

  it('admin endpoints refuse non-admin roles with 403 and no data', async () => {
    const { headers } = await clientToken(gw, 'justice_bureau', '330802');
    const res = await gw.app.request('http://gw/v1/admin/directory', { headers });
    expect(res.status).toBe(403);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['detail', 'instance', 'status', 'title', 'titleEn', 'titleZh', 'type']);
  });
});
