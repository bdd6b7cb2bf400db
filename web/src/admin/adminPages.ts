import type { Role } from '../auth/session.ts';

/** Pages beyond the home, and who may open them (the server checks again). */
export type AdminPage = 'kpi' | 'invoices' | 'applications' | 'mailbox' | 'auditLog';

export const adminPagePaths: Record<AdminPage, string> = {
  kpi: '/dashboard',
  invoices: '/invoices',
  applications: '/applications',
  mailbox: '/mailbox',
  auditLog: '/audit-log',
};

export function adminPagesOfRole(role: Role): AdminPage[] {
  if (role === 'operator_admin') return ['kpi', 'invoices', 'applications', 'auditLog', 'mailbox'];
  if (role === 'subscriber_admin') return ['invoices', 'auditLog'];
  return [];
}
