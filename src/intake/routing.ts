/**
 * Routing inside intake (docs/domain.md §3): each document of a delivery is routed in the delivery's own atomic
 * write. A new case goes through the rules R1–R10 (src/domain/routing); a later document of a known case
 * follows the case's current assignment (R10, B 第九条); a case the rules could not decide waits in the
 * justice bureau's queue (R2, R9), and so do its later documents until the bureau assigns it.
 */
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { insertRows } from '../lib/raw-insert.js';
import type { Deps, Orm, Stmt } from '../deps.js';
import type { DocumentEntry, Manifest } from '../../schemas/api/manifest.js';
import { assignments as assignmentsT, cases, obligations, queueItems, reminders, routingDecisions } from '../../schemas/db/index.js';
import { beijingDate } from '../domain/calendar/index.js';
import { route, RULES, type Assignment, type RoutingDecision, type UnitRef } from '../domain/routing/index.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';
import type { AuditEntry } from '../services/audit.js';
import { currentDirectory, type CurrentDirectory } from '../services/directory.js';
import { currentCalendar } from '../services/calendar.js';
import { regionPolicy } from '../services/policies.js';
import {
  loadCaseContext,
  newDeliveryPlanState,
  obligationRow,
  planDocumentObligations,
  reminderRows,
  type DeliveryPlanState,
  type ObligationSummary,
} from '../services/obligations.js';
import { defaultRoutingWindow, routingWindow } from '../services/routing-window.js';
import { isSuggestion, suggestionFromIntake } from '../services/suggestions.js';
import type { RoutingStatus } from '../domain/vocabulary.js';
import { caseRevisionsOf, nextCaseRevision } from '../services/case-revisions.js';
import type { Calendar } from '../domain/calendar/index.js';
import type { Policy } from '../domain/policy/index.js';

/** The routing outcome of one document, as the receipt states it. */
export interface DocumentRouting {
  status: RoutingStatus;
  rule: string;
  article: string;
  regionCode: string | null;
  units: { unitId: string; unitName: string; role: Assignment['role'] }[];
  queueReason?: string;
  caseId: string | null;
}

export interface RoutingPlan {
  perDocument: DocumentRouting[];
  /** The obligations each document started (docs/domain.md §4), in the same batch. */
  obligations: ObligationSummary[][];
  entries: AuditEntry[];
  items: Stmt[];
}

interface CaseState {
  id: string;
  status: RoutingStatus;
  regionCode: string | null;
  /** The sender that created the case (null: an old case no delivery is known for). */
  senderCode: string | null;
  active: { unitId: string; unitName: string; role: Assignment['role']; regionCode: string }[];
  /** The case's revision when it was read (src/services/case-revisions.ts): the batch moves it on, or fails. */
  revision: number;
}

/** The case-number lookup every delivery makes, built once per database (a drizzle prepared query). */
const caseByNumber = (orm: Orm) =>
  orm
    .select({ id: cases.id, routingStatus: cases.routingStatus, regionCode: cases.regionCode, senderCode: cases.senderCode })
    .from(cases)
    .where(eq(cases.caseNumber, sql.placeholder('caseNumber')))
    .prepare();
const preparedCaseByNumber = new WeakMap<Orm, ReturnType<typeof caseByNumber>>();

async function loadCase(deps: Deps, caseNumber: string): Promise<CaseState | undefined> {
  let q = preparedCaseByNumber.get(deps.db.orm);
  if (!q) preparedCaseByNumber.set(deps.db.orm, (q = caseByNumber(deps.db.orm)));
  const [c] = await q.all({ caseNumber });
  if (!c) return undefined;
  // Read first: whatever is read after it and changed by another write is caught by that write's new revision.
  const revision = (await caseRevisionsOf(deps.db, [c.id])).get(c.id) ?? 0;
  const active = await deps.db.orm
    .select({ unitId: assignmentsT.unitId, unitName: assignmentsT.unitName, role: assignmentsT.role, regionCode: assignmentsT.regionCode })
    .from(assignmentsT)
    .where(and(eq(assignmentsT.caseId, c.id), isNull(assignmentsT.supersededAt)));
  return { id: c.id, status: c.routingStatus, regionCode: c.regionCode, senderCode: c.senderCode, active, revision };
}

