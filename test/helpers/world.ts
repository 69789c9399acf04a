/**
 * The start most gateway-wide suites share: a gateway on a fixed clock with the demo directory, 龙游县人民法院
 * registered as a court, and one complaint copy with a PDF delivered by it (the answer is returned, unread).
 */
import { FixedClock, T0, testGateway } from './gateway.js';
import { makeCourtPki } from './pki.js';
import { attachmentEntry, demoManifest, multipartRequest, signManifest, type FileInput } from '../../adapters/node/court-kit.js';
import { registerSender } from '../../src/services/senders.js';
import { saveDirectory } from '../../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../../src/domain/routing/index.js';

export async function deliveredWorld(o: { messageId: string; caseNumber: string; file: FileInput; bodyLimitBytes?: number }) {
  const gw = await testGateway({ clock: new FixedClock(T0), ...(o.bodyLimitBytes ? { bodyLimitBytes: o.bodyLimitBytes } : {}) });
  const court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const m = demoManifest({
    messageId: o.messageId,
    senderCode: 'court-longyou',
    issuedAt: T0,
    caseNumber: o.caseNumber,
    regionCode: '330802',
    attachments: [await attachmentEntry(o.file, false)],
  });
  const first = await gw.app.request(multipartRequest('http://gw/v1/deliveries', await signManifest(m, court.signer), [o.file]));
  return { gw, court, first };
}
