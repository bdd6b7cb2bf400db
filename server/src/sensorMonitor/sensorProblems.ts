/**
 * What is wrong with a sensor, from its heartbeats — pure, so the thresholds are data and tested
 * without a database. A sensor is `sensor_silent` after 10 minutes without a heartbeat,
 * `sensor_drops` when each of its last 3 samples dropped more than 5 % of packets, and
 * `sensor_old_bundle` when it runs another version than its policy's latest, built over 24 h ago.
 */
export const sensorProblemKinds = ['sensor_silent', 'sensor_drops', 'sensor_old_bundle'] as const;
export type SensorProblem = (typeof sensorProblemKinds)[number];

export interface SensorMonitorThresholds {
  silentMinutes: number;
  dropRate: number;
  dropSamples: number;
  bundleGraceHours: number;
}

export const DEFAULT_SENSOR_THRESHOLDS: SensorMonitorThresholds = { silentMinutes: 10, dropRate: 0.05, dropSamples: 3, bundleGraceHours: 24 };

export interface SensorObservation {
  /** The last heartbeat, or the enrollment when none came yet. */
  lastHeardAt: Date | null;
  /** Drop rates of the latest samples, newest last. */
  recentDropRates: readonly number[];
  bundleVersion: string | null;
  /** The latest bundle of the sensor's policy, when the bundles are known. */
  latestBundle: { version: string; builtAt: Date } | null;
}

export function problemsOf(sensor: SensorObservation, now: Date, t: SensorMonitorThresholds = DEFAULT_SENSOR_THRESHOLDS): SensorProblem[] {
  const problems: SensorProblem[] = [];
  if (sensor.lastHeardAt && now.getTime() - sensor.lastHeardAt.getTime() >= t.silentMinutes * 60_000) problems.push('sensor_silent');
  const samples = sensor.recentDropRates.slice(-t.dropSamples);
  if (samples.length === t.dropSamples && samples.every((r) => r > t.dropRate)) problems.push('sensor_drops');
  const latest = sensor.latestBundle;
  if (latest && sensor.bundleVersion !== null && sensor.bundleVersion !== latest.version && now.getTime() - latest.builtAt.getTime() > t.bundleGraceHours * 3_600_000) {
    problems.push('sensor_old_bundle');
  }
  return problems;
}
