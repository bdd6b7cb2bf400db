import { describe, expect, it } from 'vitest';
import { HomeNet } from '../homeNet.ts';
import { DEFAULT_BEHAVIOUR_CONFIG, parseBehaviourConfig } from './behaviourConfig.ts';
import { collector, countPacket, RST_ACK, SYN, SYN_ACK, testFlow, testPacket } from './behaviourFixtures.ts';
import { ScanDetector } from './scanDetector.ts';

const home = HomeNet.parse('[192.168.1.0/24]');
const ATTACKER = '203.0.113.9';
const VICTIM = '192.168.1.10';

/** One SYN from src to dst:port at `sec`, answered by RST (closed port) unless `open`. */
function probe(d: ScanDetector, raise: ReturnType<typeof collector>['raise'], src: string, dst: string, port: number, sec: number, open = false): void {
  const f = testFlow({ src, dst, dport: port, sec });
  countPacket(f, 'toServer', sec);
  d.onPacket(testPacket(sec, { flags: SYN }), f, 'toServer', raise);
  countPacket(f, 'toClient', sec + 0.001);
  d.onPacket(testPacket(sec + 0.001, { flags: open ? SYN_ACK : RST_ACK }), f, 'toClient', raise);
  if (open) {
    // A real conversation: the client sends data.
    countPacket(f, 'toServer', sec + 0.002, 500);
    d.onPacket(testPacket(sec + 0.002, { flags: 0x18, payload: 440 }), f, 'toServer', raise);
  }
}

describe('ScanDetector', () => {
  it('raises one inbound port scan for 2000 probed ports, with the evidence', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    for (let i = 0; i < 2000; i++) probe(d, raise, ATTACKER, VICTIM, 1 + i, 1000 + i * 0.01);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.signatureId).toBe(9_100_010);
    expect(a.explain).toBe('inbound_port_scan');
    expect(a.engine).toBe('behaviour');
    expect(a.category).toBe('Detection of a Network Scan');
    expect(a.direction).toBe('toServer');
    expect(a.flow?.srcIp).toBe(ATTACKER);
    expect(a.metadata?.port_count).toEqual(['15']);
    expect(a.metadata?.ports).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15']);
    expect(a.metadata?.target).toEqual([VICTIM]);
    expect(a.timestamp).toEqual({ sec: 1000, nsec: 140_000_000 });
  });

  it('raises a second alert only when the scan goes on past realertSec', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    // One probe every 2 s for 2 hours: the first at the 15th port, then once an hour.
    for (let i = 0; i < 3600; i++) probe(d, raise, ATTACKER, VICTIM, 1 + (i % 60000), 2 * i);
    expect(alerts.map((a) => a.timestamp?.sec)).toEqual([28, 3628]);
  });

  it('stays quiet for a client whose connections to many ports are answered with data', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    // e.g. passive FTP data connections: many ports, each carrying data.
    for (let i = 0; i < 100; i++) probe(d, raise, ATTACKER, VICTIM, 50000 + i, 10 + i, true);
    expect(alerts).toEqual([]);
  });

  it('needs minPorts distinct ports within the window', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    // 14 ports, repeated: never 15 distinct.
    for (let r = 0; r < 5; r++) for (let p = 1; p <= 14; p++) probe(d, raise, ATTACKER, VICTIM, p, r * 10 + p * 0.1);
    // 15 ports, but spread over more than the window (one every 30 s: at most 11 in 300 s).
    for (let p = 100; p < 130; p++) probe(d, raise, ATTACKER, '192.168.1.11', p, 1000 + (p - 100) * 30);
    expect(alerts).toEqual([]);
  });

  it('raises an outbound port scan when the scanner is inside HOME_NET', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    for (let i = 0; i < 20; i++) probe(d, raise, VICTIM, '198.51.100.7', 1000 + i, i);
    expect(alerts.map((a) => [a.signatureId, a.explain, a.flow?.srcIp])).toEqual([[9_100_011, 'outbound_port_scan', VICTIM]]);
  });

  it('raises an inbound host sweep for one port on many hosts, and an outbound one for a worm', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    for (let h = 1; h <= 254; h++) probe(d, raise, ATTACKER, `192.168.1.${h}`, 445, h * 0.05);
    for (let h = 1; h <= 40; h++) probe(d, raise, VICTIM, `198.51.${h}.1`, 23, 100 + h * 0.05);
    expect(alerts.map((a) => [a.signatureId, a.explain, a.metadata?.host_count, a.metadata?.service])).toEqual([
      [9_100_020, 'inbound_host_sweep', ['25'], ['tcp/445']],
      [9_100_021, 'outbound_host_sweep', ['25'], ['tcp/23']],
    ]);
  });

  it('counts an ICMP echo sweep as a host sweep, answered or not', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    for (let h = 1; h <= 30; h++) {
      const f = testFlow({ src: ATTACKER, dst: `192.168.1.${h}`, dport: 0, proto: 1, sec: h });
      countPacket(f, 'toServer', h);
      d.onPacket(testPacket(h, { icmpType: 8 }), f, 'toServer', raise);
    }
    expect(alerts.map((a) => [a.signatureId, a.metadata?.service])).toEqual([[9_100_020, ['icmp']]]);
  });

  it('does not take a traceroute for a UDP port scan', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    for (let i = 0; i < 90; i++) {
      const f = testFlow({ src: VICTIM, dst: '198.51.100.7', dport: 33434 + i, proto: 17, sec: i * 0.1 });
      countPacket(f, 'toServer', i * 0.1);
      d.onPacket(testPacket(i * 0.1), f, 'toServer', raise);
    }
    expect(alerts).toEqual([]);
  });

  it('works on IPv6 addresses', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, HomeNet.parse('[2001:db8:1::/48]'));
    const { alerts, raise } = collector();
    for (let p = 1; p <= 20; p++) probe(d, raise, '2001:db8:ffff::9', '2001:db8:1::10', p, p);
    for (let p = 1; p <= 20; p++) probe(d, raise, '2001:db8:1::10', 'ff02::1', p, p);
    expect(alerts.map((a) => [a.signatureId, a.flow?.dstIp])).toEqual([[9_100_010, '2001:db8:1::10']]);
  });

  it('ignores probes to broadcast and multicast addresses', () => {
    const d = new ScanDetector(DEFAULT_BEHAVIOUR_CONFIG.scan, home);
    const { alerts, raise } = collector();
    for (let p = 1; p <= 100; p++) {
      const f = testFlow({ src: VICTIM, dst: '239.255.255.250', dport: p, proto: 17, sec: p });
      countPacket(f, 'toServer', p);
      d.onPacket(testPacket(p), f, 'toServer', raise);
    }
    expect(alerts).toEqual([]);
    expect(d.tracked).toBe(0);
  });

  it('keeps its state bounded under a flood of spoofed sources', () => {
    const d = new ScanDetector(parseBehaviourConfig({ scan: { maxTracked: 1000, maxTargetsPerEntry: 64 } }).scan, home);
    const { alerts, raise } = collector();
    for (let i = 0; i < 20_000; i++) probe(d, raise, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, VICTIM, 80, i * 0.001);
    // Every spoofed source probed port 80 once: no scan, at most 1000 entries per table.
    expect(alerts).toEqual([]);
    expect(d.tracked).toBe(2000);
  });
});
