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
import { suppressionMatcher, type SuppressibleAlert, type SuppressionRule } from './suppressionMatch.ts';

/**
 * How long a process trusts its copy of the active suppressions. Ingest asks for every batch; the
 * rules change a few times a day. A change made through this service (this process) applies at
 * once; one made on another node (scale mode: the API node and the workers) within this time.
 */
export const SUPPRESSION_CACHE_MS = 5_000;

/** The active suppressions as loaded, with a matcher per subscriber built on first use. */
class ActiveSuppressions {
  private readonly global: SuppressionRule[] = [];
  private readonly byOrganization = new Map<string, SuppressionRule[]>();
  private readonly matchers = new Map<string, (alert: SuppressibleAlert) => string | null>();
  private readonly rank = new Map<string, number>();

  constructor(
    readonly loadedAt: number,
    readonly size: number,
    rules: readonly SuppressionRule[],
  ) {
    rules.forEach((rule, index) => {
      this.rank.set(rule.id, index);
      if (rule.organizationId === null) this.global.push(rule);
      else this.byOrganization.set(rule.organizationId, [...(this.byOrganization.get(rule.organizationId) ?? []), rule]);
    });
  }

  /** Everyone's and this subscriber's rules, in creation order (the first that matches wins, as before). */
  matcherFor(organizationId: string): (alert: SuppressibleAlert) => string | null {
    let matcher = this.matchers.get(organizationId);
    if (!matcher) {
      const own = this.byOrganization.get(organizationId) ?? [];
      matcher = suppressionMatcher([...this.global, ...own].sort((a, b) => this.rank.get(a.id)! - this.rank.get(b.id)!));
      this.matchers.set(organizationId, matcher);
    }
    return matcher;
  }
}

export class SuppressionService {
  private active: ActiveSuppressions | null = null;
  /** Bumped by every change: a read that started before a change is not kept (it may miss it). */
  private generation = 0;

  constructor(
    private readonly repository: SuppressionRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** How long the copy is kept, and the time it is measured in (wall time: it is about other processes). */
    private readonly cache: { ms: number; now: () => number } = { ms: SUPPRESSION_CACHE_MS, now: () => performance.now() },
  ) {}

  /** The active rules, read at most every `cache.ms`. */
  private async activeSuppressions(): Promise<ActiveSuppressions> {
    const at = this.cache.now();
    if (this.active && at - this.active.loadedAt < this.cache.ms) return this.active;
    const generation = this.generation;
    const rules = await this.repository.activeFor('all', this.clock.now());
    const active = new ActiveSuppressions(at, rules.length, rules);
    if (generation === this.generation) this.active = active;
    return active;
  }

  private changed(): void {
    this.generation += 1;
    this.active = null;
  }

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
    this.changed();
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
    this.changed();
    await this.audit.record(context, { action: 'suppression.update', organizationId: existing.organizationId, targetType: 'suppression', targetId: id, details: { ...input } });
    return toSuppression(row, this.clock.now());
  }

  /** Ends a suppression; the row stays, with its hit count. */
  async remove(context: RequestContext, id: string): Promise<Suppression> {
    const existing = await this.find(context.scope!, id);
    const row = existing.deletedAt ? existing : await this.repository.update(id, { deletedAt: this.clock.now() });
    this.changed();
    await this.audit.record(context, { action: 'suppression.delete', organizationId: existing.organizationId, targetType: 'suppression', targetId: id });
    return toSuppression(row, this.clock.now());
  }

  /** The ingest hook: the suppression that silences each alert, or null. */
  async decide(alerts: readonly AlertToStore[]): Promise<(string | null)[]> {
    if (alerts.length === 0) return [];
    const active = await this.activeSuppressions();
    if (active.size === 0) return alerts.map(() => null);
    return alerts.map((a) =>
      active.matcherFor(a.organizationId)({ organizationId: a.organizationId, observedAt: new Date(a.alert.observedAt), direction: a.alert.direction, gid: a.alert.gid, signatureId: a.alert.signatureId, srcIp: a.alert.srcIp, destIp: a.alert.destIp }),
    );
  }

  /** Counts hits of the alerts really stored (duplicates never reach here). */
  async countHits(alerts: readonly StoredAlertRef[]): Promise<void> {
    const hits = new Map<string, number>();
    for (const a of alerts) if (a.suppressed && a.suppressionId) hits.set(a.suppressionId, (hits.get(a.suppressionId) ?? 0) + 1);
    if (hits.size > 0) await this.repository.countHits(hits, this.clock.now());
  }
}
