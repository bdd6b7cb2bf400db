/**
 * A sensor data dir as `otasuke sensor enroll` leaves it (credential.json, sensor.json), with the
 * short intervals the agent's tests need, and a rule file that alerts on evilDownloadsCapture.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSensorConfig } from '../../enroll/runEnroll.ts';
import { TEST_RULE } from './alertCaptures.ts';

export const TEST_SENSOR_ID = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';

export function writeSensorDataDir(dataDir: string, serverUrl: string, overrides: Record<string, unknown> = {}, credential = 'ots_test'): { configFile: string; watchDir: string } {
  mkdirSync(dataDir, { recursive: true });
  const watchDir = join(dataDir, 'incoming');
  mkdirSync(watchDir, { recursive: true });
  writeFileSync(join(dataDir, 'credential.json'), JSON.stringify({ sensorId: TEST_SENSOR_ID, credential, serverUrl }), { mode: 0o600 });
  writeFileSync(join(dataDir, 'test.rules'), TEST_RULE);
  const base = defaultSensorConfig({ serverUrl, sensorId: TEST_SENSOR_ID, dataDir });
  const config = {
    ...base,
    capture: { ...base.capture, watchDir, settleMs: 0, scanMs: 30 },
    detection: { rules: [join(dataDir, 'test.rules')], homeNet: '[192.168.0.0/16]' },
    spool: { ...base.spool, fsyncIntervalMs: 20 },
    uplink: { batchMaxEvents: 20, batchMaxSeconds: 0.02, backoffMaxSeconds: 0.2, requestTimeoutSeconds: 5 },
    heartbeatSeconds: 0.2,
    rules: { ...base.rules, pollSeconds: 0.2 },
    ...overrides,
  };
  const configFile = join(dataDir, 'sensor.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { configFile, watchDir };
}
