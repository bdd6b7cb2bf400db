/**
 * EVE `alert` record → UplinkAlert, the only shape in which anything leaves the business. Pure.
 *
 * What is kept is metadata that identifies: DNS name and type, TLS SNI / version / subject / issuer /
 * fingerprint / JA3 / JA3S / JA4, HTTP host / URL / method / user agent / status, file name / size /
 * hashes, SSH software. Never payloads, headers, bodies, mail addresses or certificates: fields are
 * picked one by one, nothing is copied wholesale. Over-long texts are cut to the schema's limits
 * (an alert with a 5 KB URL still arrives); the result is checked against the shared schema.
 */
import { INGEST_LIMITS, UplinkAlert } from '@otasuke/shared';
import type { AlertFlowMetadata } from '@otasuke/shared';
import type { EveAlertRecord, EveFileInfo } from '../eve/eveEvent.ts';

export class UplinkAlertError extends Error {
  override name = 'UplinkAlertError';
}

const DIRECTIONS = new Set(['inbound', 'outbound', 'internal', 'external']);
const ENGINES = new Set(['rule', 'ioc', 'behaviour', 'file']);
/** alert.metadata keys the pipeline adds for the server; the rest is sent as `metadata`. */
const OTASUKE_KEYS = new Set(['otasuke_direction', 'otasuke_engine', 'otasuke_explain']);

const MAX_METADATA_KEYS = 50;
/** `{"seq":…,"kind":"alert","alert":…}` around the alert. */
const EVENT_ENVELOPE_BYTES = 64;

const cut = (value: unknown, max: number): string | undefined => (typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined);
const int = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) ? value : undefined);
const hex = (value: unknown, length: number): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower.length === length && /^[0-9a-f]+$/.test(lower) ? lower : undefined;
};

/** Drops undefined members; returns undefined when nothing is left. */
function compact<T extends object>(value: T): T | undefined {
  const out = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `2026-11-26T03:42:00.123456+0000` (EVE) → `…+00:00` (ISO 8601 as the schema reads it). */
export function isoFromEveTimestamp(timestamp: string): string {
  return timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

export function uplinkAlertOf(record: EveAlertRecord): UplinkAlert {
  const alert = record.alert ?? {};
  const metadata = alert.metadata ?? {};
  const first = (key: string): string | undefined => metadata[key]?.[0];
  const direction = first('otasuke_direction');
  const engine = first('otasuke_engine');
  const rest: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(metadata)) {
    if (OTASUKE_KEYS.has(key) || !Array.isArray(values)) continue;
    if (Object.keys(rest).length >= MAX_METADATA_KEYS) break;
    rest[key.slice(0, 100)] = values.slice(0, 50).map((v) => String(v).slice(0, 512));
  }
  const severity = int(alert.severity);
  const candidate = {
    observedAt: isoFromEveTimestamp(record.timestamp),
    flowId: record.flow_id !== undefined ? String(record.flow_id) : undefined,
    communityId: cut(record.community_id, 64),
    srcIp: record.src_ip,
    srcPort: int(record.src_port),
    destIp: record.dest_ip,
    destPort: int(record.dest_port),
    proto: cut(record.proto, 16) ?? 'unknown',
    appProto: cut(record.app_proto, 16),
    // Alerts made before the detection stage marked them (old EVE files) still go out, marked plainly.
    direction: direction !== undefined && DIRECTIONS.has(direction) ? direction : 'external',
    engine: engine !== undefined && ENGINES.has(engine) ? engine : 'rule',
    explain: cut(first('otasuke_explain'), 100) ?? 'unexplained',
    gid: int(alert.gid) ?? 1,
    signatureId: int(alert.signature_id) ?? 0,
    rev: int(alert.rev) ?? 0,
    signature: cut(alert.signature, 512) ?? '',
    category: cut(alert.category, 256) ?? '',
    severity: severity !== undefined ? Math.min(3, Math.max(1, severity)) : 3,
    metadata: Object.keys(rest).length > 0 ? rest : undefined,
    flow: flowMetadataOf(record),
  };
  const parsed = UplinkAlert.safeParse(compact(candidate));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(alert)'}: ${i.message}`).join('; ');
    throw new UplinkAlertError(`alert ${candidate.signatureId} at ${record.timestamp} cannot be sent: ${problems}`);
  }
  return withinEventLimit(parsed.data);
}

/** The server refuses a line over INGEST_LIMITS.maxEventBytes: shed the rule's metadata, then the
 *  flow's, rather than lose the alert. */
function withinEventLimit(alert: UplinkAlert): UplinkAlert {
  const fits = (a: UplinkAlert): boolean => Buffer.byteLength(JSON.stringify(a)) <= INGEST_LIMITS.maxEventBytes - EVENT_ENVELOPE_BYTES;
  if (fits(alert)) return alert;
  const { metadata: _metadata, ...withoutMetadata } = alert;
  if (fits(withoutMetadata)) return withoutMetadata;
  const { flow: _flow, ...bare } = withoutMetadata;
  return bare;
}

function flowMetadataOf(record: EveAlertRecord): AlertFlowMetadata | undefined {
  const dnsQuery = record.dns?.queries?.[0];
  const rrname = cut(dnsQuery?.rrname ?? record.dns?.rrname, 253);
  const tls = record.tls;
  const http = record.http;
  const file: EveFileInfo | undefined = record.fileinfo ?? record.files?.[0];
  const filename = cut(file?.filename, 512);
  const ssh = record.ssh;
  return compact({
    dns: rrname !== undefined ? compact({ rrname, rrtype: cut(dnsQuery?.rrtype ?? record.dns?.rrtype, 16) }) : undefined,
    tls: tls
      ? compact({
          sni: cut(tls.sni, 253),
          version: cut(tls.version, 32),
          subject: cut(tls.subject, 1024),
          issuer: cut(tls.issuerdn, 1024),
          fingerprint: cut(tls.fingerprint, 128),
          ja3: hex(tls.ja3?.hash, 32),
          ja3s: hex(tls.ja3s?.hash, 32),
          ja4: cut(tls.ja4, 64),
        })
      : undefined,
    http: http
      ? compact({
          hostname: cut(http.hostname, 253),
          url: cut(http.url, 2048),
          method: cut(http.http_method, 32),
          userAgent: cut(http.http_user_agent, 512),
          status: int(http.status),
        })
      : undefined,
    file:
      filename !== undefined
        ? compact({
            filename,
            size: int(file?.size) !== undefined && file!.size! >= 0 ? file!.size : undefined,
            md5: hex(file?.md5, 32),
            sha1: hex(file?.sha1, 40),
            sha256: hex(file?.sha256, 64),
          })
        : undefined,
    ssh: ssh ? compact({ clientSoftware: cut(ssh.client?.software_version, 256), serverSoftware: cut(ssh.server?.software_version, 256) }) : undefined,
  });
}
