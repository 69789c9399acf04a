/**
 * Routing: who answers a case (谁主管、谁负责、谁应诉) [S 二(二), B 第三条]. docs/domain.md §3.
 *
 * | rule | situation                                              | article                          | test in rules.test.ts, name starts with |
 * | ---- | ------------------------------------------------------ | -------------------------------- | ---------------------------------------- |
 * | R1   | one unit made the act, no administrative review        | B 第三条(一), P 第九条(一)       | 'R1 B 第三条(一), P 第九条(一): …'       |
 * | R2   | a joint act: all units, justice bureau names the lead  | B 第三条(二), S 二(二)           | 'R2 B 第三条(二), S 二(二): …'           |
 * | R3   | an entrusted organisation acted: the entrusting unit   | B 第三条(三)                     | 'R3 B 第三条(三): …'                     |
 * | R4   | the unit was abolished: its successor (chain)          | B 第三条(四)                     | 'R4 B 第三条(四): …'                     |
 * | R5   | review maintained: original unit + justice bureau      | B 第三条, S 二(三), P 第九条(三) | 'R5 B 第三条, S 二(三), P 第九条(三): …' |
 * | R6   | review changed: justice bureau, original unit assists  | B 第三条, S 二(三)               | 'R6 B 第三条, S 二(三): …'               |
 * | R7   | review organ sued alone for not acting: justice bureau | S 二(三)                         | 'R7 S 二(三): …'                         |
 * | R8   | review organ sued alone for its decision               | P 第九条(二)                     | 'R8 P 第九条(二): …'                     |
 * | R9   | the rules cannot decide: justice bureau's queue        | S 二(一)                         | 'R9 S 二(一): …'                         |
 * | R10  | appeal / retrial of an assigned case: the same units   | B 第九条                         | 'R10 B 第九条: …'                        |
 *
 * Region: always the defendant unit's district (its region code, or where its name resolves among the
 * regions the court serves on the date), never the court's own seat [Q 一(一)].
 *
 * Composition and the primary rule. R3 and R4 are steps on the way from the written unit to the answering
 * unit and compose with everything (an entrusted organisation whose entrusting unit was later abolished is
 * R3 then R4). Every rule applied is recorded in `facts` and `rulesApplied`; `rule` is the primary one,
 * chosen as the rule that describes the shape of the decision, by this precedence:
 *   R10 (appeal wraps whatever decided the first instance)
 *   > R9 (whenever the decision is queued because the rules could not decide)
 *   > R5–R8 (the review situation fixes who answers which part)
 *   > R2 (several units)
 *   > R3 (the act as written was an entrusted organisation's) > R4 (only succession) > R1.
 * `article` is the primary rule's article followed by those of the other rules applied.
 */
import type { CaseInfo } from '../case-info.js';
import { assertIsoDate } from './dates.js';
import type { DirectoryIndex, Unit } from './directory.js';
import { followChain, resolveParty, resolvePartyInRegion, sameParty, type Chain, type PartyResolution } from './resolve.js';
import type {
  Assignment,
  AssignmentRole,
  Bilingual,
  DefendantRegionVia,
  QueueCandidate,
  QueueReason,
  RouteOptions,
  RoutingDecision,
  RoutingFact,
  RuleId,
  UnitRef,
} from './types.js';
import type { RoutingStatus } from '../vocabulary.js';

export interface RuleInfo {
  readonly article: string;
  readonly title: Bilingual;
}

/** Each rule with its source article (docs/domain.md §3). */
export const RULES: Readonly<Record<RuleId, RuleInfo>> = {
  // B 第三条(一), P 第九条(一)
  R1: { article: 'B 第三条(一), P 第九条(一)', title: { zh: '行政行为作出单位应诉', en: 'the unit that made the act answers' } },
  // B 第三条(二), S 二(二)
  R2: { article: 'B 第三条(二), S 二(二)', title: { zh: '共同作出行政行为，司法局指定主办单位', en: 'joint act: the justice bureau designates the lead' } },
  // B 第三条(三)
  R3: { article: 'B 第三条(三)', title: { zh: '受委托组织作出，委托单位应诉', en: 'entrusted organisation: the entrusting unit answers' } },
  // B 第三条(四)
  R4: { article: 'B 第三条(四)', title: { zh: '单位撤销或职权变更，继续行使职权的单位应诉', en: 'abolished unit: its successor answers' } },
  // B 第三条, S 二(三), P 第九条(三)
  R5: {
    article: 'B 第三条, S 二(三), P 第九条(三)',
    title: { zh: '复议维持，原单位与司法局分别应诉', en: 'review maintained: original unit and justice bureau' },
  },
  // B 第三条, S 二(三)
  R6: { article: 'B 第三条, S 二(三)', title: { zh: '复议改变，司法局应诉，原单位协助', en: 'review changed: justice bureau answers, original unit assists' } },
  // S 二(三)
  R7: { article: 'S 二(三)', title: { zh: '复议机关不作为被单独起诉，司法局应诉', en: 'review organ sued alone for not acting: justice bureau' } },
  // P 第九条(二)
  R8: {
    article: 'P 第九条(二)',
    title: { zh: '复议机关因复议决定单独被诉，复议机关应诉，原单位配合', en: 'review organ sued alone for its decision; original unit assists' },
  },
  // S 二(一)
  R9: { article: 'S 二(一)', title: { zh: '应诉责任主体不明确，由司法局确定', en: 'undecidable: the justice bureau assigns' } },
  // B 第九条
  R10: { article: 'B 第九条', title: { zh: '上诉、再审案件由一审承办单位应诉', en: 'appeal or retrial: the first-instance units answer' } },
};

