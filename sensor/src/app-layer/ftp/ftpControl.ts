/**
 * The FTP control channel (RFC 959, RFC 2428): command lines from the client, reply lines (single
 * and multi-line) from the server, paired in order into transactions. PORT/EPRT commands and
 * 227/229 replies are decoded into the data-channel address so the flow stage can expect it.
 */
import type { Direction, FeedResult } from '../appLayer.ts';
import { latin1, lineEnd, PendingBytes, raiseOnce } from '../appLayer.ts';

/** Command or reply line length kept, as Suricata's ftp max-line-length; longer lines are cut. */
export const FTP_MAX_LINE_LEN = 4096;
/** Reply lines kept per transaction. */
export const FTP_MAX_REPLY_LINES = 64;
/** Commands awaiting a reply; past this the oldest is logged without one. */
export const FTP_MAX_PENDING_COMMANDS = 256;
export const FTP_MAX_TRANSACTIONS_PER_FLOW = 10_000;

export interface FtpDataChannel {
  mode: 'active' | 'passive';
  /** Absent for EPSV, whose reply carries only the port. */
  host?: string;
  port: number;
}

export interface FtpReply {
  code: string;
  text: string;
}

export interface FtpTransaction {
  command?: string;
  commandData?: string;
  commandTruncated: boolean;
  replies: FtpReply[];
  replyTruncated: boolean;
  replyReceived: boolean;
  dataChannel?: FtpDataChannel;
}

export interface FtpCommand {
  command: string;
  data: string;
}

export function parseFtpCommand(line: string): FtpCommand {
  const sp = line.indexOf(' ');
  return sp < 0 ? { command: line.toUpperCase(), data: '' } : { command: line.slice(0, sp).toUpperCase(), data: line.slice(sp + 1) };
}

/** `h1,h2,h3,h4,p1,p2` (PORT and 227 replies). */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(text);
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  if (n.some((v) => v > 255)) return undefined;
  return { host: n.slice(0, 4).join('.'), port: (n[4] ?? 0) * 256 + (n[5] ?? 0) };
}

/** EPRT `|af|addr|port|` (RFC 2428); the delimiter is whatever the first character is. */
export function parseEprt(text: string): { host: string; port: number } | undefined {
  const d = text.trim()[0];
  if (d === undefined) return undefined;
  const parts = text.trim().split(d);
  const port = Number(parts[3]);
  if (parts.length < 5 || !/^\d{1,5}$/.test(parts[3] ?? '') || port > 65535 || !parts[2]) return undefined;
  return { host: parts[2], port };
}

/** EPSV reply `229 Entering Extended Passive Mode (|||6446|)`. */
export function parseEpsvReply(text: string): number | undefined {
  const m = /\((.)\1\1(\d{1,5})\1\)/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  return port <= 65535 ? port : undefined;
}

interface Side {
  pending: PendingBytes;
  /** Bytes of an over-long line still being skipped up to its LF. */
  skipping: boolean;
}

export class FtpFlowParser {
  private readonly sides: Record<Direction, Side> = {
    toServer: { pending: new PendingBytes(FTP_MAX_LINE_LEN), skipping: false },
    toClient: { pending: new PendingBytes(FTP_MAX_LINE_LEN), skipping: false },
  };
  private readonly waiting: FtpTransaction[] = [];
  /** The transaction a multi-line or preliminary (1xx) reply is being added to. */
  private replying: FtpTransaction | null = null;
  private multiLineCode: string | null = null;
  private transactions = 0;

  feed(direction: Direction, bytes: Uint8Array): FeedResult<FtpTransaction> {
    const out: FeedResult<FtpTransaction> = { records: [], anomalies: [] };
    const s = this.sides[direction];
    const data = s.pending.join(bytes);
    let pos = 0;
    for (;;) {
      const lf = data.indexOf(0x0a, pos);
      if (lf < 0) {
        if (data.length - pos > FTP_MAX_LINE_LEN) {
          if (!s.skipping) this.line(direction, latin1(data, pos, pos + FTP_MAX_LINE_LEN), true, out);
          s.skipping = true;
          pos = data.length;
        }
        break;
      }
      const end = lineEnd(data, lf, pos);
      if (!s.skipping) {
        const truncated = end - pos > FTP_MAX_LINE_LEN;
        this.line(direction, latin1(data, pos, Math.min(end, pos + FTP_MAX_LINE_LEN)), truncated, out);
      }
      s.skipping = false;
      pos = lf + 1;
    }
    s.pending.keep(data.subarray(pos));
    return out;
  }

  /** Bytes were lost: the partial line is dropped and parsing resyncs at the next line end. */
  gap(direction: Direction): void {
    const s = this.sides[direction];
    s.pending.clear();
    s.skipping = true;
  }

