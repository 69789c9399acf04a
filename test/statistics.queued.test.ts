/**
 * A case the rules could not place (no region at intake: an unknown defendant, a court serving two regions)
 * waits in the justice bureau's queue; once assigned, its obligations count in the region's figures
 * (docs/domain.md §3 R9, §7). Before, they kept the empty region they were created with and vanished from
 * "obligations due in the period by region".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';

type Fig = { id: string; numerator: number; denominator: number | null };
let gw: Awaited<ReturnType<typeof testGateway>>;

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) }); // 2026-11-23, Beijing
  const court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const m = demoManifest({
    messageId: 'q-1',
    senderCode: 'court-longyou',
    issuedAt: gw.clock.now(),
    caseNumber: '(2026)浙0825行初901号',
    defendant: '某某管理办公室',
  });
  const c = m.documents[0]!.case!;
  c.defendants = [{ name: '某某管理办公室' }];
  c.challengedAct.actingUnits = [{ name: '某某管理办公室' }];
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status, await res.clone().text()).toBe(201);
});
afterAll(() => gw.close());

const answer = async (headers: Record<string, string>) => {
  const res = await gw.app.request('http://gw/v1/statistics?period=2026-12', { headers });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { figures: Fig[] }).figures.find((f) => f.id === 'on_time_answer')!;
};

describe('a queued case, once assigned, counts in its region', () => {
  it('is in no region while it waits, and in Kecheng after the justice bureau assigns it', async () => {
    const jb = (await clientToken(gw, 'justice_bureau', '330802', '柯城区司法局')).headers;
    const q = (await (await gw.app.request('http://gw/v1/queue', { headers: jb })).json()) as { items: { id: string; caseNumber: string }[] };
    const item = q.items.find((i) => i.caseNumber === '(2026)浙0825行初901号');
    expect(item, 'the case waits in the queue').toBeDefined();

    gw.clock.set(new Date('2026-12-29T02:00:00Z')); // the answer was due 2026-12-08 and was never filed
    const jb2 = (await clientToken(gw, 'justice_bureau', '330802', '柯城区司法局')).headers; // tokens expire with the clock
    expect(await answer(jb2)).toMatchObject({ numerator: 0, denominator: 0 });

    const res = await gw.app.request(`http://gw/v1/queue/${item!.id}/assign`, {
      method: 'POST',
      headers: jb2,
      body: JSON.stringify({ assignments: [{ unitId: 'kc-zrzy', role: 'lead' }], reason: '某某管理办公室系自然资源分局内设机构' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await answer(jb2)).toMatchObject({ numerator: 0, denominator: 1 });
    // Qujiang, the other region the court serves, does not count it.
    expect(await answer((await clientToken(gw, 'justice_bureau', '330803')).headers)).toMatchObject({ numerator: 0, denominator: 0 });
  });
});
