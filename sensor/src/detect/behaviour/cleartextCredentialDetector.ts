/**
 * Passwords sent in clear: FTP USER/PASS (from the `ftp` records), HTTP `Authorization: Basic`
 * (from the request headers the http records carry, else from the request stream), and by port
 * Telnet logins (the server's "login:"/"Password:" prompts, then the typed lines), POP3 USER/PASS
 * and APOP, IMAP LOGIN. The alert names the user; the password is never kept beyond the line being
 * parsed, and never written.
 *
 * Telnet, POP3 and IMAP are read from the packets' TCP payload in sequence order (retransmissions
 * dropped) rather than from onStream: the app layer recognises none of them, and a flow it gave up
 * on hands no more bytes to the stream hook.
 *
 * Only the first scanBytesPerFlow bytes of each flow are looked at (logins come first), so bulk
 * transfers cost nothing. One alert per (client, server, protocol) per realertSec.
 */
import type { Packet } from '../../decode/packet.ts';
import type { Flow, FlowDirection } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { RaiseAlert, StreamData } from '../detectionStage.ts';
import type { BehaviourConfig } from './behaviourConfig.ts';
import { behaviourAlert, flowTime } from './behaviourAlert.ts';
import type { BehaviourSignature } from './behaviourSids.ts';
import { BEHAVIOUR_SIGNATURES } from './behaviourSids.ts';
import { AlertGate } from './lruTable.ts';

/** Longest client line kept while waiting for its end (a login line is short). */
const MAX_LINE = 512;
const MAX_USER = 64;
const HTTP_REQUEST_START = /^[A-Z]{3,10} \S/;
const BASIC_AUTH = /^(?:proxy-)?authorization:[ \t]*basic[ \t]+([A-Za-z0-9+/=_-]{1,1024})/im;
const TELNET_LOGIN_PROMPT = /(login|username|user name)\s*:\s*$/i;
const TELNET_PASSWORD_PROMPT = /password\s*:\s*$/i;

type StreamProto = 'telnet' | 'pop3' | 'imap' | 'http' | 'none';

interface StreamState {
  proto: StreamProto;
  scanned: number;
  /** Client line being assembled (POP3, IMAP, Telnet). */
  line: string;
  /** POP3 USER / Telnet login typed so far. */
  user: string;
  /** Telnet: what the server's last prompt asked for. */
  telnet: 'idle' | 'login' | 'password';
  /** Tail of the server's text, for prompts split across chunks. */
  serverTail: string;
  done: boolean;
  /** Next expected TCP sequence number per direction (packet path), -1 before the first. */
  nextSeqToServer: number;
  nextSeqToClient: number;
}

function latin1(b: Uint8Array, max: number): string {
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, max)).toString('latin1');
}

/** Removes Telnet IAC commands and subnegotiations (RFC 854/855) from client bytes. */
export function telnetText(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0xff) {
      out += String.fromCharCode(c);
      continue;
    }
    const cmd = b[i + 1];
    if (cmd === 0xff) {
      out += '\xff';
      i++;
    } else if (cmd === 0xfa) {
      // Subnegotiation: skip to IAC SE.
      let j = i + 2;
      while (j < b.length - 1 && !(b[j] === 0xff && b[j + 1] === 0xf0)) j++;
      i = j + 1;
    } else if (cmd !== undefined && cmd >= 0xfb && cmd <= 0xfe) i += 2;
    else i += 1;
  }
  return out;
}

function newState(proto: StreamProto): StreamState {
  return { proto, scanned: 0, line: '', user: '', telnet: 'idle', serverTail: '', done: false, nextSeqToServer: -1, nextSeqToClient: -1 };
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s;
}

export class CleartextCredentialDetector {
  private readonly gate: AlertGate;
  private readonly streams = new WeakMap<Flow, StreamState>();
  private readonly ftpUsers = new WeakMap<Flow, string>();
  private readonly ignoreUsers: ReadonlySet<string>;
  private readonly ports: Map<number, StreamProto>;

