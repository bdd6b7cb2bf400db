/** Tenants, users, sessions, tokens, audit log and mail outbox: the base every domain builds on. */
export const statements = [
  `create table organizations (
    id uuid primary key default gen_random_uuid(),
    kind text not null check (kind in ('operator','subscriber','vendor','insurer','enterprise')),
    name text not null,
    name_kana text,
    membership text check (membership in ('member','non_member')),
    prefecture text,
    city text,
    created_at timestamptz not null default now(),
    check ((kind = 'subscriber') = (membership is not null))
  )`,
  `create table sites (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    name text not null,
    postal_code text,
    address text,
    created_at timestamptz not null default now()
  )`,
  `create index sites_organization_idx on sites (organization_id)`,
  `create table sensors (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    site_id uuid not null references sites(id) on delete cascade,
    name text not null,
    status text not null default 'pending' check (status in ('pending','active','revoked')),
    last_seen_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  `create index sensors_organization_idx on sensors (organization_id)`,
  `create table users (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    email text not null unique check (email = lower(email)),
    display_name text not null,
    role text not null,
    locale text not null default 'ja' check (locale in ('ja','en')),
    password_hash text not null,
    totp_secret text,
    totp_enabled boolean not null default false,
    totp_last_step bigint,
    failed_logins integer not null default 0,
    locked_until timestamptz,
    disabled_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  `create index users_organization_idx on users (organization_id)`,
  `create table sessions (
    id text primary key,
    user_id uuid not null references users(id) on delete cascade,
    csrf_token text not null,
    ip text,
    user_agent text,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`,
  `create index sessions_user_idx on sessions (user_id)`,
  `create table login_challenges (
    id text primary key,
    user_id uuid not null references users(id) on delete cascade,
    pending_totp_secret text,
    attempts integer not null default 0,
    expires_at timestamptz not null
  )`,
  `create table login_throttle (
    key text primary key,
    failures integer not null default 0,
    window_started_at timestamptz not null default now(),
    blocked_until timestamptz
  )`,
  `create table password_resets (
    token_hash text primary key,
    user_id uuid not null references users(id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz
  )`,
  `create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    created_by uuid references users(id) on delete set null,
    role text not null,
    name text not null,
    prefix text not null,
    secret_hash text not null unique,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `create index api_tokens_organization_idx on api_tokens (organization_id)`,
  `create table audit_log (
    id bigserial primary key,
    at timestamptz not null default now(),
    actor_user_id uuid,
    actor_token_id uuid,
    organization_id uuid,
    action text not null,
    target_type text,
    target_id text,
    ip text,
    request_id text,
    details jsonb
  )`,
  `create index audit_log_organization_idx on audit_log (organization_id, id desc)`,
  `create index audit_log_at_idx on audit_log (at desc)`,
  `create table mail_outbox (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid references organizations(id) on delete set null,
    to_address text not null,
    subject text not null,
    text_body text not null,
    html_body text,
    charset text not null default 'utf-8' check (charset in ('utf-8','iso-2022-jp')),
    status text not null default 'pending' check (status in ('pending','sent','failed','held')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    message_id text,
    created_at timestamptz not null default now(),
    sent_at timestamptz
  )`,
  `create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where status = 'pending'`,
];
