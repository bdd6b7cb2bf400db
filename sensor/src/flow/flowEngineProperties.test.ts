/**
 * Random packet sequences (hostile flags, sequence numbers, ports, clocks going back and forth)
 * through the engine with a tiny table and budget: it never throws, its books balance (flows
 * created = live + ended), memory stays within its caps, and flush() ends everything.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FlowEngine } from './flowEngine.ts';
import type { Flow } from './flow.ts';
import { tcpPacket, udpPacket } from './flowTestPackets.ts';

const packet = fc.record({
  tcp: fc.boolean(),
  host: fc.nat({ max: 3 }),
  peer: fc.nat({ max: 1 }),
  sport: fc.constantFrom(80, 1024, 1025),
  dport: fc.constantFrom(80, 1024),
  flags: fc.nat({ max: 0xff }),
  seq: fc.oneof(fc.nat({ max: 3000 }), fc.constant(0xfffffff0)),
  ack: fc.nat({ max: 3000 }),
  length: fc.nat({ max: 40 }),
  dt: fc.integer({ min: -3, max: 40 }),
});

describe('FlowEngine properties', () => {
  it('random traffic keeps the books balanced and memory within caps', () => {
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 30 }), (packets) => {
        const engine = new FlowEngine({ maxFlows: 4, maxBufferedBytesPerDirection: 200, streamBudgetBytes: 400 });
        const live = new Set<Flow>();
        let ended = 0;
        let t = 1000;
        const payload = new Uint8Array(40).fill(0x41);
        for (const p of packets) {
          t = Math.max(0, t + p.dt);
          const ends = { src: `10.0.0.${p.host}`, dst: `10.0.1.${p.peer}`, sport: p.sport, dport: p.dport };
          const decoded = p.tcp
            ? tcpPacket(ends, p.flags, p.seq, p.ack, payload.subarray(0, p.length), t)
            : udpPacket(ends, payload.subarray(0, p.length), t);
          const r = engine.onPacket(decoded);
          for (const e of r.ended) {
            if (!live.delete(e.flow)) return false;
            ended++;
          }
          if (r.flow === null) return false;
          live.add(r.flow);
          if (engine.table.size !== live.size || engine.table.size > 4) return false;
          let buffered = 0;
          for (const f of live) {
            if (f.tcp === null) continue;
            if (f.tcp.toServer.bufferedBytes > 200 || f.tcp.toClient.bufferedBytes > 200) return false;
            buffered += f.tcp.toServer.bufferedBytes + f.tcp.toClient.bufferedBytes;
          }
          if (engine.streamBudget.used !== buffered || buffered > 400) return false;
        }
        ended += engine.flush().length;
        const c = engine.counters;
        return (
          engine.table.size === 0 &&
          engine.streamBudget.used === 0 &&
          c.total === ended &&
          c.timeout + c.evicted + c.tcpReuse + c.shutdown === ended
        );
      }),
      { numRuns: 5000 },
    );
  }, 30_000);
});
