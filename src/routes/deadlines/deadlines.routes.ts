/** Contracts: the deadline calculator, the legal calendar, overrides, region policies, obligations, feeds. */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { OBLIGATION_STATUSES } from '../../domain/vocabulary.js';
import { policySchema } from '../../domain/policy/schema.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const Bi = z.object({ zh: z.string(), en: z.string() });
const isoDate = z.string().describe('Beijing date, YYYY-MM-DD');

/** How a due date was reached (src/domain/calendar/periods.ts Derivation). */
export const Derivation = z
  .object({
    start: z.string().describe('The start as given: an ISO instant (UTC) or a date'),
    startDate: isoDate.describe('The Beijing date of the start; never counted itself'),
    period: z.object({ n: z.number().int(), unit: z.enum(['day', 'month', 'working_day']), text: z.string() }),
    direction: z.enum(['after', 'before']),
    rule: Bi.extend({ sources: z.array(z.string()) }),
    steps: z.array(Bi.extend({ date: isoDate.optional() })),
    shift: z.object({ from: isoDate, to: isoDate, why: Bi }).optional().describe('Present when the raw end fell on a rest day and was moved'),
    provisional: z
      .object({ years: z.array(z.number().int()), dates: z.array(isoDate), why: Bi, earliest: isoDate.optional() })
      .optional()
      .describe("Present when a year's holiday notice is not yet in the data"),
  })
  .openapi('DueDerivation');

const SpecialDay = z.object({
  date: isoDate,
  name: z.string().optional(),
  nameEn: z.string().optional(),
  source: z.enum(['package', 'override', 'statute']),
  reason: z.string().optional(),
});
const CalendarYear = z
  .object({
    year: z.number().int(),
    published: z.boolean().describe("This year's holiday notice (国务院办公厅 节假日安排通知) is in the data"),
    publishedBy: z.enum(['package', 'override']).nullable(),
    restDays: z.array(SpecialDay).describe('Days declared rest; plain weekends are not listed'),
    makeupWorkdays: z.array(SpecialDay).describe('Weekend days declared working days (调休 上班)'),
    overrides: z.array(z.object({ date: isoDate, working: z.boolean(), name: z.string(), reason: z.string() })),
    notes: z.array(Bi),
  })
  .openapi('CalendarYear');

export const computeDeadline = createRoute({
  method: 'get',
  path: '/v1/deadlines/compute',
  tags: ['Deadlines 时限'],
  summary: 'Deadline calculator (期限计算器): due date, whether it is provisional, and how it was derived',
  description:
    'Counting by the national rules: the day of the event is not counted (民诉解释 第125条); a period whose last day is a rest day ends on the next working day (民诉法 第85条, 行诉解释 第48条); month periods end on the same-numbered day; working-day periods count only working days (行政复议法 第88条); all in Beijing time.',
  request: {
    query: z.object({
      start: z.string().min(1).describe('An instant with offset (2026-11-23T23:59:00+08:00) or a Beijing date (2026-11-23)'),
      period: z
        .string()
        .regex(/^\d{1,4}(d|m|wd)$/)
        .describe('15d (calendar days), 2m (months), 5wd (working days)'),
      direction: z
        .enum(['after', 'before'])
        .default('after')
        .describe('after the start, or N days before it (an internal deadline moves earlier off a rest day)'),
    }),
  },
  responses: {
    200: json(z.object({ due: z.string(), provisional: z.boolean(), derivation: Derivation }).openapi('DueDate'), 'The due date'),
    ...problemResponses(400),
  },
});

export const calendarYear = createRoute({
  method: 'get',
  path: '/v1/calendar/{year}',
  tags: ['Deadlines 时限'],
  summary: "A year's rest days and make-up working days (调休), the data's source, and whether the year is published",
  request: { params: z.object({ year: z.coerce.number().int().min(2004).max(2100) }) },
  responses: { 200: json(CalendarYear, 'The year'), ...problemResponses(400) },
});

const Change = z.object({ examined: z.number().int(), changed: z.number().int() }).openapi('Recomputed');

export const putOverride = createRoute({
  method: 'put',
  path: '/v1/admin/calendar/overrides/{date}',
  tags: ['Deadlines 时限'],
  summary: 'Add or change a calendar day (a regional holiday, a notice published after the package); open deadlines are recomputed',
  ...guard('admin'),
  request: {
    params: z.object({ date: z.iso.date() }),
    body: {
      required: true,
      content: {
        'application/json': { schema: z.object({ working: z.boolean(), name: z.string().trim().min(1).max(100), reason: z.string().trim().min(1).max(500) }) },
      },
    },
  },
  responses: { 200: json(z.object({ date: z.string(), recomputed: Change }), 'Saved'), ...problemResponses(400, 401, 403) },
});

export const deleteOverride = createRoute({
  method: 'delete',
  path: '/v1/admin/calendar/overrides/{date}',
  tags: ['Deadlines 时限'],
  summary: 'Remove a calendar override; open deadlines are recomputed',
  ...guard('admin'),
  request: { params: z.object({ date: z.iso.date() }) },
  responses: { 200: json(z.object({ date: z.string(), recomputed: Change }), 'Removed'), ...problemResponses(401, 403, 404) },
});

