/**
 * Hostile deliveries (issue 18): mutations of valid deliveries in each wire format (compact JWS, JWS with
 * multipart attachments, XML, XML in multipart), byte by byte and, signed validly, field by field (lone
 * surrogates, dates out of range, wrong types, other senders' case numbers, huge and blank values). For every
 * answer: never a 5xx; a refusal is problem+json and changes no row. Seeded (FUZZ_SEED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FUZZ_SEED, fuzzWorld, hostileString, problemDefect, type World } from './world.js';
import { makeCourtPki, type CourtPki } from '../helpers/pki.js';
import { xmlSignerOf } from '../helpers/xml.js';
import { attachmentEntry, demoManifest, joseRequest, multipartRequest, signManifest, type FileInput } from '../../adapters/node/court-kit.js';
import { encodeXml, signXmlEnvelope } from '../../adapters/envelope/xml/sign.js';
import { registerSender } from '../../src/services/senders.js';
import { T0 } from '../helpers/gateway.js';
import type { Manifest } from '../../schemas/api/manifest.js';

const URL_ = 'http://gw/v1/deliveries';
let w: World;
let other: CourtPki; // court-kecheng, registered: it must not write into court-longyou's cases
let seq = 0;
const tally = { deliveries: 0, fiveXx: 0, accepted: 0, refused: 0, intoAnotherSendersCase: 0 };

interface Wire {
  contentType: string;
  bytes: Uint8Array;
}
let bases: Record<'jose' | 'multipart' | 'xml' | 'xml-multipart', Wire>;
const file: FileInput = { id: 'att-1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) };

async function wireOf(req: Request): Promise<Wire> {
  return { contentType: req.headers.get('content-type')!, bytes: new Uint8Array(await req.arrayBuffer()) };
}

function xmlMultipart(envelope: Uint8Array, files: FileInput[]): Request {
  const form = new FormData();
  form.append('envelope', new Blob([envelope as Uint8Array<ArrayBuffer>], { type: 'application/xml' }), 'envelope.xml');
  for (const f of files) form.append(f.id, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.mediaType }), f.filename);
  return new Request(URL_, { method: 'POST', body: form });
}

const manifest = async (inline: boolean): Promise<Manifest> =>
  demoManifest({
    messageId: `fzd-${++seq}`,
    senderCode: 'court-longyou',
    issuedAt: T0,
    caseNumber: `(2026)浙0825行初${900 + seq}号`,
    attachments: [await attachmentEntry(file, inline)],
  });

beforeAll(async () => {
  w = await fuzzWorld();
  other = await makeCourtPki('柯城区人民法院');
  await registerSender(w.gw.deps, { code: 'court-kecheng', type: 'court', name: '衢州市柯城区人民法院', caPem: other.ca.certPem });
  bases = {
    jose: await wireOf(joseRequest(URL_, await signManifest(await manifest(true), w.court.signer))),
    multipart: await wireOf(multipartRequest(URL_, await signManifest(await manifest(false), w.court.signer), [file])),
    xml: { contentType: 'application/xml', bytes: encodeXml(signXmlEnvelope(await manifest(true), xmlSignerOf(w.court), { encoding: 'UTF-8' })) },
    'xml-multipart': await wireOf(xmlMultipart(encodeXml(signXmlEnvelope(await manifest(false), xmlSignerOf(w.court), { encoding: 'UTF-8' })), [file])),
  };
}, 120_000);
afterAll(async () => {
  console.log(`FUZZ deliveries ${JSON.stringify(tally)}`);
  await w?.gw.close();
});

/** Send a delivery; check the answer; keep the row snapshot. */
let rows = '';
async function deliver(wire: Wire, what: string): Promise<Response> {
  const res = await w.gw.app.request(URL_, { method: 'POST', headers: { 'content-type': wire.contentType }, body: wire.bytes as Uint8Array<ArrayBuffer> });
  tally.deliveries++;
  const before = rows;
  rows = await w.rows();
  if (res.status >= 500) {
    tally.fiveXx++;
    throw new Error(`${what} → ${res.status} ${await res.text()}`);
  }
  if (res.status >= 400) {
    tally.refused++;
    const defect = await problemDefect(res);
    if (defect) throw new Error(`${what}: ${defect}`);
    expect(rows, `${what} → ${res.status} changed a row`).toBe(before);
  } else tally.accepted++;
  return res;
}

