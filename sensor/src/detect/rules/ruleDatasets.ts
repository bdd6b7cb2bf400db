/**
 * Suricata's datasets and data reputation (`dataset:` and `datarep:` on a sticky buffer): named
 * sets of strings, MD5/SHA-256 digests or addresses, shared by every rule of a load that names
 * them, filled from a file beside the rule file (`load`, `state`) and, for `dataset:set`, by the
 * traffic. `datarep` keeps a reputation number per value and compares it.
 *
 * File formats (Suricata's): one value a line, `string` values base64-encoded, digests in hex,
 * addresses as text; a reputation file adds `,<number>` to each line. Nothing is written back
 * (`save` and `state` files are read when present, never written: the sensor keeps no state on
 * disk for rules).
 */
import { isIP } from 'node:net';
import type { NumberTest } from './ruleModel.ts';
import { RuleSkip } from './ruleSkip.ts';

export type DatasetType = 'string' | 'md5' | 'sha256' | 'ipv4' | 'ip';

const TYPES: ReadonlySet<string> = new Set<DatasetType>(['string', 'md5', 'sha256', 'ipv4', 'ip']);

/** Values a set holds at most: a bound on what the traffic can add (Suricata has a memcap). */
export const MAX_DATASET_VALUES = 1_000_000;

export class Dataset {
  /** Value key → reputation (0 for plain sets). */
  readonly values = new Map<string, number>();
  /** Values refused because the set was full. */
  dropped = 0;

  constructor(
    readonly name: string,
    readonly type: DatasetType,
  ) {}

  /** Adds a value; true when it was not there before (what `dataset:set` matches on). */
  add(key: string, rep = 0): boolean {
    if (this.values.has(key)) return false;
    if (this.values.size >= MAX_DATASET_VALUES) {
      this.dropped++;
      return false;
    }
    this.values.set(key, rep);
    return true;
  }
}

/** The datasets of one rule load, by name. */
export class DatasetRegistry {
  private readonly sets = new Map<string, Dataset>();
  /** Files already loaded into a set (a file named by several rules is read once). */
  private readonly loaded = new Set<string>();

  get(name: string, type: DatasetType | undefined): Dataset {
    const known = this.sets.get(name);
    if (known !== undefined) {
      if (type !== undefined && known.type !== type) {
        throw new RuleSkip('dataset: type mismatch', `dataset "${name}" is of type ${known.type}, not ${type}`);
      }
      return known;
    }
    if (type === undefined) throw new RuleSkip('dataset: no type', `dataset "${name}" needs a type (string, md5, sha256, ipv4, ip)`);
    const set = new Dataset(name, type);
    this.sets.set(name, set);
    return set;
  }

  /** Loads `text` into the set once per (set, file). */
  load(set: Dataset, file: string, text: string, reputation: boolean): void {
    const id = `${set.name}\u0000${file}`;
    if (this.loaded.has(id)) return;
    this.loaded.add(id);
    loadDatasetText(set, text, reputation, file);
  }

  get size(): number {
    return this.sets.size;
  }
}

/** A value as written in a dataset file → the set's key; undefined when it is not one. */
export function keyFromText(type: DatasetType, text: string): string | undefined {
  switch (type) {
    case 'string': {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length === 0) return undefined;
      return Buffer.from(text, 'base64').toString('latin1');
    }
    case 'md5':
      return /^[0-9a-fA-F]{32}$/.test(text) ? text.toLowerCase() : undefined;
    case 'sha256':
      return /^[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : undefined;
    case 'ipv4':
      return isIP(text) === 4 ? ipv4Key(text) : undefined;
    case 'ip': {
      const v = isIP(text);
      if (v === 4) return ipv4Key(text);
      if (v === 6) return ipv6Key(text);
      return undefined;
    }
  }
}

function ipv4Key(text: string): string {
  return String.fromCharCode(...text.split('.').map(Number));
}

