/**
 * The start most gateway-wide suites share: a gateway on a fixed clock with the demo directory, 龙游县人民法院
 * registered as a court, and one complaint copy with a PDF delivered by it (the answer is returned, unread).
 */
import { FixedClock, T0, testGateway } from './gateway.js';
import { makeCourtPki, type CourtPki } from './pki.js';
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

/**
 * A joint act of two departments (one case, two defendants): the rules cannot name a lead, so it waits in the
 * justice bureau's queue (R2). Returns the id of its document, as the receipt states it.
 */
export async function deliverJointAct(gw: Awaited<ReturnType<typeof testGateway>>, court: CourtPki, messageId: string, caseNumber: string) {
  const joint = demoManifest({ messageId, senderCode: 'court-longyou', issuedAt: T0, caseNumber });
  joint.documents[0]!.case!.defendants = [{ name: '柯城区自然资源局' }, { name: '柯城区综合行政执法局' }];
  joint.documents[0]!.case!.challengedAct.actingUnits = joint.documents[0]!.case!.defendants;
  const res = await gw.app.request(multipartRequest('http://gw/v1/deliveries', await signManifest(joint, court.signer), []));
  return ((await res.json()) as { receipt: { documents: { id: string }[] } }).receipt.documents[0]!.id;
}
