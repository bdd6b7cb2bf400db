/** The SMTP adapter: the worker sees only `Mailer`, so tests inject their own. */
import nodemailer from 'nodemailer';
import type { NodemailerError, SMTPSentMessageInfo, Transporter } from 'nodemailer';

export interface MailEnvelope {
  from: string;
  to: string[];
}

export interface Mailer {
  /** Resolves once the server accepted the message; rejects with MailerError otherwise. */
  send(raw: Buffer, envelope: MailEnvelope): Promise<{ messageId: string }>;
}

/** A failed delivery: `permanent` when sending the same message again would fail the same way. */
export class MailerError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailerError';
  }
}

export interface SmtpMailerOptions {
  /** How long to wait for the connection, the greeting and each reply; nodemailer waits up to 10 min. */
  timeoutMs?: number;
}

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter<SMTPSentMessageInfo>;

  /** `url` is `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  constructor(url: string, options: SmtpMailerOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 60_000;
    this.transport = nodemailer.createTransport({
      url,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(raw: Buffer, envelope: MailEnvelope): Promise<{ messageId: string }> {
    try {
      const info = await this.transport.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
      return { messageId: String(info.messageId ?? '') };
    } catch (err) {
      throw toMailerError(err);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * Permanent means the server refused this message (a 5xx reply to MAIL, RCPT or DATA), which
 * nodemailer reports as `permanent`. A refused login is also 5xx but says nothing about the
 * message: it is a configuration fault the operator can fix, so it is retried like a network error.
 */
function toMailerError(err: unknown): MailerError {
  const error = err as NodemailerError;
  const refusedLogin = error.code === 'EAUTH' || error.code === 'ENOAUTH';
  const permanent = error.permanent === true && !refusedLogin;
  const detail = error.response ?? error.message ?? String(err);
  return new MailerError(error.code ? `${error.code}: ${detail}` : detail, permanent, { cause: err });
}
