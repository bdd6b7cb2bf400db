/**
 * SSH identification strings (RFC 4253 4.2): `SSH-protoversion-softwareversion SP comments CRLF`.
 * The server may send other lines first; each side's banner is parsed once and the binary packet
 * protocol after it is not.
 */
import type { Direction, FeedResult, ParseResult } from '../appLayer.ts';
import { latin1, lineEnd, PendingBytes } from '../appLayer.ts';

/** RFC 4253: the identification line is at most 255 characters including CRLF. */
export const SSH_MAX_BANNER_LEN = 255;
/** Lines a server may send before its banner; past this the direction is not SSH to us. */
export const SSH_MAX_PRE_BANNER_LINES = 32;

export interface SshBanner {
  proto_version: string;
  software_version: string;
  comments?: string;
}

/** Parse one line (without its line end). Errors are `ssh.invalid_banner`. */
export function parseSshBanner(line: Uint8Array): ParseResult<SshBanner> {
  const text = latin1(line);
  if (!text.startsWith('SSH-')) return { status: 'error', anomaly: 'ssh.invalid_banner' };
  const dash = text.indexOf('-', 4);
  if (dash <= 4) return { status: 'error', anomaly: 'ssh.invalid_banner' };
  const proto = text.slice(4, dash);
  const rest = text.slice(dash + 1);
  const sp = rest.indexOf(' ');
  const software = sp < 0 ? rest : rest.slice(0, sp);
  if (software === '' || !/^[\d.]+$/.test(proto)) return { status: 'error', anomaly: 'ssh.invalid_banner' };
  const banner: SshBanner = { proto_version: proto, software_version: software };
  if (sp >= 0) banner.comments = rest.slice(sp + 1);
  return { status: 'ok', consumed: line.length, value: banner };
}

export interface SshBannerRecord {
  direction: Direction;
  banner: SshBanner;
}

export interface SshEve {
  client?: { proto_version: string; software_version: string };
  server?: { proto_version: string; software_version: string };
}

interface Side {
  pending: PendingBytes;
  lines: number;
  done: boolean;
  banner?: SshBanner;
}

export class SshFlowParser {
  private readonly sides: Record<Direction, Side> = {
    toServer: { pending: new PendingBytes(SSH_MAX_BANNER_LEN), lines: 0, done: false },
    toClient: { pending: new PendingBytes(SSH_MAX_BANNER_LEN), lines: 0, done: false },
  };

  feed(direction: Direction, bytes: Uint8Array): FeedResult<SshBannerRecord> {
    const out: FeedResult<SshBannerRecord> = { records: [], anomalies: [] };
    const s = this.sides[direction];
    if (s.done) return out;
    const data = s.pending.join(bytes);
    let pos = 0;
    while (!s.done) {
      const lf = data.indexOf(0x0a, pos);
      if (lf < 0) {
        if (data.length - pos > SSH_MAX_BANNER_LEN) {
          // Over-long: parse what fits so the software version still shows, and say so.
          out.anomalies.push({ name: 'ssh.long_banner', direction });
          this.line(direction, data.subarray(pos, pos + SSH_MAX_BANNER_LEN), out);
          s.done = true;
        }
        break;
      }
      const line = data.subarray(pos, lineEnd(data, lf, pos));
      pos = lf + 1;
      if (line.length > SSH_MAX_BANNER_LEN) out.anomalies.push({ name: 'ssh.long_banner', direction });
      this.line(direction, line.subarray(0, SSH_MAX_BANNER_LEN), out);
    }
    if (s.done) s.pending.clear();
    else s.pending.keep(data.subarray(pos));
    return out;
  }

  private line(direction: Direction, line: Uint8Array, out: FeedResult<SshBannerRecord>): void {
    const s = this.sides[direction];
    const isBanner = line[0] === 0x53 && line[1] === 0x53 && line[2] === 0x48 && line[3] === 0x2d;
    if (!isBanner) {
      // Only the server may send lines before its banner.
      if (direction === 'toServer' || ++s.lines > SSH_MAX_PRE_BANNER_LINES) {
        out.anomalies.push({ name: 'ssh.invalid_banner', direction });
        s.done = true;
      }
      return;
    }
    s.done = true;
    const r = parseSshBanner(line);
    if (r.status !== 'ok') {
      out.anomalies.push({ name: 'ssh.invalid_banner', direction });
      return;
    }
    s.banner = r.value;
    out.records.push({ direction, banner: r.value });
  }

  eve(): SshEve {
    const eve: SshEve = {};
    const c = this.sides.toServer.banner;
    const sv = this.sides.toClient.banner;
    if (c) eve.client = { proto_version: c.proto_version, software_version: c.software_version };
    if (sv) eve.server = { proto_version: sv.proto_version, software_version: sv.software_version };
    return eve;
  }
}
