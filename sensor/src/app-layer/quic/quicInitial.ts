/**
 * QUIC Initial packets (RFC 9000 17.2, RFC 9001 5): the long header, the Initial keys every
 * observer can derive from the client's Destination Connection ID and the version's salt
 * (HKDF-Extract, then HKDF-Expand-Label "client in" / "server in" → key, iv, hp), header
 * protection removed with AES-128-ECB over a 16-byte sample, the payload opened with AES-128-GCM,
 * and the CRYPTO frames it carries (where the TLS ClientHello and ServerHello travel).
 *
 * Versions: 1 (RFC 9000), 2 (RFC 9369: own salt, "quicv2" labels, Initial type 0b01) and the
 * drafts 23-32. Others are not decrypted (their Initial keys are not public or not known here).
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

interface VersionParams {
  salt: Buffer;
  /** HKDF label prefix for key/iv/hp: "quic" or "quicv2". */
  labels: 'quic' | 'quicv2';
  /** Long-header type bits of an Initial packet. */
  initialType: number;
}

const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');
const SALT_DRAFT29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');
const SALT_DRAFT23 = Buffer.from('c3eef712c72ebb5a11a7d2432bb46365bef9f502', 'hex');

/** The Initial protection parameters of a version; undefined when not known. */
export function quicVersionParams(version: number): VersionParams | undefined {
  if (version === QUIC_V1) return { salt: SALT_V1, labels: 'quic', initialType: 0 };
  if (version === QUIC_V2) return { salt: SALT_V2, labels: 'quicv2', initialType: 1 };
  if (version >= 0xff00001d && version <= 0xff000020) return { salt: SALT_DRAFT29, labels: 'quic', initialType: 0 };
  if (version >= 0xff000017 && version <= 0xff00001c) return { salt: SALT_DRAFT23, labels: 'quic', initialType: 0 };
  return undefined;
}

/** Suricata's EVE `quic.version`: the number in hex without leading zeros ("1", "6b3343cf"). */
export function quicVersionName(version: number): string {
  return version.toString(16);
}

/** A variable-length integer (RFC 9000 16) at `at`: value and size, or undefined past the end. */
export function readVarint(b: Uint8Array, at: number): { value: number; size: number } | undefined {
  if (at >= b.length) return undefined;
  const first = b[at]!;
  const size = 1 << (first >> 6);
  if (at + size > b.length) return undefined;
  let v = first & 0x3f;
  for (let i = 1; i < size; i++) v = v * 256 + b[at + i]!;
  return { value: v, size };
}

export interface QuicLongHeader {
  /** Offset of the packet's first byte in the datagram. */
  start: number;
  /** First byte as sent (header protection still on). */
  firstByte: number;
  version: number;
  /** Long-header type bits (0-3); Initial is 0 in v1, 1 in v2. */
  type: number;
  dcid: Uint8Array;
  scid: Uint8Array;
  /** Initial packets: the token; others: empty. */
  token: Uint8Array;
  /** Offset of the (protected) packet number. */
  pnOffset: number;
  /** Offset just past this packet (pnOffset + the Length field). */
  end: number;
}

/**
 * The long header at `at` of a datagram, for a version whose Initial layout is known; undefined
 * when it is not a long header of such a version or is cut short.
 */
export function parseLongHeader(b: Uint8Array, at = 0): QuicLongHeader | undefined {
  if (b.length < at + 7) return undefined;
  const firstByte = b[at]!;
  if ((firstByte & 0xc0) !== 0xc0) return undefined; // long form with the fixed bit
  const version = ((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!) >>> 0;
  const params = quicVersionParams(version);
  if (params === undefined) return undefined;
  let p = at + 5;
  const dcidLen = b[p++]!;
  if (dcidLen > 20 || p + dcidLen >= b.length) return undefined;
  const dcid = b.subarray(p, p + dcidLen);
  p += dcidLen;
  const scidLen = b[p++]!;
  if (scidLen > 20 || p + scidLen > b.length) return undefined;
  const scid = b.subarray(p, p + scidLen);
  p += scidLen;
  const type = (firstByte >> 4) & 0x03;
  let token: Uint8Array = new Uint8Array(0);
  if (type === params.initialType) {
    const tokenLen = readVarint(b, p);
    if (tokenLen === undefined || p + tokenLen.size + tokenLen.value > b.length) return undefined;
    p += tokenLen.size;
    token = b.subarray(p, p + tokenLen.value);
    p += tokenLen.value;
  } else if (type === (params.initialType + 3) % 4) {
    return undefined; // Retry: no Length field, nothing to decrypt
  }
  const length = readVarint(b, p);
  if (length === undefined) return undefined;
  p += length.size;
  const end = p + length.value;
  if (end > b.length || length.value < 20) return undefined;
  return { start: at, firstByte, version, type, dcid, scid, token, pnOffset: p, end };
}

/** Whether the datagram starts with a QUIC Initial packet of a known version. */
export function isQuicInitial(b: Uint8Array): boolean {
  const h = parseLongHeader(b);
  return h !== undefined && h.type === quicVersionParams(h.version)!.initialType;
}

function hmac(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for lengths up to 32 (one block). */
function expandLabel(secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0, 1])]);
  return hmac(secret, info).subarray(0, length);
}

