/**
 * Migrations are ordered SQL, kept in code so a clean clone and a running server agree on them.
 * They run on start (and with `otasuke db migrate`); each one runs in a transaction, and a
 * PostgreSQL advisory lock (inside Kysely's migrator) keeps two servers from racing.
 */
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import * as foundation from './0001_foundation.ts';
import * as billing from './0002_billing.ts';
import * as kpi from './0003_kpi.ts';
import * as enrollment from './0004_enrollment.ts';
import * as deliveryNote from './0005_delivery_note.ts';
import * as alerts from './0006_alerts.ts';
import * as bundles from './0008_bundles.ts';
import * as incidents from './0009_incidents.ts';
import * as notifications from './0010_notifications.ts';
import * as helpdesk from './0011_helpdesk.ts';
import * as remoteRefusal from './0012_remote_refusal.ts';
import * as liveEvents from './0013_live_events.ts';
import * as feedLastSuccess from './0014_feed_last_success.ts';
import * as queueIndexes from './0015_queue_indexes.ts';
import * as notificationDigest from './0016_notification_digest.ts';
import * as incidentSignatureCounts from './0017_incident_signature_counts.ts';
import * as onePendingOffer from './0018_one_pending_offer.ts';

const ordered: Array<[string, { statements: string[] }]> = [
  ['0001_foundation', foundation],
  ['0002_billing', billing],
  ['0003_kpi', kpi],
  ['0004_enrollment', enrollment],
  ['0005_delivery_note', deliveryNote],
  ['0006_alerts', alerts],
  ['0008_bundles', bundles],
  ['0009_incidents', incidents],
  ['0010_notifications', notifications],
  ['0011_helpdesk', helpdesk],
  ['0012_remote_refusal', remoteRefusal],
  ['0013_live_events', liveEvents],
  ['0014_feed_last_success', feedLastSuccess],
  ['0015_queue_indexes', queueIndexes],
  ['0016_notification_digest', notificationDigest],
  ['0017_incident_signature_counts', incidentSignatureCounts],
  ['0018_one_pending_offer', onePendingOffer],
];

function fromStatements(statements: string[]): Migration {
  return {
    async up(db) {
      for (const statement of statements) await sql.raw(statement).execute(db);
    },
  };
}

export const migrationNames = ordered.map(([name]) => name);

export async function migrateToLatest<T>(db: Kysely<T>): Promise<string[]> {
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: async () => Object.fromEntries(ordered.map(([n, m]) => [n, fromStatements(m.statements)])) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
