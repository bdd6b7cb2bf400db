/**
 * Subscriber lifecycle and billing: plans (prices as data), contracts and their history, issuer
 * settings, invoices and their lines, applications, insurance policies and device shipments. Dates of the calendar
 * (start, end, billing periods) are stored as ISO text YYYY-MM-DD in Japan time, so no driver ever
 * shifts them by a time zone; they compare correctly as text.
 */
const isoDate = (column: string, nullable = false) =>
  `${column} text ${nullable ? '' : 'not null '}check (${column} ~ '^\\d{4}-\\d{2}-\\d{2}$')`;

export const statements = [
  `create table plans (
    code text not null check (code in ('member','non_member')),
    name text not null,
    monthly_price_yen integer not null check (monthly_price_yen >= 0),
    tax_rate_percent integer not null check (tax_rate_percent between 0 and 100),
    initial_cost_yen integer not null default 0 check (initial_cost_yen >= 0),
    ${isoDate('valid_from')},
    primary key (code, valid_from)
  )`,
  // Prices from the seed: ¥6,000 (members of the chamber) and ¥7,500 a month, tax excluded, 10%
  // consumption tax, no initial cost. A price change is a new row with a later valid_from.
  `insert into plans (code, name, monthly_price_yen, tax_rate_percent, initial_cost_yen, valid_from) values
    ('member', 'お助け隊サービス（会員）', 6000, 10, 0, '2020-01-01'),
    ('non_member', 'お助け隊サービス（非会員）', 7500, 10, 0, '2020-01-01')`,
  `create table contracts (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null unique references organizations(id) on delete cascade,
    plan_code text not null check (plan_code in ('member','non_member')),
    ${isoDate('start_date')},
    minimum_term_months integer check (minimum_term_months > 0),
    ${isoDate('end_date', true)},
    cancellation_reason text,
    cancelled_at timestamptz,
    membership_verified_at timestamptz,
    created_at timestamptz not null default now(),
    check (end_date is null or end_date >= start_date)
  )`,
  `create table contract_events (
    id bigserial primary key,
    contract_id uuid not null references contracts(id) on delete cascade,
    organization_id uuid not null references organizations(id) on delete cascade,
    at timestamptz not null default now(),
    actor_user_id uuid,
    action text not null,
    details jsonb
  )`,
  `create index contract_events_contract_idx on contract_events (contract_id, id)`,
  `create table issuer_settings (
    organization_id uuid primary key references organizations(id) on delete cascade,
    issuer_name text not null,
    registration_number text not null check (registration_number ~ '^T\\d{13}$'),
    postal_code text not null,
    address text not null,
    phone text,
    payment_term_days integer not null default 30,
    updated_at timestamptz not null default now()
  )`,
  `create sequence invoice_number_seq`,
  `create table invoices (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    contract_id uuid references contracts(id) on delete set null,
    kind text not null check (kind in ('invoice','credit_note')),
    invoice_number text not null unique,
    billing_month text check (billing_month ~ '^\\d{4}-\\d{2}$'),
    credits_invoice_id uuid references invoices(id),
    ${isoDate('issue_date')},
    ${isoDate('period_start')},
    ${isoDate('period_end')},
    ${isoDate('due_date')},
    issuer_name text not null,
    issuer_registration_number text not null,
    issuer_address text not null,
    recipient_name text not null,
    note text,
    subtotal_yen integer not null,
    tax_yen integer not null,
    total_yen integer not null check (total_yen = subtotal_yen + tax_yen),
    status text not null default 'unpaid' check (status in ('unpaid','paid','overdue')),
    ${isoDate('paid_on', true)},
    paid_amount_yen integer,
    reminder_sent_at timestamptz,
    mailed_at timestamptz,
    created_at timestamptz not null default now(),
    check ((kind = 'invoice') = (billing_month is not null)),
    check ((kind = 'credit_note') = (credits_invoice_id is not null))
  )`,
  // One invoice per subscriber and month: the billing job can run twice, or resume, without billing twice.
  `alter table invoices add constraint invoices_subscriber_month_key unique (organization_id, billing_month)`,
  `create index invoices_due_idx on invoices (due_date) where status <> 'paid'`,
  `create table invoice_lines (
    invoice_id uuid not null references invoices(id) on delete cascade,
    organization_id uuid not null references organizations(id) on delete cascade,
    line_no integer not null,
    description text not null,
    ${isoDate('period_start', true)},
    ${isoDate('period_end', true)},
    amount_yen integer not null,
    tax_rate_percent integer not null,
    primary key (invoice_id, line_no)
  )`,
  `create table applications (
    id uuid primary key default gen_random_uuid(),
    status text not null default 'pending' check (status in ('pending','info_requested','approved','rejected')),
    company_name text not null,
    company_name_kana text,
    representative_name text not null,
    contact_name text not null,
    email text not null,
    phone text not null,
    postal_code text not null,
    prefecture text not null,
    city text not null,
    address text not null,
    employees integer not null,
    membership text not null check (membership in ('member','non_member')),
    membership_number text,
    sites jsonb not null,
    ${isoDate('desired_start_date', true)},
    review_note text,
    reviewed_by uuid,
    reviewed_at timestamptz,
    organization_id uuid references organizations(id) on delete set null,
    created_at timestamptz not null default now()
  )`,
  // The same company applying twice with the same address while the first is open is a duplicate.
  `create unique index applications_open_duplicate_idx on applications (lower(company_name), email) where status in ('pending','info_requested')`,
  `create table insurance_policies (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    insurer_organization_id uuid references organizations(id) on delete set null,
    policy_number text not null,
    ${isoDate('period_start')},
    ${isoDate('period_end', true)},
    created_at timestamptz not null default now()
  )`,
  `create index insurance_policies_organization_idx on insurance_policies (organization_id)`,
  `create table shipments (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id) on delete cascade,
    site_id uuid not null references sites(id) on delete cascade,
    serial text not null,
    carrier text not null check (carrier in ('yamato','sagawa','japan_post','other')),
    tracking_number text not null,
    status text not null default 'shipped' check (status in ('shipped','delivered','returned')),
    ${isoDate('shipped_on')},
    ${isoDate('delivered_on', true)},
    ${isoDate('returned_on', true)},
    note text,
    created_at timestamptz not null default now()
  )`,
  `create index shipments_organization_idx on shipments (organization_id)`,
  // An appliance is at one business at a time: its serial is out at most once until it comes back.
  `create unique index shipments_serial_out_idx on shipments (serial) where status <> 'returned'`,
];
