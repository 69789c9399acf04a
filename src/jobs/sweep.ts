/**
 * sweep(deps, now): the one periodic job both runtimes call (Node: a timer in adapters/node/main.ts;
 * Workers: the cron trigger). A list of named steps, each idempotent and safe to run concurrently or twice;
 * one failing step is reported and does not stop the others. Time is an argument; no Node API.
 */
import type { Deps } from '../deps.js';
import { fireDueReminders, markOverdue, recomputeOnHolidayDataChange, runPeriodic } from './deadlines.js';
import { deliverOutbox } from './outbox.js';
import { deliverCourtCallbacks } from './court-callbacks.js';
import { revocationSweep } from '../services/revocation.js';
import { timestampReceipts } from '../services/timestamps.js';
import { observeSweep } from '../lib/metrics.js';

export interface SweepReport {
  at: string;
  steps: Record<string, { ok: boolean; ms: number; report?: Record<string, number>; error?: string }>;
}

export type SweepStep = (deps: Deps, now: Date) => Promise<Record<string, number>>;

/** In order: reminders and overdue items put messages in the outbox, which is then delivered. */
export const SWEEP_STEPS: Record<string, SweepStep> = {
  // A new version of the holiday data re-plans the deadlines before anything is reminded or marked overdue.
  calendarData: (deps, now) => recomputeOnHolidayDataChange(deps, now),
  reminders: (deps, now) => fireDueReminders(deps, now),
  overdue: (deps, now) => markOverdue(deps, now),
  periodic: (deps, now) => runPeriodic(deps, now),
  // CRLs and OCSP fetched here, never on the intake path; soft-fail deliveries settled (src/services/revocation.ts).
  revocation: (deps, now) => revocationSweep(deps, now),
  // RFC 3161 tokens over the receipts of the interval: evidence for the courts, delivered by the next two steps.
  timestamps: (deps, now) => timestampReceipts(deps, now),
  outbox: async (deps, now) => ({ ...(await deliverOutbox(deps, now)) }),
  evidence: async (deps, now) => ({ ...(await deliverCourtCallbacks(deps, now)) }),
  orphanBlobs: async (deps, now) => ({ removed: deps.blobs.sweepOrphans ? await deps.blobs.sweepOrphans(now) : 0 }),
};

export async function sweep(deps: Deps, now: Date, steps: Record<string, SweepStep> = SWEEP_STEPS): Promise<SweepReport> {
  const report: SweepReport = { at: now.toISOString(), steps: {} };
  const began = performance.now();
  for (const [name, step] of Object.entries(steps)) {
    const started = performance.now();
    try {
      const r = await step(deps, now);
      report.steps[name] = { ok: true, ms: Math.round(performance.now() - started), report: r };
    } catch (e) {
      report.steps[name] = { ok: false, ms: Math.round(performance.now() - started), error: String((e as Error)?.message ?? e) };
      deps.log.log('error', 'sweep step failed', { step: name, error: String((e as Error)?.stack ?? e) });
    }
  }
  observeSweep(deps, (performance.now() - began) / 1000);
  return report;
}
