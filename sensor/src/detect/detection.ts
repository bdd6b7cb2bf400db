/**
 * The composition of the sensor's detection: from what the operator configured (rule files, IOC
 * feeds, HOME_NET, behaviour thresholds, clamd) to the ordered list of DetectionStages the pipeline
 * calls — rules, threat-intel IOCs, behaviour detectors, files — and a load summary for people.
 *
 * Loading is the only I/O here (files, and a PING to clamd); every input problem is a
 * DetectionConfigError saying which flag and how to fix it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DetectionStage } from './detectionStage.ts';
import { HomeNet, HomeNetError } from './homeNet.ts';
import { ClamdClient, ClamdEndpointError, formatClamdEndpoint, parseClamdEndpoint } from './files/clamdClient.ts';
import { DEFAULT_FILE_SCAN_LIMIT, FileStage } from './files/fileStage.ts';
import type { FileHashIndicator, FileHashLookup } from './files/fileStage.ts';
import { BehaviourConfigError, createBehaviourStage, DEFAULT_BEHAVIOUR_CONFIG, parseBehaviourConfig } from './behaviour/index.ts';
import type { BehaviourConfig } from './behaviour/index.ts';
import { IocStage, loadIocFiles } from './ioc/index.ts';
import type { IocLoadStats, IocMatch } from './ioc/index.ts';
import { formatRuleLoadStats, loadRules } from './rules/index.ts';
import type { RuleLoadStats } from './rules/index.ts';

export type { BehaviourConfig } from './behaviour/index.ts';
export type { IocLoadStats } from './ioc/index.ts';
export type { RuleLoadStats } from './rules/index.ts';

export class DetectionConfigError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message.includes(flag) ? message : `${flag}: ${message}`);
    this.name = 'DetectionConfigError';
  }
}

export interface DetectionOptions {
  /** Rule files or folders (every `*.rules` in a folder, in name order). */
  rules?: string[];
  /** Address and port variables for the rules; HOME_NET comes from `homeNet`. */
  ruleVars?: Record<string, string>;
  /** classification.config; default: the one beside the first rule file, if any. */
  classificationFile?: string;
  /** threshold.config (suppress / limit / threshold). */
  thresholdConfig?: string;
  /** IOC feed files (plain lists, URLhaus, Feodo, ThreatFox, SSLBL, STIX, MISP). */
  iocFiles?: string[];
  /** Suricata address group; default DEFAULT_HOME_NET. */
  homeNet?: string;
  /** Behaviour detectors' thresholds; false turns them off; default DEFAULT_BEHAVIOUR_CONFIG. */
  behaviour?: BehaviourConfig | false;
  /** clamd's socket path or HOST:PORT: files are scanned when given. */
  clamd?: string;
  /** Bytes; larger files are hashed, not scanned. Default DEFAULT_FILE_SCAN_LIMIT. */
  fileScanLimit?: number;
  /** Per-scan timeout in ms (default 30 s). */
  clamdTimeoutMs?: number;
}

export interface DetectionSummary {
  homeNet: string;
  ruleFiles: string[];
  rules?: RuleLoadStats;
  ioc?: IocLoadStats;
  behaviour: boolean;
  files: { hashLookup: boolean; clamd?: string; clamdAnswered?: boolean; scanLimit: number };
}

export interface Detection {
  stages: DetectionStage[];
  homeNet: HomeNet;
  summary: DetectionSummary;
  /** The file stage (its counters go in the run summary); null when it has nothing to do. */
  files: FileStage | null;
}

/** Expands folders to their `*.rules` files (sorted); a missing path is an error. */
export function ruleFilesOf(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new DetectionConfigError('--rules', `${p} does not exist (give a .rules file or a folder of them)`);
    }
    if (st.isDirectory()) {
      const files = readdirSync(p)
        .filter((n) => n.endsWith('.rules'))
        .sort()
        .map((n) => join(p, n));
      if (files.length === 0) throw new DetectionConfigError('--rules', `${p} holds no .rules file`);
      out.push(...files);
    } else out.push(p);
  }
  return out;
}

function classificationBeside(files: readonly string[]): string | undefined {
  for (const f of files) {
    const candidate = join(dirname(f), 'classification.config');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // none beside this one
    }
  }
  return undefined;
}

