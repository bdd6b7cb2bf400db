/** SQL of the detection statistics: monitored contracts and detections per company, direction and engine. */
import { sql } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import type { DetectionCount, MonitoredContract } from './detectionStats.ts';

export class StatsRepository {
  constructor(private readonly db: Db) {}

  async monitoredContracts(filter: TenantFilter, from: string, to: string): Promise<MonitoredContract[]> {
    let q = this.db
      .selectFrom('contracts')
      .innerJoin('organizations', 'organizations.id', 'contracts.organizationId')
      .select(['contracts.organizationId', 'contracts.startDate', 'contracts.endDate'])
      .where('organizations.kind', '=', 'subscriber')
      .where('contracts.startDate', '<=', to)
      .where((eb) => eb.or([eb('contracts.endDate', 'is', null), eb('contracts.endDate', '>=', from)]));
    if (filter.kind === 'organization') q = q.where('contracts.organizationId', '=', filter.organizationId);
    return q.execute();
  }

  /** Not suppressed, inbound or outbound, observed from `from` 00:00 to `to` 24:00 Japan time. */
  async detectionCounts(filter: TenantFilter, from: string, to: string): Promise<DetectionCount[]> {
    const start = new Date(`${from}T00:00:00+09:00`);
    const end = new Date(Date.parse(`${to}T00:00:00+09:00`) + 86_400_000);
    const rows = await sql<{ organizationId: string; direction: 'inbound' | 'outbound'; engine: DetectionCount['engine']; count: string }>`
      select organization_id, direction, engine, count(*) as count from alerts
      where observed_at >= ${start} and observed_at < ${end} and not suppressed and direction in ('inbound', 'outbound')
      ${filter.kind === 'organization' ? sql`and organization_id = ${filter.organizationId}` : sql``}
      group by organization_id, direction, engine`.execute(this.db);
    return rows.rows.map((r) => ({ ...r, count: Number(r.count) }));
  }
}
