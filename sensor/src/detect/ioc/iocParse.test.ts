import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IOC_MAX_LINE_BYTES } from './feedLines.ts';
import { parseIocText } from './iocParse.ts';
import { detectIocFormat, formatPlainIocLines } from './lineFormats.ts';
import { readStixPattern } from './stixFeed.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const NOW = Date.parse('2026-11-26T00:00:00Z');

describe('feed formats', () => {
  it('plain list: type per line, type prefixes, attributes, hosts lines, inline comments; one error per broken line', () => {
    const r = parseIocText(fixture('plain.txt'), 'plain.txt');
    expect(r.format).toBe('plain');
    expect(r.entries).toEqual([
      { type: 'ip', value: '198.51.100.23', feed: 'plain' },
      { type: 'ip', value: '203.0.113.0/24', feed: 'plain' },
      { type: 'ip', value: '2001:db8:bad::1', feed: 'plain' },
      { type: 'ip', value: '2001:db8:c0::/48', feed: 'plain' },
      { type: 'domain', value: 'evil.example', feed: 'plain' },
      { type: 'domain', value: 'phish.test', feed: 'plain' },
      { type: 'url', value: 'download.example/payload.exe', feed: 'plain' },
      { type: 'url', value: 'malware.example/gate.php?id=1', feed: 'plain' },
      { type: 'md5', value: '44d88612fea8a8f36de82e1278abb02f', feed: 'plain' },
      { type: 'sha1', value: '3395856ce81f2b7382dee72602f798b642f14140', feed: 'plain' },
      { type: 'sha256', value: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f', feed: 'plain' },
      { type: 'ja3', value: 'e7d705a3286e19ea42f587b344ee6865', feed: 'plain' },
      { type: 'ja4', value: 't13d1516h2_8daaf6152771_b186095e22b6', feed: 'plain' },
      { type: 'cert-sha1', value: 'b8a38b430a515534612b5e926e6f36bdae3e474c', feed: 'plain', threat: 'botnet_cc', malware: 'Cobalt Strike' },
      { type: 'domain', value: 'c2.example', feed: 'plain', threat: 'botnet_cc', tags: ['c2', 'emotet'], confidence: 90 },
      { type: 'domain', value: 'ads.tracker.test', feed: 'plain' },
      { type: 'ip', value: '192.0.2.77', feed: 'plain' },
    ]);
    expect(r.errors).toEqual([
      { file: 'plain.txt', line: 20, reason: '"not a valid indicator line" is not an indicator line (one value, or "type value", per line)' },
      { file: 'plain.txt', line: 21, reason: '"999.1.1.1" is not an IP address' },
      { file: 'plain.txt', line: 22, reason: 'CIDR /4 is too wide for an indicator (at least /8)' },
    ]);
  });

  it('URLhaus CSV: quoted fields, header in a comment, tags; scheme dropped, host lowercased, path kept', () => {
    const r = parseIocText(fixture('urlhaus.csv'), 'feeds/urlhaus.csv');
    expect(r.format).toBe('urlhaus-csv');
    expect(r.entries).toEqual([
      { type: 'url', value: '198.51.100.7:43857/Mozi.m', feed: 'urlhaus', threat: 'malware_download', tags: ['32-bit', 'elf', 'mips', 'Mozi'] },
      { type: 'url', value: 'cdn.badfiles.example/invoice_2611.zip', feed: 'urlhaus', threat: 'malware_download', tags: ['zip', 'Emotet'] },
      { type: 'url', value: 'files.example/Downloads/setup.EXE?ref=mail', feed: 'urlhaus', threat: 'malware_download' },
    ]);
    expect(r.errors).toEqual([
      { file: 'feeds/urlhaus.csv', line: 13, reason: '"not a url at all" has no valid host' },
      { file: 'feeds/urlhaus.csv', line: 14, reason: 'unterminated quoted field' },
    ]);
  });

  it('Feodo Tracker blocklist, plain and CSV: botnet C2 addresses, family from the CSV', () => {
    const plain = parseIocText(fixture('feodo-ipblocklist.txt'), 'feodo-ipblocklist.txt');
    expect(plain.format).toBe('feodo');
    expect(plain.entries).toEqual([
      { type: 'ip', value: '203.0.113.45', feed: 'feodo-ipblocklist', threat: 'botnet_cc' },
      { type: 'ip', value: '198.51.100.200', feed: 'feodo-ipblocklist', threat: 'botnet_cc' },
    ]);
    expect(plain.errors).toEqual([{ file: 'feodo-ipblocklist.txt', line: 12, reason: '"192.0.2.300" is not an IP address' }]);
    const csv = parseIocText(fixture('feodo-ipblocklist.csv'), 'feodo-ipblocklist.csv');
    expect(csv.format).toBe('feodo-csv');
    expect(csv.entries).toEqual([
      { type: 'ip', value: '203.0.113.45', feed: 'feodo-ipblocklist', threat: 'botnet_cc', malware: 'Dridex' },
      { type: 'ip', value: '198.51.100.200', feed: 'feodo-ipblocklist', threat: 'botnet_cc', malware: 'QakBot' },
    ]);
    expect(csv.errors).toEqual([{ file: 'feodo-ipblocklist.csv', line: 12, reason: '"not-an-ip" is not an IP address' }]);
  });

  it('ThreatFox CSV: columns by header, ip:port without the port (IPv6 in brackets), unknown types skipped', () => {
    const r = parseIocText(fixture('threatfox.csv'), 'threatfox.csv');
    expect(r.format).toBe('threatfox-csv');
    expect(r.entries).toEqual([
      { type: 'ip', value: '198.51.100.66', feed: 'threatfox', threat: 'botnet_cc', malware: 'Cobalt Strike', tags: ['c2', 'CobaltStrike'], confidence: 100 },
      { type: 'domain', value: 'login-verify.example', feed: 'threatfox', threat: 'payload_delivery', malware: 'ClearFake', tags: ['ClearFake'], confidence: 75 },
      { type: 'url', value: 'stage.example/api/v2/load', feed: 'threatfox', threat: 'payload_delivery', malware: 'Lumma Stealer', tags: ['LummaStealer'], confidence: 90 },
      { type: 'sha256', value: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', feed: 'threatfox', threat: 'payload', malware: 'Remcos', tags: ['RAT'], confidence: 100 },
      { type: 'ip', value: '2001:db8:66::9', feed: 'threatfox', threat: 'botnet_cc', malware: 'AsyncRAT', confidence: 100 },
    ]);
    expect(r.errors).toEqual([{ file: 'threatfox.csv', line: 16, reason: '"not_a_domain!" is not a valid domain name' }]);
    expect(r.skipped).toEqual({ 'ThreatFox ioc_type sha3_384_hash is not matched by the sensor': 1 });
  });

  it('ThreatFox JSON export', () => {
    const r = parseIocText(fixture('threatfox.json'), 'threatfox.json');
    expect(r.format).toBe('threatfox-json');
    expect(r.entries).toEqual([
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e', feed: 'threatfox', threat: 'payload', malware: 'Remcos', confidence: 100 },
      { type: 'domain', value: 'login-verify.example', feed: 'threatfox', threat: 'payload_delivery', malware: 'ClearFake', tags: ['ClearFake'], confidence: 75 },
      { type: 'ip', value: '198.51.100.66', feed: 'threatfox', threat: 'botnet_cc', malware: 'Cobalt Strike', tags: ['c2', 'CobaltStrike'], confidence: 100 },
    ]);
    expect(r.errors).toEqual([]);
  });

  it('ThreatFox API answer ({query_status, data})', () => {
    const doc = { query_status: 'ok', data: [{ id: '1', ioc: 'api.example', ioc_type: 'domain', threat_type: 'botnet_cc', malware_printable: 'Vidar', confidence_level: 50, tags: ['c2'] }] };
    const r = parseIocText(JSON.stringify(doc), 'api.json');
    expect(r.entries).toEqual([{ type: 'domain', value: 'api.example', feed: 'api', threat: 'botnet_cc', malware: 'Vidar', tags: ['c2'], confidence: 50 }]);
  });

  it('SSLBL JA3 CSV: 32 hex digits are JA3 here, not file MD5s', () => {
    const r = parseIocText(fixture('sslbl-ja3.csv'), 'sslbl-ja3.csv');
    expect(r.format).toBe('sslbl-ja3-csv');
    expect(r.entries).toEqual([
      { type: 'ja3', value: 'b386946a5a44d1ddcc843bc75336dfce', feed: 'sslbl-ja3', malware: 'Dridex' },
      { type: 'ja3', value: '1aa7bf8b97e540ca5edd75f7b8384bfa', feed: 'sslbl-ja3', malware: 'TrickBot' },
    ]);
    expect(r.errors).toEqual([{ file: 'sslbl-ja3.csv', line: 12, reason: '"not-a-ja3" is not a JA3 hash (32 hex digits)' }]);
  });

  it('SSLBL certificate CSV', () => {
    const r = parseIocText(fixture('sslbl-cert.csv'), 'sslbl-cert.csv');
    expect(r.format).toBe('sslbl-cert-csv');
    expect(r.entries).toEqual([
      { type: 'cert-sha1', value: '2a9c5f3b1e4d6a7b8c9d0e1f2a3b4c5d6e7f8a9b', feed: 'sslbl-cert', threat: 'AsyncRAT C&C' },
      { type: 'cert-sha1', value: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9', feed: 'sslbl-cert', threat: 'QuasarRAT C&C' },
    ]);
  });

  it('STIX 2.1 bundle: OR-ed comparisons and observations, family through "indicates", skips with reasons', () => {
    const r = parseIocText(fixture('stix-bundle.json'), 'stix-bundle.json', undefined, { now: NOW });
    expect(r.format).toBe('stix2');
    const emotet = { feed: 'stix-bundle', threat: 'malicious-activity', malware: 'Emotet' };
    expect(r.entries).toEqual([
      { type: 'ip', value: '198.51.100.1', ...emotet, confidence: 85 },
      { type: 'domain', value: 'emotet-c2.example', ...emotet },
      { type: 'url', value: 'emotet-drop.example/wp-content/x.php', ...emotet },
      { type: 'ip', value: '2001:db8:e::/64', ...emotet },
      { type: 'sha256', value: '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877', feed: 'stix-bundle', threat: 'malicious-activity' },
      { type: 'md5', value: '3773a88f65a5e780c8dff9cdc3a056f3', feed: 'stix-bundle', threat: 'malicious-activity' },
    ]);
    expect(r.errors).toEqual([
      {
        file: 'stix-bundle.json',
        line: 0,
        reason: 'indicator--a8a9ad3c-6e5a-4ab4-9ac4-1aa2b5e6b7c8: pattern not matched by the sensor: comparisons joined by AND need more than one value to match',
      },
    ]);
    expect(r.skipped).toEqual({
      'object path email-addr:value is not matched by the sensor': 1,
      'STIX pattern_type snort is not matched by the sensor': 1,
      'STIX indicator past valid_until': 1,
    });
  });

  it('STIX patterns: escapes, ISSUBSET, START/STOP, and what is refused', () => {
    expect(readStixPattern("[url:value = 'http://x.example/it\\'s']")).toEqual([{ path: 'url:value', op: '=', value: "http://x.example/it's" }]);
    expect(readStixPattern("[ipv4-addr:value ISSUBSET '198.51.100.0/24'] START t'2026-01-01T00:00:00Z' STOP t'2027-01-01T00:00:00Z'")).toEqual([
      { path: 'ipv4-addr:value', op: 'ISSUBSET', value: '198.51.100.0/24' },
    ]);
    expect(readStixPattern("([domain-name:value = 'a.example'] OR ([domain-name:value = 'b.example']))")).toHaveLength(2);
    expect(readStixPattern("[domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = 'b.example']")).toEqual({
      reason: 'observations joined by FOLLOWEDBY need more than one indicator to match',
    });
    expect(readStixPattern("[domain-name:value = 'a.example'] REPEATS 5 TIMES")).toEqual({ reason: 'qualifier REPEATS counts observations over time' });
    expect(readStixPattern("[domain-name:value NOT = 'a.example']")).toEqual({ reason: 'negated comparison' });
    expect(readStixPattern("[domain-name:value = 'a.example'")).toEqual({ reason: 'missing "]"' });
    expect(readStixPattern("[domain-name:value = 'unterminated]")).toEqual({ reason: 'unterminated string literal' });
    expect(readStixPattern(`${'('.repeat(100000)}[domain-name:value = 'a.example']`)).toEqual({ reason: 'pattern longer than 65536 characters' });
    expect(readStixPattern(`${'('.repeat(40)}[domain-name:value = 'a.example']${')'.repeat(40)}`)).toEqual({ reason: 'nested deeper than 32 levels' });
    expect(readStixPattern(`[${'('.repeat(40)}domain-name:value = 'a.example'${')'.repeat(40)}]`)).toEqual({ reason: 'nested deeper than 32 levels' });
  });

  it('MISP event: to_ids attributes only, composite types, object attributes, galaxy family', () => {
    const r = parseIocText(fixture('misp-event.json'), 'misp-event.json');
    expect(r.format).toBe('misp-event');
    const qak = { feed: 'misp-event', threat: 'QakBot C2 infrastructure observed in phishing campaign', malware: 'QakBot', tags: ['tlp:white'] };
    expect(r.entries).toEqual([
      { type: 'ip', value: '203.0.113.77', ...qak },
      { type: 'ip', value: '198.51.100.88', ...qak },
      { type: 'domain', value: 'qak-c2.example', ...qak },
      { type: 'ip', value: '192.0.2.88', ...qak },
      { type: 'domain', value: 'cdn.qak.example', ...qak },
      { type: 'url', value: 'qak.example/docs/scan_1118.zip', ...qak },
      { type: 'sha256', value: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', ...qak },
      { type: 'ja3', value: '51c64c77e60f3980eea90869b68c58a8', ...qak },
      { type: 'cert-sha1', value: '6d5a1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b', ...qak },
      { type: 'md5', value: 'e99a18c428cb38d5f260853678922e03', ...qak },
    ]);
    expect(r.errors).toEqual([
      {
        file: 'misp-event.json',
        line: 0,
        reason: 'event 5f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b: attribute a0000000-0000-4000-8000-000000000011: "203.0.113.999" is not an IP address',
      },
    ]);
    expect(r.skipped).toEqual({ 'MISP attribute without to_ids': 2, 'MISP attribute type email-src is not matched by the sensor': 1 });
  });

  it('a MISP manifest alone says to load the feed directory', () => {
    const r = parseIocText(fixture('misp-feed/manifest.json'), 'manifest.json');
    expect(r.format).toBe('misp-manifest');
    expect(r.entries).toEqual([]);
    expect(r.errors[0]!.reason).toBe('this is a MISP feed manifest: load the feed directory (manifest.json beside the <uuid>.json event files)');
  });
});

describe('bad input', () => {
  it('a line over the limit is one error and the next line still loads; CRLF and a BOM are fine', () => {
    const text = `\uFEFFevil.example\r\n${'a'.repeat(IOC_MAX_LINE_BYTES + 10)}.example\r\nbad.example\r\n`;
    const r = parseIocText(text, 'long.txt');
    expect(r.entries.map((e) => e.value)).toEqual(['evil.example', 'bad.example']);
    expect(r.errors).toEqual([{ file: 'long.txt', line: 2, reason: `line longer than ${IOC_MAX_LINE_BYTES} bytes` }]);
  });

  it('JSON that is broken, unknown, or too large is one clear error', () => {
    expect(parseIocText('{"type": "bundle", ', 'x.json').errors[0]!.reason).toMatch(/^not valid JSON: /);
    expect(parseIocText('{"hello": 1}', 'x.json').errors).toEqual([
      { file: 'x.json', line: 0, reason: 'JSON that is neither a STIX 2.1 bundle, a MISP event or feed, nor a ThreatFox export' },
    ]);
    const big = `{"type":"bundle","objects":[${'{"type":"x","id":"y"},'.repeat(200)}{}]}`;
    expect(parseIocText(big, 'big.json', undefined, { maxJsonBytes: 1024 }).errors).toEqual([
      { file: 'big.json', line: 0, reason: 'JSON feed larger than 1024 bytes: refused (split it, or convert it to a line format)' },
    ]);
  });

  it('single-label names, binary junk and empty input load nothing and do not throw', () => {
    expect(parseIocText('localhost\ncom\n', 'x.txt').errors.map((e) => e.line)).toEqual([1, 2]);
    expect(parseIocText(Uint8Array.from([0, 1, 2, 255, 10, 254, 10]), 'bin').entries).toEqual([]);
    expect(parseIocText('', 'empty.txt')).toEqual({ format: 'plain', entries: [], errors: [], skipped: {} });
  });

  it('addresses are written canonically: leading zeros, host bits, IPv6 compression, ports', () => {
    const r = parseIocText('010.001.2.3\n198.51.100.77/24\n2001:0DB8:0000::0001\n[2001:db8::2]:443\n198.51.100.9:8080\n', 'ips.txt');
    expect(r.entries.map((e) => e.value)).toEqual(['10.1.2.3', '198.51.100.0/24', '2001:db8::1', '2001:db8::2', '198.51.100.9']);
  });

  it('format detection looks at headers, not file names', () => {
    const bytes = (s: string): Uint8Array => Buffer.from(s);
    expect(detectIocFormat(bytes('# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n'))).toBe('urlhaus-csv');
    expect(detectIocFormat(bytes('first_seen_utc,dst_ip,dst_port,c2_status,last_online,malware\n'))).toBe('feodo-csv');
    expect(detectIocFormat(bytes('  {"type":"bundle"}'))).toBe('json');
    expect(detectIocFormat(bytes('evil.example\n'))).toBe('plain');
  });
});

describe('the bundle format', () => {
  it('formatPlainIocLines writes what parseIocText reads back', () => {
    const entries = parseIocText(fixture('threatfox.csv'), 'threatfox.csv').entries;
    const text = formatPlainIocLines(entries);
    expect(text.split('\n')[0]).toBe('ip 198.51.100.66 threat=botnet_cc malware=Cobalt%20Strike tags=c2,CobaltStrike confidence=100');
    const back = parseIocText(text, 'threatfox');
    expect(back.errors).toEqual([]);
    expect(back.entries).toEqual(entries);
  });
});
