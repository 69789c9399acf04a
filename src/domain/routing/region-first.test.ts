/**
 * Region before unit (docs/domain.md §3; Q 一(一) for the regions a court serves; S 二(一) for the justice bureau's
 * queue): the defendant's region is settled from what the court wrote before any unit is looked up, so a case
 * whose unit the directory lacks still belongs to one region's justice bureau.
 */
import { describe, expect, it } from 'vitest';
import { demoDirectory } from './demo-directory.js';
import { caseOf, KECHENG_COURT } from './fixtures.js';
import { defendantRegion, route } from './rules.js';

const dir = demoDirectory();
const DAY = '2026-11-23';

describe('region before unit (docs/domain.md §3, Q 一(一), S 二(一))', () => {
  it('R9 S 二(一), Q 一(一): an unknown unit with the region code the court stated is queued for that region alone', () => {
    const d = route(caseOf({ acting: ['某某管理办公室'], defendants: [{ name: '某某管理办公室', regionCode: '330802' }] }), dir, DAY);
    expect(d.status).toBe('queued');
    expect(d.rule).toBe('R9');
    expect(d.queueReason).toBe('unknown_unit');
    expect(d.regionCode).toBe('330802');
    expect(d.candidateRegions).toBeUndefined();
    expect(d.queueUnit?.unitId).toBe('kc-sfj');
    expect(d.facts).toContainEqual(expect.objectContaining({ kind: 'defendant_region', regionCode: '330802', via: 'stated_region' }));
  });

  it('R9 S 二(一): the region whose name prefixes the defendant (衢州市柯城区…) is its region when no code is stated', () => {
    const d = route(caseOf({ acting: ['衢州市柯城区某某管理办公室'] }), dir, DAY);
    expect(d.status).toBe('queued');
    expect(d.regionCode).toBe('330802');
    expect(d.facts).toContainEqual(expect.objectContaining({ kind: 'defendant_region', regionCode: '330802', via: 'name_prefix' }));
  });

  it('Q 一(一): with nothing naming a region, the regions the court serves on the date are the candidates', () => {
    const d = route(caseOf({ acting: ['某某管理办公室'] }), dir, DAY);
    expect(d.regionCode).toBeUndefined();
    expect(d.candidateRegions).toEqual(['330802', '330803', '330825']);
  });

  it('Q 一(一): a court serving one region on the date places the unknown unit in that region', () => {
    const d = route(caseOf({ acting: ['某某管理办公室'], court: KECHENG_COURT }), dir, '2020-05-01');
    expect(d.regionCode).toBe('330802');
    expect(defendantRegion(caseOf({ acting: ['某某管理办公室'], court: KECHENG_COURT }), dir, dir.regionsServedBy('court-kecheng', '2020-05-01')).via).toBe(
      'court_regions',
    );
  });

  it('R9 S 二(一): a stated region code that contradicts the region of the unit found is never overridden: both regions decide', () => {
    const d = route(caseOf({ acting: ['衢州市衢江区市场监督管理局'], defendants: [{ name: '衢江区市场监督管理局', regionCode: '330802' }] }), dir, DAY);
    expect(d.status).toBe('queued');
    expect(d.queueReason).toBe('cross_region');
    expect(d.candidateRegions).toEqual(['330802', '330803']);
  });

  it('R1 B 第三条(一): a stated region that agrees with the unit changes nothing', () => {
    const d = route(caseOf({ acting: ['柯城区市场监督管理局'], defendants: [{ name: '柯城区市场监督管理局', regionCode: '330802' }] }), dir, DAY);
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R1');
    expect(d.regionCode).toBe('330802');
  });

  it('a region code the directory does not list is not taken as the region', () => {
    const r = defendantRegion(caseOf({ acting: ['某某管理办公室'], defendants: [{ name: '某某管理办公室', regionCode: '110101' }] }), dir, [
      '330802',
      '330803',
    ]);
    expect(r.regionCode).toBeUndefined();
    expect(r.candidates).toEqual(['330802', '330803']);
  });
});
