/** Contracts: recording the steps of a case, and its timeline. */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { downloadRefusals, problemResponses } from '../../../schemas/api/common.js';
import { STEP_KINDS } from '../../domain/steps.js';

export const postStep = createRoute({
  method: 'post',
  path: '/v1/cases/{id}/steps/{kind}',
  tags: ['Cases 案件'],
  summary:
    'Record a step (sign-off, head appearance, defence, answer, hearing, appeal, loss report, plan, performance …); it discharges the obligations it completes',
  description: `Kinds: ${STEP_KINDS.join(', ')}. The body of each kind is defined in src/domain/steps.ts (STEP_SCHEMAS), with the article it follows.`,
  ...guard(),
  request: {
    params: z.object({ id: z.string(), kind: z.enum(STEP_KINDS as [string, ...string[]]) }),
    body: { required: true, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
  },
  responses: {
    201: {
      description: 'Recorded',
      content: {
        'application/json': {
          schema: z
            .object({ id: z.string(), caseId: z.string(), kind: z.string(), closed: z.array(z.object({ id: z.string(), kind: z.string() })) })
            .openapi('StepRecorded'),
        },
      },
    },
    ...problemResponses(400, 401, 403, 404),
  },
});

export const getTimeline = createRoute({
  method: 'get',
  path: '/v1/cases/{id}/timeline',
  tags: ['Cases 案件'],
  summary: 'The case in order: documents, assignments, obligations, steps, evidence, with who and when',
  ...guard(),
  request: { params: z.object({ id: z.string() }) },
  responses: {
    200: {
      description: 'Timeline',
      content: {
        'application/json': {
          schema: z
            .object({
              caseId: z.string(),
              caseNumber: z.string(),
              entries: z.array(
                z.object({
                  at: z.string(),
                  kind: z.string(),
                  who: z.string(),
                  what: z.string(),
                  ref: z.string(),
                  data: z.unknown().optional(),
                  facts: z
                    .record(z.string(), z.union([z.string(), z.boolean(), z.null()]))
                    .optional()
                    .describe('The entry as data (type, unit, due date …), for a program to read'),
                }),
              ),
            })
            .openapi('Timeline'),
        },
      },
    },
    ...problemResponses(401, 404),
  },
});

export const getStepAttachment = createRoute({
  method: 'get',
  path: '/v1/cases/{id}/steps/{stepId}/attachments/{sha256}',
  tags: ['Cases 案件'],
  summary: 'A file a step carried (the defence draft), by its SHA-256; for whoever may read the case',
  ...guard(),
  request: { params: z.object({ id: z.string(), stepId: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }) },
  responses: {
    200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
    ...problemResponses(400, 401, 404),
    ...downloadRefusals,
  },
});
