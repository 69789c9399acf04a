/**
 * The defence draft as a file (P 第十一条): a unit records defence_draft_submitted with its draft attached
 * (base64, as suggestion reply drafts); the file is kept by its SHA-256, the step and the audit log keep only
 * its name, size and digest, and whoever may read the case downloads it; nobody else learns it exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/services/audit.js';
import { clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { sha256Hex, toBase64 } from '../src/lib/encoding.js';
import { auditLog, caseSteps } from '../schemas/db/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let caseId: string;
const H: Record<string, Record<string, string>> = {};
const draft = new TextEncoder().encode('答辩状（初稿）：被诉处罚决定事实清楚，证据确实充分。');

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  const court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const m = demoManifest({ messageId: 'sa-1', senderCode: 'court-longyou', issuedAt: T0, caseNumber: '(2026)浙0825行初77号' });
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status).toBe(201);
  caseId = ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
  H.unit = (await clientToken(gw, 'unit', 'kc-zrzy', '柯城自然资源分局')).headers;
  H.other = (await clientToken(gw, 'unit', 'kc-zjj', '柯城区住建局')).headers;
  H.jb = (await clientToken(gw, 'justice_bureau', '330802', '柯城区司法局')).headers;
});
afterAll(() => gw.close());

describe('a defence draft with its file (P 第十一条)', () => {
  let stepId: string;
  const digest = () => sha256Hex(draft);

  it('is recorded with the file; the step and the audit log keep its digest, not its content', async () => {
    const res = await gw.app.request(`http://gw/v1/cases/${caseId}/steps/defence_draft_submitted`, {
      method: 'POST',
      headers: H.unit,
      body: JSON.stringify({ summary: '请求驳回诉讼请求', attachments: [{ filename: '答辩状.txt', mediaType: 'text/plain', content: toBase64(draft) }] }),
    });
    expect(res.status).toBe(201);
    stepId = ((await res.json()) as { id: string }).id;
    const [row] = await gw.deps.db.orm.select().from(caseSteps);
    expect(JSON.parse(row!.dataJson)).toEqual({
      summary: '请求驳回诉讼请求',
      attachments: [{ filename: '答辩状.txt', mediaType: 'text/plain', size: draft.length, sha256: await digest() }],
    });
    const audit = (await gw.deps.db.orm.select().from(auditLog)).map((a) => a.data).join('\n');
    expect(audit).not.toContain(toBase64(draft));
  });

  it('the unit and the bureau download it byte for byte; another unit gets 404', async () => {
    const path = `http://gw/v1/cases/${caseId}/steps/${stepId}/attachments/${await digest()}`;
    for (const who of [H.unit, H.jb]) {
      const res = await gw.app.request(path, { headers: who });
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(draft);
      expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('答辩状.txt'));
    }
    expect((await gw.app.request(path, { headers: H.other })).status).toBe(404);
  });

  it('content that is not base64 is a 400 and records nothing', async () => {
    const res = await gw.app.request(`http://gw/v1/cases/${caseId}/steps/defence_draft_submitted`, {
      method: 'POST',
      headers: H.unit,
      body: JSON.stringify({ summary: '再次提交', attachments: [{ filename: 'x.txt', mediaType: 'text/plain', content: '%%%not base64%%%' }] }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await gw.deps.db.orm.select().from(caseSteps)).toHaveLength(1);
  });
});

describe('the audit log after everything above (issue #19)', () => {
  it('verifies: every stored fact these tests wrote or changed went through an audited record', async () => {
    const r = await verifyAuditChain(gw.deps);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBeGreaterThan(0);
  });
});
