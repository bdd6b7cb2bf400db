/**
 * The sensor's data path for one capture: decode → flow engine (with TCP reassembly) → app-layer
 * protocol detection and parsers → EVE records, handed to a sink as they are made. Detection (the
 * rule engine) slots in between app-layer and output with the next issue.
 *
 * Pure with respect to I/O: packets come in, records go out through `emit`; time is packet time.
 *
 * Suricata's behaviour is followed where suricata-verify checks it:
 * - TCP data of one direction reaches the app layer when a packet of the other direction
 *   acknowledges it (Suricata's IDS-mode "update opposing side on ACK"), or when the flow ends or is
 *   reset. So a TLS record's `pcap_cnt` is that of the client's ACK of the server's flight.
 * - Every record of a transaction carries the addresses of the direction it was seen in: a DNS
 *   request is client→server, its response server→client; HTTP, TLS, SSH, SMTP and FTP records are
 *   written client→server.
 * - IPv6 addresses are written fully expanded, as Suricata does.
 */
import type { CapturedPacket } from '../capture/capturedPacket.ts';
import { PacketDecoder } from '../decode/decoder.ts';
import { Packet, TCP_FLAG } from '../decode/packet.ts';
import type { EveRecord, EveStatsRecord } from '../eve/eveEvent.ts';
import { buildStatsRecord } from '../eve/eveWriter.ts';
import { formatEveTimestamp } from '../flow/eveTime.ts';
import type { Flow, FlowDirection } from '../flow/flow.ts';
import { FlowEngine } from '../flow/flowEngine.ts';
import type { EndedFlow, FlowEngineConfig } from '../flow/flowEngine.ts';
import { eveProtoName } from '../flow/flowRecord.ts';
import { netflowRecords } from '../flow/netflowRecord.ts';
import type { ReassembledChunk, StreamAnomaly } from '../stream/tcpReassembler.ts';
import { FtpDataExpectations } from '../app-layer/ftp/ftpData.ts';
import { AppSession } from './appSession.ts';
import type { AppRecordOut, AppSessionOptions } from './appSession.ts';
import { decodeEventName, eveIp } from './eveFormat.ts';
import type { DetectionStage, RaiseAlert, RaisedAlert } from '../detect/detectionStage.ts';
import type { HomeNet } from '../detect/homeNet.ts';

/** Event types the pipeline can write. */
export const SENSOR_EVENT_TYPES = ['alert', 'anomaly', 'dns', 'http', 'tls', 'ssh', 'smtp', 'ftp', 'quic', 'fileinfo', 'flow', 'netflow', 'metadata', 'stats'] as const;
export type SensorEventType = (typeof SENSOR_EVENT_TYPES)[number];
/** Written only when asked for (off in Suricata's default eve-log too). */
const OFF_BY_DEFAULT: ReadonlySet<string> = new Set(['netflow', 'metadata']);

export interface FileHashes {
  md5?: boolean;
  sha1?: boolean;
  sha256?: boolean;
}

export interface SensorPipelineOptions {
  /** Write `community_id` with this seed; undefined: no community_id. */
  communityIdSeed?: number;
  /** Event types written; default all of SENSOR_EVENT_TYPES. */
  eveTypes?: ReadonlySet<SensorEventType>;
  /** `http.request_headers` / `response_headers` (Suricata's `dump-all-headers: both`). */
  httpHeaders?: boolean;
  /** Hashes computed for fileinfo records (Suricata's `force-hash`). */
  fileHashes?: FileHashes;
  /** Flow table and stream settings. */
  flow?: Partial<Omit<FlowEngineConfig, 'communityIdSeed'>>;
  /** Detection stages called at each point of the data path; their alerts become `alert` records. */
  detection?: { stages: DetectionStage[]; homeNet: HomeNet };
}

export interface SensorCounters {
  packets: number;
  bytes: number;
  /** Packets that raised at least one decoder event. */
  decodeErrors: number;
  /** Packets that belong to no flow (not IP, broken, fragments waiting). */
  noFlow: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  /** Records written, by event type. */
  events: Record<string, number>;
  /** Flows by detected application protocol (`failed` when none matched). */
  appFlows: Record<string, number>;
}

