/**
 * End to end: a real server (startServer, PGlite in a temporary data dir, an ephemeral port) and the
 * real `otasuke sensor enroll` as a child process, then the credential it wrote against the API.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessScope } from '../access/accessScope.ts';
import { loadConfig } from '../config/config.ts';
import { startServer, type RunningServer } from '../server.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliBin = join(repoRoot, 'cli/bin/otasuke.mjs');

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliBin, ...args], { cwd: repoRoot, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('otasuke sensor enroll against a running server', () => {
  let dir: string;
  let server: RunningServer;
  let siteId: string;
  const cli = { scope: null, ip: '127.0.0.1', requestId: 'e2e' };
  let operator: AccessScope;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otasuke-enroll-'));
    const config = loadConfig({ env: {}, flags: { port: 0, host: '127.0.0.1', dataDir: join(dir, 'server'), logLevel: 'silent' } });
    server = await startServer(config, { webDist: join(dir, 'no-web') });
    const operatorOrg = await server.services.organizations.create(cli, { kind: 'operator', name: '運営' });
    operator = { userId: null, tokenId: null, sessionId: null, organizationId: operatorOrg.id, organizationKind: 'operator', role: 'operator_admin' };
    const subscriber = await server.services.organizations.create(cli, { kind: 'subscriber', name: '加入者', membership: 'member' });
    siteId = (await server.services.organizations.createSite({ ...cli, scope: operator }, subscriber.id, { name: '本社' })).id;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('enrolls, writes a 0600 credential and a config, and the credential answers GET /sensors/me', async () => {
    const code = await server.services.enrollment.createCode({ ...cli, scope: operator }, siteId, {});
    const dataDir = join(dir, 'sensor');
    const result = await runCli(['sensor', 'enroll', '--server', server.url, '--code', code.code, '--data-dir', dataDir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Enrolled as sensor ${code.sensorId}`);

    const credentialFile = join(dataDir, 'credential.json');
    expect((await stat(credentialFile)).mode & 0o777).toBe(0o600);
    const credential = JSON.parse(await readFile(credentialFile, 'utf8'));
    expect(credential).toMatchObject({ sensorId: code.sensorId, serverUrl: server.publicUrl });
    const config = JSON.parse(await readFile(join(dataDir, 'sensor.json'), 'utf8'));
    expect(config).toMatchObject({ serverUrl: server.publicUrl, sensorId: code.sensorId, dataDir, credentialFile, heartbeatSeconds: 60 });

    const me = await fetch(new URL('/api/v1/sensors/me', server.url), { headers: { authorization: `Bearer ${credential.credential}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: code.sensorId, siteId, status: 'active' });

    // The same code again: refused clearly, exit 2, and the files stay as they were.
    const replay = await runCli(['sensor', 'enroll', '--server', server.url, '--code', code.code, '--data-dir', dataDir]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain('already been used');
    expect(JSON.parse(await readFile(credentialFile, 'utf8')).credential).toBe(credential.credential);
  }, 90_000);

  it('exits 1 when the server cannot be reached, 2 for a missing flag', async () => {
    const port = await closedPort();
    const result = await runCli(['sensor', 'enroll', '--server', `http://127.0.0.1:${port}`, '--code', 'otse_whatever', '--data-dir', join(dir, 'unreachable')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach the server');
    const missing = await runCli(['sensor', 'enroll', '--server', `http://127.0.0.1:${port}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--code <code>'");
  }, 60_000);
});
