/**
 * A suricata-verify case folder, read the way its runner reads it: `test.yaml` (parsed as YAML
 * 1.1, like PyYAML), the capture (`pcap:` or the single *.pcap/*.pcapng in the folder), the single
 * *.rules file (none → detection off), the folder's own suricata.yaml, and the `args`. Then: does
 * the case apply to the Otasuke sensor? A requirement we do not meet, a custom command line or a
 * Suricata option the sensor has no equivalent of makes it a skip, with the reason.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Tags } from 'yaml';
import { isDict, pythonRepr, pythonStr } from './pythonValues.ts';
import { judgeRequirements, OTASUKE_CAPABILITIES } from './requirements.ts';
import type { SensorCapabilities } from './requirements.ts';

/** How the sensor should run for a case, from its `args` (what it understands of them). */
export interface SensorRunOptions {
  /** `-k none|all|auto`: `none` for the captures with bad checksums (most of them). */
  checksumValidation: 'auto' | 'all' | 'none';
  /** `--set name=value` settings the sensor is asked to honour (${TEST_DIR} expanded). */
  settings: Readonly<Record<string, string>>;
}

/** The EVE output a case's suricata.yaml asks for (types, community id, stats). */
export interface EveOutputConfig {
  /** Enabled eve-log `types` with their options, in file order; undefined: Suricata's default list. */
  types: readonly { name: string; options: Readonly<Record<string, unknown>> }[] | undefined;
  communityId: boolean;
  communityIdSeed: number | undefined;
  /** Top-level `stats.enabled`; undefined when the file does not say. */
  statsEnabled: boolean | undefined;
  /** `include:` of the file, which this reader does not follow. */
  include: string | undefined;
}

export type CaseApplicability = { runnable: true } | { runnable: false; status: 'skip' | 'fail'; reason: string };

export interface VerifyCase {
  /** Path of the folder under the tests root, `/`-separated: `dns/dns-udp-eve-dig`. */
  name: string;
  dir: string;
  /** test.yaml as parsed (empty mapping when the file is empty). */
  config: Readonly<Record<string, unknown>>;
  /** Absolute path of the capture. */
  pcap: string | undefined;
  /** Absolute path of the rules file; undefined: the case runs with detection disabled. */
  rules: string | undefined;
  /** Absolute path of the case's own suricata.yaml. */
  suricataYaml: string | undefined;
  eveOutput: EveOutputConfig | undefined;
  /** The `args` tokens as suricata-verify splits them, ${TEST_DIR} expanded. */
  args: readonly string[];
  options: SensorRunOptions;
  /** The `checks` entries, unevaluated. */
  checks: readonly unknown[];
  /** Every file of the folder by name (data files the rules load: datasets, reputation lists…). */
  files: readonly string[];
  /** `exit-code:` the run must end with (default 0). */
  expectedExitCode: number;
  applicability: CaseApplicability;
}

export interface LoadCaseOptions {
  /** The tests root the case name is relative to; default: the folder's parent. */
  rootDir?: string;
  capabilities?: SensorCapabilities;
}

/** ../shared/data/suricata-verify/tests, resolved from the repo root. */
export const DEFAULT_VERIFY_TESTS_DIR = fileURLToPath(new URL('../../../../shared/data/suricata-verify/tests', import.meta.url));

/**
 * PyYAML's YAML 1.1 scalars: `yes`/`no`/`on`/`off` are booleans but `y`/`n` are not, and a float
 * needs a dot (`1e3` stays a string). The `yaml` package's 1.1 schema is broader on both; narrowed
 * here so expectations read exactly as suricata-verify reads them.
 */
const PYYAML_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PYYAML_EXP_FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*[eE][-+][0-9]+$/;

function narrowToPyYaml(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== 'object' || !('test' in tag) || tag.test === undefined) return tag;
    if (tag.tag === 'tag:yaml.org,2002:bool') {
      const original = tag.test;
      return { ...tag, test: new RegExp(`(?=${PYYAML_BOOL.source})${original.source}`) };
    }
    if (tag.tag === 'tag:yaml.org,2002:float' && tag.format === 'EXP') return { ...tag, test: PYYAML_EXP_FLOAT };
    return tag;
  }) as Tags;
}

