/**
 * The FTP control channel (RFC 959, RFC 2428): command lines from the client, reply lines (single
 * and multi-line) from the server, paired in order into transactions. PORT/EPRT commands and
 * 227/229 replies are decoded into the data-channel address so the flow stage can expect it.
 */
import type { Direction, FeedResult } from '../appLayer.ts';
import { isIPv6 } from 'node:net';
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

/** A data-channel port: 1..65535 (port 0 is no port). */
function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** `h1,h2,h3,h4,p1,p2` (PORT and 227 replies): six numbers 0..255, not part of a longer list. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /(?<![\d,])(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})(?![\d,])/.exec(text);
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  if (n.some((v) => v > 255)) return undefined;
  const port = (n[4] ?? 0) * 256 + (n[5] ?? 0);
  if (!validPort(port)) return undefined;
  return { host: n.slice(0, 4).join('.'), port };
}

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** EPRT `|af|addr|port|` (RFC 2428); the delimiter is whatever the first character is (a printable
 *  character other than a digit). af 1 wants a dotted quad, af 2 an IPv6 address. */
export function parseEprt(text: string): { host: string; port: number } | undefined {
  const t = text.trim();
  const d = t[0];
  if (d === undefined || !/^[\x21-\x7e]$/.test(d) || /[\d.:]/.test(d)) return undefined;
  const parts = t.split(d);
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return undefined;
  const [, af, host = '', portText = ''] = parts;
  if (!/^\d{1,5}$/.test(portText) || !validPort(Number(portText))) return undefined;
  if (af === '1' ? !isIpv4(host) : af !== '2' || !isIPv6(host)) return undefined;
  return { host, port: Number(portText) };
}

/** EPSV reply `229 Entering Extended Passive Mode (|||6446|)`. */
export function parseEpsvReply(text: string): number | undefined {
  const m = /\(([\x21-\x7e])\1\1(\d{1,5})\1\)/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  return validPort(port) ? port : undefined;
}

/** Commands that open a data connection: the file transfers, and the listings (no file). */
export const FTP_DATA_COMMANDS: ReadonlySet<string> = new Set(['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD']);

/** What the control channel says about data connections, as soon as it is said (the transaction
 *  itself completes only with the final reply, after the transfer): a data channel announced (PORT,
 *  EPRT, 227, 229), or a command that uses it. */
export type FtpDataEvent = { kind: 'channel'; channel: FtpDataChannel } | { kind: 'command'; command: string; argument: string };

export interface FtpFeedResult extends FeedResult<FtpTransaction> {
  dataEvents: FtpDataEvent[];
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

  feed(direction: Direction, bytes: Uint8Array): FtpFeedResult {
    const out: FtpFeedResult = { records: [], anomalies: [], dataEvents: [] };
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

  private line(direction: Direction, text: string, truncated: boolean, out: FtpFeedResult): void {
    if (truncated) raiseOnce(out.anomalies, direction === 'toServer' ? 'ftp.request_command_too_long' : 'ftp.response_command_too_long', direction);
    if (direction === 'toServer') this.command(text, truncated, out);
    else this.reply(text, truncated, out);
  }

  private command(text: string, truncated: boolean, out: FtpFeedResult): void {
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
    if (tx.dataChannel) out.dataEvents.push({ kind: 'channel', channel: tx.dataChannel });
    else if (!truncated && FTP_DATA_COMMANDS.has(c.command)) out.dataEvents.push({ kind: 'command', command: c.command, argument: c.data });
    this.waiting.push(tx);
    if (this.waiting.length > FTP_MAX_PENDING_COMMANDS) out.records.push(this.waiting.shift() as FtpTransaction);
  }

  private reply(text: string, truncated: boolean, out: FtpFeedResult): void {
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

  private finishReply(tx: FtpTransaction | null, code: string, out: FtpFeedResult): void {
    if (!tx) return;
    const text = tx.replies.map((r) => r.text).join('\n');
    if (code === '227') {
      const hp = parseHostPort(text);
      if (hp) tx.dataChannel = { mode: 'passive', ...hp };
    } else if (code === '229') {
      const port = parseEpsvReply(text);
      if (port !== undefined) tx.dataChannel = { mode: 'passive', port };
    }
    if (tx.dataChannel?.mode === 'passive' && (code === '227' || code === '229')) out.dataEvents.push({ kind: 'channel', channel: tx.dataChannel });
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