/** 16 bytes of an IPv6 address (IPv4-mapped written as such); IPv4-mapped ones key as IPv4. */
function ipv6Key(text: string): string {
  let t = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  let tail: number[] = [];
  if (dotted !== null) {
    tail = dotted[1]!.split('.').map(Number);
    t = `${t.slice(0, -dotted[1]!.length)}0:0`;
  }
  const [head, rest] = t.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  const bytes: number[] = [];
  for (const g of groups) {
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return String.fromCharCode(...(mapped ? bytes.slice(12) : bytes));
}

/** A buffer's bytes → the set's key: strings as they are, digests (raw 16/32 bytes) in hex,
 *  addresses from their 4 or 16 raw bytes. Undefined: the buffer cannot be such a value. */
export function keyFromBuffer(type: DatasetType, data: Uint8Array): string | undefined {
  switch (type) {
    case 'string':
      return Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
    case 'md5':
      return data.length === 16 ? Buffer.from(data).toString('hex') : undefined;
    case 'sha256':
      return data.length === 32 ? Buffer.from(data).toString('hex') : undefined;
    case 'ipv4':
      return data.length === 4 ? String.fromCharCode(...data) : undefined;
    case 'ip':
      if (data.length === 4) return String.fromCharCode(...data);
      if (data.length !== 16) return undefined;
      if (data.subarray(0, 10).every((b) => b === 0) && data[10] === 0xff && data[11] === 0xff) return String.fromCharCode(...data.subarray(12));
      return String.fromCharCode(...data);
  }
}

/** Reads a dataset or reputation file into `set`; a bad line stops the load (as Suricata's). */
export function loadDatasetText(set: Dataset, text: string, reputation: boolean, file: string): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const comma = line.indexOf(',');
    const valueText = comma < 0 ? line : line.slice(0, comma).trim();
    let rep = 0;
    if (reputation) {
      const repText = comma < 0 ? '' : line.slice(comma + 1).trim();
      if (!/^\d+$/.test(repText)) throw new RuleSkip('datarep: bad file', `${file} line ${i + 1}: "${line}" is not value,reputation`);
      rep = Number(repText);
    }
    const key = keyFromText(set.type, valueText);
    if (key === undefined) throw new RuleSkip('dataset: bad file', `${file} line ${i + 1}: "${valueText}" is not a ${set.type} value`);
    set.values.set(key, rep);
  }
}

export type DatasetCmd = 'set' | 'unset' | 'isset' | 'isnotset';

/** A `dataset:` or `datarep:` test on the current buffer. */
export interface DatasetOp {
  kind: 'dataset';
  set: Dataset;
  /** `datarep` when `rep` is present. */
  cmd: DatasetCmd | 'datarep';
  rep?: NumberTest;
}

/** Whether the buffer passes the op; `set`/`unset` change the set (matching when they did). */
export function datasetMatches(op: DatasetOp, data: Uint8Array): boolean {
  const key = keyFromBuffer(op.set.type, data);
  if (key === undefined) return false;
  const values = op.set.values;
  switch (op.cmd) {
    case 'set':
      return op.set.add(key);
    case 'unset':
      return values.delete(key);
    case 'isset':
      return values.has(key);
    case 'isnotset':
      return !values.has(key);
    case 'datarep': {
      const rep = values.get(key);
      if (rep === undefined || op.rep === undefined) return false;
      return compareRep(op.rep, rep);
    }
  }
}

function compareRep(t: NumberTest, v: number): boolean {
  switch (t.op) {
    case '=':
      return v === t.a;
    case '!=':
      return v !== t.a;
    case '<':
      return v < t.a;
    case '<=':
      return v <= t.a;
    case '>':
      return v > t.a;
    case '>=':
      return v >= t.a;
    default:
      return false;
  }
}

export interface DatasetContext {
  datasets: DatasetRegistry;
  /** A file named by the rule, relative to the rule file; undefined: absent. */
  readFile: (name: string) => string | undefined;
}