export type EveEmit = (record: EveRecord) => void;

/** A detection stage that reads the bytes of files (fileinfo `source.file`): the app layer keeps
 *  each file whole up to the largest such limit (bounded memory: larger files are only hashed). */
export interface FileContentReader {
  readonly fileContentLimit: number;
}

const PROTO_TCP = 6;
const PROTO_UDP = 17;

export class SensorPipeline {
  readonly counters: SensorCounters = {
    packets: 0, bytes: 0, decodeErrors: 0, noFlow: 0, ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, events: {}, appFlows: {},
  };
  private readonly decoder = new PacketDecoder();
  /** Every frame is decoded into this one object: nothing downstream keeps a Packet past
   *  onPacket (flows copy what they keep; fragments are copied by the defragmenter). */
  private readonly packet = new Packet(new Uint8Array(0), 0, 0, 0, 0, 0);
  private readonly engine: FlowEngine;
  private readonly types: ReadonlySet<string>;
  private readonly communityIdSeed: number | undefined;
  private readonly emitRecord: EveEmit;
  private readonly appOptions: AppSessionOptions;
  /** Packet time of the latest packet, and the first (stats `uptime`). */
  private tsSec = 0;
  private tsNsec = 0;
  private firstSec = -1;
  private pcapCnt = 0;
  private finished = false;
  /** Sessions that may hold views into the current input chunk (see detachInput). */
  private readonly holdingSessions = new Set<AppSession>();
  private readonly stages: readonly DetectionStage[];
  /** Stages keeping flow variables (EVE `metadata` / `traffic` on the flow's records). */
  private readonly metaStages: readonly DetectionStage[];
  private readonly homeNet: HomeNet | undefined;
  /** Packet second of the last onTick. */
  private tickSec = -1;
  /** Alerts raised while the current packet is processed (see raise). */
  private pendingAlerts: { alert: RaisedAlert; pcapCnt: number; packet: AlertPacketView | null }[] = [];

  constructor(emit: EveEmit, options: SensorPipelineOptions = {}) {
    this.emitRecord = emit;
    this.types = options.eveTypes ?? new Set(SENSOR_EVENT_TYPES.filter((t) => !OFF_BY_DEFAULT.has(t)));
    this.communityIdSeed = options.communityIdSeed;
    this.engine = new FlowEngine({ ...options.flow, communityIdSeed: options.communityIdSeed ?? 0 });
    this.stages = options.detection?.stages ?? [];
    this.metaStages = this.stages.filter((s) => s.flowMetadata !== undefined);
    this.homeNet = options.detection?.homeNet;
    const detecting = this.stages.length > 0;
    this.appOptions = { httpHeaders: options.httpHeaders ?? false, fileHashes: options.fileHashes ?? {}, types: this.types, detection: detecting, ftpData: new FtpDataExpectations() };
    const fileContentLimit = Math.max(0, ...this.stages.map((s) => (s as Partial<FileContentReader>).fileContentLimit ?? 0));
    if (fileContentLimit > 0) this.appOptions.fileContentLimit = fileContentLimit;
    if (detecting && this.stages.some((s) => s.onStream !== undefined)) this.appOptions.onChunk = this.onChunk;
  }

  get flowCounters(): FlowEngine['counters'] {
    return this.engine.counters;
  }

  /** One captured frame; `pcapCnt` is its 1-based position in the capture. */
  onPacket(c: CapturedPacket, pcapCnt: number): void {
    this.processPacket(c, pcapCnt);
    if (this.pendingAlerts.length > 0) this.flushAlerts();
  }

