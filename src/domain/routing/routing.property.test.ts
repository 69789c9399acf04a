/**
 * Property (fast-check): for random case facts over a generated directory, routing never returns an
 * assignment with no unit, and never assigns units of two regions, and the region it states is the units'
 * (docs/domain.md §3: route by the defendant's district, never by the court's seat [Q 一(一)]).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildDirectoryIndex, route, type DirectoryData, type Unit } from './index.js';
import type { CaseInfo } from '../case-info.js';

const REGIONS = ['330802', '330803', '330825'];
const NAMES = ['自然资源局', '住房和城乡建设局', '市场监督管理局', '综合行政执法局', '农业农村局'];

/** A directory: per region a government, a justice bureau, departments (some sharing short aliases across regions), a township, an entrusted team, an abolished unit. */
const directoryArb = fc
  .record({ abolishAt: fc.constantFrom('2019-01-01', '2026-06-01', '2030-01-01'), shareAliases: fc.boolean() })
  .map(({ abolishAt, shareAliases }): DirectoryData => {
    const units: Unit[] = [];
    const regions = REGIONS.map((code, i) => ({ code, name: `第${i + 1}区` }));
    for (const r of regions) {
      const id = (x: string) => `${r.code}-${x}`;
      units.push({ id: id('gov'), regionCode: r.code, name: `${r.name}人民政府`, aliases: ['区人民政府'], kind: 'government' });
      units.push({ id: id('sfj'), regionCode: r.code, name: `${r.name}司法局`, aliases: ['区司法局'], kind: 'justice_bureau' });
      NAMES.forEach((n, k) =>
        units.push({ id: id(`d${k}`), regionCode: r.code, name: `${r.name}${n}`, aliases: shareAliases ? [`区${n}`] : [], kind: 'department' }),
      );
      units.push({ id: id('town'), regionCode: r.code, name: `${r.name}甲镇人民政府`, aliases: ['甲镇'], kind: 'township' });
      units.push({ id: id('team'), regionCode: r.code, name: `${r.name}甲镇综合执法队`, aliases: [], kind: 'entrusted_org', entrustedBy: id('town') });
      units.push({
        id: id('old'),
        regionCode: r.code,
        name: `${r.name}原城管局`,
        aliases: [],
        kind: 'department',
        abolishedOn: abolishAt,
        successorId: id('d3'),
      });
    }
    return {
      regions,
      units,
      courts: [{ code: 'court-x', name: '某法院', kind: 'court', servedRegions: REGIONS.map((regionCode) => ({ regionCode, from: '2020-01-01' })) }],
    };
  });

const nameArb = (dir: DirectoryData) =>
  fc.oneof(
    fc.constantFrom(...dir.units.map((u) => u.name)),
    fc.constantFrom(...dir.units.flatMap((u) => u.aliases)),
    fc.constantFrom(...dir.units.map((u) => ` ${u.name.slice(0, 2)} ${u.name.slice(2)}`)), // spaced
    fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 0), // noise
  );

const factsArb = (dir: DirectoryData) =>
  fc
    .record({
      acting: fc.array(nameArb(dir), { minLength: 1, maxLength: 3 }),
      extraDefendant: fc.option(nameArb(dir), { nil: undefined }),
      regionHint: fc.option(fc.constantFrom(...REGIONS), { nil: undefined }),
      review: fc.option(
        fc.record({
          organ: fc.constantFrom(...dir.units.filter((u) => u.kind !== 'department').map((u) => u.name)),
          outcome: fc.constantFrom('maintained', 'changed', 'not_acted', 'rejected', 'other') as fc.Arbitrary<
            'maintained' | 'changed' | 'not_acted' | 'rejected' | 'other'
          >,
        }),
        { nil: undefined },
      ),
      kind: fc.constantFrom('act', 'inaction') as fc.Arbitrary<'act' | 'inaction'>,
      instance: fc.constantFrom('first', 'second', 'retrial') as fc.Arbitrary<'first' | 'second' | 'retrial'>,
    })
    .map(({ acting, extraDefendant, regionHint, review, kind, instance }): CaseInfo => {
      const parties = acting.map((name) => ({ name, ...(regionHint ? { regionCode: regionHint } : {}) }));
      return {
        caseNumber: '(2026)浙0825行初1号',
        court: { code: 'court-x', name: '某法院' },
        instance,
        plaintiffs: [{ name: '张某' }],
        defendants: [
          ...parties,
          ...(extraDefendant ? [{ name: extraDefendant }] : []),
          ...(review && review.outcome !== 'changed' ? [{ name: review.organ }] : []),
        ],
        challengedAct: { description: '行政行为', actingUnits: parties, kind },
        ...(review ? { administrativeReview: { organ: { name: review.organ }, outcome: review.outcome } } : {}),
      };
    });

describe('routing properties (fast-check)', () => {
  it('never assigns with no unit, never crosses regions, and states the units’ region', () => {
    fc.assert(
      fc.property(
        directoryArb.chain((dir) => fc.tuple(fc.constant(dir), factsArb(dir), fc.constantFrom('2025-01-01', '2026-11-23'))),
        ([data, facts, onDate]) => {
          const dir = buildDirectoryIndex(data);
          const d = route(facts, dir, onDate);
          if (d.status === 'assigned') {
            expect(d.assignments.length).toBeGreaterThan(0);
            const regions = new Set(d.assignments.map((a) => dir.unit(a.unitId)!.regionCode));
            expect(regions.size).toBe(1);
            expect(d.regionCode).toBe([...regions][0]);
            expect(d.assignments.filter((a) => a.role === 'lead').length).toBeLessThanOrEqual(1);
          } else {
            expect(d.rule === 'R9' || d.rule === 'R2' || d.rule === 'R10').toBe(true);
          }
          expect(d.article.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1000, seed: 20261123 },
    );
  });
});
