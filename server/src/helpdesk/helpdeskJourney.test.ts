/**
 * The acceptance, end to end through the HTTP API on a real database (PGlite, or
 * PostgreSQL with OTASUKE_TEST_DATABASE_URL): an incident → the subscriber presses help → a ticket
 * with context → the agent replies (the mail arrives over SMTP with its Japanese intact) → a dispatch
 * to the nearest capable vendor, who declines; the next accepts, reports, the customer signs off →
 * a claim with the evidence pack (unzipped and read here) → the insurer approves. Also: mail in
 * three Japanese encodings becomes tickets and replies become comments; remote support needs consent;
 * an unanswered offer expires to the next vendor.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { simpleParser } from 'mailparser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { c2Alert, insertAlertSeries } from '../incidents/alertFixtures.ts';
import { OutboxWorker } from '../mail/outboxWorker.ts';
import { SmtpMailer } from '../mail/smtpMailer.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/testSmtpServer.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { startInboundMailListener } from './inboundMailListener.ts';
import { japaneseMail } from './japaneseMailFixture.ts';

const cli = { scope: null, ip: null, requestId: 'setup' };
const TRICKY = '〜①髙ｶﾀｶﾅ';

let platform: TestPlatform;
let smtp: TestSmtpServer;
let desk: Session;
let opAdmin: Session;
let customer: Session;
let vendorNear: Session;
let vendorPrefecture: Session;
let vendorFar: Session;
let insurer: Session;
let otherInsurer: Session;
const ids = { org: '', site: '', incident: '', policy: '', insurer: '', near: '', prefecture: '', far: '', noSkill: '', ticket: '', ticketNumber: '', job: '', claim: '' };

async function vendor(name: string, email: string, areas: Array<{ prefecture: string; city: string | null }>, skills: string[]) {
  const id = await platform.createOrganization({ kind: 'vendor', name });
  await platform.createUser(id, 'vendor_staff', email);
  const response = await platform.request(opAdmin, 'PUT', `/api/v1/vendors/${id}`, {
    companyName: name, areas, skills, businessHours: '平日 9:00–18:00', hourlyRateYen: 8000, callOutFeeYen: 5000, capacity: 2,
    contactName: '担当者', contactEmail: email, contactPhone: '06-1111-2222',
  });
  expect(response.statusCode, response.body).toBe(200);
  return id;
}

async function deliverMail() {
  const worker = new OutboxWorker({ repository: platform.services.outbox, mailer: new SmtpMailer(smtp.url, { timeoutMs: 10_000 }), clock: platform.clock, from: 'soudan@otasuke.example' });
  await worker.runOnce();
}

beforeAll(async () => {
  platform = await startTestPlatform();
  smtp = await startTestSmtpServer();
  const operator = await platform.createOrganization({ kind: 'operator', name: '運営' });
  await platform.createUser(operator, 'helpdesk', 'desk@otasuke.example');
  await platform.createUser(operator, 'operator_admin', 'admin@otasuke.example');
  desk = await platform.signIn('desk@otasuke.example');
  opAdmin = await platform.signIn('admin@otasuke.example');

  ids.org = await platform.createOrganization({ kind: 'subscriber', name: '梅田商店株式会社', membership: 'member', prefecture: '大阪府', city: '大阪市北区' });
  const admin = await platform.createUser(ids.org, 'subscriber_admin', 'owner@umeda.example');
  const scope = { userId: admin, tokenId: null, sessionId: null, organizationId: ids.org, organizationKind: 'subscriber' as const, role: 'subscriber_admin' as const };
  const site = await platform.services.organizations.createSite({ ...cli, scope }, ids.org, { name: '本店', address: '大阪市北区梅田1-1-1', postalCode: '530-0001' });
  ids.site = site.id;
  const sensor = await platform.services.organizations.createSensor({ ...cli, scope }, site.id, { name: '本店センサー' });
  await platform.services.contracts.create(cli, { organizationId: ids.org, planCode: 'member', startDate: '2026-03-01' });
  await sql`insert into sensor_heartbeats (sensor_id, organization_id, received_at, sent_at, agent_version, uptime_sec, packets_per_sec, packets_total, drops_total, drop_rate, cpu_percent, memory_bytes, disk_free_bytes, spool_backlog_events, spool_backlog_bytes, spool_dropped)
    values (${sensor.id}, ${ids.org}, ${platform.clock.now()}, ${platform.clock.now()}, '1.0.0', 3600, 120, 432000, 0, 0.001, 12, 300000000, 8000000000, 0, 0, 0)`.execute(platform.database.db);
  const alerts = await insertAlertSeries(platform.database.db, { organizationId: ids.org, siteId: site.id, sensorId: sensor.id, firstSeq: 1, count: 2, start: new Date(platform.clock.now().getTime() - 3_600_000), stepMs: 1000, alert: c2Alert });
  ids.incident = (await platform.services.incidents.correlate(alerts)).incidents[0]!;
  customer = await platform.signIn('owner@umeda.example');

  // The policy approval created (applications/), with its insurer and coverage set by the operator.
  ids.insurer = await platform.createOrganization({ kind: 'insurer', name: 'お助け損害保険株式会社' });
  await platform.createUser(ids.insurer, 'insurer_staff', 'claims@insurer.example');
  const rival = await platform.createOrganization({ kind: 'insurer', name: '別の保険会社' });
  await platform.createUser(rival, 'insurer_staff', 'claims@rival.example');
  ids.policy = (await sql<{ id: string }>`insert into insurance_policies (organization_id, policy_number, period_start) values (${ids.org}, 'OT-2026-0001', '2026-03-01') returning id`.execute(platform.database.db)).rows[0]!.id;
  const policy = await platform.request(opAdmin, 'PUT', `/api/v1/insurance/policies/${ids.policy}`, {
    insurerOrganizationId: ids.insurer,
    coverage: [{ code: 'first_response', nameJa: '初動対応費用', limitYen: 300000 }, { code: 'onsite', nameJa: '駆け付け費用', limitYen: 100000 }],
  });
  expect(policy.statusCode, policy.body).toBe(200);
  insurer = await platform.signIn('claims@insurer.example');
  otherInsurer = await platform.signIn('claims@rival.example');

  ids.near = await vendor('北区パソコンサポート', 'near@vendor.example', [{ prefecture: '大阪府', city: '大阪市北区' }], ['pc_repair', 'network']);
  ids.prefecture = await vendor('大阪ITサービス', 'pref@vendor.example', [{ prefecture: '大阪府', city: null }], ['pc_repair']);
  ids.far = await vendor('京都ネット', 'far@vendor.example', [{ prefecture: '京都府', city: '京都市' }], ['pc_repair']);
  ids.noSkill = await vendor('北区配線工事', 'wiring@vendor.example', [{ prefecture: '大阪府', city: '大阪市北区' }], ['cabling']);
  vendorNear = await platform.signIn('near@vendor.example');
  vendorPrefecture = await platform.signIn('pref@vendor.example');
  vendorFar = await platform.signIn('far@vendor.example');
});

afterAll(async () => {
  await smtp?.close();
  await platform?.close();
});

describe('help desk → dispatch → insurance (issue #8 acceptance)', () => {
  it('opens a ticket with the subscriber’s context from the help button', async () => {
    const response = await platform.request(customer, 'POST', '/api/v1/helpdesk/help-requests', { subject: 'ウイルス感染の疑い', description: `パソコンの動きが重く、警告が出ました${TRICKY}`, category: 'security_incident', incidentId: ids.incident });
    expect(response.statusCode, response.body).toBe(200);
    const { ticket } = response.json();
    ids.ticket = ticket.id;
    ids.ticketNumber = ticket.number;
    // A security incident while a P1 incident is open: urgent (24/7 SLA calendar).
    expect(ticket).toMatchObject({ organizationId: ids.org, source: 'portal', status: 'new', priority: 'urgent', requesterEmail: 'owner@umeda.example', sla: { firstResponse: 'running', resolution: 'running' } });
    // The customer does not see the desk's context view; the desk does.
    expect(response.json().context).toBeNull();
    const staffView = (await platform.request(desk, 'GET', `/api/v1/helpdesk/tickets/${ids.ticket}`)).json();
    expect(staffView.context.openIncidents.map((i: { id: string }) => i.id)).toEqual([ids.incident]);
    expect(staffView.context.recentAlerts).toHaveLength(2);
    // The desk reads each alert as the owner does, with the rule's name beside it.
    expect(staffView.context.recentAlerts[0]).toMatchObject({
      signature: 'OTASUKE IOC known C2 server',
      title: { ja: 'パソコンが攻撃者のサーバーと通信しています', en: "A computer is talking to an attacker's server" },
    });
    expect(staffView.context.sensors).toEqual([expect.objectContaining({ name: '本店センサー', lastHeartbeatAt: platform.clock.now().toISOString(), dropRate: 0.001 })]);
    expect(staffView.context.contract).toEqual({ planCode: 'member', startDate: '2026-03-01', endDate: null });
  });

  it('keeps internal notes from the customer and mails the agent’s reply with its Japanese intact', async () => {
    expect((await platform.request(desk, 'POST', `/api/v1/helpdesk/tickets/${ids.ticket}/comments`, { visibility: 'internal', body: 'C2通信の疑い。駆け付けを手配する。' })).statusCode).toBe(200);
    const reply = await platform.request(desk, 'POST', `/api/v1/helpdesk/tickets/${ids.ticket}/comments`, { visibility: 'public', body: `該当のパソコンをネットワークから切り離してください${TRICKY}` });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().ticket).toMatchObject({ status: 'pending_customer', sla: { firstResponse: 'met' } });
    const customerView = (await platform.request(customer, 'GET', `/api/v1/helpdesk/tickets/${ids.ticket}`)).json();
    expect(customerView.comments.map((c: { visibility: string }) => c.visibility)).toEqual(['public']);
    await deliverMail();
    const sent = smtp.received.filter((m) => m.to.includes('owner@umeda.example'));
    expect(sent).toHaveLength(1);
    const parsed = await simpleParser(sent[0]!.raw);
    expect(parsed.subject).toBe(`【お助け隊】[#${ids.ticketNumber}] ウイルス感染の疑い`);
    expect(parsed.text).toContain(`該当のパソコンをネットワークから切り離してください${TRICKY}`);
    expect(parsed.text).not.toContain('C2通信の疑い');
  });

  it('turns the customer’s mailed answer into a comment on the ticket (Shift_JIS, via the SMTP listener)', async () => {
    const listener = await startInboundMailListener({ host: '127.0.0.1', port: 0, recipients: ['soudan@otasuke.example'], deliver: (raw) => platform.services.helpdesk.ingestInboundMail(raw) });
    try {
      const raw = japaneseMail({ charset: 'Shift_JIS', from: 'owner@umeda.example', subject: `Re: 【お助け隊】[#${ids.ticketNumber}] ウイルス感染の疑い`, body: `切り離しました～\n①LANケーブルを抜きました\n髙橋 ｶﾀｶﾅ\n\n2026年4月1日(水) 10:00 お助け隊 <soudan@otasuke.example>:\n> 前のメール\n`, messageId: 'answer.1@umeda.example' });
      await new SmtpMailer(`smtp://127.0.0.1:${listener.port}`, { timeoutMs: 10_000 }).send(raw, { from: 'owner@umeda.example', to: ['soudan@otasuke.example'] });
    } finally {
      await listener.close();
    }
    const view = (await platform.request(desk, 'GET', `/api/v1/helpdesk/tickets/${ids.ticket}`)).json();
    expect(view.ticket.status).toBe('open');
    expect(view.comments.at(-1)).toMatchObject({ source: 'email', visibility: 'public', authorEmail: 'owner@umeda.example', body: '切り離しました～\n①LANケーブルを抜きました\n髙橋 ｶﾀｶﾅ' });
  });

  it('starts remote support only after the customer consents', async () => {
    const session = (await platform.request(desk, 'POST', `/api/v1/helpdesk/tickets/${ids.ticket}/remote-sessions`)).json();
    const early = await platform.request(desk, 'POST', `/api/v1/helpdesk/remote-sessions/${session.id}/start`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain('同意する');
    const consent = (await platform.request(customer, 'POST', `/api/v1/helpdesk/remote-sessions/${session.id}/consent`)).json();
    expect(consent.consentAt).toBe(platform.clock.now().toISOString());
    expect((await platform.request(desk, 'POST', `/api/v1/helpdesk/remote-sessions/${session.id}/start`)).json().startedAt).not.toBeNull();
    const ended = (await platform.request(desk, 'POST', `/api/v1/helpdesk/remote-sessions/${session.id}/end`, { summary: '不審なプロセスを停止し、ログを保全した' })).json();
    expect(ended.summary).toBe('不審なプロセスを停止し、ログを保全した');
  });

  it('dispatches to the nearest capable vendor; a decline moves to the next, who reports; the customer signs off', async () => {
    const created = await platform.request(desk, 'POST', '/api/v1/dispatch/jobs', { ticketId: ids.ticket, incidentId: ids.incident, siteId: ids.site, skill: 'pc_repair', problem: '感染が疑われるPCの隔離と調査', contactName: '梅田 太郎', contactPhone: '06-1234-5678', offerMinutes: 60 });
    expect(created.statusCode, created.body).toBe(200);
    ids.job = created.json().id;
    const candidates = (await platform.request(desk, 'GET', `/api/v1/dispatch/jobs/${ids.job}/candidates`)).json();
    expect(candidates.map((c: { organizationId: string; match: string }) => [c.organizationId, c.match])).toEqual([[ids.near, 'city'], [ids.prefecture, 'prefecture']]);

    expect((await platform.request(desk, 'POST', `/api/v1/dispatch/jobs/${ids.job}/offer`)).json().status).toBe('offered');
    await deliverMail();
    const offerMail = smtp.received.find((m) => m.to.includes('near@vendor.example'));
    expect((await simpleParser(offerMail!.raw)).subject).toBe('【お助け隊】駆け付け依頼のご打診（大阪府大阪市北区・pc_repair）');
    // Only the offered vendor sees the job, and only what it needs.
    const seen = (await platform.request(vendorNear, 'GET', `/api/v1/dispatch/jobs/${ids.job}`)).json();
    expect(seen).toMatchObject({ address: '大阪市北区梅田1-1-1', contactName: '梅田 太郎', problem: '感染が疑われるPCの隔離と調査', organizationId: null, ticketId: null, incidentId: null, offers: null });
    expect(JSON.stringify(seen)).not.toContain(ids.org);
    expect((await platform.request(vendorFar, 'GET', `/api/v1/dispatch/jobs/${ids.job}`)).statusCode).toBe(404);
    expect((await platform.request(vendorPrefecture, 'POST', `/api/v1/dispatch/jobs/${ids.job}/accept`)).statusCode).toBe(404);

    expect((await platform.request(vendorNear, 'POST', `/api/v1/dispatch/jobs/${ids.job}/decline`, { reason: '本日は満員です' })).statusCode).toBe(200);
    expect((await platform.request(vendorNear, 'GET', `/api/v1/dispatch/jobs/${ids.job}`)).statusCode).toBe(404);
    const accepted = await platform.request(vendorPrefecture, 'POST', `/api/v1/dispatch/jobs/${ids.job}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'accepted', vendorOrganizationId: ids.prefecture });

    platform.clock.advance(45 * 60_000);
    expect((await platform.request(vendorPrefecture, 'POST', `/api/v1/dispatch/jobs/${ids.job}/arrival`, {})).json().status).toBe('on_site');
    const photo = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const withFile = await platform.request(vendorPrefecture, 'POST', `/api/v1/dispatch/jobs/${ids.job}/files`, { fileName: '作業写真.png', contentType: 'image/png', contentBase64: photo.toString('base64') });
    expect(withFile.json().files).toEqual([expect.objectContaining({ fileName: '作業写真.png', sizeBytes: 16 })]);
    const tooBig = await platform.request(vendorPrefecture, 'POST', `/api/v1/dispatch/jobs/${ids.job}/files`, { fileName: 'big.bin', contentType: 'application/octet-stream', contentBase64: Buffer.alloc(1024 * 1024 + 1).toString('base64') });
    expect(tooBig.statusCode).toBe(413);
    const report = await platform.request(vendorPrefecture, 'POST', `/api/v1/dispatch/jobs/${ids.job}/report`, { workDone: 'PCをLANから隔離し、ウイルススキャンを実施', minutesWorked: 90, costYen: 33000, report: '感染は1台のみ。再発防止策を説明済み。' });
    expect(report.json().status).toBe('reported');
    const signed = await platform.request(customer, 'POST', `/api/v1/dispatch/jobs/${ids.job}/sign-off`);
    expect(signed.json()).toMatchObject({ status: 'signed_off', costYen: 33000 });
  });

  it('files a claim with the evidence pack, seen only by its insurer, who approves it', async () => {
    const filed = await platform.request(customer, 'POST', '/api/v1/insurance/claims', { incidentId: ids.incident, description: 'マルウェア感染の初動対応と駆け付け費用', claimedAmountYen: 33000 });
    expect(filed.statusCode, filed.body).toBe(200);
    ids.claim = filed.json().id;
    expect(filed.json()).toMatchObject({ status: 'filed', policyNumber: 'OT-2026-0001', insurerOrganizationId: ids.insurer });

    expect((await platform.request(otherInsurer, 'GET', `/api/v1/insurance/claims/${ids.claim}`)).statusCode).toBe(404);
    expect((await platform.request(otherInsurer, 'GET', '/api/v1/insurance/claims')).json()).toEqual([]);
    expect((await platform.request(insurer, 'GET', '/api/v1/insurance/claims')).json().map((c: { id: string }) => c.id)).toEqual([ids.claim]);

    const pack = await platform.request(insurer, 'GET', `/api/v1/insurance/claims/${ids.claim}/evidence-pack`);
    expect(pack.statusCode).toBe(200);
    expect(pack.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(pack.rawPayload));
    expect(Object.keys(files)).toEqual(['manifest.json', 'summary.pdf', 'incident.json', 'timeline.json', 'alerts.json', 'notifications.json', 'tickets.json', 'dispatch.json']);
    const json = (name: string) => JSON.parse(strFromU8(files[name]!));
    expect(json('incident.json')).toMatchObject({ id: ids.incident, organizationId: ids.org, alertCount: 2 });
    expect(json('alerts.json').evidence).toHaveLength(2);
    expect(json('alerts.json').evidence[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json('tickets.json')).toEqual([expect.objectContaining({ number: ids.ticketNumber, subject: 'ウイルス感染の疑い' })]);
    expect(JSON.stringify(json('tickets.json'))).not.toContain('C2通信の疑い');
    expect(json('dispatch.json')).toMatchObject({ totalCostYen: 33000, visits: [{ vendor: '大阪ITサービス', minutesWorked: 90, costYen: 33000, status: 'signed_off' }] });
    expect(Array.isArray(json('notifications.json'))).toBe(true);
    expect(json('manifest.json').files.map((f: { name: string }) => f.name)).toEqual(['summary.pdf', 'incident.json', 'timeline.json', 'alerts.json', 'notifications.json', 'tickets.json', 'dispatch.json']);
    expect(strFromU8(files['summary.pdf']!.subarray(0, 5), true)).toBe('%PDF-');
    if (existsSync('/usr/bin/pdftotext')) {
      const dir = mkdtempSync(join(tmpdir(), 'claim-'));
      writeFileSync(join(dir, 'summary.pdf'), files['summary.pdf']!);
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'summary.pdf'), '-'], { encoding: 'utf8' });
      for (const expected of ['サイバー保険 保険金請求 概要', '梅田商店株式会社', 'OT-2026-0001', '大阪ITサービス', '33,000円']) expect(text).toContain(expected);
    } else {
      console.warn('pdftotext is not installed: the claim PDF text is not checked');
    }

    expect((await platform.request(insurer, 'POST', `/api/v1/insurance/claims/${ids.claim}/comments`, { body: '駆け付けの領収書はありますか。' })).statusCode).toBe(200);
    expect((await platform.request(customer, 'POST', `/api/v1/insurance/claims/${ids.claim}/comments`, { body: '作業写真と報告書が同梱されています。' })).json().comments).toHaveLength(2);
    expect((await platform.request(customer, 'POST', `/api/v1/insurance/claims/${ids.claim}/outcome`, { outcome: 'approved', paidAmountYen: 33000 })).statusCode).toBe(403);
    const decided = await platform.request(insurer, 'POST', `/api/v1/insurance/claims/${ids.claim}/outcome`, { outcome: 'approved', paidAmountYen: 33000, note: '全額お支払いします' });
    expect(decided.json()).toMatchObject({ status: 'approved', paidAmountYen: 33000 });
    expect((await platform.request(insurer, 'POST', `/api/v1/insurance/claims/${ids.claim}/outcome`, { outcome: 'denied', paidAmountYen: 0 })).statusCode).toBe(409);

    const actions = (await sql<{ action: string }>`select distinct action from audit_log order by action`.execute(platform.database.db)).rows.map((r) => r.action);
    for (const action of ['ticket.create', 'ticket.comment', 'remote_session.consent', 'dispatch.offer', 'dispatch.decline', 'dispatch.accept', 'dispatch.report', 'dispatch.sign_off', 'claim.file', 'claim.comment', 'claim.decide']) expect(actions).toContain(action);
  });

  it('rates the help once the ticket is closed', async () => {
    expect((await platform.request(customer, 'POST', `/api/v1/helpdesk/tickets/${ids.ticket}/satisfaction`, { rating: 5 })).statusCode).toBe(409);
    expect((await platform.request(desk, 'PATCH', `/api/v1/helpdesk/tickets/${ids.ticket}`, { status: 'closed' })).json().ticket.sla.resolution).toBe('met');
    expect((await platform.request(customer, 'POST', `/api/v1/helpdesk/tickets/${ids.ticket}/satisfaction`, { rating: 5, comment: '迅速な対応に感謝します' })).json().ticket.satisfaction).toBe(5);
  });
});

describe('inbound mail in three Japanese encodings', () => {
  it.each([
    ['UTF-8', '事務所のPCが重い〜①髙ｶﾀｶﾅ', '事務所のPCが重い〜①髙ｶﾀｶﾅ'],
    ['Shift_JIS', '事務所のPCが重い～①髙ｶﾀｶﾅ', '事務所のPCが重い～①髙ｶﾀｶﾅ'],
    ['ISO-2022-JP', '事務所のPCが重い〜 至急', '事務所のPCが重い〜 至急'],
  ] as const)('a %s mail from a known user becomes that subscriber’s ticket', async (charset, body, expected) => {
    const outcome = await platform.services.helpdesk.ingestInboundMail(japaneseMail({ charset, from: 'owner@umeda.example', subject: 'ウイルス感染の疑い', body: `${body}\n`, messageId: `new.${charset}@umeda.example` }));
    expect(outcome.kind).toBe('ticket');
    const { ticket } = (await platform.request(desk, 'GET', `/api/v1/helpdesk/tickets/${outcome.ticketId}`)).json();
    expect(ticket).toMatchObject({ organizationId: ids.org, source: 'email', subject: 'ウイルス感染の疑い', description: expected, requesterEmail: 'owner@umeda.example' });
  });

  it('leaves an unknown sender’s mail unassigned, and threads a reply by In-Reply-To', async () => {
    const first = await platform.services.helpdesk.ingestInboundMail(japaneseMail({ charset: 'ISO-2022-JP', from: 'stranger@unknown.example', subject: '見積もりの相談', body: 'サービスについて教えてください\n', messageId: 'q1@unknown.example' }));
    const { ticket } = (await platform.request(desk, 'GET', `/api/v1/helpdesk/tickets/${first.ticketId}`)).json();
    expect(ticket.organizationId).toBeNull();
    expect((await platform.request(customer, 'GET', `/api/v1/helpdesk/tickets/${first.ticketId}`)).statusCode).toBe(404);
    const second = await platform.services.helpdesk.ingestInboundMail(japaneseMail({ charset: 'UTF-8', from: 'stranger@unknown.example', subject: 'Re: 見積もりの相談', body: '追記です\n', messageId: 'q2@unknown.example', inReplyTo: 'q1@unknown.example' }));
    expect(second).toEqual({ kind: 'comment', ticketId: first.ticketId, number: first.number });
    // Someone else quoting the ticket tag opens a ticket of their own instead of writing into it.
    const spoof = await platform.services.helpdesk.ingestInboundMail(japaneseMail({ charset: 'UTF-8', from: 'other@evil.example', subject: `Re: [#${first.number}]`, body: '割り込み\n', messageId: 'x@evil.example' }));
    expect(spoof.kind).toBe('ticket');
  });
});

describe('offer deadline', () => {
  it('expires an unanswered offer and offers the job to the next vendor', async () => {
    const job = (await platform.request(desk, 'POST', '/api/v1/dispatch/jobs', { incidentId: ids.incident, siteId: ids.site, skill: 'pc_repair', problem: '再点検', contactName: '梅田 太郎', contactPhone: '06-1234-5678', offerMinutes: 30 })).json();
    await platform.request(desk, 'POST', `/api/v1/dispatch/jobs/${job.id}/offer`);
    platform.clock.advance(31 * 60_000);
    expect((await platform.request(vendorNear, 'POST', `/api/v1/dispatch/jobs/${job.id}/accept`)).statusCode).toBe(409);
    const view = (await platform.request(desk, 'GET', `/api/v1/dispatch/jobs/${job.id}`)).json();
    expect(view.offers.map((o: { vendorOrganizationId: string; status: string }) => [o.vendorOrganizationId, o.status])).toEqual([[ids.near, 'expired'], [ids.prefecture, 'pending']]);
    platform.clock.advance(31 * 60_000);
    expect((await platform.request(opAdmin, 'POST', '/api/v1/dispatch/expire-offers')).json()).toEqual({ expired: 1 });
    expect((await platform.request(desk, 'GET', `/api/v1/dispatch/jobs/${job.id}`)).json().status).toBe('unfilled');
  });
});

describe('SLA breach warnings', () => {
  it('lists a ticket nobody answered as warning at 80% of its business-hours span, then breached', async () => {
    platform.clock.set(new Date('2026-04-02T10:00:00+09:00')); // Thursday, open all day
    desk = await platform.signIn('desk@otasuke.example'); // yesterday's session went idle
    const { ticketId } = await platform.services.helpdesk.ingestInboundMail(japaneseMail({ charset: 'UTF-8', from: 'owner@umeda.example', subject: 'センサーのランプが赤い', body: '見てください\n', messageId: 'sla@umeda.example' }));
    const breaching = async () => (await platform.request(desk, 'GET', '/api/v1/helpdesk/tickets?slaBreaching=true')).json() as Array<{ id: string; sla: { firstResponse: string } }>;
    expect((await breaching()).find((t) => t.id === ticketId)).toBeUndefined();
    platform.clock.set(new Date('2026-04-02T13:15:00+09:00')); // 195 of 240 minutes gone
    expect((await breaching()).find((t) => t.id === ticketId)?.sla.firstResponse).toBe('warning');
    platform.clock.set(new Date('2026-04-02T14:01:00+09:00'));
    expect((await breaching()).find((t) => t.id === ticketId)?.sla.firstResponse).toBe('breached');
  });
});