const followDecision = (state: CaseState, caseNumber: string): RoutingDecision => ({
  status: state.status,
  ...(state.regionCode ? { regionCode: state.regionCode } : {}),
  assignments: state.active.map(({ unitId, unitName, role }) => ({ unitId, unitName, role })),
  rule: 'R10',
  article: RULES.R10.article,
  rulesApplied: ['R10'],
  reason:
    state.status === 'assigned'
      ? { zh: `同一案件（${caseNumber}）的后续文书随案件已确定的承办单位`, en: `a later document of case ${caseNumber} follows the case's undertaking units` }
      : {
          zh: `同一案件（${caseNumber}）仍在司法局待分办队列中，本文书随案件等待`,
          en: `case ${caseNumber} still waits in the justice bureau's queue; this document waits with it`,
        },
  facts: [{ kind: 'note', note: { zh: `案件编号 ${state.id}`, en: `case id ${state.id}` } }],
  ...(state.status === 'queued' ? { queueReason: 'designate_lead' as const } : {}),
});

/** A document without a case (a stand-alone suggestion): the justice bureaus of the sender's regions decide. */
function noCaseDecision(regions: readonly string[], dirVersion: number): RoutingDecision {
  return {
    status: 'queued',
    ...(regions.length === 1 ? { regionCode: regions[0]! } : {}),
    candidateRegions: regions,
    assignments: [],
    rule: 'R9',
    article: RULES.R9.article,
    rulesApplied: ['R9'],
    reason: { zh: '文书未关联案件，由司法局确定承办单位', en: 'the document names no case: the justice bureau assigns it' },
    facts: [{ kind: 'note', note: { zh: `单位名录版本 ${dirVersion}`, en: `directory version ${dirVersion}` } }],
    queueReason: 'unknown_unit',
  };
}

/**
 * Everything a delivery's routing and deadlines are decided from, read in one step before the plan: the directory
 * and calendar, each case the delivery names (with its assignments, its obligation context and the revision read),
 * the earlier instances it names, and the policy of every region. What changes between this read and the batch is
 * caught by the batch's guards (the case-number index, each case's revision) and the delivery is read and planned
 * again. One read is left inside the plan: a second-instance case re-plans its first instance's duties from that
 * case's own records (services/obligations.ts replanCase), guarded by the first instance's revision.
 */
export interface IntakeFacts {
  dir: CurrentDirectory;
  calendar: Calendar;
  /** The Beijing date the rules are applied on. */
  onDate: string;
  /** Cases that exist, by case number, with the revision read. */
  cases: Map<string, CaseState>;
  /** The obligation context of each existing case (and of the earlier instances), by case id. */
  contexts: DeliveryPlanState;
  /** Earlier instances named (priorCaseNumbers) that exist, by case number, with their state. */
  priors: Map<string, PriorCase & { state: CaseState | undefined }>;
  /** The policy of each region the delivery can land in, and of "no region" (key ''). */
  policies: Map<string, Policy>;
}

export async function readIntakeFacts(deps: Deps, manifest: Manifest, arrivedAt: Date): Promise<IntakeFacts> {
  const dir = await currentDirectory(deps);
  const calendar = await currentCalendar(deps);
  const numbers = [...new Set(manifest.documents.flatMap((d) => (d.case ? [d.case.caseNumber] : [])))];
  const cases = new Map<string, CaseState>();
  for (const cn of numbers) {
    const state = await loadCase(deps, cn);
    if (state) cases.set(cn, state);
  }
  const priorNumbers = [...new Set(manifest.documents.flatMap((d) => d.case?.priorCaseNumbers ?? []))];
  const priors = new Map<string, PriorCase & { state: CaseState | undefined }>();
  for (const p of priorNumbers.length ? await existingCases(deps, priorNumbers) : [])
    priors.set(p.caseNumber, { ...p, state: await loadCase(deps, p.caseNumber) });
  const contexts = newDeliveryPlanState();
  for (const c of cases.values()) {
    const ctx = await loadCaseContext(deps, c.id, dir.index);
    if (ctx) contexts.set(c.id, ctx);
  }
  // The regions the delivery can land in: those its sender serves, those it states, those of its known cases.
  const onDate = beijingDate(arrivedAt);
  const regions = new Set<string>(['', ...dir.index.regionsServedBy(manifest.sender.code, onDate)]);
  for (const d of manifest.documents) for (const p of d.case?.defendants ?? []) if (p.regionCode) regions.add(p.regionCode);
  for (const c of [...cases.values(), ...[...priors.values()].map((p) => p.state)]) if (c?.regionCode) regions.add(c.regionCode);
  const policies = new Map<string, Policy>();
  for (const region of regions) policies.set(region, (await regionPolicy(deps, region || null)).policy);
  return { dir, calendar, onDate, cases, contexts, priors, policies };
}

