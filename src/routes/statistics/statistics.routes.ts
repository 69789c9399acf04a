/** Contracts: shared statistics, drill-down, meeting packs, ledger and report exports (docs/domain.md §7). */
import { createRoute, z } from '@hono/zod-openapi';
import { guard } from '../../http/auth.js';
import { problemResponses } from '../../../schemas/api/common.js';
import { FIGURE_IDS } from '../../domain/statistics/index.js';

const tags = ['Statistics 统计'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const Bilingual = z.object({ zh: z.string(), en: z.string() });
export const Figure = z
  .object({
    id: z.enum(FIGURE_IDS),
    name: Bilingual,
    kind: z.enum(['rate', 'count']),
    numerator: z.number().int(),
    denominator: z.number().int().nullable(),
    rate: z.number().nullable().describe('numerator / denominator, 4 places; null for a count or an empty denominator'),
    variant: z.string().optional(),
    definition: z.object({
      numerator: Bilingual,
      denominator: Bilingual.nullable(),
      text: Bilingual,
      source: z.string(),
      counts: z.enum(['case', 'hearing', 'obligation']),
    }),
    byUnit: z
      .array(
        z.object({
          unitId: z.string().nullable(),
          unitName: z.string().nullable(),
          numerator: z.number().int(),
          denominator: z.number().int().nullable(),
          rate: z.number().nullable(),
        }),
      )
      .optional(),
  })
  .openapi('Figure');

const PeriodOut = z
  .object({ from: z.string(), to: z.string(), label: z.string(), kind: z.enum(['year', 'half', 'quarter', 'month', 'range']) })
  .openapi('StatisticsPeriod');
const Counts = { numerator: z.number().int(), denominator: z.number().int().nullable(), rate: z.number().nullable() };
const FigureCounts = z.object({ id: z.enum(FIGURE_IDS), ...Counts });

export const FigureDefinition = z
  .object({
    id: z.enum(FIGURE_IDS),
    name: Bilingual,
    kind: z.enum(['rate', 'count']).describe('rate = numerator / denominator; count = the numerator alone'),
    numerator: Bilingual,
    denominator: Bilingual.nullable(),
    definition: Bilingual.describe('The whole rule in one sentence: what is counted, when it falls in the period, what is left out'),
    source: z.string().describe('The articles it rests on'),
    unit: z.enum(['case', 'hearing', 'obligation']).describe('What the items behind it are'),
    variants: z
      .array(z.object({ id: z.string(), name: Bilingual, definition: Bilingual, source: z.string() }))
      .readonly()
      .optional(),
    defaultVariant: z.string().optional(),
    perUnit: z.boolean().optional().describe('Broken down per unit as well'),
  })
  .openapi('FigureDefinition');

/** An item behind a figure as the reader may see it: a court or liaison gets the case number and region only. */
const PackItem = z.object({
  ref: z.string().optional(),
  caseId: z.string().nullable().optional(),
  caseNumber: z.string().nullable(),
  regionCode: z.string().nullable(),
  unitId: z.string().nullable().optional(),
  inNumerator: z.boolean(),
  digest: z.string().optional().describe('SHA-256 of the JCS form of the facts the item was counted from'),
});

export const PackContent = z
  .object({
    type: z.literal('meeting-pack'),
    id: z.string(),
    meetingDate: z.string(),
    regions: z.array(z.object({ code: z.string(), name: z.string() })),
    period: z.object({ from: z.string(), to: z.string(), label: z.string() }),
    agendaNotes: z.string(),
    createdAt: z.string(),
    asOf: z.string(),
    filters: z.record(z.string(), z.string()),
    variants: z.record(z.string(), z.string()),
    definitions: z.array(FigureDefinition),
    figures: z.array(z.object({ id: z.enum(FIGURE_IDS), ...Counts, variant: z.string().optional(), items: z.array(PackItem) })),
    byRegion: z.array(z.object({ regionCode: z.string(), figures: z.array(FigureCounts) })),
    viewOf: z
      .object({ packId: z.string(), contentDigest: z.string(), reader: z.string() })
      .optional()
      .describe('Present when the reader sees part of the pack: a view signed anew, naming the pack it was cut from'),
  })
  .openapi('MeetingPackContent');

export const StatsQuery = z.object({
  period: z.string().describe('2026 | 2026-H1 | 2026-Q3 | 2026-11 | 2026-01-01..2026-06-30 (Beijing dates)'),
  region: z.string().optional().describe('Region codes, comma-separated (default: every region the caller may see)'),
  unit: z.string().optional().describe('Undertaking unit id (the case’s lead unit; an obligation’s unit)'),
  domain: z.string().optional().describe('执法领域 (CaseInfo.challengedAct.domain), e.g. 自然资源'),
  instance: z.enum(['first', 'second', 'retrial']).optional(),
  variant: z
    .string()
    .optional()
    .describe(
      'Variants, comma-separated: loss_rate:merits|all_concluded, head_appearance_rate:first_per_instance|every_hearing (the region policy has no field for them)',
    ),
});

export const overviewRoute = createRoute({
  method: 'get',
  path: '/v1/statistics',
  tags,
  summary: 'Every figure for the regions, together and side by side, each with its numerator, denominator and definition',
  description:
    'Who sees what: admin any region; justice bureau and government office their region; a liaison (scope: court code) or a court client (scope: sender code) every region that court served during the period (its dated history), figures and case numbers only; a unit its own figures. Procuratorates: 403.',
  ...guard(),
  request: { query: StatsQuery },
  responses: {
    200: json(
      z.object({
        period: PeriodOut,
        asOf: z.string(),
        regions: z.array(z.object({ code: z.string(), name: z.string() })),
        filters: z.record(z.string(), z.string()),
        variants: z.record(z.string(), z.string()),
        figures: z.array(Figure),
        byRegion: z.array(z.object({ regionCode: z.string(), regionName: z.string(), figures: z.array(Figure) })),
      }),
      'Figures',
    ),
    ...problemResponses(400, 401, 403),
  },
});

export const definitionsRoute = createRoute({
  method: 'get',
  path: '/v1/statistics/definitions',
  tags,
  summary: 'The definition of every figure (numerator, denominator, rule, source, variants)',
  ...guard(),
  responses: { 200: json(z.object({ items: z.array(FigureDefinition) }), 'Definitions'), ...problemResponses(401) },
});

export const drillDownRoute = createRoute({
  method: 'get',
  path: '/v1/statistics/figures/{figure}/cases',
  tags,
  summary: 'The cases (hearings, obligations) behind a figure; a liaison or court gets case numbers only',
  ...guard(),
  request: {
    params: z.object({ figure: z.string() }),
    query: StatsQuery.extend({
      part: z.enum(['numerator', 'denominator']).optional().describe('numerator: only the items counted in it; denominator (default): all'),
    }),
  },
  responses: {
    200: json(
      z.object({
        figure: Figure,
        period: PeriodOut,
        regions: z.array(z.string()),
        filters: z.record(z.string(), z.string()),
        part: z.string(),
        items: z.array(PackItem.omit({ digest: true }).extend({ fact: z.record(z.string(), z.unknown()).optional() })),
      }),
      'Items',
    ),
    ...problemResponses(400, 401, 403, 404),
  },
});

const PackOut = z
  .object({
    id: z.string(),
    contentDigest: z.string(),
    jws: z.string().describe('Compact JWS (ES256) over the JCS form of content; verify with /.well-known/jwks.json'),
    content: PackContent,
  })
  .openapi('MeetingPack');

const PackSummary = z
  .object({
    id: z.string(),
    meetingDate: z.string(),
    regions: z.array(z.string()),
    periodFrom: z.string(),
    periodTo: z.string(),
    contentDigest: z.string(),
    createdAt: z.string(),
  })
  .openapi('MeetingPackSummary');

const PackRef = z.object({
  id: z.string(),
  meetingDate: z.string(),
  period: z.object({ from: z.string(), to: z.string(), label: z.string() }),
  regions: z.array(z.string()),
});
const ChangedItem = z.object({
  ref: z.string().optional(),
  caseId: z.string().nullable().optional(),
  caseNumber: z.string().nullable(),
  regionCode: z.string().nullable().optional(),
  inNumerator: z.boolean(),
});
const Comparison = z
  .object({
    pack: PackRef,
    since: PackRef,
    figures: z.array(
      z.object({
        id: z.enum(FIGURE_IDS),
        name: Bilingual,
        before: z.object(Counts),
        after: z.object(Counts),
        delta: z.object({ numerator: z.number().int(), denominator: z.number().int().nullable(), rate: z.number().nullable() }),
        added: z.array(ChangedItem),
        removed: z.array(ChangedItem),
        changed: z.array(ChangedItem.extend({ wasInNumerator: z.boolean() })),
      }),
    ),
  })
  .openapi('MeetingPackComparison');

export const Ledger = z
  .object({
    regionCode: z.string(),
    regionName: z.string(),
    month: z.string(),
    asOf: z.string(),
    sheets: z.array(
      z.object({
        kind: z.enum(['pending', 'lost', 'new']),
        title: z.string(),
        columns: z.array(z.object({ key: z.string(), header: z.string().describe('Chinese column header') })),
        rows: z.array(z.record(z.string(), z.string()).describe('One case: column key → cell text')),
      }),
    ),
  })
  .openapi('Ledger');

const Report = z
  .object({
    kind: z.enum(['half_year_report', 'annual_report']),
    title: z.string(),
    period: PeriodOut,
    asOf: z.string(),
    regions: z.array(z.object({ code: z.string(), name: z.string() })),
    figures: z.array(Figure),
    byRegion: z.array(z.object({ regionCode: z.string(), figures: z.array(Figure) })),
    byDomain: z.array(z.object({ domain: z.string(), figures: z.array(FigureCounts) })),
    source: z.string(),
  })
  .openapi('ReportData');

export const createPackRoute = createRoute({
  method: 'post',
  path: '/v1/statistics/packs',
  tags,
  summary: 'Freeze the figures, definitions and the items behind each (case ids and digests) into a signed meeting pack (府院联席会议材料)',
  ...guard(),
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            meetingDate: z.iso.date(),
            regions: z
              .array(z.string().regex(/^\d{6}$/))
              .max(50)
              .optional(),
            period: z.string(),
            agendaNotes: z.string().max(5000).optional(),
            unit: z.string().optional(),
            domain: z.string().optional(),
            instance: z.enum(['first', 'second', 'retrial']).optional(),
            variant: z.array(z.string()).optional(),
          }),
        },
      },
    },
  },
  responses: { 201: json(PackOut, 'Created, signed and audited'), ...problemResponses(400, 401, 403) },
});