/** One byte-level mutation. */
const byteMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.constantFrom(0, 0x22, 0x2e, 0x3c, 0x3e, 0x0a, 0x0d, 0x2d, 0x80, 0xc0, 0xed, 0xff, 0x26),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom('<!DOCTYPE x [<!ENTITY e "e">]>', '&e;', '<?pi x?>', '\r\n--', '"', '.', '\u0000', '\ud800', '=', '<x>'.repeat(200), '%00'),
  }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
);

function mutateBytes(
  b: Uint8Array,
  m: fc.Arbitrary<unknown> extends never ? never : { kind: string; at: number; bit?: number; byte?: number; len?: number; text?: string },
): Uint8Array {
  const at = m.at % Math.max(1, b.length);
  switch (m.kind) {
    case 'flip': {
      const c = b.slice();
      c[at] = c[at]! ^ (1 << m.bit!);
      return c;
    }
    case 'set': {
      const c = b.slice();
      c[at] = m.byte!;
      return c;
    }
    case 'cut':
      return b.slice(0, at);
    case 'drop':
      return new Uint8Array([...b.slice(0, at), ...b.slice(at + m.len!)]);
    case 'insert':
      return new Uint8Array([...b.slice(0, at), ...new TextEncoder().encode(m.text!), ...b.slice(at)]);
    default: {
      const seg = b.slice(at, at + m.len!);
      return new Uint8Array([...b.slice(0, at), ...seg, ...seg, ...b.slice(at + m.len!)]);
    }
  }
}

/** Paths into a manifest, and what to put there. */
const FIELD_PATHS = [
  'messageId',
  'issuedAt',
  'sender.code',
  'sender.type',
  'documents.0.documentId',
  'documents.0.type',
  'documents.0.title',
  'documents.0.case',
  'documents.0.case.caseNumber',
  'documents.0.case.court.code',
  'documents.0.case.court.name',
  'documents.0.case.instance',
  'documents.0.case.priorCaseNumbers',
  'documents.0.case.priorCourtCode',
  'documents.0.case.plaintiffs',
  'documents.0.case.plaintiffs.0.name',
  'documents.0.case.defendants.0.name',
  'documents.0.case.defendants.0.regionCode',
  'documents.0.case.defendants.0.unitCode',
  'documents.0.case.challengedAct.description',
  'documents.0.case.challengedAct.actedOn',
  'documents.0.case.challengedAct.kind',
  'documents.0.case.challengedAct.actingUnits',
  'documents.0.case.administrativeReview',
  'documents.0.hearing',
  'documents.0.hearing.at',
  'documents.0.outcome',
  'documents.0.outcome.effectiveOn',
  'documents.0.outcome.performanceDueOn',
  'documents.0.replyDueOn',
  'documents.0.urgent',
  'documents.0.attachments.0.id',
  'documents.0.attachments.0.size',
  'documents.0.attachments.0.sha256',
  'documents.0.attachments.0.content',
  'documents.0.attachments.0.filename',
  'documents.1',
  'documents',
] as const;

