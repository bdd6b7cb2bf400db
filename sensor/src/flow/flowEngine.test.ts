import { describe, expect, it } from 'vitest';
import type { Packet } from '../decode/packet.ts';
import { FlowEngine } from './flowEngine.ts';
import type { FlowPacketResult } from './flowEngine.ts';
import { DEFAULT_FLOW_TIMEOUTS } from './flowTable.ts';
import { ACK, FIN, PSH, RST, SYN, icmpPacket, icmpUnreachableFor, reverse, tcpPacket, udpPacket } from './flowTestPackets.ts';
import type { Endpoints } from './flowTestPackets.ts';

const C2S: Endpoints = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 };
const S2C = reverse(C2S);
const dec = new TextDecoder();

function feed(engine: FlowEngine, packets: Packet[]): FlowPacketResult[] {
  return packets.map((p) => engine.onPacket(p));
}

/** Client ISN 100, server ISN 500. */
function handshake(t = 1000): Packet[] {
  return [tcpPacket(C2S, SYN, 100, 0, '', t), tcpPacket(S2C, SYN | ACK, 500, 101, '', t), tcpPacket(C2S, ACK, 101, 501, '', t)];
}

describe('FlowEngine: TCP state', () => {
  it('follows the handshake and a client-first close (close_wait, last_ack: Suricata names states from the server) to closed', () => {
    const e = new FlowEngine();
    const states: string[] = [];
    const track = (p: Packet): void => {
      const r = e.onPacket(p);
      states.push(`${r.direction}:${r.flow!.tcpState}/${r.flow!.state}`);
    };
    for (const p of handshake()) track(p);
    track(tcpPacket(C2S, ACK | PSH, 101, 501, 'GET / HTTP/1.0\r\n\r\n'));
    track(tcpPacket(S2C, ACK | PSH, 501, 119, 'HTTP/1.0 200 OK\r\n\r\n'));
    track(tcpPacket(C2S, FIN | ACK, 119, 520));
    track(tcpPacket(S2C, ACK, 520, 120));
    track(tcpPacket(S2C, FIN | ACK, 520, 120));
    track(tcpPacket(C2S, ACK, 120, 521));
    expect(states).toEqual([
      'toServer:syn_sent/new',
      'toClient:syn_recv/new',
      'toServer:established/established',
      'toServer:established/established',
      'toClient:established/established',
      'toServer:close_wait/established',
      'toClient:close_wait/established',
      'toClient:last_ack/closed',
      'toServer:closed/closed',
    ]);
  });

  it('server-first close goes through fin_wait1, fin_wait2 and time_wait', () => {
    const e = new FlowEngine();
    feed(e, handshake());
    const s = [
      tcpPacket(S2C, FIN | ACK, 501, 101),
      tcpPacket(C2S, ACK, 101, 502),
      tcpPacket(C2S, FIN | ACK, 101, 502),
      tcpPacket(S2C, ACK, 502, 102),
    ].map((p) => e.onPacket(p).flow!.tcpState);
    expect(s).toEqual(['fin_wait1', 'fin_wait2', 'time_wait', 'closed']);
  });

  it('simultaneous close goes through closing', () => {
    const e = new FlowEngine();
    feed(e, handshake());
    const s = [
      tcpPacket(S2C, FIN | ACK, 501, 101),
      tcpPacket(C2S, FIN | ACK, 101, 501),
      tcpPacket(C2S, ACK, 102, 502),
    ].map((p) => e.onPacket(p).flow!.tcpState);
    expect(s).toEqual(['fin_wait1', 'closing', 'time_wait']);
  });

  it('RST closes the session from any state', () => {
    const e = new FlowEngine();
    const [syn] = handshake();
    e.onPacket(syn!);
    const r = e.onPacket(tcpPacket(S2C, RST | ACK, 0, 101));
    expect([r.direction, r.flow!.tcpState, r.flow!.state]).toEqual(['toClient', 'closed', 'closed']);
  });

  it('midstream: a SYN/ACK seen first makes its destination the client', () => {
    const e = new FlowEngine();
    const r1 = e.onPacket(tcpPacket(S2C, SYN | ACK, 500, 101));
    const f = r1.flow!;
    expect([r1.direction, f.srcIp, f.srcPort, f.dstIp, f.dstPort, f.tcpState]).toEqual(['toClient', '10.0.0.1', 40000, '10.0.0.2', 80, 'syn_recv']);
    const r2 = e.onPacket(tcpPacket(C2S, ACK, 101, 501));
    expect([r2.flow, r2.direction, f.tcpState, f.pktsToServer, f.pktsToClient]).toEqual([f, 'toServer', 'established', 1, 1]);
  });

  it('midstream: data seen first makes its source the client, established at once', () => {
    const e = new FlowEngine();
    const r = e.onPacket(tcpPacket(S2C, ACK | PSH, 7000, 9000, 'late data'));
    expect([r.direction, r.flow!.srcPort, r.flow!.tcpState, r.flow!.state]).toEqual(['toServer', 80, 'established', 'established']);
    expect(r.chunks.map((c) => dec.decode(c.data))).toEqual(['late data']);
  });

  it('records every flag per direction as Suricata hex', () => {
    const e = new FlowEngine();
    feed(e, handshake());
    e.onPacket(tcpPacket(C2S, FIN | PSH | ACK, 101, 501, 'x'));
    const [ended] = e.flush();
    expect(ended!.record.tcp).toEqual({
      tcp_flags: '1b',
      tcp_flags_ts: '1b',
      tcp_flags_tc: '12',
      syn: true,
      fin: true,
      psh: true,
      ack: true,
      state: 'close_wait',
    });
  });
});

