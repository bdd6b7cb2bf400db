import type { Role } from '../auth/session.ts';

/** Pages beyond the home, and who may open them (the server checks again). */
export type AdminPage = 'kpi' | 'invoices' | 'applications' | 'mailbox' | 'auditLog' | 'incidents' | 'stats' | 'portal';

export const adminPagePaths: Record<AdminPage, string> = {
  kpi: '/dashboard',
  invoices: '/invoices',
  applications: '/applications',
  mailbox: '/mailbox',
  auditLog: '/audit-log',
  incidents: '/incidents',
  stats: '/stats',
  portal: '/portal',
};

export function adminPagesOfRole(role: Role): AdminPage[] {
  if (role === 'operator_admin') return ['incidents', 'stats', 'kpi', 'invoices', 'applications', 'auditLog', 'mailbox'];
  if (role === 'analyst' || role === 'helpdesk') return ['incidents', 'stats'];
  if (role === 'subscriber_admin') return ['portal', 'invoices', 'auditLog'];
  if (role === 'subscriber_member') return ['portal'];
  return [];
}
