/**
 * SQL of the ingest: one transaction per batch inserts every alert at once (unnest of column
 * arrays: one statement, one round trip, whatever the batch size), skips the ones already stored
 * (`on conflict do nothing` on (sensor_id, seq, observed_at)), and adds to the sensor's counters.
 */
import type { UplinkAlert } from '@otasuke/shared';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { MonthPartition } from './alertPartitions.ts';

export interface AlertRowInput {
  /** Given by the caller, so the alert's incident can be decided before it is written. */
  id: string;
  seq: number;
  alert: UplinkAlert;
  suppressionId: string | null;
}

export interface InsertedAlert {
  id: string;
  seq: number;
  observedAt: Date;
  receivedAt: Date;
  /** Set when the batch was correlated in its transaction (null: no incident, e.g. suppressed). */
  incidentId?: string | null;
}

export interface SensorPlacement {
  organizationId: string;
  siteId: string;
}

/** Inside the insert's transaction: the incident of each alert id, for the rows about to be written. */
export type CorrelateInStore = (db: Db, fresh: readonly AlertRowInput[]) => Promise<ReadonlyMap<string, string>>;

/** The correlate callback failed: the transaction is rolled back, and the caller may store without it. */
export class CorrelationInStoreError extends Error {
  constructor(readonly reason: unknown) {
    super(`correlation inside the ingest transaction failed: ${(reason as Error)?.message ?? String(reason)}`);
  }
}

/** Any fixed number both nodes agree on: serializes partition DDL across ingest nodes and workers. */
const PARTITION_LOCK_KEY = 7_406_339_007;

const isoTimestamp = (d: Date) => d.toISOString();

/** With correlation, the alerts inserted (CTE `inserted`) are added to their incident's signature
 *  counts in the same statement, so the counts grow exactly with the incidents' alert counts. */
const countSignatures = sql`, counted as (
    insert into incident_signature_counts (incident_id, gid, signature_id, signature, count, first_seen_at, last_seen_at)
    select incident_id, gid, signature_id, signature, count(*), min(observed_at), max(observed_at)
    from inserted where incident_id is not null group by incident_id, gid, signature_id, signature
    on conflict (incident_id, gid, signature_id, signature) do update set
      count = incident_signature_counts.count + excluded.count,
      first_seen_at = least(incident_signature_counts.first_seen_at, excluded.first_seen_at),
      last_seen_at = greatest(incident_signature_counts.last_seen_at, excluded.last_seen_at))`;

export class IngestRepository {
  constructor(private readonly db: Db) {}

  /** Where the sensor is now (its site may have changed since it was enrolled). */
  async sensorPlacement(sensorId: string): Promise<SensorPlacement | undefined> {
    return this.db.selectFrom('sensors').select(['organizationId', 'siteId']).where('id', '=', sensorId).executeTakeFirst();
  }

