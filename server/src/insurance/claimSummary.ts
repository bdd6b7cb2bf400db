/**
 * What the insurer reads on a claim's page before opening the ZIP: the policy with its coverage,
 * the incident as it was filed, and the evidence pack's contents list (from its manifest). Read from
 * the stored pack, so the page shows exactly what was filed even if the records moved later.
 */
import { CoverageItem } from '@otasuke/shared';
import { strFromU8, unzipSync } from 'fflate';
import { z } from 'zod';

export const ClaimSummary = z
  .object({
    claimId: z.uuid(),
    companyName: z.string(),
    insurerName: z.string(),
    policy: z.object({ policyNumber: z.string(), periodStart: z.string(), periodEnd: z.string().nullable(), coverage: z.array(CoverageItem) }),
    incident: z.object({ title: z.string(), priority: z.string(), status: z.string(), firstSeenAt: z.string(), lastSeenAt: z.string(), alertCount: z.number().int() }),
    packFiles: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })).describe('every file of the evidence pack but the manifest, as its manifest lists them'),
    packBytes: z.number().int(),
  })
  .meta({ id: 'ClaimSummary' });
export type ClaimSummary = z.infer<typeof ClaimSummary>;

const Manifest = z.object({ files: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })) });
const FiledIncident = z.object({ title: z.string(), priority: z.string(), status: z.string(), firstSeenAt: z.string(), lastSeenAt: z.string(), alertCount: z.number().int() });

/** The manifest and the incident of a stored pack; throws when the pack is not one this server built. */
export function readPack(pack: Uint8Array): { files: ClaimSummary['packFiles']; incident: ClaimSummary['incident'] } {
  const entries = unzipSync(pack, { filter: (f) => f.name === 'manifest.json' || f.name === 'incident.json' });
  const manifest = entries['manifest.json'];
  const incident = entries['incident.json'];
  if (!manifest || !incident) throw new Error('the evidence pack has no manifest.json or incident.json');
  const files = Manifest.parse(JSON.parse(strFromU8(manifest))).files;
  const filed = FiledIncident.parse(JSON.parse(strFromU8(incident)));
  return { files, incident: { title: filed.title, priority: filed.priority, status: filed.status, firstSeenAt: filed.firstSeenAt, lastSeenAt: filed.lastSeenAt, alertCount: filed.alertCount } };
}
