/**
 * The optional daily digest: a subscriber that wants it gets its low-priority (P3) incidents of a
 * Japan day in one mail instead of none; `notification_digests` keeps each (subscriber, day) sent
 * once, however many servers tick.
 */
export const statements = [
  `create table notification_settings (
    organization_id uuid primary key references organizations(id) on delete cascade,
    daily_digest boolean not null default false,
    updated_at timestamptz not null
  )`,
  `create table notification_digests (
    organization_id uuid not null references organizations(id) on delete cascade,
    day date not null,
    incidents integer not null,
    sent_at timestamptz not null,
    primary key (organization_id, day)
  )`,
];
