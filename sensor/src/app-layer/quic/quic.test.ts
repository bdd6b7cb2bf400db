/**
 * QUIC Initial decryption: the key schedule against RFC 9001 Appendix A and RFC 9369 Appendix A,
 * then client Initials built here the way a client protects them (AES-128-GCM, header protection),
 * opened by the flow parser into the EVE `quic` record (SNI, JA3, JA4 with the `q` transport);
 * the ClientHello split over CRYPTO frames out of order and over two datagrams; tampering,
 * unknown versions and short headers refused; and `alert quic` rules matching through the pipeline.
 */
import { createCipheriv } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EveRecord } from '../../eve/eveEvent.ts';
import { DEFAULT_EVE_SCHEMA_PATH, validateEveRecord } from '../../eve/eveSchema.ts';
import { HomeNet } from '../../detect/homeNet.ts';
import { loadRulesText } from '../../detect/rules/index.ts';
import { runCapture } from '../../pipeline/runCapture.ts';
import { ethernet, ipv4, udp, writePcap } from '../../testing/pcapWriter.ts';
import { clientHelloBody, concat, handshake, serverHelloBody } from '../tls/tlsFixtures.ts';
import { ja4 } from '../tls/tlsFingerprint.ts';
import { parseClientHello } from '../tls/tlsHello.ts';
import { QuicFlowParser } from './quicFlow.ts';
import { cryptoFrames, initialKeys, isQuicInitial, parseLongHeader, QUIC_V1, QUIC_V2, readVarint } from './quicInitial.ts';
import type { QuicInitialKeys } from './quicInitial.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const DCID = Buffer.from('8394c8f03e515708', 'hex');

describe('Initial keys', () => {
  it('derives RFC 9001 Appendix A.1 keys (version 1)', () => {
    const c = initialKeys(QUIC_V1, DCID, 'client')!;
    expect([hex(c.key), hex(c.iv), hex(c.hp)]).toEqual(['1f369613dd76d5467730efcbe3b1a22d', 'fa044b2f42a3fd3b46fb255c', '9f50449e04a0e810283a1e9933adedd2']);
    const s = initialKeys(QUIC_V1, DCID, 'server')!;
    expect([hex(s.key), hex(s.iv), hex(s.hp)]).toEqual(['cf3a5331653c364c88f0f379b6067e37', '0ac1493ca1905853b0bba03e', 'c206b8d9b9f0f37644430b490eeaa314']);
  });

  it('derives RFC 9369 Appendix A.1 client keys (version 2: own salt, quicv2 labels)', () => {
    const c = initialKeys(QUIC_V2, DCID, 'client')!;
    expect([hex(c.key), hex(c.iv), hex(c.hp)]).toEqual(['8b1a0bc121284290a29e0971b5cd045d', '91f73e2351d8fa91660e909f', '45b95e15235d6f45a6b19cbcb0294ba9']);
  });

  it('has no keys for versions it does not know', () => {
    expect(initialKeys(0x51303433, DCID, 'client')).toBeUndefined();
  });
});

describe('varints and frames', () => {
  it('reads 1, 2, 4 and 8 byte varints (RFC 9000 A.1 examples)', () => {
    expect(readVarint(Buffer.from('25', 'hex'), 0)).toEqual({ value: 37, size: 1 });
    expect(readVarint(Buffer.from('7bbd', 'hex'), 0)).toEqual({ value: 15293, size: 2 });
    expect(readVarint(Buffer.from('9d7f3e7d', 'hex'), 0)).toEqual({ value: 494878333, size: 4 });
    expect(readVarint(Buffer.from('c000000100000002', 'hex'), 0)).toEqual({ value: 2 ** 32 + 2, size: 8 });
    expect(readVarint(Buffer.from('7b', 'hex'), 0)).toBeUndefined();
  });

  it('collects CRYPTO frames past PADDING, PING and ACK, and refuses other frame types', () => {
    const payload = Uint8Array.from([0x01, 0x02, 0x05, 0x00, 0x00, 0x01, 0x06, 0x03, 0x02, 0xaa, 0xbb, 0x00, 0x00]);
    expect(cryptoFrames(payload)).toEqual([{ offset: 3, data: Uint8Array.from([0xaa, 0xbb]) }]);
    expect(cryptoFrames(Uint8Array.from([0x08, 0x00]))).toBeUndefined(); // STREAM
    expect(cryptoFrames(Uint8Array.from([0x06, 0x00, 0x05, 0x01]))).toBeUndefined(); // cut short
  });
});

function varint(n: number): Uint8Array {
  if (n < 64) return Uint8Array.from([n]);
  return Uint8Array.from([0x40 | (n >> 8), n & 0xff]);
}

