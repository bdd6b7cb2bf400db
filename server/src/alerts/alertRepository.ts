/** Reading stored alerts, always through the tenant filter; keyset pages by (observed_at, id). */
import type { AlertQuery, SensorIngestCounters, StoredAlert } from '@otasuke/shared';
import { sql } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

/** Where the previous page stopped: observed_at to the microsecond (as PostgreSQL keeps it) and id. */
export interface AlertCursor {
  observedAt: string;
  id: string;
}

export interface AlertListFilter extends Omit<AlertQuery, 'cursor'> {
  cursor?: AlertCursor | undefined;
}

export class AlertRepository {
  constructor(private readonly db: Db) {}

  async list(filter: TenantFilter, query: AlertListFilter): Promise<{ items: StoredAlert[]; last: AlertCursor | null }> {
    let q = restrictToTenant(this.db
        .selectFrom('alerts')
        .select([
          'id', 'organizationId', 'siteId', 'sensorId', 'seq', 'observedAt', 'receivedAt', 'direction', 'engine', 'explain', 'gid', 'signatureId', 'rev',
          'signature', 'category', 'severity', 'srcIp', 'srcPort', 'destIp', 'destPort', 'proto', 'appProto', 'flowId', 'communityId', 'suppressed',
        ]), 'organizationId', filter)
      .select(sql<string>`to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursorTime'))
      // As text: the camelCase mapping would otherwise rename the keys inside the JSON (signature_severity).
      .select([sql<string | null>`metadata::text`.as('metadataText'), sql<string | null>`flow::text`.as('flowText')]);
    if (query.sensor) q = q.where('sensorId', '=', query.sensor);
    if (query.organization) q = q.where('organizationId', '=', query.organization);
    if (query.from) q = q.where('observedAt', '>=', new Date(query.from));
    if (query.to) q = q.where('observedAt', '<', new Date(query.to));
    if (query.direction) q = q.where('direction', '=', query.direction);
    if (query.engine) q = q.where('engine', '=', query.engine);
    if (query.severity) q = q.where('severity', '=', query.severity);
    if (query.cursor) q = q.where(sql<boolean>`(observed_at, id) < (${query.cursor.observedAt}::timestamptz, ${query.cursor.id}::uuid)`);
    const rows = await q.orderBy('observedAt', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    const lastRow = rows.length === query.limit ? rows[rows.length - 1] : undefined;
    return { items: rows.map(toStoredAlert), last: lastRow ? { observedAt: lastRow.cursorTime, id: lastRow.id } : null };
  }

  /** A sensor's counters; undefined when the sensor is not visible to the caller. */
  async counters(filter: TenantFilter, sensorId: string): Promise<SensorIngestCounters | undefined> {
    const row = await restrictToTenant(
      this.db
        .selectFrom('sensors')
        .leftJoin('sensorIngestCounters', 'sensorIngestCounters.sensorId', 'sensors.id')
        .select(['sensors.id', 'accepted', 'duplicates', 'rejected', 'suppressed', 'updatedAt'])
        .where('sensors.id', '=', sensorId),
      'sensors.organizationId',
      filter,
    ).executeTakeFirst();
    if (!row) return undefined;
    return {
      sensorId: row.id,
      accepted: Number(row.accepted ?? 0),
      duplicates: Number(row.duplicates ?? 0),
      rejected: Number(row.rejected ?? 0),
      suppressed: Number(row.suppressed ?? 0),
      updatedAt: row.updatedAt ? new Date(row.updatedAt).toISOString() : null,
    };
  }
}

type AlertRow = {
  metadataText: string | null;
  flowText: string | null;
  id: string;
  organizationId: string;
  siteId: string;
  sensorId: string;
  seq: string | number;
  observedAt: Date;
  receivedAt: Date;
  direction: StoredAlert['direction'];
  engine: StoredAlert['engine'];
  explain: string;
  gid: number;
  signatureId: string | number;
  rev: number;
  signature: string;
  category: string;
  severity: number;
  srcIp: string;
  srcPort: number | null;
  destIp: string;
  destPort: number | null;
  proto: string;
  appProto: string | null;
  flowId: string | null;
  communityId: string | null;
  suppressed: boolean;
};

function toStoredAlert(row: AlertRow): StoredAlert {
  return {
    id: row.id,
    organizationId: row.organizationId,
    siteId: row.siteId,
    sensorId: row.sensorId,
    seq: Number(row.seq),
    observedAt: new Date(row.observedAt).toISOString(),
    receivedAt: new Date(row.receivedAt).toISOString(),
    ...(row.flowId === null ? {} : { flowId: row.flowId }),
    ...(row.communityId === null ? {} : { communityId: row.communityId }),
    srcIp: row.srcIp,
    ...(row.srcPort === null ? {} : { srcPort: row.srcPort }),
    destIp: row.destIp,
    ...(row.destPort === null ? {} : { destPort: row.destPort }),
    proto: row.proto,
    ...(row.appProto === null ? {} : { appProto: row.appProto }),
    direction: row.direction,
    engine: row.engine,
    explain: row.explain,
    gid: row.gid,
    signatureId: Number(row.signatureId),
    rev: row.rev,
    signature: row.signature,
    category: row.category,
    severity: row.severity,
    ...(row.metadataText === null ? {} : { metadata: JSON.parse(row.metadataText) as StoredAlert['metadata'] }),
    ...(row.flowText === null ? {} : { flow: JSON.parse(row.flowText) as StoredAlert['flow'] }),
    suppressed: row.suppressed,
  };
}