export interface QuicInitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** The Initial keys of one side, from the Destination Connection ID of the client's first Initial. */
export function initialKeys(version: number, clientDcid: Uint8Array, side: 'client' | 'server'): QuicInitialKeys | undefined {
  const params = quicVersionParams(version);
  if (params === undefined) return undefined;
  const initialSecret = hmac(params.salt, clientDcid);
  const secret = expandLabel(initialSecret, side === 'client' ? 'client in' : 'server in', 32);
  return {
    key: expandLabel(secret, `${params.labels} key`, 16),
    iv: expandLabel(secret, `${params.labels} iv`, 12),
    hp: expandLabel(secret, `${params.labels} hp`, 16),
  };
}

/** Removes header protection and opens the payload; undefined when it does not authenticate. */
export function decryptPacket(b: Uint8Array, h: QuicLongHeader, keys: QuicInitialKeys): Uint8Array | undefined {
  const sampleAt = h.pnOffset + 4;
  if (sampleAt + 16 > h.end) return undefined;
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(b.subarray(sampleAt, sampleAt + 16));
  const first = h.firstByte ^ (mask[0]! & 0x0f);
  const pnLen = (first & 0x03) + 1;
  const start = h.start;
  const aad = Buffer.from(b.subarray(start, h.pnOffset + pnLen));
  aad[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLen; i++) {
    const v = b[h.pnOffset + i]! ^ mask[1 + i]!;
    aad[h.pnOffset - start + i] = v;
    pn = pn * 256 + v;
  }
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 8 && pn > 0; i++) {
    nonce[11 - i]! ^= pn % 256;
    pn = Math.floor(pn / 256);
  }
  const body = b.subarray(h.pnOffset + pnLen, h.end);
  if (body.length < 16) return undefined;
  try {
    const gcm = createDecipheriv('aes-128-gcm', keys.key, nonce);
    gcm.setAAD(aad);
    gcm.setAuthTag(body.subarray(body.length - 16));
    const plain = gcm.update(body.subarray(0, body.length - 16));
    gcm.final();
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
  } catch {
    return undefined;
  }
}

export interface CryptoFrame {
  offset: number;
  data: Uint8Array;
}

/**
 * The CRYPTO frames of an Initial or Handshake payload (PADDING, PING, ACK and CONNECTION_CLOSE
 * skipped); undefined when a frame is malformed or of a type these packets cannot carry.
 */
export function cryptoFrames(payload: Uint8Array): CryptoFrame[] | undefined {
  const out: CryptoFrame[] = [];
  let p = 0;
  while (p < payload.length) {
    const type = readVarint(payload, p);
    if (type === undefined) return undefined;
    p += type.size;
    switch (type.value) {
      case 0x00: // PADDING
      case 0x01: // PING
        break;
      case 0x02:
      case 0x03: {
        // ACK: largest, delay, range count, first range, ranges (gap, length)…, [ECN counts]
        const fields: number[] = [];
        for (let i = 0; i < 4; i++) {
          const v = readVarint(payload, p);
          if (v === undefined) return undefined;
          p += v.size;
          fields.push(v.value);
        }
        const ranges = fields[2]! * 2 + (type.value === 0x03 ? 3 : 0);
        for (let i = 0; i < ranges; i++) {
          const v = readVarint(payload, p);
          if (v === undefined) return undefined;
          p += v.size;
        }
        break;
      }
      case 0x06: {
        const offset = readVarint(payload, p);
        if (offset === undefined) return undefined;
        p += offset.size;
        const length = readVarint(payload, p);
        if (length === undefined) return undefined;
        p += length.size;
        if (p + length.value > payload.length) return undefined;
        out.push({ offset: offset.value, data: payload.subarray(p, p + length.value) });
        p += length.value;
        break;
      }
      case 0x1c:
      case 0x1d: {
        // CONNECTION_CLOSE: error code, [frame type], reason length, reason
        const n = type.value === 0x1c ? 2 : 1;
        for (let i = 0; i < n; i++) {
          const v = readVarint(payload, p);
          if (v === undefined) return undefined;
          p += v.size;
        }
        const len = readVarint(payload, p);
        if (len === undefined || p + len.size + len.value > payload.length) return undefined;
        p += len.size + len.value;
        break;
      }
      default:
        return undefined;
    }
  }
  return out;
}
