/**
 * cases.last_outcome_at (migration 0010): intake keeps, on the case row and in the delivery's own write, the
 * arrival of the case's latest judgment, ruling or mediation document (stating a result or not). The statistics
 * find the cases an outcome reaches in a period through it and still answer as of the period's end
 * (docs/domain.md §7): a later outcome document changes no earlier period.
 *
 * The world (柯城 330802, 自然资源分局; Beijing times):
 *   2026-11-23 10:00  complaint copies P and Q; R arrives with its judgment (win) in one delivery.
 *   12-05 10:00       ruling on P without a result (procedural); P heard 12-05, the head appeared.
 *   12-10             Q heard, the head absent (staff there).
 *   2027-01-08 10:00  judgments: P loss revoke, Q win.
 *   2027-01-05 10:00  (the gateway's clock set back) a mediation document for Q: the later time stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { registerClient } from '../src/services/clients.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { cases } from '../schemas/db/index.js';
import type { Manifest } from '../schemas/api/manifest.js';

type Fig = { id: string; numerator: number; denominator: number | null };
type Doc = Manifest['documents'][number];

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let n = 0;
const numbers = { P: '(2026)浙0825行初801号', Q: '(2026)浙0825行初802号', R: '(2026)浙0825行初803号' };
const ids: Record<string, string> = {};
const creds: Record<'jb' | 'unit', { clientId: string; clientSecret: string }> = {} as never;

const beijing = (s: string) => new Date(`${s}+08:00`);
/** Tokens expire with the clock: take a fresh one at each time. */
async function headers(who: 'jb' | 'unit') {
  const c = creds[who];
  const res = await gw.app.request('http://gw/v1/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }).toString(),
  });
  return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}`, 'content-type': 'application/json' };
}
async function push(key: keyof typeof numbers, type: Doc['type'], outcome?: Doc['outcome'], more: Partial<Doc>[] = []) {
  const m = demoManifest({ messageId: `lo-${++n}`, senderCode: 'court-longyou', issuedAt: gw.clock.now(), type, caseNumber: numbers[key] });
  const d = m.documents[0]!;
  if (outcome) d.outcome = outcome;
  else delete d.outcome;
  for (const [i, x] of more.entries()) m.documents.push({ ...d, documentId: `${d.documentId}-${i + 2}`, ...x } as Doc);
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status, await res.clone().text()).toBe(201);
  ids[key] = ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
}
const lastOutcome = async (key: keyof typeof numbers) => {
  const [row] = await gw.deps.db.orm.select({ at: cases.lastOutcomeAt }).from(cases).where(eq(cases.caseNumber, numbers[key]));
  return row!.at;
};
const figures = async (period: string) => {
  const res = await gw.app.request(`http://gw/v1/statistics?period=${period}`, { headers: await headers('jb') });
  expect(res.status, await res.clone().text()).toBe(200);
  const o = (await res.json()) as { figures: Fig[] };
  return (id: string) => {
    const f = o.figures.find((x) => x.id === id)!;
    return [f.numerator, f.denominator];
  };
};

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) }); // 2026-11-23 10:00 Beijing
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  for (const [k, role, scope] of [
    ['jb', 'justice_bureau', '330802'],
    ['unit', 'unit', 'kc-zrzy'],
  ] as const) {
    const c = await registerClient(gw.deps, { name: k, role, scope }, 'test');
    creds[k] = { clientId: c.clientId, clientSecret: c.clientSecret! };
  }
});
afterAll(() => gw.close());

describe('intake keeps the time of the latest outcome document on the case', () => {
  it('none before an outcome document; a new case with its judgment in one delivery gets it at once', async () => {
    await push('P', 'complaint_copy');
    await push('Q', 'complaint_copy');
    await push('R', 'complaint_copy', undefined, [{ type: 'judgment', title: '行政判决书', outcome: { result: 'win' } }]);
    await push('P', 'summons');
    expect(await lastOutcome('P')).toBeNull();
    expect(await lastOutcome('Q')).toBeNull();
    expect(await lastOutcome('R')).toEqual(T0);
  });

  it('a ruling without a result moves it too (it is an outcome document); so does a later judgment', async () => {
    gw.clock.set(beijing('2026-12-05T10:00:00'));
    await push('P', 'ruling');
    expect(await lastOutcome('P')).toEqual(beijing('2026-12-05T10:00:00'));
    const unit = await headers('unit');
    for (const [key, body] of [
      ['P', { heldOn: '2026-12-05', headAppeared: true, headName: '王局长', principal: true, spoke: true, agents: [] }],
      ['Q', { heldOn: '2026-12-10', headAppeared: false, spoke: false, agents: [{ name: '张科长', kind: 'staff' }] }],
    ] as const) {
      const res = await gw.app.request(`http://gw/v1/cases/${ids[key]}/steps/hearing_held`, { method: 'POST', headers: unit, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    gw.clock.set(beijing('2027-01-08T10:00:00'));
    await push('P', 'judgment', { result: 'loss', lossKind: 'revoke' });
    await push('Q', 'judgment', { result: 'win' });
    expect(await lastOutcome('P')).toEqual(beijing('2027-01-08T10:00:00'));
    expect(await lastOutcome('Q')).toEqual(beijing('2027-01-08T10:00:00'));
  });

  it('an outcome document arriving by an earlier clock leaves the later time', async () => {
    gw.clock.set(beijing('2027-01-05T10:00:00'));
    await push('Q', 'mediation', { result: 'mediation' });
    expect(await lastOutcome('Q')).toEqual(beijing('2027-01-08T10:00:00'));
    gw.clock.set(beijing('2027-01-20T10:00:00'));
  });
});

describe('the figures, as of the end of each period (worked out by hand)', () => {
  it('2026-11: R concluded (a win on the merits) the day it was received', async () => {
    const f = await figures('2026-11');
    expect(f('new_cases')).toEqual([3, null]);
    expect(f('loss_rate')).toEqual([0, 1]);
  });
  it('2026-12: P and Q heard (P’s head appeared) though their judgments came in January; neither concluded (P’s ruling states no result)', async () => {
    const f = await figures('2026-12');
    expect(f('head_appearance_rate')).toEqual([1, 2]);
    expect(f('failure_no_appearance')).toEqual([0, 2]);
    expect(f('mediation_withdrawal_rate')).toEqual([0, 0]);
    expect(f('loss_rate')).toEqual([0, 0]);
  });
  it('2027-01: P lost (revoked), Q won; Q’s mediation document, arriving 01-05, is not its latest', async () => {
    const f = await figures('2027-01');
    expect(f('loss_rate')).toEqual([1, 2]);
    expect(f('revoke_change_rate')).toEqual([1, 2]);
    expect(f('mediation_withdrawal_rate')).toEqual([0, 2]);
    expect(f('head_appearance_rate')).toEqual([0, 0]);
  });
  it('2027-01-01..2027-01-06: as of 01-06, Q’s latest is the mediation (01-05), P has no conclusion yet', async () => {
    const f = await figures('2027-01-01..2027-01-06');
    expect(f('mediation_withdrawal_rate')).toEqual([1, 1]);
    expect(f('loss_rate')).toEqual([0, 0]);
  });
});
