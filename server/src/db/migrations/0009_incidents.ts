/**
 * Incidents (alerts grouped by a deduplication key), their triage (notes, tasks, timeline), the
 * suppressions applied at ingest, and asset criticality for priorities.
 *
 * `correlating` is true while an incident still takes new alerts of its key; the unique partial index
 * on (organization_id, dedup_key) where correlating is what keeps two ingest workers from opening two
 * incidents for the same key at once (the loser's insert conflicts and joins the winner's incident).
 * An incident stops correlating when it is resolved or merged, or when its key went quiet for longer
 * than the window (it then stays in the queue, and the next alert opens a new one).
 */
export const statements = [
  `create table incidents (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    site_id uuid references sites(id) on delete set null,
    sensor_id uuid references sensors(id) on delete set null,
    dedup_key text not null,
    correlating boolean not null default true,
    kind text not null,
    explain text not null,
    direction text not null check (direction in ('inbound','outbound','internal','external')),
    engine text not null check (engine in ('rule','ioc','behaviour','file')),
    inside_host text,
    peer text,
    gid integer,
    signature_id bigint,
    signature text,
    severity smallint not null check (severity between 1 and 3),
    priority text not null check (priority in ('P1','P2','P3','P4')),
    status text not null default 'new' check (status in ('new','acknowledged','investigating','customer_notified','resolved','merged')),
    resolution text check (resolution in ('true_positive','false_positive','benign')),
    alert_count bigint not null default 0,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    assignee_user_id uuid references users(id) on delete set null,
    customer_text_ja text,
    customer_text_en text,
    sla_calendar text not null,
    acknowledge_due_at timestamptz not null,
    notify_due_at timestamptz not null,
    acknowledged_at timestamptz,
    customer_notified_at timestamptz,
    resolved_at timestamptz,
    merged_into_id uuid references incidents(id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((status = 'resolved') = (resolution is not null))
  )`,
  `create unique index incidents_correlating_key on incidents (organization_id, dedup_key) where correlating`,
  /* The analyst queue: open incidents by priority then recency, optionally per subscriber. The predicate
     lists the open statuses the way the queue asks for them, so the planner can use it. */
  `create index incidents_queue_idx on incidents (priority, last_seen_at desc, id desc) where status in ('new','acknowledged','investigating','customer_notified')`,
  `create index incidents_recent_idx on incidents (last_seen_at desc, id desc)`,
  `create index incidents_open_recent_idx on incidents (last_seen_at desc, id desc) where status in ('new','acknowledged','investigating','customer_notified')`,
  `create index incidents_org_queue_idx on incidents (organization_id, priority, last_seen_at desc, id desc)`,
  `create index incidents_org_host_idx on incidents (organization_id, inside_host)`,
  `create index incidents_org_peer_idx on incidents (organization_id, peer)`,
  `create table incident_events (
    id bigserial primary key,
    incident_id uuid not null references incidents(id) on delete cascade,
    organization_id uuid not null references organizations(id) on delete cascade,
    at timestamptz not null,
    actor_user_id uuid references users(id) on delete set null,
    kind text not null,
    details jsonb not null default '{}'
  )`,
  `create index incident_events_incident_idx on incident_events (incident_id, id)`,
  `create table incident_notes (
    id uuid primary key default gen_random_uuid(),
    incident_id uuid not null references incidents(id) on delete cascade,
    organization_id uuid not null references organizations(id) on delete cascade,
    author_user_id uuid references users(id) on delete set null,
    body text not null,
    created_at timestamptz not null
  )`,
  `create index incident_notes_incident_idx on incident_notes (incident_id, created_at)`,
  `create table incident_tasks (
    id uuid primary key default gen_random_uuid(),
    incident_id uuid not null references incidents(id) on delete cascade,
    organization_id uuid not null references organizations(id) on delete cascade,
    title text not null,
    done boolean not null default false,
    done_at timestamptz,
    done_by_user_id uuid references users(id) on delete set null,
    created_at timestamptz not null
  )`,
  `create index incident_tasks_incident_idx on incident_tasks (incident_id, created_at)`,
  /* organization_id null = every subscriber. Deleting keeps the row (deleted_at) so counts stay visible. */
  `create table suppressions (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid references organizations(id) on delete cascade,
    gid integer,
    signature_id bigint,
    inside_host inet,
    peer inet,
    cidr cidr,
    reason text not null,
    author_user_id uuid references users(id) on delete set null,
    expires_at timestamptz,
    hit_count bigint not null default 0,
    last_hit_at timestamptz,
    created_at timestamptz not null,
    deleted_at timestamptz,
    check (signature_id is not null or inside_host is not null or peer is not null or cidr is not null)
  )`,
  `create index suppressions_active_idx on suppressions (organization_id) where deleted_at is null`,
  /* How important a host is to its business (the server with the accounts, the owner's PC…). */
  `create table asset_criticality (
    organization_id uuid not null references organizations(id) on delete cascade,
    host inet not null,
    criticality text not null check (criticality in ('high','normal','low')),
    label text,
    primary key (organization_id, host)
  )`,
];
