import { describe, expect, it } from 'vitest';
import { parseIPv4, parseIPv6 } from '../testing/pcapWriter.ts';
import { communityId } from './communityId.ts';

function v4(proto: number, s: string, d: string, sp: number, dp: number, seed = 0): string {
  return communityId(proto, parseIPv4(s), parseIPv4(d), sp, dp, seed);
}
function v6(proto: number, s: string, d: string, sp: number, dp: number, seed = 0): string {
  return communityId(proto, parseIPv6(s), parseIPv6(d), sp, dp, seed);
}

// Vectors from the spec's reference implementation tests (pycommunityid tests/communityid_test.py).
describe('communityId', () => {
  it('TCP: both directions give the spec value, seed 1 differs', () => {
    expect(v4(6, '128.232.110.120', '66.35.250.204', 34855, 80)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(v4(6, '66.35.250.204', '128.232.110.120', 80, 34855)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(v4(6, '128.232.110.120', '66.35.250.204', 34855, 80, 1)).toBe('1:3V71V58M3Ksw/yuFALMcW0LAHvc=');
    expect(v4(6, '10.0.0.1', '10.0.0.2', 10, 11569)).toBe('1:SXBGMX1lBOwhhoDrZynfROxnhnM=');
  });

  it('UDP and SCTP', () => {
    expect(v4(17, '192.168.1.52', '8.8.8.8', 54585, 53)).toBe('1:d/FP5EW3wiY1vCndhwleRRKHowQ=');
    expect(v4(17, '8.8.8.8', '192.168.1.52', 53, 54585)).toBe('1:d/FP5EW3wiY1vCndhwleRRKHowQ=');
    expect(v4(132, '192.168.170.8', '192.168.170.56', 7, 80)).toBe('1:jQgCxbku+pNGw8WPbEc/TS/uTpQ=');
    expect(v4(132, '192.168.170.56', '192.168.170.8', 80, 7)).toBe('1:jQgCxbku+pNGw8WPbEc/TS/uTpQ=');
  });

  it('ICMP: echo request and reply pair up; unpaired types are one-way and keep the code', () => {
    expect(v4(1, '192.168.0.89', '192.168.0.1', 8, 0)).toBe('1:X0snYXpgwiv9TZtqg64sgzUn6Dk=');
    expect(v4(1, '192.168.0.1', '192.168.0.89', 0, 8)).toBe('1:X0snYXpgwiv9TZtqg64sgzUn6Dk=');
    expect(v4(1, '192.168.0.89', '192.168.0.1', 8, 0, 1)).toBe('1:03g6IloqVBdcZlPyX8r0hgoE7kA=');
    expect(v4(1, '192.168.0.89', '192.168.0.1', 20, 0)).toBe('1:3o2RFccXzUgjl7zDpqmY7yJi8rI=');
    expect(v4(1, '192.168.0.89', '192.168.0.1', 20, 1)).toBe('1:tz/fHIDUHs19NkixVVoOZywde+I=');
    expect(v4(1, '192.168.0.1', '192.168.0.89', 0, 20)).toBe('1:X0snYXpgwiv9TZtqg64sgzUn6Dk=');
  });

  it('ICMPv6: neighbour solicitation/advertisement pair up; unreachable is one-way', () => {
    expect(v6(58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 0)).toBe('1:dGHyGvjMfljg6Bppwm3bg0LO8TY=');
    expect(v6(58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 0)).toBe('1:dGHyGvjMfljg6Bppwm3bg0LO8TY=');
    expect(v6(58, '3ffe:507:0:1:260:97ff:fe07:69ea', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0)).toBe('1:NdobDX8PQNJbAyfkWxhtL2Pqp5w=');
    expect(v6(58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:507:0:1:260:97ff:fe07:69ea', 3, 0)).toBe('1:/OGBt9BN1ofenrmSPWYicpij2Vc=');
    expect(v6(58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 0, 1)).toBe('1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=');
  });

  it('protocols without ports hash addresses and proto only', () => {
    expect(v4(46, '10.1.24.4', '10.1.12.1', 0, 0)).toBe('1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=');
    expect(v4(46, '10.1.12.1', '10.1.24.4', 99, 7)).toBe('1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=');
    expect(v4(46, '10.1.24.4', '10.1.12.1', 0, 0, 1)).toBe('1:BK3BVW3U2eemuwVQVN3zd/GULno=');
  });

  it('suricata-verify community-id-ipv4/ipv6 flows (community-id-seed: 7)', () => {
    expect(v6(6, '2600:1f13:f8:d400:3a6:303c:e011:18eb', '2001:4860:4860::8888', 33892, 443, 7)).toBe('1:PGf+a0eBbs1OhuPtJmsF0Sm51v4=');
    expect(v6(6, '2600:1f13:f8:d400:3a6:303c:e011:18eb', '2607:f8b0:400a:800::200e', 60202, 443, 7)).toBe('1:ptJhMvufAbB5nLDNW77cB800wFM=');
    expect(v4(6, '172.26.0.39', '172.217.14.206', 35958, 443, 7)).toBe('1:IwiTNfuO7aCaamMijl+7/X9uLx0=');
  });
});
