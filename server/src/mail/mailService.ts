/**
 * What the rest of the server calls to send mail (password resets, alerts, …). Mail is only stored
 * here; the OutboxWorker sends it, so a request never waits on SMTP and no mail is lost when SMTP
 * is down.
 */
import type { MailCharset, OutboxMail } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope } from '../access/accessScope.ts';
import type { Clock } from '../clock.ts';
import { NotFoundError } from '../http/errors.ts';
import type { DevMailbox } from '../http/services.ts';
import { iso2022jpObstacleOfMail } from './mailComposer.ts';
import type { OutboxQuery, OutboxRepository } from './outboxRepository.ts';
import type { MailLogger } from './outboxWorker.ts';

export interface MailRequest {
  /** The tenant the mail is about (scopes the dev mailbox); null for mail outside any tenant. */
  organizationId: string | null;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  /** Defaults to the configured charset (MAIL_CHARSET). */
  charset?: MailCharset;
}

export interface MailServiceOptions {
  /** config.mailCharset */
  charset: MailCharset;
  logger?: MailLogger;
}

export class MailService implements DevMailbox {
  constructor(
    private readonly repository: OutboxRepository,
    private readonly clock: Clock,
    private readonly options: MailServiceOptions,
  ) {}

  /**
   * Stores the mail for the worker. A mail ISO-2022-JP cannot carry (emoji, ①, half-width kana,
   * 髙) is stored as UTF-8, so the row says what will be sent and the text arrives unaltered;
   * the reason is logged.
   */
  async enqueue(request: MailRequest): Promise<OutboxMail> {
    let charset = request.charset ?? this.options.charset;
    const mail = { subject: request.subject, text: request.text, html: request.html ?? null };
    const obstacle = charset === 'iso-2022-jp' ? iso2022jpObstacleOfMail(mail) : undefined;
    if (obstacle) charset = 'utf-8';
    const stored = await this.repository.enqueue(
      { organizationId: request.organizationId, to: request.to, ...mail, charset },
      this.clock.now(),
    );
    if (obstacle) {
      this.options.logger?.warn({ mailId: stored.id, reason: obstacle }, 'mail stored as UTF-8 instead of ISO-2022-JP');
    }
    return stored;
  }

  /** The dev mailbox: operator staff see every tenant's mail, others their organization's. */
  list(scope: AccessScope, query: OutboxQuery): Promise<OutboxMail[]> {
    return this.repository.list(tenantFilterOf(scope), query);
  }

  /** Another organization's mail answers exactly like a missing one. */
  async get(scope: AccessScope, id: string): Promise<OutboxMail> {
    const mail = await this.repository.get(id, tenantFilterOf(scope));
    if (!mail) throw new NotFoundError('mail');
    return mail;
  }
}
