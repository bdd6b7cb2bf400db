/** SQL of suppressions: CRUD, the active set for ingest, hit counting. */
import type { Suppression } from '@otasuke/shared';
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';
import { monitoringDb, type MonitoringDb, type MonitoringTables, type SuppressionsTable } from '../incidents/incidentTables.ts';
import type { SuppressionRule } from './suppressionMatch.ts';

export type SuppressionRow = Selectable<SuppressionsTable>;

export interface NewSuppression {
  organizationId: string | null;
  gid: number | null;
  signatureId: number | null;
  insideHost: string | null;
  peer: string | null;
  cidr: string | null;
  reason: string;
  authorUserId: string | null;
  expiresAt: Date | null;
  createdAt: Date;
}

export function toSuppression(row: SuppressionRow, now: Date): Suppression {
  return {
    id: row.id,
    organizationId: row.organizationId,
    gid: row.gid,
    signatureId: row.signatureId === null ? null : Number(row.signatureId),
    insideHost: row.insideHost,
    peer: row.peer,
    cidr: row.cidr,
    reason: row.reason,
    authorUserId: row.authorUserId,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    hitCount: Number(row.hitCount),
    lastHitAt: row.lastHitAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    active: row.deletedAt === null && (row.expiresAt === null || row.expiresAt > now),
  };
}

/** A tenant sees its own suppressions and the global ones. */
function visibleTo(filter: TenantFilter) {
  return (eb: ExpressionBuilder<Tables & MonitoringTables, 'suppressions'>) =>
    filter.kind === 'all' ? eb.lit(true) : eb.or([eb('suppressions.organizationId', '=', filter.organizationId), eb('suppressions.organizationId', 'is', null)]);
}

export class SuppressionRepository {
  private readonly db: MonitoringDb;

  constructor(db: Db) {
    this.db = monitoringDb(db);
  }

  async insert(input: NewSuppression): Promise<SuppressionRow> {
    // A CIDR with host bits set (203.0.113.9/24) is taken as its network (203.0.113.0/24).
    const cidr = input.cidr === null ? null : sql<string>`network(${input.cidr}::inet)::cidr`;
    return this.db.insertInto('suppressions').values({ ...input, cidr }).returningAll().executeTakeFirstOrThrow();
  }

  async list(filter: TenantFilter, includeDeleted: boolean): Promise<SuppressionRow[]> {
    let q = this.db.selectFrom('suppressions').selectAll().where(visibleTo(filter));
    if (!includeDeleted) q = q.where('deletedAt', 'is', null);
    return q.orderBy('createdAt', 'desc').orderBy('id').execute();
  }

  async get(filter: TenantFilter, id: string): Promise<SuppressionRow | undefined> {
    return this.db.selectFrom('suppressions').selectAll().where(visibleTo(filter)).where('id', '=', id).executeTakeFirst();
  }

  async update(id: string, changes: { reason?: string; expiresAt?: Date | null; deletedAt?: Date }): Promise<SuppressionRow> {
    return this.db.updateTable('suppressions').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * Suppressions that may apply to these subscribers' alerts, or to anyone's ('all'), oldest first
   * (not deleted; expiry is checked per alert).
   */
  async activeFor(organizationIds: readonly string[] | 'all', now: Date): Promise<SuppressionRule[]> {
    let q = this.db
      .selectFrom('suppressions')
      .select(['id', 'organizationId', 'gid', 'signatureId', 'insideHost', 'peer', 'cidr', 'expiresAt'])
      .where('deletedAt', 'is', null)
      .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', sql<Date>`${now}::timestamptz - interval '1 day'`)]));
    if (organizationIds !== 'all') q = q.where((eb) => eb.or([eb('organizationId', 'is', null), ...(organizationIds.length ? [eb('organizationId', 'in', organizationIds)] : [])]));
    const rows = await q.orderBy('createdAt').orderBy('id').execute();
    return rows.map((r) => ({ ...r, signatureId: r.signatureId === null ? null : Number(r.signatureId) }));
  }

  /** Adds a batch's hits to every suppression it hit, in one statement. */
  async countHits(hits: ReadonlyMap<string, number>, at: Date): Promise<void> {
    if (hits.size === 0) return;
    await sql`
      update suppressions s set hit_count = s.hit_count + h.n, last_hit_at = ${at}
      from unnest(${sql.val([...hits.keys()])}::uuid[], ${sql.val([...hits.values()])}::bigint[]) as h(id, n)
      where s.id = h.id`.execute(this.db);
  }

  /** The facts of one alert, for "suppress alerts like this one". */
  async alert(filter: TenantFilter, alertId: string) {
    let q = this.db.selectFrom('alerts').select(['organizationId', 'gid', 'signatureId', 'direction', 'srcIp', 'destIp', 'observedAt']).where('id', '=', alertId);
    if (filter.kind === 'organization') q = q.where('organizationId', '=', filter.organizationId);
    return q.executeTakeFirst();
  }
}
