/** Contracts: agencies pull their filings; the justice bureau confirms receipt; courts pull evidence. */
import { createRoute, z } from '@hono/zod-openapi';
import { guard, guardOnly } from '../../http/auth.js';
import { downloadRefusals, problemResponses } from '../../../schemas/api/common.js';
import { DOCUMENT_TYPES } from '../../domain/case-info.js';
import { CaseInfo, Hearing, Outcome } from '../../../schemas/api/manifest.js';
import { Obligation } from '../deadlines/deadlines.routes.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const FilingSummary = z
  .object({
    id: z.string(),
    type: z.string(),
    title: z.string(),
    caseNumber: z.string().nullable(),
    caseId: z.string().nullable(),
    regionCode: z.string().nullable(),
    arrivedAt: z.string(),
    routing: z.enum(['assigned', 'queued']),
    status: z.enum(['new', 'retrieved', 'confirmed']).describe('new 未查收 | retrieved 已查阅 | confirmed 已签收'),
    nextDue: z.string().nullable().describe('Earliest open deadline this document started'),
  })
  .openapi('FilingSummary');

const Filing = z
  .object({
    id: z.string(),
    status: z.enum(['new', 'retrieved', 'confirmed']).describe('new 未查收 | retrieved 已查阅 | confirmed 已签收'),
    documentId: z.string().describe("The court's own id of the document"),
    type: z.string(),
    title: z.string(),
    arrivedAt: z.string().describe('The legal time of service (UTC)'),
    arrivedAtBeijing: z.string().describe('The same instant in Beijing time (+08:00)'),
    sender: z.string(),
    messageId: z.string(),
    caseId: z.string().nullable(),
    regionCode: z.string().nullable(),
    case: CaseInfo.nullable(),
    hearing: Hearing.nullable(),
    outcome: Outcome.nullable(),
    sha256: z.string().describe('SHA-256 of the JCS form of the document entry as signed'),
    attachments: z.array(
      z.object({ id: z.string(), filename: z.string(), mediaType: z.string(), size: z.number().int(), sha256: z.string(), href: z.string() }),
    ),
    obligations: z.array(Obligation),
  })
  .openapi('Filing');

export const listFilingsRoute = createRoute({
  method: 'get',
  path: '/v1/filings',
  tags: ['Filings 文书'],
  summary: "The caller's filings, newest first (a unit: assigned to it; a justice bureau: its region)",
  ...guard('unit', 'justice_bureau', 'government_office'),
  request: {
    query: z.object({
      status: z.enum(['new', 'retrieved', 'confirmed']).optional(),
      type: z.enum(DOCUMENT_TYPES).optional(),
      caseNumber: z.string().optional(),
      dueBefore: z.iso.date().optional(),
      cursor: z.string().optional().describe('nextCursor of the previous page'),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
  },
  responses: {
    200: json(z.object({ items: z.array(FilingSummary), nextCursor: z.string().nullable() }), 'A page of filings'),
    ...problemResponses(400, 401, 403),
  },
});

export const getFilingRoute = createRoute({
  method: 'get',
  path: '/v1/filings/{id}',
  tags: ['Filings 文书'],
  summary:
    'One filing: the document, its case, its obligations with due dates and derivations, its attachments. The first retrieval by the assigned unit is recorded as evidence for the court.',
  ...guard('unit', 'justice_bureau', 'government_office'),
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: json(Filing, 'The filing'), ...problemResponses(401, 404) },
});

export const getAttachmentRoute = createRoute({
  method: 'get',
  path: '/v1/filings/{id}/attachments/{attachmentId}',
  tags: ['Filings 文书'],
  summary: 'Download an attachment, with its SHA-256 (Repr-Digest, RFC 9530)',
  ...guard('unit', 'justice_bureau', 'government_office'),
  request: { params: z.object({ id: z.string(), attachmentId: z.string() }) },
  responses: {
    200: { description: 'The bytes', content: { 'application/octet-stream': { schema: z.string().describe('binary') } } },
    ...problemResponses(401, 404),
    ...downloadRefusals,
  },
});

export const confirmRoute = createRoute({
  method: 'post',
  path: '/v1/filings/{id}/confirm',
  tags: ['Filings 文书'],
  summary: 'The justice bureau confirms receipt (签收): signed confirmation evidence goes back to the court',
  ...guard('unit', 'justice_bureau', 'government_office'),
  request: { params: z.object({ id: z.string() }) },
  responses: {
    201: json(z.object({ evidenceId: z.string(), jws: z.string() }).openapi('Confirmation'), 'Confirmed'),
    200: json(z.object({ evidenceId: z.string(), jws: z.string() }), 'Already confirmed: the same evidence'),
    ...problemResponses(401, 403, 404),
  },
});

export const listEvidenceRoute = createRoute({
  method: 'get',
  path: '/v1/evidence',
  tags: ['Evidence 证据'],
  summary: "A court's or procuratorate's evidence, oldest first from a cursor: receipts, retrievals, confirmations (each a JWS verifiable with the JWKS)",
  ...guardOnly('court', 'procuratorate'),
  request: { query: z.object({ since: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).optional() }) },
  responses: {
    200: json(
      z
        .object({
          items: z.array(
            z.object({
              id: z.string(),
              type: z.string(),
              deliveryId: z.string().nullable(),
              documentId: z.string().nullable(),
              createdAt: z.string(),
              payload: z.unknown(),
              jws: z.string(),
            }),
          ),
          next: z.string().nullable().describe('Pass as since to get what came after'),
        })
        .openapi('EvidencePage'),
      'Evidence',
    ),
    ...problemResponses(401, 403),
  },
});
