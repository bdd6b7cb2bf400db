import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SensorHeartbeat } from '@otasuke/shared';
import { agentLog } from './agentLog.ts';
import { AGENT_VERSION, HealthSampler } from './heartbeat.ts';

describe('HealthSampler', () => {
  it('turns counters into rates over the last interval, valid for the shared schema', () => {
    let now = Date.parse('2026-11-26T03:00:00Z');
    const sampler = new HealthSampler(tmpdir(), () => now);
    const counters = { packetsTotal: 0, dropsTotal: 0, bundleVersion: null, spoolBacklogEvents: 3, spoolBacklogBytes: 900, spoolDropped: 1 };
    now += 10_000;
    const first = sampler.sample({ ...counters, packetsTotal: 5000, dropsTotal: 0 });
    expect(SensorHeartbeat.parse(first)).toEqual(first);
    expect(first).toMatchObject({ sentAt: '2026-11-26T03:00:10.000Z', agentVersion: AGENT_VERSION, uptimeSec: 10, packetsPerSec: 500, packetsTotal: 5000, dropRate: 0, spoolBacklogEvents: 3, spoolDropped: 1 });
    expect(first.diskFreeBytes).toBeGreaterThan(0);
    expect(first.memoryBytes).toBeGreaterThan(0);
    now += 5_000;
    const second = sampler.sample({ ...counters, packetsTotal: 5900, dropsTotal: 100, bundleVersion: 'v7' });
    expect(second).toMatchObject({ uptimeSec: 15, packetsPerSec: 180, dropsTotal: 100, dropRate: 0.1, bundleVersion: 'v7' });
    expect(AGENT_VERSION).toBe('0.1.0');
  });
});

describe('agentLog', () => {
  it('writes JSON lines and folds repeated warnings within the quiet time', () => {
    let now = 0;
    const out: string[] = [];
    const log = agentLog({ write: (t: string) => out.push(t) }, { quietMs: 1000, now: () => now });
    log('warn', 'uplink_retry', { waitMs: 5 });
    now = 100;
    log('warn', 'uplink_retry', { waitMs: 6 });
    log('warn', 'uplink_retry', { waitMs: 7 });
    log('info', 'agent_started');
    now = 1500;
    log('warn', 'uplink_retry', { waitMs: 8 });
    expect(out.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      { time: '1970-01-01T00:00:00.000Z', level: 'warn', event: 'uplink_retry', waitMs: 5 },
      { time: '1970-01-01T00:00:00.100Z', level: 'info', event: 'agent_started' },
      { time: '1970-01-01T00:00:01.500Z', level: 'warn', event: 'uplink_retry', waitMs: 8, repeatedSinceLast: 2 },
    ]);
  });
});
