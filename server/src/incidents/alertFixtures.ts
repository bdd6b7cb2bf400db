/**
 * Test fixtures: alerts written straight into the alerts table (as ingest would store them) and the
 * matching hook inputs, so correlation, suppression and statistics can be tested in bulk without
 * going through HTTP. `generate_series` keeps 10k-alert floods fast.
 */
import type { UplinkAlert } from '@otasuke/shared';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { StoredAlertRef } from '../ingest/alertIngestHooks.ts';

export interface AlertSeries {
  organizationId: string;
  siteId: string;
  sensorId: string;
  /** First seq; the series uses firstSeq … firstSeq + count − 1. */
  firstSeq: number;
  count: number;
  start: Date;
  /** Milliseconds between consecutive alerts. */
  stepMs: number;
  alert: Omit<UplinkAlert, 'observedAt'>;
  suppressionId?: string | null;
}

/** Inserts the series and answers the hook inputs, in seq order. */
export async function insertAlertSeries(db: Db, s: AlertSeries): Promise<StoredAlertRef[]> {
  const a = s.alert;
  const suppressed = s.suppressionId ? true : false;
  const rows = await sql<{ id: string; seq: string; observedAt: Date }>`
    insert into alerts (organization_id, site_id, sensor_id, seq, observed_at, direction, engine, explain, gid, signature_id, rev, signature, category, severity,
                        src_ip, src_port, dest_ip, dest_port, proto, app_proto, flow, suppressed, suppression_id)
    select ${s.organizationId}, ${s.siteId}, ${s.sensorId}, ${s.firstSeq} + g, ${s.start}::timestamptz + g * ${`${s.stepMs} milliseconds`}::interval,
           ${a.direction}, ${a.engine}, ${a.explain}, ${a.gid}, ${a.signatureId}, ${a.rev}, ${a.signature}, ${a.category}, ${a.severity},
           ${a.srcIp}::inet, ${a.srcPort ?? null}, ${a.destIp}::inet, ${a.destPort ?? null}, ${a.proto}, ${a.appProto ?? null}, ${a.flow ? JSON.stringify(a.flow) : null}::jsonb,
           ${suppressed}, ${s.suppressionId ?? null}::uuid
    from generate_series(0, ${s.count - 1}) as g
    returning id, seq, observed_at`.execute(db);
  return rows.rows
    .map((r) => ({
      id: r.id,
      organizationId: s.organizationId,
      siteId: s.siteId,
      sensorId: s.sensorId,
      seq: Number(r.seq),
      receivedAt: new Date(r.observedAt),
      suppressed,
      suppressionId: s.suppressionId ?? null,
      alert: { ...a, observedAt: new Date(r.observedAt).toISOString() },
    }))
    .sort((x, y) => x.seq - y.seq);
}

export const c2Alert: Omit<UplinkAlert, 'observedAt'> = {
  srcIp: '192.168.1.23',
  srcPort: 49152,
  destIp: '198.51.100.7',
  destPort: 443,
  proto: 'TCP',
  appProto: 'tls',
  direction: 'outbound',
  engine: 'ioc',
  explain: 'c2_communication',
  gid: 1,
  signatureId: 9_000_001,
  rev: 1,
  signature: 'OTASUKE IOC known C2 server',
  category: 'Malware Command and Control Activity Detected',
  severity: 1,
  flow: { tls: { sni: 'c2.example.net', ja3: 'e7d705a3286e19ea42f587b344ee6865' } },
};

export const scanAlert: Omit<UplinkAlert, 'observedAt'> = {
  srcIp: '203.0.113.9',
  srcPort: 55555,
  destIp: '192.168.1.10',
  destPort: 22,
  proto: 'TCP',
  direction: 'inbound',
  engine: 'behaviour',
  explain: 'inbound_port_scan',
  gid: 1,
  signatureId: 9_100_001,
  rev: 1,
  signature: 'OTASUKE inbound port scan',
  category: 'Detection of a Network Scan',
  severity: 3,
};
