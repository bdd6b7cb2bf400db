/** Threat feeds remember when an import last succeeded (ok or partial), beside the last attempt. */
export const statements = [
  `alter table threat_feeds add column last_success_at timestamptz`,
  `update threat_feeds set last_success_at = last_import_at where last_import is not null and last_import->>'status' <> 'failed'`,
];
