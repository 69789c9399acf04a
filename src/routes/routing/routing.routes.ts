/** Contracts: the justice bureau's queue (R2, R9), assignment and reassignment, the case, and "explain". */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { ASSIGNMENT_ROLES } from '../../domain/vocabulary.js';

const Bi = z.object({ zh: z.string(), en: z.string() });
const Unit = z.object({ unitId: z.string(), unitName: z.string(), role: z.enum(ASSIGNMENT_ROLES) });

export const AssignBody = z
  .object({
    assignments: z
      .array(z.object({ unitId: z.string().min(1), role: z.enum(ASSIGNMENT_ROLES) }))
      .min(1)
      .max(20)
      .describe('Exactly one lead (主办); the others cooperating (协办), review part or assisting'),
    reason: z.string().trim().min(1).max(1000).describe('Why (recorded in the audit log and shown on the case)'),
  })
  .openapi('AssignRequest');

const UnitRef = z.object({ unitId: z.string(), unitName: z.string(), regionCode: z.string() });
const party = z.enum(['acting_unit', 'defendant', 'review_organ', 'prior_assignment']);

/** One fact a routing decision rests on, by kind. */
export const RoutingFact = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('court_regions'),
      courtCode: z.string(),
      onDate: z.string(),
      known: z.boolean().describe('false: the court is not in the directory'),
      regionCodes: z.array(z.string()).readonly(),
    }),
    z.object({
      kind: z.literal('resolved'),
      party,
      written: z.string(),
      unitId: z.string(),
      unitName: z.string(),
      regionCode: z.string(),
      via: z.string().describe('How the name matched'),
      matched: z.string().describe('The directory name or alias that matched'),
      scope: z.enum(['unit_code', 'party_region', 'court_regions', 'case_region', 'all_regions']),
    }),
    z.object({
      kind: z.literal('unresolved'),
      party,
      written: z.string(),
      outcome: z.enum(['unknown', 'ambiguous', 'conflict']),
      candidates: z.array(UnitRef).readonly(),
    }),
    z.object({
      kind: z.literal('entrusted'),
      rule: z.literal('R3'),
      article: z.string(),
      orgId: z.string(),
      orgName: z.string(),
      entrustingId: z.string(),
      entrustingName: z.string(),
    }),
    z.object({
      kind: z.literal('succeeded'),
      rule: z.literal('R4'),
      article: z.string(),
      fromId: z.string(),
      fromName: z.string(),
      abolishedOn: z.string(),
      toId: z.string(),
      toName: z.string(),
    }),
    z.object({ kind: z.literal('rule'), rule: z.string(), article: z.string(), note: Bi }),
    z.object({
      kind: z.literal('defendant_region'),
      regionCode: z.string().optional(),
      via: z.enum(['unit_code', 'stated_region', 'name_prefix', 'court_regions', 'none']),
      candidates: z.array(z.string()).readonly(),
      written: z.string(),
    }),
    z.object({ kind: z.literal('note'), note: Bi }),
  ])
  .openapi('RoutingFact');

export const QueueItem = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'assigned']),
    reason: z.string().describe('designate_lead (R2) | unknown_unit | ambiguous_unit | cross_region | … (R9)'),
    regionCode: z.string().nullable(),
    candidateRegions: z.array(z.string()),
    caseId: z.string().nullable(),
    caseNumber: z.string().nullable(),
    documentId: z.string(),
    documentType: z.string(),
    title: z.string(),
    rule: z.string().optional(),
    article: z.string().optional(),
    explanation: Bi.optional(),
    proposed: z.array(z.unknown()).describe('Units the rules found (for R2: every joint unit, to pick the lead from)'),
    candidates: z.array(z.unknown()).describe('For an unknown or ambiguous name: what was written and which units it could be'),
    createdAt: z.string(),
    dueOn: z
      .string()
      .nullable()
      .describe('The routing window (分办时限): the Beijing date by which the unit must be named (2 days by default, P 第十条 3 days)'),
    overdue: z.boolean().describe('The routing window has passed without an assignment'),
  })
  .openapi('QueueItem');

export const getQueue = createRoute({
  method: 'get',
  path: '/v1/queue',
  tags: ['Routing 分办'],
  summary: "The justice bureau's queue: documents the rules could not decide (R9) and joint acts needing a lead (R2)",
  ...guard('justice_bureau'),
  request: {
    query: z.object({
      region: z
        .string()
        .regex(/^\d{6}$/)
        .optional()
        .describe('Region code (行政区划代码), e.g. 330802'),
      status: z.enum(['open', 'assigned']).optional(),
      limit: z.coerce.number().int().min(1).max(500).optional(),
    }),
  },
  responses: {
    200: { description: 'Queue items, oldest first', content: { 'application/json': { schema: z.object({ items: z.array(QueueItem) }) } } },
    ...problemResponses(400, 401, 403),
  },
});

const AssignResult = z
  .object({
    caseId: z.string(),
    caseNumber: z.string(),
    regionCode: z.string(),
    rule: z.string(),
    units: z.array(Unit),
    reason: z.string(),
    queueItems: z.array(z.string()),
  })
  .openapi('AssignResult');

