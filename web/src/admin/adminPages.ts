import type { Role } from '../auth/session.ts';

/** Administration pages that exist today, and who may open them (the server checks again). */
export type AdminPage = 'mailbox' | 'auditLog';

export const adminPagePaths: Record<AdminPage, string> = { mailbox: '/mailbox', auditLog: '/audit-log' };

export function adminPagesOfRole(role: Role): AdminPage[] {
  if (role === 'operator_admin') return ['auditLog', 'mailbox'];
  if (role === 'subscriber_admin') return ['auditLog'];
  return [];
}
