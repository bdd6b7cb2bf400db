import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, mustHold, mutatedInput, splitAt, splitPoints } from '../mutatedInput.ts';
import { DNS_MAX_NAME_LEN, DNS_MAX_RECORDS_PER_SECTION, parseDnsMessage } from './dnsMessage.ts';
import { DnsFlowParser } from './dnsFlow.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const SEEDS = [
  hex('1a2b 0100 0001 0000 0000 0000 03777777076578616d706c6503636f6d00 0001 0001'),
  hex(
    '1a2b 8180 0001 0003 0001 0001 03777777076578616d706c6503636f6d00 0001 0001' +
      'c00c 0005 0001 00000e10 0006 03636474c010 c02d 0001 0001 0000003c 0004 5db8d822' +
      'c02d 001c 0001 0000003c 0010 20010db8000000000000000000000001' +
      'c010 0006 0001 00000e10 0021 026e73c010 0561646d696ec010 78a1b2c3 00001c20 00000e10 00093a80 00000e10' +
      '00 0029 1000 00000000 0000',
  ),
  hex('0001 8180 0000 0003 0000 0000 016100 0021 0001 00000001 000a 000a 0005 01bb 0178 c00c 016100 002c 0001 00000001 0006 0102deadbeef 016100 0010 0001 00000001 0008 03763d73 03706631'),
];

describe('DNS fuzz', () => {
  it('never throws, terminates and stays bounded on mutated messages', () => {
    fc.assert(
      fc.property(mutatedInput(SEEDS), (msg) => {
        const r = parseDnsMessage(msg);
        if (r.status === 'ok') {
          const rec = r.value.record;
          for (const list of [rec.queries, rec.answers, rec.authorities, rec.additionals]) {
            mustHold((list ?? []).length <= DNS_MAX_RECORDS_PER_SECTION, 'section capped');
            for (const e of list ?? []) mustHold(e.rrname.length <= DNS_MAX_NAME_LEN * 4, 'name capped');
          }
          mustHold(r.consumed <= msg.length, 'consumed within message');
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('TCP flow parser survives mutated streams split anywhere', () => {
    fc.assert(
      fc.property(mutatedInput(SEEDS.map((m) => Uint8Array.from([m.length >> 8, m.length & 0xff, ...m, m.length >> 8, m.length & 0xff, ...m]))), splitPoints, (stream, cuts) => {
        const p = new DnsFlowParser('tcp');
        let records = 0;
        for (const part of splitAt(stream, cuts)) records += p.feed('toServer', part).records.length;
        mustHold(records <= stream.length / 14 + 1, 'records bounded by input');
      }),
      { numRuns: Math.floor(FUZZ_RUNS / 4) },
    );
  });

  it('a compression loop hidden in a large message does not hang', () => {
    // 1000 answers each pointing at a chain of backward pointers: bounded by the hop budget.
    const parts: number[] = [0, 1, 0x81, 0x80, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0xc0, 0x0c];
    for (let i = 0; i < 1000; i++) parts.push(0xc0 | ((12 + i * 2) >> 8), (12 + i * 2) & 0xff);
    const t = Date.now();
    expect(parseDnsMessage(Uint8Array.from(parts)).status).toBe('error');
    expect(Date.now() - t).toBeLessThan(1000);
  });
});
