/**
 * The checks of a suricata-verify case, evaluated exactly as its runner does (Python semantics,
 * see pythonValues.ts), on EVE records already parsed. Pure: no files are read and no shell is
 * ever run; a check that would need either is skipped with the reason.
 *
 * `filter` counts the records whose fields all match; a match key is a dotted path where a part may
 * carry one index (`dns.answers[0].rrname`, never `dns.answers.0.rrname`: suricata-verify looks a
 * bare `0` up as a dict key and finds nothing), optionally ending in an operator part:
 * `__len` (the length, -1 if it has none), `__find` / `__startswith` / `__endswith` (on `str()` of
 * the value), `__contains` (`in`), `__gt` / `__gte` / `__lt` / `__lte` (numbers only). `has-key`
 * and `not-has-key` take a path or a list of paths; a value of None counts as absent.
 */
import { isDict, isNone, isPythonNumber, pythonContains, pythonEquals, pythonLen, pythonRepr, pythonStr } from './pythonValues.ts';
import { judgeRequirements } from './requirements.ts';
import type { SensorCapabilities } from './requirements.ts';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  /** Position in the case's `checks` list, from 0. */
  index: number;
  /** `filter`, `stats`, `shell`, `file-compare`, or whatever the case wrote. */
  type: string;
  status: CheckStatus;
  /** What was expected and what was found (pass and fail), or why it was skipped. */
  message: string;
}

/** The output of one sensor run, as the checks see it. */
export interface CheckOutput {
  /** Records of each JSON-lines file by name; `eve.json` is the default of a filter check. */
  jsonFiles: ReadonlyMap<string, ParsedJsonLines>;
}

export type ParsedJsonLines = { ok: true; records: readonly unknown[] } | { ok: false; error: string };

/** The output of a run that wrote eve.json (and maybe other JSON-lines files), already parsed. */
export function checkOutputOf(eveRecords: readonly unknown[], otherFiles: Readonly<Record<string, readonly unknown[]>> = {}): CheckOutput {
  const jsonFiles = new Map<string, ParsedJsonLines>([['eve.json', { ok: true, records: eveRecords }]]);
  for (const [name, records] of Object.entries(otherFiles)) jsonFiles.set(name, { ok: true, records });
  return { jsonFiles };
}

export interface CheckEnvironment {
  capabilities: SensorCapabilities;
  /** The case folder, for relative `requires.files`. */
  testDir: string;
}

const COMPARISON_OPERATORS = { __gt: '>', __gte: '>=', __lt: '<', __lte: '<=' } as const;
type ComparisonOperator = keyof typeof COMPARISON_OPERATORS;
const MATCH_OPERATORS = ['__contains', '__find', '__startswith', '__endswith'] as const;
const OPERATOR_PARTS: ReadonlySet<string> = new Set([...MATCH_OPERATORS, ...Object.keys(COMPARISON_OPERATORS)]);
const FILTER_KEYS: ReadonlySet<string> = new Set(['count', 'match', 'filename', 'requires', 'comment']);
const INDEXED_PART = /^(.*)\[(\d+)\]$/;

/**
 * suricata-verify's `find_value`: follows a dotted path through dicts, one `[n]` index per part;
 * returns undefined (None) when a step is missing; stops at an operator part and returns what it
 * reached; `__len` returns the length right there.
 */
