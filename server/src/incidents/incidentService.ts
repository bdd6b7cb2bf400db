/**
 * Incidents: correlation of stored alerts (called by ingest after the commit), the analyst queue and
 * the triage workflow. Every change is written to the incident's timeline and to the audit log.
 *
 * Status flow: new → acknowledged → investigating → customer_notified → resolved (with a resolution);
 * a resolved incident is reopened by moving it to investigating. `merged` is set by merge only.
 */
import type {
  IncidentCustomerText,
  IncidentDetail,
  IncidentPage,
  IncidentPriority,
  IncidentQuery,
  IncidentStatus,
  IncidentSummary,
  IncidentTransition,
  Locale,
} from '@otasuke/shared';
import { isOperatorRole } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import { incidentTitle, renderIncidentText, type RenderedText } from '../explain/incidentText.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors.ts';
import type { StoredAlertRef } from '../ingest/alertIngestHooks.ts';
import { checkRules, CORRELATION_RULES, incidentAlertOf, segmentBatch, type CorrelationRule } from './correlation.ts';
import type { IncidentRepository, IncidentRow, Prioritizer, QueueCursor } from './incidentRepository.ts';
import { priorityOf, raisedPriority } from './priority.ts';
import { slaClocks } from './slaCalendar.ts';

/** Which status may follow which (resolved → investigating is the reopen). */
export const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  new: ['acknowledged', 'investigating', 'resolved'],
  acknowledged: ['investigating', 'customer_notified', 'resolved'],
  investigating: ['customer_notified', 'resolved'],
  customer_notified: ['investigating', 'resolved'],
  resolved: ['investigating'],
  merged: [],
};

const prioritize: Prioritizer = (facts, current, openedAt) => {
  const computed = priorityOf(facts);
  if (current === null) return { priority: computed, sla: slaClocks(computed, openedAt) };
  return { priority: raisedPriority(current, computed), sla: null };
};

function encodeCursor(cursor: QueueCursor): string {
  return Buffer.from(JSON.stringify([cursor.priority, cursor.lastSeenAt, cursor.id])).toString('base64url');
}

