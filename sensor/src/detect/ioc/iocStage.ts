/**
 * The threat-intelligence detection stage: matches what the sensor sees against the IocIndex.
 * - IP addresses, both ends of every flow, once per flow on its first packet (and packets outside
 *   flows, at most once a minute per pair); the business's own addresses are never looked up, so
 *   a feed listing a private range cannot flag the office's internal traffic.
 * - Domains in DNS queries, TLS SNI and HTTP Host (a listed domain covers its subdomains); URLs
 *   of HTTP requests; JA3 / JA4 and the server certificate's SHA-1 of TLS sessions; MD5 / SHA-1 /
 *   SHA-256 of files (fileinfo records, raised as engine `file`: the seed counts them as virus).
 * Each indicator alerts once per flow. Sids: one per indicator type and place (IOC_SID).
 */
import type { Packet } from '../../decode/packet.ts';
import type { Flow, FlowDirection } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { DetectionStage, RaiseAlert, RaisedAlert } from '../detectionStage.ts';
import { OTASUKE_SID } from '../detectionStage.ts';
import type { HomeNet } from '../homeNet.ts';
import { parseIpAddress } from '../homeNet.ts';
import type { IocIndex, IocMatch } from './iocIndex.ts';
import { formatIocIp } from './iocValue.ts';

/** Where an indicator matched; each has a stable sid. */
export type IocPlace =
  | 'ip-outbound'
  | 'ip-inbound'
  | 'domain-dns'
  | 'domain-sni'
  | 'domain-http-host'
  | 'url'
  | 'ja3'
  | 'ja4'
  | 'cert-sha1'
  | 'file-md5'
  | 'file-sha1'
  | 'file-sha256';

const base = OTASUKE_SID.iocBase;

/** Signature ids of IOC matches: 9 200 001 – 9 200 012. Never renumber (suppressions name them). */
export const IOC_SID: Record<IocPlace, number> = {
  'ip-outbound': base + 1,
  'ip-inbound': base + 2,
  'domain-dns': base + 3,
  'domain-sni': base + 4,
  'domain-http-host': base + 5,
  url: base + 6,
  ja3: base + 7,
  ja4: base + 8,
  'cert-sha1': base + 9,
  'file-md5': base + 10,
  'file-sha1': base + 11,
  'file-sha256': base + 12,
};

const SIGNATURE: Record<IocPlace, string> = {
  'ip-outbound': 'OTASUKE IOC connection to a listed IP address',
  'ip-inbound': 'OTASUKE IOC connection from a listed IP address',
  'domain-dns': 'OTASUKE IOC DNS query for a listed domain',
  'domain-sni': 'OTASUKE IOC TLS session to a listed domain (SNI)',
  'domain-http-host': 'OTASUKE IOC HTTP request to a listed domain',
  url: 'OTASUKE IOC HTTP request for a listed URL',
  ja3: 'OTASUKE IOC TLS client with a listed JA3 fingerprint',
  ja4: 'OTASUKE IOC TLS client with a listed JA4 fingerprint',
  'cert-sha1': 'OTASUKE IOC TLS server certificate on a blocklist (SHA-1)',
  'file-md5': 'OTASUKE IOC file with a listed MD5',
  'file-sha1': 'OTASUKE IOC file with a listed SHA-1',
  'file-sha256': 'OTASUKE IOC file with a listed SHA-256',
};

/** Classtype descriptions of classification.config, so IOC alerts read like rule alerts. */
const CATEGORY = {
  c2: 'Malware Command and Control Activity Detected',
  malware: 'A Network Trojan was detected',
  attack: 'Misc Attack',
  bad: 'Potentially Bad Traffic',
} as const;

/** Packets outside flows alert at most once per pair and indicator in this many seconds. */
const FLOWLESS_QUIET_SEC = 60;
const FLOWLESS_MAX_KEYS = 10_000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function metadataOf(m: IocMatch): Record<string, string[]> {
  const md: Record<string, string[]> = { ioc_feed: [m.feed], ioc_type: [m.type], ioc_value: [m.value] };
  if (m.threat !== undefined) md.ioc_threat = [m.threat];
  if (m.malware !== undefined) md.ioc_malware = [m.malware];
  if (m.tags !== undefined && m.tags.length > 0) md.ioc_tags = [...m.tags];
  if (m.confidence !== undefined) md.ioc_confidence = [String(m.confidence)];
  return md;
}

