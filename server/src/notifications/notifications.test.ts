import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { incidentTitle } from '../explain/incidentText.ts';
import { c2Alert, insertAlertSeries } from '../incidents/alertFixtures.ts';
import { OutboxWorker } from '../mail/outboxWorker.ts';
import { SmtpMailer } from '../mail/smtpMailer.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/testSmtpServer.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { EmailChannel, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookChannel, webhookSignature } from './channels.ts';
import { NotificationRepository } from './notificationRepository.ts';
import { NotificationService } from './notificationService.ts';

const MINUTE = 60_000;
const cli = { scope: null, ip: null, requestId: 'setup' };

interface Org {
  id: string;
  siteId: string;
  sensorId: string;
}

describe(`notifications (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let smtp: TestSmtpServer;
  let mailer: SmtpMailer;
  let worker: OutboxWorker;
  let ownerA: Session;
  let analyst: Session;
  const orgs: Record<'a' | 'b', Org> = {} as never;
  let seq = 1;

  const series = async (org: 'a' | 'b', count: number, start: Date, stepMs = 10) => {
    const refs = await insertAlertSeries(platform.database.db, { organizationId: orgs[org].id, siteId: orgs[org].siteId, sensorId: orgs[org].sensorId, firstSeq: seq, count, start, stepMs, alert: c2Alert });
    seq += count;
    return (await platform.services.incidents.correlate(refs)).incidents[0]!;
  };
  /** Delivers the outbox to the SMTP server and answers the parsed mails of this round. */
  const deliver = async () => {
    const before = smtp.received.length;
    await worker.runOnce();
    return Promise.all(smtp.received.slice(before).map(async (m) => ({ to: m.to, mail: await simpleParser(m.raw) })));
  };
  const ackTokenOf = (text: string) => /\/ack\/([0-9a-f-]{36}\.[A-Za-z0-9_-]{43})/.exec(text)![1]!;
  const timeline = async (incidentId: string) =>
    (await sql<{ kind: string; details: Record<string, unknown> }>`select kind, details from incident_events where incident_id = ${incidentId} order by id`.execute(platform.database.db)).rows;

  beforeAll(async () => {
    platform = await startTestPlatform();
    smtp = await startTestSmtpServer();
    mailer = new SmtpMailer(smtp.url, { timeoutMs: 10_000 });
    worker = new OutboxWorker({ repository: platform.services.outbox, mailer, clock: platform.clock, from: 'お助け隊 <no-reply@otasuke.example>' });
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'analyst', 'analyst@notify.example');
    const opScope = { userId: null, tokenId: null, sessionId: null, organizationId: operatorId, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    for (const key of ['a', 'b'] as const) {
      const id = await platform.createOrganization({ kind: 'subscriber', name: key === 'a' ? '田中工務店' : '鈴木商店', membership: 'member' });
      const site = await platform.services.organizations.createSite({ ...cli, scope: opScope }, id, { name: '本社' });
      const sensor = await platform.services.organizations.createSensor({ ...cli, scope: opScope }, site.id, { name: 'sensor' });
      orgs[key] = { id, siteId: site.id, sensorId: sensor.id };
    }
    await platform.createUser(orgs.a.id, 'subscriber_admin', 'owner@a.example');
    ownerA = await platform.signIn('owner@a.example');
    analyst = await platform.signIn('analyst@notify.example');
    // A's owner registers the contacts through the API; B's are set by operator staff.
    expect((await platform.request(ownerA, 'POST', `/api/v1/organizations/${orgs.a.id}/notification-contacts`, { role: 'primary', name: '田中 一郎', email: 'tanaka@a.example' })).statusCode).toBe(201);
    expect((await platform.request(ownerA, 'POST', `/api/v1/organizations/${orgs.a.id}/notification-contacts`, { role: 'backup', name: '田中 花子', email: 'hanako@a.example', phone: '06-1234-5678' })).statusCode).toBe(201);
    expect((await platform.request(analyst, 'POST', `/api/v1/organizations/${orgs.b.id}/notification-contacts`, { role: 'primary', name: '鈴木 次郎', email: 'suzuki@b.example' })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await mailer?.close();
    await smtp?.close();
    await platform?.close();
  });
  beforeEach(async () => {
    await worker.runOnce();
    // The tests move the clock by days; sessions would have idled out.
    ownerA = await platform.signIn('owner@a.example');
    analyst = await platform.signIn('analyst@notify.example');
  });

  it('keeps contacts per tenant: A cannot read or add to B, a contact with the email channel needs an address', async () => {
    expect((await platform.request(ownerA, 'GET', `/api/v1/organizations/${orgs.b.id}/notification-contacts`)).statusCode).toBe(404);
    expect((await platform.request(ownerA, 'POST', `/api/v1/organizations/${orgs.b.id}/notification-contacts`, { role: 'primary', name: '乗っ取り', email: 'evil@a.example' })).statusCode).toBe(404);
    const bad = await platform.request(ownerA, 'POST', `/api/v1/organizations/${orgs.a.id}/notification-contacts`, { role: 'primary', name: '電話だけ' });
    expect(bad.statusCode).toBe(400);
    const mine = await platform.request(ownerA, 'GET', `/api/v1/organizations/${orgs.a.id}/notification-contacts`);
    expect(mine.json().map((c: { name: string; role: string }) => `${c.role}:${c.name}`)).toEqual(['primary:田中 一郎', 'backup:田中 花子']);
  });

  it('mails a P1 in Japanese, reminds every 30 min, escalates to the backup after 2 reminders, and stops when the link is followed', async () => {
    const start = platform.clock.now();
    const incidentId = await series('a', 3, new Date(start.getTime() - MINUTE));
    expect((await platform.request(analyst, 'GET', `/api/v1/incidents/${incidentId}`)).json().incident.priority).toBe('P1');

    expect(await platform.services.notifications.tick()).toEqual({ incidents: 1, messages: 1 });
    const first = await deliver();
    expect(first.map((m) => m.to)).toEqual([['tanaka@a.example']]);
    const mail = first[0]!.mail;
    expect(mail.subject).toMatch(/^【お助け隊】/);
    expect(mail.text).toContain('田中 一郎 様');
    expect(mail.text).toContain('お読みになったら、次のリンクを押してください（ログイン不要・7日間有効）');
    expect(mail.text).toContain('http://otasuke.test/ack/');
    const token = ackTokenOf(mail.text!);

    // Within the 30 minutes nothing more goes out.
    platform.clock.advance(29 * MINUTE);
    expect(await platform.services.notifications.tick()).toEqual({ incidents: 0, messages: 0 });
    platform.clock.advance(MINUTE);
    expect(await platform.services.notifications.tick()).toEqual({ incidents: 1, messages: 1 });
    const second = await deliver();
    expect(second.map((m) => m.to)).toEqual([['tanaka@a.example']]);
    expect(second[0]!.mail.subject).toMatch(/^【再送】【お助け隊】/);
    expect(second[0]!.mail.text).toContain('このお知らせは 2 回目です');

    platform.clock.advance(30 * MINUTE);
    expect(await platform.services.notifications.tick()).toEqual({ incidents: 1, messages: 2 });
    const third = await deliver();
    expect(third.map((m) => m.to[0]).sort()).toEqual(['hanako@a.example', 'tanaka@a.example']);
    const toBackup = third.find((m) => m.to[0] === 'hanako@a.example')!.mail;
    expect(toBackup.subject).toMatch(/^【至急・再送】/);
    expect(toBackup.text).toContain('予備の連絡先であるあなたにもお送りしています');

    // The backup follows the link of the first mail (still valid): acknowledged, in the timeline.
    platform.clock.advance(5 * MINUTE);
    // Opening the link (as a mail scanner would) only shows the button; nothing is acknowledged.
    const preview = await platform.app.inject({ method: 'GET', url: `/ack/${token}` });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('確認しました</button>');
    expect((await timeline(incidentId)).some((e) => e.kind === 'customer_acknowledged')).toBe(false);
    const page = await platform.app.inject({ method: 'POST', url: `/ack/${token}`, headers: { 'content-type': 'text/plain' }, payload: '' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('確認のご連絡を受け付けました');
    const ack = (await timeline(incidentId)).find((e) => e.kind === 'customer_acknowledged')!;
    expect(ack.details).toMatchObject({ via: 'mail_link', contactName: '田中 一郎', contactEmail: 'tanaka@a.example' });

    // After the acknowledgement: no more mail, however long nobody acts.
    for (let i = 0; i < 8; i++) {
      platform.clock.advance(30 * MINUTE);
      expect(await platform.services.notifications.tick()).toEqual({ incidents: 0, messages: 0 });
    }
    expect(await deliver()).toEqual([]);
    // The link works once.
    const again = await platform.app.inject({ method: 'POST', url: `/ack/${token}`, headers: { 'content-type': 'text/plain' }, payload: '' });
    expect(again.statusCode).toBe(410);
    expect((await platform.app.inject({ method: 'GET', url: `/ack/${token}` })).statusCode).toBe(410);
    expect(again.body).toContain('このリンクはすでに使われました');
    // Analysts see every send in the log.
    const log = (await platform.request(analyst, 'GET', `/api/v1/notification-log?incidentId=${incidentId}`)).json();
    expect(log.map((l: { purpose: string; target: string; status: string }) => `${l.purpose}:${l.target}:${l.status}`).sort()).toEqual([
      'escalation:hanako@a.example:queued',
      'escalation:tanaka@a.example:queued',
      'incident:tanaka@a.example:queued',
      'reminder:tanaka@a.example:queued',
    ]);
    expect((await platform.request(ownerA, 'GET', '/api/v1/notification-log')).statusCode).toBe(403);
  });

  it('refuses a token moved onto another incident or tenant, an expired token, and a made-up one', async () => {
    const start = platform.clock.now();
    const incidentA = await series('a', 2, new Date(start.getTime() - MINUTE));
    const incidentB = await series('b', 2, new Date(start.getTime() - MINUTE));
    await platform.services.notifications.tick();
    const mails = await deliver();
    const tokenA = ackTokenOf(mails.find((m) => m.to[0] === 'tanaka@a.example')!.mail.text!);
    const secret = tokenA.split('.')[1]!;
    for (const forged of [`${incidentB}.${secret}`, `${incidentA}.${'x'.repeat(43)}`, 'not-a-token']) {
      const page = await platform.app.inject({ method: 'GET', url: `/ack/${forged}` });
      expect(page.statusCode).toBe(404);
      expect(page.body).toContain('このリンクは使えません');
    }
    // A's owner cannot acknowledge B's incident in the console either.
    expect((await platform.request(ownerA, 'POST', `/api/v1/incidents/${incidentB}/acknowledge`)).statusCode).toBe(404);
    expect((await timeline(incidentB)).some((e) => e.kind === 'customer_acknowledged')).toBe(false);

    platform.clock.advance(7 * 24 * 60 * MINUTE + MINUTE);
    const expired = await platform.app.inject({ method: 'GET', url: `/ack/${tokenA}` });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('有効期限が切れています');
    // The console acknowledgement still works, once.
    ownerA = await platform.signIn('owner@a.example');
    const viaConsole = await platform.request(ownerA, 'POST', `/api/v1/incidents/${incidentA}/acknowledge`);
    expect(viaConsole.statusCode).toBe(200);
    expect(viaConsole.json().alreadyAcknowledged).toBe(false);
    expect((await platform.request(ownerA, 'POST', `/api/v1/incidents/${incidentA}/acknowledge`)).json().alreadyAcknowledged).toBe(true);
    await platform.request(analyst, 'POST', `/api/v1/incidents/${incidentB}/transition`, { to: 'resolved', resolution: 'benign' });
    await worker.runOnce();
  });

  it('bounds the mails of a flood: 10,000 alerts in one incident over an hour → one incident, one mail per 15 minutes at most', async () => {
    const start = platform.clock.now();
    const incidentId = await series('b', 1, new Date(start.getTime() - 1000));
    await platform.services.notifications.tick();
    // 10,000 more alerts arrive in 60 batches, one a minute; the notifier ticks each minute.
    for (let minute = 1; minute <= 60; minute++) {
      platform.clock.advance(MINUTE);
      const id = await series('b', minute <= 40 ? 167 : 166, new Date(platform.clock.now().getTime() - 30_000), 100);
      expect(id).toBe(incidentId);
      await platform.services.notifications.tick();
    }
    await worker.runOnce();
    await worker.runOnce();
    const sends = (await sql<{ purpose: string; target: string }>`select purpose, target from notification_log where incident_id = ${incidentId} order by id`.execute(platform.database.db)).rows;
    const count = (await platform.request(analyst, 'GET', `/api/v1/incidents/${incidentId}`)).json().incident.alertCount;
    expect(count).toBe(1 + 40 * 167 + 20 * 166);
    // The first mail, then one every 15 minutes with "+N more" (B has no backup contact).
    expect(sends.map((m) => `${m.purpose}:${m.target}`)).toEqual([
      'incident:suzuki@b.example',
      'reminder:suzuki@b.example',
      'escalation:suzuki@b.example',
      'escalation:suzuki@b.example',
      'escalation:suzuki@b.example',
    ]);
    // Other incidents of B (earlier tests) keep their own reminders going: pick this incident's mails
    // by the acknowledgement link they carry (the order of sends within one tick is not fixed).
    const mine = [];
    for (const m of smtp.received.filter((r) => r.to[0] === 'suzuki@b.example')) {
      const parsed = await simpleParser(m.raw);
      if (parsed.text?.includes(`/ack/${incidentId}.`)) mine.push(parsed);
    }
    expect(mine.at(-1)!.text).toMatch(/同じ件で新たに [\d,]+ 件の検知がありました/);
  }, 120_000);

  it('posts a signed webhook to a receiver the operator allowed, retrying after a failure', async () => {
    const bodies: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    let failures = 1;
    const receiver: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        if (failures-- > 0) {
          response.writeHead(503).end();
          return;
        }
        bodies.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const waits: number[] = [];
      const repository = new NotificationRepository(platform.database.db);
      const allowing = new NotificationService(repository, platform.services.audit, platform.clock, { publicUrl: 'http://otasuke.test' }, {
        email: new EmailChannel(platform.services.mail),
        webhook: new WebhookChannel({ allowInternal: true, sleep: async (ms) => void waits.push(ms), now: () => platform.clock.now() }),
      }, { allowInternalWebhooks: true });
      const context = { ...cli, scope: { userId: null, tokenId: null, sessionId: null, organizationId: orgs.a.id, organizationKind: 'subscriber' as const, role: 'subscriber_admin' as const } };
      const secret = 'a-long-shared-secret-1234';
      const hook = await allowing.createWebhook(context, orgs.a.id, { url, secret, enabled: true });
      const incidentId = await series('a', 2, new Date(platform.clock.now().getTime() - MINUTE));
      await allowing.tick();
      expect(bodies).toHaveLength(1);
      const { headers, body } = bodies[0]!;
      expect(headers[SIGNATURE_HEADER]).toBe(webhookSignature(secret, String(headers[TIMESTAMP_HEADER]), body));
      expect(JSON.parse(body)).toMatchObject({ purpose: 'incident', incidentId, organizationId: orgs.a.id, priority: 'P1', kind: 'c2_communication' });
      expect(waits).toEqual([0, 1000]);
      const log = await allowing.log(context.scope, { incidentId, limit: 10 });
      expect(log.find((l) => l.channel === 'webhook')).toMatchObject({ target: url, status: 'sent', attempts: 2, error: null });
      await allowing.deleteWebhook(context, hook.id);
      await worker.runOnce();
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('refuses webhook targets on metadata, loopback and private addresses unless the operator allows them', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://localhost:8080/hook', 'http://127.0.0.1/hook', 'http://10.1.2.3/hook', 'http://[::1]/hook', 'http://[fd00::1]/hook', 'http://[::ffff:192.168.0.1]/hook']) {
      const response = await platform.request(ownerA, 'POST', `/api/v1/organizations/${orgs.a.id}/notification-webhooks`, { url, secret: 'a-long-shared-secret-1234' });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.details.fields[0].field).toBe('body.url');
    }
    expect((await platform.request(ownerA, 'GET', `/api/v1/organizations/${orgs.a.id}/notification-webhooks`)).json()).toEqual([]);
  });

  it('collects P3 incidents into one Japanese daily digest for subscribers that asked for it, once a day', async () => {
    const HOUR = 60 * MINUTE;
    // A Japan day well after the other tests' clock moves: D 00:00 JST.
    const base = platform.clock.now().getTime() + 30 * 24 * HOUR;
    const dayStart = Math.floor((base + 9 * HOUR) / (24 * HOUR)) * 24 * HOUR - 9 * HOUR;
    const day = new Date(dayStart + 9 * HOUR).toISOString().slice(0, 10);
    platform.clock.set(new Date(dayStart + 10 * HOUR));
    ownerA = await platform.signIn('owner@a.example');

    expect((await platform.request(ownerA, 'GET', `/api/v1/organizations/${orgs.a.id}/notification-settings`)).json()).toEqual({ organizationId: orgs.a.id, dailyDigest: false, updatedAt: null });
    const turnedOn = await platform.request(ownerA, 'PUT', `/api/v1/organizations/${orgs.a.id}/notification-settings`, { dailyDigest: true });
    expect(turnedOn.statusCode, turnedOn.body).toBe(200);
    expect(turnedOn.json()).toMatchObject({ organizationId: orgs.a.id, dailyDigest: true });
    expect((await platform.request(ownerA, 'PUT', `/api/v1/organizations/${orgs.a.id}/notification-settings`, { dailyDigest: 'yes' })).statusCode).toBe(400);

    // Day D, 10:00 JST: two P3 incidents and a P4 for A, a P3 for B (B has no digest).
    const attack = { ...c2Alert, direction: 'inbound' as const, engine: 'rule' as const, explain: 'rule.web-application-attack', srcIp: '203.0.113.50', destIp: '192.168.1.10', destPort: 80, severity: 2, signature: 'ET WEB_SERVER attack', signatureId: 2_030_001 };
    const p3 = async (org: 'a' | 'b', count: number, over: Partial<typeof attack> = {}) => {
      const refs = await insertAlertSeries(platform.database.db, { organizationId: orgs[org].id, siteId: orgs[org].siteId, sensorId: orgs[org].sensorId, firstSeq: seq, count, start: new Date(dayStart + 10 * HOUR - MINUTE), stepMs: 1000, alert: { ...attack, ...over } });
      seq += count;
      return (await platform.services.incidents.correlate(refs)).incidents[0]!;
    };
    const first = await p3('a', 3);
    const second = await p3('a', 1, { destIp: '192.168.1.11', signatureId: 2_030_002 });
    const low = await p3('a', 1, { destIp: '192.168.1.12', signatureId: 2_030_003, severity: 3 });
    const otherTenant = await p3('b', 2);
    const priorities = (await sql<{ id: string; priority: string }>`select id, priority from incidents where id in (${first}, ${second}, ${low}, ${otherTenant})`.execute(platform.database.db)).rows;
    expect(Object.fromEntries(priorities.map((r) => [r.id, r.priority]))).toEqual({ [first]: 'P3', [second]: 'P3', [low]: 'P4', [otherTenant]: 'P3' });

    // Not mailed one by one.
    await platform.services.notifications.tick();
    const logged = async () => (await sql<{ purpose: string; target: string; incidentId: string | null }>`select purpose, target, incident_id from notification_log where purpose = 'digest' or incident_id in (${first}, ${second}, ${low}, ${otherTenant}) order by id`.execute(platform.database.db)).rows;
    expect(await logged()).toEqual([]);

    // Before 08:00 JST of the next day nothing goes out; from 08:00, one digest to A's primary contact.
    platform.clock.set(new Date(dayStart + 24 * HOUR + 7 * HOUR + 59 * MINUTE));
    const before = await platform.services.notifications.sendDailyDigests();
    platform.clock.set(new Date(dayStart + 24 * HOUR + 8 * HOUR));
    const due = await platform.services.notifications.sendDailyDigests();
    expect(before.sent + due.sent).toBe(1);
    expect(await platform.services.notifications.sendDailyDigests()).toEqual({ sent: 0 });
    const mails = (await deliver()).filter((m) => m.mail.subject?.includes('見守りまとめ'));
    expect(mails.map((m) => m.to)).toEqual([['tanaka@a.example']]);
    const [{ mail }] = mails as [(typeof mails)[number]];
    const d = new Date(`${day}T00:00:00Z`);
    const label = `${d.getUTCMonth() + 1}月${d.getUTCDate()}日（${'日月火水木金土'[d.getUTCDay()]}）`;
    expect(mail.subject).toBe(`【お助け隊】${label}の見守りまとめ：急ぎではないお知らせが2件あります`);
    expect(mail.text).toContain('田中 一郎 様');
    expect(mail.text).toContain(`・10:00 ${incidentTitle({ explain: 'rule.web-application-attack', insideHost: '192.168.1.10', peer: null, alertCount: 3 }, 'ja')}（3件）`);
    expect(mail.text).toContain(`・10:00 ${incidentTitle({ explain: 'rule.web-application-attack', insideHost: '192.168.1.11', peer: null, alertCount: 1 }, 'ja')}（1件）`);
    expect(mail.text).toContain('http://otasuke.test');
    expect(mail.text!.split('\n').filter((l) => l.startsWith('・'))).toHaveLength(2);
    expect(await logged()).toEqual([{ purpose: 'digest', target: 'tanaka@a.example', incidentId: null }]);
    expect((await timeline(first)).find((e) => e.kind === 'customer_notification')!.details).toEqual({ purpose: 'digest', day });
    expect((await timeline(low)).some((e) => e.kind === 'customer_notification')).toBe(false);

    // Turned off: the next day's P3 incidents wait for nobody's digest.
    ownerA = await platform.signIn('owner@a.example');
    expect((await platform.request(ownerA, 'PUT', `/api/v1/organizations/${orgs.a.id}/notification-settings`, { dailyDigest: false })).json()).toMatchObject({ dailyDigest: false });
    await p3('a', 1, { destIp: '192.168.1.13', signatureId: 2_030_004 });
    platform.clock.set(new Date(dayStart + 48 * HOUR + 9 * HOUR));
    expect(await platform.services.notifications.sendDailyDigests()).toEqual({ sent: 0 });
    const audit = await platform.database.db.selectFrom('auditLog').select('action').where('targetId', '=', orgs.a.id).where('action', '=', 'notification.settings_update').execute();
    expect(audit).toHaveLength(2);
  });
});
