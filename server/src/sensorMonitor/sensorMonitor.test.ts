import type { SensorHeartbeat } from '@otasuke/shared';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../mail/outboxWorker.ts';
import { SmtpMailer } from '../mail/smtpMailer.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/testSmtpServer.ts';
import { startTestPlatform, type TestPlatform } from '../testing/testPlatform.ts';
import { problemsOf } from './sensorProblems.ts';

const MINUTE = 60_000;
const cli = { scope: null, ip: null, requestId: 'setup' };

describe('problemsOf', () => {
  const now = new Date('2026-04-01T00:00:00Z');
  const healthy = { lastHeardAt: new Date(now.getTime() - MINUTE), recentDropRates: [0, 0.01, 0.02], bundleVersion: 'v2', latestBundle: { version: 'v2', builtAt: new Date(now.getTime() - 86_400_000 * 3) } };
  it('finds nothing wrong with a sensor heard a minute ago, dropping little, on the latest bundle', () => {
    expect(problemsOf(healthy, now)).toEqual([]);
  });
  it('calls a sensor silent from 10 minutes without a heartbeat', () => {
    expect(problemsOf({ ...healthy, lastHeardAt: new Date(now.getTime() - 10 * MINUTE + 1) }, now)).toEqual([]);
    expect(problemsOf({ ...healthy, lastHeardAt: new Date(now.getTime() - 10 * MINUTE) }, now)).toEqual(['sensor_silent']);
  });
  it('reports drops only when each of the last 3 samples lost more than 5 %', () => {
    expect(problemsOf({ ...healthy, recentDropRates: [0.06, 0.07, 0.08] }, now)).toEqual(['sensor_drops']);
    expect(problemsOf({ ...healthy, recentDropRates: [0.06, 0.04, 0.08] }, now)).toEqual([]);
    expect(problemsOf({ ...healthy, recentDropRates: [0.2, 0.3] }, now)).toEqual([]);
  });
  it('reports an old bundle only 24 h after a newer one was built', () => {
    const newer = { version: 'v3', builtAt: new Date(now.getTime() - 24 * 60 * MINUTE) };
    expect(problemsOf({ ...healthy, latestBundle: newer }, now)).toEqual([]);
    expect(problemsOf({ ...healthy, latestBundle: { ...newer, builtAt: new Date(newer.builtAt.getTime() - 1) } }, now)).toEqual(['sensor_old_bundle']);
    expect(problemsOf({ ...healthy, bundleVersion: null, latestBundle: { ...newer, builtAt: new Date(0) } }, now)).toEqual([]);
  });
});

