/**
 * Test platform for distribution and sensor health: the shared test platform (database, clock,
 * users, sign-in) plus a second app on the same database whose services carry the distribution
 * settings a test needs (a fixture rules directory, loopback feeds allowed…). Sessions live in the
 * database, so a cookie from one app works on the other.
 */
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../http/app.ts';
import { createServices, type AppServices, type ServiceAdapters } from '../services.ts';
import { startTestPlatform, type Session, type TestApp, type TestPlatform } from '../testing/testPlatform.ts';

export interface EnrolledSensor {
  sensorId: string;
  credential: string;
  bundlePublicKey: string | undefined;
}

export interface DistributionPlatform {
  platform: TestPlatform;
  services: AppServices;
  app: TestApp;
  operatorId: string;
  subscriberId: string;
  otherSubscriberId: string;
  /** operator_admin, analyst, subscriber_admin and subscriber_member of `subscriberId`, subscriber_admin of the other. */
  sessions: { operator: Session; analyst: Session; admin: Session; member: Session; otherAdmin: Session };
  request(session: Session | null, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  sensorRequest(credential: string, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  enrollSensor(organization: 'subscriber' | 'other'): Promise<EnrolledSensor>;
  close(): Promise<void>;
}

export async function startDistributionPlatform(distribution: ServiceAdapters['distribution'] = {}, tag = 'dist'): Promise<DistributionPlatform> {
  const platform = await startTestPlatform();
  const services = createServices(platform.database.db, platform.clock, { publicUrl: 'http://otasuke.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' }, undefined, { distribution });
  const app = await buildApp({ services, logger: false });

  const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
  await platform.createUser(operatorId, 'operator_admin', `op@${tag}.example`);
  await platform.createUser(operatorId, 'analyst', `analyst@${tag}.example`);
  const subscriberId = await platform.createOrganization({ kind: 'subscriber', name: '加入者株式会社', membership: 'member' });
  await platform.createUser(subscriberId, 'subscriber_admin', `admin@${tag}.example`);
  await platform.createUser(subscriberId, 'subscriber_member', `member@${tag}.example`);
  const otherSubscriberId = await platform.createOrganization({ kind: 'subscriber', name: '他社', membership: 'non_member' });
  await platform.createUser(otherSubscriberId, 'subscriber_admin', `other@${tag}.example`);
  const sessions = {
    operator: await platform.signIn(`op@${tag}.example`),
    analyst: await platform.signIn(`analyst@${tag}.example`),
    admin: await platform.signIn(`admin@${tag}.example`),
    member: await platform.signIn(`member@${tag}.example`),
    otherAdmin: await platform.signIn(`other@${tag}.example`),
  };

  const request: DistributionPlatform['request'] = (session, method, url, body, headers = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      payload: body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
  const sensorRequest: DistributionPlatform['sensorRequest'] = (credential, method, url, body, headers = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${credential}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  const sites = new Map<string, string>();
  return {
    platform,
    services,
    app,
    operatorId,
    subscriberId,
    otherSubscriberId,
    sessions,
    request,
    sensorRequest,
    async enrollSensor(organization) {
      const [orgId, session] = organization === 'subscriber' ? [subscriberId, sessions.admin] : [otherSubscriberId, sessions.otherAdmin];
      let siteId = sites.get(orgId);
      if (!siteId) {
        siteId = (await request(session, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: '本社' })).json().id as string;
        sites.set(orgId, siteId);
      }
      const code = (await request(session, 'POST', `/api/v1/sites/${siteId}/enrollment-codes`, {})).json().code as string;
      const enrolled = (await request(null, 'POST', '/api/v1/sensors/enroll', { code, agentVersion: '0.1.0' })).json();
      return { sensorId: enrolled.sensorId, credential: enrolled.credential, bundlePublicKey: enrolled.bundlePublicKey };
    },
    async close() {
      await app.close();
      await platform.close();
    },
  };
}
