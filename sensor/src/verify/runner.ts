/**
 * Runs suricata-verify cases against the sensor. The sensor is injected (`runSensor`), so the
 * harness is tested with canned output and the CLI wires in the real pipeline. Each case: load and
 * judge the folder, run the sensor on its capture and rules, validate every EVE record against the
 * schema (the ingest contract), then evaluate the case's checks.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEveRecord } from '../eve/eveSchema.ts';
import type { EveValidation } from '../eve/eveSchema.ts';
import { evaluateCheckEntry, parseJsonLines } from './checks.ts';
import type { CheckResult, ParsedJsonLines } from './checks.ts';
import { classifyChecks } from './caseKind.ts';
import type { VerifyCaseKind } from './caseKind.ts';
import { DEFAULT_VERIFY_TESTS_DIR, findVerifyCaseDirs, loadVerifyCase } from './testCase.ts';
import type { EveOutputConfig, SensorRunOptions, VerifyCase } from './testCase.ts';
import { OTASUKE_CAPABILITIES } from './requirements.ts';
import type { SensorCapabilities } from './requirements.ts';

/** What the sensor is asked to do for one case. */
export interface SensorRunInput {
  caseName: string;
  caseDir: string;
  /** Absolute path of the capture. */
  pcap: string;
  /** Absolute path of the rules file; undefined: run with detection disabled. */
  rules: string | undefined;
  /** An empty folder the run may write into (eve.json, files). */
  outDir: string;
  /** The case's `args` tokens (${TEST_DIR} expanded), for the record. */
  args: readonly string[];
  /** What the sensor must honour of those args. */
  options: SensorRunOptions;
  /** The EVE output the case's suricata.yaml asks for; undefined: the default outputs. */
  eveOutput: EveOutputConfig | undefined;
}

export interface SensorRunResult {
  /** The eve.json lines, one record each. */
  eveLines: readonly string[];
  /** Other JSON-lines files by name, for filter checks with `filename:`. */
  otherJsonFiles?: Readonly<Record<string, readonly string[]>>;
  /** The exit code a CLI run would end with; undefined: not known (not compared). */
  exitCode?: number;
}

export type RunSensor = (input: SensorRunInput) => Promise<SensorRunResult>;

export type VerifyStatus = 'pass' | 'fail' | 'skip';

export interface VerifyCaseResult {
  name: string;
  status: VerifyStatus;
  /** Why it was skipped or failed (the first failing check's message for a failure). */
  reason?: string;
  kind: VerifyCaseKind;
  checks: CheckResult[];
}

export interface RunCaseOptions {
  /** The tests root case names are relative to. */
  rootDir?: string;
  capabilities?: SensorCapabilities;
  /** Where the sensor writes; default: a temporary folder removed afterwards. */
  outDir?: string;
  /** Schema check of every EVE record; false turns it off. Default: validateEveRecord. */
  validateRecord?: ((record: unknown) => EveValidation) | false;
}

const SCHEMA_ERRORS_SHOWN = 5;

/** Runs one case folder. Never throws: a sensor crash is a failure of the case. */
export async function runVerifyCase(caseDir: string, runSensor: RunSensor, options: RunCaseOptions = {}): Promise<VerifyCaseResult> {
  const verifyCase = loadVerifyCase(caseDir, {
    ...(options.rootDir === undefined ? {} : { rootDir: options.rootDir }),
    capabilities: options.capabilities ?? OTASUKE_CAPABILITIES,
  });
  return runLoadedCase(verifyCase, runSensor, options);
}

async function runLoadedCase(verifyCase: VerifyCase, runSensor: RunSensor, options: RunCaseOptions): Promise<VerifyCaseResult> {
  const { kind } = classifyChecks(verifyCase.checks);
  const base = { name: verifyCase.name, kind };
  if (!verifyCase.applicability.runnable) {
    return { ...base, status: verifyCase.applicability.status, reason: verifyCase.applicability.reason, checks: [] };
  }
  const pcap = verifyCase.pcap as string; // runnable cases always have one

  const ownOutDir = options.outDir === undefined;
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'otasuke-verify-'));
  mkdirSync(outDir, { recursive: true });
  let result: SensorRunResult;
  try {
    result = await runSensor({
      caseName: verifyCase.name,
      caseDir: verifyCase.dir,
      pcap,
      rules: verifyCase.rules,
      outDir,
      args: verifyCase.args,
      options: verifyCase.options,
      eveOutput: verifyCase.eveOutput,
    });
  } catch (error) {
    return { ...base, status: 'fail', reason: `the sensor failed: ${error instanceof Error ? error.message : String(error)}`, checks: [] };
  } finally {
    if (ownOutDir) rmSync(outDir, { recursive: true, force: true });
  }

  if (result.exitCode !== undefined && result.exitCode !== verifyCase.expectedExitCode) {
    return { ...base, status: 'fail', reason: `got exit code ${result.exitCode}, expected ${verifyCase.expectedExitCode}`, checks: [] };
  }

  const eve = parseJsonLines(result.eveLines);
  const jsonFiles = new Map<string, ParsedJsonLines>([['eve.json', eve]]);
  for (const [name, lines] of Object.entries(result.otherJsonFiles ?? {})) jsonFiles.set(name, parseJsonLines(lines));

  const checks: CheckResult[] = [];
  for (const [index, entry] of verifyCase.checks.entries()) {
    checks.push(...evaluateCheckEntry(index, entry, { jsonFiles }, { capabilities: options.capabilities ?? OTASUKE_CAPABILITIES, testDir: verifyCase.dir }));
  }
  const validate = options.validateRecord === undefined ? validateEveRecord : options.validateRecord;
  if (validate !== false) checks.push(schemaCheck(verifyCase.checks.length, eve, validate));

  return { ...base, ...caseStatus(checks), checks };
}

