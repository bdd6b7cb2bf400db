import type { AuditEntry, AuditQuery } from '@otasuke/shared';
import type { Db } from '../db/database.ts';
import type { TenantFilter } from '../access/accessScope.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

export interface AuditRecord {
  actorUserId: string | null;
  actorTokenId: string | null;
  organizationId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  details?: Record<string, unknown> | undefined;
  at: Date;
}

export class AuditRepository {
  constructor(private readonly db: Db) {}

  async insert(record: AuditRecord): Promise<void> {
    await this.db
      .insertInto('auditLog')
      .values({ ...record, details: record.details ? JSON.stringify(record.details) : null })
      .execute();
  }

  async list(filter: TenantFilter, query: AuditQuery): Promise<AuditEntry[]> {
    let q = restrictToTenant(this.db.selectFrom('auditLog').selectAll(), 'organizationId', filter);
    if (query.organizationId) q = q.where('organizationId', '=', query.organizationId);
    if (query.actorUserId) q = q.where('actorUserId', '=', query.actorUserId);
    if (query.action) q = q.where('action', 'like', `${query.action.replace(/[%_\\]/g, '\\$&')}%`);
    if (query.from) q = q.where('at', '>=', new Date(query.from));
    if (query.to) q = q.where('at', '<', new Date(query.to));
    if (query.before) q = q.where('id', '<', query.before);
    const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actorUserId: r.actorUserId,
      actorTokenId: r.actorTokenId,
      organizationId: r.organizationId,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      ip: r.ip,
      requestId: r.requestId,
      details: r.details,
    }));
  }
}
