import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccessScope } from '../access/accessScope.ts';
import { ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../db/testDatabase.ts';
import { NotFoundError } from '../http/errors.ts';
import { OrganizationRepository } from '../organizations/organizationRepository.ts';
import { MailService } from './mailService.ts';
import { OutboxRepository } from './outboxRepository.ts';
import { MAX_ATTEMPTS, OutboxWorker, type MailLogger } from './outboxWorker.ts';
import { SmtpMailer, type Mailer } from './smtpMailer.ts';
import { startTestSmtpServer, type TestSmtpServer } from './testSmtpServer.ts';

const from = 'お助け隊 <no-reply@otasuke.example>';
const subject = '【お助け隊】不審な通信を検知しました';
const text = [
  '田中工務店 ご担当者様',
  '',
  '本社のセンサーが不審な通信を検知しました。',
  '検知時刻: 2026-04-01 09:00（日本時間）',
  '宛先: 203.0.113.7:4444',
  '',
  'コンソールで詳細をご確認ください。',
  '',
].join('\n');
const MINUTE = 60_000;

let database: Database;
let smtp: TestSmtpServer;
let clock: ManualClock;
let repository: OutboxRepository;
let mailer: SmtpMailer;
let service: MailService;
let organizationId: string;
let otherOrganizationId: string;
const logged: { level: string; message: string; details: object }[] = [];
const logger: MailLogger = {
  info: (details, message) => logged.push({ level: 'info', message, details }),
  warn: (details, message) => logged.push({ level: 'warn', message, details }),
  error: (details, message) => logged.push({ level: 'error', message, details }),
};
const worker = (through: Mailer = mailer) => new OutboxWorker({ repository, mailer: through, clock, from, logger });
const workerWithoutMailer = () => new OutboxWorker({ repository, mailer: undefined, clock, from, logger });
const status = async (id: string) => repository.get(id, { kind: 'all' });

beforeAll(async () => {
  database = await openTestDatabase();
  smtp = await startTestSmtpServer();
  repository = new OutboxRepository(database.db);
  mailer = new SmtpMailer(smtp.url, { timeoutMs: 10_000 });
  const organizations = new OrganizationRepository(database.db);
  organizationId = (await organizations.create({ kind: 'subscriber', name: '田中工務店', membership: 'member' })).id;
  otherOrganizationId = (await organizations.create({ kind: 'subscriber', name: '鈴木商店', membership: 'member' })).id;
});
afterAll(async () => {
  await mailer?.close();
  await smtp?.close();
  await database?.close();
});
beforeEach(async () => {
  await database.db.deleteFrom('mailOutbox').execute();
  smtp.received.length = 0;
  smtp.delayMs = 0;
  logged.length = 0;
  clock = new ManualClock(new Date('2026-04-01T00:00:00.000Z'));
  service = new MailService(repository, clock, { charset: 'utf-8', logger });
});

describe('OutboxWorker with a real SMTP server', () => {
  it('sends a Japanese mail in UTF-8 that decodes to the original subject and text', async () => {
    const stored = await service.enqueue({ organizationId, to: 'tanaka@example.jp', subject, text });
    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0, retried: 0, held: 0 });
    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message!.from).toBe('no-reply@otasuke.example');
    expect(message!.to).toEqual(['tanaka@example.jp']);
    const parsed = await simpleParser(message!.raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toBe(text);
    expect(parsed.date).toEqual(clock.now());
    expect(parsed.messageId).toBe(`<${stored.id}@otasuke.example>`);
    expect(message!.raw.toString('latin1')).toContain('charset=utf-8');
    expect(await status(stored.id)).toMatchObject({ status: 'sent', attempts: 1, charset: 'utf-8', sentAt: clock.now().toISOString() });
  });

  it('sends ISO-2022-JP: charset=ISO-2022-JP, only 7-bit bytes, decoding to the originals', async () => {
    const stored = await service.enqueue({ organizationId, to: 'tanaka@example.jp', subject, text, charset: 'iso-2022-jp' });
    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0, retried: 0, held: 0 });
    const raw = smtp.received[0]!.raw;
    expect(raw.toString('latin1')).toContain('Content-Type: text/plain; charset=ISO-2022-JP');
    expect(raw.toString('latin1')).toContain('Content-Transfer-Encoding: 7bit');
    expect(raw.every((byte) => byte < 0x80)).toBe(true);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toBe(text);
    expect(await status(stored.id)).toMatchObject({ status: 'sent', charset: 'iso-2022-jp' });
  });

  it('ISO-2022-JP asked for half-width kana: stored and sent as UTF-8, the reason logged, the text exact', async () => {
    const kanaText = `${text}ｵﾀｽｹﾀｲ サポート窓口\n`;
    const stored = await service.enqueue({ organizationId, to: 'tanaka@example.jp', subject, text: kanaText, charset: 'iso-2022-jp' });
    expect(stored.charset).toBe('utf-8');
    expect(logged).toEqual([
      { level: 'warn', message: 'mail stored as UTF-8 instead of ISO-2022-JP', details: { mailId: stored.id, reason: 'ISO-2022-JP cannot represent "ｵ" (U+FF75)' } },
    ]);
    await worker().runOnce();
    const raw = smtp.received[0]!.raw;
    expect(raw.toString('latin1')).toContain('charset=utf-8');
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toBe(kanaText);
  });

  it('a row stored as ISO-2022-JP it cannot carry still goes out, as UTF-8, and the row says so', async () => {
    const stored = await repository.enqueue({ organizationId, to: 'tanaka@example.jp', subject: '絵文字😀', text, charset: 'iso-2022-jp' }, clock.now());
    expect(await worker().runOnce()).toMatchObject({ sent: 1 });
    expect((await simpleParser(smtp.received[0]!.raw)).subject).toBe('絵文字😀');
    expect(await status(stored.id)).toMatchObject({ status: 'sent', charset: 'utf-8' });
    expect(logged).toContainEqual({
      level: 'warn',
      message: 'mail sent as UTF-8 instead of ISO-2022-JP',
      details: { mailId: stored.id, reason: 'ISO-2022-JP cannot represent "😀" (U+1F600); sent as UTF-8' },
    });
  });

  it('451 (temporary): stays pending, attempts=1, retried 1 min later and then sent', async () => {
    const stored = await service.enqueue({ organizationId, to: 'tanaka@example.jp', subject, text });
    smtp.refuseNext(451, 'Try again later');
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0, retried: 1, held: 0 });
    expect(await status(stored.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'EMESSAGE: 451 Try again later' });
    const row = await database.db.selectFrom('mailOutbox').select('nextAttemptAt').where('id', '=', stored.id).executeTakeFirstOrThrow();
    expect(row.nextAttemptAt).toEqual(new Date(clock.now().getTime() + MINUTE));

    clock.advance(MINUTE - 1);
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0, retried: 0, held: 0 });
    clock.advance(1);
    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0, retried: 0, held: 0 });
    expect(smtp.received).toHaveLength(1);
    expect((await simpleParser(smtp.received[0]!.raw)).subject).toBe(subject);
    expect(await status(stored.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('backs off 1 min, 5 min, 30 min, 2 h, 6 h and gives up after the 6th attempt, keeping the last error', async () => {
    const stored = await service.enqueue({ organizationId, to: 'tanaka@example.jp', subject, text });
    smtp.refuseNext(421, 'Service busy', MAX_ATTEMPTS);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const before = clock.now().getTime();
      const result = await worker().runOnce();
      expect(result).toEqual(attempt < MAX_ATTEMPTS ? { sent: 0, failed: 0, retried: 1, held: 0 } : { sent: 0, failed: 1, retried: 0, held: 0 });
      const row = await database.db.selectFrom('mailOutbox').select('nextAttemptAt').where('id', '=', stored.id).executeTakeFirstOrThrow();
      if (attempt < MAX_ATTEMPTS) {
        waits.push((row.nextAttemptAt.getTime() - before) / MINUTE);
        clock.set(row.nextAttemptAt);
      }
    }
    expect(waits).toEqual([1, 5, 30, 120, 360]);
    expect(await status(stored.id)).toMatchObject({ status: 'failed', attempts: 6, lastError: 'EMESSAGE: 421 Service busy' });
    expect(smtp.received).toHaveLength(0);
  });

  it('550 (permanent): failed at once', async () => {
    const stored = await service.enqueue({ organizationId, to: 'nobody@example.jp', subject, text });
    smtp.refuseNext(550, 'No such user');
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 1, retried: 0, held: 0 });
    expect(await status(stored.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'EMESSAGE: 550 No such user' });
    clock.advance(24 * 60 * MINUTE);
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0, retried: 0, held: 0 });
  });

  it('an unreachable SMTP server is a temporary failure', async () => {
    const closed = await startTestSmtpServer();
    await closed.close();
    const unreachable = new SmtpMailer(closed.url, { timeoutMs: 5_000 });
    const stored = await service.enqueue({ organizationId, to: 'tanaka@example.jp', subject, text });
    expect(await worker(unreachable).runOnce()).toEqual({ sent: 0, failed: 0, retried: 1, held: 0 });
    expect(await status(stored.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/^ESOCKET: .*ECONNREFUSED/) });
    await unreachable.close();
  });

  it('a mail that cannot be composed fails at once without touching SMTP', async () => {
    const stored = await service.enqueue({ organizationId, to: 'no address here', subject, text });
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 1, retried: 0, held: 0 });
    expect(await status(stored.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'cannot compose the mail: no recipient address in "no address here"' });
  });

  it('no mailer: due mails are held, listed in the dev mailbox, and not sent when a mailer appears', async () => {
    const stored = await service.enqueue({ organizationId, to: 'tanaka@example.jp', subject, text });
    expect(await workerWithoutMailer().runOnce()).toEqual({ sent: 0, failed: 0, retried: 0, held: 1 });
    expect(logged).toContainEqual({ level: 'info', message: 'mail held in the dev mailbox (no SMTP_URL)', details: { mailId: stored.id, to: 'tanaka@example.jp', subject } });
    expect((await repository.list({ kind: 'all' }, { status: 'held', limit: 10 })).map((m) => [m.id, m.subject, m.text])).toEqual([[stored.id, subject, text]]);
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0, retried: 0, held: 0 });
    expect(smtp.received).toHaveLength(0);
    expect(await status(stored.id)).toMatchObject({ status: 'held', attempts: 0 });
  });

  it('two workers running at once never send a mail twice', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) ids.add((await service.enqueue({ organizationId, to: `user${i}@example.jp`, subject: `${subject} ${i}`, text })).id);
    smtp.delayMs = 20; // keeps both workers busy at the same time
    const one = new OutboxWorker({ repository: new OutboxRepository(database.db), mailer, clock, from });
    const two = new OutboxWorker({ repository: new OutboxRepository(database.db), mailer, clock, from });
    let sent = 0;
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([one.runOnce(), two.runOnce()]);
      // A batch is 20: the first round splits the 30 mails between the workers.
      if (round === 0) expect(results.map((r) => r.sent).sort((a, b) => a - b)).toEqual([10, 20]);
      sent += results.reduce((sum, r) => sum + r.sent, 0);
    }
    expect(sent).toBe(30);
    expect(smtp.received).toHaveLength(30);
    const messageIds = await Promise.all(smtp.received.map(async (m) => (await simpleParser(m.raw)).messageId));
    expect(new Set(messageIds)).toEqual(new Set([...ids].map((id) => `<${id}@otasuke.example>`)));
  });

  it('start() polls; stop() waits for the mail in flight and gives the rest of the batch back', async () => {
    for (let i = 0; i < 5; i++) await service.enqueue({ organizationId, to: `user${i}@example.jp`, subject: `${subject} ${i}`, text });
    smtp.delayMs = 300;
    const polling = new OutboxWorker({ repository, mailer, clock, from, pollMs: 10 });
    polling.start();
    const startedBefore = smtp.started;
    while (smtp.started === startedBefore) await new Promise((resolve) => setTimeout(resolve, 5)); // the first mail is in flight
    await polling.stop();
    expect(smtp.received).toHaveLength(1);
    const mails = await repository.list({ kind: 'all' }, { limit: 10 });
    expect(mails.map((m) => m.status).sort()).toEqual(['pending', 'pending', 'pending', 'pending', 'sent']);
    // Given back: due at once, not after the lease; and a stopped worker can still run by hand.
    smtp.delayMs = 0;
    expect(await polling.runOnce()).toEqual({ sent: 4, failed: 0, retried: 0, held: 0 });
  });
});

