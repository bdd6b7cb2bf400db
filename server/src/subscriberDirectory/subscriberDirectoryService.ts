/**
 * The operator's subscriber directory: the list with search and paging, and one subscriber's page
 * (sites, sensors with their last 24 hours, notification contacts, recent incidents, open
 * enrollment codes). Read-only; enrollment codes are created and revoked by enrollment/.
 */
import { tenantFilterOf, type AccessScope } from '../access/accessScope.ts';
import { contractStatus } from '../contracts/contractRepository.ts';
import { japanDate } from '../billing/money.ts';
import type { Clock } from '../clock.ts';
import { NotFoundError } from '../http/errors.ts';
import { ONLINE_MINUTES, type DirectoryRow, type SubscriberDirectoryRepository } from './subscriberDirectoryRepository.ts';
import type { SensorHealthHour, SubscriberDetail, SubscriberDirectoryPage, SubscriberDirectoryQuery, SubscriberListItem } from './subscriberDirectorySchemas.ts';

export const HEALTH_HOURS = 24;
export const RECENT_INCIDENTS = 10;

export class SubscriberDirectoryService {
  constructor(
    private readonly repository: SubscriberDirectoryRepository,
    private readonly clock: Clock,
  ) {}

  async list(scope: AccessScope, query: SubscriberDirectoryQuery): Promise<SubscriberDirectoryPage> {
    const now = this.clock.now();
    const { rows, total } = await this.repository.list(tenantFilterOf(scope), { q: query.q || undefined, offset: (query.page - 1) * query.pageSize, limit: query.pageSize }, now);
    return { items: rows.map((r) => toItem(r, japanDate(now))), total, page: query.page, pageSize: query.pageSize };
  }

  async get(scope: AccessScope, id: string): Promise<SubscriberDetail> {
    const now = this.clock.now();
    const row = await this.repository.get(tenantFilterOf(scope), id, now);
    if (!row) throw new NotFoundError('subscriber');
    // The last 24 whole hours up to the current hour's end, so the newest point is the hour in progress.
    const to = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
    const from = new Date(to.getTime() - HEALTH_HOURS * 3_600_000);
    const [sites, sensors, hours, contacts, incidents, codes] = await Promise.all([
      this.repository.sites(id),
      this.repository.sensors(id),
      this.repository.healthHours(id, from, to),
      this.repository.contacts(id),
      this.repository.recentIncidents(id, RECENT_INCIDENTS),
      this.repository.openEnrollmentCodes(id, now),
    ]);
    const onlineSince = now.getTime() - ONLINE_MINUTES * 60_000;
    return {
      subscriber: toItem(row, japanDate(now)),
      createdAt: row.createdAt.toISOString(),
      sites,
      sensors: sensors.map((s) => {
        const heard = Math.max(s.lastHeartbeatAt?.getTime() ?? 0, s.lastSeenAt?.getTime() ?? 0);
        return {
          id: s.id,
          siteId: s.siteId,
          name: s.name,
          status: s.status,
          online: s.status === 'active' && heard >= onlineSince,
          hostname: s.hostname,
          agentVersion: s.agentVersion,
          bundleVersion: s.bundleVersion,
          enrolledAt: s.enrolledAt?.toISOString() ?? null,
          lastHeartbeatAt: s.lastHeartbeatAt?.toISOString() ?? null,
          health: healthSeries(from, hours.filter((h) => h.sensorId === s.id)),
        };
      }),
      contacts,
      recentIncidents: incidents.map((i) => ({ ...i, lastSeenAt: i.lastSeenAt.toISOString() })),
      openEnrollmentCodes: codes.map((c) => ({ ...c, createdAt: c.createdAt.toISOString(), expiresAt: c.expiresAt.toISOString() })),
    };
  }
}

/** 24 hourly points from `from`, hours without heartbeats included as zero. */
export function healthSeries(from: Date, hours: ReadonlyArray<{ hour: Date; heartbeats: number; maxDropRate: number }>): SensorHealthHour[] {
  const byHour = new Map(hours.map((h) => [h.hour.getTime(), h]));
  return Array.from({ length: HEALTH_HOURS }, (_, i) => {
    const at = from.getTime() + i * 3_600_000;
    const h = byHour.get(at);
    return { hour: new Date(at).toISOString(), heartbeats: h?.heartbeats ?? 0, maxDropRate: h ? h.maxDropRate : null };
  });
}

function toItem(r: DirectoryRow, today: string): SubscriberListItem {
  return {
    id: r.id,
    name: r.name,
    nameKana: r.nameKana,
    membership: r.membership,
    prefecture: r.prefecture,
    city: r.city,
    contract:
      r.contractPlanCode && r.contractStartDate
        ? {
            status: contractStatus({ startDate: r.contractStartDate, endDate: r.contractEndDate }, today),
            planCode: r.contractPlanCode,
            startDate: r.contractStartDate,
            endDate: r.contractEndDate,
            membershipVerified: r.contractMembershipVerifiedAt !== null,
          }
        : null,
    sensorsOnline: r.sensorsOnline,
    sensorsTotal: r.sensorsTotal,
    openIncidents: r.openIncidents,
    lastAlertAt: r.lastAlertAt?.toISOString() ?? null,
  };
}
