/**
 * Suppressions: analysts silence known-harmless alerts (a printer's odd protocol, a scanner the
 * customer runs) globally or for one subscriber. At ingest, a matching alert is stored with
 * suppressed = true and the suppression's id: it raises no incident, is left out of the statistics,
 * and counts as a hit of its suppression (visible in the list).
 */
import type { Suppression, SuppressionCreate, SuppressionUpdate } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import { BadRequestError, NotFoundError } from '../http/errors.ts';
import type { AlertToStore, StoredAlertRef } from '../ingest/alertIngestHooks.ts';
import { endsOf } from '../incidents/correlation.ts';
import { toSuppression, type SuppressionRepository } from './suppressionRepository.ts';
import { suppressionMatcher } from './suppressionMatch.ts';

export class SuppressionService {
  constructor(
    private readonly repository: SuppressionRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(scope: AccessScope, includeDeleted = false): Promise<Suppression[]> {
    const now = this.clock.now();
    return (await this.repository.list(tenantFilterOf(scope), includeDeleted)).map((r) => toSuppression(r, now));
  }

  async create(context: RequestContext, input: SuppressionCreate): Promise<Suppression> {
    const filter = tenantFilterOf(context.scope!);
    let fromAlert: { organizationId: string; gid: number; signatureId: number; insideHost: string | null; peer: string | null } | null = null;
    if (input.fromAlertId) {
      const alert = await this.repository.alert(filter, input.fromAlertId);
      if (!alert) throw new NotFoundError('alert');
      fromAlert = { organizationId: alert.organizationId, gid: alert.gid, signatureId: Number(alert.signatureId), ...endsOf(alert) };
    }
    const organizationId = input.organizationId !== undefined ? input.organizationId : (fromAlert?.organizationId ?? null);
    const row = {
      organizationId,
      gid: input.gid ?? fromAlert?.gid ?? (input.signatureId !== undefined ? 1 : null),
      signatureId: input.signatureId ?? fromAlert?.signatureId ?? null,
      insideHost: input.insideHost ?? fromAlert?.insideHost ?? null,
      peer: input.peer ?? null,
      cidr: input.cidr ?? null,
      reason: input.reason,
      authorUserId: context.scope?.userId ?? null,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      createdAt: this.clock.now(),
    };
    // From an alert: signature + inside host by default (the same detection on the same machine);
    // the peer only when asked, since attackers change address.
    if (row.signatureId === null && row.insideHost === null && row.peer === null && row.cidr === null) {
      throw new BadRequestError('a suppression needs at least one condition', { fields: [{ field: 'body', message: 'give signatureId, insideHost, peer, cidr or fromAlertId' }] });
    }
    if (row.expiresAt && row.expiresAt <= row.createdAt) throw new BadRequestError('the expiry is in the past', { fields: [{ field: 'body.expiresAt', message: 'a future time, or null for no expiry' }] });
    const created = await this.repository.insert(row);
    await this.audit.record(context, { action: 'suppression.create', organizationId, targetType: 'suppression', targetId: created.id, details: { reason: input.reason, fromAlertId: input.fromAlertId ?? null } });
    return toSuppression(created, this.clock.now());
  }

  private async find(scope: AccessScope, id: string) {
    const row = await this.repository.get(tenantFilterOf(scope), id);
    if (!row) throw new NotFoundError('suppression');
    return row;
  }

  async update(context: RequestContext, id: string, input: SuppressionUpdate): Promise<Suppression> {
    const existing = await this.find(context.scope!, id);
    const row = await this.repository.update(id, {
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt === null ? null : new Date(input.expiresAt) } : {}),
    });
    await this.audit.record(context, { action: 'suppression.update', organizationId: existing.organizationId, targetType: 'suppression', targetId: id, details: { ...input } });
    return toSuppression(row, this.clock.now());
  }

  /** Ends a suppression; the row stays, with its hit count. */
  async remove(context: RequestContext, id: string): Promise<Suppression> {
    const existing = await this.find(context.scope!, id);
    const row = existing.deletedAt ? existing : await this.repository.update(id, { deletedAt: this.clock.now() });
    await this.audit.record(context, { action: 'suppression.delete', organizationId: existing.organizationId, targetType: 'suppression', targetId: id });
    return toSuppression(row, this.clock.now());
  }

  /** The ingest hook: the suppression that silences each alert, or null. */
  async decide(alerts: readonly AlertToStore[]): Promise<(string | null)[]> {
    if (alerts.length === 0) return [];
    const organizations = [...new Set(alerts.map((a) => a.organizationId))];
    const rules = await this.repository.activeFor(organizations, this.clock.now());
    if (rules.length === 0) return alerts.map(() => null);
    const match = suppressionMatcher(rules);
    return alerts.map((a) => match({ organizationId: a.organizationId, observedAt: new Date(a.alert.observedAt), direction: a.alert.direction, gid: a.alert.gid, signatureId: a.alert.signatureId, srcIp: a.alert.srcIp, destIp: a.alert.destIp }));
  }

  /** Counts hits of the alerts really stored (duplicates never reach here). */
  async countHits(alerts: readonly StoredAlertRef[]): Promise<void> {
    const hits = new Map<string, number>();
    for (const a of alerts) if (a.suppressed && a.suppressionId) hits.set(a.suppressionId, (hits.get(a.suppressionId) ?? 0) + 1);
    if (hits.size > 0) await this.repository.countHits(hits, this.clock.now());
  }
}
