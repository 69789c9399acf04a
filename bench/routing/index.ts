/**
 * bench/routing: resolve 100,000 documents against a directory of 5,000 units across 50 regions (issue 3).
 * A generated directory in the shape of the demo one (per region: government, office, justice bureau,
 * departments with aliases, townships, entrusted teams, abolished units with successors) and a mix of case
 * facts: full names, aliases, written with spaces and full-width characters, entrusted organisations,
 * successors, joint acts, reviews, unknown names. Prints documents/s and the p99 per document.
 */
import { buildDirectoryIndex, route, type DirectoryData, type Unit } from '../../src/domain/routing/index.js';
import type { CaseInfo } from '../../schemas/api/manifest.js';
import { percentile, round, type BenchContext, type BenchResult } from '../types.js';

const REGIONS = 50;
const UNITS_PER_REGION = 100;
const DOCUMENTS = 100_000;
const DEPTS = [
  '自然资源局',
  '住房和城乡建设局',
  '市场监督管理局',
  '人力资源和社会保障局',
  '综合行政执法局',
  '生态环境分局',
  '农业农村局',
  '交通运输局',
  '卫生健康局',
  '应急管理局',
  '水利局',
  '教育局',
  '民政局',
  '财政局',
  '商务局',
  '文化和旅游局',
  '退役军人事务局',
  '医疗保障局',
  '林业局',
  '统计局',
];

