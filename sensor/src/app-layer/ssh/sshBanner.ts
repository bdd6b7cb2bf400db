/**
 * SSH identification strings (RFC 4253 4.2): `SSH-protoversion-softwareversion SP comments CRLF`.
 * The server may send other lines first. After its banner each side's first KEXINIT is parsed for
 * HASSH; nothing after that is (it is encrypted soon after).
 */
import type { Direction, FeedResult, ParseResult } from '../appLayer.ts';
import { latin1, lineEnd, PendingBytes, raiseOnce } from '../appLayer.ts';
import type { Hassh, SshKexinit } from './sshKexinit.ts';
import { hassh, parseSshKexinit, parseSshPacket, SSH_MAX_PACKET_LEN, SSH_MSG_KEXINIT } from './sshKexinit.ts';

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

export type SshRecord =
  | { type: 'banner'; direction: Direction; banner: SshBanner }
  | { type: 'kexinit'; direction: Direction; kexinit: SshKexinit; hassh: Hassh };

type SshSide = 'client' | 'server';
export interface SshEve {
  client?: { proto_version: string; software_version: string; hassh?: Hassh };
  server?: { proto_version: string; software_version: string; hassh?: Hassh };
}

/** Binary packets looked at after the banner while waiting for KEXINIT. */
export const SSH_MAX_PACKETS_BEFORE_KEXINIT = 4;

interface Side {
  pending: PendingBytes;
  phase: 'banner' | 'kex' | 'done';
  lines: number;
  packets: number;
  banner?: SshBanner;
  hassh?: Hassh;
}

const newSide = (): Side => ({ pending: new PendingBytes(SSH_MAX_PACKET_LEN + 4), phase: 'banner', lines: 0, packets: 0 });

export class SshFlowParser {
  private readonly sides: Record<Direction, Side> = { toServer: newSide(), toClient: newSide() };

  feed(direction: Direction, bytes: Uint8Array): FeedResult<SshRecord> {
    const out: FeedResult<SshRecord> = { records: [], anomalies: [] };
    const s = this.sides[direction];
    if (s.phase === 'done') return out;
    const data = s.pending.join(bytes);
    let pos = 0;
    while (s.phase === 'banner') {
      const lf = data.indexOf(0x0a, pos);
      if (lf < 0) {
        if (data.length - pos > SSH_MAX_BANNER_LEN) {
          // Over-long: parse what fits so the software version still shows, say so, and stop:
          // where the binary protocol would start is unknown.
          raiseOnce(out.anomalies, 'ssh.long_banner', direction);
          this.line(direction, data.subarray(pos, pos + SSH_MAX_BANNER_LEN), out);
          s.phase = 'done';
        }
        break;
      }
      const line = data.subarray(pos, lineEnd(data, lf, pos));
      pos = lf + 1;
      if (line.length > SSH_MAX_BANNER_LEN) raiseOnce(out.anomalies, 'ssh.long_banner', direction);
      this.line(direction, line.subarray(0, SSH_MAX_BANNER_LEN), out);
    }
    while (s.phase === 'kex') {
      const r = parseSshPacket(data.subarray(pos));
      if (r.status === 'incomplete') break;
      if (r.status === 'error') {
        raiseOnce(out.anomalies, r.anomaly, direction);
        s.phase = 'done';
        break;
      }
      pos += r.consumed;
      if (r.value[0] === SSH_MSG_KEXINIT) {
        const k = parseSshKexinit(r.value);
        s.phase = 'done';
        if (k.status !== 'ok') {
          raiseOnce(out.anomalies, 'ssh.invalid_record', direction);
          break;
        }
        s.hassh = hassh(k.value, direction === 'toServer' ? 'client' : 'server');
        out.records.push({ type: 'kexinit', direction, kexinit: k.value, hassh: s.hassh });
      } else if (++s.packets >= SSH_MAX_PACKETS_BEFORE_KEXINIT) s.phase = 'done';
    }
    if (s.phase === 'done') s.pending.clear();
    else s.pending.keep(data.subarray(pos));
    return out;
  }

  /** Bytes of this direction were lost (capture drop, reassembly gap). Framing cannot be trusted
   *  past a hole, so the direction is no longer parsed; what completed before is kept. */
  gap(direction: Direction): void {
    const s = this.sides[direction];
    s.phase = 'done';
    s.pending.clear();
  }

  private line(direction: Direction, line: Uint8Array, out: FeedResult<SshRecord>): void {
    const s = this.sides[direction];
    const isBanner = line[0] === 0x53 && line[1] === 0x53 && line[2] === 0x48 && line[3] === 0x2d;
    if (!isBanner) {
      // Only the server may send lines before its banner.
      if (direction === 'toServer' || ++s.lines > SSH_MAX_PRE_BANNER_LINES) {
        raiseOnce(out.anomalies, 'ssh.invalid_banner', direction);
        s.phase = 'done';
      }
      return;
    }
    const r = parseSshBanner(line);
    if (r.status !== 'ok') {
      raiseOnce(out.anomalies, 'ssh.invalid_banner', direction);
      s.phase = 'done';
      return;
    }
    if (s.phase === 'banner') s.phase = 'kex';
    s.banner = r.value;
    out.records.push({ type: 'banner', direction, banner: r.value });
  }

  eve(): SshEve {
    const eve: SshEve = {};
    const side = (d: Direction): SshEve[SshSide] => {
      const s = this.sides[d];
      if (!s.banner) return undefined;
      const o: NonNullable<SshEve[SshSide]> = { proto_version: s.banner.proto_version, software_version: s.banner.software_version };
      if (s.hassh) o.hassh = s.hassh;
      return o;
    };
    const c = side('toServer');
    const sv = side('toClient');
    if (c) eve.client = c;
    if (sv) eve.server = sv;
    return eve;
  }
}
