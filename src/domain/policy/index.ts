// Policy profiles: per-region obligations as validated data, and the planner that applies them.
export {
  anchorSchema,
  bilingualSchema,
  conditionSchema,
  DOCUMENT_OBLIGATION_KINDS,
  DOCUMENT_TYPES,
  escalationStepSchema,
  FACT_ANCHORS,
  INSTANCES,
  OBLIGATION_KINDS,
  OUTCOMES,
  PARTIES,
  periodSchema,
  policySchema,
  RECURRING_KINDS,
  recurringRuleSchema,
  REMINDER_KINDS,
  reminderRuleSchema,
  ruleSchema,
} from './schema.js';
export type {
  Anchor,
  Condition,
  DocumentObligationKind,
  DocumentType,
  EscalationStep,
  FactAnchor,
  Instance,
  ObligationKind,
  Outcome,
  Party,
  Policy,
  PolicyInput,
  PolicyRule,
  RecurringKind,
  RecurringRule,
  ReminderKind,
  ReminderRule,
} from './schema.js';
export { PRESET_BY_TAG, PRESET_IDS, PRESETS } from './presets.js';
export type { PresetId } from './presets.js';
export { deepMerge, isPresetId, PolicyError, resolvePolicy, safeResolvePolicy } from './resolve.js';
export type { DeepPartial, PolicyOverrides, ResolveResult } from './resolve.js';
export { planObligations, planObligationsDetailed, planRecurring } from './plan.js';
export type { ObligationDerivation, PlanFacts, PlannedObligation, PlannedRecurring, PlannedReminder, PlanResult, PlanWarning, SkippedRule } from './plan.js';
