/** Schemas of the fleet view of bundles (kept versions with their signatures, and which sensor runs which). */
import { z } from 'zod';

export const BundleVersionInfo = z
  .object({
    policy: z.string(),
    version: z.string(),
    createdAt: z.iso.datetime({ offset: true }),
    latest: z.boolean(),
    sizeBytes: z.number().int(),
    ruleCount: z.number().int(),
    iocCount: z.number().int(),
    rulesByCategory: z.record(z.string(), z.number().int()),
    iocByFeed: z.record(z.string(), z.number().int()),
    /** base64 Ed25519 signature of the gzip body (what `x-otasuke-signature` carries). */
    signature: z.string(),
    /** Active sensors that last reported this version. */
    sensors: z.number().int(),
  })
  .meta({ id: 'BundleVersionInfo' });
export type BundleVersionInfo = z.infer<typeof BundleVersionInfo>;

export const SensorBundleState = z.enum(['latest', 'behind', 'none']).meta({ id: 'SensorBundleState' });

export const SensorBundleQuery = z.object({
  state: SensorBundleState.optional().describe('only sensors in this state'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type SensorBundleQuery = z.infer<typeof SensorBundleQuery>;

export const SensorBundleRow = z
  .object({
    sensorId: z.uuid(),
    sensorName: z.string(),
    organizationId: z.uuid(),
    organizationName: z.string(),
    siteName: z.string(),
    policy: z.string().nullable(),
    bundleVersion: z.string().nullable(),
    latestVersion: z.string().nullable(),
    state: SensorBundleState,
    lastHeartbeatAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'SensorBundleRow' });
export type SensorBundleRow = z.infer<typeof SensorBundleRow>;

export const SensorBundleList = z
  .object({ counts: z.object({ latest: z.number().int(), behind: z.number().int(), none: z.number().int() }), sensors: z.array(SensorBundleRow) })
  .meta({ id: 'SensorBundleList' });
export type SensorBundleList = z.infer<typeof SensorBundleList>;
