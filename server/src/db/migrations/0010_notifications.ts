/**
 * Notifications: who a subscriber wants told (contacts, webhooks), the notification state of each
 * incident (first send, repeats, escalation, the customer's acknowledgement), one-click
 * acknowledgement tokens (SHA-256 at rest) and the log of every send.
 */
export const statements = [
  `create table notification_contacts (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    role text not null check (role in ('primary','backup')),
    name text not null,
    email text,
    phone text,
    locale text not null default 'ja' check (locale in ('ja','en')),
    channels text[] not null default '{email}',
    created_at timestamptz not null default now()
  )`,
  `create index notification_contacts_org_idx on notification_contacts (organization_id, role)`,
  `create table notification_webhooks (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    url text not null,
    secret text not null,
    enabled boolean not null default true,
    created_at timestamptz not null default now()
  )`,
  `create index notification_webhooks_org_idx on notification_webhooks (organization_id)`,
  `create table incident_notification_states (
    incident_id uuid primary key references incidents(id) on delete cascade,
    organization_id uuid not null references organizations(id) on delete cascade,
    first_sent_at timestamptz not null,
    last_sent_at timestamptz not null,
    sends integer not null default 1,
    last_alert_count bigint not null default 0,
    escalated_at timestamptz,
    acknowledged_at timestamptz,
    acknowledged_by_contact_id uuid references notification_contacts(id) on delete set null,
    acknowledged_by_user_id uuid references users(id) on delete set null
  )`,
  `create table incident_ack_tokens (
    token_hash text primary key,
    incident_id uuid not null references incidents(id) on delete cascade,
    organization_id uuid not null references organizations(id) on delete cascade,
    contact_id uuid references notification_contacts(id) on delete cascade,
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null
  )`,
  `create index incident_ack_tokens_incident_idx on incident_ack_tokens (incident_id)`,
  `create table notification_log (
    id bigserial primary key,
    organization_id uuid not null references organizations(id) on delete cascade,
    incident_id uuid references incidents(id) on delete set null,
    purpose text not null,
    channel text not null,
    target text not null,
    status text not null check (status in ('sent','queued','failed')),
    attempts integer not null,
    error text,
    at timestamptz not null
  )`,
  `create index notification_log_org_idx on notification_log (organization_id, at desc)`,
  `create index notification_log_incident_idx on notification_log (incident_id, at)`,
  /* The monitor's open operational incident per sensor and problem; the unique index keeps one. */
  `create table sensor_problems (
    sensor_id uuid not null references sensors(id) on delete cascade,
    problem text not null check (problem in ('sensor_silent','sensor_drops','sensor_old_bundle')),
    incident_id uuid not null references incidents(id) on delete cascade,
    opened_at timestamptz not null,
    primary key (sensor_id, problem)
  )`,
  /* The monthly all-quiet message goes once per subscriber and month. */
  `create table quiet_reports (
    organization_id uuid not null references organizations(id) on delete cascade,
    month text not null,
    sent_at timestamptz not null,
    primary key (organization_id, month)
  )`,
];
