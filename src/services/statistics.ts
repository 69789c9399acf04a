/**
 * Shared statistics (docs/domain.md §7): who may see which regions' figures, the facts read with indexed queries,
 * the figures with their definitions, and the drill-down to the cases behind a figure.
 *
 * Who sees what (decided here, documented in the API):
 *   admin                        any region (all when none asked)
 *   justice_bureau, government_office   its own region
 *   liaison (scope: court code)  the regions its court served during the period, side by side; figures and case numbers only
 *   court   (scope: sender code) the same as a liaison of that court: both sides look at the same figures
 *                                [S 五(八), G 府院联动, Q 一(二)]; figures and case numbers only, never document bodies
 *   unit                         its own figures (unit filter forced to itself) in its region
 *   procuratorate                none (403)
 *
 * Queries (bench/stats prints their plans; every table is reached through an index):
 *   1. candidates  the cases the period can see, as of its end: received in it (cases_region); whose latest
 *                  outcome document before its end arrived in it, found through cases.last_outcome_at (the
 *                  latest judgment/ruling/mediation ever, kept by intake) on cases_region_outcome, with
 *                  documents_case read only for a case whose latest one came after the period; still without
 *                  one and heard in it (case_steps_case); plus obligations due in the period by region. The
 *                  rest of the history is never read. The ids come back as one JSON array.
 *   2. facts       for those (the array as one parameter, json_each): the row (cases PK), the active lead unit
 *                  (assignments_case), the latest outcome document stating a result (documents_case), hearings
 *                  (case_steps_case), obligations (obligations_case; stand-alone ones with case_id is null
 *                  through the same index), each query answering with one JSON array (libSQL hands rows to
 *                  JavaScript value by value: for thousands of rows that costs more than the reading).
 *   Indexes: documents_case (case_number, type, arrived_at), cases_region (region_code, created_at,
 *   case_number, id) and obligations_region_due (region_code, due_on) from migration 0009; cases_region_outcome
 *   (region_code, last_outcome_at, created_at, id) from migration 0010 (filled for older cases by 0011).
 *   An obligation created while its case waited in the queue gets the case's region when the justice bureau
 *   assigns it (src/services/assignments.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { Principal } from './clients.js';
import { InvalidInput, Problem } from '../lib/problem.js';
import { currentDirectory } from './directory.js';
import {
  FIGURES,
  FIGURE_IDS,
  OBLIGATION_FIGURE_KIND,
  beijingDateOf,
  computeFiguresByRegion,
  parsePeriod,
  parseVariants,
  periodInstants,
  resolveVariants,
  type CaseFact,
  type Outcome,
  type Facts,
  type FigureId,
  type FigureItem,
  type FigureValue,
  type Filters,
  type HearingFact,
  type ObligationFact,
  type Period,
  type Variants,
} from '../domain/statistics/index.js';

export interface StatsQuery {
  period: string;
  regions?: string[];
  unit?: string;
  domain?: string;
  instance?: 'first' | 'second' | 'retrial';
  variant?: string[];
}

export interface Scope {
  regions: string[];
  period: Period;
  filters: Filters;
  variants: Variants;
  /** Figures and case numbers only (liaison, court): no case ids to open, no unit names beyond the figure. */
  figuresOnly: boolean;
}

const OBLIGATION_KINDS = [...new Set(Object.values(OBLIGATION_FIGURE_KIND))];