export const publishYearRoute = createRoute({
  method: 'post',
  path: '/v1/admin/calendar/years/{year}/publish',
  tags: ['Deadlines 时限'],
  summary: "Declare a year's notice fully entered as overrides: its provisional deadlines are recomputed",
  ...guard('admin'),
  request: { params: z.object({ year: z.coerce.number().int().min(2004).max(2100) }) },
  responses: { 200: json(z.object({ year: z.number().int(), recomputed: Change }), 'Published'), ...problemResponses(400, 401, 403) },
});

export const getPolicy = createRoute({
  method: 'get',
  path: '/v1/admin/regions/{code}/policy',
  tags: ['Deadlines 时限'],
  summary: "A region's policy profile (preset + overrides, resolved), each row with its article",
  ...guard('admin'),
  request: { params: z.object({ code: z.string().regex(/^\d{6}$/) }) },
  responses: {
    200: json(z.object({ regionCode: z.string(), presetId: z.string(), chosen: z.boolean(), policy: policySchema }), 'The policy'),
    ...problemResponses(400, 401, 403),
  },
});

export const putPolicy = createRoute({
  method: 'put',
  path: '/v1/admin/regions/{code}/policy',
  tags: ['Deadlines 时限'],
  summary: 'Choose a preset for a region and override values (validated; applies to documents from now on)',
  ...guard('admin'),
  request: {
    params: z.object({ code: z.string().regex(/^\d{6}$/) }),
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ presetId: z.string(), overrides: z.record(z.string(), z.unknown()).optional() }) } },
    },
  },
  responses: { 200: json(z.object({ regionCode: z.string(), presetId: z.string(), policy: policySchema }), 'Saved'), ...problemResponses(400, 401, 403, 422) },
});

export const Obligation = z
  .object({
    id: z.string(),
    caseId: z.string().nullable(),
    caseNumber: z.string().nullable(),
    documentId: z.string(),
    regionCode: z.string().nullable(),
    kind: z.string(),
    ruleId: z.string(),
    title: z.object({ zh: z.string(), en: z.string() }),
    party: z.string(),
    unitId: z.string().nullable(),
    dueOn: z.string().describe('The due date; when provisional, the likely one (暂定)'),
    provisional: z.boolean(),
    earliestDueOn: z
      .string()
      .nullable()
      .describe('When provisional: the earliest date it could fall on (a weekend the notice may make a working day); reminders are planned against it'),
    dueSource: z
      .enum(['arrival', 'stated', 'recorded', 'inferred'])
      .describe('Where the date it counts from comes from: arrival in the gateway, stated by the court, recorded by a person, or inferred'),
    status: z.enum(OBLIGATION_STATUSES),
    statusReason: z.string().nullable(),
    source: z.string().describe('The article the rule encodes'),
    derivation: z.unknown().describe('Start (its anchor and source), period, rule, any shift and why (src/domain/policy/plan.ts)'),
  })
  .openapi('Obligation');

export const listObligationsRoute = createRoute({
  method: 'get',
  path: '/v1/obligations',
  tags: ['Deadlines 时限'],
  summary: 'Obligations (时限事项), earliest due first',
  ...guard('unit', 'justice_bureau', 'government_office'),
  request: {
    query: z.object({
      unit: z.string().optional(),
      region: z
        .string()
        .regex(/^\d{6}$/)
        .optional(),
      case: z.string().optional(),
      status: z.enum(OBLIGATION_STATUSES).optional(),
      dueBefore: z.iso.date().optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(Obligation) }), 'Obligations'), ...problemResponses(400, 401, 403) },
});

export const closeObligationRoute = createRoute({
  method: 'post',
  path: '/v1/obligations/{id}/close',
  tags: ['Deadlines 时限'],
  summary: 'Mark an obligation done (remedied if it was overdue) or waive it with a reason',
  ...guard(),
  request: {
    params: z.object({ id: z.string() }),
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ status: z.enum(['done', 'waived']), reason: z.string().max(1000).optional() }) } },
    },
  },
  responses: { 200: json(z.object({ id: z.string(), status: z.string() }), 'Closed'), ...problemResponses(400, 401, 403, 404, 409) },
});

export const issueFeedTokenRoute = createRoute({
  method: 'post',
  path: '/v1/admin/units/{unitId}/calendar-token',
  tags: ['Deadlines 时限'],
  summary: "Issue (or replace) the secret address of a unit's deadline calendar feed; the token is shown once",
  ...guard('admin'),
  request: { params: z.object({ unitId: z.string() }) },
  responses: { 201: json(z.object({ unitId: z.string(), token: z.string(), path: z.string() }), 'Issued'), ...problemResponses(401, 403, 404) },
});

export const unitFeedRoute = createRoute({
  method: 'get',
  path: '/v1/units/{unitId}/deadlines.ics',
  tags: ['Deadlines 时限'],
  summary: "iCalendar (RFC 5545) feed of a unit's open deadlines, for the clerks' own calendar",
  request: { params: z.object({ unitId: z.string() }), query: z.object({ token: z.string().min(1) }) },
  responses: { 200: { description: 'text/calendar', content: { 'text/calendar': { schema: z.string() } } }, ...problemResponses(400, 404) },
});