export const postQueueAssign = createRoute({
  method: 'post',
  path: '/v1/queue/{id}/assign',
  tags: ['Routing 分办'],
  summary: 'Assign a queued case (designate the lead for a joint act, or name the unit), with a reason',
  ...guard('justice_bureau'),
  request: { params: z.object({ id: z.string() }), body: { required: true, content: { 'application/json': { schema: AssignBody } } } },
  responses: { 200: { description: 'Assigned', content: { 'application/json': { schema: AssignResult } } }, ...problemResponses(400, 401, 403, 404, 409, 422) },
});

export const ClaimBody = z
  .object({
    regionCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional()
      .describe(
        'The region the item belongs to; a justice bureau claims for its own region (omit it or give its own), an administrator names one of the candidates',
      ),
    reason: z.string().trim().min(1).max(1000).describe('Why the case belongs to that region (recorded in the audit log)'),
  })
  .openapi('ClaimRequest');

export const postQueueClaim = createRoute({
  method: 'post',
  path: '/v1/queue/{id}/claim',
  tags: ['Routing 分办'],
  summary:
    "Claim a queue item whose region was not settled for one candidate region: the other regions' bureaus no longer see it, and its deadlines run under that region's policy",
  ...guard('justice_bureau'),
  request: { params: z.object({ id: z.string() }), body: { required: true, content: { 'application/json': { schema: ClaimBody } } } },
  responses: {
    200: {
      description: 'Claimed',
      content: {
        'application/json': {
          schema: z.object({ id: z.string(), regionCode: z.string(), caseId: z.string().nullable(), dueOn: z.string().nullable() }).openapi('ClaimResult'),
        },
      },
    },
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
});

export const postCaseReassign = createRoute({
  method: 'post',
  path: '/v1/cases/{id}/reassign',
  tags: ['Routing 分办'],
  summary: 'Reassign a case to other units, with a reason (the earlier assignment stays in the history)',
  ...guard('justice_bureau'),
  request: { params: z.object({ id: z.string() }), body: { required: true, content: { 'application/json': { schema: AssignBody } } } },
  responses: {
    200: { description: 'Reassigned', content: { 'application/json': { schema: AssignResult } } },
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
});

const AssignmentView = z.object({
  unitId: z.string(),
  unitName: z.string(),
  role: z.string(),
  rule: z.string(),
  article: z.string(),
  decidedBy: z.enum(['rule', 'justice_bureau']),
  actor: z.string(),
  reason: z.string(),
  at: z.string(),
  supersededAt: z.string().nullable(),
});

export const CaseView = z
  .object({
    id: z.string(),
    caseNumber: z.string(),
    courtCode: z.string(),
    regionCode: z.string().nullable(),
    instance: z.string(),
    parentCaseId: z.string().nullable(),
    routingStatus: z.enum(['assigned', 'queued']),
    assignments: z.array(AssignmentView),
    history: z.array(AssignmentView),
    documents: z.array(z.object({ id: z.string(), type: z.string(), title: z.string(), arrivedAt: z.string(), rule: z.string(), status: z.string() })),
    headAppearance: z
      .object({
        required: z.boolean(),
        reasons: z.array(z.object({ situation: z.string(), zh: z.string(), en: z.string(), source: z.string(), via: z.enum(['fact', 'bureau', 'always']) })),
        settable: z
          .array(z.object({ situation: z.string(), zh: z.string(), source: z.string(), set: z.boolean() }))
          .describe('Situations of the region’s policy the justice bureau sets (step appearance_situations)'),
      })
      .describe('Must the head appear, and which rule says so (docs/domain.md §5; src/domain/appearance.ts)'),
  })
  .openapi('Case');

export const getCase = createRoute({
  method: 'get',
  path: '/v1/cases/{id}',
  tags: ['Routing 分办'],
  summary: 'A case: who answers it now, the assignment history, its documents',
  ...guard(),
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'The case', content: { 'application/json': { schema: CaseView } } }, ...problemResponses(401, 403, 404) },
});

export const Explanation = z
  .object({
    documentId: z.string(),
    documentType: z.string(),
    title: z.string(),
    caseNumber: z.string().nullable(),
    caseId: z.string().nullable(),
    arrivedAt: z.string(),
    onDate: z.string().describe('Beijing date the rules were applied on'),
    directoryVersion: z.number().int(),
    status: z.enum(['assigned', 'queued']),
    rule: z.string(),
    ruleTitle: Bi,
    article: z.string(),
    rulesApplied: z.array(z.string()),
    regionCode: z.string().nullable(),
    reason: Bi,
    assignments: z.array(Unit).readonly(),
    queueReason: z.string().nullable(),
    candidates: z
      .array(
        z.object({
          party,
          written: z.string().describe('The name as the court wrote it'),
          units: z.array(UnitRef).readonly(),
        }),
      )
      .readonly()
      .describe('For an unknown or ambiguous name: which units it could be'),
    explanation: z.object({ zh: z.array(z.string()), en: z.array(z.string()) }).describe('The decision and each fact it used, as sentences'),
    facts: z.array(RoutingFact).readonly().describe('The structured facts the decision used (src/domain/routing/types.ts RoutingFact)'),
    currentAssignments: z.array(AssignmentView),
  })
  .openapi('RoutingExplanation');

export const getDocumentRouting = createRoute({
  method: 'get',
  path: '/v1/documents/{id}/routing',
  tags: ['Routing 分办'],
  summary: 'Explain: why this document went to its unit (rule, article, facts) in Chinese and English',
  ...guard(),
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'The decision and why', content: { 'application/json': { schema: Explanation } } }, ...problemResponses(401, 403, 404) },
});
