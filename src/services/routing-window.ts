/**
 * The routing window (分办时限; docs/domain.md §3): a document the rules could not route waits in its region's
 * justice bureau's queue, and that wait is itself a deadline. The design promises routing "within the two-day
 * filing window"; a region whose policy fixes its own period for determining the unit (P 第十条: 三日内确定
 * 承办单位并制作阅办单) runs that one instead. The window is an obligation of the justice bureau (party
 * justice_bureau, unit empty), so it has reminders, turns overdue with a remediation item and is escalated to
 * the government office by the sweep (src/jobs/deadlines.ts), and counts in the on-time routing rate
 * (src/domain/statistics, figure on_time_routing). It is discharged when the bureau assigns the case.
 */
import type { DocumentEntry } from '../../schemas/api/manifest.js';
import type { Calendar } from '../domain/calendar/index.js';
import { planObligationsDetailed, type DocumentType, type PlannedObligation, type Policy, type PolicyRule } from '../domain/policy/index.js';
import { and, eq, inArray } from 'drizzle-orm';
import type { Deps, Stmt } from '../deps.js';
import { obligations, queueItems } from '../../schemas/db/index.js';
import { dischargeStmts, planFacts } from './obligations.js';

/** The rule id of the default window (a region's own unit-determination rule keeps its id). */
export const ROUTING_WINDOW_RULE_ID = 'routing-window';
/** The obligation kind of every routing window (the policy's 确定承办单位、制作阅办单). */
export const ROUTING_WINDOW_KIND = 'unit_determination';

/** The default: two days (the design's filing window), counted as court periods are (rest-day end shifts). */
export const DEFAULT_WINDOW_DAYS = 2;
const DEFAULT_SOURCE = 'S 二(一); 分办时限（两日）';

/** The policy's own rule fixing the unit for this document type (P 第十条), if it has one. */
export function policyWindowRule(policy: Policy, type: string): [string, PolicyRule] | undefined {
  return Object.entries(policy.rules).find(([, r]) => r.enabled && r.kind === ROUTING_WINDOW_KIND && r.triggers.includes(type as DocumentType));
}

/** The default window as a policy rule, so that the one planner computes its due date and reminders. */
export function defaultWindowRule(type: DocumentType): PolicyRule {
  return {
    kind: ROUTING_WINDOW_KIND,
    enabled: true,
    title: { zh: '确定承办单位（分办时限）', en: 'Routing window: name the undertaking unit' },
    actor: 'justice_bureau',
    triggers: [type],
    when: {},
    anchor: 'arrival',
    direction: 'after',
    period: { n: DEFAULT_WINDOW_DAYS, unit: 'day' },
    notify: ['justice_bureau'],
    // The day before it ends, the bureau is reminded; when it is missed the sweep escalates (deadlines.ts).
    reminders: [{ kind: 'reminder', at: { from: 'due', offsetDays: -1 }, notify: ['justice_bureau'], source: DEFAULT_SOURCE }],
    escalation: [
      { to: 'government_office', action: { zh: '分办逾期，报政府办督办', en: 'routing overdue: reported to the government office' }, source: DEFAULT_SOURCE },
    ],
    source: DEFAULT_SOURCE,
    note: {
      zh: '规则无法确定承办单位的文书进入司法局分办队列，司法局应在两日内确定承办单位；政策另有规定的（如 P 第十条 三日），从其规定。',
      en: 'A document the rules cannot route waits in the justice bureau’s queue; the bureau names the unit within two days unless the region’s policy fixes its own period (P 第十条: three days).',
    },
  };
}

export type RoutingWindow =
  /** The policy already plans the bureau's unit determination for this document: the queue item's deadline is that obligation. */
  | { kind: 'policy'; ruleId: string }
  /** The default window: an obligation to add to the document's own. */
  | { kind: 'default'; ruleId: string; planned: PlannedObligation };

/** The routing window of a queued document under its region's policy. */
export function routingWindow(
  policy: Policy,
  doc: Pick<DocumentEntry, 'type' | 'case' | 'hearing' | 'outcome' | 'urgent'>,
  arrivedAt: Date,
  calendar: Calendar,
): RoutingWindow {
  const own = policyWindowRule(policy, doc.type);
  if (own) return { kind: 'policy', ruleId: own[0] };
  return defaultRoutingWindow(policy, doc, arrivedAt, calendar);
}

/** The default two-day window, planned (also when the policy's own rule planned nothing for the document). */
export function defaultRoutingWindow(
  policy: Policy,
  doc: Pick<DocumentEntry, 'type' | 'case' | 'hearing' | 'outcome' | 'urgent'>,
  arrivedAt: Date,
  calendar: Calendar,
): Extract<RoutingWindow, { kind: 'default' }> {
  const only: Policy = { ...policy, rules: { [ROUTING_WINDOW_RULE_ID]: defaultWindowRule(doc.type) } };
  const [planned] = planObligationsDetailed(only, doc.type, planFacts(doc, arrivedAt), calendar).obligations;
  if (!planned) throw new Error(`the routing window planned nothing for a ${doc.type}`);
  return { kind: 'default', ruleId: ROUTING_WINDOW_RULE_ID, planned };
}

/**
 * The window is met (or remedied, when it had run out) once the open queue items of a document are resolved:
 * statements that discharge their obligations, for the resolving write (its reminders and escalation stop).
 */
export async function dischargeWindowsStmts(deps: Deps, where: { documentId: string }, now: Date, reason: string): Promise<Stmt[]> {
  const open = await deps.db.orm
    .select({ id: obligations.id, status: obligations.status })
    .from(queueItems)
    .innerJoin(obligations, eq(obligations.id, queueItems.obligationId))
    .where(and(eq(queueItems.documentId, where.documentId), eq(queueItems.status, 'open'), inArray(obligations.status, ['open', 'overdue'])));
  return dischargeStmts(deps, open, now, reason);
}