/** Parses a suricata-verify YAML file as PyYAML's safe_load would. */
export function parseVerifyYaml(text: string): unknown {
  return parseYaml(text, { version: '1.1', customTags: narrowToPyYaml, merge: true, uniqueKeys: false });
}

/** Every folder under `rootDir` holding a test.yaml, by case name. */
export function findVerifyCaseDirs(rootDir: string = DEFAULT_VERIFY_TESTS_DIR): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    const names = readdirSync(dir).sort();
    if (names.includes('test.yaml')) found.push(dir);
    for (const name of names) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(rootDir);
  return found.sort((a, b) => caseName(rootDir, a).localeCompare(caseName(rootDir, b)));
}

function caseName(rootDir: string, dir: string): string {
  const name = relative(rootDir, dir).split(sep).join('/');
  return name === '' ? basename(dir) : name;
}

/** `--set` settings the sensor honours: passed on in `options.settings`. */
const SETTINGS_PASSED_ON: ReadonlySet<string> = new Set([
  'stream.midstream',
  'vlan.use-for-tracking',
  'app-layer.protocols.tls.ja4-fingerprints',
  'app-layer.protocols.http.libhtp.default-config.response-body-limit',
  'threshold-file',
]);
/** `--set` settings that tune Suricata's internals without changing its output: dropped. */
const SETTINGS_WITHOUT_EFFECT: ReadonlySet<string> = new Set([
  'mpm-algo',
  'spm-algo',
  'app-layer.protocols.http.libhtp.default-config.decompression-time-limit',
  'classification-file',
  'reference-config-file',
]);
/** Flags that change nothing in the output. */
const FLAGS_WITHOUT_EFFECT: ReadonlySet<string> = new Set(['-v', '-vv', '-vvv', '-vvvv', '--init-errors-fatal']);
const FLAGS_WITH_VALUE_WITHOUT_EFFECT: ReadonlySet<string> = new Set(['--runmode']);

type ArgsReading = { ok: true; options: SensorRunOptions } | { ok: false; reason: string };

/** Reads `args` tokens into sensor options, or names the first option the sensor cannot honour. */
export function readSuricataArgs(tokens: readonly string[]): ArgsReading {
  let checksumValidation: SensorRunOptions['checksumValidation'] = 'auto';
  const settings: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const next = (): string | undefined => {
      i += 1;
      return tokens[i];
    };
    if (token === '-k') {
      const mode = next();
      if (mode !== 'none' && mode !== 'all' && mode !== 'auto') return { ok: false, reason: `bad checksum mode -k ${mode ?? ''}` };
      checksumValidation = mode;
    } else if (token === '--set' || token.startsWith('--set=')) {
      const assignment = token === '--set' ? next() : token.slice('--set='.length);
      const eq = assignment?.indexOf('=') ?? -1;
      if (assignment === undefined || eq <= 0) return { ok: false, reason: `bad --set ${assignment ?? ''}` };
      const name = assignment.slice(0, eq);
      const value = assignment.slice(eq + 1);
      if (/\$\{(?!TEST_DIR\})/.test(value)) return { ok: false, reason: `--set ${assignment} refers to Suricata's build or output folders` };
      if (SETTINGS_PASSED_ON.has(name)) settings[name] = value;
      else if (!SETTINGS_WITHOUT_EFFECT.has(name)) return { ok: false, reason: `needs Suricata option --set ${assignment}, which the sensor does not support` };
    } else if (FLAGS_WITHOUT_EFFECT.has(token)) {
      continue;
    } else if (FLAGS_WITH_VALUE_WITHOUT_EFFECT.has(token)) {
      next();
    } else if (token === '--simulate-ips') {
      return { ok: false, reason: 'needs IPS mode (--simulate-ips: drop verdicts), which the sensor does not have' };
    } else {
      return { ok: false, reason: `needs Suricata option ${token}, which the sensor does not support` };
    }
  }
  return { ok: true, options: { checksumValidation, settings } };
}

