/**
 * The monitoring side of ingest (see ingest/alertIngestHooks.ts): suppressions decide before the
 * insert; inside the insert's transaction the new, unsuppressed alerts are correlated into incidents
 * (IncidentRepository.correlateWithin: a fixed number of statements per batch, and the alert rows
 * written with their incident id, which is what lets correlation keep up with the ingest rate);
 * after the commit suppression hits are counted, and alerts that were stored without correlation
 * (fixtures, a batch whose correlation failed) are correlated in a transaction of their own.
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { AlertIngestHooks, StoredAlertRef } from '../ingest/alertIngestHooks.ts';
import type { SuppressionService } from '../suppressions/suppressionService.ts';
import { checkRules, CORRELATION_RULES, incidentAlertOf, segmentBatch, type BatchPrioritizer, type CorrelationRule } from './correlation.ts';
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

export type MonitoringHooks = Required<Pick<AlertIngestHooks, 'suppress' | 'afterStore'>> & Pick<AlertIngestHooks, 'correlate'>;

export function createMonitoringHooks(
  services: { incidents: IncidentService; suppressions: SuppressionService; db?: Db; clock?: Clock },
  rules: readonly CorrelationRule[] = CORRELATION_RULES,
): MonitoringHooks {
  checkRules(rules);
  const repository = services.db ? new IncidentRepository(services.db) : null;
  const clock = services.clock;
  return {
    suppress: (alerts) => services.suppressions.decide(alerts),
    ...(repository && clock
      ? {
          async correlate(db: Db, alerts: readonly StoredAlertRef[]) {
            const candidates = alerts.filter((a) => !a.suppressed).map(incidentAlertOf);
            if (candidates.length === 0) return new Map<string, string>();
            const plan = await repository.correlateWithin(db, segmentBatch(candidates, rules), prioritize, clock.now(), rules);
            return new Map(plan.assignments.map((a) => [a.alertId, a.incidentId]));
          },
        }
      : {}),
    async afterStore(alerts) {
      await services.suppressions.countHits(alerts);
      const uncorrelated = alerts.filter((a) => a.incidentId === undefined);
      if (uncorrelated.length === 0) return;
      if (!repository || !clock) {
        await services.incidents.correlate(uncorrelated);
        return;
      }
      const candidates = uncorrelated.filter((a) => !a.suppressed).map(incidentAlertOf);
      if (candidates.length > 0) await repository.correlateBatch(segmentBatch(candidates, rules), prioritize, clock.now(), rules);
    },
  };
}
