/**
 * The world the page tests look at: the demo directory (Kecheng 330802, Qujiang 330803), a court that pushes
 * signed complaint copies through the real API, and clients registered with their secrets (to sign in with).
 *
 *   2026-11-09 (Mon)  101 kc-zrzy (R1), 102 kc-zjj (R1)                 answers due 2026-11-24
 *   2026-11-23 (Mon)  201 joint act kc-zrzy + kc-zhzf (R2, queued),
 *                     202 kc-zrzy (R1), 203 qj-zjj in Qujiang (R1)     answers due 2026-12-08
 */
import { expect } from 'vitest';
import { FixedClock, T0, testGateway } from '../helpers/gateway.js';
import { makeCourtPki } from '../helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../../adapters/node/court-kit.js';
import { registerSender } from '../../src/services/senders.js';
import { registerClient, type Role } from '../../src/services/clients.js';
import { saveDirectory } from '../../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../../src/domain/routing/index.js';
import type { Manifest } from '../../schemas/api/manifest.js';

export const EARLY = new Date('2026-11-09T02:00:00.000Z'); // Monday 10:00 Beijing
export const LATER = new Date('2026-12-07T02:00:00.000Z'); // Monday 10:00 Beijing, two weeks after T0

export const CASES = {
  old1: '(2026)浙0825行初101号',
  old2: '(2026)浙0825行初102号',
  joint: '(2026)浙0825行初201号',
  new1: '(2026)浙0825行初202号',
  qujiang: '(2026)浙0825行初203号',
} as const;

export async function webWorld() {
  const clock = new FixedClock(EARLY);
  const gw = await testGateway({ clock });
  const court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');

  let n = 0;
  const caseIds: Record<keyof typeof CASES, string> = {} as never;
  const push = async (key: keyof typeof CASES, names: string[]) => {
    const m: Manifest = demoManifest({ messageId: `web-${++n}`, senderCode: 'court-longyou', issuedAt: clock.now(), caseNumber: CASES[key] });
    const c = m.documents[0]!.case!;
    c.defendants = names.map((name) => ({ name }));
    c.challengedAct.actingUnits = names.map((name) => ({ name }));
    const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
    expect(res.status).toBe(201);
    const r = ((await res.json()) as { receipt: { documents: { routing: { caseId: string; status: string; rule: string } }[] } }).receipt.documents[0]!.routing;
    caseIds[key] = r.caseId;
    return r;
  };
  expect(await push('old1', ['衢州市自然资源和规划局柯城分局'])).toMatchObject({ status: 'assigned', rule: 'R1' });
  expect(await push('old2', ['衢州市柯城区住房和城乡建设局'])).toMatchObject({ status: 'assigned', rule: 'R1' });
  clock.set(T0);
  expect(await push('joint', ['柯城区自然资源局', '柯城区综合行政执法局'])).toMatchObject({ status: 'queued', rule: 'R2' });
  expect(await push('new1', ['衢州市自然资源和规划局柯城分局'])).toMatchObject({ status: 'assigned', rule: 'R1' });
  expect(await push('qujiang', ['衢州市衢江区住房和城乡建设局'])).toMatchObject({ status: 'assigned', rule: 'R1' });

  const client = async (role: Role, scope: string, name: string) => {
    const { clientId, clientSecret } = await registerClient(gw.deps, { name, role, scope }, 'test');
    return { clientId, clientSecret: clientSecret!, name };
  };
  const who = {
    bureau: await client('justice_bureau', '330802', '柯城区司法局'),
    unit: await client('unit', 'kc-zrzy', '柯城自然资源分局 法制科'),
    otherUnit: await client('unit', 'kc-zjj', '柯城区住建局 法规科'),
    qujiangBureau: await client('justice_bureau', '330803', '衢江区司法局'),
    court: await client('court', 'court-longyou', '龙游法院电子送达'),
    office: await client('government_office', '330802', '柯城区政府办'),
    liaison: await client('liaison', 'court-longyou', '龙游法院府院联络员'),
  };
  return { gw, clock, caseIds, who, court };
}

export type WebWorld = Awaited<ReturnType<typeof webWorld>>;
