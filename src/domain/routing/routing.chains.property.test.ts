/**
 * Property (complements routing.property.test.ts): over random directories (entrustment and succession
 * across regions, loops, courts whose served regions change) and random facts (unit codes, region codes,
 * prior assignments, appeals), routing never returns 'assigned' with no assignment, never assigns units of
 * two regions or an abolished unit, and is deterministic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseInfo, PartyRef } from '../case-info.js';
import { buildDirectoryIndex, UNIT_KINDS, type DirectoryData, type DirectoryIndex, type Region, type Unit } from './directory.js';
import { route, RULES } from './rules.js';
import type { Assignment, AssignmentRole } from './types.js';

const REGIONS: Region[] = [
  { code: '330802', name: '柯城区', prefixes: ['衢州市柯城区'] },
  { code: '330803', name: '衢江区', prefixes: ['衢州市衢江区'] },
  { code: '110101', name: '东城区' },
  { code: '152202', name: '阿尔山市' },
];
const BASES = ['自然资源局', '住房和城乡建设局', '司法局', '人民政府', '政府办公室', '市场监督管理局', '综合行政执法局', '公安分局', '府山街道', '综合执法队'];
const DATES = ['2015-01-01', '2019-03-29', '2021-04-07', '2021-04-08', '2023-06-30'];

const unitSeed = fc.record({
  region: fc.nat(3),
  base: fc.constantFrom(...BASES),
  prefixed: fc.boolean(),
  aliases: fc.subarray(BASES, { maxLength: 3 }),
  kind: fc.constantFrom(...UNIT_KINDS),
  entrustedBy: fc.option(fc.nat(40), { nil: undefined }),
  abolishedOn: fc.option(fc.constantFrom(...DATES), { nil: undefined }),
  successor: fc.option(fc.nat(40), { nil: undefined }),
});

const courtSeed = fc.array(fc.record({ region: fc.nat(3), from: fc.constantFrom(...DATES), to: fc.option(fc.constantFrom(...DATES), { nil: undefined }) }), {
  maxLength: 4,
});

const directoryArb = fc
  .record({
    regionCount: fc.integer({ min: 1, max: 4 }),
    units: fc.array(unitSeed, { minLength: 1, maxLength: 30 }),
    courts: fc.array(courtSeed, { minLength: 1, maxLength: 3 }),
  })
  .map(({ regionCount, units: seeds, courts }): DirectoryData => {
    const regions = REGIONS.slice(0, regionCount);
    const n = seeds.length;
    const units: Unit[] = seeds.map((s, i) => {
      const region = regions[s.region % regionCount]!;
      const entrustedBy = s.kind === 'entrusted_org' && s.entrustedBy !== undefined ? `u${s.entrustedBy % n}` : undefined;
      return {
        id: `u${i}`,
        regionCode: region.code,
        name: `${s.prefixed ? region.name : ''}${s.base}${i % 3 === 0 ? '' : i}`,
        aliases: s.aliases.map((a) => `区${a}`),
        kind: s.kind,
        ...(entrustedBy ? { entrustedBy } : {}),
        ...(s.abolishedOn ? { abolishedOn: s.abolishedOn } : {}),
        ...(s.abolishedOn && s.successor !== undefined ? { successorId: `u${s.successor % n}` } : {}),
      };
    });
    return {
      regions,
      units,
      courts: courts.map((served, i) => ({
        code: `court-${i}`,
        name: `法院${i}`,
        kind: 'court' as const,
        servedRegions: served.map((s) => ({ regionCode: regions[s.region % regionCount]!.code, from: s.from, ...(s.to ? { to: s.to } : {}) })),
      })),
    };
  });

function factsArb(dir: DirectoryIndex) {
  const units = dir.data.units;
  const names = [...new Set(units.flatMap((u) => [u.name, ...u.aliases])), '不存在的单位', '衢州市柯城区自然资源局', '　区 司法局　'];
  const regionCodes = [...dir.regionCodes(), '999999'];
  const partyArb: fc.Arbitrary<PartyRef> = fc
    .record({
      name: fc.constantFrom(...names),
      regionCode: fc.option(fc.constantFrom(...regionCodes), { nil: undefined }),
      unitCode: fc.option(fc.constantFrom(...units.map((u) => u.id), 'no-such-id'), { nil: undefined }),
    })
    .map((p) => ({ name: p.name, ...(p.regionCode ? { regionCode: p.regionCode } : {}), ...(p.unitCode ? { unitCode: p.unitCode } : {}) }));
  const roleArb = fc.constantFrom<AssignmentRole>('lead', 'cooperating', 'review_part', 'assisting');
  const priorArb: fc.Arbitrary<Assignment[]> = fc.array(
    fc.record({ unitId: fc.constantFrom(...units.map((u) => u.id), 'ghost'), unitName: fc.constant('某单位'), role: roleArb }),
    { maxLength: 3 },
  );
  return fc.record({
    facts: fc.record({
      acting: fc.array(partyArb, { minLength: 1, maxLength: 3 }),
      defendants: fc.array(partyArb, { minLength: 1, maxLength: 3 }),
      kind: fc.constantFrom<'act' | 'inaction'>('act', 'inaction'),
      review: fc.option(
        fc.record({
          organ: partyArb,
          outcome: fc.constantFrom('maintained', 'changed', 'not_acted', 'rejected', 'other') as fc.Arbitrary<
            'maintained' | 'changed' | 'not_acted' | 'rejected' | 'other'
          >,
        }),
        { nil: undefined },
      ),
      instance: fc.constantFrom<CaseInfo['instance']>('first', 'second', 'retrial'),
      court: fc.constantFrom(...dir.data.courts.map((c) => c.code), 'court-unknown'),
    }),
    onDate: fc.constantFrom(...DATES, '2020-01-01'),
    prior: fc.option(priorArb, { nil: undefined }),
    documentType: fc.option(fc.constantFrom('appeal', 'complaint_copy'), { nil: undefined }),
  });
}

const scenario = directoryArb.chain((data) => {
  const dir = buildDirectoryIndex(data);
  return factsArb(dir).map((x) => ({ dir, ...x }));
});

describe('routing properties', () => {
  it('never assigned with an empty assignment list; never units from two regions; the region is the units’ region', () => {
    fc.assert(
      fc.property(scenario, ({ dir, facts: f, onDate, prior, documentType }) => {
        const facts: CaseInfo = {
          caseNumber: '(2022)浙0825行初1号',
          court: { code: f.court, name: '法院' },
          instance: f.instance,
          plaintiffs: [{ name: '原告' }],
          defendants: f.defendants,
          challengedAct: { description: '行为', actingUnits: f.acting, kind: f.kind },
          ...(f.review ? { administrativeReview: f.review } : {}),
        };
        const opts = { ...(prior ? { priorAssignment: prior } : {}), ...(documentType ? { documentType } : {}) };
        const d = route(facts, dir, onDate, opts);

        if (d.status === 'assigned') expect(d.assignments.length).toBeGreaterThan(0);
        const regions = new Set(
          d.assignments.map((a) => {
            const u = dir.unit(a.unitId);
            expect(u, a.unitId).toBeDefined();
            return u!.regionCode;
          }),
        );
        expect(regions.size).toBeLessThanOrEqual(1);
        if (regions.size === 1) expect(d.regionCode).toBe([...regions][0]);
        if (d.status === 'assigned') expect(d.regionCode).toBeDefined();
        if (d.status === 'queued') expect(d.queueReason).toBeDefined();
        // no assigned unit is abolished on the routing date
        for (const a of d.assignments) {
          const u = dir.unit(a.unitId)!;
          expect(u.abolishedOn === undefined || u.abolishedOn > onDate).toBe(true);
        }
        expect(d.rulesApplied[0]).toBe(d.rule);
        expect(d.article.startsWith(RULES[d.rule].article)).toBe(true);
        // pure: the same input gives the same decision
        expect(route(facts, dir, onDate, opts)).toEqual(d);
      }),
      { numRuns: 400 },
    );
  });
});