function cryptoFrame(offset: number, data: Uint8Array): Uint8Array {
  return concat(Uint8Array.from([0x06]), varint(offset), varint(data.length), data);
}

/** A protected Initial packet (RFC 9001 5.3-5.4), padded to `padTo` bytes. */
function initialPacket(o: { version?: number; dcid?: Uint8Array; keysDcid?: Uint8Array; side?: 'client' | 'server'; pn: number; frames: Uint8Array; padTo?: number }): Uint8Array {
  const version = o.version ?? QUIC_V1;
  const dcid = o.dcid ?? DCID;
  const keys = initialKeys(version, o.keysDcid ?? dcid, o.side ?? 'client') as QuicInitialKeys;
  const type = version === QUIC_V2 ? 1 : 0;
  const pnLen = 2;
  const headLen = 1 + 4 + 1 + dcid.length + 1 + 0 + 1 + 2;
  const plainLen = Math.max(o.frames.length, (o.padTo ?? 0) - headLen - pnLen - 16);
  const plain = new Uint8Array(plainLen);
  plain.set(o.frames, 0);
  const length = pnLen + plain.length + 16;
  const header = concat(
    Uint8Array.from([0xc0 | (type << 4) | (pnLen - 1), version >>> 24, (version >> 16) & 0xff, (version >> 8) & 0xff, version & 0xff, dcid.length]),
    dcid,
    Uint8Array.from([0, 0]), // no source connection id, no token
    Uint8Array.from([0x40 | (length >> 8), length & 0xff]),
    Uint8Array.from([o.pn >> 8, o.pn & 0xff]),
  );
  const nonce = Buffer.from(keys.iv);
  nonce[11]! ^= o.pn & 0xff;
  nonce[10]! ^= o.pn >> 8;
  const gcm = createCipheriv('aes-128-gcm', keys.key, nonce);
  gcm.setAAD(header);
  const sealed = concat(gcm.update(plain), gcm.final(), gcm.getAuthTag());
  const packet = concat(header, sealed);
  const pnOffset = header.length - pnLen;
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0]! ^= mask[0]! & 0x0f;
  for (let i = 0; i < pnLen; i++) packet[pnOffset + i]! ^= mask[1 + i]!;
  return packet;
}

const hello = handshake(1, clientHelloBody('quic.example.jp'));
const expectedJa4 = ja4((parseClientHello(clientHelloBody('quic.example.jp')) as { value: Parameters<typeof ja4>[0] }).value, 'q');

