/**
 * SQL of incidents: correlation writes (under a per-key advisory lock, backed by the unique partial
 * index on the correlating key), the analyst queue (keyset pagination), the detail, and triage writes.
 */
import type { IncidentEvidence, IncidentKind, IncidentPriority, IncidentQuery, IncidentStatus } from '@otasuke/shared';
import { sql, type Selectable } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';
import { slaClocks, type SlaClocks } from './slaCalendar.ts';
import { CORRELATION_RULES, planBatchCorrelation, type BatchCorrelationPlan, type CorrelationKey, type CorrelationRule, type NewIncidentPlan, type OpenIncidentFacts, type SegmentToCorrelate } from './correlation.ts';
import { withDigest } from './evidence.ts';
import { monitoringDb, type IncidentsTable, type MonitoringDb, type MonitoringTx } from './incidentTables.ts';
import type { PriorityFacts } from './priority.ts';

export type IncidentRow = Selectable<IncidentsTable> & { organizationName: string };

export interface Prioritizer {
  (facts: PriorityFacts, current: IncidentPriority | null, openedAt: Date): { priority: IncidentPriority; sla: SlaClocks | null };
}

export interface NewTimelineEntry {
  incidentId: string;
  organizationId: string;
  at: Date;
  actorUserId: string | null;
  kind: string;
  details?: Record<string, unknown>;
}

/** An incident raised by the platform itself, not by alerts. */
export interface OperationalIncident {
  organizationId: string;
  siteId: string | null;
  sensorId: string | null;
  /** Unique to the problem, e.g. `sensor-monitor:<sensor>:<problem>`. */
  dedupKey: string;
  kind: IncidentKind;
  explain: string;
  severity: number;
  priority: IncidentPriority;
  /** Kept in the `opened` timeline entry. */
  details: Record<string, unknown>;
}

export interface QueueCursor {
  priority: IncidentPriority;
  lastSeenAt: string;
  id: string;
}

type Tx = MonitoringTx;

type OpenIncident = OpenIncidentFacts & { organizationId: string; dedupKey: string };

const OPEN_STATUSES: IncidentStatus[] = ['new', 'acknowledged', 'investigating', 'customer_notified'];

export class IncidentRepository {
  private readonly db: MonitoringDb;

  constructor(db: Db) {
    this.db = monitoringDb(db);
  }

  private selectIncidents(db: MonitoringDb | Tx = this.db) {
    return db
      .selectFrom('incidents')
      .innerJoin('organizations', 'organizations.id', 'incidents.organizationId')
      .selectAll('incidents')
      .select('organizations.name as organizationName');
  }

  /**
   * Correlates alerts already stored (fixtures, re-correlation of alerts a failed hook left without
   * an incident) in a transaction of its own, then points the alerts at their incidents.
   */
  async correlateBatch(segments: readonly SegmentToCorrelate[], prioritize: Prioritizer, now: Date, rules: readonly CorrelationRule[] = CORRELATION_RULES): Promise<{ incidents: string[]; created: number }> {
    if (segments.length === 0) return { incidents: [], created: 0 };
    return this.db.transaction().execute(async (tx) => {
      const plan = await this.correlateWithin(tx, segments, prioritize, now, rules);
      await this.assignAlertsTo(tx, plan.assignments);
      return { incidents: plan.touched, created: plan.inserts.length };
    });
  }

