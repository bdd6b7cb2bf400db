/**
 * The agent in-process against the loopback ingest server, with the real pipeline and rule engine
 * over generated captures in a watched folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BundleContent, SensorEvent } from '@otasuke/shared';
import { loadAgentConfig } from './agentConfig.ts';
import type { AgentLog } from './agentLog.ts';
import { pipelineAnalyser, startAgent } from './agent.ts';
import type { RunningAgent } from './agent.ts';
import { Spool } from './spool/spool.ts';
import { evilDownloadsCapture, TEST_RULE } from './testing/alertCaptures.ts';
import { writeSensorDataDir } from './testing/agentFixture.ts';
import { startIngestTestServer } from './testing/ingestTestServer.ts';
import type { IngestTestServer } from './testing/ingestTestServer.ts';
import { uplinkAlertOf } from './uplinkAlert.ts';
import type { EveAlertRecord } from '../eve/eveEvent.ts';

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Renamed into place, as a rotating capture tool does. */
function dropCapture(watchDir: string, name: string, bytes: Uint8Array): void {
  writeFileSync(join(watchDir, `.${name}.tmp`), bytes);
  renameSync(join(watchDir, `.${name}.tmp`), join(watchDir, name));
}

const ruleUrls = (events: Iterable<SensorEvent>): string[] =>
  [...events]
    .filter((e) => e.alert.signatureId === 9900001)
    .map((e) => e.alert.flow?.http?.url ?? '?')
    .sort((a, b) => Number(a.split('/')[2]) - Number(b.split('/')[2]));
const evil = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `/evil/${from + i}`);

