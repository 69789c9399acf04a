/**
 * Writes the signed examples of the XML envelope (schemas/wire/xml/examples/):
 *   npx tsx schemas/wire/xml/generate.ts
 *
 * A new example CA and signer each run (the CA certificate is written next to the examples; the key is not
 * kept), then, all for issuedAt 2026-11-23T02:00:00Z:
 *   delivery-utf8.xml        UTF-8, the attachment inline (Attachment/Content, base64)
 *   delivery-gbk.xml         the same kind of message declared and encoded as GBK
 *   multipart/envelope.xml   part `envelope` of a multipart delivery; multipart/complaint-pdf is the part
 *                            named by the attachment id
 *   *.manifest.json          each example's manifest as JSON: what the gateway reads from the signed Manifest
 * test/xml-envelope.test.ts replays them against a gateway that registered example-xml-ca.pem.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { attachmentEntry, createCa, demoManifest, issueSigner, type FileInput } from '../../../adapters/node/court-kit.js';
import { encodeXml, signXmlEnvelope, type XmlSigner } from '../../../adapters/envelope/xml/sign.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The examples' court: the example sender itself (a court sender creates only its own cases). */
const EXAMPLE_COURT = { code: 'court-example', name: '示例法院' };

export const XML_EXAMPLE_ISSUED_AT = new Date('2026-11-23T02:00:00Z');
export const XML_EXAMPLE_FILE: FileInput = {
  id: 'complaint-pdf',
  filename: '行政起诉状.pdf',
  mediaType: 'application/pdf',
  bytes: new TextEncoder().encode('%PDF-1.4\n% example attachment of the Fuyuan wire contract (XML envelope)\n%%EOF\n'),
};

async function main() {
  const validity = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z'), org: '示例法院 (example only)' };
  const ca = createCa('示例法院 Example Court XML CA', validity);
  const leaf = issueSigner(ca, '示例法院 电子送达签章 XML (example signer)', validity);
  const signer: XmlSigner = { alg: 'RS256', keyPem: leaf.keyPem, chain: [leaf.der] };
  const file = XML_EXAMPLE_FILE;
  const utf8 = demoManifest({ messageId: 'example-xml-utf8-0001', senderCode: 'court-example', court: EXAMPLE_COURT, issuedAt: XML_EXAMPLE_ISSUED_AT, attachments: [await attachmentEntry(file, true)] });
  const gbk = demoManifest({
    messageId: 'example-xml-gbk-0001',
    senderCode: 'court-example',
    court: EXAMPLE_COURT,
    issuedAt: XML_EXAMPLE_ISSUED_AT,
    caseNumber: '(2026)浙0825行初124号',
    attachments: [await attachmentEntry(file, true)],
  });
  const multi = demoManifest({ messageId: 'example-xml-multipart-0001', senderCode: 'court-example', court: EXAMPLE_COURT, issuedAt: XML_EXAMPLE_ISSUED_AT, type: 'summons', attachments: [await attachmentEntry(file, false)] });

  const out = join(here, 'examples');
  mkdirSync(join(out, 'multipart'), { recursive: true });
  writeFileSync(join(out, 'example-xml-ca.pem'), ca.certPem);
  writeFileSync(join(out, 'delivery-utf8.xml'), encodeXml(signXmlEnvelope(utf8, signer, { encoding: 'UTF-8', indent: 2 }), 'UTF-8'));
  writeFileSync(join(out, 'delivery-utf8.manifest.json'), JSON.stringify(utf8, null, 2) + '\n');
  writeFileSync(join(out, 'delivery-gbk.xml'), encodeXml(signXmlEnvelope(gbk, signer, { encoding: 'GBK', indent: 2 }), 'GBK'));
  writeFileSync(join(out, 'delivery-gbk.manifest.json'), JSON.stringify(gbk, null, 2) + '\n');
  writeFileSync(join(out, 'multipart/envelope.xml'), encodeXml(signXmlEnvelope(multi, signer, { encoding: 'UTF-8', indent: 2 }), 'UTF-8'));
  writeFileSync(join(out, 'multipart/envelope.manifest.json'), JSON.stringify(multi, null, 2) + '\n');
  writeFileSync(join(out, 'multipart/complaint-pdf'), file.bytes);
  process.stdout.write('schemas/wire/xml/examples written\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
