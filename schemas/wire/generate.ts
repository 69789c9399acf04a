/**
 * Writes the court-facing contract files in this folder.
 *   npm run wire:schema              manifest.schema.json from schemas/api/manifest.ts (a test keeps them equal)
 *   npm run wire:schema -- --examples   a new example CA, signer and the two signed example messages
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';
import { Manifest } from '../api/manifest.js';
import { attachmentEntry, createCa, demoManifest, issueSigner, rsaSigner, signManifest, type FileInput } from '../../adapters/node/court-kit.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The examples' court: the example sender itself (a court sender creates only its own cases). */
const EXAMPLE_COURT = { code: 'court-example', name: '示例法院' };

export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Manifest, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $id: 'urn:fuyuan:wire:manifest:v1',
    title: 'Fuyuan delivery manifest (送达清单)',
    description:
      'The JWS payload of POST /v1/deliveries. Also enforced, beyond this schema: documentId and attachment ids are unique within a message; every document type except the two suggestions carries `case`; every string is well-formed Unicode (no lone surrogate such as "\\ud800": RFC 8785 §3.2.2.2, RFC 7493 §2.1).',
    ...schema,
  };
}

export const EXAMPLE_ISSUED_AT = new Date('2026-11-23T02:00:00Z');

async function examples() {
  const ca = createCa('示例法院 Example Court CA', {
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    org: '示例法院 (example only)',
  });
  const leaf = issueSigner(ca, '示例法院 电子送达签章 (example signer)', {
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    org: '示例法院 (example only)',
  });
  const signer = await rsaSigner(leaf);
  const file: FileInput = {
    id: 'complaint-pdf',
    filename: '行政起诉状.pdf',
    mediaType: 'application/pdf',
    bytes: new TextEncoder().encode('%PDF-1.4\n% example attachment of the Fuyuan wire contract\n%%EOF\n'),
  };
  const jose = demoManifest({
    messageId: 'example-jose-0001',
    senderCode: 'court-example',
    court: EXAMPLE_COURT,
    issuedAt: EXAMPLE_ISSUED_AT,
    attachments: [await attachmentEntry(file, true)],
  });
  const multi = demoManifest({
    messageId: 'example-multipart-0001',
    senderCode: 'court-example',
    court: EXAMPLE_COURT,
    issuedAt: EXAMPLE_ISSUED_AT,
    type: 'summons',
    attachments: [await attachmentEntry(file, false)],
  });
  writeFileSync(join(here, 'examples/example-ca.pem'), ca.certPem);
  writeFileSync(join(here, 'examples/jose/manifest.json'), JSON.stringify(jose, null, 2) + '\n');
  writeFileSync(join(here, 'examples/jose/delivery.jws'), (await signManifest(jose, signer)) + '\n');
  writeFileSync(join(here, 'examples/multipart/manifest.json'), JSON.stringify(multi, null, 2) + '\n');
  writeFileSync(join(here, 'examples/multipart/envelope.jws'), (await signManifest(multi, signer)) + '\n');
  writeFileSync(join(here, 'examples/multipart/complaint-pdf'), file.bytes);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(join(here, 'manifest.schema.json'), JSON.stringify(manifestJsonSchema(), null, 2) + '\n');
  if (process.argv.includes('--examples')) await examples();
  process.stdout.write('schemas/wire written\n');
}
