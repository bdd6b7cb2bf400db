import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../homeNet.ts';
import { hashText, IocIndex, StringTable, Uint32Table } from './iocIndex.ts';
import type { IocEntry } from './iocValue.ts';
import { normaliseDomain, normaliseUrl, urlLookupKey } from './iocValue.ts';

const ip = (text: string): Uint8Array => parseIpAddress(text)!;

function indexOf(entries: Partial<IocEntry>[]): IocIndex {
  return IocIndex.fromEntries(entries.map((e) => ({ feed: 'test', ...e }) as IocEntry));
}

describe('IocIndex', () => {
  it('IPv4: exact addresses and CIDRs, the most specific wins, boundaries exact', () => {
    const index = indexOf([
      { type: 'ip', value: '198.51.100.23', threat: 'botnet_cc' },
      { type: 'ip', value: '203.0.113.0/24' },
      { type: 'ip', value: '203.0.113.128/25', malware: 'Emotet' },
      { type: 'ip', value: '10.0.0.0/8' },
    ]);
    expect(index.matchIp(ip('198.51.100.23'))).toEqual({
      type: 'ip', value: '198.51.100.23', feed: 'test', threat: 'botnet_cc', cls: { c2: true, malware: true },
    });
    expect(index.matchIp(ip('198.51.100.24'))).toBeUndefined();
    expect(index.matchIp(ip('203.0.113.0'))?.value).toBe('203.0.113.0/24');
    expect(index.matchIp(ip('203.0.113.127'))?.value).toBe('203.0.113.0/24');
    expect(index.matchIp(ip('203.0.113.128'))?.value).toBe('203.0.113.128/25');
    expect(index.matchIp(ip('203.0.113.255'))?.malware).toBe('Emotet');
    expect(index.matchIp(ip('203.0.112.255'))).toBeUndefined();
    expect(index.matchIp(ip('203.0.114.0'))).toBeUndefined();
    expect(index.matchIp(ip('10.255.255.255'))?.value).toBe('10.0.0.0/8');
    expect(index.matchIp(ip('11.0.0.0'))).toBeUndefined();
    expect(index.matchIp(ip('0.0.0.0'))).toBeUndefined();
    expect(index.matchIp(ip('255.255.255.255'))).toBeUndefined();
  });

  it('IPv4 addresses at the ends of the range and the top bit set', () => {
    const index = indexOf([{ type: 'ip', value: '0.0.0.0' }, { type: 'ip', value: '255.255.255.255' }, { type: 'ip', value: '128.0.0.0/9' }]);
    expect(index.matchIp(ip('0.0.0.0'))?.value).toBe('0.0.0.0');
    expect(index.matchIp(ip('255.255.255.255'))?.value).toBe('255.255.255.255');
    expect(index.matchIp(ip('128.127.255.255'))?.value).toBe('128.0.0.0/9');
    expect(index.matchIp(ip('128.128.0.0'))).toBeUndefined();
  });

  it('IPv6: exact and prefixes (byte and nibble boundaries); v4 and v6 never mix', () => {
    const index = indexOf([
      { type: 'ip', value: '2001:db8:bad::1' },
      { type: 'ip', value: '2001:db8:c0::/48' },
      { type: 'ip', value: '2001:db8:f000::/36' },
      { type: 'ip', value: '::ffff:198.51.100.9' },
    ]);
    expect(index.matchIp(ip('2001:0db8:0bad:0000:0000:0000:0000:0001'))?.value).toBe('2001:db8:bad::1');
    expect(index.matchIp(ip('2001:db8:bad::2'))).toBeUndefined();
    expect(index.matchIp(ip('2001:db8:c0:ffff::1'))?.value).toBe('2001:db8:c0::/48');
    expect(index.matchIp(ip('2001:db8:c1::1'))).toBeUndefined();
    expect(index.matchIp(ip('2001:db8:ffff::1'))?.value).toBe('2001:db8:f000::/36');
    expect(index.matchIp(ip('2001:db8:efff::1'))).toBeUndefined();
    expect(index.matchIp(ip('198.51.100.9'))).toBeUndefined();
  });

  it('domains: exact and parent-domain, case and trailing dot ignored, never a bare TLD', () => {
    const index = indexOf([{ type: 'domain', value: 'evil.example' }, { type: 'domain', value: 'Sub.Other.TEST.' }]);
    expect(index.matchDomain('evil.example')?.value).toBe('evil.example');
    expect(index.matchDomain('A.B.EVIL.example.')?.value).toBe('evil.example');
    expect(index.matchDomain('notevil.example')).toBeUndefined();
    expect(index.matchDomain('evil.example.com')).toBeUndefined();
    expect(index.matchDomain('example')).toBeUndefined();
    expect(index.matchDomain('x.sub.other.test')?.value).toBe('sub.other.test');
    expect(index.matchDomain('other.test')).toBeUndefined();
    expect(index.matchDomain('')).toBeUndefined();
  });

  it('URLs: scheme, default port, host case and fragment ignored; a listed URL without query covers any query', () => {
    const index = indexOf([
      { type: 'url', value: 'http://Download.Example/payload.exe' },
      { type: 'url', value: 'http://198.51.100.7:43857/Mozi.m' },
      { type: 'url', value: 'https://x.example/gate.php?id=1' },
    ]);
    expect(index.matchUrl('download.example/payload.exe')?.value).toBe('download.example/payload.exe');
    expect(index.matchUrl('http://DOWNLOAD.example:80/payload.exe#top')?.value).toBe('download.example/payload.exe');
    expect(index.matchUrl('http://download.example/payload.exe?x=1')?.value).toBe('download.example/payload.exe');
    expect(index.matchUrl('http://download.example/PAYLOAD.exe')).toBeUndefined();
    expect(index.matchUrl('198.51.100.7:43857/Mozi.m')?.value).toBe('198.51.100.7:43857/Mozi.m');
    expect(index.matchUrl('198.51.100.7/Mozi.m')).toBeUndefined();
    expect(index.matchUrl('x.example/gate.php?id=1')?.value).toBe('x.example/gate.php?id=1');
    expect(index.matchUrl('x.example/gate.php?id=2')).toBeUndefined();
    expect(index.matchUrl('x.example/gate.php')).toBeUndefined();
  });

  it('fingerprints and hashes: case-insensitive, cert SHA-1 with or without colons, file hashes by length', () => {
    const index = indexOf([
      { type: 'ja3', value: 'E7D705A3286E19EA42F587B344EE6865' },
      { type: 'ja4', value: 't13d1516h2_8daaf6152771_b186095e22b6' },
      { type: 'cert-sha1', value: 'b8a38b430a515534612b5e926e6f36bdae3e474c' },
      { type: 'md5', value: '44d88612fea8a8f36de82e1278abb02f' },
      { type: 'sha1', value: '3395856ce81f2b7382dee72602f798b642f14140' },
      { type: 'sha256', value: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f' },
    ]);
    expect(index.matchJa3('e7d705a3286e19ea42f587b344ee6865')?.type).toBe('ja3');
    expect(index.matchJa3('44d88612fea8a8f36de82e1278abb02f')).toBeUndefined();
    expect(index.matchJa4('T13D1516H2_8DAAF6152771_B186095E22B6')?.type).toBe('ja4');
    expect(index.matchCertSha1('b8:a3:8b:43:0a:51:55:34:61:2b:5e:92:6e:6f:36:bd:ae:3e:47:4c')?.value).toBe('b8a38b430a515534612b5e926e6f36bdae3e474c');
    expect(index.matchFileHash('44D88612FEA8A8F36DE82E1278ABB02F')?.type).toBe('md5');
    expect(index.matchFileHash('3395856ce81f2b7382dee72602f798b642f14140')?.type).toBe('sha1');
    expect(index.matchFileHash('275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f')?.type).toBe('sha256');
    expect(index.matchFileHash('e7d705a3286e19ea42f587b344ee6865')).toBeUndefined();
    expect(index.matchFileHash('abc')).toBeUndefined();
  });

  it('duplicates count once; a C2 description replaces a plain one, never the other way', () => {
    const index = new IocIndex();
    expect(index.add({ type: 'ip', value: '198.51.100.1', feed: 'plain' })).toBe('added');
    expect(index.add({ type: 'ip', value: '198.51.100.1', feed: 'feodo', threat: 'botnet_cc' })).toBe('duplicate');
    expect(index.add({ type: 'ip', value: '198.51.100.1', feed: 'other' })).toBe('duplicate');
    expect(index.add({ type: 'domain', value: 'a.example', feed: 'plain' })).toBe('added');
    expect(index.add({ type: 'domain', value: 'A.EXAMPLE.', feed: 'tf', threat: 'botnet_cc' })).toBe('duplicate');
    expect(index.add({ type: 'ip', value: '2001:db8::1', feed: 'plain' })).toBe('added');
    expect(index.add({ type: 'ip', value: '2001:db8::1', feed: 'plain' })).toBe('duplicate');
    expect(index.add({ type: 'ip', value: 'nope', feed: 'plain' })).toEqual({ reason: '"nope" is not an IP address' });
    expect(index.matchIp(ip('198.51.100.1'))?.feed).toBe('feodo');
    expect(index.matchDomain('a.example')?.feed).toBe('tf');
    expect(index.size).toBe(3);
    expect(index.byType).toEqual({ ip: 2, domain: 1, url: 0, ja3: 0, ja4: 0, 'cert-sha1': 0, md5: 0, sha1: 0, sha256: 0 });
  });
});

describe('Uint32Table', () => {
  it('keeps every key through growth, key 0 included', () => {
    const t = new Uint32Table();
    for (let i = 0; i < 5000; i++) t.setIfAbsent((i * 2654435761) >>> 0, i);
    expect(t.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(t.get((i * 2654435761) >>> 0)).toBe(i);
    expect(t.get(1)).toBe(-1);
    expect(t.setIfAbsent(0, 7)).toBe(0);
    t.replace(0, 9);
    expect(t.get(0)).toBe(9);
  });
});

describe('StringTable and lookup keys', () => {
  it('finds regions of strings, folds case only when asked, survives growth', () => {
    const folded = new StringTable(true);
    const exact = new StringTable(false);
    for (let i = 0; i < 3000; i++) {
      expect(folded.add(`host-${i}.example`, i)).toEqual({ index: i, added: true });
      exact.add(`Path/${i}`, i);
    }
    expect(folded.add('host-7.example', 99)).toEqual({ index: 7, added: false });
    const name = 'www.HOST-42.Example';
    expect(folded.find(name, 4, name.length, hashText(name, 4, name.length, true))).toBe(42);
    expect(exact.find('Path/42', 0, 7, hashText('Path/42', 0, 7, false))).toBe(42);
    expect(exact.find('path/42', 0, 7, hashText('path/42', 0, 7, false))).toBe(-1);
  });

  it('urlLookupKey gives what normaliseUrl gives for valid URLs', () => {
    for (const u of [
      'http://Evil.Example:80/a?b#c',
      'https://user:pw@evil.example:443',
      'evil.example/x y',
      'http://198.51.100.7:43857/Mozi.m',
      'HTTP://EVIL.EXAMPLE./?q=1',
      'evil.example:8080/A/B',
    ]) {
      const n = normaliseUrl(u);
      expect(n.ok).toBe(true);
      expect(urlLookupKey(u)).toBe(n.ok ? n.value : '');
    }
  });

  it('internationalised names are kept in their ASCII (punycode) form', () => {
    expect(normaliseDomain('Bücher.Example')).toEqual({ ok: true, value: 'xn--bcher-kva.example' });
    const index = IocIndex.fromEntries([{ type: 'domain', value: 'bücher.example', feed: 'f' }]);
    expect(index.matchDomain('shop.xn--bcher-kva.example')?.value).toBe('xn--bcher-kva.example');
  });
});
