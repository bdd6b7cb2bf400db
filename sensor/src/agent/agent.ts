/**
 * The long-running sensor agent (`otasuke sensor run`): capture (live on an interface, or a watched
 * folder of capture files) → pipeline with detection → EVE alerts → UplinkAlert → spool → uplink,
 * with the heartbeat and the bundle poller beside it. `startAgent` is the programmatic entry: tests
 * and the CLI drive the same code.
 *
 * Detection comes from the current bundle (rules dir) together with the config's own `detection`
 * files (local rules and IOC lists of this box, kept across bundles; the bundle's threshold.config
 * wins over the local one). It is built afresh for each watched file (so a file processed
 * again after a crash gives the same alerts in the same order, see captureFolder.ts) and once per
 * live capture run; a new bundle restarts live capture with the new detection and applies to
 * watched files from the next file on.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { SensorEvent } from '@otasuke/shared';
import { CaptureFormatError, NotACaptureError } from '../capture/capturedPacket.ts';
import type { EveAlertRecord } from '../eve/eveEvent.ts';
import { readFileChunks, runCapture } from '../pipeline/runCapture.ts';
import type { SensorPipelineOptions } from '../pipeline/sensorPipeline.ts';
import type { AgentConfig } from './agentConfig.ts';
import { readCredential } from './agentConfig.ts';
import { agentLog } from './agentLog.ts';
import type { AgentLog } from './agentLog.ts';
import type { InstalledBundle } from './bundle.ts';
import { BundlePoller } from './bundlePoller.ts';
import type { BundleStats } from './bundlePoller.ts';
import { CaptureFolder, parseOrigin } from './captureFolder.ts';
import { HealthSampler, HeartbeatSender } from './heartbeat.ts';
import type { HeartbeatStats } from './heartbeat.ts';
import { ServerLink } from './serverLink.ts';
import { Spool } from './spool/spool.ts';
import type { SpoolStats } from './spool/spool.ts';
import { sleep, Uplink } from './uplink.ts';
import type { UplinkStats } from './uplink.ts';
import { UplinkAlertError, uplinkAlertOf } from './uplinkAlert.ts';

/** What detection is built from: the current bundle's files or the config's own. */
export interface DetectionSources {
  rules: string[];
  iocFiles: string[];
  thresholdConfig: string | null;
  homeNet: string | null;
}

/** What the pipeline needs of a built detection. */
export type AgentDetection = NonNullable<SensorPipelineOptions['detection']>;

export type DetectionBuilder = (sources: DetectionSources) => Promise<AgentDetection | null>;

/** Runs one capture through the pipeline; the injection point for tests that bring their own alerts. */
export type CaptureAnalyser = (input: {
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  chunksReused: boolean;
  detection: AgentDetection | null;
  onAlert: (record: EveAlertRecord) => void;
  /** After each chunk, with the packets seen so far in this capture. */
  onChunk: (packets: number) => void;
}) => Promise<{ packets: number }>;

export interface AgentOptions {
  log?: AgentLog;
  analyse?: CaptureAnalyser;
  buildDetection?: DetectionBuilder;
  /** How long a clean stop keeps sending the spool (default 5 s). */
  drainMs?: number;
  /** How often the credential file is looked at after the server refused the credential. */
  credentialCheckMs?: number;
}

export interface AgentStats {
  capture: {
    mode: 'interface' | 'folder' | 'none';
    filesDone: number;
    currentFile: string | null;
    packets: number;
    alerts: number;
    /** Alerts of a file processed again after a crash that the spool already held. */
    alertsAlreadySpooled: number;
    /** Alerts the shared schema could not take (logged). */
    unmappable: number;
    /** Files that were not captures or broke off (logged, marked done). */
    badFiles: number;
    spoolErrors: number;
    /** Packets the kernel dropped before tcpdump got them (live capture), as tcpdump reports them. */
    drops: number;
  };
  spool: SpoolStats;
  uplink: UplinkStats;
  heartbeat: HeartbeatStats;
  bundle: BundleStats;
}

export interface RunningAgent {
  stop(): Promise<void>;
  stats(): AgentStats;
  /** Resolves when the capture side has nothing more to do (a live capture that ended for good). */
  readonly stopped: Promise<void>;
}

const INITIAL_BUNDLE_WAIT_MS = 5000;

