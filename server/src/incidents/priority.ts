/**
 * Priority of an incident, P1 (act now, day or night) … P4 (look when there is time). Pure.
 *
 * - base from the worst severity: 1 → P2, 2 → P3, 3 → P4;
 * - an inside host talking to a known C2 (kind c2_communication, or an IOC match going out) is P1:
 *   a machine is probably infected and the data is leaving;
 * - malware in a file, or any severity-1 alert going out, is at least P2;
 * - a critical asset (the accounts server…) raises one step, a low one lowers one step;
 * - repetition: 100 alerts or more raise one step, but repetition alone never makes P1.
 */
import type { AlertDirection, AlertEngine, IncidentKind, IncidentPriority } from '@otasuke/shared';

export interface PriorityFacts {
  kind: IncidentKind;
  engine: AlertEngine;
  direction: AlertDirection;
  /** The worst (lowest) severity of its alerts. */
  severity: number;
  alertCount: number;
  assetCriticality: 'high' | 'normal' | 'low' | null;
}

export const REPETITION_THRESHOLD = 100;

const levels: readonly IncidentPriority[] = ['P1', 'P2', 'P3', 'P4'];

export function priorityOf(facts: PriorityFacts): IncidentPriority {
  const goingOut = facts.direction === 'outbound' || facts.direction === 'internal';
  if (facts.kind === 'c2_communication' || (facts.engine === 'ioc' && goingOut)) return 'P1';
  let level = facts.severity <= 1 ? 1 : facts.severity === 2 ? 2 : 3;
  if (facts.kind === 'malware_file' || (facts.severity <= 1 && goingOut)) level = Math.min(level, 1);
  if (facts.kind === 'sensor_health') level = Math.max(level, 2);
  if (facts.assetCriticality === 'high') level -= 1;
  if (facts.assetCriticality === 'low') level += 1;
  if (facts.alertCount >= REPETITION_THRESHOLD && level > 1) level -= 1;
  const floor = facts.assetCriticality === 'high' && facts.severity <= 1 ? 0 : 1;
  return levels[Math.min(3, Math.max(floor, level))]!;
}

/** Priorities only go up by themselves; an analyst lowers one by hand. */
export function raisedPriority(current: IncidentPriority, computed: IncidentPriority): IncidentPriority {
  return computed < current ? computed : current;
}
