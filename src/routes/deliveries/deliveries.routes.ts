/** Contract of POST /v1/deliveries (the court-facing intake). */
import { createRoute, z } from '@hono/zod-openapi';
import { problemResponses } from '../../../schemas/api/common.js';
import { ReceiptResponse } from '../../../schemas/api/receipt.js';

export const postDelivery = createRoute({
  method: 'post',
  path: '/v1/deliveries',
  tags: ['Deliveries 送达'],
  summary: 'Push signed documents (送达) and receive a signed receipt',
  description: [
    'A court or procuratorate pushes a signed message. Three content types:',
    '- `application/xml`: an XML envelope signed with XMLDSig (exclusive c14n, SHA-256, RSA-SHA256 or ECDSA-SHA256; schemas/wire/xml/).',
    '- `application/jose`: the body is a compact JWS; attachment bytes inline as base64 `content` in the manifest.',
    '- `multipart/form-data`: part `envelope` holds the compact JWS; one part per attachment, named by the attachment `id`.',
    '',
    'JWS protected header: `alg` ∈ {RS256, PS256, ES256}; `x5c` = signer chain, leaf first, building to a CA registered for the sender.',
    'Payload: the manifest (`schemas/wire/manifest.schema.json`). The same `messageId` again returns the original receipt (200);',
    'the same `messageId` with other content is refused (409). The receipt `arrivedAt` is the legal moment of service.',
  ].join('\n'),
  request: {
    body: {
      required: true,
      content: {
        'application/jose': { schema: z.string().describe('Compact JWS') },
        'application/xml': {
          schema: z
            .string()
            .describe('XML envelope with an enveloped XMLDSig signature over its Manifest (schemas/wire/xml/delivery.xsd); UTF-8, GBK or GB18030'),
        },
        'multipart/form-data': {
          schema: z
            .object({
              envelope: z.string().describe('Compact JWS, or the XML envelope'),
            })
            .catchall(z.any().describe('Attachment bytes; the part name is the attachment id')),
        },
      },
    },
  },
  responses: {
    201: { description: 'Accepted: the delivery and its receipt', content: { 'application/json': { schema: ReceiptResponse } } },
    200: { description: 'The same message was already accepted: its original receipt', content: { 'application/json': { schema: ReceiptResponse } } },
    ...problemResponses(400, 403, 408, 409, 413, 415, 422, 429),
    // Not taken now, nothing stored: send again after Retry-After (schemas/wire/README.md §3).
    ...problemResponses(503, 507),
  },
});