  /**
   * Correlates a whole batch inside the caller's transaction (ingest's insert, so the alerts are
   * written with their incident id) with a fixed number of statements, whatever its size: the
   * advisory locks of every key (taken in key order, so two writers never deadlock), the open
   * incidents of those keys and their assets in one select each, then one update of the incidents
   * joined, one insert of the incidents opened and one insert of their timeline entries. The
   * decisions are taken in memory (planBatchCorrelation) in the segments' order (segmentBatch gives
   * a key's segments in time order). Returns the plan; its `assignments` say each alert's incident.
   */
  async correlateWithin(db: Db | MonitoringDb, segments: readonly SegmentToCorrelate[], prioritize: Prioritizer, now: Date, rules: readonly CorrelationRule[] = CORRELATION_RULES): Promise<BatchCorrelationPlan> {
    const tx = db as MonitoringDb;
    const groups = new Map<string, { organizationId: string; key: CorrelationKey; segments: SegmentToCorrelate[] }>();
    for (const segment of segments) {
      const lock = `incident:${segment.organizationId}:${segment.key.key}`;
      const group = groups.get(lock) ?? { organizationId: segment.organizationId, key: segment.key, segments: [] };
      group.segments.push(segment);
      groups.set(lock, group);
    }
    if (groups.size === 0) return { updates: [], inserts: [], timeline: [], assignments: [], touched: [] };
    const locks = [...groups.keys()].sort();
    const keyOrgs = locks.map((l) => groups.get(l)!.organizationId);
    const keyTexts = locks.map((l) => groups.get(l)!.key.key);
    const hosts = [...groups.values()].filter((g) => g.key.insideHost !== null);
    await sql`select count(pg_advisory_xact_lock(hashtextextended(s.lock, 0))) from (select lock from unnest(${sql.val(locks)}::text[]) as lock order by lock) s`.execute(tx);
    // Each join on unnest also says `= any(…)`: PGlite never analyzes its tables, and the array
    // condition is what makes the planner use the index instead of scanning.
    const openRows = await sql<OpenIncident>`
      select i.id, i.organization_id, i.dedup_key, i.kind, i.explain, i.engine, i.direction, i.severity, i.priority, i.alert_count, i.last_seen_at, i.created_at
      from incidents i join unnest(${sql.val(keyOrgs)}::uuid[], ${sql.val(keyTexts)}::text[]) as k(organization_id, dedup_key)
        on i.organization_id = k.organization_id and i.dedup_key = k.dedup_key
      where i.correlating and i.organization_id = any(${sql.val([...new Set(keyOrgs)])}::uuid[]) and i.dedup_key = any(${sql.val(keyTexts)}::text[])
      for update of i`.execute(tx);
    const open = new Map(openRows.rows.map((r) => [`incident:${r.organizationId}:${r.dedupKey}`, r]));
    const assetRows = hosts.length
      ? await sql<{ organizationId: string; host: string; criticality: 'high' | 'normal' | 'low' }>`
          select k.organization_id, k.host, a.criticality
          from asset_criticality a join unnest(${sql.val(hosts.map((g) => g.organizationId))}::uuid[], ${sql.val(hosts.map((g) => g.key.insideHost))}::text[]) as k(organization_id, host)
            on a.organization_id = k.organization_id and a.host = k.host::inet`.execute(tx)
      : { rows: [] };
    const assets = new Map(assetRows.rows.map((r) => [`${r.organizationId}\u0000${r.host}`, r.criticality]));
    const plan = planBatchCorrelation(
      [...groups.entries()].map(([lock, g]) => ({ ...g, open: open.get(lock) ?? null, assetCriticality: assets.get(`${g.organizationId}\u0000${g.key.insideHost}`) ?? null })),
      prioritize,
      now,
      undefined,
      rules,
    );

    if (plan.updates.length > 0) {
      const u = plan.updates;
      await sql`
        update incidents i set
          alert_count = i.alert_count + u.n,
          first_seen_at = least(i.first_seen_at, u.first_seen_at),
          last_seen_at = greatest(i.last_seen_at, u.last_seen_at),
          severity = least(i.severity, u.severity),
          priority = u.priority,
          correlating = u.correlating,
          kind = coalesce(u.kind, i.kind),
          explain = coalesce(u.explain, i.explain),
          direction = coalesce(u.direction, i.direction),
          engine = coalesce(u.engine, i.engine),
          gid = case when u.kind is null then i.gid else u.gid end,
          signature_id = case when u.kind is null then i.signature_id else u.signature_id end,
          signature = case when u.kind is null then i.signature else u.signature end,
          updated_at = ${now}
        from unnest(${sql.val(u.map((x) => x.id))}::uuid[], ${sql.val(u.map((x) => x.added))}::int[], ${sql.val(u.map((x) => x.firstSeenAt))}::timestamptz[],
          ${sql.val(u.map((x) => x.lastSeenAt))}::timestamptz[], ${sql.val(u.map((x) => x.severity))}::smallint[], ${sql.val(u.map((x) => x.priority))}::text[],
          ${sql.val(u.map((x) => x.correlating))}::boolean[], ${sql.val(u.map((x) => x.identity?.kind ?? null))}::text[], ${sql.val(u.map((x) => x.identity?.explain ?? null))}::text[],
          ${sql.val(u.map((x) => x.identity?.direction ?? null))}::text[], ${sql.val(u.map((x) => x.identity?.engine ?? null))}::text[], ${sql.val(u.map((x) => x.identity?.gid ?? null))}::int[],
          ${sql.val(u.map((x) => x.identity?.signatureId ?? null))}::bigint[], ${sql.val(u.map((x) => x.identity?.signature ?? null))}::text[])
          as u(id, n, first_seen_at, last_seen_at, severity, priority, correlating, kind, explain, direction, engine, gid, signature_id, signature)
        where i.id = u.id and i.id = any(${sql.val(u.map((x) => x.id))}::uuid[])`.execute(tx);
    }
    if (plan.inserts.length > 0) {
      const c = <T>(pick: (x: NewIncidentPlan) => T) => sql.val(plan.inserts.map(pick));
      await sql`
        insert into incidents (id, organization_id, site_id, sensor_id, dedup_key, correlating, kind, explain, direction, engine, inside_host, peer,
          gid, signature_id, signature, severity, priority, alert_count, first_seen_at, last_seen_at, sla_calendar, acknowledge_due_at, notify_due_at, created_at, updated_at)
        select t.*, ${now}::timestamptz, ${now}::timestamptz
        from unnest(${c((x) => x.id)}::uuid[], ${c((x) => x.organizationId)}::uuid[], ${c((x) => x.siteId)}::uuid[], ${c((x) => x.sensorId)}::uuid[],
          ${c((x) => x.dedupKey)}::text[], ${c((x) => x.correlating)}::boolean[], ${c((x) => x.kind)}::text[], ${c((x) => x.explain)}::text[],
          ${c((x) => x.direction)}::text[], ${c((x) => x.engine)}::text[], ${c((x) => x.insideHost)}::text[], ${c((x) => x.peer)}::text[],
          ${c((x) => x.gid)}::int[], ${c((x) => x.signatureId)}::bigint[], ${c((x) => x.signature)}::text[], ${c((x) => x.severity)}::smallint[],
          ${c((x) => x.priority)}::text[], ${c((x) => x.alertCount)}::bigint[], ${c((x) => x.firstSeenAt)}::timestamptz[], ${c((x) => x.lastSeenAt)}::timestamptz[],
          ${c((x) => x.slaCalendar)}::text[], ${c((x) => x.acknowledgeDueAt)}::timestamptz[], ${c((x) => x.notifyDueAt)}::timestamptz[])
        as t(id, organization_id, site_id, sensor_id, dedup_key, correlating, kind, explain, direction, engine, inside_host, peer,
          gid, signature_id, signature, severity, priority, alert_count, first_seen_at, last_seen_at, sla_calendar, acknowledge_due_at, notify_due_at)`.execute(tx);
    }
    if (plan.timeline.length > 0) {
      const e = plan.timeline;
      await sql`
        insert into incident_events (incident_id, organization_id, at, actor_user_id, kind, details)
        select t.incident_id, t.organization_id, ${now}::timestamptz, null, t.kind, t.details::jsonb
        from unnest(${sql.val(e.map((x) => x.incidentId))}::uuid[], ${sql.val(e.map((x) => x.organizationId))}::uuid[], ${sql.val(e.map((x) => x.kind))}::text[],
          ${sql.val(e.map((x) => JSON.stringify(x.details ?? {})))}::text[]) with ordinality as t(incident_id, organization_id, kind, details, n)
        order by t.n`.execute(tx);
    }
    return plan;
  }

