/** The directory: names, aliases, prefixes, succession, collective jurisdiction, file validation. */
import { describe, expect, it } from 'vitest';
import { demoDirectory, DEMO_DIRECTORY_DATA } from './demo-directory.js';
import { buildDirectoryIndex, normaliseName, type NameResolution } from './directory.js';
import { DirectoryFile, DirectoryValidationError, isValidUnitCode, loadDirectory, parseDirectoryFile, unitCodeCheckChar } from './directory-file.js';
import { caseOf, KECHENG_COURT, LONGYOU, QUJIANG_COURT } from './fixtures.js';
import { route } from './rules.js';
import type { RoutingFact } from './types.js';

const dir = demoDirectory();
const KC = '330802';
const QJ = '330803';

const idOf = (r: NameResolution) => (r.kind === 'found' ? r.unit.id : r.kind);
const resolvedFacts = (facts: readonly RoutingFact[]) => facts.filter((f): f is Extract<RoutingFact, { kind: 'resolved' }> => f.kind === 'resolved');

describe('normaliseName', () => {
  it('folds full-width characters, removes every kind of space (incl. U+3000) and unifies brackets', () => {
    expect(normaliseName('  柯城区\u3000自然 资源局\t')).toBe('柯城区自然资源局');
    expect(normaliseName('衢州市柯城区（航埠镇）综合执法队')).toBe('衢州市柯城区(航埠镇)综合执法队');
    expect(normaliseName('【府山街道】〔2021〕')).toBe('(府山街道)(2021)');
    expect(normaliseName('ＡＢＣ１２３ｘ')).toBe('ABC123X');
    expect(normaliseName('柯城区\u200B司法局\uFEFF')).toBe('柯城区司法局');
  });

  it('resolves a name written with full-width spaces and brackets', () => {
    expect(idOf(dir.resolveName('柯城区　自然资源局', KC))).toBe('kc-zrzy');
    expect(idOf(dir.resolveName(' 衢州市柯城区司法局 ', KC))).toBe('kc-sfj');
  });
});

describe('name and alias resolution', () => {
  it('the three ways courts write Kecheng natural resources resolve to 衢州市自然资源和规划局柯城分局', () => {
    for (const written of ['衢州市自然资源和规划局柯城分局', '柯城区自然资源局', '区自然资源局']) {
      const r = dir.resolveName(written, KC);
      expect(r.kind, written).toBe('found');
      expect(idOf(r), written).toBe('kc-zrzy');
    }
    const r = dir.resolveName('柯城区自然资源局', KC);
    expect(r).toMatchObject({ kind: 'found', via: 'alias', matched: '柯城区自然资源局' });
    expect(dir.resolveName('衢州市自然资源和规划局柯城分局', KC)).toMatchObject({ via: 'name' });
  });

  it('tolerates a region prefix added or stripped, when that points at exactly one unit', () => {
    expect(dir.resolveName('衢州市柯城区自然资源局', KC)).toMatchObject({ kind: 'found', via: 'prefix_stripped' });
    expect(dir.resolveName('市场监督管理局', KC)).toMatchObject({ kind: 'found', via: 'prefix_added' });
    expect(idOf(dir.resolveName('市场监督管理局', KC))).toBe('kc-scjg');
    expect(idOf(dir.resolveName('衢州市衢江区农业农村局', QJ))).toBe('qj-nync');
    // the bare level character: 区府山街道 for 柯城区府山街道
    expect(dir.resolveNameIn('区府山街道', [KC, QJ])).toMatchObject({ kind: 'found', via: 'prefix_added', unit: { id: 'kc-fushan' } });
    // a region prefix only ever matches that region's names
    expect(dir.resolveName('柯城区农业农村局', QJ)).toEqual({ kind: 'unknown' });
  });

  it('never guesses: the same short name in two served regions is ambiguous, with both candidates', () => {
    const r = dir.resolveNameIn('区自然资源局', [KC, QJ]);
    expect(r.kind).toBe('ambiguous');
    if (r.kind === 'ambiguous') expect(r.candidates.map((c) => c.unit.id).sort()).toEqual(['kc-zrzy', 'qj-zrzy']);
    expect(dir.resolveNameIn('自然资源局', [KC, QJ]).kind).toBe('ambiguous');
  });

  it('never guesses: two entrusted teams sharing an alias in one region are ambiguous', () => {
    const r = dir.resolveName('综合执法队', KC);
    expect(r.kind).toBe('ambiguous');
    if (r.kind === 'ambiguous') expect(r.candidates.map((c) => c.unit.id)).toEqual(['kc-hangbu-zfd', 'kc-shiliang-zfd']);
  });

  it('an unknown name is unknown, not the nearest match', () => {
    expect(dir.resolveName('柯城区文化广电旅游体育局', KC)).toEqual({ kind: 'unknown' });
    expect(dir.resolveName('', KC)).toEqual({ kind: 'unknown' });
    expect(dir.resolveName('柯城区住建局', '999999')).toEqual({ kind: 'unknown' });
  });

  it('finds a unit by 统一社会信用代码 or by directory id', () => {
    expect(dir.unitByCode('11330802002621484G')?.id).toBe('kc-sfj');
    expect(dir.unitByCode(' 11330802002621484g ')?.id).toBe('kc-sfj');
    expect(dir.unitByCode('qj-sfj')?.id).toBe('qj-sfj');
    expect(dir.justiceBureaus(KC, '2022-01-01').map((u) => u.id)).toEqual(['kc-sfj']);
    expect(dir.governments(QJ, '2022-01-01').map((u) => u.id)).toEqual(['qj-gov']);
  });
});

