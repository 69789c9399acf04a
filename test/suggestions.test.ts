/**
 * Judicial and procuratorial suggestions (issue 8): from intake to the sender's acknowledged, signed reply,
 * under two presets; a reply returned and resubmitted; a unit trying to approve its own reply (denied).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/services/audit.js';
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
    await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
      method: 'PUT',
      headers: H.admin,
      body: JSON.stringify({ presetId: 'putian-chengxiang' }),
    });
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
      // eslint-disable-next-line no-control-regex -- keep Latin-1 only for btoa
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
    const ev = (await (await api('/v1/evidence', 'proc')).json()) as {
      items: { type: string; jws: string; payload: { text: string; approvedBy: { name: string }; attachments: { sha256: string }[] } }[];
    };
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
    const m = demoManifest({
      messageId: 'sf-1',
      senderCode: 'court-longyou',
      issuedAt: T0,
      type: 'judicial_suggestion',
      caseNumber: '(2026)浙0825行初55号',
      defendant: '衢州市自然资源和规划局柯城分局',
      regionCode: '330802',
    });
    m.documents[0]!.title = '司法建议书';
    m.documents[0]!.replyDueOn = '2027-01-15';
    expect((await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)))).status).toBe(201);
    const list = (await (await api('/v1/suggestions?sender=court-longyou', 'zrzy')).json()) as {
      items: { id: string; status: string; replyDueOn: string; unitId: string }[];
    };
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

describe('an overdue reply is escalated; the relay reaches a sender that was down', () => {
  it('the sweep marks the unanswered reply overdue, opens a remediation item and tells the unit and the bureau; the reply is then relayed in order once the sender is back', async () => {
    const { createServer } = await import('node:http');
    const { sweep } = await import('../src/jobs/sweep.js');
    const { registerChannel } = await import('../src/services/notifications.js');
    let up = false;
    const got: string[] = [];
    const hooks: string[] = [];
    const srv = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString('utf8')));
      req.on('end', () => {
        if (req.url === '/hook') {
          hooks.push((JSON.parse(b) as { title: string }).title);
          return void res.writeHead(200).end('{}');
        }
        if (!up) return void res.writeHead(503).end();
        got.push((JSON.parse(b) as { type: string }).type);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    try {
      await registerSender(gw.deps, {
        code: 'procuratorate-kecheng',
        type: 'procuratorate',
        name: '衢州市柯城区人民检察院',
        caPem: proc.caPem,
        callbackUrl: `${base}/evidence`,
      });
      for (const unitId of ['kc-jtj', 'kc-sfj'])
        await registerChannel(gw.deps, { unitId, kind: 'webhook', url: `${base}/hook`, secret: 'a-webhook-secret-16+' }, 'test');
      await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
        method: 'PUT',
        headers: H.admin,
        body: JSON.stringify({ presetId: 'quzhou-kecheng' }),
      });
      gw.clock.set(T0);
      const m = {
        messageId: 'jy-urgent-1',
        sender: { type: 'procuratorate', code: 'procuratorate-kecheng' },
        issuedAt: T0.toISOString(),
        documents: [
          { documentId: 'jy-u-1', type: 'procuratorial_suggestion', title: '关于道路安全隐患的检察建议书（公益诉讼）', urgent: true, attachments: [] },
        ],
      };
      expect((await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, proc.signer)))).status).toBe(201);
      const item = ((await (await api('/v1/suggestions?status=queued', 'jb')).json()) as { items: { id: string; replyDueOn: string }[] }).items.find(
        (i) => i.replyDueOn === '2026-12-08',
      )!;
      expect(item).toBeTruthy(); // urgent: 15 days from 11-23 (公益诉讼解释 第21条)
      await api(`/v1/suggestions/${item.id}/assign`, 'jb', 'POST', { unitId: 'kc-jtj', reason: '道路安全由交通运输局主管' });
      // Nothing is drafted; on 12-09 the reply is overdue.
      gw.clock.set(new Date('2026-12-09T01:00:00Z'));
      await sweep(gw.deps, gw.clock.now());
      // Tokens live 15 minutes: the clerks sign in again on the new day.
      H.jb = (await clientToken(gw, 'justice_bureau', '330802', '柯城区司法局')).headers;
      H.office = (await clientToken(gw, 'government_office', '330802', '柯城区政府办')).headers;
      const overdue = (await (await api('/v1/suggestions?overdue=true', 'jb')).json()) as { items: { id: string }[] };
      expect(overdue.items.map((i) => i.id)).toContain(item.id);
      const obs = (await (await api('/v1/obligations?unit=kc-jtj&status=overdue', 'jb')).json()) as { items: { kind: string }[] };
      expect(obs.items.map((o) => o.kind)).toContain('suggestion_reply');
      expect(hooks.filter((t) => t.includes('逾期'))).toHaveLength(2); // the unit and the bureau
      // The unit catches up; the reply is approved while the procuratorate's system is down.
      const unitTok = (await clientToken(gw, 'unit', 'kc-jtj', '柯城区交通运输局')).headers;
      H.jtj = unitTok;
      await api(`/v1/suggestions/${item.id}/drafts`, 'jtj', 'POST', { text: '已完成隐患路段整治。' });
      await api(`/v1/suggestions/${item.id}/review`, 'jb', 'POST', { result: 'passed' });
      expect((await api(`/v1/suggestions/${item.id}/approve`, 'office', 'POST', { approver: '陈副区长', post: '副区长' })).status).toBe(200);
      await sweep(gw.deps, new Date('2026-12-10T01:00:00Z'));
      expect(got).toEqual([]);
      up = true;
      await sweep(gw.deps, new Date('2026-12-10T05:00:00Z'));
      await sweep(gw.deps, new Date('2026-12-10T05:00:00Z'));
      expect(got.filter((t) => t === 'reply')).toHaveLength(1); // once
      expect(got.indexOf('receipt')).toBeLessThan(got.indexOf('reply')); // in order: the receipt came first
      const o2 = (await (await api('/v1/obligations?unit=kc-jtj', 'jb')).json()) as { items: { kind: string; status: string }[] };
      expect(o2.items.find((o) => o.kind === 'suggestion_reply')?.status).toBe('remedied');
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
      gw.clock.set(T0);
    }
  });
});

describe('the audit log after everything above (issue #19)', () => {
  it('verifies: every stored fact these tests wrote or changed went through an audited record', async () => {
    const r = await verifyAuditChain(gw.deps);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBeGreaterThan(0);
  });
});
