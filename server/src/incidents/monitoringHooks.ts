/**
 * The monitoring side of ingest (see ingest/alertIngestHooks.ts): suppressions decide before the
 * insert, and after the commit suppressed alerts are counted and the rest correlated into incidents.
 */
import type { AlertIngestHooks } from '../ingest/alertIngestHooks.ts';
import type { SuppressionService } from '../suppressions/suppressionService.ts';
import type { IncidentService } from './incidentService.ts';

export function createMonitoringHooks(services: { incidents: IncidentService; suppressions: SuppressionService }): Required<AlertIngestHooks> {
  return {
    suppress: (alerts) => services.suppressions.decide(alerts),
    async afterStore(alerts) {
      await services.suppressions.countHits(alerts);
      await services.incidents.correlate(alerts);
    },
  };
}
