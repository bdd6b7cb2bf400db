import { describe, expect, it } from 'vitest';
import { DNS_MAX_NAME_LEN, parseDnsMessage, parseDnsName } from './dnsMessage.ts';
import { DnsFlowParser } from './dnsFlow.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

// A real query for www.example.com A with RD set, as dig sends it (without the EDNS OPT record).
const QUERY = hex('1a2b 0100 0001 0000 0000 0000 03777777 076578616d706c65 03636f6d 00 0001 0001');
// The response: CNAME, A (via compression pointers), an AAAA, an SOA in authorities and an OPT.
const RESPONSE = hex(
  '1a2b 8180 0001 0003 0001 0001' +
    '03777777076578616d706c6503636f6d00 0001 0001' +
    'c00c 0005 0001 00000e10 0006 03636474c010' + // www.example.com CNAME cdt.example.com
    'c02d 0001 0001 0000003c 0004 5db8d822' + // cdt.example.com A 93.184.216.34
    'c02d 001c 0001 0000003c 0010 20010db8000000000000000000000001' +
    'c010 0006 0001 00000e10 0021 026e73c010 0561646d696ec010 78a1b2c3 00001c20 00000e10 00093a80 00000e10' +
    '00 0029 1000 00000000 0000',
);

describe('parseDnsMessage', () => {
  it('parses a query into the EVE v3 request record', () => {
    const r = parseDnsMessage(QUERY);
    expect(r).toEqual({
      status: 'ok',
      consumed: QUERY.length,
      value: {
        anomalies: [],
        record: {
          version: 3, type: 'request', id: 0x1a2b, flags: '100', qr: false, aa: false, tc: false, rd: true, ra: false,
          opcode: 0, queries: [{ rrname: 'www.example.com', rrtype: 'A' }],
        },
      },
    });
  });

  it('parses a response with compression, CNAME, A, AAAA, SOA and OPT', () => {
    const r = parseDnsMessage(RESPONSE);
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.value.anomalies).toEqual([]);
    expect(r.value.record).toEqual({
      version: 3, type: 'response', id: 0x1a2b, flags: '8180', qr: true, aa: false, tc: false, rd: true, ra: true,
      opcode: 0, rcode: 'NOERROR',
      queries: [{ rrname: 'www.example.com', rrtype: 'A' }],
      answers: [
        { rrname: 'www.example.com', rrtype: 'CNAME', ttl: 3600, rdata: 'cdt.example.com' },
        { rrname: 'cdt.example.com', rrtype: 'A', ttl: 60, rdata: '93.184.216.34' },
        { rrname: 'cdt.example.com', rrtype: 'AAAA', ttl: 60, rdata: '2001:0db8:0000:0000:0000:0000:0000:0001' },
      ],
      authorities: [
        {
          rrname: 'example.com', rrtype: 'SOA', ttl: 3600,
          soa: { mname: 'ns.example.com', rname: 'admin.example.com', serial: 0x78a1b2c3, refresh: 7200, retry: 3600, expire: 604800, minimum: 3600 },
        },
      ],
      additionals: [{ rrname: '<root>', rrtype: 'OPT', ttl: 0 }],
    });
  });

  it('names NXDOMAIN and parses MX, TXT, SRV, SSHFP, PTR, NS, NULL and HTTPS rdata', () => {
    const msg = hex(
      '0001 8583 0000 0008 0000 0000' +
        '016100 000f 0001 00000001 0009 000a 046d61696c c00c' +
        '016100 0010 0001 00000001 0008 03763d73 03706631' +
        '016100 0021 0001 00000001 000a 000a 0005 01bb 0178 c00c' +
        '016100 002c 0001 00000001 0006 0102 deadbeef' +
        '016100 000c 0001 00000001 0002 c00c' +
        '016100 0002 0001 00000001 0002 c00c' +
        '016100 000a 0001 00000001 0003 410a42' +
        '016100 0041 0001 00000001 0003 0001 00',
    );
    const r = parseDnsMessage(msg);
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.value.record.rcode).toBe('NXDOMAIN');
    expect(r.value.record.aa).toBe(true);
    expect(r.value.record.answers).toEqual([
      { rrname: 'a', rrtype: 'MX', ttl: 1, rdata: 'mail.a' },
      { rrname: 'a', rrtype: 'TXT', ttl: 1, rdata: 'v=spf1' },
      { rrname: 'a', rrtype: 'SRV', ttl: 1, srv: { priority: 10, weight: 5, port: 443, name: 'x.a' } },
      { rrname: 'a', rrtype: 'SSHFP', ttl: 1, sshfp: { algo: 1, type: 2, fingerprint: 'de:ad:be:ef' } },
      { rrname: 'a', rrtype: 'PTR', ttl: 1, rdata: 'a' },
      { rrname: 'a', rrtype: 'NS', ttl: 1, rdata: 'a' },
      { rrname: 'a', rrtype: 'NULL', ttl: 1, rdata: 'A\\x0aB' },
      { rrname: 'a', rrtype: 'HTTPS', ttl: 1, rdata: '1 .' },
    ]);
  });

  it('fails on truncation anywhere and flags the Z bit', () => {
    for (let i = 0; i < QUERY.length; i++) expect(parseDnsMessage(QUERY.subarray(0, i)).status).toBe('error');
    const z = QUERY.slice();
    z[3] = 0x40;
    const r = parseDnsMessage(z);
    expect(r.status === 'ok' && r.value.anomalies).toEqual(['dns.z_flag_set']);
    expect(r.status === 'ok' && r.value.record.z).toBe(true);
  });
});