/** Route a case to its undertaking units. Pure: the directory and the date are arguments. */
export function route(facts: CaseInfo, dir: DirectoryIndex, onDate: string, opts: RouteOptions = {}): RoutingDecision {
  assertIsoDate(onDate, 'onDate');
  const ctx = new Ctx(facts, dir, onDate);

  // R10 — B 第九条: an appeal or retrial is answered by the first-instance undertaking unit.
  const appealOrRetrial = facts.instance !== 'first' || opts.documentType === 'appeal';
  if (appealOrRetrial && opts.priorAssignment !== undefined && opts.priorAssignment.length > 0) {
    return routeR10(ctx, opts.priorAssignment);
  }
  if (appealOrRetrial) {
    ctx.note(
      '上诉/再审案件无一审承办记录，按一审规则确定承办单位（B 第九条）。',
      'Appeal or retrial without a first-instance assignment: routed by the first-instance rules (B 第九条).',
    );
  }

  const parties = ctx.resolveParties();
  if (facts.administrativeReview !== undefined && parties.review !== undefined) {
    const d = routeReview(ctx, parties, facts.administrativeReview.outcome);
    if (d) return d;
  }
  return routeByAct(ctx, parties);
}

// ---------------------------------------------------------------------------------------------------------

interface Parties {
  readonly acting: PartyResolution[];
  readonly defendants: PartyResolution[];
  readonly review: PartyResolution | undefined;
}

type Found = Extract<PartyResolution, { status: 'found' }>;
const isFound = (p: PartyResolution): p is Found => p.status === 'found';

const ref = (u: Unit): UnitRef => ({ unitId: u.id, unitName: u.name, regionCode: u.regionCode });
const assign = (u: Unit, role: AssignmentRole): Assignment => ({ unitId: u.id, unitName: u.name, role });

const PARTY_ZH: Record<PartyResolution['party'], string> = {
  acting_unit: '行政行为作出单位',
  defendant: '被告',
  review_organ: '复议机关',
  prior_assignment: '一审承办单位',
};

class Ctx {
  readonly out: RoutingFact[] = [];
  readonly applied: RuleId[] = [];
  readonly served: readonly string[];
  /** The one region all resolved parties are in, if there is exactly one. */
  caseRegion: string | undefined;
  /** Region before unit: the defendant's region as the court's document gives it (see defendantRegion). */
  readonly regionFirst: DefendantRegion;
  private readonly hopsSeen = new Set<string>();

  constructor(
    readonly facts: CaseInfo,
    readonly dir: DirectoryIndex,
    readonly onDate: string,
  ) {
    const known = dir.body(facts.court.code) !== undefined;
    this.served = dir.regionsServedBy(facts.court.code, onDate);
    this.out.push({ kind: 'court_regions', courtCode: facts.court.code, onDate, known, regionCodes: this.served });
    this.regionFirst = defendantRegion(facts, dir, this.served);
    const rf = this.regionFirst;
    this.out.push({
      kind: 'defendant_region',
      ...(rf.regionCode !== undefined ? { regionCode: rf.regionCode } : {}),
      via: rf.via,
      candidates: rf.candidates,
      written: rf.written,
    });
  }

  get act(): string {
    return this.facts.challengedAct.kind === 'inaction' ? '被诉不作为' : '被诉行政行为';
  }
  get actEn(): string {
    return this.facts.challengedAct.kind === 'inaction' ? 'The challenged inaction' : 'The challenged act';
  }

  note(zh: string, en: string): void {
    this.out.push({ kind: 'note', note: { zh, en } });
  }

  rule(rule: RuleId, zh: string, en: string): void {
    this.out.push({ kind: 'rule', rule, article: RULES[rule].article, note: { zh, en } });
    this.apply(rule);
  }

  apply(rule: RuleId): void {
    if (!this.applied.includes(rule)) this.applied.push(rule);
  }

