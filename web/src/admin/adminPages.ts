import type { Role } from '../auth/session.ts';

/** Pages beyond the home, and who may open them (the server checks again). */
export type AdminPage =
  | 'kpi'
  | 'invoices'
  | 'applications'
  | 'mailbox'
  | 'auditLog'
  | 'incidents'
  | 'stats'
  | 'portal'
  | 'subscribers'
  | 'feeds'
  | 'helpdesk'
  | 'vendors'
  | 'dispatches'
  | 'vendorJobs'
  | 'insurerClaims';

export const adminPagePaths: Record<AdminPage, string> = {
  kpi: '/dashboard',
  invoices: '/invoices',
  applications: '/applications',
  mailbox: '/mailbox',
  auditLog: '/audit-log',
  incidents: '/incidents',
  stats: '/stats',
  portal: '/portal',
  subscribers: '/subscribers',
  feeds: '/feeds',
  helpdesk: '/helpdesk',
  vendors: '/vendors',
  dispatches: '/dispatches',
  vendorJobs: '/vendor/jobs',
  insurerClaims: '/insurer/claims',
};

export function adminPagesOfRole(role: Role): AdminPage[] {
  if (role === 'operator_admin') {
    return ['incidents', 'stats', 'subscribers', 'feeds', 'helpdesk', 'dispatches', 'vendors', 'kpi', 'invoices', 'applications', 'auditLog', 'mailbox'];
  }
  if (role === 'analyst') return ['incidents', 'stats', 'feeds'];
  if (role === 'helpdesk') return ['helpdesk', 'dispatches', 'incidents', 'stats'];
  if (role === 'vendor_staff') return ['vendorJobs'];
  if (role === 'insurer_staff') return ['insurerClaims'];
  if (role === 'subscriber_admin') return ['portal', 'invoices', 'auditLog'];
  if (role === 'subscriber_member') return ['portal'];
  return [];
}
