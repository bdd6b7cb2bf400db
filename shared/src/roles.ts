import { z } from 'zod';

/** The five kinds of organization that meet in Otasuke (see docs/architecture.md, "Tenancy"). */
export const organizationKinds = ['operator', 'subscriber', 'vendor', 'insurer', 'enterprise'] as const;
export const OrganizationKind = z.enum(organizationKinds);
export type OrganizationKind = z.infer<typeof OrganizationKind>;

export const roles = [
  'operator_admin',
  'analyst',
  'helpdesk',
  'subscriber_admin',
  'subscriber_member',
  'vendor_staff',
  'insurer_staff',
  'enterprise_viewer',
] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

/** Which roles a user of each kind of organization may hold. */
export const rolesByOrganizationKind: Record<OrganizationKind, readonly Role[]> = {
  operator: ['operator_admin', 'analyst', 'helpdesk'],
  subscriber: ['subscriber_admin', 'subscriber_member'],
  vendor: ['vendor_staff'],
  insurer: ['insurer_staff'],
  enterprise: ['enterprise_viewer'],
};

/** Staff of the operator see every tenant; everybody else sees only their own organization. */
export const operatorRoles: readonly Role[] = rolesByOrganizationKind.operator;

/** These roles handle many tenants' data, so a password alone is not enough (TOTP is mandatory). */
export const rolesRequiringTotp: readonly Role[] = ['operator_admin', 'analyst', 'helpdesk'];

export function isOperatorRole(role: Role): boolean {
  return operatorRoles.includes(role);
}
