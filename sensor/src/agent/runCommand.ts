/**
 * `otasuke sensor run`: the long-running agent. This module only declares the command; the agent
 * loads when it runs.
 */
import { Command } from 'commander';

export interface RunOptions {
  config?: string;
  dataDir?: string;
}

export function runCommand(): Command {
  return new Command('run')
    .description('run the sensor agent: capture (interface or watched folder), detection, spool, uplink, heartbeat, bundle updates')
    .option('--config <file>', 'the config file (JSON, comments allowed); default <data-dir>/sensor.json as written by enroll')
    .option('--data-dir <dir>', "the sensor's data directory (credential.json, sensor.json, spool, rules); default /var/lib/otasuke-sensor")
    // A bad flag is a CommanderError for the caller (otasuke maps it to exit code 2), not exit 1.
    .exitOverride()
    .addHelpText(
      'after',
      `
Runs until SIGTERM or SIGINT, then stops capturing, sends what it can for a few seconds and exits 0;
what is not sent stays in the spool for the next start. Logs are JSON lines on stderr.
Exit codes: 0 stopped cleanly; 1 failed while running; 2 bad flags or config (every problem listed).
Example config with every option: deploy/sensor.example.jsonc; systemd unit: deploy/otasuke-sensor.service.
Example:
  otasuke sensor run --data-dir /var/lib/otasuke-sensor`,
    )
    .action(async (options: RunOptions) => {
      const { runAgent } = await import('./runAgent.ts');
      process.exitCode = await runAgent(options, { stderr: process.stderr, signals: process });
    });
}
