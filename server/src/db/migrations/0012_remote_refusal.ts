/**
 * Remote support: the customer may decline a proposed session (who and when are kept, like consent);
 * a declined session can neither be consented to nor started.
 */
export const statements = [
  `alter table remote_sessions add column refused_user_id uuid references users(id) on delete set null`,
  `alter table remote_sessions add column refused_at timestamptz`,
  `alter table remote_sessions add constraint remote_sessions_consent_or_refusal check (consent_at is null or refused_at is null)`,
];
