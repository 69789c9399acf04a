/** Must the head appear? Guangzhou: the unit's first first-instance case of the year that goes to hearing [G]. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
});
afterAll(() => gw.close());

describe('head appearance under the Guangzhou preset', () => {
  it("the unit's first case of the year to reach a hearing requires the head; the next one does not", async () => {
    const court = await makeCourtPki('龙游县人民法院');
    await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
    await gw.app.request('http://gw/v1/admin/regions/330802/policy', { method: 'PUT', headers: adminHeaders(), body: JSON.stringify({ presetId: 'guangzhou' }) });
    const summons = async (i: number) => {
      gw.clock.advance(60_000);
      const m = demoManifest({ messageId: `ha-${i}`, senderCode: 'court-longyou', issuedAt: gw.clock.now(), type: 'summons', caseNumber: `(2026)浙0825行初${950 + i}号`, regionCode: '330802' });
      m.documents[0]!.hearing = { at: '2026-12-20T09:30:00+08:00' };
      const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
      return ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
    };
    const first = await summons(1);
    const second = await summons(2);
    const view = async (id: string) => ((await (await gw.app.request(`http://gw/v1/cases/${id}`, { headers: adminHeaders() })).json()) as { headAppearance: { required: boolean; reasons: { source: string }[] } }).headAppearance;
    expect(await view(first)).toEqual({ required: true, reasons: [expect.objectContaining({ source: 'G 负责人出庭' })] });
    expect(await view(second)).toEqual({ required: false, reasons: [] });
  });
});
