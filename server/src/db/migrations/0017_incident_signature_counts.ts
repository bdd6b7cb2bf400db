/**
 * The detail's alert groups kept as counts: per incident and signature, how many alerts and when
 * the first and last were seen. Ingest's correlation adds each batch's new alerts (one upsert),
 * merge/split/detach recompute the incidents they touch from their alerts, so the detail reads at
 * most 50 small rows instead of grouping all of an incident's alerts (215k for a busy one).
 * Reached only through its incident (deleted with it).
 */
export const statements = [
  `create table incident_signature_counts (
    incident_id uuid not null references incidents(id) on delete cascade,
    gid integer not null,
    signature_id bigint not null,
    signature text not null,
    count bigint not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    primary key (incident_id, gid, signature_id, signature)
  )`,
  `create index incident_signature_counts_top_idx on incident_signature_counts (incident_id, count desc)`,
  `insert into incident_signature_counts (incident_id, gid, signature_id, signature, count, first_seen_at, last_seen_at)
    select a.incident_id, a.gid, a.signature_id, a.signature, count(*), min(a.observed_at), max(a.observed_at)
    from alerts a join incidents i on i.id = a.incident_id group by a.incident_id, a.gid, a.signature_id, a.signature`,
];