/** The explain key, severity and category of a match at a place. */
export function iocVerdict(place: IocPlace, m: IocMatch): Pick<RaisedAlert, 'engine' | 'explain' | 'severity' | 'category'> {
  const { c2, malware } = m.cls;
  const severity: 1 | 2 | 3 = c2 || malware ? 1 : 2;
  if (place.startsWith('file-')) return { engine: 'file', explain: 'malware_file', severity: 1, category: CATEGORY.malware };
  // JA3 alone is shared by common software (known false positives): low severity always.
  if (place === 'ja3') return { engine: 'ioc', explain: 'malicious_tls_fingerprint', severity: 3, category: CATEGORY.bad };
  if (place === 'ja4' || place === 'cert-sha1') {
    return { engine: 'ioc', explain: 'malicious_tls_fingerprint', severity, category: c2 ? CATEGORY.c2 : CATEGORY.bad };
  }
  if (place === 'ip-inbound') return { engine: 'ioc', explain: 'inbound_from_known_attacker', severity, category: CATEGORY.attack };
  if (c2) return { engine: 'ioc', explain: 'c2_communication', severity: 1, category: CATEGORY.c2 };
  return { engine: 'ioc', explain: 'malicious_site_access', severity, category: malware ? CATEGORY.malware : CATEGORY.bad };
}

export class IocStage implements DetectionStage {
  readonly name = 'ioc';
  /** Flows whose addresses were looked up. */
  private readonly checkedFlows = new WeakSet<Flow>();
  /** Indicators already alerted per flow (`place value`). */
  private readonly alertedPerFlow = new WeakMap<Flow, Set<string>>();
  private readonly flowlessSeen = new Map<string, number>();
  /** Alerts raised, by place (for the run summary). */
  readonly counts: Partial<Record<IocPlace, number>> = {};

  constructor(
    private readonly index: IocIndex,
    private readonly homeNet: HomeNet,
  ) {}

  onPacket(packet: Packet, flow: Flow | null, _direction: FlowDirection, raise: RaiseAlert): void {
    if (this.index.byType.ip === 0) return;
    if (flow !== null) {
      if (this.checkedFlows.has(flow)) return;
      this.checkedFlows.add(flow);
      this.checkAddresses(flow.srcAddr, flow.dstAddr, flow, null, raise);
      return;
    }
    if (packet.ipVersion !== 4 && packet.ipVersion !== 6) return;
    this.checkAddresses(packet.srcAddrBytes, packet.dstAddrBytes, null, packet, raise);
  }

  onAppRecord(record: AppRecordOut, raise: RaiseAlert): void {
    const f = record.fields;
    switch (record.eventType) {
      case 'dns':
        if (isObject(f.dns)) this.dns(record, f.dns, raise);
        break;
      case 'tls':
        if (isObject(f.tls)) this.tls(record, f.tls, raise);
        break;
      case 'http':
        if (isObject(f.http)) this.http(record, f.http, raise);
        break;
      case 'fileinfo':
        if (isObject(f.fileinfo)) this.fileinfo(record, f.fileinfo, raise);
        break;
    }
  }

  private checkAddresses(src: Uint8Array, dst: Uint8Array, flow: Flow | null, packet: Packet | null, raise: RaiseAlert): void {
    // The business's own addresses are never indicators here (see the file comment).
    if (!this.homeNet.contains(dst)) {
      const m = this.index.matchIp(dst);
      if (m !== undefined) this.raiseIp('ip-outbound', m, src, dst, flow, packet, raise);
    }
    if (!this.homeNet.contains(src)) {
      const m = this.index.matchIp(src);
      if (m !== undefined) this.raiseIp('ip-inbound', m, src, dst, flow, packet, raise);
    }
  }

  private raiseIp(place: IocPlace, m: IocMatch, src: Uint8Array, dst: Uint8Array, flow: Flow | null, packet: Packet | null, raise: RaiseAlert): void {
    if (flow === null && packet !== null) {
      const sec = packet.tsSec;
      const key = `${place} ${m.value} ${src.join('.')} ${dst.join('.')}`;
      const last = this.flowlessSeen.get(key);
      if (last !== undefined && sec - last < FLOWLESS_QUIET_SEC) return;
      if (this.flowlessSeen.size >= FLOWLESS_MAX_KEYS) this.flowlessSeen.clear();
      this.flowlessSeen.set(key, sec);
      raise(this.alert(place, m, null, 'toServer', { packet }));
      return;
    }
    raise(this.alert(place, m, flow, 'toServer', {}));
  }

  private alert(place: IocPlace, m: IocMatch, flow: Flow | null, direction: FlowDirection, extra: Partial<RaisedAlert>): RaisedAlert {
    this.counts[place] = (this.counts[place] ?? 0) + 1;
    return {
      ...iocVerdict(place, m),
      gid: 1,
      signatureId: IOC_SID[place],
      rev: 1,
      signature: SIGNATURE[place],
      direction,
      flow,
      metadata: metadataOf(m),
      ...extra,
    };
  }

  /** True the first time `place value` is seen on `flow`. */
  private firstOnFlow(flow: Flow, place: IocPlace, value: string): boolean {
    let set = this.alertedPerFlow.get(flow);
    if (set === undefined) {
      set = new Set();
      this.alertedPerFlow.set(flow, set);
    }
    const key = `${place} ${value}`;
    if (set.has(key)) return false;
    set.add(key);
    return true;
  }

