/**
 * The monitoring side of ingest (see ingest/alertIngestHooks.ts): suppressions decide before the
 * insert, and after the commit suppressed alerts are counted and the rest correlated into incidents.
 *
 * Given the database, correlation is set-based: one transaction and a fixed number of statements
 * per batch (IncidentRepository.correlateBatch), which is what lets it keep up with the ingest rate.
 * Without it, the service correlates segment by segment (one transaction each).
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { AlertIngestHooks, StoredAlertRef } from '../ingest/alertIngestHooks.ts';
import type { SuppressionService } from '../suppressions/suppressionService.ts';
import { CORRELATION_RULES, segmentBatch, type BatchPrioritizer, type CorrelationRule, type IncidentAlert } from './correlation.ts';
import { IncidentRepository } from './incidentRepository.ts';
import type { IncidentService } from './incidentService.ts';
import { priorityOf, raisedPriority } from './priority.ts';
import { slaClocks } from './slaCalendar.ts';

/** As IncidentService decides: a new incident gets its SLA clocks; an open one only ever goes up. */
const prioritize: BatchPrioritizer = (facts, current, openedAt) => {
  const computed = priorityOf(facts);
  if (current === null) return { priority: computed, sla: slaClocks(computed, openedAt) };
  return { priority: raisedPriority(current, computed), sla: null };
};

export function incidentAlertOf(a: StoredAlertRef): IncidentAlert & { organizationId: string } {
  return {
    id: a.id,
    organizationId: a.organizationId,
    siteId: a.siteId,
    sensorId: a.sensorId,
    observedAt: new Date(a.alert.observedAt),
    direction: a.alert.direction,
    engine: a.alert.engine,
    explain: a.alert.explain,
    gid: a.alert.gid,
    signatureId: a.alert.signatureId,
    signature: a.alert.signature,
    severity: a.alert.severity,
    srcIp: a.alert.srcIp,
    destIp: a.alert.destIp,
  };
}

export function createMonitoringHooks(
  services: { incidents: IncidentService; suppressions: SuppressionService; db?: Db; clock?: Clock },
  rules: readonly CorrelationRule[] = CORRELATION_RULES,
): Required<AlertIngestHooks> {
  const repository = services.db && services.clock ? new IncidentRepository(services.db) : null;
  const clock = services.clock;
  return {
    suppress: (alerts) => services.suppressions.decide(alerts),
    async afterStore(alerts) {
      await services.suppressions.countHits(alerts);
      if (!repository || !clock) {
        await services.incidents.correlate(alerts);
        return;
      }
      const candidates = alerts.filter((a) => !a.suppressed).map(incidentAlertOf);
      if (candidates.length === 0) return;
      await repository.correlateBatch(segmentBatch(candidates, rules), prioritize, clock.now());
    },
  };
}