/** The routing, deadlines, audit entries and statements of a delivery, decided from its facts. */
export async function planRouting(deps: Deps, facts: IntakeFacts, manifest: Manifest, arrivedAt: Date, documentRowIds: string[]): Promise<RoutingPlan> {
  const { dir, calendar, onDate } = facts;
  const orm = deps.db.orm;
  const actor = `sender:${manifest.sender.code}`;
  const items: Stmt[] = [];
  const entries: AuditEntry[] = [];
  const perDocument: DocumentRouting[] = [];
  const perDocumentObligations: ObligationSummary[][] = [];
  const inDelivery = new Map<string, CaseState>(facts.cases); // cases that exist, and those this delivery creates
  const createdHere = new Set<string>(); // ids of the cases this delivery creates: no earlier obligations to look for
  const planState = facts.contexts; // the documents of one delivery plan against one view of each case
  const revised = new Map<string, number>(); // existing cases this plan read, with the revision it read
  // A region outside those read with the facts (a unit of an unexpected region): its policy is read here.
  const policyOf = async (region: string | null) => facts.policies.get(region ?? '') ?? (await regionPolicy(deps, region)).policy;

  const unitRegion = (unitId: string, fallback: string | undefined) => dir.index.unit(unitId)?.regionCode ?? fallback ?? '';

  for (const [i, doc] of manifest.documents.entries()) {
    const documentId = documentRowIds[i]!;
    let decision: RoutingDecision;
    let caseId: string | null = null;
    let newQueueItem = false;

    if (!doc.case) {
      decision = noCaseDecision(dir.index.regionsServedBy(manifest.sender.code, onDate), dir.version);
      newQueueItem = true;
    } else {
      const cn = doc.case.caseNumber;
      let state = inDelivery.get(cn);
      // A sender creates and extends only its own cases (issue 18): another sender's case number is refused
      // whole (nothing stored), and an appeal or retrial heard by another court is a case of its own (below).
      if (state && state.senderCode !== manifest.sender.code) {
        throw new Problem(
          'case-of-another-sender',
          `case number ${cn} belongs to a case another sender created; a sender may only extend its own cases (an appeal or retrial of another court's case is a new case naming priorCaseNumbers and priorCourtCode)`,
        );
      }
      if (!state && manifest.sender.type === 'court' && doc.case.court.code !== manifest.sender.code) {
        throw new Problem(
          'case-of-another-sender',
          `case ${cn} names court ${doc.case.court.code}, but this delivery comes from court ${manifest.sender.code}: a court creates only its own cases`,
        );
      }
      if (state) {
        decision = followDecision(state, cn);
        caseId = state.id;
        if (!createdHere.has(state.id)) revised.set(state.id, state.revision);
      } else {
        const parent = priorInstance(facts, doc, manifest.sender.code);
        // A second-instance case re-plans its first instance's duties (src/services/obligations.ts): guarded too.
        if (parent?.state && !revised.has(parent.id)) revised.set(parent.id, parent.state.revision);
        decision = routeNewCase(doc, dir.index, onDate, parent);
        caseId = newId();
        createdHere.add(caseId);
        const regionCode = decision.regionCode ?? null;
        state = {
          id: caseId,
          status: decision.status,
          regionCode,
          senderCode: manifest.sender.code,
          revision: 0,
          active: decision.status === 'assigned' ? decision.assignments.map((a) => ({ ...a, regionCode: unitRegion(a.unitId, decision.regionCode) })) : [],
        };
        items.push(
          insertRows(cases, [
            {
              id: caseId,
              caseNumber: cn,
              parentCaseId: parent?.id ?? null,
              courtCode: doc.case.court.code,
              senderCode: manifest.sender.code,
              regionCode,
              instance: doc.case.instance,
              routingStatus: decision.status,
              factsJson: JSON.stringify(doc.case),
              createdAt: arrivedAt,
              updatedAt: arrivedAt,
            },
          ]),
        );
        if (decision.status === 'assigned' && decision.assignments.length) {
          items.push(
            insertRows(
              assignmentsT,
              decision.assignments.map((a) => ({
                id: newId(),
                caseId: caseId!,
                unitId: a.unitId,
                unitName: a.unitName,
                regionCode: unitRegion(a.unitId, decision.regionCode),
                role: a.role,
                rule: decision.rule,
                article: decision.article,
                decidedBy: 'rule' as const,
                actor: 'rules',
                reason: decision.reason.zh,
                createdAt: arrivedAt,
              })),
            ),
          );
        }
        newQueueItem = decision.status === 'queued';
        inDelivery.set(cn, state);
      }
    }

    // An outcome document (judgment, ruling, mediation) moves the case's latest-outcome time, in the same write:
    // the statistics find the cases an outcome reaches in a period through it (src/services/statistics.ts).
    if (caseId && (doc.type === 'judgment' || doc.type === 'ruling' || doc.type === 'mediation')) {
      items.push(
        orm
          .update(cases)
          .set({ lastOutcomeAt: arrivedAt })
          .where(and(eq(cases.id, caseId), or(isNull(cases.lastOutcomeAt), lt(cases.lastOutcomeAt, arrivedAt)))),
      );
    }

    items.push(
      insertRows(routingDecisions, [
        {
          documentId,
          caseId,
          status: decision.status,
          rule: decision.rule,
          article: decision.article,
          regionCode: decision.regionCode ?? null,
          directoryVersion: dir.version,
          onDate,
          decisionJson: JSON.stringify(decision),
          createdAt: arrivedAt,
        },
      ]),
    );
    const routing: DocumentRouting = {
      status: decision.status,
      rule: decision.rule,
      article: decision.article,
      regionCode: decision.regionCode ?? null,
      units: decision.assignments.map(({ unitId, unitName, role }) => ({ unitId, unitName, role })),
      ...(decision.queueReason ? { queueReason: decision.queueReason } : {}),
      caseId,
    };
    perDocument.push(routing);

    // Deadlines from the region's policy and the legal calendar, in the same write [docs/domain.md §4].
    const policy = await policyOf(decision.regionCode ?? null);
    const lead = decision.status === 'assigned' ? (decision.assignments.find((a) => a.role === 'lead') ?? decision.assignments[0]) : undefined;
    const planned = await planDocumentObligations(deps, {
      documentId,
      doc,
      arrivedAt,
      caseId,
      caseIsNew: caseId !== null && createdHere.has(caseId),
      regionCode: decision.regionCode ?? null,
      leadUnitId: lead?.unitId ?? null,
      policy,
      calendar,
      state: planState,
      dir: dir.index,
    });
    items.push(...planned.items);
    const summary = [...planned.summary];
    if (newQueueItem) {
      // The queue item's own deadline, the region's routing window (src/services/routing-window.ts): the
      // policy's unit determination (P 第十条) when it has one, else the default two days, planned here.
      let window = routingWindow(policy, doc, arrivedAt, calendar);
      if (window.kind === 'policy' && !planned.ids[window.ruleId]) window = defaultRoutingWindow(policy, doc, arrivedAt, calendar); // its conditions did not hold
      let obligationId = planned.ids[window.ruleId];
      let dueOn = planned.summary.find((o) => o.ruleId === window.ruleId)?.dueOn;
      if (window.kind === 'default') {
        const p = window.planned;
        const row = obligationRow(p, { documentId, caseId, regionCode: decision.regionCode ?? null, leadUnitId: null }, arrivedAt);
        items.push(insertRows(obligations, [row]));
        const rems = reminderRows(row.id, p);
        if (rems.length) items.push(insertRows(reminders, rems));
        obligationId = row.id;
        dueOn = p.dueOn;
        summary.push({ kind: p.kind, ruleId: p.ruleId, dueOn: p.dueOn, provisional: p.provisional, party: p.actor, source: p.source });
        entries.push({
          actor: 'rules',
          action: 'obligation.created',
          subject: `obligation:${row.id}`,
          data: { documentId, ruleId: p.ruleId, kind: p.kind, dueOn: p.dueOn, provisional: p.provisional, unitId: null, source: p.source },
        });
      }
      const candidates = decision.regionCode ? [decision.regionCode] : [...(decision.candidateRegions ?? [])];
      items.push(
        insertRows(queueItems, [
          {
            id: newId(),
            caseId,
            documentId,
            regionCode: decision.regionCode ?? null,
            candidateRegions: JSON.stringify(candidates),
            reason: decision.queueReason ?? 'unknown_unit',
            status: 'open',
            createdAt: arrivedAt,
            dueOn: dueOn ?? null,
            obligationId: obligationId ?? null,
          },
        ]),
      );
    }
    perDocumentObligations.push(summary);
    if (isSuggestion(doc.type)) {
      const sug = suggestionFromIntake(deps, {
        documentId,
        doc,
        senderCode: manifest.sender.code,
        caseId,
        regionCode: decision.regionCode ?? null,
        unitId: lead?.unitId ?? null,
        obligations: summary,
        arrivedAt,
      });
      items.push(...sug.items);
      entries.push(...sug.entries);
    }
    entries.push({
      actor,
      action: decision.status === 'assigned' ? 'document.routed' : 'document.queued',
      subject: `document:${documentId}`,
      data: { ...routing, directoryVersion: dir.version, onDate },
    });
    entries.push(...planned.entries);
  }
  // The guard: every existing case this plan read moves to its next revision in the same batch, so a write that
  // changed one of them since (an assignment, a step, another delivery of the case) makes this batch fail as a
  // WriteConflict on case_revisions, and the delivery is planned again (src/intake/pipeline.ts).
  for (const [caseId, seen] of revised) items.push(...nextCaseRevision(caseId, seen));
  return { perDocument, obligations: perDocumentObligations, entries, items };
}

