/**
 * Generic signed webhook, following Standard Webhooks (standardwebhooks.com, the "Standard Webhooks" spec): POST the
 * message as JSON (render.ts renderWebhookBody) with
 *   webhook-id: <the outbox row's idempotency key>   (the same on every retry: receivers dedupe on it)
 *   webhook-timestamp: <Unix seconds>
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + raw body)>
 *   Idempotency-Key: <the same id>                   (kept for receivers written before)
 * The key: a secret in the spec's form `whsec_<base64>` is its decoded bytes, so a receiver verifies with
 * `new Webhook(secret).verify(body, headers)` of the standardwebhooks libraries; any other secret is used as its
 * UTF-8 bytes (`new Webhook(secret, { format: 'raw' })`). A receiver refuses a timestamp far from its clock.
 * Any 2xx is success; 4xx other than 408/429 is permanent; the rest is retried.
 */
import { fromBase64, toBase64 } from '../../src/lib/encoding.js';
import { NotifyError, type NotifyChannelAdapter } from '../../src/services/notifications.js';
import { hmacSha256, postJson } from './http.js';
import { renderWebhookBody } from './render.js';

export const ID_HEADER = 'webhook-id';
export const TIMESTAMP_HEADER = 'webhook-timestamp';
export const SIGNATURE_HEADER = 'webhook-signature';
const PREFIX = 'whsec_';

/** The HMAC key of a channel secret: whsec_<base64> decoded, else the secret's UTF-8 bytes. */
export function webhookKey(secret: string): Uint8Array {
  if (secret.startsWith(PREFIX)) {
    try {
      return fromBase64(secret.slice(PREFIX.length));
    } catch {
      // not base64 after the prefix: the whole string is the key
    }
  }
  return new TextEncoder().encode(secret);
}

/** `v1,<base64>` over `${id}.${timestamp}.${body}` (Standard Webhooks, symmetric signature). */
export async function webhookSignature(secret: string, id: string, timestamp: string, body: string): Promise<string> {
  return `v1,${toBase64(await hmacSha256(webhookKey(secret), `${id}.${timestamp}.${body}`))}`;
}

export const webhookAdapter: NotifyChannelAdapter = {
  kind: 'webhook',
  async send(channel, message, ctx) {
    if (!channel.secret) throw new NotifyError('webhook channel has no secret: cannot sign', true);
    const body = JSON.stringify(renderWebhookBody(message, ctx));
    const timestamp = String(Math.floor(ctx.now.getTime() / 1000));
    await postJson(ctx, channel.url, body, {
      [ID_HEADER]: ctx.idempotencyKey,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: await webhookSignature(channel.secret, ctx.idempotencyKey, timestamp, body),
      'Idempotency-Key': ctx.idempotencyKey,
    });
  },
};
