/**
 * Where ingest hands alerts to the monitoring domain, so the two grow apart without knowing each
 * other: suppressions are decided before the insert (a suppressed alert is stored and counted, but
 * raises nothing), incidents are built inside the insert's transaction (so every alert is written
 * with its incident id, and the incident's count moves with the alerts in one commit), and
 * suppression hits are counted after the commit. All of it runs in embedded mode inside the server
 * process, and in scale mode inside `otasuke worker`.
 */
import type { UplinkAlert } from '@otasuke/shared';
import type { Db } from '../db/database.ts';

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
  /** The incident ingest put it in when it was stored (null: none, e.g. suppressed); undefined when
   *  it was stored without correlation, so afterStore still has to correlate it. */
  incidentId?: string | null;
}

export interface AlertIngestHooks {
  /** The suppression that silences each alert (same order), or null. */
  suppress?(alerts: readonly AlertToStore[]): Promise<(string | null)[]>;
  /** Inside the insert's transaction (`db` is that transaction), with the alerts about to be written
   *  (new ones only, ids given): the incident of each alert id. If it throws, ingest stores the batch
   *  again without correlation (the alerts are never lost) and afterStore gets them uncorrelated. */
  correlate?(db: Db, alerts: readonly StoredAlertRef[]): Promise<ReadonlyMap<string, string>>;
  /** After the alerts are committed: suppression hits, and correlation of alerts stored without it.
   *  Must not throw for one bad alert; a failure here never loses the stored alerts. */
  afterStore?(alerts: readonly StoredAlertRef[]): Promise<void>;
}