const fieldValue = fc.oneof(
  hostileString(['(2026)浙0825行初501号', 'court-kecheng', 'judgment', 'second', 'retrial', 'appeal', 'summons']),
  fc.constantFrom<unknown>(
    null,
    0,
    -1,
    1e308,
    true,
    [],
    {},
    ['\ud800'],
    '0001-01-01',
    '9999-12-31',
    '1899-12-31',
    '2200-01-01',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59+08:00',
    '2026-11-23T10:00:00+08:00',
    { result: 'loss', effectiveOn: '0001-01-01' },
    { result: 'loss', lossKind: 'revoke', effectiveOn: '9999-12-31', performanceDueOn: '9999-12-31' },
    { at: '0001-01-01T00:00:00Z' },
    { at: '9999-12-31T23:59:59Z', headAppearanceRequired: true },
    ['(2026)浙0825行初501号'],
  ),
  fc.constant(undefined),
);

function setPath(o: unknown, path: string, v: unknown): void {
  const keys = path.split('.');
  let cur = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (v === undefined) delete cur[last];
  else cur[last] = v;
}

describe('hostile deliveries', () => {
  it('byte mutations of valid deliveries in every format: never a 5xx, a refusal stores nothing', async () => {
    rows = await w.rows();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('jose', 'multipart', 'xml', 'xml-multipart' as const),
        fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
        fc.option(
          fc.constantFrom(
            'application/jose',
            'application/xml',
            'text/xml',
            'multipart/form-data',
            'application/json',
            'application/xml; charset=gbk',
            'application/jose; charset=utf-16',
          ),
          { freq: 6 },
        ),
        async (format, muts, ctype) => {
          const base = bases[format as keyof typeof bases];
          let bytes = base.bytes;
          for (const m of muts) bytes = mutateBytes(bytes, m as never);
          await deliver({ contentType: ctype ?? base.contentType, bytes }, `${format} ${JSON.stringify(muts)} as ${ctype ?? base.contentType}`);
        },
      ),
      { seed: FUZZ_SEED, numRuns: 600, endOnFailure: true },
    );
    expect(tally.fiveXx).toBe(0);
  }, 240_000);

  it("validly signed manifests with hostile fields (JWS, multipart, XML): never a 5xx; nothing lands in another sender's case", async () => {
    rows = await w.rows();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), fieldValue), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('jose', 'multipart', 'xml'),
        fc.boolean(),
        async (edits, format, asOther) => {
          const m = (await manifest(format === 'jose' || format === 'xml')) as unknown as Record<string, unknown>;
          if (asOther) setPath(m, 'sender.code', 'court-kecheng');
          for (const [path, v] of edits) setPath(m, path, v);
          const signer = asOther ? other : w.court;
          let wire: Wire;
          try {
            if (format === 'xml') wire = { contentType: 'application/xml', bytes: encodeXml(signXmlEnvelope(m, xmlSignerOf(signer), { encoding: 'UTF-8' })) };
            else if (format === 'multipart') wire = await wireOf(multipartRequest(URL_, await signManifest(m, signer.signer), [file]));
            else wire = await wireOf(joseRequest(URL_, await signManifest(m, signer.signer)));
          } catch {
            return; // the court's own tooling cannot even write this message (e.g. XML of a non-object): nothing to send
          }
          const res = await deliver(wire, `${format} as ${asOther ? 'court-kecheng' : 'court-longyou'} ${JSON.stringify(edits)}`);
          if (res.status < 300) {
            // Accepted: no document of this delivery may have joined a case another sender created.
            const receipt = ((await res.json()) as { receipt: { documents: { routing: { caseId: string | null } }[] } }).receipt;
            for (const d of receipt.documents) {
              if (d.routing.caseId === w.ids.caseId || d.routing.caseId === w.ids.queuedCaseId) {
                if (asOther) tally.intoAnotherSendersCase++;
                expect(asOther, `court-kecheng wrote into court-longyou's case: ${JSON.stringify(edits)}`).toBe(false);
              }
            }
          }
        },
      ),
      { seed: FUZZ_SEED, numRuns: 250, endOnFailure: true },
    );
    expect(tally.fiveXx).toBe(0);
    expect(tally.intoAnotherSendersCase).toBe(0);
  }, 240_000);
});
