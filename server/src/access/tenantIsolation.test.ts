/**
 * Every route × every tenant role: a user of one organization reading, updating or deleting
 * another organization's resources gets 404 (or 403 where the role may not call the route at
 * all), lists never show the other tenant, and nothing in the database changes. Runs on real
 * PostgreSQL in CI (OTASUKE_TEST_DATABASE_URL). The table below must name every guarded route:
 * a new route without an entry here fails the suite.
 */
import type { Role } from '@otasuke/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { c2Alert, insertAlertSeries } from '../incidents/alertFixtures.ts';

interface Victim {
  orgId: string;
  siteId: string;
  sensorId: string;
  userId: string;
  tokenId: string;
  mailId: string;
  contractId: string;
  invoiceId: string;
  applicationId: string;
  shipmentId: string;
  incidentId: string;
  alertId: string;
  suppressionId: string;
  contactId: string;
  webhookId: string;
  // Help desk, dispatch and insurance (helpdesk/, dispatch/, insurance/): set after the base records.
  ticketId?: string;
  remoteSessionId?: string;
  jobId?: string;
  fileId?: string;
  policyId?: string;
  claimId?: string;
  // Operator console (subscriberDirectory/, enrollment/): an open enrollment code of B's sensor.
  enrollmentCodeId?: string;
}

type Probe =
  /** The route acts on the caller's own account only; no other tenant can be named. */
  | { kind: 'self' }
  /** A list: the answer must not mention any of the victim's records. */
  | { kind: 'list'; url: (v: Victim) => string }
  /** Names a victim's record: must be refused with 403 or 404. */
  | { kind: 'target'; url: (v: Victim) => string; body?: (v: Victim) => unknown };

const billingReaders: readonly Role[] = ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'];
const operatorStaff: readonly Role[] = ['operator_admin', 'analyst', 'helpdesk'];

