/**
 * pcre → JavaScript RegExp. Flags map (i, s, m; x by stripping whitespace and comments); the
 * Suricata buffer flags (U, P, H, …) pick the buffer; R makes the match relative. PCRE-only syntax
 * (possessive quantifiers, atomic groups, inline flags, \A \Z) is translated where JS has an
 * equivalent and refused otherwise. Patterns that can backtrack catastrophically (an unbounded
 * quantifier applied to a group that itself holds one, `(a+)+`) are refused at load, since a JS
 * regex cannot be interrupted: a hostile rule must not be able to hang the sensor.
 */
import type { BufferName, PcreCapture, PcreOp } from './ruleModel.ts';
import { RuleSkip } from './ruleSkip.ts';

const BUFFER_FLAGS: Readonly<Record<string, BufferName>> = {
  U: 'http.uri', I: 'http.uri.raw', P: 'http.request_body', Q: 'http.response_body', H: 'http.header', D: 'http.header.raw',
  M: 'http.method', C: 'http.cookie', S: 'http.stat_code', Y: 'http.stat_msg', V: 'http.user_agent', W: 'http.host', Z: 'http.host.raw',
};

/** Longest pattern accepted. */
const MAX_PCRE_LENGTH = 8192;

/** Strips `/x` whitespace and `#` comments outside character classes. */
function stripExtended(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      out += c + p[i + 1]!;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') inClass = true;
    if (c === '#') {
      while (i < p.length && p[i] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    out += c;
  }
  return out;
}

/** PCRE syntax JS lacks, translated or refused. */
function translate(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      const n = p[i + 1]!;
      i++;
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && (n === 'Z' || n === 'z')) out += '$';
      else if (n === 'h') out += inClass ? ' \\t' : '[ \\t]';
      else if (n === 'x' && p[i + 1] === '{') {
        const end = p.indexOf('}', i);
        if (end < 0) throw new RuleSkip('pcre: unsupported syntax', 'pcre: \\x{ without }');
        const hex = p.slice(i + 2, end);
        const code = parseInt(hex, 16);
        if (!(code <= 0xff)) throw new RuleSkip('pcre: unsupported syntax', `pcre: \\x{${hex}}`);
        out += `\\x${code.toString(16).padStart(2, '0')}`;
        i = end;
      } else if (n === 'Q' || n === 'E' || n === 'G' || n === 'K' || n === 'R' || n === 'X' || n === 'C') {
        throw new RuleSkip('pcre: unsupported syntax', `pcre: \\${n}`);
      } else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i);
        const cls = end < 0 ? '' : p.slice(i + 2, end);
        const posix: Record<string, string> = { alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', space: '\\s', upper: 'A-Z', lower: 'a-z', xdigit: '0-9a-fA-F', punct: '!-\\/:-@\\[-`{-~', print: ' -~', word: '\\w' };
        if (posix[cls] === undefined) throw new RuleSkip('pcre: unsupported syntax', `pcre: [:${cls}:]`);
        out += posix[cls];
        i = end + 1;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') {
        out += '^';
        i++;
      }
      // A `]` first in a class is a literal in PCRE.
      if (p[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2);
      if (rest.startsWith('>')) throw new RuleSkip('pcre: unsupported syntax', 'pcre: atomic group (?>');
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (/^[imsx-]+\)/.test(rest) || /^[imsx-]+:/.test(rest)) throw new RuleSkip('pcre: unsupported syntax', 'pcre: inline flags');
      if (rest.startsWith('#')) throw new RuleSkip('pcre: unsupported syntax', 'pcre: comment group');
    }
    if ((c === '+' || c === '?') && (p[i - 1] === '+' || p[i - 1] === '*' || p[i - 1] === '?' || p[i - 1] === '}') && c === '+') {
      // Possessive quantifier `a++`: the greedy one matches the same strings (it only backtracks more).
      continue;
    }
    out += c;
  }
  return out;
}

/**
 * Refuses nested unbounded quantifiers: a group containing `*`, `+` or `{n,}` that is itself
 * followed by one of them. Conservative: some safe patterns are refused too, none that can blow up
 * this way is let through. Alternations of overlapping branches under a star (`(a|a)*`) are the
 * other classic blow-up; groups with `|` under an unbounded quantifier are refused as well when a
 * branch can match the empty string or the branches start alike.
 */
export function catastrophicReason(p: string): string | undefined {
  // Stack of groups: whether the group's contents hold an unbounded quantifier.
  const stack: { unbounded: boolean; alternation: boolean; branches: string[]; start: number }[] = [{ unbounded: false, alternation: false, branches: [], start: 0 }];
  let inClass = false;
  const isUnboundedAt = (j: number): number => {
    // Returns the length of an unbounded quantifier at j, 0 if none.
    const c = p[j];
    if (c === '*' || c === '+') return 1;
    if (c === '{') {
      const m = /^\{\d*,\}/.exec(p.slice(j));
      if (m !== null) return m[0].length;
    }
    return 0;
  };
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (p[i + 1] === '^') i++;
      if (p[i + 1] === ']') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ unbounded: false, alternation: false, branches: [], start: i + 1 });
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.alternation = true;
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      if (g === undefined || stack.length === 0) return undefined;
      const q = isUnboundedAt(i + 1);
      if (q > 0) {
        if (g.unbounded) return 'nested unbounded quantifiers';
        if (g.alternation) {
          const body = p.slice(g.start, i).replace(/^\?:/, '');
          const branches = body.split('|');
          const firsts = branches.map((b) => b.slice(0, 1));
          if (branches.some((b) => b === '') || new Set(firsts).size < firsts.length) return 'overlapping alternation under a quantifier';
        }
      }
      const parent = stack[stack.length - 1]!;
      if (g.unbounded || q > 0) parent.unbounded = true;
      continue;
    }
    if (isUnboundedAt(i) > 0) stack[stack.length - 1]!.unbounded = true;
  }
  return undefined;
}

/** `"/pattern/flags"` (optionally `!"…"`) → a PcreOp and the buffer its flags name. */
export function compilePcre(value: string): { op: PcreOp; buffer: BufferName | undefined } {
  let t = value.trim();
  let negated = false;
  if (t.startsWith('!')) {
    negated = true;
    t = t.slice(1).trim();
  }
  if (!(t.startsWith('"') && t.length >= 2)) throw new RuleSkip('pcre: not quoted', 'pcre must be quoted');
  const close = t.lastIndexOf('"');
  const after = t.slice(close + 1).trim();
  if (after !== '') throw new RuleSkip('pcre: bad syntax', 'text after the quoted pcre');
  t = t.slice(1, close).replace(/\\"/g, '"').replace(/\\;/g, ';');
  // `/regex/flags, pkt:name, flow:name`: the groups' destinations follow the flags.
  let captures: PcreCapture[] | undefined;
  const spec = /\/[A-Za-z]*\s*,\s*(?:pkt|flow):/.exec(t);
  if (spec !== null) {
    const comma = t.indexOf(',', spec.index);
    captures = parseCaptures(t.slice(comma + 1));
    t = t.slice(0, comma).trimEnd();
  }
  if (!t.startsWith('/')) throw new RuleSkip('pcre: bad syntax', 'pcre must be /pattern/flags');
  const end = t.lastIndexOf('/');
  if (end <= 0) throw new RuleSkip('pcre: bad syntax', 'pcre must be /pattern/flags');
  let pattern = t.slice(1, end);
  const flags = t.slice(end + 1);
  if (pattern.length > MAX_PCRE_LENGTH) throw new RuleSkip('pcre: too long', `pcre longer than ${MAX_PCRE_LENGTH}`);
  let js = '';
  let relative = false;
  let buffer: BufferName | undefined;
  let anchored = false;
  for (const f of flags) {
    if (f === 'i' || f === 's' || f === 'm') js += f;
    else if (f === 'x') pattern = stripExtended(pattern);
    else if (f === 'R') relative = true;
    else if (f === 'A') anchored = true;
    else if (f === 'E' || f === 'O' || f === 'B') continue;
    else if (f === 'G') throw new RuleSkip('pcre: ungreedy flag', 'pcre /G (ungreedy) has no JS equivalent');
    else if (BUFFER_FLAGS[f] !== undefined) {
      if (buffer !== undefined && buffer !== BUFFER_FLAGS[f]) throw new RuleSkip('pcre: two buffers', 'pcre with two buffer flags');
      buffer = BUFFER_FLAGS[f];
    } else throw new RuleSkip(`pcre: unsupported flag ${f}`, `pcre flag "${f}"`);
  }
  const reason = catastrophicReason(pattern);
  if (reason !== undefined) throw new RuleSkip(`pcre: ${reason}`, `pcre refused (${reason}): it could backtrack without bound`);
  const translated = translate(pattern);
  let regex: RegExp;
  try {
    // 'd' is not needed; 'g' lets lastIndex start a relative search.
    regex = new RegExp(anchored ? `^(?:${translated})` : translated, `${js}g`);
  } catch {
    throw new RuleSkip('pcre: unsupported syntax', `pcre /${pattern}/ is not valid in JavaScript`);
  }
  const op: PcreOp = { kind: 'pcre', regex, relative, negated, source: `/${pattern}/${flags}` };
  if (captures !== undefined) {
    if (negated) throw new RuleSkip('pcre: bad capture', 'a negated pcre captures nothing');
    if (captures.length > groupCount(regex)) throw new RuleSkip('pcre: bad capture', `pcre names ${captures.length} captures for fewer groups`);
    op.captures = captures;
  }
  return { op, buffer };
}

/** Up to this many captures per pcre (Suricata's DETECT_PCRE_CAPTURE_MAX). */
const MAX_CAPTURES = 16;

/** `pkt:name, flow:name` → capture destinations. */
function parseCaptures(text: string): PcreCapture[] {
  const out: PcreCapture[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(pkt|flow):([\w./-]+)\s*$/.exec(part);
    if (m === null) throw new RuleSkip('pcre: bad capture', `pcre capture "${part.trim()}" (pkt:name or flow:name)`);
    out.push({ scope: m[1] as 'pkt' | 'flow', name: m[2]! });
  }
  if (out.length > MAX_CAPTURES) throw new RuleSkip('pcre: bad capture', `more than ${MAX_CAPTURES} pcre captures`);
  return out;
}

/** Capture groups of a compiled regex. */
function groupCount(regex: RegExp): number {
  return new RegExp(`${regex.source}|`, regex.flags.replace('g', '')).exec('')!.length - 1;
}