  resolveParties(): Parties {
    const { facts, dir, served } = this;
    const acting = facts.challengedAct.actingUnits.map((p) => resolveParty(dir, p, 'acting_unit', served));
    const defendants = facts.defendants.map((p) => resolveParty(dir, p, 'defendant', served));
    const review = facts.administrativeReview === undefined ? undefined : resolveParty(dir, facts.administrativeReview.organ, 'review_organ', served);

    // The parties of one administrative case belong to one district (the review organ reviews its own
    // district's acts; a unit is sued for its own acts). When every party that did resolve is in one region,
    // a short name that is ambiguous across the court's regions (区自然资源局 under Longyou court) is read in
    // that region. Recorded as scope 'case_region'; still ambiguous there → stays ambiguous.
    const all = [...acting, ...defendants, ...(review ? [review] : [])];
    const regions = new Set(all.filter(isFound).map((p) => p.unit.regionCode));
    if (regions.size === 1) {
      const region = [...regions][0]!;
      this.caseRegion = region;
      const narrow = (p: PartyResolution): PartyResolution =>
        p.status === 'ambiguous' && p.candidates.some((c) => c.regionCode === region) ? resolvePartyInRegion(dir, p.ref, p.party, region) : p;
      acting.splice(0, acting.length, ...acting.map(narrow));
      defendants.splice(0, defendants.length, ...defendants.map(narrow));
      const r = review ? narrow(review) : undefined;
      for (const p of [...acting, ...defendants, ...(r ? [r] : [])]) this.record(p);
      return { acting, defendants, review: r };
    }
    for (const p of all) this.record(p);
    return { acting, defendants, review };
  }

  private record(p: PartyResolution): void {
    if (p.status === 'found') {
      this.out.push({
        kind: 'resolved',
        party: p.party,
        written: p.ref.name,
        unitId: p.unit.id,
        unitName: p.unit.name,
        regionCode: p.unit.regionCode,
        via: p.via,
        matched: p.matched,
        scope: p.scope,
      });
      if (p.scope === 'all_regions' && this.served.length > 0) {
        this.note(
          `${p.ref.name}所在区域不在${this.facts.court.name}于${this.onDate}集中管辖的区域内，按被告所在区域确定（Q 一(一)：经法院审查同意，可以向另一集中管辖法院起诉）。`,
          `${p.ref.name} is outside the regions ${this.facts.court.name} serves on ${this.onDate}; routed by the defendant's region (Q 一(一): with the court's leave a case may go to the other collective court).`,
        );
      }
    } else {
      this.out.push({
        kind: 'unresolved',
        party: p.party,
        written: p.ref.name,
        outcome: p.status,
        candidates: p.candidates.map(ref),
      });
    }
  }

  /** Record the R3/R4 hops of a chain (once per hop). */
  recordChain(chain: Chain): void {
    for (const h of chain.hops) {
      const key = `${h.kind}:${h.from.id}`;
      if (this.hopsSeen.has(key)) continue;
      this.hopsSeen.add(key);
      if (h.kind === 'entrusted') {
        // B 第三条(三)
        this.out.push({
          kind: 'entrusted',
          rule: 'R3',
          article: RULES.R3.article,
          orgId: h.from.id,
          orgName: h.from.name,
          entrustingId: h.to.id,
          entrustingName: h.to.name,
        });
        this.apply('R3');
      } else {
        // B 第三条(四)
        this.out.push({
          kind: 'succeeded',
          rule: 'R4',
          article: RULES.R4.article,
          fromId: h.from.id,
          fromName: h.from.name,
          abolishedOn: h.abolishedOn,
          toId: h.to.id,
          toName: h.to.name,
        });
        this.apply('R4');
      }
    }
  }

  justiceBureau(regionCode: string): Unit | undefined {
    const list = this.dir.justiceBureaus(regionCode, this.onDate);
    return list.length === 1 ? list[0] : undefined;
  }

  decide(d: {
    status: RoutingStatus;
    rule: RuleId;
    regionCode?: string | undefined;
    assignments: Assignment[];
    reason: Bilingual;
    queueReason?: QueueReason;
    candidates?: QueueCandidate[];
    candidateRegions?: readonly string[];
  }): RoutingDecision {
    const rulesApplied = [d.rule, ...this.applied.filter((r) => r !== d.rule)];
    const article = rulesApplied.map((r) => RULES[r].article).join('; ');
    const out: { -readonly [K in keyof RoutingDecision]: RoutingDecision[K] } = { status: d.status } as RoutingDecision;
    // Region before unit (docs/domain.md §3, Q 一(一)): a queued case whose units the rules could not find still
    // belongs to the defendant's region when the document names one, and to that region's justice bureau alone.
    // Units found in several regions (cross_region) stay with the regions they were found in.
    const regionCode = d.regionCode ?? (d.queueReason !== 'cross_region' ? this.regionFirst.regionCode : undefined);
    if (regionCode !== undefined) out.regionCode = regionCode;
    else {
      const cr = d.candidateRegions ?? this.regionFirst.candidates;
      if (cr.length > 0) out.candidateRegions = [...new Set(cr)].sort();
    }
    out.assignments = d.assignments;
    out.rule = d.rule;
    out.article = article;
    out.rulesApplied = rulesApplied;
    out.reason = d.reason;
    if (d.status === 'queued') {
      out.queueReason = d.queueReason ?? 'designate_lead';
      if (regionCode !== undefined) {
        const jb = this.justiceBureau(regionCode);
        if (jb) out.queueUnit = ref(jb);
      }
    }
    if (d.candidates !== undefined && d.candidates.length > 0) out.candidates = d.candidates;
    out.facts = this.out;
    return out;
  }

