import { describe, expect, it } from 'vitest';
import { areaMatch, ineligibility, rankCandidates, type VendorForMatching } from './dispatchCandidates.ts';

const vendor = (id: string, over: Partial<VendorForMatching>): VendorForMatching => ({
  organizationId: id, companyName: id, areas: [{ prefecture: '大阪府', city: '大阪市北区' }], skills: ['pc_repair'], capacity: 2, openJobs: 0, hourlyRateYen: 8000, active: true, ...over,
});
const job = { prefecture: '大阪府', city: '大阪市北区', skill: 'pc_repair' };

describe('rankCandidates', () => {
  it('puts the same city before the same prefecture, then the less loaded, then the cheaper', () => {
    const ranked = rankCandidates(job, [
      vendor('pref-cheap', { areas: [{ prefecture: '大阪府', city: null }], hourlyRateYen: 5000 }),
      vendor('city-busy', { openJobs: 1 }),
      vendor('city-idle-dear', { hourlyRateYen: 9000 }),
      vendor('city-idle-cheap', { hourlyRateYen: 7000 }),
    ]);
    expect(ranked.map((c) => [c.organizationId, c.match])).toEqual([['city-idle-cheap', 'city'], ['city-idle-dear', 'city'], ['city-busy', 'city'], ['pref-cheap', 'prefecture']]);
  });

  it('leaves out vendors without the skill, without room, inactive, elsewhere, or already asked', () => {
    const ranked = rankCandidates(
      job,
      [
        vendor('no-skill', { skills: ['cabling'] }),
        vendor('full', { openJobs: 2 }),
        vendor('inactive', { active: false }),
        vendor('kyoto', { areas: [{ prefecture: '京都府', city: '京都市' }] }),
        vendor('asked', {}),
        vendor('ok', {}),
      ],
      new Set(['asked']),
    );
    expect(ranked.map((c) => c.organizationId)).toEqual(['ok']);
  });

  it('names why a vendor is not a candidate (the reason the desk is told when it picks one)', () => {
    const asked = new Set(['asked']);
    expect(
      [vendor('no-skill', { skills: ['cabling'] }), vendor('full', { openJobs: 2 }), vendor('inactive', { active: false }), vendor('kyoto', { areas: [{ prefecture: '京都府', city: '京都市' }] }), vendor('asked', {}), vendor('ok', {})].map((v) => [v.organizationId, ineligibility(job, v, asked)]),
    ).toEqual([['no-skill', 'no_skill'], ['full', 'no_room'], ['inactive', 'inactive'], ['kyoto', 'no_area'], ['asked', 'already_offered'], ['ok', null]]);
  });

  it('matches a site without a known prefecture to nobody', () => {
    expect(areaMatch([{ prefecture: '大阪府', city: null }], null, null)).toBeNull();
    expect(areaMatch([{ prefecture: '大阪府', city: '堺市' }], '大阪府', '大阪市北区')).toBe('prefecture');
  });
});
