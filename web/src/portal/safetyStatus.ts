/**
 * The owner's one-glance answer, 安全 / 注意 / 危険, derived from the open incidents:
 * - 安全 (safe): no open incident;
 * - 危険 (danger): an open P1 or P2 that nobody has acknowledged yet (neither our analysts nor the owner);
 * - 注意 (caution): anything else open — only P3/P4, or P1/P2 already acknowledged and being handled.
 * Resolved and merged incidents are history, not status.
 */
export type SafetyLevel = 'safe' | 'caution' | 'danger';
export type SafetyReason = 'noIncidents' | 'urgentUnacknowledged' | 'urgentAcknowledged' | 'lowOnly';

export interface SafetyInput {
  id: string;
  priority: 'P1' | 'P2' | 'P3' | 'P4';
  status: string;
  /** When our analysts acknowledged it (null: not yet). */
  acknowledgedAt: string | null;
}

export interface Safety {
  level: SafetyLevel;
  reason: SafetyReason;
  /** Open incidents behind the answer. */
  open: number;
  /** Open P1/P2 not acknowledged by anyone. */
  urgent: number;
}

const closed = new Set(['resolved', 'merged']);

/** `ownerAcknowledged`: incidents the owner acknowledged in this console. */
export function safetyOf(incidents: readonly SafetyInput[], ownerAcknowledged: ReadonlySet<string> = new Set()): Safety {
  const open = incidents.filter((i) => !closed.has(i.status));
  if (open.length === 0) return { level: 'safe', reason: 'noIncidents', open: 0, urgent: 0 };
  const high = open.filter((i) => i.priority === 'P1' || i.priority === 'P2');
  const urgent = high.filter((i) => i.acknowledgedAt === null && i.status === 'new' && !ownerAcknowledged.has(i.id)).length;
  if (urgent > 0) return { level: 'danger', reason: 'urgentUnacknowledged', open: open.length, urgent };
  return { level: 'caution', reason: high.length > 0 ? 'urgentAcknowledged' : 'lowOnly', open: open.length, urgent: 0 };
}