/** A deterministic generator (mulberry32), so every run routes the same documents. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function directory(): DirectoryData {
  const regions = [];
  const units: Unit[] = [];
  for (let r = 0; r < REGIONS; r++) {
    const code = String(330100 + r * 2).padStart(6, '0');
    const name = `第${r + 1}区`;
    regions.push({ code, name });
    const id = (s: string) => `r${r}-${s}`;
    units.push({ id: id('gov'), regionCode: code, name: `${name}人民政府`, aliases: ['区人民政府'], kind: 'government' });
    units.push({ id: id('office'), regionCode: code, name: `${name}人民政府办公室`, aliases: ['区政府办公室'], kind: 'government_office' });
    units.push({ id: id('sfj'), regionCode: code, name: `${name}司法局`, aliases: ['区司法局'], kind: 'justice_bureau' });
    let n = 3;
    for (const d of DEPTS) {
      units.push({ id: id(`d${n}`), regionCode: code, name: `${name}${d}`, aliases: [`区${d}`], kind: 'department' });
      n++;
    }
    for (let t = 0; n < UNITS_PER_REGION - 10; t++, n++) {
      units.push({ id: id(`t${t}`), regionCode: code, name: `${name}第${t + 1}街道办事处`, aliases: [`第${t + 1}街道`], kind: 'township' });
    }
    for (let e = 0; e < 5; e++, n++) {
      units.push({
        id: id(`e${e}`),
        regionCode: code,
        name: `${name}第${e + 1}街道综合行政执法队`,
        aliases: [],
        kind: 'entrusted_org',
        entrustedBy: id(`t${e}`),
      });
    }
    for (let a = 0; a < 5; a++, n++) {
      units.push({
        id: id(`old${a}`),
        regionCode: code,
        name: `${name}原${DEPTS[a]}`,
        aliases: [],
        kind: 'department',
        abolishedOn: '2019-03-01',
        successorId: id(`d${3 + a}`),
      });
    }
  }
  return {
    regions,
    units,
    courts: [{ code: 'court-bench', name: '基准测试法院', kind: 'court', servedRegions: regions.map((r) => ({ regionCode: r.code, from: '2020-01-01' })) }],
  };
}

function facts(dir: DirectoryData, next: () => number): CaseInfo[] {
  const byRegion = new Map<string, Unit[]>();
  for (const u of dir.units) byRegion.set(u.regionCode, [...(byRegion.get(u.regionCode) ?? []), u]);
  const out: CaseInfo[] = [];
  for (let i = 0; i < DOCUMENTS; i++) {
    const region = dir.regions[Math.floor(next() * REGIONS)]!;
    const list = byRegion.get(region.code)!;
    const pick = () => list[Math.floor(next() * list.length)]!;
    const x = next();
    const u = pick();
    // Mostly one unit written by its name or an alias; some spaced/full-width, joint acts, reviews, unknown names.
    let written =
      x < 0.5
        ? u.name
        : x < 0.7 && u.aliases[0]
          ? `${region.name}${u.aliases[0]!.replace(/^区/, '')}`
          : x < 0.8
            ? u.name.replace(/(.)(.)/, '$1 $2').replace(/局$/, '局　')
            : u.name;
    if (x > 0.97) written = `不存在的单位${i}`;
    const acting = x > 0.9 && x <= 0.93 ? [{ name: written }, { name: pick().name }] : [{ name: written }];
    const review =
      x > 0.93 && x <= 0.97
        ? { organ: { name: `${region.name}人民政府` }, outcome: (x > 0.95 ? 'maintained' : 'changed') as 'maintained' | 'changed' }
        : undefined;
    out.push({
      caseNumber: `(2026)浙0825行初${i}号`,
      court: { code: 'court-bench', name: '基准测试法院' },
      instance: 'first',
      plaintiffs: [{ name: '张某' }],
      defendants:
        review && review.outcome === 'maintained' ? [...acting, { name: `${region.name}人民政府` }] : review ? [{ name: `${region.name}人民政府` }] : acting,
      challengedAct: { description: '行政处罚决定', actingUnits: acting, kind: 'act' },
      ...(review ? { administrativeReview: review } : {}),
    });
  }
  return out;
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = performance.now();
  const data = directory();
  const index = buildDirectoryIndex(data);
  const indexMs = performance.now() - t0;
  ctx.log(`directory: ${data.units.length} units in ${data.regions.length} regions, indexed in ${round(indexMs, 1)} ms`);
  const docs = facts(data, rng(42));
  // Warm-up, then time each document.
  for (let i = 0; i < 2000; i++) route(docs[i]!, index, '2026-11-23');
  const times = new Float64Array(docs.length);
  let assigned = 0;
  let queued = 0;
  let empty = 0;
  let crossRegion = 0;
  const start = performance.now();
  for (let i = 0; i < docs.length; i++) {
    const a = performance.now();
    const d = route(docs[i]!, index, '2026-11-23');
    times[i] = performance.now() - a;
    if (d.status === 'assigned') {
      assigned++;
      if (d.assignments.length === 0) empty++;
      if (new Set(d.assignments.map((x) => index.unit(x.unitId)?.regionCode)).size > 1) crossRegion++;
    } else queued++;
  }
  const totalMs = performance.now() - start;
  const sorted = Array.from(times).sort((x, y) => x - y);
  const perSecond = docs.length / (totalMs / 1000);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  return {
    lines: [
      `routing: ${docs.length} documents, directory of ${data.units.length} units in ${data.regions.length} regions (indexed once in ${round(indexMs, 1)} ms)`,
      `  ${Math.round(perSecond).toLocaleString('en')} documents/s   p50 ${round(p50 * 1000, 1)} µs   p99 ${round(p99 * 1000, 1)} µs   max ${round(sorted.at(-1)! * 1000, 1)} µs`,
      `  assigned ${assigned}, queued ${queued} (unknown names, joint acts, unclear reviews); assigned with no unit: ${empty}; crossing regions: ${crossRegion}`,
    ],
    json: {
      documents: docs.length,
      units: data.units.length,
      regions: data.regions.length,
      indexMs: round(indexMs, 2),
      perSecond: Math.round(perSecond),
      p50Us: round(p50 * 1000, 2),
      p99Us: round(p99 * 1000, 2),
      assigned,
      queued,
      empty,
      crossRegion,
    },
  };
}
