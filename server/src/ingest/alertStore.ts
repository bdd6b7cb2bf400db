/**
 * Stores a batch of sensor events as alerts: suppressions decided first (hooks.suppress), the new
 * alerts inserted and counted in one transaction, then the monitoring domain told about exactly
 * those (hooks.afterStore). The same code runs in the server (embedded mode) and in
 * `otasuke worker` (scale mode), so both store alike.
 */
import type { SensorEvent } from '@otasuke/shared';
import type { Clock } from '../clock.ts';
import type { MailLogger } from '../mail/outboxWorker.ts';
import type { AlertIngestHooks, AlertToStore, StoredAlertRef } from './alertIngestHooks.ts';
import type { IngestRepository } from './ingestRepository.ts';

/** A validated batch on its way to the database (in scale mode, what a JetStream message holds). */
export interface QueuedBatch {
  sensorId: string;
  organizationId: string;
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
    const placement = await this.repository.sensorPlacement(batch.sensorId);
    if (!placement) {
      // The sensor was deleted after it sent this (its alerts went with it, by cascade).
      this.logger?.warn({ sensorId: batch.sensorId, events: batch.events.length }, 'ingest: the sensor no longer exists; batch dropped');
      return { accepted: 0, duplicates: 0, suppressed: 0 };
    }
    const toStore: AlertToStore[] = batch.events.map((e) => ({ ...placement, sensorId: batch.sensorId, seq: e.seq, alert: e.alert }));
    const suppressions = this.hooks.suppress && toStore.length > 0 ? await this.hooks.suppress(toStore) : null;
    if (suppressions && suppressions.length !== toStore.length) throw new Error(`suppress hook answered ${suppressions.length} decisions for ${toStore.length} alerts`);
    const rows = toStore.map((a, i) => ({ seq: a.seq, alert: a.alert, suppressionId: suppressions?.[i] ?? null }));
    const inserted = await this.repository.storeAlerts({ sensorId: batch.sensorId, placement, rows, rejected: batch.rejected, now: this.clock.now() });

    const byKey = new Map<string, (typeof rows)[number]>();
    for (const row of rows) if (!byKey.has(keyOf(row.seq, Date.parse(row.alert.observedAt)))) byKey.set(keyOf(row.seq, Date.parse(row.alert.observedAt)), row);
    const rowFor = (r: { seq: number; observedAt: Date }) => byKey.get(keyOf(r.seq, r.observedAt.getTime()));
    const suppressed = inserted.filter((r) => rowFor(r)?.suppressionId).length;
    if (this.hooks.afterStore && inserted.length > 0) {
      const refs: StoredAlertRef[] = [];
      for (const r of inserted) {
        const row = rowFor(r);
        if (!row) continue;
        refs.push({ ...placement, sensorId: batch.sensorId, seq: r.seq, alert: row.alert, id: r.id, receivedAt: r.receivedAt, suppressed: row.suppressionId !== null, suppressionId: row.suppressionId });
      }
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

const keyOf = (seq: number, observedAtMs: number) => `${seq}|${observedAtMs}`;
