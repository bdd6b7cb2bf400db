/**
 * Pure assembly of a rules/IOC bundle from what a policy enables: the active rules of each enabled
 * ET category (commented-out rules stay out: ET ships them disabled), the local rules, the
 * threshold.config lines and the IOC feeds. The version is a hash of the content (not of the build
 * time), so rebuilding unchanged inputs gives the same version and no sensor downloads anything.
 */
import { createHash } from 'node:crypto';
import type { BundleContent } from '@otasuke/shared';

/** Suricata rule actions; a line starting otherwise is not a rule. */
const RULE_ACTIONS = new Set(['alert', 'drop', 'pass', 'reject', 'rejectsrc', 'rejectdst', 'rejectboth', 'config']);

export const VERSION_HEX_LENGTH = 16;

export interface FeedLines {
  name: string;
  /** Normalised `type value` lines. */
  lines: string;
}

export interface AssemblyInput {
  policy: string;
  categories: readonly string[];
  /** Text of each category file found in the rules directory (absent = missing). */
  ruleFiles: ReadonlyMap<string, string>;
  localRules: string;
  feeds: readonly FeedLines[];
  thresholdConfig: string;
  createdAt: Date;
}

export interface AssembledBundle {
  content: BundleContent;
  ruleCount: number;
  rulesByCategory: Record<string, number>;
  missingCategories: string[];
  iocCount: number;
  iocByFeed: Record<string, number>;
}

/** The active rules of a rules file: one per line (a trailing `\` continues a rule), no comments. */
export function activeRules(text: string): string[] {
  const rules: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trimEnd()} `;
      continue;
    }
    const rule = (pending + line).trim();
    pending = '';
    const action = rule.split(/\s/, 1)[0]!;
    if (RULE_ACTIONS.has(action)) rules.push(rule);
  }
  return rules;
}

/** Indicator lines of a feed's plain text (blank lines and comments do not count). */
export function iocLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
}

export function bundleVersion(content: Omit<BundleContent, 'version' | 'createdAt'>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([content.policy, content.rules, content.thresholdConfig, content.iocFeeds]));
  return hash.digest('hex').slice(0, VERSION_HEX_LENGTH);
}

export function assembleBundle(input: AssemblyInput): AssembledBundle {
  const sections: string[] = [];
  const rulesByCategory: Record<string, number> = {};
  const missingCategories: string[] = [];
  let ruleCount = 0;
  for (const category of input.categories) {
    const text = input.ruleFiles.get(category);
    if (text === undefined) {
      missingCategories.push(category);
      continue;
    }
    const rules = activeRules(text);
    rulesByCategory[category] = rules.length;
    ruleCount += rules.length;
    sections.push(`# ${category} (${rules.length})`, ...rules);
  }
  const local = activeRules(input.localRules);
  if (local.length > 0) {
    rulesByCategory.local = local.length;
    ruleCount += local.length;
    sections.push(`# local (${local.length})`, ...local);
  }
  const iocByFeed: Record<string, number> = {};
  let iocCount = 0;
  const iocFeeds = input.feeds.map((feed) => {
    const lines = iocLines(feed.lines);
    iocByFeed[feed.name] = lines.length;
    iocCount += lines.length;
    return { name: feed.name, lines: lines.length > 0 ? `${lines.join('\n')}\n` : '' };
  });
  const body = {
    policy: input.policy,
    rules: sections.length > 0 ? `${sections.join('\n')}\n` : '',
    thresholdConfig: input.thresholdConfig,
    iocFeeds,
  };
  const content: BundleContent = { version: bundleVersion(body), createdAt: input.createdAt.toISOString(), ...body };
  return { content, ruleCount, rulesByCategory, missingCategories, iocCount, iocByFeed };
}
