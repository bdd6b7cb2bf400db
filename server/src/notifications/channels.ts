/**
 * The ways a subscriber is told. Each channel takes one message for one target and says how the
 * send went; the service logs every result. Email goes through the mail outbox (which retries on its
 * own), webhooks are posted here with a timeout, retries and an HMAC-SHA256 signature.
 *
 * Later channels implement the same interface: `sms` and `phone` (a voice call reading the subject)
 * through a telephony provider, `line` through the LINE Messaging API with the contact's user id.
 */
import { createHmac } from 'node:crypto';
import type { NotificationChannelKind } from '@otasuke/shared';
import type { MailService } from '../mail/mailService.ts';
import { webhookBackoffMs } from './notificationPolicy.ts';
import { checkWebhookTarget, type AddressResolver } from './webhookTarget.ts';

export interface NotificationMessage {
  organizationId: string;
  incidentId: string | null;
  purpose: string;
  /** An email address, a webhook URL, a phone number… as the channel understands it. */
  target: string;
  subject: string;
  text: string;
  /** Machine-readable facts for webhooks. */
  data: Record<string, unknown>;
  /** The webhook's signing secret. */
  secret?: string;
}

export interface SendResult {
  status: 'sent' | 'queued' | 'failed';
  attempts: number;
  error: string | null;
}

export interface NotificationChannel {
  readonly kind: NotificationChannelKind;
  send(message: NotificationMessage): Promise<SendResult>;
}

export class EmailChannel implements NotificationChannel {
  readonly kind = 'email' as const;
  constructor(private readonly mail: Pick<MailService, 'enqueue'>) {}

  async send(message: NotificationMessage): Promise<SendResult> {
    await this.mail.enqueue({ organizationId: message.organizationId, to: message.target, subject: message.subject, text: message.text });
    return { status: 'queued', attempts: 1, error: null };
  }
}

export const SIGNATURE_HEADER = 'x-otasuke-signature';
export const TIMESTAMP_HEADER = 'x-otasuke-timestamp';

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the webhook's secret (the receiver recomputes it). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookChannelOptions {
  allowInternal: boolean;
  timeoutMs?: number;
  maxAttempts?: number;
  resolve?: AddressResolver;
  /** Waits between attempts (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook' as const;
  constructor(private readonly options: WebhookChannelOptions) {}

  async send(message: NotificationMessage): Promise<SendResult> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    try {
      await checkWebhookTarget(message.target, { allowInternal: this.options.allowInternal, ...(this.options.resolve ? { resolve: this.options.resolve } : {}) });
    } catch (error) {
      return { status: 'failed', attempts: 0, error: (error as Error).message };
    }
    const body = JSON.stringify({ purpose: message.purpose, organizationId: message.organizationId, incidentId: message.incidentId, subject: message.subject, text: message.text, ...message.data });
    let lastError = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await sleep(webhookBackoffMs(attempt));
      const timestamp = String(Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000));
      try {
        const response = await fetch(message.target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: webhookSignature(message.secret ?? '', timestamp, body) },
          body,
          redirect: 'manual', // a redirect could lead to an internal address
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        await response.arrayBuffer();
        if (response.status >= 200 && response.status < 300) return { status: 'sent', attempts: attempt, error: null };
        lastError = `HTTP ${response.status}`;
        // The receiver refuses the request itself; retrying will not help.
        if (response.status >= 400 && response.status < 500 && response.status !== 429) return { status: 'failed', attempts: attempt, error: lastError };
      } catch (error) {
        lastError = (error as Error).message;
      }
    }
    return { status: 'failed', attempts: maxAttempts, error: lastError };
  }
}
