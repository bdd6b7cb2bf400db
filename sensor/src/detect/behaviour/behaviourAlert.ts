/**
 * Turns a detector's decision into a RaisedAlert: the signature's fixed fields, the flow the
 * decision was made on (the alert's src is always the actor, so `toServer` when the actor is the
 * flow's client), the evidence as `alert.metadata` string arrays, and the packet time of the
 * decision.
 */
import type { RaisedAlert } from '../detectionStage.ts';
import type { Flow, FlowDirection } from '../../flow/flow.ts';
import type { BehaviourSignature } from './behaviourSids.ts';

export type Evidence = Record<string, string | number | readonly (string | number)[]>;

/** Longest list written into one metadata key (a 2000-port scan names its first ports only). */
export const EVIDENCE_MAX_VALUES = 32;

export function behaviourAlert(
  sig: BehaviourSignature,
  flow: Flow,
  evidence: Evidence,
  at: { sec: number; nsec: number },
  direction: FlowDirection = 'toServer',
): RaisedAlert {
  const metadata: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(evidence)) {
    const list = Array.isArray(value) ? (value as readonly (string | number)[]) : [value as string | number];
    metadata[key] = list.slice(0, EVIDENCE_MAX_VALUES).map(String);
  }
  return {
    engine: 'behaviour',
    explain: sig.explain,
    gid: 1,
    signatureId: sig.signatureId,
    rev: 1,
    signature: sig.signature,
    category: sig.category,
    severity: sig.severity,
    direction,
    flow,
    metadata,
    timestamp: { sec: at.sec, nsec: at.nsec },
  };
}

/** Packet time of the latest packet of a flow. */
export function flowTime(flow: Flow): { sec: number; nsec: number } {
  return { sec: flow.lastSec, nsec: flow.lastNsec };
}
