import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIpAddress } from '../homeNet.ts';
import { loadIocFiles, loadIocTexts } from './iocLoader.ts';
import { formatPlainIocLines } from './lineFormats.ts';
import { FeedReader, IocFeedError, parseIocText } from './iocParse.ts';
import type { IocEntry } from './iocValue.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'otasuke-ioc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadIocFiles', () => {
  it('loads a MISP feed directory: events listed in the manifest, a missing one reported', async () => {
    const { index, stats } = await loadIocFiles([join(FIXTURES, 'misp-feed')]);
    expect(stats.files).toBe(3);
    expect(stats.loaded).toBe(3);
    expect(stats.byType).toEqual({ ip: 2, domain: 1 });
    expect(stats.skipped).toBe(1);
    expect(stats.errors).toHaveLength(1);
    expect(stats.errors[0]!.file).toBe(join(FIXTURES, 'misp-feed', '8e3a0c41-3d5f-4a71-8c1d-2e3f4a5b6c7d.json'));
    expect(stats.errors[0]!.reason).toBe('listed in manifest.json but not readable: ENOENT');
    const m = index.matchIp(parseIpAddress('2001:db8:cafe::15')!);
    expect(m).toMatchObject({ feed: 'misp-feed', threat: 'Cobalt Strike team servers', malware: 'Cobalt Strike', tags: ['tlp:white'] });
    expect(index.matchDomain('www.secure-login.phish.example')?.threat).toBe('Phishing kit hosts');
  });

  it('loads a directory of feeds of every format into one index', async () => {
    const { index, stats } = await loadIocFiles([FIXTURES]);
    // misp-feed is a sub-directory: only files directly inside are read.
    expect(Object.values(stats.formats).sort()).toEqual([
      'feodo', 'feodo-csv', 'misp-event', 'plain', 'sslbl-cert-csv', 'sslbl-ja3-csv', 'stix2', 'threatfox-csv', 'threatfox-json', 'urlhaus-csv',
    ]);
    expect(stats.files).toBe(10);
    expect(stats.byType).toEqual({ ip: 14, domain: 8, url: 8, ja3: 4, ja4: 1, 'cert-sha1': 4, md5: 4, sha1: 1, sha256: 4 });
    expect(stats.loaded).toBe(48);
    expect(stats.duplicates).toBe(4);
    expect(stats.errors.length).toBe(11);
    expect(stats.moreErrors).toBe(0);
    // Feodo's CSV listed the family after the plain list had the address without one: C2 either way.
    expect(index.matchIp(parseIpAddress('203.0.113.45')!)?.cls).toEqual({ c2: true, malware: true });
    expect(index.matchUrl('http://files.example/Downloads/setup.EXE?ref=mail')?.feed).toBe('urlhaus');
  });

  it('stops at maxEntries with one counted error', async () => {
    const file = join(tmp, 'many.txt');
    writeFileSync(file, Array.from({ length: 50 }, (_, i) => `198.51.100.${i}`).join('\n'));
    const { index, stats } = await loadIocFiles([file], { maxEntries: 20 });
    expect(index.size).toBe(20);
    expect(stats.notLoaded).toBe(30);
    expect(stats.errors).toEqual([{ file, line: 0, reason: 'limit of 20 indicators reached: the rest are not loaded (see notLoaded)' }]);
  });

  it('caps the listed errors and counts the rest', async () => {
    const file = join(tmp, 'broken.txt');
    writeFileSync(file, 'not-valid!\n'.repeat(250));
    const { stats } = await loadIocFiles([file]);
    expect(stats.errors).toHaveLength(100);
    expect(stats.moreErrors).toBe(150);
  });

  it('refuses a JSON feed over the size limit without parsing it', async () => {
    const file = join(tmp, 'big.json');
    writeFileSync(file, `{"type":"bundle","objects":[${'{"type":"note","id":"note--1"},'.repeat(5000)}{}]}`);
    const { stats } = await loadIocFiles([file], { maxJsonBytes: 64 * 1024 });
    expect(stats.errors).toEqual([{ file, line: 0, reason: 'JSON feed larger than 65536 bytes: refused (split it, or convert it to a line format)' }]);
  });

  it('a path that does not exist is an IocFeedError naming it', async () => {
    await expect(loadIocFiles([join(tmp, 'missing.txt')])).rejects.toThrow(IocFeedError);
    await expect(loadIocFiles([join(tmp, 'missing.txt')])).rejects.toThrow(/missing\.txt: cannot read the IOC feed \(ENOENT\); check the --ioc path/);
  });
});

describe('loadIocTexts (the bundle)', () => {
  it('loads each bundle feed under its name; a broken line names the feed', () => {
    const threatfox = parseIocText(readFileSync(join(FIXTURES, 'threatfox.csv')), 'threatfox.csv').entries;
    const { index, stats } = loadIocTexts([
      { name: 'ThreatFox', lines: formatPlainIocLines(threatfox) },
      { name: 'local', lines: 'evil.example\nnot valid!\n' },
    ]);
    expect(stats.loaded).toBe(6);
    expect(stats.formats).toEqual({ ThreatFox: 'plain', local: 'plain' });
    expect(stats.errors).toEqual([{ file: 'local', line: 2, reason: '"not valid!" is not an indicator line (one value, or "type value", per line)' }]);
    expect(index.matchIp(parseIpAddress('198.51.100.66')!)).toMatchObject({ feed: 'ThreatFox', malware: 'Cobalt Strike', cls: { c2: true, malware: true } });
    expect(index.matchDomain('www.evil.example')?.feed).toBe('local');
  });
});

describe('FeedReader', () => {
  it('gives the same entries and line numbers whatever the chunk boundaries', () => {
    const text = Buffer.from(`# header\nevil.example\r\n${'x'.repeat(5000)}\n198.51.100.1\nbad!\nhttp://a.example/p?q=1`);
    const whole = parseIocText(text, 'feed.txt');
    for (const size of [1, 2, 7, 100, 4097]) {
      const entries: IocEntry[] = [];
      const errors: [number, string][] = [];
      const reader = new FeedReader('feed.txt', { entry: (e) => entries.push(e), error: (l, r) => errors.push([l, r]), skip: () => {} }, { format: 'plain' });
      for (let i = 0; i < text.length; i += size) reader.push(text.subarray(i, i + size));
      reader.end();
      expect(entries).toEqual(whole.entries);
      expect(errors).toEqual(whole.errors.map((e) => [e.line, e.reason]));
    }
    expect(whole.errors.map((e) => e.line)).toEqual([3, 5]);
  });
});
