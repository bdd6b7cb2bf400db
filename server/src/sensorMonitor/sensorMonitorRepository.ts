/**
 * SQL of the sensor monitor: the active sensors with their latest samples, and the operational
 * incidents it opens and resolves (kind sensor_health, one per sensor and problem, tracked in
 * `sensor_problems`). The incidents are opened and resolved through the incident core
 * (IncidentRepository.openOperational / resolveOperational: SLA clocks, timeline) in the same
 * transaction as the problem's row; they never correlate (alerts keep their own keys) and are
 * resolved as benign when the sensor recovers.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { IncidentRepository } from '../incidents/incidentRepository.ts';
import type { MonitoringDb } from '../incidents/incidentTables.ts';
import { notificationDb, type NotificationDb } from '../notifications/notificationTables.ts';
import type { SensorProblem } from './sensorProblems.ts';

/** The notification tables' transaction seen as the incident core's (both only widen `Tables`). */
const monitoringTx = (tx: NotificationDb): MonitoringDb => tx as unknown as MonitoringDb;

export interface MonitoredSensor {
  id: string;
  organizationId: string;
  siteId: string;
  name: string;
  lastHeardAt: Date | null;
  bundleVersion: string | null;
  bundlePolicyId: string | null;
  recentDropRates: number[];
}

export class SensorMonitorRepository {
  private readonly db: NotificationDb;
  private readonly incidents: IncidentRepository;

  constructor(db: Db, incidents?: IncidentRepository) {
    this.db = notificationDb(db);
    this.incidents = incidents ?? new IncidentRepository(db);
  }

  /** Active sensors with their last `samples` drop rates (oldest first). */
  async activeSensors(samples: number): Promise<MonitoredSensor[]> {
    const rows = await sql<{ id: string; organizationId: string; siteId: string; name: string; lastHeardAt: Date | null; bundleVersion: string | null; bundlePolicyId: string | null; dropRates: number[] | null }>`
      select s.id, s.organization_id, s.site_id, s.name, coalesce(s.last_heartbeat_at, s.enrolled_at) as last_heard_at, s.bundle_version,
        o.bundle_policy_id,
        (select array_agg(h.drop_rate order by h.received_at) from (
           select drop_rate, received_at from sensor_heartbeats where sensor_id = s.id order by received_at desc limit ${samples}) h) as drop_rates
      from sensors s join organizations o on o.id = s.organization_id
      where s.status = 'active'`.execute(this.db);
    return rows.rows.map((r) => ({ ...r, lastHeardAt: r.lastHeardAt ? new Date(r.lastHeardAt) : null, recentDropRates: (r.dropRates ?? []).map(Number) }));
  }

  openProblems(): Promise<Array<{ sensorId: string; problem: SensorProblem; incidentId: string }>> {
    return this.db.selectFrom('sensorProblems').select(['sensorId', 'problem', 'incidentId']).execute();
  }

  /** Opens the operational incident of one problem; a second call for an open one does nothing. */
  async open(sensor: MonitoredSensor, problem: SensorProblem, details: Record<string, unknown>, now: Date): Promise<string | null> {
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`sensor-problem:${sensor.id}:${problem}`}, 0))`.execute(tx);
      const existing = await tx.selectFrom('sensorProblems').select('incidentId').where('sensorId', '=', sensor.id).where('problem', '=', problem).executeTakeFirst();
      if (existing) return null;
      const incidentId = await this.incidents.openOperational(
        monitoringTx(tx),
        {
          organizationId: sensor.organizationId,
          siteId: sensor.siteId,
          sensorId: sensor.id,
          dedupKey: `sensor-monitor:${sensor.id}:${problem}`,
          kind: 'sensor_health',
          explain: problem,
          severity: 2,
          priority: 'P2',
          details: { by: 'sensor_monitor', problem, ...details },
        },
        now,
      );
      await tx.insertInto('sensorProblems').values({ sensorId: sensor.id, problem, incidentId, openedAt: now }).execute();
      return incidentId;
    });
  }

  /** Resolves the problem's incident (unless an analyst already closed it) and forgets the problem. */
  async resolve(sensorId: string, problem: SensorProblem, now: Date): Promise<string | null> {
    return this.db.transaction().execute(async (tx) => {
      const gone = await tx.deleteFrom('sensorProblems').where('sensorId', '=', sensorId).where('problem', '=', problem).returning(['incidentId']).executeTakeFirst();
      if (!gone) return null;
      await this.incidents.resolveOperational(monitoringTx(tx), gone.incidentId, 'benign', now, { by: 'sensor_monitor', reason: 'the sensor recovered' });
      return gone.incidentId;
    });
  }
}