  /** R9 — S 二(一): the justice bureau decides who answers when the rules cannot. */
  queue(
    queueReason: QueueReason,
    zh: string,
    en: string,
    extra: { regionCode?: string | undefined; candidates?: QueueCandidate[]; candidateRegions?: readonly string[] } = {},
  ): RoutingDecision {
    // S 二(一)
    return this.decide({
      status: 'queued',
      rule: 'R9',
      regionCode: extra.regionCode,
      assignments: [],
      reason: { zh: `${zh}由司法局确定应诉承办单位（S 二(一)）。`, en: `${en} The justice bureau assigns (S 二(一)).` },
      queueReason,
      ...(extra.candidates ? { candidates: extra.candidates } : {}),
      ...(extra.candidateRegions ? { candidateRegions: extra.candidateRegions } : {}),
    });
  }
}

export interface DefendantRegion {
  readonly regionCode?: string;
  readonly via: DefendantRegionVia;
  /** Every region it may be (one when resolved). */
  readonly candidates: readonly string[];
  readonly written: string;
}

/**
 * Region before unit (docs/domain.md §3): the defendant's region from what the court wrote, before any unit is
 * looked up. For each defendant: the region of the unit code it sent, else the region code it stated, else the
 * region whose name prefixes the written name (衢州市柯城区… → 330802); the acting units the same way when no
 * defendant names a region; else the regions the court serves on the date [Q 一(一)] (one: that region).
 * A region code the directory does not list is not a region here. Several regions named → candidates.
 */
export function defendantRegion(facts: CaseInfo, dir: DirectoryIndex, served: readonly string[]): DefendantRegion {
  const read = (refs: readonly { name: string; unitCode?: string | undefined; regionCode?: string | undefined }[]) => {
    const found = new Map<string, DefendantRegionVia>();
    for (const r of refs) {
      const byCode = r.unitCode !== undefined ? dir.unitByCode(r.unitCode) : undefined;
      if (byCode) found.set(byCode.regionCode, found.get(byCode.regionCode) ?? 'unit_code');
      else if (r.regionCode !== undefined && dir.region(r.regionCode)) found.set(r.regionCode, found.get(r.regionCode) ?? 'stated_region');
      else {
        const byName = dir.regionsByNamePrefix(r.name);
        if (byName.length === 1) found.set(byName[0]!, found.get(byName[0]!) ?? 'name_prefix');
      }
    }
    return found;
  };
  const names = (refs: readonly { name: string }[]) => refs.map((r) => r.name).join('、');
  for (const refs of [facts.defendants, facts.challengedAct.actingUnits]) {
    const found = read(refs);
    if (found.size === 1) {
      const [regionCode, via] = [...found][0]!;
      return { regionCode, via, candidates: [regionCode], written: names(refs) };
    }
    if (found.size > 1) {
      const vias = [...found.values()];
      return {
        via: vias.includes('unit_code') ? 'unit_code' : vias.includes('stated_region') ? 'stated_region' : 'name_prefix',
        candidates: [...found.keys()].sort(),
        written: names(refs),
      };
    }
  }
  const written = names(facts.defendants);
  if (served.length === 1) return { regionCode: served[0]!, via: 'court_regions', candidates: [served[0]!], written };
  return { via: served.length ? 'court_regions' : 'none', candidates: [...served].sort(), written };
}

const candidatesOf = (p: PartyResolution): readonly Unit[] => (p.status === 'found' ? [p.unit] : p.candidates);
const candidateOf = (p: PartyResolution): QueueCandidate => ({
  party: p.party,
  written: p.ref.name,
  units: candidatesOf(p).map(ref),
});

type ActingResult = { ok: true; units: Unit[]; regionCode: string } | { ok: false; decision: RoutingDecision };

/**
 * The units that answer for the act: each written acting unit resolved, then followed through
 * entrustment (R3) and succession (R4). Fails into R9 for unknown/ambiguous names, broken chains, units
 * in different regions, or an act of the district government itself.
 */