describe('FlowEngine: directions and keys', () => {
  it('both directions share one flow; the other ends of the tuple do not', () => {
    const e = new FlowEngine();
    const a = e.onPacket(udpPacket({ src: '192.0.2.9', dst: '192.0.2.1', sport: 5353, dport: 53 }, 'q'));
    const b = e.onPacket(udpPacket({ src: '192.0.2.1', dst: '192.0.2.9', sport: 53, dport: 5353 }, 'r'));
    const c = e.onPacket(udpPacket({ src: '192.0.2.9', dst: '192.0.2.1', sport: 5354, dport: 53 }, 'q'));
    const d = e.onPacket(udpPacket({ src: '192.0.2.9', dst: '192.0.2.1', sport: 5353, dport: 53, vlan: [6] }, 'q'));
    expect([a.direction, b.direction]).toEqual(['toServer', 'toClient']);
    expect(b.flow).toBe(a.flow);
    expect(c.flow).not.toBe(a.flow);
    expect(d.flow).not.toBe(a.flow);
    expect(e.table.size).toBe(3);
    expect(a.flow!.state).toBe('established');
    expect(c.flow!.state).toBe('new');
    expect(b.chunks).toEqual([{ direction: 'toClient', data: new TextEncoder().encode('r'), gapBefore: false }]);
  });

  it('same address on both ends is ordered by port', () => {
    const e = new FlowEngine();
    const a = e.onPacket(udpPacket({ src: '127.0.0.1', dst: '127.0.0.1', sport: 9000, dport: 53 }, 'q'));
    const b = e.onPacket(udpPacket({ src: '127.0.0.1', dst: '127.0.0.1', sport: 53, dport: 9000 }, 'r'));
    expect([b.flow === a.flow, a.direction, b.direction]).toEqual([true, 'toServer', 'toClient']);
  });

  it('ICMP echo request and reply are one flow; IPv6 too', () => {
    const e = new FlowEngine();
    const a = e.onPacket(icmpPacket('192.168.0.89', '192.168.0.1', 8, 0));
    const b = e.onPacket(icmpPacket('192.168.0.1', '192.168.0.89', 0, 0));
    const u = e.onPacket(icmpPacket('192.168.0.1', '192.168.0.89', 3, 3));
    expect([b.flow === a.flow, b.direction, u.flow === a.flow]).toEqual([true, 'toClient', false]);
    const [rec] = e.flush().map((x) => x.record);
    expect(rec).toMatchObject({ icmp_type: 8, icmp_code: 0, response_icmp_type: 0, response_icmp_code: 0, proto: 'ICMP' });
    expect(rec!.community_id).toBe('1:X0snYXpgwiv9TZtqg64sgzUn6Dk=');
    const v6 = new FlowEngine();
    const s = v6.onPacket(icmpPacket('fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 0));
    const t = v6.onPacket(icmpPacket('fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 0));
    expect(t.flow).toBe(s.flow);
    expect(s.flow!.communityId()).toBe('1:dGHyGvjMfljg6Bppwm3bg0LO8TY=');
  });

  it('an ICMP unreachable quoting a known TCP packet counts in that flow, towards its sender', () => {
    const e = new FlowEngine();
    const tcpFlow = e.onPacket(tcpPacket(C2S, SYN, 100, 0)).flow!;
    const r = e.onPacket(icmpUnreachableFor('10.0.0.254', C2S, 1001));
    expect([r.flow === tcpFlow, r.direction, r.chunks, tcpFlow.tcpState, tcpFlow.pktsToClient, tcpFlow.lastSec]).toEqual([true, 'toClient', [], 'syn_sent', 1, 1001]);
    // Quoting a packet of no known flow: a plain ICMP flow of its own.
    const other = e.onPacket(icmpUnreachableFor('10.0.0.254', { ...C2S, sport: 1 }));
    expect([other.flow === tcpFlow, other.flow!.proto, other.flow!.icmpType, e.table.size]).toEqual([false, 1, 3, 2]);
  });

  it('flow_id: 51-bit, the same both ways, stable across runs, different for a later start', () => {
    const id = (t: number): number => new FlowEngine().onPacket(tcpPacket(C2S, SYN, 1, 0, '', t, 5000)).flow!.flowId;
    const a = id(1000);
    expect(a).toBe(id(1000));
    expect(a).not.toBe(id(1001));
    expect(Number.isSafeInteger(a) && a > 0 && a < 2 ** 51).toBe(true);
    const e = new FlowEngine();
    const f = e.onPacket(tcpPacket(S2C, SYN | ACK, 1, 2, '', 1000, 5000)).flow!;
    const g = new FlowEngine().onPacket(tcpPacket(C2S, SYN, 1, 0, '', 1000, 5000)).flow!;
    expect(f.flowId).toBe(g.flowId);
  });

  it('ignores packets that cannot have a flow', () => {
    const e = new FlowEngine();
    const p = udpPacket(C2S, 'x');
    p.ipVersion = 0;
    expect(e.onPacket(p)).toEqual({ flow: null, direction: 'toServer', chunks: [], events: [], ended: [] });
  });
});

describe('FlowEngine: reassembly', () => {
  it('hands out TCP bytes in order, whatever the arrival order', () => {
    const e = new FlowEngine();
    feed(e, handshake());
    const r1 = e.onPacket(tcpPacket(C2S, ACK | PSH, 107, 501, 'world'));
    const r2 = e.onPacket(tcpPacket(C2S, ACK | PSH, 101, 501, 'hello '));
    expect(r1.chunks).toEqual([]);
    expect(r2.chunks.map((c) => [c.direction, dec.decode(c.data), c.gapBefore])).toEqual([
      ['toServer', 'hello ', false],
      ['toServer', 'world', false],
    ]);
  });

  it('an ACK past missing data releases the peer’s buffered bytes after a gap', () => {
    const e = new FlowEngine();
    feed(e, handshake());
    e.onPacket(tcpPacket(S2C, ACK | PSH, 501, 101, 'aaa'));
    e.onPacket(tcpPacket(S2C, ACK | PSH, 507, 101, 'ccc')); // 'bbb' at 504 never captured
    const r = e.onPacket(tcpPacket(C2S, ACK, 101, 510));
    expect(r.direction).toBe('toServer');
    expect(r.chunks.map((c) => [c.direction, dec.decode(c.data), c.gapBefore])).toEqual([['toClient', 'ccc', true]]);
    expect(r.events).toEqual([{ name: 'stream.reassembly_seq_gap', direction: 'toClient' }]);
    const [ended] = e.flush();
    expect(ended!.record.tcp!.tc_gap).toBe(true);
    expect(ended!.record.tcp!.ts_gap).toBeUndefined();
  });

  it('flushes buffered data of an ending flow into its EndedFlow', () => {
    const e = new FlowEngine();
    feed(e, handshake());
    e.onPacket(tcpPacket(C2S, ACK | PSH, 111, 501, 'after-gap'));
    const [ended] = e.flush();
    expect(ended!.chunks.map((c) => [dec.decode(c.data), c.gapBefore])).toEqual([['after-gap', true]]);
    expect(e.streamBudget.used).toBe(0);
  });
});

describe('FlowEngine: timeouts, eviction, reuse, flush', () => {
  it('ends a UDP flow after 30 s idle, checked on packet time', () => {
    const e = new FlowEngine();
    const other = { src: '10.9.9.9', dst: '10.9.9.8', sport: 1, dport: 2 };
    e.onPacket(udpPacket(C2S, 'a', 1000, 500));
    expect(e.onPacket(udpPacket(other, 'x', 1029, 0)).ended).toEqual([]);
    const r = e.onPacket(udpPacket(other, 'x', 1030, 600));
    expect(r.ended.map((x) => [x.reason, x.flow.srcPort, x.record.timestamp])).toEqual([['timeout', 40000, '1970-01-01T00:17:10.000000+0000']]);
    expect(e.counters.timeout).toBe(1);
  });

  it('uses the state’s timeout (Suricata defaults): established UDP 300 s, closed TCP 60 s, new TCP 60 s', () => {
    const e = new FlowEngine();
    const tick = (t: number): string[] =>
      e.onPacket(udpPacket({ src: '10.9.9.9', dst: '10.9.9.8', sport: 1, dport: 2 }, 'x', t)).ended.map((x) => `${x.flow.proto}:${x.flow.srcPort}:${x.flow.tcpState}`);
    e.onPacket(udpPacket(C2S, 'a', 1000));
    e.onPacket(udpPacket(S2C, 'b', 1000));
    e.onPacket(tcpPacket({ ...C2S, sport: 1 }, SYN, 1, 0, '', 1000));
    const c = { ...C2S, sport: 2 };
    e.onPacket(tcpPacket(c, SYN, 1, 0, '', 1000));
    e.onPacket(tcpPacket(reverse(c), RST | ACK, 0, 2, '', 1000));
    expect(tick(1059)).toEqual([]);
    expect(tick(1060)).toEqual(['6:1:syn_sent', '6:2:closed']);
    // The ticking flow itself only goes one way: new, 30 s.
    expect(tick(1299)).toEqual(['17:1:none']);
    expect(tick(1300)).toEqual(['17:40000:none']);
    expect(DEFAULT_FLOW_TIMEOUTS).toMatchObject({ tcpNew: 60, tcpEstablished: 600, tcpClosed: 60, udpNew: 30, udpEstablished: 300 });
  });

  it('a flow found timed out on lookup is replaced by a new one', () => {
    const e = new FlowEngine();
    const a = e.onPacket(udpPacket(C2S, 'a', 1000)).flow;
    const r = e.onPacket(udpPacket(C2S, 'a', 1031));
    expect(r.ended.map((x) => x.flow)).toEqual([a]);
    expect(r.flow).not.toBe(a);
    expect(r.flow!.pktsToServer).toBe(1);
  });

  it('evicts the least recently seen flow when the table is full, and counts it', () => {
    const e = new FlowEngine({ maxFlows: 2 });
    const ep = (n: number): Endpoints => ({ src: '10.1.1.1', dst: '10.2.2.2', sport: n, dport: 53 });
    e.onPacket(udpPacket(ep(1), 'x', 1000));
    e.onPacket(udpPacket(ep(2), 'x', 1001));
    e.onPacket(udpPacket(ep(1), 'x', 1002)); // flow 1 is now the most recent
    const r = e.onPacket(udpPacket(ep(3), 'x', 1003));
    expect(r.ended.map((x) => [x.reason, x.flow.srcPort, x.record.flow.reason])).toEqual([['forced', 2, 'forced']]);
    expect(e.counters).toEqual({ total: 3, memcap: 1, evicted: 1, timeout: 0, tcpReuse: 0, shutdown: 0 });
    expect(e.table.size).toBe(2);
  });

  it('a SYN on a closed session starts a new flow (tcp_reuse)', () => {
    const e = new FlowEngine();
    const first = e.onPacket(tcpPacket(C2S, SYN, 100, 0)).flow;
    e.onPacket(tcpPacket(S2C, RST | ACK, 0, 101));
    const r = e.onPacket(tcpPacket(C2S, SYN, 9000, 0, '', 1001));
    expect(r.ended.map((x) => [x.flow === first, x.reason])).toEqual([[true, 'tcp_reuse']]);
    expect([r.flow!.tcpState, e.counters.tcpReuse]).toEqual(['syn_sent', 1]);
  });

  it('flush ends every flow with reason shutdown, oldest first, with the full EVE record', () => {
    const e = new FlowEngine();
    const v = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 53, vlan: [1, 10] };
    e.onPacket(udpPacket(v, 'abcd', 1767323045, 123456789));
    e.onPacket(udpPacket(reverse(v), 'ef', 1767323047, 5000));
    e.onPacket(tcpPacket(C2S, SYN, 100, 0, '', 1767323050, 0));
    const ended = e.flush(1767323060, 0);
    expect(ended.map((x) => x.reason)).toEqual(['shutdown', 'shutdown']);
    const f = ended[0]!.flow;
    expect(ended[0]!.record).toEqual({
      timestamp: '2026-01-02T03:04:20.000000+0000',
      flow_id: f.flowId,
      event_type: 'flow',
      vlan: [1, 10],
      src_ip: '10.0.0.1',
      src_port: 40000,
      dest_ip: '10.0.0.2',
      dest_port: 53,
      ip_v: 4,
      proto: 'UDP',
      flow: {
        pkts_toserver: 1,
        pkts_toclient: 1,
        // Ethernet 14 + two VLAN tags 8 + IPv4 20 + UDP 8 + payload.
        bytes_toserver: 54,
        bytes_toclient: 52,
        start: '2026-01-02T03:04:05.123456+0000',
        end: '2026-01-02T03:04:07.000005+0000',
        age: 2,
        state: 'established',
        reason: 'shutdown',
        alerted: false,
      },
      community_id: f.communityId(),
    });
    expect(ended[1]!.record.tcp).toEqual({ tcp_flags: '02', tcp_flags_ts: '02', tcp_flags_tc: '00', syn: true, state: 'syn_sent' });
    expect(e.table.size).toBe(0);
    expect(e.counters.shutdown).toBe(2);
  });

  it('the community_id seed is configurable', () => {
    const e = new FlowEngine({ communityIdSeed: 1 });
    e.onPacket(tcpPacket({ src: '128.232.110.120', dst: '66.35.250.204', sport: 34855, dport: 80 }, SYN, 1, 0));
    expect(e.flush()[0]!.record.community_id).toBe('1:3V71V58M3Ksw/yuFALMcW0LAHvc=');
  });
});

describe('FlowEngine: TCP edge cases', () => {
  const run = (packets: Packet[]): string[] => {
    const e = new FlowEngine();
    return packets.map((p) => e.onPacket(p).flow!.tcpState);
  };

  it('a missed SYN/ACK still reaches established on the client’s ACK', () => {
    expect(run([tcpPacket(C2S, SYN, 100, 0), tcpPacket(C2S, ACK, 101, 501)])).toEqual(['syn_sent', 'established']);
  });

  it('simultaneous open: a bare SYN from the server', () => {
    expect(run([tcpPacket(C2S, SYN, 100, 0), tcpPacket(S2C, SYN, 500, 0), tcpPacket(C2S, ACK, 101, 501)])).toEqual(['syn_sent', 'syn_recv', 'established']);
  });

  it('a FIN as the first packet seen (midstream) starts closing at once', () => {
    expect(run([tcpPacket(C2S, FIN | ACK, 100, 500), tcpPacket(S2C, FIN | ACK, 500, 101), tcpPacket(C2S, ACK, 101, 501)])).toEqual([
      'close_wait',
      'last_ack',
      'closed',
    ]);
  });

  it('FIN acknowledgement across the 2^32 wrap', () => {
    expect(
      run([tcpPacket(C2S, ACK, 100, 0xfffffffe), tcpPacket(S2C, ACK, 0xfffffffe, 100, 'x'), tcpPacket(S2C, FIN | ACK, 0xffffffff, 100), tcpPacket(C2S, ACK, 100, 0)]),
    ).toEqual(['established', 'established', 'fin_wait1', 'fin_wait2']);
  });

  it('an ACK that does not cover the FIN leaves fin_wait1 alone', () => {
    expect(run([tcpPacket(C2S, ACK, 100, 500), tcpPacket(S2C, FIN | ACK, 500, 100), tcpPacket(C2S, ACK, 100, 500)])).toEqual(['established', 'fin_wait1', 'fin_wait1']);
  });

  it('in-order payload reaches the caller as a view of the packet, not a copy', () => {
    const e = new FlowEngine();
    feed(e, handshake());
    const p = tcpPacket(C2S, ACK | PSH, 101, 501, 'abc');
    const [chunk] = e.onPacket(p).chunks;
    expect(chunk!.data.buffer).toBe(p.data.buffer);
  });
});

describe('FlowEngine: timeout sweep cadence', () => {
  it('sweeps at most once per second of packet time', () => {
    const e = new FlowEngine();
    const other = { src: '10.9.9.9', dst: '10.9.9.8', sport: 1, dport: 2 };
    e.onPacket(udpPacket(C2S, 'a', 1000, 500_000_000));
    expect(e.onPacket(udpPacket(other, 'x', 1030, 200_000_000)).ended).toEqual([]);
    // Timed out at 1030.5, but the sweep of second 1030 already ran.
    expect(e.onPacket(udpPacket(other, 'x', 1030, 900_000_000)).ended).toEqual([]);
    expect(e.onPacket(udpPacket(other, 'x', 1031, 0)).ended.map((x) => x.flow.srcPort)).toEqual([40000]);
  });
});

describe('FlowEngine: keys at their largest', () => {
  it('IPv6 with eight VLAN tags keeps every field in the key', () => {
    const e = new FlowEngine();
    // The decoder follows three tags; the flow table takes up to eight, so add the rest by hand.
    const tagged = (p: Packet): Packet => {
      for (const id of [4, 5, 6, 7, 8]) p.addVlan(id);
      return p;
    };
    const a = { src: '2001:db8::1', dst: '2001:db8::2', sport: 1000, dport: 53, vlan: [1, 2, 3] };
    const f1 = e.onPacket(tagged(udpPacket(a, 'x'))).flow!;
    const f2 = e.onPacket(tagged(udpPacket({ ...a, dport: 54 }, 'x'))).flow!;
    const f3 = e.onPacket(tagged(udpPacket({ ...a, sport: 1001 }, 'x'))).flow!;
    const back = e.onPacket(tagged(udpPacket(reverse(a), 'y')));
    expect(f1.vlan).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([f1 === f2, f1 === f3, f2 === f3, back.flow === f1, back.direction]).toEqual([false, false, false, true, 'toClient']);
  });
});
