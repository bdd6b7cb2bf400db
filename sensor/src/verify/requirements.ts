/**
 * `requires:` of a suricata-verify case or check, judged against what the Otasuke sensor is: a
 * reimplementation of Suricata 8.0.6's EVE behaviour with a known feature set. Anything that would
 * need running code from the test folder (scripts, lambdas) is never run: it skips, with the reason.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isDict, isNone, pythonStr } from './pythonValues.ts';

export interface SensorCapabilities {
  /** The Suricata release whose output the sensor reproduces. */
  version: string;
  /** Suricata build features (`suricata --build-info`) the sensor has an equivalent of. */
  features: ReadonlySet<string>;
}

/** What the sensor claims: Suricata 8.0.6 output (the schema's release) with JA3 and JA4. */
export const OTASUKE_CAPABILITIES: SensorCapabilities = {
  version: '8.0.6',
  features: new Set(['HAVE_JA3', 'HAVE_JA4']),
};

export interface SuricataVersion {
  major: number;
  minor: number | undefined;
  patch: number | undefined;
}

/** "8", "8.0", "7.0.14", "8.0.0-dev", 6.0 (a YAML float) → parts; undefined when no digits. */
export function parseSuricataVersion(value: unknown): SuricataVersion | undefined {
  const match = /(\d+)\.?(\d+)?\.?(\d+)?/.exec(pythonStr(value).trim());
  if (match === null) return undefined;
  const part = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));
  return { major: Number(match[1]), minor: part(match[2]), patch: part(match[3]) };
}

/** Compares with missing parts read as 0: "8" is 8.0.0, so 8.0.6 ≥ "8" and 8.0.6 < "8.0.7". */
export function compareVersions(a: SuricataVersion, b: SuricataVersion): number {
  return a.major - b.major || (a.minor ?? 0) - (b.minor ?? 0) || (a.patch ?? 0) - (b.patch ?? 0);
}

/** `version: 8.0` matches 8.0.x; a part the requirement leaves out matches anything. */
export function versionMatches(actual: SuricataVersion, wanted: SuricataVersion): boolean {
  if (actual.major !== wanted.major) return false;
  if (wanted.minor !== undefined && actual.minor !== undefined && wanted.minor !== actual.minor) return false;
  if (wanted.patch !== undefined && actual.patch !== undefined && wanted.patch !== actual.patch) return false;
  return true;
}

/** Met; not met (skip, with the reason); or malformed (the case fails, as it would in suricata-verify). */
export type RequirementVerdict = { satisfied: true } | { satisfied: false; reason: string } | { satisfied: false; invalid: string };

const NODE_ARCH_AS_PYTHON: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i386' };

/**
 * Judges a `requires` mapping. `testDir` resolves relative `files`. Unknown keys are invalid
 * (suricata-verify raises on them too) rather than silently ignored.
 */
export function judgeRequirements(requires: unknown, capabilities: SensorCapabilities, testDir: string): RequirementVerdict {
  if (isNone(requires)) return { satisfied: true };
  if (!isDict(requires)) return { satisfied: false, invalid: `requires must be a mapping, found ${pythonStr(requires)}` };
  const ours = parseSuricataVersion(capabilities.version);
  if (ours === undefined) throw new Error(`capabilities.version "${capabilities.version}" is not a version`);
  const versionOf = (key: string): SuricataVersion | string => parseSuricataVersion(requires[key]) ?? `requires.${key} is not a version: ${pythonStr(requires[key])}`;

  for (const [key, value] of Object.entries(requires)) {
    switch (key) {
      case 'min-version': {
        const wanted = versionOf(key);
        if (typeof wanted === 'string') return { satisfied: false, invalid: wanted };
        if (compareVersions(ours, wanted) < 0) return { satisfied: false, reason: `requires at least version ${pythonStr(value)}` };
        break;
      }
      case 'lt-version': {
        const wanted = versionOf(key);
        if (typeof wanted === 'string') return { satisfied: false, invalid: wanted };
        if (compareVersions(ours, wanted) >= 0) return { satisfied: false, reason: `for version less than ${pythonStr(value)}` };
        break;
      }
      case 'gt-version': {
        const wanted = versionOf(key);
        if (typeof wanted === 'string') return { satisfied: false, invalid: wanted };
        if (compareVersions(ours, wanted) <= 0) return { satisfied: false, reason: `for version greater than ${pythonStr(value)}` };
        break;
      }
      case 'version': {
        const wanted = versionOf(key);
        if (typeof wanted === 'string') return { satisfied: false, invalid: wanted };
        if (!versionMatches(ours, wanted)) return { satisfied: false, reason: `only for version ${pythonStr(value)}` };
        break;
      }
      case 'features':
        for (const feature of listOf(value)) {
          if (!capabilities.features.has(pythonStr(feature))) return { satisfied: false, reason: `requires feature ${pythonStr(feature)}` };
        }
        break;
      case 'env':
        for (const name of listOf(value)) {
          if (process.env[pythonStr(name)] === undefined) return { satisfied: false, reason: `requires env var ${pythonStr(name)}` };
        }
        break;
      case 'files':
        for (const file of listOf(value)) {
          const path = isAbsolute(pythonStr(file)) ? pythonStr(file) : join(testDir, pythonStr(file));
          if (!existsSync(path)) return { satisfied: false, reason: `requires file ${pythonStr(file)}` };
        }
        break;
      case 'command':
        // Host commands serve shell checks and custom command lines, neither of which runs here.
        if (listOf(value).length > 0) return { satisfied: false, reason: `requires host command ${listOf(value).map(pythonStr).join(', ')} (never run by this harness)` };
        break;
      case 'script':
        return { satisfied: false, reason: 'requires a script to decide (scripts from test folders are never run)' };
      case 'lambda':
        return { satisfied: false, reason: 'requires a Python lambda to decide (never evaluated)' };
      case 'config':
        return { satisfied: false, reason: "requires Suricata configuration values (the sensor has no suricata.yaml)" };
      case 'os':
        if (!process.platform.toLowerCase().startsWith(pythonStr(value).toLowerCase())) return { satisfied: false, reason: `requires os ${pythonStr(value)}` };
        break;
      case 'arch': {
        const arch = NODE_ARCH_AS_PYTHON[process.arch] ?? process.arch;
        if (!arch.toLowerCase().startsWith(pythonStr(value).toLowerCase())) return { satisfied: false, reason: `requires arch ${pythonStr(value)}` };
        break;
      }
      case 'pcap':
        break; // judged where the capture is looked for
      default:
        return { satisfied: false, invalid: `unknown requires type: ${key}` };
    }
  }
  return { satisfied: true };
}

function listOf(value: unknown): unknown[] {
  if (isNone(value)) return [];
  return Array.isArray(value) ? value : [value];
}