const probes: Record<string, { guard: 'public' | 'anyone' | 'sensor' | readonly Role[]; probe: Probe }> = {
  'GET /healthz': { guard: 'public', probe: { kind: 'self' } },
  'GET /readyz': { guard: 'public', probe: { kind: 'self' } },
  'GET /metrics': { guard: 'public', probe: { kind: 'self' } },
  'GET /api/openapi.json': { guard: 'public', probe: { kind: 'self' } },
  'POST /api/v1/auth/login': { guard: 'public', probe: { kind: 'self' } },
  'POST /api/v1/auth/login/totp': { guard: 'public', probe: { kind: 'self' } },
  'POST /api/v1/auth/password-reset/request': { guard: 'public', probe: { kind: 'self' } },
  'POST /api/v1/auth/password-reset/confirm': { guard: 'public', probe: { kind: 'self' } },
  'POST /api/v1/auth/logout': { guard: 'anyone', probe: { kind: 'self' } },
  'GET /api/v1/auth/me': { guard: 'anyone', probe: { kind: 'self' } },
  'POST /api/v1/auth/password': { guard: 'anyone', probe: { kind: 'self' } },
  'GET /api/v1/organizations': { guard: 'anyone', probe: { kind: 'list', url: () => '/api/v1/organizations' } },
  'POST /api/v1/organizations': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: () => '/api/v1/organizations', body: () => ({ kind: 'subscriber', name: '侵入テスト', membership: 'member' }) },
  },
  'GET /api/v1/organizations/:id': { guard: 'anyone', probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}` } },
  'PATCH /api/v1/organizations/:id': {
    guard: ['operator_admin', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}`, body: () => ({ name: '乗っ取り' }) },
  },
  'GET /api/v1/sites': { guard: 'anyone', probe: { kind: 'list', url: (v) => `/api/v1/sites?organizationId=${v.orgId}` } },
  'POST /api/v1/organizations/:id/sites': {
    guard: ['operator_admin', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}/sites`, body: () => ({ name: '偽の拠点' }) },
  },
  'GET /api/v1/sites/:id': { guard: 'anyone', probe: { kind: 'target', url: (v) => `/api/v1/sites/${v.siteId}` } },
  'PATCH /api/v1/sites/:id': {
    guard: ['operator_admin', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/sites/${v.siteId}`, body: () => ({ name: '改ざん' }) },
  },
  'DELETE /api/v1/sites/:id': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/sites/${v.siteId}` } },
  'GET /api/v1/sensors': { guard: 'anyone', probe: { kind: 'list', url: (v) => `/api/v1/sensors?siteId=${v.siteId}` } },
  'POST /api/v1/sites/:id/sensors': {
    guard: ['operator_admin', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/sites/${v.siteId}/sensors`, body: () => ({ name: '偽センサー' }) },
  },
  'GET /api/v1/sensors/:id': { guard: 'anyone', probe: { kind: 'target', url: (v) => `/api/v1/sensors/${v.sensorId}` } },
  'POST /api/v1/sensors/:id/revoke': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/sensors/${v.sensorId}/revoke` } },
  'GET /api/v1/users': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'list', url: (v) => `/api/v1/users?organizationId=${v.orgId}` } },
  'POST /api/v1/users': {
    guard: ['operator_admin', 'subscriber_admin'],
    probe: {
      kind: 'target',
      url: () => '/api/v1/users',
      body: (v) => ({ organizationId: v.orgId, email: 'intruder@evil.example', displayName: '侵入者', role: 'subscriber_admin', password: 'intruder password 123' }),
    },
  },
  'GET /api/v1/users/:id': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/users/${v.userId}` } },
  'PATCH /api/v1/users/:id': {
    guard: ['operator_admin', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/users/${v.userId}`, body: () => ({ disabled: true }) },
  },
  'DELETE /api/v1/users/:id': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/users/${v.userId}` } },
  'GET /api/v1/api-tokens': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'list', url: () => '/api/v1/api-tokens' } },
  'POST /api/v1/api-tokens': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'self' } },
  'POST /api/v1/api-tokens/:id/revoke': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/api-tokens/${v.tokenId}/revoke` } },
  'GET /api/v1/audit-log': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'list', url: (v) => `/api/v1/audit-log?organizationId=${v.orgId}` } },
  'GET /api/v1/mail/outbox': { guard: ['operator_admin'], probe: { kind: 'list', url: () => '/api/v1/mail/outbox' } },
  'GET /api/v1/mail/outbox/:id': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/mail/outbox/${v.mailId}` } },
  'GET /api/v1/plans': { guard: 'anyone', probe: { kind: 'list', url: () => '/api/v1/plans' } },
  'GET /api/v1/contracts': { guard: billingReaders, probe: { kind: 'list', url: (v) => `/api/v1/contracts?organizationId=${v.orgId}` } },
  'POST /api/v1/contracts': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: () => '/api/v1/contracts', body: (v) => ({ organizationId: v.orgId, planCode: 'member', startDate: '2026-05-01' }) },
  },
  'GET /api/v1/contracts/:id': { guard: billingReaders, probe: { kind: 'target', url: (v) => `/api/v1/contracts/${v.contractId}` } },
  'GET /api/v1/contracts/:id/history': { guard: billingReaders, probe: { kind: 'target', url: (v) => `/api/v1/contracts/${v.contractId}/history` } },
  'POST /api/v1/contracts/:id/cancel': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/contracts/${v.contractId}/cancel`, body: () => ({ endDate: '2026-12-31', reason: '勝手な解約' }) },
  },
  'POST /api/v1/contracts/:id/plan': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/contracts/${v.contractId}/plan`, body: () => ({ planCode: 'non_member' }) } },
  'POST /api/v1/contracts/:id/membership-verification': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/contracts/${v.contractId}/membership-verification`, body: () => ({ verified: true }) },
  },
  'GET /api/v1/billing/issuer': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/billing/issuer' } },
  'PUT /api/v1/billing/issuer': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: () => '/api/v1/billing/issuer', body: () => ({ issuerName: '偽の発行者', registrationNumber: 'T7123456789012', postalCode: '100-0001', address: '東京都' }) },
  },
  'POST /api/v1/billing/runs': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/billing/runs', body: () => ({ month: '2026-03' }) } },
  'POST /api/v1/billing/reminders': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/billing/reminders' } },
  'GET /api/v1/invoices': { guard: billingReaders, probe: { kind: 'list', url: (v) => `/api/v1/invoices?organizationId=${v.orgId}` } },
  'GET /api/v1/invoices/export.csv': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/invoices/export.csv?month=2026-03' } },
  'GET /api/v1/invoices/:id': { guard: billingReaders, probe: { kind: 'target', url: (v) => `/api/v1/invoices/${v.invoiceId}` } },
  'GET /api/v1/invoices/:id/pdf': { guard: billingReaders, probe: { kind: 'target', url: (v) => `/api/v1/invoices/${v.invoiceId}/pdf` } },
  'POST /api/v1/invoices/:id/payments': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/invoices/${v.invoiceId}/payments`, body: () => ({ paidOn: '2026-04-02', amountYen: 6600 }) },
  },
  'POST /api/v1/invoices/:id/credit-notes': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/invoices/${v.invoiceId}/credit-notes`, body: () => ({ reason: '不正な返金' }) } },
  'POST /api/v1/applications': { guard: 'public', probe: { kind: 'self' } },
  'GET /api/v1/applications': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/applications' } },
  'GET /api/v1/applications/:id': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/applications/${v.applicationId}` } },
  'POST /api/v1/applications/:id/approve': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/applications/${v.applicationId}/approve`, body: () => ({ startDate: '2026-05-01', insurancePolicyNumber: 'EVIL-1' }) },
  },
  'POST /api/v1/applications/:id/request-info': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/applications/${v.applicationId}/request-info`, body: () => ({ message: '偽の問い合わせ' }) },
  },
  'POST /api/v1/applications/:id/reject': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/applications/${v.applicationId}/reject`, body: () => ({ reason: '妨害' }) } },
  'GET /api/v1/shipments': { guard: billingReaders, probe: { kind: 'list', url: (v) => `/api/v1/shipments?siteId=${v.siteId}` } },
  'POST /api/v1/sites/:id/shipments': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/sites/${v.siteId}/shipments`, body: () => ({ serial: 'EVIL-0001', carrier: 'yamato', trackingNumber: '123456789012', shippedOn: '2026-04-01' }) },
  },
  'GET /api/v1/shipments/:id': { guard: billingReaders, probe: { kind: 'target', url: (v) => `/api/v1/shipments/${v.shipmentId}` } },
  'POST /api/v1/shipments/:id/delivered': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/shipments/${v.shipmentId}/delivered`, body: () => ({ deliveredOn: '2026-04-03' }) } },
  'POST /api/v1/shipments/:id/returned': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/shipments/${v.shipmentId}/returned`, body: () => ({ returnedOn: '2026-04-03' }) } },
  'GET /api/v1/kpi/subscribers': { guard: ['operator_admin'], probe: { kind: 'list', url: () => '/api/v1/kpi/subscribers?from=2026-03&to=2026-04' } },
  'GET /api/v1/shipments/:id/delivery-note': { guard: billingReaders, probe: { kind: 'target', url: (v) => `/api/v1/shipments/${v.shipmentId}/delivery-note` } },
  'POST /api/v1/sites/:id/enrollment-codes': {
    guard: ['operator_admin', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/sites/${v.siteId}/enrollment-codes`, body: (v) => ({ sensorId: v.sensorId }) },
  },
  'POST /api/v1/sensors/enroll': { guard: 'public', probe: { kind: 'self' } },
  // Sensor credentials only; the cross-tenant case has its own test below.
  'GET /api/v1/sensors/me': { guard: 'sensor', probe: { kind: 'self' } },
  // Heartbeats and bundles: the calling sensor's own (sensorHealth/, bundles/ tests).
  'POST /api/v1/sensors/me/heartbeat': { guard: 'sensor', probe: { kind: 'self' } },
  'GET /api/v1/sensors/me/bundle': { guard: 'sensor', probe: { kind: 'self' } },
  'GET /api/v1/sensors/:id/health': {
    guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'],
    probe: { kind: 'target', url: (v) => `/api/v1/sensors/${v.sensorId}/health` },
  },
  'GET /api/v1/bundles/public-key': { guard: 'public', probe: { kind: 'self' } },
  'GET /api/v1/bundles': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/bundles' } },
  'GET /api/v1/bundles/versions': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/bundles/versions' } },
  'GET /api/v1/bundles/sensors': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/bundles/sensors' } },
  'POST /api/v1/bundles/build': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/bundles/build', body: () => ({ policy: 'standard' }) } },
  'GET /api/v1/bundle-policies': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/bundle-policies' } },
  'POST /api/v1/bundle-policies': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/bundle-policies', body: () => ({ name: 'evil' }) } },
  'PATCH /api/v1/bundle-policies/:id': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: () => '/api/v1/bundle-policies/00000000-0000-4000-8000-000000000000', body: () => ({ localRules: 'pass ip any any -> any any (sid:1;)' }) },
  },
  'PUT /api/v1/organizations/:id/bundle-policy': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}/bundle-policy`, body: () => ({ policyId: null }) } },
  'GET /api/v1/feeds': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/feeds' } },
  'GET /api/v1/feeds/overview': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/feeds/overview' } },
  'GET /api/v1/feeds/:id': { guard: operatorStaff, probe: { kind: 'target', url: () => '/api/v1/feeds/00000000-0000-4000-8000-000000000000' } },
  'POST /api/v1/feeds': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/feeds', body: () => ({ name: 'evil', source: 'upload' }) } },
  'POST /api/v1/feeds/:id/import': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/feeds/00000000-0000-4000-8000-000000000000/import', body: () => ({ text: '1.2.3.4' }) } },
  // Ingest: the batch is the calling sensor's own (tested in ingest/ingest.test.ts).
  'POST /api/v1/ingest/events': { guard: 'sensor', probe: { kind: 'self' } },
  'GET /api/v1/alerts': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'], probe: { kind: 'list', url: (v) => `/api/v1/alerts?sensor=${v.sensorId}&organization=${v.orgId}` } },
  'GET /api/v1/incidents': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'], probe: { kind: 'list', url: (v) => `/api/v1/incidents?organizationId=${v.orgId}` } },
  'GET /api/v1/incidents/:id': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}` } },
  // A stream that never ends (inject would wait for ever): its isolation — subscriber A never receives
  // B's events, over a real HTTP connection — is tested in liveEvents/liveEvents.test.ts.
  'GET /api/v1/events': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'], probe: { kind: 'self' } },
  'POST /api/v1/incidents/:id/transition': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/transition`, body: () => ({ to: 'resolved', resolution: 'benign' }) } },
  'POST /api/v1/incidents/:id/assign': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/assign`, body: () => ({ assigneeUserId: null }) } },
  'POST /api/v1/incidents/:id/notes': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/notes`, body: () => ({ body: '偽のメモ' }) } },
  'POST /api/v1/incidents/:id/tasks': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/tasks`, body: () => ({ title: '偽のタスク' }) } },
  'POST /api/v1/incidents/:id/merge': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/merge`, body: (v) => ({ sourceIds: [v.incidentId] }) } },
  'POST /api/v1/incidents/:id/split': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/split`, body: (v) => ({ alertIds: [v.alertId] }) } },
  'POST /api/v1/incidents/:id/detach': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/detach`, body: (v) => ({ alertId: v.alertId }) } },
  'PUT /api/v1/incidents/:id/customer-text': {
    guard: ['operator_admin', 'analyst'],
    probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/customer-text`, body: () => ({ customerTextJa: '改ざん', customerTextEn: null }) },
  },
  'GET /api/v1/suppressions': { guard: ['operator_admin', 'analyst'], probe: { kind: 'list', url: () => '/api/v1/suppressions?includeDeleted=true' } },
  'POST /api/v1/suppressions': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: () => '/api/v1/suppressions', body: (v) => ({ fromAlertId: v.alertId, reason: '妨害' }) } },
  'PATCH /api/v1/suppressions/:id': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/suppressions/${v.suppressionId}`, body: () => ({ reason: '改ざん' }) } },
  'DELETE /api/v1/suppressions/:id': { guard: ['operator_admin', 'analyst'], probe: { kind: 'target', url: (v) => `/api/v1/suppressions/${v.suppressionId}` } },
  'GET /api/v1/stats/detections': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/stats/detections?from=2026-03-01&to=2026-03-31' } },
  'GET /api/v1/stats/detections.csv': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/stats/detections.csv?from=2026-03-01&to=2026-03-31' } },
  'GET /api/v1/stats/top-signatures': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/stats/top-signatures?from=2026-03-01&to=2026-03-31' } },
  'GET /api/v1/stats/monthly': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/stats/monthly?from=2026-01-01&to=2026-03-31' } },
  // Subscriber directory: the operator's administrators only.
  'GET /api/v1/subscriber-directory': { guard: ['operator_admin'], probe: { kind: 'list', url: () => '/api/v1/subscriber-directory?q=%E8%A2%AB%E5%AE%B3' } },
  'GET /api/v1/subscriber-directory/:id': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/subscriber-directory/${v.orgId}` } },
  'POST /api/v1/enrollment-codes/:id/revoke': { guard: ['operator_admin', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/enrollment-codes/${v.enrollmentCodeId}/revoke` } },
  // Notifications (notifications/): the link's token is its own credential (notifications.test.ts).
  'GET /ack/:token': { guard: 'public', probe: { kind: 'self' } },
  'POST /ack/:token': { guard: 'public', probe: { kind: 'self' } },
  'POST /api/v1/incidents/:id/acknowledge': { guard: ['subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: (v) => `/api/v1/incidents/${v.incidentId}/acknowledge` } },
  'GET /api/v1/organizations/:id/notification-contacts': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}/notification-contacts` } },
  'POST /api/v1/organizations/:id/notification-contacts': {
    guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}/notification-contacts`, body: () => ({ role: 'primary', name: '乗っ取り', email: 'evil@iso.example' }) },
  },
  'DELETE /api/v1/notification-contacts/:id': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/notification-contacts/${v.contactId}` } },
  'GET /api/v1/organizations/:id/notification-webhooks': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}/notification-webhooks` } },
  'POST /api/v1/organizations/:id/notification-webhooks': {
    guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}/notification-webhooks`, body: () => ({ url: 'https://203.0.113.66/steal', secret: 'evil-secret-0123456' }) },
  },
  'DELETE /api/v1/notification-webhooks/:id': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/notification-webhooks/${v.webhookId}` } },
  'GET /api/v1/organizations/:id/notification-settings': { guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'], probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}/notification-settings` } },
  'PUT /api/v1/organizations/:id/notification-settings': {
    guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/organizations/${v.orgId}/notification-settings`, body: () => ({ dailyDigest: true }) },
  },
  'GET /api/v1/notification-log': { guard: ['operator_admin', 'analyst'], probe: { kind: 'list', url: (v) => `/api/v1/notification-log?organizationId=${v.orgId}` } },
  // Help desk: customers reach their own tickets; a vendor or insurer none.
  'POST /api/v1/helpdesk/help-requests': { guard: ['subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: () => '/api/v1/helpdesk/help-requests', body: (v) => ({ subject: '偽の相談', description: '他社のインシデント', incidentId: v.incidentId }) } },
  'POST /api/v1/helpdesk/tickets': { guard: operatorStaff, probe: { kind: 'target', url: () => '/api/v1/helpdesk/tickets', body: (v) => ({ organizationId: v.orgId, callerName: '偽', subject: '偽の電話', description: '偽' }) } },
  'GET /api/v1/helpdesk/tickets': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member'], probe: { kind: 'list', url: (v) => `/api/v1/helpdesk/tickets?organizationId=${v.orgId}` } },
  'GET /api/v1/helpdesk/tickets/:id': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/tickets/${v.ticketId}` } },
  'PATCH /api/v1/helpdesk/tickets/:id': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/tickets/${v.ticketId}`, body: () => ({ status: 'closed' }) } },
  'POST /api/v1/helpdesk/tickets/:id/comments': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/tickets/${v.ticketId}/comments`, body: () => ({ visibility: 'public', body: '割り込み' }) } },
  'POST /api/v1/helpdesk/tickets/:id/satisfaction': { guard: ['subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/tickets/${v.ticketId}/satisfaction`, body: () => ({ rating: 1 }) } },
  'GET /api/v1/helpdesk/canned-replies': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/helpdesk/canned-replies' } },
  'POST /api/v1/helpdesk/canned-replies': { guard: ['operator_admin', 'helpdesk'], probe: { kind: 'target', url: () => '/api/v1/helpdesk/canned-replies', body: () => ({ title: '偽', body: '偽' }) } },
  'PATCH /api/v1/helpdesk/canned-replies/:id': { guard: ['operator_admin', 'helpdesk'], probe: { kind: 'target', url: () => '/api/v1/helpdesk/canned-replies/00000000-0000-4000-8000-000000000000', body: () => ({ body: '偽' }) } },
  'DELETE /api/v1/helpdesk/canned-replies/:id': { guard: ['operator_admin', 'helpdesk'], probe: { kind: 'target', url: () => '/api/v1/helpdesk/canned-replies/00000000-0000-4000-8000-000000000000' } },
  'GET /api/v1/helpdesk/ticket-counts': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/helpdesk/ticket-counts' } },
  'GET /api/v1/helpdesk/agents': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/helpdesk/agents' } },
  'GET /api/v1/helpdesk/tickets/:id/subscriber': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/tickets/${v.ticketId}/subscriber` } },
  'POST /api/v1/helpdesk/remote-sessions/:id/refuse': { guard: ['subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/remote-sessions/${v.remoteSessionId}/refuse` } },
  'POST /api/v1/helpdesk/tickets/:id/remote-sessions': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/tickets/${v.ticketId}/remote-sessions` } },
  'POST /api/v1/helpdesk/remote-sessions/:id/consent': { guard: ['subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/remote-sessions/${v.remoteSessionId}/consent` } },
  'POST /api/v1/helpdesk/remote-sessions/:id/start': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/remote-sessions/${v.remoteSessionId}/start` } },
  'POST /api/v1/helpdesk/remote-sessions/:id/end': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/helpdesk/remote-sessions/${v.remoteSessionId}/end`, body: () => ({ summary: '偽' }) } },
  // Dispatch: a vendor sees only jobs offered to or held by it (this one is offered to nobody).
  'GET /api/v1/vendors': { guard: operatorStaff, probe: { kind: 'list', url: () => '/api/v1/vendors' } },
  'PUT /api/v1/vendors/:id': {
    guard: ['operator_admin'],
    probe: { kind: 'target', url: (v) => `/api/v1/vendors/${v.orgId}`, body: () => ({ companyName: '偽', areas: [{ prefecture: '大阪府', city: null }], skills: ['x'], businessHours: '常時', hourlyRateYen: 1, callOutFeeYen: 1, capacity: 1, contactName: '偽', contactEmail: 'evil@iso.example', contactPhone: '0' }) },
  },
  'GET /api/v1/vendors/:id/staff': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/vendors/${v.orgId}/staff` } },
  'POST /api/v1/vendors/:id/staff': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/vendors/${v.orgId}/staff`, body: () => ({ email: 'evil-staff@iso.example', displayName: '偽の担当' }) } },
  'DELETE /api/v1/vendors/:id/staff/:userId': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/vendors/${v.orgId}/staff/${v.userId}` } },
  'POST /api/v1/vendors/:id/staff/:userId/invitation': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/vendors/${v.orgId}/staff/${v.userId}/invitation` } },
  'POST /api/v1/dispatch/jobs': { guard: operatorStaff, probe: { kind: 'target', url: () => '/api/v1/dispatch/jobs', body: (v) => ({ incidentId: v.incidentId, siteId: v.siteId, skill: 'x', problem: '偽', contactName: '偽', contactPhone: '0' }) } },
  'GET /api/v1/dispatch/jobs': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'vendor_staff'], probe: { kind: 'list', url: () => '/api/v1/dispatch/jobs' } },
  'GET /api/v1/dispatch/jobs/:id': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'vendor_staff'], probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}` } },
  'GET /api/v1/dispatch/jobs/:id/candidates': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/candidates` } },
  'POST /api/v1/dispatch/jobs/:id/offer': { guard: operatorStaff, probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/offer` } },
  'POST /api/v1/dispatch/expire-offers': { guard: ['operator_admin'], probe: { kind: 'target', url: () => '/api/v1/dispatch/expire-offers' } },
  'POST /api/v1/dispatch/jobs/:id/accept': { guard: ['vendor_staff'], probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/accept` } },
  'POST /api/v1/dispatch/jobs/:id/decline': { guard: ['vendor_staff'], probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/decline`, body: () => ({ reason: '偽' }) } },
  'POST /api/v1/dispatch/jobs/:id/arrival': { guard: ['vendor_staff'], probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/arrival`, body: () => ({}) } },
  'POST /api/v1/dispatch/jobs/:id/files': { guard: ['vendor_staff'], probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/files`, body: () => ({ fileName: 'x.txt', contentType: 'text/plain', contentBase64: 'eA==' }) } },
  'POST /api/v1/dispatch/jobs/:id/report': { guard: ['vendor_staff'], probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/report`, body: () => ({ workDone: '偽', minutesWorked: 1, costYen: 999999, report: '偽' }) } },
  'GET /api/v1/dispatch/jobs/:id/files/:fileId': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'vendor_staff'], probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/files/${v.fileId}` } },
  'POST /api/v1/dispatch/jobs/:id/sign-off': { guard: ['subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: (v) => `/api/v1/dispatch/jobs/${v.jobId}/sign-off` } },
  // Insurance: an insurer sees only claims filed with it (this one is filed with another insurer).
  'GET /api/v1/insurance/policies': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'insurer_staff'], probe: { kind: 'list', url: () => '/api/v1/insurance/policies' } },
  'PUT /api/v1/insurance/policies/:id': { guard: ['operator_admin'], probe: { kind: 'target', url: (v) => `/api/v1/insurance/policies/${v.policyId}`, body: (v) => ({ insurerOrganizationId: v.orgId, coverage: [] }) } },
  'POST /api/v1/insurance/claims': { guard: ['operator_admin', 'helpdesk', 'subscriber_admin', 'subscriber_member'], probe: { kind: 'target', url: () => '/api/v1/insurance/claims', body: (v) => ({ incidentId: v.incidentId, description: '偽の請求', claimedAmountYen: 1 }) } },
  'GET /api/v1/insurance/claims': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'insurer_staff'], probe: { kind: 'list', url: () => '/api/v1/insurance/claims' } },
  'GET /api/v1/insurance/claims/:id': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'insurer_staff'], probe: { kind: 'target', url: (v) => `/api/v1/insurance/claims/${v.claimId}` } },
  'GET /api/v1/insurance/claims/:id/evidence-pack': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'insurer_staff'], probe: { kind: 'target', url: (v) => `/api/v1/insurance/claims/${v.claimId}/evidence-pack` } },
  'GET /api/v1/insurance/claims/:id/summary': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'insurer_staff'], probe: { kind: 'target', url: (v) => `/api/v1/insurance/claims/${v.claimId}/summary` } },
  'POST /api/v1/insurance/claims/:id/comments': { guard: [...operatorStaff, 'subscriber_admin', 'subscriber_member', 'insurer_staff'], probe: { kind: 'target', url: (v) => `/api/v1/insurance/claims/${v.claimId}/comments`, body: () => ({ body: '偽の質問' }) } },
  'POST /api/v1/insurance/claims/:id/outcome': { guard: ['insurer_staff'], probe: { kind: 'target', url: (v) => `/api/v1/insurance/claims/${v.claimId}/outcome`, body: () => ({ outcome: 'denied', paidAmountYen: 0 }) } },
  'GET /api/v1/sensors/:id/ingest-counters': {
    guard: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'],
    probe: { kind: 'target', url: (v) => `/api/v1/sensors/${v.sensorId}/ingest-counters` },
  },
};

describe(`tenant isolation (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let victim: Victim;
  const attackers: Array<{ label: string; session: Session | null; bearer?: string }> = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    const cli = { scope: null, ip: null, requestId: 'setup' };
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'operator_admin', 'op@iso.example');

    const orgB = await platform.createOrganization({ kind: 'subscriber', name: '被害者株式会社', membership: 'member' });
    const userB = await platform.createUser(orgB, 'subscriber_admin', 'b-admin@iso.example');
    await platform.createUser(orgB, 'subscriber_member', 'b-staff@iso.example');
    const siteB = await platform.services.organizations.createSite({ ...cli, scope: { userId: userB, tokenId: null, sessionId: null, organizationId: orgB, organizationKind: 'subscriber', role: 'subscriber_admin' } }, orgB, { name: 'B本社' });
    const sensorB = await platform.services.organizations.createSensor({ ...cli, scope: { userId: userB, tokenId: null, sessionId: null, organizationId: orgB, organizationKind: 'subscriber', role: 'subscriber_admin' } }, siteB.id, { name: 'B-sensor' });
    const sessionB = await platform.signIn('b-admin@iso.example');
    const tokenB = (await platform.request(sessionB, 'POST', '/api/v1/api-tokens', { name: 'B token' })).json().token.id;
    await platform.request(null, 'POST', '/api/v1/auth/password-reset/request', { email: 'b-staff@iso.example' });
    const mailB = (await platform.services.outbox.list({ kind: 'organization', organizationId: orgB }, { limit: 1 }))[0]!.id;
    // B is billed: a contract, issuer settings and the March invoice (the clock stands at 2026-04-01).
    await platform.services.billingRepository.putIssuer(operatorId, { issuerName: '運営', registrationNumber: 'T7123456789012', postalCode: '540-0029', address: '大阪市', paymentTermDays: 30 }, platform.clock.now());
    const contractB = await platform.services.contracts.create(cli, { organizationId: orgB, planCode: 'member', startDate: '2026-03-01' });
    const run = await platform.services.billing.runMonthly(cli, '2026-03');
    const application = await platform.request(null, 'POST', '/api/v1/applications', {
      companyName: '申込中株式会社', representativeName: '申込 太郎', contactName: '申込 花子', email: 'apply@iso.example', phone: '06-1234-5678', postalCode: '530-0001',
      prefecture: '大阪府', city: '大阪市北区', address: '梅田1-1', employees: 5, membership: 'non_member', sites: [{ name: '本社', postalCode: '530-0001', address: '梅田1-1' }],
      consentTerms: true, consentMetadata: true,
    });
    const opScope = { userId: null, tokenId: null, sessionId: null, organizationId: operatorId, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    const shipmentB = await platform.services.shipping.create({ ...cli, scope: opScope }, siteB.id, { serial: 'B-0001', carrier: 'yamato', trackingNumber: '123456789012', shippedOn: '2026-04-01' });
    victim = { orgId: orgB, siteId: siteB.id, sensorId: sensorB.id, userId: userB, tokenId: tokenB, mailId: mailB, contractId: contractB.id, invoiceId: run.invoiceIds[0]!, applicationId: application.json().id, shipmentId: shipmentB.id, incidentId: '', alertId: '', suppressionId: '', contactId: '', webhookId: '' };
    // B has an incident of two alerts and a suppression of its own.
    const alertsB = await insertAlertSeries(platform.database.db, { organizationId: orgB, siteId: siteB.id, sensorId: sensorB.id, firstSeq: 1, count: 2, start: new Date('2026-03-20T00:00:00Z'), stepMs: 1000, alert: c2Alert });
    victim.incidentId = (await platform.services.incidents.correlate(alertsB)).incidents[0]!;
    victim.alertId = alertsB[0]!.id;
    victim.suppressionId = (await platform.services.suppressions.create({ ...cli, scope: opScope }, { organizationId: orgB, insideHost: '192.168.1.99', reason: 'B社の検査機' })).id;
    // B's notification contact and webhook (a public address literal: no DNS in the test).
    victim.contactId = (await platform.services.notifications.createContact({ ...cli, scope: opScope }, orgB, { role: 'primary', name: 'B担当', email: 'b-contact@iso.example', phone: null, locale: 'ja', channels: ['email'] })).id;
    victim.webhookId = (await platform.services.notifications.createWebhook({ ...cli, scope: opScope }, orgB, { url: 'https://203.0.113.10/hook', secret: 'b-webhook-secret-0123', enabled: true })).id;
    // B's help-desk ticket with a remote session, an on-site job, and a claim filed with B's own insurer.
    const bContext = { ...cli, scope: { userId: userB, tokenId: null, sessionId: null, organizationId: orgB, organizationKind: 'subscriber' as const, role: 'subscriber_admin' as const } };
    victim.ticketId = (await platform.services.helpdesk.helpRequest(bContext, { subject: 'B社の相談', description: 'B社の内容', category: 'security_incident', incidentId: victim.incidentId })).ticket.id;
    victim.remoteSessionId = (await platform.services.helpdesk.requestRemoteSession({ ...cli, scope: opScope }, victim.ticketId)).id;
    victim.jobId = (await platform.services.dispatch.create({ ...cli, scope: opScope }, { ticketId: victim.ticketId, siteId: siteB.id, skill: 'pc_repair', problem: 'B社の作業', contactName: 'B担当', contactPhone: '06-0000-0000', offerMinutes: 60 })).id;
    // A photo on B's job, from B's own vendor (set directly: the job needs no offer round for the probe).
    const vendorB = await platform.createOrganization({ kind: 'vendor', name: 'B社の業者' });
    victim.fileId = (await sql<{ id: string }>`insert into dispatch_files (job_id, vendor_organization_id, file_name, content_type, size_bytes, sha256, content, created_at) values (${victim.jobId}, ${vendorB}, 'b.png', 'image/png', 1, '00', ${Buffer.from('x')}, now()) returning id`.execute(platform.database.db)).rows[0]!.id;
    await sql`update dispatch_jobs set vendor_organization_id = ${vendorB}, status = 'on_site' where id = ${victim.jobId}`.execute(platform.database.db);
    victim.enrollmentCodeId = (await sql<{ id: string }>`insert into enrollment_codes (organization_id, site_id, sensor_id, code_hash, expires_at) values (${orgB}, ${siteB.id}, ${sensorB.id}, 'b-code-hash', '2027-01-01T00:00:00Z') returning id`.execute(platform.database.db)).rows[0]!.id;
    const insurerB = await platform.createOrganization({ kind: 'insurer', name: 'B社の保険会社' });
    victim.policyId = (await sql<{ id: string }>`insert into insurance_policies (organization_id, policy_number, period_start) values (${orgB}, 'B-POLICY', '2026-03-01') returning id`.execute(platform.database.db)).rows[0]!.id;
    await platform.services.insurance.updatePolicy({ ...cli, scope: opScope }, victim.policyId, { insurerOrganizationId: insurerB, coverage: [{ code: 'all', nameJa: '全て', limitYen: 100000 }] });
    victim.claimId = (await platform.services.insurance.file(bContext, { incidentId: victim.incidentId, description: 'B社の請求', claimedAmountYen: 1000 })).id;

    const orgA = await platform.createOrganization({ kind: 'subscriber', name: '攻撃者株式会社', membership: 'non_member' });
    await platform.createUser(orgA, 'subscriber_admin', 'a-admin@iso.example');
    await platform.createUser(orgA, 'subscriber_member', 'a-staff@iso.example');
    const vendor = await platform.createOrganization({ kind: 'vendor', name: '業者' });
    await platform.createUser(vendor, 'vendor_staff', 'vendor@iso.example');
    const insurer = await platform.createOrganization({ kind: 'insurer', name: '保険' });
    await platform.createUser(insurer, 'insurer_staff', 'insurer@iso.example');
    const enterprise = await platform.createOrganization({ kind: 'enterprise', name: '大企業' });
    await platform.createUser(enterprise, 'enterprise_viewer', 'enterprise@iso.example');

    for (const email of ['a-admin@iso.example', 'a-staff@iso.example', 'vendor@iso.example', 'insurer@iso.example', 'enterprise@iso.example']) {
      attackers.push({ label: email, session: await platform.signIn(email) });
    }
    const aAdmin = attackers[0]!.session!;
    const aToken = (await platform.request(aAdmin, 'POST', '/api/v1/api-tokens', { name: 'A token' })).json().secret as string;
    attackers.push({ label: 'API token of a-admin', session: null, bearer: aToken });
    attackers.push({ label: 'anonymous', session: null });
  });
  afterAll(async () => platform?.close());

  const snapshot = async () => {
    const tables = [
      'organizations', 'sites', 'sensors', 'users', 'api_tokens', 'mail_outbox', 'password_resets',
      'plans', 'contracts', 'contract_events', 'issuer_settings', 'invoices', 'invoice_lines', 'applications', 'insurance_policies', 'shipments', 'programme_targets',
      'enrollment_codes',
      'incidents', 'incident_notes', 'incident_tasks', 'incident_events', 'suppressions',
      'bundle_policies', 'threat_feeds', 'sensor_heartbeats',
      'notification_contacts', 'notification_webhooks', 'incident_notification_states', 'incident_ack_tokens',
      'tickets', 'ticket_comments', 'canned_replies', 'remote_sessions', 'vendor_profiles', 'dispatch_jobs', 'dispatch_offers', 'dispatch_files', 'insurance_claims', 'claim_comments',
    ];
    const out: Record<string, unknown> = {};
    for (const table of tables) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by 1`.execute(platform.database.db);
      // Timestamps of use may move (the attacker's own token is used); what matters is the data.
      out[table] = rows.rows.map(({ lastUsedAt: _u, lastSeenAt: _s, ...rest }) => rest);
    }
    return JSON.stringify(out);
  };

  it('names every route with its guard (a new route must be added here)', () => {
    const listed = platform.app.routeGuards.map((r) => `${r.method} ${r.url}`).sort();
    expect(listed).toEqual(Object.keys(probes).sort());
    for (const route of platform.app.routeGuards) {
      const expected = probes[`${route.method} ${route.url}`]!.guard;
      if (expected === 'public') expect(route.access).toEqual({ public: true });
      else if (expected === 'sensor') expect(route.access).toEqual({ sensor: true });
      else if (expected === 'anyone') expect('roles' in route.access && route.access.roles.length).toBe(8);
      else expect('roles' in route.access && [...route.access.roles].sort()).toEqual([...(expected as readonly Role[])].sort());
    }
  });

  it("never lets another tenant read, change or delete a subscriber's records", async () => {
    const before = await snapshot();
    const victimIds = Object.values(victim);
    let checked = 0;
    for (const attacker of attackers) {
      for (const [route, { probe }] of Object.entries(probes)) {
        if (probe.kind === 'self') continue;
        const method = route.split(' ')[0]!;
        const url = probe.url(victim);
        const body = probe.kind === 'target' ? probe.body?.(victim) : undefined;
        const response = attacker.bearer
          ? await platform.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${attacker.bearer}` }, ...(body ? { payload: body as object } : {}) })
          : await platform.request(attacker.session, method, url, body);
        const where = `${attacker.label}: ${method} ${url} → ${response.statusCode} ${response.body.slice(0, 200)}`;
        if (attacker.session === null && !attacker.bearer) {
          expect(response.statusCode, where).toBe(401);
        } else if (probe.kind === 'target') {
          expect([403, 404], where).toContain(response.statusCode);
        } else {
          expect([200, 403], where).toContain(response.statusCode);
          for (const id of victimIds) expect(response.body, where).not.toContain(id);
        }
        checked++;
      }
    }
    expect(checked).toBe(attackers.length * Object.values(probes).filter((p) => p.probe.kind !== 'self').length);
    expect(await snapshot()).toBe(before);
  });

  it('answers another tenant\'s record exactly like a missing one', async () => {
    const a = attackers[0]!.session!;
    const other = await platform.request(a, 'GET', `/api/v1/sites/${victim.siteId}`);
    const missing = await platform.request(a, 'GET', '/api/v1/sites/00000000-0000-4000-8000-000000000000');
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toEqual(missing.json().error);
  });

  it("gives a sensor credential its own sensor only, and nothing else", async () => {
    const aAdmin = attackers[0]!.session!;
    const aOrg = (await platform.request(aAdmin, 'GET', '/api/v1/auth/me')).json().user.organizationId as string;
    const aSite = (await platform.request(aAdmin, 'POST', `/api/v1/organizations/${aOrg}/sites`, { name: 'A拠点' })).json().id as string;
    const code = (await platform.request(aAdmin, 'POST', `/api/v1/sites/${aSite}/enrollment-codes`, {})).json();
    // A's code cannot enroll B's sensor: the code names its own sensor, and B's site refuses A.
    expect((await platform.request(aAdmin, 'POST', `/api/v1/sites/${aSite}/enrollment-codes`, { sensorId: victim.sensorId })).statusCode).toBe(404);
    const enrolled = (await platform.request(null, 'POST', '/api/v1/sensors/enroll', { code: code.code })).json();
    expect(enrolled.sensorId).toBe(code.sensorId);
    const me = await platform.app.inject({ method: 'GET', url: '/api/v1/sensors/me', headers: { authorization: `Bearer ${enrolled.credential}` } });
    expect(me.statusCode).toBe(200);
    expect(me.body).not.toContain(victim.sensorId);
    expect(me.json().organizationId).toBe(aOrg);
    // The sensor credential opens no user route (another tenant's or its own).
    for (const url of [`/api/v1/sensors/${victim.sensorId}`, `/api/v1/sites/${victim.siteId}`, '/api/v1/sensors', `/api/v1/sensors/${code.sensorId}`]) {
      const r = await platform.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${enrolled.credential}` } });
      expect(r.statusCode, url).toBe(401);
    }
    // Sessions, API tokens and nobody get nothing from the sensor route.
    for (const attacker of attackers) {
      const r = attacker.bearer
        ? await platform.app.inject({ method: 'GET', url: '/api/v1/sensors/me', headers: { authorization: `Bearer ${attacker.bearer}` } })
        : await platform.request(attacker.session, 'GET', '/api/v1/sensors/me');
      expect(r.statusCode, attacker.label).toBe(401);
    }
  });

  it('lets operator staff see every tenant', async () => {
    const op = await platform.signIn('op@iso.example');
    const orgs = (await platform.request(op, 'GET', '/api/v1/organizations')).json();
    expect(orgs.map((o: { id: string }) => o.id)).toContain(victim.orgId);
    expect((await platform.request(op, 'GET', `/api/v1/sites/${victim.siteId}`)).statusCode).toBe(200);
    expect((await platform.request(op, 'GET', `/api/v1/invoices/${victim.invoiceId}`)).json().organizationId).toBe(victim.orgId);
    expect((await platform.request(op, 'GET', `/api/v1/contracts/${victim.contractId}`)).statusCode).toBe(200);
  });
});
