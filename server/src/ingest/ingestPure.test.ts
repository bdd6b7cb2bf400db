import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { monthPartitionOf, monthPartitionsAround } from './alertPartitions.ts';
import { decodeBatchBody, parseBatchText } from './ingestBatch.ts';
import { decodeQueuedBatch, encodeQueuedBatch } from './queuedBatch.ts';
import { SensorRateLimiter } from './sensorRateLimiter.ts';
import { ndjsonOf, syntheticAlertEvent } from './syntheticAlerts.ts';

describe('ingest batch reading', () => {
  it('numbers lines as the sender wrote them, blank lines included, and keeps the good ones', () => {
    const read = parseBatchText(`${JSON.stringify(syntheticAlertEvent(1))}\n\n[]\n${JSON.stringify(syntheticAlertEvent(2))}\r\n`);
    expect(read.events.map((e) => [e.line, e.event.seq])).toEqual([[1, 1], [4, 2]]);
    expect(read.rejected).toEqual([{ line: 3, reason: expect.stringContaining('(event)') }]);
  });

  it('refuses a batch over the event limit as a whole', () => {
    expect(() => parseBatchText(ndjsonOf([1, 2, 3].map((s) => syntheticAlertEvent(s))), { maxEvents: 2, maxEventBytes: 65536 })).toThrow(/at most 2/);
  });

  it('gunzips when the bytes are gzip even without the header, and refuses other encodings', async () => {
    expect(await decodeBatchBody(gzipSync('{"a":1}\n'), undefined)).toBe('{"a":1}\n');
    expect(await decodeBatchBody(Buffer.from('{"a":1}\n'), 'identity')).toBe('{"a":1}\n');
    await expect(decodeBatchBody(Buffer.from('x'), 'deflate')).rejects.toMatchObject({ statusCode: 415 });
  });
});

describe('per-sensor token bucket', () => {
  it('allows the burst, then one batch per interval, and says how long to wait', () => {
    let now = 0;
    const limiter = new SensorRateLimiter({ batchesPerSecond: 2, burst: 3 }, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
    now += 500;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    now += 10_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0, 1]);
  });
});

describe('alert partitions', () => {
  it('names UTC months and keeps last month to two months ahead', () => {
    expect(monthPartitionOf(new Date('2026-12-31T23:59:59Z'))).toEqual({ name: 'alerts_y2026m12', from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') });
    expect(monthPartitionsAround(new Date('2026-01-15T00:00:00Z')).map((p) => p.name)).toEqual(['alerts_y2025m12', 'alerts_y2026m01', 'alerts_y2026m02', 'alerts_y2026m03']);
  });
});

describe('queued batch messages', () => {
  const batch = { sensorId: '6f1d0c1e-0000-4000-8000-000000000001', organizationId: '6f1d0c1e-0000-4000-8000-000000000002', rejected: 2, events: Array.from({ length: 300 }, (_, i) => syntheticAlertEvent(i + 1)) };

  it('cuts a batch at event boundaries to fit a message, with stable ids, and reads back the same events', () => {
    const messages = encodeQueuedBatch(batch, 64 * 1024);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.data.length).toBeLessThanOrEqual(64 * 1024);
    expect(encodeQueuedBatch(batch, 64 * 1024).map((m) => m.msgId)).toEqual(messages.map((m) => m.msgId));
    const decoded = messages.map((m) => decodeQueuedBatch(m.data));
    expect(decoded.flatMap((d) => d.events)).toEqual(batch.events);
    expect(decoded.map((d) => d.rejected)).toEqual([2, ...Array(messages.length - 1).fill(0)]);
    expect(messages[0]!.msgId).toMatch(new RegExp(`^${batch.sensorId}:1-\\d+$`));
  });

  it('sends an all-rejected batch as one message so its rejections are counted', () => {
    const [only, ...rest] = encodeQueuedBatch({ ...batch, events: [] }, 1024 * 1024);
    expect(rest).toEqual([]);
    expect(decodeQueuedBatch(only!.data)).toEqual({ ...batch, events: [] });
    expect(() => decodeQueuedBatch(new TextEncoder().encode('{"v":2}'))).toThrow(/not an ingest batch/);
  });

  it('carries the site the sensor had when its credential was checked, and reads messages without it', () => {
    const siteId = '6f1d0c1e-0000-4000-8000-000000000003';
    const decoded = encodeQueuedBatch({ ...batch, siteId }, 64 * 1024).map((m) => decodeQueuedBatch(m.data));
    expect(new Set(decoded.map((d) => d.siteId))).toEqual(new Set([siteId]));
    const old = new TextEncoder().encode(`{"v":1,"sensorId":"${batch.sensorId}","organizationId":"${batch.organizationId}","rejected":0}`);
    expect(decodeQueuedBatch(old)).toEqual({ sensorId: batch.sensorId, organizationId: batch.organizationId, rejected: 0, events: [] });
  });
});
