/**
 * `npm run demo`: a demo court (龙游县人民法院, its own CA kept in <DATA_DIR>/demo-court/) registers with the
 * gateway's database and pushes a handful of realistic signed documents to a RUNNING gateway (`npm start`),
 * then checks every receipt against the gateway's JWKS alone, shows a retry and a tampered push.
 *
 *   FUYUAN_URL (default http://127.0.0.1:8787), DATA_DIR / DATABASE_URL as for `npm start`: the demo writes its
 *   court into that database, so both must be the gateway's (checked first through the gateway's JWKS).
 *   With ADMIN_TOKEN (the gateway's) it registers through the admin API instead: any gateway, the Worker too.
 */
import { join } from 'node:path';
import { usageOrExit } from './usage.js';
import { parseNodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { jsonLogger } from './log.js';
import {
  attachmentEntry,
  demoManifest,
  hintDataDir,
  loadOrMakeCourtPki,
  multipartRequest,
  reachGateway,
  sameGatewayProblem,
  rsaSigner,
  signManifest,
  joseRequest,
  type FileInput,
} from './court-kit.js';
import { registerSender } from '../../src/services/senders.js';
import { directorySnapshot, saveDirectory } from '../../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../../src/domain/routing/index.js';
import { verifyWithJwks } from '../../src/lib/signing.js';
import { canonicalJson } from '../../src/lib/encoding.js';
import { base64url } from 'jose';

const say = (s: string) => process.stdout.write(s + '\n');

/** A small but real PDF, so the attachment opens in a viewer. */
function pdfBytes(title: string): Uint8Array {
  const body = `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n4 0 obj<</Length ${title.length + 30}>>stream\nBT /F1 18 Tf 72 760 Td (${title}) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

async function main() {
  usageOrExit({
    name: 'npm run demo',
    description: 'a demo court (龙游县人民法院) pushes signed documents to a RUNNING gateway (npm start) and checks every receipt',
    environment: [
      ['FUYUAN_URL', 'the gateway (http://127.0.0.1:8787)'],
      ['DATA_DIR, DATABASE_URL', "the gateway's: the demo registers its court in that database (as for npm start)"],
      ['ADMIN_TOKEN', "the gateway's admin token: register through the admin API instead (any gateway, the Worker too)"],
    ],
  });
  const cfg = parseNodeConfig(process.env);
  const base = await reachGateway(say);
  const { ca, leaf } = loadOrMakeCourtPki(join(cfg.DATA_DIR, 'demo-court'), '浙江省龙游县人民法院 演示CA (demo)', '浙江省龙游县人民法院');
  let adminToken: string;
  if (cfg.ADMIN_TOKEN) {
    // With the gateway's ADMIN_TOKEN the demo sets itself up through the admin API: any gateway, the Worker too.
    adminToken = cfg.ADMIN_TOKEN;
    const h = { authorization: `Bearer ${adminToken}`, 'x-actor': encodeURIComponent('演示 demo'), 'content-type': 'application/json' };
    const reg = await fetch(`${base}/v1/admin/senders`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: ca.certPem }),
    });
    if (reg.status === 401 || reg.status === 403) {
      say(
        `✗ the gateway at ${base} refused ADMIN_TOKEN (${reg.status}): give the demo the gateway's own token (npm start: DATA_DIR/admin-token; the Worker: .dev.vars or its secret)`,
      );
      process.exit(1);
    }
    if (!reg.ok) throw new Error(`registering the demo court: ${reg.status} ${await reg.text()}`);
    const snap = await fetch(`${base}/v1/admin/directory`, { headers: h });
    if (!snap.ok || ((await snap.json()) as { version?: number }).version === 0) {
      const put = await fetch(`${base}/v1/admin/directory`, { method: 'PUT', headers: h, body: JSON.stringify(DEMO_DIRECTORY_DATA) });
      if (!put.ok) throw new Error(`loading the demo directory: ${put.status} ${await put.text()}`);
      say(
        `演示单位名录已载入 demo directory loaded (version ${((await put.json()) as { version: number }).version}): 柯城区 330802, 衢江区 330803, 龙游县人民法院集中管辖`,
      );
    }
  } else {
    const { deps, close } = await nodeDeps(cfg, { log: jsonLogger('warn') });
    const elsewhere = await sameGatewayProblem(base, await deps.keys.jwks(), cfg.DATA_DIR);
    if (elsewhere) {
      say(`✗ 演示数据目录与网关不一致 ${elsewhere}`);
      await close();
      process.exit(1);
    }
    await registerSender(deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: ca.certPem }, 'demo');
    if ((await directorySnapshot(deps)).version === 0) {
      const r = await saveDirectory(
        deps,
        DEMO_DIRECTORY_DATA,
        'demo',
        'demo directory: Kecheng 330802 and Qujiang 330803 (schemas/directory/demo-quzhou.json)',
      );
      say(`演示单位名录已载入 demo directory loaded (version ${r.version}): 柯城区 330802, 衢江区 330803, 龙游县人民法院集中管辖`);
    }
    adminToken = deps.config.adminToken!;
    await close();
  }
  const admin = { authorization: `Bearer ${adminToken}`, 'x-actor': encodeURIComponent('演示 demo') };
  say(`演示法院已登记 demo court registered: court-longyou (CA ${join(cfg.DATA_DIR, 'demo-court', 'ca.pem')})`);

  const signer = await rsaSigner(leaf);
  const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: never[] };
  const run = `${Date.now().toString(36)}`;
  const docs = [
    {
      type: 'complaint_copy' as const,
      case: `(2026)浙0825行初${100 + (Date.now() % 800)}号`,
      defendant: '衢州市自然资源和规划局柯城分局',
      region: '330802',
      label: '起诉状副本 complaint copy',
    },
    { type: 'summons' as const, case: `(2026)浙0825行初${901}号`, defendant: '衢州市衢江区住房和城乡建设局', region: '330803', label: '传票 summons' },
    { type: 'judgment' as const, case: `(2026)浙0825行初${902}号`, defendant: '衢州市柯城区人民政府', region: '330802', label: '判决书 judgment' },
    {
      type: 'complaint_copy' as const,
      case: `(2026)浙0825行初${903}号`,
      defendant: '柯城区自然资源局、柯城区综合行政执法局',
      region: '330802',
      label: '联合执法的起诉状 joint act complaint',
    },
  ];
  let ok = 0;
  for (const [i, d] of docs.entries()) {
    const file: FileInput = { id: `f${i + 1}`, filename: `${d.label.split(' ')[0]}.pdf`, mediaType: 'application/pdf', bytes: pdfBytes(`${d.case} ${d.type}`) };
    const manifest = demoManifest({
      messageId: `demo-${run}-${i + 1}`,
      senderCode: 'court-longyou',
      issuedAt: new Date(),
      type: d.type,
      caseNumber: d.case,
      defendant: d.defendant,
      regionCode: d.region,
      attachments: [await attachmentEntry(file, false)],
    });
    if (d.defendant.includes('、')) {
      // A joint act (R2): both units made the decision together.
      const names = d.defendant.split('、').map((name) => ({ name, regionCode: d.region }));
      manifest.documents[0]!.case!.defendants = names;
      manifest.documents[0]!.case!.challengedAct.actingUnits = names;
    }
    const jws = await signManifest(manifest, signer);
    const res = await fetch(multipartRequest(`${base}/v1/deliveries`, jws, [file]));
    const body = (await res.json()) as {
      receipt?: {
        receiptId: string;
        arrivedAtBeijing: string;
        auditHead: { seq: number };
        documents: {
          id: string;
          routing: { status: string; rule: string; article: string; units: { unitName: string; role: string }[]; queueReason?: string };
        }[];
      };
      jws?: string;
      detail?: string;
    };
    if (res.status !== 201 || !body.receipt || !body.jws) {
      say(`✗ ${d.label}: ${res.status} ${body.detail ?? ''}`);
      if (res.status === 403) say(`    (${hintDataDir(base, cfg.DATA_DIR)})`);
      continue;
    }
    const v = await verifyWithJwks(body.jws, jwks);
    const same = canonicalJson(v.payload) === canonicalJson(body.receipt);
    say(`✓ ${d.label} ${d.case} → 201 回执 receipt ${body.receipt.receiptId}`);
    say(
      `    送达时间 served at ${body.receipt.arrivedAtBeijing} · 审计 audit #${body.receipt.auditHead.seq} · 回执签名 ${same ? '已用 JWKS 验证 verified with the JWKS alone' : '不一致 MISMATCH'}`,
    );
    const rt = body.receipt.documents[0]!.routing;
    say(
      rt.status === 'assigned'
        ? `    分办 routed → ${rt.units.map((u) => `${u.unitName}（${u.role}）`).join('、')} · ${rt.rule} ${rt.article}`
        : `    待司法局确定 queued for the justice bureau (${rt.queueReason}) · ${rt.rule} ${rt.article}`,
    );
    const docId = body.receipt.documents[0]!.id;
    if (adminToken) {
      const exRes = await fetch(`${base}/v1/documents/${docId}/routing`, { headers: admin });
      const ex = (await exRes.json()) as { explanation?: { zh: string[] }; detail?: string };
      if (exRes.ok && ex.explanation) for (const line of ex.explanation.zh) say(`      · ${line}`);
      else say(`      (分办说明不可用 no routing explanation: ${exRes.status} ${ex.detail ?? ''}; is ADMIN_TOKEN the gateway's?)`);
    } else if (i === 0) say('      (设置 ADMIN_TOKEN 可显示分办说明 set ADMIN_TOKEN, as for npm start, to see why each document went where it went)');
    if (same) ok++;
    if (i === 0) {
      const retry = await fetch(multipartRequest(`${base}/v1/deliveries`, jws, [file]));
      const r2 = (await retry.json()) as { receipt: { receiptId: string } };
      say(
        `↻ 重发同一消息 same message again → ${retry.status}, 原回执 original receipt ${r2.receipt.receiptId === body.receipt.receiptId ? 'returned' : 'DIFFERENT'}`,
      );
      const [h, p, s] = jws.split('.') as [string, string, string];
      const forged = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
      forged.documents[0].case.defendants[0].name = '衢州市柯城区人民政府'; // someone edits the defendant after signing
      const tampered = `${h}.${base64url.encode(JSON.stringify(forged))}.${s}`;
      const bad = await fetch(joseRequest(`${base}/v1/deliveries`, tampered));
      const pb = (await bad.json()) as { type: string; title: string };
      say(`✗ 篡改后的文书 tampered copy → ${bad.status} ${pb.type} ${pb.title}`);
    }
  }
  say(`\n${ok}/${docs.length} 份文书已送达并取得经验证的回执 documents delivered with verified receipts.`);
  process.exit(ok === docs.length ? 0 : 1);
}

main().catch((e) => {
  say(`demo failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
