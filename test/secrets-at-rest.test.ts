/**
 * Channel secrets at rest (issue 18): sealed in the database with a key that is not in it, still used to sign
 * what the outbox sends; a sealed value does not open in another row; plain rows of an earlier version are sealed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { adminHeaders, testGateway } from './helpers/gateway.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { notificationChannels } from '../schemas/db/index.js';
import { sealStoredChannelSecrets } from '../src/services/notifications.js';
import { deriveSecretsKey, secretBox } from '../src/lib/secret-box.js';
import { newId } from '../src/lib/ids.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
const SECRET = 'SEC0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdef';

beforeAll(async () => {
  gw = await testGateway();
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
});
afterAll(() => gw.close());

describe('channel secrets', () => {
  it('are stored sealed (AES-GCM), never in plain text, and open again with the key outside the database', async () => {
    const res = await gw.app.request('http://gw/v1/admin/units/kc-zrzy/channels', {
      method: 'POST',
      headers: adminHeaders(),
      body: JSON.stringify({ kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: SECRET }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const [row] = await gw.deps.db.orm.select().from(notificationChannels).where(eq(notificationChannels.id, id));
    expect(row!.secret).toMatch(/^enc:v1:/);
    expect(row!.secret).not.toContain(SECRET);
    const dump =
      JSON.stringify((await gw.client.execute('select * from notification_channels')).rows) +
      JSON.stringify((await gw.client.execute('select * from audit_log')).rows);
    expect(dump).not.toContain(SECRET);
    expect(await gw.deps.secrets.open(row!.secret!, id)).toBe(SECRET);
    // Bound to its row: the same sealed value in another row does not open.
    await expect(gw.deps.secrets.open(row!.secret!, newId())).rejects.toThrow();
    // And not with another key.
    await expect(secretBox(crypto.getRandomValues(new Uint8Array(32))).open(row!.secret!, id)).rejects.toThrow();
  });

  it('plain-text secrets of an earlier version are sealed in place at start', async () => {
    const id = newId();
    await gw.deps.db.orm.insert(notificationChannels).values({
      id,
      unitId: 'kc-zjj',
      kind: 'webhook',
      url: 'https://hooks.example.test/x',
      secret: 'legacy-plain-secret-0123456789',
      enabled: true,
      createdAt: gw.clock.now(),
    });
    expect(await sealStoredChannelSecrets(gw.deps)).toBe(1);
    const [row] = await gw.deps.db.orm.select().from(notificationChannels).where(eq(notificationChannels.id, id));
    expect(row!.secret).toMatch(/^enc:v1:/);
    expect(await gw.deps.secrets.open(row!.secret!, id)).toBe('legacy-plain-secret-0123456789');
    expect(await sealStoredChannelSecrets(gw.deps)).toBe(0);
  });

  it('on Workers without SECRETS_KEY, the key is derived from the GATEWAY_KEY secret (HKDF), the same each time', async () => {
    const jwk = { kty: 'EC', crv: 'P-256', d: 'mbB4rZV6WVb0lULmMjGD1ZsF4KcpaPTeMSTYa4kLxSQ', x: 'x', y: 'y' };
    const a = await deriveSecretsKey(jwk);
    expect(a).toEqual(await deriveSecretsKey(jwk));
    expect(a.length).toBe(32);
    const sealed = await secretBox(a).seal('s', 'row');
    expect(await secretBox(await deriveSecretsKey(jwk)).open(sealed, 'row')).toBe('s');
  });
});