describe('successor chains [B 第三条(四)]', () => {
  it('follows a chain over two hops, relative to the date', () => {
    expect(dir.successorChain('kc-cgzf', '2016-02-29')).toMatchObject({ kind: 'current', unit: { id: 'kc-cgzf' }, hops: [] });
    const one = dir.successorChain('kc-cgzf', '2016-03-01');
    expect(one.kind).toBe('current');
    expect(one.unit.id).toBe('kc-cgj');
    const two = dir.successorChain('kc-cgzf', '2019-03-29');
    expect(two.unit.id).toBe('kc-zhzf');
    expect(two.hops.map((h) => `${h.from.id}→${h.to.id}`)).toEqual(['kc-cgzf→kc-cgj', 'kc-cgj→kc-zhzf']);
  });

  it('R4 B 第三条(四): a unit abolished after the act but before the suit is routed to its successor as of the routing date', () => {
    // 衢江区农业局 made the act in 2018; abolished 2019-03-01; the complaint arrives 2019-06-10.
    const facts = caseOf({ acting: ['衢江区农业局'], court: QUJIANG_COURT, caseNumber: '(2019)浙0803行初31号' });
    const after = route(facts, dir, '2019-06-10');
    expect(after.rule).toBe('R4');
    expect(after.assignments.map((a) => a.unitId)).toEqual(['qj-nync']);
    const before = route(facts, dir, '2019-02-20');
    expect(before.rule).toBe('R1');
    expect(before.assignments.map((a) => a.unitId)).toEqual(['qj-nyj']);
  });

  it('detects cycles and missing successors', () => {
    const idx = buildDirectoryIndex({
      regions: [{ code: '110101', name: '东城区' }],
      units: [
        { id: 'a', regionCode: '110101', name: '甲', aliases: [], kind: 'department', abolishedOn: '2020-01-01', successorId: 'b' },
        { id: 'b', regionCode: '110101', name: '乙', aliases: [], kind: 'department', abolishedOn: '2020-01-01', successorId: 'a' },
        { id: 'c', regionCode: '110101', name: '丙', aliases: [], kind: 'department', abolishedOn: '2020-01-01' },
      ],
      courts: [],
    });
    expect(idx.successorChain('a', '2021-01-01').kind).toBe('cycle');
    expect(idx.successorChain('c', '2021-01-01')).toMatchObject({ kind: 'no_successor', unit: { id: 'c' } });
    expect(() => idx.successorChain('zzz', '2021-01-01')).toThrow(RangeError);
  });
});

