/**
 * Computing the figures (definitions.ts) from facts read out of the tables. Pure: the facts and the date of
 * the query are arguments; the service (src/services/statistics.ts) reads them with indexed queries.
 */
import { FIGURES, FIGURE_IDS, OBLIGATION_FIGURE_KIND, resolveVariants, type FigureDefinition, type FigureId, type Variants } from './definitions.js';
import { beijingDateOf, inPeriod, type Period } from './period.js';
import type { ObligationStatus } from '../vocabulary.js';

export type Outcome = { result: 'win' | 'loss' | 'partial_loss' | 'withdrawal' | 'mediation' | 'other'; lossKind?: string | null; effectiveOn?: string | null };

/** One case (one instance) as the figures see it. */
export interface CaseFact {
  caseId: string;
  caseNumber: string;
  regionCode: string;
  courtCode: string;
  instance: 'first' | 'second' | 'retrial';
  /** Arrival of its first document, ms. */
  createdAt: number;
  /** 执法领域: CaseInfo.challengedAct.domain. */
  domain: string | null;
  /** The active lead unit (主办), else the first active unit. */
  unitId: string | null;
  unitName: string | null;
  /** The latest judgment, ruling or mediation document stating a result, as of the end of the period. */
  conclusion: { documentId: string; type: string; arrivedAt: number; outcome: Outcome } | null;
}

export interface HearingFact {
  stepId: string;
  caseId: string;
  heldOn: string;
  headAppeared: boolean;
  principal: boolean;
  spoke: boolean;
  agents: number;
  /** When it was recorded, ms (orders hearings held on the same day). */
  at: number;
}

export interface ObligationFact {
  id: string;
  caseId: string | null;
  kind: string;
  dueOn: string;
  status: ObligationStatus;
  doneAt: number | null;
  unitId: string | null;
  regionCode: string | null;
}

export interface Facts {
  cases: CaseFact[];
  hearings: HearingFact[];
  obligations: ObligationFact[];
}

export interface Filters {
  unitId?: string;
  domain?: string;
  instance?: 'first' | 'second' | 'retrial';
}

/** One item behind a figure: a case, a hearing or an obligation, and whether it is in the numerator. */
export interface FigureItem {
  /** The case id, hearing step id or obligation id. */
  ref: string;
  caseId: string | null;
  caseNumber: string | null;
  regionCode: string | null;
  unitId: string | null;
  inNumerator: boolean;
  /** The facts it was counted from (digested in packs: a change to them shows in a comparison). */
  fact: Record<string, unknown>;
}

export interface FigureValue {
  id: FigureId;
  numerator: number;
  denominator: number | null;
  /** numerator / denominator rounded to 4 places; null for a count or an empty denominator. */
  rate: number | null;
  variant?: string;
  items: FigureItem[];
  /** Per unit (figures with perUnit). */
  byUnit?: { unitId: string | null; unitName: string | null; numerator: number; denominator: number | null; rate: number | null }[];
}

const LOSS_REVOKE_CHANGE = new Set(['revoke', 'change']);
const rate = (n: number, d: number | null) => (d ? Math.round((n / d) * 10_000) / 10_000 : null);

/** How a conclusion is classified (docs/domain.md §6). */
export function classify(c: NonNullable<CaseFact['conclusion']>): { merits: boolean; loss: boolean; mediatedOrWithdrawn: boolean; revokedOrChanged: boolean } {
  const r = c.outcome.result;
  const mediatedOrWithdrawn = c.type === 'mediation' || r === 'mediation' || r === 'withdrawal';
  const loss = r === 'loss' || r === 'partial_loss'; // 部分败诉 is a loss (docs/domain.md §6)
  return {
    merits: !mediatedOrWithdrawn && (r === 'win' || loss),
    loss,
    mediatedOrWithdrawn,
    revokedOrChanged: loss && LOSS_REVOKE_CHANGE.has(c.outcome.lossKind ?? ''),
  };
}

const caseFact = (c: CaseFact) => ({
  caseNumber: c.caseNumber,
  regionCode: c.regionCode,
  instance: c.instance,
  domain: c.domain,
  unitId: c.unitId,
  receivedOn: beijingDateOf(c.createdAt),
  conclusion: c.conclusion
    ? { documentId: c.conclusion.documentId, type: c.conclusion.type, on: beijingDateOf(c.conclusion.arrivedAt), ...c.conclusion.outcome }
    : null,
});

export interface ComputeOptions {
  period: Pick<Period, 'from' | 'to'>;
  /** The Beijing date of the query: obligations count as due once their due date is before it. */
  today: string;
  filters?: Filters;
  variants?: Variants;
  /** Only these figures (all when absent). */
  only?: readonly FigureId[];
}

/** The figures for the facts given (already limited to the regions in scope). */
export function computeFigures(facts: Facts, opts: ComputeOptions): FigureValue[] {
  return computeFiguresByRegion(facts, [], opts).total;
}

