/**
 * Programme targets for the operator's KPIs, as data: the seed's goal of 3,000 subscribers in the
 * 36 months from the programme start (2026-04, the fiscal year the programme began). A new goal or
 * start is a changed row, not a code change.
 */
export const statements = [
  `create table programme_targets (
    code text primary key,
    name text not null,
    start_month text not null check (start_month ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
    months integer not null check (months > 0),
    target_subscribers integer not null check (target_subscribers > 0),
    updated_at timestamptz not null default now()
  )`,
  `insert into programme_targets (code, name, start_month, months, target_subscribers) values
    ('subscribers', '3年で3,000社', '2026-04', 36, 3000)`,
];
