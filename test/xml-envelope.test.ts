/**
 * The XML envelope (issue 6): a second wire format on POST /v1/deliveries feeding the same intake pipeline.
 * Happy paths (UTF-8, GBK, GB18030, multipart, ES256, the committed examples, envelopes signed by xmldsigjs),
 * the same receipt as JWS, and every refusal with nothing stored: signature wrapping, XXE, billion laughs,
 * deep nesting and the other limits, tampering, untrusted CAs, lying encodings; then a property-based test
 * that random mutations are accepted unchanged or refused, never stored half-way.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import { eq } from 'drizzle-orm';
import { adminHeaders, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, makeEcPki, VALID_FROM, type CourtPki, type EcPki } from './helpers/pki.js';
import { ecXmlSigner, independentSign, independentVerify, xmlMultipartRequest, xmlRequest, xmlSignerOf } from './helpers/xml.js';
import { attachmentEntry, demoManifest, issueSigner, joseRequest, signManifest, type FileInput } from '../adapters/node/court-kit.js';
import { encodeGbk, encodeXml, signXmlEnvelope, unsignedEnvelope, type XmlSigner } from '../adapters/envelope/xml/sign.js';
import { parseXmlEnvelope } from '../adapters/envelope/xml.js';
import { elementTable } from '../adapters/envelope/xml/mapping.js';
import { guardXml, DEFAULT_XML_LIMITS } from '../adapters/envelope/xml/guard.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { sha256Hex } from '../src/lib/encoding.js';
import * as schema from '../schemas/db/index.js';

const URL_ = 'http://gateway.test/v1/deliveries';
const wire = (p: string) => fileURLToPath(new URL(`../schemas/wire/xml/${p}`, import.meta.url));
const pdf = (n: number, seed = 1): FileInput => ({
  id: `att-${seed}`,
  filename: `起诉状-${seed}.pdf`,
  mediaType: 'application/pdf',
  bytes: Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff),
});

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki; // registered for court-longyou
let stranger: CourtPki; // registered for nobody
let ec: EcPki; // registered for proc-kecheng
let signer: XmlSigner;
let seq = 0;
const nextId = () => `xml-${++seq}`;
const manifest = (extra: Partial<Parameters<typeof demoManifest>[0]> = {}) =>
  demoManifest({ messageId: nextId(), senderCode: 'court-longyou', issuedAt: T0, caseNumber: `(2026)浙0825行初${700 + seq}号`, ...extra });

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  [court, stranger] = await Promise.all([makeCourtPki('龙游县人民法院'), makeCourtPki('伪造法院')]);
  ec = await makeEcPki('柯城区人民检察院');
  signer = xmlSignerOf(court);
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await registerSender(gw.deps, { code: 'proc-kecheng', type: 'procuratorate', name: '衢州市柯城区人民检察院', caPem: ec.caPem });
});
afterAll(() => gw.close());

let before: Awaited<ReturnType<typeof gw.counts>>;
beforeEach(async () => {
  gw.clock.set(T0);
  before = await gw.counts();
});

async function expectProblem(res: Response, status: number, slug: string, detail?: RegExp) {
  const body = (await res.json()) as { type: string; status: number; titleZh: string; detail: string };
  expect({ status: res.status, type: body.type }, body.detail).toEqual({ status, type: `urn:fuyuan:problem:${slug}` });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(body.titleZh).toMatch(/[\u4e00-\u9fff]/);
  if (detail) expect(body.detail).toMatch(detail);
  expect(await gw.counts()).toEqual(before); // nothing stored
  return body;
}

const signed = (m: unknown, opts: Parameters<typeof signXmlEnvelope>[2] = {}, s: XmlSigner = signer) => signXmlEnvelope(m, s, opts);
const post = (body: string | Uint8Array, type?: string) => gw.app.request(xmlRequest(URL_, body, type));

// ------------------------------------------------------------------------------------------------ happy paths

describe('a court pushes an XML envelope', () => {
  it('UTF-8, attachment inline: 201, format xml, the manifest and the bytes stored as for JWS', async () => {
    const file = pdf(4096, 1);
    const m = manifest({ attachments: [await attachmentEntry(file, true)] });
    const xml = signed(m, { indent: 2 });
    const res = await post(xml);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { receipt: Record<string, any> };
    expect(body.receipt.envelope.format).toBe('xml');
    expect(body.receipt.envelope.sha256).toBe(await sha256Hex(xml));
    expect(body.receipt.documents[0].attachments).toEqual([{ id: 'att-1', sha256: await sha256Hex(file.bytes), size: 4096 }]);
    const [row] = await gw.deps.db.orm.select().from(schema.deliveries).where(eq(schema.deliveries.messageId, m.messageId));
    expect(row?.format).toBe('xml');
    expect(row?.envelope).toBe(xml);
    const [doc] = await gw.deps.db.orm.select().from(schema.documents).where(eq(schema.documents.deliveryId, row!.id));
    const { content: _c, ...att } = m.documents[0]!.attachments[0]!;
    expect(JSON.parse(doc!.entryJson)).toEqual({ ...m.documents[0], attachments: [att] });
    expect(await gw.deps.blobs.get(await sha256Hex(file.bytes))).toEqual(file.bytes);

    // The same message again: the original receipt (200).
    const again = await post(xml);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { receipt: unknown }).receipt).toEqual(body.receipt);
  });

  for (const encoding of ['GBK', 'GB18030'] as const) {
    it(`${encoding}: the Chinese text is stored as Unicode`, async () => {
      const m = manifest({ defendant: '衢州市柯城区人民政府', regionCode: '330802' });
      const bytes = encodeXml(signed(m, { encoding, indent: 2 }), encoding);
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(); // really not UTF-8
      const res = await post(bytes);
      expect(res.status).toBe(201);
      const [row] = await gw.deps.db.orm.select().from(schema.deliveries).where(eq(schema.deliveries.messageId, m.messageId));
      expect(row!.envelope).toContain('衢州市柯城区人民政府');
      expect(row!.envelope.startsWith(`<?xml version="1.0" encoding="${encoding}"?>`)).toBe(true);
      const [doc] = await gw.deps.db.orm.select().from(schema.documents).where(eq(schema.documents.deliveryId, row!.id));
      expect(doc!.title).toBe('行政起诉状副本及应诉通知书、举证通知书');
      expect(doc!.caseNumber).toBe(m.documents[0]!.case!.caseNumber);
      expect(JSON.parse(doc!.entryJson).case.defendants[0].name).toBe('衢州市柯城区人民政府');
    });
  }

  it('multipart: part `envelope` (application/xml) and one part per attachment id', async () => {
    const file = pdf(20_000, 2);
    const m = manifest({ attachments: [await attachmentEntry(file, false)] });
    const res = await gw.app.request(xmlMultipartRequest(URL_, encodeXml(signed(m)), [file]));
    expect(res.status).toBe(201);
    expect(await gw.deps.blobs.get(await sha256Hex(file.bytes))).toEqual(file.bytes);
  });

  it('multipart: an envelope sent as a plain form field is recognised by its first character "<"', async () => {
    const file = pdf(1000, 3);
    const m = manifest({ attachments: [await attachmentEntry(file, false)] });
    const res = await gw.app.request(xmlMultipartRequest(URL_, encodeXml(signed(m)), [file], { asField: true }));
    expect(res.status).toBe(201);
  });

  it('ECDSA-SHA256 (ES256) with an EC chain', async () => {
    const m = manifest({ senderCode: 'proc-kecheng' });
    m.sender.type = 'procuratorate';
    const res = await post(signed(m, {}, await ecXmlSigner(ec)));
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it('our signatures verify with xmldsigjs too (RSA and ECDSA, UTF-8 and GBK)', async () => {
    const m = manifest();
    expect(await independentVerify(encodeXml(signed(m)), court.ca.certPem, T0)).toEqual({ ok: true });
    expect(await independentVerify(encodeXml(signed(m, { encoding: 'GBK', indent: 2 }), 'GBK'), court.ca.certPem, T0, 'GBK')).toEqual({ ok: true });
    expect(await independentVerify(encodeXml(signed(m, {}, await ecXmlSigner(ec))), ec.caPem, T0)).toEqual({ ok: true });
    const tampered = signed(m).replace('张某某', '李某某');
    expect(tampered).not.toBe(signed(m));
    expect((await independentVerify(encodeXml(tampered), court.ca.certPem, T0)).ok).toBe(false);
    // Another court's CA is not the issuer: the chain check refuses it.
    expect((await independentVerify(encodeXml(signed(m)), ec.caPem, T0)).ok).toBe(false);
  });
});

describe('envelopes signed by an independent implementation (xmldsigjs)', () => {
  const cases = [
    { name: 'RSA-SHA256, UTF-8', encoding: 'UTF-8' as const, ec: false },
    { name: 'RSA-SHA256, GBK', encoding: 'GBK' as const, ec: false },
    { name: 'ECDSA-SHA256, UTF-8', encoding: 'UTF-8' as const, ec: true },
  ];
  for (const c of cases) {
    it(`${c.name}: 201`, async () => {
      const m = c.ec ? { ...manifest({ senderCode: 'proc-kecheng' }), sender: { type: 'procuratorate' as const, code: 'proc-kecheng' } } : manifest();
      const unsigned = encodeXml(unsignedEnvelope(m, { encoding: c.encoding, indent: 2 }), c.encoding);
      const key = c.ec ? (await ecXmlSigner(ec)).keyPem : court.leaf.keyPem;
      const cert = c.ec ? `-----BEGIN CERTIFICATE-----\n${ec.signer.x5c[0]}\n-----END CERTIFICATE-----\n` : court.leaf.certPem;
      const signedBytes = await independentSign(unsigned, c.encoding, c.ec ? 'ES256' : 'RS256', key, cert);
      const res = await post(signedBytes);
      expect(res.status, await res.clone().text()).toBe(201);
      const body = (await res.json()) as { receipt: { envelope: { format: string }; messageId: string } };
      expect(body.receipt).toMatchObject({ messageId: m.messageId, envelope: { format: 'xml' } });
    });
  }
  it('a signature by xmldsigjs over a manifest changed afterwards is refused', async () => {
    const m = manifest();
    const unsigned = encodeXml(unsignedEnvelope(m, { indent: 2 }));
    const signedBytes = await independentSign(unsigned, 'UTF-8', 'RS256', court.leaf.keyPem, court.leaf.certPem);
    const text = new TextDecoder().decode(signedBytes);
    expect(text).toContain('张某某');
    const res = await post(new TextEncoder().encode(text.replace('张某某', '李某某')));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the committed examples (schemas/wire/xml/examples) replay', () => {
  it('UTF-8, GBK and multipart examples → 201, and each reads back as its .manifest.json', async () => {
    const g = await testGateway({ clock: new FixedClock(new Date('2026-11-23T02:00:00Z')) });
    try {
      await registerSender(g.deps, {
        code: 'court-example',
        type: 'court',
        name: '示例法院',
        caPem: readFileSync(wire('examples/example-xml-ca.pem'), 'utf8'),
      });
      for (const name of ['delivery-utf8', 'delivery-gbk']) {
        const bytes = new Uint8Array(readFileSync(wire(`examples/${name}.xml`)));
        const env = await parseXmlEnvelope(bytes);
        expect(env.manifest).toEqual(JSON.parse(readFileSync(wire(`examples/${name}.manifest.json`), 'utf8')));
        const res = await g.app.request(xmlRequest(URL_, bytes));
        expect(res.status, await res.clone().text()).toBe(201);
      }
      const env = new Uint8Array(readFileSync(wire('examples/multipart/envelope.xml')));
      const part = new Uint8Array(readFileSync(wire('examples/multipart/complaint-pdf')));
      const res = await g.app.request(
        xmlMultipartRequest(URL_, env, [{ id: 'complaint-pdf', filename: '行政起诉状.pdf', mediaType: 'application/pdf', bytes: part }]),
      );
      expect(res.status, await res.clone().text()).toBe(201);
    } finally {
      await g.close();
    }
  });

  it('the XSD names the same elements, in the same order, as the mapping', () => {
    const xsd = new DOMParser().parseFromString(readFileSync(wire('delivery.xsd'), 'utf8'), 'application/xml');
    const XS = 'http://www.w3.org/2001/XMLSchema';
    const types = new Map<string, string[]>();
    const complexTypes = xsd.getElementsByTagNameNS(XS, 'complexType');
    for (let i = 0; i < complexTypes.length; i++) {
      const t = complexTypes.item(i)!;
      const seq = t.getElementsByTagNameNS(XS, 'sequence').item(0);
      const kids: string[] = [];
      for (let n = seq?.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) kids.push((n as unknown as Element).getAttribute('name') ?? '');
      if (t.getAttribute('name')) types.set(`f:${t.getAttribute('name')}`, kids);
    }
    const fromXsd = new Map<string, string[]>();
    const elements = xsd.getElementsByTagNameNS(XS, 'element');
    for (let i = 0; i < elements.length; i++) {
      const e = elements.item(i)!;
      const kids = types.get(e.getAttribute('type') ?? '');
      if (kids) fromXsd.set(e.getAttribute('name')!, kids);
    }
    expect(Object.fromEntries(fromXsd)).toEqual(Object.fromEntries(elementTable()));
  });
});

describe('the same delivery as JWS or as XML: the same routing, deadlines and receipt', () => {
  it('two gateways, same clock and directory: receipts and obligations agree', async () => {
    const gws = await Promise.all([testGateway({ clock: new FixedClock(T0) }), testGateway({ clock: new FixedClock(T0) })]);
    try {
      for (const g of gws) {
        await registerSender(g.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
        await saveDirectory(g.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
      }
      const file = pdf(2048, 9);
      const m = demoManifest({
        messageId: 'same-1',
        senderCode: 'court-longyou',
        issuedAt: T0,
        caseNumber: '(2026)浙0825行初901号',
        attachments: [await attachmentEntry(file, true)],
      });
      const viaJws = await gws[0]!.app.request(joseRequest(URL_, await signManifest(m, court.signer)));
      const viaXml = await gws[1]!.app.request(xmlRequest(URL_, signed(m)));
      expect([viaJws.status, viaXml.status]).toEqual([201, 201]);
      type R = {
        receipt: {
          documents: { documentId: string; type: string; title: string; attachments: unknown; routing: Record<string, any> }[];
          messageId: string;
          arrivedAt: string;
          sender: unknown;
          envelope: { format: string };
        };
      };
      const [a, b] = [(await viaJws.json()) as R, (await viaXml.json()) as R];
      expect([a.receipt.envelope.format, b.receipt.envelope.format]).toEqual(['jws', 'xml']);
      const view = (r: R) => ({
        messageId: r.receipt.messageId,
        arrivedAt: r.receipt.arrivedAt,
        sender: r.receipt.sender,
        documents: r.receipt.documents.map((d) => ({ ...d, id: undefined, sha256: undefined, routing: strip(d.routing) })),
      });
      // Ids are minted per gateway (uuidv7): compare everything else.
      // Ids minted by each gateway (uuidv7) differ by construction; the court's documentId is kept in receipts.
      const without = (ids: RegExp) => {
        const strip = (x: unknown): unknown =>
          Array.isArray(x)
            ? x.map(strip)
            : x && typeof x === 'object'
              ? Object.fromEntries(
                  Object.entries(x)
                    .filter(([k]) => !ids.test(k))
                    .map(([k, v]) => [k, strip(v)]),
                )
              : x;
        return strip;
      };
      const strip = without(/^(id|caseId|assignmentId|deliveryId)$/);
      const stripObligation = without(/^(id|caseId|documentId|assignmentId|deliveryId)$/);
      expect(view(b)).toEqual(view(a));
      expect(a.receipt.documents[0]!.routing.assignments?.length ?? a.receipt.documents[0]!.routing.units?.length ?? 1).toBeGreaterThan(0);
      const obligations = async (i: number, r: R) => {
        const caseId = r.receipt.documents[0]!.routing.caseId as string;
        const res = await gws[i]!.app.request(`http://gw/v1/obligations?case=${caseId}`, { headers: adminHeaders() });
        expect(res.status).toBe(200);
        const items = ((await res.json()) as { items: Record<string, unknown>[] }).items;
        return items.map((o) => stripObligation(o)).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      };
      const [oa, ob] = [await obligations(0, a), await obligations(1, b)];
      expect(oa.length).toBeGreaterThan(0);
      expect(ob).toEqual(oa);
    } finally {
      for (const g of gws) await g.close();
    }
  });
});

// ------------------------------------------------------------------------------------------------ refusals

/** Put text in place of the first match, in a signed envelope (the signature is then stale, which is the point). */
const swap = (xml: string, from: string | RegExp, to: string) => {
  const out = xml.replace(from, to);
  if (out === xml) throw new Error(`pattern ${from} not found`);
  return out;
};

