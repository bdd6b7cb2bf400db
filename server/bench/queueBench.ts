/**
 * `npm run bench:queue`: does the analyst queue answer in ≤ 100 ms p95 with 10M alerts and 100k
 * incidents across 3,000 subscribers?
 *
 * PostgreSQL (OTASUKE_TEST_DATABASE_URL or --database-url): a scratch database is created, migrated
 * with the real migrations, filled with generate_series SQL, vacuumed and analysed, queried, and
 * dropped (--keep keeps it; --reuse NAME measures a kept one again without generating). --pglite
 * runs the same on in-memory PGlite, for small sizes only.
 *
 * The data: subscribers of uneven size (the biggest has ~2% of the incidents); incidents over 90
 * days, 80% resolved, 2% merged, 18% open (open ones seen in the last 14 days); priorities, directions
 * and engines skewed the way a SOC sees them; alerts per incident follow a power law (the busiest
 * incident holds ~2% of all alerts, the median ~50), spread over the incident's time and written in
 * time order as ingest stores them, into the month partitions the ingest makes. Alerts are loaded into detached month tables and attached to
 * `alerts` — the path `ensureMonthPartition` takes — so PostgreSQL builds their indexes once.
 *
 * Then every query the queue page and the incident detail issue runs through the real
 * IncidentRepository, with parameters drawn per round from a seeded generator (filters, subscribers,
 * time windows, cursor depths, incidents), and p50/p95/p99 are printed per query. Warm cache: the
 * first --warmup rounds of each query are not counted.
 *
 * --alerts 10000000 (100000 with --pglite)  --incidents alerts/100  --subscribers min(3000, incidents/33)
 * --rounds 200  --warmup 5  --seed 1  --keep  --reuse NAME  --pglite  --assert (exit 1 when a query misses 100 ms p95)
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { IncidentPriority, IncidentQuery, IncidentStatus } from '@otasuke/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database, type Db } from '../src/db/database.ts';
import { IncidentRepository, type QueueCursor } from '../src/incidents/incidentRepository.ts';
import { monthPartitionOf, type MonthPartition } from '../src/ingest/alertPartitions.ts';

const TARGET_MS = 100;
const PGLITE_MAX_ALERTS = 2_000_000;

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    pglite: { type: 'boolean', default: false },
    alerts: { type: 'string' },
    incidents: { type: 'string' },
    subscribers: { type: 'string' },
    rounds: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    assert: { type: 'boolean', default: false },
  },
});

function count(name: string, raw: string | undefined, fallback: number, min = 1): number {
  const n = raw === undefined ? fallback : Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number ≥ ${min} (got ${raw})`);
    process.exit(2);
  }
  return n;
}

const usePglite = values.pglite;
const serverUrl = values['database-url'] ?? process.env.OTASUKE_TEST_DATABASE_URL;
if (!usePglite && !serverUrl) {
  console.error('bench:queue needs PostgreSQL: set OTASUKE_TEST_DATABASE_URL or pass --database-url postgres://…, or run small sizes with --pglite');
  process.exit(2);
}
const ALERTS = count('alerts', values.alerts, usePglite ? 100_000 : 10_000_000, 0);
if (usePglite && ALERTS > PGLITE_MAX_ALERTS) {
  console.error(`--pglite is for small sizes (at most ${PGLITE_MAX_ALERTS} alerts); use PostgreSQL for more`);
  process.exit(2);
}
const INCIDENTS = count('incidents', values.incidents, Math.max(1, Math.floor(ALERTS / 100)));
const SUBSCRIBERS = count('subscribers', values.subscribers, Math.min(3000, Math.max(1, Math.floor(INCIDENTS / 33))));
const ROUNDS = count('rounds', values.rounds, 200);
const WARMUP = count('warmup', values.warmup, 5, 0);
const SEED = count('seed', values.seed, 1, 0);
/** The end of the generated history; open incidents are seen in the 14 days before it. */
const END = new Date('2026-04-01T00:00:00Z');
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// The scratch database