function resolveActing(ctx: Ctx, parties: Parties): ActingResult {
  const { dir, onDate } = ctx;
  const finals: Unit[] = [];
  const unresolved: Exclude<PartyResolution, { status: 'found' }>[] = [];

  for (const p of parties.acting) {
    if (p.status === 'found') {
      const chain = followChain(dir, p.unit, onDate);
      ctx.recordChain(chain);
      if (!chain.ok) return { ok: false, decision: chainFailure(ctx, chain) };
      if (!finals.some((u) => u.id === chain.final.id)) finals.push(chain.final);
      continue;
    }
    if (p.status === 'ambiguous') {
      // Candidates that all lead to the same answering unit today are not a choice (an old name still used
      // for the successor, e.g. 区城管局 for both 城市管理局 (abolished) and 综合行政执法局).
      const chains = p.candidates.map((u) => followChain(dir, u, onDate));
      const first = chains[0];
      if (first?.ok && chains.every((c) => c.ok && c.final.id === first.final.id)) {
        for (const c of chains) ctx.recordChain(c);
        ctx.note(
          `“${p.ref.name}”对应的${p.candidates.length}个单位目前均由${first.final.name}继续行使职权。`,
          `All ${p.candidates.length} units written as "${p.ref.name}" are now continued by ${first.final.name}.`,
        );
        if (!finals.some((u) => u.id === first.final.id)) finals.push(first.final);
        continue;
      }
    }
    unresolved.push(p);
  }

  if (unresolved.length > 0) {
    const ambiguous = unresolved.some((p) => p.status === 'ambiguous');
    const conflict = unresolved.some((p) => p.status === 'conflict');
    const names = unresolved.map((p) => p.ref.name).join('、');
    const candidates = unresolved.map(candidateOf);
    const candRegions = unresolved.flatMap((p) => candidatesOf(p).map((c) => c.regionCode));
    const extra = {
      regionCode: ctx.caseRegion,
      candidates,
      ...(candRegions.length > 0 ? { candidateRegions: candRegions } : {}),
    };
    if (conflict) {
      return {
        ok: false,
        decision: ctx.queue(
          'conflicting_unit_code',
          `${ctx.act}作出单位“${names}”的单位代码与区划代码不一致，`,
          `The unit code and region code sent for "${names}" disagree.`,
          extra,
        ),
      };
    }
    return {
      ok: false,
      decision: ambiguous
        ? ctx.queue(
            'ambiguous_unit',
            `${ctx.act}作出单位“${names}”对应多个单位，不作推测，`,
            `The acting unit "${names}" matches several units; no guess is made.`,
            extra,
          )
        : ctx.queue('unknown_unit', `${ctx.act}作出单位“${names}”在单位目录中无法识别，`, `The acting unit "${names}" is not in the directory.`, extra),
    };
  }

  const regions = [...new Set(finals.map((u) => u.regionCode))];
  if (regions.length > 1) {
    return {
      ok: false,
      decision: ctx.queue(
        'cross_region',
        `${ctx.act}作出单位分属不同区域（${regions.join('、')}），`,
        `The acting units are in different regions (${regions.join(', ')}).`,
        { candidates: [{ party: 'acting_unit', written: '', units: finals.map(ref) }], candidateRegions: regions },
      ),
    };
  }
  const gov = finals.find((u) => u.kind === 'government');
  if (gov) {
    return {
      ok: false,
      decision: ctx.queue(
        'government_act',
        `${ctx.act}由${gov.name}作出，主管（作出）部门需明确，`,
        `${ctx.actEn} was made by ${gov.name} itself; the department in charge must be named.`,
        { regionCode: gov.regionCode, candidates: [{ party: 'acting_unit', written: gov.name, units: finals.map(ref) }] },
      ),
    };
  }
  return { ok: true, units: finals, regionCode: regions[0]! };
}

function chainFailure(ctx: Ctx, chain: Extract<Chain, { ok: false }>): RoutingDecision {
  const { at } = chain;
  return chain.reason === 'no_successor'
    ? ctx.queue(
        'no_successor',
        `${at.name}已于${at.abolishedOn ?? '（日期不详）'}撤销，目录中无继续行使其职权的单位，`,
        `${at.name} was abolished on ${at.abolishedOn ?? '(unknown date)'} and the directory names no successor.`,
        { regionCode: at.regionCode },
      )
    : ctx.queue(
        'chain_cycle',
        `${chain.start.name}的委托/承继关系出现循环（至${at.name}），`,
        `The entrustment/succession chain of ${chain.start.name} loops (at ${at.name}).`,
        { regionCode: at.regionCode },
      );
}

/** Resolved defendants (or the review organ) in another region than the answering units → R9. */
function regionConflict(ctx: Ctx, regionCode: string, others: readonly PartyResolution[]): RoutingDecision | undefined {
  const off = others.filter((p): p is Found => isFound(p) && p.unit.regionCode !== regionCode);
  if (off.length === 0) return undefined;
  const regions = [regionCode, ...off.map((p) => p.unit.regionCode)];
  return ctx.queue(
    'cross_region',
    `${off.map((p) => `${PARTY_ZH[p.party]}${p.unit.name}`).join('、')}与应诉承办单位不在同一区域（${regionCode}），`,
    `${off.map((p) => p.unit.name).join(', ')} is not in the answering units' region (${regionCode}).`,
    { candidates: off.map((p) => ({ party: p.party, written: p.ref.name, units: [ref(p.unit)] })), candidateRegions: regions },
  );
}

