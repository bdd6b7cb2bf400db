/**
 * One bidirectional conversation (after Suricata's flow.h): endpoints as the client sees them,
 * per-direction counters, timestamps from the packets, the flow and TCP states, and the TCP
 * reassembler. The client is the source of the first packet, except that a SYN/ACK seen first makes
 * its destination the client (midstream pickup).
 */
import type { StreamDirection, TcpReassembler } from '../stream/tcpReassembler.ts';
import { communityId } from './communityId.ts';

export type FlowDirection = StreamDirection;

/** EVE `flow.state`. */
export type FlowState = 'new' | 'established' | 'closed';

/** EVE `tcp.state`, Suricata's TCP session states. */
export type TcpState =
  | 'none'
  | 'syn_sent'
  | 'syn_recv'
  | 'established'
  | 'fin_wait1'
  | 'fin_wait2'
  | 'time_wait'
  | 'last_ack'
  | 'close_wait'
  | 'closing'
  | 'closed';

/** EVE `flow.reason`: idle too long, pushed out when the table was full (forced), end of capture
 *  (shutdown), or a new SYN on a finished TCP session. */
export type FlowEndReason = 'timeout' | 'forced' | 'shutdown' | 'tcp_reuse';

export class Flow {
  /** Client (to-server source) side. */
  readonly srcAddr: Uint8Array;
  readonly dstAddr: Uint8Array;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** ICMP type/code of the client's first message and of the first reply; -1 when none. */
  readonly icmpType: number;
  readonly icmpCode: number;
  responseIcmpType = -1;
  responseIcmpCode = -1;

  lastSec: number;
  lastNsec: number;
  pktsToServer = 0;
  pktsToClient = 0;
  bytesToServer = 0;
  bytesToClient = 0;
  state: FlowState = 'new';
  tcpState: TcpState = 'none';
  tcpFlagsToServer = 0;
  tcpFlagsToClient = 0;
  /** ACK number that acknowledges the client's / server's FIN (uint32), -1 before a FIN. */
  clientFinAck = -1;
  serverFinAck = -1;
  clientFinAcked = false;
  serverFinAcked = false;
  /** Reassembly for TCP flows, null otherwise. */
  tcp: TcpReassembler | null = null;
  /** Set by detection when a rule alerted on this flow (EVE `flow.alerted`). */
  alerted = false;
  /** Owned by the application layer (parsers per direction); the flow never looks inside. */
  appState: unknown = null;
  endReason: FlowEndReason | null = null;

  /** @internal FlowTable bookkeeping: the flow's key and its place in the least-recently-seen list. */
  lruPrev: Flow | null = null;
  /** @internal */
  lruNext: Flow | null = null;
  /** @internal true when the client is the lower endpoint of the normalised key. */
  readonly clientIsLow: boolean;

  private cachedCommunityId: string | null = null;
  private cachedCommunityIdSeed = 0;

  constructor(
    readonly key: string,
    readonly flowId: number,
    readonly proto: number,
    readonly ipVersion: number,
    readonly vlan: readonly number[],
    client: { addr: Uint8Array; ip: string; port: number },
    server: { addr: Uint8Array; ip: string; port: number },
    clientIsLow: boolean,
    icmpType: number,
    icmpCode: number,
    readonly startSec: number,
    readonly startNsec: number,
  ) {
    this.srcAddr = client.addr;
    this.srcIp = client.ip;
    this.srcPort = client.port;
    this.dstAddr = server.addr;
    this.dstIp = server.ip;
    this.dstPort = server.port;
    this.clientIsLow = clientIsLow;
    this.icmpType = icmpType;
    this.icmpCode = icmpCode;
    this.lastSec = startSec;
    this.lastNsec = startNsec;
  }

  /** Community ID v1 of the flow, computed on first use (per seed). ICMP uses the client's type and code. */
  communityId(seed = 0): string {
    if (this.cachedCommunityId === null || seed !== this.cachedCommunityIdSeed) {
      const isIcmp = this.proto === 1 || this.proto === 58;
      this.cachedCommunityId = communityId(
        this.proto,
        this.srcAddr,
        this.dstAddr,
        isIcmp ? this.icmpType : this.srcPort,
        isIcmp ? this.icmpCode : this.dstPort,
        seed,
      );
      this.cachedCommunityIdSeed = seed;
    }
    return this.cachedCommunityId;
  }
}