/** The existing cases of these numbers (one read). */
async function existingCases(deps: Deps, numbers: string[]) {
  return deps.db.orm
    .select({ id: cases.id, caseNumber: cases.caseNumber, courtCode: cases.courtCode, senderCode: cases.senderCode })
    .from(cases)
    .where(inArray(cases.caseNumber, numbers));
}

type PriorCase = Awaited<ReturnType<typeof existingCases>>[number];

/**
 * The earlier instance a new case continues (原审案号, B 第九条), through an explicit reference: the sender's own
 * earlier case by its number, or another court's case by its number and that court (priorCourtCode). A number
 * of another sender's case without its court, or with a court that is not the case's, is refused (422): the
 * link decides which units answer, so it is never guessed.
 */
function priorInstance(facts: IntakeFacts, doc: DocumentEntry, senderCode: string) {
  const named = doc.case!;
  const parent = named.priorCaseNumbers?.map((n) => facts.priors.get(n)).find(Boolean);
  if (!parent) return undefined;
  if (named.priorCourtCode !== undefined) {
    if (named.priorCourtCode !== parent.courtCode) {
      throw new Problem(
        'invalid-manifest',
        `the earlier instance ${parent.caseNumber} is not a case of court ${named.priorCourtCode}; check priorCaseNumbers and priorCourtCode`,
      );
    }
  } else if (parent.senderCode !== senderCode) {
    throw new Problem(
      'invalid-manifest',
      `the earlier instance ${parent.caseNumber} is another court's case: name that court in priorCourtCode (原审法院) to link this case to it`,
    );
  }
  return parent;
}

/** A new case: the rules, with the earlier instance's units when the court names it (R10). */
function routeNewCase(doc: DocumentEntry, index: Parameters<typeof route>[1], onDate: string, parent: ReturnType<typeof priorInstance>): RoutingDecision {
  const prior = parent?.state;
  const priorAssignment = prior?.status === 'assigned' ? prior.active.map(({ unitId, unitName, role }) => ({ unitId, unitName, role })) : undefined;
  return route(doc.case!, index, onDate, { ...(priorAssignment ? { priorAssignment } : {}), documentType: doc.type });
}

export type { UnitRef };
