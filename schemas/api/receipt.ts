import { z } from '@hono/zod-openapi';
import { ASSIGNMENT_ROLES } from '../../src/domain/vocabulary.js';

export const DocumentRoutingSchema = z
  .object({
    status: z.enum(['assigned', 'queued']).describe("assigned 已分办 | queued 待司法局确定 (waits in the justice bureau's queue)"),
    rule: z.string().describe('R1 … R10 (docs/domain.md §3)'),
    article: z.string().describe('The article(s) the rule encodes, e.g. B 第三条(三)'),
    regionCode: z.string().nullable().describe("The defendant's region (never the court's seat)"),
    units: z.array(z.object({ unitId: z.string(), unitName: z.string(), role: z.enum(ASSIGNMENT_ROLES) })),
    queueReason: z.string().optional(),
    caseId: z.string().nullable(),
  })
  .openapi('DocumentRouting');

export const ReceiptSchema = z
  .object({
    type: z.literal('delivery-receipt'),
    receiptId: z.string(),
    deliveryId: z.string(),
    messageId: z.string(),
    sender: z.object({ type: z.enum(['court', 'procuratorate']), code: z.string() }),
    arrivedAt: z.string().describe('Arrival by the gateway clock, UTC: the legal time of service'),
    arrivedAtBeijing: z.string().describe('The same instant in Beijing time (+08:00)'),
    envelope: z.object({ format: z.enum(['jws', 'xml']), sha256: z.string(), manifestSha256: z.string() }),
    signer: z.object({ subject: z.string(), certificateSha256: z.string() }),
    revocation: z
      .object({
        policy: z.enum(['hard', 'soft']),
        status: z.enum(['good', 'unknown']).describe('unknown: accepted under soft-fail, checked again later'),
        signedAt: z.string(),
        checks: z.array(
          z.object({
            certificate: z.string(),
            certificateSha256: z.string(),
            serialNumber: z.string(),
            status: z.enum(['good', 'revoked-after-signing', 'unknown']),
            source: z.enum(['ocsp-stapled', 'ocsp', 'crl']).optional(),
            crlNumber: z.string().nullable().optional(),
            thisUpdate: z.string().optional(),
            producedAt: z.string().optional(),
            revokedAt: z.string().optional(),
          }),
        ),
      })
      .describe('Revocation evidence used for each certificate below the registered CA (schemas/wire/README.md §6)'),
    documents: z.array(
      z.object({
        id: z.string().describe("The gateway's document id"),
        documentId: z.string().describe("The sender's document id, from the manifest"),
        type: z.string(),
        title: z.string(),
        sha256: z.string().describe('SHA-256 of the JCS (RFC 8785) form of the manifest entry, inline content removed'),
        attachments: z.array(z.object({ id: z.string(), sha256: z.string(), size: z.number().int() })),
        routing: DocumentRoutingSchema,
      }),
    ),
    auditHead: z
      .object({
        seq: z.number().int(),
        hash: z.string(),
        root: z.string().describe('RFC 9162 root of the first seq audit records, hex: with the receipt it is a signed tree head'),
      })
      .describe('The audit log after this delivery (GET /v1/audit/proofs/… proves inclusion and consistency against it)'),
  })
  .openapi('Receipt');

export const ReceiptResponse = z
  .object({
    receipt: ReceiptSchema,
    jws: z.string().describe('Compact JWS (ES256, kid in the header) whose payload is the JCS form of `receipt`; verify with /.well-known/jwks.json'),
    jwsSm2: z
      .string()
      .optional()
      .describe('When the gateway has an SM2 key: the same payload signed SM2SM3 (国密, GM/T 0009 default signer ID, r ‖ s); its key is in the JWKS (crv SM2)'),
  })
  .openapi('ReceiptResponse');