/** Every EVE record must pass the schema: the sensor's output is the server's input. */
function schemaCheck(index: number, eve: ParsedJsonLines, validate: (record: unknown) => EveValidation): CheckResult {
  if (!eve.ok) return { index, type: 'schema', status: 'fail', message: `eve.json: ${eve.error}` };
  const problems: string[] = [];
  let invalid = 0;
  for (const [position, record] of eve.records.entries()) {
    const verdict = validate(record);
    if (verdict.ok) continue;
    invalid += 1;
    if (problems.length < SCHEMA_ERRORS_SHOWN) {
      const type = typeof record === 'object' && record !== null ? String((record as Record<string, unknown>).event_type) : '?';
      problems.push(`record ${position + 1} (${type}): ${verdict.errors.join('; ')}`);
    }
  }
  if (invalid === 0) return { index, type: 'schema', status: 'pass', message: `all ${eve.records.length} EVE records pass the schema` };
  return { index, type: 'schema', status: 'fail', message: `${invalid} of ${eve.records.length} EVE records break the schema:\n${problems.join('\n')}` };
}

/** Fail if any check failed; skip if every case check was skipped; else pass. */
function caseStatus(checks: readonly CheckResult[]): { status: VerifyStatus; reason?: string } {
  const failed = checks.find((check) => check.status === 'fail');
  if (failed !== undefined) return { status: 'fail', reason: `check ${failed.index + 1} (${failed.type}): ${failed.message}` };
  const caseChecks = checks.filter((check) => check.type !== 'schema');
  if (caseChecks.length > 0 && caseChecks.every((check) => check.status === 'skip')) {
    return { status: 'skip', reason: `every check skipped: ${caseChecks[0]?.message ?? ''}` };
  }
  return { status: 'pass' };
}

export interface RunCasesOptions extends Omit<RunCaseOptions, 'rootDir' | 'outDir'> {
  /** Which cases to run, by name (`dns/dns-eve`); default: all. */
  only?: (name: string) => boolean;
  /** Parent of the per-case output folders; default: a temporary folder removed afterwards. */
  outRoot?: string;
}

export interface VerifyRunSummary {
  results: VerifyCaseResult[];
  passed: number;
  failed: number;
  skipped: number;
}

/** Runs every case under `rootDir` (default: ../shared/data/suricata-verify/tests), in name order. */
export async function runVerifyCases(
  rootDir: string = DEFAULT_VERIFY_TESTS_DIR,
  runSensor: RunSensor,
  options: RunCasesOptions = {},
): Promise<VerifyRunSummary> {
  const ownOutRoot = options.outRoot === undefined;
  const outRoot = options.outRoot ?? mkdtempSync(join(tmpdir(), 'otasuke-verify-'));
  const results: VerifyCaseResult[] = [];
  try {
    for (const dir of findVerifyCaseDirs(rootDir)) {
      const verifyCase = loadVerifyCase(dir, { rootDir, capabilities: options.capabilities ?? OTASUKE_CAPABILITIES });
      if (options.only !== undefined && !options.only(verifyCase.name)) continue;
      // A fresh folder per case, as suricata-verify empties `output/` before each run; kept
      // afterwards when the caller chose outRoot, for a look at what the sensor wrote.
      const outDir = join(outRoot, verifyCase.name.replaceAll('/', '__'));
      rmSync(outDir, { recursive: true, force: true });
      results.push(await runLoadedCase(verifyCase, runSensor, { ...options, outDir }));
    }
  } finally {
    if (ownOutRoot) rmSync(outRoot, { recursive: true, force: true });
  }
  return {
    results,
    passed: results.filter((result) => result.status === 'pass').length,
    failed: results.filter((result) => result.status === 'fail').length,
    skipped: results.filter((result) => result.status === 'skip').length,
  };
}

export interface ReportOptions {
  /** Under each failed case, every failing check's full message, indented. */
  verbose?: boolean;
}

/** One line per case (`PASS name [kind] n/m checks` or the reason), then the totals. */
export function formatVerifyReport(summary: VerifyRunSummary, options: ReportOptions = {}): string {
  const width = Math.max(0, ...summary.results.map((result) => result.name.length));
  const lines = summary.results.flatMap((result) => {
    const label = result.status.toUpperCase().padEnd(4);
    const head = `${label}  ${result.name.padEnd(width)}  [${result.kind}]`;
    if (result.status === 'pass') {
      const evaluated = result.checks.filter((check) => check.type !== 'schema');
      const passed = evaluated.filter((check) => check.status === 'pass').length;
      return [`${head}  ${passed}/${evaluated.length} checks`];
    }
    const out = [`${head}  ${firstLine(result.reason ?? '')}`];
    if (options.verbose === true && result.status === 'fail') {
      for (const check of result.checks.filter((c) => c.status === 'fail')) {
        out.push(...`check ${check.index + 1} (${check.type}): ${check.message}`.split('\n').map((line) => `      ${line}`));
      }
    }
    return out;
  });
  const logging = summary.results.filter((result) => result.kind === 'logging-only');
  const loggingPassed = logging.filter((result) => result.status === 'pass').length;
  lines.push('');
  lines.push(`PASSED:  ${summary.passed}`);
  lines.push(`FAILED:  ${summary.failed}`);
  lines.push(`SKIPPED: ${summary.skipped}`);
  lines.push(`logging-only: ${loggingPassed}/${logging.length} passed`);
  return lines.join('\n');
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : `${text.slice(0, end)} …`;
}
