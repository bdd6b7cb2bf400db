/**
 * The contract between the sensor's data path and its detection engines (rules, threat-intel IOCs,
 * behaviour detectors, files). The pipeline calls every stage at fixed points of the data path; a
 * stage looks at what it is given and raises alerts through `raise`. Stages are pure with respect
 * to I/O (time is packet time) except the file scanner, which may hand a file to clamd and raise
 * later through the same callback.
 *
 * The pipeline turns each RaisedAlert into an EVE `alert` record: it adds the common fields of the
 * flow (or of the packet), `alert.severity` from the classtype/priority, and the three
 * `alert.metadata` keys every alert carries — `otasuke_direction` (from HOME_NET and the alert's
 * orientation), `otasuke_engine` and `otasuke_explain`.
 */
import type { Packet } from '../decode/packet.ts';
import type { Flow, FlowDirection } from '../flow/flow.ts';
import type { AppRecordOut } from '../pipeline/appSession.ts';

/** Which engine made an alert; the seed's report boxes follow: `file` = virus, the rest = IPS. */
export type AlertEngine = 'rule' | 'ioc' | 'behaviour' | 'file';

/** Where the traffic went relative to HOME_NET (the business's own networks). */
export type AlertDirection = 'inbound' | 'outbound' | 'internal' | 'external';

/** Reserved signature id ranges of Otasuke's own engines (gid 1, like local rules). */
export const OTASUKE_SID = {
  /** Behaviour detectors: 9 100 000 – 9 100 999, one stable sid per detector and variant. */
  behaviourBase: 9_100_000,
  /** Threat-intel IOC matches: 9 200 000 – 9 200 999, one per indicator type and place. */
  iocBase: 9_200_000,
  /** File hash and clamd verdicts: 9 300 000 – 9 300 999. */
  fileBase: 9_300_000,
} as const;

export interface RaisedAlert {
  engine: AlertEngine;
  /** Stable key of the plain-language text for the business owner, e.g. `inbound_port_scan`,
   *  `c2_communication`, `malware_download`, `weak_tls`, `rule.<classtype>`. */
  explain: string;
  gid: number;
  signatureId: number;
  rev: number;
  signature: string;
  /** Classtype description (classification.config), or the detector's own category text. */
  category: string;
  /** 1 (high) – 3 (low), from the classtype's priority or the rule's `priority`. */
  severity: 1 | 2 | 3;
  /**
   * Orientation of the alert's src → dest: `toServer` writes the flow's client as `src_ip`,
   * `toClient` the server. For packet alerts without a flow the packet's own addresses are used.
   */
  direction: FlowDirection;
  /** The flow the alert is about; null for packets outside any flow (then `packet` is set). */
  flow: Flow | null;
  packet?: Packet;
  /** Further `alert.metadata` entries (string arrays), e.g. the rule's own metadata, the IOC's feed. */
  metadata?: Record<string, string[]>;
  /** App-layer payloads logged beside the alert (`http`, `dns`, `tls`, `fileinfo`…), as EVE objects. */
  app?: Record<string, unknown>;
  /** Transaction id when the alert is bound to one. */
  txId?: number;
  /** Overrides the packet time of the alert (a behaviour seen over time is stamped when decided). */
  timestamp?: { sec: number; nsec: number };
}

export type RaiseAlert = (alert: RaisedAlert) => void;

/** A chunk of one direction's bytes in order: reassembled TCP, or a UDP datagram's payload. */
export interface StreamData {
  flow: Flow;
  direction: FlowDirection;
  data: Uint8Array;
}

export interface DetectionStage {
  readonly name: string;
  /** Every decoded packet (after defragmentation), with its flow when it has one. */
  onPacket?(packet: Packet, flow: Flow | null, direction: FlowDirection, raise: RaiseAlert): void;
  /** In-order bytes as the app layer receives them. */
  onStream?(data: StreamData, raise: RaiseAlert): void;
  /** Every app-layer record (transaction, handshake, file) before it is written. */
  onAppRecord?(record: AppRecordOut, raise: RaiseAlert): void;
  /** A flow ended; `record` is its EVE flow payload. */
  onFlowEnd?(flow: Flow, raise: RaiseAlert): void;
  /** Packet time moved on (once per second of packet time at most): timers, windows. */
  onTick?(sec: number, raise: RaiseAlert): void;
  /** End of input: decide what is pending, then release resources. */
  finish?(raise: RaiseAlert): Promise<void> | void;
  /** The variables detection keeps on a flow, for Suricata's EVE `metadata` / `traffic` on every
   *  record of the flow; undefined: none. */
  flowMetadata?(flow: Flow): FlowMetadata | undefined;
  /** Packet variables (pcre `pkt:` captures) set while the current packet was inspected. */
  packetVars?(): readonly Record<string, string>[] | undefined;
}

/**
 * Suricata's EVE metadata (eve-log `metadata: yes`, the default): flowbits and flow variables of
 * the flow, packet variables of the packet, and the flowbits named `traffic/id/<x>` and
 * `traffic/label/<x>` as the top-level `traffic: {id: [x], label: [x]}`.
 */
export interface FlowMetadata {
  traffic?: { id?: string[]; label?: string[] };
  metadata?: { flowbits?: string[]; flowvars?: Record<string, string>[]; pktvars?: Record<string, string>[] };
}
