/**
 * One list per vocabulary: each `as const` array here is the only spelling of its words. It feeds the drizzle column
 * enums (schemas/db/*: `text('x', { enum: LIST })`, a TypeScript constraint only, so no migration), the zod schemas of
 * the HTTP contract (`z.enum(LIST)`) and the TypeScript types (`(typeof LIST)[number]`), as openstatus does. The
 * document types, instances and the case's shape are in ./case-info.ts; the step kinds in ./steps.ts; the reminder
 * kinds in ./policy/schema.ts.
 */

/** 主办 lead | 协办 cooperating | 复议部分 review_part (the review organ's part, B 第三条) | 协助 assisting. */
export const ASSIGNMENT_ROLES = ['lead', 'cooperating', 'review_part', 'assisting'] as const;
export type AssignmentRole = (typeof ASSIGNMENT_ROLES)[number];

/** Who decided an assignment: a routing rule (R1–R10), or the justice bureau (R2, R9, reassignment). */
export const ASSIGNMENT_DECIDERS = ['rule', 'justice_bureau'] as const;
export type AssignmentDecider = (typeof ASSIGNMENT_DECIDERS)[number];

/** A case's routing status: assigned to units, or queued for the justice bureau to name the unit. */
export const ROUTING_STATUSES = ['assigned', 'queued'] as const;
export type RoutingStatus = (typeof ROUTING_STATUSES)[number];

/** A justice bureau's queue item: open until the bureau names the unit. */
export const QUEUE_ITEM_STATUSES = ['open', 'assigned'] as const;
export type QueueItemStatus = (typeof QUEUE_ITEM_STATUSES)[number];

/** 时限事项: open, done in time, overdue, remedied after being overdue (整改), waived. */
export const OBLIGATION_STATUSES = ['open', 'done', 'overdue', 'remedied', 'waived'] as const;
export type ObligationStatus = (typeof OBLIGATION_STATUSES)[number];

/** Obligations that count as discharged (done in time, or remedied late). */
export const DISCHARGED_STATUSES = ['done', 'remedied'] as const satisfies readonly ObligationStatus[];

/** A remediation item (整改) of an overdue obligation. */
export const REMEDIATION_STATUSES = ['open', 'closed'] as const;
export type RemediationStatus = (typeof REMEDIATION_STATUSES)[number];

/** 司法建议 judicial | 检察建议 procuratorial. */
export const SUGGESTION_KINDS = ['judicial', 'procuratorial'] as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];

/** A suggestion reply's life, from the bureau's queue to the sender's acknowledgement. */
export const SUGGESTION_STATUSES = ['queued', 'drafting', 'under_review', 'returned', 'awaiting_approval', 'relayed', 'acknowledged'] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];

/** The statuses in which a reply is still owed (an overdue reply is one of these past its date). */
export const SUGGESTION_PENDING_STATUSES = [
  'queued',
  'drafting',
  'under_review',
  'returned',
  'awaiting_approval',
] as const satisfies readonly SuggestionStatus[];

/** The recorded steps of a suggestion reply. */
export const SUGGESTION_STEP_KINDS = ['assigned', 'draft', 'review', 'approval', 'relay', 'acknowledged', 'follow_up_done'] as const;
export type SuggestionStepKind = (typeof SUGGESTION_STEP_KINDS)[number];

/** Evidence the gateway signs for an outside party (`timestamp`: an RFC 3161 token over a receipt). */
export const EVIDENCE_TYPES = ['receipt', 'retrieval', 'confirmation', 'reply', 'rejection', 'timestamp'] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/** Who sends deliveries. */
export const SENDER_TYPES = ['court', 'procuratorate'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];

/** The roles of API clients and the people behind them (docs/domain.md §1). */
export const CLIENT_ROLES = ['unit', 'justice_bureau', 'government_office', 'court', 'procuratorate', 'liaison', 'admin'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];
