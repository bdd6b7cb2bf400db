/**
 * The agent as a process (`otasuke sensor run`, as systemd runs it) killed with SIGKILL while a batch
 * is on its way to the server, then started again: nothing is lost, nothing is stored twice, and
 * SIGTERM stops it cleanly with exit code 0.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evilDownloadsCapture } from './testing/alertCaptures.ts';
import { writeSensorDataDir } from './testing/agentFixture.ts';
import { startIngestTestServer } from './testing/ingestTestServer.ts';
import type { IngestTestServer } from './testing/ingestTestServer.ts';

const CLI = fileURLToPath(new URL('../../../cli/bin/otasuke.mjs', import.meta.url));

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface AgentProcess {
  child: ChildProcess;
  stderr: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnAgent(configFile: string): AgentProcess {
  const child = spawn(process.execPath, [CLI, 'sensor', 'run', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr, exit };
}

describe('sensor agent process', () => {
  let dir: string;
  let server: IngestTestServer;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-agent-crash-'));
    server = await startIngestTestServer();
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('killed with SIGKILL mid-upload and restarted: every alert stored exactly once', async () => {
    const { configFile, watchDir } = writeSensorDataDir(dir, server.url, { heartbeatSeconds: 60 });
    for (let f = 0; f < 6; f++) {
      writeFileSync(join(watchDir, `.tmp`), evilDownloadsCapture(f * 30 + 1, 30));
      renameSync(join(watchDir, '.tmp'), join(watchDir, `cap-${String(f).padStart(4, '0')}.pcap`));
    }
    server.delayMs = 150;
    const first = spawnAgent(configFile);
    children.push(first.child);
    await until(() => server.stored.size >= 40 && server.inFlight > 0, 'uploads under way');
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    // The batch the agent never heard back about is stored all the same: the restart resends it.
    await until(() => server.inFlight === 0, 'the cut-off batch');
    const storedAtKill = server.stored.size;
    expect(storedAtKill).toBeLessThan(180);

    server.delayMs = 0;
    const second = spawnAgent(configFile);
    children.push(second.child);
    await until(() => server.stored.size >= 186, 'every alert', 90_000);
    await new Promise((r) => setTimeout(r, 500));
    second.child.kill('SIGTERM');
    const exit = await second.exit;
    expect(exit.code, second.stderr.join('')).toBe(0);
    expect(second.stderr.join('')).toContain('"event":"agent_stopped"');

    // Each file makes 30 rule alerts and, its fetches being a second apart, one beaconing alert.
    const events = [...server.stored.values()];
    const urls = events.filter((e) => e.alert.signatureId === 9900001).map((e) => e.alert.flow?.http?.url);
    expect(urls.length).toBe(180);
    expect(new Set(urls).size).toBe(180);
    const beacons = events.filter((e) => e.alert.engine === 'behaviour').map((e) => e.alert.observedAt);
    expect(new Set(beacons).size).toBe(6);
    expect(events.length).toBe(186);
    expect([...server.stored.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 186 }, (_, i) => i + 1));
    // Some seqs did arrive twice (the cut-off batch), and the server kept one copy of each.
    expect([...server.arrivals.values()].some((n) => n > 1)).toBe(true);
  }, 180_000);
});

describe('sensor agent process, killed in the middle of a capture file', () => {
  let dir: string;
  let server: IngestTestServer;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-agent-crash-'));
    server = await startIngestTestServer();
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('processes the file again on restart, skipping the alerts already spooled', async () => {
    const { configFile, watchDir } = writeSensorDataDir(dir, server.url, {
      heartbeatSeconds: 60,
      uplink: { batchMaxEvents: 500, batchMaxSeconds: 0.02, backoffMaxSeconds: 0.2, requestTimeoutSeconds: 5 },
    });
    const total = 1500;
    writeFileSync(join(watchDir, '.tmp'), evilDownloadsCapture(1, total));
    renameSync(join(watchDir, '.tmp'), join(watchDir, 'big.pcap'));
    const first = spawnAgent(configFile);
    children.push(first.child);
    await until(() => server.stored.size >= 20, 'the first alerts of the file');
    first.child.kill('SIGKILL');
    await first.exit;
    let journal = '';
    try {
      journal = readFileSync(join(dir, 'capture-journal.json'), 'utf8');
    } catch {
      journal = '';
    }
    // The kill landed while the file was being processed (it is not marked done).
    expect(journal).not.toContain('big.pcap');
    expect(server.stored.size).toBeLessThan(total);

    const second = spawnAgent(configFile);
    children.push(second.child);
    await until(() => [...server.stored.values()].filter((e) => e.alert.signatureId === 9900001).length >= total, 'every alert', 120_000);
    await new Promise((r) => setTimeout(r, 500));
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);
    const log = second.stderr.join('');
    expect(log).toMatch(/"event":"capture_file_resumed","file":"big.pcap","alreadySpooled":[1-9]/);
    const events = [...server.stored.values()];
    const urls = events.filter((e) => e.alert.signatureId === 9900001).map((e) => e.alert.flow?.http?.url);
    expect(urls.length).toBe(total);
    expect(new Set(urls).size).toBe(total);
    const identities = events.map((e) => `${e.alert.signatureId}|${e.alert.flowId}|${e.alert.observedAt}`);
    expect(new Set(identities).size).toBe(events.length);
  }, 240_000);
});
