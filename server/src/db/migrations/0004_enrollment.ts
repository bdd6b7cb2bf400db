/**
 * Sensor enrollment: one-time codes (stored as their SHA-256, valid 7 days, single use) and each
 * sensor's own credential (also hashed; re-enrollment replaces it).
 */
export const statements = [
  `create table enrollment_codes (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    site_id uuid not null references sites(id) on delete cascade,
    sensor_id uuid not null references sensors(id) on delete cascade,
    code_hash text not null unique,
    created_by uuid,
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  `create index enrollment_codes_sensor_idx on enrollment_codes (sensor_id)`,
  `create index enrollment_codes_organization_idx on enrollment_codes (organization_id)`,
  `alter table sensors add column credential_hash text unique`,
  `alter table sensors add column enrolled_at timestamptz`,
  `alter table sensors add column hostname text`,
  `alter table sensors add column agent_version text`,
];
