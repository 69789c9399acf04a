/**
 * bench/stats (issue 9): a large history in the embedded database (default 1,000,000 cases and 10 documents
 * each = 10,000,000 documents; BENCH_STATS_CASES and BENCH_STATS_DOCS_PER_CASE
 * change it), written in bulk by adapters/node/simulate.ts; then the time of a region-year overview (every
 * figure of one region for 2025) and of a ten-region liaison overview (target: under 250 ms each), the
 * database size per case, and the query plans of the overview's queries.
 *
 * 200 regions × 10 years: each region receives ~500 cases a year (a large urban district; Guangzhou's
 * districts run at hundreds a year), every figure is computed from its whole history up to the period's end.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
/**
 * The indexes this benchmark proposes (not in schemas/db yet; the lead adds the migration):
 *   documents_case_type   the latest outcome document of a case from the index alone
 *   cases_region_cover    the history of a region without reading the case rows
 *   obligations_region_due  obligations due in a period by region
 */
const PROPOSED = [
  'create index if not exists documents_case_type on documents (case_number, type, arrived_at)',
  'create index if not exists cases_region_cover on cases (region_code, created_at, case_number, id)',
  'create index if not exists obligations_region_due on obligations (region_code, due_on)',
];
const PROPOSED_NAMES = ['documents_case_type', 'cases_region_cover', 'obligations_region_due'];

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-bench-stats-'));
  const now = new Date('2026-11-23T02:00:00Z');
  const { deps, client } = await nodeDeps(parseNodeConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', SWEEP_INTERVAL_SECONDS: '0' }), { clock: { now: () => new Date(now) }, log: jsonLogger('warn') });
  const lines: string[] = [];
  try {
    const regions = Array.from({ length: REGIONS }, (_, i) => ({ code: String(500000 + i), units: Array.from({ length: 20 }, (_, k) => `u-${500000 + i}-${k}`) }));
    const built = await writeBulkHistory(client, { cases: CASES, docsPerCase: DOCS_PER_CASE, regions, fromYear: 2017, until: now, seed: 9, chunk: 50_000, log: ctx.log });
    let t = performance.now();
    for (const q of PROPOSED) await client.execute(q);
    const indexS = (performance.now() - t) / 1000;
    t = performance.now();
    await client.execute('ANALYZE');
    const analyzeS = (performance.now() - t) / 1000;
    await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    const file = join(dir, 'fuyuan.db');
    const bytes = statSync(file).size;
    const count = async (table: string) => Number((await client.execute(`select count(*) as n from ${table}`)).rows[0]!.n);
    const sizes = { cases: await count('cases'), documents: await count('documents'), assignments: await count('assignments'), caseSteps: await count('case_steps'), obligations: await count('obligations') };
    lines.push(`built ${sizes.cases.toLocaleString('en')} cases, ${sizes.documents.toLocaleString('en')} documents, ${sizes.caseSteps.toLocaleString('en')} hearing reports, ${sizes.obligations.toLocaleString('en')} obligations in ${round(built.seconds, 1)} s (+ the 3 proposed indexes ${round(indexS, 1)} s, ANALYZE ${round(analyzeS, 1)} s)`);
    lines.push(`database ${round(bytes / 2 ** 30, 2)} GiB = ${Math.round(bytes / sizes.cases).toLocaleString('en')} bytes per case (${DOCS_PER_CASE} documents each; no routing decisions, audit or deliveries per case: a lower bound)`);

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
    const ten = await timeIt(regions.slice(10, 20).map((r) => r.code), '2025');
    lines.push(`region-year overview (1 region, 2025, all figures, proposed indexes): p50 ${one.p50} ms, max ${one.max} ms, ${one.casesRead.toLocaleString('en')} cases in play  ${one.p50 < 250 ? '✓' : '✗'} < 250 ms`);
    lines.push(`liaison overview (10 regions side by side, 2025, proposed indexes): p50 ${ten.p50} ms, max ${ten.max} ms, ${ten.casesRead.toLocaleString('en')} cases in play  ${ten.p50 < 250 ? '✓' : '✗'} < 250 ms`);

    // With the schema's indexes only (what runs until the migration lands): the same two, fewer runs.
    for (const name of PROPOSED_NAMES) await client.execute(`drop index ${name}`);
    const oneNo = await timeIt([regions[7]!.code], '2025', 3);
    const tenNo = await timeIt(regions.slice(10, 20).map((r) => r.code), '2025', 3);
    lines.push(`schema indexes only (obligations by region is a full scan then): 1 region p50 ${oneNo.p50} ms, 10 regions p50 ${tenNo.p50} ms`);
    for (const q of PROPOSED) await client.execute(q);
    await client.execute('ANALYZE');

    const plan = async (q: string) => (await client.execute(`EXPLAIN QUERY PLAN ${q}`)).rows.map((r) => String(r.detail)).join(' | ');
    const rs = `'500010', '500011'`;
    const end = 1767196800000;
    const start = 1735660800000;
    const plans = {
      candidates: await plan(`with h as materialized (select c.id, c.created_at, (select max(d.arrived_at) from documents d where d.case_number = c.case_number and d.type in ('judgment', 'ruling', 'mediation') and d.arrived_at < ${end}) as last_outcome_at
          from cases c where c.region_code in (${rs}) and c.created_at < ${end})
        select h.id from h where h.created_at >= ${start} or h.last_outcome_at >= ${start}
          or (h.last_outcome_at is null and exists (select 1 from case_steps s where s.case_id = h.id and s.kind = 'hearing_held' and json_extract(s.data_json, '$.heldOn') >= '2025-01-01'))
        union select o.case_id from obligations o where o.region_code in (${rs}) and o.due_on >= '2025-01-01' and o.due_on <= '2025-12-31' and o.kind in ('answer_and_evidence') and o.case_id is not null`),
      facts: await plan(`select c.id, json_extract(c.facts_json, '$.challengedAct.domain'),
          (select a.unit_id from assignments a where a.case_id = c.id and a.superseded_at is null order by case a.role when 'lead' then 0 else 1 end, a.created_at limit 1),
          (select d.id from documents d where d.case_number = c.case_number and d.type in ('judgment', 'ruling', 'mediation') and d.arrived_at < ${end} and (d.type = 'mediation' or json_extract(d.entry_json, '$.outcome.result') is not null) order by d.arrived_at desc limit 1)
        from cases c where c.id in ('bulk-000000001', 'bulk-000000002') and c.region_code in (${rs})`),
      hearings: await plan(`select s.id from case_steps s where s.case_id in ('bulk-000000001', 'bulk-000000002') and s.kind = 'hearing_held'`),
      obligations: await plan(`select o.id from obligations o where o.case_id in ('bulk-000000001') and o.due_on >= '2025-01-01' and o.due_on <= '2025-12-31'`),
      standAloneObligations: await plan(`select o.id from obligations o where o.case_id is null and o.region_code in (${rs}) and o.due_on >= '2025-01-01' and o.due_on <= '2025-12-31'`),
    };
    for (const [k, v] of Object.entries(plans)) lines.push(`plan ${k}: ${v}`);
    const full = Object.values(plans).some((p) => /SCAN (cases|documents|obligations|case_steps|assignments)\b(?! USING)/.test(p));
    lines.push(full ? '✗ a full scan in the plans' : '✓ every table reached through an index');
    return {
      lines,
      json: { cases: sizes.cases, documents: sizes.documents, buildSeconds: round(built.seconds, 1), bytesPerCase: Math.round(bytes / sizes.cases), dbBytes: bytes, regionYearMs: one, liaisonTenRegionsMs: ten, schemaIndexesOnly: { regionYearMs: oneNo.p50, liaisonMs: tenNo.p50 }, plans },
    };
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
