/**
 * Per-flow QUIC state: the client's Initial packets are decrypted (their keys derive from the
 * client's first Destination Connection ID, RFC 9001 5.2), their CRYPTO frames put back in order,
 * and the TLS ClientHello they carry parsed with the TLS parser: SNI, JA3 and JA4 (transport `q`),
 * as Suricata's QUIC logger writes them. The server's Initial (ServerHello) gives JA3S. Everything
 * after the Initials is encrypted with keys an observer does not have, and is not looked at.
 */
import type { AppLayerAnomaly, Direction, FeedResult } from '../appLayer.ts';
import { ja3, ja3s, ja4 } from '../tls/tlsFingerprint.ts';
import type { Ja3 } from '../tls/tlsFingerprint.ts';
import { parseClientHello, parseServerHello } from '../tls/tlsHello.ts';
import { cryptoFrames, decryptPacket, initialKeys, parseLongHeader, quicVersionName, quicVersionParams } from './quicInitial.ts';
import type { QuicInitialKeys } from './quicInitial.ts';

/** CRYPTO bytes kept per direction while waiting for a whole hello; a hello is far smaller. */
export const QUIC_MAX_CRYPTO_BYTES = 64 * 1024;
/** Datagrams of a direction looked at; a handshake's Initials are the first few. */
export const QUIC_MAX_INITIAL_DATAGRAMS = 16;
/** Coalesced packets looked at per datagram. */
const MAX_PACKETS_PER_DATAGRAM = 8;

const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;

/** The EVE `quic` object (Suricata 8 schema). */
export interface QuicEve {
  version: string;
  sni?: string;
  ja3?: Ja3;
  ja4?: string;
  ja3s?: Ja3;
}

export interface QuicRecord {
  direction: Direction;
  eve: QuicEve;
}

/** CRYPTO stream of one direction, rebuilt from frames that may come out of order or repeat. */
class CryptoStream {
  private readonly chunks = new Map<number, Uint8Array>();
  private bytes = 0;
  /** The hello was parsed (or given up): nothing more is kept. */
  done = false;

  add(offset: number, data: Uint8Array): boolean {
    if (this.done || data.length === 0) return true;
    if (offset + data.length > QUIC_MAX_CRYPTO_BYTES || this.bytes + data.length > QUIC_MAX_CRYPTO_BYTES) return false;
    if (!this.chunks.has(offset)) {
      this.chunks.set(offset, data.slice());
      this.bytes += data.length;
    }
    return true;
  }

  /** The contiguous bytes from offset 0. */
  contiguous(): Uint8Array {
    const sorted = [...this.chunks.entries()].sort((a, b) => a[0] - b[0]);
    const parts: Uint8Array[] = [];
    let end = 0;
    for (const [offset, data] of sorted) {
      if (offset > end) break;
      if (offset + data.length <= end) continue;
      parts.push(data.subarray(end - offset));
      end = offset + data.length;
    }
    const out = new Uint8Array(end);
    let p = 0;
    for (const part of parts) {
      out.set(part, p);
      p += part.length;
    }
    return out;
  }
}

export class QuicFlowParser {
  private version = 0;
  /** Destination Connection ID of the client's first Initial: both sides' Initial keys derive from it. */
  private clientDcid: Uint8Array | undefined;
  private readonly keys: { toServer?: QuicInitialKeys; toClient?: QuicInitialKeys } = {};
  private readonly crypto = { toServer: new CryptoStream(), toClient: new CryptoStream() };
  private readonly datagrams = { toServer: 0, toClient: 0 };
  private clientHello: { sni?: string; ja3: Ja3; ja4: string } | undefined;

  /** Datagrams stand alone: a lost one loses only its own packets. */
  gap(_direction: Direction): void {}

  feed(direction: Direction, datagram: Uint8Array): FeedResult<QuicRecord> {
    const out: FeedResult<QuicRecord> = { records: [], anomalies: [] };
    const stream = this.crypto[direction];
    if (stream.done || this.datagrams[direction] >= QUIC_MAX_INITIAL_DATAGRAMS) return out;
    this.datagrams[direction]++;
    let at = 0;
    for (let n = 0; n < MAX_PACKETS_PER_DATAGRAM && at < datagram.length; n++) {
      const h = parseLongHeader(datagram, at);
      if (h === undefined) break;
      at = h.end;
      const params = quicVersionParams(h.version)!;
      if (h.type !== params.initialType) continue; // Handshake / 0-RTT: keys unknown to an observer
      if (direction === 'toServer' && this.clientDcid === undefined) {
        this.clientDcid = h.dcid.slice();
        this.version = h.version;
      }
      if (this.clientDcid === undefined || h.version !== this.version) continue;
      const keys = (this.keys[direction] ??= initialKeys(h.version, this.clientDcid, direction === 'toServer' ? 'client' : 'server'));
      if (keys === undefined) continue;
      const payload = decryptPacket(datagram, h, keys);
      if (payload === undefined) {
        out.anomalies.push(anomaly('quic.failed_decrypt', direction));
        continue;
      }
      const frames = cryptoFrames(payload);
      if (frames === undefined) {
        out.anomalies.push(anomaly('quic.error_on_data', direction));
        continue;
      }
      for (const f of frames) {
        if (!stream.add(f.offset, f.data)) {
          stream.done = true;
          out.anomalies.push(anomaly('quic.crypto_frag_too_long', direction));
          return out;
        }
      }
    }
    this.hello(direction, out);
    return out;
  }

  /** Parses the hello once the CRYPTO stream holds all of it. */
  private hello(direction: Direction, out: FeedResult<QuicRecord>): void {
    const stream = this.crypto[direction];
    if (stream.done) return;
    const b = stream.contiguous();
    if (b.length < 4) return;
    const type = b[0]!;
    const len = (b[1]! << 16) | (b[2]! << 8) | b[3]!;
    if (b.length < 4 + len) return;
    stream.done = true;
    const body = b.subarray(4, 4 + len);
    const version = quicVersionName(this.version);
    if (direction === 'toServer' && type === HANDSHAKE_CLIENT_HELLO) {
      const r = parseClientHello(body);
      if (r.status !== 'ok') {
        out.anomalies.push(anomaly('quic.error_on_data', direction));
        return;
      }
      const h = r.value;
      this.clientHello = { ja3: ja3(h), ja4: ja4(h, 'q'), ...(h.sni === undefined ? {} : { sni: h.sni }) };
      const eve: QuicEve = { version };
      if (h.sni !== undefined) eve.sni = h.sni;
      eve.ja3 = this.clientHello.ja3;
      eve.ja4 = this.clientHello.ja4;
      out.records.push({ direction, eve });
    } else if (direction === 'toClient' && type === HANDSHAKE_SERVER_HELLO) {
      const r = parseServerHello(body);
      if (r.status !== 'ok') {
        out.anomalies.push(anomaly('quic.error_on_data', direction));
        return;
      }
      out.records.push({ direction, eve: { version, ja3s: ja3s(r.value) } });
    } else {
      out.anomalies.push(anomaly('quic.error_on_data', direction));
    }
  }
}

function anomaly(name: string, direction: Direction): AppLayerAnomaly {
  return { name, direction };
}