function readableFile(flag: string, path: string): void {
  try {
    if (!statSync(path).isFile()) throw new DetectionConfigError(flag, `${path} is not a file`);
  } catch (e) {
    if (e instanceof DetectionConfigError) throw e;
    throw new DetectionConfigError(flag, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** What a file alert says of the IOC entry that listed the file's hash. */
function fileHashIndicator(hit: IocMatch | undefined): FileHashIndicator | undefined {
  if (hit === undefined) return undefined;
  const out: FileHashIndicator = { metadata: { otasuke_ioc_feed: [basename(hit.feed)] } };
  const threat = hit.malware ?? hit.threat;
  if (threat !== undefined) out.threat = threat;
  return out;
}

export async function buildDetection(options: DetectionOptions = {}): Promise<Detection> {
  let homeNet: HomeNet;
  try {
    homeNet = HomeNet.parse(options.homeNet);
  } catch (e) {
    if (e instanceof HomeNetError) throw new DetectionConfigError('--home-net', e.message);
    throw e;
  }
  const stages: DetectionStage[] = [];
  const summary: DetectionSummary = {
    homeNet: homeNet.spec,
    ruleFiles: [],
    behaviour: options.behaviour !== false,
    files: { hashLookup: false, scanLimit: options.fileScanLimit ?? DEFAULT_FILE_SCAN_LIMIT },
  };
  if (options.fileScanLimit !== undefined && !(Number.isInteger(options.fileScanLimit) && options.fileScanLimit > 0)) {
    throw new DetectionConfigError('--file-scan-limit', `${options.fileScanLimit} is not a positive number of bytes`);
  }
  if (options.thresholdConfig !== undefined) readableFile('--threshold-config', options.thresholdConfig);
  if (options.classificationFile !== undefined) readableFile('--classification', options.classificationFile);
  for (const f of options.iocFiles ?? []) readableFile('--ioc', f);
  const clamdEndpoint = (() => {
    if (options.clamd === undefined) return undefined;
    try {
      return parseClamdEndpoint(options.clamd);
    } catch (e) {
      if (e instanceof ClamdEndpointError) throw new DetectionConfigError('--clamd', e.message);
      throw e;
    }
  })();

  // Rules
  if (options.rules !== undefined && options.rules.length > 0) {
    const files = ruleFilesOf(options.rules);
    summary.ruleFiles = files;
    const classificationFile = options.classificationFile ?? classificationBeside(files);
    const loadedRules = await loadRules({
      files,
      vars: { HOME_NET: homeNet.spec, ...options.ruleVars },
      ...(classificationFile !== undefined ? { classificationFile } : {}),
      ...(options.thresholdConfig !== undefined ? { thresholdConfigFile: options.thresholdConfig } : {}),
    });
    stages.push(loadedRules.engine);
    summary.rules = loadedRules.stats;
  }

  // Threat intelligence. The IOC stage matches file hashes of every fileinfo record; the file
  // stage matches those of the files only it sees (uploads), when it runs.
  let lookupHash: FileHashLookup | undefined;
  if (options.iocFiles !== undefined && options.iocFiles.length > 0) {
    const { index, stats } = await loadIocFiles(options.iocFiles);
    stages.push(new IocStage(index, homeNet));
    summary.ioc = stats;
    lookupHash = (hex) => fileHashIndicator(index.matchFileHash(hex));
    summary.files.hashLookup = true;
  }

  // Behaviour
  if (options.behaviour !== false) stages.push(createBehaviourStage(options.behaviour ?? DEFAULT_BEHAVIOUR_CONFIG, homeNet));

  // Files
  let files: FileStage | null = null;
  if (clamdEndpoint !== undefined) {
    const scanner = new ClamdClient(clamdEndpoint, options.clamdTimeoutMs !== undefined ? { timeoutMs: options.clamdTimeoutMs } : {});
    files = new FileStage({ ...(lookupHash !== undefined ? { lookupHash } : {}), scanner, scanLimit: summary.files.scanLimit });
    stages.push(files);
    summary.files.clamd = formatClamdEndpoint(clamdEndpoint);
    summary.files.clamdAnswered = await scanner.ping();
  }
  return { stages, homeNet, summary, files };
}

/** Reads the behaviour detectors' JSON thresholds (`--behaviour-config`). */
export function loadBehaviourConfig(path: string): BehaviourConfig {
  readableFile('--behaviour-config', path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DetectionConfigError('--behaviour-config', `${path} is not JSON: ${(e as Error).message}`);
  }
  try {
    return parseBehaviourConfig(json);
  } catch (e) {
    if (e instanceof BehaviourConfigError) throw new DetectionConfigError('--behaviour-config', `${path}: ${e.message}`);
    throw e;
  }
}

/** `10485760`, `512K`, `10M`, `1G` (binary units) → bytes; undefined when it is none of these. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d{1,12})\s*([KMG]i?B?)?\s*$/i.exec(text);
  if (m === null) return undefined;
  const unit = (m[2] ?? '').charAt(0).toUpperCase();
  const n = Number(m[1]) * (unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1);
  return n > 0 ? n : undefined;
}

/** The IOC load statistics in a few lines. */
export function formatIocLoadStats(s: IocLoadStats): string {
  const types = Object.entries(s.byType)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const lines = [`脅威情報 / indicators: ${s.loaded} loaded (${types === '' ? 'none' : types}) from ${s.files} file(s) in ${s.loadMs} ms; ${s.duplicates} duplicates, ${s.skipped} skipped, ${s.errors.length + s.moreErrors} broken lines${s.notLoaded > 0 ? `, ${s.notLoaded} not loaded (limit reached)` : ''}`];
  const reasons = Object.entries(s.skipReasons).sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (reasons.length > 0) lines.push(`skip reasons: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  for (const e of s.errors.slice(0, 10)) lines.push(`  ${e.file}:${e.line}: ${e.reason}`);
  return lines.join('\n');
}

/** The load summary, one line each, for stderr. */
export function formatDetectionSummary(s: DetectionSummary): string[] {
  const lines = [`detection: HOME_NET ${s.homeNet}`];
  if (s.rules !== undefined) lines.push(...formatRuleLoadStats(s.rules).trimEnd().split('\n').map((l) => `rules: ${l}`));
  if (s.ioc !== undefined) lines.push(...formatIocLoadStats(s.ioc).split('\n').map((l) => `ioc: ${l}`));
  lines.push(`behaviour: ${s.behaviour ? 'on' : 'off'}`);
  const f = s.files;
  if (f.clamd !== undefined) {
    lines.push(`files: clamd ${f.clamd}${f.clamdAnswered === true ? '' : ' (not answering now: scans will count as failures)'}, scan limit ${f.scanLimit} bytes`);
  }
  return lines;
}
