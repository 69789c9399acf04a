/** Contracts: administration of senders (courts, procuratorates) and the CA certificates that may sign for them. */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';

const Policy = z.enum(['hard', 'soft']);
const iso = z.string().describe('UTC instant, ISO 8601');

export const Sender = z
  .object({
    code: z.string(),
    type: z.enum(['court', 'procuratorate']),
    name: z.string(),
    callbackUrl: z.string().nullable(),
    trustVersion: z.number().int().describe('Raised whenever its CAs or trust settings change'),
    revocationPolicy: Policy,
    sm2: z.boolean(),
    cas: z.array(z.object({ subject: z.string(), fingerprint: z.string().describe('SHA-256 of the DER, hex'), notAfter: iso })),
  })
  .openapi('Sender');

export const CrlSummary = z
  .object({
    issuer: z.string().describe('Subject of the registered CA that issued it'),
    crlNumber: z.string().nullable(),
    thisUpdate: iso,
    nextUpdate: iso.nullable(),
    revoked: z.number().int().describe('Certificates it lists as revoked'),
    stored: z.boolean().describe('false: the gateway already holds this CRL or a newer one'),
  })
  .openapi('CrlSummary');

export const RevocationStatus = z
  .object({
    crls: z.array(
      z.object({
        issuer: z.string(),
        crlNumber: z.string().nullable(),
        thisUpdate: iso.nullable(),
        nextUpdate: iso.nullable(),
        source: z.string(),
        sender: z.string().nullable(),
        revoked: z.number().int(),
      }),
    ),
    crlSources: z.array(
      z.object({
        url: z.string(),
        sender: z.string().nullable(),
        lastFetchedAt: iso.nullable(),
        nextFetchAt: iso.nullable(),
        lastError: z.string().nullable(),
      }),
    ),
    ocsp: z.array(
      z.object({
        certificate: z.string(),
        sender: z.string().nullable(),
        responder: z.string(),
        status: z.string(),
        producedAt: iso.nullable(),
        revokedAt: iso.nullable(),
        nextFetchAt: iso.nullable(),
        lastError: z.string().nullable(),
      }),
    ),
    pendingRechecks: z.number().int().describe('Deliveries accepted under soft-fail whose re-check is due'),
    alerts: z.array(z.object({ deliveryId: z.string(), sender: z.string(), outcome: z.string().nullable(), checkedAt: iso.nullable() })),
  })
  .openapi('RevocationStatus');

export const postSender = createRoute({
  method: 'post',
  path: '/v1/admin/senders',
  tags: ['Senders 发送方'],
  summary: 'Register a court or procuratorate with its CA certificate(s), or add CAs to it',
  ...guard('admin'),
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            code: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
            type: z.enum(['court', 'procuratorate']),
            name: z.string().trim().min(1).max(200),
            caPem: z.string().min(100).describe('PEM, one or more CERTIFICATE blocks'),
            callbackUrl: z.url().optional().describe('Where evidence is pushed (receipts, retrievals, confirmations, replies)'),
            revocationPolicy: Policy.optional().describe(
              'Without a fresh revocation status: hard refuses (403 revocation-unknown), soft accepts and re-checks (default)',
            ),
            sm2: z.boolean().optional().describe('Registered for 国密 SM2/SM3 signatures (JWS alg SM2SM3, XML SM2-SM3)'),
          }),
        },
      },
    },
  },
  responses: {
    200: { description: 'Registered', content: { 'application/json': { schema: z.object({ code: z.string(), added: z.array(z.string()) }) } } },
    ...problemResponses(400, 401, 403, 409),
  },
});

export const getSenders = createRoute({
  method: 'get',
  path: '/v1/admin/senders',
  tags: ['Senders 发送方'],
  summary: 'Registered senders and their CAs',
  ...guard('admin'),
  responses: {
    200: { description: 'Senders', content: { 'application/json': { schema: z.object({ items: z.array(Sender) }) } } },
    ...problemResponses(401, 403),
  },
});

const senderParam = z.object({ code: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) });

export const putTrust = createRoute({
  method: 'put',
  path: '/v1/admin/senders/{code}/trust',
  tags: ['Senders 发送方'],
  summary: "A sender's revocation policy (hard- or soft-fail) and whether it signs with SM2",
  ...guard('admin'),
  request: {
    params: senderParam,
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ revocationPolicy: Policy.optional(), sm2: z.boolean().optional() }).strict() } },
    },
  },
  responses: {
    200: { description: 'Saved', content: { 'application/json': { schema: z.object({ code: z.string(), revocationPolicy: Policy, sm2: z.boolean() }) } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export const postCrl = createRoute({
  method: 'post',
  path: '/v1/admin/senders/{code}/crls',
  tags: ['Senders 发送方'],
  summary: 'Upload a CRL issued by one of the sender’s registered CAs (PEM, or the DER in standard base64)',
  ...guard('admin'),
  request: {
    params: senderParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ crlPem: z.string().min(50).max(20_000_000).describe('a PEM "X509 CRL" block, or the DER in standard base64') }),
        },
      },
    },
  },
  responses: {
    200: { description: 'Checked (and stored when newer than the one held)', content: { 'application/json': { schema: CrlSummary } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export const getRevocation = createRoute({
  method: 'get',
  path: '/v1/admin/revocation',
  tags: ['Senders 发送方'],
  summary: 'CRLs, distribution points, OCSP statuses held, and alerts from soft-fail re-checks',
  ...guard('admin'),
  responses: { 200: { description: 'Status', content: { 'application/json': { schema: RevocationStatus } } }, ...problemResponses(401, 403) },
});
