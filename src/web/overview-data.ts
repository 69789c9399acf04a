/**
 * The overview's figures, computed by the statistics service (src/services/statistics.ts, docs/domain.md §7) with
 * the same definitions, scope rules and queries as GET /v1/statistics: the page never counts on its own.
 */
import type { Deps } from '../deps.js';
import type { Principal } from '../services/clients.js';
import { computeScope, statisticsScope } from '../services/statistics.js';
import { FIGURES, type FigureId, type FigureValue } from '../domain/statistics/index.js';
import { visibleRegions } from '../services/access.js';
import { names } from './data.js';
import { beijingDate } from '../domain/calendar/index.js';
import type { OverviewFigures, Ratio } from './pages/overview.js';

/** The drill-down page of one figure (region, period, optionally one unit; the numerator's items only with part). */
export function figureHref(figure: string, region: string, period: string, unit?: string, part?: 'numerator'): string {
  const q = new URLSearchParams({ region, period, ...(unit ? { unit } : {}), ...(part ? { part } : {}) });
  return `/web/overview/figures/${encodeURIComponent(figure)}?${q.toString()}`;
}

/** The regions whose figures the principal may see, as the statistics API allows. */
export async function overviewRegions(deps: Deps, p: Principal): Promise<{ code: string; name: string }[]> {
  if (p.role === 'procuratorate' || p.role === 'unit') return [];
  const n = await names(deps);
  // A court sees the figures of the regions it serves, as its liaison does (src/services/statistics.ts).
  const codes =
    p.role === 'court' ? [...n.index.regionsServedBy(p.scope, beijingDate(deps.clock.now()))] : ((await visibleRegions(deps, p)) ?? [...n.index.regionCodes()]);
  return codes.map((code) => ({ code, name: n.region(code) }));
}

const ON_TIME: FigureId[] = ['on_time_report', 'on_time_answer', 'on_time_loss_report', 'on_time_suggestion_reply'];
const SHOWN: FigureId[] = ['new_cases', 'loss_rate', 'head_appearance_rate', 'principal_appearance_rate', ...ON_TIME];

const ratio = (v: FigureValue | undefined): Ratio => ({ numerator: v?.numerator ?? 0, denominator: v?.denominator ?? 0, rate: v?.rate ?? null });

export async function overviewFigures(deps: Deps, p: Principal, regionCode: string, year: number): Promise<OverviewFigures> {
  const n = await names(deps);
  const scope = await statisticsScope(deps, p, { period: String(year), regions: [regionCode] });
  const r = await computeScope(deps, scope, SHOWN);
  const byId = new Map(r.total.map((v) => [v.id, v]));
  const newCases = byId.get('new_cases');
  const perMonth = Array.from({ length: 12 }, (_, i) => ({ month: i + 1, count: 0 }));
  for (const item of newCases?.items ?? []) {
    const on = item.fact['receivedOn'];
    if (item.inNumerator && typeof on === 'string') perMonth[Number(on.slice(5, 7)) - 1]!.count++;
  }
  const loss = byId.get('loss_rate');
  return {
    regionCode,
    regionName: n.region(regionCode),
    year,
    newCasesByMonth: perMonth,
    newCasesTotal: newCases?.numerator ?? 0,
    lossRateByUnit: (loss?.byUnit ?? [])
      // Cases not yet assigned to a unit are no unit: they are not charted as one.
      .filter((u) => (u.denominator ?? 0) > 0 && !!u.unitId)
      .map((u) => ({
        unitId: u.unitId ?? '',
        unitName: u.unitName ?? n.unit(u.unitId),
        numerator: u.numerator,
        denominator: u.denominator ?? 0,
        rate: u.rate,
      })),
    lossRate: ratio(loss),
    appearance: { ...ratio(byId.get('head_appearance_rate')), principal: ratio(byId.get('principal_appearance_rate')) },
    onTime: ON_TIME.map((id) => ({ key: id, labelZh: FIGURES[id].name.zh, ...ratio(byId.get(id)) })),
    definitions: SHOWN.map((id) => {
      const d = FIGURES[id];
      const frac = d.denominator ? `${d.numerator.zh} ÷ ${d.denominator.zh}。` : `${d.numerator.zh}。`;
      return { labelZh: d.name.zh, definitionZh: `${frac}${d.definition.zh}`, source: d.source };
    }),
    asOf: r.today,
  };
}