describe('MailService (dev mailbox)', () => {
  const scope = (organizationKind: AccessScope['organizationKind'], role: AccessScope['role'], id: string): AccessScope => ({
    userId: null,
    tokenId: null,
    sessionId: null,
    organizationId: id,
    organizationKind,
    role,
  });

  it('enqueue uses the configured charset unless told otherwise', async () => {
    const iso = new MailService(repository, clock, { charset: 'iso-2022-jp' });
    expect((await iso.enqueue({ organizationId, to: 'a@example.jp', subject, text })).charset).toBe('iso-2022-jp');
    expect((await iso.enqueue({ organizationId, to: 'a@example.jp', subject, text, charset: 'utf-8' })).charset).toBe('utf-8');
  });

  it('operator staff read every mail; a subscriber only its own, another’s answers not found', async () => {
    const own = await service.enqueue({ organizationId, to: 'a@example.jp', subject: '自社', text });
    clock.advance(1000);
    const other = await service.enqueue({ organizationId: otherOrganizationId, to: 'b@example.jp', subject: '他社', text });
    const operator = scope('operator', 'operator_admin', '00000000-0000-4000-8000-000000000001');
    const subscriber = scope('subscriber', 'subscriber_admin', organizationId);
    expect((await service.list(operator, { limit: 10 })).map((m) => m.subject)).toEqual(['他社', '自社']);
    expect((await service.list(subscriber, { limit: 10 })).map((m) => m.subject)).toEqual(['自社']);
    expect((await service.get(subscriber, own.id)).subject).toBe('自社');
    await expect(service.get(subscriber, other.id)).rejects.toThrow(NotFoundError);
    await expect(service.get(subscriber, other.id)).rejects.toThrow('mail not found');
    expect((await service.get(operator, other.id)).subject).toBe('他社');
  });
});
