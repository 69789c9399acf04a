import type { Context } from 'hono';
import type { AppEnv } from '../../deps.js';
import { receiveDelivery } from '../../intake/pipeline.js';
import { Problem } from '../../lib/problem.js';

import { signJsonSm2 } from '../../lib/signing.js';
import { RECEIPT_TYP } from '../../intake/receipt.js';

export async function handlePostDelivery(c: Context<AppEnv>) {
  const deps = c.var.deps;
  // The arrival instant is read first: it is the legal time of service.
  const arrivedAt = deps.clock.now();
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const format = deps.envelopes.find((f) => f.mediaTypes.includes(type));
  if (!format) {
    const accepted = deps.envelopes.flatMap((f) => f.mediaTypes).join(', ');
    throw new Problem('unsupported-media-type', `Content-Type "${type || '(none)'}" is not accepted here; send one of: ${accepted}`);
  }
  const envelope = await format.parse(c.req.raw, { maxBytes: deps.config.bodyLimitBytes });
  // Announced once its body is in (a slow upload is not waited for): from here it needs only CPU and the thread
  // pool to be ready, and a group about to commit waits a moment for it to join.
  const result = await deps.writer.announce(() => receiveDelivery(deps, envelope, arrivedAt));
  deps.log.log('info', 'delivery', {
    requestId: c.var.requestId,
    status: result.status,
    deliveryId: result.receipt.deliveryId,
    sender: result.receipt.sender.code,
    messageId: result.receipt.messageId,
    documents: result.receipt.documents.length,
  });
  // With an SM2 gateway key configured, the receipt is also signed SM2SM3 (国密), beside the ES256 JWS.
  const jwsSm2 = signJsonSm2(deps.keys, result.receipt, RECEIPT_TYP);
  return c.json({ receipt: result.receipt, jws: result.jws, ...(jwsSm2 ? { jwsSm2 } : {}) }, result.status);
}
