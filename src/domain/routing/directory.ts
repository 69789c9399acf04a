/**
 * The unit directory (单位目录) and its in-memory index.
 *
 * - Region: an administrative division (行政区划, 6-digit code), e.g. 330802 柯城区.
 * - Unit: an agency that can be an undertaking unit (承办单位): the district government, its office, the
 *   justice bureau, departments, townships and street offices, entrusted organisations (受委托组织).
 *   A unit can be abolished (撤销) on a date, its powers passing to a successor [B 第三条(四)], or act for a
 *   unit that entrusted it [B 第三条(三)].
 * - JudicialBody: a court or procuratorate with the regions it serves over time. Under cross-district
 *   collective jurisdiction (跨区域集中管辖) one court serves several districts, changing by dated
 *   announcement [Q 一(一)]: 龙游县人民法院 hears Kecheng's and Qujiang's first-instance cases from 2021-04-08.
 *
 * buildDirectoryIndex() indexes once; every lookup afterwards is a Map hit or a scan of a handful of entries.
 * Pure: no I/O, no clock; dates are arguments.
 */
import { assertIsoDate } from './dates.js';
import { normaliseName, regionPrefixes, stripRegionPrefix, type MatchVia } from './names.js';
import type { SenderType } from '../vocabulary.js';

export interface Region {
  /** 6-digit administrative division code (行政区划代码), e.g. '330802'. */
  readonly code: string;
  /** Name as used in unit names, e.g. '柯城区'. Its last character is the level (区/县/市/旗). */
  readonly name: string;
  /** Longer prefixes that courts also write before unit names, e.g. ['衢州市柯城区']. */
  readonly prefixes?: readonly string[];
}

