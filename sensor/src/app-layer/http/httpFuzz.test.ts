import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FUZZ_RUNS, mustHold, mutatedInput, splitAt, splitPoints } from '../mutatedInput.ts';
import { HttpFlowParser } from './httpFlow.ts';
import { HTTP_MAX_HEADERS } from './httpHead.ts';
import { HTTP_MAX_STORED_BODY } from './httpBody.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const gz = gzipSync(enc('<html>compressed body</html>'));
const df = deflateSync(enc('deflated body deflated body'));
const REQUESTS = [
  enc('GET /a?b=c HTTP/1.1\r\nHost: x.example:80\r\nUser-Agent: ua\r\n\r\nPOST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'),
  enc('POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'),
];
const PLAIN_RESPONSES = [
  enc('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyHTTP/1.1 404 NF\r\nContent-Length: 2\r\n\r\nno'),
  enc('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
  enc('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the connection closes'),
];
const ENCODED_RESPONSES = [
  cat(enc(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz, enc('HTTP/1.1 404 NF\r\nContent-Length: 2\r\n\r\nno')),
  cat(enc(`HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n${df.length.toString(16)}\r\n`), df, enc('\r\n0\r\n\r\n')),
];

function property(responses: Uint8Array[]): fc.IPropertyWithHooks<[Uint8Array, Uint8Array, number[]]> {
  return fc.property(mutatedInput(REQUESTS), mutatedInput(responses), splitPoints, (req, res, cuts) => {
    const p = new HttpFlowParser();
    let txs = 0;
    for (const part of splitAt(req, cuts)) {
      const r = p.feed('toServer', part);
      for (const q of r.requests) {
        mustHold(q.body.length <= HTTP_MAX_STORED_BODY, 'body capped');
        mustHold(q.headers.length <= HTTP_MAX_HEADERS, 'headers capped');
      }
      txs += r.records.length;
    }
    for (const part of splitAt(res, cuts)) {
      const r = p.feed('toClient', part);
      for (const t of r.records) mustHold((t.response?.body.length ?? 0) <= HTTP_MAX_STORED_BODY, 'response body capped');
      txs += r.records.length;
    }
    txs += p.end().records.length;
    mustHold(txs <= req.length + res.length, 'transactions bounded by input');
  });
}

// 100k runs in all, split in two tests so each stays well under 15 s on a busy 2-core box. Encoded
// bodies cost more per run (a corrupt deflate stream throws inside zlib), hence 60/40.
describe('HTTP fuzz', () => {
  it('mutated requests and plain responses, split anywhere: no throw, bounded', () => {
    fc.assert(property(PLAIN_RESPONSES), { numRuns: Math.ceil(FUZZ_RUNS * 0.6) });
  });

  it('mutated requests and gzip/deflate responses, split anywhere: no throw, bounded', () => {
    fc.assert(property(ENCODED_RESPONSES), { numRuns: Math.ceil(FUZZ_RUNS * 0.4) });
  });
});
