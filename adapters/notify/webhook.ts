/**
 * Generic signed webhook: POST the message as JSON (render.ts renderWebhookBody) with
 *   X-Fuyuan-Timestamp: <Unix seconds>
 *   X-Fuyuan-Signature: sha256=<lowercase hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 *   Idempotency-Key: <the outbox row's idempotency key>   (the same on every retry: receivers dedupe on it)
 * A receiver recomputes the HMAC over the raw body bytes, compares in constant time, and refuses a timestamp
 * far from its clock (replay). Any 2xx is success; 4xx other than 408/429 is permanent; the rest is retried.
 */
import { toHex } from '../../src/lib/encoding.js';
import { NotifyError, type NotifyChannelAdapter } from '../../src/services/notifications.js';
import { hmacSha256, postJson } from './http.js';
import { renderWebhookBody } from './render.js';

export const SIGNATURE_HEADER = 'X-Fuyuan-Signature';
export const TIMESTAMP_HEADER = 'X-Fuyuan-Timestamp';

/** `sha256=<hex>` over `${timestamp}.${body}`. */
export async function webhookSignature(secret: string, timestamp: string, body: string): Promise<string> {
  return `sha256=${toHex(await hmacSha256(secret, `${timestamp}.${body}`))}`;
}

export const webhookAdapter: NotifyChannelAdapter = {
  kind: 'webhook',
  async send(channel, message, ctx) {
    if (!channel.secret) throw new NotifyError('webhook channel has no secret: cannot sign', true);
    const body = JSON.stringify(renderWebhookBody(message, ctx));
    const timestamp = String(Math.floor(ctx.now.getTime() / 1000));
    await postJson(ctx, channel.url, body, {
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: await webhookSignature(channel.secret, timestamp, body),
      'Idempotency-Key': ctx.idempotencyKey,
    });
  },
};
