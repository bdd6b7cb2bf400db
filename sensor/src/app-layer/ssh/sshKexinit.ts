/**
 * The first binary packet each side sends after its banner, SSH_MSG_KEXINIT (RFC 4253 7.1), and
 * the HASSH fingerprints built from it (Salesforce HASSH: the client's kex, encryption, MAC and
 * compression lists for its direction, `;`-joined, MD5).
 */
import { createHash } from 'node:crypto';
import type { ParseResult } from '../appLayer.ts';
import { latin1 } from '../appLayer.ts';

/** RFC 4253 6.1: implementations need not accept packets larger than 35000 bytes. */
export const SSH_MAX_PACKET_LEN = 35000;
export const SSH_MSG_KEXINIT = 20;

export interface SshKexinit {
  kexAlgorithms: string;
  serverHostKeyAlgorithms: string;
  encryptionClientToServer: string;
  encryptionServerToClient: string;
  macClientToServer: string;
  macServerToClient: string;
  compressionClientToServer: string;
  compressionServerToClient: string;
}

export interface Hassh {
  string: string;
  hash: string;
}

/** Frame one binary packet: its payload (without padding), or incomplete / error. */
export function parseSshPacket(b: Uint8Array): ParseResult<Uint8Array> {
  if (b.length < 5) return { status: 'incomplete', consumed: 0, needed: 5 - b.length };
  const len = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  if (len > SSH_MAX_PACKET_LEN) return { status: 'error', anomaly: 'ssh.long_kex_record' };
  const padding = b[4] ?? 0;
  if (len < 1 + padding) return { status: 'error', anomaly: 'ssh.invalid_record' };
  if (b.length < 4 + len) return { status: 'incomplete', consumed: 0, needed: 4 + len - b.length };
  return { status: 'ok', consumed: 4 + len, value: b.subarray(5, 4 + len - padding) };
}

/** Parse a KEXINIT payload (starting at the message type byte). */
export function parseSshKexinit(p: Uint8Array): ParseResult<SshKexinit> {
  const bad: ParseResult<SshKexinit> = { status: 'error', anomaly: 'ssh.invalid_record' };
  if (p[0] !== SSH_MSG_KEXINIT || p.length < 17) return bad;
  let pos = 17; // type + 16-byte cookie
  const lists: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (pos + 4 > p.length) return bad;
    const len = (((p[pos] ?? 0) << 24) | ((p[pos + 1] ?? 0) << 16) | ((p[pos + 2] ?? 0) << 8) | (p[pos + 3] ?? 0)) >>> 0;
    if (pos + 4 + len > p.length) return bad;
    lists.push(latin1(p, pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  const [kex = '', hostKey = '', encCs = '', encSc = '', macCs = '', macSc = '', compCs = '', compSc = ''] = lists;
  return {
    status: 'ok',
    consumed: p.length,
    value: {
      kexAlgorithms: kex, serverHostKeyAlgorithms: hostKey, encryptionClientToServer: encCs, encryptionServerToClient: encSc,
      macClientToServer: macCs, macServerToClient: macSc, compressionClientToServer: compCs, compressionServerToClient: compSc,
    },
  };
}

/** HASSH of a client KEXINIT, or HASSHServer of a server one. */
export function hassh(k: SshKexinit, side: 'client' | 'server'): Hassh {
  const s =
    side === 'client'
      ? [k.kexAlgorithms, k.encryptionClientToServer, k.macClientToServer, k.compressionClientToServer].join(';')
      : [k.kexAlgorithms, k.encryptionServerToClient, k.macServerToClient, k.compressionServerToClient].join(';');
  return { string: s, hash: createHash('md5').update(s).digest('hex') };
}
