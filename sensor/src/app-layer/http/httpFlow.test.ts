import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Direction } from '../appLayer.ts';
import { fileDigests } from '../appLayer.ts';
import { HTTP_DEFAULT_BODY_PREFIX, HttpFlowParser, httpEve } from './httpFlow.ts';
import type { HttpFeedResult } from './httpFlow.ts';
import { HTTP_MAX_DECOMPRESSED_BODY, HTTP_MAX_STORED_BODY, decodeContentEncoding } from './httpBody.ts';
import { headerValue, parseHttpRequestHead, parseHttpResponseHead } from './httpHead.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

const REQ1 = enc(
  'GET /index.html?q=1 HTTP/1.1\r\nHost: www.Example.com:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nReferer: http://a.example/\r\nX-Multi: a\r\nx-multi: b\r\n\r\n',
);
const REQ2 = enc('POST /upload HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world');
const RES1_BODY = gzipSync(enc('<html>compressed</html>'));
const RES1 = cat(
  enc(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Encoding: gzip\r\nContent-Length: ${RES1_BODY.length}\r\n\r\n`),
  RES1_BODY,
);
const RES2 = enc('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n');

function run(feeds: [Direction, Uint8Array][], end = true): HttpFeedResult {
  const p = new HttpFlowParser();
  const all: HttpFeedResult = { records: [], anomalies: [], requests: [] };
  for (const [d, b] of feeds) {
    const r = p.feed(d, b);
    all.records.push(...r.records);
    all.anomalies.push(...r.anomalies);
    all.requests.push(...r.requests);
  }
  if (end) {
    const r = p.end();
    all.records.push(...r.records);
    all.anomalies.push(...r.anomalies);
  }
  return all;
}

describe('HTTP heads', () => {
  it('parses request line and repeated case-insensitive headers', () => {
    const r = parseHttpRequestHead(REQ1);
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.consumed).toBe(REQ1.length);
    expect(r.value.method).toBe('GET');
    expect(r.value.uri).toBe('/index.html?q=1');
    expect(r.value.protocol).toBe('HTTP/1.1');
    expect(headerValue(r.value.headers, 'X-MULTI')).toBe('a, b');
    expect(r.value.anomalies).toEqual([]);
  });

  it('is incomplete until the blank line and flags missing colons and bad status', () => {
    expect(parseHttpRequestHead(REQ1.subarray(0, REQ1.length - 1)).status).toBe('incomplete');
    const bad = parseHttpRequestHead(enc('GET / HTTP/1.1\r\nNoColonHere\r\n\r\n'));
    expect(bad.status === 'ok' && bad.value.anomalies).toEqual(['http.request_field_missing_colon']);
    const st = parseHttpResponseHead(enc('HTTP/1.1 2XX Weird\r\n\r\n'));
    expect(st.status === 'ok' && st.value.statusString).toBe('2XX');
    expect(parseHttpRequestHead(enc('\x00\x01 / HTTP/1.1\r\n\r\n'))).toEqual({ status: 'error', anomaly: 'http.request_line_invalid' });
  });
});

describe('HttpFlowParser', () => {
  const feeds: [Direction, Uint8Array][] = [
    ['toServer', cat(REQ1, REQ2)],
    ['toClient', cat(RES1, RES2)],
  ];

  it('pairs pipelined requests with responses and decodes gzip and chunked bodies', () => {
    const r = run(feeds);
    expect(r.anomalies).toEqual([]);
    expect(r.requests.map((q) => q.method)).toEqual(['GET', 'POST']);
    expect(r.records).toHaveLength(2);
    const [t1, t2] = r.records;
    expect(new TextDecoder().decode(t1?.response?.body)).toBe('<html>compressed</html>');
    expect(t1?.response?.bodyLength).toBe(RES1_BODY.length);
    expect(new TextDecoder().decode(t2?.request?.body)).toBe('hello world');
    expect(new TextDecoder().decode(t2?.response?.body)).toBe('hello world');
    expect(t2?.response?.status).toBe(201);
    expect(httpEve(t1 as NonNullable<typeof t1>)).toEqual({
      hostname: 'www.example.com', url: '/index.html?q=1', http_user_agent: 'curl/8.5.0', http_refer: 'http://a.example/',
      http_method: 'GET', protocol: 'HTTP/1.1', http_content_type: 'text/html', status: 200, length: RES1_BODY.length,
    });
    expect(httpEve(t2 as NonNullable<typeof t2>, { headers: true }).response_headers).toEqual([{ name: 'Transfer-Encoding', value: 'chunked' }]);
  });

  it('gives identical results whatever byte boundary splits either direction', () => {
    const whole = run(feeds);
    const req = cat(REQ1, REQ2);
    const res = cat(RES1, RES2);
    for (let i = 0; i <= req.length; i++) {
      const r = run([['toServer', req.slice(0, i)], ['toServer', req.slice(i)], ['toClient', res]]);
      expect(r).toEqual(whole);
    }
    for (let i = 0; i <= res.length; i++) {
      const r = run([['toServer', req], ['toClient', res.slice(0, i)], ['toClient', res.slice(i)]]);
      expect(r).toEqual(whole);
    }
  });

  it('reads a close-delimited body until end() and handles HEAD without body', () => {
    const r = run([
      ['toServer', enc('HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.0\r\n\r\n')],
      ['toClient', enc('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil close')],
    ]);
    expect(r.records.map((t) => [t.request?.method, t.response?.status, new TextDecoder().decode(t.response?.body)])).toEqual([
      ['HEAD', 200, ''],
      ['GET', 200, 'until close'],
    ]);
  });

  it('ends HEAD/204/304 responses at their head even with framing headers, and logs cut-short bodies at end()', () => {
    const r = run([
      ['toServer', enc('HEAD / HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n')],
      ['toClient', enc('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')],
    ]);
    expect(r.records.map((t) => [t.request?.uri, t.response?.status, new TextDecoder().decode(t.response?.body), t.response?.bodyLength])).toEqual([
      ['/', 200, '', 0],
      ['/next', 200, 'abc', 3],
    ]);
  });

  it('raises anomalies for unmatched responses, bad chunk sizes and oversize heads', () => {
    expect(run([['toClient', enc('HTTP/1.1 204 No Content\r\n\r\n')]]).anomalies).toEqual([
      { name: 'http.unable_to_match_response_to_request', direction: 'toClient' },
    ]);
    const bad = run([['toServer', enc('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')]]);
    expect(bad.anomalies).toEqual([{ name: 'http.invalid_request_chunk_len', direction: 'toServer' }]);
    const huge = run([['toServer', cat(enc('GET / HTTP/1.1\r\nX: '), new Uint8Array(70_000).fill(0x61))]]);
    expect(huge.anomalies).toEqual([{ name: 'http.request_field_too_long', direction: 'toServer' }]);
  });

  it('stops a gzip bomb at the output cap and raises http.compression_bomb', () => {
    const bomb = gzipSync(new Uint8Array(50 * 1024 * 1024));
    const t = Date.now();
    const d = decodeContentEncoding(bomb, 'gzip');
    expect(Date.now() - t).toBeLessThan(3000);
    expect(d.anomaly).toBe('http.compression_bomb');
    expect(d.truncated).toBe(true);
    expect(d.body.length).toBeLessThanOrEqual(HTTP_MAX_DECOMPRESSED_BODY);
    expect(d.body.length).toBeGreaterThan(0);
    const r = run([
      ['toServer', enc('GET / HTTP/1.1\r\n\r\n')],
      ['toClient', cat(enc(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`), bomb)],
    ]);
    expect(r.anomalies).toEqual([{ name: 'http.compression_bomb', direction: 'toClient' }]);
    expect(r.records[0]?.response?.bodyTruncated).toBe(true);
  });

  it('keeps a prefix of a body without content coding but counts every byte', () => {
    const n = 3 * 1024 * 1024;
    const r = run([['toServer', cat(enc(`PUT /f HTTP/1.1\r\nContent-Length: ${n}\r\n\r\n`), new Uint8Array(n))]]);
    expect(r.requests[0]?.bodyLength).toBe(n);
    expect(r.requests[0]?.body.length).toBe(HTTP_DEFAULT_BODY_PREFIX);
    expect(r.requests[0]?.bodyTruncated).toBe(true);
  });

  it('hashes bodies as they stream by, as one-shot hashing of the whole body would', () => {
    const file = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31 + (i >> 7)) & 0xff);
    const hashes = { md5: true, sha1: true, sha256: true };
    const whole = fileDigests(file, hashes);
    const gz = gzipSync(file);
    const cases: Array<[string, Uint8Array]> = [
      ['Content-Length: 200000', file],
      ['Transfer-Encoding: chunked', cat(enc('7d0\r\n'), file.subarray(0, 2000), enc(`\r\n${(198_000).toString(16)}\r\n`), file.subarray(2000), enc('\r\n0\r\n\r\n'))],
      [`Content-Encoding: gzip\r\nContent-Length: ${gz.length}`, gz],
    ];
    for (const [header, body] of cases) {
      const p = new HttpFlowParser({ fileHashes: hashes, bodyPrefixBytes: 1000 });
      p.feed('toServer', enc('GET /f HTTP/1.1\r\n\r\n'));
      const wire = cat(enc(`HTTP/1.1 200 OK\r\n${header}\r\n\r\n`), body);
      const records = [];
      for (let i = 0; i < wire.length; i += 1447) records.push(...p.feed('toClient', wire.subarray(i, i + 1447)).records);
      const res = records[0]?.response;
      expect(res?.digests, header).toEqual(whole);
      expect(res?.bodyDecodedLength, header).toBe(file.length);
      expect(res?.bodyTruncated, header).toBe(false);
    }
  });

  it('gives no digests for a body past the stored cap', () => {
    const n = HTTP_MAX_STORED_BODY + 1;
    const p = new HttpFlowParser({ fileHashes: { sha256: true } });
    p.feed('toServer', enc('GET /f HTTP/1.1\r\n\r\n'));
    const r = p.feed('toClient', cat(enc(`HTTP/1.1 200 OK\r\nContent-Length: ${n}\r\n\r\n`), new Uint8Array(n)));
    expect(r.records[0]?.response?.bodyTruncated).toBe(true);
    expect(r.records[0]?.response?.digests).toBeUndefined();
  });

  it('with fileHashLimit Infinity hashes a body of any size whole and keeps only bodyPrefixBytes', () => {
    const n = 3 * HTTP_MAX_STORED_BODY + 5;
    const file = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
    const p = new HttpFlowParser({ fileHashes: { sha256: true }, fileHashLimit: Infinity, bodyPrefixBytes: 2 * HTTP_MAX_STORED_BODY });
    p.feed('toServer', enc('GET /big.iso HTTP/1.1\r\n\r\n'));
    const wire = cat(enc(`HTTP/1.1 200 OK\r\nContent-Length: ${n}\r\n\r\n`), file);
    const records = [];
    for (let i = 0; i < wire.length; i += 65536) records.push(...p.feed('toClient', wire.subarray(i, i + 65536)).records);
    const res = records[0]?.response;
    expect(res?.bodyTruncated).toBe(false);
    expect(res?.bodyDecodedLength).toBe(n);
    expect(res?.body.length).toBe(2 * HTTP_MAX_STORED_BODY);
    expect(res?.digests).toEqual(fileDigests(file, { sha256: true }));
  });
});