/** No review involved (or the review organ is not sued): R1, R2, R3, R4. */
function routeByAct(ctx: Ctx, parties: Parties): RoutingDecision {
  const a = resolveActing(ctx, parties);
  if (!a.ok) return a.decision;
  const conflict = regionConflict(ctx, a.regionCode, parties.defendants);
  if (conflict) return conflict;
  // Region before unit: the court stated the defendant's region (a region code or a unit code), and the unit
  // the name resolved to is elsewhere; neither is overridden: both regions' bureaus decide.
  const rf = ctx.regionFirst;
  if (rf.regionCode !== undefined && (rf.via === 'stated_region' || rf.via === 'unit_code') && rf.regionCode !== a.regionCode) {
    return ctx.queue(
      'cross_region',
      `法院载明被告所在区域为${rf.regionCode}，而${ctx.act}作出单位${a.units.map((u) => u.name).join('、')}在${a.regionCode}，`,
      `The court states the defendant's region as ${rf.regionCode}, but the acting unit is in ${a.regionCode}.`,
      {
        candidates: [{ party: 'acting_unit', written: parties.acting.map((p) => p.ref.name).join('、'), units: a.units.map(ref) }],
        candidateRegions: [rf.regionCode, a.regionCode],
      },
    );
  }

  if (a.units.length >= 2) {
    // R2 — B 第三条(二), S 二(二): all units answer; the justice bureau designates one lead (主办).
    const jb = ctx.justiceBureau(a.regionCode);
    ctx.apply('R2');
    if (!jb) return noJusticeBureau(ctx, a.regionCode);
    const names = a.units.map((u) => u.name).join('、');
    return ctx.decide({
      status: 'queued',
      rule: 'R2',
      regionCode: a.regionCode,
      assignments: a.units.map((u) => assign(u, 'cooperating')),
      queueReason: 'designate_lead',
      reason: {
        zh: `${ctx.act}由${names}共同作出，均为应诉承办单位；由${jb.name}指定一家主办单位，其他单位协同配合（B 第三条(二)，S 二(二)）。`,
        en: `${ctx.actEn} was made jointly by ${a.units.length} units; all answer, and ${jb.name} designates the lead (B 第三条(二), S 二(二)).`,
      },
    });
  }

  const unit = a.units[0]!;
  const entrusted = ctx.applied.includes('R3');
  const succeeded = ctx.applied.includes('R4');
  // R3 — B 第三条(三) > R4 — B 第三条(四) > R1 — B 第三条(一), P 第九条(一) (precedence: see top of file)
  const rule: RuleId = entrusted ? 'R3' : succeeded ? 'R4' : 'R1';
  const written = parties.acting.map((p) => p.ref.name).join('、');
  let reason: Bilingual;
  if (rule === 'R3') {
    reason = {
      zh: `${ctx.act}由受委托组织“${written}”作出，由委托单位${unit.name}作为应诉承办单位（B 第三条(三)${succeeded ? '；委托单位已撤销，由继续行使其职权的单位承办，B 第三条(四)' : ''}）。`,
      en: `${ctx.actEn} was made by the entrusted organisation "${written}": ${unit.name}, the entrusting unit${succeeded ? ' (as successor)' : ''}, answers (B 第三条(三)).`,
    };
  } else if (rule === 'R4') {
    reason = {
      zh: `${ctx.act}作出单位“${written}”已撤销，由继续行使其职权的${unit.name}作为应诉承办单位（B 第三条(四)）。`,
      en: `The acting unit "${written}" was abolished; ${unit.name}, which now holds its powers, answers (B 第三条(四)).`,
    };
  } else {
    ctx.apply('R1');
    reason = {
      zh: `${ctx.act}由${unit.name}作出，${ctx.facts.administrativeReview ? '复议机关未被起诉' : '未经行政复议'}，由其作为应诉承办单位（谁主管、谁负责、谁应诉，B 第三条(一)，P 第九条(一)）。`,
      en: `${ctx.actEn} was made by ${unit.name} ${ctx.facts.administrativeReview ? '(the review organ is not sued)' : 'without administrative review'}: it answers (B 第三条(一), P 第九条(一)).`,
    };
  }
  return ctx.decide({ status: 'assigned', rule, regionCode: unit.regionCode, assignments: [assign(unit, 'lead')], reason });
}

function noJusticeBureau(ctx: Ctx, regionCode: string): RoutingDecision {
  const n = ctx.dir.justiceBureaus(regionCode, ctx.onDate).length;
  return ctx.queue(
    'no_justice_bureau',
    n === 0 ? `区域${regionCode}在目录中没有司法局，` : `区域${regionCode}在目录中有${n}个司法局，`,
    n === 0 ? `Region ${regionCode} has no justice bureau in the directory.` : `Region ${regionCode} has ${n} justice bureaus in the directory.`,
    { regionCode },
  );
}

/**
 * A case after administrative review (行政复议): R5–R8 when the review organ is sued; undefined when it is
 * not (the original unit sued alone answers for its act — S 二(三) — and routeByAct decides).
 *
 *   outcome      review organ sued with others   review organ sued alone   review organ not sued
 *   maintained   R5                              R5 (court adds the co-defendant, 行诉解释 第134条)   by act
 *   changed      R6                              R6                        by act
 *   not_acted    R9 unclear                      R7                        by act (ALL 第26条: the original act)
 *   rejected     R5 (驳回复议请求 = 维持, 行诉解释 第22条)  R8              by act
 *   other        R9 unclear                      R8                        by act
 */