  /** The connection ended: commands still waiting are logged without a reply. */
  end(): FeedResult<FtpTransaction> {
    const records = this.waiting.splice(0);
    if (this.replying && !records.includes(this.replying)) records.unshift(this.replying);
    this.replying = null;
    return { records, anomalies: [] };
  }

  private line(direction: Direction, text: string, truncated: boolean, out: FeedResult<FtpTransaction>): void {
    if (truncated) raiseOnce(out.anomalies, direction === 'toServer' ? 'ftp.request_command_too_long' : 'ftp.response_command_too_long', direction);
    if (direction === 'toServer') this.command(text, truncated, out);
    else this.reply(text, truncated, out);
  }

  private command(text: string, truncated: boolean, out: FeedResult<FtpTransaction>): void {
    if (text === '') return;
    if (this.transactions >= FTP_MAX_TRANSACTIONS_PER_FLOW) return;
    this.transactions++;
    const c = parseFtpCommand(text);
    const tx: FtpTransaction = { command: c.command, commandData: c.data, commandTruncated: truncated, replies: [], replyTruncated: false, replyReceived: false };
    if (c.command === 'PORT') {
      const hp = parseHostPort(c.data);
      if (hp) tx.dataChannel = { mode: 'active', ...hp };
    } else if (c.command === 'EPRT') {
      const hp = parseEprt(c.data);
      if (hp) tx.dataChannel = { mode: 'active', ...hp };
    }
    this.waiting.push(tx);
    if (this.waiting.length > FTP_MAX_PENDING_COMMANDS) out.records.push(this.waiting.shift() as FtpTransaction);
  }

  private reply(text: string, truncated: boolean, out: FeedResult<FtpTransaction>): void {
    let tx = this.replying;
    const m = /^(\d{3})([ -]?)(.*)$/.exec(text);
    if (this.multiLineCode !== null) {
      // Inside a multi-line reply: only "<same code><SP>" ends it; other lines are text.
      const last = m !== null && m[1] === this.multiLineCode && m[2] !== '-';
      if (tx && tx.replies.length < FTP_MAX_REPLY_LINES) tx.replies.push({ code: this.multiLineCode, text: last ? (m[3] ?? '') : text });
      else if (tx) tx.replyTruncated = true;
      if (!last) return;
      this.multiLineCode = null;
      this.finishReply(tx, m[1] ?? '', out);
      return;
    }
    if (!m) {
      raiseOnce(out.anomalies, 'ftp.invalid_reply', 'toClient');
      return;
    }
    const code = m[1] ?? '';
    if (!tx) {
      tx = this.waiting.shift() ?? { commandTruncated: false, replies: [], replyTruncated: false, replyReceived: false };
      this.replying = tx;
    }
    if (tx.replies.length < FTP_MAX_REPLY_LINES) tx.replies.push({ code, text: m[3] ?? '' });
    else tx.replyTruncated = true;
    if (truncated) tx.replyTruncated = true;
    tx.replyReceived = true;
    if (m[2] === '-') {
      this.multiLineCode = code;
      return;
    }
    this.finishReply(tx, code, out);
  }

  private finishReply(tx: FtpTransaction | null, code: string, out: FeedResult<FtpTransaction>): void {
    if (!tx) return;
    const text = tx.replies.map((r) => r.text).join('\n');
    if (code === '227') {
      const hp = parseHostPort(text);
      if (hp) tx.dataChannel = { mode: 'passive', ...hp };
    } else if (code === '229') {
      const port = parseEpsvReply(text);
      if (port !== undefined) tx.dataChannel = { mode: 'passive', port };
    }
    // A preliminary 1xx reply (150 Opening data connection) is followed by the final one.
    if (code.startsWith('1')) return;
    this.replying = null;
    out.records.push(tx);
  }
}

/** The Suricata EVE `ftp` object. */
export interface FtpEve {
  command?: string;
  command_data?: string;
  command_truncated?: boolean;
  reply?: string[];
  completion_code?: string[];
  reply_received: 'yes' | 'no';
  reply_truncated?: boolean;
  dynamic_port?: number;
  mode?: 'active' | 'passive';
}

export function ftpEve(tx: FtpTransaction): FtpEve {
  const eve: FtpEve = { reply_received: tx.replyReceived ? 'yes' : 'no' };
  if (tx.command !== undefined) {
    eve.command = tx.command;
    if (tx.commandData !== undefined && tx.commandData !== '') eve.command_data = tx.commandData;
    eve.command_truncated = tx.commandTruncated;
  }
  if (tx.replies.length > 0) {
    eve.reply = tx.replies.map((r) => r.text);
    eve.completion_code = tx.replies.map((r) => r.code);
    eve.reply_truncated = tx.replyTruncated;
  }
  if (tx.dataChannel) {
    eve.dynamic_port = tx.dataChannel.port;
    eve.mode = tx.dataChannel.mode;
  }
  return eve;
}