/** The real pipeline, keeping only alert records. */
export const pipelineAnalyser: CaptureAnalyser = async ({ source, chunksReused, detection, onAlert, onChunk }) => {
  const result = await runCapture(
    source,
    (record) => {
      if (record.event_type === 'alert') onAlert(record as EveAlertRecord);
    },
    { eveTypes: new Set(['alert']), chunksReused, ...(detection !== null ? { detection } : {}), onProgress: (_bytes, packets) => onChunk(packets) },
  );
  return { packets: result.pipeline.counters.packets };
};

/** Detection from the sensor's own engines (rules, IOCs, behaviour, files). */
export const engineDetection: DetectionBuilder = async (sources) => {
  const { buildDetection } = await import('../detect/detection.ts');
  const detection = await buildDetection({
    rules: sources.rules,
    iocFiles: sources.iocFiles,
    ...(sources.thresholdConfig !== null ? { thresholdConfig: sources.thresholdConfig } : {}),
    ...(sources.homeNet !== null ? { homeNet: sources.homeNet } : {}),
  });
  const rules = detection.summary.rules;
  if (rules !== undefined && rules.active > 0 && rules.loaded === 0) {
    throw new Error(`none of the ${rules.active} rules loaded (first error: ${rules.errors[0]?.reason ?? 'unknown'})`);
  }
  return { stages: detection.stages, homeNet: detection.homeNet };
};