  private processPacket(c: CapturedPacket, pcapCnt: number): void {
    const counters = this.counters;
    counters.packets++;
    counters.bytes += c.data.length;
    this.pcapCnt = pcapCnt;
    this.tsSec = c.tsSec;
    this.tsNsec = c.tsNsec;
    if (this.firstSec < 0) this.firstSec = c.tsSec;

    const packet = this.decoder.decode(c, this.packet);
    if (packet.events.length > 0) {
      counters.decodeErrors++;
      this.decodeAnomalies(packet);
    }
    const p = packet.reassembled ?? packet;
    if (p !== packet && p.events.length > 0) this.decodeAnomalies(p);
    if (p.ipVersion === 4) counters.ipv4++;
    else if (p.ipVersion === 6) counters.ipv6++;
    if (p.proto === PROTO_TCP) counters.tcp++;
    else if (p.proto === PROTO_UDP) counters.udp++;
    else if (p.proto === 1 || p.proto === 58) counters.icmp++;

    const stages = this.stages;
    if (stages.length > 0 && c.tsSec !== this.tickSec) {
      this.tickSec = c.tsSec;
      for (let i = 0; i < stages.length; i++) stages[i]!.onTick?.(c.tsSec, this.raise);
    }
    const r = this.engine.onPacket(packet);
    // Indexed loops on the per-packet path: for-of makes an iterator per loop until optimised.
    const endedFlows = r.ended;
    for (let i = 0; i < endedFlows.length; i++) this.endFlow(endedFlows[i]!);
    const f = r.flow;
    if (f === null) {
      counters.noFlow++;
      for (let i = 0; i < stages.length; i++) stages[i]!.onPacket?.(p, null, 'toServer', this.raise);
      return;
    }
    if (r.events.length > 0) this.streamAnomalies(f, r.events);
    if (f.proto === PROTO_TCP) this.onTcp(f, p, r.direction, r.chunks);
    else if (r.chunks.length > 0) {
      const session = this.session(f);
      for (let i = 0; i < r.chunks.length; i++) session.chunk(r.chunks[i]!, this.out);
    }
    // After the app layer saw the packet, so rules on `alert dns|http…` know the flow's protocol.
    for (let i = 0; i < stages.length; i++) stages[i]!.onPacket?.(p, f, r.direction, this.raise);
    if (this.metaStages.length > 0 && this.types.has('metadata')) this.packetMetadata(f, r.direction);
  }

  /** Suricata's `metadata` record: one for a packet that got packet variables (pcre `pkt:`). */
  private packetMetadata(f: Flow, direction: FlowDirection): void {
    let pktvars: Record<string, string>[] | undefined;
    for (const stage of this.metaStages) {
      const vars = stage.packetVars?.();
      if (vars !== undefined) (pktvars ??= []).push(...vars);
    }
    if (pktvars === undefined) return;
    const r = this.common(f, 'metadata', direction);
    this.addAppProto(f, r);
    this.addMetadata(f, r, pktvars);
    this.emit(r as unknown as EveRecord);
  }

  /** EVE `traffic` and `metadata` (flowbits, flowvars, pktvars) of the flow, when detection keeps any. */
  private addMetadata(f: Flow, r: Record<string, unknown>, pktvars?: readonly Record<string, string>[]): void {
    let traffic: { id?: string[]; label?: string[] } | undefined;
    let metadata: Record<string, unknown[]> | undefined;
    for (const stage of this.metaStages) {
      const m = stage.flowMetadata!(f);
      if (m === undefined) continue;
      if (m.traffic?.id !== undefined) ((traffic ??= {}).id ??= []).push(...m.traffic.id);
      if (m.traffic?.label !== undefined) ((traffic ??= {}).label ??= []).push(...m.traffic.label);
      for (const [key, list] of Object.entries(m.metadata ?? {})) if (list !== undefined) ((metadata ??= {})[key] ??= []).push(...list);
    }
    if (pktvars !== undefined && pktvars.length > 0) (metadata ??= {}).pktvars = [...pktvars];
    if (traffic !== undefined) r.traffic = traffic;
    if (metadata !== undefined) r.metadata = metadata;
  }

  /**
   * The caller is about to overwrite `input`, the buffer the packets so far were views into: copy
   * the bytes still waiting in app sessions (everything else kept across packets is copied where
   * it is kept: out-of-order segments, fragments, parser state, bodies).
   */
  detachInput(input: ArrayBufferLike): void {
    for (const s of this.holdingSessions) s.detachInput(input);
    this.holdingSessions.clear();
  }