  /**
   * Stores a batch in one transaction: the alerts that are new, the counters and last_seen_at.
   * Returns only the alerts this call inserted (a re-sent one returns nothing).
   *
   * With `correlate`, the incidents are decided in the same transaction before the insert, and each
   * alert row is written with its incident id: the sensor's batches are serialized by an advisory
   * lock, the ones already stored are looked up (one statement), and only the new ones are correlated
   * and inserted, so an incident's count is exactly its stored alerts.
   */
  async storeAlerts(input: { sensorId: string; placement: SensorPlacement; rows: readonly AlertRowInput[]; rejected: number; now: Date; correlate?: CorrelateInStore }): Promise<InsertedAlert[]> {
    return this.db.transaction().execute(async (tx) => {
      let rows = input.rows;
      let incidentOf: ReadonlyMap<string, string> | null = null;
      if (input.correlate && rows.length > 0) {
        await sql`select pg_advisory_xact_lock(hashtextextended(${`ingest:${input.sensorId}`}, 0))`.execute(tx);
        rows = await this.newRows(tx, input.sensorId, rows);
        // Counted before the incidents' locks are taken, so those are held as briefly as possible:
        // under the sensor's lock the rows found new are exactly the ones the insert will add.
        await this.count(tx, input, rows, rows);
        try {
          incidentOf = rows.length > 0 ? await input.correlate(tx, rows) : new Map();
        } catch (error) {
          throw new CorrelationInStoreError(error);
        }
      }
      let inserted: InsertedAlert[] = [];
      if (rows.length > 0) {
        const col = <T>(pick: (row: AlertRowInput) => T) => rows.map(pick);
        const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
        const result = await sql<{ id: string; seq: string | number; observedAt: Date; receivedAt: Date; incidentId: string | null }>`
          with inserted as (insert into alerts (id, organization_id, site_id, sensor_id, received_at, seq, observed_at, direction, engine, explain, gid,
            signature_id, rev, signature, category, severity, src_ip, src_port, dest_ip, dest_port, proto, app_proto, flow_id,
            community_id, metadata, flow, suppressed, suppression_id, incident_id)
          select t.id, ${input.placement.organizationId}::uuid, ${input.placement.siteId}::uuid, ${input.sensorId}::uuid, ${isoTimestamp(input.now)}::timestamptz,
            t.seq, t.observed_at, t.direction, t.engine, t.explain, t.gid, t.signature_id, t.rev, t.signature, t.category, t.severity,
            t.src_ip::inet, t.src_port, t.dest_ip::inet, t.dest_port, t.proto, t.app_proto, t.flow_id, t.community_id,
            t.metadata::jsonb, t.flow::jsonb, t.suppression_id is not null, t.suppression_id, t.incident_id
          from unnest(
            ${col((r) => r.id)}::uuid[], ${col((r) => r.seq)}::bigint[], ${col((r) => r.alert.observedAt)}::timestamptz[], ${col((r) => r.alert.direction)}::text[],
            ${col((r) => r.alert.engine)}::text[], ${col((r) => r.alert.explain)}::text[], ${col((r) => r.alert.gid)}::int[],
            ${col((r) => r.alert.signatureId)}::bigint[], ${col((r) => r.alert.rev)}::int[], ${col((r) => r.alert.signature)}::text[],
            ${col((r) => r.alert.category)}::text[], ${col((r) => r.alert.severity)}::smallint[], ${col((r) => r.alert.srcIp)}::text[],
            ${col((r) => r.alert.srcPort ?? null)}::int[], ${col((r) => r.alert.destIp)}::text[], ${col((r) => r.alert.destPort ?? null)}::int[],
            ${col((r) => r.alert.proto)}::text[], ${col((r) => r.alert.appProto ?? null)}::text[], ${col((r) => r.alert.flowId ?? null)}::text[],
            ${col((r) => r.alert.communityId ?? null)}::text[], ${col((r) => json(r.alert.metadata))}::text[], ${col((r) => json(r.alert.flow))}::text[],
            ${col((r) => r.suppressionId)}::uuid[], ${col((r) => incidentOf?.get(r.id) ?? null)}::uuid[]
          ) as t(id, seq, observed_at, direction, engine, explain, gid, signature_id, rev, signature, category, severity, src_ip, src_port,
                 dest_ip, dest_port, proto, app_proto, flow_id, community_id, metadata, flow, suppression_id, incident_id)
          on conflict do nothing
          returning id, seq, observed_at, received_at, incident_id, gid, signature_id, signature)${incidentOf ? countSignatures : sql``}
          select id, seq, observed_at, received_at, incident_id from inserted`.execute(tx);
        inserted = result.rows.map((r) => ({
          id: r.id,
          seq: Number(r.seq),
          observedAt: new Date(r.observedAt),
          receivedAt: new Date(r.receivedAt),
          ...(incidentOf ? { incidentId: r.incidentId } : {}),
        }));
        // Under the sensor's lock nothing else inserts its rows: every new row must have gone in, or
        // the incidents' counts would not match their alerts. Rolled back; the sensor sends again.
        if (incidentOf && inserted.length !== rows.length) throw new Error(`ingest: ${rows.length - inserted.length} of ${rows.length} new alerts of sensor ${input.sensorId} were not inserted`);
      }
      if (!incidentOf) await this.count(tx, input, rows, inserted);
      return inserted;
    });
  }

