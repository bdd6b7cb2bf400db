import type { SensorHealthHistory, SensorHealthQuery, SensorHeartbeat } from '@otasuke/shared';
import { tenantFilterOf, type RequestContext } from '../access/accessScope.ts';
import type { Clock } from '../clock.ts';
import type { SensorIdentity } from '../enrollment/enrollmentService.ts';
import { BadRequestError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import type { OrganizationRepository } from '../organizations/organizationRepository.ts';
import type { SensorHealthRepository } from './sensorHealthRepository.ts';

/** A chart needs no more points than this; longer ranges are averaged into buckets. */
export const MAX_HEALTH_POINTS = 500;
export const DEFAULT_HEALTH_RANGE_MS = 24 * 3600 * 1000;
const MAX_HEALTH_RANGE_MS = 400 * 24 * 3600 * 1000;
export const DEFAULT_HEARTBEAT_RETENTION_DAYS = 30;

/** The seconds per bucket that fit a range into at most `points` buckets (whole seconds, ≥ 1). */
export function bucketSecondsFor(rangeMs: number, points = MAX_HEALTH_POINTS): number {
  return Math.max(1, Math.ceil(rangeMs / 1000 / points));
}

/** Sensors' heartbeats: stored as they come, read back as a (downsampled) history, pruned daily. */
export class SensorHealthService {
  constructor(
    private readonly repository: SensorHealthRepository,
    private readonly organizations: OrganizationRepository,
    private readonly clock: Clock,
    private readonly retentionDays = DEFAULT_HEARTBEAT_RETENTION_DAYS,
  ) {}

  async heartbeat(identity: SensorIdentity, heartbeat: SensorHeartbeat): Promise<void> {
    await this.repository.record(identity.sensorId, identity.organizationId, heartbeat, this.clock.now());
  }

  /** Another tenant's sensor answers like a missing one (404). */
  async history(context: RequestContext, sensorId: string, query: SensorHealthQuery): Promise<SensorHealthHistory> {
    if (!context.scope) throw new UnauthenticatedError();
    const sensor = await this.organizations.getSensor(tenantFilterOf(context.scope), sensorId);
    if (!sensor) throw new NotFoundError('sensor');
    // `to` is exclusive; by default it lies just past now, so a heartbeat received this instant shows.
    const to = query.to ? new Date(query.to) : new Date(this.clock.now().getTime() + 1000);
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_HEALTH_RANGE_MS);
    const range = to.getTime() - from.getTime();
    if (range <= 0) throw new BadRequestError('"from" must be before "to"');
    if (range > MAX_HEALTH_RANGE_MS) throw new BadRequestError('the range may span at most 400 days; narrow "from" and "to"');
    const count = await this.repository.count(sensorId, from, to);
    const base = { sensorId, from: from.toISOString(), to: to.toISOString() };
    if (count <= MAX_HEALTH_POINTS) return { ...base, bucketSeconds: null, samples: await this.repository.samples(sensorId, from, to) };
    const bucketSeconds = bucketSecondsFor(range);
    return { ...base, bucketSeconds, samples: await this.repository.bucketed(sensorId, from, to, bucketSeconds) };
  }

  /** The daily job: raw samples older than the retention are dropped. */
  async prune(): Promise<number> {
    return this.repository.prune(new Date(this.clock.now().getTime() - this.retentionDays * 24 * 3600 * 1000));
  }
}
