/**
 * The agent's settings: `sensor.json` as `otasuke sensor enroll` wrote it, or a file given with
 * `--config` (JSON with `//` and block comments and trailing commas allowed, see
 * deploy/sensor.example.jsonc), with `--data-dir` overriding. Every missing setting has its default;
 * every bad one is listed at once (ConfigError), so one run shows all there is to fix.
 * Relative paths are taken from the data dir.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_SENSOR_DATA_DIR } from '../enroll/enrollCommand.ts';

export interface AgentConfig {
  serverUrl: string;
  sensorId: string;
  dataDir: string;
  credentialFile: string;
  /** PEM file of the CA that signed the server's certificate (a private CA); null: the system's. */
  caFile: string | null;
  capture: {
    /** Live capture on this interface (through tcpdump, as `sensor read --interface`). */
    interface: string | null;
    bpf: string | null;
    /** Or: a folder where capture files appear (rotated pcaps), processed in name order. */
    watchDir: string | null;
    /** A watched file is complete once its size has not changed for this long. */
    settleMs: number;
    /** How often the folder is looked at. */
    scanMs: number;
    /** Delete a capture file once every alert from it is in the spool. */
    deleteProcessed: boolean;
  };
  /** This box's own detection files, used alone before the first bundle and beside it after. */
  detection: { homeNet: string | null; rules: string[]; iocFiles: string[]; thresholdConfig: string | null };
  spool: { dir: string; maxBytes: number; segmentBytes: number; fsyncIntervalMs: number };
  uplink: { batchMaxEvents: number; batchMaxSeconds: number; backoffMaxSeconds: number; requestTimeoutSeconds: number };
  heartbeatSeconds: number;
  rules: { dir: string; pollSeconds: number; publicKeyFile: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length} problem(s) in the sensor config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** JSON with comments and trailing commas → JSON.parse. Strings are left exactly as they are. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(dropTrailingCommas(dropComments(text)));
}

/** Calls `other` for each stretch outside strings; strings are copied as they are. */
function outsideStrings(text: string, other: (text: string, at: number) => { out: string; next: number }): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
      continue;
    }
    const step = other(text, i);
    out += step.out;
    i = step.next;
  }
  return out;
}

function dropComments(text: string): string {
  return outsideStrings(text, (t, i) => {
    if (t[i] === '/' && t[i + 1] === '/') {
      const end = t.indexOf('\n', i);
      return { out: '', next: end < 0 ? t.length : end };
    }
    if (t[i] === '/' && t[i + 1] === '*') {
      const end = t.indexOf('*/', i + 2);
      return { out: ' ', next: end < 0 ? t.length : end + 2 };
    }
    return { out: t[i]!, next: i + 1 };
  });
}

function dropTrailingCommas(text: string): string {
  return outsideStrings(text, (t, i) => {
    if (t[i] === ',') {
      let j = i + 1;
      while (j < t.length && /\s/.test(t[j]!)) j++;
      if (t[j] === '}' || t[j] === ']') return { out: '', next: i + 1 };
    }
    return { out: t[i]!, next: i + 1 };
  });
}

type Raw = Record<string, unknown>;

/** Reads one section of the raw config, noting each problem with its dotted path. */
class ConfigReader {
  readonly problems: string[] = [];
  constructor(private readonly dataDir: string) {}

