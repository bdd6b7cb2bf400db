/**
 * Indexes measured by `npm run bench:queue` (10M alerts, 100k incidents, 3,000 subscribers).
 *
 * - The queue sorted by priority over any statuses (resolved history, "every status", a time
 *   window): without it PostgreSQL sorts every matching incident (~200 ms at 100k); with it, it reads
 *   the first page in order. The open-only queue keeps its partial index.
 * - An incident's alerts by time, carrying what the alert groups read: the detail's newest 200
 *   alerts become a merge of each month's index instead of fetching and sorting all of an incident's
 *   alerts (seconds for a busy one), and the groups are counted from the index alone. It replaces the
 *   index on incident_id, which it serves as well.
 */
export const statements = [
  `create index incidents_priority_recent_idx on incidents (priority, last_seen_at desc, id desc)`,
  `create index alerts_incident_time_idx on alerts (incident_id, observed_at desc) include (gid, signature_id, signature)`,
  `drop index alerts_incident_idx`,
];
