/**
 * Judicial and procuratorial suggestions (issue 8): from intake to the sender's acknowledged, signed reply,
 * under two presets; a reply returned and resubmitted; a unit trying to approve its own reply (denied).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, makeEcPki, type CourtPki, type EcPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { verifyWithJwks } from '../src/lib/signing.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let proc: EcPki;
let H: Record<string, Record<string, string>>;
const api = (path: string, who: string, method = 'GET', body?: unknown) =>
  gw.app.request(`http://gw${path}`, { method, headers: H[who], ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  proc = await makeEcPki('柯城区人民检察院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await registerSender(gw.deps, { code: 'procuratorate-kecheng', type: 'procuratorate', name: '衢州市柯城区人民检察院', caPem: proc.caPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  H = {
    admin: adminHeaders(),
    scjg: (await clientToken(gw, 'unit', 'kc-scjg', '柯城区市场监管局')).headers,
    zrzy: (await clientToken(gw, 'unit', 'kc-zrzy', '柯城自然资源分局')).headers,
    jb: (await clientToken(gw, 'justice_bureau', '330802', '柯城区司法局')).headers,
    office: (await clientToken(gw, 'government_office', '330802', '柯城区政府办')).headers,
    proc: (await clientToken(gw, 'procuratorate', 'procuratorate-kecheng', '柯城区检察院')).headers,
    court: (await clientToken(gw, 'court', 'court-longyou', '龙游法院')).headers,
  };
});
afterAll(() => gw.close());

describe('a procuratorial suggestion standing alone (Putian preset)', () => {
  let id = '';
  it('arrives, waits for the bureau, who names the unit; the reply is due two months from receipt', async () => {
    await gw.app.request('http://gw/v1/admin/regions/330802/policy', { method: 'PUT', headers: H.admin, body: JSON.stringify({ presetId: 'putian-chengxiang' }) });
    const m = {
      messageId: 'jy-1',
      sender: { type: 'procuratorate', code: 'procuratorate-kecheng' },
      issuedAt: T0.toISOString(),
      documents: [{ documentId: 'jy-1-1', type: 'procuratorial_suggestion', title: '关于规范食品经营许可的检察建议书', attachments: [] }],
    };
    const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, proc.signer)));
    expect(res.status).toBe(201);
    const list = (await (await api('/v1/suggestions', 'jb')).json()) as { items: { id: string; status: string; replyDueOn: string; kind: string }[] };
    expect(list.items).toHaveLength(1);
    // 2026-11-23 + 2 months = 2027-01-23, a Saturday → the next working day (2027 not yet published: provisional).
    expect(list.items[0]).toMatchObject({ kind: 'procuratorial', status: 'queued', replyDueOn: '2027-01-25' });
    id = list.items[0]!.id;
    expect((await api(`/v1/suggestions/${id}/assign`, 'scjg', 'POST', { unitId: 'kc-scjg', reason: 'x' })).status).toBe(404); // not its own yet
    const assigned = await api(`/v1/suggestions/${id}/assign`, 'jb', 'POST', { unitId: 'kc-scjg', reason: '食品经营许可由市场监管局主管' });
    expect(assigned.status).toBe(200);
  });

  it('the draft is returned with comments, resubmitted, passed; the unit cannot approve its own reply', async () => {
    expect((await api(`/v1/suggestions/${id}/drafts`, 'scjg', 'POST', { text: '已收悉，将研究。' })).status).toBe(201);
    expect((await api(`/v1/suggestions/${id}/review`, 'jb', 'POST', { result: 'returned' })).status).toBe(400); // comments required
    expect((await api(`/v1/suggestions/${id}/review`, 'jb', 'POST', { result: 'returned', comments: '请逐条回应建议内容并说明整改措施' })).status).toBe(200);
    const draft2 = await api(`/v1/suggestions/${id}/drafts`, 'scjg', 'POST', {
      text: '一、已开展专项检查；二、已修订许可审查规程。',
      attachments: [{ filename: '整改报告.pdf', mediaType: 'application/pdf', content: btoa('%PDF-1.4 整改报告'.replace(/[^\x00-\xff]/g, '?')) }],
      rectification: { promised: true, by: '2027-03-31', description: '完成全区排查' },
    });
    expect(draft2.status).toBe(201);
    expect((await api(`/v1/suggestions/${id}/review`, 'jb', 'POST', { result: 'passed' })).status).toBe(200);
    const selfApprove = await api(`/v1/suggestions/${id}/approve`, 'scjg', 'POST', { approver: '局长', post: '局长' });
    expect(selfApprove.status).toBe(403);
    expect(((await (await api(`/v1/suggestions/${id}`, 'jb')).json()) as { status: string }).status).toBe('awaiting_approval');
  });

  it('the government approves; the signed reply reaches the procuratorate, who verifies it with the JWKS and acknowledges', async () => {
    const res = await api(`/v1/suggestions/${id}/approve`, 'office', 'POST', { approver: '陈副区长', post: '副区长' });
    expect(res.status).toBe(200);
    const ev = (await (await api('/v1/evidence', 'proc')).json()) as { items: { type: string; jws: string; payload: { text: string; approvedBy: { name: string }; attachments: { sha256: string }[] } }[] };
    const reply = ev.items.find((e) => e.type === 'reply')!;
    const jwks = (await (await gw.app.request('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
    const verified = (await verifyWithJwks(reply.jws, jwks)).payload as typeof reply.payload;
    expect(verified.text).toContain('已修订许可审查规程');
    expect(verified.approvedBy.name).toBe('陈副区长');
    expect(verified.attachments).toHaveLength(1);
    // The promised rectification is followed up.
    const obs = (await (await api('/v1/obligations?unit=kc-scjg', 'jb')).json()) as { items: { kind: string; dueOn: string; status: string }[] };
    expect(obs.items.find((o) => o.kind === 'rectification_follow_up')).toMatchObject({ dueOn: '2027-03-31', status: 'open' });
    expect(obs.items.find((o) => o.kind === 'suggestion_reply')?.status).toBe('done');
    expect((await api(`/v1/suggestions/${id}/acknowledge`, 'court', 'POST')).status).toBe(404); // another sender
    expect((await api(`/v1/suggestions/${id}/acknowledge`, 'proc', 'POST')).status).toBe(200);
    const view = (await (await api(`/v1/suggestions/${id}`, 'jb')).json()) as { status: string; steps: { kind: string }[] };
    expect(view.status).toBe('acknowledged');
    expect(view.steps.map((s) => s.kind)).toEqual(['assigned', 'draft', 'review', 'draft', 'review', 'approval', 'relay', 'acknowledged']);
  });
});

describe('a judicial suggestion in a case, with its own reply period (Sishui preset)', () => {
  it('goes to the case unit; the period the court states applies; relayed and acknowledged', async () => {
    await gw.app.request('http://gw/v1/admin/regions/330802/policy', { method: 'PUT', headers: H.admin, body: JSON.stringify({ presetId: 'sishui' }) });
    const m = demoManifest({ messageId: 'sf-1', senderCode: 'court-longyou', issuedAt: T0, type: 'judicial_suggestion', caseNumber: '(2026)浙0825行初55号', defendant: '衢州市自然资源和规划局柯城分局', regionCode: '330802' });
    m.documents[0]!.title = '司法建议书';
    m.documents[0]!.replyDueOn = '2027-01-15';
    expect((await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)))).status).toBe(201);
    const list = (await (await api('/v1/suggestions?sender=court-longyou', 'zrzy')).json()) as { items: { id: string; status: string; replyDueOn: string; unitId: string }[] };
    expect(list.items).toEqual([expect.objectContaining({ status: 'drafting', replyDueOn: '2027-01-15', unitId: 'kc-zrzy' })]);
    const id = list.items[0]!.id;
    await api(`/v1/suggestions/${id}/drafts`, 'zrzy', 'POST', { text: '已按建议完善执法程序。', handledOn: '2026-12-01' });
    await api(`/v1/suggestions/${id}/review`, 'jb', 'POST', { result: 'passed' });
    expect((await api(`/v1/suggestions/${id}/approve`, 'office', 'POST', { approver: '陈副区长', post: '副区长' })).status).toBe(200);
    expect((await api(`/v1/suggestions/${id}/acknowledge`, 'court', 'POST')).status).toBe(200);
    const tl = (await (await api('/v1/evidence', 'court')).json()) as { items: { type: string }[] };
    expect(tl.items.map((e) => e.type)).toContain('reply');
  });
});
