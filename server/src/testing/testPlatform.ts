/**
 * A whole server for tests: a fresh database (PGlite, or real PostgreSQL when
 * OTASUKE_TEST_DATABASE_URL is set), a manual clock, the real services and the real HTTP app,
 * driven in-process with `inject`. Helpers create tenants and sign users in, TOTP included.
 */
import type { OrganizationCreate, Role } from '@otasuke/shared';
import type { LightMyRequestResponse } from 'fastify';
import { ManualClock } from '../clock.ts';
import { openTestDatabase } from '../db/testDatabase.ts';
import type { Database } from '../db/database.ts';
import { buildApp } from '../http/app.ts';
import { createServices, type AppServices } from '../services.ts';
import { totpCode } from '../auth/totp.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface Session {
  cookie: string;
  csrfToken: string;
}

export type TestApp = Awaited<ReturnType<typeof buildApp>>;

export interface TestPlatform {
  database: Database;
  clock: ManualClock;
  services: AppServices;
  app: TestApp;
  createOrganization(input: OrganizationCreate): Promise<string>;
  createUser(organizationId: string, role: Role, email: string): Promise<string>;
  signIn(email: string, password?: string): Promise<Session>;
  request(session: Session | null, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

const cli = { scope: null, ip: '127.0.0.1', requestId: 'test' } as const;

export async function startTestPlatform(): Promise<TestPlatform> {
  const database = await openTestDatabase();
  const clock = new ManualClock();
  const services = createServices(database.db, clock, { publicUrl: 'http://otasuke.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' });
  const app = await buildApp({ services, logger: false });
  const totpSecrets = new Map<string, string>();

  const request: TestPlatform['request'] = (session, method, url, body) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  return {
    database,
    clock,
    services,
    app,
    request,
    async createOrganization(input) {
      return (await services.organizations.create(cli, input)).id;
    },
    async createUser(organizationId, role, email) {
      return (await services.users.create(cli, { organizationId, role, email, displayName: email, locale: 'ja', password: TEST_PASSWORD })).id;
    },
    async signIn(email, password = TEST_PASSWORD) {
      let response = await request(null, 'POST', '/api/v1/auth/login', { email, password });
      let body = response.json();
      if (body.status === 'totp_setup_required' || body.status === 'totp_required') {
        if (body.status === 'totp_setup_required') totpSecrets.set(email, body.secret);
        // A TOTP step can be used once; move to the next one.
        clock.advance(30_000);
        response = await request(null, 'POST', '/api/v1/auth/login/totp', { challenge: body.challenge, code: totpCode(totpSecrets.get(email)!, clock.now()) });
        body = response.json();
      }
      if (body.status !== 'authenticated') throw new Error(`sign-in of ${email} failed: ${response.statusCode} ${response.body}`);
      const cookie = String(response.headers['set-cookie']).split(';')[0]!;
      return { cookie, csrfToken: body.session.csrfToken };
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