  section(raw: Raw, key: string): Raw {
    const v = raw[key];
    if (v === undefined || v === null) return {};
    if (typeof v === 'object' && !Array.isArray(v)) return v as Raw;
    this.problems.push(`${key} must be an object`);
    return {};
  }
  string(raw: Raw, path: string, fallback: string | null): string | null {
    const v = raw[path.split('.').at(-1)!];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.problems.push(`${path} must be a non-empty string`);
    return fallback;
  }
  path(raw: Raw, path: string, fallback: string | null): string | null {
    const v = this.string(raw, path, null);
    if (v === null) return fallback;
    return isAbsolute(v) ? v : resolve(this.dataDir, v);
  }
  paths(raw: Raw, path: string): string[] {
    const v = raw[path.split('.').at(-1)!];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '')) return v.map((x: string) => (isAbsolute(x) ? x : resolve(this.dataDir, x)));
    this.problems.push(`${path} must be a list of file paths`);
    return [];
  }
  number(raw: Raw, path: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER, integer = false): number {
    const v = raw[path.split('.').at(-1)!];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v))) return v;
    this.problems.push(`${path} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return fallback;
  }
  boolean(raw: Raw, path: string, fallback: boolean): boolean {
    const v = raw[path.split('.').at(-1)!];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    this.problems.push(`${path} must be true or false`);
    return fallback;
  }
}

/** Pure: the raw settings (parsed file) → AgentConfig, or the list of problems. */
export function agentConfigOf(raw: unknown, overrides: { dataDir?: string } = {}): { config: AgentConfig; problems: string[] } {
  const top: Raw = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Raw) : {};
  const problems: string[] = [];
  if (top !== raw) problems.push('the config must be a JSON object');
  const declaredDataDir = typeof top.dataDir === 'string' && top.dataDir !== '' ? top.dataDir : DEFAULT_SENSOR_DATA_DIR;
  const dataDir = resolve(overrides.dataDir ?? declaredDataDir);
  const r = new ConfigReader(dataDir);
  // With --data-dir the paths enroll derived from the old data dir follow it.
  const derived = (section: Raw, key: string, path: string, fallback: string): string =>
    overrides.dataDir !== undefined ? fallback : (r.path(section, path, fallback) as string);

  const serverUrl = r.string(top, 'serverUrl', null);
  if (serverUrl === null) problems.push('serverUrl is missing (run `otasuke sensor enroll` first)');
  else if (!/^https?:\/\//.test(serverUrl)) problems.push(`serverUrl must be an http:// or https:// URL, got ${JSON.stringify(serverUrl)}`);
  const sensorId = r.string(top, 'sensorId', null);
  if (sensorId === null) problems.push('sensorId is missing (run `otasuke sensor enroll` first)');

  const capture = r.section(top, 'capture');
  const detection = r.section(top, 'detection');
  const spool = r.section(top, 'spool');
  const uplink = r.section(top, 'uplink');
  const rules = r.section(top, 'rules');
  const config: AgentConfig = {
    serverUrl: serverUrl ?? '',
    sensorId: sensorId ?? '',
    dataDir,
    credentialFile: derived(top, 'credentialFile', 'credentialFile', join(dataDir, 'credential.json')),
    caFile: r.path(top, 'caFile', null),
    capture: {
      interface: r.string(capture, 'capture.interface', null),
      bpf: r.string(capture, 'capture.bpf', null),
      watchDir: r.path(capture, 'capture.watchDir', null),
      settleMs: r.number(capture, 'capture.settleMs', 2000, 0, 3_600_000),
      scanMs: r.number(capture, 'capture.scanMs', 1000, 10, 3_600_000),
      deleteProcessed: r.boolean(capture, 'capture.deleteProcessed', false),
    },
    detection: {
      homeNet: r.string(detection, 'detection.homeNet', null),
      rules: r.paths(detection, 'detection.rules'),
      iocFiles: r.paths(detection, 'detection.iocFiles'),
      thresholdConfig: r.path(detection, 'detection.thresholdConfig', null),
    },
    spool: {
      dir: derived(spool, 'dir', 'spool.dir', join(dataDir, 'spool')),
      maxBytes: r.number(spool, 'spool.maxBytes', 1024 * 1024 * 1024, 64 * 1024, Number.MAX_SAFE_INTEGER, true),
      segmentBytes: r.number(spool, 'spool.segmentBytes', 8 * 1024 * 1024, 4096, 1024 * 1024 * 1024, true),
      fsyncIntervalMs: r.number(spool, 'spool.fsyncIntervalMs', 200, 0, 60_000),
    },
    uplink: {
      batchMaxEvents: r.number(uplink, 'uplink.batchMaxEvents', 1000, 1, 5000, true),
      batchMaxSeconds: r.number(uplink, 'uplink.batchMaxSeconds', 1, 0, 3600),
      backoffMaxSeconds: r.number(uplink, 'uplink.backoffMaxSeconds', 60, 0.01, 3600),
      requestTimeoutSeconds: r.number(uplink, 'uplink.requestTimeoutSeconds', 30, 0.1, 600),
    },
    heartbeatSeconds: r.number(top, 'heartbeatSeconds', 60, 0.01, 86_400),
    rules: {
      dir: derived(rules, 'dir', 'rules.dir', join(dataDir, 'rules')),
      pollSeconds: r.number(rules, 'rules.pollSeconds', 300, 0.01, 86_400),
      publicKeyFile: derived(rules, 'publicKeyFile', 'rules.publicKeyFile', join(dataDir, 'bundle-public-key.pem')),
    },
  };
  if (config.capture.interface !== null && config.capture.watchDir !== null) problems.push('set capture.interface or capture.watchDir, not both');
  if (config.capture.bpf !== null && config.capture.interface === null) problems.push('capture.bpf needs capture.interface');
  return { config, problems: [...problems, ...r.problems] };
}

/** Reads `--config FILE` or `<data dir>/sensor.json`; throws ConfigError listing every problem. */
export function loadAgentConfig(options: { configFile?: string; dataDir?: string }): AgentConfig {
  const file = options.configFile ?? join(options.dataDir ?? DEFAULT_SENSOR_DATA_DIR, 'sensor.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const hint = (e as NodeJS.ErrnoException).code === 'ENOENT' ? ' (enroll first: otasuke sensor enroll --server URL --code CODE, or give --config)' : '';
    throw new ConfigError(file, [`cannot read it: ${(e as Error).message}${hint}`]);
  }
  let raw: unknown;
  try {
    raw = parseJsonc(text);
  } catch (e) {
    throw new ConfigError(file, [`not valid JSON (comments allowed): ${(e as Error).message}`]);
  }
  const { config, problems } = agentConfigOf(raw, options.dataDir !== undefined ? { dataDir: options.dataDir } : {});
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

export interface SensorCredential {
  sensorId: string;
  credential: string;
  /** Public half of the bundle-signing key, when the server handed it out at enrollment. */
  bundlePublicKey?: string;
}

export function readCredential(file: string): SensorCredential {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, [`cannot read the sensor credential: ${(e as Error).message} (enroll again: otasuke sensor enroll --server URL --code CODE)`]);
  }
  const c = raw as Partial<SensorCredential> | null;
  if (typeof c?.credential !== 'string' || c.credential === '' || typeof c.sensorId !== 'string') {
    throw new ConfigError(file, ['the file holds no sensor credential (enroll again: otasuke sensor enroll --server URL --code CODE)']);
  }
  return { sensorId: c.sensorId, credential: c.credential, ...(typeof c.bundlePublicKey === 'string' ? { bundlePublicKey: c.bundlePublicKey } : {}) };
}