describe('HttpFlowParser at the end of a stream cut short', () => {
  it('makes a transaction of a request head without its blank line (as libhtp)', () => {
    const p = new HttpFlowParser();
    expect(p.feed('toServer', enc('GET /index.html HTTP/1.0\r\nHost: www.example.org\r\nUser-Agent: x\r\n')).requests).toEqual([]);
    const r = p.end();
    expect(r.requests.map((q) => [q.method, q.uri, q.protocol, q.hostname])).toEqual([['GET', '/index.html', 'HTTP/1.0', 'www.example.org']]);
    expect(r.records.map((tx) => httpEve(tx))).toEqual([{ hostname: 'www.example.org', url: '/index.html', http_user_agent: 'x', http_method: 'GET', protocol: 'HTTP/1.0', length: 0 }]);
  });

  it('makes none of an incomplete request line or of junk', () => {
    const a = new HttpFlowParser();
    a.feed('toServer', enc('GET /index.ht'));
    expect(a.end().records).toEqual([]);
    const b = new HttpFlowParser();
    b.feed('toServer', enc('\x00\x01 not http\r\nmore\r\n'));
    expect(b.end().records).toEqual([]);
  });

  it('tells the response being read, with its body length so far', () => {
    const p = new HttpFlowParser();
    p.feed('toServer', enc('GET / HTTP/1.1\r\nHost: h\r\n\r\n'));
    expect(p.responseInProgress()).toBeUndefined();
    p.feed('toClient', enc('HTTP/1.1 404 Not Found\r\nContent-Length: 50\r\n\r\nabc'));
    const now = p.responseInProgress();
    expect([now?.tx.txId, now?.tx.request?.uri, now?.response.status, now?.response.bodyLength]).toEqual([0, '/', 404, 3]);
    p.feed('toClient', enc('x'.repeat(47)));
    expect(p.responseInProgress()).toBeUndefined();
  });
});