/** The regions and filters a caller may use for a query; refuses what is outside its rights (403). */
export async function statisticsScope(deps: Deps, p: Principal, q: StatsQuery): Promise<Scope> {
  let period: Period;
  let variants: Variants;
  try {
    period = parsePeriod(q.period);
    variants = parseVariants(q.variant ?? []);
  } catch (e) {
    if (e instanceof InvalidInput) throw new Problem('bad-request', e.message);
    throw e;
  }
  const dir = await currentDirectory(deps);
  let allowed: readonly string[];
  let figuresOnly = false;
  const filters: Filters = {
    ...(q.unit ? { unitId: q.unit } : {}),
    ...(q.domain ? { domain: q.domain } : {}),
    ...(q.instance ? { instance: q.instance } : {}),
  };
  switch (p.role) {
    case 'admin':
      allowed = dir.index.regionCodes();
      break;
    case 'justice_bureau':
    case 'government_office':
      allowed = [p.scope];
      break;
    case 'liaison':
    case 'court':
      // The regions the court served during the period (a dated history [Q 一(一)]), not those of today.
      allowed = dir.index.regionsServedDuring(p.scope, period.from, period.to);
      figuresOnly = true;
      break;
    case 'unit': {
      const u = dir.index.unit(p.scope);
      if (!u) throw new Problem('forbidden', `unit ${p.scope} is not in the directory`);
      if (q.unit && q.unit !== p.scope) throw new Problem('forbidden', `this client acts for unit ${p.scope}`);
      allowed = [u.regionCode];
      filters.unitId = p.scope;
      break;
    }
    default:
      throw new Problem('forbidden', 'statistics are for the government side, the courts and their liaisons');
  }
  const asked = q.regions?.length ? [...new Set(q.regions)] : [...allowed];
  const outside = asked.filter((r) => !allowed.includes(r));
  if (outside.length) throw new Problem('forbidden', `outside the regions this client may see: ${outside.join(', ')}`);
  if (!asked.length) throw new Problem('forbidden', 'this client may see no region (a court serving no region today?)');
  return { regions: asked.sort(), period, filters, variants, figuresOnly };
}

