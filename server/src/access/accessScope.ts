/**
 * Who is asking, and which tenants' rows they may see. Every repository call takes the
 * `TenantFilter` derived here, so no query can forget the tenant.
 */
import { isOperatorRole, type OrganizationKind, type Role } from '@otasuke/shared';

export interface AccessScope {
  userId: string | null;
  tokenId: string | null;
  sessionId: string | null;
  organizationId: string;
  organizationKind: OrganizationKind;
  role: Role;
}

/** Either every tenant (operator staff) or exactly one organization. */
export type TenantFilter = { kind: 'all' } | { kind: 'organization'; organizationId: string };

export function tenantFilterOf(scope: AccessScope): TenantFilter {
  return isOperatorRole(scope.role) && scope.organizationKind === 'operator'
    ? { kind: 'all' }
    : { kind: 'organization', organizationId: scope.organizationId };
}

/** Request facts every write records in the audit log. */
export interface RequestContext {
  scope: AccessScope | null;
  ip: string | null;
  requestId: string;
}

export function canSeeOrganization(filter: TenantFilter, organizationId: string): boolean {
  return filter.kind === 'all' || filter.organizationId === organizationId;
}
