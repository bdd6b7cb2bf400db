/**
 * Issue #6's acceptance, end to end: a real server (SMTP_URL → an in-process SMTP server, a
 * ManualClock so reminders come without waiting), a subscriber with a primary and a backup contact
 * registered through the API, a sensor enrolled with `otasuke sensor enroll`, the real agent over a
 * watched folder replaying a generated inbound port scan and a C2 beacon to a domain on the sensor's
 * IOC list → ingest → exactly one incident per real incident with its alert count (the C2 incident
 * holds the IOC hits and the beaconing alert) → a Japanese mail for the C2 incident, with an
 * acknowledgement link → a reminder, then the escalation to the backup, as time
 * advances → the link followed (GET shows the button, POST acknowledges) → `customer_acknowledged`
 * in the timeline and no more mail for that incident however many ticks.
 *
 * The captures are stamped just before the server's (manual) "now", so the incidents are current.
 * The server's rules dir is empty: detection is exactly the sensor's own rules and IOC list.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail, IncidentSummary, StoredAlert } from '@otasuke/shared';
import { startAgent, type RunningAgent } from '@otasuke/sensor/agent/agent';
import { loadAgentConfig } from '@otasuke/sensor/agent/agentConfig';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { c2BeaconCapture, DEMO_RULES, demoIocList, inboundPortScanCapture } from '../../src/demo/demoCaptures.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../src/mail/testSmtpServer.ts';
import { DEFAULT_NOTIFICATION_POLICY } from '../../src/notifications/notificationPolicy.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { bySid, dropCapture, until } from './sensorWorld.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliBin = join(repoRoot, 'cli/bin/otasuke.mjs');
const MINUTE = 60_000;
const HOME_NET = '[192.168.10.0/24]';
const cli = { scope: null, ip: '127.0.0.1', requestId: 'journey' };

function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliBin, ...args], { cwd: repoRoot, timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** PGlite in `dir`, or a scratch database on OTASUKE_TEST_DATABASE_URL (dropped afterwards). */
async function scratchDatabase(dir: string): Promise<{ flags: { databaseUrl: string } | { dataDir: string }; drop(): Promise<void> }> {
  const serverUrl = process.env.OTASUKE_TEST_DATABASE_URL;
  if (!serverUrl) return { flags: { dataDir: join(dir, 'server') }, drop: async () => {} };
  const name = `otasuke_journey_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    flags: { databaseUrl: url.toString() },
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

describe(`monitoring journey: capture → sensor → incidents → Japanese mail → acknowledgement (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let dir: string;
  let database: Awaited<ReturnType<typeof scratchDatabase>>;
  let smtp: TestSmtpServer;
  let server: RunningServer;
  let agent: RunningAgent | null = null;
  let token = '';
  let organizationId = '';
  let siteId = '';
  // The server's time: real "now" at the start, moved by hand afterwards.
  const clock = new ManualClock(new Date());

  const api = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(new URL(`/api/v1${path}`, server.url), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = async <T>(response: Response): Promise<T> => {
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  /** The mails received so far for one incident (its ack links carry the incident id). */
  const mailsOf = async (incidentId: string): Promise<Array<{ to: string[]; mail: ParsedMail; raw: string }>> => {
    const out = [];
    for (const m of smtp.received) {
      const mail = await simpleParser(m.raw);
      if (mail.text?.includes(`/ack/${incidentId}.`)) out.push({ to: m.to, mail, raw: m.raw.toString('latin1') });
    }
    return out;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otasuke-journey-'));
    database = await scratchDatabase(dir);
    smtp = await startTestSmtpServer();
    mkdirSync(join(dir, 'no-rules'));
    const port = await freePort();
    const config = loadConfig({
      env: { SMTP_URL: smtp.url, MAIL_CHARSET: 'iso-2022-jp' },
      flags: { port, host: '127.0.0.1', publicUrl: `http://127.0.0.1:${port}`, logLevel: 'silent', rulesDir: join(dir, 'no-rules'), ...database.flags },
    });
    server = await startServer(config, { clock, webDist: join(dir, 'no-web') });
    const operatorOrg = await server.services.organizations.create(cli, { kind: 'operator', name: '運営' });
    const userId = (await server.services.users.create(cli, { organizationId: operatorOrg.id, email: 'analyst@journey.otasuke.example', displayName: '運営 分析担当', role: 'operator_admin', locale: 'ja', password: 'correct horse battery staple' })).id;
    const scope = { userId, tokenId: null, sessionId: null, organizationId: operatorOrg.id, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    token = (await server.services.apiTokens.create({ ...cli, scope }, 'journey')).secret;
    organizationId = (await server.services.organizations.create(cli, { kind: 'subscriber', name: '株式会社なにわ精工', membership: 'member' })).id;
    siteId = (await server.services.organizations.createSite({ ...cli, scope }, organizationId, { name: '本社工場' })).id;
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await server?.close();
    await smtp?.close();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('turns a C2 beacon and an inbound scan into incidents with their counts, mails the C2 one in Japanese, reminds, escalates and stops once acknowledged', async () => {
    // The contacts, registered by the operator through the API before anything happens.
    for (const contact of [
      { role: 'primary', name: '大阪 一郎', email: 'ichiro@naniwa.example' },
      { role: 'backup', name: '大阪 花子', email: 'hanako@naniwa.example', phone: '06-1234-5678' },
    ]) {
      expect((await api('POST', `/organizations/${organizationId}/notification-contacts`, contact)).status).toBe(201);
    }

    // A sensor enrolled by `otasuke sensor enroll`, with the IOC list naming the C2 domain.
    const created = await api('POST', `/sites/${siteId}/enrollment-codes`, {});
    expect(created.status).toBe(201);
    const code = (await created.json()) as { code: string; sensorId: string };
    const dataDir = join(dir, 'sensor');
    const enrolled = await runCli(['sensor', 'enroll', '--server', server.url, '--code', code.code, '--data-dir', dataDir]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    writeFileSync(join(dataDir, 'journey.rules'), DEMO_RULES);
    writeFileSync(join(dataDir, 'journey-ioc.txt'), demoIocList());
    const configFile = join(dataDir, 'sensor.json');
    const settings = JSON.parse(readFileSync(configFile, 'utf8'));
    const watchDir = join(dataDir, 'incoming');
    mkdirSync(watchDir);
    writeFileSync(
      configFile,
      JSON.stringify({
        ...settings,
        capture: { ...settings.capture, watchDir, settleMs: 0, scanMs: 50 },
        detection: { homeNet: HOME_NET, rules: [join(dataDir, 'journey.rules')], iocFiles: [join(dataDir, 'journey-ioc.txt')] },
        spool: { ...settings.spool, fsyncIntervalMs: 20 },
        uplink: { batchMaxEvents: 10, batchMaxSeconds: 0.05, backoffMaxSeconds: 0.5, requestTimeoutSeconds: 5 },
        heartbeatSeconds: 1,
        rules: { ...settings.rules, pollSeconds: 3600 },
      }),
    );

    // The office's traffic of the last half hour: a scan from outside, then 12 beacons a minute apart.
    const t0 = Math.floor(clock.now().getTime() / 1000) - 30 * 60;
    dropCapture(watchDir, 'cap-0001.pcap', inboundPortScanCapture(t0));
    dropCapture(watchDir, 'cap-0002.pcap', c2BeaconCapture(t0 + 300));
    agent = await startAgent(loadAgentConfig({ configFile }), { log: () => {}, drainMs: 2000 });
    const expected = { 9100010: 1, 9200005: 12, 9100500: 1 };
    const alerts = async () => (await json<{ items: StoredAlert[] }>(await api('GET', `/alerts?sensor=${code.sensorId}&limit=1000`))).items;
    await until(async () => (await alerts()).length >= 14, 'the 14 alerts through ingest');
    await agent.stop();
    agent = null;
    expect(bySid(await alerts())).toEqual(expected);

    // One incident per real incident, with its count: the 12 IOC hits on the C2 domain and the
    // beaconing alert of the same PC to the same server are one C2 incident (13 alerts, P1); the scan
    // is the other (1 alert, P3).
    const incidents = (await json<{ items: IncidentSummary[] }>(await api('GET', `/incidents?organizationId=${organizationId}`))).items;
    expect(incidents.map((i) => ({ kind: i.kind, explain: i.explain, direction: i.direction, insideHost: i.insideHost, peer: i.peer, alertCount: i.alertCount, priority: i.priority }))).toEqual([
      { kind: 'c2_communication', explain: 'c2_communication', direction: 'outbound', insideHost: '192.168.10.21', peer: '198.51.100.66', alertCount: 13, priority: 'P1' },
      { kind: 'scan', explain: 'inbound_port_scan', direction: 'inbound', insideHost: '192.168.10.5', peer: '203.0.113.45', alertCount: 1, priority: 'P3' },
    ]);
    const [c2, scan] = incidents as [IncidentSummary, IncidentSummary];
    const c2Alerts = (await json<IncidentDetail>(await api('GET', `/incidents/${c2.id}`))).analysis!.alertGroups;
    expect(c2Alerts.map((g) => [g.signatureId, g.count]).sort()).toEqual([[9100500, 1], [9200005, 12]]);

    // The first mail, to the primary contact only, in Japanese, with the acknowledgement link.
    await server.services.notifications.tick();
    await until(async () => (await mailsOf(c2.id)).length === 1, 'the first mail at the SMTP server');
    const [first] = await mailsOf(c2.id);
    expect(first!.to).toEqual(['ichiro@naniwa.example']);
    expect(first!.raw).toMatch(/charset="?iso-2022-jp/i);
    expect(first!.mail.subject).toMatch(/^【お助け隊】/);
    expect(first!.mail.text).toContain('大阪 一郎 様');
    expect(first!.mail.text).toContain('社内の 192.168.10.21 が、攻撃者が操るサーバー（198.51.100.66）と通信していました（13件）。');
    expect(first!.mail.text).toContain('192.168.10.21 のLANケーブルを抜き、Wi-Fiを切ってください。');
    expect(first!.mail.text).toContain('身代金を要求されても払わないでください。');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/ack\/[0-9a-f-]{36}\.[A-Za-z0-9_-]{43})/.exec(first!.mail.text!)![1]!;
    expect(await mailsOf(scan.id)).toEqual([]);

    // Unacknowledged: a reminder after the repeat interval, then the escalation to the backup too.
    const repeat = DEFAULT_NOTIFICATION_POLICY.repeatMinutes * MINUTE;
    clock.advance(repeat);
    await server.services.notifications.tick();
    await until(async () => (await mailsOf(c2.id)).length === 2, 'the reminder');
    const reminder = (await mailsOf(c2.id))[1]!;
    expect(reminder.to).toEqual(['ichiro@naniwa.example']);
    expect(reminder.mail.subject).toMatch(/^【再送】【お助け隊】/);
    // The send after `escalateAfterRepeats` sends escalates: the reminders before it are one fewer.
    const reminders = DEFAULT_NOTIFICATION_POLICY.escalateAfterRepeats - 1;
    for (let n = 1; n < reminders; n++) {
      clock.advance(repeat);
      await server.services.notifications.tick();
    }
    clock.advance(repeat);
    await server.services.notifications.tick();
    await until(async () => (await mailsOf(c2.id)).some((m) => m.to[0] === 'hanako@naniwa.example'), 'the escalation to the backup');
    // Every send the server logged for the incident has arrived at the SMTP server.
    const sends = async () => (await json<Array<{ purpose: string; target: string }>>(await api('GET', `/notification-log?incidentId=${c2.id}`))).map((l) => `${l.purpose}:${l.target}`).sort();
    const logged = await sends();
    expect(logged).toEqual(
      [
        'incident:ichiro@naniwa.example',
        ...Array.from({ length: reminders }, () => 'reminder:ichiro@naniwa.example'),
        'escalation:ichiro@naniwa.example',
        'escalation:hanako@naniwa.example',
      ].sort(),
    );
    await until(async () => (await mailsOf(c2.id)).length === logged.length, 'every logged send delivered');
    const escalation = (await mailsOf(c2.id)).find((m) => m.to[0] === 'hanako@naniwa.example')!;
    expect(escalation.mail.subject).toMatch(/^【至急・再送】/);
    expect(escalation.mail.text).toContain('予備の連絡先であるあなたにもお送りしています');

    // The first mail's link: GET only shows the button, POST acknowledges.
    const preview = await fetch(link);
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('確認しました</button>');
    const timeline = async () => (await json<IncidentDetail>(await api('GET', `/incidents/${c2.id}`))).analysis!.timeline;
    expect((await timeline()).some((e) => e.kind === 'customer_acknowledged')).toBe(false);
    const acknowledged = await fetch(link, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' });
    expect(acknowledged.status).toBe(200);
    expect(await acknowledged.text()).toContain('確認のご連絡を受け付けました');
    expect((await timeline()).find((e) => e.kind === 'customer_acknowledged')!.details).toMatchObject({ via: 'mail_link', contactName: '大阪 一郎', contactEmail: 'ichiro@naniwa.example' });

    // Escalation stops: no more mail for this incident, however many ticks and hours.
    const sent = (await mailsOf(c2.id)).length;
    for (let i = 0; i < 10; i++) {
      clock.advance(repeat);
      await server.services.notifications.tick();
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect((await mailsOf(c2.id)).length).toBe(sent);
    expect(await sends()).toEqual(logged);
    // The link works once.
    expect((await fetch(link, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' })).status).toBe(410);
    expect(await mailsOf(scan.id)).toEqual([]);
  }, 90_000);
});
