/**
 * At most one offer waiting for a vendor's answer per dispatch job. The service checks before it
 * offers, but two desk agents pressing "offer" at the same moment both passed that check; now the
 * second insert fails and is answered as a conflict. Jobs that already have several waiting offers
 * keep the earliest; the others are closed as expired, so the index can be built.
 */
export const statements = [
  `update dispatch_offers o set status = 'expired', answered_at = now(), reason = 'closed: another offer for this job was already waiting'
    where o.status = 'pending' and exists (
      select 1 from dispatch_offers e where e.job_id = o.job_id and e.status = 'pending' and (e.offered_at, e.id) < (o.offered_at, o.id))`,
  `create unique index dispatch_offers_one_pending_idx on dispatch_offers (job_id) where status = 'pending'`,
];