interface DatasetOptions {
  type?: DatasetType;
  /** Files to read: `load` must exist, `state` / `save` are read when present. */
  load?: string;
  optional?: string;
}

/** `type string`, `load file`, `state file`, `save file`, `memcap 10mb`, `hashsize 1024`. */
function readOptions(parts: readonly string[], keyword: string): DatasetOptions {
  const out: DatasetOptions = {};
  for (const part of parts) {
    const m = /^([a-z_]+)\s+(.+)$/.exec(part.trim());
    if (m === null) throw new RuleSkip(`${keyword}: bad option`, `${keyword} option "${part}"`);
    const [, key, value] = m as unknown as [string, string, string];
    switch (key) {
      case 'type':
        if (!TYPES.has(value)) throw new RuleSkip(`${keyword}: bad type`, `${keyword} type "${value}"`);
        out.type = value as DatasetType;
        break;
      case 'load':
        out.load = value.trim();
        break;
      case 'state':
      case 'save':
        out.optional = value.trim();
        break;
      case 'memcap':
      case 'hashsize':
        break;
      default:
        throw new RuleSkip(`${keyword}: unsupported option`, `${keyword} option "${key}"`);
    }
  }
  return out;
}

function setFor(name: string, opts: DatasetOptions, ctx: DatasetContext, keyword: string, reputation: boolean): Dataset {
  if (!/^[\w.-]+$/.test(name)) throw new RuleSkip(`${keyword}: bad name`, `${keyword} name "${name}"`);
  const set = ctx.datasets.get(name, opts.type);
  for (const [file, required] of [[opts.load, true], [opts.optional, false]] as const) {
    if (file === undefined) continue;
    const text = ctx.readFile(file);
    if (text === undefined) {
      if (required) throw new RuleSkip(`${keyword}: file not found`, `${keyword}: cannot read "${file}" beside the rule file`);
      continue;
    }
    ctx.datasets.load(set, file, text, reputation);
  }
  return set;
}

/** `dataset:<set|unset|isset|isnotset>,<name>[, type T][, load F][, state F][, save F]…`. */
export function parseDataset(value: string, ctx: DatasetContext): DatasetOp {
  const parts = value.split(',').map((s) => s.trim());
  const cmd = parts[0];
  if (cmd !== 'set' && cmd !== 'unset' && cmd !== 'isset' && cmd !== 'isnotset') throw new RuleSkip('dataset: bad command', `dataset command "${cmd ?? ''}"`);
  const name = parts[1];
  if (name === undefined || name === '') throw new RuleSkip('dataset: missing name', 'dataset needs a name');
  const set = setFor(name, readOptions(parts.slice(2), 'dataset'), ctx, 'dataset', false);
  return { kind: 'dataset', set, cmd };
}

const REP_OPS: Readonly<Record<string, NumberTest['op']>> = { '>': '>', '<': '<', '>=': '>=', '<=': '<=', '==': '=', '=': '=', '!=': '!=' };

/** `datarep:<name>, <op>, <value>[, load F][, type T]…`, op one of > < >= <= == !=. */
export function parseDatarep(value: string, ctx: DatasetContext): DatasetOp {
  const parts = value.split(',').map((s) => s.trim());
  const [name, opText, repText] = parts;
  if (name === undefined || name === '') throw new RuleSkip('datarep: missing name', 'datarep needs a name');
  const op = REP_OPS[opText ?? ''];
  if (op === undefined) throw new RuleSkip('datarep: bad operator', `datarep operator "${opText ?? ''}"`);
  if (repText === undefined || !/^\d+$/.test(repText)) throw new RuleSkip('datarep: bad value', `datarep value "${repText ?? ''}"`);
  const set = setFor(name, readOptions(parts.slice(3), 'datarep'), ctx, 'datarep', true);
  return { kind: 'dataset', set, cmd: 'datarep', rep: { op, a: Number(repText), b: 0 } };
}
