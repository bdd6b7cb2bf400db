/**
 * One suite run against every per-flow parser: the behaviour the flow stage relies on whatever the
 * protocol — nothing from nothing, truncation at any byte, a gap (lost bytes) anywhere, and a
 * flood of junk that must hit limits instead of memory.
 */
import { describe, expect, it } from 'vitest';
import type { AppLayerAnomaly, Direction } from './appLayer.ts';
import { DnsFlowParser } from './dns/dnsFlow.ts';
import { HttpFlowParser } from './http/httpFlow.ts';
import { TlsFlowParser } from './tls/tlsFlow.ts';
import { SshFlowParser } from './ssh/sshBanner.ts';
import { SmtpFlowParser } from './smtp/smtpSession.ts';
import { FtpFlowParser } from './ftp/ftpControl.ts';
import { clientHelloBody, concat, handshake, record, serverHelloBody } from './tls/tlsFixtures.ts';

interface FlowParser {
  feed(direction: Direction, bytes: Uint8Array): { records: unknown[]; anomalies: AppLayerAnomaly[] };
  gap(direction: Direction): void;
}

interface Subject {
  name: string;
  make(): FlowParser;
  toServer: Uint8Array;
  toClient: Uint8Array;
}

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const frame = (m: Uint8Array): Uint8Array => concat(Uint8Array.from([m.length >> 8, m.length & 0xff]), m);
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const QUERY = hex('1a2b 0100 0001 0000 0000 0000 03777777076578616d706c6503636f6d00 0001 0001');
const RESPONSE = hex('1a2b 8180 0001 0001 0000 0000 03777777076578616d706c6503636f6d00 0001 0001 c00c 0001 0001 0000003c 0004 5db8d822');

const SUBJECTS: Subject[] = [
  { name: 'dns/tcp', make: () => new DnsFlowParser('tcp'), toServer: concat(frame(QUERY), frame(QUERY)), toClient: concat(frame(RESPONSE), frame(RESPONSE)) },
  {
    name: 'http',
    make: () => new HttpFlowParser(),
    toServer: enc('GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc'),
    toClient: enc('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'),
  },
  {
    name: 'tls',
    make: () => new TlsFlowParser(),
    toServer: concat(record(22, handshake(1, clientHelloBody()), 0x0301), record(20, Uint8Array.from([1]))),
    toClient: concat(record(22, handshake(2, serverHelloBody(0x0303))), record(20, Uint8Array.from([1])), record(23, new Uint8Array(40))),
  },
  { name: 'ssh', make: () => new SshFlowParser(), toServer: enc('SSH-2.0-OpenSSH_9.6\r\n'), toClient: enc('SSH-2.0-OpenSSH_8.9p1 Ubuntu\r\n') },
  {
    name: 'smtp',
    make: () => new SmtpFlowParser(),
    toServer: enc('EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nMAIL FROM:<e@f>\r\nRSET\r\n'),
    toClient: enc('220 mx ESMTP\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n250 ok\r\n250 ok\r\n'),
  },
  {
    name: 'ftp',
    make: () => new FtpFlowParser(),
    toServer: enc('USER a\r\nPASS b\r\nPASV\r\nQUIT\r\n'),
    toClient: enc('220 ready\r\n331 pass\r\n230 ok\r\n227 Entering Passive Mode (1,2,3,4,5,6)\r\n221 bye\r\n'),
  },
];

function feedAll(p: FlowParser, toServer: Uint8Array[], toClient: Uint8Array[], gapAfterFirst = false): { records: unknown[]; anomalies: AppLayerAnomaly[] } {
  const records: unknown[] = [];
  const anomalies: AppLayerAnomaly[] = [];
  const take = (r: { records: unknown[]; anomalies: AppLayerAnomaly[] }): void => {
    records.push(...r.records);
    anomalies.push(...r.anomalies);
  };
  for (const [dir, parts] of [['toServer', toServer], ['toClient', toClient]] as const) {
    parts.forEach((part, i) => {
      if (gapAfterFirst && i === 1) p.gap(dir);
      take(p.feed(dir, part));
    });
  }
  return { records, anomalies };
}

describe.each(SUBJECTS)('flow parser contract: $name', (subject) => {
  const whole = feedAll(subject.make(), [subject.toServer], [subject.toClient]);

  it('parses its fixture cleanly', () => {
    expect(whole.records.length).toBeGreaterThan(0);
    expect(whole.anomalies).toEqual([]);
  });

  it('empty: nothing in, nothing out', () => {
    expect(feedAll(subject.make(), [new Uint8Array(0)], [new Uint8Array(0)])).toEqual({ records: [], anomalies: [] });
  });

  it('partial: any truncation yields no more than the whole, never throws', () => {
    for (let i = 0; i <= subject.toServer.length; i++) {
      const r = feedAll(subject.make(), [subject.toServer.slice(0, i)], [subject.toClient.slice(0, Math.floor((i * subject.toClient.length) / subject.toServer.length))]);
      expect(r.records.length).toBeLessThanOrEqual(whole.records.length);
    }
  });

  it('gap: bytes lost anywhere keep what completed before and never throw', () => {
    for (let i = 0; i < subject.toServer.length; i++) {
      const cut = (b: Uint8Array): [Uint8Array, Uint8Array] => {
        const at = Math.min(b.length, Math.floor((i * b.length) / subject.toServer.length));
        return [b.slice(0, at), b.slice(Math.min(b.length, at + 3))];
      };
      const [s1, s2] = cut(subject.toServer);
      const [c1, c2] = cut(subject.toClient);
      const before = feedAll(subject.make(), [s1], [c1]);
      const withGap = feedAll(subject.make(), [s1, s2], [c1, c2], true);
      expect(withGap.records.length).toBeLessThanOrEqual(whole.records.length + 1);
      // Records that completed before the hole are unchanged by it (toServer records come first).
      const p = subject.make();
      const firstServer = p.feed('toServer', s1).records;
      p.gap('toServer');
      expect(p.feed('toServer', s2).records.length + firstServer.length).toBeLessThanOrEqual(whole.records.length + 1);
      expect(before.records.length).toBeLessThanOrEqual(whole.records.length);
    }
  });

  it('limit: 8 MiB of junk in 64 KiB chunks ends fast with bounded output', () => {
    const junk = new Uint8Array(64 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const text = new Uint8Array(64 * 1024).fill(0x41);
    for (const filler of [junk, text]) {
      const p = subject.make();
      const t = Date.now();
      let records = 0;
      let anomalies = 0;
      p.feed('toServer', subject.toServer);
      for (let i = 0; i < 64; i++) {
        const r1 = p.feed('toServer', filler);
        const r2 = p.feed('toClient', filler);
        records += r1.records.length + r2.records.length;
        anomalies += r1.anomalies.length + r2.anomalies.length;
      }
      expect(Date.now() - t).toBeLessThan(5000);
      // Bounded by each parser's per-flow transaction cap (10k at most), and anomalies are raised
      // once per feed, not once per bad line.
      expect(records).toBeLessThanOrEqual(20_000);
      expect(anomalies).toBeLessThanOrEqual(64 * 2 * 8);
    }
  });
});