export const listPacksRoute = createRoute({
  method: 'get',
  path: '/v1/statistics/packs',
  tags,
  summary: 'Meeting packs of the caller’s regions, newest first',
  ...guard(),
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional() }) },
  responses: { 200: json(z.object({ items: z.array(PackSummary) }), 'Packs'), ...problemResponses(401, 403) },
});

export const getPackRoute = createRoute({
  method: 'get',
  path: '/v1/statistics/packs/{id}',
  tags,
  summary: 'A meeting pack with its JWS',
  ...guard(),
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: json(PackOut, 'The pack'), ...problemResponses(401, 404) },
});

export const printPackRoute = createRoute({
  method: 'get',
  path: '/v1/statistics/packs/{id}/print',
  tags,
  summary: 'A meeting pack as a printable page (Chinese)',
  ...guard(),
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'text/html', content: { 'text/html': { schema: z.string() } } }, ...problemResponses(401, 404) },
});

export const comparePacksRoute = createRoute({
  method: 'get',
  path: '/v1/statistics/packs/{id}/compare/{otherId}',
  tags,
  summary: 'What changed from the pack otherId (an earlier meeting) to the pack id: per figure the deltas and the items added, removed or changed',
  ...guard(),
  request: { params: z.object({ id: z.string(), otherId: z.string() }) },
  responses: { 200: json(Comparison, 'Comparison'), ...problemResponses(401, 404) },
});

