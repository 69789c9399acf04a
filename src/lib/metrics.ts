/**
 * /metrics in the Prometheus text exposition format (version 0.0.4): what an operator alerts on.
 *
 *   fuyuan_deliveries_total{outcome, problem}     counter: POST /v1/deliveries by outcome (accepted, repeated,
 *                                                 refused, failed) and problem type slug (refusals)
 *   fuyuan_intake_duration_seconds                histogram: POST /v1/deliveries, arrival to answer
 *   fuyuan_outbox_pending{destination}            gauge: rows waiting to leave, per destination
 *   fuyuan_outbox_oldest_pending_seconds{destination}  gauge: age of the oldest of them
 *   fuyuan_outbox_dead{destination}               gauge: dead letters waiting for an operator
 *   fuyuan_obligations{status}                    gauge: open and overdue obligations
 *   fuyuan_sweep_duration_seconds                 gauge: the last sweep run by this process (absent before one)
 *   fuyuan_audit_head_age_seconds                 gauge: time since the last audit record was written
 *   fuyuan_db_writer_seconds_total{phase}         counter: the database's write thread busy, by phase (lock_wait:
 *                                                 BEGIN IMMEDIATE, waiting for another connection's lock; statements;
 *                                                 commit: writing and syncing the WAL; checkpoint); summed over the
 *                                                 phases, its rate is how busy the write path is (near 1: saturated)
 *   fuyuan_db_writer_batches_total                counter: transactions the write thread began
 *   fuyuan_db_checkpoints_total                   counter: checkpoints it ran once idle
 * (the fuyuan_db_* families only where the database has a write thread of its own: the embedded file)
 *
 * Counters live in this process (per Deps); the gauges are read from the database at scrape time, so every
 * instance reports the same backlog. Runtime-neutral.
 */
import { count, eq, inArray, max, min } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { auditLog, obligations, outbox } from '../../schemas/db/index.js';

/** Upper bounds of the intake latency histogram, in seconds. */
export const INTAKE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Registry {
  deliveries: Map<string, number>; // `${outcome}\u0000${problem}` → count
  intake: { buckets: number[]; sum: number; count: number };
  sweepSeconds?: number;
}

const registries = new WeakMap<Deps, Registry>();
function registry(deps: Deps): Registry {
  let r = registries.get(deps);
  if (!r) registries.set(deps, (r = { deliveries: new Map(), intake: { buckets: INTAKE_BUCKETS.map(() => 0), sum: 0, count: 0 } }));
  return r;
}

export type DeliveryOutcome = 'accepted' | 'repeated' | 'refused' | 'failed';

export function observeDelivery(deps: Deps, outcome: DeliveryOutcome, problem: string, seconds: number) {
  const r = registry(deps);
  const key = `${outcome}\u0000${problem}`;
  r.deliveries.set(key, (r.deliveries.get(key) ?? 0) + 1);
  INTAKE_BUCKETS.forEach((le, i) => seconds <= le && r.intake.buckets[i]!++);
  r.intake.sum += seconds;
  r.intake.count++;
}

export function observeSweep(deps: Deps, seconds: number) {
  registry(deps).sweepSeconds = seconds;
}

/** A label value escaped as the format requires (backslash, double quote, newline). */
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) => {
  const e = Object.entries(l);
  return e.length ? `{${e.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}` : '';
};

export async function renderMetrics(deps: Deps, now: Date): Promise<string> {
  const r = registry(deps);
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: [Record<string, string>, number][], suffix = '') => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) out.push(`${name}${suffix}${labels(l)} ${Number.isFinite(v) ? v : 0}`);
  };

  family(
    'fuyuan_deliveries_total',
    'counter',
    'Deliveries (POST /v1/deliveries) answered by this process, by outcome and problem type.',
    [...r.deliveries].map(([k, v]) => {
      const [outcome, problem] = k.split('\u0000') as [string, string];
      return [{ outcome, problem }, v];
    }),
  );
  out.push('# HELP fuyuan_intake_duration_seconds Time from a delivery request to its answer.', '# TYPE fuyuan_intake_duration_seconds histogram');
  INTAKE_BUCKETS.forEach((le, i) => out.push(`fuyuan_intake_duration_seconds_bucket{le="${le}"} ${r.intake.buckets[i]}`));
  out.push(
    `fuyuan_intake_duration_seconds_bucket{le="+Inf"} ${r.intake.count}`,
    `fuyuan_intake_duration_seconds_sum ${r.intake.sum}`,
    `fuyuan_intake_duration_seconds_count ${r.intake.count}`,
  );

  const usage = deps.db.writerUsage?.();
  if (usage) {
    const { lockWait, statements, commit, checkpoint } = usage.seconds;
    family(
      'fuyuan_db_writer_seconds_total',
      'counter',
      "Time the database's write thread spent, by phase; the rate of the sum is how busy the write path is.",
      [
        [{ phase: 'lock_wait' }, lockWait],
        [{ phase: 'statements' }, statements],
        [{ phase: 'commit' }, commit],
        [{ phase: 'checkpoint' }, checkpoint],
      ],
    );
    family('fuyuan_db_writer_batches_total', 'counter', "Transactions the database's write thread began.", [[{}, usage.batches]]);
    family('fuyuan_db_checkpoints_total', 'counter', "Checkpoints the database's write thread ran once idle.", [[{}, usage.checkpoints]]);
  }

  const { orm } = deps.db;
  const pending = await orm
    .select({ destination: outbox.destination, n: count(), oldest: min(outbox.createdAt) })
    .from(outbox)
    .where(eq(outbox.status, 'pending'))
    .groupBy(outbox.destination);
  family(
    'fuyuan_outbox_pending',
    'gauge',
    'Outbox rows waiting to leave, per destination.',
    pending.map((p) => [{ destination: p.destination }, p.n]),
  );
  family(
    'fuyuan_outbox_oldest_pending_seconds',
    'gauge',
    'Age of the oldest outbox row waiting to leave, per destination.',
    pending.map((p) => [{ destination: p.destination }, p.oldest ? Math.max(0, (now.getTime() - new Date(p.oldest).getTime()) / 1000) : 0]),
  );
  const dead = await orm.select({ destination: outbox.destination, n: count() }).from(outbox).where(eq(outbox.status, 'dead')).groupBy(outbox.destination);
  family(
    'fuyuan_outbox_dead',
    'gauge',
    'Dead letters waiting for an operator, per destination.',
    dead.map((d) => [{ destination: d.destination }, d.n]),
  );

  const obs = await orm
    .select({ status: obligations.status, n: count() })
    .from(obligations)
    .where(inArray(obligations.status, ['open', 'overdue']))
    .groupBy(obligations.status);
  const byStatus = new Map(obs.map((o) => [o.status, o.n]));
  family(
    'fuyuan_obligations',
    'gauge',
    'Obligations not yet done, by status.',
    (['open', 'overdue'] as const).map((s) => [{ status: s }, byStatus.get(s) ?? 0]),
  );

  if (r.sweepSeconds !== undefined) family('fuyuan_sweep_duration_seconds', 'gauge', 'Duration of the last sweep run by this process.', [[{}, r.sweepSeconds]]);
  const [head] = await orm.select({ at: max(auditLog.at) }).from(auditLog);
  if (head?.at)
    family('fuyuan_audit_head_age_seconds', 'gauge', 'Time since the last audit record was written.', [
      [{}, Math.max(0, (now.getTime() - new Date(head.at).getTime()) / 1000)],
    ]);
  return out.join('\n') + '\n';
}