  /** End of capture: ends every flow and writes the final stats. A stage whose finish is
   *  asynchronous is not waited for here: use finishAsync (runCapture does). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const ended of this.engine.flush()) this.endFlow(ended);
    for (const stage of this.stages) {
      const done = stage.finish?.(this.raise);
      if (done instanceof Promise) done.catch(() => undefined);
    }
    this.flushAlerts();
    if (this.types.has('stats')) this.emit(this.statsRecord());
  }

  /** End of capture, waiting for every detection stage to decide what is pending. */
  async finishAsync(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    for (const ended of this.engine.flush()) this.endFlow(ended);
    this.flushAlerts();
    for (const stage of this.stages) {
      await stage.finish?.(this.raise);
      this.flushAlerts();
    }
    if (this.types.has('stats')) this.emit(this.statsRecord());
  }

  private onTcp(f: Flow, p: Packet, direction: FlowDirection, chunks: readonly ReassembledChunk[]): void {
    const session = this.session(f);
    const other: FlowDirection = direction === 'toServer' ? 'toClient' : 'toServer';
    // This packet acknowledges the other side's data: hand it to the app layer now.
    if ((p.tcpFlags & TCP_FLAG.ACK) !== 0) session.release(other, this.out);
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (chunk.direction === direction) session.defer(chunk, this.out);
      else session.chunk(chunk, this.out);
    }
    // A reset ends the conversation: nothing more will be acknowledged.
    if ((p.tcpFlags & TCP_FLAG.RST) !== 0) {
      session.release(direction, this.out);
      session.release(other, this.out);
    }
    // Both sides closed (or reset): the app layer is finished now rather than when the flow
    // times out, so its parsers and their buffers are not kept for the closed-flow timeout.
    if (f.state === 'closed' && (f.tcpState === 'closed' || (p.tcpFlags & TCP_FLAG.RST) !== 0)) {
      session.release(direction, this.out);
      session.release(other, this.out);
      session.end(this.out);
    }
    if (session.holdsChunks()) this.holdingSessions.add(session);
  }

  private session(f: Flow): AppSession {
    let s = f.appState as AppSession | null;
    if (s === null) {
      s = new AppSession(f, this.appOptions);
      f.appState = s;
    }
    return s;
  }

  /** Where the app layer's records go: completed with the common fields, then emitted. Fields go
   *  in in the order they are written (header, payload, app_proto, the rest), so the serialiser
   *  can hand the record to JSON.stringify whole. */
  private readonly out = (rec: AppRecordOut): void => {
    const stages = this.stages;
    for (let i = 0; i < stages.length; i++) stages[i]!.onAppRecord?.(rec, this.raise);
    if (rec.logged === false) return;
    const f = rec.flow;
    const r = this.common(f, rec.eventType, rec.direction) as Record<string, unknown>;
    if (rec.txId !== undefined) r.tx_id = rec.txId;
    const fields = rec.fields;
    const payload = fields[rec.eventType];
    if (payload !== undefined) r[rec.eventType] = payload;
    this.addAppProto(f, r);
    for (const key of Object.keys(fields)) if (key !== rec.eventType) r[key] = fields[key];
    if (this.metaStages.length > 0) this.addMetadata(f, r);
    this.emit(r as unknown as EveRecord);
  };

  private endFlow(ended: EndedFlow): void {
    const f = ended.flow;
    const session = f.appState as AppSession | null;
    if (session !== null || ended.chunks.length > 0) {
      const s = this.session(f);
      for (const chunk of ended.chunks) s.defer(chunk, this.out);
      s.release('toServer', this.out);
      s.release('toClient', this.out);
      s.end(this.out);
    }
    if (ended.events.length > 0) this.streamAnomalies(f, ended.events);
    for (let i = 0; i < this.stages.length; i++) this.stages[i]!.onFlowEnd?.(f, this.raise);
    const app = (f.appState as AppSession | null)?.appProtoName();
    if (app !== undefined) {
      const key = app === 'dns' || app === 'failed' ? `${app}_${f.proto === PROTO_TCP ? 'tcp' : 'udp'}` : app;
      this.counters.appFlows[key] = (this.counters.appFlows[key] ?? 0) + 1;
    }
    if (this.types.has('netflow')) {
      for (const nf of netflowRecords(f, eveIp, app)) {
        if (this.metaStages.length > 0) this.addMetadata(f, nf);
        this.emit(nf as unknown as EveRecord);
      }
    }
    if (!this.types.has('flow')) return;
    const record = ended.record as unknown as Record<string, unknown>;
    if (f.ipVersion === 6) {
      record.src_ip = eveIp(f.srcAddr);
      record.dest_ip = eveIp(f.dstAddr);
    }
    if (this.communityIdSeed === undefined) delete record.community_id;
    if (app !== undefined) record.app_proto = app;
    if (this.metaStages.length > 0) this.addMetadata(f, record);
    this.emit(record as unknown as EveRecord);
  }

  private readonly onChunk = (flow: Flow, chunk: ReassembledChunk): void => {
    const data = { flow, direction: chunk.direction, data: chunk.data };
    for (let i = 0; i < this.stages.length; i++) this.stages[i]!.onStream?.(data, this.raise);
  };

  /** A stage's alert becomes an EVE `alert` record now (the packet or record it is about is current). */
  private readonly raise: RaiseAlert = (alert: RaisedAlert): void => {
    if (alert.flow !== null) alert.flow.alerted = true;
    if (!this.types.has('alert')) return;
    // Written once the packet is processed, as Suricata logs after detection: the app payloads and
    // flow counters are then those of the end of the packet.
    this.pendingAlerts.push({ alert, pcapCnt: this.pcapCnt, packet: alert.packet === undefined ? null : alertPacketView(alert.packet) });
  };

  private flushAlerts(): void {
    const list = this.pendingAlerts;
    if (list.length === 0) return;
    this.pendingAlerts = [];
    for (const { alert, pcapCnt, packet } of list) {
      const flow = alert.flow;
      const rec = eveAlertRecord(packet === null ? alert : { ...alert, packet: packet as unknown as Packet }, {
        tsSec: this.tsSec, tsNsec: this.tsNsec, pcapCnt, communityIdSeed: this.communityIdSeed, homeNet: this.homeNet,
        appProto: flow === null ? undefined : (flow.appState as AppSession | null)?.appProtoName(),
      });
      if (flow !== null && this.metaStages.length > 0) this.addMetadata(flow, rec);
      this.emit(rec as unknown as EveRecord);
    }
  }

  private decodeAnomalies(p: Packet): void {
    if (!this.types.has('anomaly')) return;
    for (const name of p.events) {
      const r: Record<string, unknown> = { timestamp: formatEveTimestamp(this.tsSec, this.tsNsec), pcap_cnt: this.pcapCnt, event_type: 'anomaly' };
      const src = p.srcAddrBytes;
      if (src.length > 0) {
        if (p.vlan.length > 0) r.vlan = [...p.vlan];
        r.src_ip = eveIp(src);
        r.dest_ip = eveIp(p.dstAddrBytes);
        if (p.proto >= 0) r.proto = eveProtoName(p.proto);
      }
      r.anomaly = { type: 'decode', event: decodeEventName(name) };
      this.emit(r as unknown as EveRecord);
    }
  }

  private streamAnomalies(f: Flow, events: readonly StreamAnomaly[]): void {
    if (!this.types.has('anomaly')) return;
    for (const e of events) {
      const r = this.common(f, 'anomaly', e.direction) as Record<string, unknown>;
      r.anomaly = { type: 'stream', event: e.name };
      this.addAppProto(f, r);
      this.emit(r as unknown as EveRecord);
    }
  }

  /** The header every flow-bound record shares, oriented by `direction`; `app_proto` is added
   *  after the payload (addAppProto). */
  private common(f: Flow, eventType: string, direction: FlowDirection): Record<string, unknown> {
    const toServer = direction === 'toServer';
    const r: Record<string, unknown> = {
      timestamp: formatEveTimestamp(this.tsSec, this.tsNsec),
      flow_id: f.flowId,
      pcap_cnt: this.pcapCnt,
      event_type: eventType,
    };
    if (f.vlan.length > 0) r.vlan = [...f.vlan];
    const hasPorts = f.proto === PROTO_TCP || f.proto === PROTO_UDP || f.proto === 132;
    r.src_ip = eveIp(toServer ? f.srcAddr : f.dstAddr);
    if (hasPorts) r.src_port = toServer ? f.srcPort : f.dstPort;
    r.dest_ip = eveIp(toServer ? f.dstAddr : f.srcAddr);
    if (hasPorts) r.dest_port = toServer ? f.dstPort : f.srcPort;
    r.ip_v = f.ipVersion;
    r.proto = eveProtoName(f.proto);
    if (this.communityIdSeed !== undefined) r.community_id = f.communityId(this.communityIdSeed);
    return r;
  }

  private addAppProto(f: Flow, r: Record<string, unknown>): void {
    const app = (f.appState as AppSession | null)?.appProtoName();
    if (app !== undefined && app !== 'failed') r.app_proto = app;
  }

  private emit(record: EveRecord): void {
    const events = this.counters.events;
    events[record.event_type] = (events[record.event_type] ?? 0) + 1;
    this.emitRecord(record);
  }

  private statsRecord(): EveStatsRecord {
    const c = this.counters;
    const fc = this.engine.counters;
    const counters: Record<string, number> = {
      'decoder.pkts': c.packets,
      'decoder.bytes': c.bytes,
      'decoder.invalid': c.decodeErrors,
      'decoder.ipv4': c.ipv4,
      'decoder.ipv6': c.ipv6,
      'decoder.tcp': c.tcp,
      'decoder.udp': c.udp,
      'flow.total': fc.total,
      'flow.tcp_reuse': fc.tcpReuse,
      'flow.memcap': fc.memcap,
    };
    const appCounter: Record<string, string> = {
      http: 'http', tls: 'tls', ssh: 'ssh', smtp: 'smtp', ftp: 'ftp', dns_udp: 'dns_udp', dns_tcp: 'dns_tcp', failed_tcp: 'failed_tcp', failed_udp: 'failed_udp',
    };
    for (const [name, value] of Object.entries(c.appFlows)) {
      const key = appCounter[name];
      if (key !== undefined) counters[`app_layer.flow.${key}`] = value;
    }
    const uptime = this.firstSec < 0 ? 0 : this.tsSec - this.firstSec;
    return buildStatsRecord({ timestamp: formatEveTimestamp(this.tsSec, this.tsNsec), uptime, counters }).record;
  }
}

