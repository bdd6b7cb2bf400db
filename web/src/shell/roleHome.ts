/**
 * What each role's home says will come: roles are grouped into the audiences of the product
 * brief, and each audience lists the features planned for it (their text is in the catalogs).
 */
import type { ja } from '../i18n/ja.ts';
import type { Role } from '../auth/session.ts';

export type Audience = keyof Omit<typeof ja.home, 'greeting' | 'preparingNote' | 'upcomingTitle' | 'pagesTitle'>;
export type FeatureId = keyof typeof ja.features;

export const audienceOfRole: Record<Role, Audience> = {
  operator_admin: 'operator',
  analyst: 'analyst',
  helpdesk: 'helpdesk',
  subscriber_admin: 'subscriber',
  subscriber_member: 'subscriber',
  vendor_staff: 'vendor',
  insurer_staff: 'insurer',
  enterprise_viewer: 'enterprise',
};

export const featuresOfAudience: Record<Audience, FeatureId[]> = {
  operator: [],
  analyst: ['analystActions'],
  helpdesk: [],
  subscriber: ['subscriberReports'],
  vendor: [],
  insurer: [],
  enterprise: ['enterpriseSuppliers'],
};
