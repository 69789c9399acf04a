/**
 * Intake as read, decide, write (issue 21): the facts step (src/intake/facts.ts) reads everything a delivery's
 * routing and deadlines are decided from; the plan (src/intake/plan.ts) decides from those facts alone. Shown here
 * on the delivery whose plan used to read inside itself: a second-instance case, which re-plans the duties of the
 * first instance it continues (ALL 第85条: an appeal withdraws the inferred effectiveness).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { readIntakeFacts } from '../src/intake/facts.js';
import { planRouting } from '../src/intake/plan.js';
import type { Statements } from '../src/deps.js';
import type { Manifest } from '../schemas/api/manifest.js';

const DAY = 86_400_000;
const GOV = { name: '衢州市柯城区人民政府', regionCode: '330802' };
const FIRST = '(2026)浙0825行初604号';
const SECOND = '(2027)浙08行终604号';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let n = 0;
const judgment = (caseNumber: string, edit: (d: Manifest['documents'][number]) => void = () => {}) => {
  const m = demoManifest({
    messageId: `plan-${++n}`,
    senderCode: 'court-longyou',
    issuedAt: gw.clock.now(),
    type: 'judgment',
    caseNumber,
    regionCode: '330802',
  });
  const d = m.documents[0]!;
  d.case!.defendants.push(GOV);
  d.outcome = { result: 'loss', lossKind: 'revoke' };
  edit(d);
  return m;
};

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const put = await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
    method: 'PUT',
    headers: adminHeaders(),
    body: JSON.stringify({ presetId: 'putian-chengxiang' }),
  });
  expect(put.status).toBe(200);
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(judgment(FIRST), court.signer)));
  expect(res.status, await res.clone().text()).toBe(201);
  gw.clock.advance(40 * DAY);
});
afterAll(() => gw.close());

/** The database's drizzle instance as a plan sees it, noting every use other than building an insert, update or delete. */
function watchedBuilders(): { w: Statements; uses: string[] } {
  const uses: string[] = [];
  const orm = gw.deps.db.orm;
  const watched = new Proxy(orm, {
    get(target, key, receiver) {
      if (key !== 'insert' && key !== 'update' && key !== 'delete') uses.push(String(key));
      const v = Reflect.get(target, key, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { w: { db: { orm: watched } }, uses };
}

describe('intake plans from its facts alone', () => {
  it('a second-instance case: its first instance is read with the facts, and the plan reads nothing and waits for nothing', async () => {
    const m = judgment(SECOND, (d) => {
      d.case!.instance = 'second';
      d.case!.priorCaseNumbers = [FIRST];
    });
    const at = gw.clock.now();
    const facts = await readIntakeFacts(gw.deps, m, at);
    const first = facts.priors.get(FIRST);
    expect(first?.state?.status).toBe('assigned');
    expect(facts.contexts.get(first!.id)?.obligations.map((o) => o.kind)).toContain('three_ones_plan');

    const { w, uses } = watchedBuilders();
    const plan = planRouting(w, facts, m, at, ['doc-second']);
    expect(plan).not.toBeInstanceOf(Promise);
    expect(uses).toEqual([]);
    // The first instance's "三个一" plan, inferred from its judgment taking effect, is withdrawn by the appeal the
    // second-instance case shows (ALL 第85条), in this delivery's own write.
    const firstPlanIds = facts.contexts
      .get(first!.id)!
      .obligations.filter((o) => o.kind === 'three_ones_plan')
      .map((o) => `obligation:${o.id}`);
    const withdrawn = plan.entries.filter((e) => e.action === 'obligation.withdrawn' && firstPlanIds.includes(e.subject));
    expect(firstPlanIds.length).toBeGreaterThan(0);
    expect(withdrawn).toHaveLength(firstPlanIds.length);
    expect(withdrawn[0]!.data).toMatchObject({ cause: { secondInstance: SECOND } });
    expect(plan.perDocument[0]).toMatchObject({ status: 'assigned', rule: 'R10' });
  });

  it('what the plan decided is what the gateway stores when the delivery arrives', async () => {
    const m = judgment(SECOND, (d) => {
      d.case!.instance = 'second';
      d.case!.priorCaseNumbers = [FIRST];
    });
    const facts = await readIntakeFacts(gw.deps, m, gw.clock.now());
    const planned = planRouting(watchedBuilders().w, facts, m, gw.clock.now(), ['doc-second']);
    const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
    expect(res.status, await res.clone().text()).toBe(201);
    const { receipt } = (await res.json()) as { receipt: { documents: { routing: Record<string, unknown> }[] } };
    const { caseId: _planned, ...decided } = planned.perDocument[0]!;
    expect(receipt.documents[0]!.routing).toMatchObject(decided);
    const after = await readIntakeFacts(gw.deps, m, gw.clock.now());
    const firstPlans = after.contexts.get(after.priors.get(FIRST)!.id)!.obligations.filter((o) => o.kind === 'three_ones_plan');
    expect(firstPlans.length).toBeGreaterThan(0);
    expect(firstPlans.map((o) => o.status)).toEqual(firstPlans.map(() => 'waived'));
  });
});
