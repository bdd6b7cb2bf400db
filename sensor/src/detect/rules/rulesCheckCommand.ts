/**
 * `otasuke sensor rules check FILE|DIR…`: loads rule files as the sensor would and prints the load
 * statistics (loaded / skipped, the top skip reasons, broken lines with file:line:reason). Declared
 * here; the loader is imported when the command runs.
 */
import { Command } from 'commander';

export interface RulesCheckOptions {
  var?: string[];
  classificationConfig?: string;
  thresholdConfig?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `NAME=VALUE` pairs → variables; a malformed one is returned in `bad`. */
export function parseVarFlags(list: readonly string[]): { vars: Record<string, string>; bad: string[] } {
  const vars: Record<string, string> = {};
  const bad: string[] = [];
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) bad.push(item);
    else vars[item.slice(0, eq).trim().replace(/^\$/, '')] = item.slice(eq + 1).trim();
  }
  return { vars, bad };
}

export function rulesCommand(): Command {
  const rules = new Command('rules').description('Suricata rule files (ET Open and local rules)');
  rules.addCommand(
    new Command('check')
      .description('load rule files as the sensor would and print the load statistics')
      .argument('<paths...>', 'rule files or folders of *.rules')
      .option('--var <NAME=VALUE>', 'a rule variable, e.g. HOME_NET=[192.168.1.0/24] (repeatable)', collect)
      .option('--classification-config <file>', 'classification.config (default: the one beside the rules, else Suricata\'s)')
      .option('--threshold-config <file>', 'threshold.config (suppress / threshold / event_filter)')
      .exitOverride()
      .addHelpText(
        'after',
        `
Exit codes: 0 loaded; 1 no rule could be loaded; 2 bad flags or unreadable paths.

Example:
  otasuke sensor rules check ../shared/data/et-open --var HOME_NET=[192.168.1.0/24]`,
      )
      .action(async (paths: string[], options: RulesCheckOptions) => {
        const { runRulesCheck } = await import('./runRulesCheck.ts');
        process.exitCode = await runRulesCheck(paths, options, { stdout: process.stdout, stderr: process.stderr });
      }),
  );
  return rules;
}
