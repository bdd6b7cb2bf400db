/**
 * Runs a rule's ops over one buffer: content with its positional modifiers, pcre, byte_test,
 * byte_jump, byte_extract, isdataat, bsize. Relative ops chain from the end of the previous match,
 * and a failed chain backtracks to the next occurrence of an earlier content (as Suricata does), up
 * to MAX_STEPS tries per buffer so a rule cannot make the work grow without bound.
 */
import { indexOfFolded } from './patternPrefilter.ts';
import { datasetMatches } from './ruleDatasets.ts';
import type { ByteNumberSpec, ContentOp, MatchOp, RuleValue, Transform } from './ruleModel.ts';
import { testNumber } from './ruleParser.ts';

/** Content/pcre attempts per buffer inspection. */
const MAX_STEPS = 2048;
/** Bytes of a buffer a pcre sees: with nested quantifiers refused, a regex is at worst polynomial
 *  in its input, so bounding the input bounds its time. */
export const PCRE_MAX_BYTES = 16 * 1024;

/** One buffer being inspected, with the views the ops want made once. */
export class InspectBuffer {
  private text: string | null = null;
  constructor(readonly data: Uint8Array) {}

  /** Latin-1 text of the first PCRE_MAX_BYTES bytes, for regexes (one char per byte). */
  latin1(): string {
    if (this.text === null) {
      const d = this.data.length > PCRE_MAX_BYTES ? this.data.subarray(0, PCRE_MAX_BYTES) : this.data;
      this.text = Buffer.from(d.buffer, d.byteOffset, d.length).toString('latin1');
    }
    return this.text;
  }
}

export interface MatchState {
  steps: number;
  vars: Map<string, number>;
  /** pcre captures into pkt/flow variables of the rule being inspected (the engine commits them
   *  when the rule matches); absent: not collected. */
  captured?: { scope: 'pkt' | 'flow'; name: string; value: string }[];
}

function resolve(v: RuleValue | undefined, vars: Map<string, number>): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  return vars.get(v) ?? 0;
}

function indexOfExact(data: Uint8Array, pattern: Uint8Array, from: number): number {
  const m = pattern.length;
  const last = data.length - m;
  const first = pattern[0]!;
  for (let i = from; i <= last; i++) {
    if (data[i] !== first) continue;
    let j = 1;
    while (j < m && data[i + j] === pattern[j]) j++;
    if (j === m) return i;
  }
  return -1;
}

/** The window [start, end) a content may occupy, or null when it cannot fit. */
function window(op: ContentOp, len: number, prevEnd: number, vars: Map<string, number>): { start: number; end: number } | null {
  const distance = resolve(op.distance, vars);
  const within = resolve(op.within, vars);
  const offset = resolve(op.offset, vars);
  const depth = resolve(op.depth, vars);
  const relative = distance !== undefined || within !== undefined;
  let start = 0;
  let end = len;
  if (relative) {
    start = prevEnd + (distance ?? 0);
    if (within !== undefined) end = Math.min(end, prevEnd + (distance ?? 0) + within);
  } else {
    if (offset !== undefined) start = offset;
    if (depth !== undefined) end = Math.min(end, start + depth);
  }
  if (op.startswith) end = Math.min(end, start + op.bytes.length);
  if (start < 0) start = 0;
  if (end - start < op.bytes.length) return null;
  return { start, end };
}

function findContent(op: ContentOp, data: Uint8Array, from: number, end: number): number {
  // Search in data[from, end): a subarray bounds the search without copying.
  const view = end < data.length ? data.subarray(0, end) : data;
  return op.nocase ? indexOfFolded(view, op.lower, from) : indexOfExact(view, op.bytes, from);
}

function readNumber(spec: ByteNumberSpec, data: Uint8Array, at: number): number | undefined {
  if (at < 0 || at + spec.bytes > data.length) return undefined;
  let v: number;
  if (spec.stringBase !== undefined) {
    let s = '';
    for (let i = 0; i < spec.bytes; i++) s += String.fromCharCode(data[at + i]!);
    s = s.trim();
    const digits = spec.stringBase === 16 ? /^[0-9a-f]+/i : spec.stringBase === 8 ? /^[0-7]+/ : /^[0-9]+/;
    const m = digits.exec(s);
    if (m === null) return undefined;
    v = parseInt(m[0], spec.stringBase);
  } else {
    v = 0;
    for (let i = 0; i < spec.bytes; i++) {
      const b = spec.endian === 'big' ? data[at + i]! : data[at + spec.bytes - 1 - i]!;
      v = v * 256 + b;
    }
  }
  if (spec.bitmask !== undefined) {
    const mask = spec.bitmask;
    v = Number(BigInt(v) & BigInt(mask));
    // Shift right by the mask's trailing zeros, as Suricata does.
    let m = mask;
    let shift = 0;
    while (m > 0 && (m & 1) === 0) {
      m = Math.floor(m / 2);
      shift++;
    }
    v = Math.floor(v / 2 ** shift);
  }
  return v;
}