describe(`sensor monitor (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let smtp: TestSmtpServer;
  let mailer: SmtpMailer;
  let worker: OutboxWorker;
  let organizationId: string;
  let sensorId: string;
  let packetsTotal = 0;
  const heartbeat = (dropRate = 0): SensorHeartbeat => ({
    sentAt: platform.clock.now().toISOString(), agentVersion: '0.1.0', bundleVersion: null, uptimeSec: 60, packetsPerSec: 100, packetsTotal: (packetsTotal += 12_500),
    dropsTotal: 0, dropRate, cpuPercent: 5, memoryBytes: 1e8, diskFreeBytes: 1e9, spoolBacklogEvents: 0, spoolBacklogBytes: 0, spoolDropped: 0,
  });
  const beat = (dropRate = 0) => platform.services.sensorHealth.heartbeat({ sensorId, organizationId } as never, heartbeat(dropRate));
  const incidentsOfSensor = async () =>
    (await sql<{ id: string; kind: string; explain: string; status: string; priority: string }>`select id, kind, explain, status, priority from incidents where sensor_id = ${sensorId} order by created_at`.execute(platform.database.db)).rows;

  beforeAll(async () => {
    platform = await startTestPlatform();
    smtp = await startTestSmtpServer();
    mailer = new SmtpMailer(smtp.url, { timeoutMs: 10_000 });
    worker = new OutboxWorker({ repository: platform.services.outbox, mailer, clock: platform.clock, from: 'お助け隊 <no-reply@otasuke.example>' });
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    const opScope = { userId: null, tokenId: null, sessionId: null, organizationId: operatorId, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    organizationId = await platform.createOrganization({ kind: 'subscriber', name: '山田商店', membership: 'member' });
    const site = await platform.services.organizations.createSite({ ...cli, scope: opScope }, organizationId, { name: '本社' });
    sensorId = (await platform.services.organizations.createSensor({ ...cli, scope: opScope }, site.id, { name: '本社センサー' })).id;
    await sql`update sensors set status = 'active', enrolled_at = ${platform.clock.now()} where id = ${sensorId}`.execute(platform.database.db);
    await platform.services.notifications.createContact({ ...cli, scope: opScope }, organizationId, { role: 'primary', name: '山田 太郎', email: 'yamada@example.jp', phone: null, locale: 'ja', channels: ['email'] });
    await platform.services.notifications.createContact({ ...cli, scope: opScope }, organizationId, { role: 'backup', name: '山田 花子', email: 'hanako@example.jp', phone: null, locale: 'ja', channels: ['email'] });
  });
  afterAll(async () => {
    await mailer?.close();
    await smtp?.close();
    await platform?.close();
  });

  it('opens one operational incident after 10 silent minutes, tells the subscriber once, and resolves it on recovery', async () => {
    await beat();
    platform.clock.advance(9 * MINUTE);
    expect(await platform.services.sensorMonitor.check()).toEqual({ opened: [], resolved: [] });
    platform.clock.advance(MINUTE);
    const { opened } = await platform.services.sensorMonitor.check();
    expect(opened).toHaveLength(1);
    expect(await incidentsOfSensor()).toEqual([{ id: opened[0], kind: 'sensor_health', explain: 'sensor_silent', status: 'new', priority: 'P2' }]);

    // Still silent: no second incident, and the subscriber is told once (no reminders, no escalation).
    for (let i = 0; i < 6; i++) {
      await platform.services.notifications.tick();
      platform.clock.advance(30 * MINUTE);
      expect((await platform.services.sensorMonitor.check()).opened).toEqual([]);
    }
    await worker.runOnce();
    expect(smtp.received.map((m) => m.to)).toEqual([['yamada@example.jp']]);
    const mail = await simpleParser(smtp.received[0]!.raw);
    expect(mail.subject).toMatch(/^【お助け隊】/);
    expect(mail.text).toContain('山田 太郎 様');
    expect(await incidentsOfSensor()).toHaveLength(1);

    // The sensor speaks again: the incident is resolved by the monitor, with a timeline entry.
    await beat();
    expect(await platform.services.sensorMonitor.check()).toEqual({ opened: [], resolved: opened });
    const [incident] = await incidentsOfSensor();
    expect(incident).toMatchObject({ status: 'resolved' });
    const events = (await sql<{ kind: string; details: Record<string, unknown> }>`select kind, details from incident_events where incident_id = ${opened[0]} order by id`.execute(platform.database.db)).rows;
    expect(events.map((e) => e.kind)).toEqual(['opened', 'customer_notification', 'status_changed']);
    // Opened and resolved through the incident core, like a correlated incident: its key and priority in the timeline.
    expect(events[0]!.details).toMatchObject({ dedupKey: `sensor-monitor:${sensorId}:sensor_silent`, priority: 'P2', alertCount: 0, by: 'sensor_monitor', problem: 'sensor_silent' });
    expect(events[2]!.details).toMatchObject({ to: 'resolved', resolution: 'benign', by: 'sensor_monitor', reason: 'the sensor recovered' });
  });

  it('opens a drops incident after 3 samples above 5 % and resolves it when drops fall', async () => {
    for (const rate of [0.08, 0.1, 0.12]) {
      platform.clock.advance(MINUTE);
      await beat(rate);
    }
    const { opened } = await platform.services.sensorMonitor.check();
    expect(opened).toHaveLength(1);
    expect((await incidentsOfSensor()).at(-1)).toMatchObject({ explain: 'sensor_drops', status: 'new' });
    platform.clock.advance(MINUTE);
    await beat(0.01);
    expect((await platform.services.sensorMonitor.check()).resolved).toEqual(opened);
  });

  it('sends the monthly all-quiet message to the primary contact once: packets watched, detections, nothing needs you', async () => {
    // Sensor problems are operational, not the customer's incidents: April stays quiet.
    expect(await platform.services.notifications.sendQuietMonth('2026-04')).toEqual({ sent: 1 });
    expect(await platform.services.notifications.sendQuietMonth('2026-04')).toEqual({ sent: 0 });
    await worker.runOnce();
    const last = smtp.received.at(-1)!;
    expect(last.to).toEqual(['yamada@example.jp']);
    const mail = await simpleParser(last.raw);
    expect(mail.subject).toBe('【お助け隊】2026年4月の見守り報告：対応が必要なことはありませんでした');
    // Six heartbeats, 12,500 packets apart: the counter grew by 62,500 between the first and the last.
    expect(mail.text).toContain('・見守った通信: 62,500 パケット');
    expect(mail.text).toContain('・記録した検知: 0 件');
  });
});