/** suricata-verify splits each `args` entry on single whitespace characters; empty pieces dropped. */
export function splitArgs(args: unknown, testDir: string): string[] | string {
  if (args === undefined || args === null) return [];
  if (!Array.isArray(args)) return `args must be a list, found ${pythonRepr(args)}`;
  return args
    .flatMap((arg) => pythonStr(arg).split(/\s/))
    .filter((token) => token !== '')
    .map((token) => token.replaceAll('${TEST_DIR}', testDir));
}

/** What a case's suricata.yaml asks of the EVE output. */
export function readEveOutputConfig(suricataYaml: unknown): EveOutputConfig {
  const config = isDict(suricataYaml) ? suricataYaml : {};
  let types: { name: string; options: Readonly<Record<string, unknown>> }[] | undefined;
  let communityId = false;
  let communityIdSeed: number | undefined;
  const outputs = Array.isArray(config.outputs) ? config.outputs : [];
  for (const output of outputs) {
    if (!isDict(output) || !isDict(output['eve-log'])) continue;
    const eve = output['eve-log'];
    if (eve.enabled === false) continue;
    communityId ||= eve['community-id'] === true;
    if (typeof eve['community-id-seed'] === 'number') communityIdSeed = eve['community-id-seed'];
    if (!Array.isArray(eve.types)) continue;
    types ??= [];
    for (const entry of eve.types) {
      if (typeof entry === 'string') types.push({ name: entry, options: {} });
      else if (isDict(entry)) {
        for (const [name, options] of Object.entries(entry)) {
          const opts = isDict(options) ? options : {};
          if (opts.enabled !== false) types.push({ name, options: opts });
        }
      }
    }
  }
  const stats = config.stats;
  return {
    types,
    communityId,
    communityIdSeed,
    statsEnabled: isDict(stats) && typeof stats.enabled === 'boolean' ? stats.enabled : undefined,
    include: typeof config.include === 'string' ? config.include : undefined,
  };
}

const CAPTURE_NAME = /\.(pcap|pcapng)$/;