const reuse = values.reuse;
if (reuse !== undefined && (usePglite || !/^otasuke_bench_queue_[0-9a-f]{8}$/.test(reuse))) {
  console.error('--reuse takes the name of a database an earlier run kept (otasuke_bench_queue_…), on PostgreSQL');
  process.exit(2);
}
const scratchName = reuse ?? `otasuke_bench_queue_${randomBytes(4).toString('hex')}`;
let database: Database;
let dropScratch = async () => {};
if (usePglite) {
  database = await openDatabase({});
} else {
  if (!reuse) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${scratchName}`);
    await admin.end();
  }
  if (!reuse) dropScratch = async () => {
    const dropper = new pg.Client({ connectionString: serverUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists ${scratchName} with (force)`);
    await dropper.end();
  };
  const url = new URL(serverUrl!);
  url.pathname = `/${scratchName}`;
  try {
    database = await openDatabase({ url: url.toString() });
  } catch (error) {
    if (!reuse) await dropScratch();
    throw error;
  }
}
const db = database.db;

async function timed(label: string, work: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await work();
  console.log(`  ${label.padEnd(48)} ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

/** A uniform [0, 1) from (g, salt): PostgreSQL's own 64-bit integer hash, so the data is the same on every run. */
const u = (g: string, salt: number) => `((hashint8extended(${g}, ${salt}) & 2147483647)::float8 / 2147483648)`;
/** Picks by cumulative weights: `pick(u, [['a', 0.5], ['b', 1]])`. */
const pick = (uniform: string, choices: Array<[string, number]>) =>
  `(case ${choices.map(([v, upTo]) => `when ${uniform} < ${upTo} then '${v}'`).join(' ')} end)`;

async function generate(conn: Db): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(conn);
  if (database.kind === 'postgres') {
    // Load settings of this one session (a scratch database): index builds in memory, commits not waited for.
    await run(`set maintenance_work_mem = '512MB'`);
    await run(`set synchronous_commit = off`);
  }
  const endIso = END.toISOString();

  await timed(`${SUBSCRIBERS} subscribers, sites, sensors`, async () => {
    await run(`insert into organizations (kind, name, membership, prefecture) select 'subscriber', 'ベンチ商店 ' || g, 'member', '東京都' from generate_series(1, ${SUBSCRIBERS}) g`);
    await run(`insert into sites (organization_id, name) select id, '本社' from organizations where kind = 'subscriber'`);
    await run(`insert into sensors (organization_id, site_id, name, status) select organization_id, id, 'sensor-1', 'active' from sites`);
    await run(`create temporary table bench_subscribers as
      select row_number() over (order by o.id) - 1 as n, o.id as organization_id, s.id as site_id, se.id as sensor_id
      from organizations o join sites s on s.organization_id = o.id join sensors se on se.site_id = s.id where o.kind = 'subscriber'`);
    await run(`create index on bench_subscribers (n)`);
    await run(`analyze bench_subscribers`);
  });

  await timed(`${INCIDENTS} incidents`, async () => {
    const status = pick(u('g', 1), [
      ['resolved', 0.8],
      ['merged', 0.82],
      ['new', 0.9],
      ['acknowledged', 0.94],
      ['investigating', 0.98],
      ['customer_notified', 1.01],
    ]);
    await run(`
      insert into incidents (organization_id, site_id, sensor_id, dedup_key, correlating, kind, explain, direction, engine, inside_host, peer, gid, signature_id, signature,
                             severity, priority, status, resolution, alert_count, first_seen_at, last_seen_at, sla_calendar, acknowledge_due_at, notify_due_at,
                             acknowledged_at, customer_notified_at, resolved_at, created_at, updated_at)
      select s.organization_id, s.site_id, s.sensor_id, 'bench|' || g, x.status not in ('resolved', 'merged'), x.kind, 'rule.' || x.kind, x.direction, x.engine,
             '192.168.' || (g % 4) || '.' || (g % 250 + 2), '203.0.113.' || (g % 97 + 2), 1, 2000000 + g % 500, 'ET BENCH signature ' || (g % 500),
             1 + (hashint8extended(g, 6) & 1023) % 3, x.priority, x.status, case when x.status = 'resolved' then 'true_positive' end,
             0, x.t - interval '10 minutes', x.t, 'business_jp', x.t + interval '1 hour', x.t + interval '4 hours',
             case when x.status not in ('new') then x.t + interval '20 minutes' end,
             case when x.status in ('customer_notified', 'resolved') then x.t + interval '2 hours' end,
             case when x.status = 'resolved' then x.t + interval '1 day' end,
             x.t - interval '10 minutes', x.t
      from generate_series(1, ${INCIDENTS}) g
      cross join lateral (select
        ${status} as status,
        ${pick(u('g', 2), [['P1', 0.03], ['P2', 0.15], ['P3', 0.5], ['P4', 1.01]])} as priority,
        ${pick(u('g', 3), [['inbound', 0.45], ['outbound', 0.8], ['internal', 0.95], ['external', 1.01]])} as direction,
        ${pick(u('g', 4), [['rule', 0.7], ['ioc', 0.85], ['behaviour', 0.95], ['file', 1.01]])} as engine,
        ${pick(u('g', 5), [['inbound_attack', 0.3], ['scan', 0.45], ['brute_force', 0.55], ['c2_communication', 0.65], ['malicious_site_access', 0.8], ['beaconing', 0.85], ['malware_file', 0.9], ['policy', 1.01]])} as kind,
        date_trunc('milliseconds', timestamptz '${endIso}' - case when ${status} in ('resolved', 'merged') then ${u('g', 7)} * 90 else ${u('g', 7)} * 14 end * interval '1 day') as t,
        floor(${SUBSCRIBERS} * power(${u('g', 8)}, 2))::bigint as subscriber) x
      join bench_subscribers s on s.n = x.subscriber`);
    // Heaviness rank n (shuffled against every other attribute): rank n holds
    // round(A·((n+1)/N)^⅓) − round(A·(n/N)^⅓) alerts — a power law whose counts add up to exactly A;
    // the same cumulative sum numbers the alerts (seq). The busiest 1% span 3 days, the others 2 hours.
    await run(`create temporary table bench_incidents as
      select r.*, round(${ALERTS} * power((r.n + 1)::float8 / ${INCIDENTS}, 1.0 / 3))::bigint - round(${ALERTS} * power(r.n::float8 / ${INCIDENTS}, 1.0 / 3))::bigint as cnt,
             round(${ALERTS} * power(r.n::float8 / ${INCIDENTS}, 1.0 / 3))::bigint + 1 as seq0,
             case when r.n < ${Math.max(1, Math.floor(INCIDENTS / 100))} then 259200 else 7200 end as span_s
      from (select row_number() over (order by hashint8extended(abs(hashtext(id::text)), 9)) - 1 as n, id, organization_id, site_id, sensor_id, direction, engine, explain,
                   inside_host, peer, signature_id, severity, last_seen_at as t from incidents) r`);
    await run(`create index on bench_incidents (n)`);
    await run(`analyze bench_incidents`);
  });

  await timed('timeline, notes, tasks', async () => {
    await run(`insert into incident_events (incident_id, organization_id, at, kind, details)
      select id, organization_id, created_at, 'opened', jsonb_build_object('dedupKey', dedup_key, 'priority', priority) from incidents`);
    await run(`insert into incident_events (incident_id, organization_id, at, kind, details)
      select id, organization_id, coalesce(acknowledged_at, updated_at), 'status_changed', jsonb_build_object('from', 'new', 'to', status) from incidents where status <> 'new'`);
    await run(`insert into incident_notes (incident_id, organization_id, body, created_at)
      select id, organization_id, '送信元は既知のスキャナ。様子見。', updated_at from incidents where hashint8extended(abs(hashtext(id::text)), 10) % 5 = 0`);
    await run(`insert into incident_tasks (incident_id, organization_id, title, done, created_at)
      select id, organization_id, 'お客様に確認', status = 'resolved', updated_at from incidents where hashint8extended(abs(hashtext(id::text)), 11) % 10 = 0`);
  });

  if (ALERTS > 0) {
    // Months the alerts fall in: from the oldest incident's start to the newest.
    const range = (await sql<{ from: Date; to: Date }>`select min(t - span_s * interval '1 second') as "from", max(t) as "to" from bench_incidents`.execute(conn)).rows[0]!;
    const first = new Date(range.from).getTime();
    const last = new Date(range.to).getTime() + 1;
    const months: MonthPartition[] = [];
    for (let at = monthPartitionOf(new Date(first)); at.from.getTime() < last; at = monthPartitionOf(at.to)) months.push(at);
    // A staging table partitioned like `alerts`, without its indexes: rows are routed to the month
    // tables cheaply, then each month is detached from it and attached to `alerts` (indexes built once).
    await run(`create table bench_alerts_load (like alerts including defaults including constraints) partition by range (observed_at)`);
    for (const m of months) await run(`create table ${m.name} partition of bench_alerts_load for values from ('${m.from.toISOString()}') to ('${m.to.toISOString()}')`);
    // Alert k of an incident (k = 0 the newest) is seen at t − (k + jitter)/cnt of its span. The time
    // axis is written in slices of ~250k alerts, each sorted by time: the table's pages then hold the
    // alerts in the order ingest stores them (by arrival), interleaving the incidents of the moment.
    const slices = Math.max(1, Math.ceil(ALERTS / 250_000));
    const sliceMs = Math.ceil((last - first) / slices);
    await timed(`${ALERTS} alerts into ${months.length} month tables`, async () => {
      if (database.kind === 'postgres') await run(`set work_mem = '256MB'`);
      let written = 0;
      for (let a = first; a < last; a += sliceMs) {
        const from = `timestamptz '${new Date(a).toISOString()}'`;
        const to = `timestamptz '${new Date(Math.min(last, a + sliceMs)).toISOString()}'`;
        const result = await sql.raw(`
          insert into bench_alerts_load (organization_id, site_id, sensor_id, seq, observed_at, received_at, direction, engine, explain, gid, signature_id, rev, signature,
                                         category, severity, src_ip, src_port, dest_ip, dest_port, proto, app_proto, flow_id, community_id, metadata, flow, incident_id)
          select i.organization_id, i.site_id, i.sensor_id, x.seq, x.observed_at, x.observed_at + interval '2 seconds', i.direction, i.engine, i.explain, 1, x.sid, 3,
                 'ET BENCH signature ' || x.sid, 'Attempted Administrator Privilege Gain', case when x.sibling then least(3, i.severity + 1) else i.severity end,
                 case when i.direction = 'inbound' then i.peer else i.inside_host end::inet, 40000 + x.seq % 20000,
                 case when i.direction = 'inbound' then i.inside_host else i.peer end::inet, 443, 'TCP', 'tls', (1000000 + x.seq)::text, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
                 '{"created_at": ["2024_01_01"], "signature_severity": ["Major"]}'::jsonb,
                 jsonb_build_object('tls', jsonb_build_object('sni', 'c2-' || (x.seq % 97) || '.example.net', 'ja3', 'e7d705a3286e19ea42f587b344ee6865', 'version', 'TLS 1.2')),
                 i.id
          from bench_incidents i
          cross join lateral generate_series(
            greatest(0, floor(extract(epoch from i.t - ${to}) / i.span_s * i.cnt)::bigint - 1),
            least(i.cnt - 1, ceil(extract(epoch from i.t - ${from}) / i.span_s * i.cnt)::bigint)) k
          cross join lateral (select
            i.t - (k + ${u('i.seq0 + k', 13)}) / i.cnt * i.span_s * interval '1 second' as observed_at,
            i.seq0 + k as seq,
            (i.seq0 + k) % 10 = 0 as sibling,
            i.signature_id + case when (i.seq0 + k) % 10 = 0 then 1 + ((i.seq0 + k) / 10) % 4 else 0 end as sid) x
          where i.cnt > 0 and i.t >= ${from} and i.t - i.span_s * interval '1 second' < ${to} and x.observed_at >= ${from} and x.observed_at < ${to}
          order by x.observed_at`).execute(conn);
        written += Number(result.numAffectedRows ?? 0);
        process.stdout.write(`    ${written} alerts\r`);
      }
      if (written !== ALERTS) throw new Error(`generated ${written} alerts, not ${ALERTS}`);
    });
    await timed('attach months to alerts (index builds)', async () => {
      for (const m of months) {
        await run(`alter table bench_alerts_load detach partition ${m.name}`);
        await run(`alter table alerts attach partition ${m.name} for values from ('${m.from.toISOString()}') to ('${m.to.toISOString()}')`);
      }
      await run(`drop table bench_alerts_load`);
    });
    await timed('incident counts and times from their alerts', () =>
      run(`
        update incidents i set alert_count = a.n, first_seen_at = a.first_seen, last_seen_at = a.last_seen, severity = a.worst,
               created_at = a.first_seen, updated_at = greatest(i.updated_at, a.last_seen)
        from (select incident_id, count(*) as n, min(observed_at) as first_seen, max(observed_at) as last_seen, min(severity) as worst from alerts group by incident_id) a
        where i.id = a.incident_id`),
    );
    await timed('incident signature counts from their alerts', () =>
      run(`
        insert into incident_signature_counts (incident_id, gid, signature_id, signature, count, first_seen_at, last_seen_at)
        select incident_id, gid, signature_id, signature, count(*), min(observed_at), max(observed_at) from alerts group by incident_id, gid, signature_id, signature`),
    );
  }
  // What autovacuum does in production (visibility map, statistics), done now rather than mid-measure.
  await timed('vacuum analyze', () => run(`vacuum (analyze) organizations, sites, sensors, incidents, incident_events, incident_notes, incident_tasks, alerts, incident_signature_counts`));
}

// ---------------------------------------------------------------------------------------------
// The queries

/** mulberry32: a small seeded generator, so two runs draw the same parameters. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(SEED);
const oneOf = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const someOf = <T>(xs: readonly T[]): T[] => {
  const chosen = xs.filter(() => random() < 0.5);
  return chosen.length ? chosen : [oneOf(xs)];
};

const PRIORITIES: IncidentPriority[] = ['P1', 'P2', 'P3', 'P4'];
const OPEN: IncidentStatus[] = ['new', 'acknowledged', 'investigating', 'customer_notified'];
const STATUSES: IncidentStatus[] = [...OPEN, 'resolved', 'merged'];
const DIRECTIONS = ['inbound', 'outbound', 'internal', 'external'] as const;
const ENGINES = ['rule', 'ioc', 'behaviour', 'file'] as const;
const sort = () => (random() < 0.7 ? 'priority' : 'recent') as IncidentQuery['sort'];
/** A window of 1 hour to 30 days ending somewhere in the last 90 days, as the datetime pickers give. */
function window(): { from: string; to: string } {
  const to = END.getTime() - Math.floor(random() * 90) * DAY_MS;
  const length = oneOf([3_600_000, DAY_MS, 7 * DAY_MS, 30 * DAY_MS]);
  return { from: new Date(to - length).toISOString(), to: new Date(to).toISOString() };
}

interface Shape {
  label: string;
  /** One measured call; answers how many rows it read. */
  run: () => Promise<number>;
}

async function measure(shapes: Shape[]) {
  const results = [];
  for (const shape of shapes) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const start = performance.now();
      const n = await shape.run();
      const ms = performance.now() - start;
      if (i >= WARMUP) {
        times.push(ms);
        rows += n;
      }
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.max(0, Math.ceil(times.length * p) - 1))]!;
    const result = { label: shape.label, rows: rows / ROUNDS, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: times.at(-1)! };
    results.push(result);
    const cell = (ms: number) => ms.toFixed(1).padStart(7);
    console.log(
      `${result.label.padEnd(52)} ${result.rows.toFixed(0).padStart(5)} ${cell(result.p50)} ${cell(result.p95)} ${cell(result.p99)} ${cell(result.max)}  ${result.p95 <= TARGET_MS ? 'ok' : 'MISS'}`,
    );
  }
  return results;
}

let exitCode = 0;
try {
  if (reuse) {
    const n = (await sql<{ s: number; i: number; a: number }>`select (select count(*)::int from organizations where kind = 'subscriber') as s, (select count(*)::int from incidents) as i, (select sum(alert_count)::bigint from incidents) as a`.execute(db)).rows[0]!;
    console.log(`PostgreSQL database ${scratchName} (kept by an earlier run): ${n.s} subscribers, ${n.i} incidents, ${n.a} alerts`);
  } else {
    console.log(`${database.kind === 'postgres' ? `PostgreSQL database ${scratchName}` : 'PGlite (in memory)'}: ${SUBSCRIBERS} subscribers, ${INCIDENTS} incidents, ${ALERTS} alerts`);
    const started = performance.now();
    await db.connection().execute((conn) => generate(conn));
    console.log(`  ${'generated in'.padEnd(48)} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const sizes = await sql<{ alerts: string; incidents: string; total: string }>`
    select pg_size_pretty(sum(pg_total_relation_size(c.oid)) filter (where c.relname like 'alerts%')) as alerts,
           pg_size_pretty(pg_total_relation_size('incidents')) as incidents, pg_size_pretty(pg_database_size(current_database())) as total
    from pg_class c where c.relkind = 'r'`.execute(db);
  console.log(`  alerts with indexes ${sizes.rows[0]!.alerts}, incidents ${sizes.rows[0]!.incidents}, database ${sizes.rows[0]!.total}`);

  const repository = new IncidentRepository(db);
  const all = { kind: 'all' } as const;
  const subscribers = (await sql<{ id: string }>`select id from organizations where kind = 'subscriber' order by id`.execute(db)).rows.map((r) => r.id);
  const busiest = (await sql<{ organizationId: string }>`select organization_id from incidents group by 1 order by count(*) desc limit 20`.execute(db)).rows.map((r) => r.organizationId);
  const incidentIds = (await sql<{ id: string }>`select id from incidents order by id`.execute(db)).rows.map((r) => r.id);
  const heaviest = (await sql<{ id: string; alertCount: number }>`select id, alert_count from incidents order by alert_count desc limit 20`.execute(db)).rows;
  console.log(`  alerts per incident: busiest ${heaviest[0]?.alertCount ?? 0}, 20th ${heaviest.at(-1)?.alertCount ?? 0}; busiest subscriber's incidents: ${(await sql<{ n: number }>`select count(*)::int as n from incidents where organization_id = ${busiest[0]!}`.execute(db)).rows[0]!.n}`);

  // Cursors of later pages (2nd to 20th), walked once per filter set, as "load more" sends them.
  async function cursorsOf(query: IncidentQuery): Promise<QueueCursor[]> {
    const cursors: QueueCursor[] = [];
    let cursor: QueueCursor | null = null;
    for (let page = 0; page < 19; page++) {
      const rows = await repository.list(all, query, cursor);
      if (rows.length <= query.limit) break;
      const last = rows[query.limit - 1]!;
      cursor = { priority: last.priority, lastSeenAt: last.lastSeenAt.toISOString(), id: last.id };
      cursors.push(cursor);
    }
    return cursors;
  }
  const pagedQueries: Array<{ query: IncidentQuery; cursors: QueueCursor[] }> = [];
  for (const query of [
    { sort: 'priority', limit: 50 },
    { sort: 'recent', limit: 50 },
    { sort: 'priority', limit: 50, priority: ['P3', 'P4'] },
    { sort: 'priority', limit: 50, status: ['resolved'] },
    { sort: 'recent', limit: 50, status: STATUSES },
    { sort: 'priority', limit: 50, direction: 'inbound' },
  ] satisfies IncidentQuery[]) {
    const cursors = await cursorsOf(query);
    if (cursors.length) pagedQueries.push({ query, cursors });
  }

  const list = async (query: Omit<IncidentQuery, 'limit'>, cursor: QueueCursor | null = null) => (await repository.list(all, { limit: 50, ...query }, cursor)).length;
  const detail = async (id: string) => {
    const row = await repository.get(all, id);
    if (!row) throw new Error(`incident ${id} is gone`);
    const [groups, evidence, notes, tasks, timeline, related] = await Promise.all([
      repository.alertGroups(id),
      repository.evidence(id),
      repository.notes(id),
      repository.tasks(id),
      repository.timeline(id),
      repository.related(row),
    ]);
    return 1 + groups.length + evidence.length + notes.length + tasks.length + timeline.length + related.length;
  };
  const anyIncident = () => oneOf(incidentIds);
  const heavyIncident = () => oneOf(heaviest).id;

  const load = () => `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`;
  console.log(`\n${ROUNDS} rounds per query after ${WARMUP} warm-up rounds; milliseconds, target p95 ≤ ${TARGET_MS} ms; ${load()}\n`);
  console.log(`${'query'.padEnd(52)} ${'rows'.padStart(5)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}`);
  const results = await measure([
    { label: 'queue: default view (open, by priority)', run: () => list({ sort: 'priority' }) },
    { label: 'queue: open, most recent first', run: () => list({ sort: 'recent' }) },
    { label: 'queue: next page (cursor, pages 2-20)', run: () => { const p = oneOf(pagedQueries); return list(p.query, oneOf(p.cursors)); } },
    { label: 'filter: statuses (any subset)', run: () => list({ sort: sort(), status: someOf(STATUSES) }) },
    { label: 'filter: resolved only (history)', run: () => list({ sort: sort(), status: ['resolved'] }) },
    { label: 'filter: priorities (any subset)', run: () => list({ sort: sort(), priority: someOf(PRIORITIES) }) },
    { label: 'filter: one subscriber, open', run: () => list({ sort: sort(), organizationId: oneOf(subscribers) }) },
    { label: 'filter: one subscriber, every status', run: () => list({ sort: sort(), organizationId: oneOf(subscribers), status: STATUSES }) },
    { label: 'filter: busiest subscribers, every status', run: () => list({ sort: sort(), organizationId: oneOf(busiest), status: STATUSES }) },
    { label: 'filter: direction', run: () => list({ sort: sort(), direction: oneOf(DIRECTIONS) }) },
    { label: 'filter: engine', run: () => list({ sort: sort(), engine: oneOf(ENGINES) }) },
    { label: 'filter: time window, open', run: () => list({ sort: sort(), ...window() }) },
    { label: 'filter: time window, every status', run: () => list({ sort: sort(), status: STATUSES, ...window() }) },
    {
      label: 'filter: random combination (saved views)',
      run: () =>
        list({
          sort: sort(),
          ...(random() < 0.4 ? { status: someOf(STATUSES) } : {}),
          ...(random() < 0.4 ? { priority: someOf(PRIORITIES) } : {}),
          ...(random() < 0.2 ? { organizationId: oneOf(subscribers) } : {}),
          ...(random() < 0.3 ? { direction: oneOf(DIRECTIONS) } : {}),
          ...(random() < 0.3 ? { engine: oneOf(ENGINES) } : {}),
          ...(random() < 0.3 ? window() : {}),
        }),
    },
    { label: "subscriber's own list (tenant filter)", run: async () => (await repository.list({ kind: 'organization', organizationId: oneOf(subscribers) }, { sort: 'recent', limit: 50, status: STATUSES }, null)).length },
    { label: 'detail: incident row', run: async () => ((await repository.get(all, anyIncident())) ? 1 : 0) },
    { label: 'detail: alert list (200 newest)', run: async () => (await repository.evidence(anyIncident())).length },
    { label: 'detail: alert groups', run: async () => (await repository.alertGroups(anyIncident())).length },
    { label: 'detail: whole page (7 queries, in parallel)', run: () => detail(anyIncident()) },
    { label: 'detail of the 20 busiest: alert list', run: async () => (await repository.evidence(heavyIncident())).length },
    { label: 'detail of the 20 busiest: alert groups', run: async () => (await repository.alertGroups(heavyIncident())).length },
    { label: 'detail of the 20 busiest: whole page', run: () => detail(heavyIncident()) },
  ]);
  const misses = results.filter((r) => r.p95 > TARGET_MS);
  console.log(`(${load()} at the end)`);
  console.log(misses.length === 0 ? `\nevery query p95 ≤ ${TARGET_MS} ms` : `\n${misses.length} quer${misses.length === 1 ? 'y misses' : 'ies miss'} p95 ≤ ${TARGET_MS} ms: ${misses.map((m) => m.label).join('; ')}`);
  if (values.assert && misses.length > 0) exitCode = 1;
} finally {
  await database.close();
  if ((values.keep || reuse) && database.kind === 'postgres') console.log(`kept database ${scratchName}`);
  else await dropScratch();
}
process.exit(exitCode);