const inList = (xs: readonly string[]): SQL =>
  sql.join(
    xs.map((x) => sql`${x}`),
    sql`, `,
  );

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The facts of the regions' cases received up to the end of the period (see the header for the indexes). */
export async function loadFacts(
  deps: Deps,
  regions: readonly string[],
  period: Pick<Period, 'from' | 'to'>,
  opts: { wholeHistory?: boolean } = {},
): Promise<Facts> {
  const { startMs, endMs } = periodInstants(period);
  const orm = deps.db.orm;
  // The regions as ONE parameter (D1 binds at most 100 per statement; an administrator may ask for all regions).
  const regionSet = sql`(select value from json_each(${JSON.stringify(regions)}))`;
  const inRegions = sql`c.region_code in ${regionSet}`;
  // Step 1, the cases the period can see, as of its end (a case received after it, or an outcome document
  // arriving after it, changes nothing): received in it; whose latest judgment/ruling/mediation before the
  // period's end arrived in it; heard in it, whatever its outcomes (a procedural ruling without a result may
  // come before a hearing; hearings by day through case_steps_held_on, migration 0012); or with an obligation
  // due in it (by region and due date). cases.last_outcome_at, the latest
  // outcome document ever, decides a case received before the period from the index cases_region_outcome
  // alone: inside the period, that document is the latest before its end; before the period, the case has
  // none in it; null, none at all. Only a case whose latest one came after the period's end looks at its
  // documents (documents_case) for the latest before the end. Each part reads only its own index range.
  const between = sql`o.due_on >= ${period.from} and o.due_on <= ${period.to} and o.kind in (${inList(OBLIGATION_KINDS)})`;
  const history = opts.wholeHistory
    ? sql`select c.id from cases c where ${inRegions} and c.created_at < ${endMs}`
    : sql`
    select c.id from cases c where ${inRegions} and c.created_at >= ${startMs} and c.created_at < ${endMs}
    union
    select c.id from cases c where ${inRegions} and c.last_outcome_at >= ${startMs} and c.last_outcome_at < ${endMs} and c.created_at < ${startMs}
    union
    select c.id from case_steps s join cases c on c.id = s.case_id
    where s.kind = 'hearing_held' and json_extract(s.data_json, '$.heldOn') >= ${period.from} and json_extract(s.data_json, '$.heldOn') <= ${period.to}
      and ${inRegions} and c.created_at < ${startMs}
    union
    select h.id from (
      select c.id, (select max(d.arrived_at) from documents d where d.case_number = c.case_number and d.type in ('judgment', 'ruling', 'mediation') and d.arrived_at < ${endMs}) as last_outcome_at
      from cases c where ${inRegions} and c.last_outcome_at >= ${endMs} and c.created_at < ${startMs}) h
    where h.last_outcome_at >= ${startMs}`;
  // The ids come back as one JSON array and go to step 2 as one parameter, and each query of step 2 answers
  // with one JSON array: libSQL turns every value of every row into a JavaScript value one call at a time,
  // which for thousands of rows costs more than reading them.
  const [{ ids }] = (await orm.all(sql`select json_group_array(id) as ids from (${history}
    union
    select o.case_id from obligations o where o.region_code in ${regionSet} and ${between} and o.case_id is not null)`)) as [{ ids: string }];
  // Step 2, for those only: the facts, the latest outcome document stating a result, the active lead unit; their
  // hearings; their obligations due in the period.
  const candidates = sql`(select value from json_each(${ids}))`;
  const all = async <T>(q: SQL) => JSON.parse(String(((await orm.all(q)) as [{ rows: string }])[0].rows)) as T[];
  type CaseRow = [string, string, string, string, CaseFact['instance'], number, unknown, string | null, [string, string, number, Outcome | null] | null];
  const caseRows = await all<CaseRow>(sql`
    select json_group_array(json_array(c.id, c.case_number, c.region_code, c.court_code, c.instance, c.created_at,
          c.facts_json ->> '$.challengedAct.domain',
          (select a.unit_id || char(31) || a.unit_name from assignments a
             where a.case_id = c.id and a.superseded_at is null
             order by case a.role when 'lead' then 0 else 1 end, a.created_at limit 1),
          case when c.last_outcome_at is not null then json((select json_array(d.id, d.type, d.arrived_at, json_extract(d.entry_json, '$.outcome')) from documents d
             where d.case_number = c.case_number and d.type in ('judgment', 'ruling', 'mediation') and d.arrived_at < ${endMs}
               and (d.type = 'mediation' or json_extract(d.entry_json, '$.outcome.result') is not null)
             order by d.arrived_at desc limit 1)) end)) as rows
    from cases c where c.id in ${candidates} and ${inRegions}`);
  const cases: CaseFact[] = caseRows.map(([id, caseNumber, regionCode, courtCode, instance, createdAt, domain, unit, conc]) => {
    const [unitId, unitName] = unit ? unit.split('\u001f') : [null, null];
    return {
      caseId: id,
      caseNumber,
      regionCode,
      courtCode,
      instance,
      createdAt: Number(createdAt),
      domain: domain === null || domain === undefined ? null : String(domain),
      unitId: unitId ?? null,
      unitName: unitName ?? null,
      conclusion: conc ? { documentId: conc[0], type: conc[1], arrivedAt: Number(conc[2]), outcome: conc[3] ?? { result: 'mediation' } } : null,
    };
  });
  const hearingRows = await all<[string, string, string, number]>(
    sql`select json_group_array(json_array(s.id, s.case_id, s.data_json, s.at)) as rows from case_steps s where s.case_id in ${candidates} and s.kind = 'hearing_held'`,
  );
  const hearings: HearingFact[] = hearingRows.map(([id, caseId, data, at]) => {
    const d = JSON.parse(data) as { heldOn: string; headAppeared: boolean; principal?: boolean; spoke: boolean; agents?: unknown[] };
    return {
      stepId: id,
      caseId,
      heldOn: d.heldOn,
      headAppeared: !!d.headAppeared,
      principal: !!d.principal,
      spoke: !!d.spoke,
      agents: d.agents?.length ?? 0,
      at: Number(at),
    };
  });
  type ObligationRow = [string, string | null, string, string, ObligationFact['status'], number | null, string | null, string | null];
  const cols = sql`json_group_array(json_array(o.id, o.case_id, o.kind, o.due_on, o.status, o.done_at, o.unit_id, o.region_code)) as rows`;
  const obligationRows = await all<ObligationRow>(sql`select ${cols} from obligations o where o.case_id in ${candidates} and ${between}`);
  // Stand-alone obligations (a suggestion without a case) through the same index, case_id is null.
  obligationRows.push(
    ...(await all<ObligationRow>(sql`select ${cols} from obligations o where o.case_id is null and o.region_code in ${regionSet} and ${between}`)),
  );
  const obligations: ObligationFact[] = obligationRows.map(([id, caseId, kind, dueOn, status, doneAt, unitId, regionCode]) => ({
    id,
    caseId,
    kind,
    dueOn,
    status,
    doneAt: num(doneAt),
    unitId,
    regionCode,
  }));
  return { cases, hearings, obligations };
}

