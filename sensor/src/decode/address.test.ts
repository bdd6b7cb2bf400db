import { describe, it, expect } from 'vitest';
import { formatIPv4, formatIPv6, formatMac } from './address.ts';
import { parseIPv6 } from '../testing/pcapWriter.ts';

const v6 = (text: string): string => formatIPv6(parseIPv6(text), 0);

describe('address text forms', () => {
  it('formats IPv4 dotted quads at an offset', () => {
    expect(formatIPv4(Uint8Array.from([9, 192, 0, 2, 255]), 1)).toBe('192.0.2.255');
  });

  it('formats IPv6 per RFC 5952', () => {
    expect(v6('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(v6('0:0:0:0:0:0:0:0')).toBe('::');
    expect(v6('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(v6('fe80:0:0:0:0:0:0:0')).toBe('fe80::');
    // A single zero group is not compressed.
    expect(v6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    // The longest run wins; on a tie, the first.
    expect(v6('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(v6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    // Lowercase, no leading zeros.
    expect(v6('2001:DB8:00AB:0CD0:0:0:0:0')).toBe('2001:db8:ab:cd0::');
    // IPv4-mapped keeps the dotted quad.
    expect(v6('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
  });

  it('formats MAC addresses in lowercase with colons', () => {
    expect(formatMac(Uint8Array.from([0, 0x1a, 0x2b, 0xc, 0xd, 0xef]), 0)).toBe('00:1a:2b:0c:0d:ef');
  });
});
