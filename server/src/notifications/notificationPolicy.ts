/**
 * When an incident's customer is told, reminded and escalated to — pure, so the rules are data and
 * the tests need no database. Every send after the first is a reminder; the reminder carries the
 * detections that arrived since ("+N more"), so a flood of alerts is batched into the next send.
 */
import type { IncidentKind, IncidentPriority } from '@otasuke/shared';

export interface NotificationPolicy {
  /** Told at once, reminded and escalated. */
  immediate: readonly IncidentPriority[];
  /** Left for the daily digest (not sent one by one), for subscribers that asked for it. */
  digest: readonly IncidentPriority[];
  /** The digest of a Japan day goes out from this hour (Japan time) of the next day on. Default 8. */
  digestHourJst?: number;
  /** At most one send per incident in this many minutes (new detections wait for it). */
  throttleMinutes: number;
  /** A reminder after this many minutes without acknowledgement, even without new detections. */
  repeatMinutes: number;
  /** From this many reminders on, the backup contacts are told too. */
  escalateAfterRepeats: number;
  /** Incidents of these kinds are told once: no reminders, no escalation (e.g. a silent sensor). */
  tellOnceKinds: readonly IncidentKind[];
  /** Acknowledgement links expire after this many days. */
  ackTokenDays: number;
}

export const DEFAULT_NOTIFICATION_POLICY: NotificationPolicy = {
  immediate: ['P1', 'P2'],
  digest: ['P3'],
  digestHourJst: 8,
  throttleMinutes: 15,
  repeatMinutes: 30,
  escalateAfterRepeats: 2,
  tellOnceKinds: ['sensor_health'],
  ackTokenDays: 7,
};

export interface NotificationState {
  firstSentAt: Date;
  lastSentAt: Date;
  /** Sends so far, the first included. */
  sends: number;
  /** The incident's alert count at the last send. */
  lastAlertCount: number;
  acknowledgedAt: Date | null;
}

export interface IncidentFacts {
  kind: IncidentKind;
  priority: IncidentPriority;
  alertCount: number;
}

export type NotificationPurpose = 'incident' | 'reminder' | 'escalation';

export interface SendDecision {
  purpose: NotificationPurpose;
  /** Whether the backup contacts are told too. */
  escalate: boolean;
  /** Detections since the last send (0 for the first). */
  newDetections: number;
}

const MINUTE = 60_000;

/** What to send for this incident now, or null. */
export function decideSend(policy: NotificationPolicy, incident: IncidentFacts, state: NotificationState | null, now: Date): SendDecision | null {
  if (!policy.immediate.includes(incident.priority)) return null;
  if (state === null) return { purpose: 'incident', escalate: false, newDetections: 0 };
  if (state.acknowledgedAt !== null || policy.tellOnceKinds.includes(incident.kind)) return null;
  const elapsed = now.getTime() - state.lastSentAt.getTime();
  const newDetections = Math.max(0, incident.alertCount - state.lastAlertCount);
  const due = elapsed >= policy.repeatMinutes * MINUTE || (newDetections > 0 && elapsed >= policy.throttleMinutes * MINUTE);
  if (!due) return null;
  const repeats = state.sends; // this send is reminder number `sends`
  const escalate = repeats >= policy.escalateAfterRepeats;
  return { purpose: escalate ? 'escalation' : 'reminder', escalate, newDetections };
}

const HOUR = 3_600_000;

/** The Japan day (`YYYY-MM-DD`) whose digest is due at `now`, with its bounds, or null before the hour. */
export function digestDayOf(policy: NotificationPolicy, now: Date): { day: string; from: Date; to: Date } | null {
  const japan = new Date(now.getTime() + 9 * HOUR);
  if (japan.getUTCHours() < (policy.digestHourJst ?? 8)) return null;
  const today = Date.UTC(japan.getUTCFullYear(), japan.getUTCMonth(), japan.getUTCDate());
  const day = new Date(today - 24 * HOUR).toISOString().slice(0, 10);
  const from = new Date(today - 24 * HOUR - 9 * HOUR);
  return { day, from, to: new Date(from.getTime() + 24 * HOUR) };
}

/** Backoff before webhook attempt n (1-based; the first is immediate): 1 s, 4 s, 16 s… */
export function webhookBackoffMs(attempt: number): number {
  return attempt <= 1 ? 0 : 1000 * 4 ** (attempt - 2);
}
