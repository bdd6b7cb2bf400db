import type { Selectable } from 'kysely';
import type { MailCharset, OutboxMail } from '@otasuke/shared';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import type { MailOutboxTable } from '../db/tables.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

export type MailStatus = OutboxMail['status'];

export interface NewMail {
  /** The tenant the mail is about; null for mail outside any tenant (e.g. to operator staff). */
  organizationId: string | null;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  charset: MailCharset;
}

/** What the worker needs to send a mail. */
export interface DueMail {
  id: string;
  organizationId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  charset: MailCharset;
  /** Attempts made before this one. */
  attempts: number;
}

export interface OutboxQuery {
  status?: MailStatus | undefined;
  limit: number;
  /** Cursor: the id of the last mail of the previous page; mails created before it come next. */
  before?: string | undefined;
}

// An id that is not a uuid would make PostgreSQL throw; it names no mail, so it answers as missing.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class OutboxRepository {
  constructor(private readonly db: Db) {}

  /** Stores a mail, due at once. `now` comes from the injected clock so tests' time applies. */
  async enqueue(mail: NewMail, now: Date): Promise<OutboxMail> {
    const row = await this.db
      .insertInto('mailOutbox')
      .values({
        organizationId: mail.organizationId,
        toAddress: mail.to,
        subject: mail.subject,
        textBody: mail.text,
        htmlBody: mail.html ?? null,
        charset: mail.charset,
        nextAttemptAt: now,
        createdAt: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOutboxMail(row);
  }

  /**
   * Takes up to `limit` due pending mails for one worker. The rows are locked with `for update
   * skip locked` and, in the same statement, leased by moving next_attempt_at to `leaseUntil`, so
   * a second worker neither waits for them nor sees them as due. A worker that dies mid-send
   * leaves its lease to expire and the mail is taken again (at-least-once delivery; the Message-ID
   * stays the same, so receivers can tell a duplicate).
   */
  async claimDue(now: Date, limit: number, leaseUntil: Date): Promise<DueMail[]> {
    const rows = await this.db
      .updateTable('mailOutbox')
      .set({ nextAttemptAt: leaseUntil })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('mailOutbox')
          .select('id')
          .where('status', '=', 'pending')
          .where('nextAttemptAt', '<=', now)
          .orderBy('nextAttemptAt')
          .orderBy('createdAt')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
    return rows
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((r) => ({
        id: r.id,
        organizationId: r.organizationId,
        to: r.toAddress,
        subject: r.subject,
        text: r.textBody,
        html: r.htmlBody,
        charset: r.charset,
        attempts: r.attempts,
      }));
  }

  /** Gives claimed but unsent mails back (worker stopping): due again at `now`. */
  async release(ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('mailOutbox')
      .set({ nextAttemptAt: now })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .execute();
  }

  /** `charset` is the one actually written, which differs when ISO-2022-JP fell back to UTF-8. */
  async markSent(id: string, messageId: string, now: Date, charset?: MailCharset): Promise<void> {
    await this.db
      .updateTable('mailOutbox')
      .set((eb) => ({
        status: 'sent',
        messageId,
        sentAt: now,
        attempts: eb('attempts', '+', 1),
        ...(charset ? { charset } : {}),
      }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Records a failed attempt: retried at `nextAttemptAt`, or given up ('failed') when null. */
  async markFailed(id: string, error: string, nextAttemptAt: Date | null): Promise<void> {
    await this.db
      .updateTable('mailOutbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        lastError: error,
        ...(nextAttemptAt ? { nextAttemptAt } : { status: 'failed' as const }),
      }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** With no SMTP, due mails become 'held': kept for the dev mailbox, never sent. */
  async holdDue(now: Date): Promise<OutboxMail[]> {
    const rows = await this.db
      .updateTable('mailOutbox')
      .set({ status: 'held' })
      .where('status', '=', 'pending')
      .where('nextAttemptAt', '<=', now)
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map(toOutboxMail);
  }

  /** Newest first. */
  async list(filter: TenantFilter, query: OutboxQuery): Promise<OutboxMail[]> {
    let q = restrictToTenant(this.db.selectFrom('mailOutbox').selectAll(), 'organizationId', filter);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.before !== undefined) {
      const before = query.before;
      if (!UUID.test(before)) return [];
      const cursor = restrictToTenant(
        this.db.selectFrom('mailOutbox').select(['createdAt', 'id']).where('id', '=', before),
        'organizationId',
        filter,
      );
      q = q.where((eb) => eb(eb.refTuple('createdAt', 'id'), '<', cursor.$asTuple('createdAt', 'id')));
    }
    const rows = await q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toOutboxMail);
  }

  /** A mail of another organization answers exactly like a missing one. */
  async get(id: string, filter: TenantFilter): Promise<OutboxMail | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await restrictToTenant(
      this.db.selectFrom('mailOutbox').selectAll().where('id', '=', id),
      'organizationId',
      filter,
    ).executeTakeFirst();
    return row && toOutboxMail(row);
  }
}

function toOutboxMail(row: Selectable<MailOutboxTable>): OutboxMail {
  return {
    id: row.id,
    organizationId: row.organizationId,
    to: row.toAddress,
    subject: row.subject,
    text: row.textBody,
    charset: row.charset,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt ? row.sentAt.toISOString() : null,
  };
}
