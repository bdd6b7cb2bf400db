import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../db/testDatabase.ts';
import { OrganizationRepository } from '../organizations/organizationRepository.ts';
import { OutboxRepository, type NewMail } from './outboxRepository.ts';

let database: Database;
let outbox: OutboxRepository;
let tanaka: string;
let suzuki: string;
const t0 = new Date('2026-04-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const mail = (organizationId: string | null, subject: string): NewMail => ({
  organizationId,
  to: 'user@example.jp',
  subject,
  text: '本文',
  charset: 'utf-8',
});

beforeAll(async () => {
  database = await openTestDatabase();
  outbox = new OutboxRepository(database.db);
  const organizations = new OrganizationRepository(database.db);
  tanaka = (await organizations.create({ kind: 'subscriber', name: '田中工務店', membership: 'member' })).id;
  suzuki = (await organizations.create({ kind: 'subscriber', name: '鈴木商店', membership: 'non_member' })).id;
});
afterAll(() => database.close());
beforeEach(async () => {
  await database.db.deleteFrom('mailOutbox').execute();
});

describe('OutboxRepository', () => {
  it('enqueue stores a pending mail and answers in the shared OutboxMail shape', async () => {
    const stored = await outbox.enqueue({ ...mail(tanaka, '件名'), html: '<p>本文</p>', charset: 'iso-2022-jp' }, t0);
    expect(stored).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      organizationId: tanaka,
      to: 'user@example.jp',
      subject: '件名',
      text: '本文',
      charset: 'iso-2022-jp',
      status: 'pending',
      attempts: 0,
      lastError: null,
      createdAt: '2026-04-01T00:00:00.000Z',
      sentAt: null,
    });
  });

  it('claimDue takes due pending mails oldest first and leases them so they are not due again', async () => {
    const first = await outbox.enqueue(mail(tanaka, '一'), at(0));
    const second = await outbox.enqueue(mail(null, '二'), at(1));
    await outbox.enqueue(mail(tanaka, '未来'), at(10));
    const claimed = await outbox.claimDue(at(5), 10, at(15));
    expect(claimed.map((m) => m.id)).toEqual([first.id, second.id]);
    expect(claimed[0]).toEqual({ id: first.id, organizationId: tanaka, to: 'user@example.jp', subject: '一', text: '本文', html: null, charset: 'utf-8', attempts: 0 });
    expect(await outbox.claimDue(at(5), 10, at(15))).toEqual([]);
    // A worker that died leaves the lease to run out; then the mail is taken again.
    expect((await outbox.claimDue(at(15), 10, at(25))).map((m) => m.subject)).toEqual(['一', '二', '未来']);
  });

  it('claimDue honours the limit', async () => {
    for (let i = 0; i < 3; i++) await outbox.enqueue(mail(tanaka, `件名${i}`), at(i));
    expect((await outbox.claimDue(at(5), 2, at(15))).map((m) => m.subject)).toEqual(['件名0', '件名1']);
  });

  it('release makes claimed mails due again at once', async () => {
    const stored = await outbox.enqueue(mail(tanaka, '件名'), t0);
    await outbox.claimDue(t0, 10, at(10));
    await outbox.release([stored.id], at(1));
    expect((await outbox.claimDue(at(1), 10, at(11))).map((m) => m.id)).toEqual([stored.id]);
  });

  it('markSent records the Message-ID, the time, the attempt and the charset sent', async () => {
    const stored = await outbox.enqueue({ ...mail(tanaka, '件名'), charset: 'iso-2022-jp' }, t0);
    await outbox.markSent(stored.id, '<id@otasuke.example>', at(1), 'utf-8');
    expect(await outbox.get(stored.id, { kind: 'all' })).toMatchObject({ status: 'sent', attempts: 1, charset: 'utf-8', sentAt: at(1).toISOString() });
    const row = await database.db.selectFrom('mailOutbox').select(['messageId']).where('id', '=', stored.id).executeTakeFirstOrThrow();
    expect(row.messageId).toBe('<id@otasuke.example>');
  });

  it('markFailed with a retry time keeps the mail pending; without one it is failed', async () => {
    const stored = await outbox.enqueue(mail(tanaka, '件名'), t0);
    await outbox.markFailed(stored.id, '451 try later', at(1));
    expect(await outbox.get(stored.id, { kind: 'all' })).toMatchObject({ status: 'pending', attempts: 1, lastError: '451 try later' });
    expect(await outbox.claimDue(at(0), 10, at(10))).toEqual([]);
    expect((await outbox.claimDue(at(1), 10, at(10))).map((m) => m.attempts)).toEqual([1]);
    await outbox.markFailed(stored.id, '550 no such user', null);
    expect(await outbox.get(stored.id, { kind: 'all' })).toMatchObject({ status: 'failed', attempts: 2, lastError: '550 no such user' });
    // Settled mails are never changed again.
    await outbox.markSent(stored.id, '<late@x>', at(2));
    expect(await outbox.get(stored.id, { kind: 'all' })).toMatchObject({ status: 'failed', sentAt: null });
  });

  it('holdDue turns due pending mails into held ones, which are never claimed', async () => {
    const due = await outbox.enqueue(mail(tanaka, '今'), t0);
    await outbox.enqueue(mail(tanaka, '後'), at(10));
    expect((await outbox.holdDue(at(1))).map((m) => [m.id, m.status])).toEqual([[due.id, 'held']]);
    expect((await outbox.claimDue(at(20), 10, at(30))).map((m) => m.subject)).toEqual(['後']);
  });

  describe('tenant scoping (the dev mailbox)', () => {
    let ids: Record<string, string>;
    beforeEach(async () => {
      ids = {
        tanaka1: (await outbox.enqueue(mail(tanaka, '田中1'), at(1))).id,
        suzuki: (await outbox.enqueue(mail(suzuki, '鈴木'), at(2))).id,
        system: (await outbox.enqueue(mail(null, 'システム'), at(3))).id,
        tanaka2: (await outbox.enqueue(mail(tanaka, '田中2'), at(4))).id,
      };
    });

    it('list: everything for operator staff, newest first; one organization otherwise', async () => {
      expect((await outbox.list({ kind: 'all' }, { limit: 10 })).map((m) => m.subject)).toEqual(['田中2', 'システム', '鈴木', '田中1']);
      expect((await outbox.list({ kind: 'organization', organizationId: tanaka }, { limit: 10 })).map((m) => m.subject)).toEqual(['田中2', '田中1']);
      expect((await outbox.list({ kind: 'organization', organizationId: suzuki }, { limit: 10 })).map((m) => m.subject)).toEqual(['鈴木']);
    });

    it('list filters by status and pages with the before cursor', async () => {
      await outbox.markFailed(ids.suzuki!, 'x', null);
      expect((await outbox.list({ kind: 'all' }, { status: 'failed', limit: 10 })).map((m) => m.subject)).toEqual(['鈴木']);
      const page1 = await outbox.list({ kind: 'all' }, { limit: 2 });
      const page2 = await outbox.list({ kind: 'all' }, { limit: 2, before: page1.at(-1)!.id });
      expect([...page1, ...page2].map((m) => m.subject)).toEqual(['田中2', 'システム', '鈴木', '田中1']);
      // Another tenant's mail as cursor names nothing.
      expect(await outbox.list({ kind: 'organization', organizationId: tanaka }, { limit: 10, before: ids.suzuki })).toEqual([]);
      expect(await outbox.list({ kind: 'all' }, { limit: 10, before: 'not-a-uuid' })).toEqual([]);
    });

    it('get: another organization’s mail answers like a missing one', async () => {
      expect((await outbox.get(ids.tanaka1!, { kind: 'organization', organizationId: tanaka }))?.subject).toBe('田中1');
      expect(await outbox.get(ids.tanaka1!, { kind: 'organization', organizationId: suzuki })).toBeUndefined();
      expect(await outbox.get(ids.system!, { kind: 'organization', organizationId: tanaka })).toBeUndefined();
      expect((await outbox.get(ids.system!, { kind: 'all' }))?.subject).toBe('システム');
      expect(await outbox.get('00000000-0000-4000-8000-000000000000', { kind: 'all' })).toBeUndefined();
      expect(await outbox.get('not-a-uuid', { kind: 'all' })).toBeUndefined();
    });
  });
});
