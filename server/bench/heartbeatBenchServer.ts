/**
 * The server side of `npm run bench:heartbeat`, run as a child process so its CPU is measured
 * alone: starts `otasuke server` (embedded PGlite in a temp folder, or DATABASE_URL), enrolls N
 * sensors directly in the database (credential hashes, as enrollment leaves them), and answers the
 * bench's questions over IPC: its CPU time, and how many heartbeats are stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecretToken, newSecretToken } from '../src/auth/secrets.ts';
import { loadConfig } from '../src/config/config.ts';
import { SENSOR_CREDENTIAL_PREFIX } from '../src/enrollment/enrollmentService.ts';
import { startServer } from '../src/server.ts';

const sensors = Number(process.env.BENCH_SENSORS ?? 3000);
const dataDir = mkdtempSync(join(tmpdir(), 'otasuke-hb-bench-'));
const config = loadConfig({
  env: { OTASUKE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) },
});
const server = await startServer(config, { webDist: join(dataDir, 'no-web') });
const cli = { scope: null, ip: null, requestId: 'bench' };
const org = await server.services.organizations.create(cli, { kind: 'subscriber', name: `ベンチ ${Date.now()}`, membership: 'member' });
const site = (await server.database.db.insertInto('sites').values({ organizationId: org.id, name: 'ベンチ拠点' }).returning('id').executeTakeFirstOrThrow()).id;
const credentials: string[] = [];
for (let start = 0; start < sensors; start += 500) {
  const rows = [];
  for (let i = start; i < Math.min(sensors, start + 500); i++) {
    const credential = SENSOR_CREDENTIAL_PREFIX + newSecretToken(32);
    credentials.push(credential);
    rows.push({ organizationId: org.id, siteId: site, name: `sensor-${i}`, status: 'active' as const, credentialHash: hashSecretToken(credential) });
  }
  await server.database.db.insertInto('sensors').values(rows).execute();
}

process.on('message', async (message: { ask: 'cpu' | 'count' | 'stop' }) => {
  if (message.ask === 'cpu') process.send!({ cpu: process.cpuUsage(), at: performance.now() });
  if (message.ask === 'count') {
    const row = await server.database.db.selectFrom('sensorHeartbeats').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    process.send!({ count: Number(row.n) });
  }
  if (message.ask === 'stop') {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
});
process.send!({ ready: true, url: server.url, database: server.database.kind, credentials });
