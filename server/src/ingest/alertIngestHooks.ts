/**
 * Where ingest hands alerts to the monitoring domain, so the two grow apart without knowing each
 * other: suppressions are decided before the insert (a suppressed alert is stored and counted, but
 * raises nothing), incidents are built after the commit. Both run in embedded mode inside the
 * server process, and in scale mode inside `otasuke worker`.
 */
import type { UplinkAlert } from '@otasuke/shared';

/** An alert about to be stored: the sensor's event plus whose it is. */
export interface AlertToStore {
  organizationId: string;
  siteId: string;
  sensorId: string;
  seq: number;
  alert: UplinkAlert;
}

/** An alert as stored (only the new ones: duplicates never reach the hooks). */
export interface StoredAlertRef extends AlertToStore {
  id: string;
  receivedAt: Date;
  suppressed: boolean;
  suppressionId: string | null;
}

export interface AlertIngestHooks {
  /** The suppression that silences each alert (same order), or null. */
  suppress?(alerts: readonly AlertToStore[]): Promise<(string | null)[]>;
  /** After the alerts are committed: correlation into incidents, notifications. Must not throw for
   *  one bad alert; a failure here never loses the stored alerts (they can be correlated again). */
  afterStore?(alerts: readonly StoredAlertRef[]): Promise<void>;
}