export function findValue(path: string, obj: unknown): unknown {
  let current = obj;
  for (const part of path.split('.')) {
    if (part === '__len') return pythonLen(current);
    if (OPERATOR_PARTS.has(part)) break;
    const indexed = INDEXED_PART.exec(part);
    const key = indexed === null ? part : (indexed[1] as string);
    if (!isDict(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
    if (indexed !== null) {
      const index = Number(indexed[2]);
      if (Array.isArray(current)) current = current[index];
      else if (typeof current === 'string') current = [...current][index];
      else return undefined;
      if (current === undefined) return undefined;
    }
  }
  return current;
}

function comparisonOperatorOf(key: string): ComparisonOperator | undefined {
  const suffix = key.slice(key.lastIndexOf('.') + 1);
  return Object.hasOwn(COMPARISON_OPERATORS, suffix) ? (suffix as ComparisonOperator) : undefined;
}

function compareNumbers(actual: unknown, expected: unknown, operator: ComparisonOperator): boolean {
  if (!isPythonNumber(actual) || !isPythonNumber(expected)) return false;
  const a = Number(actual);
  const b = Number(expected);
  switch (operator) {
    case '__gt':
      return a > b;
    case '__gte':
      return a >= b;
    case '__lt':
      return a < b;
    case '__lte':
      return a <= b;
  }
}

/** Whether one `match` entry holds for an event. */
export function matchEntry(key: string, expected: unknown, event: unknown): boolean {
  if (key === 'has-key') return listOf(expected).every((path) => !isNone(findValue(pythonStr(path), event)));
  if (key === 'not-has-key') return listOf(expected).every((path) => isNone(findValue(pythonStr(path), event)));
  const value = findValue(key, event);
  if (key.endsWith('__find')) return !isNone(value) && pythonStr(value).includes(pythonStr(expected));
  if (key.endsWith('__contains')) return pythonContains(value, expected);
  if (key.endsWith('__startswith')) return !isNone(value) && pythonStr(value).startsWith(pythonStr(expected));
  if (key.endsWith('__endswith')) return !isNone(value) && pythonStr(value).endsWith(pythonStr(expected));
  const operator = comparisonOperatorOf(key);
  if (operator !== undefined) return compareNumbers(value, expected, operator);
  return pythonEquals(value, expected);
}

/** suricata-verify's `match`: every entry must hold. */
export function matchEvent(match: Readonly<Record<string, unknown>>, event: unknown): boolean {
  for (const [key, expected] of Object.entries(match)) {
    if (!matchEntry(key, expected, event)) return false;
  }
  return true;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** A compact rendering of a filter's `match` for messages: `{event_type: alert, alert.signature_id: 1}`. */
export function describeMatch(match: Readonly<Record<string, unknown>>): string {
  return `{${Object.entries(match)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : pythonRepr(value)}`)
    .join(', ')}}`;
}

const NEAR_MISSES_SHOWN = 3;

/**
 * Records that match all entries but one, with what that entry found: when a count is off by one
 * this usually names the culprit (`alert.signature_id` found 2) without opening eve.json.
 */
function nearMisses(match: Readonly<Record<string, unknown>>, records: readonly unknown[]): string[] {
  const entries = Object.entries(match);
  if (entries.length < 2) return [];
  const misses: string[] = [];
  for (const [position, record] of records.entries()) {
    const failing = entries.filter(([key, expected]) => !matchEntry(key, expected, record));
    if (failing.length !== 1) continue;
    const [key] = failing[0] as [string, unknown];
    const found = key === 'has-key' || key === 'not-has-key' ? 'the opposite' : pythonRepr(findValue(key, record));
    misses.push(`line ${position + 1}: all but ${key} (found ${found})`);
    if (misses.length === NEAR_MISSES_SHOWN) break;
  }
  return misses;
}

function check(index: number, type: string, status: CheckStatus, message: string): CheckResult {
  return { index, type, status, message };
}

/** One `filter` check. */
export function evaluateFilterCheck(index: number, config: unknown, output: CheckOutput, env: CheckEnvironment): CheckResult {
  if (!isDict(config)) return check(index, 'filter', 'fail', `filter check must be a mapping, found ${pythonRepr(config)}`);
  const unexpected = Object.keys(config).filter((key) => !FILTER_KEYS.has(key));
  if (unexpected.length > 0) return check(index, 'filter', 'fail', `Unexpected key in filter check: ${unexpected.join(', ')}`);
  if (!('count' in config)) return check(index, 'filter', 'fail', 'filter check missing count');
  if (!('match' in config)) return check(index, 'filter', 'fail', 'filter check missing match');
  const match = config.match;
  if (!isDict(match)) return check(index, 'filter', 'fail', `filter match must be a mapping, found ${pythonRepr(match)}`);

  const verdict = judgeRequirements(config.requires, env.capabilities, env.testDir);
  if (!verdict.satisfied) {
    if ('invalid' in verdict) return check(index, 'filter', 'fail', verdict.invalid);
    return check(index, 'filter', 'skip', `filter check skipped: ${verdict.reason}`);
  }

  const filename = config.filename === undefined ? 'eve.json' : pythonStr(config.filename);
  const file = output.jsonFiles.get(filename);
  if (file === undefined) return check(index, 'filter', 'fail', `${filename} does not exist`);
  if (!file.ok) return check(index, 'filter', 'fail', `filter check failed for ${filename}: ${file.error}`);

  let count = 0;
  for (const record of file.records) if (matchEvent(match, record)) count += 1;
  const wanted = config.count;
  const described = describeMatch(match);
  if (pythonEquals(count, wanted)) return check(index, 'filter', 'pass', `${count} of ${file.records.length} records match ${described}`);

  const subject = typeof config.comment === 'string' ? `${config.comment}: ` : '';
  const lines = [`${subject}expected ${pythonRepr(wanted)} records matching ${described}; found ${count} (of ${file.records.length} in ${filename})`];
  const misses = nearMisses(match, file.records);
  if (misses.length > 0) lines.push(`near misses: ${misses.join('; ')}`);
  return check(index, 'filter', 'fail', lines.join('\n'));
}

/** One `stats` check: every key is looked up in the last `stats` record of eve.json. */
export function evaluateStatsCheck(index: number, config: unknown, output: CheckOutput): CheckResult {
  if (!isDict(config)) return check(index, 'stats', 'fail', `stats check must be a mapping, found ${pythonRepr(config)}`);
  const eve = output.jsonFiles.get('eve.json');
  if (eve === undefined) return check(index, 'stats', 'fail', 'eve.json not found');
  if (!eve.ok) return check(index, 'stats', 'fail', `stats check failed for eve.json: ${eve.error}`);
  let stats: unknown;
  for (const record of eve.records) {
    if (isDict(record) && record.event_type === 'stats') stats = record.stats;
  }
  if (stats === undefined) return check(index, 'stats', 'fail', 'no stats event found in eve.json');
  const failures: string[] = [];
  for (const [key, expected] of Object.entries(config)) {
    const value = findValue(key, stats);
    const operator = comparisonOperatorOf(key);
    if (operator !== undefined) {
      if (!compareNumbers(value, expected, operator)) {
        failures.push(`stats.${key}: expected ${COMPARISON_OPERATORS[operator]} ${pythonStr(expected)}; got ${pythonStr(value)}`);
      }
    } else if (!pythonEquals(value, expected)) {
      failures.push(`stats.${key}: expected ${pythonStr(expected)}; got ${pythonStr(value)}`);
    }
  }
  if (failures.length > 0) return check(index, 'stats', 'fail', failures.join('\n'));
  return check(index, 'stats', 'pass', `${Object.keys(config).length} stats value(s) as expected`);
}

/**
 * One entry of a case's `checks` list: a mapping of check type to its body (suricata-verify
 * evaluates every key of the entry, so an entry with two keys is two checks).
 */
export function evaluateCheckEntry(index: number, entry: unknown, output: CheckOutput, env: CheckEnvironment): CheckResult[] {
  if (!isDict(entry)) return [check(index, '?', 'fail', `a check must be a mapping, found ${pythonRepr(entry)}`)];
  const results: CheckResult[] = [];
  for (const [type, body] of Object.entries(entry)) {
    switch (type) {
      case 'filter':
        results.push(evaluateFilterCheck(index, body, output, env));
        break;
      case 'stats':
        results.push(evaluateStatsCheck(index, body, output));
        break;
      case 'shell': {
        const args = isDict(body) ? pythonStr(body.args) : pythonRepr(body);
        results.push(check(index, type, 'skip', `shell check not run (test folders never run commands here): ${args.trim()}`));
        break;
      }
      case 'file-compare':
        results.push(check(index, type, 'skip', 'file-compare check not run (compares files Suricata writes beside eve.json)'));
        break;
      default:
        results.push(check(index, type, 'fail', `Unknown check type: ${type}`));
    }
  }
  return results;
}

/** Parses JSON lines as suricata-verify reads eve.json; blank lines (a trailing newline) are skipped. */
export function parseJsonLines(lines: readonly string[]): ParsedJsonLines {
  const records: unknown[] = [];
  for (const [position, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch (error) {
      return { ok: false, error: `line ${position + 1} is not JSON: ${(error as Error).message}` };
    }
  }
  return { ok: true, records };
}