  constructor(private readonly config: BehaviourConfig['cleartextCredentials']) {
    this.gate = new AlertGate(config.realertSec, config.maxTracked);
    this.ignoreUsers = new Set(config.ignoreUsers.map((u) => u.toLowerCase()));
    this.ports = new Map();
    for (const p of config.telnetPorts) this.ports.set(p, 'telnet');
    for (const p of config.pop3Ports) this.ports.set(p, 'pop3');
    for (const p of config.imapPorts) this.ports.set(p, 'imap');
  }

  onAppRecord(record: AppRecordOut, raise: RaiseAlert): void {
    if (record.eventType === 'http') {
      // The parser's transaction (AppRecordOut.source) or logged request_headers carry the header;
      // without either, the stream scan below finds it.
      const source = (record as { source?: { http?: { request?: { headers?: readonly { name: string; value: string }[] } } } }).source;
      const headers = source?.http?.request?.headers ?? (record.fields.http as { request_headers?: { name: string; value: string }[] } | undefined)?.request_headers;
      const auth = headers?.find((h) => /^(proxy-)?authorization$/i.test(h.name));
      if (auth !== undefined) {
        const m = BASIC_AUTH.exec(`${auth.name}: ${auth.value}`);
        if (m) this.basic(record.flow, m[1]!, raise);
      }
      return;
    }
    if (record.eventType !== 'ftp') return;
    const ftp = record.fields.ftp as { command?: string; command_data?: string } | undefined;
    const f = record.flow;
    // POP3 looks like FTP to the app layer (USER/PASS): the packet path reports it as POP3.
    if (this.ports.has(f.dstPort)) return;
    if (ftp?.command === 'USER') this.ftpUsers.set(f, (ftp.command_data ?? '').slice(0, MAX_USER));
    else if (ftp?.command === 'PASS') {
      // USER may have been missed (capture started mid-session).
      const user = this.ftpUsers.get(f) ?? '(not seen)';
      this.alert(f, BEHAVIOUR_SIGNATURES.cleartextFtp, 'ftp', user, raise);
    }
  }

  /** Telnet, POP3, IMAP by port: TCP payload in sequence order. */
  onPacket(packet: Packet, flow: Flow | null, direction: FlowDirection, raise: RaiseAlert): void {
    if (flow === null || flow.proto !== 6 || packet.payload.length === 0) return;
    const proto = this.ports.get(flow.dstPort);
    if (proto === undefined) return;
    let s = this.streams.get(flow);
    if (s === undefined) {
      s = newState(proto);
      this.streams.set(flow, s);
    }
    const expected = direction === 'toServer' ? s.nextSeqToServer : s.nextSeqToClient;
    // Behind what was read: a retransmission (sequence numbers compared modulo 2^32).
    if (expected >= 0 && ((packet.tcpSeq - expected) | 0) < 0) return;
    const next = (packet.tcpSeq + packet.payload.length) >>> 0;
    if (direction === 'toServer') s.nextSeqToServer = next;
    else s.nextSeqToClient = next;
    this.scan(flow, s, direction, packet.payload, raise);
  }

  /** HTTP request bytes (any port): the Authorization header. */
  onStream(data: StreamData, raise: RaiseAlert): void {
    const f = data.flow;
    if (f.proto !== 6 || this.ports.has(f.dstPort)) return;
    let s = this.streams.get(f);
    if (s === undefined) {
      // Decided on the first chunk: an HTTP request line.
      const first = data.data[0] ?? 0;
      const upper = first >= 0x41 && first <= 0x5a;
      const http = upper && data.direction === 'toServer' && HTTP_REQUEST_START.test(latin1(data.data, 16));
      s = newState(http ? 'http' : 'none');
      this.streams.set(f, s);
    }
    this.scan(f, s, data.direction, data.data, raise);
  }

  private scan(f: Flow, s: StreamState, direction: FlowDirection, data: Uint8Array, raise: RaiseAlert): void {
    if (s.proto === 'none' || s.done || s.scanned >= this.config.scanBytesPerFlow) return;
    const budget = this.config.scanBytesPerFlow - s.scanned;
    const bytes = data.length > budget ? data.subarray(0, budget) : data;
    s.scanned += bytes.length;
    if (s.proto === 'http') {
      if (direction !== 'toServer') return;
      const m = BASIC_AUTH.exec(latin1(bytes, bytes.length));
      if (m) this.basic(f, m[1]!, raise);
      return;
    }
    if (s.proto === 'telnet') return this.telnet(f, s, direction, bytes, raise);
    if (direction !== 'toServer') return;
    this.lines(s, latin1(bytes, bytes.length), (line) => this.mailLine(f, s, line, raise));
  }

