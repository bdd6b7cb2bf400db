/**
 * The work of `otasuke sensor rules check`: load, print the statistics, pick the exit code.
 */
import { existsSync } from 'node:fs';
import { formatRuleLoadStats, loadRules } from './index.ts';
import type { RulesCheckOptions } from './rulesCheckCommand.ts';
import { parseVarFlags } from './rulesCheckCommand.ts';

interface Output {
  write(text: string): unknown;
}

export async function runRulesCheck(paths: readonly string[], options: RulesCheckOptions, io: { stdout: Output; stderr: Output }): Promise<number> {
  const { vars, bad } = parseVarFlags(options.var ?? []);
  if (bad.length > 0) {
    io.stderr.write(`--var には NAME=VALUE を指定してください / --var needs NAME=VALUE: ${bad.join(', ')}\n`);
    return 2;
  }
  const missing = [...paths, options.classificationConfig, options.thresholdConfig].filter((p): p is string => p !== undefined && !existsSync(p));
  if (missing.length > 0) {
    io.stderr.write(`ファイルが見つかりません / not found: ${missing.join(', ')}\n`);
    return 2;
  }
  const load = await loadRules({
    files: [...paths],
    vars,
    ...(options.classificationConfig === undefined ? {} : { classificationFile: options.classificationConfig }),
    ...(options.thresholdConfig === undefined ? {} : { thresholdConfigFile: options.thresholdConfig }),
  });
  io.stdout.write(`${formatRuleLoadStats(load.stats)}\n`);
  return load.stats.loaded > 0 ? 0 : 1;
}