function decodeCursor(text: string): QueueCursor {
  try {
    const [priority, lastSeenAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [IncidentPriority, string, string];
    if (!/^P[1-4]$/.test(priority) || Number.isNaN(Date.parse(lastSeenAt)) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { priority, lastSeenAt, id };
  } catch {
    throw new BadRequestError('the cursor is not one this server gave out', { fields: [{ field: 'querystring.cursor', message: 'use `nextCursor` of the previous page' }] });
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSummary(row: IncidentRow, locale: Locale = 'ja'): IncidentSummary {
  return {
    id: row.id,
    organizationId: row.organizationId,
    organizationName: row.organizationName,
    siteId: row.siteId,
    sensorId: row.sensorId,
    kind: row.kind as IncidentSummary['kind'],
    explain: row.explain,
    title: incidentTitle({ explain: row.explain, insideHost: row.insideHost, peer: row.peer, alertCount: Number(row.alertCount) }, locale),
    direction: row.direction,
    engine: row.engine,
    insideHost: row.insideHost,
    peer: row.peer,
    severity: row.severity,
    priority: row.priority,
    status: row.status,
    resolution: row.resolution,
    alertCount: Number(row.alertCount),
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    assigneeUserId: row.assigneeUserId,
    acknowledgeDueAt: row.acknowledgeDueAt.toISOString(),
    notifyDueAt: row.notifyDueAt.toISOString(),
    acknowledgedAt: iso(row.acknowledgedAt),
    customerNotifiedAt: iso(row.customerNotifiedAt),
    resolvedAt: iso(row.resolvedAt),
    mergedIntoId: row.mergedIntoId,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The owner-facing text of an incident, for the mail and escalation code. */
export function renderIncidentRowText(row: IncidentRow, locale: Locale): RenderedText {
  return renderIncidentText({ explain: row.explain, insideHost: row.insideHost, peer: row.peer, alertCount: Number(row.alertCount), customerTextJa: row.customerTextJa, customerTextEn: row.customerTextEn }, locale);
}

export class IncidentService {
  constructor(
    private readonly repository: IncidentRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly rules: readonly CorrelationRule[] = CORRELATION_RULES,
  ) {
    checkRules(rules);
  }

  /**
   * Correlates alerts already stored (suppressed ones are skipped) in one transaction: the path of
   * alerts stored without their incident (fixtures, a re-run after a failed hook). Ingest itself
   * correlates inside its insert (monitoringHooks.ts). On failure the alerts stay uncorrelated
   * (incident_id null) and can be correlated again later.
   */
  async correlate(alerts: readonly StoredAlertRef[]): Promise<{ incidents: string[]; created: number }> {
    const candidates = alerts.filter((a) => !a.suppressed).map(incidentAlertOf);
    if (candidates.length === 0) return { incidents: [], created: 0 };
    return this.repository.correlateBatch(segmentBatch(candidates, this.rules), prioritize, this.clock.now(), this.rules);
  }

  async list(scope: AccessScope, query: IncidentQuery): Promise<IncidentPage> {
    const rows = await this.repository.list(tenantFilterOf(scope), query, query.cursor ? decodeCursor(query.cursor) : null);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > query.limit && last ? encodeCursor({ priority: last.priority, lastSeenAt: last.lastSeenAt.toISOString(), id: last.id }) : null;
    const acknowledged = await this.repository.customerAcknowledgements(page.map((r) => r.id));
    return {
      items: page.map((r) => {
        const ack = acknowledged.get(r.id);
        return { ...toSummary(r), customerAcknowledgement: ack ? { at: ack.at.toISOString(), via: ack.via, by: ack.by } : null };
      }),
      nextCursor,
    };
  }

  private async find(scope: AccessScope, id: string): Promise<IncidentRow> {
    const row = await this.repository.get(tenantFilterOf(scope), id);
    if (!row) throw new NotFoundError('incident');
    return row;
  }

  async get(scope: AccessScope, id: string): Promise<IncidentDetail> {
    const row = await this.find(scope, id);
    const ownerText = renderIncidentRowText(row, 'ja');
    // Subscribers read what the owner is told, not the analysts' workings.
    if (!isOperatorRole(scope.role) || scope.organizationKind !== 'operator') return { incident: toSummary(row), ownerText, analysis: null };
    const [alertGroups, evidence, notes, tasks, timeline, related] = await Promise.all([
      this.repository.alertGroups(id),
      this.repository.evidence(id),
      this.repository.notes(id),
      this.repository.tasks(id),
      this.repository.timeline(id),
      this.repository.related(row),
    ]);
    return {
      incident: toSummary(row),
      ownerText,
      analysis: {
        dedupKey: row.dedupKey,
        signature: row.signature,
        alertGroups,
        evidence,
        notes: notes.map((n) => ({ id: n.id, authorUserId: n.authorUserId, body: n.body, createdAt: n.createdAt.toISOString() })),
        tasks: tasks.map((t) => ({ id: t.id, title: t.title, done: t.done, doneAt: iso(t.doneAt), doneByUserId: t.doneByUserId, createdAt: t.createdAt.toISOString() })),
        timeline: timeline.map((e) => ({ at: e.at.toISOString(), actorUserId: e.actorUserId, kind: e.kind, details: e.details })),
        related: related.map((r) => toSummary(r)),
        customerTextJa: row.customerTextJa,
        customerTextEn: row.customerTextEn,
      },
    };
  }

  /** For the mail and escalation code: the text as the owner will read it. */
  async ownerText(scope: AccessScope, id: string, locale: Locale): Promise<RenderedText> {
    return renderIncidentRowText(await this.find(scope, id), locale);
  }

  private async record(context: RequestContext, row: IncidentRow, action: string, details: Record<string, unknown>): Promise<void> {
    await this.audit.record(context, { action: `incident.${action}`, organizationId: row.organizationId, targetType: 'incident', targetId: row.id, details });
  }

  private actor(context: RequestContext): string | null {
    return context.scope?.userId ?? null;
  }

  async transition(context: RequestContext, id: string, input: IncidentTransition): Promise<IncidentDetail> {
    const row = await this.find(context.scope!, id);
    if (!TRANSITIONS[row.status].includes(input.to)) {
      throw new ConflictError(`an incident that is ${row.status} cannot become ${input.to}; allowed next: ${TRANSITIONS[row.status].join(', ') || 'none'}`);
    }
    if (input.to === 'resolved' && !input.resolution) {
      throw new BadRequestError('say how it ended to resolve it', { fields: [{ field: 'body.resolution', message: 'true_positive, false_positive or benign' }] });
    }
    if (input.to !== 'resolved' && input.resolution) throw new BadRequestError('a resolution is given only when resolving', { fields: [{ field: 'body.resolution', message: 'leave it out' }] });
    const now = this.clock.now();
    const reopen = row.status === 'resolved';
    await this.repository.update(
      id,
      {
        status: input.to,
        resolution: input.to === 'resolved' ? input.resolution! : null,
        updatedAt: now,
        ...(input.to === 'acknowledged' || (!row.acknowledgedAt && input.to !== 'resolved') ? { acknowledgedAt: row.acknowledgedAt ?? now } : {}),
        ...(input.to === 'customer_notified' ? { customerNotifiedAt: now } : {}),
        ...(input.to === 'resolved' ? { resolvedAt: now, correlating: false } : { resolvedAt: null }),
      },
      { incidentId: id, organizationId: row.organizationId, at: now, actorUserId: this.actor(context), kind: reopen ? 'reopened' : 'status_changed', details: { from: row.status, to: input.to, ...(input.resolution ? { resolution: input.resolution } : {}) } },
    );
    if (input.note) await this.repository.addNote(id, row.organizationId, this.actor(context), input.note, now);
    await this.record(context, row, reopen ? 'reopen' : 'transition', { from: row.status, to: input.to, resolution: input.resolution ?? null });
    return this.get(context.scope!, id);
  }

  async assign(context: RequestContext, id: string, assigneeUserId: string | null): Promise<IncidentDetail> {
    const row = await this.find(context.scope!, id);
    if (assigneeUserId && !(await this.repository.isOperatorAnalyst(assigneeUserId))) {
      throw new BadRequestError('incidents are assigned to analysts and operator admins of the operator', { fields: [{ field: 'body.assigneeUserId', message: 'an active analyst or operator_admin' }] });
    }
    const now = this.clock.now();
    await this.repository.update(id, { assigneeUserId, updatedAt: now }, { incidentId: id, organizationId: row.organizationId, at: now, actorUserId: this.actor(context), kind: 'assigned', details: { from: row.assigneeUserId, to: assigneeUserId } });
    await this.record(context, row, 'assign', { from: row.assigneeUserId, to: assigneeUserId });
    return this.get(context.scope!, id);
  }

  async addNote(context: RequestContext, id: string, body: string): Promise<IncidentDetail> {
    const row = await this.find(context.scope!, id);
    await this.repository.addNote(id, row.organizationId, this.actor(context), body, this.clock.now());
    await this.record(context, row, 'note', { length: body.length });
    return this.get(context.scope!, id);
  }

  async task(context: RequestContext, id: string, input: { title?: string | undefined; taskId?: string | undefined; done?: boolean | undefined }): Promise<IncidentDetail> {
    const row = await this.find(context.scope!, id);
    const now = this.clock.now();
    if (input.title !== undefined) {
      const taskId = await this.repository.addTask(id, row.organizationId, this.actor(context), input.title, now);
      await this.record(context, row, 'task_add', { taskId, title: input.title });
    } else {
      if (input.done === undefined) throw new BadRequestError('say whether the task is done', { fields: [{ field: 'body.done', message: 'true or false' }] });
      const found = await this.repository.setTaskDone(id, row.organizationId, input.taskId!, input.done, this.actor(context), now);
      if (!found) throw new NotFoundError('task');
      await this.record(context, row, 'task_done', { taskId: input.taskId, done: input.done });
    }
    return this.get(context.scope!, id);
  }

  async setCustomerText(context: RequestContext, id: string, input: IncidentCustomerText): Promise<IncidentDetail> {
    const row = await this.find(context.scope!, id);
    const now = this.clock.now();
    await this.repository.update(id, { customerTextJa: input.customerTextJa, customerTextEn: input.customerTextEn, updatedAt: now }, { incidentId: id, organizationId: row.organizationId, at: now, actorUserId: this.actor(context), kind: 'customer_text_edited', details: {} });
    await this.record(context, row, 'customer_text', { ja: input.customerTextJa !== null, en: input.customerTextEn !== null });
    return this.get(context.scope!, id);
  }

  /** Moves every alert of the sources into the target; the sources end as `merged`. One subscriber only. */
  async merge(context: RequestContext, id: string, sourceIds: readonly string[]): Promise<IncidentDetail> {
    const target = await this.find(context.scope!, id);
    const unique = [...new Set(sourceIds)].filter((s) => s !== id);
    if (unique.length === 0) throw new BadRequestError('name at least one other incident to merge', { fields: [{ field: 'body.sourceIds', message: 'ids of other incidents' }] });
    const sources = await this.repository.getMany(tenantFilterOf(context.scope!), unique);
    const missing = unique.filter((s) => !sources.some((r) => r.id === s));
    if (missing.length > 0) throw new NotFoundError(`incident ${missing[0]}`);
    const foreign = sources.filter((s) => s.organizationId !== target.organizationId);
    if (foreign.length > 0) throw new BadRequestError('only incidents of the same subscriber can be merged', { fields: [{ field: 'body.sourceIds', message: `${foreign.map((f) => f.id).join(', ')} belong to another subscriber` }] });
    const gone = sources.filter((s) => s.status === 'merged');
    if (gone.length > 0 || target.status === 'merged') throw new ConflictError(`already merged: ${[...gone.map((g) => g.id), ...(target.status === 'merged' ? [id] : [])].join(', ')}`);
    const now = this.clock.now();
    const actor = this.actor(context);
    await this.repository.moveAlerts(
      { fromIncidentIds: unique, toIncidentId: id, alertIds: 'all' },
      [
        { incidentId: id, organizationId: target.organizationId, at: now, actorUserId: actor, kind: 'merged_in', details: { sourceIds: unique } },
        ...unique.map((s) => ({ incidentId: s, organizationId: target.organizationId, at: now, actorUserId: actor, kind: 'merged_into', details: { targetId: id } })),
      ],
      async (tx) => {
        await tx.updateTable('incidents').set({ status: 'merged', correlating: false, mergedIntoId: id, updatedAt: now }).where('id', 'in', unique).execute();
        // The worst priority of them all stays.
        const best = [target.priority, ...sources.map((s) => s.priority)].sort()[0]!;
        await tx.updateTable('incidents').set({ priority: best, updatedAt: now }).where('id', '=', id).execute();
      },
    );
    await this.record(context, target, 'merge', { sourceIds: unique });
    return this.get(context.scope!, id);
  }

  /** Moves the chosen alerts into a new incident (same subscriber and facts, status new). */
  async split(context: RequestContext, id: string, alertIds: readonly string[], action: 'split' | 'detach' = 'split'): Promise<IncidentDetail> {
    const source = await this.find(context.scope!, id);
    if (source.status === 'merged') throw new ConflictError('this incident was merged into another; split that one');
    const unique = [...new Set(alertIds)];
    const inIncident = await this.repository.alertsOf(id, unique);
    if (inIncident.length !== unique.length) {
      throw new BadRequestError('every alert must belong to this incident', { fields: [{ field: action === 'detach' ? 'body.alertId' : 'body.alertIds', message: `not in this incident: ${unique.filter((a) => !inIncident.includes(a)).slice(0, 5).join(', ')}` }] });
    }
    if (inIncident.length === Number(source.alertCount)) throw new BadRequestError('leave at least one alert in the incident', { fields: [{ field: 'body.alertIds', message: 'choose fewer alerts' }] });
    const now = this.clock.now();
    const actor = this.actor(context);
    const newId = await this.repository.split(source, inIncident, now, (newIncidentId) => [
      { incidentId: id, organizationId: source.organizationId, at: now, actorUserId: actor, kind: action === 'detach' ? 'alert_detached' : 'split_out', details: { newIncidentId, alertCount: inIncident.length } },
      { incidentId: newIncidentId, organizationId: source.organizationId, at: now, actorUserId: actor, kind: 'opened', details: { splitFrom: id, alertCount: inIncident.length } },
    ]);
    await this.record(context, source, action, { newIncidentId: newId, alertCount: inIncident.length });
    return this.get(context.scope!, newId);
  }
}
