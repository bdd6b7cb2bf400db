/**
 * The behaviour detectors as one DetectionStage ('behaviour'): each hook is handed to the
 * detectors that use it, in a fixed order. Detectors are independent; each keeps its own bounded
 * state and its own "once per window" gate.
 */
import type { Packet } from '../../decode/packet.ts';
import type { Flow, FlowDirection } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { DetectionStage, RaiseAlert, StreamData } from '../detectionStage.ts';
import type { HomeNet } from '../homeNet.ts';
import { BeaconDetector } from './beaconDetector.ts';
import type { BehaviourConfig } from './behaviourConfig.ts';
import { BruteForceDetector } from './bruteForceDetector.ts';
import { CleartextCredentialDetector } from './cleartextCredentialDetector.ts';
import { DnsTunnelDetector } from './dnsTunnelDetector.ts';
import { ScanDetector } from './scanDetector.ts';
import { WeakTlsDetector } from './weakTlsDetector.ts';

export class BehaviourStage implements DetectionStage {
  readonly name = 'behaviour';
  readonly scan: ScanDetector;
  readonly bruteForce: BruteForceDetector;
  readonly weakTls: WeakTlsDetector;
  readonly cleartext: CleartextCredentialDetector;
  readonly dnsTunnel: DnsTunnelDetector;
  readonly beaconing: BeaconDetector;

  constructor(config: BehaviourConfig, homeNet: HomeNet) {
    this.scan = new ScanDetector(config.scan, homeNet);
    this.bruteForce = new BruteForceDetector(config.bruteForce);
    this.weakTls = new WeakTlsDetector(config.weakTls);
    this.cleartext = new CleartextCredentialDetector(config.cleartextCredentials);
    this.dnsTunnel = new DnsTunnelDetector(config.dnsTunnel);
    this.beaconing = new BeaconDetector(config.beaconing, homeNet);
  }

  onPacket(packet: Packet, flow: Flow | null, direction: FlowDirection, raise: RaiseAlert): void {
    if (flow === null) return;
    this.scan.onPacket(packet, flow, direction, raise);
    this.beaconing.onPacket(packet, flow, direction, raise);
    this.cleartext.onPacket(packet, flow, direction, raise);
  }

  onStream(data: StreamData, raise: RaiseAlert): void {
    this.weakTls.onStream(data, raise);
    this.cleartext.onStream(data, raise);
  }

  onAppRecord(record: AppRecordOut, raise: RaiseAlert): void {
    this.bruteForce.onAppRecord(record, raise);
    this.weakTls.onAppRecord(record, raise);
    this.cleartext.onAppRecord(record, raise);
    this.dnsTunnel.onAppRecord(record, raise);
  }

  onFlowEnd(flow: Flow, raise: RaiseAlert): void {
    this.bruteForce.onFlowEnd(flow, raise);
  }
}

export function createBehaviourStage(config: BehaviourConfig, homeNet: HomeNet): DetectionStage {
  return new BehaviourStage(config, homeNet);
}
