/**
 * Routing (docs/domain.md §3): the unit directory and rules R1–R10 deciding which unit answers a case.
 * Start at rules.ts: its header maps each rule to its article and its test.
 */
export { normaliseName, regionPrefixes, stripRegionPrefix, type MatchVia } from './names.js';
export { isIsoDate } from './dates.js';
export {
  buildDirectoryIndex,
  isActiveOn,
  UNIT_KINDS,
  type DirectoryData,
  type DirectoryIndex,
  type JudicialBody,
  type NameCandidate,
  type NameResolution,
  type Region,
  type ServedRegion,
  type Succession,
  type SuccessionHop,
  type Unit,
  type UnitKind,
} from './directory.js';
export {
  DirectoryFile,
  DirectoryValidationError,
  isValidUnitCode,
  loadDirectory,
  parseDirectoryFile,
  unitCodeCheckChar,
  type DirectoryFileInput,
} from './directory-file.js';
export { followChain, resolveParty, type Chain, type Hop, type PartyResolution } from './resolve.js';
export { route, RULES, type RuleInfo } from './rules.js';
export type {
  Assignment,
  AssignmentRole,
  Bilingual,
  PartyRole,
  QueueCandidate,
  QueueReason,
  ResolutionScope,
  RouteOptions,
  RoutingDecision,
  RoutingFact,
  RuleId,
  UnitRef,
} from './types.js';
export { demoDirectory, demoDirectoryData, DEMO_DIRECTORY_DATA } from './demo-directory.js';
