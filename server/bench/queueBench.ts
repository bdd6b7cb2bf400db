/**
 * `npm run bench:queue`: does the analyst queue answer in ≤ 100 ms p95 with 100k incidents and 10M
 * alerts across 3,000 subscribers? Needs a PostgreSQL server (OTASUKE_TEST_DATABASE_URL or
 * --database-url); a fresh database is created, filled with generate_series SQL, analysed, queried
 * through the real IncidentRepository, and dropped (--keep keeps it). Figures are printed, not asserted.
 *
 * --incidents 100000  --alerts 10000000  --subscribers 3000  --rounds 30
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { IncidentQuery } from '@otasuke/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { IncidentRepository } from '../src/incidents/incidentRepository.ts';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    incidents: { type: 'string', default: '100000' },
    alerts: { type: 'string', default: '10000000' },
    subscribers: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
  },
});
const serverUrl = values['database-url'] ?? process.env.OTASUKE_TEST_DATABASE_URL;
if (!serverUrl) {
  console.error('bench:queue needs PostgreSQL: set OTASUKE_TEST_DATABASE_URL or pass --database-url postgres://…');
  process.exit(2);
}
const incidents = Number(values.incidents);
const alerts = Number(values.alerts);
const subscribers = Number(values.subscribers);
const rounds = Number(values.rounds);

const name = `otasuke_queue_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${name}`);
await admin.end();
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString() });
const db = database.db;

const timed = async (label: string, work: () => Promise<unknown>) => {
  const start = performance.now();
  await work();
  console.log(`${label.padEnd(44)} ${((performance.now() - start) / 1000).toFixed(1)} s`);
};

console.log(`database ${name}: ${subscribers} subscribers, ${incidents} incidents, ${alerts} alerts`);
await timed('subscribers, sites, sensors', async () => {
  await sql`insert into organizations (kind, name, membership) select 'subscriber', 'bench ' || g, 'member' from generate_series(1, ${subscribers}) g`.execute(db);
  await sql`insert into sites (organization_id, name) select id, '本社' from organizations where kind = 'subscriber'`.execute(db);
  await sql`insert into sensors (organization_id, site_id, name) select organization_id, id, 'sensor' from sites`.execute(db);
});
// Incidents: 80% resolved (history), the rest spread over the open statuses; priorities skewed to P3/P4.
await timed('incidents', () =>
  sql`
    with subs as (select row_number() over (order by o.id) - 1 as n, o.id as organization_id, s.id as site_id, se.id as sensor_id
                  from organizations o join sites s on s.organization_id = o.id join sensors se on se.site_id = s.id where o.kind = 'subscriber')
    insert into incidents (organization_id, site_id, sensor_id, dedup_key, correlating, kind, explain, direction, engine, inside_host, peer, gid, signature_id, signature,
                           severity, priority, status, resolution, alert_count, first_seen_at, last_seen_at, sla_calendar, acknowledge_due_at, notify_due_at, resolved_at, created_at, updated_at)
    select subs.organization_id, subs.site_id, subs.sensor_id, 'bench|' || g, false, 'inbound_attack', 'rule.attempted-admin', 'inbound', 'rule',
           '192.168.1.' || (g % 250 + 2), '203.0.113.' || (g % 250 + 2), 1, 2000000 + g % 500, 'ET bench ' || (g % 500),
           1 + g % 3, (array['P1','P2','P3','P3','P4','P4','P4','P4'])[1 + g % 8],
           case when g % 10 < 8 then 'resolved' else (array['new','acknowledged','investigating','customer_notified'])[1 + g % 4] end,
           case when g % 10 < 8 then 'true_positive' else null end,
           0, t - interval '10 minutes', t, 'business_jp', t + interval '1 hour', t + interval '4 hours',
           case when g % 10 < 8 then t + interval '1 day' else null end, t - interval '10 minutes', t
    from generate_series(1, ${incidents}) g
    join subs on subs.n = g % ${subscribers}
    cross join lateral (select date_trunc('milliseconds', timestamptz '2026-01-01' + (g * 7919 % (90 * 86400)) * interval '1 second') as t) tt`.execute(db),
);
await timed('alerts', async () => {
  await sql`create temporary table bench_incidents as select row_number() over (order by id) - 1 as n, id, organization_id, site_id, sensor_id, last_seen_at from incidents`.execute(db);
  await sql`create index on bench_incidents (n)`.execute(db);
  await sql`analyze bench_incidents`.execute(db);
  const superuser = (await sql<{ rolsuper: boolean }>`select rolsuper from pg_roles where rolname = current_user`.execute(db)).rows[0]?.rolsuper === true;
  const chunk = 1_000_000;
  for (let from = 1; from <= alerts; from += chunk) {
    const to = Math.min(alerts, from + chunk - 1);
    // A bulk load: the foreign-key triggers are skipped (the rows reference rows just made), which
    // needs a superuser on this throwaway database; without one the load is only slower.
    await db.transaction().execute(async (tx) => {
      if (superuser) await sql`set local session_replication_role = replica`.execute(tx);
      await sql`
      insert into alerts (organization_id, site_id, sensor_id, seq, observed_at, direction, engine, explain, gid, signature_id, rev, signature, category, severity,
                          src_ip, src_port, dest_ip, dest_port, proto, incident_id)
      select i.organization_id, i.site_id, i.sensor_id, g, i.last_seen_at - (g % 600) * interval '1 second', 'inbound', 'rule', 'rule.attempted-admin', 1, 2000001, 1,
             'ET bench', 'Attempted Administrator Privilege Gain', 2, '203.0.113.9', 40000, '192.168.1.10', 443, 'TCP', i.id
      from generate_series(${from}::bigint, ${to}::bigint) g join bench_incidents i on i.n = g % ${incidents}`.execute(tx);
    });
    process.stdout.write(`  ${to} alerts\r`);
  }
  await sql`update incidents i set alert_count = ${Math.floor(alerts / incidents)}`.execute(db);
});
await timed('analyze', () => sql`analyze`.execute(db));

const repository = new IncidentRepository(db);
const sampleOrgs = (await sql<{ id: string }>`select id from organizations where kind = 'subscriber' order by random() limit 20`.execute(db)).rows.map((r) => r.id);
const base: IncidentQuery = { sort: 'priority', limit: 50 };
const shapes: Array<{ label: string; query: () => IncidentQuery; page2?: boolean }> = [
  { label: 'open queue, by priority', query: () => base },
  { label: 'open queue, page 2 (cursor)', query: () => base, page2: true },
  { label: 'open queue, recent first', query: () => ({ ...base, sort: 'recent' }) },
  { label: 'P1 + P2 only', query: () => ({ ...base, priority: ['P1', 'P2'] }) },
  { label: 'one subscriber, every status', query: () => ({ ...base, organizationId: sampleOrgs[Math.floor(Math.random() * sampleOrgs.length)], status: ['new', 'acknowledged', 'investigating', 'customer_notified', 'resolved'] }) },
  { label: 'new, last 7 days', query: () => ({ ...base, status: ['new'], from: '2026-03-25T00:00:00Z' }) },
];
const all: number[] = [];
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
for (const shape of shapes) {
  const times: number[] = [];
  for (let i = 0; i < rounds + 3; i++) {
    const query = shape.query();
    let cursor = null;
    if (shape.page2) {
      const first = await repository.list({ kind: 'all' }, query, null);
      const last = first[query.limit - 1]!;
      cursor = { priority: last.priority, lastSeenAt: last.lastSeenAt.toISOString(), id: last.id };
    }
    const start = performance.now();
    await repository.list({ kind: 'all' }, query, cursor);
    const ms = performance.now() - start;
    if (i >= 3) times.push(ms); // the first rounds warm the cache
  }
  all.push(...times);
  console.log(`${shape.label.padEnd(44)} p50 ${p(times, 0.5).toFixed(1)} ms  p95 ${p(times, 0.95).toFixed(1)} ms`);
}
console.log(`${'queue query, all shapes'.padEnd(44)} p95 ${p(all, 0.95).toFixed(1)} ms (target ≤ 100 ms)`);

await database.close();
if (!values.keep) {
  const dropper = new pg.Client({ connectionString: serverUrl });
  await dropper.connect();
  await dropper.query(`drop database if exists ${name} with (force)`);
  await dropper.end();
} else console.log(`kept database ${name}`);
