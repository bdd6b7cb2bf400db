/**
 * The live event stream over a real HTTP connection (Node's fetch reading `text/event-stream`):
 * who gets which incident (operator staff every tenant, a subscriber only its own — A never B's),
 * created / updated / acknowledged events, heartbeats, the per-user bound, the end of a stream when
 * its session ends or the server closes. The incidents are written by services of their own over the
 * same database — as a `otasuke worker` in another process would — never through the hub.
 */
import type { LiveIncidentEvent } from '@otasuke/shared';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessScope } from '../access/accessScope.ts';
import { buildApp } from '../http/app.ts';
import { c2Alert, insertAlertSeries, scanAlert } from '../incidents/alertFixtures.ts';
import { createServices, type AppServices } from '../services.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import type { LiveSink } from './liveEventHub.ts';

const HEARTBEAT_MS = 400;

interface Tenant {
  orgId: string;
  siteId: string;
  sensorId: string;
  admin: Session;
}

/** One open stream: its events and comment lines as they arrive. */
interface Reader {
  status: number;
  events: LiveIncidentEvent[];
  comments: string[];
  ended: boolean;
  body: string;
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

async function open(baseUrl: string, session: Session | null, headers: Record<string, string> = {}): Promise<Reader> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/api/v1/events`, { headers: { accept: 'text/event-stream', ...(session ? { cookie: session.cookie } : {}), ...headers }, signal: abort.signal });
  const reader: Reader = {
    status: response.status,
    events: [],
    comments: [],
    ended: false,
    body: '',
    async waitFor(predicate, what, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(reader.events)} ${reader.comments.length} comments, ended ${reader.ended}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => abort.abort(),
  };
  if (response.status !== 200 || !response.body) {
    reader.body = await response.text();
    reader.ended = true;
    return reader;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let type = '';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) reader.comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) {
            const event = JSON.parse(data) as LiveIncidentEvent;
            expect(event.type).toBe(type);
            reader.events.push(event);
          }
        }
      }
    } catch {
      // aborted by the test
    }
    reader.ended = true;
  })();
  return reader;
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
    await reader.waitFor(() => reader.comments.filter((c) => c.startsWith('heartbeat')).length >= 2, 'two heartbeats', HEARTBEAT_MS * 6);
    expect((await platform.request(session, 'POST', '/api/v1/auth/logout')).statusCode).toBeLessThan(300);
    await reader.waitFor(() => reader.ended, 'the stream to end after sign-out', HEARTBEAT_MS * 6);
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
    expect(Date.now() - started).toBeLessThan(1000);
    expect(services.liveEvents.openStreams).toBe(0);
    await closing;
    // A closed server takes no new streams.
    expect(() => services.liveEvents.admit(opScope(operatorId))).toThrow(/shutting down/);
  });
});