describe('signature wrapping: only what the signature covers counts', () => {
  const evil = (xml: string) => swap(xml.match(/<Manifest[\s\S]*<\/Manifest>/)![0], '张某某', '李某某');

  it('the signed Manifest moved into ds:Object, a forged one in its place with the same Id', async () => {
    const xml = signed(manifest());
    const original = xml.match(/<Manifest[\s\S]*<\/Manifest>/)![0];
    const wrapped = swap(swap(xml, original, evil(xml)), '</ds:Signature>', `<ds:Object>${original}</ds:Object></ds:Signature>`);
    await expectProblem(await post(wrapped), 400, 'malformed-envelope');
  });

  it('the signed Manifest moved into a wrapper element, a forged one without Id in its place', async () => {
    const xml = signed(manifest());
    const original = xml.match(/<Manifest[\s\S]*<\/Manifest>/)![0];
    const forged = evil(xml).replace(' Id="manifest"', '');
    await expectProblem(await post(swap(xml, original, `${forged}<Wrapper>${original}</Wrapper>`)), 400, 'malformed-envelope', /exactly <Manifest/);
  });

  it('a second, forged Manifest after the signature', async () => {
    const xml = signed(manifest());
    await expectProblem(await post(swap(xml, '</Delivery>', `${evil(xml).replace('Id="manifest"', 'Id="other"')}</Delivery>`)), 400, 'malformed-envelope');
  });

  it('a forged Manifest first, the signed one second (first-match parsers would read the forgery)', async () => {
    const xml = signed(manifest());
    const original = xml.match(/<Manifest[\s\S]*<\/Manifest>/)![0];
    await expectProblem(await post(swap(xml, original, `${evil(xml).replace('Id="manifest"', 'ID="manifest"')}${original}`)), 400, 'malformed-envelope');
  });

  it('another element carries the same Id (ID / id / wsu:Id)', async () => {
    const xml = signed(manifest());
    for (const attr of ['ID="manifest"', 'id="manifest"', 'xmlns:wsu="urn:wsu" wsu:Id="manifest"']) {
      await expectProblem(await post(swap(xml, '<ds:KeyInfo>', `<ds:KeyInfo ${attr}>`)), 400, 'malformed-envelope', /Id "manifest"/);
    }
  });

  it('a Reference to something other than the Manifest (URI="" with enveloped-signature)', async () => {
    const xml = signed(manifest());
    await expectProblem(await post(swap(xml, 'URI="#manifest"', 'URI=""')), 400, 'malformed-envelope', /URI="#manifest"/);
  });

  it('two references, or two signatures', async () => {
    const xml = signed(manifest());
    const ref = xml.match(/<ds:Reference[\s\S]*?<\/ds:Reference>/)![0];
    await expectProblem(await post(swap(xml, ref, ref + ref)), 400, 'malformed-envelope');
    const sig = xml.match(/<ds:Signature[\s\S]*<\/ds:Signature>/)![0];
    await expectProblem(await post(swap(xml, sig, sig + sig)), 400, 'malformed-envelope');
  });

  it('a forged Manifest in a foreign namespace next to the signed one', async () => {
    const xml = signed(manifest());
    await expectProblem(
      await post(swap(xml, '<ds:Signature', `${evil(xml).replace('<Manifest', '<Manifest xmlns="urn:evil"')}<ds:Signature`)),
      400,
      'malformed-envelope',
    );
  });
});