  private lines(s: StreamState, text: string, onLine: (line: string) => void): void {
    let buf = s.line + text;
    for (;;) {
      const nl = buf.search(/[\r\n]/);
      if (nl < 0) break;
      const line = buf.slice(0, nl);
      buf = buf.slice(buf[nl] === '\r' && buf[nl + 1] === '\n' ? nl + 2 : nl + 1);
      if (line !== '') onLine(line);
      if (s.done) {
        buf = '';
        break;
      }
    }
    s.line = buf.length > MAX_LINE ? '' : buf;
  }

  private mailLine(f: Flow, s: StreamState, line: string, raise: RaiseAlert): void {
    if (s.proto === 'pop3') {
      const m = /^(USER|PASS|APOP)(?: +(\S*))?/i.exec(line);
      if (!m) return;
      const verb = m[1]!.toUpperCase();
      if (verb === 'USER') s.user = (m[2] ?? '').slice(0, MAX_USER);
      else {
        s.done = true;
        this.alert(f, BEHAVIOUR_SIGNATURES.cleartextPop3, 'pop3', verb === 'APOP' ? (m[2] ?? '').slice(0, MAX_USER) : s.user, raise);
      }
      return;
    }
    // IMAP: `tag LOGIN user password` (RFC 3501), user as atom or quoted string.
    const m = /^\S+ +LOGIN +("(?:[^"\\]|\\.)*"|\S+)/i.exec(line);
    if (!m) return;
    s.done = true;
    this.alert(f, BEHAVIOUR_SIGNATURES.cleartextImap, 'imap', unquote(m[1]!).slice(0, MAX_USER), raise);
  }

  private telnet(f: Flow, s: StreamState, direction: 'toServer' | 'toClient', bytes: Uint8Array, raise: RaiseAlert): void {
    const text = telnetText(bytes);
    if (direction === 'toClient') {
      const tail = (s.serverTail + text).slice(-64);
      s.serverTail = tail;
      const trimmed = tail.replaceAll('\0', '').trimEnd();
      if (TELNET_PASSWORD_PROMPT.test(trimmed)) {
        s.telnet = 'password';
        s.line = '';
      } else if (TELNET_LOGIN_PROMPT.test(trimmed)) {
        s.telnet = 'login';
        s.line = '';
        s.user = '';
      }
      return;
    }
    if (s.telnet === 'idle') return;
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        if (s.telnet === 'login' && s.line !== '') {
          s.user = s.line.slice(0, MAX_USER);
          s.telnet = 'idle';
        } else if (s.telnet === 'password') {
          s.done = true;
          s.line = '';
          this.alert(f, BEHAVIOUR_SIGNATURES.cleartextTelnet, 'telnet', s.user, raise);
          return;
        }
        s.line = '';
      } else if (s.telnet === 'login') {
        if (ch === '\x7f' || ch === '\b') s.line = s.line.slice(0, -1);
        else if (ch >= ' ' && s.line.length < MAX_USER) s.line += ch;
      }
      // Password characters are not kept.
    }
  }

  private basic(f: Flow, token: string, raise: RaiseAlert): void {
    const decoded = Buffer.from(token, 'base64').toString('latin1');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? '' : decoded.slice(0, Math.min(colon, MAX_USER));
    this.alert(f, BEHAVIOUR_SIGNATURES.cleartextHttpBasic, 'http', user, raise);
  }

  private alert(f: Flow, sig: BehaviourSignature, protocol: string, user: string, raise: RaiseAlert): void {
    if (this.ignoreUsers.has(user.toLowerCase())) return;
    if (!this.gate.allow(`${protocol}|${f.srcIp}>${f.dstIp}`, f.lastSec)) return;
    raise(behaviourAlert(sig, f, { protocol, username: user, server_port: f.dstPort }, flowTime(f)));
  }
}
