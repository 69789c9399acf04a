/** Contracts: judicial and procuratorial suggestions, from assignment to the sender's acknowledgement. */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const Status = z.object({ id: z.string(), status: z.string() }).passthrough().openapi('SuggestionStatus');
const idParam = z.object({ id: z.string() });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

const SUGGESTION_STATUS = ['queued', 'drafting', 'under_review', 'returned', 'awaiting_approval', 'relayed', 'acknowledged'] as const;
const SuggestionSummary = z
  .object({
    id: z.string(),
    kind: z.enum(['judicial', 'procuratorial']).describe('司法建议 | 检察建议'),
    title: z.string(),
    senderCode: z.string(),
    regionCode: z.string().nullable(),
    unitId: z.string().nullable().describe('The unit drafting the reply (null while the justice bureau decides)'),
    status: z.enum(SUGGESTION_STATUS),
    replyDueOn: z.string(),
    overdue: z.boolean(),
    urgent: z.boolean(),
    documentId: z.string(),
    caseId: z.string().nullable(),
  })
  .openapi('SuggestionSummary');
const Suggestion = SuggestionSummary.omit({ title: true, overdue: true })
  .extend({
    replyDueJson: z.string().describe('The stored form of replyDue'),
    replyEvidenceId: z.string().nullable().describe("The reply's evidence, once relayed"),
    acknowledgedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    replyDue: z.unknown().describe('Where the due date came from: the document, or the policy (with its derivation)'),
    steps: z.array(z.object({ kind: z.string(), actor: z.string(), role: z.string(), at: z.string(), data: z.unknown() })),
  })
  .openapi('Suggestion');

export const listRoute = createRoute({
  method: 'get',
  path: '/v1/suggestions',
  tags: ['Suggestions 建议'],
  summary: 'Suggestions the caller may see, earliest reply deadline first (search by sender, unit, status, overdue)',
  ...guard(),
  request: {
    query: z.object({
      sender: z.string().optional(),
      unit: z.string().optional(),
      status: z.string().optional(),
      overdue: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).max(500).optional(),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(SuggestionSummary) }), 'Suggestions'), ...problemResponses(400, 401, 403) },
});
export const getRoute = createRoute({
  method: 'get',
  path: '/v1/suggestions/{id}',
  tags: ['Suggestions 建议'],
  summary: 'One suggestion with every step of its reply',
  ...guard(),
  request: { params: idParam },
  responses: { 200: json(Suggestion, 'The suggestion'), ...problemResponses(401, 404) },
});
export const assignRoute = createRoute({
  method: 'post',
  path: '/v1/suggestions/{id}/assign',
  tags: ['Suggestions 建议'],
  summary: 'The justice bureau names the unit that drafts the reply',
  ...guard(),
  request: { params: idParam, ...body(z.object({ unitId: z.string().min(1), reason: z.string().trim().min(1).max(1000) })) },
  responses: { 200: json(Status, 'Assigned'), ...problemResponses(400, 401, 403, 404, 409) },
});
export const draftRoute = createRoute({
  method: 'post',
  path: '/v1/suggestions/{id}/drafts',
  tags: ['Suggestions 建议'],
  summary: 'The unit submits (or resubmits) the reply draft',
  ...guard(),
  request: {
    params: idParam,
    ...body(
      z.object({
        text: z.string().trim().min(1).max(50_000),
        attachments: z
          .array(z.object({ filename: z.string().min(1).max(255), mediaType: z.string().min(3).max(100), content: z.string().describe('base64') }))
          .max(10)
          .optional(),
        rectification: z.object({ promised: z.boolean(), by: z.iso.date().optional(), description: z.string().max(2000).optional() }).optional(),
        handledOn: z.iso.date().optional().describe('S 五(七): the day the matter was handled'),
      }),
    ),
  },
  responses: { 201: json(Status, 'Submitted for review'), ...problemResponses(400, 401, 403, 404, 409) },
});
export const reviewRoute = createRoute({
  method: 'post',
  path: '/v1/suggestions/{id}/review',
  tags: ['Suggestions 建议'],
  summary: 'The justice bureau returns the draft with comments, or passes it for approval',
  ...guard(),
  request: { params: idParam, ...body(z.object({ result: z.enum(['returned', 'passed']), comments: z.string().max(5000).optional() })) },
  responses: { 200: json(Status, 'Reviewed'), ...problemResponses(400, 401, 403, 404, 409) },
});
export const approveRoute = createRoute({
  method: 'post',
  path: '/v1/suggestions/{id}/approve',
  tags: ['Suggestions 建议'],
  summary: 'The government approves: the reply is signed and relayed to the sender (never approved by the drafting unit)',
  ...guard(),
  request: { params: idParam, ...body(z.object({ approver: z.string().trim().min(1).max(100), post: z.string().trim().min(1).max(100) })) },
  responses: { 200: json(Status, 'Approved and relayed'), ...problemResponses(400, 401, 403, 404, 409) },
});
export const ackRoute = createRoute({
  method: 'post',
  path: '/v1/suggestions/{id}/acknowledge',
  tags: ['Suggestions 建议'],
  summary: 'The court or procuratorate acknowledges the reply; the suggestion is closed',
  ...guard(),
  request: { params: idParam },
  responses: { 200: json(Status, 'Acknowledged'), ...problemResponses(401, 403, 404, 409) },
});
