/**
 * threshold.config: `suppress gen_id G, sig_id S[, track by_src|by_dst|by_either, ip ADDR]`,
 * `threshold|event_filter gen_id G, sig_id S, type limit|threshold|both, track T, count N, seconds M`
 * and `rate_filter …` (accepted, not enforced: it changes actions, which an IDS does not take).
 * `sig_id 0` applies to every rule of the gid.
 */
import { AddressGroup } from './ruleAddress.ts';
import type { RuleVars } from './ruleAddress.ts';
import type { ThresholdSpec } from './ruleModel.ts';
import { RuleSkip } from './ruleSkip.ts';

export interface Suppression {
  gid: number;
  sid: number;
  /** undefined: every alert of the rule. */
  track?: 'by_src' | 'by_dst' | 'by_either';
  ip?: AddressGroup;
}

export interface ThresholdOverride {
  gid: number;
  sid: number;
  spec: ThresholdSpec;
}

export interface ThresholdConfig {
  suppressions: Suppression[];
  thresholds: ThresholdOverride[];
  errors: { line: number; reason: string }[];
}

function fields(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of body.split(',')) {
    const t = part.trim();
    const sp = t.search(/\s/);
    if (sp < 0) continue;
    out.set(t.slice(0, sp), t.slice(sp + 1).trim());
  }
  return out;
}

export function parseThresholdConfig(text: string, vars: RuleVars = {}): ThresholdConfig {
  const cfg: ThresholdConfig = { suppressions: [], thresholds: [], errors: [] };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(suppress|threshold|event_filter|rate_filter)\s+(.*)$/.exec(line);
    if (m === null) {
      cfg.errors.push({ line: i + 1, reason: 'expected suppress, threshold, event_filter or rate_filter' });
      return;
    }
    const f = fields(m[2]!);
    const gid = Number(f.get('gen_id'));
    const sid = Number(f.get('sig_id'));
    if (!Number.isInteger(gid) || !Number.isInteger(sid)) {
      cfg.errors.push({ line: i + 1, reason: 'gen_id and sig_id must be numbers' });
      return;
    }
    try {
      if (m[1] === 'suppress') {
        const s: Suppression = { gid, sid };
        const track = f.get('track');
        if (track !== undefined) {
          if (track !== 'by_src' && track !== 'by_dst' && track !== 'by_either') throw new RuleSkip('track', `suppress track "${track}"`);
          const ip = f.get('ip');
          if (ip === undefined) throw new RuleSkip('ip', 'suppress with track needs ip');
          s.track = track;
          s.ip = AddressGroup.parse(ip, vars);
        }
        cfg.suppressions.push(s);
      } else if (m[1] === 'rate_filter') {
        return;
      } else {
        const type = f.get('type');
        const track = f.get('track');
        const count = Number(f.get('count'));
        const seconds = Number(f.get('seconds'));
        if (type !== 'limit' && type !== 'threshold' && type !== 'both') throw new RuleSkip('type', `type "${type}"`);
        if (!['by_src', 'by_dst', 'by_rule', 'by_both', 'by_flow'].includes(track ?? '')) throw new RuleSkip('track', `track "${track}"`);
        if (!Number.isInteger(count) || !Number.isInteger(seconds)) throw new RuleSkip('count', 'count and seconds must be numbers');
        cfg.thresholds.push({ gid, sid, spec: { type, track: track as ThresholdSpec['track'], count, seconds } });
      }
    } catch (e) {
      cfg.errors.push({ line: i + 1, reason: e instanceof RuleSkip ? e.detail : String(e) });
    }
  });
  return cfg;
}
