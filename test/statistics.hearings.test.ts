/**
 * A hearing counts in the period it was held, whatever the case's outcomes: a procedural ruling without a result
 * (here: before the period) does not hide a later hearing from the appearance figures (docs/domain.md §7, S 四(一)).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import type { Manifest } from '../schemas/api/manifest.js';

type Fig = { id: string; numerator: number; denominator: number | null };
let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let caseId = '';
const NUMBER = '(2026)浙0825行初950号';

async function push(n: number, type: Manifest['documents'][number]['type']) {
  const m = demoManifest({ messageId: `h-${n}`, senderCode: 'court-longyou', issuedAt: gw.clock.now(), type, caseNumber: NUMBER });
  delete m.documents[0]!.outcome; // a ruling without a result (e.g. on jurisdiction), and a complaint copy
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
}

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) }); // 2026-11-23
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  caseId = await push(1, 'complaint_copy');
  gw.clock.set(new Date('2026-11-26T02:00:00Z'));
  await push(2, 'ruling');
  gw.clock.set(new Date('2027-01-12T08:00:00Z'));
  const unit = (await clientToken(gw, 'unit', 'kc-zrzy')).headers;
  const res = await gw.app.request(`http://gw/v1/cases/${caseId}/steps/hearing_held`, {
    method: 'POST',
    headers: unit,
    body: JSON.stringify({ heldOn: '2027-01-12', headAppeared: true, headName: '王局长', principal: true, spoke: true, agents: [] }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
});
afterAll(() => gw.close());

describe('appearance figures', () => {
  it('count a January hearing of a case whose only ruling (no result) came in November', async () => {
    gw.clock.set(new Date('2027-02-05T02:00:00Z'));
    const jb = (await clientToken(gw, 'justice_bureau', '330802')).headers;
    const res = await gw.app.request('http://gw/v1/statistics?period=2027-01', { headers: jb });
    expect(res.status, await res.clone().text()).toBe(200);
    const figures = ((await res.json()) as { figures: Fig[] }).figures;
    const fig = (id: string) => figures.find((f) => f.id === id)!;
    expect(fig('head_appearance_rate')).toMatchObject({ numerator: 1, denominator: 1 });
    expect(fig('principal_appearance_rate')).toMatchObject({ numerator: 1, denominator: 1 });
    // Not a new case in January, nothing concluded in January, and no obligation of the case due then (the hearing
    // alone brings the case into the period).
    expect(fig('new_cases')).toMatchObject({ numerator: 0 });
    expect(fig('loss_rate')).toMatchObject({ numerator: 0, denominator: 0 });
    expect(fig('on_time_answer')).toMatchObject({ denominator: 0 });
  });
});
