/**
 * Live events (server/src/liveEvents/): each server process reads what changed since its cursor once
 * a second — incidents by `updated_at`, the customer's acknowledgement by `acknowledged_at` — so both
 * need an index to answer from the last seconds without scanning the tables.
 */
export const statements = [
  `create index incidents_updated_idx on incidents (updated_at, id)`,
  `create index incident_notification_states_ack_idx on incident_notification_states (acknowledged_at) where acknowledged_at is not null`,
];
