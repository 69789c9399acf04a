/**
 * bench/stats (issue 9): a large history in the embedded database (default 1,000,000 cases and 10 documents
 * each = 10,000,000 documents; BENCH_STATS_CASES and BENCH_STATS_DOCS_PER_CASE
 * change it), written in bulk by adapters/node/simulate.ts; then the time of a region-year overview (every
 * figure of one region for 2025) and of a ten-region liaison overview (target: under 250 ms each), the
 * database size per case, and the query plans of the overview's queries (the statements loadFacts runs,
 * captured from one overview and explained with their own parameters).
 *
 * The indexes are the schema's (the database comes from nodeDeps with every migration applied): documents_case,
 * cases_region and obligations_region_due (migration 0009), cases_region_outcome over cases.last_outcome_at
 * (migration 0010, which writeBulkHistory fills as intake does). ANALYZE runs once after the bulk write.
 *
 * 200 regions × 10 years: each region receives ~500 cases a year (a large urban district; Guangzhou's
 * districts run at hundreds a year), every figure is computed from its whole history up to the period's end.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InArgs, InStatement } from '@libsql/client';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { jsonLogger } from '../../adapters/node/log.js';
import { writeBulkHistory } from '../../adapters/node/simulate.js';
import { computeScope } from '../../src/services/statistics.js';
import { parsePeriod } from '../../src/domain/statistics/index.js';
import { percentile, round, type BenchContext, type BenchResult } from '../types.js';

const CASES = Number(process.env.BENCH_STATS_CASES ?? 1_000_000);
const DOCS_PER_CASE = Number(process.env.BENCH_STATS_DOCS_PER_CASE ?? 10);
const REGIONS = 200;
/** The statements of loadFacts (src/services/statistics.ts), in the order it runs them. */
const QUERY_NAMES = ['candidates', 'facts', 'hearings', 'obligations', 'standAloneObligations'];

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-bench-stats-'));
  const now = new Date('2026-11-23T02:00:00Z');
  const { deps, client } = await nodeDeps(parseNodeConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', SWEEP_INTERVAL_SECONDS: '0' }), {
    clock: { now: () => new Date(now) },
    log: jsonLogger('warn'),
  });
  const lines: string[] = [];
  try {
    const regions = Array.from({ length: REGIONS }, (_, i) => ({
      code: String(500000 + i),
      units: Array.from({ length: 20 }, (_, k) => `u-${500000 + i}-${k}`),
    }));
    const built = await writeBulkHistory(client, {
      cases: CASES,
      docsPerCase: DOCS_PER_CASE,
      regions,
      fromYear: 2017,
      until: now,
      seed: 9,
      chunk: 50_000,
      log: ctx.log,
    });
    const t = performance.now();
    await client.execute('ANALYZE');
    const analyzeS = (performance.now() - t) / 1000;
    await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    const file = join(dir, 'fuyuan.db');
    const bytes = statSync(file).size;
    const count = async (table: string) => Number((await client.execute(`select count(*) as n from ${table}`)).rows[0]!.n);
    const sizes = {
      cases: await count('cases'),
      documents: await count('documents'),
      assignments: await count('assignments'),
      caseSteps: await count('case_steps'),
      obligations: await count('obligations'),
    };
    lines.push(
      `built ${sizes.cases.toLocaleString('en')} cases, ${sizes.documents.toLocaleString('en')} documents, ${sizes.caseSteps.toLocaleString('en')} hearing reports, ${sizes.obligations.toLocaleString('en')} obligations in ${round(built.seconds, 1)} s (+ ANALYZE ${round(analyzeS, 1)} s)`,
    );
    lines.push(
      `database ${round(bytes / 2 ** 30, 2)} GiB = ${Math.round(bytes / sizes.cases).toLocaleString('en')} bytes per case (${DOCS_PER_CASE} documents each; no routing decisions, audit or deliveries per case: a lower bound)`,
    );

    const timeIt = async (regionCodes: string[], period: string, runs = 7) => {
      const ms: number[] = [];
      let figures = 0;
      for (let i = 0; i < runs; i++) {
        const a = performance.now();
        const r = await computeScope(deps, { regions: regionCodes, period: parsePeriod(period), filters: {}, variants: {}, figuresOnly: false });
        ms.push(performance.now() - a);
        figures = r.facts.cases.length;
      }
      ms.sort((x, y) => x - y);
      return { p50: round(percentile(ms, 50), 1), max: round(ms.at(-1)!, 1), cold: round(ms[0]!, 1), casesRead: figures };
    };
    const one = await timeIt([regions[7]!.code], '2025');
    const ten = await timeIt(
      regions.slice(10, 20).map((r) => r.code),
      '2025',
    );
    lines.push(
      `region-year overview (1 region, 2025, all figures): p50 ${one.p50} ms, max ${one.max} ms, ${one.casesRead.toLocaleString('en')} cases in play  ${one.p50 < 250 ? '✓' : '✗'} < 250 ms`,
    );
    lines.push(
      `liaison overview (10 regions side by side, 2025): p50 ${ten.p50} ms, max ${ten.max} ms, ${ten.casesRead.toLocaleString('en')} cases in play  ${ten.p50 < 250 ? '✓' : '✗'} < 250 ms`,
    );

    // The plans of the statements one overview (two regions, 2025) runs, each with its own parameters.
    const seen: { sql: string; args: InArgs }[] = [];
    const execute = client.execute.bind(client);
    client.execute = ((stmt: InStatement) => {
      seen.push(typeof stmt === 'string' ? { sql: stmt, args: [] } : { sql: stmt.sql, args: stmt.args ?? [] });
      return execute(stmt);
    }) as typeof client.execute;
    try {
      await computeScope(deps, { regions: [regions[10]!.code, regions[11]!.code], period: parsePeriod('2025'), filters: {}, variants: {}, figuresOnly: false });
    } finally {
      client.execute = execute;
    }
    const plans: Record<string, string> = {};
    for (const [i, q] of seen.entries()) {
      const detail = (await client.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.args })).rows.map((r) => String(r.detail)).join(' | ');
      plans[seen.length === QUERY_NAMES.length ? QUERY_NAMES[i]! : `query${i + 1}`] = detail;
    }
    for (const [k, v] of Object.entries(plans)) lines.push(`plan ${k}: ${v}`);
    const full = Object.values(plans).some((p) => /SCAN (cases|documents|obligations|case_steps|assignments)\b(?! USING)/.test(p));
    lines.push(full ? '✗ a full scan in the plans' : '✓ every table reached through an index');
    return {
      lines,
      json: {
        cases: sizes.cases,
        documents: sizes.documents,
        buildSeconds: round(built.seconds, 1),
        bytesPerCase: Math.round(bytes / sizes.cases),
        dbBytes: bytes,
        regionYearMs: one,
        liaisonTenRegionsMs: ten,
        plans,
      },
    };
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
