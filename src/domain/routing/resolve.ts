/**
 * From what the court wrote (PartyRef) to directory units, and from a unit to the unit that answers for it
 * (entrustment R3 and succession R4 chains). Used by rules.ts; pure.
 */
import type { PartyRef } from '../case-info.js';
import { normaliseName, type DirectoryIndex, type NameCandidate, type Unit } from './directory.js';
import type { PartyRole, ResolutionScope } from './types.js';

export type PartyResolution =
  | {
      readonly status: 'found';
      readonly ref: PartyRef;
      readonly party: PartyRole;
      readonly unit: Unit;
      readonly via: NameCandidate['via'];
      readonly matched: string;
      readonly scope: ResolutionScope;
    }
  | {
      readonly status: 'ambiguous' | 'unknown' | 'conflict';
      readonly ref: PartyRef;
      readonly party: PartyRole;
      readonly candidates: readonly Unit[];
    };

/**
 * Resolve one written party:
 * 1. unitCode (统一社会信用代码 or directory id), if the court sent one and the directory knows it; a region
 *    code that contradicts it is a conflict, never silently overridden;
 * 2. the region code the court sent;
 * 3. else the regions the court serves on the date (collective jurisdiction [Q 一(一)]), never the court's seat;
 * 4. if nothing there (unknown court, or a case filed with the other collective court with leave [Q 一(一)]):
 *    the whole directory, accepted only when it yields exactly one unit.
 */
export function resolveParty(dir: DirectoryIndex, ref: PartyRef, party: PartyRole, servedRegions: readonly string[]): PartyResolution {
  if (ref.unitCode !== undefined) {
    const unit = dir.unitByCode(ref.unitCode);
    if (unit) {
      if (ref.regionCode !== undefined && ref.regionCode !== unit.regionCode) {
        return { status: 'conflict', ref, party, candidates: [unit] };
      }
      return { status: 'found', ref, party, unit, via: 'unit_code', matched: ref.unitCode, scope: 'unit_code' };
    }
  }
  if (ref.regionCode !== undefined) return fromName(dir, ref, party, [ref.regionCode], 'party_region');
  if (servedRegions.length === 0) return fromName(dir, ref, party, dir.regionCodes(), 'all_regions');
  const r = fromName(dir, ref, party, servedRegions, 'court_regions');
  if (r.status !== 'unknown') return r;
  // Only the regions not yet searched (nothing to do when the court serves them all).
  const others = otherRegions(dir, servedRegions);
  return others.length === 0 ? r : fromName(dir, ref, party, others, 'all_regions');
}

const othersCache = new WeakMap<DirectoryIndex, Map<string, readonly string[]>>();

/** The directory's regions outside `served`, memoised per directory and served set (a few sets per court). */
function otherRegions(dir: DirectoryIndex, served: readonly string[]): readonly string[] {
  let byKey = othersCache.get(dir);
  if (!byKey) othersCache.set(dir, (byKey = new Map()));
  const key = served.join(',');
  let out = byKey.get(key);
  if (!out) {
    const s = new Set(served);
    out = dir.regionCodes().filter((c) => !s.has(c));
    byKey.set(key, out);
  }
  return out;
}

/** Resolve the name again inside one region (the case's region, see rules.ts). */
export function resolvePartyInRegion(dir: DirectoryIndex, ref: PartyRef, party: PartyRole, regionCode: string): PartyResolution {
  return fromName(dir, ref, party, [regionCode], 'case_region');
}

function fromName(dir: DirectoryIndex, ref: PartyRef, party: PartyRole, regions: readonly string[], scope: ResolutionScope): PartyResolution {
  const r = dir.resolveNameIn(ref.name, regions);
  switch (r.kind) {
    case 'found':
      return { status: 'found', ref, party, unit: r.unit, via: r.via, matched: r.matched, scope };
    case 'ambiguous':
      return { status: 'ambiguous', ref, party, candidates: r.candidates.map((c) => c.unit) };
    case 'unknown':
      return { status: 'unknown', ref, party, candidates: [] };
  }
}

/** Two parties are the same organ: the same directory unit, or the same normalised written name. */
export function sameParty(a: PartyResolution, b: PartyResolution): boolean {
  if (a.status === 'found' && b.status === 'found') return a.unit.id === b.unit.id;
  return normaliseName(a.ref.name) === normaliseName(b.ref.name);
}

export type Hop =
  | { readonly kind: 'entrusted'; readonly from: Unit; readonly to: Unit }
  | { readonly kind: 'succeeded'; readonly from: Unit; readonly to: Unit; readonly abolishedOn: string };

export type Chain =
  | { readonly ok: true; readonly start: Unit; readonly final: Unit; readonly hops: readonly Hop[] }
  | {
      readonly ok: false;
      readonly reason: 'no_successor' | 'chain_cycle';
      readonly start: Unit;
      readonly at: Unit;
      readonly hops: readonly Hop[];
    };

/**
 * The unit that answers for `start` on the date:
 * - an entrusted organisation's act belongs to the entrusting unit (B 第三条(三)), whatever became of the
 *   organisation itself, so entrustment is followed first;
 * - a unit abolished on or before the date passes to its successor (B 第三条(四)), hop after hop;
 * - loops (entrustment or succession) stop with chain_cycle, an abolished unit without successor with
 *   no_successor.
 */
export function followChain(dir: DirectoryIndex, start: Unit, onDate: string): Chain {
  const hops: Hop[] = [];
  const seen = new Set<string>([start.id]);
  let unit = start;
  for (;;) {
    let next: Unit | undefined;
    if (unit.entrustedBy !== undefined) {
      next = dir.unit(unit.entrustedBy);
      if (!next) return { ok: false, reason: 'no_successor', start, at: unit, hops };
      hops.push({ kind: 'entrusted', from: unit, to: next });
    } else if (unit.abolishedOn !== undefined && unit.abolishedOn <= onDate) {
      next = unit.successorId === undefined ? undefined : dir.unit(unit.successorId);
      if (!next) return { ok: false, reason: 'no_successor', start, at: unit, hops };
      hops.push({ kind: 'succeeded', from: unit, to: next, abolishedOn: unit.abolishedOn });
    } else {
      return { ok: true, start, final: unit, hops };
    }
    if (seen.has(next.id)) return { ok: false, reason: 'chain_cycle', start, at: next, hops };
    seen.add(next.id);
    unit = next;
  }
}
