import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectAppProto } from './appProtoDetect.ts';
import { FUZZ_RUNS, mutatedInput } from './mutatedInput.ts';
import { clientHelloBody, handshake, record, serverHelloBody } from './tls/tlsFixtures.ts';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const empty = new Uint8Array(0);
const DNS_QUERY = Uint8Array.from(Buffer.from('1a2b0100000100000000000003777777076578616d706c6503636f6d0000010001', 'hex'));

describe('detectAppProto', () => {
  it('detects by content, not port', () => {
    expect(detectAppProto(record(22, handshake(1, clientHelloBody()), 0x0301))).toBe('tls');
    expect(detectAppProto(empty, record(22, handshake(2, serverHelloBody(0x0303))))).toBe('tls');
    expect(detectAppProto(enc('SSH-2.0-OpenSSH_9.6\r\n'))).toBe('ssh');
    expect(detectAppProto(empty, enc('Banner line\r\nSSH-2.0-OpenSSH_9.6\r\n'))).toBe('ssh');
    expect(detectAppProto(enc('GET / HTTP/1.1\r\n'))).toBe('http');
    expect(detectAppProto(enc('PROPFIND /dav HTTP/1.1\r\n'))).toBe('http');
    expect(detectAppProto(empty, enc('HTTP/1.1 200 OK\r\n'))).toBe('http');
    expect(detectAppProto(enc('EHLO me\r\n'), enc('220 host ready\r\n'))).toBe('smtp');
    expect(detectAppProto(empty, enc('220 mx.example.com ESMTP Postfix\r\n'))).toBe('smtp');
    expect(detectAppProto(enc('USER anonymous\r\n'), enc('220 host ready\r\n'))).toBe('ftp');
    expect(detectAppProto(empty, enc('220 (vsFTPd 3.0.5)\r\n'))).toBe('ftp');
    expect(detectAppProto(Uint8Array.from([0, DNS_QUERY.length, ...DNS_QUERY]))).toBe('dns');
    expect(detectAppProto(DNS_QUERY, undefined, 'udp')).toBe('dns');
  });

  it('says undefined when it cannot tell', () => {
    expect(detectAppProto(empty)).toBeUndefined();
    expect(detectAppProto(empty, enc('220 ready\r\n'))).toBeUndefined();
    expect(detectAppProto(enc('GETX / HTTP/1.1'))).toBeUndefined();
    expect(detectAppProto(enc('\x00\x01\x02\x03'), undefined, 'udp')).toBeUndefined();
  });

  it('does not take POP3 or IMAP for FTP (their clients send USER and PASS too)', () => {
    expect(detectAppProto(enc('USER alice\r\n'), enc('+OK POP3 server ready\r\n'))).toBeUndefined();
    expect(detectAppProto(enc('PASS secret\r\n'), enc('+OK\r\n'))).toBeUndefined();
    expect(detectAppProto(enc('a1 LOGIN alice secret\r\n'), enc('* OK IMAP4rev1 ready\r\n'))).toBeUndefined();
    expect(detectAppProto(enc('USER alice\r\n'), enc('220 ftp.example.jp FTP ready\r\n'))).toBe('ftp');
  });

  it('fuzz: never throws on mutated first bytes', () => {
    const seeds = [record(22, handshake(1, clientHelloBody())), enc('GET / HTTP/1.1\r\n'), enc('220 ESMTP\r\n'), DNS_QUERY];
    fc.assert(
      fc.property(mutatedInput(seeds), mutatedInput(seeds), fc.boolean(), (a, b, udp) => {
        detectAppProto(a, b, udp ? 'udp' : 'tcp');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
