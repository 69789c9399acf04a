/**
 * Evidence pushed to a court's callback that is down for a while and then comes back: delivered once each,
 * in order (issue 5 item 3), each a JWS the court verifies with the gateway's JWKS alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/services/audit.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { sweep } from '../src/jobs/sweep.js';
import { verifyWithJwks } from '../src/lib/signing.js';

let server: Server;
let up = false;
const got: { id: string; key: string; type: string; jws: string }[] = [];
let refused = 0;
let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (!up) {
        refused++;
        res.writeHead(503).end('maintenance');
        return;
      }
      const p = JSON.parse(body) as { evidenceId: string; type: string; jws: string };
      got.push({ id: p.evidenceId, key: String(req.headers['idempotency-key']), type: p.type, jws: p.jws });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fuyuan/evidence`;
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem, callbackUrl: url });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
});
afterAll(async () => {
  await gw.close();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('court callbacks', () => {
  it('hold while the court is down, then deliver every piece of evidence once, in the order it was made', async () => {
    const docIds: string[] = [];
    for (let i = 1; i <= 3; i++) {
      gw.clock.set(new Date(T0.getTime() + i * 1000));
      const m = demoManifest({
        messageId: `cb-${i}`,
        senderCode: 'court-longyou',
        issuedAt: gw.clock.now(),
        caseNumber: `(2026)浙0825行初${600 + i}号`,
        regionCode: '330802',
      });
      const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
      docIds.push(((await res.json()) as { receipt: { documents: { id: string }[] } }).receipt.documents[0]!.id);
    }
    const jb = await clientToken(gw, 'justice_bureau', '330802');
    expect((await gw.app.request(`http://gw/v1/filings/${docIds[0]}/confirm`, { method: 'POST', headers: jb.headers })).status).toBe(201);

    // Down: each sweep tries the head of the queue only, and backs off.
    for (const minutes of [0, 1, 3, 7]) {
      gw.clock.set(new Date(T0.getTime() + 10_000 + minutes * 60_000));
      await sweep(gw.deps, gw.clock.now());
    }
    expect(got).toEqual([]);
    expect(refused).toBe(4); // one attempt per sweep, never the rows behind the head
    up = true;
    gw.clock.set(new Date(T0.getTime() + 3600_000));
    await sweep(gw.deps, gw.clock.now());
    await sweep(gw.deps, gw.clock.now()); // run twice: nothing twice

    const made = (
      (await (await gw.app.request('http://gw/v1/evidence', { headers: (await clientToken(gw, 'court', 'court-longyou')).headers })).json()) as {
        items: { id: string; type: string }[];
      }
    ).items;
    expect(got.map((g) => g.id)).toEqual(made.map((e) => e.id)); // all, once, in order
    expect(got.map((g) => g.type)).toEqual(['receipt', 'receipt', 'receipt', 'confirmation']);
    expect(got.every((g) => g.key === g.id)).toBe(true);
    const jwks = (await (await gw.app.request('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
    for (const g of got) await verifyWithJwks(g.jws, jwks);
  });
});

describe('the audit log after everything above (issue #19)', () => {
  it('verifies: every stored fact these tests wrote or changed went through an audited record', async () => {
    const r = await verifyAuditChain(gw.deps);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBeGreaterThan(0);
  });
});
