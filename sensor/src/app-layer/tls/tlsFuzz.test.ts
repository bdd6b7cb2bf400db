import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FUZZ_RUNS, mustHold, mutatedInput, splitAt, splitPoints } from '../mutatedInput.ts';
import { TLS_MAX_CERTS_PER_CHAIN, TlsFlowParser } from './tlsFlow.ts';
import { parseX509Certificate } from './x509Certificate.ts';
import { bytes, certificate, clientHelloBody, concat, handshake, record, serverHelloBody, u24 } from './tlsFixtures.ts';

const cert = certificate({ subject: [['CN', 'a.example']], issuer: [['C', 'US'], ['O', 'CA']], serial: [1, 2, 3], san: ['a.example'] });
const ch = handshake(1, clientHelloBody());
const SEEDS = [
  concat(record(22, ch.subarray(0, 60), 0x0301), record(22, ch.subarray(60), 0x0301), record(20, bytes(1))),
  concat(record(22, concat(handshake(2, serverHelloBody(0x0303)), handshake(11, concat(u24(cert.length + 3), u24(cert.length), cert)))), record(23, bytes(1, 2))),
];

describe('TLS fuzz', () => {
  it('never throws and stays bounded on mutated record streams split anywhere', () => {
    fc.assert(
      fc.property(mutatedInput(SEEDS), fc.boolean(), splitPoints, (stream, toServer, cuts) => {
        const p = new TlsFlowParser();
        let n = 0;
        for (const part of splitAt(stream, cuts)) {
          const r = p.feed(toServer ? 'toServer' : 'toClient', part);
          n += r.records.length;
          for (const rec of r.records) if (rec.type === 'certificate') mustHold(rec.chain.length <= TLS_MAX_CERTS_PER_CHAIN, 'chain capped');
        }
        mustHold(n <= stream.length / 4 + 1, 'records bounded by input');
        p.eve();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('the DER reader survives mutated certificates', () => {
    fc.assert(
      fc.property(mutatedInput([cert]), (der) => {
        const r = parseX509Certificate(der);
        if (r.status === 'ok') mustHold(r.value.subject.length <= der.length * 2 + 64, 'subject bounded by input');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