  /** Adds the batch to the sensor's counters and marks it heard from. */
  private async count(db: Db, input: { sensorId: string; rows: readonly AlertRowInput[]; rejected: number; now: Date }, rows: readonly AlertRowInput[], inserted: ReadonlyArray<{ seq: number }>): Promise<void> {
    const suppressedSeqs = new Set(rows.filter((r) => r.suppressionId !== null).map((r) => r.seq));
    const suppressed = inserted.filter((r) => suppressedSeqs.has(r.seq)).length;
    // One statement for both (a round trip less per batch, at every batch).
    await sql`
      with counted as (
        insert into sensor_ingest_counters (sensor_id, accepted, duplicates, rejected, suppressed, updated_at)
        values (${input.sensorId}::uuid, ${inserted.length}, ${input.rows.length - inserted.length}, ${input.rejected}, ${suppressed}, ${isoTimestamp(input.now)}::timestamptz)
        on conflict (sensor_id) do update set
          accepted = sensor_ingest_counters.accepted + excluded.accepted,
          duplicates = sensor_ingest_counters.duplicates + excluded.duplicates,
          rejected = sensor_ingest_counters.rejected + excluded.rejected,
          suppressed = sensor_ingest_counters.suppressed + excluded.suppressed,
          updated_at = excluded.updated_at
        returning sensor_id)
      update sensors set last_seen_at = ${isoTimestamp(input.now)}::timestamptz where id = ${input.sensorId}::uuid`.execute(db);
  }

  /**
   * The rows of a batch not stored yet: the first of each (seq, observed_at) within the batch, less
   * the ones already in the table (one indexed lookup, bounded by the batch's time span so
   * PostgreSQL skips the other months' partitions).
   */
  private async newRows(db: Db, sensorId: string, rows: readonly AlertRowInput[]): Promise<AlertRowInput[]> {
    const keyOf = (seq: number, observedAtMs: number) => `${seq}|${observedAtMs}`;
    const unique = new Map<string, AlertRowInput>();
    let from = Infinity;
    let to = -Infinity;
    for (const row of rows) {
      const at = Date.parse(row.alert.observedAt);
      from = Math.min(from, at);
      to = Math.max(to, at);
      const key = keyOf(row.seq, at);
      if (!unique.has(key)) unique.set(key, row);
    }
    const candidates = [...unique.values()];
    const seqs = candidates.map((r) => r.seq);
    // Dates carry milliseconds, the column microseconds: the upper bound is the next millisecond.
    const stored = await sql<{ seq: string | number; observedAt: Date }>`
      select a.seq, a.observed_at from alerts a
      join unnest(${sql.val(seqs)}::bigint[], ${sql.val(candidates.map((r) => r.alert.observedAt))}::timestamptz[]) as k(seq, observed_at)
        on a.seq = k.seq and a.observed_at = k.observed_at
      where a.sensor_id = ${sensorId}::uuid and a.seq = any(${sql.val(seqs)}::bigint[])
        and a.observed_at >= ${new Date(from)} and a.observed_at < ${new Date(to + 1)}`.execute(db);
    if (stored.rows.length === 0) return candidates;
    const known = new Set(stored.rows.map((r) => keyOf(Number(r.seq), new Date(r.observedAt).getTime())));
    return candidates.filter((r) => !known.has(keyOf(r.seq, Date.parse(r.alert.observedAt))));
  }

  /**
   * Makes a month's partition if it is missing. Serialized by an advisory lock, so two nodes
   * starting together neither race nor fail; rows of that month already in the default partition
   * are moved into the new table before it is attached.
   */
  async ensureMonthPartition(partition: MonthPartition): Promise<'exists' | 'created' | 'moved'> {
    if (!/^alerts_y\d{4}m\d{2}$/.test(partition.name)) throw new Error(`not a partition name: ${partition.name}`);
    const from = `'${isoTimestamp(partition.from)}'`;
    const to = `'${isoTimestamp(partition.to)}'`;
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${PARTITION_LOCK_KEY}::bigint)`.execute(tx);
      const found = await sql<{ name: string | null }>`select to_regclass(${partition.name})::text as name`.execute(tx);
      if (found.rows[0]?.name) return 'exists';
      const stray = await sql<{ n: number }>`select count(*)::int as n from alerts_default where observed_at >= ${sql.raw(from)} and observed_at < ${sql.raw(to)}`.execute(tx);
      if ((stray.rows[0]?.n ?? 0) === 0) {
        await sql.raw(`create table ${partition.name} partition of alerts for values from (${from}) to (${to})`).execute(tx);
        return 'created';
      }
      await sql.raw(`create table ${partition.name} (like alerts including defaults including constraints)`).execute(tx);
      await sql
        .raw(`with moved as (delete from alerts_default where observed_at >= ${from} and observed_at < ${to} returning *) insert into ${partition.name} select * from moved`)
        .execute(tx);
      await sql.raw(`alter table alerts attach partition ${partition.name} for values from (${from}) to (${to})`).execute(tx);
      return 'moved';
    });
  }
}
