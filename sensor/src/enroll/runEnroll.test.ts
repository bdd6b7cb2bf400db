import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEnroll } from './runEnroll.ts';

const sensorId = '0b8a3f1e-2c4d-4e5f-8a6b-7c8d9e0f1a2b';

function io(fetchImpl: typeof fetch) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, fetch: fetchImpl } };
}

const answer = (status: number, body: unknown): typeof fetch => async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('runEnroll', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otasuke-sensor-enroll-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('writes credential.json (0600, replacing an older, looser file) and sensor.json', async () => {
    const dataDir = join(dir, 'data');
    await runEnroll({ server: 'http://x.test', code: 'c', dataDir: join(dir, 'first') }, io(answer(200, { sensorId, credential: 'ots_old', serverUrl: 'http://x.test' })).io);
    await writeFile(join(dir, 'first', 'credential.json'), '{}', { mode: 0o644 });
    const t = io(answer(200, { sensorId, credential: 'ots_secret', serverUrl: 'https://otasuke.example' }));
    expect(await runEnroll({ server: 'https://otasuke.example', code: 'otse_x', dataDir }, t.io)).toBe(0);
    expect((await stat(join(dataDir, 'credential.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(dataDir, 'credential.json'), 'utf8'))).toEqual({ sensorId, credential: 'ots_secret', serverUrl: 'https://otasuke.example' });
    expect(JSON.parse(await readFile(join(dataDir, 'sensor.json'), 'utf8'))).toMatchObject({ serverUrl: 'https://otasuke.example', sensorId, dataDir });
    expect(t.out.join('')).toContain(`Enrolled as sensor ${sensorId}`);

    expect(await runEnroll({ server: 'http://x.test', code: 'c', dataDir: join(dir, 'first') }, io(answer(200, { sensorId, credential: 'ots_new', serverUrl: 'http://x.test' })).io)).toBe(0);
    expect((await stat(join(dir, 'first', 'credential.json'))).mode & 0o777).toBe(0o600);
  });

  it('exits 2 with the reason for a refused code, and writes nothing', async () => {
    for (const [status, reason] of [[401, 'enrollment_code_used'], [401, 'enrollment_code_expired'], [403, 'sensor_revoked'], [400, undefined]] as const) {
      const t = io(answer(status, { error: { code: 'unauthenticated', message: 'no', details: reason ? { reason } : undefined }, requestId: 'r' }));
      expect(await runEnroll({ server: 'http://x.test', code: 'otse_x', dataDir: join(dir, 'none') }, t.io)).toBe(2);
      if (reason) expect(t.err.join('')).toContain(reason);
    }
    await expect(stat(join(dir, 'none'))).rejects.toThrow();
  });

  it('exits 1 when the server cannot be reached or answers garbage, 2 for a bad --server', async () => {
    const down = io(async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    expect(await runEnroll({ server: 'http://127.0.0.1:9', code: 'otse_x', dataDir: dir }, down.io)).toBe(1);
    expect(down.err.join('')).toContain('ECONNREFUSED');
    expect(await runEnroll({ server: 'http://x.test', code: 'otse_x', dataDir: dir }, io(answer(200, { hello: 1 })).io)).toBe(1);
    expect(await runEnroll({ server: 'http://x.test', code: 'otse_x', dataDir: dir }, io(answer(502, {})).io)).toBe(1);
    expect(await runEnroll({ server: 'ftp://x.test', code: 'otse_x', dataDir: dir }, io(answer(200, {})).io)).toBe(2);
  });
});
