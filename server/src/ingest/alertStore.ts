/**
 * Stores a batch of sensor events as alerts: suppressions decided first (hooks.suppress), the new
 * alerts correlated into incidents (hooks.correlate), inserted with their incident and counted in
 * one transaction, then the monitoring domain told about exactly those (hooks.afterStore). The same code runs in the server (embedded mode) and in
 * `otasuke worker` (scale mode), so both store alike.
 */
import { randomUUID } from 'node:crypto';
import type { SensorEvent } from '@otasuke/shared';
import type { Clock } from '../clock.ts';
import type { MailLogger } from '../mail/outboxWorker.ts';
import type { AlertIngestHooks, AlertToStore, StoredAlertRef } from './alertIngestHooks.ts';
import { CorrelationInStoreError, type AlertRowInput, type IngestRepository, type InsertedAlert, type SensorPlacement } from './ingestRepository.ts';

/** A validated batch on its way to the database (in scale mode, what a JetStream message holds). */
export interface QueuedBatch {
  sensorId: string;
  organizationId: string;
  /** The sensor's site when its credential was checked (saves a lookup per batch); absent → looked up. */
  siteId?: string;
  /** Lines the ingest node rejected, to be counted. */
  rejected: number;
  events: SensorEvent[];
}

export interface StoreOutcome {
  accepted: number;
  duplicates: number;
  suppressed: number;
}

export class AlertStore {
  constructor(
    private readonly repository: IngestRepository,
    private readonly hooks: AlertIngestHooks,
    private readonly clock: Clock,
    private readonly logger?: MailLogger,
  ) {}

  async store(batch: QueuedBatch): Promise<StoreOutcome> {
    const known = batch.siteId ? { organizationId: batch.organizationId, siteId: batch.siteId } : undefined;
    const placement = known ?? (await this.repository.sensorPlacement(batch.sensorId));
    if (!placement) return this.dropped(batch);
    try {
      return await this.storeAt(batch, placement);
    } catch (err) {
      // The placement came with the batch: the sensor (or its site) was deleted since its credential
      // was checked. Where it is now decides: gone → dropped, as a lookup would have found.
      if (!known || !isForeignKeyViolation(err)) throw err;
      const current = await this.repository.sensorPlacement(batch.sensorId);
      return current ? this.storeAt(batch, current) : this.dropped(batch);
    }
  }

  private dropped(batch: QueuedBatch): StoreOutcome {
    // The sensor was deleted after it sent this (its alerts went with it, by cascade).
    this.logger?.warn({ sensorId: batch.sensorId, events: batch.events.length }, 'ingest: the sensor no longer exists; batch dropped');
    return { accepted: 0, duplicates: 0, suppressed: 0 };
  }

  private async storeAt(batch: QueuedBatch, placement: SensorPlacement): Promise<StoreOutcome> {
    const toStore: AlertToStore[] = batch.events.map((e) => ({ ...placement, sensorId: batch.sensorId, seq: e.seq, alert: e.alert }));
    const suppressions = this.hooks.suppress && toStore.length > 0 ? await this.hooks.suppress(toStore) : null;
    if (suppressions && suppressions.length !== toStore.length) throw new Error(`suppress hook answered ${suppressions.length} decisions for ${toStore.length} alerts`);
    const rows: AlertRowInput[] = toStore.map((a, i) => ({ id: randomUUID(), seq: a.seq, alert: a.alert, suppressionId: suppressions?.[i] ?? null }));
    const refOf = (row: AlertRowInput, receivedAt: Date, incidentId?: string | null): StoredAlertRef => ({
      ...placement,
      sensorId: batch.sensorId,
      seq: row.seq,
      alert: row.alert,
      id: row.id,
      receivedAt,
      suppressed: row.suppressionId !== null,
      suppressionId: row.suppressionId,
      ...(incidentId !== undefined ? { incidentId } : {}),
    });
    const now = this.clock.now();
    const correlate = this.hooks.correlate?.bind(this.hooks);
    const input = { sensorId: batch.sensorId, placement, rows, rejected: batch.rejected, now };
    let inserted: InsertedAlert[];
    try {
      inserted = await this.repository.storeAlerts(correlate ? { ...input, correlate: (db, fresh) => correlate(db, fresh.map((r) => refOf(r, now))) } : input);
    } catch (err) {
      if (!(err instanceof CorrelationInStoreError)) throw err;
      // The alerts matter more than their incidents: store them without, afterStore tries again.
      this.logger?.error({ err: err.reason, sensorId: batch.sensorId, alerts: rows.length }, 'ingest: correlation failed; the batch is stored without incidents');
      inserted = await this.repository.storeAlerts(input);
    }

    const byId = new Map(rows.map((r) => [r.id, r]));
    const refs: StoredAlertRef[] = [];
    for (const r of inserted) {
      const row = byId.get(r.id);
      if (row) refs.push(refOf(row, r.receivedAt, r.incidentId));
    }
    const suppressed = refs.filter((r) => r.suppressed).length;
    if (this.hooks.afterStore && refs.length > 0) {
      try {
        await this.hooks.afterStore(refs);
      } catch (err) {
        // The alerts are committed; incidents can be correlated again later. Never fail the batch.
        this.logger?.error({ err, sensorId: batch.sensorId, alerts: refs.length }, 'ingest: afterStore hook failed');
      }
    }
    return { accepted: inserted.length, duplicates: rows.length - inserted.length, suppressed };
  }
}

/** PostgreSQL's foreign_key_violation, also when it surfaced inside correlation. */
function isForeignKeyViolation(err: unknown): boolean {
  const cause = err instanceof CorrelationInStoreError ? err.reason : err;
  return (cause as { code?: string } | null)?.code === '23503';
}
