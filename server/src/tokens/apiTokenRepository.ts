import type { ApiToken } from '@otasuke/shared';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ApiTokensTable } from '../db/tables.ts';
import type { TenantFilter } from '../access/accessScope.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

const toApiToken = (r: Selectable<ApiTokensTable>): ApiToken => ({
  id: r.id,
  organizationId: r.organizationId,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

export class ApiTokenRepository {
  constructor(private readonly db: Db) {}

  async list(filter: TenantFilter): Promise<ApiToken[]> {
    return (await restrictToTenant(this.db.selectFrom('apiTokens').selectAll(), 'organizationId', filter).orderBy('createdAt').execute()).map(toApiToken);
  }

  async create(row: { organizationId: string; createdBy: string | null; role: ApiTokensTable['role']; name: string; prefix: string; secretHash: string; createdAt: Date }): Promise<ApiToken> {
    return toApiToken(await this.db.insertInto('apiTokens').values(row).returningAll().executeTakeFirstOrThrow());
  }

  async revoke(filter: TenantFilter, id: string, now: Date): Promise<ApiToken | undefined> {
    const row = await restrictToTenant(this.db.updateTable('apiTokens').set({ revokedAt: now }).where('id', '=', id).where('revokedAt', 'is', null), 'organizationId', filter)
      .returningAll()
      .executeTakeFirst();
    return row && toApiToken(row);
  }
}