describe('parseDnsName', () => {
  it('stops a pointer to itself and a forward pointer as an infinite loop', () => {
    const self = hex('000000000000000000000000 c00c');
    expect(parseDnsName(self, 12)).toEqual({ status: 'error', anomaly: 'dns.infinite_loop' });
    const twoWay = hex('000000000000000000000000 c00e c00c');
    expect(parseDnsName(twoWay, 12)).toEqual({ status: 'error', anomaly: 'dns.infinite_loop' });
  });

  it('rejects more than 255 labels and truncates over-long names', () => {
    const many = new Uint8Array(256 * 2 + 1);
    for (let i = 0; i < 256; i++) many.set([1, 0x61], i * 2);
    expect(parseDnsName(many, 0)).toEqual({ status: 'error', anomaly: 'dns.too_many_labels' });
    // 20 labels of 63 bytes: 1279 characters assembled, kept to DNS_MAX_NAME_LEN.
    const long = new Uint8Array(20 * 64 + 1);
    for (let i = 0; i < 20; i++) {
      long[i * 64] = 63;
      long.fill(0x62, i * 64 + 1, i * 64 + 64);
    }
    const r = parseDnsName(long, 0);
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.value.truncated).toBe(true);
    expect(r.value.name.length).toBeLessThanOrEqual(DNS_MAX_NAME_LEN);
    expect(r.value.next).toBe(long.length);
  });
});

describe('DnsFlowParser', () => {
  it('pairs UDP query and response and raises direction anomalies', () => {
    const p = new DnsFlowParser('udp');
    expect(p.feed('toServer', QUERY).anomalies).toEqual([]);
    const r = p.feed('toClient', RESPONSE);
    expect(r.records).toHaveLength(1);
    expect(r.anomalies).toEqual([]);
    expect(p.feed('toClient', RESPONSE).anomalies).toEqual([{ name: 'dns.unsolicited_response', direction: 'toClient' }]);
    expect(p.feed('toServer', RESPONSE).anomalies).toEqual([{ name: 'dns.not_request', direction: 'toServer' }]);
    expect(p.feed('toClient', QUERY).anomalies).toEqual([{ name: 'dns.not_response', direction: 'toClient' }]);
    expect(p.feed('toServer', hex('0102')).anomalies).toEqual([{ name: 'dns.malformed_data', direction: 'toServer' }]);
  });

  it('gives identical TCP results whatever byte boundary splits the stream', () => {
    const frame = (m: Uint8Array): Uint8Array => Uint8Array.from([m.length >> 8, m.length & 0xff, ...m]);
    const stream = Uint8Array.from([...frame(QUERY), ...frame(QUERY), ...frame(RESPONSE)]);
    const whole = new DnsFlowParser('tcp').feed('toServer', stream);
    expect(whole.records).toHaveLength(3);
    for (let i = 0; i <= stream.length; i++) {
      const p = new DnsFlowParser('tcp');
      const a = p.feed('toServer', stream.slice(0, i));
      const b = p.feed('toServer', stream.slice(i));
      expect([...a.records, ...b.records]).toEqual(whole.records);
      expect([...a.anomalies, ...b.anomalies]).toEqual(whole.anomalies);
    }
  });

  it('stops a TCP direction whose frame length is impossible', () => {
    const p = new DnsFlowParser('tcp');
    expect(p.feed('toServer', hex('0003 000000')).anomalies).toEqual([{ name: 'dns.malformed_data', direction: 'toServer' }]);
    expect(p.feed('toServer', Uint8Array.from([0, QUERY.length, ...QUERY])).records).toEqual([]);
  });
});
