import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureFolder, parseOrigin } from './captureFolder.ts';

describe('CaptureFolder', () => {
  let dir: string;
  let watch: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-folder-'));
    watch = join(dir, 'in');
    mkdirSync(watch);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, ageMs: number): void => {
    writeFileSync(join(watch, name), 'x');
    const t = (Date.now() - ageMs) / 1000;
    utimesSync(join(watch, name), t, t);
  };

  it('offers complete files in name order, leaves temporary ones, and remembers what is done', () => {
    file('b.pcap', 10_000);
    file('a.pcap', 10_000);
    file('c.pcap', 100); // still being written
    file('.d.pcap.tmp', 10_000);
    file('e.pcap.part', 10_000);
    const journalFile = join(dir, 'journal.json');
    const folder = new CaptureFolder({ dir: watch, journalFile, settleMs: 2000, scanMs: 10 });
    expect(folder.ready()).toEqual(['a.pcap', 'b.pcap']);
    folder.markDone('a.pcap', false);
    const again = new CaptureFolder({ dir: watch, journalFile, settleMs: 2000, scanMs: 10 });
    expect(again.ready()).toEqual(['b.pcap']);
    again.markDone('b.pcap', true);
    expect(again.ready()).toEqual([]);
    rmSync(join(watch, 'a.pcap'));
    again.markDone('z.pcap', false);
    expect(readFileSync(journalFile, 'utf8')).toBe('{"done":["z.pcap"]}\n');
  });
});

describe('parseOrigin', () => {
  it('splits at the last #', () => {
    expect(parseOrigin('cap#1.pcap#17')).toEqual({ file: 'cap#1.pcap', index: 17 });
    expect([parseOrigin(''), parseOrigin('a.pcap'), parseOrigin('a.pcap#0'), parseOrigin('#3'), parseOrigin('a#x')]).toEqual([null, null, null, null, null]);
  });
});
