import { describe, expect, it } from 'vitest';
import { tlsVersionName } from './tlsHello.ts';

describe('tlsVersionName', () => {
  it('names releases and TLS 1.3 drafts as Suricata does', () => {
    expect(tlsVersionName(0x0303)).toBe('TLS 1.2');
    expect(tlsVersionName(0x0304)).toBe('TLS 1.3');
    expect(tlsVersionName(0x7f1c)).toBe('TLS 1.3 draft-28');
    expect(tlsVersionName(0x7f00)).toBe('UNDETERMINED');
    expect(tlsVersionName(0x1234)).toBe('UNDETERMINED');
  });
});