function routeReview(ctx: Ctx, parties: Parties, outcome: NonNullable<CaseInfo['administrativeReview']>['outcome']): RoutingDecision | undefined {
  const organ = parties.review!;
  const organSued = parties.defendants.some((d) => sameParty(d, organ));
  const othersSued = parties.defendants.some((d) => !sameParty(d, organ));

  if (!organSued) {
    ctx.note(
      '复议机关未被列为被告，由作出原行政行为的单位应诉（S 二(三)：承办原行政行为的单位单独作为被告的，该单位为应诉责任主体）。',
      'The review organ is not a defendant: the unit of the original act answers (S 二(三)).',
    );
    return undefined;
  }

  let rule: 'R5' | 'R6' | 'R7' | 'R8' | 'unclear';
  switch (outcome) {
    case 'maintained':
      rule = 'R5';
      if (!othersSued) {
        ctx.rule(
          'R5',
          '复议维持案件中复议机关与原行政行为单位为共同被告（行政诉讼法 第26条第2款，行诉解释 第134条）。',
          'After a maintaining review the review organ and the original unit are co-defendants (ALL art. 26(2)).',
        );
      }
      break;
    case 'changed':
      rule = 'R6';
      break;
    case 'not_acted':
      rule = othersSued ? 'unclear' : 'R7';
      break;
    case 'rejected':
      rule = othersSued ? 'R5' : 'R8';
      if (othersSued) {
        ctx.rule(
          'R5',
          '复议驳回复议请求且原行政行为单位与复议机关为共同被告，按复议维持处理（行诉解释 第22条）。',
          'A review that rejected the request, with both as co-defendants, counts as maintaining (SPC interpretation art. 22).',
        );
      }
      break;
    case 'other':
      rule = othersSued ? 'unclear' : 'R8';
      break;
  }

  if (rule === 'unclear') {
    return ctx.queue('unclear_review', `复议结果（${outcome}）与被告组成不对应任何规则，`, `The review outcome (${outcome}) and the defendants fit no rule.`, {
      regionCode: ctx.caseRegion,
    });
  }

  if (organ.status !== 'found') {
    return ctx.queue(
      organ.status === 'ambiguous' ? 'ambiguous_unit' : organ.status === 'conflict' ? 'conflicting_unit_code' : 'unknown_unit',
      `复议机关“${organ.ref.name}”${organ.status === 'ambiguous' ? '对应多个单位' : '在单位目录中无法识别'}，`,
      `The review organ "${organ.ref.name}" ${organ.status === 'ambiguous' ? 'matches several units' : 'is not in the directory'}.`,
      { regionCode: ctx.caseRegion, candidates: [candidateOf(organ)] },
    );
  }
  if (organ.unit.kind !== 'government' && organ.unit.kind !== 'justice_bureau') {
    return ctx.queue(
      'review_organ_outside',
      `复议机关${organ.unit.name}不是本级人民政府或司法局，复议部分的承办单位无法按规则确定，`,
      `The review organ ${organ.unit.name} is not this district's government or justice bureau.`,
      { regionCode: organ.unit.regionCode },
    );
  }
  const region = organ.unit.regionCode;
  const jb = ctx.justiceBureau(region);
  if (!jb) return noJusticeBureau(ctx, region);
  const conflict = regionConflict(ctx, region, parties.defendants);
  if (conflict) return conflict;

  if (rule === 'R7') {
    // R7 — S 二(三): 因行政复议机关不作为引发诉讼，县司法局负责应诉工作。
    return ctx.decide({
      status: 'assigned',
      rule: 'R7',
      regionCode: region,
      assignments: [assign(jb, 'lead')],
      reason: {
        zh: `复议机关${organ.unit.name}因复议不作为被单独起诉，由${jb.name}负责应诉（S 二(三)）。`,
        en: `The review organ ${organ.unit.name} is sued alone for not deciding the review: ${jb.name} answers (S 二(三)).`,
      },
    });
  }

  const a = resolveActing(ctx, parties);
  if (!a.ok) return a.decision;
  if (a.regionCode !== region) {
    return ctx.queue(
      'cross_region',
      `原行政行为单位（${a.regionCode}）与复议机关（${region}）不在同一区域，`,
      `The original unit (${a.regionCode}) and the review organ (${region}) are in different regions.`,
      { candidateRegions: [a.regionCode, region] },
    );
  }
  const originals = a.units.map((u) => u.name).join('、');

  if (rule === 'R5') {
    // R5 — B 第三条, S 二(三), P 第九条(三): 原行政行为单位为行政行为部分的承办单位，司法局为复议部分的承办单位。
    if (a.units.length >= 2) {
      // R2 inside R5: the original act was joint; the justice bureau designates the lead for the act.
      ctx.apply('R2');
      return ctx.decide({
        status: 'queued',
        rule: 'R5',
        regionCode: region,
        assignments: [...a.units.map((u) => assign(u, 'cooperating')), assign(jb, 'review_part')],
        queueReason: 'designate_lead',
        reason: {
          zh: `复议维持原行政行为，原行政行为由${originals}共同作出，由${jb.name}指定行政行为部分的主办单位；${jb.name}承办复议部分（B 第三条，S 二(三)，P 第九条(三)；B 第三条(二)）。`,
          en: `The review maintained a joint act: ${jb.name} designates the lead for the act and answers for the review part.`,
        },
      });
    }
    const orig = a.units[0]!;
    return ctx.decide({
      status: 'assigned',
      rule: 'R5',
      regionCode: region,
      assignments: [assign(orig, 'lead'), assign(jb, 'review_part')],
      reason: {
        zh: `复议维持原行政行为，${orig.name}承办行政行为部分并对其合法性举证，${jb.name}承办复议部分（B 第三条，S 二(三)，P 第九条(三)）。`,
        en: `The review maintained the act: ${orig.name} answers for the act, ${jb.name} for the review part (B 第三条, S 二(三), P 第九条(三)).`,
      },
    });
  }

  const assisting = a.units.filter((u) => u.id !== jb.id).map((u) => assign(u, 'assisting'));
  if (rule === 'R6') {
    // R6 — B 第三条, S 二(三): 复议改变原行政行为的，司法局负责应诉，原单位配合、协助。
    return ctx.decide({
      status: 'assigned',
      rule: 'R6',
      regionCode: region,
      assignments: [assign(jb, 'lead'), ...assisting],
      reason: {
        zh: `复议改变原行政行为，由${jb.name}负责应诉，${originals}配合、协助（B 第三条，S 二(三)）。`,
        en: `The review changed the act: ${jb.name} answers, ${originals} assists (B 第三条, S 二(三)).`,
      },
    });
  }

  // R8 — P 第九条(二): 因作出行政复议决定单独成为被告的，复议机关负责应诉，原单位积极配合。
  return ctx.decide({
    status: 'assigned',
    rule: 'R8',
    regionCode: region,
    assignments: [assign(jb, 'lead'), ...assisting],
    reason: {
      zh: `复议机关${organ.unit.name}因作出复议决定单独被诉，由${jb.name}代表复议机关负责应诉，${originals}积极配合（P 第九条(二)）。`,
      en: `The review organ ${organ.unit.name} is sued alone for its review decision: ${jb.name} answers, ${originals} assists (P 第九条(二)).`,
    },
  });
}

