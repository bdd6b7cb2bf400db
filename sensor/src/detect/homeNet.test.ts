import { describe, expect, it } from 'vitest';
import { HomeNet, HomeNetError, parseIpAddress } from './homeNet.ts';

const ip = (t: string): Uint8Array => parseIpAddress(t)!;

describe('HomeNet', () => {
  it('decides the direction of traffic against the default private ranges', () => {
    const home = HomeNet.parse();
    expect(home.direction(ip('203.0.113.9'), ip('192.168.1.20'))).toBe('inbound');
    expect(home.direction(ip('10.0.0.5'), ip('198.51.100.1'))).toBe('outbound');
    expect(home.direction(ip('172.16.4.4'), ip('192.168.1.1'))).toBe('internal');
    expect(home.direction(ip('8.8.8.8'), ip('1.1.1.1'))).toBe('external');
    expect(home.direction(ip('fd00::1'), ip('2001:db8::1'))).toBe('outbound');
    expect(home.contains(ip('172.32.0.1'))).toBe(false);
  });

  it('carves negated entries out and takes single addresses', () => {
    const home = HomeNet.parse('[10.0.0.0/8, !10.9.0.0/16, 203.0.113.7]');
    expect(home.containsText('10.1.2.3')).toBe(true);
    expect(home.containsText('10.9.2.3')).toBe(false);
    expect(home.containsText('203.0.113.7')).toBe(true);
    expect(home.containsText('203.0.113.8')).toBe(false);
  });

  it('parses IPv6 forms', () => {
    expect([...ip('::ffff:192.0.2.1')]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
    expect([...ip('2001:db8::1')].slice(0, 4)).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(parseIpAddress('1::2::3')).toBeUndefined();
    expect(parseIpAddress('1.2.3.256')).toBeUndefined();
  });

  it('refuses a broken spec with a reason', () => {
    expect(() => HomeNet.parse('[10.0.0.0/33]')).toThrow(HomeNetError);
    expect(() => HomeNet.parse('[example.com]')).toThrow(/is not an IP address/);
    expect(() => HomeNet.parse('[]')).toThrow(/no network/);
  });
});
