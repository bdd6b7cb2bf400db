/**
 * Loading rule files into a RuleEngine: files or folders of `*.rules`, the variables of
 * suricata.yaml (defaults below), classification.config and threshold.config. A rule outside the
 * supported subset is skipped with its reason and counted; a broken line is reported as
 * file:line:reason; nothing throws out of the loader except an unreadable path given by the user.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { builtInClassifications, parseClassifications } from './classification.ts';
import { RuleEngine } from './ruleEngine.ts';
import type { Rule } from './ruleModel.ts';
import { DatasetRegistry } from './ruleDatasets.ts';
import { parseRule } from './ruleParser.ts';
import type { ParseContext } from './ruleParser.ts';
import { RuleSkip } from './ruleSkip.ts';
import { parseThresholdConfig } from './thresholdConfig.ts';

export { RuleEngine } from './ruleEngine.ts';
export type { Rule } from './ruleModel.ts';
export { RuleSkip } from './ruleSkip.ts';

/** suricata.yaml's address and port groups. */
export const DEFAULT_RULE_VARS: Readonly<Record<string, string>> = {
  HOME_NET: '[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]',
  EXTERNAL_NET: '!$HOME_NET',
  HTTP_SERVERS: '$HOME_NET',
  SMTP_SERVERS: '$HOME_NET',
  SQL_SERVERS: '$HOME_NET',
  DNS_SERVERS: '$HOME_NET',
  TELNET_SERVERS: '$HOME_NET',
  AIM_SERVERS: '$EXTERNAL_NET',
  DC_SERVERS: '$HOME_NET',
  DNP3_SERVER: '$HOME_NET',
  DNP3_CLIENT: '$HOME_NET',
  MODBUS_CLIENT: '$HOME_NET',
  MODBUS_SERVER: '$HOME_NET',
  ENIP_CLIENT: '$HOME_NET',
  ENIP_SERVER: '$HOME_NET',
  HTTP_PORTS: '80',
  SHELLCODE_PORTS: '!80',
  ORACLE_PORTS: '1521',
  SSH_PORTS: '22',
  DNP3_PORTS: '20000',
  MODBUS_PORTS: '502',
  FILE_DATA_PORTS: '[$HTTP_PORTS,110,143]',
  FTP_PORTS: '21',
  GENEVE_PORTS: '6081',
  VXLAN_PORTS: '4789',
  TEREDO_PORTS: '3544',
  SIP_PORTS: '[5060,5061]',
};

export interface RuleLoadInput {
  /** Files or folders of *.rules. */
  files: string[];
  /** Variables over the defaults (HOME_NET, EXTERNAL_NET, HTTP_PORTS…); `$` optional in names. */
  vars?: Record<string, string>;
  classificationFile?: string;
  thresholdConfigFile?: string;
}

export interface RuleLoadStats {
  files: number;
  /** Rule lines, commented out or not. */
  total: number;
  /** Rule lines not commented out. */
  active: number;
  loaded: number;
  skipped: number;
  skipReasons: { reason: string; count: number }[];
  errors: { file: string; line: number; reason: string }[];
  /** Wall time of the load. */
  loadMs: number;
  /** CPU time of the load (the wall time grows when the box is busy; this does not). */
  cpuMs: number;
}

export interface RuleLoad {
  engine: RuleEngine;
  stats: RuleLoadStats;
}

/** Lines reported one by one; past this only counted. */
const MAX_ERRORS_LISTED = 1000;

const COMMENTED_RULE = /^#+\s*(alert|drop|reject|rejectsrc|rejectdst|rejectboth|pass)\s/;

function ruleFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (name.endsWith('.rules')) out.push(join(p, name));
    } else out.push(p);
  }
  return out;
}

function mergedVars(vars: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { ...DEFAULT_RULE_VARS };
  for (const [k, v] of Object.entries(vars ?? {})) out[k.replace(/^\$/, '')] = v;
  return out;
}

interface Accumulator {
  rules: Rule[];
  /** Interned metadata strings (ET repeats the same keys and values across thousands of rules). */
  strings: Map<string, string>;
  stats: RuleLoadStats;
  reasons: Map<string, number>;
  sids: Set<string>;
}

function newAccumulator(): Accumulator {
  return { rules: [], strings: new Map(), stats: { files: 0, total: 0, active: 0, loaded: 0, skipped: 0, skipReasons: [], errors: [], loadMs: 0, cpuMs: 0 }, reasons: new Map(), sids: new Set() };
}

function skip(acc: Accumulator, file: string, line: number, reason: string, detail: string, listed: boolean): void {
  acc.stats.skipped++;
  acc.reasons.set(reason, (acc.reasons.get(reason) ?? 0) + 1);
  if (listed && acc.stats.errors.length < MAX_ERRORS_LISTED) acc.stats.errors.push({ file, line, reason: detail });
}

/** A copy of `s` that does not point into the rule line (V8 keeps the whole line alive behind a
 *  substring), shared with the equal strings seen before. */
function intern(s: string, table: Map<string, string>): string {
  let v = table.get(s);
  if (v === undefined) {
    v = s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
    table.set(v, v);
  }
  return v;
}

/** The rule's message and metadata without references into its line (a third of the loaded
 *  rules' memory was the text of their lines). */
function compactStrings(rule: Rule, table: Map<string, string>): void {
  rule.msg = Buffer.from(rule.msg, 'utf8').toString('utf8');
  const meta: Record<string, string[]> = {};
  for (const [k, values] of Object.entries(rule.metadata)) meta[intern(k, table)] = values.map((v) => intern(v, table));
  rule.metadata = meta;
}

