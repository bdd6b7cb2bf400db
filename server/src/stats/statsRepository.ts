/** SQL of the detection statistics: monitored contracts and detections per company, direction and engine. */
import { sql } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import type { DetectionCount, MonitoredContract } from './detectionStats.ts';
import type { MonthlyDetectionCount } from './monthlyStats.ts';

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

  /** As detectionCounts, split by Japan calendar month (YYYY-MM). */
  async detectionCountsByMonth(filter: TenantFilter, from: string, to: string): Promise<MonthlyDetectionCount[]> {
    const { start, end } = periodBounds(from, to);
    const rows = await sql<{ month: string; organizationId: string; direction: 'inbound' | 'outbound'; engine: DetectionCount['engine']; count: string }>`
      select to_char((observed_at at time zone 'UTC') + interval '9 hours', 'YYYY-MM') as month, organization_id, direction, engine, count(*) as count from alerts
      where observed_at >= ${start} and observed_at < ${end} and not suppressed and direction in ('inbound', 'outbound')
      ${filter.kind === 'organization' ? sql`and organization_id = ${filter.organizationId}` : sql``}
      group by 1, organization_id, direction, engine`.execute(this.db);
    return rows.rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /**
   * The signatures detected most often in the period, counted like the table: not suppressed,
   * inbound or outbound, of subscribers whose contract overlaps the period.
   */
  async topSignatures(filter: TenantFilter, from: string, to: string, limit: number): Promise<Array<{ gid: number; signatureId: number; signature: string; direction: 'inbound' | 'outbound'; engine: DetectionCount['engine']; detections: number; companies: number }>> {
    const { start, end } = periodBounds(from, to);
    const rows = await sql<{ gid: number; signatureId: string; signature: string; direction: 'inbound' | 'outbound'; engine: DetectionCount['engine']; detections: string; companies: string }>`
      select a.gid, a.signature_id, max(a.signature) as signature, a.direction, a.engine, count(*) as detections, count(distinct a.organization_id) as companies
      from alerts a
      where a.observed_at >= ${start} and a.observed_at < ${end} and not a.suppressed and a.direction in ('inbound', 'outbound')
        and exists (select 1 from contracts c join organizations o on o.id = c.organization_id
                    where c.organization_id = a.organization_id and o.kind = 'subscriber' and c.start_date <= ${to} and (c.end_date is null or c.end_date >= ${from}))
      ${filter.kind === 'organization' ? sql`and a.organization_id = ${filter.organizationId}` : sql``}
      group by a.gid, a.signature_id, a.direction, a.engine
      order by detections desc, a.gid, a.signature_id, a.direction, a.engine
      limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({ ...r, signatureId: Number(r.signatureId), detections: Number(r.detections), companies: Number(r.companies) }));
  }
}

/** `from` 00:00 to `to` 24:00 Japan time. */
function periodBounds(from: string, to: string): { start: Date; end: Date } {
  return { start: new Date(`${from}T00:00:00+09:00`), end: new Date(Date.parse(`${to}T00:00:00+09:00`) + 86_400_000) };
}
