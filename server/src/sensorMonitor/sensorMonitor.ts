/**
 * The periodic sensor health check (clock injected): opens one operational incident per sensor and
 * problem (kind sensor_health, priority P2, so the operator's queue shows it and the notifier tells
 * the subscriber once, in the owner text of explain key sensor_silent / sensor_drops /
 * sensor_old_bundle), and resolves it when the sensor recovers.
 */
import type { BundleStatus } from '@otasuke/shared';
import type { Clock } from '../clock.ts';
import { DEFAULT_POLICY } from '../bundles/bundleRepository.ts';
import type { SensorMonitorRepository } from './sensorMonitorRepository.ts';
import { DEFAULT_SENSOR_THRESHOLDS, problemsOf, type SensorMonitorThresholds, type SensorProblem } from './sensorProblems.ts';

/** Where the latest bundle of each policy comes from (BundleService.status). */
export interface BundleStatusSource {
  status(): Promise<BundleStatus[]>;
}

export class SensorMonitor {
  constructor(
    private readonly repository: SensorMonitorRepository,
    private readonly clock: Clock,
    private readonly bundles: BundleStatusSource | null,
    private readonly thresholds: SensorMonitorThresholds = DEFAULT_SENSOR_THRESHOLDS,
  ) {}

  async check(): Promise<{ opened: string[]; resolved: string[] }> {
    const now = this.clock.now();
    const latestByPolicy = new Map<string, { version: string; builtAt: Date }>();
    let defaultLatest: { version: string; builtAt: Date } | null = null;
    for (const status of this.bundles ? await this.bundles.status() : []) {
      if (!status.latest) continue;
      const latest = { version: status.latest.version, builtAt: new Date(status.latest.createdAt) };
      latestByPolicy.set(status.policy.id, latest);
      if (status.policy.name === DEFAULT_POLICY) defaultLatest = latest;
    }
    const open = new Map((await this.repository.openProblems()).map((p) => [`${p.sensorId}:${p.problem}`, p]));
    const opened: string[] = [];
    const resolved: string[] = [];
    for (const sensor of await this.repository.activeSensors(this.thresholds.dropSamples)) {
      const latestBundle = sensor.bundlePolicyId ? (latestByPolicy.get(sensor.bundlePolicyId) ?? null) : defaultLatest;
      const problems = new Set(problemsOf({ lastHeardAt: sensor.lastHeardAt, recentDropRates: sensor.recentDropRates, bundleVersion: sensor.bundleVersion, latestBundle }, now, this.thresholds));
      for (const problem of problems) {
        if (open.has(`${sensor.id}:${problem}`)) continue;
        const id = await this.repository.open(sensor, problem, { sensorName: sensor.name, lastHeardAt: sensor.lastHeardAt?.toISOString() ?? null, dropRates: sensor.recentDropRates, bundleVersion: sensor.bundleVersion, latestBundle: latestBundle?.version ?? null }, now);
        if (id) opened.push(id);
      }
      for (const problem of ['sensor_silent', 'sensor_drops', 'sensor_old_bundle'] as SensorProblem[]) {
        if (problems.has(problem) || !open.has(`${sensor.id}:${problem}`)) continue;
        const id = await this.repository.resolve(sensor.id, problem, now);
        if (id) resolved.push(id);
      }
    }
    return { opened, resolved };
  }
}
