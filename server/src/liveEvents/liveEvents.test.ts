/**
 * The live event stream over a real HTTP connection (Node's fetch reading `text/event-stream`):
 * who gets which incident (operator staff every tenant, a subscriber only its own — A never B's),
 * created / updated / acknowledged events, heartbeats, the per-user bound, the end of a stream when
 * its session ends or the server closes. The incidents are written by services of their own over the
 * same database — as a `otasuke worker` in another process would — never through the hub.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessScope } from '../access/accessScope.ts';
import { buildApp } from '../http/app.ts';
import { c2Alert, insertAlertSeries, scanAlert } from '../incidents/alertFixtures.ts';
import { createServices, type AppServices } from '../services.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import type { LiveSink } from './liveEventHub.ts';
import { open } from './liveEventTesting.ts';

const HEARTBEAT_MS = 400;

interface Tenant {
  orgId: string;
  siteId: string;
  sensorId: string;
  admin: Session;
}

describe(`live events over HTTP (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let services: AppServices;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let baseUrl: string;
  /** Another process's services: they share only the database with the streaming server. */
  let writer: AppServices;
  let analyst: Session;
  let a: Tenant;
  let b: Tenant;
  let nextSeq = 1;
  const opScope = (orgId: string): AccessScope => ({ userId: null, tokenId: null, sessionId: null, organizationId: orgId, organizationKind: 'operator', role: 'operator_admin' });
  let operatorId: string;

  async function tenant(name: string, email: string): Promise<Tenant> {
    const orgId = await platform.createOrganization({ kind: 'subscriber', name, membership: 'member' });
    await platform.createUser(orgId, 'subscriber_admin', email);
    const context = { scope: opScope(operatorId), ip: null, requestId: 'setup' };
    const site = await platform.services.organizations.createSite(context, orgId, { name: `${name} 本社` });
    const sensor = await platform.services.organizations.createSensor(context, site.id, { name: 'sensor' });
    return { orgId, siteId: site.id, sensorId: sensor.id, admin: await platform.signIn(email) };
  }

  /** Alerts stored and correlated by the other process's services, as ingest there would. */
  async function incidentOf(t: Tenant, alert = c2Alert, count = 3): Promise<string> {
    const refs = await insertAlertSeries(platform.database.db, { organizationId: t.orgId, siteId: t.siteId, sensorId: t.sensorId, firstSeq: nextSeq, count, start: platform.clock.now(), stepMs: 1000, alert });
    nextSeq += count;
    return (await writer.incidents.correlate(refs)).incidents[0]!;
  }

  beforeAll(async () => {
    platform = await startTestPlatform();
    operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'analyst', 'analyst@live.example');
    analyst = await platform.signIn('analyst@live.example');
    a = await tenant('A株式会社', 'a@live.example');
    b = await tenant('B株式会社', 'b@live.example');
    const settings = { publicUrl: 'http://otasuke.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' as const };
    services = createServices(platform.database.db, platform.clock, settings, undefined, { liveEvents: { pollMs: 100, heartbeatMs: HEARTBEAT_MS, maxPerUser: 3 } });
    writer = createServices(platform.database.db, platform.clock, settings);
    app = await buildApp({ services, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
  });

  it('sends each reader the incidents it may see, and subscriber A never B’s', async () => {
    const staff = await open(baseUrl, analyst);
    const readerA = await open(baseUrl, a.admin);
    const readerB = await open(baseUrl, b.admin);
    expect([staff.status, readerA.status, readerB.status]).toEqual([200, 200, 200]);
    await staff.waitFor(() => staff.comments.includes('connected'), 'the first comment');

    platform.clock.advance(1000);
    const incidentB = await incidentOf(b);
    await staff.waitFor(() => staff.events.some((e) => e.id === incidentB), 'B’s incident at the analyst');
    await readerB.waitFor(() => readerB.events.some((e) => e.id === incidentB), 'B’s incident at B');
    const created = staff.events.find((e) => e.id === incidentB)!;
    expect(created).toMatchObject({ type: 'incident.created', subscriber: { id: b.orgId, name: 'B株式会社' }, priority: 'P1', status: 'new', alertCount: 3, customerAcknowledgedAt: null });

    // A's own incident comes after B's: once A has it, B's had its chance and did not come.
    platform.clock.advance(1000);
    const incidentA = await incidentOf(a, scanAlert, 1);
    await readerA.waitFor(() => readerA.events.some((e) => e.id === incidentA), 'A’s incident at A');
    await staff.waitFor(() => staff.events.some((e) => e.id === incidentA), 'A’s incident at the analyst');
    expect(readerA.events.map((e) => e.subscriber.id)).toEqual([a.orgId]);
    expect(readerB.events.every((e) => e.subscriber.id === b.orgId)).toBe(true);
    expect(readerB.events.some((e) => e.id === incidentA)).toBe(false);

    // An update: more alerts of B's key, then the analyst's triage and B's acknowledgement.
    platform.clock.advance(1000);
    await incidentOf(b);
    await readerB.waitFor(() => readerB.events.some((e) => e.id === incidentB && e.type === 'incident.updated' && e.alertCount === 6), 'the new alert count');
    platform.clock.advance(1000);
    const transition = await platform.request(analyst, 'POST', `/api/v1/incidents/${incidentB}/transition`, { to: 'acknowledged' });
    expect(transition.statusCode).toBe(200);
    await staff.waitFor(() => staff.events.some((e) => e.id === incidentB && e.status === 'acknowledged'), 'the status change');
    platform.clock.advance(1000);
    expect((await platform.request(b.admin, 'POST', `/api/v1/incidents/${incidentB}/acknowledge`)).statusCode).toBe(200);
    await readerB.waitFor(() => readerB.events.some((e) => e.id === incidentB && e.customerAcknowledgedAt !== null), 'the customer’s acknowledgement');
    expect(readerA.events.some((e) => e.subscriber.id === b.orgId)).toBe(false);
    // Each change once: the look-back re-reads rows, but what was sent is not sent again.
    const sentB = staff.events.filter((e) => e.id === incidentB);
    expect(new Set(sentB.map((e) => JSON.stringify(e))).size).toBe(sentB.length);

    for (const r of [staff, readerA, readerB]) r.close();
    await staff.waitFor(() => services.liveEvents.openStreams === 0, 'the server to forget closed streams');
  });

  it('keeps the stream open with heartbeat comments and ends it when the session ends', async () => {
    const session = await platform.signIn('a@live.example');
    const reader = await open(baseUrl, session);
    await reader.waitFor(() => reader.comments.filter((c) => c.startsWith('heartbeat')).length >= 2, 'two heartbeats', HEARTBEAT_MS * 15);
    expect((await platform.request(session, 'POST', '/api/v1/auth/logout')).statusCode).toBeLessThan(300);
    await reader.waitFor(() => reader.ended, 'the stream to end after sign-out', HEARTBEAT_MS * 15);
    await reader.waitFor(() => services.liveEvents.openStreams === 0, 'the stream to be forgotten');
  });

  it('refuses strangers and bounds the streams per user', async () => {
    const anonymous = await open(baseUrl, null);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).error.code).toBe('unauthenticated');

    const readers = [await open(baseUrl, b.admin), await open(baseUrl, b.admin), await open(baseUrl, b.admin)];
    expect(readers.map((r) => r.status)).toEqual([200, 200, 200]);
    const fourth = await open(baseUrl, b.admin);
    expect(fourth.status).toBe(429);
    expect(JSON.parse(fourth.body).error.code).toBe('too_many_requests');
    // Another user is not affected; a closed stream frees its place.
    const other = await open(baseUrl, a.admin);
    expect(other.status).toBe(200);
    readers[0]!.close();
    await other.waitFor(() => services.liveEvents.openStreams === 3, 'the closed stream to be forgotten');
    const again = await open(baseUrl, b.admin);
    expect(again.status).toBe(200);
    for (const r of [...readers, other, again]) r.close();
    await other.waitFor(() => services.liveEvents.openStreams === 0, 'every stream to be forgotten');
  });

  it('the queue says whether, when and how the subscriber acknowledged (mail link or portal), and by whom', async () => {
    const context = { scope: opScope(operatorId), ip: null, requestId: 'setup' };
    await writer.notifications.createContact(context, a.orgId, { role: 'primary', name: 'A担当 一郎', email: 'ichiro@a.example', phone: null, locale: 'ja', channels: ['email'] });
    platform.clock.advance(60_000);
    const incident = await incidentOf(a);
    const staff = await open(baseUrl, analyst);
    await writer.notifications.tick();
    const mail = (await writer.outbox.list({ kind: 'organization', organizationId: a.orgId }, { limit: 20 })).find((m) => m.to === 'ichiro@a.example');
    const token = /\/ack\/(\S+)/.exec(mail?.text ?? '')?.[1];
    expect(token, 'the mail carries the acknowledgement link').toBeDefined();
    platform.clock.advance(60_000);
    const pressed = await app.inject({ method: 'POST', url: `/ack/${token}`, headers: { 'content-type': 'text/plain' }, payload: '' });
    expect(pressed.statusCode).toBe(200);
    // The acknowledgement changes no incident row, and still comes live.
    await staff.waitFor(() => staff.events.some((e) => e.id === incident && e.customerAcknowledgedAt === platform.clock.now().toISOString()), 'the mail-link acknowledgement');
    staff.close();
    await staff.waitFor(() => services.liveEvents.openStreams === 0, 'the stream to be forgotten');

    const queue = await platform.request(analyst, 'GET', '/api/v1/incidents?limit=200');
    expect(queue.statusCode).toBe(200);
    const items = queue.json().items as Array<{ id: string; organizationId: string; customerAcknowledgement: unknown }>;
    expect(items.find((i) => i.id === incident)!.customerAcknowledgement).toEqual({ at: platform.clock.now().toISOString(), via: 'mail_link', by: 'A担当 一郎' });
    // B acknowledged in the portal in the first test; B's other incidents are not acknowledged.
    const ofB = items.filter((i) => i.organizationId === b.orgId);
    expect(ofB.map((i) => i.customerAcknowledgement).filter(Boolean)).toEqual([expect.objectContaining({ via: 'portal', by: 'b@live.example' })]);
    // A's own people see A's acknowledgement and nothing of B.
    const mine = (await platform.request(a.admin, 'GET', '/api/v1/incidents?limit=200')).json().items as typeof items;
    expect(mine.every((i) => i.organizationId === a.orgId)).toBe(true);
    expect(mine.find((i) => i.id === incident)!.customerAcknowledgement).toMatchObject({ via: 'mail_link' });
  });

  it('drops a reader that does not keep up, and ends every stream when the server closes', async () => {
    // A sink that refuses more: the hub lets it go instead of buffering for it.
    let ended = false;
    const sink: LiveSink = { write: () => false, end: () => (ended = true) };
    services.liveEvents.admit(opScope(operatorId))({ scope: opScope(operatorId), sink, stillValid: async () => true });
    expect(ended).toBe(true);
    expect(services.liveEvents.openStreams).toBe(0);

    const reader = await open(baseUrl, analyst);
    await reader.waitFor(() => reader.comments.includes('connected'), 'the stream');
    const started = Date.now();
    const closing = app.close();
    await reader.waitFor(() => reader.ended, 'the stream to end on close', 3000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(services.liveEvents.openStreams).toBe(0);
    await closing;
    // A closed server takes no new streams.
    expect(() => services.liveEvents.admit(opScope(operatorId))).toThrow(/shutting down/);
  });
});
