import { randomBytes } from 'node:crypto';
import { ManualClock } from '../src/clock.ts';
import { openDatabase } from '../src/db/database.ts';
import { syntheticAlertEvent } from '../src/ingest/syntheticAlerts.ts';
import { AlertPartitionKeeper } from '../src/ingest/alertPartitionKeeper.ts';
import { IngestRepository } from '../src/ingest/ingestRepository.ts';
import { createServices } from '../src/services.ts';
import { sql } from 'kysely';

const clock = new ManualClock(new Date());
import { CamelCasePlugin, Kysely } from 'kysely';
import { pgliteDialect } from '../src/db/pgliteDialect.ts';
import { migrateToLatest } from '../src/db/migrations/index.ts';
const { PGlite } = await import('@electric-sql/pglite');
const pglite = new PGlite();
await pglite.waitReady;
const LOG: Array<[string, number]> = [];
const db = new Kysely<any>({ dialect: pgliteDialect(pglite), plugins: [new CamelCasePlugin()], log: (e) => { LOG.push([e.query.sql.replace(/\s+/g, ' ').slice(0, 90), e.queryDurationMillis]); } }) as any;
await migrateToLatest(db);
const database = { close: async () => { await db.destroy(); await pglite.close(); } };
void openDatabase;
const services = createServices(db, clock, { publicUrl: 'http://x', sessionIdleMinutes: 720, mailCharset: 'utf-8' }, undefined, { ingestRate: { batchesPerSecond: 1e5, burst: 1e5 } });
await new AlertPartitionKeeper(new IngestRepository(db), clock).ensure();
const org = await db.insertInto('organizations').values({ kind: 'subscriber', name: `p-${randomBytes(3).toString('hex')}`, membership: 'member' }).returning('id').executeTakeFirstOrThrow();
const site = await db.insertInto('sites').values({ organizationId: org.id, name: 'b' }).returning('id').executeTakeFirstOrThrow();
const sensor = await db.insertInto('sensors').values({ organizationId: org.id, siteId: site.id, name: 's', status: 'active', credentialHash: 'x' + randomBytes(8).toString('hex') }).returning('id').executeTakeFirstOrThrow();
// log statement timings
const orig = (db as any).executor;
let seq = 1;
for (let round = 0; round < 6; round++) {
  const events = Array.from({ length: 500 }, (_, i) => syntheticAlertEvent(seq + i, new Date(clock.now().getTime() - 1000)));
  seq += 500;
  const t = performance.now();
  await services.alertStore.store({ sensorId: sensor.id, organizationId: org.id, rejected: 0, events });
  console.log('batch', round, (performance.now() - t).toFixed(0), 'ms');
  if (round >= 4) for (const [q, ms] of LOG) console.log('   ', ms.toFixed(1).padStart(7), q);
  LOG.length = 0;
}
if (process.env.EXPLAIN) {
  const seqs = Array.from({ length: 500 }, (_, i) => i + 1);
  const r = await sql`explain analyze select a.seq, a.observed_at from alerts a join unnest(${sql.val(seqs)}::bigint[], ${sql.val(seqs.map(() => new Date().toISOString()))}::timestamptz[]) as k(seq, observed_at) on a.seq = k.seq and a.observed_at = k.observed_at where a.sensor_id = ${sensor.id}::uuid and a.seq = any(${sql.val(seqs)}::bigint[]) and a.observed_at >= ${new Date(Date.now() - 86400000)} and a.observed_at < ${new Date()}`.execute(db);
  console.log(r.rows.map((x: any) => x['QUERY PLAN']).join('\n'));
}
await database.close();
