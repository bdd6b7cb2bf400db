/**
 * Demo sensors (issue #6, item 9): with `otasuke server --demo`, one in-process sensor per demo
 * subscriber that goes the whole real way, so a newcomer's console shows real incidents, the dev
 * mailbox real mails and the statistics table real figures:
 *   enrollment code for one of its sites (service call) → `POST /api/v1/sensors/enroll` over HTTP
 *   against the server's own URL (the code of `otasuke sensor enroll`) → the real agent
 *   (`startAgent`) over a watched folder holding the project's own attack capture
 *   (demoCaptures.ts), with the demo rule file and IOC list → ingest → suppressions → incidents.
 *
 * Each sensor lives in `<dataDir>/demo-sensors/<organization id>/` (credential, config, spool,
 * capture journal). That folder is the memory: a restart finds the credential and does not enroll
 * again, and the agent's capture journal says the capture was done, so nothing is replayed twice.
 * The agents keep running (heartbeats, bundle polls) until the server closes, so the demo sensors
 * look healthy rather than silent.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { NotificationContactCreate, type Organization } from '@otasuke/shared';
import { startAgent, type CaptureAnalyser, type RunningAgent } from '@otasuke/sensor/agent/agent';
import { loadAgentConfig } from '@otasuke/sensor/agent/agentConfig';
import type { AgentLog } from '@otasuke/sensor/agent/agentLog';
import { runEnroll } from '@otasuke/sensor/enroll/runEnroll';
import type { EveAlertRecord } from '@otasuke/sensor/eve/eveEvent';
import { runCapture } from '@otasuke/sensor/pipeline/runCapture';
import type { AccessScope, RequestContext } from '../access/accessScope.ts';
import type { AppServices } from '../services.ts';
import { DEMO_HOME_NET, DEMO_RULES, demoCapture, demoIocList } from './demoCaptures.ts';
import { demoOperatorName } from './demoData.ts';

export const DEMO_SENSOR_NAME = 'デモセンサー';
const CAPTURE_FILE = 'demo-attacks.pcap';

export interface DemoSensorStatus {
  organization: string;
  sensorId: string;
  /** True when this start enrolled it; false when the data dir already held its credential. */
  enrolled: boolean;
}

export interface DemoSensors {
  /** Resolves once every demo sensor has enrolled (or was found enrolled) and its agent runs. */
  readonly started: Promise<DemoSensorStatus[]>;
  /** Resolves once every demo sensor's capture is done and its alerts are delivered. */
  readonly delivered: Promise<void>;
  stop(): Promise<void>;
}

export interface DemoSensorOptions {
  services: AppServices;
  /** The server's data dir; the sensors live under demo-sensors/. */
  dataDir: string;
  /** The server's own URL, as a sensor on the LAN would reach it. */
  serverUrl: string;
  logger: Logger;
  /** Packet time of the replayed attacks (default: three hours ago, so they look recent). */
  attacksAt?: Date;
}

const loaderContext: RequestContext = { scope: null, ip: null, requestId: 'demo-sensors' };

/**
 * The agent's own pipeline analyser, with file hashing on: the agent by itself writes only alert
 * records, so HTTP bodies are not hashed and IOC file-hash matches (the statistics' "virus" row)
 * cannot fire. The demo turns hashing on so its test file is found.
 */
const hashingAnalyser: CaptureAnalyser = async ({ source, chunksReused, detection, onAlert, onChunk }) => {
  const result = await runCapture(
    source,
    (record) => {
      if (record.event_type === 'alert') onAlert(record as EveAlertRecord);
    },
    { eveTypes: new Set(['alert', 'fileinfo']), fileHashes: { sha256: true }, chunksReused, ...(detection !== null ? { detection } : {}), onProgress: (_bytes, packets) => onChunk(packets) },
  );
  return { packets: result.pipeline.counters.packets };
};

async function operatorScope(services: AppServices): Promise<AccessScope> {
  const any: AccessScope = { userId: null, tokenId: null, sessionId: null, organizationId: '', organizationKind: 'operator', role: 'operator_admin' };
  const operator = (await services.organizations.list(any, 'operator')).find((o) => o.name === demoOperatorName);
  if (!operator) throw new Error('demo sensors: the demo operator is missing (start with --demo on an empty data dir)');
  return { ...any, organizationId: operator.id };
}

function writeAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  writeFileSync(`${path}.tmp`, data, { mode });
  renameSync(`${path}.tmp`, path);
}

/**
 * Enrolls one subscriber's demo sensor through the public endpoint (unless its folder holds a
 * credential), then lays out its files once (marked by demo-sensor.json, written last).
 */
