/**
 * Issue 7's "done when", checked against two running gateways: the same signed delivery pushed to Node
 * (`npm start`) and to the Worker (`npm run dev:worker`) gets the same routing and deadlines, and each receipt
 * verifies against that gateway's own JWKS.
 *
 *   NODE_URL=http://127.0.0.1:8787 NODE_ADMIN_TOKEN=… WORKER_URL=http://127.0.0.1:8788 WORKER_ADMIN_TOKEN=… \
 *     npx tsx adapters/workers/compare-runtimes.ts
 *
 * Each gateway gets the demo directory and a fresh test court (its CA) through the admin API first.
 * Exit 0 when everything matches; otherwise the differences are printed and the exit code is 1.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { attachmentEntry, createCa, demoManifest, issueSigner, rsaSigner, signManifest } from '../node/court-kit.js';
import { verifyWithJwks } from '../../src/lib/signing.js';

interface Gateway {
  name: string;
  url: string;
  token: string;
}

const need = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const gateways: Gateway[] = [
  { name: 'node', url: need('NODE_URL'), token: need('NODE_ADMIN_TOKEN') },
  { name: 'worker', url: need('WORKER_URL'), token: need('WORKER_ADMIN_TOKEN') },
];
const directory = readFileSync(new URL('../../schemas/directory/demo-quzhou.json', import.meta.url), 'utf8');
const admin = (g: Gateway) => ({ authorization: `Bearer ${g.token}`, 'x-actor': 'compare-runtimes', 'content-type': 'application/json' });

async function call(g: Gateway, path: string, init: RequestInit = {}) {
  const res = await fetch(`${g.url}${path}`, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: body as Record<string, unknown> };
}

// One court, one message, signed once.
const from = new Date(Date.now() - 86_400_000);
const to = new Date(Date.now() + 365 * 86_400_000);
const code = `court-cmp-${Date.now().toString(36)}`;
const ca = createCa('比对测试法院 CA', { notBefore: from, notAfter: to });
const signer = await rsaSigner(issueSigner(ca, '比对测试法院 签章', { notBefore: from, notAfter: to }));
const file = { id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4 比对\n%%EOF\n') };
// A case number of its own, so neither gateway has seen the case before (a known case is followed, R10).
const caseNumber = `(2026)浙0825行初${Date.now() % 100_000}号`;
const manifest = demoManifest({
  messageId: `${code}-1`,
  senderCode: code,
  issuedAt: new Date(),
  regionCode: '330802',
  caseNumber,
  attachments: [await attachmentEntry(file, true)],
});
const jws = await signManifest(manifest, signer);

const seen: Record<string, unknown>[] = [];
let failed = false;
for (const g of gateways) {
  const dir = await call(g, '/v1/admin/directory', { method: 'PUT', headers: admin(g), body: directory });
  const reg = await call(g, '/v1/admin/senders', {
    method: 'POST',
    headers: admin(g),
    body: JSON.stringify({ code, type: 'court', name: '比对测试法院', caPem: ca.certPem }),
  });
  if (dir.status !== 200 || reg.status !== 200)
    throw new Error(`${g.name}: setup failed (directory ${dir.status}, sender ${reg.status}: ${JSON.stringify(reg.body)})`);
  const res = await call(g, '/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
  if (res.status !== 201) throw new Error(`${g.name}: delivery answered ${res.status}: ${JSON.stringify(res.body)}`);
  const body = res.body as {
    receipt: { documents: { routing: { status: string; rule?: string; units?: { unitId: string; role?: string }[]; caseId?: string } }[] };
    jws: string;
  };
  const jwks = (await call(g, '/.well-known/jwks.json')).body as { keys: never[] };
  let verifies = false;
  try {
    const v = await verifyWithJwks(body.jws, jwks);
    verifies = isDeepStrictEqual(v.payload, body.receipt);
  } catch {
    verifies = false;
  }
  const routing = body.receipt.documents.map((d) => ({
    status: d.routing.status,
    rule: d.routing.rule,
    units: d.routing.units?.map((u) => `${u.unitId}${u.role ? `/${u.role}` : ''}`),
  }));
  const caseId = body.receipt.documents[0]?.routing.caseId;
  const obs = caseId
    ? ((await call(g, `/v1/obligations?case=${caseId}`, { headers: admin(g) })).body as {
        items: { kind: string; unitId: string | null; dueOn: string; source: string; provisional: boolean }[];
      })
    : { items: [] };
  const deadlines = obs.items.map((o) => `${o.kind} ${o.unitId ?? '-'} due ${o.dueOn}${o.provisional ? ' (provisional)' : ''} [${o.source}]`).sort();
  process.stdout.write(
    `${g.name} (${g.url}): 201, receipt verifies against its JWKS (kid ${jwks.keys.map((k: { kid?: string }) => k.kid).join(',')}): ${verifies}\n`,
  );
  process.stdout.write(`  routing   ${JSON.stringify(routing)}\n  deadlines ${JSON.stringify(deadlines)}\n`);
  if (!verifies) failed = true;
  seen.push({ routing, deadlines });
}
const same = JSON.stringify(seen[0]) === JSON.stringify(seen[1]);
process.stdout.write(same ? 'same routing and deadlines on both runtimes\n' : 'DIFFERENT routing or deadlines\n');
process.exit(same && !failed ? 0 : 1);
