/** The output of routing: who answers a case, by which rule and article, and on which facts. */
import type { MatchVia } from './names.js';
import type { AssignmentRole, RoutingStatus } from '../vocabulary.js';

export type RuleId = 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7' | 'R8' | 'R9' | 'R10';

/** 主办 lead | 协办 cooperating | 复议部分 review_part | 协助 assisting (the list: src/domain/vocabulary.ts). */
export type { AssignmentRole };

export interface Assignment {
  readonly unitId: string;
  readonly unitName: string;
  readonly role: AssignmentRole;
}

export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export interface UnitRef {
  readonly unitId: string;
  readonly unitName: string;
  readonly regionCode: string;
}

/** Which part of the case a written name came from. */
export type PartyRole = 'acting_unit' | 'defendant' | 'review_organ' | 'prior_assignment';

/**
 * Where a written name was looked up:
 * unit_code (the court sent a code), party_region (the court sent a region code), court_regions (the regions
 * the court serves on the date), case_region (the one region every other resolved party of the case is in),
 * all_regions (nothing found in the court's regions: the whole directory, accepted only if unique).
 */
export type ResolutionScope = 'unit_code' | 'party_region' | 'court_regions' | 'case_region' | 'all_regions';

export type QueueReason =
  | 'designate_lead' // R2: the justice bureau designates the lead unit (主办)
  | 'unknown_unit' // a written name matches no unit
  | 'ambiguous_unit' // a written name matches several units
  | 'conflicting_unit_code' // the unit code and the region code sent by the court disagree
  | 'cross_region' // the units are in different regions
  | 'no_justice_bureau' // the region has no (or more than one) justice bureau on the date
  | 'no_successor' // an abolished unit names no successor
  | 'chain_cycle' // entrustment / succession loops
  | 'government_act' // the district government itself made the act: the department in charge is designated
  | 'review_organ_outside' // the review organ is not this region's government or justice bureau
  | 'unclear_review' // the review outcome and the defendants do not fit a rule
  | 'prior_assignment_invalid'; // R10: the first-instance assignment names units not in the directory

export type RoutingFact =
  | {
      readonly kind: 'court_regions';
      readonly courtCode: string;
      readonly onDate: string;
      /** false: the court is not in the directory. */
      readonly known: boolean;
      readonly regionCodes: readonly string[];
    }
  | {
      readonly kind: 'resolved';
      readonly party: PartyRole;
      readonly written: string;
      readonly unitId: string;
      readonly unitName: string;
      readonly regionCode: string;
      readonly via: MatchVia;
      /** The directory name or alias that matched. */
      readonly matched: string;
      readonly scope: ResolutionScope;
    }
  | {
      readonly kind: 'unresolved';
      readonly party: PartyRole;
      readonly written: string;
      readonly outcome: 'unknown' | 'ambiguous' | 'conflict';
      readonly candidates: readonly UnitRef[];
    }
  | {
      /** R3 B 第三条(三): an entrusted organisation's act belongs to the entrusting unit. */
      readonly kind: 'entrusted';
      readonly rule: 'R3';
      readonly article: string;
      readonly orgId: string;
      readonly orgName: string;
      readonly entrustingId: string;
      readonly entrustingName: string;
    }
  | {
      /** R4 B 第三条(四): one hop of a successor chain. */
      readonly kind: 'succeeded';
      readonly rule: 'R4';
      readonly article: string;
      readonly fromId: string;
      readonly fromName: string;
      readonly abolishedOn: string;
      readonly toId: string;
      readonly toName: string;
    }
  | {
      /** A rule (or a legal point) that shaped the decision. */
      readonly kind: 'rule';
      readonly rule: RuleId;
      readonly article: string;
      readonly note: Bilingual;
    }
  | {
      /**
       * Region before unit (docs/domain.md §3): the defendant's region, decided before any unit is looked up — the
       * region code the court stated (or the region of the unit code it sent), else the region whose name
       * prefixes the defendant's name, else the regions the court serves on the date [Q 一(一)].
       */
      readonly kind: 'defendant_region';
      /** Set when exactly one region results; otherwise `candidates` holds the regions it may be. */
      readonly regionCode?: string;
      readonly via: DefendantRegionVia;
      readonly candidates: readonly string[];
      /** The written name(s) it was read from. */
      readonly written: string;
    }
  | { readonly kind: 'note'; readonly note: Bilingual };

/** Where the defendant's region came from, strongest first; 'none' when nothing at all names one. */
export type DefendantRegionVia = 'unit_code' | 'stated_region' | 'name_prefix' | 'court_regions' | 'none';

export interface QueueCandidate {
  readonly party: PartyRole;
  readonly written: string;
  readonly units: readonly UnitRef[];
}

export interface RoutingDecision {
  /** assigned: the rules decided; queued: the justice bureau decides (R2 designation, R9 manual queue). */
  readonly status: RoutingStatus;
  /** The defendant unit's region (never the court's seat); absent when it cannot be determined. */
  readonly regionCode?: string;
  /** When regionCode is absent: the regions the case may belong to (whose justice bureaus see the queue item). */
  readonly candidateRegions?: readonly string[];
  readonly assignments: readonly Assignment[];
  /** The primary rule (see the precedence comment in rules.ts). */
  readonly rule: RuleId;
  /** The primary rule's article, then those of the other rules applied, e.g. 'B 第三条(三); B 第三条(四)'. */
  readonly article: string;
  /** Every rule applied, primary first. */
  readonly rulesApplied: readonly RuleId[];
  readonly reason: Bilingual;
  readonly facts: readonly RoutingFact[];
  readonly queueReason?: QueueReason;
  /** The justice bureau that must act on a queued decision, when known. */
  readonly queueUnit?: UnitRef;
  /** For unknown / ambiguous names: what was written and which units it could be. */
  readonly candidates?: readonly QueueCandidate[];
}

export interface RouteOptions {
  /** R10: the first-instance assignments of the same case. */
  readonly priorAssignment?: readonly Assignment[];
  /** The document being routed (docs/domain.md §2), e.g. 'appeal'. */
  readonly documentType?: string;
}
