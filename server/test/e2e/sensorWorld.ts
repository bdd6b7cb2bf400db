/**
 * The world of the sensor → server end-to-end tests (sensorToServer*.test.ts): a real server on a
 * fixed loopback port (so it can come back on it) over PGlite in a temporary data dir or a scratch
 * database on OTASUKE_TEST_DATABASE_URL, optionally in JetStream mode with an in-process worker; an
 * operator's API token; `otasuke sensor enroll` as a child process; the real agent over a watched
 * folder; the alerts read back through `GET /api/v1/alerts?sensor=…`.
 *
 * The captures are the project's own (server/src/demo/demoCaptures.ts), so the tests run on a fresh
 * machine; when ../shared/data is there a real nmap SYN scan and a TrickBot C2 capture go too, their
 * expected alerts taken from the same pipeline and detection run here first. The server's rules dir
 * is an empty folder, so the bundle adds no rule and detection is exactly the sensor's own files.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect } from 'vitest';
import type { StoredAlert } from '@otasuke/shared';
import { engineDetection, pipelineAnalyser, startAgent, type RunningAgent } from '@otasuke/sensor/agent/agent';
import { loadAgentConfig } from '@otasuke/sensor/agent/agentConfig';
import type { AgentLog } from '@otasuke/sensor/agent/agentLog';
import type { EveAlertRecord } from '@otasuke/sensor/eve/eveEvent';
import { loadConfig } from '../../src/config/config.ts';
import { c2BeaconCapture, DEMO_RULES, demoIocList, evilDownloadCapture, inboundPortScanCapture, loginBruteForceCapture } from '../../src/demo/demoCaptures.ts';
import { connectNats } from '../../src/ingest/natsIngestQueue.ts';
import type { IngestStreamNames } from '../../src/ingest/natsIngestQueue.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { IngestWorker } from '../../src/worker/ingestWorker.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliBin = join(repoRoot, 'cli/bin/otasuke.mjs');
const PCAPS = join(repoRoot, '../shared/data/pcaps');
const SYNSCAN = join(PCAPS, 'ntop__nDPI/tests/cfgs/default/pcap/synscan.pcap');
const TRICKBOT = join(PCAPS, 'ntop__nDPI/tests/cfgs/default/pcap/trickbot.pcap');
export const realPresent = existsSync(SYNSCAN) && existsSync(TRICKBOT);
if (!realPresent) console.warn(`\n!!! ${PCAPS} is absent: the end-to-end tests run on generated captures only; the real synscan + TrickBot replay is SKIPPED !!!\n`);
export const NATS_URL = process.env.NATS_URL;

// The generated attack captures and the real ones share one HOME_NET: the office 192.168.10.0/24,
// the nmap target 64.13.134.0/24 (the scanned business) and the TrickBot victim's 10.0.0.0/8.
const HOME_NET = '[192.168.10.0/24,64.13.134.0/24,10.0.0.0/8]';
const T0 = 1_764_115_200;
const TRICKBOT_C2 = '82.118.225.196';

/** sid → count of the generated captures, as the sensor's engines raise them. */
export const GENERATED_EXPECTED: Record<number, number> = {
  9100010: 1, // inbound port scan
  9100104: 1, // web-login brute force
  9200005: 12, // IOC: HTTP host on the C2 domain, once per request
  9100500: 1, // beaconing to the C2
  9900101: 5, // the demo rule, once per /evil/ fetch
};

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliBin, ...args], { cwd: repoRoot, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 40_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A database for one test: a scratch database on the real PostgreSQL, or PGlite in `dir`. */
async function scratchDatabase(dir: string): Promise<{ flags: { databaseUrl: string } | { dataDir: string }; drop(): Promise<void> }> {
  const serverUrl = process.env.OTASUKE_TEST_DATABASE_URL;
  if (!serverUrl) return { flags: { dataDir: join(dir, 'server') }, drop: async () => {} };
  const name = `otasuke_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    flags: { databaseUrl: url.toString() },
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

interface Platform {
  server: RunningServer;
  /** A worker consuming the stream into the server's database (JetStream mode). */
  worker: { stop(): Promise<void> } | null;
}

/** One end-to-end world: the server on a fixed port (so it can come back on it), tenants, a token. */
export class World {
  platform: Platform | null = null;
  token = '';
  siteId = '';
  sensorId = '';
  agent: RunningAgent | null = null;
  readonly log: string[] = [];
  private database: Awaited<ReturnType<typeof scratchDatabase>> | null = null;
  private port = 0;

  constructor(
    readonly dir: string,
    private readonly stream: IngestStreamNames | null,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.database = await scratchDatabase(this.dir);
    mkdirSync(join(this.dir, 'no-rules'), { recursive: true });
    await this.startServer();
    const server = this.platform!.server;
    const cli = { scope: null, ip: '127.0.0.1', requestId: 'e2e' };
    const operatorOrg = await server.services.organizations.create(cli, { kind: 'operator', name: '運営' });
    const userId = (await server.services.users.create(cli, { organizationId: operatorOrg.id, email: 'admin@e2e.otasuke.example', displayName: '運営 管理者', role: 'operator_admin', locale: 'ja', password: 'correct horse battery staple' })).id;
    const scope = { userId, tokenId: null, sessionId: null, organizationId: operatorOrg.id, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    this.token = (await server.services.apiTokens.create({ ...cli, scope }, 'e2e')).secret;
    const subscriber = await server.services.organizations.create(cli, { kind: 'subscriber', name: '株式会社なにわ精工', membership: 'member' });
    this.siteId = (await server.services.organizations.createSite({ ...cli, scope }, subscriber.id, { name: '本社工場' })).id;
  }

  /** The server (and in JetStream mode its worker) on the world's port and database. */
  async startServer(): Promise<void> {
    const config = loadConfig({
      env: {},
      flags: {
        port: this.port,
        host: '127.0.0.1',
        publicUrl: this.url,
        logLevel: 'silent',
        rulesDir: join(this.dir, 'no-rules'),
        ingestBatchesPerSecond: 1000,
        ingestBurst: 1000,
        ...this.database!.flags,
        ...(this.stream ? { natsUrl: NATS_URL } : {}),
      },
    });
    const server = await startServer(config, { webDist: join(this.dir, 'no-web'), ...(this.stream ? { ingestStream: this.stream } : {}) });
    let worker: Platform['worker'] = null;
    if (this.stream) {
      // `otasuke worker` in-process: the same IngestWorker, storing through the server's services.
      const nc = await connectNats(NATS_URL!, 'otasuke-e2e-worker');
      const consumer = new IngestWorker(nc, this.stream, server.services.alertStore, undefined, { concurrency: 2, ackWaitMs: 10_000 });
      await consumer.start();
      worker = {
        async stop() {
          await consumer.stop();
          await nc.close();
        },
      };
    }
    this.platform = { server, worker };
  }

  async stopServer(): Promise<void> {
    const platform = this.platform;
    this.platform = null;
    await platform?.worker?.stop();
    await platform?.server.close();
  }

  async api(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(new URL(`/api/v1${path}`, this.url), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** Enrolls with `otasuke sensor enroll` and writes the agent's settings for the test. */
  async enroll(name: string): Promise<{ configFile: string; watchDir: string; dataDir: string }> {
    const created = await this.api('POST', `/sites/${this.siteId}/enrollment-codes`, {});
    expect(created.status).toBe(201);
    const code = (await created.json()) as { code: string; sensorId: string };
    const dataDir = join(this.dir, name);
    const result = await runCli(['sensor', 'enroll', '--server', this.url, '--code', code.code, '--data-dir', dataDir]);
    expect(result.code, result.stderr).toBe(0);
    this.sensorId = code.sensorId;
    writeFileSync(join(dataDir, 'e2e.rules'), DEMO_RULES);
    writeFileSync(join(dataDir, 'e2e-ioc.txt'), `${demoIocList()}${TRICKBOT_C2} threat=botnet_cc malware=TrickBot\n`);
    const configFile = join(dataDir, 'sensor.json');
    const enrolled = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(enrolled).toMatchObject({ serverUrl: this.url, sensorId: code.sensorId });
    const watchDir = join(dataDir, 'incoming');
    mkdirSync(watchDir);
    writeFileSync(
      configFile,
      JSON.stringify({
        ...enrolled,
        capture: { ...enrolled.capture, watchDir, settleMs: 0, scanMs: 50 },
        detection: { homeNet: HOME_NET, rules: [join(dataDir, 'e2e.rules')], iocFiles: [join(dataDir, 'e2e-ioc.txt')] },
        spool: { ...enrolled.spool, fsyncIntervalMs: 20 },
        uplink: { batchMaxEvents: 10, batchMaxSeconds: 0.05, backoffMaxSeconds: 0.5, requestTimeoutSeconds: 5 },
        heartbeatSeconds: 1,
        rules: { ...enrolled.rules, pollSeconds: 3600 },
      }),
    );
    return { configFile, watchDir, dataDir };
  }

  async startAgent(configFile: string): Promise<RunningAgent> {
    await this.agent?.stop();
    const log: AgentLog = (level, event, fields) => this.log.push(JSON.stringify({ level, event, ...fields }));
    this.agent = await startAgent(loadAgentConfig({ configFile }), { log, drainMs: 2000 });
    return this.agent;
  }

  /** Every stored alert of the sensor, through the API, following the cursor. */
  async alerts(): Promise<StoredAlert[]> {
    const out: StoredAlert[] = [];
    let cursor: string | null = null;
    do {
      const response = await this.api('GET', `/alerts?sensor=${this.sensorId}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { items: StoredAlert[]; nextCursor: string | null };
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }

  /** `otasuke sensor run --config FILE` as a child process; its stderr (the agent's log) is kept. */
  startAgentProcess(configFile: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
    const child = spawn(process.execPath, [cliBin, 'sensor', 'run', '--config', configFile], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    this.children.push(child);
    return { child, stderr: () => stderr, exited };
  }

  private readonly children: ChildProcess[] = [];

  async close(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
    await this.agent?.stop();
    await this.stopServer();
    await this.database?.drop();
  }
}

/** Renamed into place, as a rotating capture tool does. */
export function dropCapture(watchDir: string, name: string, bytes: Uint8Array): void {
  writeFileSync(join(watchDir, `.${name}.tmp`), bytes);
  renameSync(join(watchDir, `.${name}.tmp`), join(watchDir, name));
}

/** Counts per signature id. */
export function bySid(alerts: readonly { signatureId?: number | undefined }[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const a of alerts) out[a.signatureId ?? 0] = (out[a.signatureId ?? 0] ?? 0) + 1;
  return out;
}

/** Each alert once: the sensor's sequence numbers 1…n, none twice, none missing. */
export function expectOnceEach(alerts: readonly StoredAlert[]): void {
  expect(new Set(alerts.map((a) => a.seq)).size).toBe(alerts.length);
  const sorted = alerts.map((a) => a.seq).sort((a, b) => a - b);
  expect(sorted).toEqual(Array.from({ length: alerts.length }, (_, i) => i + 1));
}

export const generated = (): Array<[string, Uint8Array]> => [
  ['cap-0001.pcap', inboundPortScanCapture(T0)],
  ['cap-0002.pcap', loginBruteForceCapture(T0 + 600)],
  ['cap-0003.pcap', evilDownloadCapture(T0 + 900, 5)],
  ['cap-0004.pcap', c2BeaconCapture(T0 + 1200)],
];

export function sum(counts: Record<number, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export async function replayAndCheck(world: World): Promise<void> {
  const { configFile, watchDir, dataDir } = await world.enroll('sensor-replay');
  const captures = generated();
  const expected = { ...GENERATED_EXPECTED };
  if (realPresent) {
    captures.push(['cap-0005.pcap', readFileSync(SYNSCAN)], ['cap-0006.pcap', readFileSync(TRICKBOT)]);
    // The real captures: HOME_NET and the IOC list as the agent has them, run here first.
    const records: EveAlertRecord[] = [];
    for (const file of [SYNSCAN, TRICKBOT]) {
      // Built afresh per file, as the agent does for each watched file.
      const detection = await engineDetection({ rules: [join(dataDir, 'e2e.rules')], iocFiles: [join(dataDir, 'e2e-ioc.txt')], thresholdConfig: null, homeNet: HOME_NET });
      await pipelineAnalyser({ source: [readFileSync(file)], chunksReused: false, detection, onAlert: (r) => records.push(r), onChunk: () => {} });
    }
    const real = bySid(records.map((r) => ({ signatureId: r.alert.signature_id })));
    console.log(`real captures through the agent's engines (sid: count): ${JSON.stringify(real)}`);
    // The scan of scanme.nmap.org once, and the TrickBot C2 address at least once.
    expect(real[9100010]).toBe(1);
    expect(records.some((r) => r.dest_ip === TRICKBOT_C2 && r.alert.metadata?.otasuke_engine?.[0] === 'ioc')).toBe(true);
    for (const [sid, n] of Object.entries(real)) expected[Number(sid)] = (expected[Number(sid)] ?? 0) + n;
  }
  for (const [name, bytes] of captures) dropCapture(watchDir, name, bytes);
  // `otasuke sensor run` itself, stopped with SIGTERM once the alerts are in.
  const run = world.startAgentProcess(configFile);
  try {
    await until(async () => (await world.alerts()).length >= sum(expected), `the alerts in the API (agent log:\n${run.stderr().slice(-2000)})`, 60_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nagent log:\n${run.stderr().slice(-3000)}`);
  }
  // A moment more: nothing further may arrive.
  await new Promise((r) => setTimeout(r, 500));
  const alerts = await world.alerts();
  expect(bySid(alerts)).toEqual(expected);
  expectOnceEach(alerts);
  expect(alerts.every((a) => a.sensorId === world.sensorId && a.siteId === world.siteId)).toBe(true);
  const c2 = alerts.find((a) => a.signatureId === 9200005)!;
  expect(c2).toMatchObject({ direction: 'outbound', engine: 'ioc', srcIp: '192.168.10.21', destIp: '198.51.100.66' });
  expect(c2.flow?.http?.hostname).toBe('c2.demo-bad.example');
  expect(alerts.find((a) => a.signatureId === 9100010 && a.srcIp === '203.0.113.45')).toMatchObject({ direction: 'inbound', engine: 'behaviour', destIp: '192.168.10.5' });
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  expect(run.stderr()).not.toMatch(/"level":"error"|uplink_retry|event_refused|events_rejected/);
}

