import type { TenantFilter } from '../access/accessScope.ts';

/**
 * Adds the tenant condition to a select, update or delete. Repositories call this on every query of
 * a tenant-owned table; `column` is the owning organization's id column.
 */
export function restrictToTenant<Q>(query: Q, column: string, filter: TenantFilter): Q {
  if (filter.kind === 'all') return query;
  // Kysely's three builders share this `where` signature; one helper serves them all.
  return (query as unknown as { where(c: string, op: '=', v: string): Q }).where(column, '=', filter.organizationId);
}
