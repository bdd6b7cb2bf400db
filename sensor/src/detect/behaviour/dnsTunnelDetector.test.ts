import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR_CONFIG, parseBehaviourConfig } from './behaviourConfig.ts';
import { appRecord, collector, countPacket, testFlow } from './behaviourFixtures.ts';
import { DnsTunnelDetector, NO_PUBLIC_SUFFIX, registeredDomain, shannonEntropy } from './dnsTunnelDetector.ts';

const CLIENT = '192.168.1.40';
const RESOLVER = '192.168.1.1';

/** A deterministic pseudo-random base32-ish label of `n` characters. */
function encoded(seed: number, n: number): string {
  const abc = 'abcdefghijklmnopqrstuvwxyz234567';
  let x = seed * 2654435761 + 1;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += abc[(x >>> 16) % abc.length];
  }
  return s;
}

function query(d: DnsTunnelDetector, raise: ReturnType<typeof collector>['raise'], rrname: string, rrtype: string, sec: number, client = CLIENT, dport = 53): void {
  const f = testFlow({ src: client, dst: RESOLVER, dport, proto: 17, sec });
  countPacket(f, 'toServer', sec);
  d.onAppRecord(appRecord(f, 'dns', { dns: { type: 'request', queries: [{ rrname, rrtype }] } }), raise);
}

describe('DnsTunnelDetector', () => {
  it('raises one alert for an iodine-like tunnel (long encoded names, NULL records)', () => {
    const d = new DnsTunnelDetector(DEFAULT_BEHAVIOUR_CONFIG.dnsTunnel);
    const { alerts, raise } = collector();
    for (let i = 0; i < 300; i++) query(d, raise, `${encoded(i, 60)}.${encoded(i + 1000, 40)}.t.pirate.sea`, 'NULL', i * 0.5);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect([a.signatureId, a.explain, a.severity, a.direction, a.flow?.srcIp]).toEqual([9_100_400, 'dns_tunnel', 1, 'toServer', CLIENT]);
    expect(a.metadata?.domain).toEqual(['pirate.sea']);
    expect(a.metadata?.unique_subdomains).toEqual(['30']);
    expect(a.metadata?.encoded_fraction).toEqual(['1.00']);
  });

  it('raises for hex names with TXT answers, and groups names without a real TLD', () => {
    const d = new DnsTunnelDetector(DEFAULT_BEHAVIOUR_CONFIG.dnsTunnel);
    const { alerts, raise } = collector();
    const hex = (i: number) => Buffer.from(encoded(i, 20)).toString('hex').slice(0, 30);
    for (let i = 0; i < 40; i++) query(d, raise, `${hex(i)}.c2.example.co.jp`, 'TXT', i);
    for (let i = 0; i < 40; i++) query(d, raise, `dnscat.${hex(i)}.${hex(i + 7)}0f`, 'CNAME', i);
    expect(alerts.map((a) => a.metadata?.domain)).toEqual([['example.co.jp'], [NO_PUBLIC_SUFFIX]]);
  });

  it('stays quiet for DNSBL lookups, CDN names, mDNS and reverse lookups', () => {
    const d = new DnsTunnelDetector(DEFAULT_BEHAVIOUR_CONFIG.dnsTunnel);
    const { alerts, raise } = collector();
    for (let i = 0; i < 200; i++) query(d, raise, `${i % 250}.${(i * 7) % 250}.113.203.zen.spamhaus.org`, i % 2 === 0 ? 'A' : 'TXT', i);
    for (let i = 0; i < 200; i++) query(d, raise, `r${i % 9}---sn-${encoded(i, 8)}.googlevideo.com`, 'A', i);
    for (let i = 0; i < 200; i++) query(d, raise, `${encoded(i, 40)}._googlecast._tcp.local`, 'PTR', i, CLIENT, 5353);
    for (let i = 0; i < 200; i++) query(d, raise, `${i}.1.168.192.in-addr.arpa`, 'PTR', i);
    expect(alerts).toEqual([]);
  });

  it('needs the unique names within the window and alerts again after realertSec', () => {
    const d = new DnsTunnelDetector(parseBehaviourConfig({ dnsTunnel: { realertSec: 600 } }).dnsTunnel);
    const { alerts, raise } = collector();
    // One long name every 20 s: at most 15 in 300 s.
    for (let i = 0; i < 100; i++) query(d, raise, `${encoded(i, 60)}.slow.example`, 'A', i * 20);
    expect(alerts).toEqual([]);
    for (let i = 0; i < 2000; i++) query(d, raise, `${encoded(i, 60)}.fast.example`, 'A', 5000 + i);
    expect(alerts.map((a) => a.timestamp?.sec)).toEqual([5029, 5629, 6229, 6829]);
  });

  it('keeps its state bounded under a flood of random names and clients', () => {
    const d = new DnsTunnelDetector(parseBehaviourConfig({ dnsTunnel: { maxTracked: 50, maxSubdomainsPerEntry: 40 } }).dnsTunnel);
    const { raise } = collector();
    for (let i = 0; i < 5000; i++) query(d, raise, `${encoded(i, 20)}.d${i % 200}.example`, 'A', i * 0.01, `10.0.${i % 100}.1`);
    expect(d.tracked).toBe(50);
  });

  it('splits registered domains with a small public-suffix list and measures entropy', () => {
    expect(registeredDomain('a.b.example.co.jp')).toEqual({ domain: 'example.co.jp', subdomain: 'a.b' });
    expect(registeredDomain('WWW.Example.COM.')).toEqual({ domain: 'example.com', subdomain: 'www' });
    expect(registeredDomain('example.com')).toEqual({ domain: 'example.com', subdomain: '' });
    expect(registeredDomain('x.xn--wgv71a.jp')).toEqual({ domain: 'xn--wgv71a.jp', subdomain: 'x' });
    expect(registeredDomain('dnscat.0a1b.2c3d')).toEqual({ domain: NO_PUBLIC_SUFFIX, subdomain: 'dnscat.0a1b.2c3d' });
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});