  /** One update per 5,000 alerts: each alert's row found by id within the batch's time bounds (so
   *  PostgreSQL skips the other months' partitions). */
  private async assignAlertsTo(tx: Tx, assignments: ReadonlyArray<{ alertId: string; incidentId: string; observedAt: Date }>): Promise<void> {
    for (let i = 0; i < assignments.length; i += 5000) {
      const chunk = assignments.slice(i, i + 5000);
      let from = chunk[0]!.observedAt.getTime();
      let to = from;
      for (const a of chunk) {
        from = Math.min(from, a.observedAt.getTime());
        to = Math.max(to, a.observedAt.getTime());
      }
      // Dates carry milliseconds, the column microseconds: the upper bound is the next millisecond.
      // The alerts moved are added to their incidents' signature counts in the same statement.
      await sql`
        with assigned as (
          update alerts a set incident_id = u.incident_id
          from unnest(${sql.val(chunk.map((x) => x.alertId))}::uuid[], ${sql.val(chunk.map((x) => x.incidentId))}::uuid[]) as u(id, incident_id)
          where a.id = u.id and a.id = any(${sql.val(chunk.map((x) => x.alertId))}::uuid[]) and a.observed_at >= ${new Date(from)} and a.observed_at < ${new Date(to + 1)}
          returning a.incident_id, a.gid, a.signature_id, a.signature, a.observed_at)
        insert into incident_signature_counts (incident_id, gid, signature_id, signature, count, first_seen_at, last_seen_at)
        select incident_id, gid, signature_id, signature, count(*), min(observed_at), max(observed_at)
        from assigned group by incident_id, gid, signature_id, signature
        on conflict (incident_id, gid, signature_id, signature) do update set
          count = incident_signature_counts.count + excluded.count,
          first_seen_at = least(incident_signature_counts.first_seen_at, excluded.first_seen_at),
          last_seen_at = greatest(incident_signature_counts.last_seen_at, excluded.last_seen_at)`.execute(tx);
    }
  }

