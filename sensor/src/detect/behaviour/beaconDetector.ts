/**
 * Beaconing: malware checks in with its controller on a timer, so an inside host opens
 * connections to one outside ip:port at nearly constant intervals. Per (inside host, outside
 * peer, protocol/port) the start times of the latest connections are kept; once there are
 * minConnections, the intervals' coefficient of variation (stddev / mean) at or below
 * maxIntervalCv with a mean between minIntervalSec and maxIntervalSec is a beacon. People and
 * browsers are irregular; services that are regular by design (DNS, NTP) are left out by port.
 */
import type { Packet } from '../../decode/packet.ts';
import { TCP_FLAG } from '../../decode/packet.ts';
import type { Flow, FlowDirection } from '../../flow/flow.ts';
import type { RaiseAlert } from '../detectionStage.ts';
import type { HomeNet } from '../homeNet.ts';
import type { BehaviourConfig } from './behaviourConfig.ts';
import { behaviourAlert } from './behaviourAlert.ts';
import { BEHAVIOUR_SIGNATURES } from './behaviourSids.ts';
import { LruTable } from './lruTable.ts';

/** Mean and coefficient of variation of the gaps between consecutive times. */
export function intervalStats(times: readonly number[]): { mean: number; cv: number } {
  const n = times.length - 1;
  if (n < 1) return { mean: 0, cv: Infinity };
  let sum = 0;
  for (let i = 1; i < times.length; i++) sum += times[i]! - times[i - 1]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 1; i < times.length; i++) sq += (times[i]! - times[i - 1]! - mean) ** 2;
  const sd = Math.sqrt(sq / n);
  return { mean, cv: mean > 0 ? sd / mean : Infinity };
}

interface Pair {
  times: number[];
  connections: number;
  /** Packet second before which this pair does not alert again. */
  quietUntil: number;
}

export class BeaconDetector {
  private readonly pairs: LruTable<string, Pair>;
  private readonly ignorePorts: ReadonlySet<number>;

  constructor(
    private readonly config: BehaviourConfig['beaconing'],
    private readonly homeNet: HomeNet,
  ) {
    this.pairs = new LruTable(config.maxTracked);
    this.ignorePorts = new Set(config.ignorePorts);
  }

  get tracked(): number {
    return this.pairs.size;
  }

  onPacket(packet: Packet, flow: Flow | null, direction: FlowDirection, raise: RaiseAlert): void {
    if (flow === null || direction !== 'toServer') return;
    // A new conversation: the first SYN of a TCP flow (retransmissions are the same flow, already
    // counted), the first datagram of a UDP flow.
    if (flow.pktsToServer !== 1 || flow.pktsToClient !== 0) return;
    if (flow.proto === 6) {
      if ((packet.tcpFlags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) !== TCP_FLAG.SYN) return;
    } else if (flow.proto !== 17) return;
    if (this.ignorePorts.has(flow.dstPort)) return;
    if (!this.homeNet.contains(flow.srcAddr) || this.homeNet.contains(flow.dstAddr)) return;
    const c = this.config;
    const sec = packet.tsSec + packet.tsNsec / 1e9;
    const service = `${flow.proto === 6 ? 'tcp' : 'udp'}/${flow.dstPort}`;
    const key = `${flow.srcIp}>${flow.dstIp}|${service}`;
    const p = this.pairs.obtain(key, () => ({ times: [], connections: 0, quietUntil: -Infinity }));
    const last = p.times[p.times.length - 1];
    // A gap longer than followed starts the series again.
    if (last !== undefined && sec - last > c.maxIntervalSec) p.times.length = 0;
    p.times.push(sec);
    p.connections++;
    if (p.times.length > c.history + 1) p.times.shift();
    if (p.times.length < c.minConnections) return;
    const { mean, cv } = intervalStats(p.times);
    if (mean < c.minIntervalSec || mean > c.maxIntervalSec || cv > c.maxIntervalCv) return;
    if (packet.tsSec < p.quietUntil) return;
    p.quietUntil = packet.tsSec + c.realertSec;
    raise(
      behaviourAlert(
        BEHAVIOUR_SIGNATURES.beaconing,
        flow,
        { peer: flow.dstIp, service, connections: p.connections, mean_interval_sec: mean.toFixed(1), interval_cv: cv.toFixed(3), judged_intervals: p.times.length - 1 },
        { sec: packet.tsSec, nsec: packet.tsNsec },
      ),
    );
  }
}