  private raiseApp(place: IocPlace, m: IocMatch, record: AppRecordOut, app: Record<string, unknown>, txId: number | undefined, raise: RaiseAlert, direction: FlowDirection = 'toServer'): void {
    if (!this.firstOnFlow(record.flow, place, m.value)) return;
    const extra: Partial<RaisedAlert> = { app };
    if (txId !== undefined) extra.txId = txId;
    raise(this.alert(place, m, record.flow, direction, extra));
  }

  private dns(record: AppRecordOut, dns: Json, raise: RaiseAlert): void {
    const names: string[] = [];
    if (Array.isArray(dns.queries)) for (const q of dns.queries) if (isObject(q) && typeof q.rrname === 'string') names.push(q.rrname);
    const single = str(dns.rrname);
    if (single !== undefined) names.push(single);
    // A listed name reached through an alias (CNAME) in the answer counts as asked for.
    if (Array.isArray(dns.answers)) {
      for (const a of dns.answers) if (isObject(a) && a.rrtype === 'CNAME' && typeof a.rdata === 'string') names.push(a.rdata);
    }
    const txId = record.txId ?? (typeof dns.tx_id === 'number' ? dns.tx_id : undefined);
    for (const name of names) {
      const m = this.index.matchDomain(name);
      // Oriented client → server even when only the answer was seen: the inside host asked.
      if (m !== undefined) this.raiseApp('domain-dns', m, record, { dns }, txId, raise);
    }
  }

  private tls(record: AppRecordOut, tls: Json, raise: RaiseAlert): void {
    const sni = str(tls.sni);
    if (sni !== undefined) {
      const m = this.index.matchDomain(sni);
      if (m !== undefined) this.raiseApp('domain-sni', m, record, { tls }, record.txId, raise);
    }
    const ja3 = isObject(tls.ja3) ? str(tls.ja3.hash) : undefined;
    if (ja3 !== undefined) {
      const m = this.index.matchJa3(ja3);
      if (m !== undefined) this.raiseApp('ja3', m, record, { tls }, record.txId, raise);
    }
    const ja4 = str(tls.ja4);
    if (ja4 !== undefined) {
      const m = this.index.matchJa4(ja4);
      if (m !== undefined) this.raiseApp('ja4', m, record, { tls }, record.txId, raise);
    }
    const fp = str(tls.fingerprint);
    if (fp !== undefined) {
      const m = this.index.matchCertSha1(fp);
      if (m !== undefined) this.raiseApp('cert-sha1', m, record, { tls }, record.txId, raise);
    }
  }

  private http(record: AppRecordOut, http: Json, raise: RaiseAlert): void {
    const hostname = str(http.hostname);
    const isIpHost = hostname !== undefined && (/^[\d.]+$/.test(hostname) || hostname.includes(':'));
    if (hostname !== undefined && !isIpHost) {
      const m = this.index.matchDomain(hostname);
      if (m !== undefined) this.raiseApp('domain-http-host', m, record, { http }, record.txId, raise);
    }
    const uri = str(http.url);
    if (uri === undefined) return;
    let url: string;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) url = uri;
    else {
      // Origin-form request: the host and the port the client connected to complete it.
      const flow = record.flow;
      const host = hostname ?? flow.dstIp;
      let hostPart = host;
      if (host.includes(':')) {
        // IPv6: written as the feeds write it, compressed and in brackets.
        const bytes = parseIpAddress(host.replace(/^\[|\]$/g, ''));
        hostPart = bytes === undefined ? host : `[${formatIocIp(bytes, 128)}]`;
      }
      const port = flow.dstPort === 80 || flow.dstPort === 443 || flow.dstPort === 0 ? '' : `:${flow.dstPort}`;
      url = `${hostPart}${port}${uri.startsWith('/') ? '' : '/'}${uri}`;
    }
    const m = this.index.matchUrl(url);
    if (m !== undefined) this.raiseApp('url', m, record, { http }, record.txId, raise);
  }

  private fileinfo(record: AppRecordOut, fileinfo: Json, raise: RaiseAlert): void {
    const hashes: [IocPlace, string | undefined][] = [
      ['file-sha256', str(fileinfo.sha256)],
      ['file-sha1', str(fileinfo.sha1)],
      ['file-md5', str(fileinfo.md5)],
    ];
    for (const [place, hex] of hashes) {
      if (hex === undefined) continue;
      const m = this.index.matchFileHash(hex);
      if (m === undefined) continue;
      const txId = record.txId ?? (typeof fileinfo.tx_id === 'number' ? fileinfo.tx_id : undefined);
      // One alert per file, oriented as the file travelled.
      this.raiseApp(place, m, record, record.fields, txId, raise, record.direction);
      return;
    }
  }
}
