import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, mustHold, mutatedInput, splitAt, splitPoints } from '../mutatedInput.ts';
import { HttpFlowParser } from './httpFlow.ts';
import { HTTP_MAX_HEADERS } from './httpHead.ts';
import { HTTP_MAX_STORED_BODY } from './httpBody.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const gz = gzipSync(enc('<html>compressed body</html>'));
const REQUESTS = [
  enc('GET /a?b=c HTTP/1.1\r\nHost: x.example:80\r\nUser-Agent: ua\r\n\r\nPOST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'),
  enc('POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'),
];
const RESPONSES = [
  new Uint8Array(Buffer.concat([enc(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz, enc('HTTP/1.1 404 NF\r\nContent-Length: 2\r\n\r\nno')])),
  enc('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
];

describe('HTTP fuzz', () => {
  it('never throws and stays bounded on mutated request and response streams split anywhere', () => {
    const started = Date.now();
    fc.assert(
      fc.property(mutatedInput(REQUESTS), mutatedInput(RESPONSES), splitPoints, (req, res, cuts) => {
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
        for (const part of splitAt(res, cuts)) txs += p.feed('toClient', part).records.length;
        txs += p.end().records.length;
        mustHold(txs <= req.length + res.length, 'transactions bounded by input');
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
