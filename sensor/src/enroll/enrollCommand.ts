/**
 * `otasuke sensor enroll`: exchanges a one-time enrollment code for the sensor's own credential and
 * writes a working config. This module only declares the command; the work loads when it runs.
 */
import { Command } from 'commander';

export interface EnrollOptions {
  server: string;
  code: string;
  dataDir: string;
}

export const DEFAULT_SENSOR_DATA_DIR = '/var/lib/otasuke-sensor';

export function enrollCommand(): Command {
  return new Command('enroll')
    .description("enroll this box with the monitoring server: exchange a one-time code for the sensor's credential and write its config")
    .requiredOption('--server <url>', 'the server URL, e.g. https://otasuke.example.jp')
    .requiredOption('--code <code>', 'the one-time enrollment code (from the console, the delivery note or the QR code)')
    .option('--data-dir <dir>', "the sensor's data directory (credential.json, sensor.json, spool)", DEFAULT_SENSOR_DATA_DIR)
    // A missing flag is a CommanderError for the caller (otasuke maps it to exit code 2), not exit 1.
    .exitOverride()
    .addHelpText(
      'after',
      `
Writes <data-dir>/credential.json (mode 0600) and <data-dir>/sensor.json. Enrolling again with a new
code replaces the credential; the old one stops working.

Exit codes: 0 enrolled; 1 the server could not be reached or failed; 2 bad flags, or the code is
wrong, used, expired, or the sensor is revoked.

Example:
  otasuke sensor enroll --server https://otasuke.example.jp --code otse_…`,
    )
    .action(async (options: EnrollOptions) => {
      const { runEnroll } = await import('./runEnroll.ts');
      process.exitCode = await runEnroll(options, { stdout: process.stdout, stderr: process.stderr });
    });
}
