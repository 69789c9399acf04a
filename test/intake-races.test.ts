/**
 * Intake plans outside the write lock (issue 21): what it read about a case must still hold when its batch
 * commits, or the batch is refused as a typed conflict and the delivery is planned again. Two races the review
 * found by reading the code, shown here by holding a delivery between its plan and its commit:
 *   - a summons and a head-appearance notice for one case planned together (one commit group) must leave ONE open
 *     hearing obligation: the later notice supersedes the earlier hearing (docs/domain.md §4, "latest");
 *   - a justice-bureau assignment committing between a delivery's plan and its batch must not leave that delivery's
 *     obligations with no unit: the delivery follows the case's units (R10, B 第九条).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { assignCase } from '../src/services/assignments.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import * as schema from '../schemas/db/index.js';
import type { Deps } from '../src/deps.js';
import type { Manifest } from '../schemas/api/manifest.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
});
afterAll(() => gw.close());

let n = 0;
const manifest = (type: Manifest['documents'][number]['type'], caseNumber: string, defendant?: string) => {
  gw.clock.advance(1_000);
  const m = demoManifest({
    messageId: `race-${++n}`,
    senderCode: 'court-longyou',
    issuedAt: gw.clock.now(),
    type,
    caseNumber,
    regionCode: '330802',
    ...(defendant ? { defendant } : {}),
  });
  if (defendant) m.documents[0]!.case!.challengedAct.actingUnits = [{ name: defendant }];
  return m;
};
const deliver = async (m: Manifest) => {
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { receipt: { documents: { id: string; routing: { caseId: string; status: string } }[] } }).receipt.documents[0]!;
};

/**
 * Run `between(k)` after the k-th intake plan is made and before it is committed (its group waits for it), by
 * wrapping the process's writer as the app sees it. Returns a function that puts the writer back.
 */
function holdPlans(deps: Deps, between: (k: number) => Promise<void>): () => void {
  const w = deps.writer;
  let k = 0;
  deps.writer = {
    planned: (plan, at) => w.planned(plan, at),
    audited: (entries, build, at) => w.audited(entries, build, at),
    optimistic: (plan, replan, at) =>
      w.optimistic(
        async () => {
          const p = await plan();
          await between(++k);
          return p;
        },
        replan,
        at,
      ),
    announce: (work) => w.announce(work),
    checkpoint: () => w.checkpoint(),
    forget: () => w.forget(),
    stats: () => w.stats(),
  };
  return () => {
    deps.writer = w;
  };
}

describe('facts read outside the lock are checked when the batch commits (issue 21)', () => {
  it('a summons and a head-appearance notice planned together leave one open hearing obligation', async () => {
    const first = await deliver(manifest('complaint_copy', '(2026)浙0825行初2101号'));
    expect(first.routing.status).toBe('assigned');
    // Both deliveries are planned before either commits: each waits for the other's plan.
    let planned = 0;
    let bothPlanned!: () => void;
    const together = new Promise<void>((r) => (bothPlanned = r));
    const restore = holdPlans(gw.deps, async (k) => {
      if (k > 2) return; // a plan made again after a conflict goes straight on
      if (++planned === 2) bothPlanned();
      await together;
    });
    try {
      const summons = manifest('summons', '(2026)浙0825行初2101号');
      summons.documents[0]!.hearing = { at: '2026-12-20T09:30:00+08:00' };
      const notice = manifest('head_appearance_notice', '(2026)浙0825行初2101号');
      notice.documents[0]!.hearing = { at: '2026-12-20T09:30:00+08:00', headAppearanceRequired: true };
      await Promise.all([deliver(summons), deliver(notice)]);
    } finally {
      restore();
    }
    const open = await gw.deps.db.orm
      .select({ id: schema.obligations.id, documentId: schema.obligations.documentId })
      .from(schema.obligations)
      .where(and(eq(schema.obligations.caseId, first.routing.caseId), eq(schema.obligations.kind, 'hearing'), eq(schema.obligations.status, 'open')));
    expect(open).toHaveLength(1);
  });

  it("a justice-bureau assignment committed between a delivery's plan and its batch: the delivery's obligations follow the assigned unit", async () => {
    const queued = await deliver(manifest('complaint_copy', '(2026)浙0825行初2102号', '某某管理办公室'));
    expect(queued.routing.status).toBe('queued');
    const restore = holdPlans(gw.deps, async (k) => {
      if (k === 1)
        await assignCase(
          gw.deps,
          queued.routing.caseId,
          { assignments: [{ unitId: 'kc-zrzy', role: 'lead' }], reason: '某某管理办公室系自然资源分局内设机构' },
          'justice_bureau:330802',
          'assign',
        );
    });
    let summons: Awaited<ReturnType<typeof deliver>>;
    try {
      const m = manifest('summons', '(2026)浙0825行初2102号', '某某管理办公室');
      m.documents[0]!.hearing = { at: '2026-12-21T09:30:00+08:00' };
      summons = await deliver(m);
    } finally {
      restore();
    }
    expect(summons.routing.status).toBe('assigned');
    const obs = await gw.deps.db.orm
      .select({ kind: schema.obligations.kind, unitId: schema.obligations.unitId, regionCode: schema.obligations.regionCode })
      .from(schema.obligations)
      .where(eq(schema.obligations.documentId, summons.id));
    expect(obs.length).toBeGreaterThan(0);
    for (const o of obs) expect(o, o.kind).toMatchObject({ unitId: 'kc-zrzy', regionCode: '330802' });
  });
});
