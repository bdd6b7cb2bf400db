import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, spoolDiskBytes } from './spool.ts';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, scanFrames } from './spoolFrame.ts';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const event = (name: string, severity = 2, origin = '') => ({ severity, origin, encode: (seq: number) => Buffer.from(`{"seq":${seq},"n":"${name}"}`) });

describe('spool frames', () => {
  it('round-trips a record and tells torn from damaged', () => {
    const frame = encodeFrame({ seq: 2 ** 40 + 3, severity: 1, origin: 'a.pcap#4', payload: Buffer.from('hello') });
    const decoded = decodeFrame(frame, 0);
    expect(decoded.kind).toBe('record');
    if (decoded.kind !== 'record') return;
    expect(decoded.size).toBe(frame.length);
    expect({ ...decoded.record, payload: text(decoded.record.payload) }).toEqual({ seq: 2 ** 40 + 3, severity: 1, origin: 'a.pcap#4', payload: 'hello' });
    expect(decodeFrame(frame.subarray(0, frame.length - 1), 0)).toEqual({ kind: 'incomplete' });
    expect(decodeFrame(frame.subarray(0, 5), 0)).toEqual({ kind: 'incomplete' });
    for (let bit = 0; bit < frame.length * 8; bit += 7) {
      const flipped = Uint8Array.from(frame);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeFrame(flipped, 0).kind, `bit ${bit}`).not.toBe('record');
    }
  });

  it('skips a damaged record and finds the next one; a cut-off end is a torn tail', () => {
    const frames = [1, 2, 3].map((seq) => encodeFrame({ seq, severity: 2, origin: '', payload: Buffer.from(`event ${seq}`) }));
    const all = Buffer.concat(frames);
    all[frames[0]!.length + FRAME_HEADER_BYTES + 9]! ^= 0x10; // inside record 2
    const scan = scanFrames(all);
    expect(scan.records.map((r) => r.seq)).toEqual([1, 3]);
    expect(scan.damaged).toBe(1);
    expect(scan.tornTail).toBe(false);
    const torn = scanFrames(Buffer.concat([frames[0]!, frames[1]!.subarray(0, 9)]));
    expect(torn.records.map((r) => r.seq)).toEqual([1]);
    expect(torn).toMatchObject({ tornTail: true, validEnd: frames[0]!.length, damaged: 0 });
  });
});

