/**
 * SQL of the subscriber directory: one row per subscriber with its latest contract, sensor counts,
 * open incidents and last alert; and the pieces of one subscriber's page. Read-only; every method
 * takes the caller's tenant filter and applies it in SQL.
 */
import { sql, type RawBuilder } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';

/** A sensor is online when it was heard from within this many minutes (sensorMonitor's silence rule). */
export const ONLINE_MINUTES = 10;

export interface DirectoryRow {
  id: string;
  name: string;
  nameKana: string | null;
  membership: 'member' | 'non_member' | null;
  prefecture: string | null;
  city: string | null;
  createdAt: Date;
  contractPlanCode: 'member' | 'non_member' | null;
  contractStartDate: string | null;
  contractEndDate: string | null;
  contractMembershipVerifiedAt: Date | null;
  sensorsOnline: number;
  sensorsTotal: number;
  openIncidents: number;
  lastAlertAt: Date | null;
}

export interface SensorRow {
  id: string;
  siteId: string;
  name: string;
  status: 'pending' | 'active' | 'revoked';
  hostname: string | null;
  agentVersion: string | null;
  bundleVersion: string | null;
  enrolledAt: Date | null;
  lastHeartbeatAt: Date | null;
  lastSeenAt: Date | null;
}

/** `%`, `_` and `\` match themselves in the search. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function tenantCondition(filter: TenantFilter, column: RawBuilder<unknown>): RawBuilder<unknown> {
  return filter.kind === 'organization' ? sql`and ${column} = ${filter.organizationId}` : sql``;
}

export class SubscriberDirectoryRepository {
  constructor(private readonly db: Db) {}

  private rowsQuery(filter: TenantFilter, now: Date, where: RawBuilder<unknown>, paging: RawBuilder<unknown>) {
    const onlineSince = new Date(now.getTime() - ONLINE_MINUTES * 60_000);
    return sql<DirectoryRow & { contractMembershipVerifiedAt: Date | null; sensorsOnline: string; sensorsTotal: string; openIncidents: string }>`
      select o.id, o.name, o.name_kana, o.membership, o.prefecture, o.city, o.created_at,
        c.plan_code as contract_plan_code, c.start_date as contract_start_date, c.end_date as contract_end_date,
        c.membership_verified_at as contract_membership_verified_at,
        (select count(*) from sensors s where s.organization_id = o.id and s.status = 'active' and greatest(s.last_heartbeat_at, s.last_seen_at) >= ${onlineSince}) as sensors_online,
        (select count(*) from sensors s where s.organization_id = o.id and s.status <> 'revoked') as sensors_total,
        (select count(*) from incidents i where i.organization_id = o.id and i.status not in ('resolved', 'merged')) as open_incidents,
        (select max(a.observed_at) from alerts a where a.organization_id = o.id and not a.suppressed) as last_alert_at
      from organizations o
      left join lateral (select * from contracts c where c.organization_id = o.id order by c.start_date desc, c.created_at desc limit 1) c on true
      where o.kind = 'subscriber' ${tenantCondition(filter, sql.ref('o.id'))} ${where}
      order by o.name_kana nulls last, o.name, o.id
      ${paging}`;
  }

  private static toRow(r: DirectoryRow & { sensorsOnline: string | number; sensorsTotal: string | number; openIncidents: string | number }): DirectoryRow {
    return { ...r, sensorsOnline: Number(r.sensorsOnline), sensorsTotal: Number(r.sensorsTotal), openIncidents: Number(r.openIncidents) };
  }

  async list(filter: TenantFilter, query: { q?: string | undefined; offset: number; limit: number }, now: Date): Promise<{ rows: DirectoryRow[]; total: number }> {
    const pattern = query.q ? likePattern(query.q) : null;
    const where = pattern
      ? sql`and (o.name ilike ${pattern} or coalesce(o.name_kana, '') ilike ${pattern} or coalesce(o.prefecture, '') ilike ${pattern} or coalesce(o.city, '') ilike ${pattern})`
      : sql``;
    const [rows, total] = await Promise.all([
      this.rowsQuery(filter, now, where, sql`limit ${query.limit} offset ${query.offset}`).execute(this.db),
      sql<{ n: string }>`select count(*) as n from organizations o where o.kind = 'subscriber' ${tenantCondition(filter, sql.ref('o.id'))} ${where}`.execute(this.db),
    ]);
    return { rows: rows.rows.map(SubscriberDirectoryRepository.toRow), total: Number(total.rows[0]?.n ?? 0) };
  }

  async get(filter: TenantFilter, id: string, now: Date): Promise<DirectoryRow | undefined> {
    const rows = await this.rowsQuery(filter, now, sql`and o.id = ${id}`, sql``).execute(this.db);
    const row = rows.rows[0];
    return row && SubscriberDirectoryRepository.toRow(row);
  }

  async sites(organizationId: string): Promise<Array<{ id: string; name: string; postalCode: string | null; address: string | null }>> {
    return (await sql<{ id: string; name: string; postalCode: string | null; address: string | null }>`
      select id, name, postal_code, address from sites where organization_id = ${organizationId} order by created_at, name, id`.execute(this.db)).rows;
  }

  async sensors(organizationId: string): Promise<SensorRow[]> {
    return (await sql<SensorRow>`
      select id, site_id, name, status, hostname, agent_version, bundle_version, enrolled_at, last_heartbeat_at, last_seen_at
      from sensors where organization_id = ${organizationId} order by status = 'revoked', created_at, name, id`.execute(this.db)).rows;
  }

  /** Heartbeats and the highest drop rate per sensor and hour in [from, to) (by sensor: the heartbeats' index is per sensor and time). */
  async healthHours(organizationId: string, from: Date, to: Date): Promise<Array<{ sensorId: string; hour: Date; heartbeats: number; maxDropRate: number }>> {
    const fromEpoch = from.getTime() / 1000;
    const rows = await sql<{ sensorId: string; bucket: string | number; heartbeats: string; maxDropRate: string | number }>`
      select sensor_id, floor((extract(epoch from received_at) - ${fromEpoch}) / 3600) as bucket, count(*) as heartbeats, max(drop_rate) as max_drop_rate
      from sensor_heartbeats
      where sensor_id in (select id from sensors where organization_id = ${organizationId}) and received_at >= ${from} and received_at < ${to}
      group by sensor_id, bucket`.execute(this.db);
    return rows.rows.map((r) => ({ sensorId: r.sensorId, hour: new Date(from.getTime() + Number(r.bucket) * 3_600_000), heartbeats: Number(r.heartbeats), maxDropRate: Number(r.maxDropRate) }));
  }

  async contacts(organizationId: string): Promise<Array<{ id: string; role: 'primary' | 'backup'; name: string; email: string | null; phone: string | null; channels: string[] }>> {
    return (await sql<{ id: string; role: 'primary' | 'backup'; name: string; email: string | null; phone: string | null; channels: string[] }>`
      select id, role, name, email, phone, channels from notification_contacts where organization_id = ${organizationId} order by role desc, created_at, id`.execute(this.db)).rows;
  }

  async recentIncidents(organizationId: string, limit: number): Promise<Array<{ id: string; priority: 'P1' | 'P2' | 'P3' | 'P4'; status: string; kind: string; explain: string; signature: string | null; alertCount: number; lastSeenAt: Date }>> {
    const rows = await sql<{ id: string; priority: 'P1' | 'P2' | 'P3' | 'P4'; status: string; kind: string; explain: string; signature: string | null; alertCount: string | number; lastSeenAt: Date }>`
      select id, priority, status, kind, explain, signature, alert_count, last_seen_at from incidents
      where organization_id = ${organizationId} and status <> 'merged'
      order by last_seen_at desc, id limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({ ...r, alertCount: Number(r.alertCount) }));
  }

  /** Codes that can still be used: not used (or retired) and not expired. */
  async openEnrollmentCodes(organizationId: string, now: Date): Promise<Array<{ id: string; siteId: string; sensorId: string; sensorName: string; createdAt: Date; expiresAt: Date }>> {
    return (await sql<{ id: string; siteId: string; sensorId: string; sensorName: string; createdAt: Date; expiresAt: Date }>`
      select e.id, e.site_id, e.sensor_id, s.name as sensor_name, e.created_at, e.expires_at
      from enrollment_codes e join sensors s on s.id = e.sensor_id
      where e.organization_id = ${organizationId} and e.used_at is null and e.expires_at > ${now} and s.status <> 'revoked'
      order by e.created_at desc, e.id`.execute(this.db)).rows;
  }
}