/** The facts of one region out of facts of several. */
export function factsOfRegion(f: Facts, region: string): Facts {
  const cases = f.cases.filter((c) => c.regionCode === region);
  const ids = new Set(cases.map((c) => c.caseId));
  return {
    cases,
    hearings: f.hearings.filter((h) => ids.has(h.caseId)),
    obligations: f.obligations.filter((o) => (o.caseId ? ids.has(o.caseId) : o.regionCode === region)),
  };
}

/** A figure as the API shows it: the value with its definition beside it. */
export function presentFigure(v: FigureValue, opts: { withUnits?: boolean } = {}) {
  const d = FIGURES[v.id];
  return {
    id: v.id,
    name: d.name,
    kind: d.kind,
    numerator: v.numerator,
    denominator: v.denominator,
    rate: v.rate,
    ...(v.variant ? { variant: v.variant } : {}),
    definition: { numerator: d.numerator, denominator: d.denominator, text: d.definition, source: d.source, counts: d.unit },
    ...(opts.withUnits && v.byUnit ? { byUnit: v.byUnit } : {}),
  };
}

export type PresentedFigure = ReturnType<typeof presentFigure>;

export function definitions() {
  return FIGURE_IDS.map((id) => FIGURES[id]);
}

export async function computeScope(deps: Deps, scope: Scope, only?: readonly FigureId[]) {
  const facts = await loadFacts(deps, scope.regions, scope.period);
  const today = beijingDateOf(deps.clock.now().getTime());
  const opts = { period: scope.period, today, filters: scope.filters, variants: scope.variants, ...(only ? { only } : {}) };
  // Each region's figures are those of its facts alone (factsOfRegion), taken from the items of the whole.
  const { total, byRegion } = computeFiguresByRegion(facts, scope.regions, opts);
  return {
    facts,
    today,
    total,
    perRegion: scope.regions.map((r, i) => ({ regionCode: r, figures: byRegion[i]! })),
  };
}

/** GET /v1/statistics: every figure for the regions (together and side by side), with definitions. */
export async function overview(deps: Deps, p: Principal, q: StatsQuery) {
  const scope = await statisticsScope(deps, p, q);
  const dir = await currentDirectory(deps);
  const r = await computeScope(deps, scope);
  return {
    period: scope.period,
    asOf: r.today,
    regions: scope.regions.map((code) => ({ code, name: dir.index.region(code)?.name ?? code })),
    filters: scope.filters,
    variants: resolveVariants(scope.variants),
    figures: r.total.map((v) => presentFigure(v, { withUnits: true })),
    byRegion: r.perRegion.map((x) => ({
      regionCode: x.regionCode,
      regionName: dir.index.region(x.regionCode)?.name ?? x.regionCode,
      figures: x.figures.map((v) => presentFigure(v)),
    })),
  };
}

/** The items behind one figure: the cases (or hearings, obligations) and whether each is in the numerator. */
export async function drillDown(deps: Deps, p: Principal, figure: string, q: StatsQuery & { part?: 'numerator' | 'denominator' }) {
  if (!(FIGURE_IDS as readonly string[]).includes(figure)) throw new Problem('not-found', `no figure "${figure}"; figures are ${FIGURE_IDS.join(', ')}`);
  const scope = await statisticsScope(deps, p, q);
  const r = await computeScope(deps, scope, [figure as FigureId]);
  const v = r.total[0]!;
  const items = v.items.filter((i) => (q.part === 'numerator' ? i.inNumerator : true));
  return {
    figure: presentFigure(v, { withUnits: true }),
    period: scope.period,
    regions: scope.regions,
    filters: scope.filters,
    part: q.part ?? 'denominator',
    items: items.map((i) => presentItem(i, scope.figuresOnly)),
  };
}

/** A liaison or court gets the case number and region only (no ids to open, no facts of the documents). */
export function presentItem(i: FigureItem, figuresOnly: boolean) {
  if (figuresOnly) return { caseNumber: i.caseNumber, regionCode: i.regionCode, inNumerator: i.inNumerator };
  return { ref: i.ref, caseId: i.caseId, caseNumber: i.caseNumber, regionCode: i.regionCode, unitId: i.unitId, inNumerator: i.inNumerator, fact: i.fact };
}
