/**
 * The heartbeat: every `heartbeatSeconds` a SensorHeartbeat to `POST /api/v1/sensors/me/heartbeat`.
 * `HealthSampler` turns running counters into rates over the last interval (packets/s, CPU% from
 * process.cpuUsage deltas, drop rate — drops being the kernel's count that tcpdump reports on
 * SIGUSR1, 0 for capture files); a failed heartbeat is logged and simply skipped — the next
 * one carries fresh numbers, and the server's health history shows the gap.
 */
import { statfsSync, readFileSync } from 'node:fs';
import type { SensorHeartbeat } from '@otasuke/shared';
import type { AgentLog } from './agentLog.ts';
import type { ServerLink } from './serverLink.ts';
import { sleep } from './uplink.ts';

export const HEARTBEAT_PATH = '/api/v1/sensors/me/heartbeat';

/** sensor/package.json's version. */
export const AGENT_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

export interface HealthCounters {
  packetsTotal: number;
  dropsTotal: number;
  bundleVersion: string | null;
  spoolBacklogEvents: number;
  spoolBacklogBytes: number;
  spoolDropped: number;
}

export class HealthSampler {
  private readonly startedAt: number;
  private last: { at: number; cpu: NodeJS.CpuUsage; packets: number; drops: number };

  constructor(
    private readonly dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.last = { at: this.startedAt, cpu: process.cpuUsage(), packets: 0, drops: 0 };
  }

  sample(c: HealthCounters): SensorHeartbeat {
    const at = this.now();
    const seconds = Math.max(0.001, (at - this.last.at) / 1000);
    const cpu = process.cpuUsage();
    const cpuMicros = cpu.user - this.last.cpu.user + (cpu.system - this.last.cpu.system);
    const packets = Math.max(0, c.packetsTotal - this.last.packets);
    const drops = Math.max(0, c.dropsTotal - this.last.drops);
    this.last = { at, cpu, packets: c.packetsTotal, drops: c.dropsTotal };
    let diskFreeBytes = 0;
    try {
      const fs = statfsSync(this.dataDir);
      diskFreeBytes = Math.max(0, Math.floor(fs.bavail * fs.bsize));
    } catch {
      diskFreeBytes = 0;
    }
    return {
      sentAt: new Date(at).toISOString(),
      agentVersion: AGENT_VERSION,
      bundleVersion: c.bundleVersion,
      uptimeSec: Math.max(0, (at - this.startedAt) / 1000),
      packetsPerSec: packets / seconds,
      packetsTotal: c.packetsTotal,
      dropsTotal: c.dropsTotal,
      dropRate: packets + drops > 0 ? drops / (packets + drops) : 0,
      cpuPercent: Math.max(0, (cpuMicros / 1000 / (seconds * 1000)) * 100),
      memoryBytes: process.memoryUsage.rss(),
      diskFreeBytes,
      spoolBacklogEvents: c.spoolBacklogEvents,
      spoolBacklogBytes: c.spoolBacklogBytes,
      spoolDropped: c.spoolDropped,
    };
  }
}

export interface HeartbeatStats {
  sent: number;
  failed: number;
  lastSentAt: string | null;
  lastError: string | null;
}

export class HeartbeatSender {
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  readonly statsValue: HeartbeatStats = { sent: 0, failed: 0, lastSentAt: null, lastError: null };

  constructor(
    private readonly link: ServerLink,
    private readonly sampler: HealthSampler,
    private readonly counters: () => HealthCounters,
    private readonly intervalMs: number,
    private readonly log: AgentLog,
  ) {}

  start(): void {
    this.running ??= (async () => {
      while (!this.abort.signal.aborted) {
        await this.sendOnce();
        await sleep(this.intervalMs, this.abort.signal);
      }
    })();
  }

  async sendOnce(): Promise<boolean> {
    const beat = this.sampler.sample(this.counters());
    try {
      const answer = await this.link.exchange('POST', HEARTBEAT_PATH, {
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(beat)),
        signal: this.abort.signal,
      });
      if (answer.status >= 200 && answer.status < 300) {
        this.statsValue.sent++;
        this.statsValue.lastSentAt = beat.sentAt;
        return true;
      }
      this.statsValue.lastError = `the server answered ${answer.status} to the heartbeat`;
    } catch (e) {
      if (this.abort.signal.aborted) return false;
      this.statsValue.lastError = (e as Error).message;
    }
    this.statsValue.failed++;
    this.log('warn', 'heartbeat_failed', { error: this.statsValue.lastError });
    return false;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }
}