/** Loads one case folder. Never throws for a bad case: problems land in `applicability`. */
export function loadVerifyCase(caseDir: string, options: LoadCaseOptions = {}): VerifyCase {
  const dir = resolve(caseDir);
  const capabilities = options.capabilities ?? OTASUKE_CAPABILITIES;
  const name = caseName(resolve(options.rootDir ?? join(dir, '..')), dir);
  const files = existsSync(dir) ? readdirSync(dir).filter((file) => statSync(join(dir, file)).isFile()).sort() : [];
  const verifyCase: VerifyCase = {
    name,
    dir,
    config: {},
    pcap: undefined,
    rules: undefined,
    suricataYaml: undefined,
    eveOutput: undefined,
    args: [],
    options: { checksumValidation: 'auto', settings: {} },
    checks: [],
    files,
    expectedExitCode: 0,
    applicability: { runnable: true },
  };
  const fail = (reason: string): VerifyCase => ({ ...verifyCase, applicability: { runnable: false, status: 'fail', reason } });
  const skip = (reason: string): VerifyCase => ({ ...verifyCase, applicability: { runnable: false, status: 'skip', reason } });

  // test.yaml
  const testYamlPath = join(dir, 'test.yaml');
  if (existsSync(testYamlPath)) {
    let parsed: unknown;
    try {
      parsed = parseVerifyYaml(readFileSync(testYamlPath, 'utf8'));
    } catch (error) {
      return fail(`test.yaml is not valid YAML: ${(error as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined && !isDict(parsed)) return fail('test.yaml must be a mapping');
    verifyCase.config = isDict(parsed) ? parsed : {};
  }
  const config = verifyCase.config;
  if (config.checks !== undefined && config.checks !== null && !Array.isArray(config.checks)) return fail('checks must be a list');
  verifyCase.checks = Array.isArray(config.checks) ? config.checks : [];
  if (config['exit-code'] !== undefined) {
    if (typeof config['exit-code'] !== 'number') return fail(`exit-code must be a number, found ${pythonRepr(config['exit-code'])}`);
    verifyCase.expectedExitCode = config['exit-code'];
  }

  // The case's own suricata.yaml (which EVE types, community id, stats).
  const suricataYamlPath = join(dir, 'suricata.yaml');
  if (existsSync(suricataYamlPath)) {
    verifyCase.suricataYaml = suricataYamlPath;
    try {
      verifyCase.eveOutput = readEveOutputConfig(parseVerifyYaml(readFileSync(suricataYamlPath, 'utf8')));
    } catch (error) {
      return fail(`suricata.yaml is not valid YAML: ${(error as Error).message}`);
    }
  }

  // args
  const tokens = splitArgs(config.args, dir);
  if (typeof tokens === 'string') return fail(tokens);
  verifyCase.args = tokens;

  // capture
  const requires = config.requires;
  const captureRequired = !(isDict(requires) && requires.pcap === false);
  if (config.pcap !== undefined && config.pcap !== null) {
    const pcap = resolve(dir, pythonStr(config.pcap));
    verifyCase.pcap = pcap;
    if (!existsSync(pcap)) return fail(`capture ${pythonStr(config.pcap)} does not exist`);
  } else {
    const captures = files.filter((file) => CAPTURE_NAME.test(file));
    if (captures.length > 1) return fail(`More than 1 pcap file found: ${captures.join(', ')}`);
    if (captures.length === 1) verifyCase.pcap = join(dir, captures[0] as string);
  }

  // rules
  const ruleFiles = files.filter((file) => file.endsWith('.rules'));
  if (ruleFiles.length > 1) return fail(`More than 1 rule file found: ${ruleFiles.join(', ')}`);
  if (ruleFiles.length === 1) verifyCase.rules = join(dir, ruleFiles[0] as string);

  // applicability, in suricata-verify's order: requires, skip, then what the sensor can do
  const verdict = judgeRequirements(requires, capabilities, dir);
  if (!verdict.satisfied) return 'invalid' in verdict ? fail(verdict.invalid) : skip(verdict.reason);
  const skipReason = judgeSkipList(config.skip, capabilities);
  if (skipReason !== undefined) return skip(skipReason);
  if (config.command !== undefined) return skip('runs its own Suricata command line (command:)');
  if (config.setup !== undefined) return skip('needs setup scripts (setup:), which are never run');
  if (config['pre-check'] !== undefined) return skip('needs a pre-check script, which is never run');
  if (files.includes('check.sh')) return skip('verified by check.sh, which is never run');
  if (verifyCase.pcap === undefined) {
    return captureRequired ? skip('No pcap file found') : skip('runs without a capture (a Suricata invocation test)');
  }
  // suricata-verify adds --simulate-ips to every case whose name holds "ips".
  if (basename(dir).includes('ips')) return skip('runs in IPS mode (name contains "ips" → --simulate-ips), which the sensor does not have');
  const reading = readSuricataArgs(tokens);
  if (!reading.ok) return skip(reading.reason);
  verifyCase.options = reading.options;
  return verifyCase;
}

/** `skip:` entries: skip when we have the feature or run as the uid; `config` patterns need Suricata's config. */
function judgeSkipList(skipList: unknown, capabilities: SensorCapabilities): string | undefined {
  if (!Array.isArray(skipList)) return undefined;
  for (const entry of skipList) {
    if (!isDict(entry)) continue;
    const message = typeof entry.msg === 'string' ? entry.msg : undefined;
    if (entry.uid !== undefined && typeof process.getuid === 'function' && process.getuid() === entry.uid) {
      return message ?? `not for uid ${pythonStr(entry.uid)}`;
    }
    if (entry.feature !== undefined && capabilities.features.has(pythonStr(entry.feature))) {
      return message ?? `not for feature ${pythonStr(entry.feature)}`;
    }
  }
  return undefined;
}
