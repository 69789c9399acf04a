/**
 * The plan of a delivery (src/intake/pipeline.ts: verify → facts → plan → persist): each document routed, its
 * deadlines planned, its audit entries and statements made, from the delivery's facts alone (src/intake/facts.ts).
 * Pure: synchronous, it reads nothing and runs nothing; it builds statements with drizzle's write builders only
 * (Statements). A new case goes through the rules R1–R10 (src/domain/routing); a later document of a known case
 * follows the case's current assignment (R10, B 第九条); a case the rules could not decide waits in the justice
 * bureau's queue (R2, R9), and so do its later documents until the bureau assigns it (docs/domain.md §3).
 */
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { insertRows } from '../lib/raw-insert.js';
import type { Statements, Stmt } from '../deps.js';
import type { DocumentEntry, Manifest } from '../../schemas/api/manifest.js';
import { assignments as assignmentsT, cases, obligations, queueItems, reminders, routingDecisions } from '../../schemas/db/index.js';
import { route, RULES, type Assignment, type RoutingDecision, type UnitRef } from '../domain/routing/index.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';
import type { AuditEntry } from '../services/audit.js';
import { obligationRow, planDocumentObligations, reminderRows, type ObligationSummary } from '../services/obligations.js';
import { defaultRoutingWindow, routingWindow } from '../services/routing-window.js';
import { isSuggestion, suggestionFromIntake } from '../services/suggestions.js';
import type { RoutingStatus } from '../domain/vocabulary.js';
import { nextCaseRevision } from '../services/case-revisions.js';
import type { CaseState, IntakeFacts } from './facts.js';

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

/** The routing, deadlines, audit entries and statements of a delivery, decided from its facts. */
export function planRouting(w: Statements, facts: IntakeFacts, manifest: Manifest, arrivedAt: Date, documentRowIds: string[]): RoutingPlan {
  const { dir, calendar, onDate } = facts;
  const orm = w.db.orm;
  const actor = `sender:${manifest.sender.code}`;
  const items: Stmt[] = [];
  const entries: AuditEntry[] = [];
  const perDocument: DocumentRouting[] = [];
  const perDocumentObligations: ObligationSummary[][] = [];
  const inDelivery = new Map<string, CaseState>(facts.cases); // cases that exist, and those this delivery creates
  const createdHere = new Set<string>(); // ids of the cases this delivery creates: no earlier obligations to look for
  const planState = facts.contexts; // the documents of one delivery plan against one view of each case
  const revised = new Map<string, number>(); // existing cases this plan read, with the revision it read
  const policyOf = facts.policies;

  const unitRegion = (unitId: string, fallback: string | undefined) => dir.index.unit(unitId)?.regionCode ?? fallback ?? '';

  for (const [i, doc] of manifest.documents.entries()) {
    const documentId = documentRowIds[i]!;
    let decision: RoutingDecision;
    let caseId: string | null = null;
    let newQueueItem = false;
    let parent: ReturnType<typeof priorInstance>;

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
        parent = priorInstance(facts, doc, manifest.sender.code);
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
    const policy = policyOf(decision.regionCode ?? null);
    const lead = decision.status === 'assigned' ? (decision.assignments.find((a) => a.role === 'lead') ?? decision.assignments[0]) : undefined;
    const parentContext = parent && facts.contexts.get(parent.id);
    const planned = planDocumentObligations(w, {
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
      ...(parentContext ? { parent: { context: parentContext, policy: policyOf(parentContext.regionCode) } } : {}),
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
      const sug = suggestionFromIntake(w, {
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