describe('QuicFlowParser', () => {
  it('opens a client Initial and writes version, SNI, JA3 and a q-transport JA4', () => {
    const datagram = initialPacket({ pn: 0, frames: cryptoFrame(0, hello), padTo: 1200 });
    expect(datagram.length).toBe(1200);
    expect(isQuicInitial(datagram)).toBe(true);
    const r = new QuicFlowParser().feed('toServer', datagram);
    expect(r.anomalies).toEqual([]);
    expect(r.records).toHaveLength(1);
    const eve = r.records[0]!.eve;
    expect(eve).toMatchObject({ version: '1', sni: 'quic.example.jp', ja4: expectedJa4 });
    expect(eve.ja4!.startsWith('q13d')).toBe(true);
    expect(eve.ja3?.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('puts the ClientHello back together from CRYPTO frames out of order, over two datagrams', () => {
    const cut = 40;
    const p = new QuicFlowParser();
    const first = p.feed('toServer', initialPacket({ pn: 0, frames: cryptoFrame(cut, hello.subarray(cut)), padTo: 1200 }));
    expect(first.records).toEqual([]);
    const second = p.feed('toServer', initialPacket({ pn: 1, frames: cryptoFrame(0, hello.subarray(0, cut)), padTo: 1200 }));
    expect(second.records.map((x) => x.eve.sni)).toEqual(['quic.example.jp']);
    // Once logged, later Initials (retransmissions) add nothing.
    expect(p.feed('toServer', initialPacket({ pn: 2, frames: cryptoFrame(0, hello), padTo: 1200 })).records).toEqual([]);
  });

  it('decrypts version 2 Initials', () => {
    const r = new QuicFlowParser().feed('toServer', initialPacket({ version: QUIC_V2, pn: 0, frames: cryptoFrame(0, hello), padTo: 1200 }));
    expect(r.records.map((x) => [x.eve.version, x.eve.sni])).toEqual([['6b3343cf', 'quic.example.jp']]);
  });

  it("reads the server's Initial with the server keys of the client's connection id: JA3S", () => {
    const p = new QuicFlowParser();
    p.feed('toServer', initialPacket({ pn: 0, frames: cryptoFrame(0, hello), padTo: 1200 }));
    const sh = handshake(2, serverHelloBody(0x0304));
    const r = p.feed('toClient', initialPacket({ side: 'server', dcid: Uint8Array.from([1, 2, 3, 4]), keysDcid: DCID, pn: 0, frames: cryptoFrame(0, sh) }));
    expect(r.records).toHaveLength(1);
    expect(r.records[0]!.eve.ja3s?.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('raises failed_decrypt for a tampered packet and logs nothing', () => {
    const datagram = initialPacket({ pn: 0, frames: cryptoFrame(0, hello), padTo: 1200 });
    datagram[datagram.length - 1]! ^= 1;
    const r = new QuicFlowParser().feed('toServer', datagram);
    expect(r.records).toEqual([]);
    expect(r.anomalies.map((a) => a.name)).toEqual(['quic.failed_decrypt']);
  });

  it('does not take short headers, unknown versions or truncated headers for QUIC', () => {
    const good = initialPacket({ pn: 0, frames: cryptoFrame(0, hello), padTo: 1200 });
    expect(isQuicInitial(Uint8Array.from([0x40, 1, 2, 3]))).toBe(false);
    const unknown = good.slice();
    unknown.set([0x51, 0x30, 0x34, 0x33], 1);
    expect(isQuicInitial(unknown)).toBe(false);
    expect(parseLongHeader(good.subarray(0, 12))).toBeUndefined();
    expect(isQuicInitial(new Uint8Array(0))).toBe(false);
  });
});

describe('hostile input', () => {
  it('never throws on mutated or cut Initials (seeded, 2000 cases)', () => {
    const good = initialPacket({ pn: 0, frames: cryptoFrame(0, hello), padTo: 1200 });
    let seed = 0x2545f491;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const d = good.slice(0, rnd(3) === 0 ? rnd(good.length) : good.length);
      for (let k = rnd(6); k > 0; k--) if (d.length > 0) d[rnd(Math.min(d.length, 64))] = rnd(256);
      const p = new QuicFlowParser();
      expect(() => p.feed(rnd(2) === 0 ? 'toServer' : 'toClient', d)).not.toThrow();
    }
  });
});

describe('QUIC through the pipeline', () => {
  it('writes a quic record and matches alert quic rules on its SNI and JA4', async () => {
    const rules = [
      `alert quic any any -> any any (msg:"QUIC JA4"; ja4.hash; content:"${expectedJa4}"; sid:1;)`,
      'alert quic any any -> any any (msg:"QUIC SNI"; tls.sni; content:"example.jp"; endswith; sid:2;)',
      'alert tls any any -> any any (msg:"TLS SNI, not QUIC"; tls.sni; content:"example.jp"; sid:3;)',
    ].join('\n');
    const load = loadRulesText(rules);
    expect(load.stats.loaded).toBe(3);
    const frame = (src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array =>
      ethernet({ etherType: 0x0800 }, ipv4({ src, dst, proto: 17 }, udp({ srcPort: sport, dstPort: dport }, payload)));
    const frames = [
      frame('192.168.1.10', '203.0.113.5', 50000, 443, initialPacket({ pn: 0, frames: cryptoFrame(0, hello), padTo: 1200 })),
      frame('203.0.113.5', '192.168.1.10', 443, 50000, Uint8Array.from([0x40, 0, 0, 0, 0, 0, 0, 0])),
    ];
    const records: EveRecord[] = [];
    await runCapture([writePcap(frames.map((data, i) => ({ data, tsSec: 1_700_000_000 + i, tsNsec: 0 })))], (r) => records.push(r), {
      detection: { stages: [load.engine], homeNet: HomeNet.parse('[192.168.0.0/16]') },
    });
    const quic = records.filter((r) => r.event_type === 'quic') as unknown as { app_proto: string; quic: { sni: string; ja4: string } }[];
    expect(quic.map((r) => [r.app_proto, r.quic.sni, r.quic.ja4])).toEqual([['quic', 'quic.example.jp', expectedJa4]]);
    const alerts = records.filter((r) => r.event_type === 'alert') as unknown as { alert: { signature_id: number }; quic?: unknown }[];
    expect(alerts.map((a) => a.alert.signature_id).sort()).toEqual([1, 2]);
    expect(alerts.every((a) => a.quic !== undefined)).toBe(true);
    const flow = records.find((r) => r.event_type === 'flow') as unknown as { app_proto: string };
    expect(flow.app_proto).toBe('quic');
    if (existsSync(DEFAULT_EVE_SCHEMA_PATH)) {
      for (const r of records) {
        const v = validateEveRecord(r);
        expect(v.ok ? [] : v.errors, r.event_type).toEqual([]);
      }
    }
  });
});