/** True when ops[i..] match `buf` with the previous match ending at `prevEnd`. */
export function matchOps(ops: readonly MatchOp[], i: number, buf: InspectBuffer, prevEnd: number, st: MatchState): boolean {
  if (i === ops.length) return true;
  if (++st.steps > MAX_STEPS) return false;
  const data = buf.data;
  const op = ops[i]!;
  switch (op.kind) {
    case 'content': {
      const w = window(op, data.length, prevEnd, st.vars);
      if (op.negated) {
        if (w === null) return matchOps(ops, i + 1, buf, prevEnd, st);
        let at = findContent(op, data, w.start, w.end);
        if (at >= 0 && op.endswith && at + op.bytes.length !== data.length) at = -1;
        return at < 0 && matchOps(ops, i + 1, buf, prevEnd, st);
      }
      if (w === null) return false;
      let from = op.endswith ? Math.max(w.start, data.length - op.bytes.length) : w.start;
      for (;;) {
        const at = findContent(op, data, from, w.end);
        if (at < 0) return false;
        if (!op.endswith || at + op.bytes.length === data.length) {
          if (matchOps(ops, i + 1, buf, at + op.bytes.length, st)) return true;
          // Only a later relative op can profit from another occurrence.
          if (!laterRelative(ops, i + 1)) return false;
        }
        if (st.steps > MAX_STEPS) return false;
        st.steps++;
        from = at + 1;
      }
    }
    case 'pcre': {
      const text = buf.latin1();
      const start = op.relative ? Math.min(prevEnd, text.length) : 0;
      const subject = op.relative && start > 0 ? text.slice(start) : text;
      op.regex.lastIndex = 0;
      const m = op.regex.exec(subject);
      if (op.negated) return m === null && matchOps(ops, i + 1, buf, prevEnd, st);
      if (m === null) return false;
      if (op.captures !== undefined && st.captured !== undefined) {
        for (let g = 0; g < op.captures.length; g++) if (m[g + 1] !== undefined) st.captured.push({ ...op.captures[g]!, value: m[g + 1]! });
      }
      return matchOps(ops, i + 1, buf, start + m.index + m[0].length, st);
    }
    case 'byte_test': {
      const base = op.relative ? prevEnd : 0;
      const v = readNumber(op, data, base + (resolve(op.offset, st.vars) ?? 0));
      if (v === undefined) return false;
      const target = resolve(op.value, st.vars) ?? 0;
      let ok: boolean;
      switch (op.op) {
        case '<':
          ok = v < target;
          break;
        case '>':
          ok = v > target;
          break;
        case '=':
          ok = v === target;
          break;
        case '!=':
          ok = v !== target;
          break;
        case '<=':
          ok = v <= target;
          break;
        case '>=':
          ok = v >= target;
          break;
        case '&':
          ok = Number(BigInt(v) & BigInt(target)) !== 0;
          break;
        case '^':
          ok = Number(BigInt(v) ^ BigInt(target)) !== 0;
          break;
      }
      if (op.negated) ok = !ok;
      return ok && matchOps(ops, i + 1, buf, prevEnd, st);
    }
    case 'byte_jump': {
      const base = op.relative ? prevEnd : 0;
      const at = base + (resolve(op.offset, st.vars) ?? 0);
      const v = readNumber(op, data, at);
      if (v === undefined) return false;
      let jump = v * op.multiplier;
      if (op.align && jump % 4 !== 0) jump += 4 - (jump % 4);
      let next = op.fromBeginning ? jump : op.fromEnd ? data.length + jump : at + op.bytes + jump;
      next += op.postOffset;
      if (next < 0 || next > data.length) return false;
      return matchOps(ops, i + 1, buf, next, st);
    }
    case 'byte_extract': {
      const base = op.relative ? prevEnd : 0;
      const at = base + (resolve(op.offset, st.vars) ?? 0);
      let v = readNumber(op, data, at);
      if (v === undefined) return false;
      v *= op.multiplier;
      if (op.align > 0 && v % op.align !== 0) v += op.align - (v % op.align);
      st.vars.set(op.name, v);
      return matchOps(ops, i + 1, buf, at + op.bytes, st);
    }
    case 'isdataat': {
      const n = resolve(op.at, st.vars) ?? 0;
      const has = (op.relative ? prevEnd + n : n) < data.length;
      return has !== op.negated && matchOps(ops, i + 1, buf, prevEnd, st);
    }
    case 'bsize':
      return testNumber(op.test, data.length) && matchOps(ops, i + 1, buf, prevEnd, st);
    case 'dataset':
      return datasetMatches(op, data) && matchOps(ops, i + 1, buf, prevEnd, st);
  }
}

function laterRelative(ops: readonly MatchOp[], from: number): boolean {
  for (let i = from; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.kind === 'content' && (op.distance !== undefined || op.within !== undefined)) return true;
    if ((op.kind === 'pcre' || op.kind === 'byte_test' || op.kind === 'byte_jump' || op.kind === 'byte_extract' || op.kind === 'isdataat') && op.relative) return true;
  }
  return false;
}

/** Applies a buffer's transforms (a copy; the input is not changed). */
export function transform(data: Uint8Array, transforms: readonly Transform[]): Uint8Array {
  let out = data;
  for (const t of transforms) {
    switch (t) {
      case 'dotprefix': {
        const d = new Uint8Array(out.length + 1);
        d[0] = 0x2e;
        d.set(out, 1);
        out = d;
        break;
      }
      case 'strip_whitespace':
        out = out.filter((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0b && b !== 0x0c);
        break;
      case 'compress_whitespace': {
        const d: number[] = [];
        for (const b of out) {
          const ws = b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
          if (ws && d.length > 0 && d[d.length - 1] === 0x20) continue;
          d.push(ws ? 0x20 : b);
        }
        out = Uint8Array.from(d);
        break;
      }
      case 'to_lowercase':
        out = out.map((b) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b));
        break;
      case 'to_uppercase':
        out = out.map((b) => (b >= 0x61 && b <= 0x7a ? b & ~0x20 : b));
        break;
    }
  }
  return out;
}
