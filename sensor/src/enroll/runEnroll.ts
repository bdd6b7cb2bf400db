/**
 * The work of `otasuke sensor enroll`: POST the code to the server (Node's fetch), then write the
 * credential (0600, atomically) and a working sensor.json into the data dir. Talks HTTP only.
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { SensorEnrollment } from '@otasuke/shared';
import type { EnrollOptions } from './enrollCommand.ts';

export const SENSOR_AGENT_VERSION = '0.1.0';

interface Output {
  write(text: string): unknown;
}

export interface EnrollIo {
  stdout: Output;
  stderr: Output;
  fetch?: typeof fetch;
}

/** The sensor's config as written by enrollment: every later agent setting has its default here. */
export function defaultSensorConfig(input: { serverUrl: string; sensorId: string; dataDir: string }) {
  return {
    serverUrl: input.serverUrl,
    sensorId: input.sensorId,
    dataDir: input.dataDir,
    credentialFile: join(input.dataDir, 'credential.json'),
    capture: { interface: null, bpf: null, watchDir: null },
    spool: { dir: join(input.dataDir, 'spool'), maxBytes: 1024 * 1024 * 1024 },
    uplink: { batchMaxEvents: 1000, batchMaxSeconds: 5 },
    heartbeatSeconds: 60,
    rules: { dir: join(input.dataDir, 'rules'), pollSeconds: 300 },
  };
}

async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

export async function runEnroll(options: EnrollOptions, io: EnrollIo): Promise<number> {
  let base: URL;
  try {
    base = new URL(options.server);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    io.stderr.write(`otasuke sensor enroll: --server must be an http:// or https:// URL, got ${JSON.stringify(options.server)}\n`);
    return 2;
  }
  const code = options.code.trim();
  if (!code) {
    io.stderr.write('otasuke sensor enroll: --code is empty\n');
    return 2;
  }
  const endpoint = new URL('api/v1/sensors/enroll', base.href.endsWith('/') ? base.href : `${base.href}/`);
  let response: Response;
  try {
    response = await (io.fetch ?? fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code, hostname: hostname(), agentVersion: SENSOR_AGENT_VERSION }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    io.stderr.write(`otasuke sensor enroll: cannot reach the server at ${base.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}\n`);
    return 1;
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { message?: string; details?: { reason?: string } } } | undefined)?.error;
    const reason = error?.details?.reason ? ` (${error.details.reason})` : '';
    io.stderr.write(`otasuke sensor enroll: the server refused the enrollment: ${response.status} ${error?.message ?? text.slice(0, 200)}${reason}\n`);
    return response.status >= 400 && response.status < 500 ? 2 : 1;
  }
  const parsed = SensorEnrollment.safeParse(body);
  if (!parsed.success) {
    io.stderr.write(`otasuke sensor enroll: the server's answer is not an enrollment (is ${base.origin} an Otasuke server?)\n`);
    return 1;
  }
  const enrollment = parsed.data;
  const dataDir = resolve(options.dataDir);
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dataDir, 'credential.json'), `${JSON.stringify(enrollment, null, 2)}\n`, 0o600);
    const config = defaultSensorConfig({ serverUrl: enrollment.serverUrl, sensorId: enrollment.sensorId, dataDir });
    await writeFileAtomic(join(dataDir, 'sensor.json'), `${JSON.stringify(config, null, 2)}\n`, 0o644);
  } catch (err) {
    io.stderr.write(`otasuke sensor enroll: enrolled as sensor ${enrollment.sensorId}, but writing to ${dataDir} failed: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(
    `Enrolled as sensor ${enrollment.sensorId} with ${enrollment.serverUrl}.\n` +
      `Credential: ${join(dataDir, 'credential.json')} (mode 0600)\n` +
      `Config:     ${join(dataDir, 'sensor.json')}\n`,
  );
  return 0;
}
