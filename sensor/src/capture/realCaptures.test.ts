/**
 * Reads every public capture staged under ../shared/data (relative to the repo root): each must
 * parse without an error and every packet must decode without an exception. A few files are
 * checked against counts and fields taken from tcpdump/tshark.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureBytes } from './captureReader.ts';
import { NotACaptureError } from './capturedPacket.ts';
import type { CapturedPacket } from './capturedPacket.ts';
import { readCaptureFile } from './captureFile.ts';
import { PacketDecoder } from '../decode/decoder.ts';
import type { Packet } from '../decode/packet.ts';

// This file is sensor/src/capture/; four levels up is the folder holding the repo and shared/.
const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const PCAPS = join(DATA, 'pcaps');
const VERIFY = join(DATA, 'suricata-verify', 'tests');
const present = existsSync(PCAPS);
if (!present) console.warn(`\n!!! ${PCAPS} is absent: the real-capture tests are SKIPPED !!!\n`);

const CAPTURE_NAME = /\.(pcap|pcapng|cap)$/i;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

function candidateFiles(): string[] {
  const files = walk(PCAPS);
  if (existsSync(VERIFY)) {
    for (const test of readdirSync(VERIFY)) {
      const dir = join(VERIFY, test);
      if (!statSync(dir).isDirectory()) continue;
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isFile()) files.push(path);
      }
    }
  }
  return files.sort();
}

function read(rel: string): CapturedPacket[] {
  return readCaptureBytes(readFileSync(join(PCAPS, rel))).packets;
}

function decodeAll(packets: readonly CapturedPacket[]): Packet[] {
  const decoder = new PacketDecoder();
  return packets.map((c) => decoder.decode(c));
}

describe.skipIf(!present)('real captures', () => {
  it('reads every capture file and decodes every packet; other files are NotACaptureError', () => {
    let captures = 0;
    let packets = 0;
    let others = 0;
    for (const path of candidateFiles()) {
      let result: ReturnType<typeof readCaptureBytes>;
      try {
        result = readCaptureBytes(readFileSync(path));
      } catch (e) {
        // Only files that are not captures may fail, and only with the typed error.
        expect(e, path).toBeInstanceOf(NotACaptureError);
        expect(CAPTURE_NAME.test(path), `${path} should be a capture`).toBe(false);
        others++;
        continue;
      }
      captures++;
      expect(result.stats.truncated, path).toBe(false);
      for (const p of decodeAll(result.packets)) {
        packets++;
        // Touch the lazily formatted fields so their formatting runs too.
        expect(typeof p.srcIp).toBe('string');
        if (p.reassembled !== null) expect(typeof p.reassembled.dstIp).toBe('string');
      }
    }
    expect(captures).toBeGreaterThan(150);
    expect(others).toBeGreaterThan(50);
    expect(packets).toBeGreaterThan(50_000);
  });

  it('counts and decodes emotet.pcap like tshark (pcap, Ethernet)', () => {
    const ps = decodeAll(read('ntop__nDPI/tests/cfgs/default/pcap/emotet.pcap'));
    expect(ps).toHaveLength(169);
    expect(ps.filter((p) => p.proto === 6).length).toBe(169);
    expect(ps.filter((p) => p.tcpFlags === 0x02).length).toBe(6);
    const p = ps[0]!;
    expect([p.srcIp, p.dstIp, p.srcPort, p.dstPort, p.tcpSeq, p.tcpAck, p.tcpWindow, p.ttl, p.ipId, p.tcpMss, p.tcpWindowScale]).toEqual([
      '10.2.25.102', '193.252.22.84', 57309, 587, 3441517750, 0, 64240, 128, 0xc012, 1460, 8,
    ]);
    expect([p.tsSec, p.tsNsec]).toEqual([1645830066, 121611000]);
  });

  it('counts and decodes malware.pcap, which is really pcapng', () => {
    const ps = decodeAll(read('ntop__nDPI/tests/cfgs/default/pcap/malware.pcap'));
    expect(ps).toHaveLength(100);
    expect(ps.filter((p) => p.proto === 6).length).toBe(97);
    expect(ps.filter((p) => p.proto === 17).length).toBe(2);
    expect(ps.filter((p) => p.tcpFlags === 0x02).length).toBe(3);
    expect([ps[0]!.srcIp, ps[0]!.dstIp, ps[0]!.ttl, ps[0]!.ipId]).toEqual(['192.168.7.7', '1.1.1.1', 64, 0x83d7]);
    expect([ps[0]!.tsSec, ps[0]!.tsNsec]).toEqual([1569571466, 977364000]);
  });

  it('counts and decodes log4j-webapp-exploit.pcap (Linux SLL)', () => {
    const ps = decodeAll(read('ntop__nDPI/tests/cfgs/default/pcap/log4j-webapp-exploit.pcap'));
    expect(ps).toHaveLength(426);
    expect(ps[0]!.linkType).toBe(113);
    expect(ps.filter((p) => p.proto === 6).length).toBe(422);
    expect(ps.filter((p) => p.tcpFlags === 0x02).length).toBe(7);
    const p = ps[0]!;
    expect([p.srcIp, p.dstIp, p.srcPort, p.dstPort, p.tcpSeq, p.ttl, p.ipId, p.tcpMss, p.tcpWindowScale]).toEqual([
      '172.16.238.1', '172.16.238.10', 1984, 8080, 2039906993, 61, 0x6360, 1460, 7,
    ]);
  });

  it('collects VLAN ids in bot.pcap', () => {
    const ps = decodeAll(read('ntop__nDPI/tests/cfgs/default/pcap/bot.pcap'));
    expect(ps).toHaveLength(402);
    expect(ps.every((p) => p.vlan.length === 1 && p.proto === 6)).toBe(true);
    expect(ps[0]!.vlan).toEqual([77]);
    expect([ps[0]!.srcIp, ps[0]!.srcPort, ps[0]!.dstPort, ps[0]!.tcpMss]).toEqual(['40.77.167.36', 64768, 80, 1440]);
  });

  it('reassembles the IPv4 and IPv6 DNS fragments in dns_fragmented.pcap as tshark does', () => {
    const ps = decodeAll(read('ntop__nDPI/tests/cfgs/default/pcap/dns_fragmented.pcap'));
    const rebuilt = ps.flatMap((p) => (p.reassembled ? [p.reassembled] : []));
    expect(rebuilt.map((r) => [r.ipVersion, r.proto, r.srcPort, r.udpLength])).toEqual([
      [4, 17, 53, 1710],
      [6, 17, 53, 1509],
      [6, 17, 53, 1498],
      [4, 17, 53, 1498],
      [4, 17, 53, 1710],
      [6, 17, 53, 1738],
      [4, 17, 53, 1738],
    ]);
    expect(rebuilt.every((r) => r.events.length === 0 && r.isReassembled)).toBe(true);
  });

  it('reassembles a three-fragment IPv6 DNS answer (zeek ipv6-fragmented-dns.pcap)', () => {
    const ps = decodeAll(read('zeek__zeek/testing/btest/Traces/ipv6-fragmented-dns.pcap'));
    expect(ps).toHaveLength(8);
    const r = ps[7]!.reassembled!;
    expect([r.srcIp, r.dstIp, r.srcPort, r.dstPort, r.udpLength]).toEqual([
      '2607:f740:b::f93', '2001:470:1f11:81f:d138:5f55:6d4:1fe2', 53, 51851, 3238,
    ]);
  });

  it.each([
    ['pcaps/ntop__nDPI/tests/cfgs/default/pcap/selfsigned.pcap', 0, 20, 4],
    ['suricata-verify/tests/http-ipv6/input.pcap', 0, 14, 6],
    ['suricata-verify/tests/tls-alpn-log-detect-02/input.pcap', 101, 28, 4],
    ['suricata-verify/tests/pcap-file-stdin/input.pcap', 228, 1, 4],
    ['suricata-verify/tests/iponly-ipv6-range-01/input.pcap', 101, 1, 6],
    ['pcaps/ntop__nDPI/tests/cfgs/default/pcap/dns2tcp_tunnel.pcap', 113, 50, 4],
  ])('decodes %s (link type %i) cleanly', (rel, linkType, count, ipVersion) => {
    const ps = decodeAll(readCaptureBytes(readFileSync(join(DATA, rel))).packets);
    expect(ps).toHaveLength(count);
    expect(ps.every((p) => p.linkType === linkType && p.ipVersion === ipVersion && p.events.length === 0)).toBe(true);
  });

  it('reads every pcapng conformance file (both byte orders) with the packet count its .txt documents', () => {
    const root = join(PCAPS, 'hadrielk__pcapng-test-generator');
    const files = walk(root).filter((f) => f.endsWith('.pcapng'));
    expect(files.length).toBe(48);
    for (const file of files) {
      const txt = readFileSync(file.replace(/\.pcapng$/, '.txt'), 'utf8');
      const count = (kind: string): number => Number(new RegExp(`\\b${kind}: (\\d+)`).exec(txt)?.[1] ?? 0);
      const { packets, stats } = readCaptureBytes(readFileSync(file));
      expect(packets.length, file).toBe(count('EPB') + count('SPB'));
      expect(stats.sections, file).toBe(count('SHB'));
      expect(stats.skippedRecords, file).toBe(0);
      decodeAll(packets);
    }
  });

  it('streams a file through readCaptureFile with the same result as reading it whole', async () => {
    const rel = 'ntop__nDPI/tests/cfgs/default/pcap/emotet.pcap';
    const streamed: CapturedPacket[] = [];
    for await (const p of readCaptureFile(join(PCAPS, rel))) streamed.push(p);
    const whole = read(rel);
    expect(streamed.length).toBe(whole.length);
    expect(streamed.map((p) => p.data.length)).toEqual(whole.map((p) => p.data.length));
  });
});
