/**
 * Alerts from sensors and the sensors' health history.
 *
 * `alerts` is partitioned by month of `observed_at` (when the sensor saw it): old months can be
 * detached or dropped whole, and the queue's time filters prune partitions. The ingest creates a
 * month's partition before its first insert (`alerts_yYYYYmMM`); the default partition catches
 * anything else (a sensor with a wrong clock) so no alert is ever refused for its time.
 *
 * A sensor numbers its events 1, 2, 3…; the unique (sensor_id, seq, observed_at) makes a re-sent
 * event a no-op (`on conflict do nothing`). A re-sent event is the same event, so its observed_at is
 * the same — the partition key has to be part of every unique index of a partitioned table.
 */
export const statements = [
  `create table alerts (
    id uuid not null default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    site_id uuid not null references sites(id) on delete cascade,
    sensor_id uuid not null references sensors(id) on delete cascade,
    seq bigint not null,
    observed_at timestamptz not null,
    received_at timestamptz not null default now(),
    direction text not null check (direction in ('inbound','outbound','internal','external')),
    engine text not null check (engine in ('rule','ioc','behaviour','file')),
    explain text not null,
    gid integer not null,
    signature_id bigint not null,
    rev integer not null,
    signature text not null,
    category text not null,
    severity smallint not null check (severity between 1 and 3),
    src_ip inet not null,
    src_port integer,
    dest_ip inet not null,
    dest_port integer,
    proto text not null,
    app_proto text,
    flow_id text,
    community_id text,
    metadata jsonb,
    flow jsonb,
    suppressed boolean not null default false,
    suppression_id uuid,
    incident_id uuid,
    primary key (id, observed_at),
    unique (sensor_id, seq, observed_at)
  ) partition by range (observed_at)`,
  `create table alerts_default partition of alerts default`,
  `create index alerts_org_time_idx on alerts (organization_id, observed_at desc)`,
  `create index alerts_sensor_time_idx on alerts (sensor_id, observed_at desc)`,
  `create index alerts_incident_idx on alerts (incident_id)`,
  `create table sensor_heartbeats (
    id bigint generated always as identity primary key,
    sensor_id uuid not null references sensors(id) on delete cascade,
    organization_id uuid not null references organizations(id) on delete cascade,
    received_at timestamptz not null default now(),
    sent_at timestamptz not null,
    agent_version text not null,
    bundle_version text,
    uptime_sec double precision not null,
    packets_per_sec double precision not null,
    packets_total bigint not null,
    drops_total bigint not null,
    drop_rate double precision not null,
    cpu_percent double precision not null,
    memory_bytes bigint not null,
    disk_free_bytes bigint not null,
    spool_backlog_events bigint not null,
    spool_backlog_bytes bigint not null,
    spool_dropped bigint not null
  )`,
  `create index sensor_heartbeats_sensor_time_idx on sensor_heartbeats (sensor_id, received_at desc)`,
  `alter table sensors add column last_heartbeat_at timestamptz`,
  `alter table sensors add column bundle_version text`,
  /* Per sensor: what ingest has seen, for the console and the fault tests (duplicates are counted). */
  `create table sensor_ingest_counters (
    sensor_id uuid primary key references sensors(id) on delete cascade,
    accepted bigint not null default 0,
    duplicates bigint not null default 0,
    rejected bigint not null default 0,
    suppressed bigint not null default 0,
    updated_at timestamptz not null default now()
  )`,
];