/** Errors (broken lines) are listed; unsupported keywords are only counted. */
const LISTED_REASONS = /^(syntax|missing sid|duplicate sid|content: bad hex|content: not quoted|undefined variable|address|port)/;

function addText(acc: Accumulator, text: string, file: string, base: Omit<ParseContext, 'file' | 'line'>): void {
  acc.stats.files++;
  const ctx: ParseContext = { ...base, file, line: 0 };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    const lineNo = i + 1;
    // Continuation lines (trailing backslash).
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.trim();
    }
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (COMMENTED_RULE.test(line)) acc.stats.total++;
      continue;
    }
    acc.stats.total++;
    acc.stats.active++;
    try {
      ctx.line = lineNo;
      const rule = parseRule(line, acc.rules.length, ctx);
      const key = `${rule.gid}:${rule.sid}`;
      if (acc.sids.has(key)) throw new RuleSkip('duplicate sid', `duplicate sid ${rule.sid} (gid ${rule.gid}): the later rule is skipped`);
      acc.sids.add(key);
      compactStrings(rule, acc.strings);
      acc.rules.push(rule);
      acc.stats.loaded++;
    } catch (e) {
      if (e instanceof RuleSkip) skip(acc, file, lineNo, e.reason, e.detail, LISTED_REASONS.test(e.reason));
      else skip(acc, file, lineNo, 'internal error', `internal error: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  }
}

function finishStats(acc: Accumulator, started: { wall: number; cpu: NodeJS.CpuUsage }): RuleLoadStats {
  acc.stats.skipReasons = [...acc.reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  acc.stats.loadMs = Math.round(performance.now() - started.wall);
  const cpu = process.cpuUsage(started.cpu);
  acc.stats.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  return acc.stats;
}

function startClock(): { wall: number; cpu: NodeJS.CpuUsage } {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}

export async function loadRules(input: RuleLoadInput): Promise<RuleLoad> {
  const started = startClock();
  const vars = mergedVars(input.vars);
  const acc = newAccumulator();
  const files = ruleFiles(input.files);
  const groupCache = new Map();
  const datasets = new DatasetRegistry();
  for (const file of files) {
    const dir = dirname(file);
    const readListFile = (name: string): string | undefined => {
      const p = join(dir, name);
      return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
    };
    addText(acc, readFileSync(file, 'utf8'), file, { vars, readListFile, groupCache, datasets });
  }
  let classifications = builtInClassifications();
  const classFile = input.classificationFile ?? findBeside(files, 'classification.config');
  if (classFile !== undefined) {
    const parsed = parseClassifications(readFileSync(classFile, 'utf8'));
    classifications = new Map([...classifications, ...parsed.classes]);
    for (const e of parsed.errors) acc.stats.errors.push({ file: classFile, line: e.line, reason: e.reason });
  }
  let thresholdConfig;
  if (input.thresholdConfigFile !== undefined) {
    thresholdConfig = parseThresholdConfig(readFileSync(input.thresholdConfigFile, 'utf8'), vars);
    for (const e of thresholdConfig.errors) acc.stats.errors.push({ file: input.thresholdConfigFile, line: e.line, reason: e.reason });
  }
  const engine = new RuleEngine(acc.rules, thresholdConfig === undefined ? { classifications } : { classifications, thresholdConfig });
  return { engine, stats: finishStats(acc, started) };
}

/** classification.config in the folder of the first rule file (ET Open ships it there). */
function findBeside(files: readonly string[], name: string): string | undefined {
  if (files.length === 0) return undefined;
  const p = join(dirname(files[0]!), name);
  return existsSync(p) ? p : undefined;
}

/** Rules from text, for tests. */
export function loadRulesText(text: string, source = 'inline.rules', options: { vars?: Record<string, string>; thresholdConfig?: string; listFiles?: Record<string, string> } = {}): RuleLoad {
  const started = startClock();
  const acc = newAccumulator();
  const vars = mergedVars(options.vars);
  addText(acc, text, source, { vars, readListFile: (name) => options.listFiles?.[name], groupCache: new Map(), datasets: new DatasetRegistry() });
  const thresholdConfig = options.thresholdConfig === undefined ? undefined : parseThresholdConfig(options.thresholdConfig, vars);
  const engine = new RuleEngine(acc.rules, thresholdConfig === undefined ? {} : { thresholdConfig });
  return { engine, stats: finishStats(acc, started) };
}

/** The summary `otasuke sensor rules check` prints. */
export function formatRuleLoadStats(stats: RuleLoadStats, options: { reasons?: number; errors?: number } = {}): string {
  const pct = stats.active === 0 ? 0 : (stats.loaded / stats.active) * 100;
  const lines = [
    `ルールファイル / rule files: ${stats.files}`,
    `ルール / rules: ${stats.total} (有効 active ${stats.active}, コメントアウト commented out ${stats.total - stats.active})`,
    `読込 / loaded: ${stats.loaded} (${pct.toFixed(1)}% of active)`,
    `スキップ / skipped: ${stats.skipped}`,
    `読込時間 / load time: ${stats.loadMs} ms (CPU ${stats.cpuMs} ms)`,
  ];
  const reasons = stats.skipReasons.slice(0, options.reasons ?? 15);
  if (reasons.length > 0) {
    lines.push('スキップ理由 / top skip reasons:');
    for (const r of reasons) lines.push(`  ${String(r.count).padStart(6)}  ${r.reason}`);
  }
  const errors = stats.errors.slice(0, options.errors ?? 20);
  if (errors.length > 0) {
    lines.push(`エラー行 / broken lines (${stats.errors.length}):`);
    for (const e of errors) lines.push(`  ${e.file}:${e.line}: ${e.reason}`);
  }
  return lines.join('\n');
}