export const UNIT_KINDS = [
  'government', // 区/县人民政府
  'department', // 政府工作部门, 分局
  'township', // 乡镇人民政府, 街道办事处
  'justice_bureau', // 司法局
  'government_office', // 政府办公室
  'entrusted_org', // 受委托组织 [B 第三条(三)]
  'other',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface Unit {
  /** Directory id, stable, e.g. 'kc-zrzy'. */
  readonly id: string;
  readonly regionCode: string;
  /** Official full name, e.g. '衢州市自然资源和规划局柯城分局'. */
  readonly name: string;
  /** Other names courts write, e.g. ['柯城区自然资源局', '区自然资源局']. */
  readonly aliases: readonly string[];
  readonly kind: UnitKind;
  /** For an entrusted organisation: the unit that entrusted it (委托单位). */
  readonly entrustedBy?: string;
  /** First day on which the unit no longer exists (撤销之日). */
  readonly abolishedOn?: string;
  /** The unit that continues to exercise its powers (继续行使其职权的单位). */
  readonly successorId?: string;
  /** 统一社会信用代码 (18 characters). */
  readonly unitCode?: string;
}

export interface ServedRegion {
  readonly regionCode: string;
  /** First day served (inclusive). */
  readonly from: string;
  /** Last day served (inclusive); open-ended when absent. */
  readonly to?: string;
}

export interface JudicialBody {
  /** Sender code, e.g. 'court-longyou'. */
  readonly code: string;
  readonly name: string;
  readonly kind: SenderType;
  readonly level?: 'basic' | 'intermediate' | 'high' | 'supreme';
  readonly servedRegions: readonly ServedRegion[];
}

export interface DirectoryData {
  readonly regions: readonly Region[];
  readonly units: readonly Unit[];
  readonly courts: readonly JudicialBody[];
  readonly procuratorates?: readonly JudicialBody[];
}

export interface NameCandidate {
  readonly unit: Unit;
  readonly via: MatchVia;
  /** The directory name or alias that matched (as listed, not normalised). */
  readonly matched: string;
}

/** Never a guess: one unit, several candidates, or nothing. */
export type NameResolution =
  ({ readonly kind: 'found' } & NameCandidate) | { readonly kind: 'ambiguous'; readonly candidates: readonly NameCandidate[] } | { readonly kind: 'unknown' };

export interface SuccessionHop {
  readonly from: Unit;
  readonly to: Unit;
  readonly abolishedOn: string;
}

/** Where a unit's powers are on a date [B 第三条(四)]. */
export type Succession =
  | { readonly kind: 'current'; readonly unit: Unit; readonly hops: readonly SuccessionHop[] }
  /** `unit` was abolished on or before the date and names no successor. */
  | { readonly kind: 'no_successor'; readonly unit: Unit; readonly hops: readonly SuccessionHop[] }
  /** The successor ids loop back; `unit` is where the loop was detected. */
  | { readonly kind: 'cycle'; readonly unit: Unit; readonly hops: readonly SuccessionHop[] };

export interface DirectoryIndex {
  readonly data: DirectoryData;
  unit(id: string): Unit | undefined;
  /** By 统一社会信用代码, or by directory id (courts may send either as PartyRef.unitCode). */
  unitByCode(code: string): Unit | undefined;
  region(code: string): Region | undefined;
  regionCodes(): readonly string[];
  unitsInRegion(regionCode: string): readonly Unit[];
  /** Justice bureaus of the region that exist on the date (normally exactly one). */
  justiceBureaus(regionCode: string, onDate: string): readonly Unit[];
  /** District governments of the region that exist on the date (normally exactly one). */
  governments(regionCode: string, onDate: string): readonly Unit[];
  body(code: string): JudicialBody | undefined;
  /** Regions a court or procuratorate serves on the date (collective jurisdiction, dated). */
  regionsServedBy(bodyCode: string, onDate: string): readonly string[];
  /** Regions it served on at least one day from `from` to `to` (inclusive): a period's figures [Q 一(一)]. */
  regionsServedDuring(bodyCode: string, from: string, to: string): readonly string[];
  /**
   * The regions whose name or listed prefix begins the written name (衢州市柯城区某某办公室 → 330802), longest
   * prefix first; empty when none does. Region before unit: a name the directory lacks still names its region.
   */
  regionsByNamePrefix(written: string): readonly string[];
  /** Resolve a written name in one region: exact name/alias, else an unambiguous prefix variant. */
  resolveName(written: string, regionCode: string): NameResolution;
  /**
   * Resolve a written name across several regions: exact matches first (in any of them), prefix variants
   * only when no exact match exists; several units → ambiguous.
   */
  resolveNameIn(written: string, regionCodes: readonly string[]): NameResolution;
  /** Follow abolishedOn/successorId as of the date, over any number of hops, detecting cycles. */
  successorChain(unitId: string, onDate: string): Succession;
}

interface NameEntry {
  readonly unit: Unit;
  readonly via: 'name' | 'alias';
  readonly matched: string;
}

interface RegionEntry {
  readonly region: Region;
  readonly prefixes: readonly string[];
  readonly levelChar: string;
  readonly units: Unit[];
  readonly justiceBureaus: Unit[];
  readonly governments: Unit[];
}

interface Period {
  readonly regionCode: string;
  readonly from: string;
  readonly to: string | undefined;
}

const EMPTY: readonly never[] = Object.freeze([]);

export function isActiveOn(unit: Unit, onDate: string): boolean {
  return unit.abolishedOn === undefined || unit.abolishedOn > onDate;
}

function normaliseCode(code: string): string {
  return code.normalize('NFKC').replace(/\s/g, '').toUpperCase();
}

/**
 * Index a directory. The data is assumed valid (parse it with DirectoryFile first when it comes from
 * outside); units whose regionCode is not a listed region are still indexed by id and code.
 */
export function buildDirectoryIndex(data: DirectoryData): DirectoryIndex {
  const units = new Map<string, Unit>();
  const byCode = new Map<string, Unit>();
  const regions = new Map<string, RegionEntry>();
  const bodies = new Map<string, JudicialBody>();
  const periods = new Map<string, Period[]>();

  for (const region of data.regions) {
    const prefixes = regionPrefixes(region.name, region.prefixes ?? []);
    const norm = normaliseName(region.name);
    regions.set(region.code, {
      region,
      prefixes,
      levelChar: norm.slice(-1),
      units: [],
      justiceBureaus: [],
      governments: [],
    });
  }

  // Name indexes, keyed first by normalised name, then by region, so that a lookup costs the same with 2 or
  // 50 regions in scope:
  //   exact: every official name and alias;
  //   core:  the same names with the region's own prefix removed (柯城区自然资源局, 区自然资源局 → 自然资源局),
  //          for prefix tolerance.
  const exactIndex = new Map<string, Map<string, NameEntry[]>>();
  const coreIndex = new Map<string, Map<string, NameEntry[]>>();
  const prefixIndex = new Map<string, RegionEntry[]>(); // '柯城区', '衢州市柯城区' → regions
  const levelIndex = new Map<string, RegionEntry[]>(); // '区' → regions
  for (const entry of regions.values()) {
    for (const p of entry.prefixes) push(prefixIndex, p, entry);
    if (entry.levelChar) push(levelIndex, entry.levelChar, entry);
  }
  const prefixLengths = [...new Set([...prefixIndex.keys()].map((p) => p.length))].sort((a, b) => b - a);

  const put = (index: Map<string, Map<string, NameEntry[]>>, key: string, regionCode: string, e: NameEntry) => {
    let byRegion = index.get(key);
    if (!byRegion) index.set(key, (byRegion = new Map()));
    const list = byRegion.get(regionCode);
    if (!list) byRegion.set(regionCode, [e]);
    else if (!list.some((x) => x.unit.id === e.unit.id)) list.push(e);
  };
  const addName = (entry: RegionEntry, written: string, e: NameEntry) => {
    const key = normaliseName(written);
    if (!key) return;
    put(exactIndex, key, entry.region.code, e);
    put(coreIndex, stripRegionPrefix(key, entry.prefixes, entry.levelChar).rest, entry.region.code, e);
  };

  for (const unit of data.units) {
    units.set(unit.id, unit);
    if (unit.unitCode) byCode.set(normaliseCode(unit.unitCode), unit);
    const entry = regions.get(unit.regionCode);
    if (!entry) continue;
    entry.units.push(unit);
    if (unit.kind === 'justice_bureau') entry.justiceBureaus.push(unit);
    if (unit.kind === 'government') entry.governments.push(unit);
    addName(entry, unit.name, { unit, via: 'name', matched: unit.name });
    for (const alias of unit.aliases) addName(entry, alias, { unit, via: 'alias', matched: alias });
  }

  for (const body of [...data.courts, ...(data.procuratorates ?? [])]) {
    bodies.set(body.code, body);
    periods.set(
      body.code,
      body.servedRegions.map((s) => ({ regionCode: s.regionCode, from: s.from, to: s.to })),
    );
  }

  const allRegionCodes = Object.freeze([...regions.keys()]);
  const allRegionSet: ReadonlySet<string> = new Set(allRegionCodes);

  const add = (hits: readonly NameEntry[] | undefined, via: MatchVia | undefined, out: Map<string, NameCandidate>) => {
    if (!hits) return;
    for (const h of hits) {
      if (!out.has(h.unit.id)) out.set(h.unit.id, via === undefined ? h : { unit: h.unit, via, matched: h.matched });
    }
  };
  /** Entries of `byRegion` inside `scope`, iterating whichever of the two is smaller. */
  const collect = (byRegion: Map<string, NameEntry[]> | undefined, scope: ReadonlySet<string>, via: MatchVia | undefined, out: Map<string, NameCandidate>) => {
    if (!byRegion) return;
    if (byRegion.size <= scope.size) {
      for (const [code, hits] of byRegion) if (scope.has(code)) add(hits, via, out);
    } else {
      for (const code of scope) add(byRegion.get(code), via, out);
    }
  };

  const decide = (found: Map<string, NameCandidate>): NameResolution | undefined => {
    if (found.size === 0) return undefined;
    const candidates = [...found.values()];
    if (candidates.length === 1) return { kind: 'found', ...candidates[0]! };
    return { kind: 'ambiguous', candidates };
  };

  const resolveNameIn = (written: string, regionCodes: readonly string[]): NameResolution => {
    const key = normaliseName(written);
    if (!key) return { kind: 'unknown' };
    const scope = regionCodes.length === allRegionCodes.length ? allRegionSet : new Set(regionCodes);
    const exact = new Map<string, NameCandidate>();
    collect(exactIndex.get(key), scope, undefined, exact);
    const exactResult = decide(exact);
    if (exactResult) return exactResult;

    // Prefix tolerance, accepted only if it points at exactly one unit. A name is compared by its core (the
    // name without its region's prefix) with the names of that region:
    const loose = new Map<string, NameCandidate>();
    let prefixed = false;
    // (a) written with a region prefix (柯城区…, 衢州市柯城区…): only that region's names, prefix stripped;
    for (const len of prefixLengths) {
      if (len >= key.length) continue;
      const owners = prefixIndex.get(key.slice(0, len));
      if (!owners) continue;
      prefixed = true;
      const byRegion = coreIndex.get(key.slice(len));
      if (byRegion) for (const r of owners) if (scope.has(r.region.code)) add(byRegion.get(r.region.code), 'prefix_stripped', loose);
    }
    if (!prefixed) {
      // (b) written with the bare level character (区自然资源局): regions of that level, prefix added;
      const owners = key.length > 1 ? levelIndex.get(key.charAt(0)) : undefined;
      if (owners) {
        const byRegion = coreIndex.get(key.slice(1));
        if (byRegion) for (const r of owners) if (scope.has(r.region.code)) add(byRegion.get(r.region.code), 'prefix_added', loose);
      }
      // (c) written without prefix (市场监督管理局): names whose core it is, prefix added.
      collect(coreIndex.get(key), scope, 'prefix_added', loose);
    }
    return decide(loose) ?? { kind: 'unknown' };
  };

  const successorChain = (unitId: string, onDate: string): Succession => {
    assertIsoDate(onDate, 'onDate');
    const startUnit = units.get(unitId);
    if (!startUnit) throw new RangeError(`unknown unit id ${JSON.stringify(unitId)}`);
    let unit: Unit = startUnit;
    const hops: SuccessionHop[] = [];
    const seen = new Set<string>([unit.id]);
    while (unit.abolishedOn !== undefined && unit.abolishedOn <= onDate) {
      const next: Unit | undefined = unit.successorId === undefined ? undefined : units.get(unit.successorId);
      if (!next) return { kind: 'no_successor', unit, hops };
      hops.push({ from: unit, to: next, abolishedOn: unit.abolishedOn });
      if (seen.has(next.id)) return { kind: 'cycle', unit: next, hops };
      seen.add(next.id);
      unit = next;
    }
    return { kind: 'current', unit, hops };
  };

  return {
    data,
    unit: (id) => units.get(id),
    unitByCode: (code) => {
      const c = normaliseCode(code);
      return byCode.get(c) ?? units.get(code.trim());
    },
    region: (code) => regions.get(code)?.region,
    regionCodes: () => allRegionCodes,
    unitsInRegion: (code) => regions.get(code)?.units ?? EMPTY,
    justiceBureaus: (code, onDate) => (regions.get(code)?.justiceBureaus ?? EMPTY).filter((u) => isActiveOn(u, onDate)),
    governments: (code, onDate) => (regions.get(code)?.governments ?? EMPTY).filter((u) => isActiveOn(u, onDate)),
    body: (code) => bodies.get(code),
    regionsServedBy: (code, onDate) => {
      const list = periods.get(code);
      if (!list) return EMPTY;
      const out: string[] = [];
      for (const p of list) {
        if (p.from <= onDate && (p.to === undefined || onDate <= p.to) && !out.includes(p.regionCode)) {
          out.push(p.regionCode);
        }
      }
      return out;
    },
    regionsServedDuring: (code, from, to) => {
      const out: string[] = [];
      for (const p of periods.get(code) ?? EMPTY) {
        if (p.from <= to && (p.to === undefined || from <= p.to) && !out.includes(p.regionCode)) out.push(p.regionCode);
      }
      return out;
    },
    regionsByNamePrefix: (written) => {
      const key = normaliseName(written);
      for (const len of prefixLengths) {
        if (len >= key.length) continue;
        const owners = prefixIndex.get(key.slice(0, len));
        if (owners) return [...new Set(owners.map((r) => r.region.code))];
      }
      return EMPTY;
    },
    resolveName: (written, regionCode) => resolveNameIn(written, [regionCode]),
    resolveNameIn,
    successorChain,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export { normaliseName };
