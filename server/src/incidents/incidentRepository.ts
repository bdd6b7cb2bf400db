/**
 * SQL of incidents: correlation writes (under a per-key advisory lock, backed by the unique partial
 * index on the correlating key), the analyst queue (keyset pagination), the detail, and triage writes.
 */
import type { IncidentEvidence, IncidentKind, IncidentPriority, IncidentQuery, IncidentStatus } from '@otasuke/shared';
import { sql, type Selectable } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';
import type { SlaClocks } from './slaCalendar.ts';
import { joinsWindow, type CorrelationKey } from './correlation.ts';
import { withDigest } from './evidence.ts';
import { monitoringDb, type IncidentsTable, type MonitoringDb, type MonitoringTx } from './incidentTables.ts';
import type { PriorityFacts } from './priority.ts';

export type IncidentRow = Selectable<IncidentsTable> & { organizationName: string };

/** One alert on its way into an incident. */
export interface AlertForIncident {
  id: string;
  organizationId: string;
  siteId: string;
  sensorId: string;
  observedAt: Date;
  direction: IncidentsTable['direction'];
  engine: IncidentsTable['engine'];
  explain: string;
  gid: number;
  signatureId: number;
  signature: string;
  severity: number;
}

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

export interface QueueCursor {
  priority: IncidentPriority;
  lastSeenAt: string;
  id: string;
}

type Tx = MonitoringTx;

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
   * Puts one segment (alerts of one key, no quiet gap inside) into the correlating incident of its
   * key, or a new one. The advisory lock serialises correlators of the same key across processes;
   * the unique index would refuse a second correlating incident if anything bypassed it.
   */
  async correlate(organizationId: string, key: CorrelationKey, alerts: readonly AlertForIncident[], prioritize: Prioritizer, now: Date): Promise<{ incidentId: string; created: boolean }> {
    const first = alerts[0]!;
    const firstSeen = alerts.reduce((m, a) => (a.observedAt < m ? a.observedAt : m), first.observedAt);
    const lastSeen = alerts.reduce((m, a) => (a.observedAt > m ? a.observedAt : m), first.observedAt);
    const severity = Math.min(...alerts.map((a) => a.severity));
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`incident:${organizationId}:${key.key}`}, 0))`.execute(tx);
      const open = await tx
        .selectFrom('incidents')
        .selectAll()
        .where('organizationId', '=', organizationId)
        .where('dedupKey', '=', key.key)
        .where('correlating', '=', true)
        .forUpdate()
        .executeTakeFirst();
      const asset = key.insideHost
        ? await tx.selectFrom('assetCriticality').select('criticality').where('organizationId', '=', organizationId).where(sql<boolean>`host = ${key.insideHost}::inet`).executeTakeFirst()
        : undefined;
      let incidentId: string;
      let created = false;
      if (open && joinsWindow(open.lastSeenAt, firstSeen, key.windowMs)) {
        const count = Number(open.alertCount) + alerts.length;
        const worst = Math.min(open.severity, severity);
        const { priority } = prioritize({ kind: open.kind as IncidentKind, engine: open.engine, direction: open.direction, severity: worst, alertCount: count, assetCriticality: asset?.criticality ?? null }, open.priority, open.createdAt);
        await tx
          .updateTable('incidents')
          .set({
            alertCount: sql`alert_count + ${alerts.length}`,
            firstSeenAt: sql`least(first_seen_at, ${firstSeen})`,
            lastSeenAt: sql`greatest(last_seen_at, ${lastSeen})`,
            severity: worst,
            priority,
            updatedAt: now,
          })
          .where('id', '=', open.id)
          .execute();
        if (priority !== open.priority) await this.addTimeline(tx, { incidentId: open.id, organizationId, at: now, actorUserId: null, kind: 'priority_raised', details: { from: open.priority, to: priority, alertCount: count } });
        incidentId = open.id;
      } else {
        if (open) await tx.updateTable('incidents').set({ correlating: false, updatedAt: now }).where('id', '=', open.id).execute();
        const { priority, sla } = prioritize({ kind: key.kind, engine: first.engine, direction: first.direction, severity, alertCount: alerts.length, assetCriticality: asset?.criticality ?? null }, null, now);
        const row = await tx
          .insertInto('incidents')
          .values({
            organizationId,
            siteId: first.siteId,
            sensorId: first.sensorId,
            dedupKey: key.key,
            kind: key.kind,
            explain: first.explain,
            direction: first.direction,
            engine: first.engine,
            insideHost: key.insideHost,
            peer: key.peer,
            gid: first.gid,
            signatureId: first.signatureId,
            signature: first.signature,
            severity,
            priority,
            alertCount: alerts.length,
            firstSeenAt: firstSeen,
            lastSeenAt: lastSeen,
            slaCalendar: sla!.calendar,
            acknowledgeDueAt: sla!.acknowledgeDueAt,
            notifyDueAt: sla!.notifyDueAt,
            createdAt: now,
            updatedAt: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        incidentId = row.id;
        created = true;
        await this.addTimeline(tx, { incidentId, organizationId, at: now, actorUserId: null, kind: 'opened', details: { dedupKey: key.key, priority, alertCount: alerts.length, ...(open ? { after: open.id } : {}) } });
      }
      await this.assignAlerts(tx, incidentId, alerts.map((a) => a.id), firstSeen, lastSeen);
      return { incidentId, created };
    });
  }

  private async assignAlerts(tx: Tx, incidentId: string, alertIds: readonly string[], from: Date, to: Date): Promise<void> {
    // The time bounds let PostgreSQL skip the other months' partitions.
    for (let i = 0; i < alertIds.length; i += 5000) {
      const chunk = alertIds.slice(i, i + 5000);
      await sql`update alerts set incident_id = ${incidentId} where id = any(${sql.val(chunk)}::uuid[]) and observed_at between ${from} and ${to}`.execute(tx);
    }
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
      select gid, signature_id, signature, count(*) as count, min(observed_at) as first_seen_at, max(observed_at) as last_seen_at
      from alerts where incident_id = ${incidentId} group by gid, signature_id, signature order by count(*) desc limit 50`.execute(this.db);
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
   * alerts (count, first/last seen, worst severity), in one transaction with its timeline entries.
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