/** Yields a file's chunks, letting timers and sockets run between chunks (uplink, heartbeat, stop). */
async function* fileChunks(path: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  for (const chunk of readFileChunks(path, 1 << 18, true)) {
    if (signal.aborted) return;
    yield chunk;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function startAgent(config: AgentConfig, options: AgentOptions = {}): Promise<RunningAgent> {
  const log = options.log ?? agentLog(process.stderr);
  const analyse = options.analyse ?? pipelineAnalyser;
  const buildDetection = options.buildDetection ?? engineDetection;
  const credential = readCredential(config.credentialFile);
  if (credential.sensorId !== config.sensorId) log('warn', 'sensor_id_mismatch', { config: config.sensorId, credential: credential.sensorId });

  const spool = Spool.open({
    dir: config.spool.dir,
    maxBytes: config.spool.maxBytes,
    segmentBytes: config.spool.segmentBytes,
    fsyncIntervalMs: config.spool.fsyncIntervalMs,
    onNotice: (event, fields) => log('warn', event, fields),
  });
  const link = new ServerLink({ serverUrl: config.serverUrl, credential: credential.credential, caFile: config.caFile, timeoutMs: config.uplink.requestTimeoutSeconds * 1000 });
  const uplink = new Uplink(spool, link, { batchMaxEvents: config.uplink.batchMaxEvents, batchMaxSeconds: config.uplink.batchMaxSeconds, backoffMaxSeconds: config.uplink.backoffMaxSeconds, log });

  const capture: AgentStats['capture'] = {
    mode: config.capture.interface !== null ? 'interface' : config.capture.watchDir !== null ? 'folder' : 'none',
    filesDone: 0,
    currentFile: null,
    packets: 0,
    alerts: 0,
    alertsAlreadySpooled: 0,
    unmappable: 0,
    badFiles: 0,
    spoolErrors: 0,
    drops: 0,
  };
  const abort = new AbortController();
  const localSources: DetectionSources = { ...config.detection };
  let sources: DetectionSources = localSources;
  /** Bumped when a bundle is installed: a live capture restarts with the new detection. */
  let detectionGeneration = 0;
  let restartLive: (() => void) | null = null;
  /** Asks the running tcpdump for its counters (SIGUSR1: it prints them on stderr and goes on). */
  let askLiveDrops: (() => void) | null = null;

  // The bundle's rules and IOCs, plus the box's own files (kept across bundles).
  const sourcesOf = (bundle: InstalledBundle): DetectionSources => ({
    rules: [...bundle.rules, ...localSources.rules],
    iocFiles: [...bundle.iocFiles, ...localSources.iocFiles],
    thresholdConfig: bundle.thresholdConfig ?? localSources.thresholdConfig,
    homeNet: localSources.homeNet,
  });
  const poller = new BundlePoller(link, {
    rulesDir: config.rules.dir,
    publicKeyFile: config.rules.publicKeyFile,
    ...(credential.bundlePublicKey !== undefined ? { enrolledPublicKey: credential.bundlePublicKey } : {}),
    pollMs: config.rules.pollSeconds * 1000,
    log,
    apply: async (bundle) => {
      // Built once here to prove the bundle loads; a failure refuses it and keeps the old one.
      await buildDetection(sourcesOf(bundle));
      sources = sourcesOf(bundle);
      detectionGeneration++;
      restartLive?.();
    },
  });
  if (poller.current !== null) sources = sourcesOf(poller.current);

  const detectionNow = async (): Promise<AgentDetection | null> => {
    try {
      return await buildDetection(sources);
    } catch (e) {
      if (sources === localSources) throw e;
      // The installed bundle no longer loads (files damaged): fall back to the local detection.
      log('error', 'bundle_detection_failed', { error: (e as Error).message, version: poller.current?.version ?? null });
      return buildDetection(localSources);
    }
  };

  /** Spools one alert; `origin` lets a replayed file skip what is already in the spool. */
  const spoolAlert = (record: EveAlertRecord, origin: string): void => {
    let event: SensorEvent['alert'];
    try {
      event = uplinkAlertOf(record);
    } catch (e) {
      capture.unmappable++;
      log('warn', 'alert_unmappable', { error: e instanceof UplinkAlertError ? e.message : String(e) });
      return;
    }
    try {
      spool.append({ severity: event.severity, origin, encode: (seq) => Buffer.from(JSON.stringify({ seq, kind: 'alert', alert: event } satisfies SensorEvent)) });
      capture.alerts++;
    } catch (e) {
      capture.spoolErrors++;
      log('error', 'spool_append_failed', { error: (e as Error).message });
    }
  };

  const runFolder = async (dir: string): Promise<void> => {
    const folder = new CaptureFolder({ dir, journalFile: join(config.dataDir, 'capture-journal.json'), settleMs: config.capture.settleMs, scanMs: config.capture.scanMs });
    capture.filesDone = folder.processed;
    for (;;) {
      const name = await folder.next(abort.signal);
      if (name === null) return;
      const resume = parseOrigin(spool.resumeOrigin);
      const already = resume !== null && resume.file === name ? resume.index : 0;
      capture.currentFile = name;
      let index = 0;
      let packetsBefore = capture.packets;
      let failed = false;
      try {
        const detection = await detectionNow();
        await analyse({
          source: fileChunks(join(dir, name), abort.signal),
          chunksReused: true,
          detection,
          onAlert: (record) => {
            // After a stop request the pass is cut short: what it raises now would not match a full pass.
            if (abort.signal.aborted) return;
            index++;
            if (index <= already) {
              capture.alertsAlreadySpooled++;
              return;
            }
            spoolAlert(record, `${name}#${index}`);
          },
          onChunk: (packets) => {
            capture.packets = packetsBefore + packets;
            spool.commit();
          },
        });
      } catch (e) {
        if (!(e instanceof NotACaptureError || e instanceof CaptureFormatError)) throw e;
        failed = true;
        capture.badFiles++;
        log('warn', 'capture_file_unreadable', { file: name, error: e.message });
      }
      if (abort.signal.aborted) return;
      try {
        // Durable before the journal says done: a power cut cannot lose alerts of a file marked done.
        spool.sync();
        folder.markDone(name, config.capture.deleteProcessed && !failed);
      } catch (e) {
        // Not marked done: taken again after a restart, its alerts skipped by origin.
        log('error', 'capture_journal_failed', { file: name, error: (e as Error).message });
        await sleep(1000, abort.signal);
        continue;
      }
      capture.filesDone++;
      capture.currentFile = null;
      packetsBefore = capture.packets;
      if (already > 0) log('info', 'capture_file_resumed', { file: name, alreadySpooled: already });
    }
  };

  const runInterface = async (iface: string): Promise<void> => {
    while (!abort.signal.aborted) {
      const generation = detectionGeneration;
      const detection = await detectionNow();
      const args = ['-i', iface, '-U', '-w', '-'];
      if (config.capture.bpf !== null) args.push(config.capture.bpf);
      const child: ChildProcess = spawn('tcpdump', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      const dropsBefore = capture.drops;
      // No tcpdump, or not allowed to run it: said in the log, tried again below.
      child.on('error', (e) => {
        stderr += `cannot run tcpdump: ${e.message}`;
      });
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000);
        const counts = [...d.toString().matchAll(/(\d+) packets? dropped by kernel/g)];
        if (counts.length > 0) capture.drops = dropsBefore + Number(counts.at(-1)![1]);
      });
      const kill = (): void => {
        child.kill('SIGTERM');
      };
      abort.signal.addEventListener('abort', kill, { once: true });
      restartLive = kill;
      const spawnedAt = Date.now();
      askLiveDrops = () => {
        // Not in tcpdump's first moments: SIGUSR1 before it installs its handler would end it.
        if (child.exitCode === null && child.pid !== undefined && Date.now() - spawnedAt > 2000) child.kill('SIGUSR1');
      };
      const packetsBefore = capture.packets;
      try {
        await analyse({
          source: child.stdout as NodeJS.ReadableStream as AsyncIterable<Uint8Array>,
          chunksReused: false,
          detection,
          onAlert: (record) => spoolAlert(record, ''),
          onChunk: (packets) => {
            capture.packets = packetsBefore + packets;
            spool.commit();
          },
        });
      } catch (e) {
        log('error', 'live_capture_failed', { interface: iface, error: (e as Error).message, tcpdump: stderr.trim() });
      } finally {
        abort.signal.removeEventListener('abort', kill);
        restartLive = null;
        askLiveDrops = null;
      }
      spool.commit();
      if (abort.signal.aborted) return;
      if (generation === detectionGeneration) {
        log('warn', 'live_capture_ended', { interface: iface, exitCode: child.exitCode, tcpdump: stderr.trim() });
        await sleep(5000, abort.signal);
      }
    }
  };

  // Re-enrollment while running: a refused credential is retried once the credential file changes.
  let credentialMtime = fileMtime(config.credentialFile);
  const credentialWatch = setInterval(() => {
    if (uplink.stats().state !== 'credential_refused') return;
    const mtime = fileMtime(config.credentialFile);
    if (mtime === credentialMtime) return;
    credentialMtime = mtime;
    try {
      const fresh = readCredential(config.credentialFile);
      log('info', 'credential_reloaded', { sensorId: fresh.sensorId });
      uplink.resume(fresh.credential);
    } catch (e) {
      log('error', 'credential_unreadable', { error: (e as Error).message });
    }
  }, options.credentialCheckMs ?? 5000);
  credentialWatch.unref();

  const sampler = new HealthSampler(config.dataDir);
  const heartbeat = new HeartbeatSender(
    link,
    sampler,
    () => {
      const s = spool.stats();
      // The answer lands on stderr shortly: this heartbeat carries the previous count.
      askLiveDrops?.();
      return {
        packetsTotal: capture.packets,
        dropsTotal: capture.drops,
        bundleVersion: poller.current?.version ?? null,
        spoolBacklogEvents: s.backlogEvents,
        spoolBacklogBytes: s.backlogBytes,
        spoolDropped: s.droppedTotal,
      };
    },
    config.heartbeatSeconds * 1000,
    log,
  );

  uplink.start();
  heartbeat.start();
  // One look for a newer bundle before capture starts, so the first captures use current rules;
  // an unreachable server does not hold the start up for long.
  await Promise.race([poller.pollOnce(), sleep(INITIAL_BUNDLE_WAIT_MS, abort.signal)]);
  poller.start(config.rules.pollSeconds * 1000);
  const captureRun = (async () => {
    if (config.capture.watchDir !== null) await runFolder(config.capture.watchDir);
    else if (config.capture.interface !== null) await runInterface(config.capture.interface);
  })().catch((e: unknown) => {
    log('error', 'capture_failed', { error: (e as Error).stack ?? String(e) });
  });
  log('info', 'agent_started', {
    sensorId: config.sensorId,
    server: config.serverUrl,
    capture: capture.mode === 'folder' ? config.capture.watchDir : capture.mode === 'interface' ? config.capture.interface : null,
    bundle: poller.current?.version ?? null,
    spoolBacklog: spool.stats().backlogEvents,
  });

  let stopping: Promise<void> | null = null;
  const stats = (): AgentStats => ({ capture: { ...capture }, spool: spool.stats(), uplink: uplink.stats(), heartbeat: { ...heartbeat.statsValue }, bundle: { ...poller.statsValue } });
  return {
    stopped: captureRun,
    stats,
    stop: () =>
      (stopping ??= (async () => {
        abort.abort();
        await captureRun;
        spool.sync();
        await Promise.all([poller.stop(), heartbeat.stop()]);
        await uplink.stop(options.drainMs ?? 5000);
        clearInterval(credentialWatch);
        spool.close();
        link.close();
        const s = stats();
        log('info', 'agent_stopped', { spoolBacklog: s.spool.backlogEvents, alerts: s.capture.alerts, accepted: s.uplink.accepted });
      })()),
  };
}

function fileMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
