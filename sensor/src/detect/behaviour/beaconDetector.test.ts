import { describe, expect, it } from 'vitest';
import { HomeNet } from '../homeNet.ts';
import { BeaconDetector, intervalStats } from './beaconDetector.ts';
import { DEFAULT_BEHAVIOUR_CONFIG, parseBehaviourConfig } from './behaviourConfig.ts';
import { collector, countPacket, SYN, testFlow, testPacket } from './behaviourFixtures.ts';

const home = HomeNet.parse('[192.168.1.0/24]');
const HOST = '192.168.1.50';
const C2 = '203.0.113.66';

function connect(d: BeaconDetector, raise: ReturnType<typeof collector>['raise'], sec: number, o: { src?: string; dst?: string; dport?: number; proto?: number } = {}): void {
  const f = testFlow({ src: o.src ?? HOST, dst: o.dst ?? C2, dport: o.dport ?? 443, proto: o.proto ?? 6, sec });
  countPacket(f, 'toServer', sec);
  d.onPacket(testPacket(sec, { flags: (o.proto ?? 6) === 6 ? SYN : 0 }), f, 'toServer', raise);
  // A retransmitted SYN of the same flow is not a new connection.
  countPacket(f, 'toServer', sec + 1);
  d.onPacket(testPacket(sec + 1, { flags: (o.proto ?? 6) === 6 ? SYN : 0 }), f, 'toServer', raise);
}

/** Deterministic jitter in [-1, 1). */
function jitter(i: number): number {
  return (((i * 7919) % 2000) / 1000) - 1;
}

describe('BeaconDetector', () => {
  it('raises one alert for a check-in every 60 s ± 3 s', () => {
    const d = new BeaconDetector(DEFAULT_BEHAVIOUR_CONFIG.beaconing, home);
    const { alerts, raise } = collector();
    for (let i = 0; i < 50; i++) connect(d, raise, 10_000 + i * 60 + 3 * jitter(i), {});
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect([a.signatureId, a.explain, a.severity, a.direction, a.flow?.srcIp, a.flow?.dstIp]).toEqual([9_100_500, 'beaconing', 2, 'toServer', HOST, C2]);
    expect(a.metadata?.connections).toEqual(['10']);
    expect(a.metadata?.service).toEqual(['tcp/443']);
    expect(a.metadata?.mean_interval_sec).toEqual(['60.4']);
  });

  it('stays quiet for irregular visits, bursts, inbound connections and ignored ports', () => {
    const d = new BeaconDetector(DEFAULT_BEHAVIOUR_CONFIG.beaconing, home);
    const { alerts, raise } = collector();
    let t = 0;
    for (let i = 0; i < 60; i++) connect(d, raise, (t += 5 + ((i * 37) % 90)), {}); // a person browsing
    for (let i = 0; i < 60; i++) connect(d, raise, 5000 + i * 0.05, { dst: '203.0.113.7' }); // parallel fetches
    for (let i = 0; i < 60; i++) connect(d, raise, 9000 + i * 30, { src: C2, dst: HOST }); // inbound
    for (let i = 0; i < 60; i++) connect(d, raise, 9000 + i * 64, { dport: 123, proto: 17 }); // NTP
    for (let i = 0; i < 60; i++) connect(d, raise, 9000 + i * 30, { dst: '192.168.1.9' }); // internal
    expect(alerts).toEqual([]);
  });

  it('judges UDP beacons too and alerts again after realertSec', () => {
    const d = new BeaconDetector(parseBehaviourConfig({ beaconing: { realertSec: 600 } }).beaconing, home);
    const { alerts, raise } = collector();
    for (let i = 0; i < 100; i++) connect(d, raise, i * 30, { dport: 8443, proto: 17 });
    expect(alerts.map((a) => a.timestamp?.sec)).toEqual([270, 870, 1470, 2070, 2670]);
  });

  it('keeps its state bounded under a flood of pairs', () => {
    const d = new BeaconDetector(parseBehaviourConfig({ beaconing: { maxTracked: 100 } }).beaconing, home);
    const { raise } = collector();
    for (let i = 0; i < 10_000; i++) connect(d, raise, i, { dst: `198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
    expect(d.tracked).toBe(100);
  });

  it('computes the mean and coefficient of variation of the intervals', () => {
    expect(intervalStats([0, 10, 20, 30])).toEqual({ mean: 10, cv: 0 });
    expect(intervalStats([0, 5, 15])).toEqual({ mean: 7.5, cv: 2.5 / 7.5 });
    expect(intervalStats([3]).cv).toBe(Infinity);
  });
});