/**
 * R10 — B 第九条: 原告或者相关当事人提起上诉的，一审应诉承办单位应当作为上诉案件的应诉承办单位.
 * The same units with the same roles; each followed through succession (R4) in case it was abolished since.
 */
function routeR10(ctx: Ctx, prior: readonly Assignment[]): RoutingDecision {
  const { dir, onDate } = ctx;
  ctx.apply('R10');
  const out: Assignment[] = [];
  const missing: string[] = [];
  for (const p of prior) {
    const u = dir.unit(p.unitId);
    if (!u) {
      missing.push(`${p.unitName}(${p.unitId})`);
      continue;
    }
    const chain = followChain(dir, u, onDate);
    ctx.recordChain(chain);
    if (!chain.ok) return chainFailure(ctx, chain);
    const f = chain.final;
    const dup = out.some((x) => x.unitId === f.id && (x.role === p.role || (x.role === 'lead' && p.role === 'cooperating')));
    if (dup) continue;
    if (p.role === 'lead') {
      // A cooperating unit that became the lead by succession keeps only the lead role.
      for (let i = out.length - 1; i >= 0; i--) if (out[i]!.unitId === f.id && out[i]!.role === 'cooperating') out.splice(i, 1);
    }
    out.push(assign(f, p.role));
  }
  if (missing.length > 0) {
    return ctx.queue(
      'prior_assignment_invalid',
      `一审承办单位${missing.join('、')}不在单位目录中，`,
      `First-instance units ${missing.join(', ')} are not in the directory.`,
      { regionCode: ctx.caseRegion },
    );
  }
  const regions = [...new Set(out.map((a) => dir.unit(a.unitId)!.regionCode))];
  if (regions.length > 1) {
    return ctx.queue(
      'cross_region',
      `一审承办单位分属不同区域（${regions.join('、')}），`,
      `The first-instance units are in different regions (${regions.join(', ')}).`,
      {
        candidateRegions: regions,
      },
    );
  }
  const region = regions[0]!;
  const names = out.map((a) => a.unitName).join('、');
  const stage = ctx.facts.instance === 'retrial' ? '再审' : '上诉';
  const hasLead = out.some((a) => a.role === 'lead');
  return ctx.decide({
    status: hasLead ? 'assigned' : 'queued',
    rule: 'R10',
    regionCode: region,
    assignments: out,
    ...(hasLead ? {} : { queueReason: 'designate_lead' as const }),
    reason: {
      zh: `${stage}案件由一审应诉承办单位${names}继续承办（B 第九条）${hasLead ? '' : '；一审尚未指定主办单位，由司法局指定'}。`,
      en: `${stage === '再审' ? 'Retrial' : 'Appeal'}: the first-instance units (${names}) answer again (B 第九条)${hasLead ? '' : '; no lead designated yet'}.`,
    },
  });
}
