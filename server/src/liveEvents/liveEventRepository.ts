/**
 * SQL of the live events: the incidents that changed after a point in time — their own row
 * (`updated_at`, written by correlation, triage, merges, the sensor monitor…) or the customer's
 * acknowledgement (`incident_notification_states.acknowledged_at`, which leaves the incident row
 * alone) — in (changed_at, id) order, a keyset page at a time (indexes of migration 0013).
 */
import type { IncidentPriority, IncidentStatus } from '@otasuke/shared';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface ChangedIncident {
  id: string;
  organizationId: string;
  organizationName: string;
  priority: IncidentPriority;
  status: IncidentStatus;
  alertCount: number;
  createdAt: Date;
  updatedAt: Date;
  customerAcknowledgedAt: Date | null;
  /** The later of the incident's update and the acknowledgement, to the millisecond. */
  changedAt: Date;
}

export interface ChangeCursor {
  changedAt: Date;
  id: string;
}

export class LiveEventRepository {
  constructor(private readonly db: Db) {}

  /** Incidents changed after `since`, after `cursor` in (changed_at, id) order, at most `limit`. */
  async changedSince(since: Date, cursor: ChangeCursor | null, limit: number): Promise<ChangedIncident[]> {
    const after = cursor ?? { changedAt: new Date(0), id: '00000000-0000-0000-0000-000000000000' };
    // Milliseconds, like the Dates the writers set: the keyset compares what JavaScript can hold.
    const rows = await sql<{
      id: string;
      organizationId: string;
      organizationName: string;
      priority: IncidentPriority;
      status: IncidentStatus;
      alertCount: string | number;
      createdAt: Date | string;
      updatedAt: Date | string;
      customerAcknowledgedAt: Date | string | null;
      changedAt: Date | string;
    }>`
      with changed as (
        select id from incidents where updated_at > ${since}
        union
        select incident_id from incident_notification_states where acknowledged_at > ${since}
      ), facts as (
        select i.id, i.organization_id, o.name as organization_name, i.priority, i.status, i.alert_count, i.created_at, i.updated_at,
               s.acknowledged_at as customer_acknowledged_at,
               date_trunc('milliseconds', greatest(i.updated_at, coalesce(s.acknowledged_at, i.updated_at))) as changed_at
        from changed c
        join incidents i on i.id = c.id
        join organizations o on o.id = i.organization_id
        left join incident_notification_states s on s.incident_id = i.id
      )
      select * from facts
      where (changed_at, id) > (${after.changedAt}::timestamptz, ${after.id}::uuid)
      order by changed_at, id
      limit ${limit}`.execute(this.db);
    const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
    return rows.rows.map((r) => ({
      id: r.id,
      organizationId: r.organizationId,
      organizationName: r.organizationName,
      priority: r.priority,
      status: r.status,
      alertCount: Number(r.alertCount),
      createdAt: date(r.createdAt),
      updatedAt: date(r.updatedAt),
      customerAcknowledgedAt: r.customerAcknowledgedAt === null ? null : date(r.customerAcknowledgedAt),
      changedAt: date(r.changedAt),
    }));
  }
}
