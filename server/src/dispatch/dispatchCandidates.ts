/**
 * Which vendors to offer an on-site job, in order. Pure: a vendor qualifies when it is active, has
 * the skill, has room (open jobs below capacity) and serves the place; one serving the very city
 * ranks before one serving only the prefecture, then the less loaded, then the cheaper.
 */
import type { DispatchCandidate, VendorArea } from '@otasuke/shared';

export interface VendorForMatching {
  organizationId: string;
  companyName: string;
  areas: VendorArea[];
  skills: string[];
  capacity: number;
  openJobs: number;
  hourlyRateYen: number;
  active: boolean;
}

export function areaMatch(areas: VendorArea[], prefecture: string | null, city: string | null): 'city' | 'prefecture' | null {
  if (!prefecture) return null;
  const inPrefecture = areas.filter((a) => a.prefecture === prefecture);
  if (city && inPrefecture.some((a) => a.city === city)) return 'city';
  // A vendor naming the whole prefecture (city null) or other cities of it can still reach the site.
  return inPrefecture.length > 0 ? 'prefecture' : null;
}

/** Why a registered vendor is not a candidate for the job (null: it is one). */
export type Ineligibility = 'inactive' | 'already_offered' | 'no_skill' | 'no_room' | 'no_area';

export function ineligibility(job: { prefecture: string | null; city: string | null; skill: string }, v: VendorForMatching, alreadyOffered: ReadonlySet<string> = new Set()): Ineligibility | null {
  if (!v.active) return 'inactive';
  if (alreadyOffered.has(v.organizationId)) return 'already_offered';
  if (!v.skills.includes(job.skill)) return 'no_skill';
  if (v.openJobs >= v.capacity) return 'no_room';
  return areaMatch(v.areas, job.prefecture, job.city) ? null : 'no_area';
}

export function rankCandidates(job: { prefecture: string | null; city: string | null; skill: string }, vendors: VendorForMatching[], alreadyOffered: ReadonlySet<string> = new Set()): DispatchCandidate[] {
  const ranked: Array<DispatchCandidate & { load: number }> = [];
  for (const v of vendors) {
    if (ineligibility(job, v, alreadyOffered)) continue;
    const match = areaMatch(v.areas, job.prefecture, job.city);
    if (!match) continue;
    ranked.push({ organizationId: v.organizationId, companyName: v.companyName, match, openJobs: v.openJobs, capacity: v.capacity, hourlyRateYen: v.hourlyRateYen, load: v.openJobs / v.capacity });
  }
  ranked.sort(
    (a, b) =>
      Number(b.match === 'city') - Number(a.match === 'city') ||
      a.load - b.load ||
      a.hourlyRateYen - b.hourlyRateYen ||
      a.companyName.localeCompare(b.companyName, 'ja') ||
      a.organizationId.localeCompare(b.organizationId),
  );
  return ranked.map(({ load: _load, ...candidate }) => candidate);
}