describe('hostile XML is refused before it is parsed', () => {
  it('an external entity reading a local file (XXE)', async () => {
    const xml = signed(manifest());
    const xxe = swap(swap(xml, '<Delivery', '<!DOCTYPE Delivery [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Delivery'), '张某某', '&xxe;');
    const body = await expectProblem(await post(xxe), 400, 'hostile-xml', /DOCTYPE|DTD/);
    expect(body.detail).not.toContain('root:');
  });

  it('billion laughs', async () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('');
    const xml = swap(signed(manifest()), '<Delivery', `<!DOCTYPE Delivery [${lol}]>\n<Delivery`).replace('张某某', '&lol9;');
    const t = performance.now();
    await expectProblem(await post(xml), 400, 'hostile-xml');
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('an entity reference without a DTD, and a processing instruction', async () => {
    await expectProblem(await post(swap(signed(manifest()), '张某某', '&lol;')), 400, 'hostile-xml', /&lol;/);
    await expectProblem(
      await post(swap(signed(manifest()), '<Delivery', '<?xml-stylesheet href="http://evil/x.xsl"?>\n<Delivery')),
      400,
      'hostile-xml',
      /processing instruction/,
    );
  });

  it('deep nesting (100,000 levels) is refused quickly, naming the limit', async () => {
    const depth = 100_000;
    const xml = swap(signed(manifest()), '<Domain>', `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}<Domain>`);
    const t = performance.now();
    const body = await expectProblem(await post(xml), 400, 'xml-limit-exceeded', /nested more than 24/);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(body).toMatchObject({ limit: 'levels of nesting', max: DEFAULT_XML_LIMITS.maxDepth });
  });

  it('too many elements, too many attributes, too much text: each named', async () => {
    const xml = signed(manifest());
    await expectProblem(await post(swap(xml, '<Domain>', `${'<a/>'.repeat(60_000)}<Domain>`)), 400, 'xml-limit-exceeded', /elements/);
    const attrs = Array.from({ length: 20 }, (_, i) => `a${i}="x"`).join(' ');
    await expectProblem(await post(swap(xml, '<Domain>', `<Domain ${attrs}>`)), 400, 'xml-limit-exceeded', /attributes/);
    await expectProblem(await post(swap(xml, '张某某', 'x'.repeat(70_000))), 400, 'xml-limit-exceeded', /characters/);
  });

  it('the guard is linear: 1 MB of inline content passes it, its limits are its own', () => {
    const big = `<Delivery><Manifest><Content>${'A'.repeat(1 << 20)}</Content></Manifest></Delivery>`;
    expect(guardXml(big)).toEqual({ elements: 3, maxDepthSeen: 3 });
    expect(() => guardXml(big, { ...DEFAULT_XML_LIMITS, maxContentChars: 1000 })).toThrow(/inline attachment/);
  });
});

describe('integrity and trust: the same checks as JWS', () => {
  it('a tampered manifest (defendant changed after signing) fails the signature', async () => {
    const xml = swap(signed(manifest()), '衢州市自然资源和规划局柯城分局</Name>', '衢州市柯城区人民政府</Name>');
    await expectProblem(await post(xml), 403, 'bad-signature', /Manifest was changed/);
  });

  it('a tampered SignatureValue fails the signature', async () => {
    const xml = signed(manifest());
    const sv = xml.match(/<ds:SignatureValue>([^<]{10})/)![1]!;
    await expectProblem(await post(swap(xml, `<ds:SignatureValue>${sv}`, `<ds:SignatureValue>${sv.split('').reverse().join('')}`)), 403, 'bad-signature');
  });

  it('a tampered inline attachment fails the signature (Content is signed); a tampered part fails its digest', async () => {
    const file = pdf(3000, 4);
    const inline = signed(manifest({ attachments: [await attachmentEntry(file, true)] }));
    const content = inline.match(/<Content>([^<]{8})/)![1]!;
    await expectProblem(await post(swap(inline, `<Content>${content}`, `<Content>${content.slice(0, 4)}AAAA`)), 403, 'bad-signature');

    const m = manifest({ attachments: [await attachmentEntry(file, false)] });
    const bytes = file.bytes.slice();
    bytes[100] = bytes[100]! ^ 0xff;
    await expectProblem(await gw.app.request(xmlMultipartRequest(URL_, encodeXml(signed(m)), [{ ...file, bytes }])), 422, 'attachment-mismatch', /SHA-256/);
  });

  it('a signature by a CA nobody registered, and by the wrong sender', async () => {
    await expectProblem(await post(signed(manifest(), {}, xmlSignerOf(stranger))), 403, 'untrusted-certificate', /court-longyou/);
    const m = manifest({ senderCode: 'proc-kecheng' });
    m.sender.type = 'procuratorate';
    await expectProblem(await post(signed(m)), 403, 'untrusted-certificate', /proc-kecheng/);
  });

  it('an expired signer and a signer that may not sign', async () => {
    const expired = issueSigner(court.ca, '龙游县人民法院 旧签章', { notBefore: VALID_FROM, notAfter: new Date('2026-06-30T00:00:00Z') });
    await expectProblem(await post(signed(manifest(), {}, { alg: 'RS256', keyPem: expired.keyPem, chain: [expired.der] })), 403, 'certificate-not-valid');
    const enc = issueSigner(court.ca, '龙游县人民法院 加密证书', {
      notBefore: VALID_FROM,
      notAfter: new Date('2027-12-01T00:00:00Z'),
      keyUsage: 'encipher-only',
    });
    await expectProblem(await post(signed(manifest(), {}, { alg: 'RS256', keyPem: enc.keyPem, chain: [enc.der] })), 403, 'certificate-usage');
  });

  it('algorithms: rsa-sha1, an HMAC, inclusive C14N, SHA-1 digests are refused', async () => {
    const xml = signed(manifest());
    await expectProblem(
      await post(swap(xml, 'xmldsig-more#rsa-sha256', 'xmldsig#rsa-sha1').replace('2001/04/xmldsig#rsa-sha1', '2000/09/xmldsig#rsa-sha1')),
      400,
      'unsupported-algorithm',
    );
    await expectProblem(
      await post(swap(xml, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#hmac-sha1')),
      400,
      'unsupported-algorithm',
      /hmac-sha1/,
    );
    await expectProblem(
      await post(
        swap(xml, /<ds:CanonicalizationMethod Algorithm="[^"]+"/, '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"'),
      ),
      400,
      'malformed-envelope',
      /exclusive/,
    );
    await expectProblem(
      await post(swap(xml, 'http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2000/09/xmldsig#sha1')),
      400,
      'malformed-envelope',
      /DigestMethod/,
    );
    // ES256 claimed with an RSA certificate.
    await expectProblem(await post(swap(xml, 'xmldsig-more#rsa-sha256', 'xmldsig-more#ecdsa-sha256')), 400, 'unsupported-algorithm', /rsa key/);
  });

  it('no certificate in KeyInfo', async () => {
    const xml = signed(manifest());
    await expectProblem(await post(swap(xml, /<ds:X509Data>[\s\S]*<\/ds:X509Data>/, '<ds:KeyName>court</ds:KeyName>')), 400, 'missing-certificate-chain');
  });

  it('a manifest that maps badly: unknown element, a size that is not an integer', async () => {
    const file = pdf(100, 5);
    const ok = manifest({ attachments: [await attachmentEntry(file, true)] });
    // Build the bad XML, then sign it, so the signature is valid and the mapping is what refuses it.
    const raw = unsignedEnvelope(ok);
    const resign = async (xml: string) => {
      const { restrictedSignedXml, XML_ALGS } = await import('../adapters/envelope/xml/dsig.js');
      const sx = restrictedSignedXml({
        privateKey: signer.keyPem,
        signatureAlgorithm: XML_ALGS.rsaSha256,
        canonicalizationAlgorithm: XML_ALGS.excC14n,
        getKeyInfoContent: () => `<ds:X509Data><ds:X509Certificate>${Buffer.from(signer.chain[0]!).toString('base64')}</ds:X509Certificate></ds:X509Data>`,
      });
      sx.addReference({ xpath: "/*/*[local-name(.)='Manifest']", transforms: [XML_ALGS.excC14n], digestAlgorithm: XML_ALGS.sha256, uri: '#manifest' });
      sx.computeSignature(xml, { location: { reference: '/*', action: 'append' }, prefix: 'ds' });
      return sx.getSignedXml();
    };
    const body = await expectProblem(await post(await resign(swap(raw, '<Title>', '<Secret>x</Secret><Title>'))), 422, 'invalid-manifest', /Secret/);
    expect(body).toMatchObject({ errors: [{ path: 'documents.0.Secret' }] });
    const b2 = (await expectProblem(await post(await resign(swap(raw, '<Size>100</Size>', '<Size>1e2</Size>'))), 422, 'invalid-manifest')) as unknown as {
      errors: { path: string }[];
    };
    expect(b2.errors.map((e) => e.path)).toContain('documents.0.attachments.0.size');
  });
});

describe('encodings: a declaration must tell the truth', () => {
  const gbkBytes = () => encodeXml(signed(manifest(), { encoding: 'GBK' }), 'GBK');

  it('GBK bytes declared UTF-8 (or not declared)', async () => {
    const bytes = gbkBytes();
    const asUtf8 = new TextDecoder('latin1').decode(bytes).replace('encoding="GBK"', 'encoding="UTF-8"');
    await expectProblem(await post(Uint8Array.from(asUtf8, (c) => c.charCodeAt(0))), 400, 'bad-encoding', /not valid UTF-8/);
    const undeclared = new TextDecoder('latin1').decode(bytes).replace(' encoding="GBK"', '');
    await expectProblem(await post(Uint8Array.from(undeclared, (c) => c.charCodeAt(0))), 400, 'bad-encoding', /no encoding declaration/);
  });

  it('UTF-8 bytes declared GBK, and a UTF-8 byte order mark with a GBK declaration', async () => {
    const utf8 = encodeXml(signed(manifest(), { encoding: 'GBK' }), 'UTF-8');
    await expectProblem(await post(utf8), 400, 'bad-encoding', /bytes are UTF-8/);
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...gbkBytes()]);
    await expectProblem(await post(bom), 400, 'bad-encoding', /byte order mark/);
  });

  it('bytes that are not GBK at all, UTF-16, and an encoding we do not take', async () => {
    const bytes = gbkBytes();
    const i = bytes.indexOf(0xd5); // inside a Chinese character
    const broken = bytes.slice();
    broken[i + 1] = 0x7f; // not a GBK trail byte
    await expectProblem(await post(broken), 400, 'bad-encoding', /not valid GBK/);
    const xml = signed(manifest());
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from(xml).flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
    await expectProblem(await post(utf16), 400, 'bad-encoding', /UTF-16/);
    await expectProblem(await post(swap(xml, 'encoding="UTF-8"', 'encoding="ISO-8859-1"')), 400, 'bad-encoding', /ISO-8859-1/);
  });

  it('the GBK encoder used by the tests agrees with the platform decoder', () => {
    const s = '府院通 行政应诉 衢州市柯城区人民政府 (2026)浙0825行初123号 〔〕、';
    expect(new TextDecoder('gbk', { fatal: true }).decode(encodeGbk(s))).toBe(s);
  });
});

describe('malformed input', () => {
  it('not XML, unclosed tags, a wrong root, an empty body', async () => {
    await expectProblem(await post('hello'), 400, 'malformed-envelope');
    await expectProblem(await post(signed(manifest()).replace('</Delivery>', '')), 400, 'malformed-envelope');
    await expectProblem(await post(signed(manifest()).replace(/Delivery/g, 'Lieferung')), 400, 'malformed-envelope', /root element/);
    await expectProblem(await post(''), 400, 'malformed-envelope');
  });
});

// ------------------------------------------------------------------------------------------------ property

describe('property: a mutated envelope is accepted unchanged or refused, never stored half-way', () => {
  it('random mutations of a valid envelope', async () => {
    const file = pdf(600, 7);
    const m = manifest({ attachments: [await attachmentEntry(file, true)] });
    const xml = signed(m, { indent: 2 });
    const original = await parseXmlEnvelope(encodeXml(xml));
    const originalDigest = await sha256Hex(original.signedBytes);
    const INSERTS = [
      '<',
      '>',
      '&',
      '"',
      "'",
      ' ',
      '\n',
      '中',
      'A',
      '0',
      '/',
      '=',
      '<a>',
      '</a>',
      '<a/>',
      '&amp;',
      '&#x41;',
      '&x;',
      '<!--c-->',
      '<![CDATA[x]]>',
      '<!DOCTYPE x>',
      '<?pi?>',
      'xmlns="urn:x"',
      ' Id="manifest"',
    ];
    type Mut = { kind: 'replace' | 'delete' | 'insert' | 'duplicate' | 'byte' | 'space'; at: number; len: number; s: string; b: number };
    const mutation = fc.record({
      kind: fc.constantFrom('replace', 'delete', 'insert', 'duplicate', 'byte', 'space'),
      at: fc.nat({ max: xml.length - 1 }),
      len: fc.integer({ min: 1, max: 40 }),
      s: fc.constantFrom(...INSERTS),
      b: fc.integer({ min: 0, max: 255 }),
    }) as fc.Arbitrary<Mut>;
    const apply = (muts: Mut[]): Uint8Array => {
      let t = xml;
      for (const mu of muts) {
        const at = mu.at % Math.max(1, t.length);
        if (mu.kind === 'replace') t = t.slice(0, at) + mu.s + t.slice(at + mu.s.length);
        else if (mu.kind === 'delete') t = t.slice(0, at) + t.slice(at + mu.len);
        else if (mu.kind === 'insert') t = t.slice(0, at) + mu.s + t.slice(at);
        else if (mu.kind === 'duplicate') t = t.slice(0, at + mu.len) + t.slice(at, at + mu.len) + t.slice(at + mu.len);
        else if (mu.kind === 'space') {
          // Whitespace after a tag: harmless outside the Manifest, a change of signed content inside it.
          const gt = t.indexOf('>', at);
          if (gt !== -1) t = t.slice(0, gt + 1) + (mu.b % 2 ? ' ' : '\n') + t.slice(gt + 1);
        }
      }
      const bytes = encodeXml(t);
      for (const mu of muts) if (mu.kind === 'byte') bytes[mu.at % bytes.length] = mu.b;
      return bytes;
    };
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (muts) => {
        const pre = await gw.counts();
        const res = await post(apply(muts));
        const post_ = await gw.counts();
        expect([200, 201].includes(res.status) || (res.status >= 400 && res.status < 500), `status ${res.status}: ${await res.clone().text()}`).toBe(true);
        if (res.status >= 400) {
          refused++;
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(post_).toEqual(pre);
          return;
        }
        accepted++;
        const body = (await res.json()) as { receipt: { envelope: { manifestSha256: string }; messageId: string } };
        // Accepted means: exactly the signed manifest, unchanged.
        expect(body.receipt.envelope.manifestSha256).toBe(originalDigest);
        expect(body.receipt.messageId).toBe(m.messageId);
        if (res.status === 201) {
          expect(post_.deliveries).toBe(pre.deliveries + 1);
          expect(post_.documents).toBe(pre.documents + 1);
          expect(post_.attachments).toBe(pre.attachments + 1);
        } else expect(post_).toEqual(pre);
      }),
      { numRuns: 300, seed: 20261123 },
    );
    expect(refused).toBeGreaterThan(100);
    console.info(`property: ${accepted} mutated envelopes accepted unchanged, ${refused} refused`);
    // Every delivery stored for this messageId is whole: one delivery, its document, its attachment, its blob.
    const rows = await gw.deps.db.orm.select().from(schema.deliveries).where(eq(schema.deliveries.messageId, m.messageId));
    expect(rows.length).toBe(accepted > 0 ? 1 : 0);
    if (rows.length) {
      const docs = await gw.deps.db.orm.select().from(schema.documents).where(eq(schema.documents.deliveryId, rows[0]!.id));
      expect(docs.length).toBe(1);
      expect(await gw.deps.blobs.get(await sha256Hex(file.bytes))).toEqual(file.bytes);
    }
  }, 120_000);
});
