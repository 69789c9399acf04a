/**
 * bench/sweep (issue 4): 1,000,000 open obligations (each with a future reminder) in the embedded database;
 * the time of one sweep that finds nothing due, and of one that finds 10,000 reminders due; the query plans
 * of the sweep's two scans (partial indexes, no full scans).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { jsonLogger } from '../../adapters/node/log.js';
import { sweep } from '../../src/jobs/sweep.js';
import { round, type BenchContext, type BenchResult } from '../types.js';

const OBLIGATIONS = Number(process.env.BENCH_SWEEP_OBLIGATIONS ?? 1_000_000);
const DUE = 10_000;

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-bench-sweep-'));
  const fixed = { t: new Date('2026-11-23T02:00:00Z') };
  const { deps, client } = await nodeDeps(parseNodeConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn' }), {
    clock: { now: () => new Date(fixed.t) },
    log: jsonLogger('warn'),
  });
  try {
    const t0 = performance.now();
    // Generated in SQL (a recursive CTE), so building a million rows takes seconds.
    await client.execute(`
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${OBLIGATIONS})
      INSERT INTO obligations (id, case_id, document_id, region_code, rule_id, kind, title_zh, title_en, party, unit_id, due_on, provisional, derivation_json, source, status, created_at, updated_at)
      SELECT printf('ob-%08d', x), printf('case-%07d', x / 3), printf('doc-%08d', x), CASE x % 2 WHEN 0 THEN '330802' ELSE '330803' END, 'answer', 'answer_and_evidence',
             '提交答辩状、证据和依据', 'Answer and evidence', 'unit', CASE x % 2 WHEN 0 THEN 'kc-zrzy' ELSE 'qj-zrzy' END,
             date('2027-01-01', '+' || (x % 1000) || ' days'), 0, '{}', 'ALL 第67条', 'open', 1763863200000, 1763863200000
      FROM c`);
    // One future reminder each; the first 10,000 fall due at 2026-12-01 09:00 Beijing.
    await client.execute(`
      INSERT INTO reminders (id, obligation_id, kind, fire_at, notify_json, source)
      SELECT 'r-' || substr(id, 4), id, 'reminder',
             CASE WHEN CAST(substr(id, 4) AS INTEGER) <= ${DUE} THEN ${Date.UTC(2026, 11, 1, 1)} ELSE 1830000000000 + CAST(substr(id, 4) AS INTEGER) END,
             '["unit"]', 'G 全流程督促跟踪（提醒）'
      FROM obligations`);
    await client.execute('ANALYZE');
    const buildS = (performance.now() - t0) / 1000;
    ctx.log(`built ${OBLIGATIONS} obligations and reminders in ${round(buildS, 1)} s`);

    const plan = async (q: string) => (await client.execute(`EXPLAIN QUERY PLAN ${q}`)).rows.map((r) => String(r.detail)).join(' | ');
    const remindersPlan = await plan(
      `select * from reminders where sent_at is null and cancelled_at is null and fire_at <= ${Date.UTC(2026, 11, 1, 1)} order by fire_at limit 200`,
    );
    const overduePlan = await plan(`select * from obligations where status = 'open' and due_on < '2026-12-01' order by due_on limit 200`);

    // 1: nothing due (2026-11-23).
    fixed.t = new Date('2026-11-23T02:00:00Z');
    let a = performance.now();
    const idle = await sweep(deps, fixed.t);
    const idleMs = performance.now() - a;
    // 2: 10,000 reminders due (2026-12-01 09:00 Beijing); no obligation is overdue yet.
    fixed.t = new Date('2026-12-01T01:00:00Z');
    a = performance.now();
    const busy = await sweep(deps, fixed.t);
    const busyMs = performance.now() - a;
    const fired = busy.steps.reminders?.report?.remindersFired ?? 0;
    // 3: and again at the same instant: nothing left (idempotent).
    a = performance.now();
    const again = await sweep(deps, fixed.t);
    const againMs = performance.now() - a;
    return {
      lines: [
        `sweep: ${OBLIGATIONS.toLocaleString('en')} open obligations with a reminder each (built in ${round(buildS, 1)} s)`,
        `  nothing due          ${round(idleMs, 1)} ms   (steps: ${Object.entries(idle.steps)
          .map(([k, v]) => `${k} ${v.ms} ms`)
          .join(', ')})`,
        `  ${fired.toLocaleString('en')} reminders due   ${round(busyMs, 0)} ms   (${round(busyMs / Math.max(fired, 1), 3)} ms per reminder, audited, in batches of 200)`,
        `  the same instant again  ${round(againMs, 1)} ms, fired ${again.steps.reminders?.report?.remindersFired ?? 0}`,
        `  plan, due reminders:  ${remindersPlan}`,
        `  plan, overdue scan:   ${overduePlan}`,
      ],
      json: {
        obligations: OBLIGATIONS,
        buildSeconds: round(buildS, 1),
        idleMs: round(idleMs, 1),
        dueReminders: fired,
        busyMs: round(busyMs, 0),
        againMs: round(againMs, 1),
        remindersPlan,
        overduePlan,
      },
    };
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
