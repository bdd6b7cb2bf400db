/**
 * Rules/IOC distribution: bundle policies (data, not code), the subscriber's policy, threat feeds
 * with their normalised entries, the signing key, and the signed bundles themselves.
 *
 * A feed's entries are kept as the normalised plain text (`type value` per line) rather than a row
 * per indicator: a bundle needs exactly that text, and a 100 000-line feed stays one write.
 * The signing key row holds the private key in PEM: simple and honest for a single server, but in
 * production the key should come from a file or KMS (`bundleSigningKeyFile`), and then this table
 * is not used.
 */
export const statements = [
  `create table bundle_policies (
    id uuid primary key default gen_random_uuid(),
    name text not null unique,
    description text,
    categories jsonb not null default '[]',
    local_rules text not null default '',
    feed_ids jsonb not null default '[]',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `insert into bundle_policies (name, description, categories) values ('standard', '標準ポリシー (ET Open の主要カテゴリ)', '${JSON.stringify([
    'emerging-attack_response.rules',
    'emerging-coinminer.rules',
    'emerging-current_events.rules',
    'emerging-dns.rules',
    'emerging-exploit.rules',
    'emerging-exploit_kit.rules',
    'emerging-ja3.rules',
    'emerging-malware.rules',
    'emerging-mobile_malware.rules',
    'emerging-phishing.rules',
    'emerging-scan.rules',
    'emerging-web_client.rules',
    'emerging-web_server.rules',
    'emerging-worm.rules',
    'botcc.rules',
    'compromised.rules',
    'threatview_CS_c2.rules',
  ])}')`,
  /* null = the 'standard' policy. */
  `alter table organizations add column bundle_policy_id uuid references bundle_policies(id) on delete set null`,
  `create table threat_feeds (
    id uuid primary key default gen_random_uuid(),
    name text not null unique,
    format text not null,
    source text not null,
    schedule_minutes integer,
    enabled boolean not null default true,
    entries_text text not null default '',
    entry_count integer not null default 0,
    last_import jsonb,
    last_import_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  `create table bundle_signing_keys (
    id uuid primary key default gen_random_uuid(),
    singleton boolean not null default true unique,
    public_key_pem text not null,
    private_key_pem text not null,
    created_at timestamptz not null default now()
  )`,
  /* seq orders the builds of a policy (two builds may share a timestamp); the highest is the latest. */
  `create table bundles (
    id uuid primary key default gen_random_uuid(),
    seq bigint generated always as identity,
    policy_id uuid not null references bundle_policies(id) on delete cascade,
    version text not null,
    created_at timestamptz not null default now(),
    body bytea not null,
    signature text not null,
    summary jsonb not null,
    unique (policy_id, version)
  )`,
  `create index bundles_policy_seq_idx on bundles (policy_id, seq desc)`,
  `create index sensor_heartbeats_time_idx on sensor_heartbeats (received_at)`,
];