/** Parses an event-type list (`dns,http,flow`); unknown names are returned in `unknown`. */
export function parseEventTypes(list: string): { types: Set<SensorEventType>; unknown: string[] } {
  const known: ReadonlySet<string> = new Set(SENSOR_EVENT_TYPES);
  const types = new Set<SensorEventType>();
  const unknown: string[] = [];
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (known.has(name)) types.add(name as SensorEventType);
    else unknown.push(name);
  }
  return { types, unknown };
}

export interface AlertRecordContext {
  tsSec: number;
  tsNsec: number;
  pcapCnt: number;
  communityIdSeed: number | undefined;
  homeNet: HomeNet | undefined;
  appProto: string | undefined;
}

const ALERT_PROTO_PORTS: ReadonlySet<number> = new Set([6, 17, 132]);

/**
 * The EVE `alert` record of a raised alert, in Suricata's field order: the common fields oriented
 * by the alert's direction, `alert` (action, gid, sid, rev, signature, category, severity,
 * metadata with the three Otasuke keys), `app_proto`, `direction`, the app payloads, and the flow's
 * counters so far.
 */
export function eveAlertRecord(alert: RaisedAlert, ctx: AlertRecordContext): Record<string, unknown> {
  const f = alert.flow;
  const ts = alert.timestamp ?? { sec: ctx.tsSec, nsec: ctx.tsNsec };
  const r: Record<string, unknown> = { timestamp: formatEveTimestamp(ts.sec, ts.nsec) };
  let src: Uint8Array;
  let dst: Uint8Array;
  if (f !== null) {
    const toServer = alert.direction === 'toServer';
    src = toServer ? f.srcAddr : f.dstAddr;
    dst = toServer ? f.dstAddr : f.srcAddr;
    r.flow_id = f.flowId;
    r.pcap_cnt = ctx.pcapCnt;
    r.event_type = 'alert';
    if (f.vlan.length > 0) r.vlan = [...f.vlan];
    const ports = ALERT_PROTO_PORTS.has(f.proto);
    r.src_ip = eveIp(src);
    if (ports) r.src_port = toServer ? f.srcPort : f.dstPort;
    r.dest_ip = eveIp(dst);
    if (ports) r.dest_port = toServer ? f.dstPort : f.srcPort;
    r.ip_v = f.ipVersion;
    r.proto = eveProtoName(f.proto);
    if (ctx.communityIdSeed !== undefined) r.community_id = f.communityId(ctx.communityIdSeed);
  } else {
    const p = alert.packet;
    src = p?.srcAddrBytes ?? new Uint8Array(4);
    dst = p?.dstAddrBytes ?? new Uint8Array(4);
    r.pcap_cnt = ctx.pcapCnt;
    r.event_type = 'alert';
    if (p !== undefined && p.vlan.length > 0) r.vlan = [...p.vlan];
    r.src_ip = eveIp(src);
    if (p !== undefined && ALERT_PROTO_PORTS.has(p.proto)) r.src_port = p.srcPort;
    r.dest_ip = eveIp(dst);
    if (p !== undefined && ALERT_PROTO_PORTS.has(p.proto)) r.dest_port = p.dstPort;
    if (p !== undefined && p.ipVersion !== 0) r.ip_v = p.ipVersion;
    if (p !== undefined && p.proto >= 0) r.proto = eveProtoName(p.proto);
  }
  r.pkt_src = 'wire/pcap';
  if (alert.txId !== undefined) r.tx_id = alert.txId;
  const direction = ctx.homeNet === undefined || src.length === 0 ? 'external' : ctx.homeNet.direction(src, dst);
  const metadata: Record<string, string[]> = { ...alert.metadata };
  metadata.otasuke_direction = [direction];
  metadata.otasuke_engine = [alert.engine];
  metadata.otasuke_explain = [alert.explain];
  r.alert = {
    action: 'allowed',
    gid: alert.gid,
    signature_id: alert.signatureId,
    rev: alert.rev,
    signature: alert.signature,
    category: alert.category,
    severity: alert.severity,
    metadata,
  };
  if (ctx.appProto !== undefined && ctx.appProto !== 'failed') r.app_proto = ctx.appProto;
  if (f !== null) r.direction = alert.direction === 'toServer' ? 'to_server' : 'to_client';
  if (alert.app !== undefined) for (const key of Object.keys(alert.app)) r[key] = alert.app[key];
  if (f !== null) {
    r.flow = {
      pkts_toserver: f.pktsToServer,
      pkts_toclient: f.pktsToClient,
      bytes_toserver: f.bytesToServer,
      bytes_toclient: f.bytesToClient,
      start: formatEveTimestamp(f.startSec, f.startNsec),
      src_ip: eveIp(f.srcAddr),
      dest_ip: eveIp(f.dstAddr),
      ...(ALERT_PROTO_PORTS.has(f.proto) ? { src_port: f.srcPort, dest_port: f.dstPort } : {}),
    };
  }
  return r;
}

/** What an alert record reads of its packet, copied: the pipeline's Packet is reused per frame. */
interface AlertPacketView {
  srcAddrBytes: Uint8Array;
  dstAddrBytes: Uint8Array;
  srcPort: number;
  dstPort: number;
  proto: number;
  ipVersion: number;
  vlan: readonly number[];
}

function alertPacketView(p: Packet): AlertPacketView {
  return { srcAddrBytes: p.srcAddrBytes.slice(), dstAddrBytes: p.dstAddrBytes.slice(), srcPort: p.srcPort, dstPort: p.dstPort, proto: p.proto, ipVersion: p.ipVersion, vlan: [...p.vlan] };
}
