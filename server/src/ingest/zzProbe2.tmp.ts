import { openDatabase } from '../db/database.ts';
import { ManualClock } from '../clock.ts';
import { createServices } from '../services.ts';
import { gzipBatchOf, syntheticAlertEvent } from './syntheticAlerts.ts';
import { hashSecretToken } from '../auth/secrets.ts';
const db = await openDatabase({});
const services = createServices(db.db, new ManualClock(), { publicUrl: 'http://x', sessionIdleMinutes: 720, mailCharset: 'utf-8' });
const org = await db.db.insertInto('organizations').values({ kind: 'subscriber', name: 'p', membership: 'member' }).returning('id').executeTakeFirstOrThrow();
const site = await db.db.insertInto('sites').values({ organizationId: org.id, name: 'x' }).returning('id').executeTakeFirstOrThrow();
const s = await db.db.insertInto('sensors').values({ organizationId: org.id, siteId: site.id, name: 'x', status: 'active', credentialHash: hashSecretToken('ots_x') }).returning('id').executeTakeFirstOrThrow();
const body = gzipBatchOf(Array.from({ length: 500 }, (_, i) => syntheticAlertEvent(i + 1, new Date())));
for (let k = 0; k < 2; k++) {
  let t = performance.now();
  const r = await services.ingest.ingest({ sensorId: s.id, organizationId: org.id }, body, 'gzip');
  console.log('ingest', k, (performance.now() - t).toFixed(0), r.accepted, r.duplicates);
  t = performance.now();
  const placement = await (services.alertStore as any).repository.sensorPlacement(s.id);
  console.log('placement', (performance.now() - t).toFixed(0), placement);
}
await db.close();