describe('cross-district collective jurisdiction [Q 一(一)]', () => {
  it('Longyou court serves Kecheng and Qujiang from 2021-04-08; the district courts until 2021-04-07', () => {
    expect(dir.regionsServedBy('court-longyou', '2021-04-07')).toEqual(['330825']);
    expect([...dir.regionsServedBy('court-longyou', '2021-04-08')].sort()).toEqual(['330802', '330803', '330825']);
    expect(dir.regionsServedBy('court-kecheng', '2021-04-07')).toEqual([KC]);
    expect(dir.regionsServedBy('court-kecheng', '2021-04-08')).toEqual([]);
    expect(dir.regionsServedBy('court-qujiang', '2021-04-07')).toEqual([QJ]);
    expect(dir.regionsServedBy('procuratorate-kecheng', '2024-01-01')).toEqual([KC]);
    expect(dir.regionsServedBy('no-such-court', '2024-01-01')).toEqual([]);
  });

  it('routes by the defendant unit’s district, never by the court’s seat: one court, two districts', () => {
    const kc = route(caseOf({ acting: ['柯城区市场监管局'] }), dir, '2022-03-01');
    const qj = route(caseOf({ acting: ['衢江区市场监管局'] }), dir, '2022-03-01');
    expect(kc.regionCode).toBe(KC);
    expect(qj.regionCode).toBe(QJ);
    expect(kc.assignments.map((a) => a.unitId)).toEqual(['kc-scjg']);
    expect(qj.assignments.map((a) => a.unitId)).toEqual(['qj-scjg']);
    // Longyou court sits in 330825: never the region of these cases
    expect([kc.regionCode, qj.regionCode]).not.toContain('330825');
  });

  it('a short name is resolved in the regions the court served on that date: the answer changes on 2021-04-08', () => {
    // Kecheng court on 2021-04-07 serves only Kecheng: 区自然资源局 is Kecheng's.
    const d1 = route(caseOf({ acting: ['区自然资源局'], court: KECHENG_COURT }), dir, '2021-04-07');
    expect(d1.status).toBe('assigned');
    expect(d1.assignments.map((a) => a.unitId)).toEqual(['kc-zrzy']);
    // Qujiang court on the same day: Qujiang's.
    const d2 = route(caseOf({ acting: ['区自然资源局'], court: QUJIANG_COURT }), dir, '2021-04-07');
    expect(d2.assignments.map((a) => a.unitId)).toEqual(['qj-zrzy']);
    // Longyou court from 2021-04-08 serves both: the same words are ambiguous → queued with candidates.
    const d3 = route(caseOf({ acting: ['区自然资源局'], court: LONGYOU }), dir, '2021-04-08');
    expect(d3.status).toBe('queued');
    expect(d3.rule).toBe('R9');
    expect(d3.queueReason).toBe('ambiguous_unit');
    expect(d3.regionCode).toBeUndefined();
    expect(d3.candidateRegions).toEqual([KC, QJ]);
    expect(d3.candidates?.[0]?.units.map((u) => u.unitId).sort()).toEqual(['kc-zrzy', 'qj-zrzy']);
    expect(d3.assignments).toEqual([]);
  });

  it('a defendant written in full fixes the case’s district, and the short acting-unit name is read there', () => {
    const d = route(caseOf({ acting: ['区自然资源局'], defendants: ['衢州市衢江区人民政府'] }), dir, '2021-06-01');
    expect(d.status).toBe('assigned');
    expect(d.assignments.map((a) => a.unitId)).toEqual(['qj-zrzy']);
    expect(resolvedFacts(d.facts).find((f) => f.party === 'acting_unit')).toMatchObject({ scope: 'case_region', unitId: 'qj-zrzy' });
  });

  it('a case filed with the other collective court (with leave, Q 一(一)) still routes by the defendant, noted in facts', () => {
    const d = route(caseOf({ acting: ['衢州市柯城区市场监督管理局'], court: KECHENG_COURT }), dir, '2022-03-01');
    expect(d.assignments.map((a) => a.unitId)).toEqual(['kc-scjg']);
    expect(resolvedFacts(d.facts)[0]?.scope).toBe('all_regions');
  });

  it('records which written name resolved to which unit, by which alias', () => {
    const d = route(caseOf({ acting: ['柯城区自然资源局'], defendants: ['衢州市自然资源和规划局柯城分局'] }), dir, '2022-03-01');
    expect(resolvedFacts(d.facts)).toEqual([
      expect.objectContaining({
        party: 'acting_unit',
        written: '柯城区自然资源局',
        unitId: 'kc-zrzy',
        via: 'alias',
        matched: '柯城区自然资源局',
        scope: 'court_regions',
      }),
      expect.objectContaining({ party: 'defendant', written: '衢州市自然资源和规划局柯城分局', unitId: 'kc-zrzy', via: 'name' }),
    ]);
    expect(d.facts[0]).toMatchObject({ kind: 'court_regions', courtCode: 'court-longyou', known: true });
  });
});