  /**
   * Opens an operational incident (no alerts: the sensor monitor's silent sensor, dropped packets,
   * old bundle) inside the caller's transaction, the way correlation opens one: SLA clocks of its
   * priority, an `opened` timeline entry. It never correlates (its key is the caller's).
   */
  async openOperational(db: Db | MonitoringDb, input: OperationalIncident, now: Date): Promise<string> {
    const tx = db as MonitoringDb;
    const sla = slaClocks(input.priority, now);
    const row = await tx
      .insertInto('incidents')
      .values({
        organizationId: input.organizationId,
        siteId: input.siteId,
        sensorId: input.sensorId,
        dedupKey: input.dedupKey,
        correlating: false,
        kind: input.kind,
        explain: input.explain,
        direction: 'internal',
        engine: 'behaviour',
        insideHost: null,
        peer: null,
        gid: null,
        signatureId: null,
        signature: null,
        severity: input.severity,
        priority: input.priority,
        alertCount: 0,
        firstSeenAt: now,
        lastSeenAt: now,
        slaCalendar: sla.calendar,
        acknowledgeDueAt: sla.acknowledgeDueAt,
        notifyDueAt: sla.notifyDueAt,
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.addTimeline(tx, { incidentId: row.id, organizationId: input.organizationId, at: now, actorUserId: null, kind: 'opened', details: { dedupKey: input.dedupKey, priority: input.priority, alertCount: 0, ...input.details } });
    return row.id;
  }

  /** Resolves an operational incident that is still open (an analyst may have closed it already). */
  async resolveOperational(db: Db | MonitoringDb, id: string, resolution: 'benign' | 'false_positive' | 'true_positive', now: Date, details: Record<string, unknown>): Promise<boolean> {
    const tx = db as MonitoringDb;
    const updated = await tx
      .updateTable('incidents')
      .set({ status: 'resolved', resolution, resolvedAt: now, correlating: false, updatedAt: now })
      .where('id', '=', id)
      .where('status', 'in', OPEN_STATUSES)
      .returning(['organizationId', 'status'])
      .executeTakeFirst();
    if (!updated) return false;
    await this.addTimeline(tx, { incidentId: id, organizationId: updated.organizationId, at: now, actorUserId: null, kind: 'status_changed', details: { to: 'resolved', resolution, ...details } });
    return true;
  }

  async addTimeline(db: MonitoringDb | Tx, entry: NewTimelineEntry): Promise<void> {
    await db
      .insertInto('incidentEvents')
      .values({ incidentId: entry.incidentId, organizationId: entry.organizationId, at: entry.at, actorUserId: entry.actorUserId, kind: entry.kind, details: JSON.stringify(entry.details ?? {}) })
      .execute();
  }

  /** The queue, newest page first; `limit + 1` rows tell whether there is a next page. */
  async list(filter: TenantFilter, query: IncidentQuery, cursor: QueueCursor | null): Promise<IncidentRow[]> {
    let q = restrictToTenant(this.selectIncidents(), 'incidents.organizationId', filter);
    q = q.where('incidents.status', 'in', query.status ?? OPEN_STATUSES);
    if (query.priority) q = q.where('incidents.priority', 'in', query.priority);
    if (query.organizationId) q = q.where('incidents.organizationId', '=', query.organizationId);
    if (query.direction) q = q.where('incidents.direction', '=', query.direction);
    if (query.engine) q = q.where('incidents.engine', '=', query.engine);
    if (query.assigneeUserId) q = q.where('incidents.assigneeUserId', '=', query.assigneeUserId);
    if (query.from) q = q.where('incidents.lastSeenAt', '>=', new Date(query.from));
    if (query.to) q = q.where('incidents.lastSeenAt', '<', new Date(query.to));
    if (cursor) {
      const t = new Date(cursor.lastSeenAt);
      if (query.sort === 'priority') {
        q = q.where((eb) =>
          eb.or([
            eb('incidents.priority', '>', cursor.priority),
            eb.and([eb('incidents.priority', '=', cursor.priority), eb(eb.refTuple('incidents.lastSeenAt', 'incidents.id'), '<', eb.tuple(t, cursor.id))]),
          ]),
        );
      } else {
        q = q.where((eb) => eb(eb.refTuple('incidents.lastSeenAt', 'incidents.id'), '<', eb.tuple(t, cursor.id)));
      }
    }
    if (query.sort === 'priority') q = q.orderBy('incidents.priority', 'asc');
    return q.orderBy('incidents.lastSeenAt', 'desc').orderBy('incidents.id', 'desc').limit(query.limit + 1).execute();
  }

  /**
   * The subscriber's acknowledgement of these incidents (the mail's link or the portal), with who it
   * was: the contact or user as now named, else the name the timeline kept when it happened.
   */
  async customerAcknowledgements(ids: readonly string[]): Promise<Map<string, { at: Date; via: 'mail_link' | 'portal' | null; by: string | null }>> {
    if (ids.length === 0) return new Map();
    const rows = await sql<{ incidentId: string; acknowledgedAt: Date | string; via: string | null; by: string | null }>`
      select s.incident_id, s.acknowledged_at,
             case when s.acknowledged_by_contact_id is not null or e.details->>'via' = 'mail_link' then 'mail_link'
                  when s.acknowledged_by_user_id is not null or e.details->>'via' = 'console' then 'portal' end as via,
             coalesce(c.name, u.display_name, e.details->>'contactName') as by
      from incident_notification_states s
      left join notification_contacts c on c.id = s.acknowledged_by_contact_id
      left join users u on u.id = s.acknowledged_by_user_id
      left join lateral (select details from incident_events where incident_id = s.incident_id and kind = 'customer_acknowledged' order by id limit 1) e on true
      where s.incident_id = any(${sql.val(ids)}::uuid[]) and s.acknowledged_at is not null`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.incidentId, { at: new Date(r.acknowledgedAt), via: r.via as 'mail_link' | 'portal' | null, by: r.by }]));
  }

  async get(filter: TenantFilter, id: string): Promise<IncidentRow | undefined> {
    return restrictToTenant(this.selectIncidents(), 'incidents.organizationId', filter).where('incidents.id', '=', id).executeTakeFirst();
  }

  async getMany(filter: TenantFilter, ids: readonly string[]): Promise<IncidentRow[]> {
    if (ids.length === 0) return [];
    return restrictToTenant(this.selectIncidents(), 'incidents.organizationId', filter).where('incidents.id', 'in', ids).execute();
  }

  async related(row: IncidentRow, limit = 20): Promise<IncidentRow[]> {
    const sameHost = row.insideHost;
    const samePeer = row.peer;
    if (!sameHost && !samePeer) return [];
    return this.selectIncidents()
      .where('incidents.organizationId', '=', row.organizationId)
      .where('incidents.id', '!=', row.id)
      .where((eb) => eb.or([...(sameHost ? [eb('incidents.insideHost', '=', sameHost)] : []), ...(samePeer ? [eb('incidents.peer', '=', samePeer)] : [])]))
      .orderBy('incidents.lastSeenAt', 'desc')
      .limit(limit)
      .execute();
  }

  async alertGroups(incidentId: string) {
    const rows = await sql<{ gid: number; signatureId: string; signature: string; count: string; firstSeenAt: Date; lastSeenAt: Date }>`
      select gid, signature_id, signature, count, first_seen_at, last_seen_at
      from incident_signature_counts where incident_id = ${incidentId} order by count desc, gid, signature_id, signature limit 50`.execute(this.db);
    return rows.rows.map((r) => ({ gid: r.gid, signatureId: Number(r.signatureId), signature: r.signature, count: Number(r.count), firstSeenAt: new Date(r.firstSeenAt).toISOString(), lastSeenAt: new Date(r.lastSeenAt).toISOString() }));
  }

  async evidence(incidentId: string, limit = 200): Promise<IncidentEvidence[]> {
    const rows = await this.db
      .selectFrom('alerts')
      .select(['id', 'observedAt', 'sensorId', 'seq', 'direction', 'engine', 'explain', 'gid', 'signatureId', 'signature', 'category', 'severity', 'srcIp', 'srcPort', 'destIp', 'destPort', 'proto', 'appProto', 'flow'])
      .where('incidentId', '=', incidentId)
      .orderBy('observedAt', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) =>
      withDigest({
        alertId: r.id,
        observedAt: r.observedAt.toISOString(),
        sensorId: r.sensorId,
        seq: Number(r.seq),
        direction: r.direction,
        engine: r.engine,
        explain: r.explain,
        gid: r.gid,
        signatureId: Number(r.signatureId),
        signature: r.signature,
        category: r.category,
        severity: r.severity,
        srcIp: r.srcIp,
        srcPort: r.srcPort,
        destIp: r.destIp,
        destPort: r.destPort,
        proto: r.proto,
        appProto: r.appProto,
        flow: (r.flow as IncidentEvidence['flow']) ?? null,
      }),
    );
  }

  notes(incidentId: string) {
    return this.db.selectFrom('incidentNotes').selectAll().where('incidentId', '=', incidentId).orderBy('createdAt').execute();
  }

  tasks(incidentId: string) {
    return this.db.selectFrom('incidentTasks').selectAll().where('incidentId', '=', incidentId).orderBy('createdAt').orderBy('id').execute();
  }

  timeline(incidentId: string) {
    return this.db.selectFrom('incidentEvents').selectAll().where('incidentId', '=', incidentId).orderBy('id').execute();
  }

  async update(id: string, changes: Partial<Omit<Selectable<IncidentsTable>, 'id'>>, entry: NewTimelineEntry): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('incidents').set(changes).where('id', '=', id).execute();
      await this.addTimeline(tx, entry);
    });
  }

  async addNote(incidentId: string, organizationId: string, authorUserId: string | null, body: string, at: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const note = await tx.insertInto('incidentNotes').values({ incidentId, organizationId, authorUserId, body, createdAt: at }).returning('id').executeTakeFirstOrThrow();
      await this.addTimeline(tx, { incidentId, organizationId, at, actorUserId: authorUserId, kind: 'note_added', details: { noteId: note.id } });
    });
  }

  async addTask(incidentId: string, organizationId: string, actorUserId: string | null, title: string, at: Date): Promise<string> {
    return this.db.transaction().execute(async (tx) => {
      const task = await tx.insertInto('incidentTasks').values({ incidentId, organizationId, title, createdAt: at }).returning('id').executeTakeFirstOrThrow();
      await this.addTimeline(tx, { incidentId, organizationId, at, actorUserId, kind: 'task_added', details: { taskId: task.id, title } });
      return task.id;
    });
  }

  async setTaskDone(incidentId: string, organizationId: string, taskId: string, done: boolean, actorUserId: string | null, at: Date): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('incidentTasks')
        .set({ done, doneAt: done ? at : null, doneByUserId: done ? actorUserId : null })
        .where('id', '=', taskId)
        .where('incidentId', '=', incidentId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await this.addTimeline(tx, { incidentId, organizationId, at, actorUserId, kind: done ? 'task_done' : 'task_reopened', details: { taskId } });
      return true;
    });
  }

  async isOperatorAnalyst(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .innerJoin('organizations', 'organizations.id', 'users.organizationId')
      .select('users.id')
      .where('users.id', '=', userId)
      .where('users.role', 'in', ['analyst', 'operator_admin'])
      .where('organizations.kind', '=', 'operator')
      .where('users.disabledAt', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Which of these alerts belong to the incident (ids not in it are left out). */
  async alertsOf(incidentId: string, alertIds: readonly string[]): Promise<string[]> {
    const rows = await this.db.selectFrom('alerts').select('id').where('incidentId', '=', incidentId).where('id', 'in', alertIds).execute();
    return rows.map((r) => r.id);
  }

  /**
   * Moves alerts between incidents and recomputes the counts of every incident touched from its
   * alerts (count, first/last seen, worst severity, signature counts), in one transaction with its timeline entries.
   */
  async moveAlerts(
    moves: { fromIncidentIds: readonly string[]; toIncidentId: string; alertIds: readonly string[] | 'all' },
    entries: readonly NewTimelineEntry[],
    extra: (tx: Tx) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await extra(tx);
      if (moves.alertIds === 'all') {
        await sql`update alerts set incident_id = ${moves.toIncidentId} where incident_id = any(${sql.val(moves.fromIncidentIds)}::uuid[])`.execute(tx);
      } else {
        await sql`update alerts set incident_id = ${moves.toIncidentId} where incident_id = any(${sql.val(moves.fromIncidentIds)}::uuid[]) and id = any(${sql.val(moves.alertIds)}::uuid[])`.execute(tx);
      }
      for (const id of [...moves.fromIncidentIds, moves.toIncidentId]) await this.recount(tx, id);
      for (const entry of entries) await this.addTimeline(tx, entry);
    });
  }

  private async recount(tx: Tx, incidentId: string): Promise<void> {
    await sql`
      update incidents i set
        alert_count = s.n,
        first_seen_at = coalesce(s.first_seen, i.first_seen_at),
        last_seen_at = coalesce(s.last_seen, i.last_seen_at),
        severity = coalesce(s.worst, i.severity)
      from (select count(*) as n, min(observed_at) as first_seen, max(observed_at) as last_seen, min(severity) as worst from alerts where incident_id = ${incidentId}) s
      where i.id = ${incidentId}`.execute(tx);
    await sql`delete from incident_signature_counts where incident_id = ${incidentId}`.execute(tx);
    await sql`
      insert into incident_signature_counts (incident_id, gid, signature_id, signature, count, first_seen_at, last_seen_at)
      select incident_id, gid, signature_id, signature, count(*), min(observed_at), max(observed_at)
      from alerts where incident_id = ${incidentId} group by incident_id, gid, signature_id, signature`.execute(tx);
  }

  /** Moves alerts into a new incident copying the source's facts; the new one does not correlate
   *  (the key stays with the source). Returns the new incident's id. */
  async split(source: IncidentRow, alertIds: readonly string[], now: Date, entries: (newIncidentId: string) => NewTimelineEntry[]): Promise<string> {
    return this.db.transaction().execute(async (tx) => {
      const { id: _id, organizationName: _name, ...facts } = source;
      const row = await tx
        .insertInto('incidents')
        .values({
          ...facts,
          correlating: false,
          status: 'new',
          resolution: null,
          assigneeUserId: null,
          acknowledgedAt: null,
          customerNotifiedAt: null,
          resolvedAt: null,
          mergedIntoId: null,
          customerTextJa: null,
          customerTextEn: null,
          alertCount: 0,
          createdAt: now,
          updatedAt: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await sql`update alerts set incident_id = ${row.id} where incident_id = ${source.id} and id = any(${sql.val(alertIds)}::uuid[])`.execute(tx);
      await this.recount(tx, source.id);
      await this.recount(tx, row.id);
      for (const entry of entries(row.id)) await this.addTimeline(tx, entry);
      return row.id;
    });
  }
}
