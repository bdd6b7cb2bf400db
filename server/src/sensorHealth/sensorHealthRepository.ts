import type { SensorHealthSample, SensorHeartbeat } from '@otasuke/shared';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** Heartbeats of sensors: the raw samples and the sensor's latest state. Only this file writes their SQL. */
export class SensorHealthRepository {
  constructor(private readonly db: Db) {}

  /**
   * One statement per heartbeat (a data-modifying CTE): the sample is stored and the sensor's
   * last-heartbeat, last-seen, bundle and agent versions move with it. 3 000 sensors every 60 s are
   * 50 of these a second, so no read-modify-write and no transaction round trips.
   */
  async record(sensorId: string, organizationId: string, heartbeat: SensorHeartbeat, receivedAt: Date): Promise<void> {
    await this.db
      .with('stored', (db) =>
        db
          .insertInto('sensorHeartbeats')
          .values({
            sensorId,
            organizationId,
            receivedAt,
            sentAt: heartbeat.sentAt,
            agentVersion: heartbeat.agentVersion,
            bundleVersion: heartbeat.bundleVersion,
            uptimeSec: heartbeat.uptimeSec,
            packetsPerSec: heartbeat.packetsPerSec,
            packetsTotal: heartbeat.packetsTotal,
            dropsTotal: heartbeat.dropsTotal,
            dropRate: heartbeat.dropRate,
            cpuPercent: heartbeat.cpuPercent,
            memoryBytes: heartbeat.memoryBytes,
            diskFreeBytes: heartbeat.diskFreeBytes,
            spoolBacklogEvents: heartbeat.spoolBacklogEvents,
            spoolBacklogBytes: heartbeat.spoolBacklogBytes,
            spoolDropped: heartbeat.spoolDropped,
          })
          .returning('sensorId'),
      )
      .updateTable('sensors')
      .set({ lastHeartbeatAt: receivedAt, lastSeenAt: receivedAt, bundleVersion: heartbeat.bundleVersion, agentVersion: heartbeat.agentVersion })
      .where('id', '=', sensorId)
      .execute();
  }

  async count(sensorId: string, from: Date, to: Date): Promise<number> {
    const row = await this.db
      .selectFrom('sensorHeartbeats')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('sensorId', '=', sensorId)
      .where('receivedAt', '>=', from)
      .where('receivedAt', '<', to)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async samples(sensorId: string, from: Date, to: Date): Promise<SensorHealthSample[]> {
    const rows = await this.db
      .selectFrom('sensorHeartbeats')
      .selectAll()
      .where('sensorId', '=', sensorId)
      .where('receivedAt', '>=', from)
      .where('receivedAt', '<', to)
      .orderBy('receivedAt')
      .execute();
    return rows.map((r) => toSample(r));
  }

  /**
   * Averages per time bucket of `bucketSeconds` from `from`: gauges are averaged, counters that
   * only grow (totals, uptime) take the bucket's maximum, versions the bucket's last value.
   */
  async bucketed(sensorId: string, from: Date, to: Date, bucketSeconds: number): Promise<SensorHealthSample[]> {
    const fromEpoch = from.getTime() / 1000;
    const result = await sql<Record<string, unknown>>`
      select floor((extract(epoch from received_at) - ${fromEpoch}) / ${bucketSeconds}) as bucket,
        to_timestamp(avg(extract(epoch from received_at))) as received_at,
        max(sent_at) as sent_at,
        (array_agg(agent_version order by received_at desc))[1] as agent_version,
        (array_agg(bundle_version order by received_at desc))[1] as bundle_version,
        max(uptime_sec) as uptime_sec,
        avg(packets_per_sec) as packets_per_sec,
        max(packets_total) as packets_total,
        max(drops_total) as drops_total,
        avg(drop_rate) as drop_rate,
        avg(cpu_percent) as cpu_percent,
        round(avg(memory_bytes)) as memory_bytes,
        round(avg(disk_free_bytes)) as disk_free_bytes,
        round(avg(spool_backlog_events)) as spool_backlog_events,
        round(avg(spool_backlog_bytes)) as spool_backlog_bytes,
        max(spool_dropped) as spool_dropped
      from sensor_heartbeats
      where sensor_id = ${sensorId} and received_at >= ${from} and received_at < ${to}
      group by 1
      order by 1`.execute(this.db);
    return result.rows.map((r) => toSample({ ...r, sensorId }));
  }

  /** Drops raw samples received before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('sensorHeartbeats').where('receivedAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

/** Rows come back camel-cased by the plugin; numbers may be strings (bigint, numeric). */
function toSample(r: Record<string, unknown>): SensorHealthSample {
  const n = (key: string) => Number(r[key]);
  return {
    sensorId: String(r.sensorId),
    receivedAt: iso(r.receivedAt),
    sentAt: iso(r.sentAt),
    agentVersion: String(r.agentVersion),
    bundleVersion: r.bundleVersion === null || r.bundleVersion === undefined ? null : String(r.bundleVersion),
    uptimeSec: n('uptimeSec'),
    packetsPerSec: n('packetsPerSec'),
    packetsTotal: n('packetsTotal'),
    dropsTotal: n('dropsTotal'),
    dropRate: n('dropRate'),
    cpuPercent: n('cpuPercent'),
    memoryBytes: n('memoryBytes'),
    diskFreeBytes: n('diskFreeBytes'),
    spoolBacklogEvents: n('spoolBacklogEvents'),
    spoolBacklogBytes: n('spoolBacklogBytes'),
    spoolDropped: n('spoolDropped'),
  };
}