/**
 * The figures for the facts given, together and for each of `regions` on its own: each region's figures are
 * those computeFigures gives for the facts of that region alone (its cases, their hearings and obligations, its
 * stand-alone obligations), taken from the items of the whole instead of being worked out again.
 */
export function computeFiguresByRegion(facts: Facts, regions: readonly string[], opts: ComputeOptions): { total: FigureValue[]; byRegion: FigureValue[][] } {
  const f = opts.filters ?? {};
  const variants = resolveVariants(opts.variants ?? {});
  const byId = new Map(facts.cases.map((c) => [c.caseId, c]));
  const caseOk = (c: CaseFact | undefined) =>
    !!c && (!f.unitId || c.unitId === f.unitId) && (!f.domain || c.domain === f.domain) && (!f.instance || c.instance === f.instance);
  const cases = facts.cases.filter(caseOk);
  const namesOf = (cs: readonly CaseFact[]) => {
    const unitNames = new Map<string, string>();
    for (const c of cs) if (c.unitId && c.unitName) unitNames.set(c.unitId, c.unitName);
    return unitNames;
  };

  // What is worked out of one case, hearing or obligation is worked out once, whatever the figures it is in.
  const once = <K extends object, V>(make: (k: K) => V) => {
    const seen = new Map<K, V>();
    return (k: K): V => {
      let v = seen.get(k);
      if (v === undefined) seen.set(k, (v = make(k)));
      return v;
    };
  };
  const factOf = once(caseFact);
  const kindOf = once((c: CaseFact) => classify(c.conclusion!));
  const caseItem = (c: CaseFact, inNumerator: boolean): FigureItem => ({
    ref: c.caseId,
    caseId: c.caseId,
    caseNumber: c.caseNumber,
    regionCode: c.regionCode,
    unitId: c.unitId,
    inNumerator,
    fact: factOf(c),
  });

  // Concluded in the period (one per case: its latest conclusion as of the period's end).
  const concluded = cases.filter((c) => c.conclusion && inPeriod(beijingDateOf(c.conclusion.arrivedAt), opts.period));

  // Hearings: each instance is one case; the first hearing of a case is the first of its instance [S 四].
  const hearingsOfCase = new Map<string, HearingFact[]>();
  for (const h of facts.hearings) hearingsOfCase.set(h.caseId, [...(hearingsOfCase.get(h.caseId) ?? []), h]);
  const firstHearing = new Set<string>();
  for (const hs of hearingsOfCase.values()) {
    const first = [...hs].sort((a, b) => (a.heldOn === b.heldOn ? a.at - b.at : a.heldOn < b.heldOn ? -1 : 1))[0];
    if (first) firstHearing.add(first.stepId);
  }
  const hearingsInPeriod = facts.hearings.filter((h) => caseOk(byId.get(h.caseId)) && inPeriod(h.heldOn, opts.period));
  const appearanceBasis = variants.head_appearance_rate === 'every_hearing' ? hearingsInPeriod : hearingsInPeriod.filter((h) => firstHearing.has(h.stepId));
  const hearingFact = once((h: HearingFact) => ({
    caseNumber: byId.get(h.caseId)!.caseNumber,
    heldOn: h.heldOn,
    headAppeared: h.headAppeared,
    principal: h.principal,
    spoke: h.spoke,
    agents: h.agents,
    first: firstHearing.has(h.stepId),
  }));
  const hearingItem = (h: HearingFact, inNumerator: boolean): FigureItem => {
    const c = byId.get(h.caseId)!;
    return { ref: h.stepId, caseId: c.caseId, caseNumber: c.caseNumber, regionCode: c.regionCode, unitId: c.unitId, inNumerator, fact: hearingFact(h) };
  };

  // Obligations due: due date in the period and passed (or done); waived ones are not counted.
  const obligationOk = (o: ObligationFact) => {
    if (o.caseId) return caseOk(byId.get(o.caseId)) && (!f.unitId || (o.unitId ?? byId.get(o.caseId)?.unitId) === f.unitId);
    return !f.domain && !f.instance && (!f.unitId || o.unitId === f.unitId);
  };
  const dueByKind = new Map<string, ObligationFact[]>();
  const due = (kind: string) => {
    let xs = dueByKind.get(kind);
    if (!xs)
      dueByKind.set(
        kind,
        (xs = facts.obligations.filter(
          (o) => o.kind === kind && o.status !== 'waived' && inPeriod(o.dueOn, opts.period) && (o.dueOn < opts.today || o.doneAt !== null) && obligationOk(o),
        )),
      );
    return xs;
  };
  const doneInTime = once((o: ObligationFact) => o.doneAt !== null && (o.status === 'done' || o.status === 'remedied') && beijingDateOf(o.doneAt) <= o.dueOn);
  const obligationFact = once((o: ObligationFact) => {
    const c = o.caseId ? byId.get(o.caseId) : undefined;
    return { kind: o.kind, dueOn: o.dueOn, status: o.status, doneOn: o.doneAt === null ? null : beijingDateOf(o.doneAt), caseNumber: c?.caseNumber ?? null };
  });
  const obligationItem = (o: ObligationFact, inNumerator: boolean): FigureItem => {
    const c = o.caseId ? byId.get(o.caseId) : undefined;
    return {
      ref: o.id,
      caseId: o.caseId,
      caseNumber: c?.caseNumber ?? null,
      regionCode: o.regionCode ?? c?.regionCode ?? null,
      unitId: o.unitId ?? c?.unitId ?? null,
      inNumerator,
      fact: obligationFact(o),
    };
  };

  // Each item with the region whose facts hold it: its case's region; a stand-alone obligation's own region.
  type Owned = { item: FigureItem; region: string | null };
  const ofCase = (c: CaseFact, inNumerator: boolean): Owned => ({ item: caseItem(c, inNumerator), region: c.regionCode });
  const ofHearing = (h: HearingFact, inNumerator: boolean): Owned => ({ item: hearingItem(h, inNumerator), region: byId.get(h.caseId)!.regionCode });
  const ofObligation = (o: ObligationFact, inNumerator: boolean): Owned => ({
    item: obligationItem(o, inNumerator),
    region: o.caseId ? byId.get(o.caseId)!.regionCode : o.regionCode,
  });

  const compute = (id: FigureId): Owned[] => {
    switch (id) {
      case 'new_cases':
        return cases.filter((c) => c.instance === 'first' && inPeriod(beijingDateOf(c.createdAt), opts.period)).map((c) => ofCase(c, true));
      case 'loss_rate': {
        const all = variants.loss_rate === 'all_concluded';
        return concluded.filter((c) => all || kindOf(c).merits).map((c) => ofCase(c, kindOf(c).loss));
      }
      case 'mediation_withdrawal_rate':
        return concluded.map((c) => ofCase(c, kindOf(c).mediatedOrWithdrawn));
      case 'revoke_change_rate':
        return concluded.map((c) => ofCase(c, kindOf(c).revokedOrChanged));
      case 'head_appearance_rate':
        return appearanceBasis.map((h) => ofHearing(h, h.headAppeared));
      case 'principal_appearance_rate':
        return appearanceBasis.map((h) => ofHearing(h, h.headAppeared && h.principal));
      case 'failure_no_appearance':
        return hearingsInPeriod.map((h) => ofHearing(h, !h.headAppeared && h.agents === 0));
      case 'failure_no_answer':
      case 'failure_no_evidence':
      case 'failure_no_performance':
        return due(OBLIGATION_FIGURE_KIND[id]!).map((o) => ofObligation(o, !doneInTime(o)));
      default:
        return due(OBLIGATION_FIGURE_KIND[id]!).map((o) => ofObligation(o, doneInTime(o)));
    }
  };

  const value = (id: FigureId, items: FigureItem[], unitNames: ReadonlyMap<string, string>): FigureValue => {
    const def: FigureDefinition = FIGURES[id];
    const numerator = items.filter((i) => i.inNumerator).length;
    const denominator = def.denominator ? items.length : null;
    const value: FigureValue = { id, numerator, denominator, rate: def.kind === 'rate' ? rate(numerator, denominator) : null, items };
    const variant = id === 'principal_appearance_rate' ? variants.head_appearance_rate : variants[id];
    if (variant) value.variant = variant;
    if (def.perUnit) {
      const units = new Map<string | null, { n: number; d: number }>();
      for (const i of items) {
        const u = units.get(i.unitId) ?? { n: 0, d: 0 };
        u.d++;
        if (i.inNumerator) u.n++;
        units.set(i.unitId, u);
      }
      value.byUnit = [...units.entries()]
        .map(([unitId, u]) => ({
          unitId,
          unitName: unitId ? (unitNames.get(unitId) ?? null) : null,
          numerator: u.n,
          denominator: def.denominator ? u.d : null,
          rate: def.kind === 'rate' ? rate(u.n, u.d) : null,
        }))
        .sort((a, b) => b.numerator - a.numerator || String(a.unitId).localeCompare(String(b.unitId)));
    }
    return value;
  };

  const ids = opts.only ?? FIGURE_IDS;
  const regionNames = regions.map((r) => namesOf(facts.cases.filter((c) => c.regionCode === r)));
  const total: FigureValue[] = [];
  const byRegion: FigureValue[][] = regions.map(() => []);
  const allNames = namesOf(facts.cases);
  for (const id of ids) {
    const owned = compute(id).sort((a, b) => (a.item.ref < b.item.ref ? -1 : a.item.ref > b.item.ref ? 1 : 0));
    total.push(
      value(
        id,
        owned.map((o) => o.item),
        allNames,
      ),
    );
    if (!regions.length) continue;
    // Split once, in order: each region's items are the whole's, in the same (sorted) order.
    const split = new Map<string | null, FigureItem[]>(regions.map((r) => [r, []]));
    for (const o of owned) split.get(o.region)?.push(o.item);
    regions.forEach((r, k) => byRegion[k]!.push(value(id, split.get(r)!, regionNames[k]!)));
  }
  return { total, byRegion };
}