export const ledgerRoute = createRoute({
  method: 'get',
  path: '/v1/statistics/ledger',
  tags,
  summary:
    'The monthly ledger (台账, P 第十五条(一)): pending and lost cases rolling until settled, and the month’s new cases; JSON, XLSX (one sheet per kind) or CSV (UTF-8 with BOM)',
  ...guard(),
  request: {
    query: z.object({
      region: z.string().regex(/^\d{6}$/),
      month: z.string().regex(/^\d{4}-\d{2}$/),
      unit: z.string().optional(),
      format: z.enum(['json', 'xlsx', 'csv']).optional(),
      sheet: z.enum(['pending', 'lost', 'new']).optional().describe('CSV: which sheet (default pending)'),
    }),
  },
  responses: {
    200: {
      description: 'The ledger',
      content: {
        'application/json': { schema: Ledger },
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
        'text/csv': { schema: z.string() },
      },
    },
    ...problemResponses(400, 401, 403, 503),
  },
});

export const reportRoute = createRoute({
  method: 'get',
  path: '/v1/statistics/reports/{period}',
  tags,
  summary: 'Half-year (2026-H1) or annual (2026) report data: every figure with its definition, per region, per unit, per domain [S 五(二), G]',
  ...guard(),
  request: { params: z.object({ period: z.string() }), query: z.object({ region: z.string().optional() }) },
  responses: { 200: json(Report, 'Report data'), ...problemResponses(400, 401, 403) },
});