describe('Spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out seqs in order, shows only fsynced records, and deletes segments once acknowledged', () => {
    const spool = Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 100, fsyncIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) expect(spool.append(event(`e${i}`))).toBe(i + 1);
    expect(spool.peek(100)).toEqual([]);
    for (let i = 3; i < 10; i++) expect(spool.append(event(`e${i}`))).toBe(i + 1);
    spool.sync();
    const batch = spool.peek(4);
    expect(batch.map((r) => text(r.payload))).toEqual([1, 2, 3, 4].map((s) => `{"seq":${s},"n":"e${s - 1}"}`));
    expect(spool.stats().segments).toBeGreaterThan(2);
    spool.ack(4);
    expect(spool.peek(100).map((r) => r.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    spool.ack(10);
    expect(spool.stats()).toMatchObject({ backlogEvents: 0, backlogBytes: 0, ackedSeq: 10, nextSeq: 11 });
    expect(readdirSync(dir).filter((n) => n.startsWith('seg-')).length).toBeLessThanOrEqual(1);
    spool.close();
  });

  it('never reuses a seq after a restart, even when every segment was deleted', () => {
    const first = Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
    for (let i = 0; i < 5; i++) first.append(event(`e${i}`));
    first.sync();
    first.ack(5);
    first.close();
    expect(readdirSync(dir).filter((n) => n.startsWith('seg-'))).toEqual([]);
    const second = Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
    expect(second.append(event('again'))).toBe(6);
    second.close();
  });

  it('resumes after a restart from the ack point with the origin of the last record', () => {
    const first = Spool.open({ dir, maxBytes: 1 << 20 });
    for (let i = 1; i <= 6; i++) first.append(event(`e${i}`, 2, `cap-1.pcap#${i}`));
    first.sync();
    first.ack(2);
    // No close: as after a kill.
    const second = Spool.open({ dir, maxBytes: 1 << 20 });
    expect(second.peek(100).map((r) => r.seq)).toEqual([3, 4, 5, 6]);
    expect(second.resumeOrigin).toBe('cap-1.pcap#6');
    expect(second.append(event('e7'))).toBe(7);
    second.close();
  });

  it('truncates a torn last record at open, counts it, and appends after it', () => {
    const first = Spool.open({ dir, maxBytes: 1 << 20 });
    for (let i = 1; i <= 3; i++) first.append(event(`e${i}`, 2, `f#${i}`));
    first.close();
    const [segment] = readdirSync(dir).filter((n) => n.startsWith('seg-'));
    const path = join(dir, segment!);
    truncateSync(path, statSync(path).size - 5); // the crash cut record 3 short
    const second = Spool.open({ dir, maxBytes: 1 << 20 });
    expect(second.stats()).toMatchObject({ tornRecords: 1, backlogEvents: 2, nextSeq: 4 });
    expect(second.resumeOrigin).toBe('f#2');
    expect(second.append(event('e4'))).toBe(4);
    second.sync();
    expect(second.peek(10).map((r) => r.seq)).toEqual([1, 2, 4]);
    second.close();
    expect(Spool.open({ dir, maxBytes: 1 << 20 }).stats()).toMatchObject({ tornRecords: 1, damagedRecords: 0, backlogEvents: 3 });
  });

  it('skips a record with a flipped bit (at open and when read later) and counts it', () => {
    const first = Spool.open({ dir, maxBytes: 1 << 20 });
    for (let i = 1; i <= 4; i++) first.append(event(`event number ${i}`));
    first.close();
    const [segment] = readdirSync(dir).filter((n) => n.startsWith('seg-'));
    const path = join(dir, segment!);
    const bytes = readFileSync(path);
    const recordSize = bytes.length / 4;
    bytes[recordSize + 30]! ^= 0x04; // record 2's payload
    writeFileSync(path, bytes);
    const second = Spool.open({ dir, maxBytes: 1 << 20 });
    expect(second.stats()).toMatchObject({ damagedRecords: 1, backlogEvents: 3 });
    expect(second.peek(10).map((r) => r.seq)).toEqual([1, 3, 4]);
    // Damage after open: the record is handed out empty, counted, and the others still come.
    const now = readFileSync(path);
    now[3 * recordSize + 30]! ^= 0x04;
    writeFileSync(path, now);
    const read = second.peek(10);
    expect(read.map((r) => [r.seq, r.payload.length > 0])).toEqual([
      [1, true],
      [3, true],
      [4, false],
    ]);
    expect(second.stats().damagedRecords).toBe(2);
    second.close();
  });

  it('keeps under its cap by dropping severity 3, then 2, oldest first, and counts every drop', () => {
    const payload = 'x'.repeat(80); // 103 bytes a frame, 3 a segment
    const spool = Spool.open({ dir, maxBytes: 1000, segmentBytes: 300 });
    const add = (severity: number) => spool.append({ severity, origin: '', encode: () => Buffer.from(payload) });
    for (let i = 0; i < 3; i++) add(3);
    for (let i = 0; i < 3; i++) add(1);
    for (let i = 0; i < 3; i++) add(2);
    expect(spool.stats().dropped).toEqual({});
    // Full: a severity-1 event pushes out the oldest severity-3 events.
    expect(add(1)).toBe(10);
    expect(spoolDiskBytes(dir)).toBeLessThanOrEqual(1000);
    expect(spool.stats().dropped).toEqual({ spool_full_severity_3: 3 });
    add(1);
    add(1);
    add(1);
    expect(spoolDiskBytes(dir)).toBeLessThanOrEqual(1000);
    expect(spool.stats().dropped).toEqual({ spool_full_severity_3: 3, spool_full_severity_2: 3 });
    add(1);
    add(1);
    // Only severity 1 left: a severity-3 event is the one dropped.
    expect(add(3)).toBeNull();
    expect(spool.stats().dropped).toEqual({ spool_full_severity_3: 4, spool_full_severity_2: 3 });
    expect(spoolDiskBytes(dir)).toBeLessThanOrEqual(1000);
    spool.sync();
    const severities = spool.peek(100).map((r) => r.severity);
    expect(severities).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(spool.stats().droppedTotal).toBe(7);
    spool.close();
    expect(Spool.open({ dir, maxBytes: 1000 }).stats().droppedTotal).toBe(7);
  });

  it('frees acknowledged bytes before dropping anything', () => {
    const spool = Spool.open({ dir, maxBytes: 1000, segmentBytes: 10_000 });
    const add = () => spool.append({ severity: 3, origin: '', encode: () => Buffer.from('y'.repeat(70)) });
    for (let i = 0; i < 9; i++) add();
    spool.sync();
    spool.ack(5);
    for (let i = 0; i < 4; i++) expect(add()).not.toBeNull();
    expect(spool.stats()).toMatchObject({ droppedTotal: 0, backlogEvents: 8 });
    spool.close();
  });

  it('opens after a cut at any byte of the last segment, keeping every whole record before it', () => {
    const first = Spool.open({ dir, maxBytes: 1 << 20 });
    for (let i = 1; i <= 3; i++) first.append(event(`e${i}`, 2, `f#${i}`));
    first.close();
    const [segment] = readdirSync(dir).filter((n) => n.startsWith('seg-'));
    const whole = readFileSync(join(dir, segment!));
    const boundaries = scanFrames(whole).records.map((r) => r.offset + r.size);
    const state = readFileSync(join(dir, 'state.json'));
    // Every third byte and both sides of every record boundary (each open fsyncs: kept short).
    const cuts = new Set([...Array.from({ length: Math.ceil(whole.length / 3) }, (_, i) => i * 3), ...boundaries.flatMap((b) => [b - 1, b, b + 1])]);
    for (const cut of [...cuts].filter((c) => c >= 0 && c < whole.length)) {
      writeFileSync(join(dir, segment!), whole.subarray(0, cut));
      writeFileSync(join(dir, 'state.json'), state);
      const spool = Spool.open({ dir, maxBytes: 1 << 20 });
      const complete = boundaries.filter((b) => b <= cut).length;
      const atBoundary = cut === 0 || boundaries.includes(cut);
      expect([spool.stats().backlogEvents, spool.stats().tornRecords], `cut at ${cut}`).toEqual([complete, atBoundary ? 0 : 1]);
      spool.close();
    }
  });

  it('loses exactly the one record a flipped bit lands in, wherever it lands', () => {
    const first = Spool.open({ dir, maxBytes: 1 << 20 });
    for (let i = 1; i <= 3; i++) first.append(event(`e${i}`));
    first.close();
    const [segment] = readdirSync(dir).filter((n) => n.startsWith('seg-'));
    const whole = readFileSync(join(dir, segment!));
    const state = readFileSync(join(dir, 'state.json'));
    for (let bit = 0; bit < whole.length * 8; bit += 11) {
      const flipped = Buffer.from(whole);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      writeFileSync(join(dir, segment!), flipped);
      writeFileSync(join(dir, 'state.json'), state);
      const spool = Spool.open({ dir, maxBytes: 1 << 20 });
      const s = spool.stats();
      expect([s.backlogEvents, s.tornRecords + s.damagedRecords], `bit ${bit}`).toEqual([2, 1]);
      spool.close();
    }
  });

  it('ignores trailing garbage that holds no record in the last segment', () => {
    const spool = Spool.open({ dir, maxBytes: 1 << 20 });
    spool.append(event('a'));
    spool.close();
    const [segment] = readdirSync(dir).filter((n) => n.startsWith('seg-'));
    appendFileSync(join(dir, segment!), Buffer.from('OSP1garbage'));
    const again = Spool.open({ dir, maxBytes: 1 << 20 });
    expect(again.stats()).toMatchObject({ tornRecords: 1, backlogEvents: 1, nextSeq: 2 });
    again.close();
  });
});