describe('DirectoryFile (loading JSON)', () => {
  const valid = () =>
    JSON.parse(JSON.stringify(DEMO_DIRECTORY_DATA)) as { units: Record<string, unknown>[]; courts: Record<string, unknown>[]; regions: unknown[] };

  it('the demo directory validates', () => {
    expect(parseDirectoryFile(DEMO_DIRECTORY_DATA).ok).toBe(true);
    expect(dir.unitsInRegion(KC).length).toBeGreaterThanOrEqual(20);
    expect(dir.unitsInRegion(QJ).length).toBeGreaterThanOrEqual(18);
    expect(DirectoryFile.safeParse(DEMO_DIRECTORY_DATA).success).toBe(true);
  });

  it('reports duplicate ids, dangling references, successor loops and bad periods, each with its path', () => {
    const d = valid();
    d.units.push({ ...d.units[0], aliases: [] }); // duplicate id kc-gov
    d.units.push({ id: 'x-team', regionCode: KC, name: '某执法队', kind: 'entrusted_org', entrustedBy: 'nobody' });
    d.units.push({ id: 'x-old', regionCode: KC, name: '某旧局', kind: 'department', abolishedOn: '2020-01-01', successorId: 'ghost' });
    d.units.push({ id: 'x-a', regionCode: KC, name: '甲局', kind: 'department', abolishedOn: '2020-01-01', successorId: 'x-b' });
    d.units.push({ id: 'x-b', regionCode: KC, name: '乙局', kind: 'department', abolishedOn: '2020-01-01', successorId: 'x-a' });
    d.units.push({ id: 'x-far', regionCode: '999999', name: '外地局', kind: 'department' });
    d.units.push({ id: 'x-org', regionCode: KC, name: '无委托队', kind: 'entrusted_org' });
    d.units.push({ id: 'x-succ', regionCode: KC, name: '有继任未撤销', kind: 'department', successorId: 'kc-gov' });
    d.units.push({ id: 'x-code', regionCode: KC, name: '错码局', kind: 'department', unitCode: '11330802002621484A' });
    d.courts.push({ code: 'court-x', name: '某法院', kind: 'court', servedRegions: [{ regionCode: KC, from: '2021-05-01', to: '2021-04-01' }] });
    const r = parseDirectoryFile(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.issues.join('\n');
    expect(text).toContain('duplicate unit id "kc-gov"');
    expect(text).toMatch(/units\[\d+\]\.entrustedBy: unknown unit id "nobody"/);
    expect(text).toMatch(/units\[\d+\]\.successorId: unknown unit id "ghost"/);
    expect(text).toMatch(/successor loop: x-a → x-b → x-a|successor loop: x-b → x-a → x-b/);
    expect(text).toMatch(/units\[\d+\]\.regionCode: unknown region code "999999"/);
    expect(text).toContain('entrusted organisation "x-org" must name its entrusting unit');
    expect(text).toContain('unit "x-succ" has a successor but no abolishedOn');
    expect(text).toMatch(/units\[\d+\]\.unitCode: not a valid 统一社会信用代码/);
    expect(text).toMatch(/courts\[\d+\]\.servedRegions\[0\]\.to: period ends \(2021-04-01\) before it starts \(2021-05-01\)/);
  });

  it('loadDirectory throws one error listing every problem, with the source', () => {
    const d = valid();
    d.units.push({ id: 'bad', regionCode: KC, name: '坏', kind: 'nonsense' });
    try {
      loadDirectory(d, 'test.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DirectoryValidationError);
      expect((e as Error).message).toContain('invalid directory test.json');
      expect((e as DirectoryValidationError).issues.some((i) => i.includes('kind'))).toBe(true);
    }
  });

  it('checks the 统一社会信用代码 check character (GB 32100-2015)', () => {
    expect(isValidUnitCode('11330802002621484G')).toBe(true);
    expect(isValidUnitCode('11330802002621484H')).toBe(false);
    expect(unitCodeCheckChar('11330802002621484')).toBe('G');
    expect(isValidUnitCode('short')).toBe(false);
  });
});