describe('sensor agent', () => {
  let dir: string;
  let server: IngestTestServer;
  let agent: RunningAgent | null;
  const lines: string[] = [];
  const log: AgentLog = (level, event, fields) => lines.push(JSON.stringify({ level, event, ...fields }));
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-agent-'));
    server = await startIngestTestServer();
    agent = null;
    lines.length = 0;
  });
  afterEach(async () => {
    await agent?.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every alert of the watched captures exactly once across a server outage', async () => {
    const { configFile, watchDir } = writeSensorDataDir(dir, server.url);
    server.down = true;
    dropCapture(watchDir, 'cap-0001.pcap', evilDownloadsCapture(1, 20));
    dropCapture(watchDir, 'cap-0002.pcap', evilDownloadsCapture(21, 20));
    agent = await startAgent(loadAgentConfig({ configFile }), { log, drainMs: 2000 });
    await until(() => agent!.stats().capture.filesDone === 2 && agent!.stats().uplink.retries >= 2, 'both files while the server is down');
    expect(server.stored.size).toBe(0);
    dropCapture(watchDir, 'cap-0003.pcap', evilDownloadsCapture(41, 20));
    await until(() => agent!.stats().capture.filesDone === 3, 'the third file');
    server.down = false;
    await until(() => agent!.stats().spool.backlogEvents === 0 && server.stored.size >= 60, 'delivery');
    expect(ruleUrls(server.stored.values())).toEqual(evil(1, 60));
    expect([...server.stored.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: server.stored.size }, (_, i) => i + 1));
    const first = server.stored.get(1)!.alert;
    expect(first).toMatchObject({ direction: 'outbound', engine: 'rule', explain: 'rule.trojan-activity', severity: 1, srcIp: '192.168.1.10', destIp: '203.0.113.80' });
    expect(first.flow?.http).toEqual({ hostname: 'downloads.example.net', url: '/evil/1', method: 'GET', userAgent: 'otasuke-agent-test', status: 200 });
    // Heartbeats failed during the outage; the first after it may still count a backlog.
    await until(() => server.heartbeats.some((h) => h.spoolBacklogEvents === 0), 'a heartbeat after delivery');
    expect(server.heartbeats.find((h) => h.spoolBacklogEvents === 0)).toMatchObject({ agentVersion: '0.1.0', bundleVersion: null, spoolBacklogBytes: 0, spoolDropped: 0, packetsTotal: 600, dropsTotal: 0 });
    expect(agent.stats().heartbeat.failed).toBeGreaterThan(0);
    await agent.stop();
    expect(agent.stats().uplink.state).toBe('stopped');
  });

  it('skips, on a second pass over a file, the alerts the spool already holds from the first', async () => {
    const { configFile, watchDir } = writeSensorDataDir(dir, server.url);
    const config = loadAgentConfig({ configFile });
    const capture = evilDownloadsCapture(1, 30);
    // A first pass cut off by a crash after the 12th alert of the file was spooled.
    const records: EveAlertRecord[] = [];
    const { engineDetection } = await import('./agent.ts');
    const detection = await engineDetection({ ...config.detection });
    await pipelineAnalyser({ source: [capture], chunksReused: false, detection, onAlert: (r) => records.push(r), onChunk: () => {} });
    expect(records.filter((r) => r.alert.signature_id === 9900001)).toHaveLength(30);
    const spool = Spool.open({ dir: config.spool.dir, maxBytes: config.spool.maxBytes });
    records.slice(0, 12).forEach((r, i) => {
      const alert = uplinkAlertOf(r);
      spool.append({ severity: alert.severity, origin: `cap-0001.pcap#${i + 1}`, encode: (seq) => Buffer.from(JSON.stringify({ seq, kind: 'alert', alert })) });
    });
    spool.close();
    dropCapture(watchDir, 'cap-0001.pcap', capture);
    agent = await startAgent(config, { log });
    await until(() => agent!.stats().capture.filesDone === 1 && agent!.stats().spool.backlogEvents === 0, 'the file and its delivery');
    expect(agent.stats().capture).toMatchObject({ alertsAlreadySpooled: 12, alerts: records.length - 12 });
    expect(ruleUrls(server.stored.values())).toEqual(evil(1, 30));
    expect(server.stored.size).toBe(records.length);
    // Done is remembered: a restart does not take the file again.
    await agent.stop();
    agent = await startAgent(config, { log });
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.stats().capture).toMatchObject({ filesDone: 1, alerts: 0, currentFile: null });
  });

  it('installs a signed bundle, refuses a forged or broken one and keeps the old', async () => {
    const { configFile, watchDir } = writeSensorDataDir(dir, server.url, { detection: {} });
    const bundle = (version: string, rules: string): BundleContent => ({ version, createdAt: '2026-11-26T00:00:00Z', policy: 'default', rules, thresholdConfig: '', iocFeeds: [{ name: 'local blocklist', lines: 'domain bad.example\n' }] });
    server.setBundle(bundle('v1', TEST_RULE));
    agent = await startAgent(loadAgentConfig({ configFile }), { log });
    await until(() => agent!.stats().bundle.version === 'v1', 'bundle v1');
    const rulesDir = join(dir, 'rules');
    expect(readlinkSync(join(rulesDir, 'current'))).toMatch(/^versions\/v1-\d+$/);
    expect(existsSync(join(rulesDir, 'current', 'ioc', 'local_blocklist.txt'))).toBe(true);
    // Detection now comes from the bundle (the config has no rules of its own).
    dropCapture(watchDir, 'cap-0001.pcap', evilDownloadsCapture(1, 5));
    await until(() => server.stored.size >= 5, 'alerts from the bundle rules');
    expect(ruleUrls(server.stored.values())).toEqual(evil(1, 5));

    server.setBundle(bundle('v2', TEST_RULE), { corruptSignature: true });
    await until(() => agent!.stats().bundle.refused >= 1, 'the forged bundle refused');
    server.setBundle(bundle('v3', 'alert http any any -> any any (msg:"broken"; nosuchkeyword; sid:1;)\n'));
    await until(() => agent!.stats().bundle.refused >= 2, 'the unloadable bundle refused');
    // The refused bundle is not fetched again while it is the latest.
    const refusedChecks = agent.stats().bundle.checks;
    await until(() => agent!.stats().bundle.checks >= refusedChecks + 2, 'more checks');
    expect(agent.stats().bundle).toMatchObject({ refused: 2, lastOutcome: 'unchanged' });
    server.setBundle(null, {});
    expect(agent.stats().bundle).toMatchObject({ version: 'v1', updates: 1 });
    expect(readlinkSync(join(rulesDir, 'current'))).toMatch(/^versions\/v1-\d+$/);
    expect(lines.filter((l) => l.includes('bundle_refused')).join('\n')).toMatch(/signature/);
    await until(() => server.heartbeats.some((h) => h.bundleVersion === 'v1'), 'a heartbeat naming v1');
    // A restart starts from the installed bundle, asking the server with its ETag.
    await agent.stop();
    server.setBundle(bundle('v1', TEST_RULE));
    agent = await startAgent(loadAgentConfig({ configFile }), { log });
    await until(() => agent!.stats().bundle.checks >= 1, 'a check');
    expect(agent.stats().bundle).toMatchObject({ version: 'v1', lastOutcome: 'unchanged' });
  });

  it('captures live through tcpdump, with the interface and filter of the config', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const pcap = join(dir, 'live.pcap');
    writeFileSync(pcap, evilDownloadsCapture(1, 10));
    // A stand-in tcpdump: writes the capture to its stdout and stays, as a live capture does.
    // On SIGUSR1 it reports drops, as tcpdump does.
    writeFileSync(
      join(bin, 'tcpdump'),
      `#!/bin/sh\necho "$@" > '${join(dir, 'tcpdump.args')}'\ntrap 'echo "100 packets captured" >&2; echo "7 packets dropped by kernel" >&2' USR1\ncat '${pcap}'\nwhile :; do sleep 0.05; done\n`,
      { mode: 0o755 },
    );
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const { configFile } = writeSensorDataDir(dir, server.url, { capture: { interface: 'eth9', bpf: 'tcp port 80' } });
      agent = await startAgent(loadAgentConfig({ configFile }), { log });
      await until(() => ruleUrls(server.stored.values()).length === 10, 'the live alerts');
    } finally {
      process.env.PATH = path;
    }
    expect(ruleUrls(server.stored.values())).toEqual(evil(1, 10));
    expect(readFileSync(join(dir, 'tcpdump.args'), 'utf8')).toBe('-i eth9 -U -w - tcp port 80\n');
    expect(agent.stats().capture).toMatchObject({ mode: 'interface', packets: 100 });
    await until(() => server.heartbeats.some((h) => h.dropsTotal === 7), 'a heartbeat with the kernel drops');
    expect(agent.stats().capture.drops).toBe(7);
    // Stopping ends tcpdump (its pipe closes, so the capture run returns).
    await agent.stop();
    expect(lines.some((l) => l.includes('live_capture_ended'))).toBe(false);
  });

  it('stops sending on a refused credential, says so, and resumes once re-enrolled', async () => {
    const { configFile, watchDir } = writeSensorDataDir(dir, server.url);
    server.revoked.add('ots_test');
    dropCapture(watchDir, 'cap-0001.pcap', evilDownloadsCapture(1, 4));
    agent = await startAgent(loadAgentConfig({ configFile }), { log, credentialCheckMs: 50 });
    await until(() => agent!.stats().uplink.state === 'credential_refused', 'the refusal');
    expect(agent.stats().uplink.lastError).toMatch(/re-enroll/);
    expect(lines.some((l) => l.includes('"credential_refused"'))).toBe(true);
    expect(agent.stats().spool.backlogEvents).toBe(4);
    // `otasuke sensor enroll` with a new code rewrites credential.json.
    server.credentials.add('ots_reenrolled');
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(dir, 'credential.json'), JSON.stringify({ sensorId: 'x', credential: 'ots_reenrolled', serverUrl: server.url }));
    await until(() => server.stored.size === 4, 'delivery after re-enrollment');
    expect(ruleUrls(server.stored.values())).toEqual(evil(1, 4));
  });
});