async function prepareOnce(options: DemoSensorOptions, scope: AccessScope, organization: Organization, dir: string, t0: number): Promise<{ sensorId: string; enrolled: boolean }> {
  const credentialFile = join(dir, 'credential.json');
  const marker = join(dir, 'demo-sensor.json');
  let enrolled = false;
  if (!existsSync(credentialFile)) {
    const site = (await options.services.organizations.listSites(scope, organization.id))[0];
    if (!site) throw new Error(`demo sensors: ${organization.name} has no site`);
    const code = await options.services.enrollment.createCode({ ...loaderContext, scope }, site.id, { name: DEMO_SENSOR_NAME });
    let errors = '';
    const exit = await runEnroll({ server: options.serverUrl, code: code.code, dataDir: dir }, { stdout: { write: () => true }, stderr: { write: (t: string) => (errors += t) } });
    if (exit !== 0) throw new Error(`demo sensors: enrolling ${organization.name} failed: ${errors.trim()}`);
    enrolled = true;
  }
  const sensorId = (JSON.parse(readFileSync(credentialFile, 'utf8')) as { sensorId: string }).sensorId;
  if (existsSync(marker)) return { sensorId, enrolled };
  await ensureContact(options.services, scope, organization);

  // The box's own detection files and the capture, then the agent's settings: the server's own
  // URL (the enrollment answer carries the public URL, which may not be reachable from here).
  writeAtomic(join(dir, 'demo.rules'), DEMO_RULES);
  writeAtomic(join(dir, 'demo-ioc.txt'), demoIocList());
  const incoming = join(dir, 'incoming');
  mkdirSync(incoming, { recursive: true });
  writeAtomic(join(incoming, CAPTURE_FILE), demoCapture(t0));
  const config = JSON.parse(readFileSync(join(dir, 'sensor.json'), 'utf8')) as Record<string, unknown>;
  writeAtomic(
    join(dir, 'sensor.json'),
    `${JSON.stringify(
      {
        ...config,
        serverUrl: options.serverUrl,
        capture: { interface: null, bpf: null, watchDir: incoming, settleMs: 0, scanMs: 1000 },
        detection: { homeNet: DEMO_HOME_NET, rules: [join(dir, 'demo.rules')], iocFiles: [join(dir, 'demo-ioc.txt')] },
        uplink: { batchMaxEvents: 100, batchMaxSeconds: 0.5 },
      },
      null,
      2,
    )}\n`,
  );
  writeAtomic(marker, `${JSON.stringify({ organizationId: organization.id, sensorId, capture: CAPTURE_FILE, attacksAt: new Date(t0 * 1000).toISOString() })}\n`);
  return { sensorId, enrolled };
}

/** The subscriber's admin as its primary contact, so the incidents' mails reach the dev mailbox. */
async function ensureContact(services: AppServices, scope: AccessScope, organization: Organization): Promise<void> {
  if ((await services.notifications.listContacts(scope, organization.id)).length > 0) return;
  const admin = (await services.users.list(scope, organization.id)).find((u) => u.role === 'subscriber_admin');
  if (!admin) return;
  await services.notifications.createContact({ ...loaderContext, scope }, organization.id, NotificationContactCreate.parse({ role: 'primary', name: admin.displayName, email: admin.email }));
}

/** Starts the demo sensors in the background; a failure is logged, never stops the server. */
export function startDemoSensors(options: DemoSensorOptions): DemoSensors {
  const agents: RunningAgent[] = [];
  let stopping = false;
  const root = join(options.dataDir, 'demo-sensors');
  const attacksAt = Math.floor((options.attacksAt ?? new Date(options.services.clock.now().getTime() - 3 * 3600_000)).getTime() / 1000);

  const started = (async () => {
    const scope = await operatorScope(options.services);
    const subscribers = await options.services.organizations.list(scope, 'subscriber');
    const statuses: DemoSensorStatus[] = [];
    for (const [i, organization] of subscribers.entries()) {
      if (stopping) break;
      const dir = join(root, organization.id);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Each subscriber's attacks an hour apart, so the console's timeline is not one instant.
      const { sensorId, enrolled } = await prepareOnce(options, scope, organization, dir, attacksAt - i * 3600);
      const logger = options.logger.child({ demoSensor: organization.name, sensorId });
      const log: AgentLog = (level, event, fields) => (level === 'error' ? logger.warn({ ...fields, event }, 'demo sensor agent') : logger.debug({ ...fields, event }, 'demo sensor agent'));
      const agent = await startAgent(loadAgentConfig({ dataDir: dir }), { log, analyse: hashingAnalyser, drainMs: 1000 });
      agents.push(agent);
      logger.info({ enrolled }, enrolled ? `demo sensor enrolled for ${organization.name}, replaying the demo attacks` : `demo sensor for ${organization.name} already enrolled, running`);
      statuses.push({ organization: organization.name, sensorId, enrolled });
    }
    return statuses;
  })();

  const delivered = (async () => {
    await started;
    for (;;) {
      if (stopping) return;
      const busy = agents.some((a) => {
        const s = a.stats();
        return s.capture.filesDone < 1 || s.spool.backlogEvents > 0;
      });
      if (!busy) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  started.catch((err: unknown) => options.logger.warn({ err }, 'demo sensors did not start'));
  delivered.catch(() => {});
  return {
    started,
    delivered,
    async stop() {
      stopping = true;
      await started.catch(() => {});
      await Promise.all(agents.map((a) => a.stop()));
    },
  };
}
