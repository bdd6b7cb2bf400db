/**
 * Every EVE object the parsers build must validate against Suricata's EVE schema (8.0.6), the
 * contract with the server's ingest. The schema lives outside the repo; without it this warns
 * loudly and skips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import Ajv from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutatedInput } from './mutatedInput.ts';
import { parseDnsMessage } from './dns/dnsMessage.ts';
import { DnsFlowParser } from './dns/dnsFlow.ts';
import { HttpFlowParser, httpEve } from './http/httpFlow.ts';
import { TlsFlowParser } from './tls/tlsFlow.ts';
import { SshFlowParser } from './ssh/sshBanner.ts';
import { FtpFlowParser, ftpEve } from './ftp/ftpControl.ts';
import { SmtpFlowParser, smtpEve } from './smtp/smtpSession.ts';
import { certificate, clientHelloBody, concat, handshake, record, serverHelloBody, u24 } from './tls/tlsFixtures.ts';

const SCHEMA = resolve(import.meta.dirname, '../../../../shared/data/suricata/eve-schema-8.0.6.json');
const present = existsSync(SCHEMA);
if (!present) console.warn(`\n*** EVE schema tests SKIPPED: ${SCHEMA} is absent ***\n`);

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe.skipIf(!present)('EVE objects validate against the Suricata 8 schema', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = present ? ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object) : undefined;
  const check = (event_type: string, fields: object): void => {
    const event = { timestamp: '2025-11-25T10:00:00.000000+0900', event_type, ...fields };
    const ok = validate?.(event);
    expect(validate?.errors ?? [], JSON.stringify(event)).toEqual([]);
    expect(ok).toBe(true);
  };

  it('dns', () => {
    const p = new DnsFlowParser('udp');
    const q = p.feed('toServer', hex('1a2b 0100 0001 0000 0000 0000 03777777076578616d706c6503636f6d00 0001 0001'));
    const r = p.feed(
      'toClient',
      hex(
        '1a2b 8180 0001 0004 0001 0001 03777777076578616d706c6503636f6d00 0001 0001' +
          'c00c 0005 0001 00000e10 0006 03636474c010 c02d 0001 0001 0000003c 0004 5db8d822' +
          'c02d 0021 0001 00000001 000a 000a 0005 01bb 0178 c00c c02d 002c 0001 00000001 0006 0102deadbeef' +
          'c010 0006 0001 00000e10 0021 026e73c010 0561646d696ec010 78a1b2c3 00001c20 00000e10 00093a80 00000e10' +
          '00 0029 1000 00000000 0000',
      ),
    );
    for (const rec of [...q.records, ...r.records]) check('dns', { dns: rec });
    expect(r.records[0]?.answers).toHaveLength(4);
  });

  it('dns records from mutated messages still validate', () => {
    const long = Array.from({ length: 20 }, () => `3f${'62'.repeat(63)}`).join('');
    const seeds = [
      hex(`0001 8180 0001 0002 0001 0002 ${long}00 0001 0001 c00c 0001 0001 00000001 0004 01020304 c00c 0021 0001 00000001 000a 000a 0005 01bb 0178 c00c` +
        ' c00c 002c 0001 00000001 0006 0102deadbeef c00c 0021 0001 00000001 000a 000a 0005 01bb 0178 c00c c00c 0006 0001 00000001 001c 0178c00c 0179c00c 00000001 00000002 00000003 00000004 00000005'),
    ];
    fc.assert(
      fc.property(mutatedInput(seeds), (msg) => {
        const r = parseDnsMessage(msg);
        if (r.status === 'ok') check('dns', { dns: r.value.record });
      }),
      { numRuns: 3000 },
    );
  });

  it('http', () => {
    const gz = gzipSync(enc('hello'));
    const p = new HttpFlowParser();
    p.feed('toServer', enc('GET /x HTTP/1.1\r\nHost: a.example\r\nUser-Agent: t\r\nReferer: /r\r\n\r\n'));
    const r = p.feed('toClient', concat(enc(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz));
    expect(r.records).toHaveLength(1);
    for (const tx of r.records) check('http', { http: httpEve(tx, { headers: true }) });
    const odd = new HttpFlowParser();
    const o = odd.feed('toClient', enc('HTTP/1.1 2XX Odd\r\nContent-Length: 0\r\n\r\n'));
    check('http', { http: httpEve(o.records[0] ?? { txId: 0 }) });
  });

  it('tls', () => {
    const cert = certificate({ subject: [['CN', 'a.example']], issuer: [['C', 'JP'], ['O', 'CA']], serial: [1, 2], san: ['a.example'] });
    const p = new TlsFlowParser();
    p.feed('toServer', record(22, handshake(1, clientHelloBody()), 0x0301));
    p.feed('toClient', record(22, concat(handshake(2, serverHelloBody(0x0303)), handshake(11, concat(u24(cert.length + 3), u24(cert.length), cert)))));
    p.feed('toServer', record(22, handshake(11, concat(u24(cert.length + 3), u24(cert.length), cert))));
    const eve = p.eve({ chain: true });
    expect(eve.client?.subject).toBe('CN=a.example');
    check('tls', { tls: eve });
    const only = new TlsFlowParser();
    only.feed('toServer', record(22, handshake(1, clientHelloBody()), 0x0301));
    check('tls', { tls: only.eve() });
  });

  it('ssh', () => {
    const p = new SshFlowParser();
    p.feed('toServer', enc('SSH-2.0-OpenSSH_9.6\r\n'));
    p.feed('toClient', enc('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n'));
    check('ssh', { ssh: p.eve() });
  });

  it('ftp', () => {
    const p = new FtpFlowParser();
    p.feed('toClient', enc('220 ready\r\n'));
    p.feed('toServer', enc('PASV\r\nQUIT\r\n'));
    const r = p.feed('toClient', enc('227 Entering Passive Mode (10,0,0,1,4,1)\r\n'));
    for (const tx of [...r.records, ...p.end().records]) check('ftp', { ftp: ftpEve(tx) });
  });

  it('smtp and email', () => {
    const p = new SmtpFlowParser();
    const r = p.feed(
      'toServer',
      enc(
        'EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nFrom: a@b.example\r\nTo: c@d.example\r\nSubject: hi\r\nMessage-ID: <1@b>\r\n' +
          'Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Disposition: attachment; filename="x.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVo=\r\n--B--\r\n.\r\n',
      ),
    );
    expect(r.records).toHaveLength(1);
    for (const tx of r.records) check('smtp', smtpEve(tx));
  });
});
