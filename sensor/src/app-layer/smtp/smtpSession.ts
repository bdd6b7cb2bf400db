/**
 * Per-flow SMTP state (RFC 5321): client commands (HELO/EHLO, MAIL FROM, RCPT TO, DATA, RSET,
 * STARTTLS), the DATA section with dot-unstuffing (4.5.2) up to the lone "." line, then the
 * message handed to the MIME parser. One transaction per message. Server replies are checked for
 * shape; the session stops being parsed at STARTTLS.
 */
import type { Direction, FeedResult } from '../appLayer.ts';
import { BodyStore, latin1, lineEnd, PendingBytes, raiseOnce } from '../appLayer.ts';
import type { MimeAttachment, MimeMessage } from './mimeMessage.ts';
import { parseMimeMessage } from './mimeMessage.ts';

/** RFC 5321 4.5.3.1.4: a command line is at most 512 octets; we allow slack before calling it. */
export const SMTP_MAX_COMMAND_LINE = 4096;
export const SMTP_MAX_REPLY_LINE = 4096;
/** Message bytes kept for MIME parsing; the total is still counted. */
export const SMTP_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const SMTP_MAX_RECIPIENTS = 256;
export const SMTP_MAX_TRANSACTIONS_PER_FLOW = 1000;

export interface SmtpTransaction {
  helo?: string;
  mailFrom?: string;
  rcptTo: string[];
  /** Absent when the transaction ended (RSET, QUIT, end of flow) without a message. */
  message?: MimeMessage;
  messageSize: number;
  messageTruncated: boolean;
}

interface Side {
  pending: PendingBytes;
  skipping: boolean;
}

export class SmtpFlowParser {
  private readonly sides: Record<Direction, Side> = {
    toServer: { pending: new PendingBytes(SMTP_MAX_COMMAND_LINE), skipping: false },
    toClient: { pending: new PendingBytes(SMTP_MAX_REPLY_LINE), skipping: false },
  };
  private helo?: string;
  private tx: SmtpTransaction = { rcptTo: [], messageSize: 0, messageTruncated: false };
  private inData = false;
  /** In DATA: the next byte starts a line (where "." is special). */
  private atLineStart = true;
  private message = new BodyStore(SMTP_MAX_MESSAGE_BYTES);
  private stopped = false;
  private transactions = 0;

  feed(direction: Direction, bytes: Uint8Array): FeedResult<SmtpTransaction> {
    const out: FeedResult<SmtpTransaction> = { records: [], anomalies: [] };
    if (this.stopped) return out;
    const s = this.sides[direction];
    const data = s.pending.join(bytes);
    let pos = 0;
    while (pos < data.length && !this.stopped) {
      if (direction === 'toServer' && this.inData) {
        pos = this.dataBytes(data, pos, out);
        if (this.inData) break;
        continue;
      }
      const lf = data.indexOf(0x0a, pos);
      const cap = direction === 'toServer' ? SMTP_MAX_COMMAND_LINE : SMTP_MAX_REPLY_LINE;
      if (lf < 0) {
        if (data.length - pos > cap) {
          if (!s.skipping) raiseOnce(out.anomalies, direction === 'toServer' ? 'smtp.max_command_line_len_exceeded' : 'smtp.max_reply_line_len_exceeded', direction);
          s.skipping = true;
          pos = data.length;
        }
        break;
      }
      const end = lineEnd(data, lf, pos);
      if (!s.skipping) {
        if (end - pos > cap) raiseOnce(out.anomalies, direction === 'toServer' ? 'smtp.max_command_line_len_exceeded' : 'smtp.max_reply_line_len_exceeded', direction);
        else if (direction === 'toServer') this.command(latin1(data, pos, end), out);
        else this.reply(latin1(data, pos, end), out);
      }
      s.skipping = false;
      pos = lf + 1;
    }
    if (this.stopped) s.pending.clear();
    else s.pending.keep(data.subarray(pos));
    return out;
  }

  /** Bytes were lost. Commands are lines, so the client side resyncs at the next line end, except
   *  inside DATA where the message is now incomplete and the session is no longer parsed. */
  gap(direction: Direction): void {
    const s = this.sides[direction];
    s.pending.clear();
    if (direction === 'toServer' && this.inData) this.stopped = true;
    else s.skipping = true;
  }

  /** The flow ended: a transaction with envelope data but no finished message is still logged. */
  end(): FeedResult<SmtpTransaction> {
    const out: FeedResult<SmtpTransaction> = { records: [], anomalies: [] };
    if (this.inData) this.finishMessage(out);
    else this.flush(out);
    return out;
  }

  private flush(out: FeedResult<SmtpTransaction>): void {
    if (this.tx.mailFrom !== undefined || this.tx.rcptTo.length > 0) {
      if (this.transactions++ < SMTP_MAX_TRANSACTIONS_PER_FLOW) out.records.push(this.tx);
    }
    this.tx = { rcptTo: [], messageSize: 0, messageTruncated: false };
    if (this.helo !== undefined) this.tx.helo = this.helo;
  }

  private command(line: string, out: FeedResult<SmtpTransaction>): void {
    const verb = (/^[A-Za-z]+/.exec(line)?.[0] ?? '').toUpperCase();
    const arg = line.slice(verb.length).trim();
    switch (verb) {
      case 'HELO':
      case 'EHLO':
        this.helo = arg;
        this.tx.helo = arg;
        break;
      case 'MAIL': {
        const m = /^FROM:\s*(.*)$/i.exec(arg);
        if (m) this.tx.mailFrom = (m[1] ?? '').split(/\s+(?=[A-Za-z-]+=)/)[0]?.trim() ?? '';
        break;
      }
      case 'RCPT': {
        const m = /^TO:\s*(.*)$/i.exec(arg);
        if (m && this.tx.rcptTo.length < SMTP_MAX_RECIPIENTS) this.tx.rcptTo.push((m[1] ?? '').split(/\s+(?=[A-Za-z-]+=)/)[0]?.trim() ?? '');
        break;
      }
      case 'DATA':
        this.inData = true;
        this.atLineStart = true;
        this.message = new BodyStore(SMTP_MAX_MESSAGE_BYTES);
        break;
      case 'RSET':
      case 'QUIT':
        this.flush(out);
        break;
      case 'STARTTLS':
        // What follows is TLS; the TLS parser can take the flow from here.
        this.flush(out);
        this.stopped = true;
        break;
      default:
        break;
    }
  }

  private reply(line: string, out: FeedResult<SmtpTransaction>): void {
    if (!/^\d{3}([ -]|$)/.test(line)) raiseOnce(out.anomalies, 'smtp.invalid_reply', 'toClient');
  }

  /** Consume DATA bytes from `pos`; returns the new position. Leaves `inData` false at the end. */
  private dataBytes(data: Uint8Array, pos: number, out: FeedResult<SmtpTransaction>): number {
    while (pos < data.length) {
      const lf = data.indexOf(0x0a, pos);
      if (lf < 0) {
        const rest = data.length - pos;
        // ".", ".\r" at a line start might be the terminator: wait for the next byte.
        if (this.atLineStart && rest <= 2 && data[pos] === 0x2e && (rest === 1 || data[pos + 1] === 0x0d)) return pos;
        if (this.atLineStart && data[pos] === 0x2e) pos++;
        this.message.append(data.subarray(pos));
        this.atLineStart = false;
        return data.length;
      }
      let start = pos;
      if (this.atLineStart && data[pos] === 0x2e) {
        const end = lineEnd(data, lf, pos);
        if (end === pos + 1) {
          this.finishMessage(out);
          return lf + 1;
        }
        start = pos + 1; // dot-unstuffing
      }
      this.message.append(data.subarray(start, lf + 1));
      this.atLineStart = true;
      pos = lf + 1;
    }
    return pos;
  }

  private finishMessage(out: FeedResult<SmtpTransaction>): void {
    this.inData = false;
    this.tx.message = parseMimeMessage(this.message.bytes());
    this.tx.messageSize = this.message.total;
    this.tx.messageTruncated = this.message.truncated;
    for (const a of this.tx.message.anomalies) raiseOnce(out.anomalies, a, 'toServer');
    if (this.transactions++ < SMTP_MAX_TRANSACTIONS_PER_FLOW) out.records.push(this.tx);
    this.tx = { rcptTo: [], messageSize: 0, messageTruncated: false };
    if (this.helo !== undefined) this.tx.helo = this.helo;
    this.message = new BodyStore(SMTP_MAX_MESSAGE_BYTES);
  }
}

export interface SmtpEve {
  smtp: { helo?: string; mail_from?: string; rcpt_to?: string[] };
  email?: {
    status: string;
    from?: string;
    to?: string[];
    cc?: string[];
    subject?: string;
    date?: string;
    message_id?: string;
    x_mailer?: string;
    received?: string[];
    attachment?: string[];
  };
}

/** The Suricata EVE `smtp` and `email` objects for a transaction. */
export function smtpEve(tx: SmtpTransaction): SmtpEve {
  const smtp: SmtpEve['smtp'] = {};
  if (tx.helo !== undefined) smtp.helo = tx.helo;
  if (tx.mailFrom !== undefined) smtp.mail_from = tx.mailFrom;
  if (tx.rcptTo.length > 0) smtp.rcpt_to = tx.rcptTo;
  const eve: SmtpEve = { smtp };
  const m = tx.message;
  if (m) {
    const email: NonNullable<SmtpEve['email']> = { status: m.anomalies.includes('smtp.mime_parse_failed') ? 'PARSE_ERROR' : 'PARSE_DONE' };
    if (m.from !== undefined) email.from = m.from;
    if (m.to.length > 0) email.to = m.to;
    if (m.cc.length > 0) email.cc = m.cc;
    if (m.subject !== undefined) email.subject = m.subject;
    if (m.date !== undefined) email.date = m.date;
    if (m.messageId !== undefined) email.message_id = m.messageId;
    if (m.xMailer !== undefined) email.x_mailer = m.xMailer;
    if (m.received.length > 0) email.received = m.received;
    const names = m.attachments.map((a: MimeAttachment) => a.filename).filter((n) => n !== '');
    if (names.length > 0) email.attachment = names;
    eve.email = email;
  }
  return eve;
}
